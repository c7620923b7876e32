#!/usr/bin/env bash
# Issue 12, §1: `status --json` for automation and the exit codes of
# ../shared/cli-contract.md (0 fine, 9 not installed, 10 a problem, each
# with a stable code), field by field as docs/status.md documents them,
# and the same facts in the text for people.
. "$(dirname "$0")/lib.sh"

command -v python3 >/dev/null || { echo "SKIP: python3 is needed to parse JSON"; exit 77; }
: "${TEST_CONSOLE:?TEST_CONSOLE must name the test console binary}"
on_exit stop_consoles

# sj EXPECTED_EXIT ROOT: status --json; the object in $JSON. Standard
# output must be one JSON object and a newline, nothing else; standard
# error empty.
sj() {
	local want=$1 root=$2
	TESTS_RUN=$((TESTS_RUN + 1))
	"$ES_BIN" status --json --root "$root" > "$WORK/sj.out" 2> "$WORK/sj.err"
	RC=$?
	JSON=$(cat "$WORK/sj.out")
	if [ "$RC" -ne "$want" ]; then
		fail "status --json --root $root exited $RC, expected $want: $JSON $(cat "$WORK/sj.err")"
		return 1
	fi
	check "status --json writes nothing on standard error" test ! -s "$WORK/sj.err"
	check "status --json prints one line" test "$(wc -l < "$WORK/sj.out")" -eq 1
	check "status --json prints a JSON object" python3 -c '
import json, sys
o = json.load(open(sys.argv[1], encoding="utf-8"))
sys.exit(0 if isinstance(o, dict) else 1)' "$WORK/sj.out"
	if command -v jq >/dev/null; then
		check "jq reads the object" jq -e 'type == "object"' "$WORK/sj.out"
	fi
	TESTS_RUN=$((TESTS_RUN + 1))
	python3 -m json.tool "$WORK/sj.out" >/dev/null ||
	    fail "python3 -m json.tool cannot read: $JSON"
}

# jis EXPR WANT: the value of the Python expression EXPR over the object
# (named o), as JSON, is WANT.
jis() {
	local got
	TESTS_RUN=$((TESTS_RUN + 1))
	got=$(python3 -c '
import json, sys
o = json.load(open(sys.argv[1], encoding="utf-8"))
print(json.dumps(eval(sys.argv[2]), sort_keys=True))' "$WORK/sj.out" "$1" 2>&1)
	if [ "$got" != "$2" ]; then
		fail "$1 is $got, expected $2; object: $JSON"
		return 1
	fi
}
codes() { jis '[p["code"] for p in o["problems"]]' "$1"; }
# The fields every object has (docs/status.md, schema 1).
all_fields() {
	jis 'sorted(o)' '["component", "consoles", "engine", "identity_renewed_at", "install_dir", "installed", "installed_at", "problems", "product", "ready", "root", "run_in_progress", "run_pid", "schema", "service", "services", "upgraded_at", "upgraded_from", "version"]'
	jis 'o["schema"]' 1
	jis 'all(sorted(p) == ["code", "message"] and p["message"].endswith(".") for p in o["problems"])' true
}
# spki FILE: the sha256:HEX of a certificate's public key, by openssl.
spki() {
	echo "sha256:$(openssl x509 -in "$1" -pubkey -noout |
	    openssl pkey -pubin -outform DER | sha256sum | cut -d' ' -f1)"
}

ID=opt/rapid7/nexpose

# ---- Not installed: exit 9, the object says so. ----
R=$(newroot)
sj 9 "$R"
all_fields
jis 'o["installed"]' false
jis 'o["root"]' "\"$R\""
jis '[o["product"], o["version"], o["install_dir"], o["engine"], o["service"], o["consoles"]]' '[null, null, null, null, null, null]'
jis 'o["services"]' '[]'
jis 'o["ready"]' null
codes '[]'
run 9 status --root "$R"
out_has "Not installed under $R."

