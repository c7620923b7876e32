#!/usr/bin/env bash
# Issue 11: the install4j command line that the README gives for Windows
# (engine-setup.exe -q -varfile engine.varfile, a varfile with Windows
# paths in install4j's escapes), then Engine-to-Console pairing against the
# test console on 127.0.0.1 (a Linux program on this machine's loopback)
# from the Windows installer, with the shared secret in a file: the console
# registers the engine, consoles.xml names it, the secret is nowhere.
. "$(dirname "$0")/lib_wine.sh"
: "${TEST_CONSOLE:?TEST_CONSOLE must name the test console binary}"
wine_prefix
on_exit stop_consoles

cat > "$WORK/engine.varfile" <<'EOT'
# install4j response file, as the product's own automation writes it
sys.component.engine$Boolean=true
communicationDirectionChoice$Integer=1
sys.installationDir=C\:\\Program Files\\Rapid7\\From Varfile
firstname=Jane
lastname=Doe
company=Example
initService$Boolean=false
EOT
run 0 -q -varfile "$(winpath "$WORK/engine.varfile")"
D="$PF/Rapid7/From Varfile"
file_has "$D/nse/conf/nse.xml" 'communication="console-to-engine"'
file_has "$D/nse/conf/nse.xml" 'port="40814"'
file_has "$D/.install/answers" "start_service = no"
check "the service is registered, not started" \
    test "$(service_state nexposeengine)" = STOPPED
run 0 uninstall --silent
missing "$D/nse"
check "the service is gone" test "$(service_state nexposeengine)" = none

# Engine-to-Console with pairing at install time.
SECRET=ABCD-1234-EFGH-5678-IJKL-9012-MNOP-3456
SECRET_RE='ABCD.?1234.?EFGH.?5678.?IJKL.?9012.?MNOP.?3456'
printf '%s\n' "$SECRET" > "$WORK/secret"
chmod 600 "$WORK/secret"
console ok --secret "$SECRET"
cat > "$WORK/pair.txt" <<EOT
accept_license = yes
component = engine
first_name = Ada
last_name = Lovelace
company = Example Corp
engine_name = win-scanner-01
communication = engine-to-console
pair_now = yes
console_address = 127.0.0.1
console_port = $PORT
shared_secret_file = $(winpath "$WORK/secret")
start_service = no
EOT
run 0 --silent --answers "$(winpath "$WORK/pair.txt")" \
    --log "$(winpath "$WORK/install.log")"
file_has "$WORK/ok.registry" "paired"
file_has "$WORK/ok.registry" "win-scanner-01"
file_has "$INSTALL/nse/conf/consoles.xml" "127.0.0.1"
file_has "$INSTALL/.install/answers" "console_fingerprint = $SPKI"
check "the secret is in no installed file" \
    bash -c "! grep -rqE '$SECRET_RE' \"\$1\"" _ "$INSTALL"
check "the secret is not in the output" bash -c "! grep -qE '$SECRET_RE' <<<\"\$1\"" _ "$OUT"
check "the secret is not in the install log" \
    bash -c "! grep -qE '$SECRET_RE' \"\$1\"" _ "$WORK/install.log"
run 0 uninstall --silent
missing "$INSTALL/nse"

finish
