#!/usr/bin/env bash
# Issue 10, section 2: a mistake is caught on the page where it is typed,
# in every mode (the wizard through tmux at 80x24, line mode through a pty,
# silent installs and --check).
# (1) An install folder below a regular file, or on a read-only file
#     system: the location page keeps the page with the reason under the
#     field, line mode asks again, silent and --check fail the "Install
#     folder" requirement (exit 3); nothing is made.
# (2) After a failure at Install the wizard offers Back, with every answer
#     kept: to the location page for a full disk, else to the summary.
# (3) The engine's port (Console-to-Engine) and the console's web port 3780
#     held by another program: [Fail] on the host, [Warn] under --root; the
#     wizard's communication page and line mode's port prompt catch the
#     engine port where it is typed.
# As root the test runs in mount and network namespaces of its own (unshare
# -mn): its tmpfs mounts and the ports it holds are seen by no other
# program and vanish with it; a tmpfs over /var/lib there keeps the run
# lock of the wizard and line mode on the host's / off the host.
if [ "$(id -u)" -eq 0 ] && [ -z "${ES_CATCH_NS:-}" ] &&
    unshare -m -n --propagation private true 2>/dev/null; then
	ES_CATCH_NS=1 exec unshare -m -n --propagation private bash "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"

NS=
if [ -n "${ES_CATCH_NS:-}" ]; then
	ip link set lo up 2>/dev/null
	mount -t tmpfs -o size=16m tmpfs /var/lib && NS=1
fi
export PTY_DRIVE_SIZE=80x24

# hold HOST PORT: a listener on HOST:PORT (PORT 0: any free one) until
# release; the port in $HELD.
HOLDERS=()
hold() {
	local f=$WORK/held.$#.$RANDOM
	python3 -c '
import socket, sys, time
s = socket.socket(); s.bind((sys.argv[1], int(sys.argv[2]))); s.listen(1)
with open(sys.argv[3], "w") as f: f.write(str(s.getsockname()[1]))
time.sleep(300)' "$1" "$2" "$f" &
	HOLDERS+=($!)
	for _ in $(seq 100); do [ -s "$f" ] && break; sleep 0.05; done
	HELD=$(cat "$f" 2>/dev/null)
	[ -n "$HELD" ]
}
release() {
	local p
	for p in "${HOLDERS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	HOLDERS=()
}

SOCK="es-catch-$$"
TIMEOUT=${ES_WIZARD_TIMEOUT:-20}
on_exit release
HAVE_TMUX=
command -v tmux >/dev/null && HAVE_TMUX=1
. "$(dirname "$0")/tmux_lib.sh"

# to_location NAME KEY: the wizard from its start to the location page
# (KEY on the components page: Up the console, Down the engine).
to_location() {
	wait_for "$1" "Welcome to the setup of Nexpose 7.3.1"
	keys "$1" Enter
	wait_for "$1" "Do you accept the licence agreement?"
	keys "$1" a
	wait_for "$1" "Which components should be installed?"
	keys "$1" "$2"
	keys "$1" Enter
	wait_for "$1" "Install folder:"
}

# line_start FILE COMPONENT: line mode's steps to the location prompt.
line_start() {
	cat > "$1" <<EOT
expect OK [o, Enter], Cancel [c]
send
expect Do you accept the licence agreement?
send y
expect Scan Engine only [2, Enter]
send $2
expect Where should it be installed?
EOT
}

engine_answers console-to-engine > "$WORK/e.txt"

# ---- (1) A file in the way, a read-only file system.
R=$(newroot)
mkdir -p "$R/opt" && echo data > "$R/opt/file"
RO=
if [ -n "$NS" ] && mkdir "$R/ro" && mount -t tmpfs -o ro,size=1g tmpfs "$R/ro"; then
	RO=1
else
	echo "skipped the read-only checks: mounting a tmpfs needs root"
fi
BEFORE=$(snapshot "$R")

