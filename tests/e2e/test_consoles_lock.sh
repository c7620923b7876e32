#!/usr/bin/env bash
# consoles.xml's lock (docs/consoles.md): `consoles enable/disable` and
# pairing take nse/conf/consoles.xml.lock (flock(2)) around their whole
# read-modify-rename, as the engine does when it appends a console; while
# another process holds it they wait (at most 10 s, then exit 8) and then
# read the file anew, so that neither side loses the other's change.
. "$(dirname "$0")/lib.sh"
need_tools flock
on_exit stop_consoles

R=$(newroot)
engine_answers console-to-engine > "$WORK/e.txt"
run 0 --silent --answers "$WORK/e.txt" --root "$R"
C=$R/opt/rapid7/nexpose/nse/conf
X=$C/consoles.xml
L=$C/consoles.xml.lock
cat > "$X" <<'EOT'
<?xml version="1.0" encoding="UTF-8"?>
<Consoles>
  <console id="1" enabled="0" connectTo="0" name="A" lastAddress="192.0.2.1" port="40814"/>
  <console id="2" enabled="0" connectTo="0" name="B" lastAddress="192.0.2.2" port="40814"/>
</Consoles>
EOT
chmod 640 "$X"

# No holder: the lock is made (0600) and kept.
run 0 consoles enable 1 --root "$R"
out_lacks "Waiting"
file_has "$X" 'id="1" enabled="1"'
mode_is "$L" 600

# hold SECONDS N: in the background, as the engine does, take the lock,
# append console N to consoles.xml (read, change, rename) and keep the
# lock SECONDS in all; returns once the lock is held. HOLDER is its pid.
hold() {
	flock "$L" sh -c 'sed "s|</Consoles>|  <console id=\"$2\" enabled=\"0\" connectTo=\"0\" name=\"E$2\" lastAddress=\"192.0.2.$2\" port=\"40814\"/>\n</Consoles>|" "$3" > "$3.tmp" && mv "$3.tmp" "$3" && touch "$4" && sleep "$1"' \
	    sh "$1" "$2" "$X" "$WORK/held.$2" &
	HOLDER=$!
	on_exit "kill $HOLDER 2>/dev/null"
	local i
	for i in $(seq 200); do
		[ -e "$WORK/held.$2" ] && return 0
		sleep 0.05
	done
	fail "the holder of the lock did not start"
}

# A loop of enables, each while the "engine" holds the lock and appends a
# console: each waits, then succeeds, and the appended consoles stay.
for n in 2 3 4; do
	hold 2 $((n + 1))
	start=$(date +%s.%N)
	run 0 consoles enable $n --root "$R"
	took=$(echo "$(date +%s.%N) - $start" | bc)
	out_has "Waiting up to 10 s for the Scan Engine (or another engine-setup run) to finish changing consoles.xml"
	out_has "Enabled console $n"
	check "enable $n waited for the lock (${took} s)" \
	    test "$(echo "$took >= 1" | bc)" -eq 1
	file_has "$X" "id=\"$n\" enabled=\"1\""
	file_has "$X" "id=\"$((n + 1))\" enabled=\"0\" connectTo=\"0\" name=\"E$((n + 1))\""
	wait "$HOLDER"
done
file_has "$X" 'id="1" enabled="1"'
run 0 consoles list --root "$R"
check "five consoles, none lost" test "$(grep -c . <<<"$OUT")" -eq 5

# Held longer than 10 s: a clear error, exit 8, nothing changed.
hold 14 9
cp "$X" "$WORK/before.xml"
start=$(date +%s)
run 8 consoles disable 1 --root "$R"
took=$(( $(date +%s) - start ))
out_has "consoles.xml is still locked after 10 s of waiting"
out_has "Nothing was changed"
check "gave up after about 10 s (${took} s)" test "$took" -ge 9 -a "$took" -le 13
check "consoles.xml unchanged" cmp -s "$WORK/before.xml" "$X"
kill "$HOLDER" 2>/dev/null
wait "$HOLDER" 2>/dev/null

# A symbolic link at the lock's path is never followed.
rm -f "$L"
ln -s "$WORK/elsewhere" "$L"
run 6 consoles disable 1 --root "$R"
out_has "Nothing was changed"
missing "$WORK/elsewhere"
rm -f "$L"

# Pairing takes the lock too: it waits, then reads consoles.xml anew, so
# the console the "engine" appended meanwhile stays beside the paired one.
SECRET=ABCD-1234-EFGH-5678-IJKL-9012-MNOP-3456
printf '%s\n' "$SECRET" > "$WORK/secret"
chmod 600 "$WORK/secret"
console pairing --secret "$SECRET"
hold 2 20
run 0 pair --console "127.0.0.1:$PORT" --secret-file "$WORK/secret" --root "$R"
out_has "Waiting up to 10 s for the Scan Engine"
out_has "Paired with console"
file_has "$X" 'id="20" enabled="0" connectTo="0" name="E20"'
file_has "$X" 'connectTo="1"'
file_has "$X" 'id="1" enabled="1"'
wait "$HOLDER"

# identity reset marks the consoles to pair again in consoles.xml: it
# takes the lock too, and the console the "engine" appended meanwhile stays.
hold 2 21
run 0 identity reset --silent --root "$R"
out_has "Waiting up to 10 s for the Scan Engine"
file_has "$X" 'id="21" enabled="0" connectTo="0" name="E21"'
file_has "$X" 'pairAgain="1"'
wait "$HOLDER"

# Uninstall removes the lock with the installation and does not name it.
run 0 consoles disable 1 --root "$R"
exists "$L"
run 0 uninstall --silent --root "$R"
out_lacks "consoles.xml.lock"
missing "$L"
finish
