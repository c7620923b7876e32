#!/usr/bin/env bash
# Payload links that lead outside the installation (issue 9, part 4), and
# the rest of their kind: each attack is refused by mkpayload, and again by
# the installer when a payload is crafted past mkpayload
# (tools/craft_payload.py); a refused install exits 6 and leaves the root
# empty and the folder outside it as it was. The installer's own writes,
# reads and removals never follow a link, also one that an older version
# let in (an installation changed after the fact stands for it here).
. "$(dirname "$0")/lib.sh"

: "${MKPAYLOAD:?}" "${STUB:?}" "${ES_SRC:?}"
CRAFT=$(dirname "$0")/tools/craft_payload.py
engine_answers console-to-engine > "$WORK/e.txt"

# newtree NAME: a copy of the sample payload tree.
newtree() {
	rm -rf "${WORK:?}/$1"
	cp -r "${ES_PAYLOAD_TREE:-$ES_SRC/payload}" "$WORK/$1"
	echo "$WORK/$1"
}

# outside NAME: an empty folder beside the roots (mode 0755), which the
# attacks aim at: from <root>/opt/rapid7/<install or staging>/nse, five
# ".." climb to $WORK.
outside() {
	rm -rf "${WORK:?}/$1"
	mkdir -m 0755 "$WORK/$1"
	echo "$WORK/$1"
}

# untouched DIR WHAT: DIR is still empty and 0755.
untouched() {
	check "$2: $1 holds nothing new" test -z "$(ls -A "$1")"
	mode_is "$1" 755
}

# mkpayload_refuses TREE WANT...: mkpayload exits non-zero, saying each WANT.
mkpayload_refuses() {
	local tree=$1 w
	shift
	TESTS_RUN=$((TESTS_RUN + 1))
	OUT=$("$MKPAYLOAD" --stub "$STUB" --tree "$tree" --out "$WORK/refused" 2>&1)
	if [ $? -eq 0 ]; then
		fail "mkpayload packed $tree"
		return 1
	fi
	for w in "$@"; do out_has "$w"; done
	missing "$WORK/refused"
}

# craft TREE [EXTRA]: an installer with TREE's entries as they are, and
# EXTRA's lines after them, past every check of mkpayload.
craft() {
	python3 "$CRAFT" --stub "$STUB" --tree "$1" --out "$WORK/crafted" \
	    ${2:+--extra "$2"} || fail "craft_payload.py failed on $1"
}

# install_refused WHAT WANT...: the crafted installer exits 6, saying each
# WANT, and leaves its root empty.
install_refused() {
	local what=$1 w R
	shift
	R=$(newroot)
	ES_BIN=$WORK/crafted run 6 --silent --answers "$WORK/e.txt" --root "$R"
	for w in "$@"; do out_has "$w"; done
	out_has "Everything this run changed was undone"
	check "$what: the root is left empty" test -z "$(ls -A "$R")"
}

# --- test_link_loop_escape: the issue's payload. "q -> ." and a config
# folder "q/q/q/q/q/../../../../../outside": inside by its text, outside
# once q resolves. The target does not exist when mkpayload runs.
T=$(newtree loop)
rm -rf "$T/engine/nse/conf"
ln -s . "$T/engine/nse/q"
ln -s q/q/q/q/q/../../../../../outside "$T/engine/nse/conf"
mkpayload_refuses "$T" "cannot pack it" "nse/q" "nse/conf"
O=$(outside outside)
craft "$T"
install_refused "link loop escape" 'refusing to extract payload entry "engine/nse/q"' \
    'would redirect the link "nse/conf"'
untouched "$O" "link loop escape"
# The same escape with the loop link sorted first.
T=$(newtree loop2)
rm -rf "$T/engine/nse/conf"
ln -s . "$T/engine/nse/a"
ln -s a/a/a/a/a/../../../../../outside "$T/engine/nse/conf"
mkpayload_refuses "$T" "nse/conf" 'resolves through "nse/a"'
craft "$T"
install_refused "link loop escape, loop first" 'refusing to extract payload entry "engine/nse/conf"' \
    'resolves through "nse/a", a symbolic link'
untouched "$O" "link loop escape, loop first"

# --- test_record_dir_link: .install made a link by the same trick would
# have the record folder chmod'ed 0700 and the record written outside.
T=$(newtree recdir)
ln -s . "$T/engine/q"
ln -s q/q/q/q/../../../../outside "$T/engine/.install"
mkpayload_refuses "$T" ".install" "installer's own folder"
craft "$T"
install_refused "record folder link" '"engine/.install"' "installer's own folder"
untouched "$O" "record folder link"
# Inside the installation, too: .install is the installer's.
T=$(newtree recdir2)
ln -s nse "$T/engine/.install"
mkpayload_refuses "$T" "installer's own folder"

