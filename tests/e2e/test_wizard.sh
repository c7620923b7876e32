#!/usr/bin/env bash
# The full-screen wizard, driven like a user through tmux at 80x24
# (send-keys, capture-pane): an engine with Console-to-Engine to the end,
# with Back from the summary and forward again; the console with its
# administrator; Stop during the progress page; a resize in the middle of
# a page; a terminal that is too small; Decline; cancel by signals; the
# keys the help line offers under TERM=vt100 and screen; Tab to Next;
# UTF-8 typed under LC_ALL=C.
# Every run installs into a --root temp folder.
. "$(dirname "$0")/lib.sh"

if ! command -v tmux >/dev/null; then
	echo "skipped: tmux is not installed"
	exit 0
fi

SOCK="es-wizard-$$"
TIMEOUT=${ES_WIZARD_TIMEOUT:-20}

. "$(dirname "$0")/tmux_lib.sh"

# colours NAME yes|no: whether the screen shows colours (capture-pane -e).
colours() {
	TESTS_RUN=$((TESTS_RUN + 1))
	if screen_e "$1" | grep -qE $'\e\\[[0-9;]*[34][0-7]m'; then
		[ "$2" = yes ] && return 0
	else
		[ "$2" = no ] && return 0
	fi
	fail "[$1] colours on the screen: expected $2"
	return 1
}

# The first pages, as far as the user details, for the component picked
# with KEY on the components page (Up: console, Down: engine).
to_details() {
	local n=$1 key=$2
	wait_for "$n" "Welcome to the setup of Nexpose 7.3.1"
	keys "$n" Enter
	wait_for "$n" "Do you accept the licence agreement?"
	keys "$n" a
	wait_for "$n" "Which components should be installed?"
	keys "$n" "$key"
	if [ "$key" = Down ]; then
		wait_for "$n" "> Scan Engine only"
		wait_for "$n" "REMINDER: Do not install a distributed Scan Engine on a host that already has a Security Console: every console includes a local Scan Engine."
	else
		wait_for "$n" "> Security Console with local Scan Engine"
		shows "$n" "The Security Console, its web interface and a local Scan Engine."
	fi
	keys "$n" Enter
	wait_for "$n" "Install folder: /opt/rapid7/nexpose"
	keys "$n" F10
	wait_for "$n" "System requirements for the"
	wait_for "$n" "This computer meets"
	keys "$n" F10
	wait_for "$n" "First name:"
}

# type_details NAME: Ada Lovelace of Example Corp in the fields of the
# user details page, the focus left in the last.
type_details() {
	typ "$1" "Ada"
	keys "$1" Tab
	typ "$1" "Lovelace"
	keys "$1" Tab
	typ "$1" "Example Corp"
}

