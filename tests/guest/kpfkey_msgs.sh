# SPDX-License-Identifier: BSD-2-Clause
# kipsec.ko's PF_KEY messages: every validation error (errno in the reply
# and from write(), no reply for untrustworthy headers), the SA life cycle
# (REGISTER, GETSPI ranges and exhaustion, UPDATE of larval SAs only, ADD
# collisions, GET with keys, DELETE, FLUSH per type, DUMP), and the SPD
# (ids, UPDATE in place, GET/DELETE2 by id, DELETE by selector, DUMP, FLUSH).
# A longer SADB_X_EXT_KIPSEC_SA is echoed at its own 16 bytes to every
# listener (each copy parses with libpfkey); two threads registering one
# socket for two SA types at once both stay registered.
. "$KT_TOP/tests/vm/lib.sh"

prog=$KT_BUILD/guest/kpfkey_msgs
[ -x "$prog" ] || kt_fail "$prog not built (make build/guest/kpfkey_msgs)"
[ -x "$KT_BUILD/guest/kpfkey_errors" ] || kt_fail "kpfkey_errors not built (make build/guest/kpfkey_errors)"
kt_load_kipsec
kt_assert "$KT_BUILD/guest/kpfkey_errors"
kt_assert "$prog" sa
kt_assert "$prog" spd
kt_assert "$prog" kxlen
kt_assert "$prog" regrace 500
grep -q '^sad: 0$' /proc/net/kipsec || kt_fail "SAs left: $(cat /proc/net/kipsec)"
kt_unload_kipsec
dmesg | grep -E 'BUG|WARNING' && kt_fail "kernel complained"
exit 0