# --- test_link_through_link: a link whose way leads through another link,
# even when it would end inside.
T=$(newtree through)
ln -s lib "$T/engine/nse/l"
ln -s l/../bin "$T/engine/nse/m"
mkpayload_refuses "$T" "nse/m" 'resolves through "nse/l"'
craft "$T"
install_refused "link through a link" '"engine/nse/m"' 'resolves through "nse/l"'

# --- test_config_write_through_planted_link: a link that stays inside
# (mkpayload packs it) where the installer writes its configuration. The
# write does not follow it, with openat2 and with the walk older kernels
# get; nothing lands in the folder it points at.
T=$(newtree planted)
mv "$T/engine/nse/conf" "$T/engine/nse/conf.real"
ln -s conf.real "$T/engine/nse/conf"
"$MKPAYLOAD" --stub "$STUB" --tree "$T" --out "$WORK/planted-setup" >/dev/null ||
    fail "mkpayload refused a link that stays inside"
for walk in "" 1; do
	R=$(newroot)
	ES_TEST_NO_OPENAT2=$walk ES_BIN=$WORK/planted-setup run 6 --silent \
	    --answers "$WORK/e.txt" --root "$R"
	out_has "nse/conf is a symbolic link, which engine-setup never follows there"
	check "planted config link (walk=$walk): the root is left empty" \
	    test -z "$(ls -A "$R")"
done

# --- test_dup_file_then_dir: a file, then a folder of the same name (the
# service's program); the same file twice; a file, then entries inside it.
T=$(newtree dup)
printf 'd engine/nse/nseserv\n' > "$WORK/extra"
craft "$T" "$WORK/extra"
install_refused "file then folder" 'refusing to extract payload entry "engine/nse/nseserv/"' \
    "appears twice: a file of this name came first"
printf 'f engine/nse/lib/README.txt second\n' > "$WORK/extra"
craft "$T" "$WORK/extra"
install_refused "same file twice" "appears twice"
printf 'f engine/nse/nseserv/inside x\n' > "$WORK/extra"
craft "$T" "$WORK/extra"
install_refused "entries inside a file" '"nse/nseserv" is a file'
# Two components that unpack into one install_dir may not both bring a file.
mkdir -p "$T/console/nse/lib"
echo mine > "$T/console/nse/lib/README.txt"
mkpayload_refuses "$T" "engine/nse/lib/README.txt" "appears twice" \
    "component console unpacks console/ and engine/"

# --- test_overlong_path: 409 folders deep, more than the 1000 bytes an
# install_dir leaves a payload path (which uninstall could not remove).
T=$(newtree long)
deep=engine$(printf '/dd%.0s' $(seq 409))
printf 'f %s/file deep\n' "$deep" > "$WORK/extra"
craft "$T" "$WORK/extra"
install_refused "over-long path" "longer than 1000 bytes"
mkdir -p "$T/$deep" && echo deep > "$T/$deep/file"
mkpayload_refuses "$T" "longer than 1000 bytes"

# --- test_uninstall_through_planted_link, and the other commands: an
# installation whose nse/conf became a link to a folder outside (as an
# older version let a payload do). Nothing outside is read, written or
# removed.
R=$(newroot)
run 0 --silent --answers "$WORK/e.txt" --root "$R"
I=$R/opt/rapid7/nexpose
O=$(outside victim)
for f in nse.key nse.crt nse.xml consoles.xml logging.xml; do
	echo "OUTSIDE-SECRET $f" > "$O/$f"
done
rm -rf "$I/nse/conf"
ln -s "$O" "$I/nse/conf"
before=$(tree "$O")
TESTS_RUN=$((TESTS_RUN + 1))
OUT=$("$ES_BIN" consoles enable 10.0.0.5 --root "$R" 2>&1) &&
    fail "consoles enable through a planted link succeeded: $OUT"
out_has "nse/conf is a symbolic link"
# Other answers, so that it installs again and reads the old key,
# certificate and consoles.xml to keep them.
run 0 --silent --answers "$WORK/e.txt" --root "$R" --overwrite \
    --set engine_name=other
out_lacks "nothing to do"
check "overwrite read nothing through the link" \
    test -z "$(grep -rl OUTSIDE-SECRET "$I" 2>/dev/null)"
check "overwrite made nse/conf a folder again" test -d "$I/nse/conf" -a ! -L "$I/nse/conf"
check "overwrite left the outside folder as it was" test "$before" = "$(tree "$O")"
rm -rf "$I/nse/conf"
ln -s "$O" "$I/nse/conf"
run 6 uninstall --silent --root "$R"
out_has "kept /opt/rapid7/nexpose/nse/conf: it is a symbolic link where the installation made a folder: nothing was removed through it"
check "uninstall removed nothing through the link" test "$before" = "$(tree "$O")"
file_has "$I/.install/uninstall.log" "nse/conf is a symbolic link"
finish
