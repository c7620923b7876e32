#!/usr/bin/env bash
# Issue 12, part 4: upgrades in place. The same answers with a newer payload
# version upgrade without --overwrite: program files replaced; the engine id,
# key, certificate, consoles.xml, nse.xml and every configuration file the
# administrator changed kept, by dpkg's conffile rule (a file both changed
# keeps the administrator's bytes, the new default beside it as FILE.new);
# the whole upgrade is one transaction. An older payload is refused (exit 7)
# unless --allow-downgrade.
. "$(dirname "$0")/lib.sh"
: "${MKPAYLOAD:?}" "${STUB:?}" "${ES_SRC:?}"

engine_answers console-to-engine > "$WORK/e.txt"

# Version A, 7.3.1: the sample payload with three more configuration files
# (one the administrator changes and the new version does not, one the
# administrator deletes, one the new version drops) and a program file the
# new version drops.
A=$WORK/tree-7.3.1
cp -r "${ES_PAYLOAD_TREE:-$ES_SRC/payload}" "$A"
printf 'threads = 4\n' > "$A/engine/nse/conf/scan.conf"
printf 'retention = 30\n' > "$A/engine/nse/conf/deleted.conf"
printf 'legacy = yes\n' > "$A/engine/nse/conf/legacy.conf"
printf 'old helper\n' > "$A/engine/nse/lib/old-helper.txt"
"$MKPAYLOAD" --stub "$STUB" --tree "$A" --out "$WORK/setup-7.3.1" >/dev/null ||
    { fail "mkpayload 7.3.1"; exit 1; }
# Version B, 7.4.0: another default logging.xml, another nseserv, a new
# configuration file; legacy.conf and old-helper.txt gone.
B=$WORK/tree-7.4.0
cp -r "$A" "$B"
sed -i 's/^version = .*/version = 7.4.0/' "$B/manifest"
sed -i 's/level="INFO"/level="WARN"/' "$B/engine/nse/conf/logging.xml"
printf '# 7.4.0\n' >> "$B/engine/nse/nseserv"
printf 'feature = on\n' > "$B/engine/nse/conf/new.conf"
rm "$B/engine/nse/conf/legacy.conf" "$B/engine/nse/lib/old-helper.txt"
"$MKPAYLOAD" --stub "$STUB" --tree "$B" --out "$WORK/setup-7.4.0" >/dev/null ||
    { fail "mkpayload 7.4.0"; exit 1; }
OLD=$WORK/setup-7.3.1
NEW=$WORK/setup-7.4.0

# runbin EXPECTED BINARY ARGS...: like run, with another installer.
runbin() {
	local want=$1 bin=$2
	shift 2
	TESTS_RUN=$((TESTS_RUN + 1))
	OUT=$("$bin" "$@" 2>&1)
	RC=$?
	if [ "$RC" -ne "$want" ]; then
		fail "$(basename "$bin") $* exited $RC, expected $want; output:
$OUT"
		return 1
	fi
}
same() { check "$1" cmp -s "$2" "$3"; }

R=$(newroot)
I=$R/opt/rapid7/nexpose
C=$I/nse/conf
runbin 0 "$OLD" --silent --answers "$WORK/e.txt" --root "$R"
# A console the administrator paired (as the console's Add Engine does).
cat > "$C/consoles.xml" <<'EOT'
<?xml version="1.0" encoding="UTF-8"?>
<Consoles>
  <console id="1" enabled="1" name="Console A" lastAddress="10.0.0.5" port="40815" connectTo="0"/>
</Consoles>
EOT
printf 'threads = 16\n' > "$C/scan.conf"
sed -i 's/level="INFO"/level="DEBUG"/' "$C/logging.xml"
printf 'legacy = mine\n' > "$C/legacy.conf"
rm "$C/deleted.conf"
# What the engine made itself: carried over as it is.
mkdir -p "$I/nse/logs" "$I/nse/data/scans"
printf 'Scan Engine initialization completed\n' > "$I/nse/logs/nse.log"
head -c 100000 /dev/urandom > "$I/nse/data/scans/scan-1.db"
chmod 600 "$I/nse/data/scans/scan-1.db"
mkdir "$WORK/keep"
for f in nse.key nse.crt consoles.xml nse.xml scan.conf logging.xml legacy.conf; do
	cp -p "$C/$f" "$WORK/keep/$f"
