# SPDX-License-Identifier: BSD-2-Clause
# kt-timeout: 600
# The packet path when its own allocations fail: kipsec's fault_alloc
# parameter fails one in N of them (per-packet ESP and AH contexts, the plan
# a GSO segment of a bundle gets, the secpath of a nested packet). Traffic
# through an ESP+AH bundle both ways (TCP, so that GSO segments share a
# plan) and nested ESP from the wire run with failures; the failures are
# counted (out_nomem, in_nomem), nothing oopses, traffic works again once
# failures stop, and every SA and policy is then flushed. The runner then
# unloads kipsec.ko: an SA reference leaked on a failure path keeps an SA
# alive, and destroying its cache at unload WARNs (panic_on_warn).
. "$KT_TOP/tests/vm/lib.sh"

setkey=$KT_BUILD/bin/setkey
param=/sys/module/kipsec/parameters/fault_alloc
[ -x "$setkey" ] || kt_fail "setkey not built ($setkey)"
kt_load_kipsec
[ -w $param ] || kt_fail "kipsec.ko has no fault_alloc parameter"
kt_topo_h2h
ekey=0x$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
akey=0x$(head -c 20 /dev/urandom | od -An -tx1 | tr -d ' \n')
nkey=6b6970736563686f7374696c656b657931323334
for h in h1 h2; do
	cat >"$KT_TMP/$h.conf" <<-EOF
	add 10.1.1.1 20.1.1.1 esp 0x301 -m transport -E aes-cbc $ekey -A hmac-sha1 $akey;
	add 20.1.1.1 10.1.1.1 esp 0x302 -m transport -E aes-cbc $ekey -A hmac-sha1 $akey;
	add 10.1.1.1 20.1.1.1 ah 0x303 -m transport -A hmac-sha1 $akey;
	add 20.1.1.1 10.1.1.1 ah 0x304 -m transport -A hmac-sha1 $akey;
	add 20.1.1.1 10.1.1.1 esp 0x305 -m transport -E null -A hmac-sha1 0x$nkey;
	EOF
done
cat >>"$KT_TMP/h1.conf" <<-EOF
spdadd 10.1.1.1 20.1.1.1 tcp -P out ipsec esp/transport//require ah/transport//require;
spdadd 20.1.1.1 10.1.1.1 tcp -P in ipsec esp/transport//require ah/transport//require;
EOF
cat >>"$KT_TMP/h2.conf" <<-EOF
spdadd 20.1.1.1 10.1.1.1 tcp -P out ipsec esp/transport//require ah/transport//require;
spdadd 10.1.1.1 20.1.1.1 tcp -P in ipsec esp/transport//require ah/transport//require;
EOF
for h in h1 h2; do
	ip netns exec $h "$setkey" -f "$KT_TMP/$h.conf" || kt_fail "setkey -f on $h failed"
done
ip netns exec h2 ethtool -K eth0 tso on gso on >/dev/null 2>&1

kt_log "a clean transfer first: $(kt_tcp_ok h1 h2 20.1.1.1 262144) MB/s"
sum() { echo $(( $(kt_stat "$1" ipv4 "$2") )); }
out0=$(( $(sum h1 out_nomem) + $(sum h2 out_nomem) ))
in0=$(( $(sum h1 in_nomem) + $(sum h2 in_nomem) ))

echo 4 >$param
# TCP both ways, which may well not finish with a quarter of its packets
# lost: only the failure paths matter here.
xfer=$KT_TOP/tests/guest/tcpxfer.py
head -c 1048576 /dev/urandom >"$KT_TMP/blob"
for dir in "h1 h2 20.1.1.1" "h2 h1 10.1.1.1"; do
	set -- $dir
	ip netns exec $2 timeout 20 python3 "$xfer" recv 5002 "$KT_TMP/rx" "$KT_TMP/ready" 2>/dev/null &
	kt_wait_for 30 test -e "$KT_TMP/ready" || kt_fail "no TCP receiver in $2"
	ip netns exec $1 timeout 15 python3 "$xfer" send $3 5002 "$KT_TMP/blob" >/dev/null 2>&1
	wait
	rm -f "$KT_TMP/ready"
done
# Nested ESP (three layers) from the wire: a secpath each.
for i in $(seq 0 19); do
	ip netns exec h2 python3 "$KT_TOP/tests/guest/hostile.py" esp-nest 4 \
		20.1.1.1 10.1.1.1 0x305 $nkey 3 transport $((1 + i * 3)) >/dev/null ||
		kt_fail "hostile.py failed"
done
echo 0 >$param
out1=$(( $(sum h1 out_nomem) + $(sum h2 out_nomem) ))
in1=$(( $(sum h1 in_nomem) + $(sum h2 in_nomem) ))
kt_log "with fault_alloc=4: out_nomem +$((out1 - out0)), in_nomem +$((in1 - in0))"
[ $((out1 - out0)) -gt 0 ] || kt_fail "no outbound allocation failed"
[ $((in1 - in0)) -gt 0 ] || kt_fail "no inbound allocation failed"

kt_log "after: $(kt_tcp_ok h2 h1 10.1.1.1 262144) MB/s"
for h in h1 h2; do
	ip netns exec $h "$setkey" -F || kt_fail "setkey -F on $h failed"
	ip netns exec $h "$setkey" -FP || kt_fail "setkey -FP on $h failed"
done
