#!/usr/bin/env bash
# Issue 9: the recovery itself. A run that finishes a journal can be cut
# short too (kill -9 while undoing), and so can an in-process rollback; the
# next run must still converge, never replaying an undo that later ones
# built on (an --overwrite's old installation moved back, then the staging
# folder removed: replayed, the old installation went with it). A journal
# found in another root than the one it was written for (a root copied or
# mounted elsewhere) is finished where it is found; a damaged or hostile
# one changes nothing and says what to do.
. "$(dirname "$0")/lib.sh"

need_strace
# Fewer points than test_crash.sh: each one is two runs and a copy.
[ "$POINTS" -le 6 ] || POINTS=6
engine_answers console-to-engine > "$WORK/e.txt"
console_answers
J=var/lib/engine-setup
HDR='{"journal":1,"op":"install","install_dir":"/opt/rapid7/nexpose","pid":1,"started":"x"}'

# ---- An engine installation, and --overwrite with a console (other
# service) cut short after both moves: the journal undoes two renames,
# restores the old service and removes the new one.
R=$(newroot)
run 0 --silent --answers "$WORK/e.txt" --root "$R"
S0=$(snapshot "$R")
BASE=$WORK/base
cp -a "$R" "$BASE"
ES_TEST_FAULT="Recording the installation:kill" "$ES_BIN" --silent \
    --answers "$WORK/console.txt" --overwrite --root "$BASE" >/dev/null 2>&1
check "the overwrite was cut short" test -f "$BASE/$J/journal"

# back_to_old WHAT: the next run (old answers) finds the old installation
# back byte for byte, and nothing temporary.
back_to_old() {
	run 0 --silent --answers "$WORK/e.txt" --root "$R" || echo "  ($1)" >&2
	check "$1: the old installation is back byte for byte" \
	    test "$(snapshot "$R")" = "$S0"
	check "$1: no leftovers" test -z "$(leftovers "$R")"
}

# ---- The recovering run killed at its Nth unlink, rename, write or
# fdatasync (the marks it writes as it undoes); then again.
for sc in unlink rename renameat write fdatasync; do
	rm -rf "$R"; cp -a "$BASE" "$R"
	total=$(count "$sc" --silent --answers "$WORK/e.txt" --root "$R")
	for n in $(points "$total"); do
		what="recovery killed at $sc #$n of $total"
		rm -rf "$R"; cp -a "$BASE" "$R"
		strace -f -qq -o /dev/null -e trace="$sc" \
		    -e inject="$sc":signal=SIGKILL:when="$n" "$ES_BIN" --silent \
		    --answers "$WORK/e.txt" --root "$R" >/dev/null 2>&1
		# And once more, for a double crash, at the first unlink.
		if [ "$sc" = unlink ] && [ -e "$R/$J/journal" ]; then
			strace -f -qq -o /dev/null -e trace=unlink \
			    -e inject=unlink:signal=SIGKILL:when=2 "$ES_BIN" \
			    --silent --answers "$WORK/e.txt" --root "$R" \
			    >/dev/null 2>&1
		fi
		back_to_old "$what"
	done
done

# ---- An in-process rollback of that --overwrite killed at its Nth
# unlink: the undo resumes where it stopped.
R2=$(newroot)
rm -rf "$R2"; cp -a "$BASE" "$R2"
rm -rf "$R"; cp -a "$BASE" "$R"
"$ES_BIN" --silent --answers "$WORK/e.txt" --root "$R" >/dev/null 2>&1
check "the reference recovery restored the old installation" \
    test "$(snapshot "$R")" = "$S0"
cp -a "$R" "$WORK/old"
FAIL=(--silent --answers "$WORK/console.txt" --overwrite --root "$R")
total=$(ES_TEST_FAULT="Recording the installation:fail" count unlink "${FAIL[@]}")
check "the failing overwrite left the old installation" \
    test "$(snapshot "$R")" = "$S0"
for n in $(points "$total"); do
	what="rollback killed at unlink #$n of $total"
	rm -rf "$R"; cp -a "$WORK/old" "$R"
	ES_TEST_FAULT="Recording the installation:fail" strace -f -qq \
	    -o /dev/null -e trace=unlink -e inject=unlink:signal=SIGKILL:when="$n" \
	    "$ES_BIN" "${FAIL[@]}" >/dev/null 2>&1
	back_to_old "$what"
