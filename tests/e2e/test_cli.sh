#!/usr/bin/env bash
# --help, --version, --payload-info, --show-license; a payload swapped in
# with mkpayload (a vendor's own tree); privilege handling.
. "$(dirname "$0")/lib.sh"

run 0 --help
out_has "Usage: engine-setup"
out_has "TCP 40814"
out_has "TCP 40815"
out_has "--root DIR"
# Each command answers --help (and -h) with its own usage, nothing else.
for cmd in uninstall pair consoles status; do
	for h in --help -h; do
		run 0 $cmd $h
		check "$cmd $h starts with its own usage" \
		    test "$(head -1 <<<"$OUT")" != "Usage: engine-setup [install] [OPTIONS]"
		out_has "Usage: engine-setup $cmd"
		out_lacks "install4j compatibility"
		out_has "Exit codes:"
	done
done
run 0 pair --help
out_has "--console HOST[:PORT]  the console's address; PORT defaults to 40815"
out_has "valid for 60 minutes"
run 0 consoles --help
out_has "enable|disable ID|ADDRESS [--restart]"
run 0 status --help
out_has "10 something needs"
run 0 uninstall --help
out_has "checks that only logs are left"
out_has "  --purge             remove the logs too"
run 0 install --help
out_has "Usage: engine-setup [install] [OPTIONS]"
out_has "install4j compatibility"
# Options after --help are not acted on.
R=$(newroot)
run 0 uninstall --help --root "$R"
check "uninstall --help changes nothing" test -z "$(ls -A "$R")"

run 0 --version
out_has "engine-setup "
run 0 --payload-info
out_has "Nexpose 7.3.1"
out_has "engine (Scan Engine)"
out_has "console (Security Console with local Scan Engine)"
out_has "(verified)"
run 0 --show-license
out_has "SAMPLE END-USER LICENCE AGREEMENT"

# A vendor tree: same layout, other version and files.
if [ -n "${MKPAYLOAD:-}" ] && [ -n "${ES_SRC:-}" ]; then
	T=$WORK/vendor
	cp -r "${ES_PAYLOAD_TREE:-$ES_SRC/payload}" "$T"
	sed -i 's/^version = .*/version = 8.0.2/' "$T/manifest"
	echo "vendor data" > "$T/engine/nse/lib/vendor.dat"
	TESTS_RUN=$((TESTS_RUN + 1))
	"$MKPAYLOAD" --stub "$ES_BIN" --tree "$T" --out "$WORK/vendor-setup" >/dev/null 2>&1 ||
	    fail "mkpayload over an existing engine-setup"
	OUT=$("$WORK/vendor-setup" --payload-info 2>&1)
	out_has "Nexpose 8.0.2"
	check "swapping the payload keeps the program size" test \
	    "$(grep Installer: <<<"$OUT")" = "$("$ES_BIN" --payload-info | grep Installer:)"
	R=$(newroot)
	engine_answers > "$WORK/e.txt"
	run 0 --silent --answers "$WORK/e.txt" --root "$R" --payload "$WORK/vendor-setup"
	file_has "$R/opt/rapid7/nexpose/nse/lib/vendor.dat" "vendor data"
	file_has "$R/opt/rapid7/nexpose/.install/record" "version 8.0.2"
	# A different payload is "other answers" for a re-run.
	run 7 --silent --answers "$WORK/e.txt" --root "$R"
	out_has "  the payload: installed Nexpose 8.0.2 (sha256 "
	out_has "now Nexpose 7.3.1 (sha256 "
fi

# No payload at all: the stub says what to build.
if [ -n "${STUB:-}" ]; then
	TESTS_RUN=$((TESTS_RUN + 1))
	OUT=$("$STUB" --payload-info 2>&1) && fail "the stub has no payload"
	out_has "carries no payload"
fi

# Without --root a non-root user is told to use sudo or --root; with a
# writable --root it installs.
if [ "$(id -u)" -eq 0 ] && command -v runuser >/dev/null; then
	engine_answers > "$WORK/e.txt"
	chmod 644 "$WORK/e.txt"
	TESTS_RUN=$((TESTS_RUN + 1))
	OUT=$(as_nobody --silent --answers "$WORK/e.txt" 2>&1)
	rc=$?
	[ $rc -eq 3 ] || fail "non-root without --root exited $rc: $OUT"
	out_has "needs administrator rights"
	R=$(newroot)
	chown nobody "$R"
	TESTS_RUN=$((TESTS_RUN + 1))
	OUT=$(as_nobody --silent --answers "$WORK/e.txt" --root "$R" 2>&1) ||
	    fail "non-root install into its own --root: $OUT"
	exists "$R/opt/rapid7/nexpose/nse/conf/nse.xml"
