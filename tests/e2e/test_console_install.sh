#!/usr/bin/env bash
# The Security Console component: it brings its local Scan Engine, the
# admin user with the password stored only as a salted slow hash, and
# nexposeconsole.service.
. "$(dirname "$0")/lib.sh"

R=$(newroot)
console_answers
run 0 --silent --answers "$WORK/console.txt" --root "$R" --log "$WORK/console.log"
# This host's own addresses, not a placeholder (test_next_steps.sh checks
# them in a network namespace of known addresses).
out_has "Next: open the Security Console in a web browser"
out_has ":3780"
out_lacks "<this host>"
D=$R/opt/rapid7/nexpose
exists "$D/nsc/nscsvc"
exists "$D/nsc/web/index.html"
exists "$D/nse/nseserv"
file_has "$D/nsc/conf/nsc.xml" 'port="3780"'
file_has "$D/nsc/conf/userdb.xml" 'name="nxadmin"'
file_has "$D/nsc/conf/userdb.xml" 'pbkdf2-sha256$'
mode_is "$D/nsc/conf/userdb.xml" 600
mode_is "$D/nsc/conf/nsc.key" 600
exists "$R/etc/systemd/system/nexposeconsole.service"
missing "$R/etc/systemd/system/nexposeengine.service"
check "console unit enabled" test -L "$R/etc/systemd/system/multi-user.target.wants/nexposeconsole.service"
check "the password is in no file under the root" \
    test -z "$(grep -rl 'correct horse battery' "$R")"
check "the password is not in the log" bash -c "! grep -q 'correct horse' '$WORK/console.log'"
mode_is "$WORK/console.log" 600
file_has "$WORK/console.log" "installed Nexpose 7.3.1 (console)"

run 0 status --root "$R"
out_has "console (Security Console with local Scan Engine)"
out_has "nexposeconsole"
# A console's local engine needs no pairing ('pair' refuses here): no
# advice to run it.
out_has "Consoles:     none: this Security Console's local Scan Engine needs no pairing"
out_lacks "engine-setup pair"
run 0 consoles list --root "$R"
out_has "No consoles: this Security Console's local Scan Engine needs no pairing"
out_lacks "engine-setup pair"
run 2 pair --console 127.0.0.1 --root "$R"
out_has "local Scan Engine needs no pairing"

# An engine-only install on a host with a console fails (the seed's REMINDER).
R2=$(newroot)
mkdir -p "$R2/etc/systemd/system"
cp "$R/etc/systemd/system/nexposeconsole.service" "$R2/etc/systemd/system/"
engine_answers > "$WORK/engine.txt"
before=$(tree "$R2")
run 3 --silent --answers "$WORK/engine.txt" --root "$R2"
out_has "[Fail] Security Console on this host"
out_has "already has a Security Console"
check "a failed requirement changes nothing" test "$before" = "$(tree "$R2")"

# install4j password1/password2 must match.
R3=$(newroot)
run 2 -q --root "$R3" -Vsys.component.typical\$Boolean=true -Vfirstname=A \
    -Vlastname=B -Vcompany=C -Vusername=nxadmin -Vpassword1=abcdefgh1 \
    -Vpassword2=abcdefgh2
out_has "password1 and password2 differ"
out_lacks "abcdefgh1"
run 0 -q --root "$R3" -Vsys.component.typical\$Boolean=true \
    -Vsys.component.engine\$Boolean=false -Vfirstname=A \
    -Vlastname=B -Vcompany=C -Vusername=nxadmin -Vpassword1=abcdefgh1 \
    -Vpassword2=abcdefgh1 -VinitService\$Boolean=false
exists "$R3/opt/rapid7/nexpose/nsc/conf/userdb.xml"
check "install4j password not stored in clear" \
    test -z "$(grep -rl abcdefgh1 "$R3")"
finish
