#!/usr/bin/env bash
# Clones get their own identity (issue 12, part 3): install into a --root
# image, copy it twice with a machine id each, run the service's start-up
# command (the unit's ExecStartPre=) in each, and compare the identities;
# status until pair; identity reset by hand; a crash in the middle leaves
# the old identity or the new one, never a mix.
. "$(dirname "$0")/lib.sh"

: "${TEST_CONSOLE:?TEST_CONSOLE must name the test console binary}"
command -v openssl >/dev/null || { echo "openssl not found"; exit 77; }
SECRET=ABCD-1234-EFGH-5678-IJKL-9012-MNOP-3456
on_exit stop_consoles
printf '%s\n' "$SECRET" > "$WORK/secret"
chmod 600 "$WORK/secret"

D=opt/rapid7/nexpose
# The identity of the installation under root $1, one fact a line.
engine_id() { sed -n 's/.*<Engine id="\([^"]*\)".*/\1/p' "$1/$D/nse/conf/nse.xml"; }
record_id() { sed -n 's/^engine_id //p' "$1/$D/.install/record"; }
cert_fp() { openssl x509 -in "$1/$D/nse/conf/nse.crt" -noout -fingerprint -sha256; }
key_fp() { openssl pkey -in "$1/$D/nse/conf/nse.key" -pubout | sha256sum; }
cert_pub_fp() { openssl x509 -in "$1/$D/nse/conf/nse.crt" -noout -pubkey | sha256sum; }
subject() { openssl x509 -in "$1/$D/nse/conf/nse.crt" -noout -subject; }
# One identity, whole: nse.xml's id is the record's, the key is the
# certificate's.
consistent() {
	check "$1: nse.xml's engine id $(engine_id "$1") is the record's $(record_id "$1")" \
	    test "$(engine_id "$1")" = "$(record_id "$1")"
	check "$1: nse.key is the key of nse.crt" \
	    test "$(key_fp "$1")" = "$(cert_pub_fp "$1")"
}
# The start-up command of root $1's service, from its unit as written,
# with nothing replaced but the root: the program under $1, --root $1.
startup() {
	local line
	line=$(sed -n 's/^ExecStartPre=//p' "$1/etc/systemd/system/nexposeengine.service")
	check "the unit has ExecStartPre=" test -n "$line"
	read -r -a cmd <<<"$line"
	OUT=$("$1${cmd[0]}" "${cmd[@]:1}" --root "$1" 2>&1)
	RC=$?
}

# --- The image: paired with a console at install, not started. ---
console ok --secret "$SECRET"
IMG=$(newroot)
{
	engine_answers
	echo "start_service = no"
} | sed 's/^pair_now = no$/pair_now = yes/' > "$WORK/e.txt"
cat >> "$WORK/e.txt" <<EOT
console_address = 127.0.0.1
console_port = $PORT
shared_secret_file = $WORK/secret
EOT
run 0 --silent --answers "$WORK/e.txt" --root "$IMG"
file_has "$IMG/$D/.install/record" "machine image"
file_lacks "$IMG/$D/.install/record" "machine_id_sha256"
file_has "$IMG/$D/nse/conf/consoles.xml" 'connectTo="1"'
file_has "$IMG/etc/systemd/system/nexposeengine.service" \
    "ExecStartPre=/$D/engine-setup identity check"
consistent "$IMG"
run 0 status --root "$IMG"
out_lacks "identity-from-another-machine"

# --- Two copies, each with a machine id of its own. ---
A=$WORK/copy-a
B=$WORK/copy-b
cp -a "$IMG" "$A"
cp -a "$IMG" "$B"
mkdir -p "$A/etc" "$B/etc"
echo 0123456789abcdef0123456789abcdef > "$A/etc/machine-id"
echo fedcba9876543210fedcba9876543210 > "$B/etc/machine-id"
# Not started since the copy: status compares the facts itself.
run 10 status --root "$A"
out_has "identity-from-another-machine"
out_has "the next start makes a new identity; or run engine-setup identity reset --root $A"

for R in "$A" "$B"; do
	startup "$R"
	check "the start-up check in $R exits 0 (got $RC: $OUT)" test "$RC" -eq 0
	out_has "New engine identity: engine id $(engine_id "$R")"
	out_has "1 console paired with this engine knew the old key"
	consistent "$R"
	check "$R: a new engine id" test "$(engine_id "$R")" != "$(engine_id "$IMG")"
	check "$R: a new key" test "$(key_fp "$R")" != "$(key_fp "$IMG")"
	check "$R: a new certificate" test "$(cert_fp "$R")" != "$(cert_fp "$IMG")"
	check "$R: the same subject" test "$(subject "$R")" = "$(subject "$IMG")"
	file_has "$R/$D/.install/record" "identity_previous_engine_id $(engine_id "$IMG")"
	file_has "$R/$D/.install/record" "machine host"
	file_has "$R/$D/.install/record" "machine_id_sha256 "
	file_lacks "$R/$D/.install/record" "$(cat "$R/etc/machine-id")"
	file_has "$R/$D/.install/install.log" "engine-setup identity: new engine id $(engine_id "$R")"
	file_has "$R/$D/nse/logs/engine-setup.log" "engine-setup identity: new engine id $(engine_id "$R")"
	# Everything else kept: consoles.xml but for the mark, nse.xml but
	# for the id, logging.xml.
	check "$R: consoles.xml kept, the reverse pairing marked" diff \
	    <(sed 's/ pairAgain="1"//' "$R/$D/nse/conf/consoles.xml") \
	    "$IMG/$D/nse/conf/consoles.xml"
	file_has "$R/$D/nse/conf/consoles.xml" 'pairAgain="1"'
	check "$R: nse.xml kept but for the id" diff \
	    <(sed "s/$(engine_id "$R")/ID/" "$R/$D/nse/conf/nse.xml") \
	    <(sed "s/$(engine_id "$IMG")/ID/" "$IMG/$D/nse/conf/nse.xml")
	check "$R: logging.xml kept" cmp "$R/$D/nse/conf/logging.xml" \
	    "$IMG/$D/nse/conf/logging.xml"
	# A second start changes nothing, and says nothing.
	tree "$R" > "$WORK/before"
	startup "$R"
	check "a second check exits 0 (got $RC)" test "$RC" -eq 0
	check "a second check says nothing (said: $OUT)" test -z "$OUT"
	tree "$R" > "$WORK/after"
	check "a second check in $R changes nothing" cmp "$WORK/before" "$WORK/after"
	run 10 status --root "$R"
	out_has "Problem:      This engine has a new identity since"
	out_has "(made anew on another machine, a clone or an image, or by identity reset): the consoles it was paired with knew the old one; pair it again"
	out_has "[identity-from-another-machine]"
	out_has "pair it again: engine-setup pair --console HOST[:PORT] --root $R"
