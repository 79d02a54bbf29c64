#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# Guest side of `tests/bench/run ike_cookie`: COOKIE replies per second
# (RFC 7296 2.6) of a responder under an IKE_SA_INIT flood, ikd (kipsec.ko)
# against charon, with the ikd/charon ratio.
#
# The responder (namespace res, 10.0.0.2, vCPU 1) accepts IKE_SA_INIT from
# anyone with the flood's proposal (ikd: `remote anonymous`; charon: a
# connection with no remote address) and asks for a cookie as soon as one
# IKE SA is half open: ikd `listen { cookie_threshold 1; }`, charon
# cookie_threshold = 1 with dos_protection = yes (its other limits off:
# block_threshold, init_limit_half_open). Namespace fl (10.0.0.1, vCPU 0)
# floods it with tests/bench/cookie_flood.py: IKE_SA_INIT requests from
# random addresses of 172.16.0.0/16 (routed from res to fl, where they
# end), as fast as one vCPU sends them, open loop. The first request gets
# a full answer (the half-open SA), the others a COOKIE notify each, or
# nothing when the responder falls behind and its socket overflows. Each
# run, from a fresh daemon: COOKIE_WARM seconds of flood (not counted: the
# half-open SA, and the daemon's code paged in), then COOKIE_SECS seconds
# counted: the responder's IKE_SA_INIT responses to the flood captured on
# fl's interface (tcpdump, headers only), COOKIE notifies apart from full
# answers. Rate: COOKIE replies per second of flood; median of COOKIE_RUNS
# runs, the daemons alternating. Also shown: the flood's own rate (when
# the replies reach it, the responder kept up, and the figure is the
# flood's, not the responder's: then compare the vCPU 1 time per reply
# that tests/bench/run adds, from tests/bench/vcpu_clock.py), the replies'
# share of the requests, and ikd's own count (ikdctl stats: cookies sent).
#
# A failed step fails the run: a daemon that does not start, a flood that
# gets no COOKIE at all, or captured drops (tcpdump's count).
#
# Writes $KT_OUT/raw.txt and $KT_OUT/table.txt. Environment (defaults):
# IKE_DAEMONS ("charon ikd"), COOKIE_RUNS (3), COOKIE_SECS (15),
# COOKIE_WARM (3). 6.5 minutes under TCG at a host load of 10 (3 other
# guests); COOKIE_RUNS=5 COOKIE_SECS=60 for a longer run (some 15).
# shellcheck disable=SC2317 # the resp_* functions are called by name
. "$KT_TOP/tests/vm/lib.sh"
. "$KT_TOP/tests/vm/ike.sh"

daemons=${IKE_DAEMONS:-charon ikd}
runs=${COOKIE_RUNS:-3}
secs=${COOKIE_SECS:-15}
warm=${COOKIE_WARM:-3}
raw=$KT_OUT/raw.txt
flood=$KT_TOP/tests/bench/cookie_flood.py
PSK="ike_cookie $RANDOM$RANDOM"
failed=''
KT_CHARON_LOG="default = 0"

kt_ns fl; kt_ns res
kt_link fl eth0 res eth0
kt_addr fl eth0 10.0.0.1/24; kt_addr res eth0 10.0.0.2/24
ip -n res route add 172.16.0.0/16 via 10.0.0.1 dev eth0
# fl only pretends to be those hosts: the answers end there.
ip -n fl route add blackhole 172.16.0.0/16
# The whole flood goes through fl's softirq on vCPU 0 into res's socket:
# a longer backlog than the default 1000 so that the drops are the
# responder's (its socket), not the kernel's queue in between.
sysctl -qw net.core.netdev_max_backlog=10000

resp_charon_available() { [ -x "$KT_CHARON" ] || { echo "no $KT_CHARON"; return 1; }; }
resp_charon_start() {
	KT_IKE_WRAP="taskset -c 1" kt_charon_start res res "dos_protection = yes
  cookie_threshold = 1
  block_threshold = 1000000
  init_limit_half_open = 0"
	kt_charon_load res <<-EOF
	connections {
	  any {
	    version = 2
	    local_addrs = 10.0.0.2
	    proposals = aes128-sha256-x25519
	    local {
	      auth = psk
	      id = res.bench
	    }
	    remote {
	      auth = psk
	    }
	    children {
	      any {
	        mode = transport
	        esp_proposals = aes128-sha256
	      }
	    }
	  }
	}
	secrets {
	  ike-any {
	    secret = "$PSK"
	  }
	}
	EOF
}
resp_charon_stop() { kt_ike_kill res; }
resp_charon_cookies() { echo -; }

