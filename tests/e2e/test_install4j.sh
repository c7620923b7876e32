#!/usr/bin/env bash
# install4j compatibility: the flags Rapid7's own automation writes, a
# .varfile given with -varfile, and NAME.varfile beside the binary.
. "$(dirname "$0")/lib.sh"

# Console-to-Engine engine, the way deployment scripts call the reference
# installer.
R=$(newroot)
run 0 -q -overwrite -console -Vsys.component.engine\$Boolean=true \
    -Vsys.component.typical\$Boolean=false \
    -VcommunicationDirectionChoice\$Integer=1 -Vfirstname='Joe' \
    -Vlastname='Smith' -Vcompany='Rapid7' -VinitService\$Boolean=false \
    -Vsys.languageId=en -Vsys.adminRights\$Boolean=true \
    -dir /opt/custom/engine --root "$R"
D=$R/opt/custom/engine
file_has "$D/nse/conf/nse.xml" 'communication="console-to-engine"'
file_has "$D/nse/conf/nse.xml" 'port="40814"'
file_has "$D/.install/answers" "start_service = no"
out_has "New Engine"
out_has "engine-setup consoles enable"

# A .varfile with install4j escapes.
R=$(newroot)
cat > "$WORK/response.varfile" <<'EOT'
# install4j response file for Rapid7 Security Console 7.3.1
sys.component.engine$Boolean=true
communicationDirectionChoice$Integer=1
sys.installationDir=/opt/rapid7/from\ varfile
firstname=Jane
lastname=Doe
company=Example
initService$Boolean=false
createDesktopLinkAction$Boolean=false
registrationRequired$Integer=0
sys.programGroupDisabled$Boolean=true
EOT
run 0 -q -varfile "$WORK/response.varfile" --root "$R"
exists "$R/opt/rapid7/from varfile/nse/conf/nse.xml"

# NAME.varfile beside the installer is read without being named.
mkdir -p "$WORK/media"
cp "$ES_BIN" "$WORK/media/NexposeSetup-Linux64.bin"
sed 's|from\\ varfile|auto|' "$WORK/response.varfile" > "$WORK/media/NexposeSetup-Linux64.varfile"
R=$(newroot)
TESTS_RUN=$((TESTS_RUN + 1))
OUT=$("$WORK/media/NexposeSetup-Linux64.bin" -q --root "$R" 2>&1) || fail "auto varfile install: $OUT"
exists "$R/opt/rapid7/auto/nse/conf/nse.xml"

# -q accepts the licence; --silent needs accept_license = yes.
R=$(newroot)
run 2 --silent --root "$R" --set first_name=A --set last_name=B \
    --set company=C --set pair_now=no
out_has "accept_license"
check "nothing written" test -z "$(ls -A "$R")"
finish
