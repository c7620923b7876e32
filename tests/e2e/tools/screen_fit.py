#!/usr/bin/env python3
"""Whether the wizard's screen shows every text its pages gave it in full.

    screen_fit.py PANE TRACE

PANE is `tmux capture-pane -p` of the wizard; TRACE is the file the wizard
wrote with ES_TEST_UI_TRACE (installer/wizard/page.h, ui_trace_flush): a
first line "screen LINES COLS", then "KIND y x rows columns text" for each
text on the screen, with the rectangle it was allowed: KIND T for a text
shown whole, V for a scrolling view's text. Checks:

  - each text T shows in full in its rectangle: the rectangle's rows,
    joined with blanks, start with the text (blanks squeezed, so that a
    text wrapped at spaces still matches; a row that ends in '/', a path
    too long for a row, joins the next without one);
  - the rows a view V shows are a part of its text, joined the same way
    (no word broken across rows);
  - no row of a box ends in a cut word: the run of characters that ends at
    the last column inside a box's right edge (or right before the edge)
    is a whole word of one of the texts (or a path's folders up to a '/').

Prints one line per problem and exits 1 when there is one, else 0.
"""
import re
import sys


def squeeze(s):
    return re.sub(r"\s+", " ", s).strip()


def joined(rows):
    """Rows of wrapped text as the text: a blank between rows, none after
    a row that ends in '/' (a path too long for a row breaks there)."""
    out = ""
    for r in rows:
        r = r.rstrip()
        out += r if out.endswith("/") else " " + r
    return squeeze(out)


def main():
    pane_path, trace_path = sys.argv[1], sys.argv[2]
    with open(pane_path, encoding="utf-8") as f:
        pane = f.read().split("\n")
    with open(trace_path, encoding="utf-8") as f:
        trace = f.read().split("\n")
    m = re.match(r"screen (\d+) (\d+)$", trace[0])
    if not m:
        print("trace: no 'screen LINES COLS' line")
        return 1
    lines, cols = int(m.group(1)), int(m.group(2))
    rows = [(pane[i] if i < len(pane) else "").ljust(cols)[:cols]
            for i in range(lines)]
    problems = []
    words = set()
    for entry in trace[1:]:
        if not entry:
            continue
        kind, y, x, h, w, text = entry.split(" ", 5)
        y, x, h, w = int(y), int(x), int(h), int(w)
        want = squeeze(text)
        words.update(want.split(" "))
        got = joined(rows[r][x:x + w] for r in range(y, min(y + h, lines)))
        if kind == "V":
            if got not in want:
                problems.append("view at row %d col %d (%d rows of %d) "
                                "shows %r, which is not a part of its "
                                "text" % (y, x, h, w, got))
        elif not got.startswith(want):
            problems.append("cut at row %d col %d (%d rows of %d): %r "
                            "shows as %r" % (y, x, h, w, want,
                                             got[:len(want) + 20]))
    # The right edges of boxes: from a top right corner down to the
    # bottom right corner below it.
    edges = set()
    for y, row in enumerate(rows):
        for p, c in enumerate(row):
            if c != "┐":
                continue
            for r in range(y + 1, lines):
                if rows[r][p] == "┘":
                    break
                edges.add((r, p))
    for y, row in enumerate(rows):
        for p, c in enumerate(row):
            if (y, p) not in edges or p < 2:
                continue
            # The text area ends one column before the edge (a blank
            # margin) or at it.
            end = p - 1 if row[p - 1] != " " else p - 2
            if row[end] == " " or row[end] in "─│┌└":
                continue
            start = end
            while start > 0 and row[start - 1] != " ":
                start -= 1
            token = row[start:end + 1]
            # A path too long for a row breaks after a '/'.
            if token.endswith("/") and any(token in x for x in words):
                continue
            if token not in words:
                problems.append("row %d ends in %r at the right edge of a "
                                "box: not a whole word of any text" %
                                (y, token))
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
