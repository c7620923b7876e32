#!/usr/bin/env bash
# The Ansible role (deploy/ansible/roles/engine_setup) on three fresh chroot
# hosts (tests/fleet/lib.sh: bookworm minbase + python3, the
# community.general.chroot connection), with the test console on 127.0.0.1:
#   a. h1 Console-to-Engine, h2 h3 Engine-to-Console pairing (secret from a
#      vars file): changed on all three, h2 h3 registered at the console,
#      status exit 0 on all;
#   b. the same again (with -vvv): changed=0;
#   c. check mode (--check --diff) with another engine_name on h2: changed
#      on h2 with a diff naming the answer, nothing on disk changed;
#   d. the console adds h1 (Pending Authorization); a run with
#      engine_setup_consoles_enable: changed on h1 only, then Active;
#   e. the 7.4.0 installer (its own sha256) upgrades all three, keeping
#      their engine ids (the console is upgraded to 7.4.0 first);
#   f. a wrong engine_setup_installer_sha256 on h3: h3 failed, h1 h2 ok;
#   g. absent: nothing of the engine left, status exit 9;
#   h. present with a wrong secret: h2 h3 failed with the installer's
#      pairing error and nothing installed, h1 changed; absent again;
#   i. the secret is in no file: the hosts' upper layers, ansible's log of
#      a -vvv run, the JSON outputs, the fact cache.
#
#   ES_RELEASE=FILE TEST_CONSOLE=FILE MKPAYLOAD=FILE bash tests/fleet/test_role.sh
#
# MKPAYLOAD (the build's mkpayload) repacks the release file's payload as
# 7.4.0 onto the release file's own installer program. Root only; skipped
# (77) where it cannot run, a failure under CI=true. Prints the time of
# every phase.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
SRC=${ES_SRC:-$(cd "$HERE/../.." && pwd)}
. "$SRC/tests/fleet/lib.sh"
if [ -z "${ES_CHROOT_INNER:-}" ]; then
	[ -n "${MKPAYLOAD:-}" ] && [ -x "$MKPAYLOAD" ] ||
		broken "MKPAYLOAD must name the build's mkpayload (cmake --build BUILD --target mkpayload)"
	[ -f "${FLEET_ROLES:-$SRC/deploy/ansible/roles}/engine_setup/tasks/main.yml" ] ||
		broken "the role is missing: ${FLEET_ROLES:-$SRC/deploy/ansible/roles}/engine_setup/tasks/main.yml"
fi
fleet_outer "$0" "$@"

# ---- Inside the namespaces.
T_ALL=$(now)
fleet_up 3
t0=$(now)
phase() {
	echo "time: $1: $(since "$t0")"
	t0=$(now)
}
D=/opt/rapid7/nexpose
PLAY=$HERE/play.yml

