# SPDX-License-Identifier: BSD-2-Clause
# kt-boot: slub
# kt-timeout: 200
# kipsec interfaces go with what they depend on (issue 18), under
# slub_debug: h1's ipsec0 has its clear side moved to namespace c; when h1
# (its encrypted side, with the SAD) is deleted, the interface goes from c
# too. h2's ipsec0, its peer gone, counts tx_aborted_errors; rmmod kipsec
# under that traffic deletes it. Nothing may oops or leak. Before that:
# an interface without attributes is refused, and an outer route through
# the interface itself drops (tx_aborted_errors) instead of looping; ESP
# that comes out of an interface is not taken by kipsec again (nesting
# through netif_rx would have no bound), but dropped as nested; failed
# allocations after the handover count on the interface.
. "$KT_TOP/tests/vm/lib.sh"

setkey=$KT_BUILD/bin/setkey
ipsecif=$KT_BUILD/bin/ipsecif
[ -x "$setkey" ] && [ -x "$ipsecif" ] || kt_fail "setkey or ipsecif not built"
kt_load_kipsec
kt_topo_h2h
kt_ns c

ekey=0x$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
akey=0x$(head -c 20 /dev/urandom | od -An -tx1 | tr -d ' \n')
for h in h1:10.1.1.1:20.1.1.1:192.168.1:192.168.2 h2:20.1.1.1:10.1.1.1:192.168.2:192.168.1; do
	IFS=: read -r ns l r mine theirs <<<"$h"
	kt_assert ip netns exec "$ns" "$ipsecif" add ipsec0 local "$l" remote "$r" reqid 1
	# No link-local address: no packets of its own to count.
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.ipsec0.addr_gen_mode=1
	ip -n "$ns" link set ipsec0 up && kt_addr "$ns" ipsec0 "$mine.1/32" &&
		ip -n "$ns" route add "$theirs.0/24" dev ipsec0 || kt_fail "$ns: ipsec0"
	ip netns exec "$ns" "$setkey" -c <<SAS >/dev/null || kt_fail "$ns: SAs"
add 10.1.1.1 20.1.1.1 esp 0x501 -m tunnel -u 1 -E aes-cbc $ekey -A hmac-sha1 $akey;
add 20.1.1.1 10.1.1.1 esp 0x502 -m tunnel -u 1 -E aes-cbc $ekey -A hmac-sha1 $akey;
SAS
done
kt_ping_ok h1 192.168.2.1
stat_of() { ip netns exec "$1" cat "/sys/class/net/$2/statistics/$3"; }

# iproute2 can only send the kind: refused, with the kernel's reason.
ip -n h2 link add ipsec9 type kipsec 2>"$KT_TMP/err" && kt_fail "an interface without attributes was made"
ip -n h2 link show ipsec9 >/dev/null 2>&1 && kt_fail "ipsec9 exists after a refused add"
[ -s "$KT_TMP/err" ] || kt_fail "the refused add said nothing"
echo "# no attributes: $(head -1 "$KT_TMP/err")"

# The way to the remote through ipsec0 itself: each packet dropped, once.
ip -n h2 route replace 10.1.1.1/32 dev ipsec0 || kt_fail "h2: looping route"
KT_PING_COUNT=3 kt_ping_fails h2 192.168.1.1
[ "$(stat_of h2 ipsec0 tx_aborted_errors)" = 3 ] ||
	kt_fail "h2 ipsec0 through itself: tx_aborted_errors $(stat_of h2 ipsec0 tx_aborted_errors)"
ip -n h2 route replace 10.1.1.1/32 dev eth0 || kt_fail "h2: route back"
kt_ping_ok h2 192.168.1.1
echo "# outer route through ipsec0: 3 packets dropped, counted as aborted"

# h1 sends ESP (null, transport: SA 0x601) to h2's inner address through
# ipsec0: h2 decrypts the interface's SA, and the ESP inside comes out of
# ipsec0 for h2 itself. Dropped, counted as nested, its SA never used.
for ns in h1 h2; do
	ip netns exec "$ns" "$setkey" -c <<<'add 192.168.1.1 192.168.2.1 esp 0x601 -E null;' ||
		kt_fail "$ns: null SA"
