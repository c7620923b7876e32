# Shared helpers of the end-to-end tests: they run the real engine-setup
# binary ($ES_BIN) into throwaway --root folders and assert on what lands on
# disk, exit codes and output. Sourced by tests/e2e/test_*.sh.
set -u

: "${ES_BIN:?ES_BIN must name the engine-setup binary}"
# This folder (lib.sh is sourced from it), for tools/.
ES_E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TESTS_RUN=0
TESTS_FAILED=0
WORK=$(mktemp -d "${TMPDIR:-/tmp}/es-e2e.XXXXXX")
chmod 755 "$WORK"
# on_exit COMMAND: run COMMAND (shell text, evaluated then) when the test
# ends, before its work folder is removed (or kept, after a failure or with
# ES_KEEP_TEST_DIRS); the last one added runs first. Tests add their
# clean-up here (a server to stop, a mount to undo) instead of replacing
# this file's EXIT trap.
ES_ON_EXIT=()
on_exit() { ES_ON_EXIT=("$1" "${ES_ON_EXIT[@]}"); }
lib_exit() {
	local c
	for c in "${ES_ON_EXIT[@]}"; do
		eval "$c"
	done
	if [ "$TESTS_FAILED" -eq 0 ] && [ -z "${ES_KEEP_TEST_DIRS:-}" ]; then
		rm -rf "$WORK"
	else
		echo "kept $WORK" >&2
	fi
}
trap lib_exit EXIT

# fail MESSAGE: count a failed assertion; the test script's line that
# made it is named (the first caller outside this file).
fail() {
	local i=1
	while [ "${BASH_SOURCE[$i]:-}" = "${BASH_SOURCE[0]}" ]; do
		i=$((i + 1))
	done
	echo "FAIL: ${BASH_SOURCE[$i]##*/}:${BASH_LINENO[$((i - 1))]}: $*" >&2
	TESTS_FAILED=$((TESTS_FAILED + 1))
}

# check DESCRIPTION COMMAND...: count one assertion.
check() {
	local what=$1
	shift
	TESTS_RUN=$((TESTS_RUN + 1))
	if "$@"; then
		return 0
	fi
	fail "$what"
	return 1
}

# run EXPECTED_EXIT ARGS...: run engine-setup, keep output in $OUT.
run() {
	local want=$1
	shift
	TESTS_RUN=$((TESTS_RUN + 1))
	OUT=$("$ES_BIN" "$@" 2>&1)
	RC=$?
	if [ "$RC" -ne "$want" ]; then
		fail "engine-setup $* exited $RC, expected $want; output:
$OUT"
		return 1
	fi
	return 0
}

out_has() {
	TESTS_RUN=$((TESTS_RUN + 1))
	if ! grep -qF -- "$1" <<<"$OUT"; then
		fail "output lacks '$1'; output:
$OUT"
		return 1
	fi
}

out_lacks() {
	TESTS_RUN=$((TESTS_RUN + 1))
	if grep -qF -- "$1" <<<"$OUT"; then
		fail "output has '$1'"
		return 1
	fi
}

file_has() {
	TESTS_RUN=$((TESTS_RUN + 1))
	if ! grep -qF -- "$2" "$1" 2>/dev/null; then
		fail "$1 lacks '$2'"
		return 1
	fi
}

file_lacks() {
	TESTS_RUN=$((TESTS_RUN + 1))
	if grep -qF -- "$2" "$1" 2>/dev/null; then
		fail "$1 has '$2'"
		return 1
	fi
}

# mode_is PATH OCTAL
mode_is() {
	TESTS_RUN=$((TESTS_RUN + 1))
	local m
	m=$(stat -c %a "$1" 2>/dev/null)
	if [ "$m" != "$2" ]; then
		fail "$1 has mode ${m:-missing}, expected $2"
		return 1
	fi
}

