#!/usr/bin/env bash
# What --check accepts, the install does not refuse: every value the
# install cannot use is refused by --check with exit 2, the key and the
# reason named; every boundary value --check accepts installs, and values
# that name the same folder are one installation. A full disk names its
# file system; a log that cannot be written after a complete install is a
# warning, not a failure.
. "$(dirname "$0")/lib.sh"

MNT=$WORK/mnt
on_exit 'mountpoint -q "$MNT/opt/mp" && umount "$MNT/opt/mp"
    mountpoint -q "$MNT" && umount "$MNT"'

# rep STRING N: STRING N times.
rep() { local s="" i; for ((i = 0; i < $2; i++)); do s+=$1; done; printf '%s' "$s"; }
# deep N: an absolute path of N bytes (N >= 971): three folder names of 255
# bytes, one of 200, and the last one what is left.
deep() {
	printf '/%s/%s/%s/%s/%s' "$(rep a 255)" "$(rep a 255)" "$(rep a 255)" \
	    "$(rep c 200)" "$(rep d $(($1 - 5 - 3 * 255 - 200)))"
}

engine_answers console-to-engine | grep -v '^engine_name' > "$WORK/base.txt"

# ---- Refused by --check: exit 2, the key and the reason, nothing written.
# refused KEY VALUE REASON: VALUE as a quoted answers-file value (so that
# "\n" is a line break).
refused() {
	local key=$1 value=$2 reason=$3 R
	R=$(newroot)
	{ grep -v "^$key =" "$WORK/base.txt"; printf '%s = "%s"\n' "$key" \
	    "$value"; } > "$WORK/bad.txt"
	run 2 --check --silent --answers "$WORK/bad.txt" --root "$R"
	out_has "$WORK/bad.txt:$(wc -l < "$WORK/bad.txt"): bad value for '$key'"
	out_has "$reason"
	out_has "Nothing was changed."
	check "--check with $key '$value' wrote nothing" test -z "$(ls -A "$R")"
}

for v in / // /. /./ '///.//.'; do
	refused install_dir "$v" "expected a folder of its own, not the root folder ('/', '//' and '/.' all name it)"
done
refused install_dir /opt/x/.. "expected a path without '..' parts"
refused install_dir /opt/../x "expected a path without '..' parts"
refused install_dir opt/x "expected an absolute path, starting with '/'"
refused install_dir "" "expected an absolute path, starting with '/'"
refused install_dir '/opt/x\ny' "expected a path without control characters"
out_has "bad value for 'install_dir': '/opt/x\\ny'"
refused install_dir "/opt/it's" "expected a path without quotes or backslashes"
refused install_dir '/opt/a\\b' "expected a path without quotes or backslashes"
refused install_dir "/$(rep a 256)/x" "folder names of at most 255 bytes (NAME_MAX)"
refused install_dir "/opt/$(rep b 235)" "a last folder name of at most 234 bytes (it is 235)"
refused install_dir "$(deep 1025)" "a path of at most 1024 bytes"
refused engine_name "$(rep e 53)" "expected 1-52 printable characters"
out_has "the certificate's organizational unit is \"Scan Engine <name>\", and X.520 allows it 64 characters"
refused engine_name "$(rep é 53)" "expected 1-52 printable characters"
refused engine_name 'scan\nner' "expected 1-52 printable characters"
refused company "$(rep c 65)" "expected 1-64"