done
nested=$(kt_stat h2 ipv4 in_nested)
ip netns exec h1 python3 - <<'PY' || kt_fail "h1: cannot send the inner ESP"
import socket, struct
icmp = bytearray(struct.pack("!BBHHH", 8, 0, 0, 0x601, 1))
c = sum(struct.unpack("!4H", icmp))
c = (c & 0xFFFF) + (c >> 16)
icmp[2:4] = struct.pack("!H", ~c & 0xFFFF)
esp = struct.pack("!II", 0x601, 1) + bytes(icmp) + bytes([1, 2, 2, 1])
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ESP)
s.bind(("192.168.1.1", 0))
for _ in range(3):
    s.sendto(esp, ("192.168.2.1", 0))
PY
kt_wait_for 10 eval '[ "$(kt_stat h2 ipv4 in_nested)" -ge $((nested + 3)) ]' ||
	kt_fail "h2: in_nested $nested -> $(kt_stat h2 ipv4 in_nested) after 3 ESP packets out of ipsec0"
ip netns exec h2 "$setkey" -D | grep -A8 'spi=1537(' | grep -q 'current: 0(bytes)' ||
	kt_fail "h2 used SA 0x601 for ESP that came out of ipsec0: $(ip netns exec h2 "$setkey" -D)"
echo "# ESP inside ipsec0's tunnel: in_nested $nested -> $(kt_stat h2 ipv4 in_nested), SA 0x601 unused"

# The clear side in c; the encrypted side, and the SAs, stay in h1.
ip -n h1 link set ipsec0 netns c && ip -n c link set ipsec0 up &&
	kt_addr c ipsec0 192.168.1.1/32 && ip -n c route add 192.168.2.0/24 dev ipsec0 ||
	kt_fail "c: ipsec0"
kt_ping_ok c 192.168.2.1
[ "$(stat_of c ipsec0 rx_packets)" = 6 ] || kt_fail "c ipsec0 rx_packets (2 replies and 2 requests in h1, 2 replies in c): $(stat_of c ipsec0 rx_packets)"

# Allocations that fail after ipsec0 took a packet: counted on the
# interface that lost it, tx_fifo_errors out and rx_dropped in.
param=/sys/module/kipsec/parameters/fault_alloc
echo 2 >$param
ip netns exec c ping -q -c 40 -i 0.02 -W 1 192.168.2.1 >/dev/null 2>&1
echo 0 >$param
fifo=$(stat_of c ipsec0 tx_fifo_errors) rxd=$(stat_of h2 ipsec0 rx_dropped)
[ "$fifo" -gt 0 ] && [ "$(stat_of c ipsec0 tx_dropped)" = "$fifo" ] ||
	kt_fail "c ipsec0 with failing allocations: tx_fifo_errors $fifo, tx_dropped $(stat_of c ipsec0 tx_dropped)"
[ "$rxd" -gt 0 ] || kt_fail "h2 ipsec0 with failing allocations: rx_dropped $rxd"
h2fifo=$(stat_of h2 ipsec0 tx_fifo_errors)
kt_ping_ok c 192.168.2.1
echo "# fault_alloc=2: c's ipsec0 tx_fifo_errors $fifo, h2's rx_dropped $rxd"

# h1 goes: so does c's ipsec0 (and the veth, h2's route to 10.1.1.1).
ip netns del h1
kt_wait_for 30 eval '! ip -n c link show ipsec0' || kt_fail "c's ipsec0 outlived h1"
kt_wait_for 30 eval '! ip -n h2 link show eth0' || kt_fail "h2's eth0 outlived h1"
echo "# h1 deleted: c's ipsec0 went with it"

KT_PING_COUNT=3 kt_ping_fails h2 192.168.1.1
[ "$(stat_of h2 ipsec0 tx_aborted_errors)" = 6 ] && [ "$(stat_of h2 ipsec0 tx_dropped)" = $((6 + h2fifo)) ] ||
	kt_fail "h2 ipsec0 without a route (3 + the 3 above): tx_aborted_errors $(stat_of h2 ipsec0 tx_aborted_errors), tx_dropped $(stat_of h2 ipsec0 tx_dropped)"
ip netns exec h2 ping -q -i 0.05 192.168.1.1 >/dev/null 2>&1 &
p=$!
sleep 1
rmmod kipsec || kt_fail "rmmod kipsec with h2's ipsec0"
kill $p
ip -n h2 link show ipsec0 >/dev/null 2>&1 && kt_fail "h2's ipsec0 left after rmmod"
echo "# rmmod with h2's ipsec0 under traffic: gone, no oops"
