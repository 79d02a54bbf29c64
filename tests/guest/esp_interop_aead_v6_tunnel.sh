# SPDX-License-Identifier: BSD-2-Clause
# kt-timeout: 1500
# ESP interop with combined-mode algorithms, IPv6 tunnel mode: our setkey
# over PF_KEY (KT_STACK) against native XFRM (ip xfrm); AES-GCM with 128/192/
# 256-bit keys and 8/12/16-byte ICVs, ChaCha20-Poly1305 (kipsec's id 28)
# (tests/guest/esp_interop.bash). Linux's af_key has no AEAD: under
# KT_STACK=afkey each case only checks that setkey reports the refusal, and
# the test is skipped, not passed.
. "$KT_TOP/tests/vm/lib.sh"
. "$KT_TOP/tests/guest/esp_interop.bash"

esp_setup
esp_matrix_aead tunnel 6
esp_finish
