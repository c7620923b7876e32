# A fleet of chroot hosts for the Ansible role (deploy/ansible/roles/
# engine_setup): its CI test (tests/fleet/test_role.sh) and bench/fleet.
#
#   SRC=<the clone>; . "$SRC/tests/fleet/lib.sh"
#   fleet_outer "$0" "$@"     # outside: checks, then this script again in
#                             # private namespaces; exits with its status
#   fleet_up N                # inside: hosts h1..hN, inventory, ansible.cfg,
#                             # the test console
#   fleet_play NAME PLAYBOOK [ansible-playbook options...]
#
# Every host is an overlay of the bookworm-python3 tree (scripts/hosts; its
# upper layer on a tmpfs) with /proc, /sys, /dev (bound read-only) and a
# /run tmpfs mounted, its own /etc/machine-id and /etc/hostname, reached by
# the community.general.chroot connection. Every mount and process lives
# in one private mount and PID namespace (tests/fresh/chroot_lib.sh), so
# nothing outlives the run, however it ends. Skips (77) where it cannot
# run (not root, no unshare, no ansible-playbook, no chroot connection);
# fails instead under CI=true.
#
# Needs: TEST_CONSOLE (the test console), ES_RELEASE (the release file;
# e2e/lib.sh's helpers are loaded with it as ES_BIN). Sets, inside:
#   FLEET_T           the throwaway folder (removed at the end)
#   FLEET_HOSTS       h1 .. hN
#   fleet_root H      the host's root folder; fleet_upper H its upper layer
#   FLEET_INVENTORY   the inventory; ANSIBLE_CONFIG the run's ansible.cfg
#   FLEET_LOG         ansible's log_path
#   FLEET_SECRET      the console's shared secret (random for the run)
#   FLEET_VARS        a vars file holding engine_setup_shared_secret
#   CONSOLE_PORT, CONSOLE_SPKI, CONSOLE_CTL (control socket),
#   CONSOLE_REGISTRY, CONSOLE_LOG
set -u

FLEET_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${SRC:=$(cd "$FLEET_LIB_DIR/../.." && pwd)}"
. "$SRC/tests/fresh/chroot_lib.sh"

FLEET_PY=/usr/bin/python3
FLEET_CHROOT_PLUGIN=community.general.chroot
FLEET_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

# fleet_outer SCRIPT ARGS...: outside the namespaces, check what a run
# needs and run SCRIPT ARGS... inside them (chroot_outer); inside, return.
fleet_outer() {
	if [ -z "${ES_CHROOT_INNER:-}" ]; then
		[ -n "${ES_RELEASE:-}" ] && [ -f "$ES_RELEASE" ] && [ -x "$ES_RELEASE" ] ||
			broken "ES_RELEASE must name the release file (bash scripts/dev release makes dist/engine-setup-linux-x86_64)"
		[ -n "${TEST_CONSOLE:-}" ] && [ -x "$TEST_CONSOLE" ] ||
			broken "TEST_CONSOLE must name the test console (cmake --build BUILD --target test-console)"
		command -v ansible-playbook >/dev/null ||
			skip "ansible-playbook is not installed (Debian's package ansible)"
		[ -x "$FLEET_PY" ] || skip "$FLEET_PY is not installed"
		ansible-doc -t connection "$FLEET_CHROOT_PLUGIN" >/dev/null 2>&1 ||
			skip "Ansible has no $FLEET_CHROOT_PLUGIN connection (Debian's package ansible has it)"
	fi
	chroot_outer bookworm-python3 fleet "$@"
}

fleet_root() { echo "$FLEET_T/hosts/$1/root"; }
fleet_upper() { echo "$FLEET_T/rw/$1/upper"; }

