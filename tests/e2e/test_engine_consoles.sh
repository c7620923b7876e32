#!/usr/bin/env bash
# engine-setup and the running sample engine both change consoles.xml
# (docs/pairing.md, docs/journal.md): a `consoles enable|disable` or a
# `pair` killed (kill -9) after it wrote the file is undone by the next
# run only while the file is still what that run wrote; once the engine
# has added a console after it, the file is kept as it is (the console
# is not lost, and its id not given again), and the next run says so.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/engine_lib.sh"
need_tools openssl curl
on_exit stop_consoles

R=$(newroot)
engine_install "$R"
STATE=$R/var/lib/engine-setup
cat > "$X" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<Consoles>
  <console id="1" enabled="1" connectTo="0" name="A" lastAddress="192.0.2.1" port="40814" consoleId="a-1"/>
  <console id="2" enabled="1" connectTo="0" name="B" lastAddress="192.0.2.2" port="40814" consoleId="b-2"/>
</Consoles>
EOF
chmod 640 "$X"
cp "$X" "$WORK/consoles.orig"
engine_console_cert "$WORK/cc.pem" "$WORK/ck.pem" console
start_engine
B='{"protocol":1,"console_id":"c","console_name":"n","console_version":"7.3.1"}'

# ---- Killed after it wrote consoles.xml, and nobody changed it since:
# undone as before.
ES_TEST_FAULT=nse/conf/consoles.xml:kill run 137 consoles disable 2 --root "$R"
file_has "$X" 'id="2" enabled="0"'
exists "$STATE/journal"
run 0 consoles enable 1 --root "$R"
out_has "was cut short: everything it changed has now been undone."
check "consoles.xml is as it was before the killed run" cmp -s "$X" "$WORK/consoles.orig"
missing "$STATE/journal"

# ---- The brief's case: killed, then the engine adds a console (id 3).
ES_TEST_FAULT=nse/conf/consoles.xml:kill run 137 consoles disable 2 --root "$R"
refresh "$B"
answer_is 403 pending-authorization
log_has "[INFO] Refresh from console c at 127.0.0.1: pending-authorization (added to consoles.xml as console 3)"
cp "$X" "$WORK/consoles.engine"
run 0 consoles enable 3 --root "$R"
out_has "was cut short: what it changed has now been undone, except $X, which was changed after that run wrote it (the Scan Engine adds the consoles that contact it there), so it is kept as it is now, with that run's change in it. 'engine-setup consoles list --root $R' shows the consoles; enable or disable one again if that change was not wanted."
out_has "Enabled console 3 (n, 127.0.0.1)."
file_has "$X" 'id="2" enabled="0"'
file_has "$X" 'id="3" enabled="1" connectTo="0" name="n"'
missing "$STATE/journal"
# The next console the engine adds gets the next id: none is given twice.
engine_console_cert "$WORK/cd.pem" "$WORK/cd-key.pem" console-d
refresh "${B/\"c\"/\"d\"}" --cert "$WORK/cd.pem" --key "$WORK/cd-key.pem"
answer_is 403 pending-authorization
log_has "[INFO] Refresh from console d at 127.0.0.1: pending-authorization (added to consoles.xml as console 4)"
run 0 consoles list --root "$R"
check "four consoles, each id once" test "$(cut -f1 <<<"$OUT" | sort -u | tr '\n' ' ')" = "1 2 3 4 "

# ---- An interrupted pair: the same.
cp "$X" "$WORK/consoles.before-pair"
SECRET=ABCD-1234-EFGH-5678-IJKL-9012-MNOP-3456
printf '%s\n' "$SECRET" > "$WORK/secret"
chmod 600 "$WORK/secret"
console pairing --secret "$SECRET"
ES_TEST_FAULT=nse/conf/consoles.xml:kill run 137 pair --console "127.0.0.1:$PORT" \
    --secret-file "$WORK/secret" --root "$R"
