#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# Guest side of `tests/bench/run ike_rate`: IKEv2 handshakes per second
# (pre-shared key, and ECDSA P-256 certificates) and the responder's memory
# per IKE SA.
#
# One handshake: IKE_SA_INIT and IKE_AUTH with a pre-shared key (auth psk)
# or with ECDSA P-256 certificates (auth ecdsa: RFC 7427 digital
# signatures, ecdsa-with-SHA256, each end sending its certificate and
# verifying the other's against a test CA made here with openssl), and
# Curve25519, AES-GCM-16-128 and PRF-HMAC-SHA2-256, one ESP child SA in
# transport mode (AES-GCM-16-128), up to its SAs installed in the kernel
# on both ends. The initiator is always charon (namespace ini, 10.0.0.1,
# vCPU 0), driven over vici by tests/bench/ike_drive.py: WINDOW initiations
# in flight, each a new IKE SA (reuse_ikesa = no; Debian ships no
# load-tester plugin, and a loop of swanctl processes would cost more than
# the handshakes). The responder (namespace res, 10.0.0.2, vCPU 1) is
# the daemon measured. Every SA has the same traffic selectors (the two
# hosts), so the kernel gets two SAs per handshake and one set of
# policies.
#
# Per authentication A of IKE_AUTHS and responder daemon D, each run from
# fresh daemons after IKE_WARM
# handshakes that are not counted (the first AES-GCM SA of a boot waits
# seconds for the kernel's crypto modules): IKE_RUNS runs of IKE_RATE_N
# handshakes (the rate: their median); then, for psk only, one run up to
# IKE_SMALL and on to IKE_BIG IKE SAs: the rate from IKE_SMALL to IKE_BIG (with a large SA
# table), the responder's resident memory (VmRSS) before, and per IKE SA
# at IKE_SMALL and at IKE_BIG, and the kernel's slab per handshake (both
# ends' SAs: one kernel). The responder runs with its DoS protections off
# (cookies, half-open limits per peer): they are not what is measured.
#
# The responders are functions, one set per daemon (resp_D_available,
# resp_D_start, resp_D_pid, resp_D_sad, resp_D_stop). charon responds on
# native XFRM; ikd on kipsec.ko (loaded at the start; its SPD in res is
# empty but for ikd's runs: a `require` transport policy pair from
# setkey). The daemons' runs alternate, run by run, then the memory runs;
# each step is marked for tests/bench/vcpu_clock.py, and tests/bench/run
# adds the host CPU time of the vCPUs per handshake (ike_cpu.py): the
# responder's cost, which the load of other guests does not change. The table ends with the ikd/charon ratios and the
# project's targets for ikd: at least 1.5 times charon's handshake rate,
# at most 4 KiB of resident memory per IKE SA. Timing asserts nothing.
#
# Writes $KT_OUT/raw.txt (one line per run) and $KT_OUT/table.txt.
# Size: IKE_SIZE, "quick" (the default: IKE_RUNS 3, IKE_RATE_N 80,
# IKE_SMALL 200, IKE_BIG 800; about 11 minutes for both daemons under TCG
# with two other guests on the host's two cores, more under a heavier
# load: 100/300/1000 took 13 minutes at a load of 6, 21 at 8) or "full" (IKE_RUNS 3, IKE_RATE_N 300, IKE_SMALL 1000, IKE_BIG
# 10000: about 40 minutes for charon alone, most of it the run to 10000,
# and over an hour for both).
# Each of those can be set on its own too, and overrides the size's.
# IKE_AUTHS ("psk ecdsa") adds 2 x IKE_RUNS ECDSA runs of IKE_RATE_N, some
# 5 more minutes in the quick size (psk and ecdsa took 19.5 minutes at a
# host load of 10 with 3 other guests); the CA and the certificates (ECDSA
# P-256, subjectAltName DNS:ini.bench and DNS:res.bench, the IDs) are made
# once per boot.
# Environment (defaults): IKE_DAEMONS ("charon ikd"), IKE_AUTHS ("psk ecdsa"), IKE_WINDOW (16),
# IKE_WARM (4), IKE_STALL (60 s). Under TCG charon does a few handshakes a
# second.
# shellcheck disable=SC2317 # the resp_* functions are called by name
. "$KT_TOP/tests/vm/lib.sh"
. "$KT_TOP/tests/vm/ike.sh"

