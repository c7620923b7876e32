#!/usr/bin/env bash
# Issue 12, §6: the program stays with the installation. Every install keeps
# engine-setup without its payload in install_dir and links
# /usr/local/sbin/engine-setup to it (inside --root, to the path the target
# sees); status, consoles, pair and uninstall run from that copy; install
# from it says it holds no payload. Something else in the link's place is
# never replaced. uninstall says what it removed, removes the link and then
# the copy, checks that only logs are left (exit 6 naming anything else)
# and names the consoles to remove the engine in; --purge leaves nothing.
. "$(dirname "$0")/lib.sh"

: "${TEST_CONSOLE:?TEST_CONSOLE must name the test console binary}"
on_exit stop_consoles
SECRET=ABCD-1234-EFGH-5678-IJKL-9012-MNOP-3456
printf '%s\n' "$SECRET" > "$WORK/secret"
chmod 600 "$WORK/secret"
engine_answers > "$WORK/e.txt"
IDIR=/opt/rapid7/nexpose
CMD=/usr/local/sbin/engine-setup

# installed ROOT: install an engine into ROOT, silently; its output in $OUT.
installed() {
	run 0 --silent --answers "$WORK/e.txt" --root "$1"
}

# ---- The copy and the link. ----
R=$(newroot)
I=$R$IDIR
K=$I/engine-setup
installed "$R"
out_has "[Pass] Command on PATH"
out_has "$CMD free (free, or engine-setup's link to $IDIR/engine-setup)"
check "the kept copy is an executable file" test -f "$K" -a -x "$K"
check "the copy is smaller than the installer: no payload" \
    test "$(stat -c %s "$K")" -lt "$(stat -c %s "$ES_BIN")"
check "$CMD is a link" test -L "$R$CMD"
check "the link leads to the copy as the target sees it" \
    test "$(readlink "$R$CMD")" = "$IDIR/engine-setup"
file_has "$I/.install/record" "sysfile /usr/local/sbin/"
file_has "$I/.install/record" "sysfile $CMD"
file_has "$I/.install/record" "f 0755 $(sha256sum < "$K" | cut -d' ' -f1) $IDIR/engine-setup"

# It holds no payload: --payload-info and install say so, exit 2.
for args in "--payload-info" "--silent --answers $WORK/e.txt --root $R --overwrite"; do
	before=$(snapshot "$R")
	# shellcheck disable=SC2086
	ES_BIN=$K run 2 $args
	out_has "$K is the copy of engine-setup that the installation in $I keeps for status, pair, consoles, identity and uninstall. This copy holds no payload"
	out_has "Nothing was changed. Run the installer you downloaded instead"
	check "$args from the copy changed nothing" test "$before" = "$(snapshot "$R")"
done

# status, consoles list and pair (--test, then for real) from the copy.
ES_BIN=$K run 10 status --root "$R"
out_has "[not-paired]"
out_has "Install dir:  $IDIR"
ES_BIN=$K run 0 consoles list --root "$R"
out_has "No consoles: pair this engine with its console"
console c --secret "$SECRET"
ES_BIN=$K run 0 pair --test --console "127.0.0.1:$PORT" --secret-file "$WORK/secret" --root "$R"
file_lacks "$I/nse/conf/consoles.xml" "Test Console"
ES_BIN=$K run 0 pair --console "127.0.0.1:$PORT" --secret-file "$WORK/secret" --root "$R"
ES_BIN=$K run 0 consoles list --root "$R"
out_has "Test Console	127.0.0.1	$PORT"

# ---- uninstall from the copy: the summary, the consoles, only logs. ----
nf=$(grep -c '^[fl] ' "$I/.install/record")
nd=$(grep -c '^d ' "$I/.install/record")
ES_BIN=$K run 0 uninstall --silent --root "$R"
out_has "Removed: $nf files and $nd folders under $IDIR, the service nexposeengine, the command $CMD, the install record."
out_has "Uninstalled. Logs are kept in $I/.install/."
out_has "Remove this Scan Engine in the Security Console it was paired with, too (Administration > Scans > Scan Engines > Manage scan engines):
  Test Console (127.0.0.1)"
missing "$R$CMD"
missing "$K"
missing "$R/usr"
# The state folder's var/lib and var, made for it, go when left empty.
missing "$R/var"
check "only the logs are left" test \
    "$(cd "$R" && find . ! -type d | LC_ALL=C sort | tr '\n' ' ')" = \
    "./opt/rapid7/nexpose/.install/install.log ./opt/rapid7/nexpose/.install/uninstall.log "
file_has "$I/.install/uninstall.log" "removed the command $CMD"

