#!/usr/bin/env bash
# Issue 13, part 1: the sample engine alone speaks engine-protocol.md
# (docs/payload.md, "The sample service program"). An engine installed
# Console-to-Engine under --root on a free port is started directly
# ($R/opt/rapid7/nexpose/nse/nseserv); curl with a client certificate made
# here plays the console's Refresh: the first one adds the console to
# consoles.xml (the rest of the file byte for byte, its mode kept) and is
# pending-authorization, `engine-setup consoles enable` counts only after a
# restart, then active; other versions, bad requests, no certificate, a
# silent client. Then Engine-to-Console: consoles.xml entries with
# connectTo="1" at a small loopback TLS console (python3's ssl module), one
# with its right spki and one with a wrong one, and TERM while a check-in
# waits for a console that never answers.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/engine_lib.sh"

need_tools openssl curl python3

R=$(newroot)
engine_install "$R"
ENGINE_ID=$(sed -n 's/.*<Engine id="\([^"]*\)".*/\1/p' "$N/conf/nse.xml")
check "nse.xml names the engine id" test -n "$ENGINE_ID"

# consoles.xml as someone else left it: a comment, odd spacing, another
# console (id 4); the engine must keep all of it byte for byte.
cat > "$X" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<!-- kept as it is -->
<Consoles   note='x'>
  <console id="4" enabled="0" connectTo="0" name="old &amp; other" lastAddress="10.0.0.9" port="40814" consoleId="old-1" spki="sha256:0000000000000000000000000000000000000000000000000000000000000000">
    <cert>none</cert>
  </console>
	<!-- a tab before this comment -->
</Consoles>
EOF
chmod 604 "$X"
cp "$X" "$WORK/consoles.orig"

on_exit '[ -n "${SPIDS:-}" ] && kill $SPIDS 2>/dev/null'

# The console's certificate and key (its identity) and their spki.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$WORK/ck.pem" -out "$WORK/cc.pem" -days 2 -subj /CN=console \
    2>/dev/null
SPKI=$(spki_of "$WORK/cc.pem")

B='{"protocol": 1, "console_id": "c-1", "console_name": "Main <console> & \"co\"", "console_version": "7.3.9"}'

# ---- Console-to-Engine.
start_engine
refresh "$B"
answer_is 403 pending-authorization
check "the answer names the engine" grep -qF "\"engine_id\":\"$ENGINE_ID\",\"engine_version\":\"7.3.1\"" "$WORK/answer"
log_has "[INFO] Refresh from console c-1 at 127.0.0.1: pending-authorization (added to consoles.xml as console 5)"
EL="  <console id=\"5\" enabled=\"0\" connectTo=\"0\" name=\"Main &lt;console&gt; &amp; &quot;co&quot;\" lastAddress=\"127.0.0.1\" port=\"$P\" consoleId=\"c-1\" spki=\"sha256:$SPKI\">"
file_has "$X" "$EL"
check "the entry holds the console's certificate in <cert>" python3 - "$X" "$WORK/cc.pem" <<'EOF'
import sys, xml.etree.ElementTree as ET
pem = open(sys.argv[2]).read().strip()
c = [e for e in ET.parse(sys.argv[1]).getroot() if e.get('id') == '5']
sys.exit(0 if len(c) == 1 and c[0].find('cert').text.strip() == pem else 1)
EOF
check "everything else in consoles.xml stays byte for byte" python3 - "$X" "$WORK/consoles.orig" <<'EOF'
import sys
new, old = open(sys.argv[1], 'rb').read(), open(sys.argv[2], 'rb').read()
a = new.index(b'  <console id="5"')
b = new.index(b'</console>\n', a) + len(b'</console>\n')
end = old.index(b'</Consoles>')
sys.exit(0 if new[:a] + new[b:] == old and a == end else 1)
EOF
mode_is "$X" 604
check "no temporary file is left beside consoles.xml" \
    test "$(ls "$N/conf" | grep -v '^consoles\.xml\.lock$' | grep -c consoles)" -eq 1
cp "$X" "$WORK/consoles.added"

refresh "$B"
answer_is 403 pending-authorization
log_has "[INFO] Refresh from console c-1 at 127.0.0.1: pending-authorization"
check "a known console is not added again" cmp -s "$X" "$WORK/consoles.added"

