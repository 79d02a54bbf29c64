# SPDX-License-Identifier: BSD-2-Clause
# Who gets which PF_KEY message (plain, registered per SA type, promiscuous
# sockets; a full receive buffer drops without blocking the sender), soft
# and hard EXPIRE from lifetimes of a few seconds, and larval SAs expiring
# after net.kipsec.larval_lifetime.
. "$KT_TOP/tests/vm/lib.sh"

prog=$KT_BUILD/guest/kpfkey_msgs
[ -x "$prog" ] || kt_fail "$prog not built (make build/guest/kpfkey_msgs)"
kt_load_kipsec
kt_assert "$prog" delivery
kt_assert "$prog" expire

[ "$(sysctl -n net.kipsec.larval_lifetime)" = 30 ] || kt_fail "larval_lifetime default is not 30"
[ "$(sysctl -n net.kipsec.preferred_oldsa)" = 0 ] || kt_fail "preferred_oldsa default is not 0"
kt_refute sysctl -qw net.kipsec.larval_lifetime=0
kt_assert sysctl -qw net.kipsec.larval_lifetime=2
kt_assert "$prog" larval 2
kt_unload_kipsec
exit 0
