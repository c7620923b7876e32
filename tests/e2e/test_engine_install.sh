#!/usr/bin/env bash
# Silent install of the Scan Engine (engine-to-console, pairing later) into
# a --root folder: files, modes, configuration, units, record; status; the
# same answers again; other answers; --overwrite; uninstall.
. "$(dirname "$0")/lib.sh"

R=$(newroot)
engine_answers > "$WORK/engine.txt"
run 0 --silent --answers "$WORK/engine.txt" --root "$R"
out_has "[Pass]"
out_has "Unpacking files"
out_has "Installed Nexpose 7.3.1 in /opt/rapid7/nexpose."
out_has "Engine id "
out_has "Engine-to-Console"

D=$R/opt/rapid7/nexpose
exists "$D/nse/nseserv"
mode_is "$D/nse/nseserv" 755
exists "$D/nse/bin/nse-version"
missing "$D/nsc"
file_has "$D/nse/conf/nse.xml" 'name="scanner-01"'
file_has "$D/nse/conf/nse.xml" 'communication="engine-to-console"'
file_has "$D/nse/conf/consoles.xml" '<Consoles>'
mode_is "$D/nse/conf/consoles.xml" 640
mode_is "$D/nse/conf/nse.xml" 640
mode_is "$D/nse/conf/nse.key" 600
mode_is "$D/nse/conf/logging.xml" 640
file_has "$D/nse/conf/nse.key" "BEGIN PRIVATE KEY"
check "certificate subject from the answers" bash -c \
    "openssl x509 -noout -subject -in '$D/nse/conf/nse.crt' | grep -q 'Ada Lovelace' &&
     openssl x509 -noout -subject -in '$D/nse/conf/nse.crt' | grep -q 'Example Corp'"
check "nothing world-writable" test -z "$(find "$R" -perm -o+w ! -type l)"
check "no configuration readable by others" \
    test -z "$(find "$D/nse/conf" -type f -perm -o+r)"
check "no staging or backup folder left" \
    test -z "$(find "$R" -name '.*es-staging*' -o -name '.*es-backup*')"

U=$R/etc/systemd/system/nexposeengine.service
exists "$U"
file_has "$U" "ExecStart=/opt/rapid7/nexpose/nse/nseserv"
check "unit enabled like systemctl --root" test \
    "$(readlink "$R/etc/systemd/system/multi-user.target.wants/nexposeengine.service")" \
    = /etc/systemd/system/nexposeengine.service

exists "$D/.install/record"
mode_is "$D/.install/record" 600
mode_is "$D/.install/install.log" 600
mode_is "$D/.install" 700
file_has "$D/.install/record" "component engine"
file_has "$D/.install/record" "/opt/rapid7/nexpose/nse/nseserv"
file_has "$D/.install/record" "/etc/systemd/system/nexposeengine.service"
check "record lists the file's real SHA-256" grep -q \
    "$(sha256sum "$D/nse/nseserv" | cut -d' ' -f1) /opt/rapid7/nexpose/nse/nseserv" \
    "$D/.install/record"
file_has "$D/.install/answers" "engine_name = scanner-01"
file_has "$R/var/lib/engine-setup/installation" "install_dir /opt/rapid7/nexpose"

run 10 status --root "$R"
out_has "Install dir:  /opt/rapid7/nexpose"
out_has "engine (Scan Engine only)"
out_has "nexposeengine"
out_has "Consoles:     none"
out_has "pair this engine with its console: engine-setup pair --console HOST[:PORT] --root $R"
run 0 consoles list --root "$R"
out_has "No consoles: pair this engine with its console: engine-setup pair --console HOST[:PORT] --root $R"

# Same answers again: nothing to do, nothing changed.
before=$(tree "$R")
run 0 --silent --answers "$WORK/engine.txt" --root "$R"
out_has "nothing to do"
check "a re-run with the same answers changes nothing" test "$before" = "$(tree "$R")"
run 0 -q -overwrite -varfile "$WORK/engine.txt" --root "$R"
out_has "nothing to do"

# Other answers: exit 7, unchanged, unless --overwrite.
run 7 --silent --answers "$WORK/engine.txt" --set engine_name=other --root "$R"
out_has "--overwrite"
check "exit 7 changes nothing" test "$before" = "$(tree "$R")"
# It names each answer that differs, old and new, and gives commands that
# work as printed: with this --root.
out_has "with other answers; what differs:"
out_has "  engine_name: installed 'scanner-01', now 'other'"
out_lacks "first_name:"
out_has "run the same command again with --overwrite"
# Each command on a line of its own, as it is typed (no full stop).
check "the uninstall command on its own line" test \
    "$(sed -n '/remove the installation first:$/{n;p}' <<<"$OUT")" = \
    "  engine-setup uninstall --root $R"
