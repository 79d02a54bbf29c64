# SPDX-License-Identifier: BSD-2-Clause
# Per-SA and per-family counters that key daemons and admins read, against
# Linux's native XFRM on the peer (h1: kipsec.ko, h2: ip xfrm):
#  - an SA's byte count is what it protects, both ways, as XFRM counts it:
#    five 56-byte pings make 320 bytes on each transport SA (ICMP header
#    and data) and 420 on each tunnel SA (the inner packets);
#  - ESP and AH too short to hold an SPI are counted (in_inval);
#  - uncompressed IPcomp (IP-in-IP) carrying congestion (CE) outside hands
#    CE to the inner packet (RFC 6040) without writing into a copy that a
#    packet socket on the interface still shares: that copy stays as sent.
. "$KT_TOP/tests/vm/lib.sh"
. "$KT_TOP/tests/guest/esp_interop.bash"

[ -x "$setkey" ] || kt_fail "setkey not built ($setkey)"
kt_load_kipsec
kt_topo_h2h
ekey=0x$(esp_hex 16) akey=0x$(esp_hex 20)
xalg=(enc 'cbc(aes)' "$ekey" auth-trunc 'hmac(sha1)' "$akey" 96)

# xfrm_bytes SPI: the byte count of h2's native SA.
xfrm_bytes() {
	ip -n h2 -s xfrm state list spi "$1" |
		awk '/\(bytes\), .*\(packets\)/ { sub(/\(bytes\),/, "", $1); print $1; exit }'
}

for mode in transport tunnel; do
	so=0x401 si=0x402 want=320
	[ $mode = tunnel ] && so=0x411 si=0x412 want=420
	ip netns exec h1 "$setkey" -c <<-EOF || kt_fail "setkey on h1 failed"
	flush; spdflush;
	add 10.1.1.1 20.1.1.1 esp $so -m $mode -E aes-cbc $ekey -A hmac-sha1 $akey;
	add 20.1.1.1 10.1.1.1 esp $si -m $mode -E aes-cbc $ekey -A hmac-sha1 $akey;
	spdadd 10.1.1.1 20.1.1.1 icmp -P out ipsec esp/$mode/10.1.1.1-20.1.1.1/require;
	spdadd 20.1.1.1 10.1.1.1 icmp -P in ipsec esp/$mode/20.1.1.1-10.1.1.1/require;
	EOF
	ESP_XFRM_FLUSH=1 esp_xfrm h2 20.1.1.1 10.1.1.1 20.1.1.1 10.1.1.1 $si $so $mode \
		"${xalg[@]}" || kt_fail "ip xfrm on h2 failed"
	KT_PING_COUNT=5 kt_ping_ok h1 20.1.1.1 -s 56
	out=$(kt_sa_stat h1 $so bytes) in=$(kt_sa_stat h1 $si bytes)
	xin=$(xfrm_bytes $so) xout=$(xfrm_bytes $si)
	kt_log "$mode: kipsec out $out in $in; xfrm in $xin out $xout"
	kt_expect_eq "$mode: kipsec's outbound SA bytes" $want "$out"
	kt_expect_eq "$mode: kipsec's inbound SA bytes" $want "$in"
	kt_expect_eq "$mode: XFRM's inbound SA bytes" $want "$xin"
	kt_expect_eq "$mode: XFRM's outbound SA bytes" $want "$xout"
done

# From here h2 sends crafted packets itself: its own policies must not
# wrap them.
ip -n h2 xfrm policy flush
ip -n h2 xfrm state flush
hostile="python3 $KT_TOP/tests/guest/hostile.py"
for p in 50 51; do
	v=$(kt_stat h1 ipv4 in_inval)
	ip netns exec h2 $hostile raw 4 20.1.1.1 10.1.1.1 $p 00000402 >/dev/null ||
		kt_fail "hostile.py failed"
	kt_wait_for 5 test "$(kt_stat h1 ipv4 in_inval)" = $((v + 1)) ||
		kt_fail "a 4-byte packet of protocol $p: in_inval $(kt_stat h1 ipv4 in_inval), want $((v + 1))"
done

# IPcomp tunnel from h2; the IP-in-IP packet it sends uncompressed, CE
# outside, ECT(0) inside, with a UDP datagram for h1. A packet socket on
# h1's eth0 (no ring: its copy shares the data) reads it afterwards.
ip netns exec h1 "$setkey" -c <<-EOF || kt_fail "setkey on h1 failed"
flush; spdflush;
add 20.1.1.1 10.1.1.1 ipcomp 0x4242 -m tunnel -C deflate;
spdadd 10.98.0.0/24 10.1.1.1 udp -P in ipsec ipcomp/tunnel/20.1.1.1-10.1.1.1/use;
EOF
ip netns exec h1 python3 - "$KT_TOP/tests/guest" <<'EOF' || kt_fail "ECN through uncompressed IPcomp"
import socket, struct, subprocess, sys, time
sys.path.insert(0, sys.argv[1])
import hostile as h
f = h.Fam(4)
udp = struct.pack("!HHHH", 5555, 7777, 12, 0) + b"ecn!"
inner = f.ip("10.98.0.5", "10.1.1.1", 17, udp, tos=0x02)
tap = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0800))
tap.bind(("eth0", 0))
rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
rx.setsockopt(socket.IPPROTO_IP, socket.IP_RECVTOS, 1)
rx.bind(("10.1.1.1", 7777))
rx.settimeout(10)
subprocess.run(["ip", "netns", "exec", "h2", "python3",
                sys.argv[1] + "/hostile.py", "raw", "4", "20.1.1.1",
                "10.1.1.1", "4", inner.hex(), "0x03"], check=True,
               stdout=subprocess.DEVNULL)
data, anc, _, _ = rx.recvmsg(64, 64)
tos = [c[2][0] for c in anc if c[1] == socket.IP_TOS]
assert data == b"ecn!" and tos and tos[0] & 3 == 3, f"delivered tos {tos}"
tap.settimeout(10)
while True:
    fr = tap.recv(2048)
    if fr[14 + 9] == 4:         # the IP-in-IP frame
        break
assert fr[14 + 1] & 3 == 3, "outer ECN"
assert fr[14 + 20 + 1] == 0x02, f"the tap's copy was changed: inner tos {fr[34 + 1]:#x}"
print(f"# delivered with CE (tos {tos[0]:#x}); the tap's copy kept ECT(0)")
EOF
