# SPDX-License-Identifier: BSD-2-Clause
# kt-timeout: 1500
# ESP interop, IPv6 tunnel mode between gateways: esp_interop_v4_tunnel over
# IPv6, with other key sizes (tests/guest/esp_interop.bash).
. "$KT_TOP/tests/vm/lib.sh"
. "$KT_TOP/tests/guest/esp_interop.bash"

esp_setup
esp_matrix tunnel 6
esp_finish
