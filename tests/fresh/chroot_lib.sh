# What the tests on chroot hosts share (tests/fresh/test_fresh_host.sh,
# tests/fleet/lib.sh): a cached Debian tree (scripts/hosts), private mount
# and PID namespaces that every mount and process of a run lives in, a
# throwaway folder, and a host made of the tree (an overlay) with /proc,
# /sys, /dev and /run mounted. Sourced; needs $SRC (the clone).
#
# A test script calls chroot_outer near its top: outside the namespaces it
# checks what is needed, makes the folder, runs the script again inside
# them and exits with its status; inside (ES_CHROOT_INNER set) it returns,
# with $ES_CHROOT_DIR the throwaway folder and $ES_CHROOT_TREE the tree.
set -u

# skip REASON: the test cannot run here: 77 (CTest: skipped), but under CI
# (CI=true) a failure, since there these tests are what proves the release
# file.
skip() {
	if [ "${CI:-}" = true ]; then
		echo "FAIL: cannot run under CI: $*" >&2
		echo "0 passed, 1 failed"
		exit 1
	fi
	echo "skipped: $*"
	exit 77
}
# broken REASON: the test is set up wrongly (a missing file): exit 1.
broken() {
	echo "FAIL: $*" >&2
	echo "0 passed, 1 failed"
	exit 1
}
# now: the time in seconds with decimals; since T0: the seconds since T0.
now() { echo "${EPOCHREALTIME/,/.}"; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f s", b - a }'; }
# mounts_under DIR: mount points at or under DIR in this mount namespace,
# deepest first.
mounts_under() {
	awk -v p="$1" '{ m = $5; gsub(/\\040/, " ", m)
		if (m == p || index(m, p "/") == 1) print m }' /proc/self/mountinfo |
		awk '{ print length($0) "\t" $0 }' | sort -rn | cut -f2-
}

# chroot_outer HOST TAG SCRIPT ARGS...: outside the namespaces, check root,
# chroot, unshare and mounts (skip otherwise), take HOST's tree from
# scripts/hosts (made when not cached and the mirror can be reached; skip
# otherwise), make the throwaway folder ${TMPDIR:-/tmp}/es-TAG.XXXXXX, run
# bash SCRIPT ARGS... inside private mount and PID namespaces
# (ES_CHROOT_INNER=1, ES_CHROOT_DIR, ES_CHROOT_TREE, ES_CHROOT_TAG set) and
# exit with its status, after checking that no mount is left and removing
# the folder. Inside the namespaces it returns at once.
chroot_outer() {
	local host=$1 tag=$2 script=$3 t d t0
	shift 3
	[ -n "${ES_CHROOT_INNER:-}" ] && return 0
	[ "$(id -u)" -eq 0 ] || skip "needs root (debootstrap, chroot, mounts)"
	for t in chroot unshare mount umount flock; do
		command -v "$t" >/dev/null || skip "needs $t"
	done
	# The chroot needs /proc, /sys and /dev mounted; they go into private
	# namespaces. Without the right to make them there is no way to run.
	unshare --mount --propagation private --pid --fork --mount-proc true 2>/dev/null ||
		skip "cannot make private mount and PID namespaces here (unshare), so no chroot with /proc"
	if ES_CHROOT_TREE=$(bash "$SRC/scripts/hosts" --cached "$host"); then
		echo "host tree: $ES_CHROOT_TREE (cached)"
	else
		command -v debootstrap >/dev/null || command -v apt-get >/dev/null ||
			skip "no $host tree cached, no debootstrap, and no apt-get to install it"
		getent hosts deb.debian.org >/dev/null ||
			skip "no $host tree cached, and deb.debian.org cannot be resolved to make one"
		t0=$(now)
		ES_CHROOT_TREE=$(bash "$SRC/scripts/hosts" "$host") || broken "scripts/hosts $host failed"
		echo "time: host tree (scripts/hosts $host): $(since "$t0")"
	fi

	# Throwaway folders of runs that were killed (their owner is gone).
	for d in "${TMPDIR:-/tmp}/es-$tag-"*; do
		[ -f "$d/owner" ] || continue
		kill -0 "$(cat "$d/owner")" 2>/dev/null && continue
		[ -z "$(mounts_under "$d")" ] && rm -rf --one-file-system "$d"
	done
	CHROOT_T=$(mktemp -d "${TMPDIR:-/tmp}/es-$tag-XXXXXX")
	echo $$ >"$CHROOT_T/owner"
	CHROOT_CHILD=
	trap chroot_outer_exit EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	trap 'exit 129' HUP
	ES_CHROOT_INNER=1 ES_CHROOT_TREE=$ES_CHROOT_TREE ES_CHROOT_DIR=$CHROOT_T \
	ES_CHROOT_TAG="$tag-$$" \
		unshare --mount --propagation private --pid --fork --mount-proc \
		--kill-child bash "$script" "$@" &
	CHROOT_CHILD=$!
	wait "$CHROOT_CHILD"
	t=$?
	CHROOT_CHILD=
	exit "$t"
}
chroot_outer_exit() {
	local rc=$? left
	trap - EXIT INT TERM HUP
	if [ -n "$CHROOT_CHILD" ] && kill -0 "$CHROOT_CHILD" 2>/dev/null; then
		# unshare ignores TERM while it waits: tell the inner script (its
		# child), then wait for the namespaces to end.
		kill -TERM $(cat "/proc/$CHROOT_CHILD/task/$CHROOT_CHILD/children" 2>/dev/null) 2>/dev/null
		wait "$CHROOT_CHILD" 2>/dev/null
	fi
	left=$(mounts_under "$CHROOT_T")
	if [ -n "$left" ]; then
		echo "FAIL: mounts left behind on the host:" >&2
		echo "$left" >&2
		rc=1
	else
		# Out here no mount of the run is visible; never cross one.
		rm -rf --one-file-system "$CHROOT_T"
	fi
	exit "$rc"
}

