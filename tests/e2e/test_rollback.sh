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

# A folder the installing user may not write. Where install_dir goes, the
# requirements check says so before anything changes (issue 10: exit 3,
# "[Fail] Install folder"); where the service goes, the install stops
# there: exit 6, nothing left.
if [ "$(id -u)" -eq 0 ] && command -v runuser >/dev/null; then
	R=$(newroot)
	mkdir -p "$R/opt/rapid7"
	chown nobody "$R" "$R/opt"
	chmod 755 "$R/opt/rapid7"
	chmod 644 "$WORK/e.txt"
	TESTS_RUN=$((TESTS_RUN + 1))
	OUT=$(as_nobody --silent --answers "$WORK/e.txt" --root "$R" 2>&1)
	rc=$?
	[ $rc -eq 3 ] || fail "an install folder nobody may write exited $rc, expected 3: $OUT"
	out_has "[Fail] Install folder"
	out_has "this user may not write in $R/opt/rapid7 (Permission denied)"
	check "permission denied leaves nothing" test -z "$(ls -A "$R/opt/rapid7")"
	R=$(newroot)
	mkdir -p "$R/opt" "$R/etc/systemd"
	chown nobody "$R" "$R/opt"
	chmod 755 "$R/etc/systemd"
	TESTS_RUN=$((TESTS_RUN + 1))
	OUT=$(as_nobody --silent --answers "$WORK/e.txt" --root "$R" 2>&1)
	rc=$?
	[ $rc -eq 6 ] || fail "permission denied exited $rc, expected 6: $OUT"
	out_has "ermission denied"
	out_has "Everything this run changed was undone"
	check "permission denied leaves nothing" test -z "$(ls -A "$R/opt")"
fi

# A full disk: vendor payloads for a small file system (a tmpfs; needs
# root), whose manifests ask for no free space. One larger than the file
# system is refused by the requirements check, which needs the payload's
# unpacked size (exit 3, nothing changed). One whose unpacked size fits
# but whose many small files each take a block of the file system passes
# the check, and the write fails: exit 6, nothing left.
if [ "$(id -u)" -eq 0 ] && [ -n "${MKPAYLOAD:-}" ] && [ -n "${ES_SRC:-}" ]; then
	T=$WORK/bigtree
	cp -r "${ES_PAYLOAD_TREE:-$ES_SRC/payload}" "$T"
	sed -i 's/^requirement.disk.min_mib = .*/requirement.disk.min_mib = 0/; s/^requirement.disk.recommended_mib = .*/requirement.disk.recommended_mib = 0/' "$T/manifest"
	cp -r "$T" "$WORK/manytree"
	head -c 3000000 /dev/urandom > "$T/engine/nse/lib/big.bin"
	"$MKPAYLOAD" --stub "$ES_BIN" --tree "$T" --out "$WORK/big-setup" >/dev/null
	for i in $(seq 400); do echo "$i" > "$WORK/manytree/engine/nse/lib/f$i"; done
	"$MKPAYLOAD" --stub "$ES_BIN" --tree "$WORK/manytree" --out "$WORK/many-setup" >/dev/null
	R=$(newroot)
	if mount -t tmpfs -o size=1m tmpfs "$R" 2>/dev/null; then
		TESTS_RUN=$((TESTS_RUN + 1))
		OUT=$("$WORK/big-setup" --silent --answers "$WORK/e.txt" --root "$R" 2>&1)
		rc=$?
		[ $rc -eq 3 ] || fail "a payload larger than the disk exited $rc, expected 3: $OUT"
		out_has "[Fail] Free disk"
		# The payload's unpacked size: big.bin's 2.9 MiB and the sample
		# tree (whose service program is larger in a sanitizer build).
		TESTS_RUN=$((TESTS_RUN + 1))
		[[ $OUT =~ at\ least\ ([0-9]+)\.([0-9])\ MiB\ is\ needed ]] &&
		    [ "${BASH_REMATCH[1]}${BASH_REMATCH[2]}" -ge 29 ] ||
		    fail "the Free disk advice names no need of 2.9 MiB or more: $OUT"
		check "a payload larger than the disk changes nothing" test -z "$(ls -A "$R")"
		TESTS_RUN=$((TESTS_RUN + 1))
		OUT=$("$WORK/many-setup" --silent --answers "$WORK/e.txt" --root "$R" 2>&1)
		rc=$?
		[ $rc -eq 6 ] || fail "disk full exited $rc, expected 6: $OUT"
		out_has "[Pass] Free disk"
		out_has "space"
		check "a full disk leaves nothing" test -z "$(ls -A "$R")"
		umount "$R"
	else
		echo "skipped the full-disk test: cannot mount a tmpfs here"
	fi
fi
finish
