#!/usr/bin/env bash
# Issue 9, part 5: secrets stay out of crash dumps, a signal ends any wait
# at once, secrets on the command line are warned about, and a FIFO given as
# a file option cannot hang the installer.
. "$(dirname "$0")/lib.sh"

SECRET=ABCD-1234-EFGH-5678-IJKL-9012-MNOP-3456
LISTENERS=()
stop_listeners() {
	for p in "${LISTENERS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
}
on_exit stop_listeners

# silent_listener: a TCP listener on 127.0.0.1 that accepts and never
# answers (a console behind a black hole); sets LPORT.
silent_listener() {
	rm -f "$WORK/lport"
	python3 -c '
import socket, sys
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(16)
open(sys.argv[1] + ".tmp", "w").write(str(s.getsockname()[1]))
import os; os.rename(sys.argv[1] + ".tmp", sys.argv[1])
held = []
while True:
    c, _ = s.accept()
    held.append(c)
' "$WORK/lport" &
	LISTENERS+=($!)
	for _ in $(seq 100); do [ -s "$WORK/lport" ] && break; sleep 0.05; done
	LPORT=$(cat "$WORK/lport")
}

# within WHAT SECONDS LIMIT: WHAT took SECONDS, at most LIMIT.
within() {
	awk -v t="$1" -v l="$2" 'BEGIN { exit !(t <= l) }'
}

# wait_state PID: wait until the process is asleep in its wait (up to 5 s).
wait_asleep() {
	for _ in $(seq 100); do
		[ "$(awk '/^State:/ { print $2 }' "/proc/$1/status" 2>/dev/null)" = S ] && return 0
		sleep 0.05
	done
	return 1
}

printf '%s\n' "$SECRET" > "$WORK/secret"
chmod 600 "$WORK/secret"
silent_listener

# An installed engine to run 'pair --test' on.
RP=$(newroot)
{ engine_answers; } > "$WORK/later.txt"
run 0 --silent --answers "$WORK/later.txt" --root "$RP"

# ---- Attack: a signal while the console never answers. ----
# signal_test SIG EXPECTED_EXIT ARGS...: start engine-setup, send SIG after
# 1 s (while it waits on the silent listener), and time the exit.
signal_test() {
	local sig=$1 want=$2 pid t0 t1 rc took
	shift 2
	"$ES_BIN" "$@" > "$WORK/sig.out" 2>&1 &
	pid=$!
	sleep 1
	t0=$(date +%s.%N)
	kill -s "$sig" "$pid"
	wait "$pid"
	rc=$?
	t1=$(date +%s.%N)
	took=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
	echo "  $sig during '$*' ended it in $took s (exit $rc)"
	check "$sig: exit $want (got $rc): $(cat "$WORK/sig.out")" test "$rc" -eq "$want"
	check "$sig: ended within 1.5 s of the signal (took $took s)" within "$took" 1.5
	OUT=$(cat "$WORK/sig.out")
}
export ENGINE_SETUP_CONNECT_TIMEOUT=20 ENGINE_SETUP_TIMEOUT=30
for sig in TERM INT; do
	signal_test "$sig" 5 pair --test --console "127.0.0.1:$LPORT" \
	    --secret-file "$WORK/secret" --root "$RP"
	out_has "cancelled by a signal"
done
# pair (not --test) waits the same way and changes nothing.
before=$(tree "$RP")
signal_test TERM 5 pair --console "127.0.0.1:$LPORT" \
    --secret-file "$WORK/secret" --root "$RP"
check "a cancelled pair changed nothing" test "$before" = "$(tree "$RP")"
# A silent install that pairs: cancelled in its connection test, nothing
# installed.
{ engine_answers | grep -v pair_now; echo "pair_now = yes"
  echo "console_address = 127.0.0.1"
  echo "console_port = $LPORT"; echo "shared_secret_file = $WORK/secret"
} > "$WORK/pair.txt"
for sig in TERM INT; do
	R=$(newroot)
	signal_test "$sig" 5 --silent --answers "$WORK/pair.txt" --root "$R"
	check "$sig: nothing installed" test -z "$(ls -A "$R")"
	out_has "Nothing was changed"
done

# ---- Attack: a crash dump holding the secret. ----
# The install waits in its connection test, with the secret read and
# normalised. As nobody (whose /proc files are its own only while it is
# dumpable, proc(5)), with the core limit raised.
case $(cat /proc/sys/kernel/core_pattern) in
'|'*)	echo "  core_pattern pipes to a handler ($(cat /proc/sys/kernel/core_pattern)):" \
	    "the core file checks rely on /proc only" ;;
esac
R=$(newroot)
chmod 777 "$R"
mkdir "$WORK/cwd" && chmod 777 "$WORK/cwd"
cp "$ES_BIN" "$WORK/es-copy" && chmod 755 "$WORK/es-copy"
chmod 644 "$WORK/pair.txt"
chown nobody "$WORK/secret"
(cd "$WORK/cwd" && ulimit -c unlimited &&
    exec setpriv --reuid=nobody --regid=nogroup --clear-groups \
    "$WORK/es-copy" --silent --answers "$WORK/pair.txt" --root "$R") \
    > "$WORK/dump.out" 2>&1 &
pid=$!
check "the install waits in its connection test" wait_asleep "$pid"
sleep 0.3
check "it holds its connection to the console" \
    test -n "$(find "/proc/$pid/fd" -lname 'socket:*' 2>/dev/null)"
