#!/usr/bin/env bash
# The release file on a fresh minimal Debian host. A debootstrap minbase tree
# of SUITE (scripts/hosts, cached) is laid out for this run (an overlay, or a
# copy), gets nothing from the build but the release file, and is used
# through chroot as the host itself (no --root):
#   - engine-setup --help;
#   - a silent Scan Engine install (the README's minimal answers), status,
#     uninstall --silent, and that only the logs are left;
#   - a silent install with Engine-to-Console pairing against the test
#     console on 127.0.0.1 outside the chroot, status, uninstall;
#   - without any terminfo database, the wizard's first page in an 80x24
#     tmux pane for TERM=xterm-256color, TERM=linux and TERM=vt100 (its help
#     line offers Alt-N, not F10); Ctrl-C twice: exit 5;
#     line-mode prompts for a TERM that no description fits;
#   - names resolved without the host's NSS modules: /etc/hosts (IPv4, IPv6)
#     and DNS through /etc/resolv.conf (a dnsmasq on 127.0.0.53);
#   - the host's OpenSSL configuration (OPENSSL_CONF) is not read.
#
#   ES_RELEASE=FILE TEST_CONSOLE=FILE bash tests/fresh/test_fresh_host.sh SUITE
#
# SUITE: bullseye or bookworm. Root only; exits 77 (CTest: skipped) where it
# cannot run. Every mount and every process of the run lives in a private
# mount and PID namespace (unshare), so none outlives the test, however it
# ends; the throwaway folder is removed afterwards.
set -u

SUITE=${1:-}
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=${ES_SRC:-$(cd "$HERE/../.." && pwd)}

. "$SRC/tests/fresh/chroot_lib.sh"

# ---- Outside: checks, the host tree, the namespaces, the throwaway folder.
if [ -z "${ES_CHROOT_INNER:-}" ]; then
	case $SUITE in
	bullseye | bookworm) ;;
	*)
		echo "usage: ES_RELEASE=FILE TEST_CONSOLE=FILE $0 bullseye|bookworm" >&2
		exit 2
		;;
	esac
	[ -n "${ES_RELEASE:-}" ] || broken "ES_RELEASE must name the release file (bash scripts/dev release)"
	[ -f "$ES_RELEASE" ] && [ -x "$ES_RELEASE" ] ||
		broken "the release file $ES_RELEASE does not exist or is not executable (bash scripts/dev release makes it)"
	[ -n "${TEST_CONSOLE:-}" ] && [ -x "$TEST_CONSOLE" ] ||
		broken "TEST_CONSOLE must name the test console (cmake --build BUILD --target test-console)"
fi
chroot_outer "$SUITE" "fresh-$SUITE" "$0" "$SUITE"

# ---- Inside the namespaces (PID 1 here).
ES_BIN=$ES_RELEASE
. "$SRC/tests/e2e/lib.sh"

HOST=$ES_CHROOT_TREE
T=$ES_CHROOT_DIR
R=$T/root
SOCK="es-$ES_CHROOT_TAG"
TIMEOUT=${ES_WIZARD_TIMEOUT:-20}
SECRET=ABCD-1234-EFGH-5678-IJKL-9012-MNOP-3456
CPIDS=()
CHROOT_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

# no_processes WHAT: no process runs in the chroot; else name them.
no_processes() {
	local p list=""
	TESTS_RUN=$((TESTS_RUN + 1))
	for p in $(chroot_pids "$R"); do
		list+="  pid $p (parent $(awk '{ print $4 }' "/proc/$p/stat" 2>/dev/null)): $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)
"
	done
	[ -z "$list" ] && return 0
	fail "[$SUITE] $1; still running in the chroot:
$list"
	# Ended here, so that a later check sees only its own.
	kill_chroot_processes
}
kill_chroot_processes() {
	local p
	for p in $(chroot_pids "$R"); do
		kill -KILL "$p" 2>/dev/null
	done
}

