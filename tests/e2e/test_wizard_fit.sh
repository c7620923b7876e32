#!/usr/bin/env bash
# Issue 10, §1 and §3: at 80x24 the wizard shows every text its pages are
# given in full, on every page, for a Scan Engine (Engine-to-Console with
# the connection test, and Console-to-Engine) and a Security Console, going
# forward and back: each screen is checked against the texts the drawing
# code was given (ES_TEST_UI_TRACE, tools/screen_fit.py), wrapped lines
# joined, and no row of a box may end in a word cut by its edge. On the
# way the step counter is read on every page: "Step N of M" rises by one a
# page going forward, falls by one going back, and M stays the same for
# one choice of component and direction.
. "$(dirname "$0")/lib.sh"

if ! command -v tmux >/dev/null; then
	echo "skipped: tmux is not installed"
	exit 0
fi
: "${TEST_CONSOLE:?TEST_CONSOLE must name the test console binary}"

SOCK="es-wizfit-$$"
TIMEOUT=${ES_WIZARD_TIMEOUT:-40}
SECRET=ABCD-1234-EFGH-5678-IJKL-9012-MNOP-3456
OTHER=ZZZZ-9876-EFGH-5678-IJKL-9012-MNOP-3456
CONSOLE_PID=
on_exit '[ -z "$CONSOLE_PID" ] || kill "$CONSOLE_PID" 2>/dev/null'

WIZ_TRACE=1
. "$(dirname "$0")/tmux_lib.sh"

# page NAME TEXT: the page showing TEXT comes; every text on it fits; its
# step counter is kept in NAME.steps.
page() {
	wait_for "$1" "$2" || return 1
	fits "$1"
	counter "$1" >> "$WORK/$1.steps"
}

# steps_went NAME up|down M: the counters kept since the last call rose
# (or fell) by one a page, each "of M".
steps_went() {
	local n=$1 dir=$2 m=$3 prev="" cur of seq
	TESTS_RUN=$((TESTS_RUN + 1))
	seq=$(tr '\n' ',' < "$WORK/$n.steps")
	: > "$WORK/$n.steps"
	while read -r cur of; do
		if [ "$of" != "$m" ] ||
		    { [ -n "$prev" ] && [ "$dir" = up ] && [ "$cur" -ne $((prev + 1)) ]; } ||
		    { [ -n "$prev" ] && [ "$dir" = down ] && [ "$cur" -ne $((prev - 1)) ]; }; then
			fail "[$n] step counters going $dir, each of $m: $seq"
			return 1
		fi
		prev=$cur
	done < <(tr ',' '\n' <<<"$seq" | grep .)
}

# rest_fits NAME: where the text of the page does not fit, its end (End)
# fits too.
rest_fits() {
	if flat "$1" | grep -qF "(Down/PgDn: more)"; then
		keys "$1" End
		wait_for "$1" "Lines" && fits "$1"
	fi
}

# Start the test console the pairing page tests against.
rm -f "$WORK/console.port"
"$TEST_CONSOLE" --listen 127.0.0.1 --port-file "$WORK/console.port" \
    --spki-file "$WORK/console.spki" --registry "$WORK/console.registry" \
    --lifetime 300 --secret "$SECRET" > "$WORK/console.out" 2>&1 &
CONSOLE_PID=$!
for ((i = 0; i < 200; i++)); do
	[ -s "$WORK/console.port" ] && break
	sleep 0.05
done
PORT=$(cat "$WORK/console.port")

