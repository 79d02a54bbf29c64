# SPDX-License-Identifier: BSD-2-Clause
# ikd(8) as a process, on kipsec.ko in h1 of kt_topo_h2h, with no peer
# to talk to (the IKE exchanges are ikd_pair's and ikd_charon's):
#  - -n checks the file (0/1); start-up errors reach the terminal and the
#    exit status (port 500 taken), and leave no pid file;
#  - -F -l -d -d: IKE sockets on every address, ports 500 and 4500, each
#    with its two per-socket bypass policies (setkey -DP); a datagram to
#    them is received (and junk dropped and logged); an address added later gets sockets, a removed one
#    loses them; an ACQUIRE reaches the daemon;
#  - the pid file holds the pid and refuses a second ikd;
#  - SIGUSR1 dumps, SIGHUP reopens the log and reloads (or keeps the old
#    configuration), SIGTERM stops
#    and removes the pid file;
#  - without -F it detaches: the command returns once the daemon runs.
. "$KT_TOP/tests/vm/lib.sh"

ikd=$KT_BUILD/bin/ikd
setkey=$KT_BUILD/bin/setkey
[ -x "$ikd" ] || kt_fail "ikd not built ($ikd)"
kt_load_kipsec
kt_topo_h2h
conf=$KT_TMP/racoon.conf
log=$KT_TMP/ikd.log
pid=$KT_TMP/ikd.pid
echo "# empty" >"$conf"

# ---- -n and start-up errors --------------------------------------------------
ip netns exec h1 "$ikd" -n -f "$conf" || kt_fail "ikd -n refused a readable file"
out=$(ip netns exec h1 "$ikd" -n -f "$KT_TMP/missing.conf" 2>&1) && kt_fail "ikd -n accepted a missing file"
grep -q "$KT_TMP/missing.conf: error: cannot read: No such file or directory" <<<"$out" ||
	kt_fail "ikd -n: $out"
# Someone has 10.1.1.1:500: ikd says so on the terminal and exits 1.
ip netns exec h1 python3 -c '
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("10.1.1.1", 500)); print("bound", flush=True); time.sleep(300)' >"$KT_TMP/squat" &
squat=$!
KT_PIDS+=($squat)
kt_wait_for 10 grep -q bound "$KT_TMP/squat" || kt_fail "cannot take port 500"
out=$(ip netns exec h1 "$ikd" -f "$conf" -p "$pid" 2>&1) && kt_fail "ikd started with port 500 taken"
grep -q "ERROR: cannot listen for IKE on 10.1.1.1: Address already in use" <<<"$out" ||
	kt_fail "port 500 taken: $out"
[ ! -e "$pid" ] || kt_fail "a failed start left $pid"
kill $squat
wait $squat 2>/dev/null

# ---- in the foreground ---------------------------------------------------------
ip netns exec h1 "$ikd" -F -d -d -l "$log" -p "$pid" -f "$conf" 2>"$KT_TMP/stderr" &
daemon=$!
KT_PIDS+=($daemon)
kt_wait_for 150 grep -q "NOTIFY: ikd .* started (pid $daemon)" "$log" ||
	kt_fail "ikd did not start: $(cat "$log" "$KT_TMP/stderr")"
[ "$(cat "$pid")" = "$daemon" ] || kt_fail "pid file says '$(cat "$pid")', want $daemon"
# -F logs to stderr too, in the same format.
grep -q "NOTIFY: ikd .* started" "$KT_TMP/stderr" || kt_fail "-F: nothing on stderr"
addrs=(127.0.0.1 10.1.1.1 ::1 fd00:1::1)
for a in "${addrs[@]}"; do
	grep -q "INFO: listening for IKE on $a\[500\]$" "$log" &&
		grep -q "INFO: listening for IKE on $a\[4500\] (NAT-T)$" "$log" ||
		kt_fail "no IKE sockets on $a: $(cat "$log")"
done
grep -q "listening for IKE on fe80:" "$log" && kt_fail "IKE socket on a link-local address"
n=$(ip netns exec h1 ss -Hlun | grep -cE ':(500|4500) ')
[ "$n" = 8 ] || kt_fail "want 8 IKE sockets: $(ip netns exec h1 ss -Hlun)"
n=$(ip netns exec h1 "$setkey" -DP | grep -c '^(per-socket policy)')
[ "$n" = 16 ] || kt_fail "want 16 per-socket policies (in and out bypass), got $n"
[ "$(ip netns exec h1 "$setkey" -DP | grep -cx $'\tin bypass')" = 8 ] || kt_fail "want 8 'in bypass'"

# A second ikd with the same pid file.
out=$(ip netns exec h1 "$ikd" -F -p "$pid" -f "$conf" 2>&1) && kt_fail "a second ikd started"
grep -q "ERROR: ikd is already running (pid $daemon, $pid)" <<<"$out" || kt_fail "second ikd: $out"

