# SPDX-License-Identifier: BSD-2-Clause
# Policies get a last-use time (issue 13, finding 7d): `setkey -DP` shows
# "lastused:" blank for every policy before any traffic; after a ping, the
# outbound policy on h1 and the inbound one on h2 that it went through show
# a time within the last minutes, while a policy no packet matched stays
# blank. Key daemons read it (current lifetime, usetime) to find idle tunnels.
. "$KT_TOP/tests/vm/lib.sh"

setkey=$KT_BUILD/bin/setkey
[ -x "$setkey" ] || kt_fail "setkey not built ($setkey)"
kt_load_kipsec
kt_topo_h2h

sas='
add 10.1.1.1 20.1.1.1 esp 0x1001 -E aes-cbc 0x00112233445566778899aabbccddeeff -A hmac-sha2-256 0x00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff;
add 20.1.1.1 10.1.1.1 esp 0x2001 -E aes-cbc 0x00112233445566778899aabbccddeeff -A hmac-sha2-256 0x00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff;
'
{
	echo "$sas"
	echo 'spdadd 10.1.1.1 20.1.1.1 any -P out ipsec esp/transport//require;'
	echo 'spdadd 10.1.1.1 20.9.9.0/24 any -P out ipsec esp/transport//require;'
} | ip netns exec h1 "$setkey" -c || kt_fail "setkey on h1 failed"
{
	echo "$sas"
	echo 'spdadd 20.1.1.1 10.1.1.1 any -P out ipsec esp/transport//require;'
	echo 'spdadd 10.1.1.1 20.1.1.1 any -P in ipsec esp/transport//require;'
} | ip netns exec h2 "$setkey" -c || kt_fail "setkey on h2 failed"

# lastused NS SELECTOR DIR: the lastused field of that policy in setkey -DP
# ("-" when blank).
lastused() {
	ip netns exec "$1" "$setkey" -DP | awk -v sel="$2" -v dir="$3" '
		index($0, sel) == 1 { hit = 1; next }
		hit && $1 == dir { dirok = 1; next }
		hit && dirok && /lastused:/ {
			v = $0; sub(/.*lastused: */, "", v); sub(/ *$/, "", v)
			print (v == "" ? "-" : v); exit
		}
		/^[0-9]/ { hit = 0; dirok = 0 }'
}

for p in "h1 10.1.1.1[any] 20.1.1.1[any] out" "h1 10.1.1.1[any] 20.9.9.0/24[any] out" \
	"h2 10.1.1.1[any] 20.1.1.1[any] in" "h2 20.1.1.1[any] 10.1.1.1[any] out"; do
	set -- $p
	v=$(lastused "$1" "$2 $3" "$4")
	[ "$v" = - ] || kt_fail "$1 $2 $3 $4: lastused '$v' before any packet"
done

now=$(date +%s)
kt_ping_ok h1 20.1.1.1
for p in "h1 10.1.1.1[any] 20.1.1.1[any] out" "h2 10.1.1.1[any] 20.1.1.1[any] in" \
	"h2 20.1.1.1[any] 10.1.1.1[any] out"; do
	set -- $p
	v=$(lastused "$1" "$2 $3" "$4")
	t=$(date -d "$v" +%s 2>/dev/null) || kt_fail "$1 $2 $3 $4: lastused '$v' is not a time"
	echo "# $1 $2 $3 $4: lastused $v"
	[ "$t" -ge $((now - 5)) ] && [ "$t" -le $(($(date +%s) + 5)) ] ||
		kt_fail "$1 $2 $3 $4: lastused $v, the ping was at $(date -d @"$now")"
done
v=$(lastused h1 "10.1.1.1[any] 20.9.9.0/24[any]" out)
[ "$v" = - ] || kt_fail "a policy no packet matched has lastused '$v'"
kt_unload_kipsec
exit 0
