#!/usr/bin/env bash
# Issue 11: a failure injected after the services are registered (and the
# Add/Remove Programs entry written) is undone: no service, no registry
# entry, no files are left, and the exit code says it was rolled back.
. "$(dirname "$0")/lib_wine.sh"
wine_prefix

console_answers
sed -i "/^console_admin_password_file/d" "$WORK/console.txt"
echo "console_admin_password_file = $(winpath "$WORK/pw")" >> "$WORK/console.txt"
before=$(wtree "$PF")
for step in "Writing the install record" "Moving into place" \
    "Recording the installation"; do
	export ES_TEST_FAULT="$step:fail"
	run 6 --silent --answers "$(winpath "$WORK/console.txt")"
	unset ES_TEST_FAULT
	out_has "injected failure"
	for s in nexposeconsole nexposeengine; do
		check "after '$step': $s is not registered" \
		    test "$(service_state "$s")" = none
		check "after '$step': $s has no registry key" \
		    lacks_key "$SVC_KEY\\$s"
	done
	check "after '$step': no Add/Remove Programs entry" \
	    lacks_key "$ARP_KEY\\Nexpose"
	missing "$INSTALL"
	check "after '$step': Program Files is as before" \
	    test "$(wtree "$PF")" = "$before"
	check "after '$step': no install pointer" \
	    test ! -e "$DRIVE_C/ProgramData/engine-setup/installation"
done

finish
