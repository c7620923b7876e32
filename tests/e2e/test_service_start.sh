#!/usr/bin/env bash
# Issue 10, §1: when the service is not started, every front end says why
# and what to type on the target to start it (the command fits the init
# system), and status says the same later; the progress lists only the
# steps that run for the plan.
. "$(dirname "$0")/lib.sh"

# flat: $OUT on one line, runs of blanks and line ends as one space (the
# output wraps at the terminal's width).
flat() { OUT=$(tr '\r\n' '  ' <<<"$OUT" | tr -s ' '); }

# Console-to-Engine with start_service = yes under --root: no service
# manager runs for this root, so it is not started, and the output says so.
engine_answers console-to-engine > "$WORK/c2e.txt"
R=$(newroot)
run 0 --silent --answers "$WORK/c2e.txt" --root "$R"
out_lacks "Pairing with the console"
out_has "[1/9] Preparing folders"
out_has "[4/9] Registering the service"
out_has "[9/9] Starting the service"
out_lacks "/10]"
flat
out_has "Service nexposeengine: installed, not started (no running service manager for this root: it was installed under --root; on the target, start it with \`systemctl start nexposeengine\`)."
run 0 status --root "$R"
out_has "Service:      nexposeengine: installed, not started (no service manager was running for this root at install time; on the target: \`systemctl start nexposeengine\`)"

# A step that does not apply is not run, so a fault injected there does
# not happen.
R=$(newroot)
ES_TEST_FAULT="Pairing with the console:fail" run 0 --silent --answers "$WORK/c2e.txt" --root "$R"
out_lacks "injected failure"

# start_service = no: no "Starting the service" step; the reason is the
# answer, and the command fits the init system.
R=$(newroot)
run 0 --silent --answers "$WORK/c2e.txt" --set start_service=no --root "$R"
out_has "[8/8] Recording the installation"
out_lacks "Starting the service"
flat
out_has "Service nexposeengine: installed, not started (start_service = no; start it with \`systemctl start nexposeengine\`)."
run 0 status --root "$R"
flat
out_has "Service: nexposeengine: installed, not started (start_service = no; start it with \`systemctl start nexposeengine\`)"

# Engine-to-Console with pair_now = no: no pairing step either.
engine_answers > "$WORK/e2c.txt"
R=$(newroot)
run 0 --silent --answers "$WORK/e2c.txt" --root "$R"
out_lacks "Pairing with the console"
out_has "[9/9] Starting the service"

# SysV (a root with /etc/init.d and no systemd): the init script's command.
R=$(newroot)
mkdir -p "$R/etc/init.d"
run 0 --silent --answers "$WORK/c2e.txt" --root "$R"
flat
out_has "on the target, start it with \`/etc/init.d/nexposeengine start\`)."
run 0 status --root "$R"
flat
out_has "on the target: \`/etc/init.d/nexposeengine start\`)"

# The console component, start_service = no in its answers.
console_answers
R=$(newroot)
run 0 --silent --answers "$WORK/console.txt" --root "$R"
out_lacks "Pairing with the console"
out_lacks "Starting the service"
flat
out_has "Service nexposeconsole: installed, not started (start_service = no; start it with \`systemctl start nexposeconsole\`)."
finish