run 3 --check --silent --answers "$WORK/e.txt" --root "$R" --set install_dir=/opt/file/nexpose
out_has "[Fail] Install folder"
out_has "$R/opt/file is a file"
out_has "/opt/file/nexpose cannot be made: $R/opt/file is not a folder (it is a file). Choose another install folder (install_dir), or move it away."
out_has "1 requirement(s) not met (Install folder): nothing was changed"
run 3 --silent --answers "$WORK/e.txt" --root "$R" --set install_dir=/opt/file/x/y
out_has "/opt/file/x/y cannot be made: $R/opt/file is not a folder (it is a file)."
run 3 --check --silent --answers "$WORK/e.txt" --root "$R" --set install_dir=/opt/file
out_has "/opt/file exists and is not a folder (it is a file)."
if [ -n "$RO" ]; then
	run 3 --check --silent --answers "$WORK/e.txt" --root "$R" --set install_dir=/ro/nexpose
	out_has "[Fail] Install folder"
	out_has "the file system at $R/ro is mounted read-only"
	out_has "/ro/nexpose cannot be made: the file system at $R/ro is mounted read-only. Choose an install folder (install_dir) on a writable file system, or mount $R/ro read-write (mount -o remount,rw $R/ro)."
	out_lacks "[Fail] Free disk"
	run 3 --silent --answers "$WORK/e.txt" --root "$R" --set install_dir=/ro/a/b
	out_has "/ro/a/b cannot be made: the file system at $R/ro is mounted read-only."
fi
run 0 --check --silent --answers "$WORK/e.txt" --root "$R" --set install_dir=/opt/ok
out_has "[Pass] Install folder"
out_has "can be made in $R/opt"
check "silent and --check made nothing" test "$(snapshot "$R")" = "$BEFORE"

# Line mode: the folder is asked again, with the reason.
line_start "$WORK/l1.steps" 2
cat >> "$WORK/l1.steps" <<EOT
send /opt/file/nexpose
expect /opt/file/nexpose cannot be made: $R/opt/file is not a folder (it is a file).
expect Where should it be installed?
EOT
[ -n "$RO" ] && cat >> "$WORK/l1.steps" <<EOT
send /ro/nexpose
expect the file system at $R/ro is mounted read-only.
expect Where should it be installed?
EOT
cat >> "$WORK/l1.steps" <<EOT
send /opt/rapid7/nexpose
expect System requirements
expect [Pass] Install folder
expect Continue [o, Enter], Back [b], Cancel [c]
send c
EOT
drive "$WORK/l1.steps" 5 --text --root "$R"
check "line mode made nothing" test "$(snapshot "$R")" = "$BEFORE"

# The wizard: the location page stays, the reason under the field.
if [ -n "$HAVE_TMUX" ]; then
	wiz loc 80x24 "" --root "$R"
	to_location loc Down
	keys loc C-u
	typ loc "/opt/file/nexpose"
	keys loc F10
	wait_for loc "/opt/file/nexpose cannot be made: $R/opt/file is not a folder (it is a file). Choose another install folder (install_dir), or move it away."
	shows loc "Install folder: /opt/file/nexpose"
	lacks loc "System requirements for"
	if [ -n "$RO" ]; then
		keys loc C-u
		typ loc "/ro/nexpose"
		keys loc M-n
		wait_for loc "the file system at $R/ro is mounted read-only."
		shows loc "Install folder: /ro/nexpose"
		lacks loc "System requirements for"
	fi
	keys loc C-u
	typ loc "/opt/rapid7/nexpose"
	keys loc F10
	wait_for loc "System requirements for the Scan Engine in /opt/rapid7/nexpose"
	wait_for loc "[Pass] Install folder"
	keys loc Escape
	wait_for loc "Cancel the setup?"
	keys loc y
	exited loc 5
	check "the wizard made nothing" test "$(snapshot "$R")" = "$BEFORE"
	TM kill-session -t loc
fi
[ -n "$RO" ] && umount "$R/ro"

