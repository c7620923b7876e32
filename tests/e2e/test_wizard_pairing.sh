#!/usr/bin/env bash
# The wizard's Engine-to-Console pairing page, driven like a user through
# tmux at 80x24 against the test console on loopback (tests/console): a
# wrong secret fails the Test connection with its message, the right one
# passes and shows the console's key, a change asks for the test again,
# Enter after a passed test goes on, and the install pairs (consoles.xml,
# --record with console_fingerprint). The secret shows as one * per
# character and is never on the screen, in a file under the root, in the
# log or in the recorded answers. Pair later still goes on without a
# console; a secret from ENGINE_SETUP_SHARED_SECRET needs no typing. Each
# step of a test shows as it ends, and Esc or Ctrl-C stops a test at once.
. "$(dirname "$0")/lib.sh"

if ! command -v tmux >/dev/null; then
	echo "skipped: tmux is not installed"
	exit 0
fi
: "${TEST_CONSOLE:?TEST_CONSOLE must name the test console binary}"

SOCK="es-wizpair-$$"
TIMEOUT=${ES_WIZARD_TIMEOUT:-40}
SECRET=ABCD-1234-EFGH-5678-IJKL-9012-MNOP-3456
OTHER=ZZZZ-9876-EFGH-5678-IJKL-9012-MNOP-3456
# Either secret, however it is grouped.
SECRET_RE='(ABCD|ZZZZ).?(1234|9876).?EFGH.?5678.?IJKL.?9012.?MNOP.?3456'
CONSOLES=()
on_exit stop_consoles

SCREEN_LOG=$WORK/screens.txt
. "$(dirname "$0")/tmux_lib.sh"

# no_secret_in PATH...: neither secret in these files or folders.
no_secret_in() {
	TESTS_RUN=$((TESTS_RUN + 1))
	if grep -rlE "$SECRET_RE" "$@" 2>/dev/null | grep -q .; then
		fail "a secret is in: $(grep -rlE "$SECRET_RE" "$@")"
	fi
}

# focus_on NAME LABEL: Shift-Tab until the cursor is in the field on the
# row of LABEL (whatever the order of the focus stops).
focus_on() {
	local n=$1 label=$2 row i
	TESTS_RUN=$((TESTS_RUN + 1))
	row=$(screen "$n" | grep -n -F -- "$label" | head -1 | cut -d: -f1)
	for ((i = 0; i < 40; i++)); do
		[ "$(TM display-message -p -t "$n" '#{cursor_flag} #{cursor_y}')" = \
		    "1 $((row - 1))" ] && return 0
		((i % 4 == 0)) && keys "$n" BTab
		sleep 0.1
	done
	fail "[$n] the cursor never came to '$label':
$(screen "$n")"
}

# The pages before the pairing page, for an engine with the details
# given on the command line.
to_pairing() {
	local n=$1
	wait_for "$n" "Welcome to the setup of Nexpose 7.3.1"
	keys "$n" Enter
	wait_for "$n" "Do you accept the licence agreement?"
	keys "$n" a
	wait_for "$n" "Which components should be installed?"
	keys "$n" Down
	wait_for "$n" "> Scan Engine only"
	keys "$n" Enter
	wait_for "$n" "Install folder: /opt/rapid7/nexpose"
	keys "$n" F10
	wait_for "$n" "This computer meets"
	keys "$n" F10
	wait_for "$n" "First name: Ada"
	keys "$n" F10
	wait_for "$n" "How should the Scan Engine and the Security Console communicate?"
	shows "$n" "> Engine-to-Console"
	keys "$n" F10
	wait_for "$n" "Pair with the Security Console now?"
}