# ---- Engine-to-Console without pairing: exit 10, not-paired. ----
engine_answers > "$WORK/e2c.txt"
R=$(newroot)
run 0 --silent --answers "$WORK/e2c.txt" --set start_service=no --root "$R"
sj 10 "$R"
all_fields
codes '["not-paired"]'
jis 'o["installed"]' true
jis '[o["product"], o["version"], o["component"], o["install_dir"]]' "[\"Nexpose\", \"$(awk '/^version/ {print $2}' "$R/$ID/.install/record")\", \"engine\", \"/$ID\"]"
jis 'o["installed_at"]' "\"$(awk '/^installed_at/ {print $2}' "$R/$ID/.install/record")\""
jis '[o["run_in_progress"], o["run_pid"]]' '[false, null]'
jis '[o["upgraded_from"], o["upgraded_at"], o["identity_renewed_at"]]' '[null, null, null]'
# Its service is not running (start_service = no): not ready.
jis 'o["ready"]' false
jis 'o["engine"]["id"]' "\"$(awk '/^engine_id/ {print $2}' "$R/$ID/.install/record")\""
jis 'o["engine"]["name"]' '"scanner-01"'
jis 'o["engine"]["communication"]' '"engine-to-console"'
jis 'o["engine"]["port"]' null
FP=$(spki "$R/$ID/nse/conf/nse.crt")
jis 'o["engine"]["fingerprint"]' "\"$FP\""
END=$(date -u -d "$(openssl x509 -in "$R/$ID/nse/conf/nse.crt" -noout -enddate | cut -d= -f2)" +%Y-%m-%dT%H:%M:%SZ)
jis 'o["engine"]["not_after"]' "\"$END\""
jis 'o["service"]' '{"enabled": true, "name": "nexposeengine", "state": "installed, not started"}'
jis 'o["services"] == [o["service"]]' true
jis 'o["consoles"]' '[]'
jis "'\`engine-setup pair --console HOST[:PORT] --root $R\`' in o['problems'][0]['message']" true
# The text: the same facts.
run 10 status --root "$R"
out_has "Engine name:  scanner-01"
out_has "Direction:    Engine-to-Console (this engine connects to its consoles)"
out_has "Certificate:  $FP (expires ${END%%T*})"
out_has "Problem:      This Engine-to-Console engine is paired with no console"
out_has "[not-paired]"
out_lacks "[service-not-running]"
# No key material in either output.
check "the JSON holds no private key" bash -c "! grep -q 'PRIVATE' '$WORK/sj.out'"
# The certificate gone: certificate-unreadable, the fingerprint null.
mv "$R/$ID/nse/conf/nse.crt" "$WORK/nse.crt"
sj 10 "$R"
codes '["certificate-unreadable", "not-paired"]'
jis '[o["engine"]["fingerprint"], o["engine"]["not_after"]]' '[null, null]'
run 10 status --root "$R"
out_has "[certificate-unreadable]"
out_lacks "Certificate:"
mv "$WORK/nse.crt" "$R/$ID/nse/conf/nse.crt"

# ---- Console-to-Engine with a console the engine waits for (enabled="0",
# as the console adds itself): exit 10, console-pending-authorization;
# enabled, exit 0. ----
engine_answers console-to-engine > "$WORK/c2e.txt"
R=$(newroot)
run 0 --silent --answers "$WORK/c2e.txt" --set start_service=no --set engine_port=40999 --root "$R"
sj 0 "$R"
codes '[]'
jis 'o["engine"]["communication"]' '"console-to-engine"'
jis 'o["engine"]["port"]' 40999
X=$R/$ID/nse/conf/consoles.xml
sed -i 's|</Consoles>|<console id="1" enabled="0" connectTo="0" name="Main Console" lastAddress="10.0.0.5" port="40815"/>\n</Consoles>|' "$X"
sj 10 "$R"
all_fields
codes '["console-pending-authorization"]'
jis 'o["consoles"]' '[{"address": "10.0.0.5", "direction": "console-to-engine", "enabled": false, "fingerprint": null, "id": "1", "name": "Main Console", "port": 40815, "state": "pending-authorization"}]'
jis "'\`engine-setup consoles enable 1 --root $R\`.' in o['problems'][0]['message']" true
run 10 status --root "$R"
out_has "Pending Authorization"
out_has "[console-pending-authorization]"
run 0 consoles enable 1 --root "$R"
sj 0 "$R"
codes '[]'
jis '[o["consoles"][0]["state"], o["consoles"][0]["enabled"]]' '["enabled", true]'
run 0 status --root "$R"
out_lacks "Problem:"
# A new identity (identity reset; the same as a clone's start-up check):
# the console that added the engine knew the old key, so the problem
# identity-from-another-machine stays until nse.log shows a refresh by
# that console, answered active, since the renewal (the lines written
# here by hand, as the engine writes them). A console still pending is
# not waited for.
sed -i 's|<console id="1" |<console consoleId="c-main" id="1" |' "$X"
sed -i 's|</Consoles>|<console id="2" enabled="0" connectTo="0" name="Other" lastAddress="10.0.0.6" port="40815" consoleId="c-other"/>\n</Consoles>|' "$X"
run 0 identity reset --silent --root "$R"
RENEWED=$(awk '/^identity_renewed_at/ {print $2}' "$R/$ID/.install/record")
check "identity reset recorded when" test -n "$RENEWED"
sj 10 "$R"
codes '["console-pending-authorization", "identity-from-another-machine"]'
jis 'o["identity_renewed_at"]' "\"$RENEWED\""
jis "'Main Console at 10.0.0.5 (id 1) has not refreshed it' in o['problems'][1]['message']" true
run 10 status --root "$R"
out_has "[identity-from-another-machine]"
L=$R/$ID/nse/logs/nse.log
mkdir -p "$R/$ID/nse/logs"
{
	# Before the renewal, another console, not active: none counts.
	echo "2000-01-01T00:00:00Z [INFO] Refresh from console c-main at 10.0.0.5: active"
	echo "$RENEWED [INFO] Refresh from console c-other at 10.0.0.6: active"
	echo "$RENEWED [INFO] Refresh from console c-main at 10.0.0.5: pending-authorization"
	echo "$RENEWED [INFO] Refresh from console c-main- at 10.0.0.5: active"
} >> "$L"
sj 10 "$R"
codes '["console-pending-authorization", "identity-from-another-machine"]'
echo "$RENEWED [INFO] Refresh from console c-main at 10.0.0.5: active" >> "$L"
sj 10 "$R"
codes '["console-pending-authorization"]'
sed -i '/id="2"/d' "$X"
sj 0 "$R"
codes '[]'
# consoles.xml damaged: consoles-unreadable, consoles null.
printf '<Consoles><console' > "$X"
sj 10 "$R"
codes '["consoles-unreadable"]'
jis 'o["consoles"]' null
run 10 status --root "$R"
out_has "[consoles-unreadable]"