# fleet_up N: inside the namespaces, N hosts h1..hN, the inventory, the
# run's ansible.cfg and the test console; everything is undone on exit.
fleet_up() {
	local n=$1 i h r t0
	FLEET_T=$ES_CHROOT_DIR
	ES_BIN=$ES_RELEASE
	# fail, check, finish, tc, console_shows (WORK is a folder of its own).
	. "$SRC/tests/e2e/lib.sh"
	on_exit fleet_down
	trap 'exit 130' INT
	trap 'exit 143' TERM
	trap 'exit 129' HUP
	FLEET_PIDS=()

	t0=$(now)
	mkdir -p "$FLEET_T/rw" "$FLEET_T/hosts"
	FLEET_HOSTS=()
	for ((i = 1; i <= n; i++)); do
		h=h$i
		FLEET_HOSTS+=("$h")
		r=$(fleet_root "$h")
		# An overlay, its upper layer on a tmpfs of its own (RAM only).
		chroot_host "$ES_CHROOT_TREE" "$r" "$FLEET_T/rw/$h"
		# A host of its own: machine id (32 hex digits) and name.
		od -An -N16 -tx1 /dev/urandom | tr -d ' \n' >"$r/etc/machine-id"
		echo >>"$r/etc/machine-id"
		echo "$h" >"$r/etc/hostname"
	done
	echo "time: $n hosts ($CHROOT_HOW of $ES_CHROOT_TREE): $(since "$t0")"

	t0=$(now)
	# A random secret for the run, in the console's typed form.
	FLEET_SECRET=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n' | tr a-f A-F |
		sed 's/..../&-/g; s/-$//')
	FLEET_INVENTORY=$FLEET_T/inventory.ini
	{
		echo "[engines]"
		for h in "${FLEET_HOSTS[@]}"; do
			echo "$h ansible_host=$(fleet_root "$h")"
		done
		echo
		echo "[engines:vars]"
		echo "ansible_connection=$FLEET_CHROOT_PLUGIN"
		echo "ansible_python_interpreter=/usr/bin/python3"
	} >"$FLEET_INVENTORY"
	FLEET_LOG=$FLEET_T/ansible.log
	mkdir -p "$FLEET_T/ansible-local" "$FLEET_T/ansible-home" "$FLEET_T/facts"
	cat >"$FLEET_T/ansible.cfg" <<EOT
[defaults]
inventory = $FLEET_INVENTORY
roles_path = ${FLEET_ROLES:-$SRC/deploy/ansible/roles}
forks = ${FLEET_FORKS:-10}
log_path = $FLEET_LOG
host_key_checking = False
retry_files_enabled = False
local_tmp = $FLEET_T/ansible-local
remote_tmp = /root/.ansible/tmp
home = $FLEET_T/ansible-home
fact_caching = jsonfile
fact_caching_connection = $FLEET_T/facts
interpreter_python = /usr/bin/python3
nocolor = True

[connection]
pipelining = True
EOT
	export ANSIBLE_CONFIG=$FLEET_T/ansible.cfg
	FLEET_VARS=$FLEET_T/secret.yml
	printf 'engine_setup_shared_secret: "%s"\n' "$FLEET_SECRET" >"$FLEET_VARS"
	chmod 600 "$FLEET_VARS"

	CONSOLE_CTL=$FLEET_T/console.ctl
	CONSOLE_REGISTRY=$FLEET_T/console.registry
	CONSOLE_LOG=$FLEET_T/console.log
	# A key of its own, so that a restarted console is the same console
	# to the engines that pinned it.
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-days 2 -subj "/CN=fleet test console" -keyout "$FLEET_T/console.key" \
		-out "$FLEET_T/console.crt" 2>/dev/null ||
		broken "openssl cannot make the test console's certificate"
	: >"$CONSOLE_REGISTRY"
	CONSOLE_PORT=0
	fleet_console
	echo "time: inventory, ansible.cfg, the test console on 127.0.0.1:$CONSOLE_PORT: $(since "$t0")"
}

