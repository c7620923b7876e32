#!/usr/bin/env bash
# Issue 14: `install --check --json`, what automation (the Ansible role)
# decides from instead of text. For every action (install, none, pair,
# upgrade, downgrade, overwrite, and the refusals that need
# --allow-downgrade, --overwrite, an upgrade first or an uninstall): the
# exit code and the object's fields; standard output is exactly one JSON
# object; nothing on disk changes; the secret given with shared_secret_file
# is in no output. Usage and answers errors (exit 2) print no object.
. "$(dirname "$0")/lib.sh"
: "${MKPAYLOAD:?}" "${STUB:?}" "${ES_SRC:?}" "${TEST_CONSOLE:?}"
on_exit stop_consoles
PY=/usr/bin/python3

printf '%s\n' "$SECRET" > "$WORK/secret"
printf '%s\n' "$OTHER" > "$WORK/other-secret"
chmod 600 "$WORK/secret" "$WORK/other-secret"
console tc --secret "$SECRET"
engine_answers console-to-engine > "$WORK/c2e.txt"
engine_answers > "$WORK/nopair.txt"
paired_answers "$PORT" "$WORK/secret" > "$WORK/pair.txt"
paired_answers "$PORT" "$WORK/other-secret" > "$WORK/wrong.txt"

# This build's payload is 7.3.1; 7.4.0 is the same tree with another
# program file (the payload's checksum covers the files, not the manifest).
NEW_TREE=$WORK/tree-7.4.0
cp -r "${ES_PAYLOAD_TREE:-$ES_SRC/payload}" "$NEW_TREE"
sed -i 's/^version = .*/version = 7.4.0/' "$NEW_TREE/manifest"
printf '# 7.4.0\n' >> "$NEW_TREE/engine/nse/nseserv"
"$MKPAYLOAD" --stub "$STUB" --tree "$NEW_TREE" --out "$WORK/setup-7.4.0" \
    >/dev/null || { fail "mkpayload 7.4.0"; exit 1; }
NEW=$WORK/setup-7.4.0

# cj EXPECTED_EXIT BINARY ROOT ARGS...: BINARY install --check --json
# --silent --root ROOT ARGS; its standard output in $WORK/out.json, its
# standard error in $WORK/err. Asserts the exit, that standard output is
# one line holding one JSON object whose "exit" is the exit code, that
# nothing under ROOT changed, and that the secret is in neither output.
cj() {
	local want=$1 bin=$2 root=$3 before
	shift 3
	before=$(snapshot "$root")
	TESTS_RUN=$((TESTS_RUN + 1))
	"$bin" install --check --json --silent --root "$root" "$@" \
	    > "$WORK/out.json" 2> "$WORK/err"
	RC=$?
	if [ "$RC" -ne "$want" ]; then
		fail "$(basename "$bin") --check --json $* exited $RC, expected $want:
$(cat "$WORK/out.json" "$WORK/err")"
	fi
	check "standard output is one JSON object with exit $RC: $(cat "$WORK/out.json")" \
	    "$PY" -c 'import json, sys
s = open(sys.argv[1]).read()
assert s.endswith("\n") and s.count("\n") == 1, "not one line"
o = json.loads(s)
assert isinstance(o, dict) and o["schema"] == 1, "not an object"
assert o["exit"] == int(sys.argv[2]), "exit %r" % o["exit"]
assert o["allowed"] == (o["needs"] is None) == (o["exit"] != 7)
' "$WORK/out.json" "$RC"
	check "--check --json changed nothing under $root" \
	    test "$(snapshot "$root")" = "$before"
	check "the secret is not in the output" bash -c \
	    "! grep -qE '$SECRET_RE' '$WORK/out.json' '$WORK/err'"
}

