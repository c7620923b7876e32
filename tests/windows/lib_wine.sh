# Shared helpers of the Windows tests: they run the Windows release file
# ($ES_WIN_EXE, dist/engine-setup-windows-x86_64.exe) under wine, in a
# throwaway WINEPREFIX of their own, and assert on what lands in its
# drive_c, its registry and its Service Control Manager. Sourced by
# tests/windows/test_*.sh; tests/e2e/lib.sh gives the assertions.
#
# A booted prefix is made once per wine version and kept outside the clone
# ($ES_CACHE/wine/, default /var/cache/engine-setup): booting one takes
# about half a minute, copying it a few seconds.
set -u
: "${ES_WIN_EXE:?ES_WIN_EXE must name the Windows release file}"
ES_WIN_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

if ! command -v wine >/dev/null || ! command -v wineserver >/dev/null; then
	echo "skipped: wine is needed (apt-get install wine64 wine)"
	[ "${CI:-}" = true ] && exit 1
	exit 77
fi

# engine-setup.exe through wine, for lib.sh's run(): CRLF line ends made LF.
ES_BIN=$(mktemp "${TMPDIR:-/tmp}/es-wine-bin.XXXXXX")
cat > "$ES_BIN" <<'EOT'
#!/usr/bin/env bash
out=$(wine "$ES_WIN_EXE" "$@" 2>&1)
rc=$?
printf '%s\n' "${out//$'\r'/}"
exit "$rc"
EOT
chmod 755 "$ES_BIN"
export ES_BIN ES_WIN_EXE
. "$ES_WIN_DIR/../e2e/lib.sh"
on_exit 'rm -f "$ES_BIN"'

export WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
# Wine keeps no display here.
unset DISPLAY WAYLAND_DISPLAY

# wine_prefix: a fresh prefix for this test in $WINEPREFIX, copied from
# the cached booted one; its wineserver is stopped when the test ends.
wine_prefix() {
	local cache=${ES_CACHE:-/var/cache/engine-setup}/wine ver tmpl
	ver=$(wine --version 2>/dev/null | tr -c 'A-Za-z0-9.\n-' _)
	tmpl=$cache/prefix-$ver
	if [ ! -f "$tmpl.complete" ]; then
		mkdir -p "$cache"
		rm -rf "$tmpl" "$tmpl.tmp"
		WINEPREFIX=$tmpl.tmp wineboot -i >/dev/null 2>&1
		WINEPREFIX=$tmpl.tmp wineserver -w
		mv "$tmpl.tmp" "$tmpl"
		touch "$tmpl.complete"
	fi
	export WINEPREFIX=$WORK/prefix
	cp -a "$tmpl" "$WINEPREFIX"
	on_exit 'wineserver -k 2>/dev/null; true'
	# Start the prefix's wineserver and warm it, so that the first run
	# is not the slow one (and not timed out).
	wineserver -p
	wine cmd /c exit >/dev/null 2>&1
	# Wine ends its service processes (services.exe and the services it
	# started) when the last ordinary program of the prefix exits, as
	# Windows would at log-off: one waits here, as a logged-on session
	# would, so that a service started by one run is still running for
	# the next.
	# It waits on a FIFO whose writing end this shell holds: when the
	# test ends, the end closes and it exits. No process of its own
	# outlives the test holding CTest's output pipe open.
	mkfifo "$WORK/keepalive"
	wine cmd /c pause < "$WORK/keepalive" > /dev/null 2>&1 &
	KEEPALIVE_PID=$!
	exec {KEEPALIVE_FD}> "$WORK/keepalive"
	on_exit 'exec {KEEPALIVE_FD}>&-; kill "$KEEPALIVE_PID" 2>/dev/null; true'
	DRIVE_C=$WINEPREFIX/drive_c
	PF="$DRIVE_C/Program Files"
	INSTALL="$PF/Rapid7/Nexpose"
}

# winpath UNIX_PATH: the same file as a Windows path (wine's Z: drive).
winpath() {
	winepath -w "$1" 2>/dev/null | tr -d '\r'
}

# reg_value KEY NAME: the data of one registry value, as `reg query`
# prints it (REG_SZ strings as they are, REG_DWORD as 0x...), or nothing.
reg_value() {
	wine reg query "$1" /v "$2" 2>/dev/null | tr -d '\r' |
	    awk -v n="$2" '$1 == n { $1 = ""; $2 = ""; sub(/^  /, ""); print }'
}

# reg_has KEY: whether the registry key exists.
reg_has() {
	wine reg query "$1" >/dev/null 2>&1
}

SVC_KEY='HKLM\System\CurrentControlSet\Services'
ARP_KEY='HKLM\Software\Microsoft\Windows\CurrentVersion\Uninstall'

# service_state NAME: RUNNING, STOPPED ... as `sc query` says, or
# "none" when the SCM has no such service.
service_state() {
	local out
	out=$(wine sc query "$1" 2>/dev/null | tr -d '\r')
	if ! grep -q 'STATE' <<<"$out"; then
		echo none
		return
	fi
	awk '/STATE/ { print $4 }' <<<"$out"
}

# wait_state NAME STATE [SECONDS]: wait until the service is in STATE.
wait_state() {
	local i
	for ((i = 0; i < ${3:-30} * 4; i++)); do
		[ "$(service_state "$1")" = "$2" ] && return 0
		sleep 0.25
	done
	return 1
}

# wtree DIR: what tree() gives, for a folder of the prefix.
wtree() {
	[ -d "$1" ] && tree "$1"
}

# lacks_key KEY: the registry key does not exist.
lacks_key() {
	! reg_has "$1"
}
