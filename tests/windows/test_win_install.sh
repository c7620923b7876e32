#!/usr/bin/env bash
# Issue 11: a silent install of each component on Windows (under wine):
# the files under Program Files, the services that the Service Control
# Manager really starts and stops, the Add/Remove Programs entry with its
# values, `status`, a re-run with the same answers that changes nothing,
# and `uninstall --silent` through the entry's QuietUninstallString, after
# which the files, the services and the registry entries are gone. Issue
# 12, §6: status and consoles list run from the kept engine-setup.exe, which
# holds no payload; the uninstall says what it removed, and with --purge
# (the console's run) leaves no install folder.
. "$(dirname "$0")/lib_wine.sh"
wine_prefix

# install_check COMPONENT ANSWERS SERVICES...: PURGE=1 uninstalls with
# --purge.
install_check() {
	local comp=$1 answers=$2 s before after quiet kept what log
	shift 2
	# Issue 12 §2: the sample service (tools/sample-service) writes its
	# ready line and listens; install --wait-ready waits for both. (Also
	# what makes the re-run below find the log complete.)
	what="Scan Engine" log=nse/logs/nse.log
	if [ "$comp" = console ]; then
		what="Security Console" log=nsc/logs/nsc.log
	fi
	run 0 --silent --answers "$(winpath "$answers")" --wait-ready=60 ||
	    return
	out_has "Installed Nexpose 7.3.1 in C:/Program Files/Rapid7/Nexpose."
	out_has "Waiting for the $what to be ready: 0 s of 60 s ..."
	out_has "The $what is ready."
	file_has "$INSTALL/$log" "$what initialization completed"
	exists "$INSTALL/.install/record"
	exists "$INSTALL/nse/nseserv.exe"
	exists "$INSTALL/nse/conf/consoles.xml"
	for s in "$@"; do
		check "$s is registered with the SCM" reg_has "$SVC_KEY\\$s"
		# ImagePath quoted: Program Files has a space.
		check "$s's ImagePath is quoted" \
		    bash -c '[[ "$1" == \"*\" ]]' _ "$(reg_value "$SVC_KEY\\$s" ImagePath)"
		check "$s starts automatically (Start = 2)" \
		    test "$(reg_value "$SVC_KEY\\$s" Start)" = 0x2
		check "$s is running" wait_state "$s" RUNNING
	done
	if [ "$comp" = engine ]; then
		# Issue 13: the engine's port speaks TLS with the engine's own
		# certificate (a handshake only: nothing is logged or changed).
		check "the engine answers TLS on 40814 with its certificate" \
		    test "$(openssl s_client -connect 127.0.0.1:40814 </dev/null 2>/dev/null |
		    openssl x509 -noout -fingerprint -sha256 2>/dev/null)" = \
		    "$(openssl x509 -in "$INSTALL/nse/conf/nse.crt" -noout -fingerprint -sha256)"
	fi

	# The Add/Remove Programs entry.
	local k="$ARP_KEY\\Nexpose"
	check "the Add/Remove Programs entry exists" reg_has "$k"
	local name
	name=$(reg_value "$k" DisplayName)
	check "DisplayName '$name' names the product, no trailing space" \
	    bash -c '[[ "$1" == Nexpose* && "$1" != *" " ]]' _ "$name"
	check "DisplayVersion is the payload's" \
	    test "$(reg_value "$k" DisplayVersion)" = 7.3.1
	check "Publisher is set" test -n "$(reg_value "$k" Publisher)"
	check "InstallLocation names the install folder" \
	    test "$(reg_value "$k" InstallLocation)" = 'C:\Program Files\Rapid7\Nexpose'
	check "NoModify is 1" test "$(reg_value "$k" NoModify)" = 0x1
	check "NoRepair is 1" test "$(reg_value "$k" NoRepair)" = 0x1
	check "EstimatedSize is set" test -n "$(reg_value "$k" EstimatedSize)"
	quiet=$(reg_value "$k" QuietUninstallString)
	check "QuietUninstallString runs the kept uninstaller silently" \
	    bash -c '[[ "$1" == \"C:\\Program\ Files\\Rapid7\\Nexpose\\*.exe\"* && "$1" == *uninstall* ]]' _ "$quiet"
	check "UninstallString is set" test -n "$(reg_value "$k" UninstallString)"

	run 0 status
	out_has "Install dir:  C:/Program Files/Rapid7/Nexpose"
	out_has "Ready:        yes (the $what is ready)"
	# Running services, nothing to attend to: exit 0, and the JSON says
	# the same (docs/status.md).
	TESTS_RUN=$((TESTS_RUN + 1))
	OUT=$(wine "$ES_WIN_EXE" status --json 2>/dev/null | tr -d '\r')
	python3 -c '
