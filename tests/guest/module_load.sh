# SPDX-License-Identifier: BSD-2-Clause
# kt-boot: slub
# kipsec.ko loads, shows its version per namespace, serves PF_KEY v2
# sockets, and unloads leaving nothing behind (slub_debug boot).
. "$KT_TOP/tests/vm/lib.sh"

kt_load_kipsec
grep -q '^version: 0\.' /proc/net/kipsec || kt_fail "/proc/net/kipsec has no version: $(cat /proc/net/kipsec)"
dmesg | grep -q 'kipsec .* loaded' || kt_fail "no load message in dmesg"

# A socket is counted while open and forgotten when closed.
python3 "$KT_TOP/tests/guest/pfkey.py" hold 3 >"$KT_TMP/out" &
kt_wait_for 10 grep -q '^sockets: 1$' /proc/net/kipsec || kt_fail "open socket not counted: $(cat /proc/net/kipsec)"
wait $! || kt_fail "PF_KEY socket refused: $(cat "$KT_TMP/out")"
grep -q '^sockets: 0$' /proc/net/kipsec || kt_fail "closed socket still counted"

# Wrong type or protocol version are refused.
python3 - <<'PY' || kt_fail "bad socket parameters accepted"
import socket, sys
for t, p in ((socket.SOCK_DGRAM, 2), (socket.SOCK_RAW, 1)):
    try:
        socket.socket(15, t, p)
        sys.exit(1)
    except OSError:
        pass
PY

# Every namespace has its own state, created and destroyed with it.
kt_ns other
ip netns exec other test -r /proc/net/kipsec || kt_fail "no /proc/net/kipsec in a new netns"
ip netns exec other python3 "$KT_TOP/tests/guest/pfkey.py" >/dev/null || kt_fail "PF_KEY refused in a new netns"
ip netns delete other

# Unload with a socket that was open in a namespace now gone; the module
# must go and dmesg must show no complaint.
kt_unload_kipsec
kt_module_loaded kipsec && kt_fail "kipsec still loaded"
dmesg | grep -E 'BUG|WARNING|Objects remaining|kipsec.*leak' && kt_fail "kernel complained"
exit 0