# (a) Scan Engine, Engine-to-Console, paired now: every page and what it
# shows on the way (errors under the fields, the message that needs two
# rows, a failed and a passed connection test, their steps scrolled),
# forward to the summary, back to the welcome page, forward again, and
# the progress page (held after unpacking) and the finish page.
R=$(newroot)
wiz a 80x24 "ES_TEST_FAULT=Unpacking files:stop" --root "$R"
page a "Welcome to the setup of Nexpose 7.3.1"
keys a Enter
page a "Do you accept the licence agreement?"
keys a Escape
wait_for a "Cancel the setup?"
fits a
keys a n
wait_for a "Do you accept the licence agreement?"
keys a d
wait_for a "Decline the licence agreement and leave the setup?"
fits a
keys a n
wait_for a "Do you accept the licence agreement?"
keys a a
page a "Which components should be installed?"
keys a Down
wait_for a "REMINDER: Do not install a distributed Scan Engine"
fits a
keys a Enter
page a "Install folder: /opt/rapid7/nexpose"
keys a F10
page a "This computer meets"
keys a F10
page a "First name:"
keys a F10
wait_for a "Required: 1-64 letters"
fits a
typ a "Ada"
keys a Tab
typ a "Lovelace"
keys a Tab
typ a "Example Corp."
keys a F10
page a "How should the Scan Engine and the Security Console communicate?"
shows a "> Engine-to-Console"
keys a F10
page a "Pair with the Security Console now?"
keys a F10
wait_for a "Required: a host name, IPv4 or IPv6 address."
fits a
typ a "127.0.0.1"
keys a Tab C-u
typ a "$PORT"
keys a Tab
typ a "$OTHER"
keys a F10
wait_for a "Test the connection first"
fits a
keys a Enter
wait_for a "Failed."
fits a
keys a NPage
fits a
keys a BTab C-u
typ a "$SECRET"
keys a Enter
keys a Enter
wait_for a "Passed."
fits a
shows a "$(tr -d '\n' < "$WORK/console.spki")"
keys a NPage
fits a
keys a NPage
fits a
keys a F10
page a "Check every choice before installing"
steps_went a up 11
for p in "Pair with the Security Console now?" \
    "How should the Scan Engine and the Security Console communicate?" \
    "First name: Ada" "This computer meets" "Install folder:" \
    "Which components should be installed?" \
    "You accepted the licence agreement." "Welcome to the setup"; do
	keys a F2
	page a "$p"
done
steps_went a down 11
for p in "You accepted the licence agreement." \
    "Which components should be installed?" "Install folder:" \
    "This computer meets" "First name: Ada" \
    "How should the Scan Engine and the Security Console communicate?" \
    "Passed." "Check every choice before installing"; do
	keys a F10
	page a "$p"
done
keys a Enter
wait_for a "Unpacking files"
check "the install holds after unpacking" stopped "$(cat "$WORK/a.pid")"
page a "Installing Nexpose 7.3.1 (Scan Engine)"
kill -CONT "$(cat "$WORK/a.pid")"
page a "Nexpose 7.3.1 is installed: Scan Engine."
steps_went a up 11
rest_fits a
keys a Enter
exited a 0
TM kill-session -t a

# (b) Scan Engine, Console-to-Engine: the counter follows the direction
# as it is chosen; forward to the end and back.
R=$(newroot)
wiz b 80x24 "" --root "$R" --set first_name=Ada --set last_name=Lovelace \
    --set company=Example
page b "Welcome to the setup"
keys b Enter
page b "Do you accept the licence agreement?"
keys b a
page b "Which components should be installed?"
keys b Down
wait_for b "> Scan Engine only"
keys b F10
page b "Install folder:"
keys b F10
page b "This computer meets"
keys b F10
page b "First name: Ada"
keys b F10
wait_for b "How should the Scan Engine and the Security Console communicate?"
steps_went b up 11
keys b Down
wait_for b "Listening port: 40814"
page b "Listening port: 40814"
keys b Tab C-u
typ b "0"
keys b F10
wait_for b "Expected a port from 1 to 65535"
fits b
keys b C-u
typ b "40999"
keys b F10
page b "Engine listens on TCP port: 40999"
steps_went b up 10
for p in "Listening port: 40999" "First name: Ada" "This computer meets" \
    "Install folder:" "Which components should be installed?"; do
	keys b F2
	page b "$p"
done
steps_went b down 10
for p in "Install folder:" "This computer meets" "First name: Ada" \
    "Listening port: 40999" "Engine listens on TCP port: 40999"; do
	keys b F10
	page b "$p"