import json, sys
o = json.loads(sys.argv[1])
assert o["installed"] is True and o["problems"] == [], o
assert o["service"]["state"] == "active" and o["service"]["enabled"] is True, o
assert o["engine"]["fingerprint"].startswith("sha256:"), o
assert o["ready"] is True, o
' "$OUT" || fail "status --json of a running installation: $OUT"
	run 0 status --wait-ready=30
	out_has "Ready:        yes (the $what is ready)"

	# The same answers again: exit 0, nothing changed.
	before=$(wtree "$INSTALL")
	run 0 --silent --answers "$(winpath "$answers")"
	after=$(wtree "$INSTALL")
	check "a re-run with the same answers changes no file" \
	    test "$before" = "$after"

	# engine-setup stops and starts what it installed (sc stop works too).
	for s in "$@"; do
		wine sc stop "$s" >/dev/null 2>&1
		check "$s stops" wait_state "$s" STOPPED
		wine sc start "$s" >/dev/null 2>&1
		check "$s starts again" wait_state "$s" RUNNING
	done

	# The commands after install, from the kept copy (ES_WIN_EXE is what
	# lib_wine.sh's ES_BIN runs).
	kept="$INSTALL/engine-setup.exe"
	ES_WIN_EXE=$kept run 0 status
	out_has "Install dir:  C:/Program Files/Rapid7/Nexpose"
	ES_WIN_EXE=$kept run 0 consoles list
	ES_WIN_EXE=$kept run 2 --payload-info
	out_has "This copy holds no payload"

	# Uninstall as Add/Remove Programs would, quietly.
	# "C:\...\engine-setup.exe" ARGS: the program, as Windows would
	# start it, and its arguments (none of which has a space).
	local exe=${quiet#\"}
	exe=${exe%%\"*}
	local args=${quiet#\""$exe"\"}
	TESTS_RUN=$((TESTS_RUN + 1))
	[ -n "${PURGE:-}" ] && args="$args --purge"
	# shellcheck disable=SC2086
	OUT=$(wine "$exe" $args 2>&1)
	RC=$?
	OUT=${OUT//$'\r'/}
	check "the QuietUninstallString's uninstall exits 0 ($OUT)" test "$RC" -eq 0
	out_has "folders under C:/Program Files/Rapid7/Nexpose"
	for s in "$@"; do
		out_has ", the service $s"
	done
	out_has ", its entry in the list of installed programs, the install record"
	for s in "$@"; do
		check "$s is gone from the SCM" test "$(service_state "$s")" = none
		check "$s's registry key is gone" lacks_key "$SVC_KEY\\$s"
	done
	check "the Add/Remove Programs entry is gone" lacks_key "$k"
	if [ -n "${PURGE:-}" ]; then
		out_has "Uninstalled. Nothing of the installation is left."
		missing "$INSTALL"
	else
		# Only the logs stay, as on Linux (docs/install-record.md): the
		# installer's and, since the sample service is the C program
		# that writes one, the service's own.
		check "only the logs are left in the install folder" test \
		    "$(cd "$INSTALL" && find . -type f | sort | tr '\n' ' ')" = \
		    "./.install/install.log ./.install/uninstall.log ./$log "
		missing "$INSTALL/nse/nseserv.exe"
		missing "$INSTALL/nse/conf"
		missing "$INSTALL/engine-setup.exe"
	fi
	run 9 status
	out_has "Not installed"
	# An install refuses a folder holding files other than its own logs
	# (.install/*.log): the service's log goes, as an administrator
	# would remove it, before the next component installs there.
	rm -rf "${INSTALL:?}"
}

engine_answers console-to-engine > "$WORK/engine.txt"
echo "start_service = yes" >> "$WORK/engine.txt"
install_check engine "$WORK/engine.txt" nexposeengine

console_answers
sed -i 's/^start_service = no/start_service = yes/' "$WORK/console.txt"
sed -i "/^console_admin_password_file/d" "$WORK/console.txt"
echo "console_admin_password_file = $(winpath "$WORK/pw")" >> "$WORK/console.txt"
PURGE=1 install_check console "$WORK/console.txt" nexposeconsole

finish
