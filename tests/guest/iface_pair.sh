# SPDX-License-Identifier: BSD-2-Clause
# kt-timeout: 300
# Route-based tunnels (issue 18): gw1 and gw2 each have ipsec0 (IPv4
# outer) and ipsec1 (IPv6 outer), made with ipsecif; SAs from setkey with
# reqids, no policy at all; the hosts' subnets routed into the interfaces.
# Pings both ways 4-in-4, 6-in-6, 4-in-6 and 6-in-4, a TCP transfer; only
# ESP on the wire between the gateways; tcpdump on ipsec0 sees clear ICMP;
# the interface counters count exactly what was sent; PMTU discovery
# through it; discard policies for
# the same traffic change nothing; a wrong key counts rx_crc_errors on the
# receiver's interface; a missing SA counts tx_dropped and raises an
# ACQUIRE with the interface's reqid; the clear side moved to another
# namespace still works; `ip link del` under traffic, then rmmod with
# interfaces left, under traffic too.
. "$KT_TOP/tests/vm/lib.sh"

setkey=$KT_BUILD/bin/setkey
ipsecif=$KT_BUILD/bin/ipsecif
[ -x "$setkey" ] && [ -x "$ipsecif" ] || kt_fail "setkey or ipsecif not built"
kt_load_kipsec
kt_topo_gw wire

ekey=0x$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
akey=0x$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
badkey=0x$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')

# More host addresses, for 4-in-6 and 6-in-4.
kt_addr left eth0 10.9.1.2/32; kt_addr right eth0 10.9.2.2/32
kt_addr left eth0 fd00:9a::2/128; kt_addr right eth0 fd00:9b::2/128
ip -n gw1 route add 10.9.1.0/24 dev lan0; ip -n gw2 route add 10.9.2.0/24 dev lan0
ip -n gw1 -6 route add fd00:9a::/64 dev lan0; ip -n gw2 -6 route add fd00:9b::/64 dev lan0

stat_of() { ip netns exec "$1" cat "/sys/class/net/$2/statistics/$3"; }

# ifaces GW LOCAL4 REMOTE4 LOCAL6 REMOTE6 OTHER4 OTHER6 OTHERX4 OTHERX6
ifaces() {
	local gw=$1
	kt_assert ip netns exec "$gw" "$ipsecif" add ipsec0 local "$2" remote "$3" reqid 100
	kt_assert ip netns exec "$gw" "$ipsecif" add ipsec1 local "$4" remote "$5" reqid 200
	for i in ipsec0 ipsec1; do
		# No link-local address: nothing but the test's packets.
		ip netns exec "$gw" sysctl -qw net.ipv6.conf.$i.addr_gen_mode=1
		ip -n "$gw" link set $i up || kt_fail "$gw: $i does not come up"
	done
	ip -n "$gw" route replace "$6" dev ipsec0 &&
		ip -n "$gw" -6 route replace "$7" dev ipsec1 &&
		ip -n "$gw" route replace "$8" dev ipsec1 &&
		ip -n "$gw" -6 route replace "$9" dev ipsec0 || kt_fail "$gw: routes"
}
ifaces gw1 20.0.0.1 20.0.0.2 fd00:f::1 fd00:f::2 10.0.2.0/24 fd00:b::/64 10.9.2.0/24 fd00:9b::/64
ifaces gw2 20.0.0.2 20.0.0.1 fd00:f::2 fd00:f::1 10.0.1.0/24 fd00:a::/64 10.9.1.0/24 fd00:9a::/64

