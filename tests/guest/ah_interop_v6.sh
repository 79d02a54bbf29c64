# SPDX-License-Identifier: BSD-2-Clause
# kt-timeout: 1500
# AH interop over IPv6: ah_interop_v4 over IPv6 (one case with ESN), plus
# IPv4 in an IPv6 tunnel and IPv6 in an IPv4 tunnel; replays, a flipped bit
# and the mutable header fields (tests/guest/ah_interop.bash).
. "$KT_TOP/tests/vm/lib.sh"
. "$KT_TOP/tests/guest/ah_interop.bash"

# hosts (h1, h2) and gateways (gw1, gw2) run side by side: see ah_lane.
hosts() {
	ah_matrix 1 transport 6
	ah_attacks 6
}

gateways() {
	ah_matrix 7 tunnel 6
	AH_ESN=1 ah_case 13 hmac-sha2-512 tunnel 6
	ah_case 14 hmac-sha2-256 tunnel 4 6
	ah_case 15 aes-xcbc-mac tunnel 6 4
}

ah_setup
ah_lane hosts hosts
ah_lane gateways gateways
ah_finish
