#!/usr/bin/env bash
# Any failure after changes began undoes everything this run did: an
# injected failure at every step (exit 6), a signal (exit 5), a corrupt
# payload (exit 6), and a failed --overwrite that must leave the old
# installation exactly as it was.
. "$(dirname "$0")/lib.sh"

engine_answers console-to-engine > "$WORK/e.txt"
steps=("Preparing folders" "Unpacking files" "Writing configuration"
    "Registering the service" "Writing the install record"
    "Moving into place" "Recording the installation" "Starting the service")

for s in "${steps[@]}"; do
	R=$(newroot)
	export ES_TEST_FAULT="$s:fail"
	run 6 --silent --answers "$WORK/e.txt" --root "$R"
	out_has "injected failure at step '$s'"
	out_has "Everything this run changed was undone"
	check "after a failure at '$s' the root is empty" test -z "$(ls -A "$R")"
	export ES_TEST_FAULT="$s:signal"
	run 5 --silent --answers "$WORK/e.txt" --root "$R"
	out_has "cancelled"
	check "after a signal at '$s' the root is empty" test -z "$(ls -A "$R")"
done
unset ES_TEST_FAULT

# A corrupt payload: flip one byte inside the data archive.
cp "$ES_BIN" "$WORK/corrupt"
size=$(stat -c %s "$WORK/corrupt")
# The data archive ends right before the 128-byte trailer.
printf '\xff' | dd of="$WORK/corrupt" bs=1 seek=$((size - 128 - 200)) conv=notrunc status=none
R=$(newroot)
TESTS_RUN=$((TESTS_RUN + 1))
OUT=$("$WORK/corrupt" --silent --answers "$WORK/e.txt" --root "$R" 2>&1)
rc=$?
if [ $rc -ne 6 ]; then fail "corrupt payload exited $rc, expected 6: $OUT"; fi
out_has "corrupt"
check "a corrupt payload installs nothing" test -z "$(ls -A "$R")"

# An overwrite that fails restores the old installation exactly.
R=$(newroot)
run 0 --silent --answers "$WORK/e.txt" --root "$R"
before=$(tree "$R")
for s in "Registering the service" "Moving into place" "Recording the installation"; do
	ES_TEST_FAULT="$s:fail" run 6 --silent --answers "$WORK/e.txt" \
	    --set engine_name=renamed --overwrite --root "$R"
	check "failed overwrite at '$s' restores the old installation" \
	    test "$before" = "$(tree "$R")"
done

# A read-only destination: permission denied, exit 6, nothing left.
if [ "$(id -u)" -ne 0 ]; then
	R=$(newroot)
	mkdir -p "$R/opt"
	chmod 555 "$R/opt"
	run 6 --silent --answers "$WORK/e.txt" --root "$R"
	check "permission denied leaves nothing" test -z "$(ls -A "$R/opt")"
fi
finish