done
check "the copies differ in engine id" test "$(engine_id "$A")" != "$(engine_id "$B")"
check "the copies differ in key" test "$(key_fp "$A")" != "$(key_fp "$B")"
check "the copies differ in certificate" test "$(cert_fp "$A")" != "$(cert_fp "$B")"
# Uninstall takes engine-setup's own change for its own: no file kept
# as changed; the engine's log folder stays, as logs do.
cp -a "$B" "$WORK/copy-u"
run 0 uninstall --silent --root "$WORK/copy-u"
out_lacks "changed after the install"
missing "$WORK/copy-u/$D/nse/conf"
exists "$WORK/copy-u/$D/nse/logs/engine-setup.log"

# --- pair clears the problem. ---
run 0 pair --console "127.0.0.1:$PORT" --secret-file "$WORK/secret" --root "$A"
file_lacks "$A/$D/nse/conf/consoles.xml" 'pairAgain'
file_lacks "$A/$D/.install/record" "identity_renewed_at"
run 0 status --root "$A"
out_lacks "identity-from-another-machine"
startup "$A"
check "after pair the check does nothing" test -z "$OUT"

# --- identity reset by hand does the same. ---
OLD=$(engine_id "$A")
run 0 identity reset --root "$A"
out_has "New engine identity: engine id $(engine_id "$A") (was $OLD)"
out_has "Restart the nexposeengine service"
consistent "$A"
check "reset: a new engine id" test "$(engine_id "$A")" != "$OLD"
file_has "$A/$D/nse/conf/consoles.xml" 'pairAgain="1"'
run 10 status --root "$A"
out_has "identity-from-another-machine"
run 2 identity --root "$A"
out_has "usage: engine-setup identity check|reset"
run 2 identity reset extra --root "$A"
# An option of another command is refused, a dry run above all: nothing
# changes (identity reset has no --check).
before=$(snapshot "$A")
for opt in --check --overwrite --test --restart "--set engine_name=x"; do
	run 2 identity reset $opt --root "$A"
	out_has "identity takes --root, --wait-lock, --log and --silent only"
done
check "refused options changed nothing" test "$before" = "$(snapshot "$A")"
run 0 identity --help
out_has "the command the service runs before every start"

# --- A crash in the middle: the old identity or the new, never a mix. ---
for f in nse/conf/nse.key nse/conf/nse.crt nse/conf/nse.xml nse/conf/consoles.xml; do
	C=$WORK/crash
	rm -rf "$C"
	cp -a "$IMG" "$C"
	mkdir -p "$C/etc"
	echo 00000000000000000000000000000abc > "$C/etc/machine-id"
	{ ES_TEST_FAULT="$f:kill" "$C/$D/engine-setup" identity check \
	    --root "$C" >/dev/null 2>&1; } 2>/dev/null
	check "the check was killed after writing $f" test $? -ne 0
	run 10 status --root "$C"
	out_has "an engine-setup identity check (process"
	out_has "was cut short; the next install, uninstall, pair, consoles or identity command"
	# The next start finishes the cut run (back to the image's
	# identity), then makes the new one.
	startup "$C"
	check "the start after the crash at $f exits 0 (got $RC: $OUT)" test "$RC" -eq 0
	consistent "$C"
	check "after the crash at $f: a new identity" test "$(engine_id "$C")" != "$(engine_id "$IMG")"
	file_has "$C/$D/.install/record" "identity_previous_engine_id $(engine_id "$IMG")"
	# A reset cut short by hand: the old identity stays whole.
	OLD=$(engine_id "$C")
	{ ES_TEST_FAULT="$f:kill" "$ES_BIN" identity reset --root "$C" \
	    >/dev/null 2>&1; } 2>/dev/null
	check "the reset was killed after writing $f" test $? -ne 0
	# Described as what it was: an identity reset, not an install.
	run 10 status --root "$C"
	out_has "an engine-setup identity reset (process"
	out_has "[interrupted-run]"
	startup "$C"
	consistent "$C"
	check "after a reset cut at $f: the identity before it" test "$(engine_id "$C")" = "$OLD"
done

finish
