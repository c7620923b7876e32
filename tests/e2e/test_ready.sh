#!/usr/bin/env bash
# Issue 12, §2: ready, not just started. The manifest says how the engine
# shows it is ready (a line in nse/logs/nse.log after its last start line,
# and for Console-to-Engine its port accepting connections); the install
# record keeps it; `status --wait-ready` and `install --wait-ready` wait for
# it. The sample engine (tools/sample-service, the payload's nse/nseserv)
# writes the line after ENGINE_SETUP_SAMPLE_START_DELAY seconds and listens.
#
# Without a service manager (--root) the wait fails at once, saying why.
# With one, each run is in its own PID and mount namespace (unshare(1), as
# root, as test_sample_service.sh does): the init script engine-setup
# wrote starts the service, and engine-setup runs there against "/", whose
# engine folders, state folder and init scripts are tmpfs or the --root
# install's, so the host's are not touched.
. "$(dirname "$0")/lib.sh"

# A port of its own, so that parallel tests do not meet (the namespaces
# share the host's network).
PORT=$((42000 + RANDOM % 7000))
engine_answers console-to-engine > "$WORK/e.txt"
echo "engine_port = $PORT" >> "$WORK/e.txt"

# ---- No service manager for this root: it cannot become ready ----
R=$(newroot)
mkdir -p "$R/etc/init.d"
T0=$SECONDS
run 6 --silent --answers "$WORK/e.txt" --root "$R" --wait-ready=20
check "install --wait-ready without a service manager fails at once" \
    test $((SECONDS - T0)) -lt 10
out_has "the Scan Engine cannot become ready: service nexposeengine (installed, not started) is not running and no service manager runs for this root"
out_has "/etc/init.d/nexposeengine start"
out_has "The installation stays."
I=$R/opt/rapid7/nexpose
file_has "$I/.install/record" "ready_log nse/logs/nse.log"
file_has "$I/.install/record" "ready_start Scan Engine starting"
file_has "$I/.install/record" "ready_line Scan Engine initialization completed"
file_has "$I/.install/record" "ready_port $PORT"
exists "$I/nse/nseserv"
T0=$SECONDS
run 10 status --root "$R" --wait-ready=20
check "status --wait-ready without a service manager fails at once" \
    test $((SECONDS - T0)) -lt 10
out_has "Problem:      The Scan Engine cannot become ready: service nexposeengine (installed, not started) is not running"
out_has "Ready:        no ("
# Without --wait-ready: the fact, and no problem for it.
run 0 status --root "$R"
out_has "Ready:        no (service nexposeengine (installed, not started) is not running"
run 2 uninstall --root "$R" --wait-ready
out_has "--wait-ready belongs to install and status only"
run 2 status --root "$R" --wait-ready 30
out_has "'30' after --wait-ready: give the seconds with '=', as --wait-ready=30; nothing was done."
run 2 status --root "$R" --wait-ready=soon
out_has "--wait-ready=soon: expected a number of seconds"

# Engine-to-Console: no port to wait for, only the log line.
R2=$(newroot)
engine_answers > "$WORK/e2c.txt"
run 0 --silent --answers "$WORK/e2c.txt" --root "$R2"
file_has "$R2/opt/rapid7/nexpose/.install/record" "ready_line Scan Engine initialization completed"
file_lacks "$R2/opt/rapid7/nexpose/.install/record" "ready_port"

# A record from before these lines: readiness cannot be told.
R3=$(newroot)
run 0 --silent --answers "$WORK/e2c.txt" --root "$R3"
sed -i '/^ready_/d' "$R3/opt/rapid7/nexpose/.install/record"
# (Exit 10 for the Engine-to-Console engine that is paired with no
# console, not for readiness: docs/status.md.)
run 10 status --root "$R3"
out_has "[not-paired]"
out_lacks "[not-ready]"
out_has "Ready:        cannot be told (the installation's record does not say how the Scan Engine shows it is ready"
run 10 status --root "$R3" --wait-ready=5
out_has "Whether the Scan Engine is ready cannot be told"

