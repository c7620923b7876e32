#!/usr/bin/env bash
# Issue 9, parts 1 and 2: a crash (kill -9, power loss) never leaves a
# half-install, and a failure at any point undoes everything, whoever made
# the files it touched.
#
# Crashes are injected with strace: SIGKILL at the Nth call of one system
# call (openat, mkdir, rename, fsync, fdatasync, write, symlink, unlink,
# rmdir), N sampled across a whole run of install, --overwrite and
# uninstall. After each: status never says "installed" while a journal is
# there (exit 10, "cut short"); the next command finishes the run (undo
# before the commit point, complete after it) and says so; and the root
# ends exactly as after a run that was never cut short.
. "$(dirname "$0")/lib.sh"

need_strace

engine_answers console-to-engine > "$WORK/e.txt"
TRIED=0

# shape ROOT: listing without the empty var/ and var/lib/ a --root can be
# left with: the run lock makes them for its file, and only a lock taken
# over from a run that died knows to remove them (noticed, left: the lock
# does not tell the install record what it made).
shape() {
	listing "$1" | grep -v -x -e './var d 755' -e './var/lib d 755'
}

# crash SYSCALL N ARGS...: run engine-setup ARGS, killed (SIGKILL) at the
# Nth call of SYSCALL. $CRASH_RC is its exit code (137 when killed).
crash() {
	local sc=$1 n=$2
	shift 2
	traced -f -qq -o /dev/null -e trace="$sc" \
	    -e inject="$sc":signal=SIGKILL:when="$n" "$ES_BIN" "$@" \
	    >"$WORK/crash.out" 2>&1
	CRASH_RC=$?
	TRIED=$((TRIED + 1))
}

# after_crash ROOT WHAT: what status says right after a crash.
after_crash() {
	local r=$1 what=$2 j=$1/var/lib/engine-setup
	TESTS_RUN=$((TESTS_RUN + 1))
	OUT=$("$ES_BIN" status --root "$r" 2>&1)
	RC=$?
	if [ -e "$j/journal" ] || [ -e "$j/journal.committed" ]; then
		[ "$RC" -eq 10 ] || fail "$what: status exited $RC with a journal there, expected 10: $OUT"
		grep -q "was cut short" <<<"$OUT" || fail "$what: status does not say the run was cut short: $OUT"
		grep -q "^Product:" <<<"$OUT" && fail "$what: status says installed with a journal there: $OUT"
		return 0
	fi
	# Without a journal: nothing installed (9), or the whole installation
	# (0: an image under --root, with nothing to attend to).
	if grep -q "^Product:" <<<"$OUT"; then
		[ "$RC" -eq 0 ] || fail "$what: status exited $RC when installed, expected 0: $OUT"
	else
		[ "$RC" -eq 9 ] || fail "$what: status exited $RC when not installed, expected 9: $OUT"
	fi
	return 0
}

# ---- References: the shapes of a clean install, of what a clean
# uninstall leaves, and of an install that failed.
R=$(newroot)
run 0 --silent --answers "$WORK/e.txt" --root "$R"
L_INST=$(shape "$R")
run 0 uninstall --silent --root "$R"
L_UN=$(shape "$R")
R=$(newroot)
ES_TEST_FAULT="Starting the service:fail" run 6 --silent --answers "$WORK/e.txt" --root "$R"
L_NONE=$(shape "$R")

# ---- Crash points of a fresh install, found by counting each call.
R=$(newroot)
for sc in openat mkdir rename renameat fsync fdatasync write symlink; do
	total=$(count "$sc" --silent --answers "$WORK/e.txt" --root "$R")
	"$ES_BIN" uninstall --silent --root "$R" >/dev/null 2>&1
	rm -rf "$R"; mkdir "$R"
	for n in $(points "$total"); do
		what="install killed at $sc #$n of $total"
		crash "$sc" "$n" --silent --answers "$WORK/e.txt" --root "$R"
		after_crash "$R" "$what"
		if [ $((n % 2)) -eq 1 ]; then
			# The next uninstall finishes the run, then removes it.
			run 0 uninstall --silent --root "$R" || echo "  ($what)" >&2
			l=$(shape "$R")
			check "$what, then uninstall: nothing but the logs is left" \
			    test "$l" = "$L_UN" -o "$l" = "$L_NONE"
		else
			# The next install finishes the run, then installs.
			run 0 --silent --answers "$WORK/e.txt" --root "$R" || echo "  ($what)" >&2
			check "$what, then install: a whole installation" \
			    test "$(shape "$R")" = "$L_INST"
			run 0 status --root "$R"
			run 0 uninstall --silent --root "$R"
		fi
		check "$what: no leftovers" test -z "$(leftovers "$R")"
		rm -rf "$R"; mkdir "$R"
	done
