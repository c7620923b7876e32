#!/usr/bin/env bash
# A bad answers file or command line changes nothing and says where the
# problem is (file:line, key, nearest known key).
. "$(dirname "$0")/lib.sh"

R=$(newroot)
cat > "$WORK/typo.txt" <<'EOT'
accept_license = yes
first_name = A
last_name = B
company = C
pair_now = no
instal_dir = /opt/x
engine_port = 99999
EOT
run 2 --silent --answers "$WORK/typo.txt" --root "$R"
out_has "$WORK/typo.txt:6: unknown key 'instal_dir'; did you mean 'install_dir'?"
out_has "Nothing was changed"
check "nothing written" test -z "$(ls -A "$R")"

engine_answers > "$WORK/e.txt"
echo "engine_port = 99999" >> "$WORK/e.txt"
run 2 --silent --answers "$WORK/e.txt" --root "$R"
out_has "$WORK/e.txt:9: bad value for 'engine_port': '99999'"
check "nothing written" test -z "$(ls -A "$R")"

engine_answers > "$WORK/dup.txt"
echo "component = console" >> "$WORK/dup.txt"
run 2 --silent --answers "$WORK/dup.txt" --root "$R"
out_has "duplicate key 'component'"

run 2 --silent --root "$R" --set nosuchkey=1
out_has "command line: unknown key 'nosuchkey'"
run 2 --silent --answers "$WORK/does-not-exist" --root "$R"
out_has "cannot read the answers file"
run 2 --bogus-option
out_has "unknown option '--bogus-option'"
run 2 frobnicate
out_has "unknown command 'frobnicate'"
run 2 --silent --answers "$WORK/typo.txt" --root "$WORK/no-such-root"
run 2 --silent --answers
out_has "--answers needs a value"

# The shared secret never shows in an error, even when it is bad.
engine_answers > "$WORK/s.txt"
echo "shared_secret = SECRETVALUE-THAT-IS-WRONG" >> "$WORK/s.txt"
run 2 --silent --answers "$WORK/s.txt" --root "$R"
out_has "shared_secret"
out_lacks "SECRETVALUE"
check "nothing written" test -z "$(ls -A "$R")"
finish