# console_fields NAME [SECRET]: from the menu, type the test console's
# address, $PORT and SECRET; the focus stays in the last field typed.
console_fields() {
	keys "$1" Tab
	typ "$1" "127.0.0.1"
	keys "$1" Tab C-u
	typ "$1" "$PORT"
	if [ $# -gt 1 ]; then
		keys "$1" Tab
		typ "$1" "$2"
	fi
}

DETAILS=(--set first_name=Ada --set last_name=Lovelace --set company=Example)
console ok --secret "$SECRET"

# (a) Pair now: a wrong secret, the right one, a change, the install.
R=$(newroot)
wiz a 80x24 "" --root "$R" --record "$WORK/a.answers" --log "$WORK/a.log" \
    "${DETAILS[@]}"
to_pairing a
shows a "> Pair now (recommended)"
shows a "Pair later (engine-setup pair)"
shows a "Console address:"
shows a "Port: 40815"
shows a "< Test connection >"
# Next before any test: the address is required.
keys a F10
wait_for a "Required: a host name, IPv4 or IPv6 address."
typ a "127.0.0.1"
keys a Tab C-u
typ a "$PORT"
keys a Tab
typ a "ABCD-1234"
keys a F10
wait_for a "Expected 32 letters and digits, like ABCD-1234-..."
keys a C-u
typ a "$OTHER"
lacks a "IJKL"
# Next with every field filled in but no test yet.
keys a F10
wait_for a "Test the connection first"
keys a Enter
wait_for a "Failed."
shows a "[FAIL]"
shows a "[ OK ] Resolve"
shows a "[ OK ] TCP connect"
shows a "does not know this shared secret"
shows a "Copy it again from this console"
lacks a "IJKL"
keys a F10
wait_for a "Test the connection first"
# The right secret: from the button back to the secret field.
keys a BTab C-u
typ a "$SECRET"
keys a Enter
wait_for a "< Test connection >"
keys a Enter
wait_for a "Passed."
shows a "[ OK ] TLS handshake"
shows a "[ OK ] Engine proof"
shows a "[ OK ] Console proof"
shows a "[ OK ] Version"
lacks a "[FAIL]"
shows a "Console Test Console (console-test-1), version 7.3.1"
shows a "compare it with the fingerprint the console shows"
shows a "$SPKI"
lacks a "IJKL"
# A change to the port asks for the test again; Back and forth keeps a
# test that still holds.
focus_on a "Port:"
typ a "1"
wait_for a "Changed since the test passed: test again."
lacks a "$SPKI"
keys a BSpace
keys a F10
wait_for a "Test the connection first"
keys a Enter
wait_for a "Passed."
shows a "$SPKI"
# A passed test puts the focus on Next: Enter goes on, not to a new test.
keys a Enter
wait_for a "Check every choice before installing"
shows a "Pair with console: 127.0.0.1"
shows a "Console port: $PORT"
lacks a "IJKL"
keys a F2
wait_for a "Pair with the Security Console now?"
shows a "Passed."
shows a "$SPKI"
keys a F10
wait_for a "Check every choice before installing"
keys a Enter
wait_for a "Nexpose 7.3.1 is installed: Scan Engine."
wait_for a "Paired with the console Test Console"
shows a "$SPKI"
keys a Enter
exited a 0
X=$R/opt/rapid7/nexpose/nse/conf/consoles.xml
file_has "$X" 'connectTo="1"'
file_has "$X" 'enabled="1"'
file_has "$X" 'lastAddress="127.0.0.1"'
file_has "$X" "port=\"$PORT\""
file_has "$X" "spki=\"$SPKI\""
file_has "$WORK/a.answers" "pair_now = yes"
file_has "$WORK/a.answers" "console_address = 127.0.0.1"
file_has "$WORK/a.answers" "console_port = $PORT"
file_has "$WORK/a.answers" "console_fingerprint = $SPKI"
file_lacks "$WORK/a.answers" "shared_secret"
no_secret_in "$R" "$WORK/a.answers" "$WORK/a.log"
check "the console registered the engine" grep -q . "$WORK/ok.registry"
TM kill-session -t a

# (b) Pair later goes on without a console; nothing is paired.
R=$(newroot)
wiz b 80x24 "" --root "$R" --record "$WORK/b.answers" "${DETAILS[@]}"
to_pairing b
keys b Down
wait_for b "> Pair later (engine-setup pair)"
shows b "engine-setup pair --console <console address>"
lacks b "Console address:"
keys b F10
wait_for b "Pairing: later, with 'engine-setup pair'"
keys b Enter
wait_for b "Nexpose 7.3.1 is installed: Scan Engine."
shows b "engine-setup pair"
lacks b "Paired with the console"
keys b Enter
exited b 0
file_has "$WORK/b.answers" "pair_now = no"
file_lacks "$WORK/b.answers" "console_fingerprint"
check "pair later: no console is paired" \
    test -z "$(grep -rl 'connectTo="1"' "$R" 2>/dev/null)"
TM kill-session -t b

# (c) The secret from ENGINE_SETUP_SHARED_SECRET: no field to type it in;
# the test passes with it. Then cancel: nothing is installed.
R=$(newroot)
wiz c 80x24 "ENGINE_SETUP_SHARED_SECRET=$SECRET" --root "$R" "${DETAILS[@]}"
to_pairing c
shows c "Shared secret: from ENGINE_SETUP_SHARED_SECRET"
console_fields c
keys c Enter
wait_for c "< Test connection >"
keys c Enter
wait_for c "Passed."
shows c "$SPKI"
# A resize, and a terminal too small for a moment, keep the result.
TM resize-window -t c -x 100 -y 30
wait_width c 100
shows c "Passed."
shows c "$SPKI"
TM resize-window -t c -x 70 -y 20
wait_for c "terminal too small: 80x24 needed, have 70x20"
TM resize-window -t c -x 80 -y 24
wait_width c 80
shows c "Console address: 127.0.0.1"
shows c "Port: $PORT"
shows c "Passed."
shows c "$SPKI"
keys c Escape
wait_for c "Cancel the setup?"
keys c y
exited c 5
check "cancelled: the root is empty" test -z "$(ls -A "$R")"
TM kill-session -t c

# (d) A console that never answers: "Testing" shows while the test waits,
# then the failure within the timeout (ENGINE_SETUP_TIMEOUT, seconds).
console mute --secret "$SECRET" --fail never_answer
R=$(newroot)
wiz d 80x24 "ENGINE_SETUP_TIMEOUT=4" --root "$R" "${DETAILS[@]}"
to_pairing d
console_fields d "$SECRET"
keys d Enter
wait_for d "< Test connection >"
keys d Enter
wait_for d "Testing the connection to 127.0.0.1 port $PORT"
wait_for d "Failed."
shows d "[FAIL] TLS handshake"
shows d "did not answer the TLS handshake within 4 s"
# The message is longer than the rows under the steps: PgDn shows the
# rest.
shows d "(PgDn/PgUp: more)"
keys d NPage
wait_for d "console -> engine TCP 40814"
keys d PPage
wait_for d "did not answer the TLS handshake within 4 s"
lacks d "IJKL"
keys d F10
wait_for d "Test the connection first"
keys d C-c
wait_for d "Cancel the setup?"
keys d y
exited d 5
check "cancelled: the root is empty" test -z "$(ls -A "$R")"
TM kill-session -t d

# (e) A console that takes the TCP connection and never answers the TLS
# handshake, with a long connect timeout: the steps that passed show while
# the handshake waits; Esc stops the test within 2 s, Ctrl-C too, neither
# asks to cancel the setup, and the page goes on working. The secret typed
# shows as 32 '*', and none of it.
console hang --secret "$SECRET" --fail never_answer
R=$(newroot)
wiz e 80x24 "ENGINE_SETUP_CONNECT_TIMEOUT=120" --root "$R" "${DETAILS[@]}"
to_pairing e
console_fields e "ABCD1234EFGH5678IJKL9012MNOP3456"
wait_for e "Shared secret: $(printf '*%.0s' $(seq 32)) Shown as *"
check "32 '*' for the 32 characters of the secret" test \
    "$(screen e | grep -F 'Shared secret:' | tr -cd '*' | wc -c)" -eq 32
for part in ABCD1 EFGH IJKL MNOP; do
	lacks e "$part"
done
keys e Enter
wait_for e "< Test connection >"
keys e Enter
wait_for e "[ OK ] TCP connect 127.0.0.1:$PORT"
shows e "[ OK ] Resolve 127.0.0.1"
shows e "[ .. ] TLS handshake"
shows e "Testing the connection to 127.0.0.1 port $PORT"
shows e "Esc or Ctrl-C stops the test."
sleep 1
shows e "[ .. ] TLS handshake"
lacks e "Failed."
T0=$(date +%s%N)
keys e Escape
wait_for e "Connection test stopped."
T1=$(date +%s%N)
check "Esc stopped the test within 2 s ($(((T1 - T0) / 1000000)) ms)" \
    test $(((T1 - T0) / 1000000)) -lt 2000
shows e "[ -- ] TLS handshake stopped"
shows e "Stopped before the test ended; nothing was stored."
lacks e "[FAIL]"
lacks e "Cancel the setup?"
lacks e "Esc or Ctrl-C stops the test."
# Again, stopped with Ctrl-C.
keys e Enter
wait_for e "Esc or Ctrl-C stops the test."
wait_for e "[ .. ] TLS handshake"
T0=$(date +%s%N)
keys e C-c
wait_for e "Connection test stopped."
T1=$(date +%s%N)
check "Ctrl-C stopped the test within 2 s ($(((T1 - T0) / 1000000)) ms)" \
    test $(((T1 - T0) / 1000000)) -lt 2000
lacks e "Cancel the setup?"
# The page works as before: Next asks for a passed test, the fields take
# keys, Esc asks to cancel.
keys e F10
wait_for e "Test the connection first"
focus_on e "Port:"
typ e "9"
wait_for e "Port: ${PORT}9"
keys e Escape
wait_for e "Cancel the setup?"
keys e y
exited e 5
check "stopped and cancelled: the root is empty" test -z "$(ls -A "$R")"
TM kill-session -t e

TM kill-server 2>/dev/null
no_secret_in "$WORK/screens.txt"
stop_consoles
finish