# release_740 OUT: the release file with its payload made 7.4.0: the
# trailer (docs/payload.md) gives the installer program's end and the two
# archives; mkpayload packs the changed tree onto that program. The files
# change too (nse-version says 7.4.0, one file is new), as a new release's
# do: the installer tells payloads apart by the data archive's SHA-256, and
# takes one whose manifest alone changed for the payload installed.
release_740() {
	local out=$1 w=$FLEET_T/r740
	mkdir -p "$w/tree"
	"$FLEET_PY" - "$ES_RELEASE" "$w" <<'PY' || return 1
import struct, sys
src, w = sys.argv[1], sys.argv[2]
with open(src, "rb") as f:
    data = f.read()
t = data[-128:]
if t[:8] != b"ESPAYLD1":
    sys.exit("%s: no payload trailer" % src)
meta_off, meta_len, data_off, data_len = struct.unpack("<4Q", t[16:48])
for name, part in (("stub", data[:meta_off]),
                   ("meta.tar", data[meta_off:meta_off + meta_len]),
                   ("data.tar.zst", data[data_off:data_off + data_len])):
    with open("%s/%s" % (w, name), "wb") as f:
        f.write(part)
PY
	chmod 755 "$w/stub"
	tar -xf "$w/meta.tar" -C "$w/tree" &&
		tar --zstd -xf "$w/data.tar.zst" -C "$w/tree" &&
		sed -i 's/^version = .*/version = 7.4.0/' "$w/tree/manifest" &&
		sed -i 's/7\.3\.1/7.4.0/g' "$w/tree/engine/nse/bin/nse-version" &&
		printf 'Added in 7.4.0.\n' >"$w/tree/engine/nse/lib/new-in-7.4.0.txt" &&
		"$MKPAYLOAD" --stub "$w/stub" --tree "$w/tree" --out "$out" >/dev/null &&
		chmod 755 "$out" && rm -rf "$w"
}
REL1=$ES_RELEASE
SHA1=$(sha256sum "$REL1" | cut -d' ' -f1)
REL2=$FLEET_T/engine-setup-7.4.0
release_740 "$REL2" || broken "cannot make the 7.4.0 release file from $REL1"
SHA2=$(sha256sum "$REL2" | cut -d' ' -f1)
"$REL2" --payload-info 2>&1 | grep -q '7\.4\.0' ||
	broken "the 7.4.0 release file says: $("$REL2" --payload-info 2>&1)"
phase "the 7.4.0 release file (mkpayload)"

# ---- Inputs: group_vars (installer, state) and host_vars (answers).
EP=$(free_port)
mkdir -p "$FLEET_T/group_vars" "$FLEET_T/host_vars"
# group INSTALLER SHA256 STATE: the inputs every host shares.
group() {
	cat >"$FLEET_T/group_vars/engines.yml" <<EOT
engine_setup_installer: "$1"
engine_setup_installer_sha256: "$2"
engine_setup_state: "$3"
EOT
}
# host H ENGINE_NAME [YAML_LINE...]: H's answers (h1 Console-to-Engine on
# port EP, the others Engine-to-Console pairing with the test console,
# pinned), and any other top-level lines.
host() {
	local h=$1 name=$2
	shift 2
	{
		echo "engine_setup_answers:"
		echo '  accept_license: "yes"'
		echo '  component: "engine"'
		echo '  first_name: "Ada"'
		echo '  last_name: "Lovelace"'
		echo '  company: "Example Corp"'
		echo "  engine_name: \"$name\""
		if [ "$h" = h1 ]; then
			echo '  communication: "console-to-engine"'
			echo "  engine_port: \"$EP\""
		else
			echo '  communication: "engine-to-console"'
			echo '  pair_now: "yes"'
			echo '  console_address: "127.0.0.1"'
			echo "  console_port: \"$CONSOLE_PORT\""
			echo "engine_setup_console_fingerprint: \"$CONSOLE_SPKI\""
		fi
		printf '%s\n' "$@"
	} >"$FLEET_T/host_vars/$h.yml"
}
ENABLE='engine_setup_consoles_enable: ["127.0.0.1"]'
group "$REL1" "$SHA1" present
host h1 engine-h1
host h2 engine-h2
host h3 engine-h3