# (a) Scan Engine, Console-to-Engine on port 40999, to the end; on the way
# (c) Back from the summary to the components page and forward again.
R=$(newroot)
wiz a 80x24 "" --root "$R" --record "$WORK/a.answers"
wait_for a "Welcome to the setup"
colours a yes
to_details a Down
type_details a
keys a Enter
wait_for a "How should the Scan Engine and the Security Console communicate?"
keys a Down
wait_for a "Listening port: 40814"
keys a Tab C-u
typ a "99999"
keys a F10
wait_for a "Expected a port from 1 to 65535"
keys a C-u
typ a "40999"
keys a F10
wait_for a "Check every choice before installing"
shows a "Console-to-Engine (console connects to this engine)"
shows a "Engine listens on TCP port: 40999"
shows a "First name: Ada"
# Back with F2 and Alt-B, through every page, to the components.
keys a F2
wait_for a "Listening port: 40999"
keys a M-b
wait_for a "First name: Ada Last name: Lovelace"
keys a F2
wait_for a "System requirements for the"
keys a F2
wait_for a "Install folder:"
keys a F2
wait_for a "Which components should be installed?"
shows a "> Scan Engine only"
# Forward again with F10 and Alt-N: every entry is still there. The folder
# is checked as --check checks it, and kept in its normal form.
keys a F10
wait_for a "Install folder: /opt/rapid7/nexpose"
keys a C-u
typ a "/."
keys a M-n
wait_for a "not the root folder"
keys a C-u
typ a "/opt/rapid7//nexpose/"
keys a M-n
wait_for a "This computer meets"
keys a F10
wait_for a "First name: Ada Last name: Lovelace Company: Example Corp"
keys a F10
wait_for a "> Console-to-Engine"
shows a "Listening port: 40999"
keys a F10
wait_for a "Engine listens on TCP port: 40999"
# The toggle, twice: back to yes.
keys a s
wait_for a "Start the service: no"
keys a s
wait_for a "Start the service: yes"
keys a Enter
wait_for a "Nexpose 7.3.1 is installed: Scan Engine."
# Not started under --root, and the page says why and what to type.
shows a "Service nexposeengine: installed, not started (no running service manager for this root: it was installed under --root; on the target, start it with \`systemctl start nexposeengine\`)."
wait_for a "New Engine"
shows a "Port: 40999"
# The rest of the next steps, a page further down.
keys a NPage
wait_for a "engine-setup consoles enable CONSOLE_ADDRESS --restart --root $R"
shows a "The console must reach this host on TCP 40999."
keys a Enter
exited a 0
D=$R/opt/rapid7/nexpose
exists "$D/nse/nseserv"
file_has "$D/nse/conf/nse.xml" 'communication="console-to-engine"'
file_has "$D/nse/conf/nse.xml" 'port="40999"'
exists "$R/etc/systemd/system/nexposeengine.service"
check "certificate subject from the wizard" bash -c \
    "openssl x509 -noout -subject -in '$D/nse/conf/nse.crt' | grep -q 'Ada Lovelace'"
file_has "$WORK/a.answers" "communication = console-to-engine"
file_has "$WORK/a.answers" "engine_port = 40999"
file_has "$WORK/a.answers" "accept_license = yes"
file_has "$WORK/a.answers" "company = Example Corp"
file_has "$WORK/a.answers" "install_dir = /opt/rapid7/nexpose"
file_lacks "$WORK/a.answers" "install_dir = /opt/rapid7//nexpose/"
file_lacks "$WORK/a.answers" "install_dir = /opt/rapid7/nexpose/"
run 0 status --root "$R"
out_has "engine (Scan Engine only)"
TM kill-session -t a

# (b) The Security Console with its administrator; the password is never
# drawn and lands in no file.
R=$(newroot)
PW="correct horse battery"
wiz b 80x24 "" --root "$R" --record "$WORK/b.answers" --log "$WORK/b.log"
to_details b Up
typ b "Grace"
keys b Tab
typ b "Hopper"
keys b Tab
typ b "Navy"
keys b Enter
wait_for b "The administrator of the Security Console"
typ b "nxadmin"
keys b Tab
typ b "short"
keys b Tab
wait_for b "Too short: the password needs at least 8 characters."
keys b BTab C-u
typ b "$PW"
keys b Tab
typ b "correct horse battery!"
keys b F10
wait_for b "The two passwords differ"
lacks b "correct horse"
keys b C-u
typ b "$PW"
lacks b "correct horse"
# A full redraw (the Cancel question and No) draws no secret either.
keys b Escape
wait_for b "Cancel the setup?"
keys b n
wait_for b "The two passwords differ"
lacks b "Cancel the setup?"
lacks b "correct horse"
keys b F10
wait_for b "Console administrator: nxadmin"
lacks b "correct horse"
keys b Enter
# This host's own addresses, not a placeholder (test_next_steps.sh checks
# them where they are known).
wait_for b "open the Security Console in a web browser"
shows b "sign in as nxadmin"
lacks b "<this host>"
keys b q
exited b 0
D=$R/opt/rapid7/nexpose
exists "$D/nsc/nscsvc"
file_has "$D/nsc/conf/userdb.xml" 'name="nxadmin"'
file_has "$D/nsc/conf/userdb.xml" 'pbkdf2-sha256$'
check "the password is in no file under the root" \
    test -z "$(grep -rl "$PW" "$R")"