daemons=${IKE_DAEMONS:-charon ikd}
auths=${IKE_AUTHS:-psk ecdsa}
for a in $auths; do
	case $a in psk|ecdsa) ;; *) kt_fail "IKE_AUTHS: psk or ecdsa, not $a" ;; esac
done
auth=psk	# of the current run
case ${IKE_SIZE:-quick} in
quick) d_runs=3 d_rate_n=80 d_small=200 d_big=800 ;;
full) d_runs=3 d_rate_n=300 d_small=1000 d_big=10000 ;;
*) kt_fail "IKE_SIZE is quick or full, not $IKE_SIZE" ;;
esac
runs=${IKE_RUNS:-$d_runs}
rate_n=${IKE_RATE_N:-$d_rate_n}
warm=${IKE_WARM:-4}
small=${IKE_SMALL:-$d_small}
big=${IKE_BIG:-$d_big}
window=${IKE_WINDOW:-16}
stall=${IKE_STALL:-60}
raw=$KT_OUT/raw.txt
drive=$KT_TOP/tests/bench/ike_drive.py
PSK="ike_rate $RANDOM$RANDOM"
PROPOSAL=aes128gcm16-prfsha256-x25519
ESP=aes128gcm16
TABLE_SIZE="ikesa_table_size = 4096
  ikesa_table_segments = 16"
failed=''
# Logs at level 0 only: this measures handshakes, not log writing.
KT_CHARON_LOG="default = 0"

kt_ns ini; kt_ns res
kt_link ini eth0 res eth0
kt_addr ini eth0 10.0.0.1/24; kt_addr res eth0 10.0.0.2/24

# --- the initiator: charon -------------------------------------------------

ini_start() {
	# Each initiation in flight holds one of its threads (ike_drive.py).
	KT_IKE_WRAP="taskset -c 0" kt_charon_start ini ini "reuse_ikesa = no
  threads = $((2 * window + 16))
  $TABLE_SIZE"
	charon_creds ini ini
	charon_conf 10.0.0.1 10.0.0.2 ini res | kt_charon_load ini
}

# charon_creds NAME ME: for ecdsa, the CA, ME's certificate and key in
# instance NAME's swanctl directories, and the openssl plugin for swanctl
# (which parses the EC key itself).
charon_creds() {
	[ "$auth" = ecdsa ] || return 0
	local sw=$KT_IKE_DIR/$1/swanctl
	sed -i 's/^  load = pem pkcs1 pkcs8 x509 pubkey$/  load = pem pkcs1 pkcs8 x509 pubkey openssl/' \
		"$KT_IKE_DIR/$1/strongswan.conf"
	mkdir -p "$sw/x509" "$sw/x509ca" "$sw/private"
	cp "$PKI/$2.pem" "$sw/x509/" && cp "$PKI/ca.pem" "$sw/x509ca/" &&
		cp "$PKI/$2.key" "$sw/private/" || kt_fail "cannot copy $2's credentials for charon"
}

# charon_conf LOCAL_ADDR REMOTE_ADDR ME PEER: swanctl.conf of the bench
# connection, IDs ME.bench and PEER.bench, with $auth.
charon_conf() {
	local lauth="auth = psk" rauth="auth = psk"
	if [ "$auth" = ecdsa ]; then
		lauth="auth = pubkey
	      certs = $3.pem"
		rauth="auth = pubkey"
	fi
	cat <<-EOF
	connections {
	  bench {
	    version = 2
	    local_addrs = $1
	    remote_addrs = $2
	    proposals = $PROPOSAL
	    mobike = no
	    # No INITIAL_CONTACT (which it sends with the first IKE SAs of a
	    # run, while it has none up): ikd would take it as a reboot and
	    # remove the older IKE SAs (RFC 7296 2.4).
	    unique = never
	    local {
	      $lauth
	      id = $3.bench
	    }
	    remote {
	      $rauth
	      id = $4.bench
	    }
	    children {
	      bench {
	        mode = transport
	        esp_proposals = $ESP
	      }
	    }
	  }
	}
	EOF
	[ "$auth" = ecdsa ] || cat <<-EOF
	secrets {
	  ike-bench {
	    secret = "$PSK"
	  }
	}
	EOF
}

