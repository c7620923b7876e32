#!/usr/bin/env bash
# Nothing outside --root, ever. The install pointer and record are read
# back by every command; a pointer or record that names a path with "..",
# or whose folders lead out of the root through a link, is refused by all
# of them (status exit 10, the others 6; a state folder that leads out:
# 3) and changes nothing, inside the root or beside it. An install whose
# service definition would land outside the root through a link under
# etc/ is refused before anything changes (exit 3). Uninstall keeps a
# file whose content changed after the install, and says so
# (docs/security.md, "Paths engine-setup reads back").
. "$(dirname "$0")/lib.sh"

engine_answers > "$WORK/e.txt"
ZERO=$(printf '0%.0s' $(seq 64))

# fresh: a case folder $D holding an installed root $R and, beside it,
# $H standing for the rest of the host, with a file that must survive.
fresh() {
	D=$(mktemp -d "$WORK/case.XXXXXX")
	R=$D/root
	H=$D/host
	mkdir -p "$R" "$H/.install"
	echo keep > "$H/important"
	run 0 --silent --answers "$WORK/e.txt" --root "$R"
	I=$R/opt/rapid7/nexpose
	REC=$I/.install/record
	PTR=$R/var/lib/engine-setup/installation
}

# snap / unchanged WHAT: everything in the case folder (the root and what
# lies beside it) is as it was when snap ran.
snap() { tree "$D" > "$WORK/snap"; }
unchanged() {
	TESTS_RUN=$((TESTS_RUN + 1))
	if ! diff <(cat "$WORK/snap") <(tree "$D") > "$WORK/diff"; then
		fail "$1 changed something:
$(cat "$WORK/diff")"
	fi
}

# refused WHAT CODE WANT...: status says Problem (exit 10); uninstall,
# install (with and without --overwrite), pair (--test too) and consoles
# (list, enable) exit CODE; each says every WANT; nothing changed.
# With DAMAGED=1 the pointer is sound and only the record is refused: a
# damaged record (docs/install-record.md, "A record that cannot be read"):
# status shows the install folder, an install without --overwrite exits 7,
# and --overwrite (which would replace the installation inside the root
# as a whole, trusting nothing the record says) is tested on its own below.
refused() {
	local what=$1 code=$2 w
	shift 2
	snap
	run 10 status --root "$R"
	out_has "Problem:"
	for w in "$@"; do out_has "$w"; done
	[ -n "${DAMAGED:-}" ] || out_lacks "Install dir:"
	run "$code" uninstall --silent --root "$R"
	for w in "$@"; do out_has "$w"; done
	if [ -n "${DAMAGED:-}" ]; then
		run 7 --silent --answers "$WORK/e.txt" --root "$R"
	else
		run "$code" --silent --answers "$WORK/e.txt" --root "$R"
		run "$code" --silent --answers "$WORK/e.txt" --overwrite --root "$R"
	fi
	run "$code" pair --test --console 127.0.0.1:9 --root "$R"
	run "$code" pair --console 127.0.0.1:9 --root "$R" < /dev/null
	run "$code" consoles list --root "$R"
	run "$code" consoles enable 1 --root "$R"
	for w in "$@"; do out_has "$w"; done
	unchanged "$what"
	check "$what: $H/important is still there" test "$(cat "$H/important")" = keep
}

# --- test_pointer_dotdot: the breaker's repro. The pointer and a record
# beside the root say install_dir /../host, and the record lists
# /../host/important.
fresh
sed -e 's|^install_dir .*|install_dir /../host|' -e '/^[fdl] /d' "$REC" > "$H/.install/record"
echo "f 0644 $ZERO /../host/important" >> "$H/.install/record"
echo 'install_dir /../host' > "$PTR"
refused "pointer /../host" 6 "$PTR names install_dir /../host, which is not an absolute path without empty, '.' or '..' parts"
out_has "if no installation is left, remove $PTR"

# Other unclean pointers.
for p in opt/rapid7/nexpose /opt/rapid7/./nexpose /opt//rapid7/nexpose \
    /opt/rapid7/nexpose/.. /; do
	echo "install_dir $p" > "$PTR"
	snap
	run 10 status --root "$R"
	out_has "names install_dir $p, which is not"
	run 6 uninstall --silent --root "$R"
	unchanged "pointer $p"
done

# --- test_record_dotdot: a clean pointer, and a record whose lines climb
# out of install_dir (4 ".." from /opt/rapid7/nexpose lead to the case
# folder, beside the root).
fresh
cp "$REC" "$WORK/rec"
for line in "f 0644 $ZERO /opt/rapid7/nexpose/../../../../host/important" \
    "l 0777 - /opt/rapid7/nexpose/../../../../host/important" \
    "d 0755 - /opt/rapid7/nexpose/nse/../../../../../host" \
    "f 0644 $ZERO /opt/rapid7/nexposeX/important" \
    "parent /opt/../../host" "sysfile /etc/../../host/"; do
	{ cat "$WORK/rec"; echo "$line"; } > "$REC"
	DAMAGED=1 refused "record line $line" 6 "$REC is damaged: its" "is not"
