# SPDX-License-Identifier: BSD-2-Clause
# kt-timeout: 900
# IPcomp (deflate) interop: our setkey over PF_KEY (kipsec) on one side,
# native XFRM (ip xfrm ... proto comp) on the other; transport and tunnel
# mode, IPv4 and IPv6; compressible text over TCP both ways, small packets
# and random data uncompressed, the backoff, the counters, the wire, and a
# corrupted IPcomp payload (tests/guest/ipcomp_interop.bash).
. "$KT_TOP/tests/vm/lib.sh"
. "$KT_TOP/tests/guest/ipcomp_interop.bash"

ipc_setup
# CPI 2 is deflate's well-known CPI (RFC 3173 3.3); the others negotiated.
ipc_case transport 4 0x2 0x1101
ipc_case transport 6 0x1111 0x1112
ipc_case tunnel 4 0x1121 0x1122
ipc_case tunnel 6 0x1131 0x1132
ipc_random 4 0x1141 0x1142
ipc_random 6 0x1151 0x1152
ipc_corrupt 4 0x1161 0x1162
ipc_corrupt 6 0x1171 0x1172
ipc_finish
