#!/usr/bin/env bash
# The commands after install (uninstall, consoles, pair, status) and the
# command line around them: signals, answers read from standard input, a
# damaged install record, secret files others can read, --root and lock
# file oddities, what --check prints, control characters in what is
# echoed, consoles.xml that is damaged or a link, and stray operands.
. "$(dirname "$0")/lib.sh"

: "${TEST_CONSOLE:?TEST_CONSOLE must name the test console binary}"
SECRET=ABCD-1234-EFGH-5678-IJKL-9012-MNOP-3456
CONSOLE_PID=
trap '[ -n "$CONSOLE_PID" ] && kill "$CONSOLE_PID" 2>/dev/null; if [ "$TESTS_FAILED" -eq 0 ]; then rm -rf "$WORK"; else echo "kept $WORK" >&2; fi' EXIT

engine_answers > "$WORK/a.txt"
engine_answers console-to-engine > "$WORK/c2e.txt"

# installed [ANSWERS]: a fresh root with an engine installed; its path.
installed() {
	local r
	r=$(newroot)
	"$ES_BIN" --silent --answers "${1:-$WORK/a.txt}" --root "$r" >/dev/null 2>&1 ||
	    fail "the install into $r failed"
	echo "$r"
}

# signalled SIG SYSCALL N PATH EXPECTED_EXIT ARGS...: run engine-setup ARGS
# under strace, sending SIG at the Nth SYSCALL on PATH (strace -P; "-": of
# any path); output in $OUT.
signalled() {
	local sig=$1 sc=$2 n=$3 path=$4 want=$5 only=()
	shift 5
	[ "$path" = - ] || only=(-P "$path")
	TESTS_RUN=$((TESTS_RUN + 1))
	OUT=$(traced -f -qq -o /dev/null "${only[@]}" -e trace="$sc" \
	    -e inject="$sc":signal="$sig":when="$n" "$ES_BIN" "$@" 2>&1)
	RC=$?
	if [ "$RC" -ne "$want" ]; then
		fail "SIG$sig at $sc #$n of $path: engine-setup $* exited $RC, expected $want:
$OUT"
		return 1
	fi
}

no_journal() {
	check "no journal is left in $1" \
	    test -z "$(find "$1/var/lib/engine-setup" -name 'journal*' 2>/dev/null)"
}

need_strace

# ---- 1. Signals during uninstall, consoles enable|disable and pair. ----
for sig in INT TERM HUP; do
	R=$(installed)
	before=$(snapshot "$R")
	# Before the commit point (the journal being made): nothing changes.
	signalled "$sig" openat 1 "$R/var/lib/engine-setup/journal" 5 \
	    uninstall --silent --root "$R"
	out_has "cancelled by a signal (Ctrl-C, SIGTERM or SIGHUP) before anything was removed. Nothing was changed."
	check "SIG$sig before the commit: the root is as it was" \
	    test "$before" = "$(snapshot "$R")"
	no_journal "$R"
	# After it (the breaker's fourth unlinkat): the uninstall finishes.
	signalled "$sig" unlinkat 4 - 0 \
	    uninstall --silent --root "$R"
	out_has "Uninstalled."
	out_has "A signal (Ctrl-C, SIGTERM or SIGHUP) came after the uninstall had begun to remove files. An uninstall goes only forward from there, so it was finished rather than left half done."
	no_journal "$R"
	missing "$R/opt/rapid7/nexpose/nse"
	missing "$R/var/lib/engine-setup/installation"
	run 0 status --root "$R"
	out_has "Not installed"
done
# The commit itself (the journal's rename): past it, finished.
R=$(installed)
signalled TERM rename 1 "$R/var/lib/engine-setup/journal" 0 \
    uninstall --silent --root "$R"
out_has "so it was finished"
missing "$R/var/lib/engine-setup/installation"
no_journal "$R"

# consoles enable|disable: completed, or undone.
R=$(installed "$WORK/c2e.txt")
X=$R/opt/rapid7/nexpose/nse/conf/consoles.xml
cat > "$X" <<'EOT'
<?xml version="1.0" encoding="UTF-8"?>
<Consoles>
  <console id="1" enabled="0" connectTo="0" name="HQ" lastAddress="10.0.0.5" port="40814" consoleId="abc"/>