# Stop what this run started and unmount what it mounted; again on any
# exit (idempotent).
teardown() {
	local p
	if command -v tmux >/dev/null; then
		tmux -L "$SOCK" kill-server 2>/dev/null
		# Its socket, in case the server is killed before it removes it.
		rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$SOCK"
	fi
	for p in "${CPIDS[@]}"; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	CPIDS=()
	chroot_unmount "$T"
}
on_exit teardown
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# ---- The host: the tree for this run, and the file systems a host has.
t0=$(now)
chroot_host "$HOST" "$R" "$T/rw"
echo "time: $SUITE tree for this run by $CHROOT_HOW, and its mounts: $(since "$t0")"
t0=$(now)
# Only the release file comes from the build.
install -m 0755 "$ES_RELEASE" "$R/root/engine-setup"
echo "time: the release file: $(since "$t0")"

# cx COMMAND...: COMMAND on the host in the chroot, with a login's
# environment and no terminal.
cx() {
	chroot "$R" /usr/bin/env -i PATH="$CHROOT_PATH" HOME=/root "$@" </dev/null
}
# crun EXPECTED_EXIT ARGS...: engine-setup ARGS on the host; output in $OUT.
crun() {
	local want=$1
	shift
	TESTS_RUN=$((TESTS_RUN + 1))
	OUT=$(cx /root/engine-setup "$@" 2>&1)
	RC=$?
	if [ "$RC" -ne "$want" ]; then
		fail "[$SUITE] engine-setup $* exited $RC, expected $want; output:
$OUT"
		return 1
	fi
}
# A listing of the host's files (not /proc, /sys, /dev) with type, mode,
# owner; for files and links also size, time and target.
snapshot() {
	(cd "$R" && find . \( -path ./proc -o -path ./sys -o -path ./dev \) -prune -o \
		\( -type d -printf '%p d %m %U:%G\n' \) -o \
		-printf '%p %y %m %U:%G %s %T@ %l\n') | LC_ALL=C sort
}
phase() {
	echo "time: $1: $(since "$t0")"
	t0=$(now)
}

D=/opt/rapid7/nexpose
t0=$(now)

# ---- --help
crun 0 --help
out_has "engine-setup uninstall"
out_has "--silent"
phase "--help"

# ---- A Scan Engine, silently, on the host; status; uninstall.
cat >"$R/root/engine.txt" <<EOT
accept_license = yes
component = engine
first_name = Ada
last_name = Lovelace
company = Example Corp
communication = console-to-engine
EOT
before=$(snapshot)
crun 0 --silent --answers /root/engine.txt --wait-ready=60
# The static C stand-in runs on the fresh host: its ready line and port.
out_has "Waiting for the Scan Engine to be ready: 0 s of 60 s ..."
out_has "The Scan Engine is ready."
file_has "$R$D/nse/logs/nse.log" "Scan Engine initialization completed"
exists "$R$D/nse/nseserv"
file_has "$R$D/nse/conf/nse.xml" 'communication="console-to-engine"'
file_has "$R$D/nse/conf/nse.xml" 'port="40814"'
mode_is "$R$D/nse/conf/nse.key" 600
file_has "$R/var/lib/engine-setup/installation" "install_dir $D"
# minbase has no systemd, and has /etc/init.d: a SysV script.
exists "$R/etc/init.d/nexposeengine"
check "rc2 start link" test "$(readlink "$R/etc/rc2.d/S20nexposeengine")" = ../init.d/nexposeengine
missing "$R/etc/systemd/system/nexposeengine.service"
check "the service runs (init script status)" cx /etc/init.d/nexposeengine status
phase "silent install (engine)"
crun 0 status
out_has "Product:      Nexpose 7.3.1"
out_has "Component:    engine (Scan Engine only)"
out_has "Install dir:  $D"
out_has "Service:      nexposeengine: active"
out_has "Ready:        yes (the Scan Engine is ready)"
out_has "Consoles:     none"
crun 0 status --wait-ready=30
out_has "Ready:        yes (the Scan Engine is ready)"
phase "status"
crun 0 uninstall --silent
out_has "Uninstalled"
phase "uninstall"
after=$(snapshot)
# Only the logs, and the folders that hold them, are new; nothing else
# differs from the fresh host. (The engine's own log, nse/logs/nse.log, is
# one since the sample engine is the C program that writes it.)
allowed=$(printf '%s\n' "./opt/rapid7 d" "./opt/rapid7/nexpose d" \
	"./opt/rapid7/nexpose/.install d" \
	"./opt/rapid7/nexpose/.install/install.log f" \
	"./opt/rapid7/nexpose/.install/uninstall.log f" \
	"./opt/rapid7/nexpose/nse d" "./opt/rapid7/nexpose/nse/logs d" \
	"./opt/rapid7/nexpose/nse/logs/nse.log f")
