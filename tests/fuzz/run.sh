#!/usr/bin/env bash
# run.sh FUZZER CORPUS SECONDS: run a libFuzzer target for SECONDS on a
# copy of CORPUS in a temp folder, so that the committed corpus is not
# changed. Passes only when libFuzzer ends without a crash (exit 0); a
# crashing input is kept in the temp folder, whose path is printed.
set -euo pipefail
fuzzer=$1 corpus=$2 seconds=$3
work=$(mktemp -d "${TMPDIR:-/tmp}/es-fuzz.XXXXXX")
mkdir "$work/corpus"
cp "$corpus"/* "$work/corpus/"
rc=0
(cd "$work" && "$fuzzer" -max_total_time="$seconds" -timeout=5 \
	-rss_limit_mb=2048 -print_final_stats=1 corpus) || rc=$?
if [ "$rc" -ne 0 ]; then
	echo "run.sh: $(basename "$fuzzer") exited $rc; crashing input and corpus kept in $work" >&2
	exit "$rc"
fi
rm -rf "$work"