file_lacks "$WORK/b.answers" "$PW"
file_lacks "$WORK/b.answers" "password"
file_has "$WORK/b.answers" "component = console"
file_has "$WORK/b.answers" "console_admin_user = nxadmin"
file_lacks "$WORK/b.log" "$PW"
TM kill-session -t b

# (d) Stop during the progress page: Ctrl-C typed with Install is read by
# the progress callback, which asks; yes undoes everything (exit 5).
R=$(newroot)
wiz d 80x24 "" --root "$R"
to_details d Down
type_details d
keys d F10
wait_for d "How should the Scan Engine"
keys d F10
wait_for d "Pair with the Security Console now?"
shows d "> Pair now (recommended)"
keys d F10
wait_for d "Required: a host name, IPv4 or IPv6 address."
keys d Up Down
wait_for d "> Pair later (engine-setup pair)"
keys d F10
wait_for d "Pairing: later, with 'engine-setup pair'"
keys d Enter C-c
wait_for d "Stop the installation? Everything it changed so far will be undone."
shows d "Installing Nexpose 7.3.1 (Scan Engine)"
keys d y
exited d 5
check "a stopped installation leaves nothing" test -z "$(ls -A "$R")"
TM kill-session -t d

# (e) A resize in the middle of a page keeps what was typed.
R=$(newroot)
wiz e 80x24 "" --root "$R"
to_details e Down
typ e "Grace"
TM resize-window -t e -x 100 -y 30
wait_width e 100
shows e "First name: Grace"
typ e "ful"
wait_for e "First name: Graceful"
TM resize-window -t e -x 80 -y 24
wait_width e 80
shows e "First name: Graceful"
# Too small for a moment, on a page with fields.
TM resize-window -t e -x 70 -y 20
wait_for e "terminal too small: 80x24 needed, have 70x20"
TM resize-window -t e -x 80 -y 24
wait_width e 80
shows e "First name: Graceful"
keys e Tab
typ e "Hopper"
keys e BTab
typ e "X"
wait_for e "First name: GracefulX Last name: Hopper"
keys e Escape
wait_for e "Cancel the setup? Nothing on this computer has been changed."
keys e Escape
wait_for e "First name: GracefulX"
keys e C-c
wait_for e "Cancel the setup?"
keys e C-c
exited e 5
check "cancelled before installing: the root is empty" test -z "$(ls -A "$R")"
TM kill-session -t e

# (f) A terminal that is too small waits until it is large enough.
R=$(newroot)
wiz f 60x20 "" --root "$R"
wait_for f "terminal too small: 80x24 needed, have 60x20"
TM resize-window -t f -x 80 -y 24
wait_for f "Welcome to the setup of Nexpose 7.3.1"
keys f Escape
wait_for f "Cancel the setup?"
keys f y
exited f 5
check "cancelled at the welcome page: the root is empty" test -z "$(ls -A "$R")"
TM kill-session -t f

# (g) Decline on the licence asks first, like every other way out (No
# keeps the page); then exit 5, nothing changed; without colour.
R=$(newroot)
wiz g 80x24 "NO_COLOR=1" --root "$R"
wait_for g "Welcome to the setup"
keys g Enter
wait_for g "Do you accept the licence agreement?"
colours g no
keys g d
wait_for g "Decline the licence agreement and leave the setup?"
keys g n
wait_for g "Do you accept the licence agreement?"
lacks g "Decline the licence agreement and leave"
keys g d
wait_for g "Decline the licence agreement and leave the setup?"
keys g y
exited g 5
wait_for g "The licence agreement was declined: nothing was changed."
check "declined: the root is empty" test -z "$(ls -A "$R")"
TM kill-session -t g

# (i) An installation that fails: the finish page says why and that it
# was undone; the exit code is the installation's (6).
R=$(newroot)
wiz i 80x24 "ES_TEST_FAULT=Writing configuration:fail" --root "$R" \
    --set first_name=Ada --set last_name=Lovelace --set company=Example