# The benchmark's daemons are killed: charon deletes its IKE SAs one by
# one when asked to stop, minutes for 10k under TCG.
ini_stop() { kt_ike_kill ini; }

# --- responders: one set of functions per daemon ---------------------------

resp_charon_available() { [ -x "$KT_CHARON" ] || { echo "no $KT_CHARON"; return 1; }; }

resp_charon_start() {
	KT_IKE_WRAP="taskset -c 1" kt_charon_start res res "$TABLE_SIZE
  cookie_threshold = 1000000
  block_threshold = 1000000
  init_limit_half_open = 0"
	charon_creds res res
	charon_conf 10.0.0.2 10.0.0.1 res ini | kt_charon_load res
}

resp_charon_pid() { echo "${KT_IKE_PID[res]}"; }
resp_charon_stop() { kt_ike_kill res; }

# ikd on kipsec.ko, loaded at the start (with no policy in res during
# charon's runs: resp_ikd_stop flushes its SPD). The same proposal, identities and PSK; a `require`
# transport policy pair from setkey, as charon's one set of policies; the
# log at its default level (notify), to a file. ikd detaches once started
# (its pid file is then written); the benchmark kills it, as it does charon.
IKD=$KT_BUILD/bin/ikd
SETKEY=$KT_BUILD/bin/setkey
IKD_DIR=$KT_TMP/ikd
resp_ikd_available() {
	[ -x "$IKD" ] || { echo "no $IKD: make"; return 1; }
	[ -f "$KT_MODULE" ] || { echo "no $KT_MODULE: make kernel"; return 1; }
	kt_load_kipsec >&2
}

resp_ikd_start() {
	mkdir -p "$IKD_DIR"
	rm -f "$IKD_DIR/ikd.pid"
	(umask 077; echo "ini.bench $PSK" >"$IKD_DIR/psk.txt")
	local path="path pre_shared_key \"$IKD_DIR/psk.txt\";" method=pre_shared_key certs=''
	if [ "$auth" = ecdsa ]; then
		path="path certificate \"$PKI\";" method=rsasig
		certs='certificate_type x509 "res.pem" "res.key"; ca_type x509 "ca.pem";'
	fi
	cat >"$IKD_DIR/racoon.conf" <<-EOF
	$path
	listen { cookie_threshold 1000000; half_open_per_source 1000000; }
	remote 10.0.0.1 {
		ike_version 2;
		my_identifier fqdn "res.bench";
		peers_identifier fqdn "ini.bench";
		verify_identifier on;
		$certs
		proposal {
			encryption_algorithm aes_gcm_16 128;
			hash_algorithm sha256;
			authentication_method $method;
			dh_group 31;
		}
	}
	sainfo anonymous {
		encryption_algorithm aes_gcm_16 128;
	}
	EOF
	ip netns exec res "$SETKEY" -c <<-EOF || kt_fail "setkey in res failed"
	spdflush;
	spdadd 10.0.0.2 10.0.0.1 any -P out ipsec esp/transport//require;
	spdadd 10.0.0.1 10.0.0.2 any -P in ipsec esp/transport//require;
	EOF
	# The first start after the module's load waits a minute for its
	# algorithm probe (docs/ikd-internals.md, REGISTER).
	ip netns exec res taskset -c 1 "$IKD" -f "$IKD_DIR/racoon.conf" \
		-l "$KT_IKE_LOGS/ikd.log" -p "$IKD_DIR/ikd.pid" >>"$IKD_DIR/ikd.out" 2>&1 ||
		kt_fail "ikd did not start: $(tail -5 "$IKD_DIR/ikd.out" "$KT_IKE_LOGS/ikd.log")"
}

