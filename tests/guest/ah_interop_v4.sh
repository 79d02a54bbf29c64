# SPDX-License-Identifier: BSD-2-Clause
# kt-timeout: 1500
# AH interop over IPv4: our setkey over PF_KEY (kipsec) on one side, native
# XFRM (ip xfrm) on the other; the six integrity algorithms in transport and
# tunnel mode, one with ESN; ping, 512 KiB of TCP, the wire captured and its
# ICVs checked by an independent oracle; Linux's default 64-bit IPv4 AH
# padding accepted; replays, a flipped bit and the mutable header fields
# (tests/guest/ah_interop.bash).
. "$KT_TOP/tests/vm/lib.sh"
. "$KT_TOP/tests/guest/ah_interop.bash"

# hosts (h1, h2) and gateways (gw1, gw2) run side by side: see ah_lane.
hosts() {
	ah_matrix 1 transport 4
	AH_ESN=1 ah_case 13 hmac-sha2-256 transport 4
	ah_linux_pad64 14
	ah_attacks 4
}

ah_setup
ah_lane hosts hosts
ah_lane gateways ah_matrix 7 tunnel 4
ah_finish