# With --root, the root folder and install_dir share PATH_MAX less 1024
# bytes kept for the payload: a root folder of 2047 bytes leaves 1024.
# mkroot N: a new folder whose path is N bytes long.
mkroot() {
	local n=$1 d
	d=$(mktemp -d "$WORK/r.XXXXXX")
	while [ $((n - ${#d})) -gt 201 ]; do d+=/$(rep r 200); done
	d+=/$(rep r $((n - ${#d} - 1)))
	mkdir -p "$d" && printf '%s' "$d"
}
LONG=$(mkroot 2048)
check "a root folder of 2048 bytes" test "${#LONG}" -eq 2048
{ cat "$WORK/base.txt"; echo "install_dir = $(deep 1024)"; } > "$WORK/deep.txt"
run 2 --check --silent --answers "$WORK/deep.txt" --root "$LONG"
out_has "bad value for 'install_dir'"
out_has "under --root it is 3072 bytes long with the root folder, and at most 3071 fit"

# ---- Accepted by --check, and installed: the boundary values.
# installs ANSWERS ROOT WHAT: --check exits 0, the install exits 0, status
# exits 10 (docs/status.md: not paired, and no service runs under --root)
# and uninstall exits 0.
installs() {
	run 0 --check --silent --answers "$1" --root "$2"
	out_has "Plan (nothing was changed)"
	run 0 --silent --answers "$1" --root "$2"
	out_has "Installed Nexpose"
	out_lacks "Warning"
	run 0 status --root "$2"
	run 0 uninstall --silent --root "$2"
}

for name in "$(rep e 52)" "$(rep é 52)" "$(rep 🔍 52)" "a"; do
	R=$(newroot)
	{ cat "$WORK/base.txt"; echo "engine_name = $name"; } > "$WORK/name.txt"
	installs "$WORK/name.txt" "$R"
done
R=$(newroot)
{ cat "$WORK/base.txt"; echo "engine_name = $(rep e 52)"; } > "$WORK/name.txt"
run 0 --silent --answers "$WORK/name.txt" --root "$R"
check "the certificate's OU is 64 characters" \
    grep -qx "subject=O = Example Corp, OU = Scan Engine $(rep e 52), CN = Ada Lovelace" \
    <(openssl x509 -in "$R/opt/rapid7/nexpose/nse/conf/nse.crt" -noout -subject)

# The longest subject names: CN "first last" is cut to 64 characters (not
# bytes), O is the company's 64.
R=$(newroot)
{ grep -v '_name =\|^company =' "$WORK/base.txt"; echo "first_name = $(rep é 64)"
  echo "last_name = B"; echo "company = $(rep ü 64)"; } > "$WORK/subj.txt"
installs "$WORK/subj.txt" "$R"
run 0 --silent --answers "$WORK/subj.txt" --root "$R"
check "CN of 64 characters, O of 64" \
    grep -q "^subject=CN=$(rep é 64),OU=Scan Engine [^,]*,O=$(rep ü 64)\$" \
    <(openssl x509 -in "$R/opt/rapid7/nexpose/nse/conf/nse.crt" -noout \
    -subject -nameopt RFC2253,-esc_msb)

for dir in "$(deep 1024)" "/opt/$(rep b 234)" "/$(rep a 255)/x" "/opt/my engine"; do
	R=$(newroot)
	{ cat "$WORK/base.txt"; echo "install_dir = $dir"; } > "$WORK/dir.txt"
	installs "$WORK/dir.txt" "$R"
done

# The deepest install_dir under the longest root folder: 3071 bytes.
LONG=$(mkroot 2047)
run 0 --check --silent --answers "$WORK/deep.txt" --root "$LONG"
run 0 --silent --answers "$WORK/deep.txt" --root "$LONG"
exists "$LONG$(deep 1024)/nse/conf/nse.xml"
run 0 uninstall --silent --root "$LONG"

# ---- One folder, many spellings: the normal form is what the plan, --record
# and the record hold, and a re-run with another spelling is the same answers.
R=$(newroot)
{ cat "$WORK/base.txt"; echo "engine_name = scanner-01"; } > "$WORK/n.txt"
run 0 --check --silent --answers "$WORK/n.txt" --root "$R" --set install_dir=/opt/x/
out_has "install_dir = /opt/x"
out_lacks "install_dir = /opt/x/"
run 0 --silent --answers "$WORK/n.txt" --root "$R" --set install_dir=/opt/x/ \
    --record "$WORK/rec.txt"
file_has "$WORK/rec.txt" "install_dir = /opt/x"
file_lacks "$WORK/rec.txt" "install_dir = /opt/x/"
file_has "$R/opt/x/.install/answers" "install_dir = /opt/x"
file_has "$R/var/lib/engine-setup/installation" "install_dir /opt/x"
exists "$R/opt/x/nse/conf/nse.xml"
for v in /opt/x /opt//x /opt/x/. /opt/./x/ //opt/x; do
	run 0 --silent --answers "$WORK/n.txt" --root "$R" --set install_dir="$v"
	out_has "is already installed at /opt/x with the same answers: nothing to do."
done
run 0 status --root "$R"
run 0 uninstall --silent --root "$R"

# ---- What the host holds is checked by --check too (exit 3): a file where
# a parent folder must be made.
R=$(newroot)
mkdir -p "$R/opt" && echo data > "$R/opt/file"
run 3 --check --silent --answers "$WORK/n.txt" --root "$R" --set install_dir=/opt/file/x
out_has "/opt/file/x cannot be made: $R/opt/file is not a folder"
ln -s "$R/elsewhere" "$R/linked" && mkdir "$R/elsewhere"
run 0 --check --silent --answers "$WORK/n.txt" --root "$R" --set install_dir=/linked/x

# ---- A full disk (a tmpfs mounted for this test; needs root and mount).
if [ "$(id -u)" -ne 0 ] || ! mkdir -p "$MNT" ||
    ! mount -t tmpfs -o size=300m tmpfs "$MNT" 2>/dev/null; then
	echo "skipped: the full-disk tests need root and mount(8)"
	finish
	exit
fi

# fill DIR: take every free byte of the file system DIR is on.
fill() {
	local avail
	avail=$(df --output=avail -B1 "$1" | tail -1)
	fallocate -l "$avail" "$1/filler" 2>/dev/null
	dd if=/dev/zero of="$1/filler2" bs=4k status=none 2>/dev/null
	return 0
}
# stop_fill_go STEP ARGS...: install into $MNT, stop after STEP, fill the
# disk, let it go on; output in $OUT, exit code in $RC.
stop_fill_go() {
	local step=$1 pid
	shift
	ES_TEST_FAULT="$step:stop" "$ES_BIN" --silent --root "$MNT" "$@" \
	    > "$WORK/full.out" 2>&1 &
	pid=$!
	check "the install stopped after '$step'" stopped "$pid"
	fill "$MNT"
	kill -CONT "$pid"
	wait "$pid"
	RC=$?
	OUT=$(cat "$WORK/full.out")
	rm -f "$MNT/filler" "$MNT/filler2"
}

# The disk fills while unpacking: exit 6, the file system named, undone.
stop_fill_go "Preparing folders" --answers "$WORK/n.txt"
check "a full disk while unpacking exits 6 (got $RC)" test "$RC" -eq 6
out_has "no space left on the file system mounted at $MNT (writing $MNT/opt/rapid7/.nexpose.es-staging-"
out_has "Everything this run changed was undone."
check "nothing is left after a full disk" test -z "$(ls -A "$MNT")"

# The disk fills before the last log write: the install is complete (exit
# 0), and the user is told the log is missing, on stderr and in the summary.
stop_fill_go "Starting the service" --answers "$WORK/n.txt"
LOG=$MNT/opt/rapid7/nexpose/.install/install.log
check "a log that cannot be written still exits 0 (got $RC)" test "$RC" -eq 0
out_has "engine-setup: warning: the install log could not be written: no space left on the file system mounted at $MNT (writing $LOG). Free space on it"
out_has "The installation itself is complete."
out_has "Warning: the install log could not be written"
missing "$LOG"
run 0 status --root "$MNT"
run 0 uninstall --silent --root "$MNT"

# A mount point cannot be replaced by rename(2): --check says so (exit 3).
mkdir -p "$MNT/opt/mp"
if mount -t tmpfs -o size=300m tmpfs "$MNT/opt/mp"; then
	run 3 --check --silent --answers "$WORK/n.txt" --root "$MNT" --set install_dir=/opt/mp
	out_has "/opt/mp is a mount point, which an installation cannot replace: install into a folder inside it (e.g. /opt/mp/nexpose)"
	run 0 --check --silent --answers "$WORK/n.txt" --root "$MNT" --set install_dir=/opt/mp/nexpose
	umount "$MNT/opt/mp"
fi
# A --root whose /opt (or state folder) is an absolute link out of the
# root, as an image's often is: refused before anything is written (exit
# 3), and nothing lands where the link leads.
engine_answers console-to-engine > "$WORK/e.txt"
R=$(newroot)
mkdir -p "$WORK/outside"
ln -s "$WORK/outside" "$R/opt"
run 3 --silent --answers "$WORK/e.txt" --root "$R"
out_has "$R/opt leads out of --root $R: a symbolic link on the way resolves to $WORK/outside"
check "nothing was written outside the root" test -z "$(ls -A "$WORK/outside")"
rm "$R/opt"
mkdir -p "$R/var/lib"
ln -s "$WORK/outside" "$R/var/lib/engine-setup"
run 3 --silent --answers "$WORK/e.txt" --root "$R"
out_has "leads out of --root $R"
rm "$R/var/lib/engine-setup"
run 0 --silent --answers "$WORK/e.txt" --root "$R"

finish