# as_nobody ARGS...: run engine-setup as user nobody (the caller is root),
# output to stdout/stderr, its exit code returned. nobody runs a copy of
# $ES_BIN in $WORK, from $WORK: the build folder may lie where nobody
# cannot go (a clone under /root, mode 0700), and nobody must be able to
# reach $WORK anyway, for the --root folders it is given there.
as_nobody() {
	local bin=$WORK/nobody-bin/engine-setup
	if [ ! -e "$bin" ]; then
		mkdir -p "$WORK/nobody-bin" && chmod 755 "$WORK/nobody-bin" &&
		    cp "$ES_BIN" "$bin" && chmod 755 "$bin" || return 125
	fi
	if ! runuser -u nobody -- test -x "$bin"; then
		echo "as_nobody: user nobody cannot run $bin: every folder" \
		    "above $WORK must be searchable by others (set TMPDIR to" \
		    "one that is)" >&2
		return 126
	fi
	(cd "$WORK" && runuser -u nobody -- "$bin" "$@")
}

# stopped PID: wait (up to 10 s) until PID has stopped itself (SIGSTOP,
# ES_TEST_FAULT=STEP:stop).
stopped() {
	local i
	for i in $(seq 200); do
		[ "$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null)" = T ] && return 0
		sleep 0.05
	done
	return 1
}

exists() { check "$1 exists" test -e "$1"; }
missing() { check "$1 does not exist" test ! -e "$1" -a ! -L "$1"; }

# A fresh, empty root folder.
newroot() {
	mktemp -d "$WORK/root.XXXXXX"
}

# tree ROOT: a listing of everything under ROOT with modes and hashes, to
# compare states before and after.
tree() {
	(cd "$1" && find . -mindepth 1 -printf '%p %y %m\n' | sort &&
	    find . -type f -exec sha256sum {} + | sort)
}

# The files that make an engine answers file.
# console_answers: $WORK/console.txt, a Security Console install whose admin
# password ("correct horse battery") is in $WORK/pw (0600).
console_answers() {
	printf 'correct horse battery\n' > "$WORK/pw"
	chmod 600 "$WORK/pw"
	cat > "$WORK/console.txt" <<EOT
accept_license = yes
component = console
first_name = Grace
last_name = Hopper
company = Navy
console_admin_user = nxadmin
console_admin_password_file = $WORK/pw
start_service = no
EOT
}

# The pairing secret the test console is started with (--secret), a
# pattern that finds it in a file or output in any of the forms it may be
# written in, and another, well-formed secret that the console does not
# know.
SECRET=ABCD-1234-EFGH-5678-IJKL-9012-MNOP-3456
SECRET_RE='ABCD.?1234.?EFGH.?5678.?IJKL.?9012.?MNOP.?3456'
OTHER=ZZZZ-1234-EFGH-5678-IJKL-9012-MNOP-3456

engine_answers() {
	cat <<EOT
accept_license = yes
component = engine
first_name = Ada
last_name = Lovelace
company = Example Corp
engine_name = scanner-01
communication = ${1:-engine-to-console}
pair_now = no
EOT
}

# paired_answers PORT SECRET_FILE: engine answers that pair, during the
# install, with the console at 127.0.0.1:PORT (Engine-to-Console).
paired_answers() {
	engine_answers engine-to-console | grep -v '^pair_now'
	printf 'pair_now = yes\nconsole_address = 127.0.0.1\nconsole_port = %s\nshared_secret_file = %s\n' \
	    "$1" "$2"
}

# ---- Fault injection with strace (test_crash.sh, test_failpoints.sh).

# How many points of each system call to try at most (ES_CRASH_POINTS;
# the sanitizer build, being slower, tries fewer).
POINTS=${ES_CRASH_POINTS:-10}

