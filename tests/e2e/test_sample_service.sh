#!/usr/bin/env bash
# Issue 10, §5: the sample engine and console services (payload/) stop
# cleanly on TERM on a host without systemd: the SysV init script that
# engine-setup writes starts them, its stop ends them, and no process of
# theirs (a `sleep` child, say) is left. Each run is in its own PID and
# mount namespace (unshare(1), as root): pgrep sees only the test's own
# processes, and the install under --root is mounted where its init script
# looks for it (/opt/rapid7) without touching the host's /opt.
. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" -ne 0 ] ||
    ! unshare --mount --pid --fork --mount-proc true 2>/dev/null; then
	echo "skipped: needs root and unshare(1) with mount and PID namespaces"
	[ "${CI:-}" = true ] && exit 1
	exit 77
fi

# in_ns ROOT [no-ssd] SCRIPT: run the bash SCRIPT in fresh PID and mount
# namespaces where ROOT's /opt/rapid7 is /opt/rapid7 and /run is empty;
# with no-ssd, start-stop-daemon is hidden, so that the init script takes
# its own way of starting and stopping. $S is the init script there.
in_ns() {
	local root=$1 mode=$2 body=$3
	unshare --mount --pid --fork --mount-proc bash -c '
		set -u
		root=$1 mode=$2
		mount -t tmpfs none /opt && mkdir -p /opt/rapid7 &&
		    mount --bind "$root/opt/rapid7" /opt/rapid7 &&
		    mount -t tmpfs none /run || exit 90
		if [ "$mode" = no-ssd ]; then
			mount -t tmpfs none /usr/sbin || exit 90
		fi
		S=$root/etc/init.d/$3
		# left: what runs in this namespace besides this shell, its
		# subshells and the pgrep and grep that look.
		left() {
			pgrep -a . | grep -v -E "^[0-9]+ (bash -c|pgrep|grep)"
		}
		'"$body" ns "$root" "$mode" "$4"
}

R=$(newroot)
mkdir -p "$R/etc/init.d"
engine_answers console-to-engine > "$WORK/e.txt"
run 0 --silent --answers "$WORK/e.txt" --root "$R"
exists "$R/etc/init.d/nexposeengine"
RCON=$(newroot)
mkdir -p "$RCON/etc/init.d"
console_answers
run 0 --silent --answers "$WORK/console.txt" --root "$RCON"
exists "$RCON/etc/init.d/nexposeconsole"

# start_stop ROOT SERVICE MODE: start, see it run as one process with no
# child, stop, and see nothing left.
start_stop() {
	local root=$1 svc=$2 mode=$3
	TESTS_RUN=$((TESTS_RUN + 1))
	OUT=$(in_ns "$root" "$mode" '
		sh "$S" start >/dev/null || { echo "start failed"; exit 1; }
		for _ in $(seq 100); do
			pid=$(cat /run/$3.pid 2>/dev/null)
			[ -n "$pid" ] && [ -n "$(left)" ] && break
			sleep 0.05
		done
		sh "$S" status >/dev/null || { echo "status: not running"; exit 1; }
		kids=$(pgrep -a -P "$pid")
		[ -z "$kids" ] || echo "the service has children: $kids"
		sh "$S" stop >/dev/null || { echo "stop failed"; exit 1; }
		sleep 0.2
		l=$(left)
		[ -z "$l" ] || { echo "left after stop: $l"; exit 1; }
		[ -z "$kids" ]
	' "$svc" 2>&1) || fail "$svc ($mode): $OUT"
}
for mode in ssd no-ssd; do
	if [ "$mode" = ssd ] && ! command -v start-stop-daemon >/dev/null; then
		continue
	fi
	start_stop "$R" nexposeengine "$mode"
	start_stop "$RCON" nexposeconsole "$mode"
done

# Whatever stops the service, even SIGKILL (the SysV stop's last resort
# after 60 s of TERM), and however soon after the start: nothing is left.
TESTS_RUN=$((TESTS_RUN + 1))
OUT=$(in_ns "$R" no-ssd '
	for i in $(seq 20); do
		sh "$S" start >/dev/null
		[ $((i % 2)) -eq 0 ] && sleep 0.0$i
		sh "$S" stop >/dev/null
	done
	sleep 0.2
	l=$(left)
	[ -z "$l" ] || { echo "left after quick start and stop: $l"; exit 1; }
	sh "$S" start >/dev/null
	for _ in $(seq 100); do
		[ -n "$(left)" ] && break
		sleep 0.05
	done
	kill -KILL "$(cat /run/$3.pid)"
	sleep 0.2
	l=$(left)
	[ -z "$l" ] || { echo "left after SIGKILL: $l"; exit 1; }
' nexposeengine 2>&1) || fail "quick stops and SIGKILL: $OUT"
finish
