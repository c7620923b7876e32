#!/usr/bin/env bash
# Engine-to-Console pairing against the test console on loopback
# (tests/console): install-time pairing, the connection test's failures
# with their messages, pinning, `pair` after install, and that the secret is
# in no file and no output.
. "$(dirname "$0")/lib.sh"

: "${TEST_CONSOLE:?TEST_CONSOLE must name the test console binary}"
on_exit stop_consoles

printf '%s\n' "$SECRET" > "$WORK/secret"
chmod 600 "$WORK/secret"
printf '%s\n' "$OTHER" > "$WORK/other-secret"
chmod 600 "$WORK/other-secret"
pairing_answers() {
	engine_answers
	echo "pair_now = yes"
	echo "console_address = 127.0.0.1"
	echo "console_port = $1"
	echo "shared_secret_file = ${2:-$WORK/secret}"
}
# The engine answers say pair_now = no; a later line would be a duplicate.
engine_answers() {
	cat <<EOT
accept_license = yes
component = engine
first_name = Ada
last_name = Lovelace
company = Example Corp
engine_name = scanner-01
communication = engine-to-console
EOT
}
no_secret_anywhere() {
	TESTS_RUN=$((TESTS_RUN + 1))
	if grep -rlE "$SECRET_RE" "$1" 2>/dev/null | grep -q .; then
		fail "the secret is in a file under $1: $(grep -rlE "$SECRET_RE" "$1")"
	fi
	TESTS_RUN=$((TESTS_RUN + 1))
	if grep -qE "$SECRET_RE" <<<"$OUT"; then
		fail "the secret is in the output"
	fi
}

# --- Install-time pairing: the dry run, then the pairing. ---
console ok --secret "$SECRET"
R=$(newroot)
pairing_answers "$PORT" > "$WORK/pair.txt"
run 0 --silent --answers "$WORK/pair.txt" --root "$R" --log "$WORK/install.log"
out_has "[ OK ] Resolve"
out_has "[ OK ] TLS"
out_has "[ OK ] Console proof"
out_has "Paired with the console Test Console"
out_has "$SPKI"
# Under --root the identity is an image's: the install says so.
out_has "Note: an installation under --root is recorded as made for an image: the first start of its service on a machine gives it a new engine identity"
X=$R/opt/rapid7/nexpose/nse/conf/consoles.xml
file_has "$X" 'connectTo="1"'
file_has "$X" 'enabled="1"'
file_has "$X" "lastAddress=\"127.0.0.1\""
file_has "$X" "port=\"$PORT\""
file_has "$X" "spki=\"$SPKI\""
file_has "$X" "BEGIN CERTIFICATE"
mode_is "$X" 640
engine_id=$(awk '/^engine_id/ {print $2}' "$R/opt/rapid7/nexpose/.install/record")
file_has "$WORK/ok.registry" "$engine_id"
file_has "$WORK/ok.registry" "paired"
file_has "$R/opt/rapid7/nexpose/.install/answers" "console_fingerprint = $SPKI"
no_secret_anywhere "$R"
check "the secret is not in the install log" bash -c "! grep -qE '$SECRET_RE' '$WORK/install.log'"
check "the secret never crossed the wire" bash -c "! grep -qE '$SECRET_RE' '$WORK/ok.log'"
run 0 consoles list --root "$R"
out_has "$(printf '1\tenabled\tengine-to-console\tTest Console\t127.0.0.1\t%s' "$PORT")"
run 0 status --root "$R"
out_has "Test Console"

# --- Failures of the connection test: exit 4, host unchanged. ---
expect_fail() {   # expect_fail MESSAGE-PART ARGS...
	local msg=$1
	shift
	R=$(newroot)
	run 4 --silent --root "$R" "$@"
	out_has "$msg"
	out_has "Nothing was changed"
	out_lacks "curl:"      # the product's words, not a library's
	check "a failed connection test changes nothing" test -z "$(ls -A "$R")"
	no_secret_anywhere "$R"
}

pairing_answers "$PORT" "$WORK/other-secret" > "$WORK/a.txt"
expect_fail "typed wrong, or was generated on another console" --answers "$WORK/a.txt"

console expired --secret "$SECRET" --secret-age 3700
pairing_answers "$PORT" > "$WORK/a.txt"
expect_fail "Generate Scan Engine Shared Secret" --answers "$WORK/a.txt"

