#!/usr/bin/env bash
# Issue 12, part 4 on Windows (under wine): an installer of a newer version
# with the same answers upgrades in place through the platform seam: the
# service is stopped and started again by the SCM, the Add/Remove Programs
# entry's DisplayVersion follows, the kept engine-setup.exe is replaced,
# and the identity and a changed configuration file are kept (the new
# default beside it as .new). A failure leaves 7.3.1 as it was, its service
# running. Then the kept engine-setup.exe itself, the running program,
# installs the older release file with --allow-downgrade.
. "$(dirname "$0")/lib_wine.sh"
: "${ES_SRC:?ES_SRC must name the source folder}"
wine_prefix

# The host's mkpayload (the build folder is the working folder) packs the
# 7.4.0 payload onto the Windows stub: the copy every installation keeps.
MKPAYLOAD=${MKPAYLOAD:-$PWD/mkpayload}
if [ ! -x "$MKPAYLOAD" ]; then
	echo "skipped: no host mkpayload at $MKPAYLOAD"
	exit 77
fi

engine_answers console-to-engine > "$WORK/e.txt"
echo "start_service = yes" >> "$WORK/e.txt"
run 0 --silent --answers "$(winpath "$WORK/e.txt")" || { finish; exit 1; }
out_has "Installed Nexpose 7.3.1"
check "the service runs after the install" wait_state nexposeengine RUNNING
C=$INSTALL/nse/conf
sed -i 's/level="INFO"/level="DEBUG"/' "$C/logging.xml"
mkdir "$WORK/keep"
cp "$C/nse.key" "$C/nse.crt" "$C/consoles.xml" "$C/nse.xml" "$C/logging.xml" "$WORK/keep/"
id=$(sed -n 's/^engine_id //p' "$INSTALL/.install/record")

# The installer without payload that 7.4.0 is packed onto: the Windows
# build's own stub. The kept engine-setup.exe of a signed release file still
# names the signature that the payload's end cut off, so a payload appended
# to it reads as a damaged signed file (the closing note of issue 12).
STUB_EXE=$ES_SRC/build-windows/engine-setup-stub.exe
[ -f "$STUB_EXE" ] || STUB_EXE=$INSTALL/engine-setup.exe

# 7.4.0's Windows payload, made as the build makes the sample's
# (cmake/payload-sample.cmake), with the installed service program.
cp -r "$ES_SRC/payload" "$WORK/src-7.4.0"
sed -i 's/^version = .*/version = 7.4.0/' "$WORK/src-7.4.0/manifest"
sed -i 's/level="INFO"/level="WARN"/' "$WORK/src-7.4.0/engine/nse/conf/logging.xml"
printf 'Version 7.4.0 of the library notes.\n' >> "$WORK/src-7.4.0/engine/nse/lib/README.txt"
cmake -DSRC="$WORK/src-7.4.0" -DDST="$WORK/tree-7.4.0" \
    -DSERVICE="$INSTALL/nse/nseserv.exe" -DEXT=.exe -DDROP_SCRIPTS=ON \
    -P "$ES_SRC/cmake/payload-sample.cmake" >/dev/null &&
    "$MKPAYLOAD" --stub "$STUB_EXE" --tree "$WORK/tree-7.4.0" \
    --out "$WORK/setup-7.4.0.exe" >/dev/null || { fail "making the 7.4.0 installer"; finish; exit 1; }