# Enabled while the engine runs: it takes effect at the next start.
run 0 consoles enable 127.0.0.1 --root "$R"
file_has "$X" '<console id="5" enabled="1"'
refresh "$B"
answer_is 403 pending-authorization
stop_engine
file_has "$LOG" "[INFO] Scan Engine stopped"
start_engine
refresh "$B"
answer_is 200 active
check "the active answer names the engine" grep -qF "{\"state\":\"active\",\"engine_id\":\"$ENGINE_ID\",\"engine_name\":\"scanner-01\",\"engine_version\":\"7.3.1\"}" "$WORK/answer"
log_has "[INFO] Refresh from console c-1 at 127.0.0.1: active"

refresh "${B/7.3.9/7.4.0}"
answer_is 409 incompatible
check "the incompatible answer names the engine's version" grep -qF '"engine_version":"7.3.1"' "$WORK/answer"
log_has "[INFO] Refresh from console c-1 at 127.0.0.1: incompatible (console 7.4.0)"
refresh "${B/7.3.9/6.3.9}"
answer_is 409 incompatible

# Over IPv6 (the listener takes both): the peer as ::1.
if python3 -c 'import socket, sys; socket.create_connection(("::1", int(sys.argv[1])), 5).close()' "$P" 2>/dev/null; then
	CODE=$(curl -sk --max-time 20 --cert "$WORK/cc.pem" --key "$WORK/ck.pem" \
	    -o "$WORK/answer" -w '%{http_code}' --data-binary "$B" \
	    "https://[::1]:$P/engine/v1/refresh")
	check "a refresh over IPv6: 200 (got $CODE)" test "$CODE" = 200
	log_has "[INFO] Refresh from console c-1 at ::1: active"
fi

# What comes from outside cannot break or forge a log line.
refresh '{"protocol": 1, "console_id": "c 1\n2026-11-30T00:00:00Z [INFO] forged éx", "console_name": "n", "console_version": "7.3.0"}'
answer_is 200 active
log_has "[INFO] Refresh from console c?1?2026-11-30T00:00:00Z?[INFO]?forged???x at 127.0.0.1: active"
file_lacks "$LOG" "] forged"

# Bad requests.
refresh '{x'
check "a body that is not JSON: 400 (got $CODE)" test "$CODE" = 400
log_has "[INFO] Refresh from console - at 127.0.0.1: bad request (the body is not a JSON object)"
refresh '{"protocol": 1, "console_id": "c-1", "console_name": "n"}'
check "no console_version: 400 (got $CODE)" test "$CODE" = 400
log_has "[INFO] Refresh from console c-1 at 127.0.0.1: bad request (console_id, console_name or console_version is missing)"
refresh '{"protocol": 2, "console_id": "c-1", "console_name": "n", "console_version": "7.3.1"}'
check "protocol 2: 400 (got $CODE)" test "$CODE" = 400
refresh '{"protocol": 1, "console_id": "c-1", "console_name": "n", "console_version": "7.3"}'
check "a version without its patch: 400 (got $CODE)" test "$CODE" = 400
log_has "[INFO] Refresh from console c-1 at 127.0.0.1: bad request (console_version is not major.minor.patch)"
CODE=$(curl -sk --max-time 20 --cert "$WORK/cc.pem" --key "$WORK/ck.pem" -o /dev/null \
    -w '%{http_code}' --data-binary "$B" "https://127.0.0.1:$P/engine/v1/other")
check "another path: 404 (got $CODE)" test "$CODE" = 404
CODE=$(curl -sk --max-time 20 --cert "$WORK/cc.pem" --key "$WORK/ck.pem" -o /dev/null \
    -w '%{http_code}' "https://127.0.0.1:$P/engine/v1/refresh")
check "GET: 405 (got $CODE)" test "$CODE" = 405
head -c 70000 /dev/zero | tr '\0' ' ' > "$WORK/big"
CODE=$(curl -sk --max-time 20 --cert "$WORK/cc.pem" --key "$WORK/ck.pem" -o /dev/null \
    -w '%{http_code}' --data-binary @"$WORK/big" "https://127.0.0.1:$P/engine/v1/refresh")
check "a body over 64 KiB: 413 (got $CODE)" test "$CODE" = 413
# Without a client certificate: 403 with the reason.
CODE=$(curl -sk --max-time 20 -o "$WORK/answer" -w '%{http_code}' \
    --data-binary "$B" "https://127.0.0.1:$P/engine/v1/refresh")
