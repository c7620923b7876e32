#!/usr/bin/env bash
# The seed's whole procedure on one machine (issue 13): docs/walkthrough.md,
# run. THIS TEST RUNS THE WALKTHROUGH'S COMMANDS IN THE WALKTHROUGH'S ORDER,
# so that the document cannot rot unnoticed: change one, change the other.
# (Besides them it only looks: files, nse.log's lines, status --json.)
#
# Standard (Console-to-Engine): install under --root, start the sample
# engine by hand, the test console (the Security Console) adds it (New
# Engine): Pending Authorization; consoles.xml has the console, enabled="0",
# with its certificate; status says pending-authorization (exit 10);
# `consoles enable 127.0.0.1 --restart` cannot restart under --root and says
# so; restart by hand; Refresh: Active; status exit 0. Then the other
# states: a console of another major.minor (Incompatible), the engine
# stopped (Down), a listener that never answers (Unknown, within
# --refresh-timeout).
# Reverse (Engine-to-Console): install with pairing answers against the test
# console, start the engine; within one check-in interval Refresh shows
# Active and status the last check-in; stop the engine: after two intervals,
# Unknown.
#
# Each step's command and output go to a transcript ($WORK/transcript, or
# the file ES_WALKTHROUGH_TRANSCRIPT names), the material of the document.
. "$(dirname "$0")/lib.sh"

: "${TEST_CONSOLE:?TEST_CONSOLE must name the test console binary}"
SECRET=ABCD-1234-EFGH-5678-IJKL-9012-MNOP-3456
D=opt/rapid7/nexpose
TRANSCRIPT=$WORK/transcript
: > "$TRANSCRIPT"

ENGINE_PID=
engine_kill() {
	[ -n "$ENGINE_PID" ] || return 0
	kill -TERM "$ENGINE_PID" 2>/dev/null
	wait "$ENGINE_PID" 2>/dev/null
	ENGINE_PID=
}
on_exit stop_consoles
on_exit engine_kill
on_exit '[ "$TESTS_FAILED" -eq 0 ] || { echo "--- transcript:"; cat "$TRANSCRIPT"; } >&2'
on_exit '[ -z "${ES_WALKTHROUGH_TRANSCRIPT:-}" ] || cp "$TRANSCRIPT" "$ES_WALKTHROUGH_TRANSCRIPT"'

# note TEXT: a line of the transcript (what happens between commands).
note() { printf '# %s\n' "$*" >> "$TRANSCRIPT"; }
es() { step "$1" "$ES_BIN" "${@:2}"; }

# engine_start ROOT [VAR=VALUE...]: start ROOT's sample engine by hand, as
# the walkthrough does (in the background, no start-up delay), and wait
# until its log says it is initialized.
engine_start() {
	local root=$1 log=$1/$D/nse/logs/nse.log n i
	shift
	n=$(grep -c 'initialization completed' "$log" 2>/dev/null)
	printf '$ ENGINE_SETUP_SAMPLE_START_DELAY=0 %s%s/%s/nse/nseserv &\n' "${*:+$* }" "$root" "$D" >> "$TRANSCRIPT"
	env ENGINE_SETUP_SAMPLE_START_DELAY=0 "$@" "$root/$D/nse/nseserv" \
	    >> "$WORK/engine.out" 2>&1 &
	ENGINE_PID=$!
	for ((i = 0; i < 200; i++)); do
		[ "$(grep -c 'initialization completed' "$log" 2>/dev/null)" -gt "${n:-0}" ] &&
		    return 0
		sleep 0.05
	done
	fail "the engine in $root did not start in 10 s: $(cat "$WORK/engine.out")"
}
# engine_stop: TERM, as a service manager stops it; it exits 0.
engine_stop() {
	local rc
	printf '$ kill %%1    # SIGTERM\n' >> "$TRANSCRIPT"
	kill -TERM "$ENGINE_PID"
	wait "$ENGINE_PID"
	rc=$?
	ENGINE_PID=
	check "the engine stops on TERM with exit 0 (got $rc)" test "$rc" -eq 0
}

# ======== Standard pairing (Console-to-Engine) ========
note "Standard pairing (Console-to-Engine)"
R=$(newroot)
EP=$(free_port)
X=$R/$D/nse/conf/consoles.xml
engine_answers console-to-engine > "$WORK/standard.txt"
echo "engine_port = $EP" >> "$WORK/standard.txt"
es 0 --silent --answers "$WORK/standard.txt" --root "$R"
out_has "Installed"
engine_start "$R"
file_has "$R/$D/nse/logs/nse.log" "Scan Engine initialization completed"

console std --control "$WORK/std.ctl" --refresh-timeout 1 --lifetime 600
STD_SPKI=$SPKI
note "New Engine"
tc 0 add-engine "127.0.0.1:$EP" --control "$WORK/std.ctl"
console_shows "127.0.0.1:$EP" "Pending Authorization" red
file_has "$R/$D/nse/logs/nse.log" "Refresh from console console-test-1 at 127.0.0.1: pending-authorization (added to consoles.xml as console 1)"
note "consoles.xml on the engine"
step 0 cat "$X"
out_has 'enabled="0"'
out_has 'connectTo="0"'
out_has 'lastAddress="127.0.0.1"'
out_has "port=\"$EP\""
out_has 'consoleId="console-test-1"'
out_has "spki=\"$STD_SPKI\""
out_has '<cert>-----BEGIN CERTIFICATE-----'
es 10 status --root "$R"
out_has "$(printf '1  disabled  console-to-engine  Test Console  127.0.0.1:%s' "$EP")"
out_has "is Pending Authorization"
out_has "[console-pending-authorization]"
es 10 status --json --root "$R"
out_has '"state":"pending-authorization"'
es 0 consoles list --root "$R"
out_has "$(printf '1\tdisabled\tconsole-to-engine\tTest Console\t127.0.0.1\t%s' "$EP")"