# The sample program on its own: the start line, the ready line after the
# delay, the port, and a clean stop on TERM.
TESTS_RUN=$((TESTS_RUN + 1))
LOG=$I/nse/logs/nse.log
rm -f "$LOG"
ENGINE_SETUP_SAMPLE_START_DELAY=1 "$I/nse/nseserv" >/dev/null &
PID=$!
sleep 0.5
grep -q "Scan Engine starting (process $PID)" "$LOG" 2>/dev/null ||
    fail "no start line in nse.log: $(cat "$LOG" 2>&1)"
grep -q "initialization completed" "$LOG" &&
    fail "the ready line came before the delay"
for _ in $(seq 40); do
	grep -q "initialization completed" "$LOG" && break
	sleep 0.1
done
check "the sample engine writes its ready line" \
    grep -qE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z \[INFO\] Scan Engine initialization completed$' "$LOG"
check "the sample engine listens on its port" \
    timeout 5 bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT"
kill -TERM "$PID"
wait "$PID"
check "the sample engine exits 0 on TERM" test $? -eq 0
check "it says it stopped" grep -q "Scan Engine stopped" "$LOG"

# ---- With a service manager (SysV, in namespaces) ----
if [ "$(id -u)" -ne 0 ] ||
    ! unshare --mount --pid --fork --mount-proc true 2>/dev/null; then
	echo "skipped the service manager part: needs root and unshare(1)"
	[ "${CI:-}" = true ] && fail "CI must run the namespace part"
	finish
fi
for d in /etc/init.d /etc/rc0.d /etc/rc1.d /etc/rc2.d /etc/rc3.d \
    /etc/rc4.d /etc/rc5.d /etc/rc6.d /opt /var/lib /run; do
	if [ ! -d "$d" ]; then
		echo "skipped the service manager part: no $d to hide"
		finish
	fi
done

# in_ns ROOT SCRIPT: run the bash SCRIPT in fresh PID and mount namespaces
# where the host's /opt, /run, /var/lib, /usr/local/sbin, /etc/init.d and
# /etc/rc?.d are empty tmpfs, except that with ROOT (not "-") ROOT's
# /opt/rapid7, /var/lib/engine-setup and /etc/init.d are there instead.
# ES_INIT_SYSTEM=sysv: the init scripts are the service manager.
in_ns() {
	unshare --mount --pid --fork --mount-proc bash -c '
		set -u
		root=$1
		for d in /opt /run /var/lib /etc/init.d /etc/rc0.d /etc/rc1.d \
		    /etc/rc2.d /etc/rc3.d /etc/rc4.d /etc/rc5.d /etc/rc6.d; do
			mount -t tmpfs none "$d" || exit 90
		done
		if [ -d /usr/local/sbin ]; then
			mount -t tmpfs none /usr/local/sbin || exit 90
		fi
		mkdir -p /opt/rapid7 /var/lib/engine-setup
		if [ "$root" != - ]; then
			mount --bind "$root/opt/rapid7" /opt/rapid7 &&
			    mount --bind "$root/var/lib/engine-setup" \
			    /var/lib/engine-setup &&
			    mount --bind "$root/etc/init.d" /etc/init.d || exit 90
		fi
		export ES_INIT_SYSTEM=sysv
		S=/etc/init.d/nexposeengine
		'"$2" ns "$1" "$ES_BIN" "$WORK" "$PORT"
}