# status_all EXPECTED: status --json on every host exits EXPECTED; the
# engine ids in ID[h], the versions in VER[h].
declare -A ID VER
status_all() {
	local h
	for h in "${FLEET_HOSTS[@]}"; do
		fleet_status "$h"
		ID[$h]=$(status_get engine.id)
		VER[$h]=$(status_get version)
		check "[$h] status exits $1 (it exited $STATUS_RC: $(status_get problems))" \
			test "$STATUS_RC" = "$1"
	done
}
# snapshot H: a listing of H's files (not /proc, /sys, /dev, nor the
# engine's logs, which its check-ins append to) with type, mode, owner;
# for files and links also size, time and target.
snapshot() {
	(cd "$(fleet_root "$1")" && find . \( -path ./proc -o -path ./sys -o -path ./dev \
		-o -path ".$D/nse/logs" \) -prune -o \
		\( -type d -printf '%p d %m %U:%G\n' \) -o \
		-printf '%p %y %m %U:%G %s %T@ %l\n') | LC_ALL=C sort
}
# in_output NAME HOST TEXT: some result of HOST in run NAME has TEXT.
in_output() {
	TESTS_RUN=$((TESTS_RUN + 1))
	fleet_results "$1" "$2" | grep -F -- "$3" >/dev/null && return 0
	fail "play $1: no result of $2 has \"$3\"; its failed results:
$(fleet_results "$1" "$2" | grep '"failed": true' | cut -c1-1500)"
	return 1
}
# diff_names NAME HOST TEXT: a result of HOST in run NAME has a diff that
# has TEXT.
diff_names() {
	TESTS_RUN=$((TESTS_RUN + 1))
	fleet_results "$1" "$2" | "$FLEET_PY" -c '
import json, sys
for line in sys.stdin:
    d = json.loads(line).get("diff")
    if d and sys.argv[1] in json.dumps(d):
        sys.exit(0)
sys.exit(1)' "$3" && return 0
	fail "play $1: no diff of $2 names $3; its diffs:
$(fleet_results "$1" "$2" | grep '"diff"' | cut -c1-1500)"
	return 1
}
# engines: the console's engines list in OUT.
engines() { tc 0 engines --control "$CONSOLE_CTL"; }
phase "inputs"

# ---- a. First run: installs everywhere, h2 h3 pair.
fleet_play a "$PLAY" -e "@$FLEET_VARS"
check "run a exits 0" test "$PLAY_RC" = 0
for h in h1 h2 h3; do
	stat_min a "$h" changed 1
	stat_is a "$h" failures 0
	exists "$(fleet_root "$h")$D/nse/conf/nse.xml"
	# A link to the kept program, by the path the host sees.
	check "[$h] the command /usr/local/sbin/engine-setup runs in the host" \
		fleet_cx "$h" test -x /usr/local/sbin/engine-setup
done
status_all 0
declare -A ID0
for h in h1 h2 h3; do
	ID0[$h]=${ID[$h]}
	check "[$h] has an engine id" test -n "${ID[$h]}"
	check "[$h] the role's engine_setup_result names engine ${ID[$h]}" \
		test "$(fleet_result a "$h" engine_id)" = "${ID[$h]}"
	check "[$h] version 7.3.1" test "${VER[$h]}" = 7.3.1
done
for h in h2 h3; do
	file_has "$CONSOLE_REGISTRY" "${ID[$h]:-no-id}"
	file_has "$(fleet_root "$h")$D/nse/conf/consoles.xml" "spki=\"$CONSOLE_SPKI\""
done
engines
for h in h2 h3; do
	TESTS_RUN=$((TESTS_RUN + 1))
	grep -q "^${ID[$h]:-no-id}	" <<<"$OUT" || fail "the console does not list $h's engine ${ID[$h]}: $OUT"
done
phase "a: first run (install, pair)"

# ---- b. Second run, same inputs, with -vvv for the log: nothing changes.
fleet_play b "$PLAY" -e "@$FLEET_VARS" -vvv
check "run b exits 0" test "$PLAY_RC" = 0
for h in h1 h2 h3; do
	stat_is b "$h" changed 0
	stat_min b "$h" ok 1
	stat_is b "$h" failures 0
done
phase "b: second run (-vvv)"

# ---- c. Check mode with another engine_name on h2: reported, not done.
for h in h1 h2 h3; do snapshot "$h" >"$FLEET_T/c-before-$h"; done
host h2 engine-h2-renamed
fleet_play c "$PLAY" -e "@$FLEET_VARS" --check --diff
check "run c exits 0" test "$PLAY_RC" = 0
stat_min c h2 changed 1
stat_is c h1 changed 0
stat_is c h3 changed 0
diff_names c h2 engine_name
for h in h1 h2 h3; do
	snapshot "$h" >"$FLEET_T/c-after-$h"
	TESTS_RUN=$((TESTS_RUN + 1))
	diff "$FLEET_T/c-before-$h" "$FLEET_T/c-after-$h" >"$FLEET_T/c-diff-$h" ||
		fail "[$h] check mode changed files (< before, > after):