check "no client certificate: 403 (got $CODE)" test "$CODE" = 403
file_has "$WORK/answer" '"error":"no client certificate'
log_has "[INFO] Refresh from console c-1 at 127.0.0.1: bad request (no client certificate)"
# Plain HTTP is no TLS handshake: closed, no answer, no line.
lines=$(wc -l < "$LOG")
curl -s --max-time 10 -o /dev/null --data-binary "$B" "http://127.0.0.1:$P/engine/v1/refresh"
check "plain HTTP gets no log line" test "$(wc -l < "$LOG")" -eq "$lines"
check "the configuration did not change" cmp -s "$WORK/consoles.added" <(sed 's/id="5" enabled="1"/id="5" enabled="0"/' "$X")

# A silent client holds the engine 5 s at most.
python3 -c '
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
time.sleep(12)' "$P" &
SILENT=$!
sleep 0.3
timed refresh "$B"
answer_is 200 active
check "a refresh after a silent client is answered within 7 s (took $ms ms)" test "$ms" -lt 7000
kill "$SILENT" 2>/dev/null
wait "$SILENT" 2>/dev/null

# ---- consoles.xml that cannot be used is never replaced (only a missing
# one is created); bounds on what one new console may add; the lock.
cp "$X" "$WORK/consoles.keep"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$WORK/ck2.pem" -out "$WORK/cc2.pem" -days 2 -subj /CN=console2 \
    2>/dev/null
B2='{"protocol": 1, "console_id": "c-2", "console_name": "second", "console_version": "7.3.9"}'
# refresh2 BODY: as refresh, with the second console's certificate.
refresh2() {
	CODE=$(curl -sk --max-time 30 --cert "$WORK/cc2.pem" --key "$WORK/ck2.pem" \
	    -o "$WORK/answer" -w '%{http_code}' --data-binary "$1" \
	    "https://127.0.0.1:$P/engine/v1/refresh")
	ANSWER=$(cat "$WORK/answer" 2>/dev/null)
}
# Over the 16 MiB read limit (well-formed): 503, the file untouched.
{ head -c -12 "$WORK/consoles.keep"; printf '<!-- '; head -c 17000000 /dev/zero | tr '\0' x; printf ' -->\n</Consoles>\n'; } > "$X"
cp "$X" "$WORK/consoles.big"
refresh2 "$B2"
check "consoles.xml over the read limit: 503 (got $CODE)" test "$CODE" = 503
file_has "$WORK/answer" '"error":"the engine'"'"'s consoles.xml cannot be read'
check "consoles.xml over the read limit is left as it is" cmp -s "$X" "$WORK/consoles.big"
log_has "[WARN] Scan Engine cannot read $X (it cannot be read or is larger than 16 MiB): refresh from console c-2 at 127.0.0.1 not answered; the file is left as it is"
# Not well-formed.
head -c 300 "$WORK/consoles.keep" > "$X"
cp "$X" "$WORK/consoles.cut"
refresh2 "$B2"
check "consoles.xml not well-formed: 503 (got $CODE)" test "$CODE" = 503
check "consoles.xml not well-formed is left as it is" cmp -s "$X" "$WORK/consoles.cut"
log_has "[WARN] Scan Engine cannot read $X (not well-formed XML): refresh from console c-2 at 127.0.0.1 not answered; the file is left as it is"
# Cannot be read (a folder in its place: the tests run as any user).
rm -f "$X"
mkdir "$X"
refresh2 "$B2"
check "consoles.xml that cannot be read: 503 (got $CODE)" test "$CODE" = 503
check "consoles.xml that cannot be read is left as it is" test -d "$X"
rmdir "$X"
# Missing (ENOENT): the only case in which it is created.
refresh2 "$B2"
answer_is 403 pending-authorization
log_has "[INFO] Refresh from console c-2 at 127.0.0.1: pending-authorization (added to consoles.xml as console 1)"
file_has "$X" "consoleId=\"c-2\" spki=\"sha256:$(spki_of "$WORK/cc2.pem")\""
check "a missing consoles.xml is created with the one console" \
    test "$(grep -c '<console ' "$X")" -eq 1
