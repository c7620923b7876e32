#!/usr/bin/env python3
"""Drive a program through a pseudo-terminal, expect-style, for the
end-to-end tests of the line-mode prompts.

Usage: pty_drive.py SCRIPT -- COMMAND [ARGS...]

SCRIPT has one step a line:
  expect TEXT     wait (10 s at most) until TEXT appears in the output
  send TEXT       type TEXT and Enter ("send" alone sends an empty line)
  eof             close the input (Ctrl-D at the start of a line)
  intr            send Ctrl-C
Writes everything the program printed to stdout; exits with the program's
exit code, or 99 when an expectation timed out."""
import os
import pty
import select
import sys
import time


def main():
    sep = sys.argv.index("--")
    steps = open(sys.argv[1]).read().splitlines()
    argv = sys.argv[sep + 1:]
    pid, fd = pty.fork()
    if pid == 0:
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
            while want not in seen[pos:]:
                if time.time() > deadline or not read(0.1):
                    if want in seen[pos:]:
                        break
                    sys.stdout.write(seen.decode(errors="replace"))
                    sys.stdout.write("\n[pty_drive] timed out waiting for %r\n" % arg)
                    os.kill(pid, 9)
                    os.waitpid(pid, 0)
                    sys.exit(99)
            pos = seen.index(want, pos) + len(want)
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
