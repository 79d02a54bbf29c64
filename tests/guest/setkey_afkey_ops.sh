# SPDX-License-Identifier: BSD-2-Clause
# setkey's statements and flags against Linux's af_key, checked with
# `ip xfrm` where the kernel state is concerned: get, delete, deleteall,
# flush, spdadd/spddelete/spdflush, -n, kernel refusals reported with their
# line, and -x showing messages as they pass.
. "$KT_TOP/tests/vm/lib.sh"

setkey=$KT_BUILD/bin/setkey
modprobe af_key || kt_fail "cannot load af_key"
conf=$KT_TMP/ops.conf
cat >"$conf" <<'CONF'
add 10.1.1.1 20.1.1.1 esp 0x1001 -m tunnel -u 7 -r 32 -E aes-cbc 0x00112233445566778899aabbccddeeff -A hmac-sha1 0x0011223344556677889900112233445566778899;
add 10.1.1.1 20.1.1.1 esp 0x1002 -lh 3600 -ls 2880 -bh 1000000 -bs 800000 -E 3des-cbc "hogehogehogehogehogehoge";
add 20.1.1.1 10.1.1.1 ah 0x2001 -A hmac-md5 "mogamogamogamoga";
add fd00:1::1 fd00:2::1 esp 0x3001 -E aes-ctr 0x00112233445566778899aabbccddeeff01020304 -A hmac-sha2-256 0x00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff;
spdadd 10.1.1.0/24[any] 20.1.1.0/24[80] tcp -P out ipsec esp/transport//require;
spdadd fd00:2::/64 fd00:1::/64 icmp6 -P in discard;
CONF

# -n checks and sends nothing.
$setkey -n -f "$conf" || kt_fail "setkey -n rejected a valid file"
[ -z "$(ip xfrm state)$(ip xfrm policy)" ] || kt_fail "setkey -n installed something"

# -x sees every message the kernel sends to listeners.
$setkey -x >"$KT_TMP/monitor" 2>&1 &
mon=$!
KT_PIDS+=($mon)
sleep 1
$setkey -f "$conf" || kt_fail "setkey -f failed"
[ "$(ip xfrm state | grep -c '^src')" = 4 ] || kt_fail "want 4 SAs: $(ip xfrm state)"
[ "$(ip xfrm policy | grep -c '^src')" = 2 ] || kt_fail "want 2 policies: $(ip xfrm policy)"
ip xfrm state | grep -q 'proto esp spi 0x00001001 reqid 7 mode tunnel' || kt_fail "reqid/mode lost: $(ip xfrm state)"
ip xfrm state | grep -A1 'spi 0x00001001' | grep -q 'replay-window 32' || kt_fail "replay window lost"
# Lifetimes: -lh/-ls are add times, -bh/-bs bytes.
life=$(ip -s xfrm state get src 10.1.1.1 dst 20.1.1.1 proto esp spi 0x1002)
grep -q 'expire add: soft 2880(sec), hard 3600(sec)' <<<"$life" || kt_fail "time lifetimes wrong: $life"
grep -q 'limit: soft 800000(bytes), hard 1000000(bytes)' <<<"$life" || kt_fail "byte lifetimes wrong: $life"
ip xfrm state | grep -q 'enc rfc3686(ctr(aes)) 0x00112233445566778899aabbccddeeff01020304' ||
	kt_fail "AES-CTR SA wrong: $(ip xfrm state)"
# af_key truncates HMAC-SHA2-256 to 96 bits (not RFC 4868's 128); kipsec won't.
ip xfrm state | grep -q 'auth-trunc hmac(sha256) 0x00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff 96' ||
	kt_fail "HMAC-SHA2-256 SA wrong: $(ip xfrm state)"

# af_key has no AEAD: the kernel refuses AES-GCM and setkey says so.
echo 'add fd00:1::1 fd00:2::1 esp 0x3002 -E aes-gcm-16 0x00112233445566778899aabbccddeeff01020304;' >"$KT_TMP/gcm.conf"
$setkey -f "$KT_TMP/gcm.conf" 2>"$KT_TMP/err" && kt_fail "af_key accepted AES-GCM?"
grep -q "gcm.conf:1: add: Function not implemented" "$KT_TMP/err" || kt_fail "GCM refusal: $(cat "$KT_TMP/err")"
ip xfrm policy | grep -q 'src fd00:2::/64 dst fd00:1::/64 proto ipv6-icmp' || kt_fail "IPv6 policy selector wrong: $(ip xfrm policy)"
ip xfrm policy | grep -A1 'fd00:2::/64' | grep -q 'action block' || kt_fail "discard is not 'block'"
ip xfrm policy | grep -q 'src 10.1.1.0/24 dst 20.1.1.0/24 proto tcp dport 80' || kt_fail "port selector wrong"

