#!/usr/bin/env python3
"""Drive a program through a pseudo-terminal, expect-style, for the
end-to-end tests of the line-mode prompts.

Usage: pty_drive.py SCRIPT -- COMMAND [ARGS...]

SCRIPT has one step a line:
  expect TEXT     wait (10 s at most) until TEXT appears in the output;
                  a line break there (the output wraps at the terminal's
                  width) matches a space
  send TEXT       type TEXT and Enter ("send" alone sends an empty line)
  eof             close the input (Ctrl-D at the start of a line)
  intr            send Ctrl-C
PTY_DRIVE_SIZE=COLSxROWS (e.g. 80x24) gives the terminal that size
(TIOCSWINSZ); without it the pty has none (0x0).
Writes everything the program printed to stdout; exits with the program's
exit code, or 99 when an expectation timed out."""
import fcntl
import os
import pty
import re
import select
import struct
import sys
import termios
import time


def flat(b):
    """The output with each line break, and the blanks around it, as one
    space: what a wrapped line said before it was wrapped."""
    return re.sub(rb"[ \t]*\r*\n[ \t]*", b" ", b)


def main():
    sep = sys.argv.index("--")
    steps = open(sys.argv[1]).read().splitlines()
    argv = sys.argv[sep + 1:]
    size = os.environ.get("PTY_DRIVE_SIZE")
    pid, fd = pty.fork()
    if pid == 0:
        if size:
            cols, rows = (int(v) for v in size.split("x"))
            fcntl.ioctl(sys.stdout.fileno(), termios.TIOCSWINSZ,
                        struct.pack("HHHH", rows, cols, 0, 0))
        os.execvp(argv[0], argv)
    seen = b""
    pos = 0

    def read(timeout):
        nonlocal seen
        r, _, _ = select.select([fd], [], [], timeout)
        if not r:
            return True
        try:
            data = os.read(fd, 65536)
        except OSError:
            return False
        if not data:
            return False
        seen += data
        return True

    for step in steps:
        if not step.strip() or step.startswith("#"):
            continue
        verb, _, arg = step.partition(" ")
        if verb == "expect":
            want = arg.encode()
            deadline = time.time() + 10
            while want not in flat(seen)[pos:]:
                if time.time() > deadline or not read(0.1):
                    if want in flat(seen)[pos:]:
                        break
                    sys.stdout.write(seen.decode(errors="replace"))
                    sys.stdout.write("\n[pty_drive] timed out waiting for %r\n" % arg)
                    os.kill(pid, 9)
                    os.waitpid(pid, 0)
                    sys.exit(99)
            pos = flat(seen).index(want, pos) + len(want)
        elif verb == "send":
            os.write(fd, arg.encode() + b"\r")
        elif verb == "eof":
            os.write(fd, b"\x04")
        elif verb == "intr":
            os.write(fd, b"\x03")
        else:
            sys.exit("bad step: " + step)
    while read(5):
        pass
    _, status = os.waitpid(pid, 0)
    sys.stdout.write(seen.decode(errors="replace"))
    sys.exit(os.waitstatus_to_exitcode(status) if status else 0)


main()