IKD=$KT_BUILD/bin/ikd
IKDCTL=$KT_BUILD/bin/ikdctl
IKD_DIR=$KT_TMP/ikd
resp_ikd_available() {
	[ -x "$IKD" ] && [ -x "$IKDCTL" ] || { echo "no $IKD or $IKDCTL: make"; return 1; }
	[ -f "$KT_MODULE" ] || { echo "no $KT_MODULE: make kernel"; return 1; }
	kt_load_kipsec >&2
}

resp_ikd_start() {
	mkdir -p "$IKD_DIR"
	rm -f "$IKD_DIR/ikd.pid"
	(umask 077; echo "10.0.0.1 $PSK" >"$IKD_DIR/psk.txt")
	cat >"$IKD_DIR/racoon.conf" <<-EOF
	path pre_shared_key "$IKD_DIR/psk.txt";
	listen { adminsock "$IKD_DIR/ikd.sock"; cookie_threshold 1; }
	remote anonymous {
		ike_version 2;
		my_identifier fqdn "res.bench";
		proposal {
			encryption_algorithm aes 128;
			hash_algorithm sha256;
			authentication_method pre_shared_key;
			dh_group 31;
		}
	}
	sainfo anonymous {
		encryption_algorithm aes 128;
		authentication_algorithm hmac_sha256;
	}
	EOF
	ip netns exec res taskset -c 1 "$IKD" -f "$IKD_DIR/racoon.conf" \
		-l "$KT_IKE_LOGS/ikd.log" -p "$IKD_DIR/ikd.pid" >>"$IKD_DIR/ikd.out" 2>&1 ||
		kt_fail "ikd did not start: $(tail -5 "$IKD_DIR/ikd.out" "$KT_IKE_LOGS/ikd.log")"
}

resp_ikd_stop() {
	local pid
	pid=$(head -n 1 "$IKD_DIR/ikd.pid")
	kill -KILL "$pid" 2>/dev/null
	kt_ike_until 30 eval "! kt_ike_running $pid"
}

# ikd's own count of the COOKIE notifies it sent.
resp_ikd_cookies() {
	ip netns exec res "$IKDCTL" -s "$IKD_DIR/ikd.sock" stats |
		awk '/^cookies sent:/ { print $3 }'
}

mkdir -p "$KT_OUT/marks"
mark() { : >"$KT_OUT/marks/$1"; }

# count PCAP: "cookies=N full=N other=N" of res's IKE_SA_INIT responses.
count() {
	python3 - "$1" <<-'EOF'
	import struct, sys
	data = open(sys.argv[1], "rb").read()
	end = "<" if struct.unpack("<I", data[:4])[0] in (0xA1B2C3D4, 0xA1B23C4D) else ">"
	off, cookies, full, other = 24, 0, 0, 0
	while off + 16 <= len(data):
	    incl = struct.unpack(end + "I", data[off + 8:off + 12])[0]
	    f = data[off + 16:off + 16 + incl]
	    off += 16 + incl
	    if len(f) < 14 + 20 or f[12:14] != b"\x08\x00":
	        continue
	    ip = f[14:]
	    u = ip[(ip[0] & 15) * 4:]
	    ike = u[8:]
	    if ip[9] != 17 or len(ike) < 28 or ike[18] != 34 or not ike[19] & 0x20:
	        other += 1
	    elif ike[16] == 41 and len(ike) >= 36 and struct.unpack("!H", ike[34:36])[0] == 16390:
	        cookies += 1
	    elif ike[16] == 33:
	        full += 1
	    else:
	        other += 1
	print("cookies=%d full=%d other=%d" % (cookies, full, other))
	EOF
}