resp_ikd_pid() { head -n 1 "$IKD_DIR/ikd.pid"; }

resp_ikd_stop() {
	local pid
	pid=$(resp_ikd_pid)
	kill -KILL "$pid" 2>/dev/null
	kt_ike_until 30 eval "! kt_ike_running $pid"
	ip netns exec res "$SETKEY" -F
	ip netns exec res "$SETKEY" -FP
}

# resp_D_sad: the SAs in the responder's kernel.
resp_charon_sad() { ip -n res xfrm state count | awk '{ print $NF }'; }
resp_ikd_sad() { ip netns exec res awk '$1 == "sad:" { print $2 }' /proc/net/kipsec; }

# --- certificates (auth ecdsa) ----------------------------------------------

# make_pki: a CA and the two hosts' certificates, ECDSA P-256 all, in
# $PKI: ca.pem, ini.pem/.key (DNS:ini.bench), res.pem/.key (DNS:res.bench).
PKI=$KT_TMP/pki
make_pki() {
	local h out
	mkdir -p "$PKI"
	ossl() { out=$(openssl "$@" 2>&1) || kt_fail "openssl $1 failed: $out"; }
	ossl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$PKI/ca.key"
	ossl req -x509 -new -key "$PKI/ca.key" -subj "/O=kipsec bench/CN=ike_rate CA" -days 30 \
		-addext basicConstraints=critical,CA:TRUE -addext keyUsage=keyCertSign,cRLSign \
		-out "$PKI/ca.pem"
	for h in ini res; do
		ossl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$PKI/$h.key"
		chmod 600 "$PKI/$h.key"
		ossl req -new -key "$PKI/$h.key" -subj "/O=kipsec bench/CN=$h.bench" -out "$PKI/$h.csr"
		printf 'basicConstraints = CA:FALSE\nsubjectAltName = DNS:%s.bench\n' "$h" >"$PKI/$h.ext"
		ossl x509 -req -in "$PKI/$h.csr" -CA "$PKI/ca.pem" -CAkey "$PKI/ca.key" \
			-CAcreateserial -days 30 -sha256 -extfile "$PKI/$h.ext" -out "$PKI/$h.pem"
	done
}

# --- measurement -----------------------------------------------------------