# The tool: its lines, its refusals.
out=$(ip netns exec gw1 "$ipsecif" show)
kt_expect_eq "ipsecif show" "ipsec0: local 20.0.0.1 remote 20.0.0.2 reqid 100 mtu 1399 up
ipsec1: local fd00:f::1 remote fd00:f::2 reqid 200 mtu 1379 up" "$out"
ip netns exec gw1 "$ipsecif" add ipsec9 local 20.0.0.1 remote 20.0.0.3 reqid 100 2>"$KT_TMP/err"
[ $? = 1 ] && grep -q "reqid" "$KT_TMP/err" || kt_fail "a second reqid 100: $(cat "$KT_TMP/err")"
ip netns exec gw1 "$ipsecif" add ipsec9 local 20.0.0.1 remote fd00::1 reqid 7 2>/dev/null
[ $? = 2 ] || kt_fail "mixed families are not refused with exit 2"
ip netns exec gw1 "$ipsecif" del lan0 2>/dev/null
[ $? = 1 ] && ip -n gw1 link show lan0 >/dev/null || kt_fail "ipsecif del lan0 did not refuse"

sas() {
	cat <<SAS
add 20.0.0.1 20.0.0.2 esp 0x1001 -m tunnel -u 100 -E aes-cbc $ekey -A hmac-sha256 $1;
add 20.0.0.2 20.0.0.1 esp 0x1002 -m tunnel -u 100 -E aes-cbc $ekey -A hmac-sha256 $akey;
add fd00:f::1 fd00:f::2 esp 0x2001 -m tunnel -u 200 -E aes-cbc $ekey -A hmac-sha256 $akey;
add fd00:f::2 fd00:f::1 esp 0x2002 -m tunnel -u 200 -E aes-cbc $ekey -A hmac-sha256 $akey;
SAS
}
sas "$akey" | ip netns exec gw1 "$setkey" -c >/dev/null || kt_fail "gw1: SAs"
sas "$akey" | ip netns exec gw2 "$setkey" -c >/dev/null || kt_fail "gw2: SAs"

# No SPD anywhere, ESP only on the wire; ipsec0 shows the clear packets.
kt_capture_start wire gw1-wan0 "$KT_TMP/wire.pcap"
kt_capture_start gw1 ipsec0 "$KT_TMP/ipsec0.pcap"
kt_ping_ok left 10.0.2.2; kt_ping_ok right 10.0.1.2
kt_ping_ok left fd00:b::2; kt_ping_ok right fd00:a::2
kt_ping_ok left 10.9.2.2 -I 10.9.1.2; kt_ping_ok right 10.9.1.2 -I 10.9.2.2
kt_ping_ok left fd00:9b::2 -I fd00:9a::2; kt_ping_ok right fd00:9a::2 -I fd00:9b::2
echo "# TCP left -> right through ipsec0: $(kt_tcp_ok left right 10.0.2.2 262144) MB/s"
kt_capture_stop
KT_CAPTURE_PID=$(( KT_PIDS[-2] )); kt_capture_stop
esp=$(tcpdump -nr "$KT_TMP/wire.pcap" esp 2>/dev/null | wc -l)
other=$(tcpdump -nr "$KT_TMP/wire.pcap" 'not esp and not arp and not ip6 multicast and not (icmp6 and ip6[40] >= 133 and ip6[40] <= 136)' 2>/dev/null)
[ "$esp" -gt 100 ] || kt_fail "only $esp ESP packets on the wire"
[ -z "$other" ] || kt_fail "not ESP on the wire: $(echo "$other" | head -5)"
req=$(tcpdump -nr "$KT_TMP/ipsec0.pcap" 'icmp[icmptype] == icmp-echo and src 10.0.1.2' 2>/dev/null | wc -l)
rep=$(tcpdump -nr "$KT_TMP/ipsec0.pcap" 'icmp[icmptype] == icmp-echoreply and src 10.0.2.2' 2>/dev/null | wc -l)
[ "$req" -ge 2 ] && [ "$rep" -ge 2 ] || kt_fail "tcpdump -i ipsec0: $req requests, $rep replies in clear"
echo "# wire: $esp ESP packets and nothing else; ipsec0: $req echo requests, $rep replies in clear"

