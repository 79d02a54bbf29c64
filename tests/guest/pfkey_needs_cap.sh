# SPDX-License-Identifier: BSD-2-Clause
# Opening a PF_KEY socket needs CAP_NET_ADMIN in the user namespace that
# owns the socket's network namespace.
. "$KT_TOP/tests/vm/lib.sh"

kt_load_kipsec
py="python3 $KT_TOP/tests/guest/pfkey.py"

out=$(setpriv --reuid=65534 --regid=65534 --clear-groups $py 2>&1)
[ "$out" = EPERM ] || kt_fail "unprivileged user got '$out', want EPERM"

out=$(setpriv --bounding-set=-net_admin --inh-caps=-net_admin $py 2>&1)
[ "$out" = EPERM ] || kt_fail "root without CAP_NET_ADMIN got '$out', want EPERM"

# Root of a new user namespace is not admin of the initial network namespace...
out=$(unshare -U -r $py 2>&1)
[ "$out" = EPERM ] || kt_fail "userns root in init netns got '$out', want EPERM"
# ...but is admin of a network namespace it owns.
out=$(unshare -U -r -n $py 2>&1)
[ "$out" = ok ] || kt_fail "userns root in its own netns got '$out', want ok"

out=$($py 2>&1)
[ "$out" = ok ] || kt_fail "root got '$out'"
kt_unload_kipsec
