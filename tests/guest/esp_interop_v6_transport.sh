# SPDX-License-Identifier: BSD-2-Clause
# kt-timeout: 1500
# ESP interop, IPv6 transport mode: esp_interop_v4_transport over IPv6, with
# other key sizes (tests/guest/esp_interop.bash).
. "$KT_TOP/tests/vm/lib.sh"
. "$KT_TOP/tests/guest/esp_interop.bash"

esp_setup
esp_matrix transport 6
esp_finish
