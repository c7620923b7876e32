#!/usr/bin/env bash
# Issue 12, part 3 on Windows (under wine): the engine's service depends on
# the one-shot service NAME-identity ("engine-setup.exe identity check
# --service"); a changed MachineGuid gives the engine a new id, key and
# certificate at the next start, and the start after that changes nothing.
#
# Wine 8's Service Control Manager does not start a service's dependencies
# (programs/services/rpc.c: svcctl_StartServiceW calls service_start() for
# the service alone), which Windows does ("Service Startup" in the Windows
# docs). So this test checks that the dependency is registered, then starts
# the two in the order the SCM would: the identity service, then the
# engine's. engine-setup's own starts (install, consoles --restart) start
# the identity service first themselves.
. "$(dirname "$0")/lib_wine.sh"
wine_prefix

CRYPTO='HKLM\SOFTWARE\Microsoft\Cryptography'
S=nexposeengine
C=$S-identity
engine_id() { sed -n 's/.*<Engine id="\([^"]*\)".*/\1/p' "$INSTALL/nse/conf/nse.xml"; }
# start_like_scm: what Windows' SCM does for `sc start nexposeengine`.
start_like_scm() {
	wine sc start "$C" >/dev/null 2>&1
	check "$C ran and stopped" wait_state "$C" STOPPED
	wine sc start "$S" >/dev/null 2>&1
	check "$S is running" wait_state "$S" RUNNING
}

engine_answers console-to-engine > "$WORK/engine.txt"
run 0 --silent --answers "$(winpath "$WORK/engine.txt")"
check "$C is registered with the SCM" reg_has "$SVC_KEY\\$C"
check "$C starts on demand (Start = 3)" \
    test "$(reg_value "$SVC_KEY\\$C" Start)" = 0x3
check "$C runs the kept program's identity check" bash -c \
    '[[ "$1" == \"C:\\Program\ Files\\Rapid7\\Nexpose\\engine-setup.exe\"" identity check --service" ]]' \
    _ "$(reg_value "$SVC_KEY\\$C" ImagePath)"
# REG_MULTI_SZ: `reg query` joins the strings with "\0". Debian's wine 8
# keeps no DependOnService for CreateServiceW's lpDependencies (seen: the
# key has every other value), and its QueryServiceConfigW gives no
# dependencies ("TODO" in programs/services/rpc.c): the dependency itself
# is checked only where the registry holds it (Windows).
DEP=$(reg_value "$SVC_KEY\\$S" DependOnService)
if [ -n "$DEP" ]; then
	check "$S depends on $C (DependOnService: $DEP)" \
	    bash -c '[[ "$1" == "$2" || "$1" == "$2\\0"* ]]' _ "$DEP" "$C"
else
	echo "note: wine kept no DependOnService for $S: not checked here"
fi
check "$S is running" wait_state "$S" RUNNING
file_has "$INSTALL/.install/record" "machine host"
file_has "$INSTALL/.install/record" "machine_id_sha256 "
OLD=$(engine_id)
check "an engine id" test -n "$OLD"
GUID=$(reg_value "$CRYPTO" MachineGuid)
check "the prefix has a MachineGuid" test -n "$GUID"
file_lacks "$INSTALL/.install/record" "$GUID"
run 0 status

# A clone: another MachineGuid, then the service's next start.
wine sc stop "$S" >/dev/null 2>&1
check "$S stops" wait_state "$S" STOPPED
wine reg add "$CRYPTO" /v MachineGuid /t REG_SZ \
    /d 6c1e3f2b-4d8a-4f0e-9b7a-0a3b2c5d8e1f /f >/dev/null 2>&1
run 10 status
out_has "identity-from-another-machine"
out_has "the next start makes a new identity"
KEY_BEFORE=$(sha256sum < "$INSTALL/nse/conf/nse.key")
start_like_scm
NEW=$(engine_id)
check "a new engine id ($NEW, was $OLD)" test -n "$NEW" -a "$NEW" != "$OLD"
check "a new key" test "$(sha256sum < "$INSTALL/nse/conf/nse.key")" != "$KEY_BEFORE"
file_has "$INSTALL/.install/record" "engine_id $NEW"
file_has "$INSTALL/.install/record" "identity_previous_engine_id $OLD"
file_has "$INSTALL/nse/logs/engine-setup.log" "new engine id $NEW (was $OLD)"
run 0 status
out_lacks "identity-from-another-machine"

# The same machine: the next start changes nothing.
wine sc stop "$S" >/dev/null 2>&1
check "$S stops" wait_state "$S" STOPPED
BEFORE=$(wtree "$INSTALL/nse/conf")
start_like_scm
check "a start on the same machine changes no identity file" \
    test "$(wtree "$INSTALL/nse/conf")" = "$BEFORE"

# By hand, and gone with the uninstall.
run 0 identity reset
out_has "New engine identity: engine id $(engine_id) (was $NEW)"
run 0 uninstall --silent
check "$C is gone from the SCM" test "$(service_state "$C")" = none
check "$S is gone from the SCM" test "$(service_state "$S")" = none

finish
