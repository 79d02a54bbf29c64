# SPDX-License-Identifier: BSD-2-Clause
# kt-timeout: 240
# A small run of the crypto-limit benchmark's transform part
# (tests/bench/crypto_limit.sh, `make bench BENCH=crypto_limit`), so that
# it keeps working: tcrypt's rfc4106(gcm(aes)) speed test (mode=211, cycle
# counts) and tests/bench/aead_speed/aead_speed.ko timing both ESP
# transforms, AES-GCM and AES-CBC with HMAC-SHA2-256, at one size (64-byte
# UDP), 100 ms each; no ESP traffic (esp_tput_smoke covers that), no perf.
# It fails if tcrypt.ko is missing or prints no rfc4106(gcm(aes)) figure,
# or if aead_speed.ko gives no rate for either transform in either
# direction, or the table lacks them; the figures are not checked.
# Its crypto.txt, tcrypt.txt and table.txt in build/vm/last-*/crypto_limit_smoke/.
out=$KT_OUT/crypto_limit_smoke
mkdir -p "$out"
KT_OUT=$out CL_ALGS="gcm cbc-sha256" CL_SIZES=64 CL_RUNS=1 CL_MS=100 CL_ESP_RUNS=0 \
	CL_TCRYPT_SECS=0 CL_PERF=0 bash "$KT_TOP/tests/bench/crypto_limit.sh" || exit 1
t0=$SECONDS
python3 "$KT_TOP/tests/bench/crypto_limit_table.py" "$out" >"$out/table.txt" || exit 1
echo "# benchmark script $t0 s, table $((SECONDS - t0)) s"
cat "$out/table.txt"
# tcrypt timed rfc4106(gcm(aes)) both ways at 64 bytes.
for d in enc dec; do
	grep -Eq "^kind=tcrypt alg=rfc4106\(gcm\(aes\)\) key=160 dir=$d size=64 cycles=[1-9]" \
		"$out/tcrypt.txt" || { echo "FAIL: no tcrypt rfc4106(gcm(aes)) $d figure at 64 bytes"; exit 1; }
done
# aead_speed.ko: a rate for each transform and direction, in the table too.
for a in gcm cbc-sha256; do
	for d in enc dec; do
		grep -Eq "^kind=aead row=$a size=64 .* dir=$d plen=92 .* rate=[1-9]" "$out/crypto.txt" ||
			{ echo "FAIL: aead_speed.ko gave no $a $d rate"; exit 1; }
	done
done
for a in aes-gcm-16 aes-cbc/sha256; do
	grep -Eq "^$a +64 +92/96 +[0-9]+ +[0-9]+ +[0-9]+ " "$out/table.txt" ||
		{ echo "FAIL: no $a row with rates in the table"; exit 1; }
done
exit 0