# wrun EXPECTED EXE ARGS...: run a Windows program, output in $OUT.
wrun() {
	local want=$1 exe=$2
	shift 2
	TESTS_RUN=$((TESTS_RUN + 1))
	OUT=$(wine "$exe" "$@" 2>&1)
	RC=$?
	OUT=${OUT//$'\r'/}
	[ "$RC" -eq "$want" ] || fail "$(basename "$exe") $* exited $RC, expected $want: $OUT"
}

# A failure at the last steps: 7.3.1 as it was, its service running again.
# (The service's own log, nse/logs, grows with each stop and start.)
files() { wtree "$1" | grep -v '^\./nse/logs\|/nse/logs/'; }
before=$(files "$INSTALL")
for step in "Moving into place" "Adding to Add/Remove Programs" "Starting the service"; do
	ES_TEST_FAULT="$step:fail" wrun 6 "$WORK/setup-7.4.0.exe" --silent \
	    --answers "$(winpath "$WORK/e.txt")"
	check "after a failure at '$step' the files are 7.3.1's" test "$(files "$INSTALL")" = "$before"
	check "after a failure at '$step' the service runs again" wait_state nexposeengine RUNNING
	check "after a failure at '$step' DisplayVersion is 7.3.1" \
	    test "$(reg_value "$ARP_KEY\\Nexpose" DisplayVersion)" = 7.3.1
done

wrun 0 "$WORK/setup-7.4.0.exe" --silent --answers "$(winpath "$WORK/e.txt")"
out_has "Upgraded Nexpose Scan Engine from 7.3.1 to 7.4.0."
out_has "kept your nse/conf/logging.xml; the new default is nse/conf/logging.xml.new"
out_has "Engine id $id (kept)."
check "the service runs after the upgrade" wait_state nexposeengine RUNNING
check "DisplayVersion is 7.4.0" test "$(reg_value "$ARP_KEY\\Nexpose" DisplayVersion)" = 7.4.0
for f in nse.key nse.crt consoles.xml logging.xml; do
	check "$f is kept byte for byte" cmp -s "$WORK/keep/$f" "$C/$f"
done
# nse.xml as 7.3.1 wrote it is written for 7.4.0 (docs/upgrade.md): the
# same but for <NSEConfig version>.
check "nse.xml as 7.3.1 wrote it says 7.3.1" grep -q '<NSEConfig version="7.3.1"' "$WORK/keep/nse.xml"
sed 's/<NSEConfig version="7.3.1"/<NSEConfig version="7.4.0"/' "$WORK/keep/nse.xml" >"$WORK/nse-7.4.0.xml"
check "nse.xml is 7.3.1's with the new version" cmp -s "$WORK/nse-7.4.0.xml" "$C/nse.xml"
check "the new default is beside it" cmp -s "$WORK/tree-7.4.0/engine/nse/conf/logging.xml" "$C/logging.xml.new"
check "the program files are 7.4.0's" cmp -s "$WORK/tree-7.4.0/engine/nse/lib/README.txt" "$INSTALL/nse/lib/README.txt"
exists "$INSTALL/engine-setup.exe"
run 0 status
out_has "Upgraded:     from 7.3.1 on "

# The kept engine-setup.exe, the running program, over its own folder:
# the older release file is refused, then installed with
# --allow-downgrade; the copy is replaced by the one being installed.
wrun 7 "$INSTALL/engine-setup.exe" --payload "$(winpath "$ES_WIN_EXE")" \
    --silent --answers "$(winpath "$WORK/e.txt")"
check "the refusal names both versions" grep -qF "7.4.0 is installed; this installer holds 7.3.1, an older version." <<<"$OUT"
wrun 0 "$INSTALL/engine-setup.exe" --payload "$(winpath "$ES_WIN_EXE")" \
    --allow-downgrade --silent --answers "$(winpath "$WORK/e.txt")"
check "the downgrade says so" grep -qF "Downgraded Nexpose Scan Engine from 7.4.0 to 7.3.1." <<<"$OUT"
check "the service runs after the downgrade" wait_state nexposeengine RUNNING
check "DisplayVersion is 7.3.1 again" test "$(reg_value "$ARP_KEY\\Nexpose" DisplayVersion)" = 7.3.1
check "the key is still the first one" cmp -s "$WORK/keep/nse.key" "$C/nse.key"
exists "$INSTALL/engine-setup.exe"

# The logging.xml changed by hand stays, named (exit 6: docs/install-record.md).
run 6 uninstall --silent
out_has "logging.xml: its content changed after the install"
check "the service is gone" test "$(service_state nexposeengine)" = none
finish