check "runs as nobody" test "$(awk '/^Uid:/ { print $2 }' "/proc/$pid/status")" = \
    "$(id -u nobody)"
check "not dumpable: /proc/$pid is root's, not nobody's (proc(5))" \
    test "$(stat -c %U "/proc/$pid/environ")" = root
TESTS_RUN=$((TESTS_RUN + 1))
grep -E '^Max core file size +0 +0 ' "/proc/$pid/limits" > /dev/null ||
    fail "RLIMIT_CORE is not 0: $(grep core "/proc/$pid/limits")"
kill -s ABRT "$pid"
wait "$pid"
rc=$?
check "SIGABRT killed it (exit $rc)" test "$rc" -eq 134
check "no core file in the cwd: $(ls "$WORK/cwd")" test -z "$(ls -A "$WORK/cwd")"
TESTS_RUN=$((TESTS_RUN + 1))
if find "$R" "$WORK/cwd" -name 'core*' | grep -q .; then
	fail "a core file: $(find "$R" "$WORK/cwd" -name 'core*')"
fi
# The controls: a dumpable process of nobody owns its /proc files, and
# leaves a core here (when core_pattern writes files), so the checks above
# can fail.
setpriv --reuid=nobody --regid=nogroup --clear-groups sleep 30 &
pid=$!
sleep 0.2
check "control: a dumpable process of nobody owns /proc/$pid" \
    test "$(stat -c %U "/proc/$pid/environ")" = nobody
kill "$pid"
wait "$pid" 2>/dev/null
if [ "$(cat /proc/sys/kernel/core_pattern)" = core ]; then
	(cd "$WORK/cwd" && ulimit -c unlimited && exec sleep 30) &
	pid=$!
	sleep 0.2
	kill -s ABRT "$pid"
	wait "$pid" 2>/dev/null
	check "control: a dumpable process leaves a core here" \
	    test -n "$(ls -A "$WORK/cwd")"
	rm -f "$WORK/cwd"/core*
fi
chown root "$WORK/secret"

# ---- Secrets on the command line: one warning per key. ----
C=$(newroot)
{ echo "accept_license = yes"; echo "component = console"
  echo "first_name = Ada"; echo "last_name = Lovelace"
  echo "company = Example Corp"; echo "console_admin_user = admin"; } > "$WORK/console.txt"
for args in "-Vpassword1=Secret-pw-1 -Vpassword2=Secret-pw-1" \
    "--set password1=Secret-pw-1 --set password2=Secret-pw-1"; do
	# shellcheck disable=SC2086
	run 0 --silent --check --answers "$WORK/console.txt" $args --root "$C"
	out_has "warning: password1 given on the command line shows in 'ps'"
	out_has "warning: password2 given on the command line shows in 'ps'"
	check "one warning per key" test "$(grep -c "shows in 'ps'" <<<"$OUT")" -eq 2
	out_lacks "Secret-pw-1"
done
for arg in "--set shared_secret=$SECRET" "-VsharedSecret=$SECRET" \
    "-VsharedSecret\$String=$SECRET"; do
	# shellcheck disable=SC2086
	run 0 --silent --check --answers "$WORK/later.txt" --set pair_now=no $arg --root "$C"
	out_has "given on the command line shows in 'ps'"
	check "one warning for $arg" test "$(grep -c "shows in 'ps'" <<<"$OUT")" -eq 1
	out_lacks "$SECRET"
done
# A secret in a file: no such warning.
run 0 --silent --check --answers "$WORK/later.txt" --root "$C"
out_lacks "shows in 'ps'"

# ---- Attack: a FIFO as a file option would block open(2) forever. ----
rm -f "$WORK/fifo"
mkfifo "$WORK/fifo"
# fifo_test OPTION-NAME ARGS...: exit 2 within a second, naming the option.
fifo_test() {
	local name=$1 t0 t1 took
	shift
	t0=$(date +%s.%N)
	OUT=$(timeout 10 "$ES_BIN" "$@" 2>&1 < /dev/null)
	RC=$?
	t1=$(date +%s.%N)
	took=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
	check "FIFO as $name: exit 2 (got $RC): $OUT" test "$RC" -eq 2
	check "FIFO as $name: refused within 1 s (took $took s)" within "$took" 1
	out_has "$name"
	out_has "FIFO"
}
R=$(newroot)
fifo_test --answers --silent --answers "$WORK/fifo" --root "$R"
fifo_test -varfile -q -varfile "$WORK/fifo" --root "$R"
fifo_test --payload --payload "$WORK/fifo" --payload-info
fifo_test --payload --silent --answers "$WORK/later.txt" --payload "$WORK/fifo" --root "$R"
fifo_test --secret-file pair --test --console "127.0.0.1:$LPORT" \
    --secret-file "$WORK/fifo" --root "$RP"
fifo_test shared_secret_file --silent --answers "$WORK/later.txt" \
    --set pair_now=yes --set console_address=127.0.0.1 \
    --set shared_secret_file="$WORK/fifo" --root "$R"
fifo_test console_admin_password_file --silent --answers "$WORK/console.txt" \
    --set console_admin_password_file="$WORK/fifo" --root "$R"
fifo_test --record --silent --answers "$WORK/later.txt" --record "$WORK/fifo" --root "$R"
fifo_test --log --silent --answers "$WORK/later.txt" --log "$WORK/fifo" --root "$R"
check "nothing installed by the refused runs" test -z "$(ls -A "$R")"
check "the FIFO is still a FIFO" test -p "$WORK/fifo"
finish