# A PEM certificate over 16 KiB: 400, nothing written.
cp "$WORK/consoles.keep" "$X"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$WORK/ck3.pem" -out "$WORK/cc3.pem" -days 2 -subj /CN=console3 \
    -addext "nsComment=$(head -c 13000 /dev/zero | tr '\0' a)" 2>/dev/null
check "the big certificate is over 16 KiB in PEM" test "$(wc -c < "$WORK/cc3.pem")" -gt 16384
CODE=$(curl -sk --max-time 30 --cert "$WORK/cc3.pem" --key "$WORK/ck3.pem" \
    -o "$WORK/answer" -w '%{http_code}' --data-binary "$B2" \
    "https://127.0.0.1:$P/engine/v1/refresh")
check "a certificate over 16 KiB: 400 (got $CODE)" test "$CODE" = 400
check "a certificate over 16 KiB adds nothing" cmp -s "$X" "$WORK/consoles.keep"
log_has "[INFO] Refresh from console c-2 at 127.0.0.1: bad request (the client certificate is larger than 16 KiB in PEM)"
# 64 consoles pending authorization at most: one more is 503, nothing written.
python3 - "$X" <<'EOF'
import sys, re
p = sys.argv[1]
t = open(p).read()
n = len(re.findall(r'<console [^>]*enabled="0"', t))
add = ''.join('  <console id="%d" enabled="0" connectTo="0" name="p" lastAddress="10.0.0.1" port="1" consoleId="p-%d" spki="sha256:%064x">\n    <cert>x</cert>\n  </console>\n' % (100 + i, i, i + 1) for i in range(64 - n))
open(p, 'w').write(t.replace('</Consoles>', add + '</Consoles>'))
EOF
check "the file now holds 64 consoles pending authorization" \
    test "$(grep -c 'enabled="0"' "$X")" -eq 64
cp "$X" "$WORK/consoles.full"
refresh2 "$B2"
check "a 65th console pending authorization: 503 (got $CODE)" test "$CODE" = 503
check "a 65th console pending authorization is not added" cmp -s "$X" "$WORK/consoles.full"
log_has "[WARN] Scan Engine already has 64 consoles pending authorization in $X: console c-2 at 127.0.0.1 not added"

# The lock: a writer holding consoles.xml.lock (as `engine-setup consoles
# enable` does) adds console 30 from what it read before; the engine waits,
# reads the file anew and adds the new console as 31: no lost update.
cp "$WORK/consoles.keep" "$X"
sed 's|</Consoles>|  <console id="30" enabled="1" connectTo="0" name="w" lastAddress="10.0.0.30" port="1" consoleId="w-30" spki="sha256:3030303030303030303030303030303030303030303030303030303030303030">\n    <cert>x</cert>\n  </console>\n</Consoles>|' \
    "$WORK/consoles.keep" > "$WORK/consoles.writer"
flock "$X.lock" sh -c "touch '$WORK/locked'; sleep 2; cp '$WORK/consoles.writer' '$X.tmp-w'; mv '$X.tmp-w' '$X'" &
LOCKER=$!
for _ in $(seq 100); do [ -e "$WORK/locked" ] && break; sleep 0.05; done
timed refresh2 "$B2"
wait "$LOCKER"
answer_is 403 pending-authorization
check "the engine waited for the lock (took $ms ms)" test "$ms" -ge 1000
file_has "$X" '<console id="30" enabled="1"'
file_has "$X" "<console id=\"31\" enabled=\"0\" connectTo=\"0\" name=\"second\" lastAddress=\"127.0.0.1\" port=\"$P\" consoleId=\"c-2\""
log_has "[INFO] Refresh from console c-2 at 127.0.0.1: pending-authorization (added to consoles.xml as console 31)"
mode_is "$X.lock" 600
# A lock held past 10 s: 503, nothing written.
cp "$WORK/consoles.keep" "$X"
rm -f "$WORK/locked"
flock "$X.lock" sh -c "touch '$WORK/locked'; sleep 11" &
LOCKER=$!
for _ in $(seq 100); do [ -e "$WORK/locked" ] && break; sleep 0.05; done
timed refresh2 "$B2"
check "a lock held past 10 s: 503 (got $CODE)" test "$CODE" = 503
check "the engine gave up after about 10 s (took $ms ms)" test "$ms" -ge 9500 -a "$ms" -lt 12000
check "nothing was written while the lock was held" cmp -s "$X" "$WORK/consoles.keep"
log_has "[WARN] Scan Engine cannot lock consoles.xml ($X.lock stayed locked for 10 s): refresh from console c-2 at 127.0.0.1 not answered"

