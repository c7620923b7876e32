#!/usr/bin/env bash
# One run at a time (issue 9): two runs that would change the same root
# never overlap. The second stops at once with exit 8 naming the first's
# process, changing nothing; --wait-lock waits; a holder that died holds
# nothing; install (silent and line mode), uninstall, pair and consoles
# enable/disable all take the lock; --check, status, consoles list and
# pair --test do not. A holder is made deterministic with
# ES_TEST_FAULT="<step>:stop", which stops it (SIGSTOP) after that step.
. "$(dirname "$0")/lib.sh"

engine_answers console-to-engine > "$WORK/e.txt"
console_answers

# now: seconds since the epoch with a fraction.
now() { date +%s.%N; }
# took START: seconds since START, to 0.01 s.
took() { awk -v s="$1" -v e="$(now)" 'BEGIN { printf "%.2f", e - s }'; }
# within SECONDS LOW HIGH: LOW <= SECONDS < HIGH.
within() { awk -v t="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(t >= lo && t < hi) }'; }

# hold ROOT STEP ARGS...: start an install into ROOT that stops after STEP
# holding the lock; its pid in $HOLDER, its output in $WORK/holder.out.
hold() {
	local root=$1 step=$2
	shift 2
	ES_TEST_FAULT="$step:stop" "$ES_BIN" --silent --root "$root" "$@" \
	    > "$WORK/holder.out" 2>&1 &
	HOLDER=$!
	check "the holder stopped after '$step'" stopped "$HOLDER"
}

# engine_id ROOT: the installed engine's id, from status.
engine_id() {
	"$ES_BIN" status --root "$1" 2>/dev/null | sed -n 's/^Engine id: *//p'
}

# ---- Two silent installs started together, other answers, no --overwrite:
# exactly one installs, the other exits 8 naming it; the engine id on disk
# is the winner's. Three rounds, since the order is the scheduler's.
# together FILE_A FILE_B ARGS...: start two installs that wait (in a shell,
# on a pipe each: engine-setup refuses a FIFO as --answers) for each other,
# then let both go at once; their pids in $pa and $pb, exit codes in $ra and
# $rb, output in a.out and b.out.
together() {
	local fa=$1 fb=$2
	shift 2
	rm -f "$WORK/a.fifo" "$WORK/b.fifo"
	mkfifo "$WORK/a.fifo" "$WORK/b.fifo"
	(read -r _ < "$WORK/a.fifo"; exec "$ES_BIN" --silent --answers "$fa" \
	    "$@") > "$WORK/a.out" 2>&1 &
	pa=$!
	(read -r _ < "$WORK/b.fifo"; exec "$ES_BIN" --silent --answers "$fb" \
	    "$@") > "$WORK/b.out" 2>&1 &
	pb=$!
	exec 5> "$WORK/a.fifo" 6> "$WORK/b.fifo"
	exec 5>&- 6>&-
	wait $pa; ra=$?
	wait $pb; rb=$?
}

sed 's/^engine_name = .*/engine_name = alpha/' "$WORK/e.txt" > "$WORK/alpha.txt"
sed 's/^engine_name = .*/engine_name = beta/' "$WORK/e.txt" > "$WORK/beta.txt"
for round in 1 2 3; do
	# The runs start from the shell, so a loaded host can finish one
	# before the other execs (it then exits 7, other answers): that round
	# did not overlap, and is run again.
	for _ in 1 2 3 4 5; do
		R=$(newroot)
		together "$WORK/alpha.txt" "$WORK/beta.txt" --root "$R"
		[ "$((ra + rb))" -eq 7 ] && [ "$((ra * rb))" -eq 0 ] || break
	done
	TESTS_RUN=$((TESTS_RUN + 1))
	if [ "$ra" -eq 0 ] && [ "$rb" -eq 8 ]; then
		win=a; winpid=$pa; lose=b
	elif [ "$ra" -eq 8 ] && [ "$rb" -eq 0 ]; then
		win=b; winpid=$pb; lose=a
	else
		fail "round $round: together the runs exited $ra and $rb," \
		    "expected 0 and 8: $(cat "$WORK/a.out" "$WORK/b.out")"
		continue
	fi
	OUT=$(cat "$WORK/$lose.out")
	out_has "another engine-setup run (process $winpid) is changing $R"
	out_has "wait for it to finish, or add --wait-lock to wait for it."
	out_has "Nothing was changed."
	out_lacks "[1/"
	id=$(sed -n 's/^Engine id \(.*\)\.$/\1/p' "$WORK/$win.out")
	check "round $round: the winner printed its engine id" test -n "$id"
	check "round $round: the engine id on disk is the winner's" \
	    test "$(engine_id "$R")" = "$id"
	file_has "$R/opt/rapid7/nexpose/nse/conf/nse.xml" \
	    "name=\"$([ $win = a ] && echo alpha || echo beta)\""
	missing "$R/var/lib/engine-setup/lock"
done

# ---- An engine and a console at once: one installs, the other exits 8;
# exactly one unit is there.
for _ in 1 2 3 4 5; do
	R=$(newroot)
	together "$WORK/e.txt" "$WORK/console.txt" --root "$R"
	[ "$((ra + rb))" -eq 7 ] && [ "$((ra * rb))" -eq 0 ] || break
done
check "engine and console at once: one 0 and one 8 (got $ra and $rb)" \
    test "$((ra + rb))" -eq 8 -a \( "$ra" -eq 0 -o "$rb" -eq 0 \)
units=$(ls "$R/etc/systemd/system/multi-user.target.wants" 2>/dev/null)
if [ "$ra" -eq 0 ]; then want=nexposeengine.service; else want=nexposeconsole.service; fi
check "only the winner's unit is enabled (have: $units)" test "$units" = "$want"

# ---- A holder stopped in the middle of an --overwrite of an installed
# engine: everything that would change the root stops at once with 8;
# what only reads goes on.
R=$(newroot)
run 0 --silent --answers "$WORK/e.txt" --root "$R"
hold "$R" "Unpacking files" --answers "$WORK/e.txt" --set engine_name=renamed \
    --overwrite
before=$(tree "$R")

start=$(now)
run 8 --silent --answers "$WORK/e.txt" --root "$R"
t=$(took "$start")
echo "refused at once in $t s"
check "the refused run returned within 1 s (took $t s)" within "$t" 0 1
out_has "another engine-setup run (process $HOLDER) is changing $R"

start=$(now)
run 8 --silent --answers "$WORK/e.txt" --root "$R" --wait-lock=2
t=$(took "$start")
echo "--wait-lock=2 gave up after $t s"
check "--wait-lock=2 gave up after about 2 s (took $t s)" within "$t" 1.9 3.5
out_has "waiting for engine-setup run (process $HOLDER) to finish ..."
out_has "is still changing $R after 2 s of waiting"
out_has "Nothing was changed."

run 8 uninstall --silent --root "$R"
out_has "(process $HOLDER) is changing $R"
run 8 consoles enable 1 --root "$R"
out_has "(process $HOLDER)"
run 8 consoles disable 1 --root "$R"
TESTS_RUN=$((TESTS_RUN + 1))
OUT=$(ENGINE_SETUP_SHARED_SECRET=ABCD-1234-EFGH-5678-IJKL-9012-MNOP-3456 "$ES_BIN" pair \
    --console 127.0.0.1:9 --root "$R" 2>&1)
RC=$?
[ $RC -eq 8 ] || fail "pair while held exited $RC, expected 8: $OUT"
out_has "(process $HOLDER)"
out_lacks "Pairing with"
TESTS_RUN=$((TESTS_RUN + 1))
printf 'y\n' | "$ES_BIN" --text --answers "$WORK/e.txt" --root "$R" \
    > "$WORK/t.out" 2>&1
rc=$?
[ $rc -eq 8 ] || fail "line mode while held exited $rc, expected 8: $(cat "$WORK/t.out")"

# Only reading: no lock taken, no 8.
run 0 status --root "$R"
run 0 consoles list --root "$R"
run 0 --check --silent --answers "$WORK/e.txt" --root "$R" --overwrite
TESTS_RUN=$((TESTS_RUN + 1))
OUT=$(ENGINE_SETUP_SHARED_SECRET=ABCD-1234-EFGH-5678-IJKL-9012-MNOP-3456 ENGINE_SETUP_CONNECT_TIMEOUT=2 \
    "$ES_BIN" pair --test --console 127.0.0.1:9 --root "$R" 2>&1)
RC=$?
[ $RC -eq 4 ] || fail "pair --test while held exited $RC, expected 4: $OUT"
check "the refused runs changed nothing" test "$before" = "$(tree "$R")"

# Ctrl-C while waiting: exit 5, nothing changed.
"$ES_BIN" uninstall --silent --root "$R" --wait-lock=30 > "$WORK/w.out" 2>&1 &
w=$!
for i in $(seq 100); do grep -q "waiting for" "$WORK/w.out" && break; sleep 0.05; done
kill -INT $w
wait $w
rc=$?
check "Ctrl-C while waiting exits 5 (got $rc: $(cat "$WORK/w.out"))" test $rc -eq 5
file_has "$WORK/w.out" "cancelled while waiting for engine-setup run (process $HOLDER)"
check "Ctrl-C while waiting changed nothing" test "$before" = "$(tree "$R")"

# A run that waits decides only once the holder is done: it installs the
# holder's answers, so it finds them installed ("nothing to do", not 7).
"$ES_BIN" --silent --answers "$WORK/e.txt" --set engine_name=renamed \
    --root "$R" --wait-lock > "$WORK/w.out" 2>&1 &
w=$!
for i in $(seq 100); do grep -q "waiting for" "$WORK/w.out" && break; sleep 0.05; done
sleep 0.3
kill -CONT $HOLDER
wait $HOLDER
rc=$?
check "the holder finished after SIGCONT (got $rc: $(cat "$WORK/holder.out"))" test $rc -eq 0
wait $w
rc=$?
check "the waiting run went on (got $rc: $(cat "$WORK/w.out"))" test $rc -eq 0
file_has "$WORK/w.out" "waiting for engine-setup run (process $HOLDER) to finish ..."
file_has "$WORK/w.out" "with the same answers: nothing to do"
file_has "$R/opt/rapid7/nexpose/nse/conf/nse.xml" 'name="renamed"'
missing "$R/var/lib/engine-setup/lock"

# The lock does not outlive what it guarded: uninstall removes the
# pointer folder it would have removed without it.
run 0 uninstall --silent --root "$R"
missing "$R/var/lib/engine-setup"

# ---- kill -9 of the holder: its lock dies with it; the next run takes
# over at once and names itself in the lock file.
R=$(newroot)
run 0 --silent --answers "$WORK/e.txt" --root "$R"
hold "$R" "Unpacking files" --answers "$WORK/e.txt" --set engine_name=renamed \
    --overwrite
kill -9 $HOLDER
wait $HOLDER 2>/dev/null
file_has "$R/var/lib/engine-setup/lock" "$HOLDER"
start=$(now)
run 0 --silent --answers "$WORK/e.txt" --set engine_name=renamed --overwrite \
    --root "$R" --wait-lock
t=$(took "$start")
echo "after kill -9 of the holder the next run finished in $t s"
out_lacks "waiting for"
check "after kill -9 the next run went on at once (took $t s)" within "$t" 0 2
file_has "$R/opt/rapid7/nexpose/nse/conf/nse.xml" 'name="renamed"'
run 0 uninstall --silent --root "$R"
missing "$R/var/lib/engine-setup"

# ---- Line mode holds the lock while it asks: a silent run meanwhile
# exits 8 naming it; once it ends the lock is gone.
R=$(newroot)
mkfifo "$WORK/in"
"$ES_BIN" --text --answers "$WORK/e.txt" --root "$R" < "$WORK/in" \
    > "$WORK/t.out" 2>&1 &
tp=$!
exec 3> "$WORK/in"
for i in $(seq 100); do [ -e "$R/var/lib/engine-setup/lock" ] && break; sleep 0.05; done
run 8 --silent --answers "$WORK/e.txt" --root "$R"
out_has "another engine-setup run (process $tp) is changing $R"
exec 3>&-
wait $tp
check "line mode ended at the end of its input" test -z "$(ls -A "$R")"

# ---- The option itself.
R=$(newroot)
run 2 --silent --answers "$WORK/e.txt" --root "$R" --wait-lock=soon
out_has "--wait-lock=soon: expected a number of seconds"
run 2 uninstall --root "$R" --wait-lock=-1
run 0 --help
out_has "--wait-lock[=SECONDS]"
out_has "8 another engine-setup run is changing this host"
run 0 uninstall --silent --root "$R" --wait-lock=0
check "uninstall of nothing leaves the root empty" test -z "$(ls -A "$R")"

# ---- A refused run into a root that has no /var/lib/engine-setup yet
# leaves none, and neither does a failed one.
R=$(newroot)
ES_TEST_FAULT="Writing configuration:fail" run 6 --silent \
    --answers "$WORK/e.txt" --root "$R"
check "a failed install leaves the root empty" test -z "$(ls -A "$R")"
finish