# ---- Paired with the test console: exit 0, the console as paired. ----
SECRET=ABCD-1234-EFGH-5678-IJKL-9012-MNOP-3456
printf '%s\n' "$SECRET" > "$WORK/secret"
chmod 600 "$WORK/secret"
console ok --secret "$SECRET"
R=$(newroot)
{ grep -v '^pair_now' "$WORK/e2c.txt"; cat <<EOT
pair_now = yes
console_address = 127.0.0.1
console_port = $PORT
shared_secret_file = $WORK/secret
start_service = no
EOT
} > "$WORK/pair.txt"
run 0 --silent --answers "$WORK/pair.txt" --root "$R"
sj 0 "$R"
all_fields
codes '[]'
jis 'o["consoles"]' "[{\"address\": \"127.0.0.1\", \"direction\": \"engine-to-console\", \"enabled\": true, \"fingerprint\": \"$SPKI\", \"id\": \"1\", \"last_checkin\": null, \"name\": \"Test Console\", \"port\": $PORT, \"state\": \"enabled\"}]"
check "the JSON holds no secret" bash -c "! grep -q 'ABCD.1234' '$WORK/sj.out'"
run 0 status --root "$R"
out_lacks "Problem:"
out_has "no check-in in nse/logs/nse.log yet"

# ---- Its last check-in, from the lines the engine writes to nse.log
# (written here by hand): the time and result on the console, and a
# result that is not active is console-checkin-failed. ----
L=$R/$ID/nse/logs/nse.log
mkdir -p "$R/$ID/nse/logs"
checkin() { # LEVEL RESULT: one check-in line of console 1
	printf '2026-11-30T14:2%s:00Z [%s] Check-in to console 1 at 127.0.0.1 port %s: %s\n' \
	    "$((N = ${N:--1} + 1))" "$1" "$PORT" "$2" >> "$L"
}
checkin INFO active
sj 0 "$R"
codes '[]'
jis 'o["consoles"][0]["last_checkin"]' '{"at": "2026-11-30T14:20:00Z", "detail": "", "result": "active"}'
run 0 status --root "$R"
out_has "127.0.0.1:$PORT  last check-in 2026-11-30 14:20:00 UTC: active"
checkin WARN unknown-engine
sj 10 "$R"
codes '["console-checkin-failed"]'
jis 'o["consoles"][0]["last_checkin"]' '{"at": "2026-11-30T14:21:00Z", "detail": "", "result": "unknown-engine"}'
jis "'\`engine-setup pair --console 127.0.0.1:$PORT --root $R\`' in o['problems'][0]['message']" true
run 10 status --root "$R"
out_has "last check-in 2026-11-30 14:21:00 UTC: unknown-engine"
out_has "[console-checkin-failed]"
checkin WARN 'incompatible (console 7.9.0)'
sj 10 "$R"
jis 'o["consoles"][0]["last_checkin"]["detail"]' '"console 7.9.0"'
jis "'major.minor' in o['problems'][0]['message']" true
checkin WARN 'failed (connect: Connection refused)'
sj 10 "$R"
jis '[o["consoles"][0]["last_checkin"][k] for k in ("result", "detail")]' '["failed", "connect: Connection refused"]'
jis "'port $PORT' in o['problems'][0]['message'] and 'reachable' in o['problems'][0]['message']" true
run 10 status --root "$R"
out_has "UTC: failed (connect: Connection refused)"
checkin WARN "not contacted (the console's key does not match its spki)"
sj 10 "$R"
jis 'o["consoles"][0]["last_checkin"]["result"]' '"not-contacted"'
jis "'key changed' in o['problems'][0]['message'] and 'pair again' in o['problems'][0]['message']" true
# Lines that are not the engine's, after it, change nothing: another
# console's id, a forged line after other text, a last line without its
# newline, one with a NUL byte.
checkin INFO active
{
	printf '2026-11-30T14:40:00Z [WARN] Check-in to console 12 at 127.0.0.1 port %s: unknown-engine\n' "$PORT"
	printf '2026-11-30T14:40:00Z [INFO] x Check-in to console 1 at h port 1: failed (y)\n'
	printf '2026-11-30T14:40:00Z [WARN] Check-in to console 1 at h port 1: failed (\0)\n'
	printf '2026-11-30T14:40:00Z [WARN] Check-in to console 1 at h port 1: failed (no newline)'
} >> "$L"
sj 0 "$R"
jis 'o["consoles"][0]["last_checkin"]' '{"at": "2026-11-30T14:25:00Z", "detail": "", "result": "active"}'
# Only the last MiB is read: a check-in before it is not seen.
head -c 1100000 /dev/zero | tr '\0' 'x' >> "$L"
echo >> "$L"
sj 0 "$R"
jis 'o["consoles"][0]["last_checkin"]' null
# Never through a symbolic link: the log as a link is no log.
checkin INFO active
mv "$L" "$WORK/nse.log"
ln -s "$WORK/nse.log" "$L"
sj 0 "$R"
jis 'o["consoles"][0]["last_checkin"]' null
rm "$L"

