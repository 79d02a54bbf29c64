# SPDX-License-Identifier: BSD-2-Clause
# Our setkey against kipsec.ko, end to end: a file of SAs (several
# algorithms, lifetimes, IPv6, tunnel mode with reqid) and policies (ports,
# protocols, both families) loads; `setkey -D` and `-DP` list them all with
# their keys and selectors; GETSPI-free deletes and flushes empty the tables.
. "$KT_TOP/tests/vm/lib.sh"

setkey=$KT_BUILD/bin/setkey
[ -x "$setkey" ] || kt_skip "setkey not built ($setkey)"
kt_load_kipsec
conf=$KT_TMP/kipsec.conf
cat >"$conf" <<'CONF'
flush;
spdflush;
add 10.1.1.1 20.1.1.1 esp 0x1001 -m tunnel -u 7 -r 32 -E aes-cbc 0x00112233445566778899aabbccddeeff -A hmac-sha1 0x0011223344556677889900112233445566778899;
add 10.1.1.1 20.1.1.1 esp 0x1002 -lh 3600 -ls 2880 -bh 1000000 -bs 800000 -E 3des-cbc "hogehogehogehogehogehoge";
add 20.1.1.1 10.1.1.1 ah 0x2001 -A hmac-md5 "mogamogamogamoga";
add fd00:1::1 fd00:2::1 esp 0x3001 -E aes-ctr 0x00112233445566778899aabbccddeeff01020304 -A hmac-sha2-256 0x00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff;
spdadd 10.1.1.0/24[any] 20.1.1.0/24[80] tcp -P out ipsec esp/transport//require;
spdadd 10.1.1.0/24 20.1.1.0/24 any -P out ipsec esp/tunnel/10.1.1.1-20.1.1.1/unique:7;
spdadd fd00:2::/64 fd00:1::/64 icmp6 -P in discard;
CONF
$setkey -f "$conf" || kt_fail "setkey -f failed against kipsec"
grep -q '^sad: 4$' /proc/net/kipsec || kt_fail "want 4 SAs: $(cat /proc/net/kipsec)"
grep -q '^spd: 3$' /proc/net/kipsec || kt_fail "want 3 policies: $(cat /proc/net/kipsec)"

$setkey -D >"$KT_TMP/sad" || kt_fail "setkey -D failed"
[ "$(grep -c 'spi=' "$KT_TMP/sad")" = 4 ] || kt_fail "setkey -D: $(cat "$KT_TMP/sad")"
grep -q 'hmac-sha2-256' "$KT_TMP/sad" || kt_fail "setkey -D lost the SHA-256 key"
grep -q 'reqid=7' "$KT_TMP/sad" || kt_fail "setkey -D lost the reqid"
$setkey -DP >"$KT_TMP/spd" || kt_fail "setkey -DP failed"
grep -q '20.1.1.0/24\[80\]' "$KT_TMP/spd" || kt_fail "setkey -DP: $(cat "$KT_TMP/spd")"
grep -q 'esp/tunnel/10.1.1.1-20.1.1.1/unique' "$KT_TMP/spd" || kt_fail "setkey -DP lost the tunnel request"

cat >"$conf" <<'CONF'
delete 20.1.1.1 10.1.1.1 ah 0x2001;
spddelete fd00:2::/64 fd00:1::/64 icmp6 -P in;
CONF
$setkey -f "$conf" || kt_fail "setkey delete/spddelete failed"
grep -q '^sad: 3$' /proc/net/kipsec || kt_fail "delete: $(cat /proc/net/kipsec)"
grep -q '^spd: 2$' /proc/net/kipsec || kt_fail "spddelete: $(cat /proc/net/kipsec)"
$setkey -F && $setkey -FP || kt_fail "setkey -F/-FP failed"
grep -q '^sad: 0$' /proc/net/kipsec && grep -q '^spd: 0$' /proc/net/kipsec || kt_fail "flush: $(cat /proc/net/kipsec)"
kt_unload_kipsec
exit 0