done
cp -p "$I/nse/logs/nse.log" "$I/nse/data/scans/scan-1.db" "$WORK/keep/"
id=$(sed -n 's/^engine_id //p' "$I/.install/record")
S0=$(snapshot "$R")

# A failure or a signal at each step leaves 7.3.1 byte for byte.
steps=("Preparing folders" "Unpacking files" "Writing configuration"
    "Registering the service" "Keeping the program"
    "Keeping your configuration" "Writing the install record"
    "Moving into place" "Recording the installation" "Starting the service")
for s in "${steps[@]}"; do
	ES_TEST_FAULT="$s:fail" runbin 6 "$NEW" --silent --answers "$WORK/e.txt" --root "$R"
	check "the upgrade ran up to '$s'" grep -qF "injected failure at step '$s'" <<<"$OUT"
	check "a failure at '$s' leaves 7.3.1 as it was" test "$(snapshot "$R")" = "$S0"
	ES_TEST_FAULT="$s:signal" runbin 5 "$NEW" --silent --answers "$WORK/e.txt" --root "$R"
	check "a signal at '$s' leaves 7.3.1 as it was" test "$(snapshot "$R")" = "$S0"
done
unset ES_TEST_FAULT

# kill -9 in the middle (after the new tree is in place, before the commit):
# the next run undoes it first; 7.3.1 is back as it was.
ES_TEST_FAULT="Moving into place:stop" "$NEW" --silent --answers "$WORK/e.txt" \
    --root "$R" >/dev/null 2>&1 &
pid=$!
check "the upgrade stopped after moving into place" stopped "$pid"
kill -9 "$pid"
wait "$pid" 2>/dev/null
run 10 status --root "$R"
out_has "was cut short"
runbin 7 "$ES_BIN" --silent --answers "$WORK/e.txt" --root "$R"
check "the next run undid the cut-short upgrade" test "$(snapshot "$R")" = "$S0"

# --check says what the upgrade would keep and changes nothing.
runbin 0 "$NEW" --check --silent --answers "$WORK/e.txt" --root "$R"
out_has "This would upgrade Nexpose Scan Engine from 7.3.1 to 7.4.0"
out_has "would keep your nse/conf/logging.xml; the new default would be nse/conf/logging.xml.new"
out_has "would keep your nse/conf/scan.conf (the new version has the same default)"
out_has "nse/conf/deleted.conf would stay deleted"
out_has "would keep your nse/conf/legacy.conf: you changed it, and the new version no longer has it"
# consoles.xml, changed since the install (a console paired), is kept by
# the upgrade as it is: --check does not call it dropped.
out_lacks "consoles.xml:"
out_lacks "would keep your nse/conf/consoles.xml"
out_has "Nothing was changed."
check "--check changes nothing" test "$(snapshot "$R")" = "$S0"

# The upgrade.
runbin 0 "$NEW" --silent --answers "$WORK/e.txt" --root "$R"
out_has "Upgraded Nexpose Scan Engine from 7.3.1 to 7.4.0."
out_has "kept your nse/conf/logging.xml; the new default is nse/conf/logging.xml.new"
out_has "kept your nse/conf/scan.conf"
out_has "nse/conf/deleted.conf stays deleted"
out_has "kept your nse/conf/legacy.conf: you changed it"
out_has "Engine id $id (kept)."
out_lacks "with other answers"
out_has "carried over 2 file(s) that engine-setup did not install"
same "the engine's log is carried over" "$WORK/keep/nse.log" "$I/nse/logs/nse.log"
same "the engine's data is carried over" "$WORK/keep/scan-1.db" "$I/nse/data/scans/scan-1.db"
mode_is "$I/nse/data/scans/scan-1.db" 600
for f in nse.key nse.crt consoles.xml scan.conf logging.xml legacy.conf; do
	same "$f is kept byte for byte" "$WORK/keep/$f" "$C/$f"