to_details i Down
keys i F10
wait_for i "How should the Scan Engine"
keys i F10
wait_for i "Pair with the Security Console now?"
keys i Down
wait_for i "> Pair later (engine-setup pair)"
keys i F10
wait_for i "Check every choice before installing"
keys i i
wait_for i "The installation failed."
shows i "injected failure at step 'Writing configuration'"
shows i "Everything this run changed was undone"
keys i Enter
exited i 6
check "a failed installation leaves nothing" test -z "$(ls -A "$R")"
TM kill-session -t i

# (j) A [Fail] requirement keeps Next from going on; the check runs again
# each time the page is entered. Here: a Security Console on this host;
# then the console component instead, whose service definition that same
# unit file, not engine-setup's, would be (issue 9); then, the file moved
# away, everything passes.
R=$(newroot)
mkdir -p "$R/etc/systemd/system"
echo "[Unit]" > "$R/etc/systemd/system/nexposeconsole.service"
wiz j 80x24 "" --root "$R"
wait_for j "Welcome to the setup"
keys j Enter
wait_for j "Do you accept the licence agreement?"
keys j a
wait_for j "Which components should be installed?"
keys j F10
wait_for j "Install folder:"
keys j F10
wait_for j "[Fail] Security Console on this host"
shows j "Cannot go on:"
keys j F10
wait_for j "Next is not available"
shows j "System requirements for the Scan Engine"
keys j F2
wait_for j "Install folder:"
keys j F2
wait_for j "Which components should be installed?"
keys j Up
keys j F10
wait_for j "Install folder:"
keys j F10
wait_for j "System requirements for the Security Console with local Scan Engine"
wait_for j "[Fail] Service definition"
shows j "Cannot go on:"
keys j F2
wait_for j "Install folder:"
mv "$R/etc/systemd/system/nexposeconsole.service" "$WORK/moved-away.service"
keys j F10
wait_for j "System requirements for the Security Console with local Scan Engine"
wait_for j "This computer meets"
lacks j "Cannot go on"
keys j C-c
wait_for j "Cancel the setup?"
keys j y
exited j 5
check "cancelled: only what the test put there is left" \
    test "$(cd "$R" && find . | sort | tr '\n' ' ')" = ". ./etc ./etc/systemd ./etc/systemd/system "
TM kill-session -t j

# (h) SIGTERM from outside asks first; a second one cancels at once.
R=$(newroot)
wiz h 80x24 "" --root "$R"
wait_for h "Welcome to the setup"
keys h Enter
wait_for h "Do you accept the licence agreement?"
kill -TERM "$(cat "$WORK/h.pid")"
wait_for h "Cancel the setup?"
kill -TERM "$(cat "$WORK/h.pid")"
exited h 5
check "cancelled by signals: the root is empty" test -z "$(ls -A "$R")"
check "the terminal is restored (no alternate screen left)" \
    test "$(TM display -p -t h '#{alternate_on}')" = 0

