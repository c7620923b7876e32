#!/usr/bin/env python3
"""Copy the data archive (tar + zstd) out of an engine-setup binary, using
its trailer (docs/payload.md), so that the baselines unpack the very same
bytes. Usage: extract_archive.py INSTALLER OUT.tar.zst; prints the
program's size without payload."""
import struct
import sys

with open(sys.argv[1], "rb") as f:
    f.seek(-128, 2)
    t = f.read(128)
    if t[:8] != b"ESPAYLD1":
        sys.exit("%s carries no payload" % sys.argv[1])
    meta_off, meta_len, data_off, data_len = struct.unpack_from("<4Q", t, 16)
    f.seek(data_off)
    with open(sys.argv[2], "wb") as out:
        left = data_len
        while left:
            b = f.read(min(left, 8 << 20))
            out.write(b)
            left -= len(b)
print(meta_off)