$(head -n 30 "$FLEET_T/c-diff-$h")"
done
host h2 engine-h2
phase "c: check mode (--check --diff)"

# ---- d. Console-to-Engine: the console adds h1, a run enables it.
tc 0 add-engine "127.0.0.1:$EP" --control "$CONSOLE_CTL"
console_shows "127.0.0.1:$EP" "Pending Authorization" red
host h1 engine-h1 "$ENABLE"
fleet_play d "$PLAY" -e "@$FLEET_VARS"
check "run d exits 0" test "$PLAY_RC" = 0
stat_min d h1 changed 1
stat_is d h2 changed 0
stat_is d h3 changed 0
tc 0 refresh "127.0.0.1:$EP" --control "$CONSOLE_CTL"
console_shows "127.0.0.1:$EP" Active green
status_all 0
phase "d: Console-to-Engine enabled"

# ---- e. The 7.4.0 installer upgrades all three, keeping the engine ids.
# As in a real fleet the console is upgraded first (engines must match
# its major.minor): the same console (key, registry, port), now 7.4.0.
fleet_console --version 7.4.0
group "$REL2" "$SHA2" present
# h3 gets another engine_name in the same run: another version and other
# answers, which the role does as the upgrade first (with the
# installation's own answers and this run's secret file), then --overwrite.
host h3 engine-h3-renamed
fleet_play e "$PLAY" -e "@$FLEET_VARS"
check "run e exits 0" test "$PLAY_RC" = 0
for h in h1 h2 h3; do
	stat_min e "$h" changed 1
	stat_is e "$h" failures 0
done
status_all 0
for h in h1 h2 h3; do
	check "[$h] upgraded to 7.4.0 (status says ${VER[$h]})" test "${VER[$h]}" = 7.4.0
	check "[$h] keeps its engine id ${ID0[$h]} (now ${ID[$h]})" test "${ID[$h]}" = "${ID0[$h]}"
	check "[$h] engine_setup_result says 7.4.0" test "$(fleet_result e "$h" version)" = 7.4.0
	exists "$(fleet_root "$h")$D/nse/lib/new-in-7.4.0.txt"
done
check "[h3] the upgrade applied the new engine_name too" \
	grep -q 'name="engine-h3-renamed"' "$(fleet_root h3)$D/nse/conf/nse.xml"
check "[h3] the role did it as an upgrade, then --overwrite" \
	test "$(fleet_result e h3 action)" = overwrite
# The test console keeps only the engines registered by pairing across a
# restart: h1 is added again (which refreshes it).
tc 0 add-engine "127.0.0.1:$EP" --control "$CONSOLE_CTL"
console_shows "127.0.0.1:$EP" Active green
phase "e: upgrade to 7.4.0"

# ---- f. A wrong checksum for h3 only: h3 fails, the others are ok.
host h3 engine-h3 "engine_setup_installer_sha256: \"$(printf '0%.0s' $(seq 64))\""
fleet_play f "$PLAY" -e "@$FLEET_VARS"
check "run f exits non-zero (it exited $PLAY_RC)" test "$PLAY_RC" != 0
stat_min f h3 failures 1
for h in h1 h2; do
	stat_is f "$h" failures 0
	stat_is f "$h" changed 0
done
fleet_status h3
check "[h3] still 7.4.0 after the refused installer" test "$(status_get version)" = 7.4.0
host h3 engine-h3
phase "f: wrong checksum on h3"

