# SPDX-License-Identifier: BSD-2-Clause
# kt-timeout: 480
# A small run of the ESP throughput benchmark (tests/bench/esp_tput.sh,
# `make bench BENCH=esp_tput`), so that it keeps working, with all four
# stacks: kipsec and native XFRM policy-based, kipsec's ipsec0 and an XFRM
# interface route-based (issue 18). Rows AES-GCM (ESP, every stack) and
# AH (the policy-based stacks only), 1400-byte UDP, one turn of 1 s per
# stack, one short TCP run each. It fails if any stack's tunnel cannot pass
# a ping, lets anything but its SA's ESP or AH out of gw1's WAN link, or
# delivers no UDP packet or no TCP transfer; the rates are not checked.
# Its raw.txt and table.txt in build/vm/last-*/esp_tput_smoke/.
out=$KT_OUT/esp_tput_smoke
mkdir -p "$out"
KT_OUT=$out BENCH_STACKS="kipsec native ipsecif xfrmif" ESP_ALGS="gcm ah-sha256" \
	ESP_SIZES=1400 ESP_RUNS=1 ESP_SECS=1 ESP_TCP_RUNS=1 ESP_TCP_SECS=1 ESP_BUDGET=400 \
	bash "$KT_TOP/tests/bench/esp_tput.sh" || exit 1
python3 "$KT_TOP/tests/bench/esp_tput_table.py" --wall "$out" >"$out/table.txt" || exit 1
cat "$out/table.txt"
# Every stack has its rows: GCM for all four, AH for the policy-based two.
for row in kipsec/gcm native/gcm ipsecif/gcm xfrmif/gcm kipsec/ah-sha256 native/ah-sha256; do
	for p in udp tcp; do
		grep -q "^stack=${row%/*} .* alg=${row#*/} proto=$p " "$out/raw.txt" ||
			{ echo "FAIL: no $p result for ${row%/*} ${row#*/}"; exit 1; }
	done
done
grep -q '^stack=\(ipsecif\|xfrmif\) .* alg=ah-sha256 ' "$out/raw.txt" &&
	{ echo "FAIL: an interface has an AH row"; exit 1; }
exit 0
