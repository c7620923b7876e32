#!/usr/bin/env bash
# Line mode (--text, install4j -c, no usable terminal): the wizard's pages
# as prompts through a pty to the end; secrets without echo; end of input
# and Ctrl-C cancel with nothing changed; --record then --silent replay.
. "$(dirname "$0")/lib.sh"

# The console component to the end, recording the answers.
R=$(newroot)
cat > "$WORK/console.steps" <<'EOT'
expect OK [o, Enter], Cancel [c]
send
expect Do you accept the licence agreement?
send y
expect Security Console with local Scan Engine [1]
expect Scan Engine only [2, Enter]
send 1
expect Where should it be installed?
send relative/path
expect Expected an absolute path
expect Where should it be installed?
send /.
expect not the root folder ('/', '//' and '/.' all name it)
expect Where should it be installed?
send /opt/rapid7//console/
expect System requirements
expect [Pass] Memory
send
expect First name:
send Grace
expect Last name:
send Hopper
expect Company:
send Navy 1
expect User name:
send nxadmin
expect Password (at least 8 characters):
send short
expect Too short: the password needs at least 8 characters. Type a longer one.
expect Password (at least 8 characters):
send typed-secret-pw
expect Confirm the password:
send typed-secret-px
expect The two passwords differ: type the password again, then the same once more.
expect Password (at least 8 characters):
send typed-secret-pw
expect Confirm the password:
send typed-secret-pw
expect Start the service after installation?
send n
expect Summary
expect Security Console with local Scan Engine
expect Install [i, Enter], Back [b], Cancel [c]
send b
expect Security Console with local Scan Engine [1, Enter]
send
expect [/opt/rapid7/console]
send
expect System requirements
send
expect First name:
expect [Grace]
send
expect [Hopper]
send
expect [Navy 1]
send
expect [nxadmin]
send
expect Password
send typed-secret-pw
expect Confirm
send typed-secret-pw
expect Start the service after installation?
send
expect Install [i, Enter]
send i
expect Installed Nexpose 7.3.1 in /opt/rapid7/console.
expect sign in as nxadmin
EOT
drive "$WORK/console.steps" 0 --text --root "$R" --record "$WORK/recorded.txt"
out_lacks "typed-secret-pw"
# A short password is refused as soon as it is typed: no confirmation is
# asked for it.
check "a short password is refused before its confirmation is asked" \
    grep -qF "Password (at least 8 characters): Too short: the password needs at least 8 characters." \
    <<<"$(printf '%s' "$OUT" | tr -s '\r\n' '  ')"
check "a confirmation is asked for each long enough password only (3, not 4)" \
    test "$(grep -c 'Confirm the password:' <<<"$OUT")" -eq 3
exists "$R/opt/rapid7/console/nsc/conf/userdb.xml"
file_has "$R/opt/rapid7/console/nse/conf/nse.xml" "NSEConfig"
check "the password is in no file" test -z "$(grep -rl typed-secret-pw "$R" "$WORK/recorded.txt")"
file_has "$WORK/recorded.txt" "component = console"
file_has "$WORK/recorded.txt" "install_dir = /opt/rapid7/console"
file_lacks "$WORK/recorded.txt" "install_dir = /opt/rapid7/console/"
file_has "$WORK/recorded.txt" "first_name = Grace"
file_has "$WORK/recorded.txt" "accept_license = yes"
file_lacks "$WORK/recorded.txt" "password"

# Replaying the record with --silent gives the same installation (the
# password comes from a file; keys and ids differ).
R2=$(newroot)
printf 'typed-secret-pw\n' > "$WORK/pw"
run 0 --silent --answers "$WORK/recorded.txt" --set console_admin_password_file="$WORK/pw" --root "$R2"
listing() {
	(cd "$1" && find . -mindepth 1 -printf '%p %y %m\n' | sort)
}
check "replay gives the same files and modes" test "$(listing "$R")" = "$(listing "$R2")"
for f in opt/rapid7/console/nse/nseserv opt/rapid7/console/nsc/conf/nsc.xml \
    etc/systemd/system/nexposeconsole.service; do
	check "replay: $f has the same content" cmp -s "$R/$f" "$R2/$f"
