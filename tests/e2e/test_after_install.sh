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
on_exit '[ -z "$CONSOLE_PID" ] || kill "$CONSOLE_PID" 2>/dev/null'

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
	run 9 status --root "$R"
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

# ---- 3. A damaged install record. ----
R=$(installed)
D=$R/opt/rapid7/nexpose
echo garbage > "$D/.install/record"
before=$(snapshot "$R")
run 10 status --root "$R"
out_has "Install dir:  /opt/rapid7/nexpose"
out_has "Problem:      $D/.install/record:1: damaged install record line."
out_has "  engine-setup --overwrite --root $R"
out_has "  engine-setup uninstall --root $R"
out_has "the answers it was installed with are in $D/.install/answers"
out_lacks "internal error"
run 6 uninstall --silent --root "$R"
out_has "$D/.install/record:1: damaged install record line."
out_has "Without it engine-setup cannot tell what the installation made, so uninstall, pair and consoles change nothing."
out_has "Or remove it by hand: its service, the folder $D and the file $R/var/lib/engine-setup/installation."
run 6 consoles list --root "$R"
out_has "$D/.install/record:1"
run 6 pair --test --console 127.0.0.1:1 --root "$R"
out_has "$D/.install/record:1"
run 7 --silent --answers "$WORK/a.txt" --root "$R"
out_has "$D/.install/record:1: damaged install record line."
out_has "run the same command again with --overwrite"
out_lacks "internal error"
check "a damaged record: nothing was changed" test "$before" = "$(snapshot "$R")"
# The way forward as printed, with the answers it names: replaced, then
# an uninstall works.
run 0 --overwrite --root "$R" --silent --answers "$D/.install/answers"
out_has "Note: $D/.install/record:1: damaged install record line."
out_has "--overwrite replaces the installation at /opt/rapid7/nexpose as a whole"
run 10 status --root "$R"
out_has "Product:      Nexpose"
run 0 uninstall --silent --root "$R"
missing "$D/nse"
# A pointer file that is damaged: the same exit codes.
R=$(installed)
echo junk > "$R/var/lib/engine-setup/installation"
run 10 status --root "$R"
out_has "no install_dir line"
run 6 uninstall --silent --root "$R"

# ---- 4. Secret files others can read: the same warning for each. ----
console_answers
R=$(newroot)
chmod 644 "$WORK/pw"
run 0 --check --silent --answers "$WORK/console.txt" --root "$R"
out_has "engine-setup: warning: $WORK/pw holds the console administrator password and others can read it (mode 0644): chmod 600 it."
chmod 600 "$WORK/pw"
run 0 --check --silent --answers "$WORK/console.txt" --root "$R"
out_lacks "others can read"
chmod 644 "$WORK/secret"
run 0 --check --silent --answers "$WORK/a.txt" --set shared_secret_file="$WORK/secret" --root "$R"
out_has "engine-setup: warning: $WORK/secret holds the shared secret and others can read it (mode 0644): chmod 600 it."
check "one warning for the file" test "$(grep -c 'others can read' <<<"$OUT")" -eq 1
RP=$(installed)
run 0 pair --test --console "127.0.0.1:$PORT" --secret-file "$WORK/secret" --root "$RP"
out_has "engine-setup: warning: $WORK/secret holds the shared secret and others can read it (mode 0644): chmod 600 it."
chmod 600 "$WORK/secret"

# ---- 5. --root "" is no folder. ----
mkdir "$WORK/cwd"
TESTS_RUN=$((TESTS_RUN + 1))
OUT=$(cd "$WORK/cwd" && "$ES_BIN" --silent --answers "$WORK/a.txt" --root "" 2>&1)
RC=$?
check "--root \"\": exit 2 (got $RC): $OUT" test "$RC" -eq 2
out_has "--root needs a folder"
check "--root \"\": nothing in the current folder" test -z "$(ls -A "$WORK/cwd")"
run 2 status --root=
out_has "--root needs a folder"

# ---- 6. status asks the lock, not the pid in a stale file. ----
R=$(installed)
for pid in 1 $$; do
	echo "$pid" > "$R/var/lib/engine-setup/lock"
	run 10 status --root "$R"
	out_lacks "is changing this installation"
	out_has "Product:      Nexpose"
done
rm -f "$R/var/lib/engine-setup/lock"
# A run that holds it is seen.
ES_TEST_FAULT="Writing configuration:stop" "$ES_BIN" --silent --overwrite \
    --answers "$WORK/a.txt" --set engine_name=held --root "$R" > /dev/null 2>&1 &
pid=$!
check "the overwrite holds the lock, stopped" stopped "$pid"
run 10 status --root "$R"
out_has "an engine-setup run (process $pid) is changing this installation now"
kill -CONT "$pid"
wait "$pid"

