#!/usr/bin/env bash
# Issue 10, §5: `status` names the engine, its communication direction and
# the port it listens on. The engine name is the one the install resolved
# (the host name when engine_name was not given), kept in the install
# record; a record written before it held these lines is still read, and
# the values come from the installed nse/conf/nse.xml.
. "$(dirname "$0")/lib.sh"

# Console-to-Engine on another port, with a name given.
R=$(newroot)
engine_answers console-to-engine > "$WORK/c2e.txt"
run 0 --silent --answers "$WORK/c2e.txt" --set engine_port=40999 --root "$R"
REC=$R/opt/rapid7/nexpose/.install/record
file_has "$REC" "engine_name scanner-01"
file_has "$REC" "communication console-to-engine"
file_has "$REC" "engine_port 40999"
run 0 status --root "$R"
out_has "Engine name:  scanner-01"
out_has "Direction:    Console-to-Engine (the console connects to this engine)"
out_has "Listens on:   TCP 40999 (the console must reach this host on it)"
WANT=$OUT

# A record from before these lines: the same, from nse.xml.
sed -i '/^engine_name \|^communication \|^engine_port /d' "$REC"
file_lacks "$REC" "engine_name"
run 0 status --root "$R"
check "status of an older record says the same" test "$OUT" = "$WANT"

# Engine-to-Console with the name left to its default, the host name: the
# answers do not hold it (another host fills its own), the record does.
R=$(newroot)
engine_answers | grep -v '^engine_name' > "$WORK/e2c.txt"
run 0 --silent --answers "$WORK/e2c.txt" --root "$R"
NAME=$(hostname | cut -c1-52)
file_lacks "$R/opt/rapid7/nexpose/.install/answers" "engine_name"
file_has "$R/opt/rapid7/nexpose/.install/record" "engine_name $NAME"
run 10 status --root "$R"
out_has "Engine name:  $NAME
Direction:    Engine-to-Console (this engine connects to its consoles)
Listens on:   no port (the engine connects out)"
out_has "[not-paired]"

# The Security Console: its local Scan Engine has a name, and no direction
# of its own.
R=$(newroot)
console_answers
run 0 --silent --answers "$WORK/console.txt" --root "$R"
run 0 status --root "$R"
out_has "Engine name:  $NAME (the Security Console's local Scan Engine)"
out_lacks "Direction:"
out_lacks "Listens on:"

# A --root that is not there (or not a folder) is a mistake in the
# command, exit 2 naming it, not "not installed" (9); nothing on standard
# output, with --json neither.
for json in "" --json; do
	TESTS_RUN=$((TESTS_RUN + 1))
	"$ES_BIN" status $json --root "$WORK/no such root" > "$WORK/out" 2> "$WORK/err"
	RC=$?
	[ "$RC" -eq 2 ] || fail "status $json of a missing --root exited $RC, expected 2"
	check "nothing on standard output ($json)" test ! -s "$WORK/out"
	OUT=$(cat "$WORK/err")
	out_has "--root $WORK/no such root: no such folder"
done
touch "$WORK/a file"
run 2 status --root "$WORK/a file"
out_has "--root $WORK/a file: not a folder"

# Options that mean nothing to status (it changes nothing and takes no
# lock) are refused, not ignored, as the other commands refuse foreign
# options.
for opt in --check --silent --text --wait-lock --wait-lock=5 --overwrite \
    --restart --test --purge "--set engine_name=x" "--log $WORK/log"; do
	run 2 status $opt --root "$R"
	out_has "status takes --json, --root and --wait-ready[=SECONDS] only"
done
run 0 status --json --root "$R"
finish