done
# nse.xml, as 7.3.1 wrote it, is written for 7.4.0: the same engine, name
# and listener, the new version (the engine reports it to its consoles).
sed 's/<NSEConfig version="7.3.1"/<NSEConfig version="7.4.0"/' "$WORK/keep/nse.xml" >"$WORK/nse-7.4.0.xml"
check "nse.xml as 7.3.1 wrote it now says 7.4.0" grep -q '<NSEConfig version="7.3.1"' "$WORK/keep/nse.xml"
same "nse.xml is 7.3.1's with the new version" "$WORK/nse-7.4.0.xml" "$C/nse.xml"
same "the new default is beside the changed file" "$B/engine/nse/conf/logging.xml" "$C/logging.xml.new"
missing "$C/scan.conf.new"
missing "$C/deleted.conf"
same "a new configuration file is installed" "$B/engine/nse/conf/new.conf" "$C/new.conf"
same "the program file is replaced" "$B/engine/nse/nseserv" "$I/nse/nseserv"
missing "$I/nse/lib/old-helper.txt"
file_has "$I/.install/record" "version 7.4.0"
file_has "$I/.install/record" "upgraded_from 7.3.1"
file_has "$I/.install/record" "engine_id $id"
file_has "$I/.install/record" "/opt/rapid7/nexpose/nse/conf/logging.xml.new"
check "the record keeps the first install's time" grep -q '^installed_at ' "$I/.install/record"
check "the record says when it was upgraded" grep -qE '^upgraded_at [0-9]{4}-' "$I/.install/record"
run 0 status --root "$R"
out_has "Product:      Nexpose 7.4.0"
out_has "Upgraded:     from 7.3.1 on "

# The same version again: nothing to do.
S1=$(snapshot "$R")
runbin 0 "$NEW" --silent --answers "$WORK/e.txt" --root "$R"
out_has "Nexpose 7.4.0 is already installed at /opt/rapid7/nexpose with the same answers: nothing to do."
check "a re-run changes nothing" test "$(snapshot "$R")" = "$S1"

# An older version: exit 7 naming both, unchanged.
runbin 7 "$ES_BIN" --silent --answers "$WORK/e.txt" --root "$R"
out_has "7.4.0 is installed; this installer holds 7.3.1, an older version."
out_has "To install it anyway: --allow-downgrade"
check "a refused downgrade changes nothing" test "$(snapshot "$R")" = "$S1"
runbin 7 "$OLD" --silent --answers "$WORK/e.txt" --root "$R"
out_has "--allow-downgrade"
# With --allow-downgrade: back to 7.3.1 as an upgrade goes, same identity.
runbin 0 "$OLD" --check --allow-downgrade --silent --answers "$WORK/e.txt" --root "$R"
out_has "This would downgrade Nexpose Scan Engine from 7.4.0 to 7.3.1"
check "--check of a downgrade changes nothing" test "$(snapshot "$R")" = "$S1"
# Run by the kept copy in install_dir, which moves itself aside first (as
# Windows needs) and is put back by an undo.
ES_TEST_FAULT="Recording the installation:fail" runbin 6 "$I/engine-setup" \
    --payload "$OLD" --allow-downgrade --silent --answers "$WORK/e.txt" --root "$R"
check "a failed downgrade run by the kept copy leaves 7.4.0 as it was" \
    test "$(snapshot "$R")" = "$S1"
runbin 0 "$I/engine-setup" --payload "$OLD" --allow-downgrade --silent \
    --answers "$WORK/e.txt" --root "$R"
check "no moved-aside program is left" test -z "$(leftovers "$R")"
file_has "$I/.install/install.log" "moved the running program aside"
out_has "Downgraded Nexpose Scan Engine from 7.4.0 to 7.3.1."
out_has "Engine id $id (kept)."
for f in nse.key nse.crt consoles.xml nse.xml scan.conf logging.xml; do
	same "$f is kept byte for byte by the downgrade" "$WORK/keep/$f" "$C/$f"
done
same "the downgrade puts 7.3.1's program back" "$A/engine/nse/nseserv" "$I/nse/nseserv"
file_has "$I/.install/record" "version 7.3.1"
file_has "$I/.install/record" "upgraded_from 7.4.0"
file_has "$I/.install/record" "engine_id $id"
run 0 status --root "$R"
out_has "Downgraded:   from 7.4.0 on "