changes=$(diff <(echo "$before") <(echo "$after") | grep '^[<>]')
unexpected=$(grep -v '^>' <<<"$changes"; grep '^>' <<<"$changes" |
	awk '{ print $2, $3 }' | grep -vxF "$allowed")
TESTS_RUN=$((TESTS_RUN + 1))
[ -z "$(tr -d '\n' <<<"$unexpected")" ] ||
	fail "[$SUITE] after uninstall the host differs from the fresh one by more than the logs (< before, > after):
$(grep -v '^$' <<<"$unexpected")"
for p in "$D/nse/nseserv" "$D/nse/conf" "$D/nse/bin" "$D/nse/lib" \
	"$D/.install/record" "$D/.install/answers" \
	/var/lib/engine-setup/installation /etc/init.d/nexposeengine \
	/etc/rc2.d/S20nexposeengine /etc/rc0.d/K20nexposeengine \
	/etc/systemd/system/nexposeengine.service /run/nexposeengine.pid; do
	missing "$R$p"
done
mode_is "$R$D/.install/install.log" 600
no_processes "nothing of the engine runs after uninstall"
# Not installed: the contract's exit 9.
crun 9 status
out_has "Not installed"
# The engine's own log stays after uninstall; the next install there keeps
# it (install-record.md, "What uninstall leaves").

# ---- Engine-to-Console pairing with the test console outside the chroot.
# start_console NAME ADDRESS [OPTION...]: a test console on ADDRESS, its
# files $WORK/NAME.*, with any other OPTIONs; waits until it listens and
# prints its port.
start_console() {
	rm -f "$WORK/$1.port"
	"$TEST_CONSOLE" --listen "$2" --port-file "$WORK/$1.port" \
		--spki-file "$WORK/$1.spki" --registry "$WORK/$1.registry" \
		--log "$WORK/$1.log" --lifetime 300 --secret "$SECRET" "${@:3}" \
		>"$WORK/$1.out" 2>&1 &
	CPIDS+=($!)
	for _ in $(seq 100); do
		[ -s "$WORK/$1.port" ] && break
		sleep 0.05
	done
}
t0=$(now)
start_console console 127.0.0.1
PORT=$(cat "$WORK/console.port" 2>/dev/null)
SPKI=$(cat "$WORK/console.spki" 2>/dev/null)
check "the test console listens" test -n "$PORT"
printf '%s\n' "$SECRET" >"$R/root/secret"
chmod 600 "$R/root/secret"
cat >"$R/root/pair.txt" <<EOT
accept_license = yes
component = engine
first_name = Ada
last_name = Lovelace
company = Example Corp
communication = engine-to-console
pair_now = yes
console_address = 127.0.0.1
console_port = $PORT
shared_secret_file = /root/secret
EOT
crun 0 --silent --answers /root/pair.txt
out_has "[ OK ] Console proof"
out_has "Paired with the console Test Console"
out_has "$SPKI"
X=$R$D/nse/conf/consoles.xml
file_has "$X" 'connectTo="1"'
file_has "$X" 'enabled="1"'
file_has "$X" 'lastAddress="127.0.0.1"'
file_has "$X" "port=\"$PORT\""
file_has "$X" "spki=\"$SPKI\""
file_has "$X" "BEGIN CERTIFICATE"
engine_id=$(awk '/^engine_id/ { print $2 }' "$R$D/.install/record" 2>/dev/null)
check "the record has an engine id" test -n "$engine_id"
file_has "$WORK/console.registry" "${engine_id:-no-engine-id}"
file_has "$WORK/console.registry" "paired"
check "the secret is in no file the install wrote" \
	test -z "$(grep -rlF "$SECRET" "$R/opt" "$R/etc" "$R/var/lib" "$R/run" 2>/dev/null)"
