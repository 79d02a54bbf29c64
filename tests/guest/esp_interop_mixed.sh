# SPDX-License-Identifier: BSD-2-Clause
# kt-timeout: 1500
# ESP interop across families: IPv4 in an IPv6 tunnel and IPv6 in an IPv4
# tunnel between gateways, our setkey over PF_KEY (KT_STACK) on one, native
# XFRM (ip xfrm) on the other (tests/guest/esp_interop.bash).
# Linux's af_key gives every SA a selector of its outer family (0.0.0.0/0 or
# ::/0), which traffic of the other family never matches (only netlink can
# leave it unspecified): under KT_STACK=afkey both cases check that setkey
# loads the configuration, and the test is skipped, not passed.
. "$KT_TOP/tests/vm/lib.sh"
. "$KT_TOP/tests/guest/esp_interop.bash"

esp_setup
ESP_AFKEY_CANNOT="af_key's SAs carry a selector of the outer family only"
esp_case aes-cbc 192 hmac-sha2-256 tunnel 4 6
esp_case aes-ctr 224 hmac-sha1 tunnel 6 4
esp_finish
