#!/usr/bin/env bash
# The test console's side of ../shared/engine-protocol.md (tests/console):
# check-ins of an engine paired by a real `engine-setup pair` (its nse.key
# and nse.crt, sent with curl), the states a Refresh shows for it, and New
# Engine / Refresh of standard engines against a fake engine on loopback
# (tools/fake_engine.py), a closed port and a listener that never answers;
# the client commands' exit codes.
. "$(dirname "$0")/lib.sh"

: "${TEST_CONSOLE:?TEST_CONSOLE must name the test console binary}"
SECRET=ABCD-1234-EFGH-5678-IJKL-9012-MNOP-3456
# The fake engines join CONSOLES, so that stop_consoles ends them too.
on_exit stop_consoles
printf '%s\n' "$SECRET" > "$WORK/secret"
chmod 600 "$WORK/secret"

# ctl WANT ARGS...: the client command test-console ARGS; its stdout in
# $OUT, its stderr in $ERR.
ctl() {
	local want=$1
	shift
	TESTS_RUN=$((TESTS_RUN + 1))
	OUT=$("$TEST_CONSOLE" "$@" 2>"$WORK/ctl.err")
	RC=$?
	ERR=$(cat "$WORK/ctl.err")
	if [ "$RC" -ne "$want" ]; then
		fail "test-console $* exited $RC, expected $want: $OUT $ERR"
		return 1
	fi
}
# row ENGINE STATE COLOUR: $OUT has ENGINE's line with that state and
# colour, and four columns.
row() {
	check "$1 is $2 ($3)" awk -F'\t' -v e="$1" -v s="$2" -v c="$3" \
	    'NF == 4 && $1 == e && $2 == s && $3 == c { f = 1 } END { exit !f }' \
	    <<<"$OUT"
}
# spki_of CERT: "sha256:<hex>" of the certificate's SubjectPublicKeyInfo.
spki_of() {
	printf 'sha256:%s' "$(openssl x509 -in "$1" -noout -pubkey |
	    openssl pkey -pubin -outform DER | sha256sum | cut -d' ' -f1)"
}
# checkin PORT BODY [CERT KEY]: POST /engines/v1/checkin with curl; the
# status in $CODE, the body in $BODY.
checkin() {
	local port=$1 body=$2
	shift 2
	BODY=$(curl -sk --max-time 10 ${1:+--cert "$1" --key "$2"} \
	    -H 'Content-Type: application/json' --data "$body" \
	    -w '\n%{http_code}' "https://127.0.0.1:$port/engines/v1/checkin")
	CODE=${BODY##*$'\n'}
	BODY=${BODY%$'\n'*}
}
# expect_checkin CODE BODY: what the last checkin got.
expect_checkin() {
	check "check-in answered $1 $2 (got $CODE $BODY)" \
	    test "$CODE $BODY" = "$1 $2"
}
# wait_file FILE: until FILE is not empty (10 s at most).
wait_file() {
	local i
	for ((i = 0; i < 200; i++)); do
		[ -s "$1" ] && return 0
		sleep 0.05
	done
	fail "$1 did not appear"
}
ms() { date +%s%3N; }

# --- Engine-to-Console: an engine paired by `engine-setup pair`. ---
console rev --secret "$SECRET" --control "$WORK/rev.ctl" \
    --checkin-interval 2
REV=$PORT
R=$(newroot)
engine_answers > "$WORK/engine.txt"
run 0 --silent --answers "$WORK/engine.txt" --root "$R"
run 0 pair --console "127.0.0.1:$REV" --secret-file "$WORK/secret" --root "$R"
C=$R/opt/rapid7/nexpose/nse/conf
id=$(awk '/^engine_id/ {print $2}' "$R/opt/rapid7/nexpose/.install/record")
ver=$(awk -F'\t' -v e="$id" '$1 == e { print $3 }' "$WORK/rev.registry")
check "the registry line ends with the engine_cert's SPKI" \
    test "$(awk -F'\t' -v e="$id" '$1 == e { print $5 }' "$WORK/rev.registry")" = "$(spki_of "$C/nse.crt")"
good="{\"protocol\":1,\"engine_id\":\"$id\",\"engine_version\":\"$ver\"}"

ctl 0 engines --control "$WORK/rev.ctl"
row "$id" Down red
check "never checked in, says the detail" grep -q 'never checked in' <<<"$OUT"
ctl 0 refresh "$id" --control "$WORK/rev.ctl"
row "$id" Down red

checkin "$REV" "$good" "$C/nse.crt" "$C/nse.key"
expect_checkin 200 '{"state":"active"}'
ctl 0 refresh --control "$WORK/rev.ctl"
row "$id" Active green
check "one line per engine" test "$(wc -l <<<"$OUT")" -eq 1

# Another key, no key, an unknown engine: 403, and the engine stays Active.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$WORK/other.key" -out "$WORK/other.crt" -days 2 \
    -subj /CN=impostor 2>/dev/null
checkin "$REV" "$good" "$WORK/other.crt" "$WORK/other.key"
expect_checkin 403 '{"state":"unknown-engine"}'
checkin "$REV" "$good"
expect_checkin 403 '{"state":"unknown-engine"}'
checkin "$REV" '{"protocol":1,"engine_id":"0b7c2d9e-1f3a-4c5b-8d6e-7f8091a2b3c4","engine_version":"7.3.1"}' "$C/nse.crt" "$C/nse.key"
expect_checkin 403 '{"state":"unknown-engine"}'
ctl 0 refresh "$id" --control "$WORK/rev.ctl"
row "$id" Active green

# Bodies as strict as the pairing's: 400, 426, 415.
checkin "$REV" "{\"protocol\":1,\"engine_id\":\"$id\",\"engine_version\":\"$ver\",\"x\":1}" "$C/nse.crt" "$C/nse.key"
check "an unknown member: 400 ($CODE)" test "$CODE" = 400
checkin "$REV" "{\"protocol\":1,\"engine_id\":\"$id\"}" "$C/nse.crt" "$C/nse.key"
check "a missing member: 400 ($CODE)" test "$CODE" = 400
checkin "$REV" "{\"protocol\":1,\"engine_id\":\"$id\",\"engine_version\":\"7.3\"}" "$C/nse.crt" "$C/nse.key"
check "a malformed version: 400 ($CODE)" test "$CODE" = 400
checkin "$REV" "{\"protocol\":1,\"engine_id\":\"${id^^}\",\"engine_version\":\"$ver\"}" "$C/nse.crt" "$C/nse.key"
check "an upper-case engine_id: 400 ($CODE)" test "$CODE" = 400
checkin "$REV" "{\"protocol\":2,\"engine_id\":\"$id\",\"engine_version\":\"$ver\"}" "$C/nse.crt" "$C/nse.key"
check "protocol 2: 426 ($CODE)" test "$CODE" = 426
CODE=$(curl -sk -o /dev/null -w '%{http_code}' --cert "$C/nse.crt" \
    --key "$C/nse.key" --data "$good" "https://127.0.0.1:$REV/engines/v1/checkin")
check "no JSON content type: 415 ($CODE)" test "$CODE" = 415
file_has "$WORK/rev.log" "check-in from 127.0.0.1:"
file_has "$WORK/rev.log" "engine $id version $ver, client certificate $(spki_of "$C/nse.crt"): 200"
file_has "$WORK/rev.log" "client certificate $(spki_of "$WORK/other.crt"): 403: the client certificate's key is not the registered one"
file_has "$WORK/rev.log" "client certificate none: 403: no client certificate"

# More than two intervals (2 x 2 s) without a check-in: Unknown.
sleep 5
ctl 0 refresh --control "$WORK/rev.ctl"
row "$id" Unknown orange
check "the detail says how long ago" grep -q 'more than two intervals (4 s)' <<<"$OUT"
checkin "$REV" "$good" "$C/nse.crt" "$C/nse.key"
ctl 0 refresh --control "$WORK/rev.ctl"
row "$id" Active green

# A console of version 8.0.0 that knows the engine (its registrations
# loaded, as after a restart): 409 and Incompatible.
console newer --version 8.0.0 --load-registry "$WORK/rev.registry" \
    --control "$WORK/newer.ctl"
ctl 0 engines --control "$WORK/newer.ctl"
row "$id" Down red
checkin "$PORT" "$good" "$C/nse.crt" "$C/nse.key"
expect_checkin 409 '{"state":"incompatible","console_version":"8.0.0"}'
ctl 0 refresh --control "$WORK/newer.ctl"
row "$id" Incompatible red
check "the detail names both versions" grep -q "its version $ver differs from the console's 8.0.0" <<<"$OUT"

# --- Console-to-Engine: New Engine and Refresh. ---
cert() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$WORK/$1.key" -out "$WORK/$1.crt" -days 2 -subj "/CN=$1" \
	    2>/dev/null
}
cert console
cert engine
echo pending > "$WORK/answer"
FAKE="$ES_SRC/tests/e2e/tools/fake_engine.py"
python3 "$FAKE" --port-file "$WORK/fake.port" --cert "$WORK/engine.crt" \
    --key "$WORK/engine.key" --client-ca "$WORK/console.crt" \
    --answer-file "$WORK/answer" --log "$WORK/fake.log" &