</Consoles>
EOT
chmod 640 "$X"
cp "$X" "$WORK/consoles.before"
for sig in INT TERM HUP; do
	# While consoles.xml is replaced (before the commit): undone.
	signalled "$sig" renameat 1 - 5 consoles enable 1 --root "$R"
	out_has "consoles.xml is as it was. Nothing was changed."
	check "SIG$sig before the commit: consoles.xml is as it was" \
	    cmp -s "$X" "$WORK/consoles.before"
	no_journal "$R"
	signalled "$sig" openat 1 "$R/var/lib/engine-setup/journal" 5 \
	    consoles enable 10.0.0.5 --root "$R"
	out_has "cancelled by a signal"
	check "SIG$sig before the journal: consoles.xml is as it was" \
	    cmp -s "$X" "$WORK/consoles.before"
	no_journal "$R"
done
# At the commit (the journal's rename): completed, and said.
signalled INT rename 1 "$R/var/lib/engine-setup/journal" 0 \
    consoles enable 1 --root "$R"
out_has "Enabled console 1 (HQ, 10.0.0.5)."
out_has "came once the change was saved: it is kept."
file_has "$X" 'id="1" enabled="1"'
no_journal "$R"
# With --restart the change stays and the restart is what is cancelled.
signalled TERM rename 1 "$R/var/lib/engine-setup/journal" 5 \
    consoles disable 1 --restart --root "$R"
out_has "the change is kept, but nexposeengine was not restarted"
file_has "$X" 'id="1" enabled="0"'
no_journal "$R"

# pair: a signal once the console has registered the engine finishes the
# pairing, so that consoles.xml says what the console knows.
printf '%s\n' "$SECRET" > "$WORK/secret"
chmod 600 "$WORK/secret"
"$TEST_CONSOLE" --listen 127.0.0.1 --secret "$SECRET" \
    --port-file "$WORK/console.port" --lifetime 300 > /dev/null 2>&1 &
CONSOLE_PID=$!
for _ in $(seq 100); do [ -s "$WORK/console.port" ] && break; sleep 0.05; done
PORT=$(cat "$WORK/console.port")
R=$(installed)
X=$R/opt/rapid7/nexpose/nse/conf/consoles.xml
signalled INT renameat 1 - 0 pair --console "127.0.0.1:$PORT" \
    --secret-file "$WORK/secret" --root "$R"
out_has "the pairing was finished, so that consoles.xml says what the console knows"
file_has "$X" 'name="Test Console"'
no_journal "$R"

# ---- 2. uninstall without --silent reads its answer from stdin. ----
R=$(installed)
before=$(snapshot "$R")
TESTS_RUN=$((TESTS_RUN + 1))
OUT=$(echo n | "$ES_BIN" uninstall --root "$R" 2>&1)
RC=$?
check "echo n | uninstall: exit 5 (got $RC): $OUT" test "$RC" -eq 5
out_has "Remove the installation under $R? Yes [y], No [n, Enter]:"
out_has "Nothing was changed."
check "answered n: the root is as it was" test "$before" = "$(snapshot "$R")"
OUT=$("$ES_BIN" uninstall --root "$R" < /dev/null 2>&1)
RC=$?
check "uninstall < /dev/null: exit 5 (got $RC): $OUT" test "$RC" -eq 5
out_has "No answer (end of input): nothing was changed. To uninstall without being asked, add --silent."
check "no answer: the root is as it was" test "$before" = "$(snapshot "$R")"
# A signal while it waits for the answer.
mkfifo "$WORK/answer"
"$ES_BIN" uninstall --root "$R" < "$WORK/answer" > "$WORK/ask.out" 2>&1 &
pid=$!
exec 8> "$WORK/answer"
for _ in $(seq 100); do grep -q "Yes \[y\]" "$WORK/ask.out" && break; sleep 0.05; done
kill -INT "$pid"
wait "$pid"
RC=$?
exec 8>&-
OUT=$(cat "$WORK/ask.out")
check "SIGINT at the question: exit 5 (got $RC): $OUT" test "$RC" -eq 5
out_has "Cancelled by a signal: nothing was changed."
check "a signal at the question: the root is as it was" test "$before" = "$(snapshot "$R")"
OUT=$(echo yes | "$ES_BIN" uninstall --root "$R" 2>&1)
RC=$?
check "echo yes | uninstall: exit 0 (got $RC): $OUT" test "$RC" -eq 0
out_has "Uninstalled. Logs are kept in $R/opt/rapid7/nexpose/.install/."
missing "$R/opt/rapid7/nexpose/nse"
run 0 uninstall --help
out_has "The answer is
read from standard input, a terminal or not"

finish