# The --root install, its service started by its init script: status
# --wait-ready waits for the line and the port, then exits 0.
TESTS_RUN=$((TESTS_RUN + 1))
OUT=$(in_ns "$R" '
	es=$2 port=$4
	rm -f /opt/rapid7/nexpose/nse/logs/nse.log
	ENGINE_SETUP_SAMPLE_START_DELAY=2 sh "$S" start >/dev/null ||
	    { echo "start failed"; exit 1; }
	"$es" status --wait-ready=20; rc=$?
	echo "status exit $rc"
	grep -q "Scan Engine initialization completed" \
	    /opt/rapid7/nexpose/nse/logs/nse.log || echo "no ready line"
	exec 3<>/dev/tcp/127.0.0.1/$port || echo "port closed"
	exec 3<&-
	sh "$S" stop >/dev/null
	"$es" status --wait-ready=5; echo "stopped: status exit $?"
	"$es" status --json > /tmp/stopped.json; echo "json: status exit $?"
	python3 -c "import json; o = json.load(open(\"/tmp/stopped.json\")); print(\"codes:\", [p[\"code\"] for p in o[\"problems\"]], \"ready:\", o[\"ready\"])"
' 2>&1) || fail "status --wait-ready in the namespace: $OUT"
out_has "Waiting for the Scan Engine to be ready: 0 s of 20 s ..."
out_has "Ready:        yes (the Scan Engine is ready)"
out_has "status exit 0"
out_lacks "no ready line"
out_lacks "port closed"
# Stopped: not running, so it cannot become ready, at once.
out_has "Problem:      The Scan Engine cannot become ready: service nexposeengine (inactive) is not running, so it cannot become ready; start it with \`/etc/init.d/nexposeengine start\`."
out_has "stopped: status exit 10"
# Without --wait-ready, the stopped service of a host where a service
# manager runs is the problem service-not-running (docs/status.md), and
# the JSON says it is not ready.
out_has "json: status exit 10"
out_has "codes: ['service-not-running'] ready: False"

# A long start-up: status --wait-ready=2 gives up after 2 s with
# not-ready (exit 10), saying what is missing.
TESTS_RUN=$((TESTS_RUN + 1))
OUT=$(in_ns "$R" '
	es=$2
	ENGINE_SETUP_SAMPLE_START_DELAY=60 sh "$S" start >/dev/null ||
	    { echo "start failed"; exit 1; }
	t0=$SECONDS
	"$es" status --wait-ready=2; rc=$?
	echo "status exit $rc after $((SECONDS - t0)) s"
	timeout --preserve-status -s INT 2 "$es" status --wait-ready=30 >/dev/null
	echo "interrupted: status exit $?"
	sh "$S" stop >/dev/null
' 2>&1) || fail "status --wait-ready=2 in the namespace: $OUT"
# Ctrl-C (SIGINT) during the wait: the contract's 5, cancelled.
out_has "interrupted: status exit 5"
out_has "Problem:      The Scan Engine is not ready after 2 s: the line \"Scan Engine initialization completed\" is not yet in nse/logs/nse.log since the service's last start."
out_has "Ready:        no ("
out_has "status exit 10 after"
TESTS_RUN=$((TESTS_RUN + 1))
[[ $OUT =~ status\ exit\ 10\ after\ ([0-9]+)\ s ]] &&
    [ "${BASH_REMATCH[1]}" -ge 2 ] && [ "${BASH_REMATCH[1]}" -le 6 ] ||
    fail "status --wait-ready=2 took another time: $OUT"

# install --wait-ready on the live root of a namespace: the install starts
# the service and waits: exit 0 once ready; with a long start-up, exit 6
# after the wait and the installation stays.
TESTS_RUN=$((TESTS_RUN + 1))
OUT=$(in_ns - '
	es=$2 work=$3
	ENGINE_SETUP_SAMPLE_START_DELAY=1 "$es" --silent \
	    --answers "$work/e.txt" --wait-ready=20; echo "install exit $?"
	"$es" status >/dev/null; echo "status exit $?"
	sh "$S" stop >/dev/null
	"$es" uninstall --silent >/dev/null; echo "uninstall exit $?"
	# Uninstall keeps the logs (docs/install-record.md).
	test -f /opt/rapid7/nexpose/nse/logs/nse.log && echo "log kept"
	rm -rf /opt/rapid7/nexpose
	ENGINE_SETUP_SAMPLE_START_DELAY=60 "$es" --silent \
	    --answers "$work/e.txt" --wait-ready=2; echo "slow install exit $?"
	test -f /opt/rapid7/nexpose/.install/record && echo "record stays"
	"$es" status | grep "^Service:"
	sh "$S" stop >/dev/null
' 2>&1) || fail "install --wait-ready in the namespace: $OUT"
out_has "The Scan Engine is ready."
out_has "install exit 0"
out_has "status exit 0"
out_has "uninstall exit 0"
out_has "log kept"
out_has "Waiting for the Scan Engine to be ready: 0 s of 2 s ..."
out_has "the Scan Engine is not ready after 2 s: the line \"Scan Engine initialization completed\" is not yet in nse/logs/nse.log since the service's last start. The installation stays; see whether it becomes ready with \`engine-setup status --wait-ready\`."
out_has "slow install exit 6"
out_has "record stays"
out_has "Service:      nexposeengine: active"
finish