done

# ---- An in-process rollback that fails (EBUSY at one of its renames of a
# folder, rename(2), or of a restored file, renameat(2); up to four of
# each) stops there, says so (never "undone"), keeps the journal, and the
# next run resumes it. The rollback's calls are those after the calls of
# a run killed where this one fails.
for sc in rename renameat; do
	rm -rf "$R"; cp -a "$WORK/old" "$R"
	total=$(ES_TEST_FAULT="Recording the installation:fail" count $sc "${FAIL[@]}")
	rm -rf "$R"; cp -a "$WORK/old" "$R"
	first=$(( $(ES_TEST_FAULT="Recording the installation:kill" count $sc "${FAIL[@]}") + 1 ))
	check "the rollback makes $sc calls" test "$first" -ge 1 -a "$first" -le "$total"
	for ((n = (total - 3 > first ? total - 3 : first); n <= total; n++)); do
		what="rollback failing at $sc #$n of $total"
		rm -rf "$R"; cp -a "$WORK/old" "$R"
		TESTS_RUN=$((TESTS_RUN + 1))
		OUT=$(ES_TEST_FAULT="Recording the installation:fail" strace -f -qq \
		    -o /dev/null -e trace=$sc -e inject=$sc:error=EBUSY:when="$n" \
		    "$ES_BIN" "${FAIL[@]}" 2>&1)
		RC=$?
		[ $RC -eq 6 ] || fail "$what: exited $RC, expected 6: $OUT"
		out_has "Undoing this run stopped short: "
		out_has "Device or resource busy. The journal is kept"
		out_lacks "Everything this run changed was undone"
		run 10 status --root "$R"
		out_has "cut short"
		back_to_old "$what"
	done
done

# ---- A root copied elsewhere with a journal in it: finished there, and
# the root it came from is left alone.
A=$(newroot)
ES_TEST_FAULT="Moving into place:kill" "$ES_BIN" --silent \
    --answers "$WORK/e.txt" --root "$A" >/dev/null 2>&1
C=$WORK/copy
cp -a "$A" "$C"
SA=$(snapshot "$A")
run 0 uninstall --silent --root "$C"
out_has "everything it changed has now been undone"
check "the copy is undone: no installation folder" test ! -e "$C/opt"
check "the copy: no leftovers" test -z "$(leftovers "$C")"
check "the root it was copied from is untouched" test "$(snapshot "$A")" = "$SA"

# ---- A root spelt with "." and "..", relative, recovered under another
# spelling of it.
A=$(newroot)
(cd "$A" && ES_TEST_FAULT="Moving into place:kill" "$ES_BIN" --silent \
    --answers "$WORK/e.txt" --root "../$(basename "$A")/." >/dev/null 2>&1)
check "a root spelt with . and ..: a journal" test -f "$A/$J/journal"
run 10 status --root "$A"
out_has "was cut short; the next install"
run 0 uninstall --silent --root "$WORK//$(basename "$A")"
out_has "everything it changed has now been undone"
check "a root spelt with . and ..: no installation folder" test ! -e "$A/opt"
check "a root spelt with . and ..: no leftovers" test -z "$(leftovers "$A")"