# The counters count what went through: 5 pings of 84 bytes each way.
tp=$(stat_of gw1 ipsec0 tx_packets); tb=$(stat_of gw1 ipsec0 tx_bytes)
rp=$(stat_of gw1 ipsec0 rx_packets); rb=$(stat_of gw1 ipsec0 rx_bytes)
KT_PING_COUNT=5 kt_ping_ok left 10.0.2.2
got="$(( $(stat_of gw1 ipsec0 tx_packets) - tp )) $(( $(stat_of gw1 ipsec0 tx_bytes) - tb ))"
got="$got $(( $(stat_of gw1 ipsec0 rx_packets) - rp )) $(( $(stat_of gw1 ipsec0 rx_bytes) - rb ))"
kt_expect_eq "gw1 ipsec0 tx/rx packets and bytes of 5 pings" "5 420 5 420" "$got"
ip -n gw1 -s link show ipsec0

# PMTU discovery through the interface: a path smaller than the default
# MTU assumes; a DF packet too big gets ICMP with the MTU left after ESP.
toobig() { echo $(( $(stat_of gw1 ipsec0 tx_errors) - $(stat_of gw1 ipsec0 tx_dropped) )); }
big0=$(toobig)
ip -n gw1 link set wan0 mtu 1300 || kt_fail "gw1: wan0 mtu"
ip netns exec left ping -n -c 2 -i 0.3 -W 2 -M do -s 1300 10.0.2.2 >/dev/null 2>&1 &&
	kt_fail "1328 bytes with DF went through a 1300-byte path"
pmtu=$(ip -n left route get 10.0.2.2 | sed -n 's/.* mtu \([0-9]*\).*/\1/p')
[ -n "$pmtu" ] && [ "$pmtu" -ge 1200 ] && [ "$pmtu" -lt 1300 ] ||
	kt_fail "left learned no path MTU below 1300: $(ip -n left route get 10.0.2.2)"
big=$(( $(toobig) - big0 ))
[ "$big" -ge 1 ] || kt_fail "gw1 ipsec0: a too-big packet not in tx_errors"
kt_ping_ok left 10.0.2.2 -M do -s $((pmtu - 28))
ip -n gw1 link set wan0 mtu 1500
echo "# PMTU through ipsec0 over a 1300-byte path: $pmtu, $big too big in tx_errors"

# Policies that would drop the same traffic, into and out of the tunnel,
# are not asked.
spd() {
	ip netns exec "$1" "$setkey" -c <<SPD || kt_fail "$1: spdadd"
spdadd $2 $3 any -P out discard;
spdadd $3 $2 any -P in discard;
spdadd $3 $2 any -P fwd discard;
SPD
}
spd gw1 10.0.1.0/24 10.0.2.0/24
spd gw2 10.0.2.0/24 10.0.1.0/24
kt_ping_ok left 10.0.2.2; kt_ping_ok right 10.0.1.2
for gw in gw1 gw2; do ip netns exec $gw "$setkey" -FP || kt_fail "spdflush"; done

# A wrong key on gw2's side of gw1 -> gw2: gw2's ipsec0 counts ICV failures.
crc=$(stat_of gw2 ipsec0 rx_crc_errors); rxe=$(stat_of gw2 ipsec0 rx_errors)
printf 'delete 20.0.0.1 20.0.0.2 esp 0x1001;\n%s\n' "$(sas "$badkey" | head -1)" |
	ip netns exec gw2 "$setkey" -c >/dev/null || kt_fail "gw2: wrong-key SA"
kt_ping_fails left 10.0.2.2
crc2=$(stat_of gw2 ipsec0 rx_crc_errors); rxe2=$(stat_of gw2 ipsec0 rx_errors)
[ "$crc2" -ge $((crc + 2)) ] && [ "$((rxe2 - rxe))" = "$((crc2 - crc))" ] ||
	kt_fail "gw2 ipsec0 rx_crc_errors $crc -> $crc2, rx_errors $rxe -> $rxe2"