console newer --secret "$SECRET" --version 8.1.0
pairing_answers "$PORT" > "$WORK/a.txt"
expect_fail "8.1" --answers "$WORK/a.txt"

console badproof --secret "$SECRET" --fail bad_proof
pairing_answers "$PORT" > "$WORK/a.txt"
expect_fail "TLS-inspecting proxy" --answers "$WORK/a.txt"

console notjson --secret "$SECRET" --fail not_json
pairing_answers "$PORT" > "$WORK/a.txt"
expect_fail "HTTP 200" --answers "$WORK/a.txt"

console big --secret "$SECRET" --fail too_large
pairing_answers "$PORT" > "$WORK/a.txt"
expect_fail "65536" --answers "$WORK/a.txt"

console liar --secret "$SECRET" --fail wrong_console_proof
pairing_answers "$PORT" > "$WORK/a.txt"
expect_fail "nothing was stored" --answers "$WORK/a.txt"

# Nothing listening: fails fast and names host:port.
python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' > "$WORK/closed"
pairing_answers "$(cat "$WORK/closed")" > "$WORK/a.txt"
start=$(date +%s)
expect_fail "127.0.0.1:$(cat "$WORK/closed")" --answers "$WORK/a.txt"
check "nothing listening fails fast" test $(( $(date +%s) - start )) -lt 5

# A listener that never answers: gives up within the budget.
console silent --secret "$SECRET" --fail never_answer
pairing_answers "$PORT" > "$WORK/a.txt"
start=$(date +%s)
ENGINE_SETUP_CONNECT_TIMEOUT=2 ENGINE_SETUP_TIMEOUT=3 expect_fail "firewall" --answers "$WORK/a.txt"
t=$(( $(date +%s) - start ))
check "a silent listener is given up within the budget" test $t -lt 10
# The time named is the one that ran out: the connect limit, which takes in
# the TLS handshake (2 s), not the whole exchange's (3 s).
out_has "did not answer the TLS handshake within 2 s"

# A requirement that fails stops before any connection: exit 3.
console untouched --secret "$SECRET"
pairing_answers "$PORT" > "$WORK/a.txt"
R=$(newroot)
mkdir -p "$R/etc/systemd/system"
touch "$R/etc/systemd/system/nexposeconsole.service"
run 3 --silent --answers "$WORK/a.txt" --root "$R"
out_lacks "Connection test"
check "a failed requirement sends no request" bash -c "! grep -q 'POST' '$WORK/untouched.log'"

# The dry run passes, the real pairing fails: the install rolls back, exit 4.
console regfail --secret "$SECRET" --fail bad_proof --fail-at register
pairing_answers "$PORT" > "$WORK/a.txt"
R=$(newroot)
run 4 --silent --answers "$WORK/a.txt" --root "$R"
out_has "[ OK ] Console proof"
out_has "Everything this run changed was undone"
check "a failed pairing rolls the install back" test -z "$(ls -A "$R")"
check "nothing was registered" test ! -s "$WORK/regfail.registry"

# Line mode: pair now with a port where nothing listens; changing the
# console details asks the address and port with what was given as the
# default, and keeps the secret on Enter (the console then gets it: it
# does not know that one); changing them again takes the right secret.
if command -v python3 >/dev/null; then
	console textmode --secret "$SECRET"
	R=$(newroot)
	cat > "$WORK/text.steps" <<EOT
