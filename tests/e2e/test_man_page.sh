#!/usr/bin/env bash
# Issue 10, §5: the manual page docs/engine-setup.1 renders without a
# warning, covers every option that `engine-setup --help` and each
# command's --help print, every command and every exit code, and is
# installed with the program (cmake --install, share/man/man1). The
# answers keys the code accepts are checked by tests/unit/test_answers.c.
. "$(dirname "$0")/lib.sh"
: "${ES_SRC:?ES_SRC must name the source folder}"
MAN=$ES_SRC/docs/engine-setup.1

if ! command -v groff >/dev/null; then
	echo "skipped: groff is needed (apt-get install groff)"
	[ "${CI:-}" = true ] && exit 1
	exit 77
fi

# groff -ww: every warning; -z: no output, only the diagnostics.
TESTS_RUN=$((TESTS_RUN + 1))
W=$(groff -ww -z -man "$MAN" 2>&1) && [ -z "$W" ] ||
    fail "groff -ww warns about the man page: $W"
if command -v man >/dev/null; then
	TESTS_RUN=$((TESTS_RUN + 1))
	W=$(MANWIDTH=80 man --warnings -l "$MAN" 2>&1 >/dev/null)
	[ -z "$W" ] || fail "man --warnings -l: $W"
fi

# The page as a reader sees it, on lines so long that nothing wraps and
# without hyphenation; the dashes groff makes of '-' and '\-' (U+2010,
# U+2212) as ASCII, so that options read as typed.
TEXT=$(groff -man -Tutf8 -P-cbou -rLL=3000n -rHY=0 "$MAN" 2>/dev/null |
    sed 's/\xe2\x80\x90/-/g; s/\xe2\x88\x92/-/g')
section() {
	awk -v s="$1" '/^[A-Z]/ { on = ($0 == s) } on' <<<"$TEXT"
}
check "the page renders" test -n "$TEXT"

# Every option in any --help, as printed there.
HELP=$(for c in "" install uninstall pair consoles status identity; do
	"$ES_BIN" $c --help
done)
OPTS=$(grep -oE '(^|[[:space:][(,|])-{1,2}[A-Za-z?][A-Za-z0-9-]*' <<<"$HELP" |
    sed 's/^[^-]*//' | sort -u)
check "the --help texts name options" test "$(wc -l <<<"$OPTS")" -ge 25
# What the parser takes besides (cli.c): the --help spellings of install4j
# and the short forms.
OPTS="$OPTS
-h
-help
-?
-version"
OPTIONS=$(section OPTIONS)
for o in $OPTS; do
	TESTS_RUN=$((TESTS_RUN + 1))
	grep -qF -- "$o" <<<"$OPTIONS" || fail "OPTIONS lacks $o"
done

COMMANDS=$(section COMMANDS)
for c in install uninstall pair "consoles list" "consoles enable" \
    "consoles disable" status "identity check" "identity reset"; do
	TESTS_RUN=$((TESTS_RUN + 1))
	grep -qE "^ +$c( |$)" <<<"$COMMANDS" || fail "COMMANDS lacks '$c'"
done

# Every exit code of ../shared/cli-contract.md (0-8, and status's 9 and
# 10), and every one a --help names, is a tag of EXIT STATUS.
EXIT=$(section "EXIT STATUS")
CODES=$(grep -oE '(Exit codes:|,) *[0-9]+ ' <<<"$HELP" | grep -oE '[0-9]+')
for n in $(printf "%s\n" $(seq 0 10) $CODES | sort -un); do
	TESTS_RUN=$((TESTS_RUN + 1))
	grep -qE "^ +$n( |$)" <<<"$EXIT" || fail "EXIT STATUS lacks code $n"
done

# Installed with the program.
: "${ES_BUILD:?ES_BUILD must name the build folder}"
TESTS_RUN=$((TESTS_RUN + 1))
if out=$(cmake --install "$ES_BUILD" --prefix "$WORK/prefix" 2>&1); then
	check "man page installed" cmp -s "$MAN" "$WORK/prefix/share/man/man1/engine-setup.1"
	check "program installed" test -x "$WORK/prefix/bin/engine-setup"
	TESTS_RUN=$((TESTS_RUN + 1))
	out=$(MANPATH=$WORK/prefix/share/man man -w engine-setup 2>&1)
	[ "$out" = "$WORK/prefix/share/man/man1/engine-setup.1" ] ||
	    fail "man -w engine-setup finds '$out'"
else
	fail "cmake --install: $out"
fi
finish
