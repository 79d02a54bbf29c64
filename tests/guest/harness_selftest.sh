# SPDX-License-Identifier: BSD-2-Clause
# The test library itself: both topologies route IPv4 and IPv6, the TCP
# helper detects a transfer, the capture helper records what is on the wire,
# and the negative assertions notice a broken path.
. "$KT_TOP/tests/vm/lib.sh"

kt_topo_h2h
kt_capture_start h2 eth0 "$KT_TMP/h2h.pcap" icmp or icmp6
kt_ping_ok h1 20.1.1.1
kt_ping_ok h1 fd00:2::1
kt_ping_ok h2 10.1.1.1
kt_capture_stop
n=$(tcpdump -n -r "$KT_TMP/h2h.pcap" 2>/dev/null | grep -c 'ICMP echo request\|ICMP6, echo request')
[ "$n" -ge 4 ] || kt_fail "capture saw $n echo requests, want >= 4"
kt_tcp_ok h1 h2 20.1.1.1 262144 >/dev/null
kt_tcp_ok h2 h1 fd00:1::1 262144 >/dev/null

ip -n h2 link set eth0 down
kt_ping_fails h1 20.1.1.1
( kt_ping_ok h1 20.1.1.1 ) 2>/dev/null && kt_fail "kt_ping_ok passed on a dead link"
ip -n h2 link set eth0 up

kt_topo_gw
kt_ping_ok left 10.0.2.2
kt_ping_ok left fd00:b::2
kt_capture_start gw2 wan0 "$KT_TMP/gw.pcap" tcp
kt_tcp_ok right left 10.0.1.2 1048576 >/dev/null
kt_capture_stop
tcpdump -n -r "$KT_TMP/gw.pcap" 2>/dev/null | grep -q '10.0.2.2.* > 10.0.1.2.5001' ||
	kt_fail "TCP between the subnets did not cross gw2's wan0"
ip -n gw1 route del 10.0.2.0/24
kt_ping_fails left 10.0.2.2
exit 0