# ---- (2) A failure at Install: Back, with every answer kept.
if [ -n "$HAVE_TMUX" ]; then
	# Not one the install location can fix: Back goes to the summary.
	R=$(newroot)
	wiz sum 80x24 "ES_TEST_FAULT=Writing configuration:fail" --root "$R" \
	    --set first_name=Ada --set last_name=Lovelace --set company=Example \
	    --set communication=console-to-engine --set engine_port=40999
	to_location sum Down
	keys sum F10
	wait_for sum "This computer meets"
	keys sum F10
	wait_for sum "First name: Ada"
	keys sum F10
	wait_for sum "Listening port: 40999"
	keys sum F10
	wait_for sum "Check every choice before installing"
	keys sum i
	wait_for sum "The installation failed."
	shows sum "injected failure at step 'Writing configuration'"
	shows sum "Back goes to the summary, with every answer kept"
	shows sum "< Back >"
	shows sum "< Exit >"
	keys sum F2
	wait_for sum "Check every choice before installing"
	shows sum "First name: Ada"
	shows sum "Engine listens on TCP port: 40999"
	keys sum i
	wait_for sum "The installation failed."
	keys sum Enter
	exited sum 6
	wait_for sum "engine-setup: injected failure at step 'Writing configuration'"
	check "a failed installation leaves nothing" test -z "$(ls -A "$R")"
	TM kill-session -t sum

	# The disk fills during Install: Back goes to the install location,
	# which says so; with space again, Install succeeds with every answer
	# typed before.
	if [ -n "$NS" ]; then
		R=$(newroot)
		mkdir "$R/data"
		mount -t tmpfs -o size=300m tmpfs "$R/data"
		wiz full 80x24 "ES_TEST_FAULT=Preparing folders:stop" --root "$R"
		to_location full Down
		keys full C-u
		typ full "/data/nexpose"
		keys full F10
		wait_for full "This computer meets"
		keys full F10
		wait_for full "First name:"
		typ full "Ada"
		keys full Tab
		typ full "Lovelace"
		keys full Tab
		typ full "Example Corp"
		keys full F10
		wait_for full "How should the Scan Engine"
		keys full Down
		wait_for full "Listening port: 40814"
		keys full Tab C-u
		typ full "40999"
		keys full F10
		wait_for full "Check every choice before installing"
		keys full i
		check "the install stopped after 'Preparing folders'" stopped "$(cat "$WORK/full.pid")"
		fallocate -l "$(df --output=avail -B1 "$R/data" | tail -1)" "$R/data/filler" 2>/dev/null
		dd if=/dev/zero of="$R/data/filler2" bs=4k status=none 2>/dev/null
		kill -CONT "$(cat "$WORK/full.pid")"
		wait_for full "The installation failed."
		shows full "no space left on the file system mounted at $R/data"
		shows full "The install folder is the problem now"
		shows full "Back goes to the install location to fix it, with every other answer kept"
		keys full F2
		wait_for full "Install folder: /data/nexpose"
		wait_for full "Only 0 B is free on the file system of $R/data, and at least 256.0 MiB is needed: free space there, or choose another install folder (install_dir)."
		rm -f "$R/data/filler" "$R/data/filler2"
		keys full F10
		wait_for full "This computer meets"
		keys full F10
		wait_for full "First name: Ada Last name: Lovelace Company: Example Corp"
		keys full F10
		wait_for full "Listening port: 40999"
		keys full F10
		wait_for full "Check every choice before installing"
		shows full "Install location: /data/nexpose"
		shows full "First name: Ada"
		shows full "Last name: Lovelace"
		shows full "Company: Example Corp"
		shows full "Engine listens on TCP port: 40999"
		keys full i
		check "the install stopped after 'Preparing folders' again" stopped "$(cat "$WORK/full.pid")"
		kill -CONT "$(cat "$WORK/full.pid")"
		wait_for full "Nexpose 7.3.1 is installed: Scan Engine."
		keys full Enter
		exited full 0
		lacks full "no space left"
		file_has "$R/data/nexpose/nse/conf/nse.xml" 'port="40999"'
		check "the certificate names the answers typed before the failure" bash -c \
		    "openssl x509 -noout -subject -in '$R/data/nexpose/nse/conf/nse.crt' | grep -q 'Ada Lovelace'"
		TM kill-session -t full
		umount "$R/data"
	else
		echo "skipped the full-disk wizard run: it needs root and mount(8)"
	fi
fi

