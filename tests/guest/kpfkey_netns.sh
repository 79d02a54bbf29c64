# SPDX-License-Identifier: BSD-2-Clause
# Every network namespace has its own SAD, SPD, sysctls and PF_KEY sockets;
# a namespace that goes away takes its SAs with it.
. "$KT_TOP/tests/vm/lib.sh"

prog=$KT_BUILD/guest/kpfkey_msgs
[ -x "$prog" ] || kt_fail "$prog not built (make build/guest/kpfkey_msgs)"
kt_load_kipsec
kt_ns a
kt_ns b
kt_assert ip netns exec a "$prog" add 0x1000
kt_assert ip netns exec a "$prog" add 0x1001
kt_assert ip netns exec b "$prog" add 0x1000
[ "$(ip netns exec a "$prog" count)" = 2 ] || kt_fail "netns a: want 2 SAs"
[ "$(ip netns exec b "$prog" count)" = 1 ] || kt_fail "netns b: want 1 SA"
[ "$("$prog" count)" = 0 ] || kt_fail "init netns sees other namespaces' SAs"
ip netns exec a grep -q '^sad: 2$' /proc/net/kipsec || kt_fail "/proc/net/kipsec of a"

# Sysctls are per namespace.
kt_assert ip netns exec a sysctl -qw net.kipsec.larval_lifetime=5
[ "$(ip netns exec b sysctl -n net.kipsec.larval_lifetime)" = 30 ] || kt_fail "sysctl leaked across namespaces"

# A namespace dies with SAs in it; the others are untouched.
ip netns delete a
[ "$(ip netns exec b "$prog" count)" = 1 ] || kt_fail "netns b lost its SA"
kt_ns c
kt_assert ip netns exec c "$prog" sa
kt_unload_kipsec
dmesg | grep -E 'BUG|WARNING' && kt_fail "kernel complained"
exit 0
