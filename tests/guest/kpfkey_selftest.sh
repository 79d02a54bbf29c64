# SPDX-License-Identifier: BSD-2-Clause
# kt-boot: slub
# The in-module self-tests (insmod kipsec.ko selftest=1): SPD lookup in
# KAME order across selector classes, lookup time among 10k port-only and
# 10k mixed-prefix policies (printed; TCG times, for trends only), and SA
# selection (newest mature, dying as fallback, preferred_oldsa), and
# ACQUIRE (to a registered kernel socket, held back while pending, completed
# by a GETSPI carrying its seq).
. "$KT_TOP/tests/vm/lib.sh"

kt_module_loaded af_key && rmmod af_key
insmod "$KT_MODULE" selftest=1 || kt_fail "insmod selftest=1 failed: $(dmesg | grep kipsec | tail -3)"
line=$(dmesg | grep 'kipsec: selftest: SPD lookup')
echo "# $line"
case $line in
*'SPD lookup ok'*) ;;
*) kt_fail "selftest did not pass: $line" ;;
esac
dmesg | grep -q 'kipsec: selftest: SA selection ok' || kt_fail "SA selection selftest did not pass"
dmesg | grep -q 'kipsec: selftest: ACQUIRE ok' || kt_fail "ACQUIRE selftest did not pass: $(dmesg | grep 'kipsec: selftest')"
grep -q '^sad: 0$' /proc/net/kipsec || kt_fail "selftest left SAs: $(cat /proc/net/kipsec)"
kt_unload_kipsec
exit 0
