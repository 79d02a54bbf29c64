#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# Guest side of `tests/bench/run ipcomp_tput`: TCP throughput through IPcomp
# (deflate, transport mode, host to host), kipsec against Linux's native
# XFRM, on compressible data (iperf3 --repeating-payload) and on random
# data (iperf3's default). Both topologies are up at once, k-h1 -- k-h2
# (kipsec, our setkey) and n-h1 -- n-h2 (ip xfrm), with the same
# addresses; the runs alternate between them, the order reversed every
# other run. Native XFRM compresses every packet it may and sends those
# that did not shrink uncompressed; kipsec stops trying for a while after
# payloads in a row did not shrink (docs/kipsec.4), which is what the
# random row measures.
# Writes $KT_OUT/raw.txt (one line per run) and $KT_OUT/table.txt.
# Environment (defaults): COMP_RUNS (5), COMP_SECS (3).
. "$KT_TOP/tests/vm/lib.sh"

runs=${COMP_RUNS:-5}
secs=${COMP_SECS:-3}
raw=$KT_OUT/raw.txt
setkey=$KT_BUILD/bin/setkey
failed=''
[ -x "$setkey" ] || kt_fail "$setkey missing: run make"
iperf3 --help 2>&1 | grep -q -- --repeating-payload || kt_fail "iperf3 has no --repeating-payload"
sysctl -qw net.core.rmem_max=4194304 net.core.wmem_max=4194304
kt_load_kipsec

# comp_topo P: P-h1 10.1.1.1 -- P-h2 10.1.1.2, IPcomp both ways.
comp_topo() {
	local p=$1
	kt_ns "$p-h1"; kt_ns "$p-h2"
	kt_link "$p-h1" eth0 "$p-h2" eth0
	kt_addr "$p-h1" eth0 10.1.1.1/24; kt_addr "$p-h2" eth0 10.1.1.2/24
	ip netns exec "$p-h2" iperf3 -s -D -A 0 || kt_fail "cannot start iperf3 -s in $p-h2"
}

kipsec_conf() {
	local me=$1 peer=$2
	cat <<-EOF
	add 10.1.1.1 10.1.1.2 ipcomp 0x1001 -m transport -C deflate;
	add 10.1.1.2 10.1.1.1 ipcomp 0x1002 -m transport -C deflate;
	spdadd $me $peer any -P out ipsec ipcomp/transport//use;
	spdadd $peer $me any -P in ipsec ipcomp/transport//use;
	EOF
}

xfrm_conf() {
	local me=$1 peer=$2
	echo "xfrm state add src 10.1.1.1 dst 10.1.1.2 proto comp spi 0x1001 mode transport comp deflate"
	echo "xfrm state add src 10.1.1.2 dst 10.1.1.1 proto comp spi 0x1002 mode transport comp deflate"
	echo "xfrm policy add src $me dst $peer dir out tmpl proto comp mode transport level use"
	echo "xfrm policy add src $peer dst $me dir in tmpl proto comp mode transport level use"
}

comp_topo k; comp_topo n
kipsec_conf 10.1.1.1 10.1.1.2 | ip netns exec k-h1 "$setkey" -c || kt_fail "setkey on k-h1 failed"
kipsec_conf 10.1.1.2 10.1.1.1 | ip netns exec k-h2 "$setkey" -c || kt_fail "setkey on k-h2 failed"
xfrm_conf 10.1.1.1 10.1.1.2 | ip -n n-h1 -batch - || kt_fail "ip xfrm on n-h1 failed"
xfrm_conf 10.1.1.2 10.1.1.1 | ip -n n-h2 -batch - || kt_fail "ip xfrm on n-h2 failed"
for p in k n; do
	kt_wait_for 20 sh -c "ip netns exec $p-h2 ss -Hltn 'sport = :5201' | grep -q ." ||
		kt_fail "iperf3 -s in $p-h2 is not listening"
done

# run STACK DATA N: one iperf3 run; its receiver's rate in Mbit/s to raw.
run() {
	local p opt='' j=$KT_TMP/$1-$2-$3.json rate
	p=${1:0:1}
	[ "$2" = text ] && opt=--repeating-payload
	if ! timeout 60 ip netns exec "$p-h1" iperf3 -c 10.1.1.2 -A 0 -J -t "$secs" $opt >"$j" 2>&1; then
		echo "# FAIL stack=$1 data=$2 run=$3: $(grep -h '"error"' "$j" | head -1)" | tee -a "$raw"
		failed="$failed $1/$2"
		return
	fi
	rate=$(python3 -c 'import json,sys; print("%.2f" % (json.load(open(sys.argv[1]))["end"]["sum_received"]["bits_per_second"] / 1e6))' "$j")
	echo "stack=$1 data=$2 run=$3 mbps=$rate" | tee -a "$raw"
}

: >"$raw"
echo "# kernel $(uname -r), $(nproc) vCPUs; iperf3 ${runs}x${secs}s per stack and data" >>"$raw"
for d in text random; do
	run kipsec "$d" 0 >/dev/null; run native "$d" 0 >/dev/null	# warm-up
	c0=$(kt_stat k-h1 ipv4 out_comp) || exit 1
	for r in $(seq "$runs"); do
		if [ $((r % 2)) = 1 ]; then order="kipsec native"; else order="native kipsec"; fi
		for s in $order; do run $s $d "$r"; done
	done
	c1=$(kt_stat k-h1 ipv4 out_comp) || exit 1
	echo "# $d: kipsec compressed $((c1 - c0)) packets; $(ip netns exec k-h1 cat /proc/net/kipsec_stat |
		awk '$1 == "ipv4" && /out_nocomp/ { printf "%s %s ", $2, $3 }')" | tee -a "$raw"
done
# A compressible stream that kipsec did not compress is not a measurement.
grep -q '^# text: kipsec compressed 0 ' "$raw" && failed="$failed kipsec/text(no compression)"

awk '
	/^stack=/ && !/ run=0 / { split($0, f, /[ =]/); v[f[2] "/" f[4]] = v[f[2] "/" f[4]] " " f[8] }
	function median(s,   a, n, i, j, t) {
		n = split(s, a, " ")
		for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
		return n ? (n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2) : 0
	}
	END {
		printf "%-8s %14s %14s %7s\n", "data", "kipsec Mbit/s", "native Mbit/s", "ratio"
		split("text random", d, " ")
		for (i = 1; i <= 2; i++) {
			k = median(v["kipsec/" d[i]]); n = median(v["native/" d[i]])
			printf "%-8s %14.2f %14.2f %7s\n", d[i], k, n, (n > 0 ? sprintf("%.2f", k / n) : "-")
		}
	}' "$raw" >"$KT_OUT/table.txt"
cat "$KT_OUT/table.txt"
[ -z "$failed" ] || { echo "FAIL:$failed"; exit 1; }
