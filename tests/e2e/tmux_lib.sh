# Driving the wizard through tmux for the end-to-end tests: sourced after
# lib.sh by tests/e2e/test_wizard*.sh. The caller sets SOCK (the tmux
# server name) and TIMEOUT (seconds to wait for a screen); a caller that
# sets SCREEN_LOG keeps every screen looked at there.

BIN=$(cd "$(dirname "$ES_BIN")" && pwd)/$(basename "$ES_BIN")
# The tmux server and its socket go when the test ends.
on_exit 'tmux -L "$SOCK" kill-server 2>/dev/null; rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$SOCK"'

TM() { tmux -L "$SOCK" -f /dev/null "$@"; }

# wiz NAME COLSxLINES VAR=VALUE|"" ARGS...: start engine-setup in a tmux
# session of that size; its exit code goes to $WORK/NAME.rc, its pid to
# NAME.pid. With WIZ_TRACE set, the texts its pages draw go to NAME.trace
# (ES_TEST_UI_TRACE, for fits); WIZ_TERM and WIZ_LC_ALL replace TERM=screen
# and LC_ALL=C.UTF-8.
wiz() {
	local name=$1 size=$2 env=$3 a
	shift 3
	rm -f "$WORK/$name.rc" "$WORK/$name.pid"
	{
		printf 'cd %q || exit 1\n' "$WORK"
		printf "sh -c 'echo \$\$ > \"\$0\"; exec \"\$@\"' %q " "$WORK/$name.pid"
		printf 'env TERM=%q LC_ALL=%q' "${WIZ_TERM:-screen}" \
		    "${WIZ_LC_ALL:-C.UTF-8}"
		[ -n "${WIZ_TRACE:-}" ] &&
			printf ' %q' "ES_TEST_UI_TRACE=$WORK/$name.trace"
		[ -n "$env" ] && printf ' %q' "$env"
		printf ' %q' "$BIN"
		for a in "$@"; do
			printf ' %q' "$a"
		done
		printf '\necho "EXIT=$?" > %q\n' "$WORK/$name.rc"
		# The pane stays, with what was printed last, until the
		# session is killed.
		printf 'exec sleep 600\n'
	} > "$WORK/$name.sh"
	TM new-session -d -s "$name" -x "${size%x*}" -y "${size#*x}" \
	    "bash $WORK/$name.sh"
}

screen() {
	if [ -n "${SCREEN_LOG:-}" ]; then
		TM capture-pane -p -t "$1" | tee -a "$SCREEN_LOG"
	else
		TM capture-pane -p -t "$1"
	fi
}
screen_e() { TM capture-pane -p -e -t "$1"; }
# The screen as one line: frame drawn away (Unicode, or the x of a
# terminal's line-drawing set at the ends of a row), blanks and line ends
# squeezed, so that text wrapped by the wizard still matches.
flat() {
	screen "$1" | sed 's/[│┌┐└┘─]/ /g; s/^x / /; s/ x$/ /' |
	    tr -s ' \n' '  '
}
keys() { local n=$1; shift; TM send-keys -t "$n" "$@"; }
typ() { TM send-keys -t "$1" -l "$2"; }

# wait_for NAME TEXT: until TEXT shows (wrapping ignored), or fail; soon
# after the wizard has ended.
wait_for() {
	local n=$1 text=$2 i ended=0
	TESTS_RUN=$((TESTS_RUN + 1))
	for ((i = 0; i < TIMEOUT * 20; i++)); do
		if flat "$n" | grep -qF -- "$text"; then
			return 0
		fi
		if [ -e "$WORK/$n.rc" ] && [ $((ended += 1)) -gt 40 ]; then
			break
		fi
		sleep 0.05
	done
	fail "[$n] the screen never showed '$text'; it shows:
$(screen "$n")"
	return 1
}

# shows NAME TEXT: the screen shows TEXT now.
shows() {
	TESTS_RUN=$((TESTS_RUN + 1))
	flat "$1" | grep -qF -- "$2" && return 0
	fail "[$1] the screen lacks '$2'; it shows:
$(screen "$1")"
	return 1
}

lacks() {
	TESTS_RUN=$((TESTS_RUN + 1))
	flat "$1" | grep -qF -- "$2" || return 0
	fail "[$1] the screen shows '$2':
$(screen "$1")"
	return 1
}

# fits NAME: every text the page on the screen was given shows there in
# full, and no row of a box ends in a cut word (tools/screen_fit.py, on
# NAME.trace: start the wizard with WIZ_TRACE set). Tried again for a
# moment, while the screen settles.
fits() {
	local n=$1 i out=""
	TESTS_RUN=$((TESTS_RUN + 1))
	# The interpreter itself: a version manager's python3 wrapper can
	# take seconds to start, each time.
	: "${FIT_PYTHON:=$(python3 -c 'import sys; print(sys.executable)')}"
	for ((i = 0; i < 20; i++)); do
		screen "$n" > "$WORK/$n.pane"
		out=$("$FIT_PYTHON" \
		    "$(dirname "${BASH_SOURCE[0]}")/tools/screen_fit.py" \
		    "$WORK/$n.pane" "$WORK/$n.trace" 2>&1) && return 0
		sleep 0.1
	done
	fail "[$n] the screen does not show every text in full:
$out
$(cat "$WORK/$n.pane")"
	return 1
}

# counter NAME: "N M" of the "Step N of M" on the title bar.
counter() {
	screen "$1" | head -n 1 |
	    sed -n 's/.*Step \([0-9][0-9]*\) of \([0-9][0-9]*\).*/\1 \2/p'
}

# exited NAME CODE: the wizard ended with CODE.
exited() {
	local n=$1 want=$2 i rc=""
	TESTS_RUN=$((TESTS_RUN + 1))
	for ((i = 0; i < TIMEOUT * 20; i++)); do
		[ -s "$WORK/$n.rc" ] && break
		sleep 0.05
	done
	rc=$(cat "$WORK/$n.rc" 2>/dev/null)
	if [ "$rc" != "EXIT=$want" ]; then
		fail "[$n] ended with '${rc:-nothing}', expected EXIT=$want; screen:
$(screen "$n")"
		return 1
	fi
}

# wait_width NAME COLS: the frame spans COLS columns (a redraw after a
# resize); drawn with Unicode box characters, or with the terminal's
# line-drawing set (ACS, which capture-pane shows as the letters m, q, j).
wait_width() {
	local i n=$(($2 - 2))
	TESTS_RUN=$((TESTS_RUN + 1))
	for ((i = 0; i < TIMEOUT * 20; i++)); do
		screen "$1" | grep -qE "^(└─{$n}┘|mq{$n}j)\$" && return 0
		sleep 0.05
	done
	fail "[$1] no frame $2 columns wide:
$(screen "$1")"
	return 1
}