# ---- (3) Ports another program holds.
console_answers
hold 127.0.0.1 0 && P=$HELD
hold 0.0.0.0 0 && P2=$HELD
# Under --root the installation runs elsewhere later: a warning.
R=$(newroot)
run 0 --check --silent --answers "$WORK/e.txt" --root "$R" --set engine_port="$P"
out_has "[Warn] Engine port"
out_has "TCP $P in use"
out_has "TCP port $P is in use on this host; make sure it is free where the installation in $R will run."
if [ -n "$NS" ]; then
	# On the host: a requirement not met, whichever address holds it.
	H=$WORK/host/nexpose
	for port in "$P" "$P2"; do
		run 3 --check --silent --answers "$WORK/e.txt" --set install_dir="$H" --set engine_port="$port"
		out_has "[Fail] Engine port"
		out_has "TCP $port in use"
		out_has "TCP port $port is in use by another program; the Scan Engine listens on it for the console to connect. Stop what holds it (see \`ss -ltnp\`) or choose another engine_port."
		out_has "requirement(s) not met (Engine port)"
	done
	run 0 --check --silent --answers "$WORK/e.txt" --set install_dir="$H" --set engine_port=40998
	out_has "[Pass] Engine port"
	out_has "TCP 40998 free"
	# Engine-to-Console listens on no port: not checked.
	run 0 --check --silent --answers "$WORK/e.txt" --set install_dir="$H" \
	    --set communication=engine-to-console --set engine_port="$P"
	out_lacks "Engine port"

	# The console's web port: free, then held on loopback.
	run 0 --check --silent --answers "$WORK/console.txt" --set install_dir="$H"
	out_has "[Pass] Console web port"
	out_has "TCP 3780 free"
	hold 127.0.0.1 3780
	run 3 --check --silent --answers "$WORK/console.txt" --set install_dir="$H"
	out_has "[Fail] Console web port"
	out_has "TCP 3780 in use"
	out_has "TCP port 3780 is in use by another program; the Security Console's web interface listens on it. Stop what holds it (see \`ss -ltnp\`)."
	out_has "requirement(s) not met (Console web port)"
	# Under --root: a warning, and a silent install goes ahead.
	R=$(newroot)
	run 0 --silent --answers "$WORK/console.txt" --root "$R"
	out_has "[Warn] Console web port"
	out_has "TCP 3780 in use"
	out_has "TCP port 3780 is in use on this host; make sure it is free where the installation in $R will run."
	exists "$R/opt/rapid7/nexpose/nsc/nscsvc"
	check "nothing on the host" test ! -e "$H"

	# Line mode on the host: the port is asked again; the console's web
	# port is a [Fail] on the requirements page.
	line_start "$WORK/p1.steps" 2
	cat >> "$WORK/p1.steps" <<EOT
send $H
expect System requirements
send
expect First name:
send Ada
expect Last name:
send Lovelace
expect Company:
send Example
expect Console-to-Engine [2]
send 2
expect Port the engine listens on:
send $P
expect TCP port $P is in use by another program; the Scan Engine listens on it for the console to connect.
expect Port the engine listens on:
send 40998
expect Start the service after installation?
send n
expect Summary
expect Install [i, Enter], Back [b], Cancel [c]
send c
EOT
	drive "$WORK/p1.steps" 5 --text
	check "line mode keeps the port typed again" \
	    grep -qE "Engine listens on TCP port: +40998" <<<"$OUT"
	line_start "$WORK/p2.steps" 1
	cat >> "$WORK/p2.steps" <<EOT
send $H
expect System requirements
expect [Fail] Console web port
expect TCP port 3780 is in use by another program
expect 1 requirement(s) not met (Console web port)
expect Check again [r, Enter], Back [b], Cancel [c]
send c
EOT
	drive "$WORK/p2.steps" 5 --text

	# The wizard on the host: the communication page keeps a busy port
	# with the reason; the requirements page fails the console's.
	if [ -n "$HAVE_TMUX" ]; then
		wiz port 80x24 "" --set install_dir="$H" --set first_name=Ada \
		    --set last_name=Lovelace --set company=Example
		to_location port Down
		keys port F10
		wait_for port "This computer meets"
		keys port F10
		wait_for port "First name: Ada"
		keys port F10
		wait_for port "How should the Scan Engine"
		keys port Down
		wait_for port "Listening port: 40814"
		keys port Tab C-u
		typ port "$P2"
		keys port F10
		wait_for port "TCP port $P2 is in use by another program; the Scan Engine listens on it for the console to connect. Stop what holds it (see \`ss -ltnp\`) or choose another engine_port."
		shows port "Listening port: $P2"
		lacks port "Check every choice"
		keys port C-u
		typ port "40998"
		keys port F10
		wait_for port "Check every choice before installing"
		shows port "Engine listens on TCP port: 40998"
		keys port Escape
		wait_for port "Cancel the setup?"
		keys port y
		exited port 5
		TM kill-session -t port

		wiz web 80x24 "" --set install_dir="$H"
		to_location web Up
		keys web F10
		wait_for web "[Fail] Console web port"
		shows web "Cannot go on:"
		shows web "(Console web port)"
		keys web Escape
		wait_for web "Cancel the setup?"
		keys web y
		exited web 5
		TM kill-session -t web
	fi
	check "nothing on the host" test ! -e "$H"
else
	echo "skipped the checks on the host's / (they need root, for mount and network namespaces)"
fi
release

TM kill-server 2>/dev/null
finish
