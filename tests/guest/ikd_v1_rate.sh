# SPDX-License-Identifier: BSD-2-Clause
# kt-timeout: 600
# A small run of the IKEv1 rate benchmark (tests/bench/ike_v1_rate.sh,
# `make bench BENCH=ike_v1_rate`), so that it keeps working: one run of
# 6 exchanges (Main Mode, a new ISAKMP SA each, + Quick Mode) after one
# warm-up, for each pair ikd-ikd, ikd-charon and charon-charon. It fails
# unless every exchange ends with its ESP SA pair mature in both kernels
# with the same SPIs on both ends (exactly 2 x 7 SAs on each side), and
# each end holds 7 established ISAKMP SAs, one per responder address; the
# rates it prints are not checked.
# Its raw.txt and table.txt in a directory of their own, the daemons' logs
# where the other tests' go (build/vm/last-*/ike/ikd_v1_rate/).
out=$KT_OUT
mkdir -p "$out/ikd_v1_rate"
KT_IKE_LOGS=$out/ike/ikd_v1_rate KT_OUT=$out/ikd_v1_rate \
	V1_PAIRS="ikd-ikd ikd-charon charon-charon" V1_RUNS=1 V1_N=6 V1_WARM=1 V1_STALL=60 \
	exec bash "$KT_TOP/tests/bench/ike_v1_rate.sh"