file_has "$X" 'id="5" enabled="1" connectTo="1"'
engine_console_cert "$WORK/ce.pem" "$WORK/ce-key.pem" console-e
refresh "${B/\"c\"/\"e\"}" --cert "$WORK/ce.pem" --key "$WORK/ce-key.pem"
answer_is 403 pending-authorization
log_has "[INFO] Refresh from console e at 127.0.0.1: pending-authorization (added to consoles.xml as console 6)"
run 0 consoles enable 6 --root "$R"
out_has "An earlier engine-setup pair (process"
out_has "which was changed after that run wrote it"
file_has "$X" 'id="6" enabled="1" connectTo="0" name="n"'
file_has "$X" 'id="5" enabled="1" connectTo="1"'
# Killed again, nothing added since: the pairing is undone.
cp "$X" "$WORK/consoles.before-pair2"
ES_TEST_FAULT=nse/conf/consoles.xml:kill run 137 pair --console "127.0.0.1:$PORT" \
    --secret-file "$WORK/secret" --root "$R"
run 0 consoles enable 1 --root "$R"
out_has "everything it changed has now been undone."
check "consoles.xml is as it was before the second killed pair" \
    cmp -s "$X" "$WORK/consoles.before-pair2"

# newconsole NAME: a console NAME, with a key of its own, Refreshes.
newconsole() {
	engine_console_cert "$WORK/$1.pem" "$WORK/$1-key.pem" "$1"
	refresh "${B/\"c\"/\"$1\"}" --cert "$WORK/$1.pem" --key "$WORK/$1-key.pem"
}

# ---- A temporary file a dead engine with the same process id left (pid 1
# in a container, every time): removed under the lock, logged, and the
# console added. A link of that name is removed itself, never followed; a
# folder there is a 500 whose log line says why.
T=$X.tmp-$EPID
echo 'half a consoles.xml' > "$T"
newconsole f
answer_is 403 pending-authorization
missing "$T"
log_has "[WARN] Scan Engine removed $T, a temporary file an engine with the same process id left when it stopped while writing consoles.xml"
log_has "[INFO] Refresh from console f at 127.0.0.1: pending-authorization (added to consoles.xml as console 7)"
echo keep > "$WORK/target"
ln -s "$WORK/target" "$T"
newconsole g
answer_is 403 pending-authorization
missing "$T"
check "the link's target is untouched" test "$(cat "$WORK/target")" = keep
file_has "$X" 'consoleId="g"'
mkdir "$T"
cp "$X" "$WORK/consoles.before-dir"
newconsole h
check "a folder in the temporary file's place: 500 (got $CODE)" test "$CODE" = 500
log_has "[WARN] Scan Engine cannot add console h at 127.0.0.1 to consoles.xml (cannot remove $T, a temporary file an earlier engine left: Is a directory): it stays unknown to the engine"
check "consoles.xml unchanged" cmp -s "$X" "$WORK/consoles.before-dir"
rmdir "$T"

# ---- consoles.xml.lock that is a folder or a link: engine-setup says what
# to do (exit 6), the engine answers 500 with the reason (not "busy: try
# again", which never helps) and logs it.
L=$X.lock
rm -f "$L"
mkdir "$L"
run 6 consoles disable 1 --root "$R"
out_has "engine-setup: $L is a folder, not the lock file that engine-setup and the Scan Engine take around a change of consoles.xml, so it cannot be locked, and trying again does not help. Nothing was changed. Remove it, with what is in it once you have looked at that, then run the command again: the lock is made anew as a file."
newconsole i
check "a folder in the lock's place: 500 (got $CODE)" test "$CODE" = 500
file_has "$WORK/answer" "consoles.xml.lock is not a file it can lock): the engine's administrator must remove it; trying again does not help"
log_has "[WARN] Scan Engine cannot open $L (Is a directory): refresh from console i at 127.0.0.1 not answered. Remove it (it must be a file, which the engine makes again), then the console can Refresh"
rmdir "$L"
ln -s "$WORK/elsewhere" "$L"
run 6 consoles disable 1 --root "$R"
out_has "engine-setup: $L is a symbolic link, not the lock file"
out_has "Remove it, the link itself and not what it leads to, then run the command again"
newconsole i
check "a link in the lock's place: 500 (got $CODE)" test "$CODE" = 500
log_has "[WARN] Scan Engine cannot open $L (Too many levels of symbolic links): refresh from console i at 127.0.0.1 not answered. Remove it (it must be a file, which the engine makes again), then the console can Refresh"
missing "$WORK/elsewhere"
rm "$L"
run 0 consoles disable 1 --root "$R"