expect OK [o, Enter]
send
expect Do you accept
send y
expect Scan Engine only
send 2
expect Where
send
expect System requirements
send
expect First name:
send Ada
expect Last name:
send Lovelace
expect Company:
send Example
expect Engine-to-Console [1, Enter]
send
expect Pair now (recommended) [1, Enter]
send
expect Console address:
send 127.0.0.1
expect Console port:
send $(cat "$WORK/closed")
expect Shared secret (Administration > Scans
send $OTHER
expect [FAIL] TCP connect
expect Test again [t, Enter], Change the console details [c]
send c
expect Console address:
expect [127.0.0.1]
send
expect Console port:
send $PORT
expect Shared secret (Enter keeps the one given before; type the new one if the console generated another):
send
expect Keeping the shared secret given before.
expect Testing the connection to 127.0.0.1:$PORT
expect [FAIL] Hello
expect does not know this shared secret
expect Test again [t, Enter]
send c
expect Console address:
send
expect Console port:
expect [$PORT]
send
expect Shared secret (Enter keeps the one given before
send $SECRET
expect [ OK ] Console proof
expect Console key: $SPKI
expect Start the service
send n
expect Pair with console:
send i
expect Paired with the console Test Console
EOT
	drive "$WORK/text.steps" 0 --text --root "$R" --record "$WORK/text-record.txt"
	file_has "$R/opt/rapid7/nexpose/nse/conf/consoles.xml" "spki=\"$SPKI\""
	file_has "$WORK/text-record.txt" "console_fingerprint = $SPKI"
	file_lacks "$WORK/text-record.txt" "shared_secret"
	no_secret_anywhere "$R"
	no_secret_anywhere "$WORK/text-record.txt"
fi

# --- Pinning: a wrong pin sends no request; the right pin works. ---
console pinned --secret "$SECRET"
pairing_answers "$PORT" > "$WORK/a.txt"
echo "console_fingerprint = sha256:$(printf '0%.0s' $(seq 64))" >> "$WORK/a.txt"
expect_fail "sha256:" --answers "$WORK/a.txt"
check "a pin mismatch sends no request" bash -c "! grep -q 'POST' '$WORK/pinned.log'"
pairing_answers "$PORT" > "$WORK/a.txt"
echo "console_fingerprint = $SPKI" >> "$WORK/a.txt"
R=$(newroot)
run 0 --silent --answers "$WORK/a.txt" --root "$R"
file_has "$R/opt/rapid7/nexpose/nse/conf/consoles.xml" "spki=\"$SPKI\""

# --- pair after pair_now = no; pair --test; secrets from the environment. ---
R=$(newroot)
{ engine_answers; echo "pair_now = no"; } > "$WORK/later.txt"
run 0 --silent --answers "$WORK/later.txt" --root "$R"
out_has "engine-setup pair --console"
run 0 pair --test --console "127.0.0.1:$PORT" --secret-file "$WORK/secret" --root "$R"
out_has "Connection test passed"
out_has "$SPKI"
check "--test stores nothing" bash -c "! grep -q '<console ' '$R/opt/rapid7/nexpose/nse/conf/consoles.xml'"
OUT=$(ENGINE_SETUP_SHARED_SECRET=$SECRET "$ES_BIN" pair --console "127.0.0.1:$PORT" --root "$R" 2>&1)
check "pair with the secret from the environment" test $? -eq 0
out_has "Paired with console Test Console"
file_has "$R/opt/rapid7/nexpose/nse/conf/consoles.xml" 'connectTo="1"'
no_secret_anywhere "$R"
# Pairing again replaces the entry instead of adding one.
run 0 pair --console "127.0.0.1:$PORT" --secret-file "$WORK/secret" --fingerprint "$SPKI" --root "$R"
check "pairing twice keeps one entry" test "$(grep -c '<console ' "$R/opt/rapid7/nexpose/nse/conf/consoles.xml")" -eq 1
run 4 pair --console "127.0.0.1:$PORT" --secret-file "$WORK/other-secret" --root "$R"
run 2 pair --console "127.0.0.1:$PORT" --root "$R" < /dev/null
out_has "no shared secret"
printf 'not-a-secret\n' > "$WORK/bad-secret"
run 2 pair --console "127.0.0.1:$PORT" --secret-file "$WORK/bad-secret" --root "$R"
run 2 pair --root "$R"
out_has "--console"
# pair keeps the record's SHA-256 of the consoles.xml it rewrote: the
# uninstall takes it for engine-setup's own, not a changed file to keep.
run 0 uninstall --silent --root "$R"
out_lacks "consoles.xml: its content changed"
missing "$R/opt/rapid7/nexpose/nse/conf/consoles.xml"

# A secret given on the command line works, with a warning.
R=$(newroot)
run 0 --silent --answers "$WORK/later.txt" --set pair_now=yes \
    --set console_address=127.0.0.1 --set console_port="$PORT" \
    --set shared_secret="$SECRET" --root "$R"
out_has "shows in 'ps'"
no_secret_anywhere "$R"

# An answers file holding the secret that others can read: a warning.
R=$(newroot)
{ engine_answers; echo "pair_now = yes"; echo "console_address = 127.0.0.1";
  echo "console_port = $PORT"; echo "shared_secret = $SECRET"; } > "$WORK/open.txt"
chmod 644 "$WORK/open.txt"
run 0 --silent --answers "$WORK/open.txt" --root "$R"
out_has "$WORK/open.txt holds the shared secret and others can read it"
no_secret_anywhere "$R"
finish