CONSOLES+=($!)
python3 "$FAKE" --port-file "$WORK/silent.port" --silent &
CONSOLES+=($!)
wait_file "$WORK/fake.port"
wait_file "$WORK/silent.port"
E=127.0.0.1:$(cat "$WORK/fake.port")
S=127.0.0.1:$(cat "$WORK/silent.port")
D=127.0.0.1:$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
ESPKI=$(spki_of "$WORK/engine.crt")

console std --cert "$WORK/console.crt" --key "$WORK/console.key" \
    --control "$WORK/std.ctl" --refresh-timeout 1.5
ctl 0 add-engine "$E" --control "$WORK/std.ctl"
row "$E" "Pending Authorization" red
check "the detail shows the engine's key" grep -qF "key $ESPKI" <<<"$OUT"
# What `engine-setup consoles list` shows of the console (name, address),
# not its consoleId, which the engine side never shows.
check "the detail names the console as consoles list does" grep -qF \
    "enable the console \"Test Console\" (127.0.0.1) in the engine's consoles.xml (engine-setup consoles list / enable) and restart the engine" <<<"$OUT"
echo active > "$WORK/answer"
ctl 0 refresh "$E" --control "$WORK/std.ctl"
row "$E" Active green
check "the detail shows the engine's key" grep -qF "key $ESPKI" <<<"$OUT"
echo incompatible > "$WORK/answer"
ctl 0 refresh "$E" --control "$WORK/std.ctl"
row "$E" Incompatible red
echo error > "$WORK/answer"
ctl 0 refresh "$E" --control "$WORK/std.ctl"
row "$E" Unknown orange
check "the detail gives the reason" grep -q 'unexpected answer: HTTP 500' <<<"$OUT"
echo active > "$WORK/answer"