done

# ---- The same for the deterministic points between the steps: a kill
# right after each step (ES_TEST_FAULT=<step>:kill).
for s in "Preparing folders" "Unpacking files" "Writing configuration" \
    "Registering the service" "Writing the install record" \
    "Moving into place" "Recording the installation" "Starting the service"; do
	R=$(newroot)
	TESTS_RUN=$((TESTS_RUN + 1))
	ES_TEST_FAULT="$s:kill" "$ES_BIN" --silent --answers "$WORK/e.txt" --root "$R" >/dev/null 2>&1
	rc=$?
	[ $rc -eq 137 ] || fail "kill after '$s' exited $rc, expected 137"
	after_crash "$R" "kill after '$s'"
	run 10 status --root "$R"
	out_has "was cut short; the next install, uninstall, pair, consoles or identity command (the service runs identity check before it starts) undoes what it changed"
	run 0 uninstall --silent --root "$R"
	out_has "An earlier engine-setup install (process"
	out_has "everything it changed has now been undone"
	out_has "Nothing is installed"
	check "kill after '$s', then uninstall: the root is as before" \
	    test "$(shape "$R")" = "$L_NONE"
	run 9 status --root "$R"
	out_has "Not installed"
done

# ---- --overwrite cut short, at every rename (the two moves among them)
# and across the other calls: afterwards the old installation is back
# byte for byte, or the new one is whole; never neither.
R=$(newroot)
run 0 --silent --answers "$WORK/e.txt" --root "$R"
S0=$(snapshot "$R")
OW=(--silent --answers "$WORK/e.txt" --set engine_name=renamed --overwrite --root "$R")
for sc in rename renameat openat mkdir fsync fdatasync write; do
	cp -a "$R" "$WORK/ow-copy"
	total=$(count "$sc" "${OW[@]}")
	rm -rf "$R"; mv "$WORK/ow-copy" "$R"
	check "the overwrite reference left the old root" test "$(snapshot "$R")" = "$S0"
	for n in $(points "$total"); do
		what="--overwrite killed at $sc #$n of $total"
		cp -a "$R" "$WORK/ow-copy"
		crash "$sc" "$n" "${OW[@]}"
		after_crash "$R" "$what"
		# The old answers: "nothing to do" when the old installation
		# is back, exit 7 when the new one is in place.
		TESTS_RUN=$((TESTS_RUN + 1))
		OUT=$("$ES_BIN" --silent --answers "$WORK/e.txt" --root "$R" 2>&1)
		RC=$?
		if [ $RC -eq 0 ]; then
			check "$what: the old installation is back byte for byte" \
			    test "$(snapshot "$R")" = "$S0"
		elif [ $RC -eq 7 ]; then
			file_has "$R/opt/rapid7/nexpose/nse/conf/nse.xml" 'name="renamed"'
			check "$what: the new installation is whole" \
			    test "$(shape "$R")" = "$L_INST"
		else
			fail "$what: the next install exited $RC: $OUT"
		fi
		check "$what: no leftovers" test -z "$(leftovers "$R")"
		rm -rf "$R"; mv "$WORK/ow-copy" "$R"
	done
done

# ---- uninstall cut short: the next uninstall completes it.
for sc in unlink rmdir openat fdatasync rename renameat write; do
	R=$(newroot)
	run 0 --silent --answers "$WORK/e.txt" --root "$R"
	cp -a "$R" "$WORK/un-copy"
	total=$(count "$sc" uninstall --silent --root "$R")
	for n in $(points "$total"); do
		what="uninstall killed at $sc #$n of $total"
		rm -rf "$R"; cp -a "$WORK/un-copy" "$R"
		crash "$sc" "$n" uninstall --silent --root "$R"
		after_crash "$R" "$what"
		run 0 uninstall --silent --root "$R" || echo "  ($what)" >&2
		check "$what, then uninstall: nothing but the logs is left" \
		    test "$(shape "$R")" = "$L_UN"
		run 0 --silent --answers "$WORK/e.txt" --root "$R"
		check "$what, then install: a whole installation" \
		    test "$(shape "$R")" = "$L_INST"
	done
	rm -rf "$WORK/un-copy"
done

echo "crash points tried: $TRIED"
finish
