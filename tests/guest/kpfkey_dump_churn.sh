# SPDX-License-Identifier: BSD-2-Clause
# kt-boot: slub
# Dumps resume after removals without walking from the start (issue 13,
# finding 7b). 30000 SAs and 30000 policies (three directions, seven
# priorities) are dumped to a reader with a 4 KiB buffer while another
# socket deletes an entry for every other message received, ahead of the
# dump and behind it: every entry not deleted comes exactly once, in dump
# order (SAs by creation, policies by direction, priority, creation), and
# entries deleted before the dump never. Then /proc/net/kipsec_sa is read
# 256 bytes at a time while half of 20000 SAs are deleted: its SPIs rise
# strictly and every SA never deleted is there. Under slub_debug.
. "$KT_TOP/tests/vm/lib.sh"

prog=$KT_BUILD/guest/kpfkey_msgs
[ -x "$prog" ] || kt_fail "$prog not built (make build/guest/kpfkey_msgs)"
kt_load_kipsec
kt_assert "$prog" churn 30000

n=20000
kt_assert "$prog" addmany $n
"$prog" delmany $n 2 1 >"$KT_TMP/del" 2>&1 &
del=$!
dd if=/proc/net/kipsec_sa bs=256 2>/dev/null >"$KT_TMP/sa"
wait $del || kt_fail "delmany: $(cat "$KT_TMP/del")"
awk -v n=$n '
	function hex(s, i, v) {
		v = 0
		for (i = 3; i <= length(s); i++)
			v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
		return v
	}
	{ for (i = 1; i <= NF; i++) if ($i ~ /^spi=/) spi = hex(substr($i, 5)) }
	NR > 1 && spi <= last { print "line " NR ": spi " spi " after " last; bad = 1; exit }
	{ last = spi; seen[spi - 65536] = 1; lines++ }
	END {
		if (bad) exit 1
		for (i = 0; i < n; i += 2) if (!seen[i]) { print "SA " i " missing"; exit 1 }
		print "# /proc/net/kipsec_sa: " lines " lines"
	}' "$KT_TMP/sa" || kt_fail "/proc/net/kipsec_sa read under churn"
[ "$(awk '$1 == "sad:" { print $2 }' /proc/net/kipsec)" = $((n / 2)) ] ||
	kt_fail "sad: $(cat /proc/net/kipsec)"
kt_unload_kipsec
dmesg | grep -E 'BUG|WARNING|Objects remaining|Poison|Redzone' && kt_fail "kernel complained"
exit 0