# chroot_host LOWER ROOT RW: inside the namespaces, lay the tree LOWER out
# at ROOT as an overlay whose upper layer is RW/upper on a tmpfs mounted at
# RW (or, with ES_FRESH_COPY=cp or without overlayfs, as a copy), then
# mount /proc, /sys, /dev (the host's, bound read-only, so that nothing in
# the chroot can remove or add a host device) and a /run tmpfs in it.
# Sets CHROOT_HOW to how; exits (broken) when it cannot.
chroot_host() {
	local lower=$1 r=$2 rw=$3
	mkdir -p "$r" "$rw"
	CHROOT_HOW=copy
	if [ "${ES_FRESH_COPY:-}" != cp ] &&
		mount -t tmpfs -o mode=0755 es-chroot "$rw" &&
		mkdir -p "$rw/upper" "$rw/work" &&
		mount -t overlay es-chroot -o "lowerdir=$lower,upperdir=$rw/upper,workdir=$rw/work" "$r" 2>/dev/null; then
		CHROOT_HOW="overlay (upper on tmpfs)"
	else
		mountpoint -q "$rw" && umount "$rw"
		cp -a --reflink=auto "$lower/." "$r/" || broken "cannot copy $lower to $r"
	fi
	mount -t proc proc "$r/proc" &&
		mount -t sysfs sysfs "$r/sys" &&
		mount --rbind /dev "$r/dev" &&
		mount -o remount,bind,ro "$r/dev" &&
		mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs "$r/run" &&
		mkdir -m 1777 "$r/run/lock" ||
		broken "cannot mount /proc, /sys, /dev, /run in $r"
}

# chroot_pids ROOT: processes whose root is ROOT (services, wizards).
chroot_pids() {
	local p
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/root" 2>/dev/null)" = "$1" ] && echo "${p#/proc/}"
	done
}

# chroot_unmount DIR: end every process whose root is under DIR and
# unmount everything at or under DIR (idempotent).
chroot_unmount() {
	local p m root
	for p in /proc/[0-9]*; do
		root=$(readlink "$p/root" 2>/dev/null) || continue
		case $root in "$1" | "$1"/*) kill -KILL "${p#/proc/}" 2>/dev/null ;; esac
	done
	for m in $(mounts_under "$1"); do
		umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null
	done
}