# threads PID: how many of its threads wait where (wchan), for a stall.
threads() {
	local t
	for t in /proc/"$1"/task/*; do cat "$t/wchan" 2>/dev/null; echo; done | sort | uniq -c | tr '\n' ' '
}

rss_kb() { awk '$1 == "VmRSS:" { print $2 }' "/proc/$1/status"; }
slab_kb() { awk '$1 == "Slab:" { print $2 }' /proc/meminfo; }

# drive N: N more handshakes; prints the driver's "done=... rate=..."
drive() {
	local out
	out=$(ip netns exec ini taskset -c 0 python3 "$drive" \
		"$KT_IKE_DIR/ini/run/charon.vici" bench bench "$1" "$window" "$stall" 2>&1)
	local rc=$?
	echo "$out"
	return $rc
}

# mark NAME: tests/bench/vcpu_clock.py, on the host, notes the vCPUs' CPU
# time when NAME appears (NAME.begin, NAME.end around each step).
mkdir -p "$KT_OUT/marks"
mark() { : >"$KT_OUT/marks/$1"; }

# one_run D RUN COUNT...: fresh daemons, IKE_WARM handshakes, then
# handshakes up to each COUNT in turn (not counting the warm ones), a raw
# line per step.
one_run() {
	local d=$1 run=$2 prev=0 n pid base slab0 out rss slab sad rc
	shift 2
	"resp_${d}_start"
	ini_start
	pid=$("resp_${d}_pid")
	if [ "$warm" -gt 0 ] && ! out=$(drive "$warm"); then
		echo "# FAIL daemon=$d auth=$auth run=$run warm-up: $out" | tee -a "$raw"
		failed="$failed $d/$auth/$run"
		set --
	fi
	sleep 1
	base=$(rss_kb "$pid") slab0=$(slab_kb)
	for n in "$@"; do
		mark "$d-$auth-$run-$n.begin"
		out=$(drive $((n - prev)))
		rc=$?
		mark "$d-$auth-$run-$n.end"
		if [ $rc != 0 ]; then
			echo "# FAIL daemon=$d auth=$auth run=$run step=$prev-$n: $out" | tee -a "$raw"
			echo "# threads of the initiator: $(threads "${KT_IKE_PID[ini]}")" | tee -a "$raw"
			echo "# threads of the responder: $(threads "$pid")" | tee -a "$raw"
			failed="$failed $d/$auth/$run"
			break
		fi
		sleep 1
		rss=$(rss_kb "$pid") slab=$(slab_kb) sad=$("resp_${d}_sad")
		echo "daemon=$d auth=$auth run=$run from=$prev to=$n $out rss_base_kb=$base rss_kb=$rss" \
			"slab_delta_kb=$((slab - slab0)) sad=$sad" | tee -a "$raw"
		[ "$sad" -ge $((2 * (n + warm))) ] || {
			echo "# FAIL daemon=$d auth=$auth run=$run: $sad SAs in the responder's kernel, want $((2 * (n + warm)))" | tee -a "$raw"
			failed="$failed $d/$auth/$run"
			break
		}
		prev=$n
	done
	# RFC 7427: ikd logs each verified certificate with the scheme of the
	# AUTH payload, a signature algorithm only for method 14.
	if [ "$d-$auth" = ikd-ecdsa ] && ! grep -q 'verified, ecdsa-with-SHA256' "$KT_IKE_LOGS/ikd.log"; then
		echo "# FAIL daemon=$d auth=$auth run=$run: ikd verified no RFC 7427 ecdsa-with-SHA256 AUTH:" \
			"$(grep -m1 'verified' "$KT_IKE_LOGS/ikd.log")" | tee -a "$raw"
		failed="$failed $d/$auth/$run"
	fi
	# The kernel first: charon then has nothing to delete there.
	ip -n ini xfrm state flush; ip -n res xfrm state flush
	ip -n ini xfrm policy flush; ip -n res xfrm policy flush
	ini_stop
	"resp_${d}_stop"
}

: >"$raw"
echo "# kernel $(uname -r), $(nproc) vCPUs; strongSwan $(dpkg-query -W -f='${Version}' strongswan-charon 2>/dev/null);" \
	"IKE $PROPOSAL, ESP $ESP transport, window $window; size ${IKE_SIZE:-quick}: $runs runs of $rate_n per auth ($auths), then psk one to $small and $big" >>"$raw"
# The daemons alternate run by run (the host's load drifts), then the
# memory runs.
ok=''
for d in $daemons; do
	if ! why=$("resp_${d}_available"); then
		echo "# daemon=$d skipped: $why" | tee -a "$raw"
		continue
	fi
	ok="$ok $d"
done
case " $auths " in *" ecdsa "*) make_pki ;; esac
for auth in $auths; do
	for r in $(seq "$runs"); do
		for d in $ok; do one_run "$d" "$r" "$rate_n"; done
	done
done
auth=psk
case " $auths " in
*" psk "*) for d in $ok; do one_run "$d" mem "$small" "$big"; done ;;
esac

awk -v small="$small" -v big="$big" -v rate_n="$rate_n" '
	function median(s,   a, n, i, j, t) {
		n = split(s, a, " ")
		for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
		return n ? (n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2) : 0
	}
	function kib(x) { return sprintf("%.1f", x) }
	function ratio(a, b) { return (a != "" && b != "" && b + 0 > 0) ? sprintf("%.2fx", a / b) : "-" }
	/^# daemon=.* skipped/ { split($2, f, "="); skip[f[2]] = 1; order[++nd] = f[2]; next }
	/^daemon=/ {
		v["auth"] = "psk"
		for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		d = v["daemon"]
		if (!(d in seen)) { seen[d] = 1; order[++nd] = d }
		if (v["auth"] == "ecdsa") { erates[d] = erates[d] " " v["rate"]; next }
		if (v["run"] != "mem") { rates[d] = rates[d] " " v["rate"]; next }
		base[d] = v["rss_base_kb"]
		if (v["from"] == 0) kb1[d] = kib((v["rss_kb"] - v["rss_base_kb"]) / small)
		else { r1[d] = sprintf("%.1f", v["rate"]); kb2[d] = kib((v["rss_kb"] - v["rss_base_kb"]) / big); slab[d] = kib(v["slab_delta_kb"] / big) }
	}
	END {
		printf "%-10s %9s %10s %12s %9s %12s %12s %12s\n", "responder", "psk hs/s", "ecdsa hs/s", "hs/s " small "-" big,
			"RSS0 MiB", "KiB/SA@" small, "KiB/SA@" big, "slab KiB/hs"
		for (k = 1; k <= nd; k++) {
			d = order[k]
			if (d in skip) { printf "%-10s %9s %10s %12s %9s %12s %12s %12s   (not run)\n", d, "-", "-", "-", "-", "-", "-", "-"; continue }
			printf "%-10s %9s %10s %12s %9s %12s %12s %12s\n", d,
				(rates[d] != "" ? sprintf("%.1f", median(rates[d])) : "-"),
				(erates[d] != "" ? sprintf("%.2f", median(erates[d])) : "-"), (d in r1 ? r1[d] : "-"),
				(d in base ? sprintf("%.1f", base[d] / 1024) : "-"), (d in kb1 ? kb1[d] : "-"),
				(d in kb2 ? kb2[d] : "-"), (d in slab ? slab[d] : "-")
		}
		# ikd against charon (same guest, same load), and ikd against
		# the targets: rate >= 1.5x charon, <= 4 KiB per IKE SA.
		if (("ikd" in seen) && ("charon" in seen)) {
			printf "%-10s %9s %10s %12s %9s %12s %12s %12s\n", "ikd/charon",
				ratio(median(rates["ikd"]), median(rates["charon"])),
				ratio(median(erates["ikd"]), median(erates["charon"])), ratio(r1["ikd"], r1["charon"]),
				ratio(base["ikd"], base["charon"]), ratio(kb1["ikd"], kb1["charon"]),
				ratio(kb2["ikd"], kb2["charon"]), ratio(slab["ikd"], slab["charon"])
			printf "%-10s %9s %10s %12s %9s %12s %12s %12s\n", "target", ">=1.50x", "-", "-", "-", "ikd<=4.0", "ikd<=4.0", "-"
		}
		printf "# hs/s: median of the runs of %d handshakes, psk: pre-shared key, ecdsa: ECDSA P-256\n", rate_n
		printf "# certificates (RFC 7427 signatures); the rest psk; KiB/SA: responder VmRSS growth per IKE SA;\n"
		printf "# slab KiB/hs: kernel slab growth per handshake (the SAs of both ends, one kernel)\n"
		if ("ikd" in seen) {
			hr = ("charon" in seen) ? ratio(median(rates["ikd"]), median(rates["charon"])) : "-"
			printf "# ikd targets: hs/s %s of charon'"'"'s (target >= 1.5x); %s KiB per IKE SA at %d, %s at %d (target <= 4)\n",
				hr, (("ikd" in kb1) ? kb1["ikd"] : "-"), small, (("ikd" in kb2) ? kb2["ikd"] : "-"), big
		}
	}' "$raw" >"$KT_OUT/table.txt"
cat "$KT_OUT/table.txt"
[ -z "$failed" ] || { echo "FAIL:$failed"; exit 1; }
exit 0