phase "silent install with pairing"
crun 0 status
out_has "Test Console"
out_has "engine-to-console"

# ---- Names without the host's NSS modules (musl reads /etc/hosts and
# /etc/resolv.conf itself): /etc/hosts for IPv4 and IPv6, then DNS from a
# dnsmasq on 127.0.0.53 that the chroot's resolv.conf names.
start_console console6 ::1
PORT6=$(cat "$WORK/console6.port" 2>/dev/null)
check "the test console listens on ::1" test -n "$PORT6"
printf '127.0.0.1 console4.fresh.test\n::1 console6.fresh.test\n' >>"$R/etc/hosts"
crun 0 pair --test --console "console4.fresh.test:$PORT" --secret-file /root/secret
out_has "[ OK ] Resolve                127.0.0.1"
out_has "[ OK ] Console proof"
crun 0 pair --test --console "console6.fresh.test:$PORT6" --secret-file /root/secret
out_has "[ OK ] Resolve                ::1"
out_has "[ OK ] Console proof"
if command -v dnsmasq >/dev/null; then
	# Only the names below are answered, as a zone's server would (the other
	# address family: no data; other names: no such name); nothing is
	# forwarded anywhere.
	dnsmasq --keep-in-foreground --no-resolv --no-hosts --no-poll \
		--listen-address=127.0.0.53 --bind-interfaces --port=53 \
		--pid-file= --log-facility="$WORK/dnsmasq.log" --log-queries \
		--local=/fresh.test/ \
		--host-record=console.dns.fresh.test,127.0.0.1 \
		--host-record=console6.dns.fresh.test,::1 &
	CPIDS+=($!)
	sleep 0.3
	printf 'nameserver 127.0.0.53\n' >"$R/etc/resolv.conf"
	crun 0 pair --test --console "console.dns.fresh.test:$PORT" --secret-file /root/secret
	out_has "[ OK ] Resolve                127.0.0.1"
	out_has "[ OK ] Console proof"
	crun 0 pair --test --console "console6.dns.fresh.test:$PORT6" --secret-file /root/secret
	out_has "[ OK ] Resolve                ::1"
	file_has "$WORK/dnsmasq.log" "console.dns.fresh.test"
	crun 4 pair --test --console "nothing.dns.fresh.test:$PORT" --secret-file /root/secret
	out_has "cannot resolve"
else
	fail "[$SUITE] dnsmasq is not installed (package dnsmasq-base): DNS resolution was not tested"
fi
phase "names from /etc/hosts and DNS, IPv4 and IPv6"

# ---- The host's OpenSSL configuration is not read: a policy asking for a
# FIPS provider (which the file does not have) changes nothing.
cat >"$R/root/fips.cnf" <<'EOT'
openssl_conf = openssl_init
[openssl_init]
alg_section = algorithms
[algorithms]
default_properties = fips=yes
EOT
TESTS_RUN=$((TESTS_RUN + 1))
OUT=$(cx OPENSSL_CONF=/root/fips.cnf /root/engine-setup pair --test \
	--console "127.0.0.1:$PORT" --secret-file /root/secret 2>&1) ||
	fail "[$SUITE] pair --test with OPENSSL_CONF naming a FIPS policy exited $?: $OUT"
out_has "[ OK ] Console proof"
phase "OPENSSL_CONF is not read"
crun 0 uninstall --silent
out_has "Uninstalled"
missing "$X"
no_processes "nothing of the engine runs after uninstall"
phase "status and uninstall (paired)"