# is EXPR JSON: the Python expression EXPR over the last object (o) has
# the value JSON.
is() {
	local got
	TESTS_RUN=$((TESTS_RUN + 1))
	got=$("$PY" -c 'import json, sys
o = json.load(open(sys.argv[1]))
print(json.dumps(eval(sys.argv[2]), sort_keys=True))' "$WORK/out.json" "$1" 2>&1)
	want=$("$PY" -c 'import json, sys
print(json.dumps(json.loads(sys.argv[1]), sort_keys=True))' "$2")
	[ "$got" = "$want" ] && return 0
	fail "$1 is $got, expected $want; the object: $(cat "$WORK/out.json")"
}

# Nothing installed: action install, with the requirements, and with a
# pairing the connection test (which registers nothing).
R=$(newroot)
cj 0 "$ES_BIN" "$R" --answers "$WORK/c2e.txt"
is 'o["action"]' '"install"'
is '[o["allowed"], o["needs"], o["installed"], o["differs"], o["error"]]' \
    '[true, null, null, [], null]'
is '[o["product"], o["version"]]' '["Nexpose", "7.3.1"]'
is 'o["answers"]["communication"]' '"console-to-engine"'
is 'o["answers"]["engine_name"]' '"scanner-01"'
is 'sorted(set(r["result"] for r in o["requirements"]) - {"warn"})' '["pass"]'
is '"Memory" in [r["name"] for r in o["requirements"]]' true
is 'all(set(r) >= {"name", "result", "value", "need"} for r in o["requirements"])' true
is 'o["pairing"]' null
check "no requirements table on standard output" bash -c \
    "! grep -q 'System requirements' '$WORK/out.json'"

cj 0 "$ES_BIN" "$R" --answers "$WORK/pair.txt"
is 'o["action"]' '"install"'
is 'o["pairing"]' "{\"console\": \"127.0.0.1:$PORT\", \"tested\": true}"
is 'o["answers"]["shared_secret_file"]' "\"$WORK/secret\""
is 'o["answers"]["console_fingerprint"]' "\"$SPKI\""
is '"shared_secret" in o["answers"]' false
check "the connection test's steps go to standard error" \
    grep -q "Connection test with the console at 127.0.0.1:$PORT" "$WORK/err"
check "the test registered nothing" test ! -s "$WORK/tc.registry"

# A wrong secret: exit 4, the test did not pass.
cj 4 "$ES_BIN" "$R" --answers "$WORK/wrong.txt"
is '[o["action"], o["pairing"]["tested"], o["error"]["code"]]' '["install", false, 4]'

# A requirement not met: exit 3, and which one.
mkdir -p "$R/opt/rapid7/nexpose"
echo precious > "$R/opt/rapid7/nexpose/data.txt"
cj 3 "$ES_BIN" "$R" --answers "$WORK/c2e.txt"
is '[r["name"] for r in o["requirements"] if r["result"] == "fail"]' '["Install folder"]'
is 'o["error"]["code"]' 3
is 'o["action"]' '"install"'
rm -r "$R/opt"

# Installed with the same answers: none, nothing checked, the recorded
# answers named as they are on this machine.
"$ES_BIN" --silent --answers "$WORK/nopair.txt" --root "$R" >/dev/null ||
    fail "install"
cj 0 "$ES_BIN" "$R" --answers "$WORK/nopair.txt"
is '[o["action"], o["allowed"], o["differs"], o["requirements"], o["pairing"]]' \
    '["none", true, [], [], null]'
is 'o["installed"]' "{\"product\": \"Nexpose\", \"version\": \"7.3.1\",
    \"component\": \"engine\", \"install_dir\": \"/opt/rapid7/nexpose\",
    \"answers_file\": \"$R/opt/rapid7/nexpose/.install/answers\"}"
exists "$R/opt/rapid7/nexpose/.install/answers"

# The same answers asking to pair: pair (the test only); a wrong secret
# exit 4; once paired, none.
cj 0 "$ES_BIN" "$R" --answers "$WORK/pair.txt"
is '[o["action"], o["allowed"], o["needs"], o["exit"]]' '["pair", true, null, 0]'
is 'o["pairing"]' "{\"console\": \"127.0.0.1:$PORT\", \"tested\": true}"
check "the test registered nothing" test ! -s "$WORK/tc.registry"
cj 4 "$ES_BIN" "$R" --answers "$WORK/wrong.txt"
is '[o["action"], o["pairing"]["tested"], o["error"]["code"]]' '["pair", false, 4]'
"$ES_BIN" --silent --answers "$WORK/pair.txt" --root "$R" >/dev/null ||
    fail "pairing re-run"
cj 0 "$ES_BIN" "$R" --answers "$WORK/pair.txt"
is '[o["action"], o["pairing"], o["error"]]' '["none", null, null]'

# Other answers, the same version: overwrite, which needs --overwrite.
cj 7 "$ES_BIN" "$R" --answers "$WORK/pair.txt" --set engine_name=other
is '[o["action"], o["allowed"], o["needs"]]' '["overwrite", false, "overwrite"]'
is 'o["differs"]' '[{"key": "engine_name", "installed": "scanner-01",
    "now": "other", "text": "engine_name: installed '"'scanner-01'"', now '"'other'"'"}]'
is 'o["error"]["code"]' 7
is '"--overwrite" in o["error"]["message"]' true
cj 0 "$ES_BIN" "$R" --answers "$WORK/pair.txt" --set engine_name=other --overwrite
is '[o["action"], o["allowed"], o["needs"], o["error"]]' '["overwrite", true, null, null]'
is 'o["answers"]["engine_name"]' '"other"'
is 'len(o["requirements"]) > 0' true
is 'o["pairing"]' "{\"console\": \"127.0.0.1:$PORT\", \"tested\": true}"
# Another install_dir: --overwrite cannot move it.
cj 7 "$ES_BIN" "$R" --answers "$WORK/pair.txt" --set install_dir=/opt/other --overwrite
is '[o["action"], o["needs"]]' '["overwrite", "uninstall"]'
is '[d["key"] for d in o["differs"]]' '["install_dir"]'