# Uninstall: what remains is the logs and the configuration files the
# administrator changed (kept as changed, as always: install-record.md);
# consoles.xml, which the upgrade carried over and recorded as it was, goes;
# the engine's own data and logs stay, as they always do. What stays that
# is not a log is named, and the exit is 6 (docs/install-record.md, "What
# uninstall leaves").
run 6 uninstall --silent --root "$R"
out_has "kept /opt/rapid7/nexpose/nse/conf/scan.conf: its content changed after the install"
out_has "kept /opt/rapid7/nexpose/nse/data/scans/scan-1.db: the installation did not make it"
left=$(cd "$R" && find . -type f | LC_ALL=C sort | tr '\n' ' ')
check "uninstall leaves only logs and the administrator's files: $left" \
    test "$left" = "./opt/rapid7/nexpose/.install/install.log ./opt/rapid7/nexpose/.install/uninstall.log ./opt/rapid7/nexpose/nse/conf/legacy.conf ./opt/rapid7/nexpose/nse/conf/logging.xml ./opt/rapid7/nexpose/nse/conf/scan.conf ./opt/rapid7/nexpose/nse/data/scans/scan-1.db ./opt/rapid7/nexpose/nse/logs/nse.log "

# --overwrite with another version never puts the new defaults over the
# configuration the administrator changed: with the same answers it is the
# upgrade (the conffile rule); with other answers it is refused, and the
# message gives the upgrade to run first.
R=$(newroot)
I=$R/opt/rapid7/nexpose
C=$I/nse/conf
runbin 0 "$OLD" --silent --answers "$WORK/e.txt" --root "$R"
sed -i 's/level="INFO"/level="DEBUG"/' "$C/logging.xml"
cp -p "$C/logging.xml" "$WORK/keep/logging-overwrite.xml"
S2=$(snapshot "$R")
runbin 7 "$NEW" --overwrite --silent --answers "$WORK/e.txt" --set engine_name=other --root "$R"
out_has "engine-setup: Nexpose 7.3.1 is installed at /opt/rapid7/nexpose with other answers, and this installer holds 7.4.0: --overwrite would replace the configuration files changed there with the defaults of 7.4.0, which an upgrade never does. What differs:"
out_has "  engine_name: installed 'scanner-01', now 'other'"
out_has "Nothing was changed. Upgrade first: run this installer with the installation's own answers, without --overwrite:
  --silent --answers $I/.install/answers --root $R
then run this command again to change the answers."
check "a refused --overwrite changes nothing" test "$(snapshot "$R")" = "$S2"
runbin 0 "$NEW" --overwrite --silent --answers "$WORK/e.txt" --root "$R"
out_has "These are the installation's answers with another version: this is an upgrade in place, which keeps the configuration you changed (--overwrite does not replace it)."
out_has "Upgraded Nexpose Scan Engine from 7.3.1 to 7.4.0."
out_has "kept your nse/conf/logging.xml; the new default is nse/conf/logging.xml.new"
same "--overwrite keeps the changed logging.xml" "$WORK/keep/logging-overwrite.xml" "$C/logging.xml"
same "--overwrite writes the new default beside it" "$B/engine/nse/conf/logging.xml" "$C/logging.xml.new"
# The upgrade done, --overwrite with other answers replaces 7.4.0.
runbin 0 "$NEW" --overwrite --silent --answers "$WORK/e.txt" --set engine_name=other --root "$R"
file_has "$I/.install/record" "engine_name other"

# An nse.xml the administrator changed is kept by an upgrade as it is,
# version and all (dpkg's conffile rule).
R=$(newroot)
I=$R/opt/rapid7/nexpose
C=$I/nse/conf
runbin 0 "$OLD" --silent --answers "$WORK/e.txt" --root "$R"
sed -i 's|</NSEConfig>|  <!-- tuned by hand -->\n</NSEConfig>|' "$C/nse.xml"
cp -p "$C/nse.xml" "$WORK/keep/nse-changed.xml"
runbin 0 "$NEW" --silent --answers "$WORK/e.txt" --root "$R"
out_has "Upgraded Nexpose Scan Engine from 7.3.1 to 7.4.0."
same "a changed nse.xml is kept byte for byte" "$WORK/keep/nse-changed.xml" "$C/nse.xml"

finish