# (k) The help line offers F2 and F10 only where the terminal's
# description names them. vt100 names F2 (ESC O Q, which tmux sends) but
# its F10 is a key of the numeric keypad (ESC O x): the F10 tmux sends
# (ESC [ 2 1 ~) is not Next there, opens no Cancel question, and says
# what works; Alt-N and Alt-B go on and back. screen names both.
R=$(newroot)
WIZ_TERM=vt100 wiz k 80x24 "" --root "$R"
wait_for k "Welcome to the setup"
wait_for k "Tab: next field Enter: select Alt-N: Next Esc: Cancel"
lacks k "F10"
keys k Enter
wait_for k "Do you accept the licence agreement?"
shows k "F2/Alt-B: Back Alt-N: Next Esc: Cancel"
lacks k "F10"
keys k a
wait_for k "Which components should be installed?"
keys k F10
wait_for k "That key is not in this terminal's description (TERM=vt100): nothing was done. Alt-N is Next, Alt-B is Back."
lacks k "Cancel the setup?"
shows k "Which components should be installed?"
keys k M-n
wait_for k "Install folder:"
keys k M-b
wait_for k "Which components should be installed?"
keys k M-n
wait_for k "Install folder:"
keys k F2
wait_for k "Which components should be installed?"
keys k M-c
wait_for k "Cancel the setup?"
keys k y
exited k 5
TM kill-session -t k
R=$(newroot)
WIZ_TERM=screen wiz k2 80x24 "" --root "$R"
wait_for k2 "Welcome to the setup"
wait_for k2 "Tab: next field Enter: select F10/Alt-N: Next Esc: Cancel"
keys k2 F10
wait_for k2 "Do you accept the licence agreement?"
shows k2 "F2/Alt-B: Back F10/Alt-N: Next Esc: Cancel"
keys k2 a
wait_for k2 "Which components should be installed?"
keys k2 M-b
wait_for k2 "You accepted the licence agreement."
keys k2 M-n
wait_for k2 "Which components should be installed?"
keys k2 F10
wait_for k2 "Install folder:"
keys k2 F10
wait_for k2 "This computer meets"
shows k2 "F2/Alt-B: Back F10/Alt-N: Next"
keys k2 F2
wait_for k2 "Install folder:"
keys k2 Escape
wait_for k2 "Cancel the setup?"
keys k2 y
exited k2 5
TM kill-session -t k2

# (l) Tab from the last field goes to the default action, Next: Tab and
# Enter go on (not back); Tab again is Back, then Cancel.
R=$(newroot)
wiz l 80x24 "" --root "$R"
to_details l Down
type_details l
keys l Tab Enter
wait_for l "How should the Scan Engine and the Security Console communicate?"
keys l Tab Enter
wait_for l "Pair with the Security Console now?"
keys l F2
wait_for l "How should the Scan Engine and the Security Console communicate?"
keys l Tab Tab Enter
wait_for l "First name: Ada"
keys l Tab Tab Tab Tab Tab Enter
wait_for l "Cancel the setup?"
keys l y
exited l 5
TM kill-session -t l

# (m) With LC_ALL=C the wizard reads UTF-8 all the same (it switches its
# LC_CTYPE to a UTF-8 locale and says so in the log): Müller typed is
# Müller on the summary, in the recorded answers and in the certificate.
R=$(newroot)
WIZ_LC_ALL=C wiz m 80x24 "" --root "$R" --record "$WORK/m.answers" \
    --log "$WORK/m.log" --set last_name=Smith-Jones --set company=Example
to_details m Down
typ m "Müller"
wait_for m "First name: Müller"
keys m F10
wait_for m "How should the Scan Engine"
keys m F10
wait_for m "Pair with the Security Console now?"
keys m Down
wait_for m "> Pair later (engine-setup pair)"
keys m F10
wait_for m "First name: Müller"
keys m Enter
wait_for m "Nexpose 7.3.1 is installed: Scan Engine."
keys m Enter
exited m 0
file_has "$WORK/m.answers" "first_name = Müller"
file_has "$WORK/m.log" "reads no UTF-8; the wizard uses"
check "Müller in the certificate's subject" bash -c \
    "openssl x509 -noout -subject -nameopt utf8 -in '$R/opt/rapid7/nexpose/nse/conf/nse.crt' | grep -q 'Müller Smith-Jones'"
TM kill-session -t m

# (n) Where no UTF-8 locale exists (ES_TEST_NO_UTF8_LOCALE), a character
# that is not ASCII is refused where it is typed, by name; the rest of
# what was typed stays.
R=$(newroot)
WIZ_LC_ALL=C wiz n 80x24 "ES_TEST_NO_UTF8_LOCALE=1" --root "$R"
to_details n Down
typ n "Müller"
wait_for n "The character U+00FC was not taken: the locale (LC_CTYPE=C) reads ASCII only"
shows n "First name: Mller"
keys n C-c
wait_for n "Cancel the setup?"
keys n y
exited n 5
TM kill-session -t n

TM kill-server 2>/dev/null
finish
