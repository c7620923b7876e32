#!/usr/bin/env python3
"""Build an installer whose data archive holds exactly what a test says,
with none of mkpayload's checks: only the installer's own checks stand
between such a payload and the disk (the attacks of tests/e2e/
test_payload_links.sh). Layout: docs/payload.md.

usage: craft_payload.py --stub STUB --tree DIR --out OUT [--extra FILE]

The tree gives the manifest, the licence and the component folders, which
are packed as they are on disk (links kept as links, whatever they point
at). Each line of --extra adds one entry after the tree's, in order:
  d PATH            a folder
  f PATH TEXT       a file holding TEXT
  l PATH TARGET     a symbolic link
PATH is the archive path, e.g. engine/nse/x; a PATH may repeat one the
tree has.
"""
import argparse
import hashlib
import io
import os
import struct
import subprocess
import sys
import tarfile


def info(name, kind, size=0, target=""):
    ti = tarfile.TarInfo(name)
    ti.mtime = 0
    ti.uid = ti.gid = 0
    ti.uname = ti.gname = "root"
    if kind == "d":
        ti.type, ti.mode = tarfile.DIRTYPE, 0o755
    elif kind == "l":
        ti.type, ti.mode, ti.linkname = tarfile.SYMTYPE, 0o777, target
    else:
        ti.type, ti.mode, ti.size = tarfile.REGTYPE, 0o644, size
    return ti


def manifest_dirs(text):
    dirs = []
    for line in text.splitlines():
        key, _, value = line.partition("=")
        key = key.strip()
        if key.startswith("component.") and key.endswith(".dir"):
            dirs.append(value.strip())
    return dirs


def tree_entries(tree, top):
    """(path, kind, data-or-target) for top and everything below it, in
    mkpayload's order (sorted by path)."""
    out = []
    for dirpath, dirnames, filenames in os.walk(os.path.join(tree, top)):
        rel = os.path.relpath(dirpath, tree)
        out.append((rel, "d", None))
        for name in dirnames + filenames:
            full = os.path.join(dirpath, name)
            path = os.path.join(rel, name)
            if os.path.islink(full):
                out.append((path, "l", os.readlink(full)))
                if name in dirnames:
                    dirnames.remove(name)
            elif os.path.isfile(full):
                with open(full, "rb") as f:
                    out.append((path, "f", f.read()))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--stub", required=True)
    ap.add_argument("--tree", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--extra")
    a = ap.parse_args()

    with open(os.path.join(a.tree, "manifest"), "rb") as f:
        manifest = f.read()
    license_name = None
    for line in manifest.decode().splitlines():
        key, _, value = line.partition("=")
        if key.strip() == "license":
            license_name = value.strip()

    meta = io.BytesIO()
    with tarfile.open(fileobj=meta, mode="w", format=tarfile.PAX_FORMAT) as t:
        t.addfile(info("manifest", "f", len(manifest)), io.BytesIO(manifest))
        if license_name:
            with open(os.path.join(a.tree, license_name), "rb") as f:
                lic = f.read()
            t.addfile(info(license_name, "f", len(lic)), io.BytesIO(lic))

    entries = []
    for top in manifest_dirs(manifest.decode()):
        entries += tree_entries(a.tree, top)
    entries.sort(key=lambda e: e[0])
    if a.extra:
        with open(a.extra) as f:
            for line in f:
                line = line.rstrip("\n")
                if not line:
                    continue
                kind, _, rest = line.partition(" ")
                if kind == "d":
                    entries.append((rest, "d", None))
                else:
                    path, _, arg = rest.partition(" ")
                    entries.append((path, kind,
                                    arg.encode() if kind == "f" else arg))

    tar = io.BytesIO()
    files = size = 0
    with tarfile.open(fileobj=tar, mode="w", format=tarfile.PAX_FORMAT) as t:
        for path, kind, arg in entries:
            if kind == "f":
                t.addfile(info(path, "f", len(arg)), io.BytesIO(arg))
                files += 1
                size += len(arg)
            elif kind == "l":
                t.addfile(info(path, "l", target=arg))
            else:
                t.addfile(info(path + "/", "d"))
    data = subprocess.run(["zstd", "-q", "-c", "-3"], input=tar.getvalue(),
                          stdout=subprocess.PIPE, check=True).stdout

    with open(a.stub, "rb") as f:
        stub = f.read()
    meta = meta.getvalue()
    meta_off = len(stub)
    data_off = meta_off + len(meta)
    trailer = struct.pack("<8sII6Q32s32s", b"ESPAYLD1", 1, 0, meta_off,
                          len(meta), data_off, len(data), files, size,
                          hashlib.sha256(meta).digest(),
                          hashlib.sha256(data).digest())
    assert len(trailer) == 128
    with open(a.out, "wb") as f:
        f.write(stub + meta + data + trailer)
    os.chmod(a.out, 0o755)
    return 0


if __name__ == "__main__":
    sys.exit(main())