# need_tools TOOL...: skip (77) where one is missing; CI=true makes that a
# failure.
need_tools() {
	local tool
	for tool in "$@"; do
		if ! command -v "$tool" >/dev/null; then
			echo "skipped: needs $tool"
			[ "${CI:-}" = true ] && exit 1
			exit 77
		fi
	done
}

# free_port: a TCP port on 127.0.0.1 that nothing holds right now.
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# timed COMMAND...: run COMMAND in this shell (its variables stay set);
# how long it took, in milliseconds, in $ms.
timed() {
	local t0
	t0=$(date +%s%N)
	"$@"
	ms=$((($(date +%s%N) - t0) / 1000000))
}

# spki_of CERT_PEM: the hex SHA-256 of the certificate's DER
# SubjectPublicKeyInfo (pairing-protocol.md's spki).
spki_of() {
	openssl x509 -in "$1" -pubkey -noout |
	    openssl pkey -pubin -outform DER | sha256sum | cut -c1-64
}

# Skip (77) where strace is missing or may not trace; CI=true makes that a
# failure, since CI installs strace.
need_strace() {
	local why=
	command -v strace >/dev/null || why="strace is needed (apt-get install strace)"
	[ -n "$why" ] || strace -f -qq -o /dev/null true 2>/dev/null ||
		why="strace cannot trace here (ptrace refused)"
	if [ -z "$why" ]; then
		# LeakSanitizer cannot run under ptrace ("does not work under
		# ptrace"): it would abort every traced run with exit 134. The
		# other tests, and test_valgrind, still look for leaks.
		export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
		return 0
	fi
	echo "$why"
	[ "${CI:-}" = true ] && exit 1
	exit 77
}

# listing ROOT: path, type and mode of everything (the shape of a tree;
# files whose bytes differ from run to run, ids and logs, still compare).
listing() {
	(cd "$1" && find . -mindepth 1 -printf '%p %y %m\n' | LC_ALL=C sort)
}

# snapshot ROOT: everything: path, type, mode, size (not of folders),
# link target and the content hash of each file.
snapshot() {
	(cd "$1" && find . -mindepth 1 \( -type d -printf '%p d %m\n' \) -o \
	    -printf '%p %y %m %s %l\n' | LC_ALL=C sort &&
	    find . -type f -exec sha256sum {} + | LC_ALL=C sort)
}

# leftovers ROOT: temporary and staging names an interrupted run can leave.
leftovers() {
	(cd "$1" && find . -name '*.es-staging-*' -o -name '*.es-backup-*' \
	    -o -name '.*.es-??????' -o -name '.*.es-????????' -o -name journal -o -name journal.committed \
	    -o -name lock)
}

# traced STRACE-ARGS...: strace, with LeakSanitizer off in the traced
# process: it cannot run under ptrace(2) and aborts the sanitizer build's
# runs at exit ("LeakSanitizer has encountered a fatal error"). Leaks are
# what the other tests and memcheck look for.
traced() {
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" strace "$@"
}

# ---- The test console (tests/console), on loopback.

CONSOLES=()
# console NAME [OPTIONS...]: start a test console on 127.0.0.1 (OPTIONS
# may give --listen ::1 instead, and any other option of it); sets PORT
# and SPKI ("sha256:<hex>"). Its files are $WORK/NAME.*.
console() {
	local name=$1 i
	shift
	: "${TEST_CONSOLE:?TEST_CONSOLE must name the test console binary}"
	rm -f "$WORK/$name.port"
	"$TEST_CONSOLE" --listen 127.0.0.1 --port-file "$WORK/$name.port" \
	    --spki-file "$WORK/$name.spki" --registry "$WORK/$name.registry" \
	    --log "$WORK/$name.log" --lifetime 240 "$@" \
	    > "$WORK/$name.out" 2>&1 &
	CONSOLES+=($!)
	for ((i = 0; i < 200; i++)); do
		[ -s "$WORK/$name.port" ] && [ -s "$WORK/$name.spki" ] && break
		sleep 0.05
	done
	PORT=$(cat "$WORK/$name.port")
	SPKI=$(tr -d '\n' < "$WORK/$name.spki" 2>/dev/null)
}
# stop_consoles: end every test console started (for the EXIT trap).
stop_consoles() {
	local p
	for p in "${CONSOLES[@]}"; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	CONSOLES=()
}

