# SPDX-License-Identifier: BSD-2-Clause
# kt-boot: slub
# 10k SAs and 10k policies: installed, dumped completely to a reader with a
# 4 KiB receive buffer (counts match, last message seq 0), flushed; then the
# module unloads with SAs and policies still installed in a namespace, under
# slub_debug, with no complaint.
. "$KT_TOP/tests/vm/lib.sh"

prog=$KT_BUILD/guest/kpfkey_msgs
[ -x "$prog" ] || kt_fail "$prog not built (make build/guest/kpfkey_msgs)"
kt_load_kipsec
kt_assert "$prog" bulk 10000

# Leave state behind in the init namespace and in another one.
kt_ns scale
for spi in 0x1000 0x1001 0x1002; do
	kt_assert "$prog" add $spi
	kt_assert ip netns exec scale "$prog" add $spi
done
kt_unload_kipsec
dmesg | grep -E 'BUG|WARNING|Objects remaining|Poison|Redzone' && kt_fail "kernel complained"
exit 0
