#!/usr/bin/env bash
# The requirements check and --check: results with values and thresholds,
# the VM warning, a busy engine port, a folder that holds other files.
. "$(dirname "$0")/lib.sh"

R=$(newroot)
engine_answers console-to-engine > "$WORK/e.txt"
ES_FAKE_HYPERVISOR=kvm run 0 --check --silent --answers "$WORK/e.txt" --root "$R"
out_has "[Warn] Virtual machine"
out_has "Reserve, do not share, memory"
out_has "[Pass] Operating system"
out_has "Plan (nothing was changed)"
out_has "communication = console-to-engine"
check "--check changes nothing" test -z "$(ls -A "$R")"
ES_FAKE_HYPERVISOR= run 0 --check --silent --answers "$WORK/e.txt" --root "$R"
out_has "[Pass] Virtual machine"

# --check without --silent works too, and checks the answers.
run 2 --check --answers "$WORK/e.txt" --set engine_port=0 --root "$R"
out_has "engine_port"

# A port that something holds: under --root the installation runs on
# another machine or image, so it is a warning there (a Fail on a real
# host is covered by tests/unit/test_requirements.c).
if command -v python3 >/dev/null; then
	port_file=$WORK/port
	python3 -c '
import socket, sys, time
s = socket.socket(); s.bind(("0.0.0.0", 0)); s.listen(1)
with open(sys.argv[1], "w") as f: f.write(str(s.getsockname()[1]))
time.sleep(30)' "$port_file" &
	holder=$!
	for _ in $(seq 50); do [ -s "$port_file" ] && break; sleep 0.1; done
	port=$(cat "$port_file")
	run 0 --check --silent --answers "$WORK/e.txt" --set engine_port="$port" --root "$R"
	out_has "[Warn] Engine port"
	out_has "TCP port $port is in use"
	check "--check changes nothing" test -z "$(ls -A "$R")"
	kill $holder 2>/dev/null
	wait $holder 2>/dev/null
fi

# install_dir holding files of something else is not installed over.
mkdir -p "$R/opt/rapid7/nexpose"
echo precious > "$R/opt/rapid7/nexpose/data.txt"
run 3 --silent --answers "$WORK/e.txt" --root "$R"
out_has "holds files that no engine-setup installation put there"
check "the other files are untouched" test "$(cat "$R/opt/rapid7/nexpose/data.txt")" = precious

# An empty install_dir made beforehand is fine.
R=$(newroot)
mkdir -p "$R/opt/rapid7/nexpose"
run 0 --silent --answers "$WORK/e.txt" --root "$R"
exists "$R/opt/rapid7/nexpose/nse/conf/nse.xml"
# An install folder on a file system mounted noexec: the engine could not
# start from it. Under --root (the files run elsewhere later) a warning;
# on the host a requirement not met (exit 3, nothing written). Needs a
# tmpfs mount, so root.
NX=$WORK/noexec
mkdir -p "$NX"
if [ "$(id -u)" -eq 0 ] && mount -t tmpfs -o size=1g,noexec tmpfs "$NX" 2>/dev/null; then
	on_exit "umount '$NX' 2>/dev/null"
	mkdir "$NX/root"
	run 0 --silent --answers "$WORK/e.txt" --root "$NX/root"
	out_has "[Warn] Programs may run"
	out_has "no: the file system at $NX is mounted noexec"
	out_has "Make sure the file system the installation in $NX/root runs from later is not mounted noexec"
	exists "$NX/root/opt/rapid7/nexpose/nse/conf/nse.xml"
	run 3 --check --silent --answers "$WORK/e.txt" --set install_dir="$NX/opt/nexpose"
	out_has "[Fail] Programs may run"
	out_has "the Scan Engine could not start from $NX/opt/nexpose"
	out_has "mount -o remount,exec $NX"
	out_has "requirement(s) not met"
	missing "$NX/opt"
	umount "$NX"
	R=$(newroot)
	run 0 --check --silent --answers "$WORK/e.txt" --root "$R"
	out_has "[Pass] Programs may run"
else
	echo "skipped the noexec checks: mounting a tmpfs needs root"
fi
finish