done
steps_went b up 10
keys b Enter
page b "Nexpose 7.3.1 is installed: Scan Engine."
wait_for b "New Engine"
fits b
rest_fits b
keys b Enter
exited b 0
TM kill-session -t b

# (c) The Security Console with its administrator (a password file from
# the answers, with a long name, makes the page's text longer), forward
# to the end and back from the summary; the counter follows the
# component as it is chosen.
R=$(newroot)
PWFILE=$WORK/the-console-administrator-password-from-the-answers-file.txt
echo "correct horse" > "$PWFILE"
wiz c 80x24 "" --root "$R" --set "console_admin_password_file=$PWFILE"
page c "Welcome to the setup"
keys c Enter
page c "Do you accept the licence agreement?"
keys c a
page c "Which components should be installed?"
steps_went c up 11
keys c Up
wait_for c "> Security Console with local Scan Engine"
page c "The Security Console, its web interface and a local Scan Engine."
keys c Enter
page c "Install folder:"
keys c F10
page c "System requirements for the Security Console with local Scan Engine"
keys c F10
page c "First name:"
typ c "Grace"
keys c Tab
typ c "Hopper"
keys c Tab
typ c "Navy"
keys c F10
page c "The administrator of the Security Console"
# The path is wider than a row: it breaks after a '/'.
shows c "take the password from $WORK/ ${PWFILE##*/}."
typ c "bad user!"
keys c Tab
typ c "short"
keys c Tab
wait_for c "Too short: the password needs at least 8 characters."
typ c "other"
keys c BTab C-u
typ c "long enough"
keys c F10
wait_for c "The two passwords differ"
shows c "Expected 1-64 letters"
fits c
keys c C-u
typ c "nxadmin"
keys c Tab C-u
typ c "correct horse"
keys c Tab C-u
typ c "correct horse"
keys c F10
page c "Console administrator: nxadmin"
steps_went c up 10
for p in "The administrator of the Security Console" "First name: Grace" \
    "This computer meets" "Install folder:" \
    "Which components should be installed?" \
    "You accepted the licence agreement." "Welcome to the setup"; do
	keys c F2
	page c "$p"
done
steps_went c down 10
for p in "You accepted the licence agreement." \
    "Which components should be installed?" "Install folder:" \
    "This computer meets" "First name: Grace" \
    "The administrator of the Security Console" \
    "Console administrator: nxadmin"; do
	keys c F10
	page c "$p"
done
steps_went c up 10
keys c Enter
page c "sign in as nxadmin"
steps_went c up 10
rest_fits c
keys c q
exited c 0
TM kill-session -t c

# (d) A requirement that fails, and an installation that fails.
R=$(newroot)
mkdir -p "$R/etc/systemd/system"
echo "[Unit]" > "$R/etc/systemd/system/nexposeconsole.service"
wiz d 80x24 "ES_TEST_FAULT=Writing configuration:fail" --root "$R" \
    --set first_name=Ada --set last_name=Lovelace --set company=Example
wait_for d "Welcome to the setup"
keys d Enter
wait_for d "Do you accept the licence agreement?"
keys d a
wait_for d "Which components should be installed?"
keys d F10
wait_for d "Install folder:"
keys d F10
wait_for d "[Fail] Security Console on this host"
fits d
keys d F10
wait_for d "Next is not available"
fits d
rm "$R/etc/systemd/system/nexposeconsole.service"
keys d r
wait_for d "This computer meets"
keys d F10
wait_for d "First name: Ada"
keys d F10
wait_for d "How should the Scan Engine"
keys d F10
wait_for d "Pair with the Security Console now?"
keys d Down
wait_for d "> Pair later (engine-setup pair)"
fits d
keys d F10
wait_for d "Check every choice before installing"
keys d Enter
wait_for d "The installation failed."
fits d
TM kill-session -t d

TM kill-server 2>/dev/null
finish
