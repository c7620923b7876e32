#!/usr/bin/env bash
# A full disk after the install (issue 12's mends): uninstall frees the
# space rather than asking for it, and says so in an uninstall's words; the
# service's identity check refuses the start with the files it could not
# write and what to do (docs/journal.md, "A full disk"; docs/install-record.md,
# "The machine an identity belongs to").
# Needs root, to mount small tmpfs file systems; skipped (77) without.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/engine_lib.sh"

: "${MKPAYLOAD:?MKPAYLOAD must name mkpayload}"
if [ "$(id -u)" -ne 0 ] || ! mount -t tmpfs -o size=1m tmpfs "$WORK" 2>/dev/null; then
	echo "skipped: mounting a tmpfs needs root"
	[ "${CI:-}" = true ] && exit 1
	exit 77
fi
umount "$WORK"
MOUNTS=()
on_exit 'for m in "${MOUNTS[@]}"; do umount "$m"; done'
# tmpfs DIR SIZE: a small file system at DIR, undone at the end.
tmpfs() {
	mount -t tmpfs -o "size=$2" tmpfs "$1" && MOUNTS=("$1" "${MOUNTS[@]}")
}
# fill DIR: write a file in DIR until its file system is full.
fill() {
	dd if=/dev/zero of="$1/filler" bs=64k 2>/dev/null
	check "$1 is full" test "$(df --output=avail -k "$1" | tail -1 | tr -d ' ')" -lt 64
}

# A payload that asks for no free space, so that it installs on a small
# file system.
T=$WORK/tree
cp -r "${ES_PAYLOAD_TREE:-$ES_SRC/payload}" "$T"
sed -i 's/^requirement.disk.min_mib = .*/requirement.disk.min_mib = 0/; s/^requirement.disk.recommended_mib = .*/requirement.disk.recommended_mib = 0/' "$T/manifest"
"$MKPAYLOAD" --stub "$ES_BIN" --tree "$T" --out "$WORK/setup" >/dev/null
SETUP=$WORK/setup
engine_answers > "$WORK/e.txt"
IDIR=/opt/rapid7/nexpose
# installed ROOT: the engine installed under ROOT.
installed() {
	ES_BIN=$SETUP run 0 --silent --answers "$WORK/e.txt" --root "$1"
}

# ---- uninstall on a full disk that also holds the installation: it makes
# room for its journal by removing the installation's largest unchanged
# files first, then removes the rest. ----
R=$(newroot)
tmpfs "$R" 8m
installed "$R"
fill "$R"
run 0 uninstall --silent --root "$R"
out_has "The file system mounted at $R is full: removing the installation's largest unchanged files first, to make room for the uninstall's journal."
out_has "Uninstalled. Logs are kept in $R$IDIR/.install/."
out_lacks "install_dir"
out_lacks "no space"
check "only the logs and the filler are left" test \
    "$(cd "$R" && find . ! -type d | LC_ALL=C sort | tr '\n' ' ')" = \
    "./filler ./opt/rapid7/nexpose/.install/install.log ./opt/rapid7/nexpose/.install/uninstall.log "
file_has "$R$IDIR/.install/uninstall.log" "before the journal, to make room for it"
check "no journal is left" test -z "$(leftovers "$R")"

# ---- The state folder on a full file system of its own: removing the
# installation would not help there, so nothing is removed, and the advice
# is an uninstall's. ----
R=$(newroot)
mkdir -p "$R/var/lib"
tmpfs "$R/var/lib" 1m
installed "$R"
fill "$R/var/lib"
before=$(snapshot "$R")
run 6 uninstall --silent --root "$R"
out_has "engine-setup: the file system mounted at $R/var/lib is full, and the uninstall needs a few kilobytes there for its journal (in $R/var/lib/engine-setup) before it removes anything; the installation in $IDIR is on another file system, so removing it would not help. Free some space on $R/var/lib (old logs, a package cache), then run the uninstall again. Nothing was removed."
out_lacks "install_dir"
check "a full state folder: nothing removed" test "$before" = "$(snapshot "$R")"
rm "$R/var/lib/filler"
run 0 uninstall --silent --root "$R"
out_has "Uninstalled."
missing "$R/var/lib/engine-setup"