printf 'delete 20.0.0.1 20.0.0.2 esp 0x1001;\n%s\n' "$(sas "$akey" | head -1)" |
	ip netns exec gw2 "$setkey" -c >/dev/null || kt_fail "gw2: SA back"
kt_ping_ok left 10.0.2.2
echo "# wrong key: gw2 ipsec0 rx_crc_errors $crc -> $crc2"

# No SA out: tx_dropped (tx_carrier_errors) and an ACQUIRE with reqid 100.
ip netns exec gw1 "$setkey" -c <<<'delete 20.0.0.1 20.0.0.2 esp 0x1001;' || kt_fail "gw1: delete"
ip netns exec gw1 python3 "$KT_TOP/tests/guest/iface_acquire.py" "$KT_TMP/acq.ready" 60 \
	>"$KT_TMP/acq.out" 2>&1 &
acq=$!
kt_wait_for 30 test -e "$KT_TMP/acq.ready" || kt_fail "ACQUIRE listener did not start"
drop=$(stat_of gw1 ipsec0 tx_dropped); car=$(stat_of gw1 ipsec0 tx_carrier_errors)
kt_ping_fails left 10.0.2.2
wait $acq || kt_fail "no ACQUIRE: $(cat "$KT_TMP/acq.out")"
kt_expect_eq "the interface's ACQUIRE" "acquire satype=3 dir=2 id=0 proto=50 mode=2 level=3 reqid=100" \
	"$(cat "$KT_TMP/acq.out")"
drop2=$(stat_of gw1 ipsec0 tx_dropped); car2=$(stat_of gw1 ipsec0 tx_carrier_errors)
[ "$drop2" -ge $((drop + 2)) ] && [ "$((drop2 - drop))" = "$((car2 - car))" ] ||
	kt_fail "gw1 ipsec0 tx_dropped $drop -> $drop2, tx_carrier_errors $car -> $car2"
sas "$akey" | head -1 | ip netns exec gw1 "$setkey" -c >/dev/null || kt_fail "gw1: SA back"
kt_ping_ok left 10.0.2.2
echo "# no SA: gw1 ipsec0 tx_dropped $drop -> $drop2, ACQUIRE reqid 100"

# gw1's ipsec0 has its clear side moved to namespace c1; the SAs stay in gw1.
kt_ns c1
ip -n gw1 link set ipsec0 netns c1 || kt_fail "cannot move ipsec0 to c1"
ip -n c1 link set ipsec0 up && kt_addr c1 ipsec0 10.0.1.100/32 &&
	ip -n c1 route add 10.0.2.0/24 dev ipsec0 || kt_fail "c1: ipsec0"
out=$(ip netns exec c1 "$ipsecif" show ipsec0)
case $out in
"ipsec0: local 20.0.0.1 remote 20.0.0.2 reqid 100 mtu 1399 up link-netnsid "[0-9]*) ;;
*) kt_fail "ipsecif show in c1: $out" ;;
esac
kt_ping_ok c1 10.0.2.2
echo "# clear side in c1: $out"

# ip link del under a ping, then rmmod with interfaces left, under a ping.
ip netns exec left ping -q -i 0.02 10.0.2.2 >/dev/null 2>&1 &
p1=$!
ip netns exec left ping -q -i 0.02 fd00:b::2 >/dev/null 2>&1 &
p2=$!
sleep 1
ip -n gw2 link del ipsec0 || kt_fail "ip link del ipsec0"
sleep 1
kill $p1
ip -n gw2 link show ipsec0 >/dev/null 2>&1 && kt_fail "gw2 ipsec0 still there"
rmmod kipsec || kt_fail "rmmod kipsec with interfaces"
kill $p2
for n in gw1:ipsec1 gw2:ipsec1 c1:ipsec0; do
	ip -n "${n%:*}" link show "${n#*:}" >/dev/null 2>&1 && kt_fail "$n left after rmmod"
done
echo "# ip link del and rmmod under traffic: no oops"
