#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# Guest side of `tests/bench/run crypto_limit` (issue 19): how close kipsec
# and native XFRM get to what the ESP transforms alone allow, in one boot.
#
# 1. The transforms alone, on vCPU 1 (the vCPU that does all of
#    esp_tput's packet work): tests/bench/aead_speed/aead_speed.ko times
#    encryption and decryption of one packet's ESP payload with the
#    transform the stacks use, seqiv(rfc4106(gcm(aes))) and
#    echainiv(authenc(hmac(sha256),cbc(aes))), at the inner packet of each
#    UDP size (SIZE + 28 bytes of IPv4 and UDP headers). Debian 6.1's
#    tcrypt has no speed test for authenc(); it does time
#    rfc4106(gcm(aes)) (mode 211) at its own sizes (64, 512 and 1420
#    bytes of payload), which we run too, with aead_speed.ko at the same
#    payloads, as a check of the module against the kernel's own numbers.
# 2. The stacks: tests/bench/esp_tput.sh's UDP rows for the same
#    algorithms and sizes, kipsec and native XFRM taking turns (no TCP).
# 3. Where vCPU 1's time goes: per stack, `perf record -C 1` for a few
#    seconds of one UDP row (CL_PERF_ALG, CL_PERF_SIZE) and the top symbols.
#
# Each transform measurement (a write to the module's "run" parameter,
# which returns when it is done) lies between marks in $KT_OUT/marks, as
# esp_tput's turns do, so that tests/bench/vcpu_clock.py notes vCPU 1's
# share of a host CPU and the table can divide both kinds of rate by it.
# Writes $KT_OUT/raw.txt (esp_tput.sh's), crypto.txt (one line per
# transform measurement), tcrypt.txt, perf-STACK.txt;
# tests/bench/crypto_limit_table.py makes the table.
# Environment (defaults): CL_ALGS (gcm cbc-sha256), CL_SIZES (64 512 1400),
# CL_RUNS (3 measurements of each transform, size and direction), CL_MS
# (1000 ms each), CL_ESP_RUNS (4 turns of ESP_SECS=1 per stack and size;
# 0: no ESP),
# CL_TCRYPT_SECS (1; 0 = tcrypt's cycle counts, quick; "no" = skip),
# CL_PERF (1; 0 = no profile), CL_PERF_ALG (gcm), CL_PERF_SIZE (64),
# CL_PERF_SECS (3).
. "$KT_TOP/tests/vm/lib.sh"

algs=${CL_ALGS:-gcm cbc-sha256}
sizes=${CL_SIZES:-64 512 1400}
runs=${CL_RUNS:-3}
ms=${CL_MS:-1000}
esp_runs=${CL_ESP_RUNS:-4}
tcrypt_secs=${CL_TCRYPT_SECS:-1}
perf=${CL_PERF:-1}
perf_alg=${CL_PERF_ALG:-gcm}
perf_size=${CL_PERF_SIZE:-64}
perf_secs=${CL_PERF_SECS:-3}
kmod=$KT_TOP/tests/bench/aead_speed/aead_speed.ko
crypto=$KT_OUT/crypto.txt
start=$SECONDS

[ -r "$kmod" ] || kt_fail "$kmod missing: run make kernel"
mkdir -p "$KT_OUT/marks"
: >"$crypto"
mark() { : >"$KT_OUT/marks/$1"; }

# aead_args ALG: aead_speed.ko's parameters for an esp_tput algorithm row,
# the transform and key sizes kipsec's sa_crypto.c and esp_tput.sh give it.
aead_args() {
	case $1 in
	gcm) echo "alg=seqiv(rfc4106(gcm(aes))) enckeylen=20 icv=16" ;;
	cbc-sha256) echo "alg=echainiv(authenc(hmac(sha256),cbc(aes))) enckeylen=16 authkeylen=32 icv=16" ;;
	*) kt_fail "no transform for algorithm row $1" ;;
	esac
}

# load ALG: aead_speed.ko with ALG's transform (any loaded one goes first).
load() {
	rmmod aead_speed 2>/dev/null
	# shellcheck disable=SC2046
	insmod "$kmod" $(aead_args "$1") ||
		kt_fail "aead_speed.ko $1: $(dmesg | grep 'aead_speed: ' | tail -n 2)"
}