one_run() {
	local d=$1 run=$2 out rc cap=$KT_TMP/cookie.pcap c0 c1 got drops cookies
	"resp_${d}_start"
	out=$(ip netns exec fl taskset -c 0 python3 "$flood" 10.0.0.2 172.16 "$warm" 2>&1) ||
		kt_fail "$d run $run: the warm-up flood failed: $out"
	sleep 1
	c0=$("resp_${d}_cookies")
	rm -f "$cap"
	KT_CAPTURE_PID=''
	ip netns exec fl taskset -c 0 tcpdump -n -B 16384 -s 96 -i eth0 -w "$cap" \
		src host 10.0.0.2 and udp src port 500 2>"$cap.log" &
	KT_CAPTURE_PID=$!
	KT_PIDS+=($!)
	kt_wait_for 10 grep -q listening "$cap.log" || kt_fail "tcpdump did not start in fl"
	mark "$d-cookie-$run-$secs.begin"
	out=$(ip netns exec fl taskset -c 0 python3 "$flood" 10.0.0.2 172.16 "$secs" 2>&1)
	rc=$?
	mark "$d-cookie-$run-$secs.end"
	kt_capture_stop
	c1=$("resp_${d}_cookies")
	[ $rc = 0 ] || kt_fail "$d run $run: the flood failed: $out"
	got=$(count "$cap")
	drops=$(sed -n 's/^\([0-9]*\) packets dropped by kernel.*/\1/p' "$cap.log")
	cookies=${got#cookies=}; cookies=${cookies%% *}
	local fsecs=${out#*secs=}; fsecs=${fsecs%% *}
	echo "daemon=$d auth=cookie run=$run from=0 to=$secs $out done=$cookies $got" \
		"reply_rate=$(awk -v c="$cookies" -v s="$fsecs" 'BEGIN { printf "%.1f", c / s }')" \
		"capture_drops=${drops:-?} daemon_cookies=$([ "$c0" = - ] && echo - || echo $((c1 - c0)))" | tee -a "$raw"
	if [ "$cookies" = 0 ] || [ "${drops:-1}" != 0 ]; then
		echo "# FAIL daemon=$d run=$run: $cookies COOKIE replies captured, ${drops:-?} dropped by the capture" | tee -a "$raw"
		failed="$failed $d/$run"
	fi
	"resp_${d}_stop"
}

: >"$raw"
echo "# kernel $(uname -r), $(nproc) vCPUs; strongSwan $(dpkg-query -W -f='${Version}' strongswan-charon 2>/dev/null);" \
	"cookie threshold 1; $runs runs of $secs s after $warm s" >>"$raw"
ok=''
for d in $daemons; do
	if ! why=$("resp_${d}_available"); then
		echo "# daemon=$d skipped: $why" | tee -a "$raw"
		continue
	fi
	ok="$ok $d"
done
for r in $(seq "$runs"); do
	for d in $ok; do one_run "$d" "$r"; done
done

awk '
	function median(s,   a, n, i, j, t) {
		n = split(s, a, " ")
		for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
		return n ? (n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2) : 0
	}
	/^# daemon=.* skipped/ { split($2, f, "="); skip[f[2]] = 1; order[++nd] = f[2]; next }
	/^daemon=/ {
		delete v
		for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		d = v["daemon"]
		if (!(d in seen)) { seen[d] = 1; order[++nd] = d }
		rates[d] = rates[d] " " v["reply_rate"]; sent[d] = sent[d] " " v["rate"]
		share[d] = share[d] " " (v["sent"] > 0 ? v["cookies"] / v["sent"] : 0)
		full[d] += v["full"]
		if (v["daemon_cookies"] != "-" && v["daemon_cookies"] != "") dc[d] = dc[d] " " v["daemon_cookies"] / v["secs"]
	}
	END {
		printf "%-10s %12s %12s %9s %6s %14s\n", "responder", "cookies/s", "flood req/s", "answered", "full", "daemon cook/s"
		for (k = 1; k <= nd; k++) {
			d = order[k]
			if (d in skip) { printf "%-10s %12s   (not run)\n", d, "-"; continue }
			printf "%-10s %12.1f %12.1f %8.0f%% %6d %14s\n", d, median(rates[d]), median(sent[d]),
				100 * median(share[d]), full[d], (dc[d] != "" ? sprintf("%.1f", median(dc[d])) : "-")
		}
		if (("ikd" in seen) && ("charon" in seen) && median(rates["charon"]) > 0)
			printf "%-10s %11.2fx\n", "ikd/charon", median(rates["ikd"]) / median(rates["charon"])
		print "# cookies/s: COOKIE notifies captured per second of flood, median of the runs; flood req/s:"
		print "# what the flooder sent; answered: cookies / requests (near 100%: the responder kept up and"
		print "# cookies/s is the flood'"'"'s rate: see the vCPU 1 time per reply); full: full IKE_SA_INIT"
		print "# answers in all the counted floods; daemon cook/s: ikdctl stats (cookies sent) per second"
	}' "$raw" >"$KT_OUT/table.txt"
cat "$KT_OUT/table.txt"
[ -z "$failed" ] || { echo "FAIL:$failed"; exit 1; }
exit 0
