# SPDX-License-Identifier: BSD-2-Clause
# kt-boot: slub
# ACQUIREs are bounded and the SAD grows for them (issue 13, finding 5).
# A `require` policy for a /16 and one datagram to each of 2000
# destinations: exactly net.kipsec.acquire_max (300 here) ACQUIREs go out,
# each leaving a larval SA; the other 1700 are refused and counted, and
# datagrams for pending ACQUIREs are neither. The SAD's tables grew from the
# ACQUIREs alone (a work item: inserts from the packet path cannot) to more
# buckets than entries, with short chains. Then SAs added with setkey carry
# a ping, and the module unloads (slub_debug) with larval SAs left, also
# right after a flood in a namespace deleted at once.
. "$KT_TOP/tests/vm/lib.sh"

setkey=$KT_BUILD/bin/setkey
flood=$KT_TOP/tests/guest/acquire_flood.py
[ -x "$setkey" ] || kt_fail "setkey not built ($setkey)"
kt_load_kipsec
kt_topo_h2h

# proc NS NAME: a value of NS's /proc/net/kipsec.
proc() {
	ip netns exec "$1" awk -v n="$2:" '$1 == n { print $2 }' /proc/net/kipsec
}

[ "$(ip netns exec h1 cat /proc/sys/net/kipsec/acquire_max)" = 1024 ] ||
	kt_fail "acquire_max default: $(ip netns exec h1 cat /proc/sys/net/kipsec/acquire_max)"
ip netns exec h1 sysctl -qw net.kipsec.acquire_max=300 net.kipsec.larval_lifetime=3600 ||
	kt_fail "cannot set the sysctls"
ip -n h1 route add 20.1.0.0/16 dev eth0
ip netns exec h1 "$setkey" -c <<'EOF' || kt_fail "spdadd failed"
spdadd 10.1.1.1 20.1.0.0/16 any -P out ipsec esp/transport//require;
EOF

out=$(ip netns exec h1 python3 "$flood" 20.1 0 2000) || kt_fail "flood: $out"
echo "# flood: $out"
[ "$out" = "sent=2000 eperm=2000 acquires=300 distinct=300 bad=0" ] ||
	kt_fail "want 2000 datagrams dropped and 300 ACQUIREs: $out"
[ "$(proc h1 acquire_pending)" = 300 ] || kt_fail "acquire_pending: $(ip netns exec h1 cat /proc/net/kipsec)"
[ "$(proc h1 acquire_refused)" = 1700 ] || kt_fail "acquire_refused: $(ip netns exec h1 cat /proc/net/kipsec)"
[ "$(proc h1 sad)" = 300 ] || kt_fail "sad: $(ip netns exec h1 cat /proc/net/kipsec)"

# The first 100 destinations again: pending, so neither sent nor refused.
out=$(ip netns exec h1 python3 "$flood" 20.1 0 100) || kt_fail "flood again: $out"
[ "$out" = "sent=100 eperm=100 acquires=0 distinct=0 bad=0" ] ||
	kt_fail "ACQUIREs pending went out again: $out"
[ "$(proc h1 acquire_refused)" = 1700 ] || kt_fail "pending ACQUIREs counted as refused: $(proc h1 acquire_refused)"

# The grow work: more buckets than SAs (load factor < 1), short chains.
kt_wait_for 30 test "$(proc h1 sad_buckets)" -gt 300 ||
	kt_fail "SAD did not grow: $(ip netns exec h1 cat /proc/net/kipsec)"
chain=$(proc h1 sad_chain_max)
echo "# sad_buckets $(proc h1 sad_buckets) sad_chain_max $chain"
[ "$chain" -ge 1 ] && [ "$chain" -le 8 ] || kt_fail "longest SAD chain: $chain"

# Raising the bound lets ACQUIREs out again.
ip netns exec h1 sysctl -qw net.kipsec.acquire_max=310
out=$(ip netns exec h1 python3 "$flood" 20.1 1000 20) || kt_fail "flood: $out"
[ "$out" = "sent=20 eperm=20 acquires=10 distinct=10 bad=0" ] || kt_fail "after raising the bound: $out"
[ "$(proc h1 acquire_refused)" = 1710 ] || kt_fail "acquire_refused: $(proc h1 acquire_refused)"

# Keys for 10.1.1.1 <-> 20.1.1.1: the ping goes through.
sas='
add 10.1.1.1 20.1.1.1 esp 0x1001 -E aes-cbc 0x00112233445566778899aabbccddeeff -A hmac-sha2-256 0x00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff;
add 20.1.1.1 10.1.1.1 esp 0x2001 -E aes-cbc 0x00112233445566778899aabbccddeeff -A hmac-sha2-256 0x00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff;
'
echo "$sas" | ip netns exec h1 "$setkey" -c || kt_fail "add on h1 failed"
{ echo "$sas"; echo 'spdadd 20.1.1.1 10.1.1.1 any -P out ipsec esp/transport//require;'; } |
	ip netns exec h2 "$setkey" -c || kt_fail "add on h2 failed"
kt_ping_ok h1 20.1.1.1
[ "$(proc h1 sad)" = 312 ] || kt_fail "sad after ADD: $(proc h1 sad)"

# A namespace deleted right after a flood: its grow work, queued by the
# 256th ACQUIRE (64 buckets grew to 256 already), is cancelled or done.
kt_ns flash
ip -n flash link add d0 type dummy && ip -n flash link set d0 up
ip -n flash addr add 10.9.0.1/32 dev d0
ip -n flash route add 20.1.0.0/16 dev d0
ip netns exec flash "$setkey" -c <<'EOF' || kt_fail "spdadd in flash failed"
spdadd 0.0.0.0/0 20.1.0.0/16 any -P out ipsec esp/transport//require;
EOF
ip netns exec flash python3 "$flood" 20.1 0 256 nowait || kt_fail "flood in flash failed"
ip netns delete flash

kt_unload_kipsec
kt_module_loaded kipsec && kt_fail "kipsec still loaded"
dmesg | grep -E 'BUG|WARNING|Objects remaining|Poison|Redzone' && kt_fail "kernel complained"
exit 0
