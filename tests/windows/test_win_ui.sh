#!/usr/bin/env bash
# Issue 11: the interactive installer on Windows (under wine): the wizard's
# first pages through ncurses' Windows console driver (TERM unset, as in
# cmd.exe or PowerShell), shown in tmux; and line mode reading redirected
# input, which declines the licence and changes nothing.
. "$(dirname "$0")/lib_wine.sh"
wine_prefix

if ! command -v tmux >/dev/null; then
	echo "skipped: tmux is not installed"
	[ "${CI:-}" = true ] && exit 1
	exit 77
fi
SOCK="es-win-ui-$$"
TIMEOUT=${ES_WIZARD_TIMEOUT:-60}
. "$ES_WIN_DIR/../e2e/tmux_lib.sh"
# The wizard needs the terminal itself: wine, without lib_wine's pipe.
BIN=$WORK/wine-es
cat > "$BIN" <<EOT
#!/usr/bin/env bash
unset TERM
export WINEPREFIX=$(printf %q "$WINEPREFIX") WINEDEBUG=-all
exec wine $(printf %q "$ES_WIN_EXE") "\$@"
EOT
chmod 755 "$BIN"

wiz w 80x24 ""
wait_for w "Welcome to the setup of Nexpose 7.3.1"
keys w Enter
wait_for w "Do you accept the licence agreement?"
keys w d
wait_for w "Decline the licence agreement and leave the setup?"
keys w y
exited w 5
wait_for w "The licence agreement was declined: nothing was changed."
missing "$INSTALL"

# Line mode on redirected input: the licence declined, exit 5.
printf 'o\nn\n' > "$WORK/decline"
TESTS_RUN=$((TESTS_RUN + 1))
OUT=$(wine "$ES_WIN_EXE" --text < "$WORK/decline" 2>&1 | tr -d '\r')
grep -q declined <<<"$OUT" || fail "line mode did not decline: $OUT"
OUT=$(wine "$ES_WIN_EXE" --text < "$WORK/decline" >/dev/null 2>&1; echo "rc=$?")
check "line mode's decline exits 5" test "$OUT" = rc=5
missing "$INSTALL"

finish
