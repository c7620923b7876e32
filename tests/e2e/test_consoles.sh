#!/usr/bin/env bash
# The seed's standard pairing (Console-to-Engine): the console adds itself
# to consoles.xml with enabled="0"; `consoles enable` flips it, by address
# (lastAddress) or by id, rewriting the file atomically and keeping the rest.
. "$(dirname "$0")/lib.sh"

R=$(newroot)
engine_answers console-to-engine > "$WORK/e.txt"
run 0 --silent --answers "$WORK/e.txt" --root "$R"
X=$R/opt/rapid7/nexpose/nse/conf/consoles.xml
run 0 consoles list --root "$R"
out_has "No consoles: add this engine in the console (Administration > Scans > Scan Engines > Manage scan engines > New Engine), then run: engine-setup consoles enable ADDRESS --root $R"
out_lacks "engine-setup pair"
# Standard output stays one console a line: nothing, when there is none.
check "no consoles yet: nothing on standard output" \
    test -z "$("$ES_BIN" consoles list --root "$R" 2>/dev/null)"
run 0 status --root "$R"
out_has "Consoles:     none: add this engine in the console"
out_has "engine-setup consoles enable ADDRESS --root $R"

# What a console writes when it adds the engine (Administration > Scans >
# Manage scan engines > New Engine).
cat > "$X" <<'EOT'
<?xml version="1.0" encoding="UTF-8"?>
<Consoles>
  <!-- added by the console -->
  <console id="1" enabled="0" connectTo="0" name="HQ console" lastAddress="10.0.0.5" port="40814" consoleId="abc"/>
  <console id="2" enabled="0" connectTo="0" name="Lab" lastAddress="192.0.2.20" port="40814" extra="kept"/>
</Consoles>
EOT
chmod 640 "$X"
cp "$X" "$WORK/before.xml"
run 0 consoles list --root "$R"
out_has "$(printf '1\tdisabled\tconsole-to-engine\tHQ console\t10.0.0.5\t40814')"
out_has "$(printf '2\tdisabled\tconsole-to-engine\tLab\t192.0.2.20\t40814')"

run 0 consoles enable 10.0.0.5 --root "$R"
out_has "Enabled console 1 (HQ console, 10.0.0.5)"
out_has "Restart the Scan Engine"
file_has "$X" 'id="1" enabled="1"'
file_has "$X" 'id="2" enabled="0"'
file_has "$X" '<!-- added by the console -->'
file_has "$X" 'extra="kept"'
mode_is "$X" 640
check "only the enabled value changed" test \
    "$(diff "$WORK/before.xml" "$X" | grep -c '^[<>]')" -eq 2

run 0 consoles enable 2 --root "$R"
file_has "$X" 'id="2" enabled="1" connectTo="0" name="Lab"'
run 0 consoles enable 2 --root "$R"
out_has "already enabled"
run 0 consoles disable 10.0.0.5 --root "$R"
file_has "$X" 'id="1" enabled="0"'
run 0 consoles list --root "$R"
out_has "$(printf '2\tenabled\tconsole-to-engine\tLab')"
run 10 status --root "$R"
out_has "Lab"

# --restart under --root cannot restart; it says so.
run 0 consoles enable 1 --restart --root "$R"
out_has "Not restarted"

# Mistakes change nothing.
cp "$X" "$WORK/now.xml"
run 2 consoles enable 203.0.113.1 --root "$R"
out_has "no console"
run 2 consoles enable --root "$R"
out_has "usage: engine-setup consoles enable"
run 2 consoles frob --root "$R"
check "mistakes change nothing" cmp -s "$X" "$WORK/now.xml"
printf '<Consoles><console id="1"' > "$X"
run 6 consoles enable 1 --root "$R"
out_has "not well-formed"
R2=$(newroot)
run 2 consoles list --root "$R2"
out_has "nothing is installed"
finish
