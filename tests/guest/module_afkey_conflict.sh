# SPDX-License-Identifier: BSD-2-Clause
# PF_KEY is one global family: while Linux's af_key holds it, kipsec must
# refuse to load and say why; once af_key is gone kipsec loads.
. "$KT_TOP/tests/vm/lib.sh"

modprobe af_key || kt_skip "af_key is not available in this kernel"
dmesg -C
insmod "$KT_MODULE" 2>"$KT_TMP/err" && kt_fail "kipsec loaded while af_key holds PF_KEY"
kt_module_loaded kipsec && kt_fail "kipsec is in /proc/modules although insmod failed"
grep -q 'File exists' "$KT_TMP/err" || kt_fail "insmod error is not EEXIST: $(cat "$KT_TMP/err")"
dmesg | grep -q 'kipsec: PF_KEY is already registered.*af_key' ||
	kt_fail "no clear message in dmesg: $(dmesg | tail -5)"

rmmod af_key || kt_fail "cannot unload af_key"
kt_load_kipsec
python3 "$KT_TOP/tests/guest/pfkey.py" >/dev/null || kt_fail "PF_KEY socket refused after af_key left"
# With kipsec holding the family, af_key cannot come back.
modprobe --first-time af_key 2>/dev/null
kt_module_loaded af_key && { rmmod af_key; kt_fail "af_key loaded beside kipsec"; }
kt_unload_kipsec