# fleet_console [OPTION...]: (re)start the test console on 127.0.0.1 with
# the run's secret, key, control socket and registry (the engines it
# registered before are loaded again), and any other OPTIONs (--version
# 7.4.0); on CONSOLE_PORT when it is set, else on a free port.
fleet_console() {
	local i
	if [ -n "${FLEET_CONSOLE_PID:-}" ]; then
		kill "$FLEET_CONSOLE_PID" 2>/dev/null
		wait "$FLEET_CONSOLE_PID" 2>/dev/null
	fi
	rm -f "$FLEET_T/console.port"
	"$TEST_CONSOLE" --listen 127.0.0.1 --port "$CONSOLE_PORT" \
		--port-file "$FLEET_T/console.port" --spki-file "$FLEET_T/console.spki" \
		--cert "$FLEET_T/console.crt" --key "$FLEET_T/console.key" \
		--load-registry "$CONSOLE_REGISTRY" --registry "$CONSOLE_REGISTRY" \
		--log "$CONSOLE_LOG" --control "$CONSOLE_CTL" --secret "$FLEET_SECRET" \
		--lifetime "${FLEET_CONSOLE_LIFETIME:-1800}" "$@" \
		>>"$FLEET_T/console.out" 2>&1 &
	FLEET_CONSOLE_PID=$!
	FLEET_PIDS+=("$FLEET_CONSOLE_PID")
	for ((i = 0; i < 200; i++)); do
		[ -s "$FLEET_T/console.port" ] && [ -s "$FLEET_T/console.spki" ] && break
		sleep 0.05
	done
	CONSOLE_PORT=$(cat "$FLEET_T/console.port" 2>/dev/null)
	CONSOLE_SPKI=$(tr -d '\n' <"$FLEET_T/console.spki" 2>/dev/null)
	[ -n "$CONSOLE_PORT" ] || broken "the test console did not start: $(cat "$FLEET_T/console.out")"
}

# fleet_down: stop the console and every process in a host, unmount
# everything (idempotent; on any exit).
fleet_down() {
	local p
	for p in "${FLEET_PIDS[@]}"; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	FLEET_PIDS=()
	chroot_unmount "$FLEET_T"
}

# fleet_cx HOST COMMAND...: COMMAND in HOST's chroot with a login's
# environment and no terminal; its exit status.
fleet_cx() {
	local h=$1
	shift
	chroot "$(fleet_root "$h")" /usr/bin/env -i PATH="$FLEET_PATH" HOME=/root "$@" </dev/null
}

# fleet_play NAME PLAYBOOK [OPTION...]: ansible-playbook PLAYBOOK OPTION...
# with the JSON callback: its stdout in $FLEET_T/NAME.out (with -v...,
# the connection's lines come before the JSON), the JSON document alone in
# $FLEET_T/NAME.json, its stderr in $FLEET_T/NAME.err, its exit status in
# PLAY_RC; prints the recap of every host and the time it took.
fleet_play() {
	local name=$1 t0
	shift
	t0=$(now)
	ANSIBLE_STDOUT_CALLBACK=json \
		ansible-playbook "$@" >"$FLEET_T/$name.out" 2>"$FLEET_T/$name.err"
	PLAY_RC=$?
	# The document is the last thing printed: from the first line "{" on
	# that the rest parses from.
	"$FLEET_PY" - "$FLEET_T/$name.out" "$FLEET_T/$name.json" <<'PY'
import json, sys
lines = open(sys.argv[1], errors="replace").read().split("\n")
for i, l in enumerate(lines):
    if l == "{":
        try:
            doc = json.loads("\n".join(lines[i:]))
        except ValueError:
            continue
        with open(sys.argv[2], "w") as f:
            json.dump(doc, f, indent=1)
        break
PY
	echo "play $name: exit $PLAY_RC, $(since "$t0")"
	fleet_recap "$name" | sed 's/^/  /'
}

# fleet_recap NAME: "HOST ok=N changed=N failures=N unreachable=N
# skipped=N" for every host of the run NAME's JSON output.
fleet_recap() {
	"$FLEET_PY" - "$FLEET_T/$1.json" <<'EOF'
import json, sys
try:
    with open(sys.argv[1]) as f:
        doc = json.load(f)
except (OSError, ValueError) as e:
    print("no JSON output: %s" % e)
    sys.exit(0)
for h, s in sorted(doc.get("stats", {}).items()):
    print("%s %s" % (h, " ".join("%s=%s" % (k, s.get(k, 0)) for k in
        ("ok", "changed", "failures", "unreachable", "skipped"))))
EOF
}