# ---- The seed's whole procedure (docs/walkthrough.md) on a real host
# (bookworm only, to keep the run short): the SysV script is the service
# manager, so `consoles enable --restart` really restarts the engine. The
# test console, outside the chroot on 127.0.0.1, is the Security Console.
if [ "$SUITE" = bookworm ]; then
	t0=$(now)
	EP=$(free_port)
	sed '/^communication/d' "$R/root/engine.txt" >"$R/root/standard.txt"
	printf 'communication = console-to-engine\nengine_port = %s\n' "$EP" >>"$R/root/standard.txt"
	crun 0 --silent --answers /root/standard.txt --wait-ready=60
	out_has "The Scan Engine is ready."
	start_console std 127.0.0.1 --control "$WORK/std.ctl" --refresh-timeout 2
	tc 0 add-engine "127.0.0.1:$EP" --control "$WORK/std.ctl"
	console_shows "127.0.0.1:$EP" "Pending Authorization" red
	file_has "$X" 'enabled="0"'
	file_has "$X" 'lastAddress="127.0.0.1"'
	file_has "$X" '<cert>-----BEGIN CERTIFICATE-----'
	crun 10 status
	out_has "[console-pending-authorization]"
	L=$R$D/nse/logs/nse.log
	n=$(grep -c 'initialization completed' "$L")
	crun 0 consoles enable 127.0.0.1 --restart
	out_has "Enabled console 1 (Test Console, 127.0.0.1)."
	out_has "Restarted nexposeengine: the change is in effect."
	# The new process listens once its log says so (2 s of start-up).
	for _ in $(seq 300); do
		[ "$(grep -c 'initialization completed' "$L")" -gt "$n" ] && break
		sleep 0.05
	done
	crun 0 status --wait-ready=30
	tc 0 refresh "127.0.0.1:$EP" --control "$WORK/std.ctl"
	console_shows "127.0.0.1:$EP" Active green
	crun 0 status
	out_lacks "pending-authorization"
	check "the engine stops through its script" cx /etc/init.d/nexposeengine stop
	tc 0 refresh "127.0.0.1:$EP" --control "$WORK/std.ctl"
	console_shows "127.0.0.1:$EP" Down red
	crun 0 uninstall --silent
	phase "walkthrough: standard pairing to Active"

	# Reverse: the engine checks in every second (its environment, which
	# the service started by the install inherits), the console counts
	# two seconds as two intervals.
	start_console rev 127.0.0.1 --control "$WORK/rev.ctl" --checkin-interval 1
	sed "s/^console_port = .*/console_port = $(cat "$WORK/rev.port")/" \
		"$R/root/pair.txt" >"$R/root/reverse.txt"
	TESTS_RUN=$((TESTS_RUN + 1))
	OUT=$(chroot "$R" /usr/bin/env -i PATH="$CHROOT_PATH" HOME=/root \
		ENGINE_CHECKIN_INTERVAL=1 /root/engine-setup --silent \
		--answers /root/reverse.txt --wait-ready=60 </dev/null 2>&1) ||
		fail "[$SUITE] the reverse install exited $?: $OUT"
	out_has "Paired with the console Test Console"
	engine_id=$(awk '/^engine_id/ { print $2 }' "$R$D/.install/record" 2>/dev/null)
	for _ in $(seq 60); do
		grep -q "Check-in to console 1 at 127.0.0.1 port $(cat "$WORK/rev.port"): active" \
			"$L" && break
		sleep 0.05
	done
	tc 0 refresh "${engine_id:-none}" --control "$WORK/rev.ctl"
	console_shows "${engine_id:-none}" Active green
	crun 0 status
	out_has "UTC: active"
	check "the engine stops through its script" cx /etc/init.d/nexposeengine stop
	sleep 2.5
	tc 0 refresh "${engine_id:-none}" --control "$WORK/rev.ctl"
	console_shows "${engine_id:-none}" Unknown orange
	crun 0 uninstall --silent
	no_processes "nothing of the engine runs after the walkthrough"
	phase "walkthrough: reverse pairing to Active, and Unknown"
fi

# ---- The wizard on a host without terminfo.
if ! command -v tmux >/dev/null; then
	echo "skipped the wizard: tmux is not installed on this host"
