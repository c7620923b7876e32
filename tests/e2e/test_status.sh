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

# A console whose id starts with '-' (consoles.xml is the engine's file:
# any id may be there): the command status prints to enable it works as
# printed, "--" ending the options before the id.
R=$(newroot)
run 0 --silent --answers "$WORK/c2e.txt" --set start_service=no --root "$R"
X=$R/opt/rapid7/nexpose/nse/conf/consoles.xml
sed -i 's|</Consoles>|<console id="-5" enabled="0" connectTo="0" name="Dash" lastAddress="10.0.0.9" port="40815"/>\n</Consoles>|' "$X"
run 10 status --root "$R"
out_has "run \`engine-setup consoles enable --root $R -- -5\`."
cmd=$(sed -n 's/.*run `\(engine-setup consoles enable [^`]*\)`\..*/\1/p' <<<"$OUT")
TESTS_RUN=$((TESTS_RUN + 1))
OUT=$(bash -c "engine-setup() { \"$ES_BIN\" \"\$@\"; }; $cmd" 2>&1) ||
    fail "the printed command failed: $cmd: $OUT"
out_has "Enabled console -5 (Dash, 10.0.0.9)."
# Its advice to restart: under --root no service manager runs the service,
# so not `--restart --root R` (which only says "Not restarted").
out_has "Restart the Scan Engine where it runs so the change takes effect (restart the nexposeengine service there; under --root engine-setup cannot), then Refresh the engine in the console."
out_lacks "--restart"
run 0 status --root "$R"
file_has "$X" '<console id="-5" enabled="1"'
# "--" ends the options: what follows is never one.
run 2 consoles list --root "$R" -- --json
run 2 status -- --root "$R"

# What comes from consoles.xml is shown, not obeyed: a name with a newline
# cannot make a line that looks like a Problem line (neither on the
# console's line nor in the problem that quotes it), and bidirectional
# overrides are shown escaped. The JSON keeps the raw values (JSON
# escapes control characters itself; a machine reads them).
sed -i 's|</Consoles>|<console id="7" enabled="0" connectTo="0" name="Evil\&#10;Problem:      fake [not-paired]" lastAddress="10.0.0.1\&#x202E;gpj.exe" port="40815"/>\n</Consoles>|' "$X"
run 10 status --root "$R"
TESTS_RUN=$((TESTS_RUN + 1))
if grep -q '^Problem:      fake' <<<"$OUT"; then
	fail "a console's name made a Problem line of its own: $OUT"
fi
out_has 'Evil\nProblem:      fake [not-paired]'
out_has '10.0.0.1\u202egpj.exe'
check "no bidirectional override reaches the terminal" \
    bash -c "! grep -q \$'\\xe2\\x80\\xae' <<<\"\$1\"" _ "$OUT"
check "one Problem line, for console 7" test "$(grep -c '^Problem:' <<<"$OUT")" -eq 1
if command -v python3 >/dev/null; then
	"$ES_BIN" status --json --root "$R" > "$WORK/sj.json"
	check "the JSON keeps the raw name and address" python3 -c '
import json, sys
o = json.load(open(sys.argv[1], encoding="utf-8"))
c = [c for c in o["consoles"] if c["id"] == "7"][0]
assert c["name"] == "Evil\nProblem:      fake [not-paired]", c
assert c["address"] == "10.0.0.1\u202egpj.exe", c
m = [p["message"] for p in o["problems"]][0]
assert "\n" not in m and "\u202e" not in m, m
' "$WORK/sj.json"
fi
sed -i '/id="7"/d' "$X"

# A run cut short before its journal's header reached the disk: which
# command it was cannot be told, so it is a "run", not an "install".
J=$(newroot)
mkdir -p "$J/var/lib/engine-setup"
: > "$J/var/lib/engine-setup/journal"
run 10 status --root "$J"
out_has "an engine-setup run was cut short; the next install, uninstall, pair, consoles or identity command"
out_lacks "engine-setup install was cut short"
out_has "[interrupted-run]"

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
    --restart --test "--set engine_name=x" "--log $WORK/log"; do
	run 2 status $opt --root "$R"
	out_has "status takes --json, --root and --wait-ready[=SECONDS] only"
done
run 2 status --purge --root "$R"
out_has "--purge belongs to uninstall"
run 0 status --json --root "$R"
finish
