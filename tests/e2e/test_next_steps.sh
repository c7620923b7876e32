#!/usr/bin/env bash
# Issue 10, §5: when an install ends, the finish page (wizard), line mode
# and the silent output say what to do next with the values needed: this
# host's actual addresses (every one that is not loopback; IPv4, then IPv6,
# in numeric order; link-local only when there is nothing else), the port,
# the console's menu path as the seed writes it, and a `consoles enable …
# --restart` command that works as printed. With no address but loopback
# they say so and name the host.
#
# Each run is in a network namespace of its own (unshare -n, as root) with
# a veth pair whose addresses are known: 10.77.0.0/24 and fd00::/64 exist
# only inside it and are never routed. The UTS namespace gives it a known
# host name.
. "$(dirname "$0")/lib.sh"

HOST=es-test-host
if [ "$(id -u)" -ne 0 ] || ! command -v ip >/dev/null ||
    ! unshare -n -u bash -c 'ip link add v0 type veth peer name v1' 2>/dev/null; then
	echo "skipped: needs root, ip(8) and unshare(1) with network namespaces and veth"
	[ "${CI:-}" = true ] && exit 1
	exit 77
fi

# The namespace's interfaces, by MODE:
#   addrs      v0 10.77.0.20, fd00::10, fe80::77 and 169.254.7.7 (link-local);
#              v1 10.77.0.3, fd00::5; lo also 10.99.0.1 (a loopback interface)
#   linklocal  v0 only fe80::77
#   none       only lo
NETSETUP='
mode=$1
shift
hostname '$HOST' || exit 90
ip link set lo up || exit 90
case $mode in
addrs)
	ip link add v0 type veth peer name v1 &&
	ip addr add 10.77.0.20/24 dev v0 &&
	ip addr add 169.254.7.7/16 dev v0 &&
	ip -6 addr add fd00::10/64 dev v0 nodad &&
	ip -6 addr add fe80::77/64 dev v0 nodad &&
	ip addr add 10.77.0.3/24 dev v1 &&
	ip -6 addr add fd00::5/64 dev v1 nodad &&
	ip addr add 10.99.0.1/32 dev lo &&
	ip link set v0 up && ip link set v1 up || exit 90
	;;
linklocal)
	ip link add v0 type veth peer name v1 &&
	ip link set v0 addrgenmode none && ip link set v1 addrgenmode none &&
	ip -6 addr add fe80::77/64 dev v0 nodad &&
	ip link set v0 up && ip link set v1 up || exit 90
	;;
esac
'

# $WORK/ns/MODE: engine-setup run in a namespace set up by MODE (as ES_BIN
# for run and drive).
mkdir -p "$WORK/ns"
for mode in addrs linklocal none; do
	{
		echo '#!/usr/bin/env bash'
		printf 'exec unshare -n -u bash -c %q ns %q %q "$@"\n' \
		    "$NETSETUP"'
exec "$@"' "$mode" "$ES_BIN"
	} > "$WORK/ns/$mode"
	chmod 755 "$WORK/ns/$mode"
done
# in_ns EXPECTED_EXIT MODE ARGS...: run, in a namespace set up by MODE.
in_ns() {
	local want=$1 mode=$2
	shift 2
	ES_BIN=$WORK/ns/$mode run "$want" "$@"
}

# flat_has TEXT: $OUT, with its line breaks and the blanks around them as
# one space (line mode wraps), holds TEXT.
flat_has() {
	TESTS_RUN=$((TESTS_RUN + 1))
	tr '\n' ' ' <<<"$OUT" | tr -s ' ' | grep -qF -- "$1" && return 0
	fail "output lacks '$1' (lines joined):
$OUT"
}

ADDRESS_LINE="Address:  10.77.0.3 (or another of this host's addresses: 10.77.0.20, fd00::5, fd00::10)"

# --- Silent, Console-to-Engine, under a --root that needs quoting. ---
mkdir -p "$WORK/a root's place"
R=$WORK/"a root's place"
engine_answers console-to-engine > "$WORK/e.txt"
in_ns 0 addrs --silent --answers "$WORK/e.txt" --set engine_port=40999 --root "$R"
out_has "$ADDRESS_LINE"
out_has "Port:     40999"
out_has "Name:     scanner-01"
out_has "In the Security Console: Administration > Scans > Scan Engines > Manage scan engines > New Engine. On the General tab, enter"
out_has "engine-setup consoles enable CONSOLE_ADDRESS --restart --root '$WORK/a root'\\''s place'"
out_has "engine-setup consoles list --root '$WORK/a root'\\''s place'"
out_has "Administration > Scans > Engines > Refresh Displayed Engines, then click the Refresh icon of scanner-01."
out_has "The console must reach this host on TCP 40999."
out_has "(These are the addresses of the host engine-setup ran on; if $R becomes another machine's disk, use that machine's.)"
for a in fe80 169.254 10.99.0.1 127.0.0.1 "<this host>"; do
	out_lacks "$a"
done

