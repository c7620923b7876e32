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

P=$(free_port)
R=$(newroot)
engine_answers console-to-engine > "$WORK/e.txt"
echo "engine_port = $P" >> "$WORK/e.txt"
run 0 --silent --answers "$WORK/e.txt" --root "$R"
N=$R/opt/rapid7/nexpose/nse
X=$N/conf/consoles.xml
LOG=$N/logs/nse.log
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
stop_engine
finish