done
# install_dir in the record with "..", and one that is not the pointer's.
sed 's|^install_dir .*|install_dir /opt/rapid7/nexpose/../../../../host|' "$WORK/rec" > "$REC"
DAMAGED=1 refused "record install_dir with .." 6 "its install_dir /opt/rapid7/nexpose/../../../../host is not"
sed -e 's|/opt/rapid7/nexpose|/srv/x|' -e '/^parent /d' "$WORK/rec" > "$REC"
DAMAGED=1 refused "record install_dir not the pointer's" 6 "$REC says install_dir /srv/x, but the install pointer $PTR names /opt/rapid7/nexpose"
cp "$WORK/rec" "$REC"
run 0 uninstall --silent --root "$R"
check "the repaired record uninstalls" test "$(cat "$H/important")" = keep
missing "$I/nse"
# --overwrite over a record whose lines lead out replaces the installation
# inside the root and follows none of them.
fresh
{ cat "$REC"; echo "f 0644 $ZERO /opt/rapid7/nexpose/../../../../host/important"; } > "$WORK/bad"
cp "$WORK/bad" "$REC"
run 0 --silent --answers "$WORK/e.txt" --overwrite --root "$R"
out_has "$REC is damaged: its"
check "overwrite over a hostile record: $H/important is still there" \
    test "$(cat "$H/important")" = keep
run 0 uninstall --silent --root "$R"
check "and its uninstall too" test "$(cat "$H/important")" = keep

# --- test_record_through_link: the installation's folder reached through
# a link that leads out of the root (the installation moved beside it),
# absolute and relative; and the same link kept inside the root, which is
# followed.
fresh
mv "$R/opt/rapid7" "$D/moved"
ln -s "$D/moved" "$R/opt/rapid7"
refused "install_dir through an absolute link out" 6 \
    "$R/opt/rapid7/nexpose leads out of --root $R: a symbolic link on the way resolves to $D/moved/nexpose" \
    "$PTR names install_dir /opt/rapid7/nexpose, which leads there"
rm "$R/opt/rapid7"
ln -s ../../moved "$R/opt/rapid7"
refused "install_dir through a relative link out" 6 "leads out of --root $R"
rm "$R/opt/rapid7"
mkdir -p "$R/srv"
mv "$D/moved" "$R/srv/rapid7"
ln -s ../srv/rapid7 "$R/opt/rapid7"
run 10 status --root "$R"
out_has "Install dir:  /opt/rapid7/nexpose"
run 0 uninstall --silent --root "$R"
missing "$R/srv/rapid7/nexpose/nse"

# --- test_sysfile_through_link: the folder of the service definition
# leads out of the root (an image whose etc/systemd/system became a link):
# uninstall removes nothing there, and nothing else either.
fresh
mv "$R/etc/systemd/system" "$D/units"
ln -s "$D/units" "$R/etc/systemd/system"
DAMAGED=1 refused "service folder through a link out" 6 \
    "$R/etc/systemd/system leads out of --root $R" \
    "names /etc/systemd/system/"
exists "$D/units/nexposeengine.service"
exists "$I/nse/nseserv"

# --- test_state_folder_through_link: the state folder (pointer, run lock,
# journal) leads out of the root: a requirement of the root, exit 3, and
# no lock file is made where it leads.
fresh
mv "$R/var/lib/engine-setup" "$D/state"
ln -s "$D/state" "$R/var/lib/engine-setup"
refused "state folder through a link out" 3 \
    "$R/var/lib/engine-setup/installation leads out of --root $R"
check "no lock file beside the root" test "$(ls -A "$D/state")" = installation

# --- test_service_link_out: a fresh root whose etc/ leads the service
# definition out of it (finding 2): exit 3 before anything changes, for
# every path the service definition may write, absolute and relative
# links, systemd and SysV; --check says so too.
# service_refused WHAT LINK TARGET [ENV...]: LINK (in the root) -> TARGET
# (OUT: the case folder's out/); the install exits 3 and changes nothing.
service_refused() {
	local what=$1 link=$2 target=$3
	shift 3
	D=$(mktemp -d "$WORK/case.XXXXXX")
	R=$D/root
	mkdir -p "$R/$(dirname "$link")" "$D/out"
	[ "$target" = OUT ] && target=$D/out
	ln -s "$target" "$R/$link"
	# The run lock's folders come and go (docs/journal.md, "Known
	# limits"): made before the check, so that it looks at them.
	mkdir -p "$R/var/lib"
	snap
	TESTS_RUN=$((TESTS_RUN + 1))
	OUT=$(env "$@" "$ES_BIN" --silent --answers "$WORK/e.txt" --root "$R" 2>&1)
	RC=$?
	[ $RC -eq 3 ] || fail "$what: install exited $RC, expected 3: $OUT"
	out_has "leads out of --root $R: a symbolic link on the way resolves to"
	out_has "give the link a target that stays inside it"
	unchanged "$what"
	check "$what: nothing in $D/out" test -z "$(ls -A "$D/out")"
	OUT=$(env "$@" "$ES_BIN" --check --silent --answers "$WORK/e.txt" --root "$R" 2>&1)
	check "$what: --check exits 3" test $? -eq 3
	unchanged "$what, --check"
}
service_refused "etc/systemd/system -> out" etc/systemd/system OUT
service_refused "etc -> ../out" etc ../out
service_refused "etc/systemd -> ../../out" etc/systemd ../../out
service_refused "the wants folder -> out" \
    etc/systemd/system/multi-user.target.wants OUT