# ---- The identity check at a start on a full disk: the service does not
# start with the identity the image gave it; the message names the files
# and what to do. Once there is space, the next start makes the identity. ----
R=$(newroot)
tmpfs "$R" 8m
installed "$R"
key=$(sha256sum < "$R$IDIR/nse/conf/nse.key")
id=$(grep '^engine_id ' "$R$IDIR/.install/record")
fill "$R"
run 6 identity check --root "$R"
out_has "engine-setup: this engine's identity was made on another machine (it was made for an image (an install with --root)), and the new one this start needs could not be written: there is no space left on the file system mounted at $R. Not written, in $R$IDIR: nse/conf/nse.key, nse/conf/nse.crt, nse/conf/nse.xml, nse/conf/consoles.xml and .install/record. The service does not start with the identity it has, since the machine it was copied from presents the same one to the consoles. Free some space on that file system (old logs, a package cache), then start the nexposeengine service again: its start makes the new identity."
out_lacks "install_dir"
check "the key is as it was" test "$key" = "$(sha256sum < "$R$IDIR/nse/conf/nse.key")"
file_has "$R$IDIR/.install/record" "$id"
check "no journal is left" test -z "$(leftovers "$R")"
rm "$R/filler"
run 0 identity check --root "$R"
out_has "New engine identity: engine id"
check "a new key once there is space" test "$key" != "$(sha256sum < "$R$IDIR/nse/conf/nse.key")"

# ---- consoles enable, and the engine adding a console, on a full disk
# (nse/conf on a file system of its own): engine-setup exits 6 in its own
# words (never the install's "choose another install_dir"), nothing
# changed; the engine answers 500 and logs the system's reason. ----
if command -v curl >/dev/null && command -v openssl >/dev/null; then
	R=$(newroot)
	tmpfs "$R" 8m
	ES_BIN=$SETUP engine_install "$R"
	cp -a "$N/conf" "$WORK/conf.copy"
	tmpfs "$N/conf" 256k
	cp -a "$WORK/conf.copy/." "$N/conf/"
	printf '<?xml version="1.0" encoding="UTF-8"?>\n<Consoles>\n  <console id="1" enabled="0" connectTo="0" name="A" lastAddress="192.0.2.1" port="40814"/>\n</Consoles>\n' > "$N/conf/consoles.xml"
	engine_console_cert "$WORK/cc.pem" "$WORK/ck.pem" console
	start_engine
	fill "$N/conf"
	cp "$N/conf/consoles.xml" "$WORK/consoles.full"
	run 6 consoles enable 1 --root "$R"
	out_has "engine-setup: there is no space left on the file system mounted at $N/conf, so $N/conf/consoles.xml could not be changed. Nothing was changed. Free some space on that file system (old logs, a package cache), then run the command again."
	out_lacks "install_dir"
	check "consoles.xml as it was" cmp -s "$N/conf/consoles.xml" "$WORK/consoles.full"
	check "no journal is left: $(leftovers "$R")" test -z "$(leftovers "$R")"
	refresh '{"protocol":1,"console_id":"c","console_name":"n","console_version":"7.3.1"}'
	check "the engine on a full disk: 500 (got $CODE)" test "$CODE" = 500
	file_has "$LOG" "[WARN] Scan Engine cannot add console c at 127.0.0.1 to consoles.xml (cannot write $N/conf/consoles.xml.tmp-$EPID: No space left on device): it stays unknown to the engine"
	check "consoles.xml as it was after the engine's try" cmp -s "$N/conf/consoles.xml" "$WORK/consoles.full"
	missing "$N/conf/consoles.xml.tmp-$EPID"
	rm "$N/conf/filler"
	run 0 consoles enable 1 --root "$R"
	out_has "Enabled console 1 (A, 192.0.2.1)."
	stop_engine
fi
finish