# aead DIR PLEN MS: one measurement by the loaded module, in a process on
# vCPU 1; prints its result line.
aead() {
	local line
	taskset -c 1 sh -c "echo '$1 $2 $3' >/sys/module/aead_speed/parameters/run" ||
		kt_fail "aead_speed.ko $1 $2: $(dmesg | grep 'aead_speed: ' | tail -n 2)"
	line=$(cat /sys/module/aead_speed/parameters/run)
	case $line in *" dir=$1 plen=$2 "*" rate="*) echo "$line" ;;
	*) kt_fail "aead_speed.ko $1 $2 printed no result: $line" ;;
	esac
}

# crypto_run ALG DIR SIZE PLEN RUN [KIND]: one measurement of the loaded
# ALG between marks, recorded.
crypto_run() {
	local id=crypto-$1-$2-$3-r$5 line
	mark "$id.begin"
	line=$(aead "$2" "$4" "$ms") || exit 1
	mark "$id.end"
	echo "kind=${6:-aead} row=$1 size=$3 run=$5 id=$id $line t=$((SECONDS - start))" | tee -a "$crypto"
}

echo "# kernel $(uname -r), $(nproc) vCPUs; cpu flags: $(grep -m1 -o -w \
	'aes\|pclmulqdq\|avx\|avx2\|sha_ni' /proc/cpuinfo | tr '\n' ' ')" >>"$crypto"

# 1. The transforms. The first load of each builds its template instances
# (and runs the crypto manager's tests of them), a short measurement warms
# up; neither is counted. Runs go round all rows so drift hits them alike.
for r in $(seq "$runs"); do
	for a in $algs; do
		load "$a"
		[ "$r" = 1 ] && { aead enc 92 100 >/dev/null || exit 1; }
		for sz in $sizes; do
			for d in enc dec; do crypto_run "$a" $d "$sz" $((sz + 28)) "$r"; done
		done
		# tcrypt's sizes, to check aead_speed.ko against the kernel's own
		# test (in seconds: its cycle counts of 8 operations are no match).
		if [ "$a" = gcm ] && [ "$r" = 1 ] && [ "$tcrypt_secs" != no ] && [ "$tcrypt_secs" != 0 ]; then
			for sz in 64 512 1420; do
				for d in enc dec; do crypto_run gcm $d "t$sz" $((sz - 2)) 1 check; done
			done
		fi
	done
done
rmmod aead_speed || kt_fail "rmmod aead_speed"

# 2. The stacks: esp_tput.sh's UDP rows (it truncates raw.txt, writes marks).
# CL_ESP_RUNS=0: none (the guest test crypto_limit_smoke).
if [ "$esp_runs" != 0 ]; then
	KT_OUT=$KT_OUT BENCH_STACKS="kipsec native" ESP_ALGS="$algs" ESP_SIZES="$sizes" \
		ESP_RUNS="$esp_runs" ESP_SECS=1 ESP_TCP_RUNS=0 \
		ESP_BUDGET=$((120 * $(echo $algs | wc -w) + 60)) \
		bash "$KT_TOP/tests/bench/esp_tput.sh" || esp_failed=1
fi

