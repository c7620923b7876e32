#!/usr/bin/env bash
# A re-run with the same answers that asks to pair (issue 12, "Re-runs do
# what the answers ask"): it pairs with that console when the engine is not
# paired with it (the connection test first; exit 4 and nothing changed on
# failure), says so when it is, and pairs with another console it is asked
# to; --check only tests the connection.
. "$(dirname "$0")/lib.sh"

: "${TEST_CONSOLE:?TEST_CONSOLE must name the test console binary}"
on_exit stop_consoles
printf '%s\n' "$SECRET" > "$WORK/secret"
printf '%s\n' "$OTHER" > "$WORK/other-secret"
chmod 600 "$WORK/secret" "$WORK/other-secret"

# pair_to PORT [SECRET_FILE]: the answers of the first install, now asking
# to pair with the console on PORT.
pair_to() {
	engine_answers | sed '/^pair_now/d'
	echo "pair_now = yes"
	echo "console_address = 127.0.0.1"
	echo "console_port = $1"
	echo "shared_secret_file = ${2:-$WORK/secret}"
}
X=opt/rapid7/nexpose/nse/conf/consoles.xml

console first --secret "$SECRET"
PORT1=$PORT SPKI1=$SPKI
console second --secret "$SECRET" --console-name "Second Console" \
    --console-id console-test-2
PORT2=$PORT

R=$(newroot)
engine_answers > "$WORK/nopair.txt"
run 0 --silent --answers "$WORK/nopair.txt" --root "$R"
check "installed without a console" bash -c "! grep -q '<console ' '$R/$X'"

# --check: the connection test only; nothing changes.
pair_to "$PORT1" > "$WORK/pair1.txt"
snapshot "$R" > "$WORK/before"
run 0 --silent --check --answers "$WORK/pair1.txt" --root "$R"
out_has "with the same answers, but it is not paired with the console at 127.0.0.1:$PORT1: testing the connection to it (--check changes nothing)."
out_has "Connection test passed"
snapshot "$R" > "$WORK/after"
check "--check changed nothing" cmp -s "$WORK/before" "$WORK/after"
check "--check registered nothing" test ! -s "$WORK/first.registry"

# A wrong secret: exit 4, nothing changed.
pair_to "$PORT1" "$WORK/other-secret" > "$WORK/wrong.txt"
run 4 --silent --answers "$WORK/wrong.txt" --root "$R"
out_has "Nothing was changed."
snapshot "$R" > "$WORK/after"
check "a failed pairing changed nothing" cmp -s "$WORK/before" "$WORK/after"

# The re-run pairs, and changes nothing but consoles.xml and the record's
# hash of it.
run 0 --silent --answers "$WORK/pair1.txt" --root "$R"
out_has "but it is not paired with the console at 127.0.0.1:$PORT1: pairing with it now; nothing else changes."
out_has "Paired with console Test Console"
out_has "$SPKI1"
file_has "$R/$X" 'connectTo="1"'
file_has "$R/$X" "spki=\"$SPKI1\""
check "the console registered the engine" test "$(wc -l < "$WORK/first.registry")" -eq 1
snapshot "$R" > "$WORK/after"
check "only consoles.xml and the record changed" bash -c \
    "diff '$WORK/before' '$WORK/after' | grep '^[<>]' | grep -v -e 'nse/conf/consoles.xml' -e '.install/record' -e '.install/install.log' | grep -q . && exit 1 || exit 0"

# Again: paired already, so nothing to do, with --overwrite too.
snapshot "$R" > "$WORK/before"
run 0 --silent --answers "$WORK/pair1.txt" --root "$R"
out_has "and paired with the console Test Console at 127.0.0.1:$PORT1 (console 1 in nse/conf/consoles.xml): nothing to do."
out_lacks "Pairing with the console at"
run 0 --silent --overwrite --answers "$WORK/pair1.txt" --root "$R"
out_has "nothing to do."
snapshot "$R" > "$WORK/after"
check "a paired re-run changed nothing" cmp -s "$WORK/before" "$WORK/after"
check "no second registration" test "$(wc -l < "$WORK/first.registry")" -eq 1

# After a new identity (a clone, or identity reset) the console knew the old
# key (pairAgain="1"): the re-run pairs with it again.
run 0 identity reset --silent --root "$R"
file_has "$R/$X" 'pairAgain="1"'
run 0 --silent --answers "$WORK/pair1.txt" --root "$R"
out_has "but it is not paired with the console at 127.0.0.1:$PORT1: pairing with it now"
file_lacks "$R/$X" 'pairAgain="1"'
check "the console registered the new identity" test "$(wc -l < "$WORK/first.registry")" -eq 2

# Switching to another console pairs with it as well.
pair_to "$PORT2" > "$WORK/pair2.txt"
run 0 --silent --answers "$WORK/pair2.txt" --root "$R"
out_has "not paired with the console at 127.0.0.1:$PORT2: pairing with it now"
out_has "Paired with console Second Console"
check "two consoles now" test "$(grep -c '<console ' "$R/$X")" -eq 2
run 0 consoles list --root "$R"
out_has "Second Console"
out_has "Test Console"

# The secret is nowhere.
TESTS_RUN=$((TESTS_RUN + 1))
if grep -rlE "$SECRET_RE" "$R" | grep -q .; then
	fail "the secret is in a file under $R"
fi
finish