# ---- An interrupted run: exit 10, interrupted-run, nothing else read. ----
R=$(newroot)
ES_TEST_FAULT="Moving into place:kill" "$ES_BIN" --silent \
    --answers "$WORK/c2e.txt" --root "$R" >/dev/null 2>&1
sj 10 "$R"
all_fields
codes '["interrupted-run"]'
jis '[o["installed"], o["engine"]]' '[false, null]'
run 10 status --root "$R"
out_has "[interrupted-run]"
run 0 uninstall --silent --root "$R"
sj 9 "$R"

# ---- start_service = yes under a --root, where no service manager runs:
# an image, whose service runs on the host made from it. Not a problem
# (docs/status.md); its Service and Ready lines say so. (test_ready.sh
# shows service-not-running where a service manager runs.) ----
R=$(newroot)
run 0 --silent --answers "$WORK/c2e.txt" --root "$R"
sj 0 "$R"
codes '[]'
jis 'o["service"]["state"]' '"installed, not started"'
jis 'o["ready"]' false
run 0 status --root "$R"
out_has "Ready:        no (service nexposeengine (installed, not started) is not running and no service manager runs for this root"
out_lacks "[service-not-running]"

# ---- The console component: its one service. ----
console_answers
R=$(newroot)
run 0 --silent --answers "$WORK/console.txt" --root "$R"
sj 0 "$R"
jis '[o["component"], o["service"]["name"], len(o["services"])]' '["console", "nexposeconsole", 1]'
jis 'o["engine"]["fingerprint"]' "\"$(spki "$R/$ID/nse/conf/nse.crt")\""

# ---- A damaged record: record-unreadable, install_dir from the pointer. ----
R=$(newroot)
run 0 --silent --answers "$WORK/c2e.txt" --set start_service=no --root "$R"
echo garbage > "$R/$ID/.install/record"
sj 10 "$R"
codes '["record-unreadable"]'
jis '[o["installed"], o["install_dir"]]' "[false, \"/$ID\"]"

# ---- --json belongs to status, and to install --check
# (test_check_json.sh). ----
run 2 --json --silent --answers "$WORK/c2e.txt" --root "$R"
out_has "install takes --json only with --check"
run 2 pair --json --console 127.0.0.1 --root "$R"
out_has "--json is an option of status and of install --check only"
finish