wait "$LOCKER" 2>/dev/null

# HTTP: two Content-Length headers, or a Transfer-Encoding: 400.
# raw_status REQUEST: the status code of the answer to REQUEST sent as is.
raw_status() {
	python3 - "$P" "$1" <<'EOF'
import socket, ssl, sys
c = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
c.check_hostname = False
c.verify_mode = ssl.CERT_NONE
s = c.wrap_socket(socket.create_connection(("127.0.0.1", int(sys.argv[1])), 20))
s.sendall(sys.argv[2].encode().decode('unicode_escape').encode('latin-1'))
a = b''
while True:
    d = s.recv(4096)
    if not d:
        break
    a += d
print(a.split(b' ')[1].decode() if a.startswith(b'HTTP/') else 'none')
EOF
}
# (A body the engine would otherwise take: without a client certificate, 403.)
CODE=$(raw_status "POST /engine/v1/refresh HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: ${#B2}\\r\\nContent-Length: 2\\r\\n\\r\\n$B2")
check "two Content-Length headers: 400 (got $CODE)" test "$CODE" = 400
log_has "[INFO] Refresh from console - at 127.0.0.1: bad request (more than one Content-Length, or a Transfer-Encoding)"
CODE=$(raw_status "POST /engine/v1/refresh HTTP/1.1\\r\\nHost: x\\r\\nTransfer-Encoding: identity\\r\\nContent-Length: ${#B2}\\r\\n\\r\\n$B2")
check "a Transfer-Encoding: 400 (got $CODE)" test "$CODE" = 400

# A client that trickles its head, one byte every 0.5 s, is dropped 10 s
# after the accept (not 5 s after its last byte); the refresh behind it is
# answered then.
python3 - "$P" "$WORK/trickle.out" "$WORK/trickle.ready" <<'EOF' &
import socket, ssl, sys, time
c = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
c.check_hostname = False
c.verify_mode = ssl.CERT_NONE
t0 = time.monotonic()
s = c.wrap_socket(socket.create_connection(("127.0.0.1", int(sys.argv[1])), 30))
open(sys.argv[3], 'w').close()
s.settimeout(0.5)
how = 'kept'
for b in b'POST /engine/v1/refresh HTTP/1.1\r\nHost: ' + b'x' * 100:
    try:
        s.sendall(bytes([b]))
        s.recv(1)          # the engine's 400 or its close: it let go
        how = 'dropped'
        break
    except socket.timeout:
        continue
    except (OSError, ssl.SSLError):
        how = 'dropped'
        break
open(sys.argv[2], 'w').write('%s %d\n' % (how, (time.monotonic() - t0) * 1000))
EOF
TRICKLE=$!
for _ in $(seq 100); do [ -e "$WORK/trickle.ready" ] && break; sleep 0.05; done
timed refresh "$B"
answer_is 200 active
check "a refresh behind a trickling client is answered within 11 s (took $ms ms)" test "$ms" -lt 11000
wait "$TRICKLE" 2>/dev/null
read -r how tms < "$WORK/trickle.out"
check "the trickling client was dropped about 10 s after it connected ($how after $tms ms)" \
    test "$how" = dropped -a "$tms" -ge 9000 -a "$tms" -lt 11500
cp "$WORK/consoles.keep" "$X"
stop_engine

# ---- Engine-to-Console: check-ins.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$WORK/sk.pem" -out "$WORK/sc.pem" -days 2 -subj /CN=127.0.0.1 \
    2>/dev/null
SSPKI=$(spki_of "$WORK/sc.pem")
ESPKI=$(spki_of "$N/conf/nse.crt")
# The consoles: tools/checkin_console.py.
CP=$(free_port)
python3 "$ES_E2E_DIR/tools/checkin_console.py" "$CP" "$WORK/sc.pem" "$WORK/sk.pem" \
    "$WORK/requests.log" "$N/conf/nse.crt" "$ESPKI" "$WORK/console.ready" &
SPIDS=$!
# One that knows another engine key: unknown-engine.
UP=$(free_port)
python3 "$ES_E2E_DIR/tools/checkin_console.py" "$UP" "$WORK/sc.pem" "$WORK/sk.pem" \
    "$WORK/requests-other.log" "$N/conf/nse.crt" "$(printf '0%.0s' $(seq 64))" \
    "$WORK/other.ready" &