# ---- Something else in the link's place: kept, with a warning. ----
for kind in file link; do
	R=$(newroot)
	I=$R$IDIR
	mkdir -p "$R/usr/local/sbin"
	if [ $kind = file ]; then
		printf '#!/bin/sh\necho mine\n' > "$R$CMD"
		what="a file"
	else
		ln -s /usr/bin/true "$R$CMD"
		what="a symbolic link to /usr/bin/true"
	fi
	before=$(snapshot "$R/usr")
	installed "$R"
	out_has "[Warn] Command on PATH"
	out_has "$CMD is $what"
	out_has "It is left as it is. Run this installation's engine-setup as $IDIR/engine-setup"
	out_has "Warning: $CMD is $what, not engine-setup's link: it was left as it is. This installation's engine-setup is $IDIR/engine-setup: run it by that path (status, pair, consoles, uninstall)."
	check "$kind in the link's place: not replaced" test "$before" = "$(snapshot "$R/usr")"
	file_lacks "$I/.install/record" "sysfile $CMD"
	ES_BIN=$I/engine-setup run 0 uninstall --silent --root "$R"
	out_lacks "the command"
	check "$kind in the link's place: uninstall leaves it" test "$before" = "$(snapshot "$R/usr")"
done
# A link of this installation's that was replaced after the install is no
# longer its to remove.
R=$(newroot)
I=$R$IDIR
installed "$R"
rm "$R$CMD"
ln -s /usr/bin/true "$R$CMD"
run 0 uninstall --silent --root "$R"
check "a replaced link stays" test "$(readlink "$R$CMD")" = /usr/bin/true
out_lacks "the command $CMD"
out_has "Kept: $CMD, which the installation made as the link to its program, is now a symbolic link to /usr/bin/true. Someone replaced it, so it is theirs: remove it by hand if it is no longer needed."
# A file in its place: named the same way; only logs and it are left.
R=$(newroot)
I=$R$IDIR
installed "$R"
rm "$R$CMD"
echo mine > "$R$CMD"
run 0 uninstall --silent --root "$R"
file_has "$R$CMD" "mine"
out_has "Kept: $CMD, which the installation made as the link to its program, is now a file. Someone replaced it"
missing "$R/var"

# ---- A file put into install_dir by hand: exit 6, named. ----
R=$(newroot)
I=$R$IDIR
installed "$R"
echo "my notes" > "$I/notes.txt"
mkdir -p "$I/nse/logs/old"
echo "engine started" > "$I/nse/logs/old/nse.log"
ES_BIN=$I/engine-setup run 6 uninstall --silent --root "$R"
out_has "  kept $IDIR/notes.txt: the installation did not make it (the install record does not list it)"
out_has "Removed: "
out_has "engine-setup: the installation is removed, but 1 path that is not a log stays (named above with why; $I/.install/uninstall.log names every one)."
out_lacks "nse/logs"
file_has "$I/.install/uninstall.log" "kept $IDIR/notes.txt: the installation did not make it"
missing "$R$CMD"
missing "$I/engine-setup"
check "the logs and the file are what is left" test \
    "$(cd "$R" && find . ! -type d | LC_ALL=C sort | tr '\n' ' ')" = \
    "./opt/rapid7/nexpose/.install/install.log ./opt/rapid7/nexpose/.install/uninstall.log ./opt/rapid7/nexpose/notes.txt ./opt/rapid7/nexpose/nse/logs/old/nse.log "
missing "$R/var"

# ---- --purge: nothing of the installation is left, logs and the folders
# it made included. ----
R=$(newroot)
I=$R$IDIR
installed "$R"
# --overwrite keeps the link and the folders recorded as made for it.
run 0 --silent --answers "$WORK/e.txt" --set engine_name=other --overwrite --root "$R"
file_has "$I/.install/record" "sysfile /usr/local/sbin/"
file_has "$I/.install/record" "sysfile $CMD"
mkdir -p "$I/nse/logs"
echo "engine started" > "$I/nse/logs/nse.log"
ES_BIN=$I/engine-setup run 0 uninstall --silent --purge --root "$R"
out_has "Removing Nexpose 7.3.1 (engine) from $IDIR, with its logs"
out_has ", the command $CMD, the install record, the logs, the folders $IDIR, /opt/rapid7 and /opt."
out_has "Uninstalled. Nothing of the installation is left."
check "--purge: the root is empty" test -z "$(ls -A "$R")"

# ---- The logs an uninstall left go into the next installation there,
# and an --overwrite keeps the engine's logs. ----
R=$(newroot)
I=$R$IDIR
installed "$R"
mkdir -p "$I/nse/logs/old"
echo "engine started" > "$I/nse/logs/nse.log"
echo "older" > "$I/nse/logs/old/nse.log"
run 0 uninstall --silent --root "$R"
run 0 --silent --answers "$WORK/e.txt" --root "$R"
file_has "$I/nse/logs/nse.log" "engine started"
file_has "$I/nse/logs/old/nse.log" "older"
file_has "$I/.install/install.log" "carried over 2 log files"
run 0 --silent --answers "$WORK/e.txt" --set engine_name=other --overwrite --root "$R"
file_has "$I/nse/logs/nse.log" "engine started"
run 0 uninstall --silent --root "$R"

# ---- A failed install takes the link and its folders away again. ----
R=$(newroot)
ES_TEST_FAULT="Starting the service:fail" run 6 --silent --answers "$WORK/e.txt" --root "$R"
missing "$R/usr"
missing "$R$IDIR"
# --purge belongs to uninstall.
run 2 status --purge --root "$R"
out_has "--purge belongs to uninstall"
finish