else
	. "$SRC/tests/e2e/tmux_lib.sh"
	# frame NAME: the page's frame spans the 80 columns.
	frame() { wait_width "$1" 80; }
	# colours NAME: the screen shows colours (capture-pane -e).
	colours() {
		TESTS_RUN=$((TESTS_RUN + 1))
		screen_e "$1" | grep -qE $'\e\\[[0-9;]*[34][0-7]m' && return 0
		fail "[$1] no colours on the screen:
$(screen "$1")"
		return 1
	}
	cx rm -rf /usr/share/terminfo /lib/terminfo /etc/terminfo
	for d in /usr/share/terminfo /lib/terminfo /usr/lib/terminfo /etc/terminfo; do
		missing "$R$d"
	done
	check "no terminfo database in the chroot" \
		test -z "$(cd "$R" && find . \( -path ./proc -o -path ./sys -o -path ./dev \) -prune -o -name terminfo -print)"
	# xterm-256color as over ssh with a UTF-8 locale; linux as on the
	# console of a host without locales; vt100, whose compiled-in
	# description names F2 but has F10 on its keypad: the help line offers
	# Alt-N for Next, not F10.
	for term in xterm-256color linux vt100; do
		t0=$(now)
		n=${term%%-*}
		rm -rf --one-file-system "$R/tmp/x"
		mkdir "$R/tmp/x"
		envs="TERM=$term"
		[ "$term" = xterm-256color ] && envs="$envs LANG=C.UTF-8"
		{
			printf 'chroot %q env -i %s PATH=%s HOME=/root /root/engine-setup --root /tmp/x\n' \
				"$R" "$envs" "$CHROOT_PATH"
			printf 'echo "EXIT=$?" > %q\n' "$WORK/$n.rc"
			printf 'exec sleep 600\n'
		} >"$WORK/$n.sh"
		rm -f "$WORK/$n.rc"
		TM new-session -d -s "$n" -x 80 -y 24 "bash $WORK/$n.sh"
		# Without its first page there is nothing more to look at.
		if wait_for "$n" "Welcome to the setup of Nexpose 7.3.1"; then
			[ "$term" != vt100 ] && colours "$n"
			frame "$n"
			if [ "$term" = vt100 ]; then
				shows "$n" "Enter: select Alt-N: Next Esc: Cancel"
				lacks "$n" "F10"
			else
				shows "$n" "F10/Alt-N: Next"
			fi
			if [ "$term" = xterm-256color ]; then
				check "[$n] the wizard is on the alternate screen" \
					test "$(TM display -p -t "$n" '#{alternate_on}')" = 1
			fi
			screen "$n" >"$WORK/$n.screen"
			keys "$n" C-c
			wait_for "$n" "Cancel the setup?" && keys "$n" C-c
		else
			keys "$n" C-c
		fi
		exited "$n" 5
		check "[$n] cancelled: /tmp/x is empty" test -z "$(ls -A "$R/tmp/x")"
		check "[$n] the terminal is restored (no alternate screen left)" \
			test "$(TM display -p -t "$n" '#{alternate_on}')" = 0
		TM kill-session -t "$n"
		phase "wizard first page, TERM=$term"
	done
	# A terminal that neither the host nor the compiled-in descriptions
	# know: the line-mode prompts instead of the wizard.
	n=unknown
	rm -rf --one-file-system "$R/tmp/x"
	mkdir "$R/tmp/x"
	{
		printf 'chroot %q env -i TERM=es-no-such-terminal PATH=%s HOME=/root /root/engine-setup --root /tmp/x\n' \
			"$R" "$CHROOT_PATH"
		printf 'echo "EXIT=$?" > %q\n' "$WORK/$n.rc"
		printf 'exec sleep 600\n'
	} >"$WORK/$n.sh"
	rm -f "$WORK/$n.rc"
	TM new-session -d -s "$n" -x 80 -y 24 "bash $WORK/$n.sh"
	wait_for "$n" "OK [o, Enter], Cancel [c]"
	TESTS_RUN=$((TESTS_RUN + 1))
	screen "$n" | grep -q "Welcome to the setup" &&
		fail "[$n] the wizard drew for a terminal it has no description of"
	keys "$n" C-c
	exited "$n" 5
	check "[$n] cancelled: /tmp/x is empty" test -z "$(ls -A "$R/tmp/x")"
	TM kill-session -t "$n"
	phase "line mode for an unknown TERM"
fi

# ---- Nothing of the run may stay: processes, mounts.
teardown
check "no process is left in the chroot" test -z "$(chroot_pids "$R")"
TESTS_RUN=$((TESTS_RUN + 1))
left=$(mounts_under "$T")
[ -z "$left" ] || fail "mounts left under $T: $left"
finish
