#!/usr/bin/env python3
"""Generate a realistic payload tree for the benchmark, deterministically.

Usage: gen_payload.py OUT_DIR SIZE_MIB [SEED]

The tree has the layout of payload/ (manifest, LICENSE.txt, engine/,
console/) and, scaled to SIZE_MIB (1024 gives about 1 GiB in about 20,000
files), the mix of a real scan engine:
  - many small text and configuration files (1-8 KiB, compressible),
  - mid-size libraries (32-320 KiB; code-like: half repetitive, half noise),
  - a few large archives (already compressed: incompressible).
The same SEED and SIZE_MIB always give the same bytes."""
import os
import random
import shutil
import sys

WORDS = ("scan engine console asset vulnerability credential policy site "
         "report template schedule discovery service port protocol host "
         "network exploit check risk score remediation patch tag owner "
         "config value enabled timeout retry thread pool cache buffer").split()


def text_blob(rng, size):
    out = []
    n = 0
    while n < size:
        line = "%s = %s %d\n" % (rng.choice(WORDS), " ".join(
            rng.choice(WORDS) for _ in range(rng.randint(2, 9))),
            rng.randint(0, 99999))
        out.append(line)
        n += len(line)
    return "".join(out).encode()[:size]


def lib_blob(rng, size):
    # Code-like: runs of repeated instruction-ish patterns and noise.
    chunks = []
    n = 0
    pattern = rng.randbytes(64)
    while n < size:
        k = min(size - n, rng.randint(512, 8192))
        if rng.random() < 0.5:
            chunks.append((pattern * (k // 64 + 1))[:k])
        else:
            chunks.append(rng.randbytes(k))
        n += k
        if rng.random() < 0.1:
            pattern = rng.randbytes(64)
    return b"".join(chunks)


def write(path, data, mode=0o644):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)
    os.chmod(path, mode)


def main():
    out, size_mib = sys.argv[1], int(sys.argv[2])
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 7
    rng = random.Random(seed)
    scale = size_mib / 1024.0
    here = os.path.dirname(os.path.abspath(__file__))
    sample = os.path.join(here, "..", "payload")
    if os.path.exists(out):
        shutil.rmtree(out)
    shutil.copytree(sample, out)

    n_small = int(16000 * scale)
    n_lib = int(3900 * scale)
    n_big = max(1, int(round(8 * scale)))
    big_size = int(44 * 1024 * 1024 * 8 * scale / n_big)
    total = 0
    files = 0
    for i in range(n_small):
        comp = "engine/nse"
        d = "%s/conf/plugins/p%03d" % (comp, i % 200) if i % 3 == 0 else \
            "%s/plugins/checks/c%03d" % (comp, i % 300)
        data = text_blob(rng, rng.randint(1024, 8192))
        write(os.path.join(out, d, "check-%05d.xml" % i), data)
        total += len(data)
        files += 1
    for i in range(n_lib):
        comp = "engine/nse"
        data = lib_blob(rng, rng.randint(32 * 1024, 300 * 1024))
        write(os.path.join(out, comp, "lib", "l%02d" % (i % 50),
                           "lib%04d.so" % i), data, 0o755 if i % 7 == 0 else 0o644)
        total += len(data)
        files += 1
    for i in range(n_big):
        comp = "engine/nse"
        data = rng.randbytes(big_size)
        write(os.path.join(out, comp, "archives", "content-%d.jar" % i), data)
        total += len(data)
        files += 1
    print("%s: %d files, %.1f MiB" % (out, files, total / 1048576.0))


main()