service_refused "SysV: etc/init.d -> out" etc/init.d OUT ES_INIT_SYSTEM=sysv
service_refused "SysV: etc/rc3.d -> ../out" etc/rc3.d ../out ES_INIT_SYSTEM=sysv
# A link that stays inside the root is followed.
D=$(mktemp -d "$WORK/case.XXXXXX")
R=$D/root
mkdir -p "$R/usr/etc/systemd"
ln -s usr/etc "$R/etc"
run 0 --silent --answers "$WORK/e.txt" --root "$R"
exists "$R/usr/etc/systemd/system/nexposeengine.service"
run 0 uninstall --silent --root "$R"
missing "$R/usr/etc/systemd/system/nexposeengine.service"

# --- test_uninstall_keeps_changed_files: a file the administrator edited
# or replaced after the install stays, and uninstall says so (output, and
# uninstall.log); what is unchanged goes.
fresh
echo '<!-- mine -->' >> "$I/nse/conf/logging.xml"
rm "$I/nse/conf/nse.crt"
ln -s /etc/hostname "$I/nse/conf/nse.crt"
run 6 uninstall --silent --root "$R"
out_has "kept /opt/rapid7/nexpose/nse/conf/logging.xml: its content changed after the install"
out_has "kept /opt/rapid7/nexpose/nse/conf/nse.crt: it is no longer the file the installation put there"
out_has "the installation is removed, but 2 paths that are not logs stay (named above with why; $I/.install/uninstall.log names every one)"
file_has "$I/nse/conf/logging.xml" '<!-- mine -->'
check "the link put in place of nse.crt stays" test -L "$I/nse/conf/nse.crt"
missing "$I/nse/conf/nse.key"
missing "$I/nse/nseserv"
file_has "$I/.install/uninstall.log" "kept /opt/rapid7/nexpose/nse/conf/logging.xml: its content changed after the install"
# Many: the first five are named, the log names them all.
fresh
n=0
while read -r t _ _ path; do
	[ "$t" = f ] || continue
	echo changed >> "$R$path"
	n=$((n + 1))
done < "$REC"
run 6 uninstall --silent --root "$R"
check "five changed files named" test "$(grep -c ': its content changed after the install' <<<"$OUT")" -eq 5
out_has "kept $((n - 5)) more changed files: /opt/rapid7/nexpose/.install/uninstall.log names them all"
check "the log names all $n" test "$(grep -c ': its content changed after the install' "$I/.install/uninstall.log")" -eq "$n"

# --- test_own_changes_not_kept: a console adding itself changes
# consoles.xml (kept at uninstall, it is not engine-setup's change);
# `consoles enable` is, and keeps the record's sum current, so the
# uninstall after it leaves nothing but the logs.
engine_answers console-to-engine > "$WORK/c2e.txt"
for enable in no yes; do
	D=$(mktemp -d "$WORK/case.XXXXXX")
	R=$D/root
	I=$R/opt/rapid7/nexpose
	mkdir "$R"
	run 0 --silent --answers "$WORK/c2e.txt" --root "$R"
	cat > "$I/nse/conf/consoles.xml" <<'EOT'
<?xml version="1.0" encoding="UTF-8"?>
<Consoles>
  <console id="1" enabled="0" connectTo="0" name="HQ" lastAddress="10.0.0.5" port="40814"/>
</Consoles>
EOT
	[ $enable = yes ] && run 0 consoles enable 10.0.0.5 --root "$R"
	run "$([ $enable = yes ] && echo 0 || echo 6)" uninstall --silent --root "$R"
	if [ $enable = yes ]; then
		out_lacks "  kept "
		check "consoles enable, uninstall: only the logs are left" test \
		    "$(cd "$R" && find . -type f | sort | tr '\n' ' ')" = \
		    "./opt/rapid7/nexpose/.install/install.log ./opt/rapid7/nexpose/.install/uninstall.log "
	else
		out_has "kept /opt/rapid7/nexpose/nse/conf/consoles.xml: its content changed after the install"
		exists "$I/nse/conf/consoles.xml"
	fi
done
finish