note "Enable the console on the engine, restart the engine"
es 0 consoles enable 127.0.0.1 --root "$R" --restart
out_has "Enabled console 1 (Test Console, 127.0.0.1)."
out_has "Not restarted: no running service manager for this --root."
file_has "$X" 'enabled="1"'
# Not restarted yet: the engine still answers as it started.
tc 0 refresh "127.0.0.1:$EP" --control "$WORK/std.ctl"
console_shows "127.0.0.1:$EP" "Pending Authorization" red
engine_stop
engine_start "$R"
note "Refresh"
tc 0 refresh "127.0.0.1:$EP" --control "$WORK/std.ctl"
console_shows "127.0.0.1:$EP" Active green
file_has "$R/$D/nse/logs/nse.log" "Refresh from console console-test-1 at 127.0.0.1: active"
es 0 status --root "$R"
out_has "$(printf '1  enabled  console-to-engine  Test Console  127.0.0.1:%s' "$EP")"
out_lacks "pending-authorization"

# ---- The other states.
note "A console of another version (8.0.0): Incompatible"
console old --control "$WORK/old.ctl" --version 8.0.0 --console-id console-old \
    --console-name "Old Console" --refresh-timeout 1 --lifetime 600
tc 0 add-engine "127.0.0.1:$EP" --control "$WORK/old.ctl"
console_shows "127.0.0.1:$EP" "Pending Authorization" red
es 0 consoles list --root "$R"
old_id=$(awk -F'\t' '$2 == "disabled" && $4 == "Old Console" { print $1 }' <<<"$OUT")
check "the second console is in consoles.xml" test -n "$old_id"
es 0 consoles enable "${old_id:-2}" --root "$R"
out_has "Restart the Scan Engine where it runs so the change takes effect (restart the nexposeengine service there; under --root engine-setup cannot), then Refresh the engine in the console."
engine_stop
engine_start "$R"
tc 0 refresh --control "$WORK/old.ctl"
console_shows "127.0.0.1:$EP" Incompatible red
file_has "$R/$D/nse/logs/nse.log" "Refresh from console console-old at 127.0.0.1: incompatible (console 8.0.0)"
tc 0 refresh --control "$WORK/std.ctl"
console_shows "127.0.0.1:$EP" Active green

note "The engine stopped: Down"
engine_stop
tc 0 refresh "127.0.0.1:$EP" --control "$WORK/std.ctl"
console_shows "127.0.0.1:$EP" Down red

note "A listener that accepts and never answers: Unknown"
console silent --fail never_answer --lifetime 600
start=$(date +%s)
tc 0 add-engine "127.0.0.1:$PORT" --control "$WORK/std.ctl"
console_shows "127.0.0.1:$PORT" Unknown orange
check "Unknown within --refresh-timeout (1 s, and slack)" \
    test $(($(date +%s) - start)) -lt 5
tc 0 engines --control "$WORK/std.ctl"
check "engines lists both engines" test "$(grep -c . <<<"$OUT")" -eq 2

# ======== Reverse pairing (Engine-to-Console) ========
note "Reverse pairing (Engine-to-Console)"
console rev --control "$WORK/rev.ctl" --secret "$SECRET" --checkin-interval 1 \
    --lifetime 600
REV_PORT=$PORT
REV_SPKI=$SPKI
printf '%s\n' "$SECRET" > "$WORK/secret"
chmod 600 "$WORK/secret"
R2=$(newroot)
paired_answers "$REV_PORT" "$WORK/secret" > "$WORK/reverse.txt"
es 0 --silent --answers "$WORK/reverse.txt" --root "$R2"
out_has "Paired with the console Test Console"
out_has "$REV_SPKI"
engine_id=$(awk '/^engine_id/ { print $2 }' "$R2/$D/.install/record")
check "the record has an engine id" test -n "$engine_id"
tc 0 engines --control "$WORK/rev.ctl"
console_shows "$engine_id" Down red
engine_start "$R2" ENGINE_CHECKIN_INTERVAL=1
# Within one interval (1 s, and slack for a slow build) it has checked in.
for ((i = 0; i < 40; i++)); do
	grep -q "Check-in to console 1 at 127.0.0.1 port $REV_PORT: active" \
	    "$R2/$D/nse/logs/nse.log" && break
	sleep 0.05
done
file_has "$R2/$D/nse/logs/nse.log" "[INFO] Check-in to console 1 at 127.0.0.1 port $REV_PORT: active"
note "Refresh"
tc 0 refresh "$engine_id" --control "$WORK/rev.ctl"
console_shows "$engine_id" Active green
es 0 status --root "$R2"
out_has "last check-in"
out_has "UTC: active"
es 0 status --json --root "$R2"
out_has '"last_checkin":{"at":'
out_has '"result":"active"'

note "The engine stopped: after two intervals, Unknown"
engine_stop
# The document's step: wait two intervals of 1 s (and slack) first.
printf '$ sleep 3    # two intervals of 1 s, and slack\n' >> "$TRANSCRIPT"
sleep 3
tc 0 refresh "$engine_id" --control "$WORK/rev.ctl"
console_shows "$engine_id" Unknown orange
finish
