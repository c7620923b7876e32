#!/usr/bin/env bash
# Issue 10, §5: an address a user types is kept in one normal form and
# compared as an address: pairing with "[::1]" stores "::1" in
# consoles.xml, not the brackets; "0:0:0:0:0:0:0:1" is "::1"; "LocalHost" is
# "localhost"; `consoles enable|disable` finds a console by any of those
# forms. Against the test console on loopback (127.0.0.1 and ::1).
. "$(dirname "$0")/lib.sh"

: "${TEST_CONSOLE:?TEST_CONSOLE must name the test console binary}"
SECRET=ABCD-1234-EFGH-5678-IJKL-9012-MNOP-3456
if ! python3 -c 'import socket; s = socket.socket(socket.AF_INET6); s.bind(("::1", 0))' 2>/dev/null; then
	echo "skipped: no IPv6 loopback (::1) here"
	exit 77
fi

on_exit stop_consoles
printf '%s\n' "$SECRET" > "$WORK/secret"
chmod 600 "$WORK/secret"

# answers CONSOLE_ADDRESS PORT [PAIR_NOW]: an Engine-to-Console engine.
answers() {
	engine_answers | grep -v '^pair_now'
	printf 'pair_now = %s\nconsole_address = %s\nconsole_port = %s\n' \
	    "${3:-yes}" "$1" "$2"
	echo "shared_secret_file = $WORK/secret"
}
X=opt/rapid7/nexpose/nse/conf/consoles.xml

console v6 --listen ::1 --secret "$SECRET"
V6=$PORT
console v4 --secret "$SECRET"
V4=$PORT

# Install-time pairing with the address in brackets: the brackets are no
# part of it.
R=$(newroot)
answers "[::1]" "$V6" > "$WORK/a.txt"
run 0 --silent --answers "$WORK/a.txt" --root "$R"
out_has "Connection test with the console at [::1]:$V6:"
file_has "$R/$X" 'lastAddress="::1"'
file_lacks "$R/$X" '[::1]'
file_has "$R/opt/rapid7/nexpose/.install/answers" "console_address = ::1"
# Found by any form of the address.
for a in "::1" "[::1]" "0:0:0:0:0:0:0:1" "[0:0:0:0:0:0:0:1]"; do
	run 0 consoles disable "$a" --root "$R"
	out_has "Disabled console 1"
	file_has "$R/$X" 'enabled="0"'
	run 0 consoles enable "$a" --root "$R"
	out_has "Enabled console 1"
	file_has "$R/$X" 'enabled="1"'
done
run 2 consoles enable "::2" --root "$R"
out_has "no console in"

# The full IPv6 text, through an install4j response file: the same.
R=$(newroot)
cat > "$WORK/r.varfile" <<EOT
sys.component.engine\$Boolean=true
communicationDirectionChoice\$Integer=0
consoleAddress=0:0:0:0:0:0:0:1
consoleDetailPort=$V6
firstname=Ada
lastname=Lovelace
company=Example
EOT
ENGINE_SETUP_SHARED_SECRET=$SECRET run 0 -q -varfile "$WORK/r.varfile" -dir /opt/rapid7/nexpose --root "$R"
file_has "$R/$X" 'lastAddress="::1"'

# `pair` after the install: [V6]:PORT and a host name in capitals.
R=$(newroot)
answers "::1" "$V6" no > "$WORK/a.txt"
run 0 --silent --answers "$WORK/a.txt" --root "$R"
run 0 pair --console "[0:0:0:0:0:0:0:1]:$V6" --secret-file "$WORK/secret" --root "$R"
out_has "Paired with console"
out_has "at [::1]:$V6;"
file_has "$R/$X" 'lastAddress="::1"'
run 0 consoles disable "[::1]" --root "$R"
out_has "Disabled console 1"

R=$(newroot)
answers "::1" "$V4" no > "$WORK/a.txt"
run 0 --silent --answers "$WORK/a.txt" --root "$R"
run 0 pair --console "LocalHost:$V4" --secret-file "$WORK/secret" --root "$R"
file_has "$R/$X" 'lastAddress="localhost"'
run 0 consoles disable LOCALHOST --root "$R"
out_has "Disabled console 1 (Test Console, localhost)"
run 0 pair --console "127.0.0.1:$V4" --secret-file "$WORK/secret" --root "$R"
file_has "$R/$X" 'lastAddress="127.0.0.1"'
run 0 consoles disable 127.0.0.1 --root "$R"
out_has "Disabled console 1 (Test Console, 127.0.0.1)"

# A name given with --set is lower-cased too; the wizard and the prompts
# store what is typed through plan_replace(), which does the same
# (tests/unit/test_answers.c).
R=$(newroot)
answers "::1" "$V4" > "$WORK/a.txt"
run 0 --silent --answers "$WORK/a.txt" --set "console_address=LocalHost" --root "$R"
file_has "$R/$X" 'lastAddress="localhost"'
finish
