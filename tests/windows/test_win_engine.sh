#!/usr/bin/env bash
# Issue 13, part 1: the sample engine as the Windows service (under wine)
# speaks engine-protocol.md as the Linux program does
# (tests/e2e/test_sample_engine.sh tests it in full): a console's Refresh
# over TLS adds it to consoles.xml (403 pending-authorization), `consoles
# enable` and a restart through the SCM make it 200 active; a check-in to
# an Engine-to-Console console (tests/e2e/tools/checkin_console.py) with
# the interval from the file sample-checkin-interval beside the program;
# the SCM's stop ends the service at once.
. "$(dirname "$0")/lib_wine.sh"
wine_prefix

need_tools openssl curl python3

P=$(free_port)
engine_answers console-to-engine > "$WORK/engine.txt"
printf 'engine_port = %s\nstart_service = yes\n' "$P" >> "$WORK/engine.txt"
run 0 --silent --answers "$(winpath "$WORK/engine.txt")" --wait-ready=60
N=$INSTALL/nse
X=$N/conf/consoles.xml
LOG=$N/logs/nse.log
ENGINE_ID=$(sed -n 's/.*<Engine id="\([^"]*\)".*/\1/p' "$N/conf/nse.xml")
check "the engine service is running" wait_state nexposeengine RUNNING

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$WORK/ck.pem" -out "$WORK/cc.pem" -days 2 -subj /CN=console \
    2>/dev/null
SPKI=$(spki_of "$WORK/cc.pem")
B='{"protocol": 1, "console_id": "c-1", "console_name": "Main", "console_version": "7.3.2"}'
refresh() {
	CODE=$(curl -sk --max-time 20 --cert "$WORK/cc.pem" --key "$WORK/ck.pem" \
	    -o "$WORK/answer" -w '%{http_code}' --data-binary "$B" \
	    "https://127.0.0.1:$P/engine/v1/refresh")
	ANSWER=$(cat "$WORK/answer" 2>/dev/null)
}
# restart: the SCM stops the service (at once) and starts it again.
restart() {
	local t0 ms
	t0=$(date +%s%N)
	wine sc stop nexposeengine >/dev/null 2>&1
	check "the service stopped" wait_state nexposeengine STOPPED 10
	ms=$((($(date +%s%N) - t0) / 1000000))
	check "the SCM's stop took less than 5 s ($ms ms)" test "$ms" -lt 5000
	wine sc start nexposeengine >/dev/null 2>&1
	check "the service runs again" wait_state nexposeengine RUNNING
	for _ in $(seq 100); do
		[ "$(grep -c 'initialization completed' "$LOG")" -ge "$1" ] && break
		sleep 0.1
	done
}

refresh
check "first refresh: 403 pending-authorization (got $CODE $ANSWER)" \
    grep -qF '"state":"pending-authorization"' <<<"$ANSWER"
check "... with status 403" test "$CODE" = 403
file_has "$X" "<console id=\"1\" enabled=\"0\" connectTo=\"0\" name=\"Main\" lastAddress=\"127.0.0.1\" port=\"$P\" consoleId=\"c-1\" spki=\"sha256:$SPKI\">"
file_has "$LOG" "[INFO] Refresh from console c-1 at 127.0.0.1: pending-authorization (added to consoles.xml as console 1)"
run 0 consoles enable 127.0.0.1
refresh
check "enabled but not restarted: 403 (got $CODE)" test "$CODE" = 403
restart 2
refresh
check "after the restart: 200 active (got $CODE $ANSWER)" \
    grep -qF "{\"state\":\"active\",\"engine_id\":\"$ENGINE_ID\"" <<<"$ANSWER"
file_has "$LOG" "[INFO] Refresh from console c-1 at 127.0.0.1: active"

# A check-in console; the interval from the file beside the program.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$WORK/sk.pem" -out "$WORK/sc.pem" -days 2 -subj /CN=127.0.0.1 \
    2>/dev/null
CP=$(free_port)
python3 "$ES_E2E_DIR/tools/checkin_console.py" "$CP" "$WORK/sc.pem" \
    "$WORK/sk.pem" "$WORK/requests.log" "$N/conf/nse.crt" \
    "$(spki_of "$N/conf/nse.crt")" "$WORK/console.ready" &
SPID=$!
on_exit 'kill "$SPID" 2>/dev/null'
for _ in $(seq 100); do
	[ -e "$WORK/console.ready" ] && break
	sleep 0.05
done
printf '1\r\n' > "$N/sample-checkin-interval"
sed -i "s|</Consoles>|  <console id=\"2\" enabled=\"1\" connectTo=\"1\" name=\"rev\" lastAddress=\"127.0.0.1\" port=\"$CP\" consoleId=\"r-2\" spki=\"sha256:$(spki_of "$WORK/sc.pem")\">\n    <cert>x</cert>\n  </console>\n</Consoles>|" "$X"
restart 3
for _ in $(seq 100); do
	[ "$(grep -c 'Check-in to console 2 .*: active' "$LOG")" -ge 2 ] && break
	sleep 0.1
done
file_has "$LOG" "[INFO] Scan Engine checks in with 1 console(s) every 1 s"
file_has "$LOG" "[INFO] Check-in to console 2 at 127.0.0.1 port $CP: active"
check "two check-ins a second apart reached the console" \
    test "$(grep -c "POST /engines/v1/checkin engine-key {\"protocol\":1,\"engine_id\":\"$ENGINE_ID\"" "$WORK/requests.log")" -ge 2
wine sc stop nexposeengine >/dev/null 2>&1
check "the service stopped" wait_state nexposeengine STOPPED 10
file_has "$LOG" "[INFO] Scan Engine stopped"

finish
