#!/usr/bin/env bash
# Service definitions: the systemd unit passes systemd-analyze verify; a
# root without systemd gets a SysV init script with rc links.
. "$(dirname "$0")/lib.sh"

engine_answers > "$WORK/e.txt"
R=$(newroot)
run 0 --silent --answers "$WORK/e.txt" --root "$R"
U=$R/etc/systemd/system/nexposeengine.service
# verify --root needs the root to hold systemd's own units
# (sysinit.target ...): lend it the host's, as an image would have them.
if command -v systemd-analyze >/dev/null && [ -d /lib/systemd/system ]; then
	mkdir -p "$R/usr/lib/systemd"
	cp -r /lib/systemd/system "$R/usr/lib/systemd/"
	TESTS_RUN=$((TESTS_RUN + 1))
	if ! v=$(systemd-analyze verify --root="$R" /etc/systemd/system/nexposeengine.service 2>&1) ||
	    grep -q nexposeengine <<<"$v"; then
		fail "systemd-analyze verify: $v"
	fi
fi
if command -v systemctl >/dev/null; then
	TESTS_RUN=$((TESTS_RUN + 1))
	st=$(systemctl --root="$R" is-enabled nexposeengine.service 2>&1)
	[ "$st" = enabled ] || fail "systemctl --root is-enabled says '$st'"
fi

# SysV: a root that has /etc/init.d and no systemd.
R=$(newroot)
mkdir -p "$R/etc/init.d"
run 0 --silent --answers "$WORK/e.txt" --root "$R"
S=$R/etc/init.d/nexposeengine
exists "$S"
mode_is "$S" 755
file_has "$S" "### BEGIN INIT INFO"
file_has "$S" "/opt/rapid7/nexpose/nse/nseserv"
check "rc2 start link" test "$(readlink "$R/etc/rc2.d/S20nexposeengine")" = ../init.d/nexposeengine
check "rc0 kill link" test "$(readlink "$R/etc/rc0.d/K20nexposeengine")" = ../init.d/nexposeengine
missing "$R/etc/systemd/system/nexposeengine.service"
check "init script is valid sh" sh -n "$S"
run 0 uninstall --silent --root "$R"
missing "$S"
missing "$R/etc/rc2.d/S20nexposeengine"
finish