# ---- Refresh bodies cJSON would take but the engine must not: a key twice
# (cJSON keeps the first), data after the object, a NUL in a string (it
# would cut the name), fields over 256 bytes (stored whole in consoles.xml).
engine_console_cert "$WORK/j.pem" "$WORK/j-key.pem" console-j
# body_refused BODY REASON: 400, the log's reason, consoles.xml unchanged.
body_refused() {
	cp "$X" "$WORK/consoles.before-body"
	refresh "$1" --cert "$WORK/j.pem" --key "$WORK/j-key.pem"
	check "400 for $2 (got $CODE)" test "$CODE" = 400
	file_has "$WORK/answer" "\"error\":\"$2\""
	log_has "[INFO] Refresh from console - at 127.0.0.1: bad request ($2)"
	check "consoles.xml unchanged after $2" cmp -s "$X" "$WORK/consoles.before-body"
}
body_refused '{"protocol":1,"console_id":"j","console_id":"k","console_name":"n","console_version":"7.3.1"}' \
    "a key appears more than once"
body_refused '{"protocol":1,"console_id":"j","console_name":"n","console_version":"7.3.1"} {"x":1}' \
    "data follows the JSON object"
body_refused '{"protocol":1,"console_id":"j","console_name":"n","console_version":"7.3.1"}x' \
    "data follows the JSON object"
body_refused '{"protocol":1,"console_id":"j","console_name":"ab\u0000cd","console_version":"7.3.1"}' \
    "a string holds a NUL character"
long=$(head -c 257 /dev/zero | tr '\0' n)
cp "$X" "$WORK/consoles.before-body"
refresh "{\"protocol\":1,\"console_id\":\"j\",\"console_name\":\"$long\",\"console_version\":\"7.3.1\"}" \
    --cert "$WORK/j.pem" --key "$WORK/j-key.pem"
check "a console_name of 257 bytes: 400 (got $CODE)" test "$CODE" = 400
log_has "[INFO] Refresh from console j at 127.0.0.1: bad request (console_name is longer than 256 bytes)"
big=$(head -c 60000 /dev/zero | tr '\0' n)
refresh "{\"protocol\":1,\"console_id\":\"j\",\"console_name\":\"$big\",\"console_version\":\"7.3.1\"}" \
    --cert "$WORK/j.pem" --key "$WORK/j-key.pem"
check "a console_name of 60 KB: 400 (got $CODE)" test "$CODE" = 400
check "consoles.xml unchanged after long names" cmp -s "$X" "$WORK/consoles.before-body"
# 256 bytes of quotes (escaped to 1536) and a backslash escape that is not
# a NUL: taken, stored whole; white space after the object is fine.
name=$(head -c 255 /dev/zero | tr '\0' '"')
refresh "{\"protocol\":1,\"console_id\":\"j\",\"console_name\":\"$(sed 's/"/\\"/g' <<<"$name")\\\\\",\"console_version\":\"7.3.1\"}
 " --cert "$WORK/j.pem" --key "$WORK/j-key.pem"
answer_is 403 pending-authorization
check "the 256-byte name is stored whole" python3 -c '
import sys, xml.etree.ElementTree as ET
c = [e for e in ET.parse(sys.argv[1]).getroot() if e.get("consoleId") == "j"]
sys.exit(0 if len(c) == 1 and c[0].get("name") == "\"" * 255 + "\\" else 1)' "$X"
stop_engine

# ---- uninstall --purge removes such a temporary file (the engine's own,
# as the lock is) and does not ask to remove it by hand.
echo 'half a consoles.xml' > "$X.tmp-4242"
run 6 uninstall --silent --purge --root "$R"
out_has "kept /opt/rapid7/nexpose/nse/conf/consoles.xml: its content changed after the install"
out_has "1 path that is not a log stays"
out_lacks "tmp-4242"
missing "$X.tmp-4242"
finish
