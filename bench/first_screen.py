#!/usr/bin/env python3
"""Time from exec to the first wizard screen: start engine-setup on a
pseudo-terminal (80x24) and wait for the welcome page's title line.
Usage: first_screen.py ENGINE_SETUP ROOT [RUNS]; prints the median in ms."""
import fcntl
import os
import pty
import select
import signal
import statistics
import struct
import sys
import termios
import time


def once(binary, root):
    start = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:
        os.environ["TERM"] = "xterm-256color"
        os.execv(binary, [binary, "--root", root])
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    seen = b""
    elapsed = None
    deadline = start + 10
    while time.perf_counter() < deadline:
        r, _, _ = select.select([fd], [], [], 0.05)
        if r:
            try:
                seen += os.read(fd, 65536)
            except OSError:
                break
            if b"Setup" in seen and b"Welcome" in seen:
                elapsed = time.perf_counter() - start
                break
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    os.close(fd)
    return elapsed


def main():
    binary, root = sys.argv[1], sys.argv[2]
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 10
    times = [t for t in (once(binary, root) for _ in range(runs)) if t]
    if not times:
        sys.exit("the wizard's first screen never appeared")
    print("%.1f" % (statistics.median(times) * 1000))


main()