run 7 --silent --answers "$WORK/engine.txt" --set engine_name=other \
    --set company="AT&T Inc" --set communication=console-to-engine --root "$R"
out_has "  company: installed 'Example Corp', now 'AT&T Inc'"
out_has "  communication: installed 'engine-to-console', now 'console-to-engine'"
out_has "  engine_port: installed (not set), now '40814'"
# Another install_dir with --overwrite: uninstall first, named with --root.
run 7 --silent --answers "$WORK/engine.txt" --set install_dir=/opt/elsewhere \
    --overwrite --root "$R"
out_has "To install at /opt/elsewhere, remove it first:"
check "exit 7 changes nothing (2)" test "$before" = "$(tree "$R")"
# The command printed works: the same root, given as printed.
TESTS_RUN=$((TESTS_RUN + 1))
cmd=$(sed -n '/remove it first:$/{n;s/^  //p}' <<<"$OUT")
[ "$cmd" = "engine-setup uninstall --root $R" ] || fail "printed: $cmd"

id_before=$(grep '^engine_id' "$D/.install/record")
key_before=$(sha256sum < "$D/nse/conf/nse.key")
run 0 --silent --answers "$WORK/engine.txt" --set engine_name=other --overwrite --root "$R"
file_has "$D/nse/conf/nse.xml" 'name="other"'
check "overwrite keeps the engine id" test "$id_before" = "$(grep '^engine_id' "$D/.install/record")"
check "overwrite keeps the engine key" test "$key_before" = "$(sha256sum < "$D/nse/conf/nse.key")"
check "overwrite leaves no backup" \
    test -z "$(find "$R" -name '.*es-backup*' -o -name '.*es-staging*')"
check "the install log carries both runs" test "$(grep -c 'installing Nexpose' "$D/.install/install.log")" -ge 2

# Asked on a terminal, uninstall first says what it removes; No keeps
# everything.
cat > "$WORK/un-no.steps" <<'EOT'
expect Remove the installation under
send n
EOT
TESTS_RUN=$((TESTS_RUN + 1))
OUT=$(python3 "$(dirname "$0")/tools/pty_drive.py" "$WORK/un-no.steps" -- \
    "$ES_BIN" uninstall --root "$R" 2>&1)
RC=$?
[ $RC -eq 5 ] || fail "uninstall answered No exited $RC, expected 5: $OUT"
out_has "This removes Nexpose 7.3.1 (engine) from /opt/rapid7/nexpose, with its service nexposeengine: the"
out_has "files and folders it made, and its record. Its logs stay in $R/opt/rapid7/nexpose/.install/."
out_has "Nothing was changed."
exists "$D/nse/conf/nse.xml"

# Uninstall removes everything the install created, except logs, and
# reminds that the console still lists the engine.
run 0 uninstall --silent --root "$R"
out_has "Uninstalled"
out_has "If a Security Console knows this Scan Engine, remove it there too: Administration > Scans > Scan Engines > Manage scan engines."
missing "$U"
missing "$R/etc/systemd/system/multi-user.target.wants/nexposeengine.service"
missing "$D/nse"
missing "$D/.install/record"
missing "$R/var/lib/engine-setup/installation"
exists "$D/.install/install.log"
exists "$D/.install/uninstall.log"
check "only logs are left" test "$(cd "$R" && find . -type f | sort | tr '\n' ' ')" = \
    "./opt/rapid7/nexpose/.install/install.log ./opt/rapid7/nexpose/.install/uninstall.log "
run 9 status --root "$R"
out_has "Not installed"
run 0 uninstall --silent --root "$R"
out_has "Nothing is installed"

# Installing again over the kept logs works and carries them on.
run 0 --silent --answers "$WORK/engine.txt" --root "$R"
file_has "$D/.install/install.log" "uninstalling"

# Names with the punctuation the contract allows (' - . , & ( ) /) install,
# and reach the certificate's subject as given.
R2=$(newroot)
run 0 --silent --answers "$WORK/engine.txt" --root "$R2" \
    --set "last_name=O'Brien-Smith" --set "company=AT&T, Inc. (Lab/2)"
TESTS_RUN=$((TESTS_RUN + 1))
subj=$(openssl x509 -noout -subject -nameopt RFC2253 \
    -in "$R2/opt/rapid7/nexpose/nse/conf/nse.crt" 2>&1)
grep -qF "O=AT&T\, Inc. (Lab/2)" <<<"$subj" && grep -qF "O'Brien-Smith" <<<"$subj" ||
	fail "certificate subject lacks the names: $subj"
run 2 --check --answers "$WORK/engine.txt" --root "$R2" --set "company=Robert'); DROP"
out_has "'company'"
finish