done
# The replay names its password file; the answers are otherwise the same.
check "replay: the same answers" test \
    "$(cat "$R/opt/rapid7/console/.install/answers")" = \
    "$(grep -v '^console_admin_password_file' "$R2/opt/rapid7/console/.install/answers")"

# An engine with Console-to-Engine through -c, install4j's flag.
R=$(newroot)
cat > "$WORK/engine.steps" <<'EOT'
expect OK [o, Enter]
send o
expect Do you accept
send y
expect Scan Engine only
send 2
expect Where should it be installed?
send
expect [Pass] Memory
send o
expect First name:
send Ada
expect Last name:
send Lovelace
expect Company:
send Example
expect Engine-to-Console [1, Enter]
send 2
expect Port the engine listens on:
send 70000
expect Expected a port from 1 to 65535
send 40999
expect Start the service
send n
expect Engine listens on TCP port:  40999
send
expect New Engine
expect engine-setup consoles enable
EOT
drive "$WORK/engine.steps" 0 -c --root "$R"
# The reason it was not started, and the command, however it wrapped.
OUT=$(tr '\r\n' '  ' <<<"$OUT" | tr -s ' ')
out_has "Service nexposeengine: installed, not started (start_service = no; start it with \`systemctl start nexposeengine\`)."
out_lacks "Pairing with the console"
out_has "[8/8] Recording the installation"
file_has "$R/opt/rapid7/nexpose/nse/conf/nse.xml" 'communication="console-to-engine"'
file_has "$R/opt/rapid7/nexpose/nse/conf/nse.xml" 'port="40999"'

# Engine-to-Console: pairing now is refused in this build, later works.
R=$(newroot)
cat > "$WORK/e2c.steps" <<'EOT'
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
send Lovelace
expect Company:
send Example
expect Engine-to-Console [1, Enter]
send
expect Pair with the console now?
expect Pair now (recommended) [1, Enter]
send 2
expect Start the service
send n
expect Pairing:
send i
expect engine-setup pair --console
EOT
drive "$WORK/e2c.steps" 0 --text --root "$R"
file_has "$R/opt/rapid7/nexpose/nse/conf/nse.xml" 'communication="engine-to-console"'

# End of input cancels: exit 5, nothing changed.
R=$(newroot)
cat > "$WORK/eof.steps" <<'EOT'
expect OK [o, Enter]
send
expect Do you accept
send y
expect Scan Engine only
eof
EOT
drive "$WORK/eof.steps" 5 --text --root "$R"
out_has "nothing was changed"
check "end of input changes nothing" test -z "$(ls -A "$R")"

# Ctrl-C at a prompt cancels too.
cat > "$WORK/intr.steps" <<'EOT'
expect OK [o, Enter]
send
expect Do you accept
intr
EOT
drive "$WORK/intr.steps" 5 --text --root "$R"
check "Ctrl-C changes nothing" test -z "$(ls -A "$R")"

# Declining the licence cancels.
printf 'o\nn\n' > "$WORK/decline"
TESTS_RUN=$((TESTS_RUN + 1))
OUT=$("$ES_BIN" --text --root "$R" < "$WORK/decline" 2>&1)
[ $? -eq 5 ] || fail "declining the licence must exit 5"
out_has "declined"

# No terminal at all (stdin not a tty): line mode without --text.
printf '' | { OUT=$("$ES_BIN" --root "$R" 2>&1); echo $? > "$WORK/rc"; }
check "no terminal falls back to line mode; empty input cancels" test "$(cat "$WORK/rc")" = 5
check "still nothing changed" test -z "$(ls -A "$R")"
finish