# get prints one SA in -D format; a missing one is an error with the line
# (ESRCH, as af_key and KAME answer).
$setkey -c <<<'get 10.1.1.1 20.1.1.1 esp 0x1001;' >"$KT_TMP/get" || kt_fail "get failed"
grep -q 'esp mode=tunnel spi=4097(0x00001001) reqid=7(0x00000007)' "$KT_TMP/get" || kt_fail "get output: $(cat "$KT_TMP/get")"
grep -q 'E: aes-cbc  00112233 44556677 8899aabb ccddeeff' "$KT_TMP/get" || kt_fail "get shows no key: $(cat "$KT_TMP/get")"
printf '\nget 10.1.1.1 20.1.1.1 esp 0x9999;\n' >"$KT_TMP/missing.conf"
$setkey -f "$KT_TMP/missing.conf" 2>"$KT_TMP/err" && kt_fail "get of a missing SA succeeded"
grep -q "missing.conf:2: get: No such process" "$KT_TMP/err" || kt_fail "missing SA error: $(cat "$KT_TMP/err")"

# A duplicate add is refused by the kernel: line and errno text, exit 1,
# and the statements around it still run.
printf 'add 10.1.1.1 20.1.1.1 esp 0x5001 -E aes-cbc 0x00112233445566778899aabbccddeeff;\nadd 10.1.1.1 20.1.1.1 esp 0x1002 -E aes-cbc 0x00112233445566778899aabbccddeeff;\nadd 10.1.1.1 20.1.1.1 esp 0x5002 -E aes-cbc 0x00112233445566778899aabbccddeeff;\n' >"$KT_TMP/dup.conf"
$setkey -f "$KT_TMP/dup.conf" 2>"$KT_TMP/err" && kt_fail "duplicate add succeeded"
grep -q "dup.conf:2: add: File exists" "$KT_TMP/err" || kt_fail "duplicate error: $(cat "$KT_TMP/err")"
ip xfrm state | grep -q 'spi 0x00005002' || kt_fail "statement after a refused one was not sent"

# A file with a syntax error sends nothing at all.
printf 'add 10.1.1.1 20.1.1.1 esp 0x6001 -E aes-cbc 0x00112233445566778899aabbccddeeff;\nadd 10.1.1.1 20.1.1.1 esp 0x6002 -E 3des-cbc 0x1234;\n' >"$KT_TMP/bad.conf"
$setkey -f "$KT_TMP/bad.conf" 2>"$KT_TMP/err" && kt_fail "bad file accepted"
grep -q "^$KT_TMP/bad.conf:2:[0-9]*: " "$KT_TMP/err" || kt_fail "no file:line:column: $(cat "$KT_TMP/err")"
ip xfrm state | grep -q 'spi 0x00006001' && kt_fail "a file with an error installed its first statement"

# delete, deleteall, flush by type.
$setkey -c <<<'delete 10.1.1.1 20.1.1.1 esp 0x1002;' || kt_fail "delete failed"
ip xfrm state | grep -q 'spi 0x00001002' && kt_fail "delete left the SA"
$setkey -c <<<'deleteall 10.1.1.1 20.1.1.1 esp;' || kt_fail "deleteall failed"
ip xfrm state | grep -q 'src 10.1.1.1 dst 20.1.1.1' && kt_fail "deleteall left SAs: $(ip xfrm state)"
$setkey -c <<<'flush ah;' || kt_fail "flush ah failed"
ip xfrm state | grep -q 'proto ah' && kt_fail "flush ah left AH SAs"
ip xfrm state | grep -q 'spi 0x00003001' || kt_fail "flush ah removed an ESP SA"
$setkey -c <<<'flush;' || kt_fail "flush failed"
[ -z "$(ip xfrm state)" ] || kt_fail "flush left SAs"

# spddelete by selector, spdflush.
$setkey -c <<<'spddelete 10.1.1.0/24[any] 20.1.1.0/24[80] tcp -P out;' || kt_fail "spddelete failed"
ip xfrm policy | grep -q 'dport 80' && kt_fail "spddelete left the policy"
$setkey -c <<<'spdflush;' || kt_fail "spdflush failed"
[ -z "$(ip xfrm policy)" ] || kt_fail "spdflush left policies"

# Null encryption carries an empty key extension, without which af_key
# refuses the SA (as ipsec-tools' setkey does).
$setkey -c <<<'add 10.1.1.1 20.1.1.1 esp 0x1003 -E null -A hmac-sha1 "12345678901234567890";' ||
	kt_fail "af_key refused a null-encryption SA"
ip xfrm state | grep -A3 'spi 0x00001003' | grep -q 'enc ecb(cipher_null)' ||
	kt_fail "null-encryption SA wrong: $(ip xfrm state)"
$setkey -F || kt_fail "flush failed"

kill $mon; wait $mon 2>/dev/null
for m in ADD X_SPDADD DELETE FLUSH X_SPDFLUSH; do
	grep -q "$m" "$KT_TMP/monitor" || kt_fail "setkey -x did not show $m: $(head -40 "$KT_TMP/monitor")"
done
exit 0