SPIDS="$SPIDS $!"
# One whose key is not the one the engine's entry names (console 8).
WP=$(free_port)
python3 "$ES_E2E_DIR/tools/checkin_console.py" "$WP" "$WORK/sc.pem" "$WORK/sk.pem" \
    "$WORK/requests-wrong.log" "$N/conf/nse.crt" "$ESPKI" "$WORK/wrong.ready" &
SPIDS="$SPIDS $!"
# A console that accepts the connection and never answers.
QP=$(free_port)
python3 -c '
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(5)
open(sys.argv[2], "w").close()
c = s.accept()
time.sleep(60)' "$QP" "$WORK/quiet.ready" &
SPIDS="$SPIDS $!"
for _ in $(seq 100); do
	[ -e "$WORK/console.ready" ] && [ -e "$WORK/quiet.ready" ] &&
	    [ -e "$WORK/other.ready" ] && [ -e "$WORK/wrong.ready" ] && break
	sleep 0.05
done
python3 - "$X" "$CP" "$SSPKI" "$UP" "$WP" <<'EOF'
import sys
p, cp, sp, up, wp = sys.argv[1:6]
t = open(p).read()
add = ''.join('  <console id="%s" enabled="1" connectTo="1" name="%s" lastAddress="127.0.0.1" port="%s" consoleId="%s" spki="sha256:%s">\n    <cert>x</cert>\n  </console>\n' % a for a in [
    ('7', 'right', cp, 'r-7', sp),
    ('8', 'wrong', wp, 'r-8', 'ab' * 32),
    ('9', 'off', cp, 'r-9', sp),
    ('10', 'other', up, 'r-10', sp)])
add = add.replace('id="9" enabled="1"', 'id="9" enabled="0"')
t = t.replace('</Consoles>', add + '</Consoles>')
open(p, 'w').write(t)
EOF
start_engine ENGINE_CHECKIN_INTERVAL=1
sleep 2.5
stop_engine
log_has "[INFO] Scan Engine checks in with 3 console(s) every 1 s"
log_has "[INFO] Check-in to console 7 at 127.0.0.1 port $CP: active"
log_has "[WARN] Check-in to console 8 at 127.0.0.1 port $WP: not contacted (the console's key does not match its spki)"
log_has "[WARN] Check-in to console 10 at 127.0.0.1 port $UP: unknown-engine"
file_lacks "$LOG" "Check-in to console 9 "
file_lacks "$LOG" "Check-in to console 5 "
n_active=$(grep -c "Check-in to console 7 at 127.0.0.1 port $CP: active" "$LOG")
n_req=$(grep -c . "$WORK/requests.log")
# (The TERM may cut the last check-in after its request was sent.)
check "one request per check-in of console 7 ($n_active lines, $n_req requests)" \
    test "$n_req" -eq "$n_active" -o "$n_req" -eq $((n_active + 1))
check "no request reached console 8, whose key is not its spki" \
    test ! -s "$WORK/requests-wrong.log"
check "about one round a second (got $n_active in 2.5 s)" test "$n_active" -ge 2 -a "$n_active" -le 4
file_has "$WORK/requests.log" "POST /engines/v1/checkin engine-key {\"protocol\":1,\"engine_id\":\"$ENGINE_ID\",\"engine_version\":\"7.3.1\"}"

# TERM while a check-in waits for a console that never answers.
sed -i "s/id=\"8\" enabled=\"1\" connectTo=\"1\" name=\"wrong\" lastAddress=\"127.0.0.1\" port=\"$WP\"/id=\"8\" enabled=\"1\" connectTo=\"1\" name=\"wrong\" lastAddress=\"127.0.0.1\" port=\"$QP\"/" "$X"
start_engine ENGINE_CHECKIN_INTERVAL=1
for _ in $(seq 100); do
	grep -q "Check-in to console 7 .*active" <(tail -n 3 "$LOG") && break
	sleep 0.05
done
sleep 0.5
stop_engine
check "TERM during a check-in that waits stopped the engine at once ($STOP_MS ms)" test "$STOP_MS" -lt 2000
file_lacks "$LOG" "Check-in to console 8 at 127.0.0.1 port $QP"

finish
