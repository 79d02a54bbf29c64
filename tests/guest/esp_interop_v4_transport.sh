# SPDX-License-Identifier: BSD-2-Clause
# kt-timeout: 1200
# ESP interop, IPv4 transport mode: our setkey over PF_KEY (KT_STACK) on one
# host, native XFRM (ip xfrm) on the other; the six non-AEAD encryption
# algorithms with the six integrity algorithms; ping, 2 MiB of TCP, the wire
# captured, tshark decrypting (tests/guest/esp_interop.bash).
. "$KT_TOP/tests/vm/lib.sh"
. "$KT_TOP/tests/guest/esp_interop.bash"

esp_setup
esp_matrix transport 4
esp_finish
