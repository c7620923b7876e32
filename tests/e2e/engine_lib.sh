# Helpers of the tests that run the sample engine (the stand-in nseserv,
# tools/sample-service) directly and play the console's Refresh with curl:
# test_sample_engine.sh, test_engine_consoles.sh, test_full_disk.sh.
# Sourced after lib.sh; engine_install sets N (the installation's nse
# folder), X (its consoles.xml), LOG (its nse.log) and P (the engine's
# port), which the rest use; WORK/cc.pem and WORK/ck.pem are the console's
# certificate and key for refresh.

EPID=
on_exit '[ -n "$EPID" ] && kill -9 "$EPID" 2>/dev/null'

# engine_install ROOT: install a Console-to-Engine engine under ROOT
# (engine-setup --silent, exit 0) listening on a free port.
engine_install() {
	P=$(free_port)
	{ engine_answers console-to-engine; echo "engine_port = $P"; } \
	    > "$WORK/engine-install.txt"
	run 0 --silent --answers "$WORK/engine-install.txt" --root "$1"
	N=$1/opt/rapid7/nexpose/nse
	X=$N/conf/consoles.xml
	LOG=$N/logs/nse.log
}

# start_engine [ENV=VALUE...]: start the stand-in and wait (10 s at most)
# for its ready line.
start_engine() {
	local before i
	before=$(cat "$LOG" 2>/dev/null | grep -c "initialization completed")
	env ENGINE_SETUP_SAMPLE_START_DELAY=0 "$@" "$N/nseserv" \
	    >>"$WORK/engine.out" 2>&1 &
	EPID=$!
	for i in $(seq 200); do
		[ "$(cat "$LOG" 2>/dev/null | grep -c "initialization completed")" \
		    -gt "${before:-0}" ] && return 0
		sleep 0.05
	done
	fail "the engine did not start: $(cat "$WORK/engine.out")"
}

# stop_engine: TERM, and it is gone within 2 s (STOP_SECS: how long).
stop_engine() {
	local t0 i
	t0=$(date +%s%N)
	kill -TERM "$EPID"
	for i in $(seq 200); do
		kill -0 "$EPID" 2>/dev/null || break
		sleep 0.01
	done
	STOP_MS=$((($(date +%s%N) - t0) / 1000000))
	check "TERM stopped the engine within 2 s (took $STOP_MS ms)" \
	    test "$STOP_MS" -lt 2000
	wait "$EPID"
	check "the engine exited 0 on TERM" test $? -eq 0
	EPID=
}

# refresh BODY [CURL_ARGS...]: POST BODY to the refresh path with the
# console's certificate; CODE and ANSWER are what came back.
refresh() {
	local body=$1
	shift
	CODE=$(curl -sk --max-time 20 --cert "$WORK/cc.pem" --key "$WORK/ck.pem" \
	    -o "$WORK/answer" -w '%{http_code}' -H 'Content-Type: application/json' \
	    --data-binary "$body" "$@" "https://127.0.0.1:$P/engine/v1/refresh")
	ANSWER=$(cat "$WORK/answer" 2>/dev/null)
}

# answer_is CODE STATE: the last answer.
answer_is() {
	TESTS_RUN=$((TESTS_RUN + 1))
	if [ "$CODE" != "$1" ] ||
	    ! grep -qF "\"state\":\"$2\"" <<<"$ANSWER"; then
		fail "expected $1 $2, got $CODE $ANSWER"
	fi
}

# log_has TEXT: a line of nse.log ends with TEXT after its time.
log_has() {
	TESTS_RUN=$((TESTS_RUN + 1))
	if ! grep -qxE "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z $(sed 's/[][\.*^$()+?{}|]/\\&/g' <<<"$1")" "$LOG"; then
		fail "nse.log lacks the line '<time> $1':
$(cat "$LOG")"
	fi
}

# engine_console_cert CERT KEY CN: a console's certificate and key (P-256,
# self-signed, subject CN), in the files CERT and KEY.
engine_console_cert() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$2" -out "$1" -days 2 -subj "/CN=$3" 2>/dev/null
}