# ---- g. absent: everything removed.
group "$REL2" "$SHA2" absent
fleet_play g "$PLAY" -e "@$FLEET_VARS"
check "run g exits 0" test "$PLAY_RC" = 0
# absent_checks H: nothing of the engine on H.
absent_checks() {
	local r
	r=$(fleet_root "$1")
	missing "$r$D"
	missing "$r/etc/init.d/nexposeengine"
	missing "$r/etc/systemd/system/nexposeengine.service"
	missing "$r/usr/local/sbin/engine-setup"
	missing "$r/var/lib/engine-setup/installation"
	fleet_status "$1"
	check "[$1] status exits 9 (not installed; it exited $STATUS_RC)" test "$STATUS_RC" = 9
	check "[$1] no process left in the host" test -z "$(chroot_pids "$r")"
}
for h in h1 h2 h3; do
	stat_min g "$h" changed 1
	absent_checks "$h"
done
phase "g: absent"

# ---- h. A wrong secret: h2 h3 fail with the installer's message and get
# nothing; h1 (no pairing) installs. Then absent again.
WRONG=$FLEET_T/wrong.yml
printf 'engine_setup_shared_secret: "%s"\n' \
	"$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n' | tr a-f A-F | sed 's/..../&-/g; s/-$//')" >"$WRONG"
group "$REL2" "$SHA2" present
fleet_play h "$PLAY" -e "@$WRONG"
check "run h exits non-zero (it exited $PLAY_RC)" test "$PLAY_RC" != 0
stat_min h h1 changed 1
stat_is h h1 failures 0
for h in h2 h3; do
	stat_min h "$h" failures 1
	# The installer's own words for the console's 404 unknown_secret.
	in_output h "$h" "unknown_secret"
	missing "$(fleet_root "$h")$D/nse"
	fleet_status "$h"
	check "[$h] nothing installed (status exits 9; it exited $STATUS_RC)" test "$STATUS_RC" = 9
done
group "$REL2" "$SHA2" absent
fleet_play h-absent "$PLAY" -e "@$FLEET_VARS"
check "run h-absent exits 0" test "$PLAY_RC" = 0
stat_min h-absent h1 changed 1
for h in h1 h2 h3; do absent_checks "$h"; done
phase "h: wrong secret, then absent"

# ---- i. The secret is nowhere: not in any file of any host (the upper
# layers hold every file a run wrote), ansible's log (b ran with -vvv),
# every run's output (JSON, with the facts the role set) and errors, the
# fact cache, ansible's own folders.
typed=$FLEET_SECRET
bare=${FLEET_SECRET//-/}
for what in "$FLEET_T/rw" "$FLEET_LOG" "$FLEET_T"/*.out "$FLEET_T"/*.err \
	"$FLEET_T/facts" "$FLEET_T/ansible-local" "$FLEET_T/ansible-home"; do
	TESTS_RUN=$((TESTS_RUN + 1))
	hits=$(grep -rliF -e "$typed" -e "$bare" "$what" 2>/dev/null)
	[ -z "$hits" ] || fail "the secret is in: $hits"
done
# Ansible 2.14 writes the workers' -vvv lines to stdout only, not to
# log_path: both were searched.
check "run b's output has -vvv's connection lines" grep -q "EXEC \['[^']*chroot'" "$FLEET_T/b.out"
check "ansible's log has run b" grep -q "engine_setup" "$FLEET_LOG"
check "the JSON outputs have the engine_setup_result facts" test -n "$(fleet_result a h2 engine_id)"
phase "i: the secret in no file"

echo "time: the whole test: $(since "$T_ALL")"
# After a failure, the run's outputs stay in the kept work folder.
if [ "$TESTS_FAILED" -ne 0 ]; then
	cp -r "$FLEET_T"/*.out "$FLEET_T"/*.err "$FLEET_LOG" "$FLEET_T/console.log" \
		"$FLEET_T/console.out" "$FLEET_T/host_vars" "$FLEET_T/group_vars" "$WORK/" 2>/dev/null
fi
finish