# fleet_stat NAME HOST FIELD: the number FIELD (ok, changed, failures,
# unreachable, skipped) of HOST in the run NAME's stats; empty when the
# run has none.
fleet_stat() {
	"$FLEET_PY" - "$FLEET_T/$1.json" "$2" "$3" <<'EOF'
import json, sys
try:
    with open(sys.argv[1]) as f:
        s = json.load(f)["stats"][sys.argv[2]]
except (OSError, ValueError, KeyError):
    sys.exit(0)
print(s.get(sys.argv[3], 0))
EOF
}

# stat_is NAME HOST FIELD N: assert that HOST's FIELD in run NAME is N.
stat_is() {
	local got
	got=$(fleet_stat "$1" "$2" "$3")
	TESTS_RUN=$((TESTS_RUN + 1))
	[ "$got" = "$4" ] && return 0
	fail "play $1: $2 has $3=${got:-none}, expected $4; recap:
$(fleet_recap "$1")
stderr: $(tail -n 20 "$FLEET_T/$1.err")"
	return 1
}

# stat_min NAME HOST FIELD N: assert that HOST's FIELD in run NAME is at
# least N.
stat_min() {
	local got
	got=$(fleet_stat "$1" "$2" "$3")
	TESTS_RUN=$((TESTS_RUN + 1))
	[ -n "$got" ] && [ "$got" -ge "$4" ] && return 0
	fail "play $1: $2 has $3=${got:-none}, expected at least $4; recap:
$(fleet_recap "$1")
stderr: $(tail -n 20 "$FLEET_T/$1.err")"
	return 1
}

# fleet_results NAME HOST: every task result of HOST in the run NAME's
# JSON output (loop items too), one JSON object a line, in order.
fleet_results() {
	"$FLEET_PY" - "$FLEET_T/$1.json" "$2" <<'PY'
import json, sys
try:
    with open(sys.argv[1]) as f:
        doc = json.load(f)
except (OSError, ValueError):
    sys.exit(0)
def out(r):
    print(json.dumps(r, sort_keys=True))
    for item in r.get("results", []) if isinstance(r.get("results"), list) else []:
        if isinstance(item, dict):
            out(item)
for play in doc.get("plays", []):
    for task in play.get("tasks", []):
        r = task.get("hosts", {}).get(sys.argv[2])
        if isinstance(r, dict):
            r = dict(r, _task=task.get("task", {}).get("name", ""))
            out(r)
PY
}

# fleet_result NAME HOST [KEY]: the fact engine_setup_result that the role
# set on HOST in the run NAME (its last value), as JSON, or its KEY; empty
# when the run did not set it.
fleet_result() {
	fleet_results "$1" "$2" | "$FLEET_PY" -c '
import json, sys
last = None
for line in sys.stdin:
    r = json.loads(line)
    v = (r.get("ansible_facts") or {}).get("engine_setup_result")
    if v is not None:
        last = v
if last is not None:
    if len(sys.argv) > 1:
        v = last.get(sys.argv[1])
        print(v if isinstance(v, str) else json.dumps(v))
    else:
        print(json.dumps(last, sort_keys=True))
' "${@:3}"
}

# fleet_status HOST: `engine-setup status --json` run in HOST (the
# installed /usr/local/sbin/engine-setup, a link by the path the host
# sees); its output in STATUS, its exit status in STATUS_RC. Without it,
# the release file from outside with --root (status only reads).
fleet_status() {
	local r
	r=$(fleet_root "$1")
	if fleet_cx "$1" test -x /usr/local/sbin/engine-setup; then
		STATUS=$(fleet_cx "$1" /usr/local/sbin/engine-setup status --json 2>/dev/null)
	else
		STATUS=$("$ES_RELEASE" status --json --root "$r" 2>/dev/null)
	fi
	STATUS_RC=$?
}
# status_get KEY.KEY...: a value of $STATUS (strings bare, else JSON).
status_get() {
	"$FLEET_PY" -c '
import json, sys
try:
    v = json.loads(sys.argv[1])
    for k in sys.argv[2].split("."):
        v = v[k]
except (ValueError, KeyError, TypeError, IndexError):
    sys.exit(0)
print(v if isinstance(v, str) else json.dumps(v))
' "$STATUS" "$1"
}