# The printed command works as printed: once the console has added the
# engine (its entry in consoles.xml, enabled="0"), paste it with the
# console's address in place of CONSOLE_ADDRESS.
X=$R/opt/rapid7/nexpose/nse/conf/consoles.xml
cat > "$X" <<'EOT'
<?xml version="1.0" encoding="UTF-8"?>
<Consoles>
  <console id="1" enabled="0" connectTo="0" name="Console A" lastAddress="10.77.0.1" port="40999"/>
</Consoles>
EOT
CMD=$(grep -F "engine-setup consoles enable CONSOLE_ADDRESS" <<<"$OUT" |
    sed 's/^ *//; s/CONSOLE_ADDRESS/10.77.0.1/')
mkdir -p "$WORK/bin"
ln -sf "$ES_BIN" "$WORK/bin/engine-setup"
TESTS_RUN=$((TESTS_RUN + 1))
OUT=$(PATH=$WORK/bin:$PATH bash -c "$CMD" 2>&1) ||
    fail "the printed command '$CMD' failed: $OUT"
out_has "Enabled console 1 (Console A, 10.77.0.1)."
file_has "$X" 'enabled="1"'
CMD=$(sed 's/ enable .* --restart/ list/' <<<"$CMD")
TESTS_RUN=$((TESTS_RUN + 1))
OUT=$(PATH=$WORK/bin:$PATH bash -c "$CMD" 2>&1) ||
    fail "the printed command '$CMD' failed: $OUT"
out_has "$(printf '1\tenabled\tconsole-to-engine\tConsole A\t10.77.0.1\t40999')"

# --- The Security Console: its web interface at every address. ---
console_answers
R=$(newroot)
in_ns 0 addrs --silent --answers "$WORK/console.txt" --root "$R"
out_has "Next: open the Security Console in a web browser and sign in as nxadmin:
  https://10.77.0.3:3780
  https://10.77.0.20:3780
  https://[fd00::5]:3780
  https://[fd00::10]:3780"
out_lacks "fe80"
out_lacks "<this host>"

# --- No address but loopback: said, and the host's name instead. ---
R=$(newroot)
in_ns 0 none --silent --answers "$WORK/console.txt" --root "$R"
out_has "https://$HOST:3780 and sign in as nxadmin. This host has no network address but loopback (127.0.0.1, ::1): use its name, or the address it will have."
R=$(newroot)
in_ns 0 none --silent --answers "$WORK/e.txt" --root "$R"
out_has "Address:  $HOST (the host's name: it has no network address but loopback)"
out_lacks "These are the addresses"

# --- Only a link-local address: that one, rather than nothing. ---
R=$(newroot)
in_ns 0 linklocal --silent --answers "$WORK/e.txt" --root "$R"
out_has "Address:  fe80::77
"

# --- Line mode, through an 80x24 pty: the same values, wrapped. ---
R=$(newroot)
# The answers file fills every prompt: Enter takes each, but for the
# licence and the confirmation.
printf 'expect %s\nsend %s\n' "OK [o, Enter]" "" "Do you accept" y \
    "Scan Engine only [2, Enter]" "" "Where" "" "System requirements" "" \
    "First name:" "" "Last name:" "" "Company:" "" \
    "Console-to-Engine [2, Enter]" "" "Port the engine listens on:" "" \
    "Start the service" "" "Install [i, Enter]" i > "$WORK/c2e.steps"
echo "expect The console must reach this host" >> "$WORK/c2e.steps"
ES_BIN=$WORK/ns/addrs PTY_DRIVE_SIZE=80x24 drive "$WORK/c2e.steps" 0 --text \
    --answers "$WORK/e.txt" --root "$R"
OUT=$(tr -d '\r' <<<"$OUT")
flat_has "$(tr -s ' ' <<<"$ADDRESS_LINE")"
flat_has "Port: 40814"
flat_has "engine-setup consoles enable CONSOLE_ADDRESS --restart --root $R"

# --- The wizard at 80x24: its tmux server runs in the namespace, so the
# wizard it starts sees the namespace's addresses. ---
if command -v tmux >/dev/null; then
	SOCK="es-next-$$"
	TIMEOUT=${ES_WIZARD_TIMEOUT:-20}
	. "$(dirname "$0")/tmux_lib.sh"
	unshare -n -u bash -c "$NETSETUP"'
exec "$@"' ns addrs tmux -L "$SOCK" -f /dev/null new-session -d -s hold "sleep 600" ||
	    fail "cannot start tmux in the namespace"
	R=$(newroot)
	# Every answer given: Next (F10) on each page, to the end.
	wiz w 80x24 "" --answers "$WORK/e.txt" --root "$R"
	for page in "Welcome to the setup" "SAMPLE END-USER LICENCE" \
	    "Which components" "Install folder:" "This computer meets" \
	    "First name:" "How should the Scan Engine" "Check every choice"; do
		wait_for w "$page"
		keys w F10
	done
	wait_for w "Nexpose 7.3.1 is installed: Scan Engine."
	shows w "Address: 10.77.0.3 (or another of this host's addresses: 10.77.0.20, fd00::5, fd00::10)"
	shows w "Port: 40814"
	shows w "Administration > Scans > Scan Engines > Manage scan engines > New Engine"
	keys w Enter
	exited w 0
fi
finish