# ---- The procedure of docs/walkthrough.md (test_walkthrough.sh, and the
# same on the fresh host and under wine).

# step EXPECTED_EXIT COMMAND...: one command of the procedure; its output
# (stdout and stderr) in $OUT, its exit code in $RC. When $TRANSCRIPT names
# a file, "$ COMMAND", the output and an exit other than 0 are appended.
step() {
	local want=$1
	shift
	TESTS_RUN=$((TESTS_RUN + 1))
	OUT=$("$@" 2>&1)
	RC=$?
	OUT=${OUT//$'\r'/}
	if [ -n "${TRANSCRIPT:-}" ]; then
		{
			printf '$'
			printf ' %q' "$@"
			printf '\n'
			[ -z "$OUT" ] || printf '%s\n' "$OUT"
			[ "$RC" -eq 0 ] || printf '(exit %d)\n' "$RC"
		} >> "$TRANSCRIPT"
	fi
	if [ "$RC" -ne "$want" ]; then
		fail "$* exited $RC, expected $want; output:
$OUT"
		return 1
	fi
}
# tc EXPECTED_EXIT ARGS...: step with the test console ($TEST_CONSOLE): its
# client commands add-engine, refresh, engines.
tc() { step "$1" "$TEST_CONSOLE" "${@:2}"; }
# console_shows ENGINE STATE COLOUR: the test console's answer in $OUT has
# the line "ENGINE<TAB>STATE<TAB>COLOUR<TAB>detail".
console_shows() {
	TESTS_RUN=$((TESTS_RUN + 1))
	awk -F'\t' -v e="$1" -v s="$2" -v c="$3" \
	    '$1 == e && $2 == s && $3 == c { f = 1 } END { exit !f }' <<<"$OUT" &&
	    return 0
	fail "the console does not show $1 as $2 ($3); it said:
$OUT"
	return 1
}

# drive SCRIPT EXPECTED_EXIT ARGS...: engine-setup ARGS through a pty, as
# tools/pty_drive.py's SCRIPT answers it (PTY_DRIVE_SIZE=COLSxROWS sets the
# terminal's size); its output in $OUT, its exit code in $RC.
drive() {
	local script=$1 want=$2
	shift 2
	TESTS_RUN=$((TESTS_RUN + 1))
	OUT=$(python3 "$ES_E2E_DIR/tools/pty_drive.py" "$script" -- "$ES_BIN" "$@" 2>&1)
	RC=$?
	if [ "$RC" -ne "$want" ]; then
		fail "pty run exited $RC, expected $want:
$OUT"
		return 1
	fi
}

# count SYSCALL ARGS...: how often one run of engine-setup ARGS makes it.
count() {
	local sc=$1
	shift
	traced -f -qq -o "$WORK/trace" -e trace="$sc" "$ES_BIN" "$@" >/dev/null 2>&1
	grep -c " $sc(" "$WORK/trace"
}

# points TOTAL: up to $POINTS call numbers spread over 1..TOTAL, the first
# and the last always among them.
points() {
	local total=$1 step i
	[ "$total" -gt 0 ] || return 0
	step=$(( (total + POINTS - 1) / POINTS ))
	[ "$step" -ge 1 ] || step=1
	for ((i = 1; i <= total; i += step)); do echo "$i"; done
	[ $(( (total - 1) % step )) -eq 0 ] || echo "$total"
}

finish() {
	echo "$((TESTS_RUN - TESTS_FAILED)) passed, $TESTS_FAILED failed"
	[ "$TESTS_FAILED" -eq 0 ]
}
