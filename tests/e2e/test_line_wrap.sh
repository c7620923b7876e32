#!/usr/bin/env bash
# Issue 10, §3: line mode (and the silent run's requirement rows and next
# steps) wrap at the terminal's width, at spaces, with continuation lines
# under the text they carry on; the words never change. Driven through a
# pty of 80x24, as a serial console or an expect script sees it.
. "$(dirname "$0")/lib.sh"
unset COLUMNS

# Every pty is 80x24 here.
export PTY_DRIVE_SIZE=80x24

# fits WIDTH: no line of $OUT is wider than WIDTH characters (line ends
# and the progress's carriage returns both end a line).
fits() {
	TESTS_RUN=$((TESTS_RUN + 1))
	local long
	long=$(python3 -c '
import re, sys
w = int(sys.argv[1])
for line in re.split(r"[\r\n]", sys.stdin.read()):
    if len(line) > w:
        print("%d: %s" % (len(line), line))' "$1" <<<"$OUT")
	[ -z "$long" ] && return 0
	fail "lines wider than $1 columns:
$long"
	return 1
}

# has_broken TEXT: $OUT holds TEXT, where "|" in TEXT stands for a line
# break (and the indentation after it).
has_broken() {
	TESTS_RUN=$((TESTS_RUN + 1))
	python3 -c '
import re, sys
want = sys.argv[1]
out = sys.stdin.read().replace("\r", "")
pat = r"\n *".join(re.escape(p) for p in want.split("|"))
sys.exit(0 if re.search(pat, out) else 1)' "$1" <<<"$OUT" && return 0
	fail "output lacks '$1' broken there:
$OUT"
	return 1
}

# joined TEXT: with every line break and its indentation as one space,
# $OUT holds TEXT: every break fell between words.
joined() {
	TESTS_RUN=$((TESTS_RUN + 1))
	python3 -c '
import re, sys
out = re.sub(r" *\r?\n *", " ", sys.stdin.read())
sys.exit(0 if sys.argv[1] in out else 1)' "$1" <<<"$OUT" && return 0
	fail "output lacks '$1' (its words joined across lines):
$OUT"
	return 1
}

# An Engine-to-Console engine as far as the shared secret, then Ctrl-D:
# the component notes, the requirement rows and the secret's prompt.
R=$(newroot)
cat > "$WORK/secret.steps" <<'EOT'
expect OK [o, Enter]
send
expect Do you accept
send y
expect Scan Engine only
send 2
expect Where
send
expect System requirements
send
expect First name:
send Ada
expect Last name:
send Müller
expect Company:
send Example
expect Engine-to-Console [1, Enter]
send
expect Pair now (recommended) [1, Enter]
send 1
expect Console address:
send 127.0.0.1
expect Console port:
send
expect valid 60 minutes):
eof
EOT
drive "$WORK/secret.steps" 5 --text --root "$R"
fits 80
has_broken "This will install Nexpose 7.3.1 on this computer: a Scan Engine, or a Security|Console with its local Scan Engine."
has_broken "    The engine connects to the console on TCP 40815 (recommended when the engine|can reach the console)."
has_broken "Shared secret (Administration > Scans > Manage scan engines > Generate Scan|Engine Shared Secret; valid 60 minutes):"
has_broken "[Pass] Service definition             none for nexposeengine, or engine-setup's|own (none that another installer made,|unless --overwrite)"

# Console-to-Engine to the end: the next steps, wrapped under their marks.
R=$(newroot)
cat > "$WORK/c2e.steps" <<'EOT'
expect OK [o, Enter]
send
expect Do you accept
send y
expect Scan Engine only
send 2
expect Where
send
expect System requirements
send
expect First name:
send Ada
expect Last name:
send Müller
expect Company:
send Example
expect Engine-to-Console [1, Enter]
send 2
expect Port the engine listens on:
send
expect Start the service
send
expect Install [i, Enter]
send i
expect The console must reach this host
EOT
drive "$WORK/c2e.steps" 0 --text --root "$R"
fits 80
has_broken "  1. In the Security Console: Administration > Scans > Scan Engines > Manage|scan engines > New Engine. On the General tab, enter"
has_broken "Service nexposeengine: installed, not started (no running service manager for|this root"
joined "Service nexposeengine: installed, not started (no running service manager for this root: it was installed under --root; on the target, start it with \`systemctl start nexposeengine\`)."

# A service definition another installer made: the requirement fails,
# and its advice, longer than a line, wraps under the advice.
R=$(newroot)
mkdir -p "$R/etc/systemd/system"
printf '[Service]\nExecStart=/usr/local/bin/mine\n' > "$R/etc/systemd/system/nexposeengine.service"
cat > "$WORK/again.steps" <<'EOT'
expect OK [o, Enter]
send
expect Do you accept
send y
expect Scan Engine only
send 2
expect Where
send
expect Check again [r, Enter]
send c
EOT
drive "$WORK/again.steps" 5 --text --root "$R"
fits 80
out_has "[Fail] Service definition"
joined "Move /etc/systemd/system/nexposeengine.service (and its links) away if it is left from a manual install, or replace it with --overwrite."
has_broken "       Move /etc/systemd/system/nexposeengine.service (and its links) away if it|       is left from a manual install, or replace it with --overwrite."

# Silent runs: the requirement rows and next steps wrap at the terminal's
# width too; $COLUMNS, when set, is the width.
R=$(newroot)
engine_answers console-to-engine > "$WORK/e.txt"
printf '' > "$WORK/none.steps"
drive "$WORK/none.steps" 0 --silent --answers "$WORK/e.txt" --root "$R"
fits 80
has_broken "  1. In the Security Console: Administration > Scans > Scan Engines > Manage|scan engines > New Engine. On the General tab, enter"
R=$(newroot)
TESTS_RUN=$((TESTS_RUN + 1))
OUT=$(COLUMNS=60 "$ES_BIN" --silent --answers "$WORK/e.txt" --root "$R" 2>&1) ||
    fail "silent install with COLUMNS=60 failed: $OUT"
fits 60
joined "[Pass] Service definition             none for nexposeengine, or engine-setup's own (none that another installer made, unless --overwrite)"
joined "Service nexposeengine: installed, not started (no running service manager for this root"
finish
