#!/usr/bin/env bash
# Memory errors and leaks under valgrind memcheck, each run with 0 errors
# and nothing definitely lost: a silent install into a --root, status,
# pair --test and pair against the test console on loopback, uninstall
# --silent; then a silent install that pairs (engine-to-console,
# pair_now = yes, as test_pairing.sh does) and its uninstall. Regular
# builds only: an ASan build cannot run under valgrind (skipped, 77), and
# so is a host without valgrind.
. "$(dirname "$0")/lib.sh"

: "${TEST_CONSOLE:?TEST_CONSOLE must name the test console binary}"
if ! command -v valgrind >/dev/null; then
	echo "valgrind is not installed: skipped"
	exit 77
fi
if grep -qa __asan_init "$ES_BIN"; then
	echo "$ES_BIN is an AddressSanitizer build: skipped"
	exit 77
fi
SECRET=ABCD-1234-EFGH-5678-IJKL-9012-MNOP-3456
CONSOLE_PID=

on_exit 'if [ -n "$CONSOLE_PID" ]; then kill "$CONSOLE_PID" 2>/dev/null; wait "$CONSOLE_PID" 2>/dev/null; fi'

# vg NAME EXPECTED_EXIT ARGS...: engine-setup ARGS under memcheck; exit 99
# is a memcheck error (an invalid access or a definite leak).
vg() {
	local name=$1 want=$2 rc
	shift 2
	TESTS_RUN=$((TESTS_RUN + 1))
	valgrind --error-exitcode=99 --leak-check=full \
	    --errors-for-leak-kinds=definite --track-fds=no \
	    --log-file="$WORK/$name.vg" "$ES_BIN" "$@" > "$WORK/$name.out" 2>&1
	rc=$?
	OUT=$(cat "$WORK/$name.out")
	if [ "$rc" -eq 99 ]; then
		fail "$name: memcheck found errors:
$(cat "$WORK/$name.vg")"
		return 1
	fi
	if [ "$rc" -ne "$want" ]; then
		fail "$name: engine-setup $* exited $rc under valgrind, expected $want; output:
$OUT"
		return 1
	fi
	check "$name: 0 errors" grep -q "ERROR SUMMARY: 0 errors" "$WORK/$name.vg"
	TESTS_RUN=$((TESTS_RUN + 1))
	if grep -q "definitely lost: [1-9]" "$WORK/$name.vg"; then
		fail "$name: memory definitely lost: $(grep -A2 'definitely lost' "$WORK/$name.vg")"
	fi
	echo "  $name: $(grep -o 'ERROR SUMMARY: .*' "$WORK/$name.vg" | head -1)"
}

"$TEST_CONSOLE" --listen 127.0.0.1 --port-file "$WORK/console.port" \
    --spki-file "$WORK/console.spki" --registry "$WORK/console.registry" \
    --log "$WORK/console.log" --lifetime 300 --secret "$SECRET" \
    > "$WORK/console.out" 2>&1 &
CONSOLE_PID=$!
for _ in $(seq 100); do
	[ -s "$WORK/console.port" ] && break
	sleep 0.05
done
PORT=$(cat "$WORK/console.port")
SPKI=$(cat "$WORK/console.spki")
printf '%s\n' "$SECRET" > "$WORK/secret"
chmod 600 "$WORK/secret"

R=$(newroot)
engine_answers > "$WORK/answers.txt"
vg install 0 --silent --answers "$WORK/answers.txt" --root "$R" \
    --log "$WORK/install.log"
exists "$R/opt/rapid7/nexpose/.install/record"
vg status 10 status --root "$R"
out_has "Nexpose"
vg pair-test 0 pair --test --console "127.0.0.1:$PORT" \
    --secret-file "$WORK/secret" --root "$R"
vg pair 0 pair --console "127.0.0.1:$PORT" --secret-file "$WORK/secret" \
    --root "$R"
file_has "$R/opt/rapid7/nexpose/nse/conf/consoles.xml" "spki=\"$SPKI\""
vg uninstall 0 uninstall --silent --root "$R"
missing "$R/opt/rapid7/nexpose/nse"

# The install-time pairing: the connection test, then the pairing step.
R=$(newroot)
{
	engine_answers | sed 's/^pair_now = no$/pair_now = yes/'
	echo "console_address = 127.0.0.1"
	echo "console_port = $PORT"
	echo "shared_secret_file = $WORK/secret"
} > "$WORK/pair-answers.txt"
vg install-pair 0 --silent --answers "$WORK/pair-answers.txt" --root "$R" \
    --log "$WORK/install-pair.log"
out_has "Paired with the console Test Console"
X=$R/opt/rapid7/nexpose/nse/conf/consoles.xml
file_has "$X" 'connectTo="1"'
file_has "$X" "spki=\"$SPKI\""
engine_id=$(awk '/^engine_id/ {print $2}' "$R/opt/rapid7/nexpose/.install/record")
file_has "$WORK/console.registry" "$engine_id"
vg uninstall-paired 0 uninstall --silent --root "$R"
missing "$R/opt/rapid7/nexpose/nse"

finish