# A datagram to port 500 reaches the daemon, which drops and logs junk.
ip netns exec h2 python3 -c '
import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("20.1.1.1", 7777)); s.sendto(b"x" * 28, ("10.1.1.1", 500))'
kt_wait_for 5 grep -q "dropped IKE message from 20.1.1.1\[7777\]: IKE major version is not 2" "$log" ||
	kt_fail "datagram not received: $(tail "$log")"

# Addresses that come and go.
ip -n h1 addr add 10.9.9.9/32 dev eth0
kt_wait_for 15 grep -q "listening for IKE on 10.9.9.9\[4500\]" "$log" || kt_fail "no socket for a new address: $(tail -5 "$log")"
ip netns exec h1 ss -Hlun | grep -q '10.9.9.9:500 ' || kt_fail "10.9.9.9:500 not open"
ip -n h1 addr del 10.9.9.9/32 dev eth0
kt_wait_for 15 grep -q "no more IKE on 10.9.9.9\[4500\]" "$log" || kt_fail "socket of a removed address kept"
ip netns exec h1 ss -Hlun | grep -q '10.9.9.9:' && kt_fail "10.9.9.9 socket still open"

# An ACQUIRE.
ip netns exec h1 "$setkey" -c <<<'spdadd 10.1.1.1 20.1.1.1 any -P out ipsec esp/transport//require;'
spid=$(ip netns exec h1 "$setkey" -DP | sed -n 's/.*spid=\([0-9]*\) .*/\1/p' | head -1)
KT_PING_COUNT=1 kt_ping_fails h1 20.1.1.1
kt_wait_for 10 grep -q "INFO: ACQUIRE 10.1.1.1->20.1.1.1 proto 50 reqid 0 for policy $spid" "$log" ||
	kt_fail "ACQUIRE not seen: $(tail "$log")"
# The empty configuration has no remote block for it: said once, nothing sent.
kt_wait_for 5 grep -q "NOTIFY: no remote block for 20.1.1.1: ignored" "$log" ||
	kt_fail "ACQUIRE without a remote block: $(tail "$log")"

# Signals.
kill -USR1 $daemon
kt_wait_for 5 grep -q "NOTIFY: 8 IKE sockets" "$log" || kt_fail "SIGUSR1: $(tail "$log")"
grep -q "NOTIFY: IKE socket 10.1.1.1\[4500\] (NAT-T)" "$log" || kt_fail "SIGUSR1 dump: $(tail -12 "$log")"
# logrotate moves the file away; SIGHUP makes ikd write a new one.
mv "$log" "$log.1"
kill -HUP $daemon
kt_wait_for 5 grep -q "NOTIFY: SIGHUP: $conf reloaded" "$log" || kt_fail "SIGHUP: $(tail "$log" "$log.1")"
grep -q "reloaded" "$log.1" && kt_fail "SIGHUP: still writing to the rotated file"
mv "$conf" "$conf.away"
kill -HUP $daemon
kt_wait_for 5 grep -q "ERROR: SIGHUP: $conf not reloaded, the running configuration stays" "$log" ||
	kt_fail "SIGHUP with a missing file: $(tail "$log")"
mv "$conf.away" "$conf"
kill -0 $daemon || kt_fail "ikd died on SIGHUP"
kill -TERM $daemon
wait $daemon || kt_fail "ikd exited $? on SIGTERM"
grep -q "NOTIFY: ikd stopped" "$log" || kt_fail "no 'stopped': $(tail "$log")"
[ ! -e "$pid" ] || kt_fail "pid file left after SIGTERM"
[ "$(ip netns exec h1 ss -Hlun | grep -cE ':(500|4500) ')" = 0 ] || kt_fail "IKE sockets outlived ikd"

# ---- detached --------------------------------------------------------------------
: >"$log"
ip netns exec h1 "$ikd" -l "$log" -p "$pid" -f "$conf" || kt_fail "ikd (detaching) exited $?"
# It returned once the daemon was up: the pid file is there already.
d=$(cat "$pid") || kt_fail "no pid file after ikd returned"
kill -0 "$d" || kt_fail "daemon $d is not running"
[ "$(awk '{ print $6 }' "/proc/$d/stat")" = "$d" ] && kt_fail "the daemon leads its session (can get a terminal)"
[ "$(readlink "/proc/$d/fd/0")" = /dev/null ] || kt_fail "daemon's stdin: $(readlink "/proc/$d/fd/0")"
grep -q "NOTIFY: ikd .* started (pid $d)" "$log" || kt_fail "detached log: $(cat "$log")"
kill -TERM "$d"
# Not our child: gone, or a zombie until its new parent reaps it.
kt_wait_for 10 sh -c "[ ! -e /proc/$d ] || grep -q '^$d ([^)]*) Z' /proc/$d/stat" ||
	kt_fail "daemon $d did not stop"
kt_wait_for 5 test ! -e "$pid" || kt_fail "pid file left by the detached daemon"
exit 0