# ---- Damaged and hostile journals: status says so (10, Problem), every
# changing command stops with exit 6 naming the file, nothing changes
# (not even outside the root).
V=$WORK/victim
mkdir -p "$V/sub"; echo keep > "$V/sub/f"
SV=$(snapshot "$V")
hostile() {
	local what=$1 want=$2
	TESTS_RUN=$((TESTS_RUN + 1))
	local before
	before=$(snapshot "$R")
	OUT=$(timeout 20 "$ES_BIN" status --root "$R" 2>&1)
	RC=$?
	[ "$RC" -eq 10 ] || fail "$what: status exited $RC, expected 10: $OUT"
	grep -q "^Problem: .*$want" <<<"$OUT" || fail "$what: status lacks a Problem line with '$want': $OUT"
	run 6 uninstall --silent --root "$R"
	out_has "$want"
	out_has "Nothing was changed"
	check "$what: nothing changed" test "$(snapshot "$R")" = "$before"
	check "$what: nothing outside the root changed" test "$(snapshot "$V")" = "$SV"
}
fresh() { rm -rf "$R"; cp -a "$WORK/old" "$R"; }
fresh; printf '%s\n{"undo":"remove-tree","a":"%s"}\n' "$HDR" "$V/sub" > "$R/$J/journal"
hostile "a path outside the root" "which is not a path inside $R"
fresh; printf '%s\n{"undo":"remove-file","a":"%s/../victim/sub/f"}\n' "$HDR" "$R" > "$R/$J/journal"
hostile "a path with .. in it" "which is not a path inside"
fresh; printf '%s\n{"undo":"remove-tree","a":"%s/etc"}\n' "$HDR" "$R" > "$R/$J/journal"
hostile "remove-tree of a folder not engine-setup's" "not a staging or backup folder"
fresh; printf '{"journal":1,"op":"uninstall","install_dir":"/x","root":"/"}\n{"finish":"uninstall","a":"/"}\n' > "$R/$J/journal.committed"
hostile "an uninstall of another installation" "an uninstall of install_dir /x, while the install pointer $R/$J/installation names /opt/rapid7/nexpose"
fresh; printf '{"journal":2,"op":"install","install_dir":"/opt/rapid7/nexpose"}\n{"undo":"rmdir","a":"/x"}\n' > "$R/$J/journal"
hostile "a newer version's journal" "written by a newer engine-setup (journal version 2"
fresh; printf '{"undo":"rmdir","a":"%s/opt"}\n' "$R" > "$R/$J/journal"
hostile "a journal without its header" "damaged at line 1"
fresh; printf '%s\ngarbage\n{"undo":"rmdir","a":"%s/opt"}\n' "$HDR" "$R" > "$R/$J/journal"
hostile "garbage in the middle" "damaged at line 2"
fresh; printf '%s\n{"undone":7}\n' "$HDR" > "$R/$J/journal"
hostile "an undone mark of no record" "names no undo record"
fresh; printf '%s\n' "$HDR" > "$R/$J/journal"; cp "$R/$J/journal" "$R/$J/journal.committed"
hostile "journal and journal.committed both" "which no engine-setup run leaves"
fresh; printf '%s\n' "$HDR" > "$WORK/elsewhere"; ln -s "$WORK/elsewhere" "$R/$J/journal"
hostile "a journal that is a symbolic link" "is a symbolic link, not a journal"
fresh; mkfifo "$R/$J/journal"
hostile "a journal that is a FIFO" "not a regular file"

# ---- A torn last line (the crash came while it was written) is a
# record that never took effect; the recovery appends after it cleanly.
fresh; printf '%s\n{"undo":"rmdir","a":"%s/nothing"}\n{"undo":"rem' "$HDR" "$R" > "$R/$J/journal"
run 10 status --root "$R"
run 0 uninstall --silent --root "$R"
out_has "everything it changed has now been undone"
out_has "Uninstalled."

# ---- An undo that fails says why, and the next run resumes (read-only
# install folder; needs a tmpfs mount).
M=$WORK/ro
mkdir -p "$M/opt"
if mount -t tmpfs -o size=300m tmpfs "$M/opt" 2>/dev/null; then
	ES_TEST_FAULT="Moving into place:kill" "$ES_BIN" --silent \
	    --answers "$WORK/e.txt" --root "$M" >/dev/null 2>&1
	mount -o remount,ro "$M/opt"
	run 6 uninstall --silent --root "$M"
	out_has "undoing it failed: "
	out_has "Read-only file system"
	out_lacks "failed: ."
	run 10 status --root "$M"
	mount -o remount,rw "$M/opt"
	run 0 uninstall --silent --root "$M"
	out_has "everything it changed has now been undone"
	check "after the read-only undo: no leftovers" test -z "$(leftovers "$M")"
	umount "$M/opt"
else
	echo "skipped the read-only part: cannot mount a tmpfs here"
fi

finish