ctl 0 add-engine "$D" --control "$WORK/std.ctl"
row "$D" Down red
t0=$(ms)
ctl 0 add-engine "$S" --control "$WORK/std.ctl"
t1=$(ms)
row "$S" Unknown orange
check "no answer within 1.5 s" grep -q 'no answer within 1.5 s' <<<"$OUT"
check "Unknown after the timeout ($((t1 - t0)) ms)" \
    test $((t1 - t0)) -ge 1400 -a $((t1 - t0)) -lt 5000

# The pairing console's engine is reverse; this one has none. refresh with
# no argument: every engine, in the order added.
ctl 0 refresh --control "$WORK/std.ctl"
check "refresh lists the engines in the order added" \
    test "$(cut -f1 <<<"$OUT" | tr '\n' ' ')" = "$E $D $S "
row "$E" Active green
row "$D" Down red
row "$S" Unknown orange
n=$(wc -l < "$WORK/fake.log")
ctl 0 engines --control "$WORK/std.ctl"
check "engines lists without contact" test "$(wc -l < "$WORK/fake.log")" -eq "$n"
row "$E" Active green
check "engines lists all three" test "$(wc -l <<<"$OUT")" -eq 3
# The console presents its own certificate at every refresh, and sends its
# identity.
want=$(openssl x509 -in "$WORK/console.crt" -outform DER | sha256sum | cut -d' ' -f1)
check "every refresh presented the console's certificate" test \
    "$(awk '{print $4, $5, $6}' "$WORK/fake.log" | sort -u)" = "console-test-1 7.3.1 $want"
check "the fake engine saw $n refreshes" test "$n" -eq 5
file_has "$WORK/std.log" "refresh of $E: Active"

# A console without --cert presents the key it generated: the fake engine
# trusts only console.crt and ends the handshake, which is Unknown with
# the reason.
console gen --control "$WORK/gen.ctl" --refresh-timeout 1.5
ctl 0 add-engine "$E" --control "$WORK/gen.ctl"
row "$E" Unknown orange
file_has "$WORK/fake.log" "handshake failed"

# --- Usage and reachability. ---
ctl 2 add-engine --control "$WORK/std.ctl"
ctl 2 add-engine nohost --control "$WORK/std.ctl"
ctl 2 add-engine 127.0.0.1:0 --control "$WORK/std.ctl"
ctl 2 add-engine 127.0.0.1:65536 --control "$WORK/std.ctl"
ctl 2 refresh a b --control "$WORK/std.ctl"
ctl 2 engines extra --control "$WORK/std.ctl"
ctl 2 engines
ctl 2 engines --control "$WORK/std.ctl" --frobnicate
ctl 2 refresh 10.0.0.1:1 --control "$WORK/std.ctl"
check "an unknown engine is named" grep -q 'no engine "10.0.0.1:1"' <<<"$ERR"
ctl 1 engines --control "$WORK/absent.ctl"
check "an absent console is reported" grep -q 'cannot reach the console' <<<"$ERR"
check "the console's output is empty then" test -z "$OUT"
stop_consoles
missing "$WORK/std.ctl"
ctl 1 refresh --control "$WORK/std.ctl"

finish