# A newer payload with the same answers: upgrade.
R=$(newroot)
"$ES_BIN" --silent --answers "$WORK/c2e.txt" --root "$R" >/dev/null ||
    fail "install 7.3.1"
cj 0 "$NEW" "$R" --answers "$WORK/c2e.txt"
is '[o["action"], o["allowed"], o["needs"], o["version"]]' '["upgrade", true, null, "7.4.0"]'
is 'o["installed"]["version"]' '"7.3.1"'
is '[d["key"] for d in o["differs"]]' '["payload"]'
is 'o["differs"][0]["installed"].startswith("Nexpose 7.3.1 (sha256 ")' true
is 'o["differs"][0]["now"].startswith("Nexpose 7.4.0 (sha256 ")' true
check "what the upgrade keeps goes to standard error" \
    grep -q "This would upgrade Nexpose Scan Engine from 7.3.1 to 7.4.0" "$WORK/err"
# Other answers and another version: the installer refuses --overwrite
# then; upgrade first with the recorded answers.
for o in "" --overwrite; do
	cj 7 "$NEW" "$R" --answers "$WORK/c2e.txt" --set engine_name=other $o
	is '[o["action"], o["allowed"], o["needs"]]' '["overwrite", false, "upgrade-first"]'
	is 'sorted(d["key"] for d in o["differs"])' '["engine_name", "payload"]'
	is 'o["installed"]["answers_file"]' "\"$R/opt/rapid7/nexpose/.install/answers\""
done
is '"Upgrade first" in o["error"]["message"]' true

# An older payload: downgrade, which needs --allow-downgrade.
R=$(newroot)
"$NEW" --silent --answers "$WORK/c2e.txt" --root "$R" >/dev/null ||
    fail "install 7.4.0"
cj 7 "$ES_BIN" "$R" --answers "$WORK/c2e.txt"
is '[o["action"], o["allowed"], o["needs"], o["version"]]' \
    '["downgrade", false, "allow-downgrade", "7.3.1"]'
is 'o["installed"]["version"]' '"7.4.0"'
is '"--allow-downgrade" in o["error"]["message"]' true
cj 0 "$ES_BIN" "$R" --answers "$WORK/c2e.txt" --allow-downgrade
is '[o["action"], o["allowed"], o["needs"], o["error"]]' '["downgrade", true, null, null]'

# A record that cannot be read: overwrite, which needs --overwrite (and
# replaces the installation as a whole).
RD=$(newroot)
"$ES_BIN" --silent --answers "$WORK/c2e.txt" --root "$RD" >/dev/null ||
    fail "install"
echo garbage > "$RD/opt/rapid7/nexpose/.install/record"
cj 7 "$ES_BIN" "$RD" --answers "$WORK/c2e.txt"
is '[o["action"], o["needs"], o["installed"]["version"]]' '["overwrite", "overwrite", null]'
is 'o["installed"]["install_dir"]' '"/opt/rapid7/nexpose"'
is '"damaged install record" in o["error"]["message"]' true
cj 0 "$ES_BIN" "$RD" --answers "$WORK/c2e.txt" --overwrite
is '[o["action"], o["allowed"], o["needs"]]' '["overwrite", true, null]'
check "the note goes to standard error" grep -q "replaces the installation at /opt/rapid7/nexpose as a whole" "$WORK/err"

# Errors before anything is compared: no object.
OUT=$("$ES_BIN" install --json --silent --answers "$WORK/c2e.txt" \
    --root "$R" 2> "$WORK/err")
check "--json without --check: exit 2" test $? -eq 2
check "--json without --check: nothing on standard output" test -z "$OUT"
check "--json without --check says so" grep -q "only with --check" "$WORK/err"
OUT=$("$ES_BIN" install --check --json --silent --answers "$WORK/c2e.txt" \
    --set engine_port=99999 --root "$R" 2> "$WORK/err")
check "bad answers: exit 2" test $? -eq 2
check "bad answers: nothing on standard output" test -z "$OUT"
check "bad answers: the message on standard error" grep -q engine_port "$WORK/err"
OUT=$("$ES_BIN" install --check --json --wait-ready --silent \
    --answers "$WORK/c2e.txt" --root "$R" 2> "$WORK/err")
check "--check --json --wait-ready: exit 2" test $? -eq 2
check "--check --json --wait-ready: nothing on standard output" test -z "$OUT"
run 2 uninstall --json --root "$R"
out_has "--json is an option of status and of install --check only"
# Without --json, --check prints the plan for people, as before.
run 0 --check --silent --answers "$WORK/c2e.txt" --allow-downgrade --root "$R"
out_has "This would downgrade Nexpose Scan Engine from 7.4.0 to 7.3.1"

finish