# 3. Profiles: one UDP row per stack, perf on vCPU 1 for CL_PERF_SECS of
# the turn's measured part. perf starts first with its events disabled
# and is switched on and off through its control FIFO, as it takes long
# to start under TCG. -B -N: no build-ids (slow on the 9p root).
profile() {
	local s=$1 dir=$KT_OUT/perf-$1 pid ppid begin cfd afd
	begin=$dir/marks/$s-$perf_alg-udp$perf_size-r1.begin
	rm -f "$KT_TMP/ctl" "$KT_TMP/ack"
	mkfifo "$KT_TMP/ctl" "$KT_TMP/ack" || kt_fail "mkfifo"
	exec {cfd}<>"$KT_TMP/ctl" {afd}<>"$KT_TMP/ack"
	taskset -c 0 perf record -B -N -q -D -1 --control "fifo:$KT_TMP/ctl,$KT_TMP/ack" \
		-e cpu-clock -C 1 -o "$KT_TMP/perf-$s.data" >"$KT_TMP/perf-rec-$s.log" 2>&1 &
	ppid=$!
	echo disable >&$cfd
	read -r -t 300 -u $afd _ || kt_fail "perf record does not answer: $(tail -n 3 "$KT_TMP/perf-rec-$s.log")"
	KT_OUT=$dir BENCH_STACKS=$s ESP_ALGS=$perf_alg ESP_SIZES=$perf_size \
		ESP_RUNS=1 ESP_SECS=$((perf_secs + 10)) ESP_TCP_RUNS=0 ESP_BUDGET=200 \
		bash "$KT_TOP/tests/bench/esp_tput.sh" >"$KT_TMP/perf-$s.log" 2>&1 &
	pid=$!
	if ! kt_wait_for 300 test -e "$begin"; then
		wait $pid
		kt_fail "perf: the $s turn never began: $(tail -n 5 "$KT_TMP/perf-$s.log")"
	fi
	echo enable >&$cfd
	read -r -t 60 -u $afd _ || kt_fail "perf record: no ack to enable"
	sleep "$perf_secs"
	echo disable >&$cfd
	read -r -t 60 -u $afd _ || kt_fail "perf record: no ack to disable"
	test -e "$dir/marks/$s-$perf_alg-udp$perf_size-r1.end" &&
		echo "# perf $s: the turn ended before perf stopped: the profile includes idle time" >>"$crypto"
	kill -INT $ppid
	wait $ppid
	exec {cfd}>&- {afd}>&-
	wait $pid || kt_fail "perf: esp_tput.sh for $s failed: $(tail -n 5 "$KT_TMP/perf-$s.log")"
	{
		echo "# perf record -e cpu-clock -C 1, ${perf_secs}s of $s $perf_alg UDP $perf_size:" \
			"$(grep -o 'pps=[0-9.]*' "$dir/raw.txt" | head -n 1)"
		taskset -c 0 perf report -i "$KT_TMP/perf-$s.data" --stdio --no-children \
			--sort dso,sym -q 2>/dev/null | grep -v '^$'
	} >"$KT_OUT/perf-$s.txt"
	grep -q '%' "$KT_OUT/perf-$s.txt" || kt_fail "perf report for $s shows no samples"
}
if [ "$perf" = 1 ]; then
	if command -v perf >/dev/null; then
		sysctl -qw kernel.kptr_restrict=0 kernel.perf_event_paranoid=-1
		for s in kipsec native; do profile $s; done
	else
		echo "# no perf in the guest (Debian's linux-perf)" >>"$crypto"
	fi
fi

# 4. tcrypt's AEAD speed test of rfc4106(gcm(aes)) (mode 211 also times
# gcm(aes) at three key sizes); its module refuses to stay loaded
# (-EAGAIN) once done, by design.
if [ "$tcrypt_secs" != no ]; then
	modinfo tcrypt >/dev/null 2>&1 || kt_fail "no tcrypt.ko for $(uname -r)"
	echo "crypto_limit: tcrypt start" >/dev/kmsg
	mark tcrypt.begin
	taskset -c 1 modprobe tcrypt mode=211 sec="$tcrypt_secs" 2>/dev/null
	mark tcrypt.end
	dmesg | sed -n '/crypto_limit: tcrypt start/,$p' | awk -v secs="$tcrypt_secs" '
		/testing speed of/ { alg = $0; sub(/.*testing speed of /, "", alg)
			dir = ($NF == "encryption") ? "enc" : "dec"; sub(/ \(.*/, "", alg) }
		match($0, /test [0-9]+ \([0-9]+ bit key, [0-9]+ byte blocks\)/) {
			split(substr($0, RSTART, RLENGTH), f, /[ (,]+/); key = f[3]; sz = f[6] }
		match($0, /[0-9]+ operations in /) { split(substr($0, RSTART), g, " ")
			print "kind=tcrypt alg=" alg " key=" key " dir=" dir " size=" sz " ops=" g[1] " secs=" secs }
		match($0, /operation in [0-9]+ cycles/) { split(substr($0, RSTART), g, " ")
			print "kind=tcrypt alg=" alg " key=" key " dir=" dir " size=" sz " cycles=" g[3] }
	' >"$KT_OUT/tcrypt.txt"
	grep -q '^kind=tcrypt alg=rfc4106(gcm(aes)) key=160 dir=enc size=64 ' "$KT_OUT/tcrypt.txt" ||
		kt_fail "tcrypt mode=211 printed no rfc4106(gcm(aes)) result"
	dmesg | grep -m1 'tsc: Refined TSC\|tsc: Detected' >>"$KT_OUT/tcrypt.txt"
fi
echo "# crypto drivers: $(awk '$1 == "driver" {print $3}' /proc/crypto |
	grep -E 'rfc4106|authenc|aes|sha256' | sort -u | tr '\n' ' ')" >>"$crypto"
echo "# done in $((SECONDS - start)) s" | tee -a "$crypto"
[ -z "${esp_failed:-}" ] || { echo "FAIL: esp_tput.sh failed (see raw.txt)"; exit 1; }
exit 0
