#!/usr/bin/env bash
# Issue 13 on Windows (under wine): the seed's whole procedure
# (docs/walkthrough.md) with the engine as a Windows service, the test
# console (a Linux program on this machine's loopback) as the Security
# Console.
# Standard: a Console-to-Engine install starts the service; New Engine:
# Pending Authorization, consoles.xml has the console with enabled="0" and
# its certificate, status exit 10; `consoles enable 127.0.0.1 --restart`
# restarts the service through the SCM; Refresh: Active; the service
# stopped: Down.
# Reverse: an Engine-to-Console install paired with the test console; the
# check-in interval (1 s) in the file sample-checkin-interval beside
# nseserv.exe, as a service gets it; started through the SCM, the engine
# checks in: Refresh shows Active and status the last check-in; stopped,
# after two intervals: Unknown.
. "$(dirname "$0")/lib_wine.sh"
: "${TEST_CONSOLE:?TEST_CONSOLE must name the test console binary}"
wine_prefix
on_exit stop_consoles

S=nexposeengine
LOG=$INSTALL/nse/logs/nse.log
X=$INSTALL/nse/conf/consoles.xml
# ready_count: how many starts the engine's log has seen completed.
ready_count() { grep -c 'initialization completed' "$LOG" 2>/dev/null; }
# wait_ready_after N: until the log has more than N completed starts.
wait_ready_after() {
	local i
	for ((i = 0; i < 240; i++)); do
		[ "$(ready_count)" -gt "$1" ] && return 0
		sleep 0.25
	done
	return 1
}

# ---- Standard pairing (Console-to-Engine).
EP=$(free_port)
engine_answers console-to-engine > "$WORK/standard.txt"
printf 'engine_port = %s\nstart_service = yes\n' "$EP" >> "$WORK/standard.txt"
run 0 --silent --answers "$(winpath "$WORK/standard.txt")" --wait-ready=60
out_has "The Scan Engine is ready."
check "the service runs" wait_state "$S" RUNNING
console std --control "$WORK/std.ctl" --refresh-timeout 2 --lifetime 600
tc 0 add-engine "127.0.0.1:$EP" --control "$WORK/std.ctl"
console_shows "127.0.0.1:$EP" "Pending Authorization" red
file_has "$X" 'enabled="0"'
file_has "$X" 'lastAddress="127.0.0.1"'
file_has "$X" "spki=\"$SPKI\""
file_has "$X" '<cert>-----BEGIN CERTIFICATE-----'
run 10 status
out_has "[console-pending-authorization]"
n=$(ready_count)
run 0 consoles enable 127.0.0.1 --restart
out_has "Enabled console 1 (Test Console, 127.0.0.1)."
out_has "Restarted $S: the change is in effect."
check "the restarted engine is ready" wait_ready_after "$n"
tc 0 refresh "127.0.0.1:$EP" --control "$WORK/std.ctl"
console_shows "127.0.0.1:$EP" Active green
file_has "$LOG" "Refresh from console console-test-1 at 127.0.0.1: active"
run 0 status
out_lacks "pending-authorization"
wine sc stop "$S" >/dev/null 2>&1
check "the service stops" wait_state "$S" STOPPED
tc 0 refresh "127.0.0.1:$EP" --control "$WORK/std.ctl"
console_shows "127.0.0.1:$EP" Down red
run 0 uninstall --silent
check "the service is gone" test "$(service_state "$S")" = none

# ---- Reverse pairing (Engine-to-Console).
SECRET=ABCD-1234-EFGH-5678-IJKL-9012-MNOP-3456
printf '%s\n' "$SECRET" > "$WORK/secret"
chmod 600 "$WORK/secret"
console rev --control "$WORK/rev.ctl" --secret "$SECRET" --checkin-interval 1 \
    --lifetime 600
{
	paired_answers "$PORT" "$(winpath "$WORK/secret")"
	echo "start_service = no"
} > "$WORK/reverse.txt"
run 0 --silent --answers "$(winpath "$WORK/reverse.txt")"
out_has "Paired with the console Test Console"
engine_id=$(sed -n 's/^engine_id //p' "$INSTALL/.install/record")
check "the record has an engine id" test -n "$engine_id"
# What a service cannot be given in its environment, beside the program.
printf '1\n' > "$INSTALL/nse/sample-checkin-interval"
printf '0\n' > "$INSTALL/nse/sample-start-delay"
# Started as the SCM would: the identity service, then the engine's (wine's
# SCM does not start dependencies; test_win_identity.sh).
wine sc start "$S-identity" >/dev/null 2>&1
check "$S-identity ran and stopped" wait_state "$S-identity" STOPPED
wine sc start "$S" >/dev/null 2>&1
check "the service runs" wait_state "$S" RUNNING
for ((i = 0; i < 40; i++)); do
	grep -q "Check-in to console 1 at 127.0.0.1 port $PORT: active" "$LOG" &&
	    break
	sleep 0.1
done
file_has "$LOG" "[INFO] Check-in to console 1 at 127.0.0.1 port $PORT: active"
tc 0 refresh "${engine_id:-none}" --control "$WORK/rev.ctl"
console_shows "${engine_id:-none}" Active green
run 0 status
out_has "UTC: active"
wine sc stop "$S" >/dev/null 2>&1
check "the service stops" wait_state "$S" STOPPED
sleep 2.5
tc 0 refresh "${engine_id:-none}" --control "$WORK/rev.ctl"
console_shows "${engine_id:-none}" Unknown orange
finish