fi
# A file option or file key that names a missing or unreadable file is a
# usage error (exit 2) naming the option, the file and what to do; nothing
# is written. A file to write needs its folder.
R=$(newroot)
engine_answers > "$WORK/e.txt"
run 2 pair --console 127.0.0.1 --secret-file "$WORK/nonexistent" --root "$R"
out_has "--secret-file: cannot read the shared secret file $WORK/nonexistent: No such file or directory; give the file that holds the console's shared secret"
run 2 pair --test --console 127.0.0.1 --secret-file "$WORK/nonexistent" --root "$R"
out_has "--secret-file: cannot read the shared secret file"
run 2 --silent --answers "$WORK/nonexistent" --root "$R"
out_has "--answers (-varfile): cannot read the answers file $WORK/nonexistent"
run 2 -q -varfile "$WORK/nonexistent" --root "$R"
out_has "cannot read the answers file $WORK/nonexistent"
run 2 --silent --answers "$WORK/e.txt" --payload "$WORK/nonexistent" --root "$R"
out_has "--payload: cannot read the payload file $WORK/nonexistent: No such file or directory"
run 2 --silent --answers "$WORK/e.txt" --record "$WORK/no-dir/rec.txt" --root "$R"
out_has "--record: cannot create the answers file $WORK/no-dir/rec.txt: its folder does not exist"
run 2 --check --silent --answers "$WORK/e.txt" --record "$WORK/no-dir/rec.txt" --root "$R"
run 2 --silent --answers "$WORK/e.txt" --log "$WORK/no-dir/log" --root "$R"
out_has "--log: cannot create the log file $WORK/no-dir/log: its folder does not exist"
run 2 uninstall --silent --log "$WORK/no-dir/log" --root "$R"
out_has "--log: cannot create the log file"
run 2 --silent --answers "$WORK/e.txt" --set pair_now=yes \
    --set console_address=10.0.0.5 --set shared_secret_file="$WORK/nonexistent" --root "$R"
out_has "bad value for 'shared_secret_file'"
console_answers
run 2 --silent --answers "$WORK/console.txt" \
    --set console_admin_password_file="$WORK/nonexistent" --root "$R"
out_has "bad value for 'console_admin_password_file'"
check "nothing written (missing files)" test -z "$(ls -A "$R")"
if [ "$(id -u)" -eq 0 ] && command -v runuser >/dev/null; then
	# Files the user may not read: the same, not exit 6 half-way.
	printf 'ABCD-EFGH\n' > "$WORK/secret0600"
	chmod 600 "$WORK/secret0600"
	chmod 644 "$WORK/e.txt"
	R=$(newroot)
	chown nobody "$R"
	TESTS_RUN=$((TESTS_RUN + 1))
	OUT=$(as_nobody pair --test --console 127.0.0.1 --secret-file "$WORK/secret0600" --root "$R" 2>&1)
	rc=$?
	[ $rc -eq 2 ] || fail "an unreadable --secret-file exited $rc: $OUT"
	out_has "cannot read the shared secret file $WORK/secret0600: Permission denied"
	TESTS_RUN=$((TESTS_RUN + 1))
	OUT=$(as_nobody --silent --answers "$WORK/e.txt" --set pair_now=yes \
	    --set console_address=10.0.0.5 --set shared_secret_file="$WORK/secret0600" \
	    --root "$R" 2>&1)
	rc=$?
	[ $rc -eq 2 ] || fail "an unreadable shared_secret_file exited $rc: $OUT"
	out_has "expected a file this user may read"
	check "nothing written (unreadable files)" test -z "$(ls -A "$R")"
fi
# Commands printed as advice work as printed: a --root with a space and a
# quote is shell-quoted.
R="$WORK/a root's place"
mkdir -p "$R"
run 0 --silent --answers "$WORK/e.txt" --root "$R"
run 0 consoles list --root "$R"
out_has "engine-setup pair --console HOST[:PORT] --root '$WORK/a root'\''s place'"
# --check changes nothing: on a command without a dry run it is refused,
# not ignored (an "uninstall --check" once uninstalled).
before=$(tree "$R")
run 2 uninstall --check --silent --root "$R"
out_has "--check is a dry run of install only; uninstall has none, so nothing was done"
run 2 pair --check --console 127.0.0.1:1 --root "$R"
out_has "pair --test tries the pairing without keeping it"
run 2 consoles --check enable 127.0.0.1 --root "$R"
check "uninstall, pair and consoles with --check changed nothing" \
    test "$before" = "$(tree "$R")"
# status has no dry run to ask for: it changes nothing, and says so.
run 2 status --check --root "$R"
out_has "status takes --json, --root and --wait-ready[=SECONDS] only"
# Exit 7 under a --root that needs quoting: the uninstall command printed
# works when pasted into a shell.
run 7 --silent --answers "$WORK/e.txt" --set engine_name=other --root "$R"
out_has "  engine_name: installed 'scanner-01', now 'other'"
cmd=$(sed -n '/remove the installation first:$/{n;s/^  //p}' <<<"$OUT")
out_has "engine-setup uninstall --root '$WORK/a root'\''s place'"
TESTS_RUN=$((TESTS_RUN + 1))
OUT=$(bash -c "engine-setup() { \"$ES_BIN\" \"\$@\"; }; $cmd --silent" 2>&1) ||
    fail "the printed command failed: $cmd: $OUT"
out_has "Uninstalled"
missing "$R/opt/rapid7/nexpose/nse"
finish
