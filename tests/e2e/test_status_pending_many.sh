#!/usr/bin/env bash
# status with many consoles Pending Authorization (docs/status.md): up to
# 3, one Problem line each; more, one line that counts them and names the
# first 3. JSON keeps one problem per console.
. "$(dirname "$0")/lib.sh"

R=$(newroot)
engine_answers console-to-engine > "$WORK/e.txt"
run 0 --silent --answers "$WORK/e.txt" --root "$R"
X=$R/opt/rapid7/nexpose/nse/conf/consoles.xml

# consoles N: consoles.xml with N consoles, all enabled="0".
consoles() {
	local i
	{
		echo '<?xml version="1.0" encoding="UTF-8"?>'
		echo '<Consoles>'
		for i in $(seq "$1"); do
			echo "  <console id=\"$i\" enabled=\"0\" connectTo=\"0\" name=\"C$i\" lastAddress=\"10.0.$((i / 250)).$((i % 250))\" port=\"40814\"/>"
		done
		echo '</Consoles>'
	} > "$X"
}

consoles 3
run 10 status --root "$R"
check "3 pending: one Problem line each" \
    test "$(grep -c '^Problem:.*\[console-pending-authorization\]' <<<"$OUT")" -eq 3
out_has "The console C3 at 10.0.0.3 (id 3) is Pending Authorization"

consoles 197
run 10 status --root "$R"
check "197 pending: one Problem line" \
    test "$(grep -c '^Problem:.*\[console-pending-authorization\]' <<<"$OUT")" -eq 1
out_has "197 consoles are Pending Authorization (enabled=\"0\" in nse/conf/consoles.xml): the engine does not work with them. The first 3: C1 at 10.0.0.1 (id 1), C2 at 10.0.0.2 (id 2), C3 at 10.0.0.3 (id 3). See them all with \`engine-setup consoles list --root $R\`"
out_has "enable it with \`engine-setup consoles enable ID --root $R\`."
out_lacks "C4 at"
# JSON: one problem per console, each with its own message.
run 10 status --json --root "$R"
check "JSON keeps 197 problems" test "$(grep -o '"code":"console-pending-authorization"' <<<"$OUT" | wc -l)" -eq 197
out_has "The console C197 at 10.0.0.197 (id 197)"
finish
