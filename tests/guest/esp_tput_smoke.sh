# SPDX-License-Identifier: BSD-2-Clause
# kt-timeout: 480
# A small run of the ESP throughput benchmark (tests/bench/esp_tput.sh,
# `make bench BENCH=esp_tput`), so that it keeps working, kept short for
# make check: the route-based stacks, kipsec's ipsec0 and an XFRM
# interface (issue 18), and kipsec's policy-based tunnel they are compared
# with; AES-GCM, 1400-byte UDP, one turn of 1 s per stack, one short TCP
# run each. (Native XFRM's policy rows and AH are the default run's.) It fails if any stack's tunnel cannot pass
# a ping, lets anything but its SA's ESP or AH out of gw1's WAN link, or
# delivers no UDP packet or no TCP transfer; the rates are not checked.
# Its raw.txt and table.txt in build/vm/last-*/esp_tput_smoke/.
out=$KT_OUT/esp_tput_smoke
mkdir -p "$out"
KT_OUT=$out BENCH_STACKS="kipsec ipsecif xfrmif" ESP_ALGS=gcm \
	ESP_SIZES=1400 ESP_RUNS=1 ESP_SECS=1 ESP_TCP_RUNS=1 ESP_TCP_SECS=1 ESP_BUDGET=400 \
	bash "$KT_TOP/tests/bench/esp_tput.sh" || exit 1
python3 "$KT_TOP/tests/bench/esp_tput_table.py" --wall "$out" >"$out/table.txt" || exit 1
cat "$out/table.txt"
# Every stack has its rows.
for row in kipsec/gcm ipsecif/gcm xfrmif/gcm; do
	for p in udp tcp; do
		grep -q "^stack=${row%/*} .* alg=${row#*/} proto=$p " "$out/raw.txt" ||
			{ echo "FAIL: no $p result for ${row%/*} ${row#*/}"; exit 1; }
	done
done
exit 0
