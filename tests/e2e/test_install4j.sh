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
# The product's Chef template writes proxyHost, proxyPort and
# requirePasswordChange$Boolean into every response file; with no proxy
# configured it renders the proxy values empty. All of it installs; the
# ignored names are noted in the log.
cat > "$WORK/chef.varfile" <<'EOT'
sys.component.engine$Boolean=true
communicationDirectionChoice$Integer=1
firstname=Jane
lastname=Doe
company=Example
initService$Boolean=false
proxyHost=
proxyPort=
requirePasswordChange$Boolean=false
sys.languageId=en
EOT
R=$(newroot)
run 0 -q -varfile "$WORK/chef.varfile" --root "$R" --log "$WORK/chef.log"
out_lacks "unknown key"
file_has "$WORK/chef.log" "install4j answer 'requirePasswordChange\$Boolean' accepted and ignored"
file_has "$WORK/chef.log" "install4j answer 'sys.languageId' accepted and ignored"
file_has "$R/opt/rapid7/nexpose/.install/install.log" "requirePasswordChange"
file_lacks "$R/opt/rapid7/nexpose/.install/answers" "proxy"

# proxyHost and proxyPort together are proxy = http://HOST:PORT.
sed -e 's/^proxyHost=$/proxyHost=proxy.example.com/' \
    -e 's/^proxyPort=$/proxyPort=3128/' "$WORK/chef.varfile" > "$WORK/proxy.varfile"
R=$(newroot)
run 0 -q -varfile "$WORK/proxy.varfile" --root "$R" --record "$WORK/rec.txt"
file_has "$R/opt/rapid7/nexpose/.install/answers" "proxy = http://proxy.example.com:3128"
file_has "$WORK/rec.txt" "proxy = http://proxy.example.com:3128"
file_lacks "$WORK/rec.txt" "proxyHost"
# An IPv6 proxy address gets its brackets.
R=$(newroot)
run 0 -q -varfile "$WORK/chef.varfile" -VproxyHost=2001:db8::1 -VproxyPort=8080 \
    --root "$R" --check
out_has "proxy = http://[2001:db8::1]:8080"

# Only one of the two: exit 2 naming the missing one, nothing written.
grep -v '^proxyPort' "$WORK/proxy.varfile" > "$WORK/hostonly.varfile"
R=$(newroot)
run 2 -q -varfile "$WORK/hostonly.varfile" --root "$R"
out_has "hostonly.varfile:7: proxyHost is given without proxyPort"
check "nothing written (proxyHost alone)" test -z "$(ls -A "$R")"
grep -v '^proxyHost' "$WORK/proxy.varfile" > "$WORK/portonly.varfile"
run 2 -q -varfile "$WORK/portonly.varfile" --root "$R"
out_has "portonly.varfile:7: proxyPort is given without proxyHost"
run 2 -q -varfile "$WORK/chef.varfile" -VproxyHost=proxy.example.com \
    -VproxyPort=99999 --root "$R"
out_has "bad value for 'proxyPort': '99999'"
check "nothing written (bad proxyPort)" test -z "$(ls -A "$R")"

# Against an explicit proxy: the higher source wins; at the same level two
# different proxies are an error, the same one is not.
run 0 -q -varfile "$WORK/proxy.varfile" --set proxy=http://other.example.com:8080 \
    --root "$R" --check
out_has "proxy = http://other.example.com:8080"
out_lacks "proxy.example.com:3128"
printf 'proxy = http://other.example.com:8080\n' > "$WORK/proxy2.txt"
run 2 -q -varfile "$WORK/proxy.varfile" --answers "$WORK/proxy2.txt" --root "$R" --check
out_has "proxyHost and proxyPort mean proxy http://proxy.example.com:3128, but"
out_has "proxy2.txt:1 gives proxy = http://other.example.com:8080: give the proxy once"
printf 'proxy = http://proxy.example.com:3128/\n' > "$WORK/proxy3.txt"
run 0 -q -varfile "$WORK/proxy.varfile" --answers "$WORK/proxy3.txt" --root "$R" --check
# An empty proxyHost is no answer: a proxy given elsewhere stands.
run 0 -q -varfile "$WORK/chef.varfile" --answers "$WORK/proxy2.txt" --root "$R" --check
out_has "proxy = http://other.example.com:8080"
check "nothing written (--check)" test -z "$(ls -A "$R")"

# The product's Puppet module passes a Java system property: accepted,
# noted in the log, no effect. -D without NAME=VALUE is a usage error.
R=$(newroot)
run 0 -q -varfile "$WORK/chef.varfile" -Dinstall4j.suppressUnattendedReboot=true \
    --root "$R" --log "$WORK/puppet.log"
file_has "$WORK/puppet.log" "-Dinstall4j.suppressUnattendedReboot=... (a Java system property of the reference installer) accepted and ignored: engine-setup never reboots the host"
file_lacks "$WORK/puppet.log" "=true"
R=$(newroot)
run 2 -q -varfile "$WORK/chef.varfile" -Dinstall4j.suppressUnattendedReboot --root "$R"
out_has "'-Dinstall4j.suppressUnattendedReboot': expected -DNAME=VALUE"
run 2 -q -varfile "$WORK/chef.varfile" -D --root "$R"
out_has "'-D': expected -DNAME=VALUE"
check "nothing written (-D)" test -z "$(ls -A "$R")"
# -dir is still -dir, not a -D property.
run 0 -q -varfile "$WORK/chef.varfile" -dir /opt/d -Dx=y --root "$R" --check
out_has "install_dir = /opt/d"
finish
