#!/usr/bin/env bash
# --help, --version, --payload-info, --show-license; a payload swapped in
# with mkpayload (a vendor's own tree); privilege handling.
. "$(dirname "$0")/lib.sh"

run 0 --help
out_has "Usage: engine-setup"
out_has "TCP 40814"
out_has "TCP 40815"
out_has "--root DIR"
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
	cp -r "$ES_SRC/payload" "$T"
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
finish