# ---- 7. Messages: a linked lock file, a linked --root, links that lead
# out of --root, the logs' place under --root. ----
R=$(installed)
ln -s /etc/hostname "$R/var/lib/engine-setup/lock"
run 6 uninstall --silent --root "$R"
out_has "the lock file $R/var/lib/engine-setup/lock is a symbolic link (to /etc/hostname)"
out_has "Remove the link (rm $R/var/lib/engine-setup/lock) and try again."
out_lacks "points in a circle"
rm "$R/var/lib/engine-setup/lock"
mkdir "$WORK/real-root"
ln -s "$WORK/real-root" "$WORK/link-root"
run 0 --silent --answers "$WORK/a.txt" --root "$WORK/link-root"
exists "$WORK/real-root/opt/rapid7/nexpose/nse"
run 10 status --root "$WORK/link-root"
out_has "Product:      Nexpose"
R=$(newroot)
mkdir "$WORK/outside"
ln -s ../outside "$R/opt"
run 3 --silent --answers "$WORK/a.txt" --root "$R"
out_has "leads out of --root $R"
out_lacks "Make the link relative"
out_has "a relative one counts from the link's own folder"

# ---- 8. The plan --check prints is an answers file. ----
R=$(newroot)
run 0 --check --silent --answers "$WORK/a.txt" --root "$R"
out_lacks "root = "
out_has "# given with --root $R (an option, not an answer)"
sed -n '/^Plan (nothing was changed):$/,$p' <<<"$OUT" | sed 1d > "$WORK/plan.txt"
file_has "$WORK/plan.txt" "accept_license = yes"
run 0 --check --silent --answers "$WORK/plan.txt" --root "$R"

# ---- 9. Control characters that users and files supply are escaped. ----
ESC=$(printf '\033')
printf '\033[2Jkey = v\n' > "$WORK/esc.txt"
run 2 --check --answers "$WORK/esc.txt"
out_has "unknown key '\\x1b[2Jkey'"
check "no escape character reaches the terminal" test "${OUT//$ESC/}" = "$OUT"
cp "$WORK/esc.txt" "$WORK/name${ESC}[31m.txt"
run 2 --check --answers "$WORK/name${ESC}[31m.txt"
out_has "$WORK/name\\x1b[31m.txt:1"
check "no escape character in the file name shown" test "${OUT//$ESC/}" = "$OUT"
run 2 "--x${ESC}[2J"
out_has "unknown option '--x\\x1b[2J'"
run 2 "st${ESC}atus"
out_has "unknown command 'st\\x1batus'"
run 2 status --root "$WORK/r${ESC}oot"
out_has "a folder whose name holds a control character (0x1b)"
check "no escape character in the --root shown" test "${OUT//$ESC/}" = "$OUT"
# A console's own name: a tab, a C1 CSI (U+009B) and a newline.
R=$(installed "$WORK/c2e.txt")
cat > "$R/opt/rapid7/nexpose/nse/conf/consoles.xml" <<'EOT'
<Consoles><console id="1" enabled="0" connectTo="0" name="a&#9;b&#155;[31mred&#10;x" lastAddress="10.0.0.1" port="40814"/></Consoles>
EOT
run 0 consoles list --root "$R"
check "consoles list: one line of six columns: $OUT" \
    test "$(awk -F'\t' 'END { print NR, NF }' <<<"$OUT")" = "1 6"
out_has 'a\tb\u009b[31mred\nx'
run 10 status --root "$R"
out_has 'a\tb\u009b[31mred\nx'
run 0 consoles enable 1 --root "$R"
out_has 'Enabled console 1 (a\tb\u009b[31mred\nx, 10.0.0.1).'

# ---- 10. consoles.xml damaged, too large, or a link: one answer. ----
R=$(installed "$WORK/c2e.txt")
X=$R/opt/rapid7/nexpose/nse/conf/consoles.xml
echo '<Consoles><x' > "$X"
run 6 consoles list --root "$R"
out_has "$X:1: not well-formed XML"
run 10 status --root "$R"
out_has "Problem:      $X:1: not well-formed XML"
run 6 consoles enable 1 --root "$R"
head -c 17000000 /dev/zero > "$X"
run 6 consoles list --root "$R"
out_has "it is larger than"
cp "$WORK/consoles.before" "$WORK/linked.xml"
rm "$X"
ln -s "$WORK/linked.xml" "$X"
for cmd in "consoles list" "consoles enable 1"; do
	# shellcheck disable=SC2086
	run 6 $cmd --root "$R"
	out_has "$X is a symbolic link (to $WORK/linked.xml), not the file itself"
done
run 10 status --root "$R"
out_has "Problem:      $X is a symbolic link (to $WORK/linked.xml)"
out_lacks "HQ"
check "the linked file is untouched" cmp -s "$WORK/linked.xml" "$WORK/consoles.before"

# ---- 11. Stray operands, and an option where a value belongs. ----
run 2 status extra junk
out_has "status takes options only, not 'extra'"
for cmd in uninstall pair install; do
	run 2 $cmd stray
	out_has "$cmd takes options only, not 'stray'"
done
run 2 consoles list stray
out_has "consoles list takes options only, not 'stray'"
run 2 consoles enable 1 2
out_has "consoles enable takes one ID or ADDRESS, not also '2'"
run 2 --answers --root "$WORK/D"
out_has "--answers needs a value, the answers file; '--root' after it is an option, not its value"
out_lacks "unknown command"
run 2 pair --console --secret-file "$WORK/secret"
out_has "--console needs a value, HOST[:PORT]; '--secret-file' after it is an option"
run 2 --answers
out_has "--answers needs a value"

finish
