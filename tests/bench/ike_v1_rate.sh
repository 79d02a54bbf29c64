#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# Guest side of `tests/bench/run ike_v1_rate`: IKEv1 exchanges per second,
# one exchange being Main Mode with a pre-shared key (AES-128-CBC,
# SHA-256, MODP-2048) making a new ISAKMP SA, then one Quick Mode on it for
# an ESP transport SA pair (AES-128-CBC, HMAC-SHA-256, no PFS), counted
# once both SAs are installed in both kernels.
#
# Pairs (V1_PAIRS, INITIATOR-RESPONDER): ikd-ikd, ikd-charon, charon-ikd
# and the reference charon-charon (each pair's ratio to it: the whole
# stack, ikd initiating, ikd responding); ikd runs on kipsec.ko, charon on
# native XFRM. No pluto pair yet (Debian's libreswan 4.10 has IKEv1,
# behind its global ikev1-policy): charon, driven this way, is a complete
# reference.
# The initiator (namespace ini, 10.0.0.1, vCPU 0) gets one ACQUIRE per
# exchange: the responder (namespace res, vCPU 1) has one address per
# exchange (10.0.1.1, 10.0.1.2, ...), the initiator a transport `require`
# policy pair per address (setkey for ikd, trap policies of one swanctl
# connection per address for charon), and one UDP datagram to each
# address raises the ACQUIREs. A distinct peer per exchange is what makes
# each exchange a new ISAKMP SA on either initiator (both reuse an ISAKMP
# SA to a peer for the next Quick Mode), and gives each exchange distinct
# identities (the responder's ID is its address), so nothing one exchange
# does can replace another's SAs. Why not charon initiating over vici, as
# ike_rate does: charon 5.9.8 in IKEv1 reuses one ISAKMP SA for all
# initiates to a peer despite reuse_ikesa = no, and its initiate returns
# before Quick Mode is done.
# INITIAL-CONTACT is off on both initiators (ikd: initial_contact off;
# charon: unique = never, which also keeps charon's responder from
# replacing SAs): a responder takes it as the initiator's reboot and
# deletes the older ISAKMP SAs of that peer, in ikd's case every other
# ISAKMP SA from 10.0.0.1, some of them with a Quick Mode still to come
# (seen with it on: ikd-ikd, 2 of 7 exchanges done, the rest stalled).
# An earlier draft (charon initiating over vici, all Quick Modes on one
# reused ISAKMP SA, the same selectors each time) saw charon's responder
# keep 35 SAs of 68: probably its IKEv1 Quick Mode taking a new pair for
# the same selectors on the same ISAKMP SA as a rekey and retiring the
# old; not reproduced here, where no two exchanges share a selector.
#
# A run: fresh daemons, V1_WARM exchanges not counted (the first CBC SA of
# a boot loads the kernel's crypto modules), then V1_N exchanges started
# at once (all ACQUIREs in one burst: ikd's ACQUIRE queue and charon's
# trap policies keep no window of their own), timed until both kernels
# hold all their SAs (polled every 0.2 s). Each run ends by checking that
# both SADs hold exactly 2 x (V1_WARM + V1_N) SAs, all mature, with the
# same SPIs on both ends, and that both daemons hold V1_WARM + V1_N
# established ISAKMP SAs (ikdctl show ike, swanctl --list-sas), one per
# responder address; a shortfall after V1_STALL seconds without
# progress fails the run. Pairs alternate run by run; the rate of a pair
# is the median of V1_RUNS runs; the ratios are against charon-charon.
# Marks around each timed step let tests/bench/run add the vCPUs' host
# CPU time per exchange (tests/bench/v1_cpu.py): the initiator's (vCPU 0)
# and the responder's (vCPU 1) cost, which the host's load does not
# change; the polls (unpinned, the same for every pair) are in it too.
# Timing asserts nothing. tests/guest/ikd_v1_rate.sh runs this at a small
# size in `make check`, for the counts.
#
# Writes $KT_OUT/raw.txt (one line per run) and $KT_OUT/table.txt.
# Environment (defaults): V1_PAIRS ("ikd-ikd ikd-charon charon-ikd
# charon-charon"), V1_RUNS (3), V1_N (20), V1_WARM (2), V1_STALL (60 s).
# About 11 minutes under TCG at a host load of 10 (guest 650 s).
# shellcheck disable=SC2317 # the start/sad/stop functions are called by name
. "$KT_TOP/tests/vm/lib.sh"
. "$KT_TOP/tests/vm/ike.sh"

pairs=${V1_PAIRS:-ikd-ikd ikd-charon charon-ikd charon-charon}
runs=${V1_RUNS:-3}
n=${V1_N:-20}
warm=${V1_WARM:-2}
stall=${V1_STALL:-60}
total=$((warm + n))
[ "$total" -le 2000 ] || kt_fail "V1_WARM + V1_N is at most 2000"
raw=$KT_OUT/raw.txt
PSK="ike_v1_rate $RANDOM$RANDOM"
IKD=$KT_BUILD/bin/ikd
SETKEY=$KT_BUILD/bin/setkey
IKDCTL=$KT_BUILD/bin/ikdctl
failed=''
KT_CHARON_LOG="default = 0"

kt_ns ini; kt_ns res
kt_link ini eth0 res eth0
kt_addr ini eth0 10.0.0.1/16; kt_addr res eth0 10.0.0.2/16
# addr I: the responder's address of exchange I (0-based).
addr() { echo "10.0.$((1 + $1 / 250)).$((1 + $1 % 250))"; }
for i in $(seq 0 $((total - 1))); do echo "addr add $(addr "$i")/16 dev eth0"; done |
	ip -n res -batch - || kt_fail "cannot add the responder's addresses"
kt_load_kipsec
modprobe -a cbc aes hmac sha256 2>/dev/null

# --- ikd: initiator and responder ------------------------------------------

# ikd_run NAME NS CPU: start ikd with $KT_TMP/NAME/racoon.conf, detached.
ikd_run() {
	local dir=$KT_TMP/$1
	rm -f "$dir/ikd.pid"
	ip netns exec "$2" taskset -c "$3" "$IKD" -f "$dir/racoon.conf" \
		-l "$KT_IKE_LOGS/ikd-$1.log" -p "$dir/ikd.pid" >>"$dir/ikd.out" 2>&1 ||
		kt_fail "ikd $1 did not start: $(tail -5 "$dir/ikd.out" "$KT_IKE_LOGS/ikd-$1.log")"
}

# ikd_conf DIR REMOTE EXTRA: racoon.conf and psk.txt ($PSK for each
# address of the lines on stdin).
ikd_conf() {
	mkdir -p "$1"
	(umask 077; sed "s/\$/ $PSK/" >"$1/psk.txt")
	cat >"$1/racoon.conf" <<-EOF
	path pre_shared_key "$1/psk.txt";
	listen { adminsock "$1/ikd.sock"; cookie_threshold 1000000; half_open_per_source 1000000; }
	remote $2 {
		ike_version 1;
		exchange_mode main;
		$3
		proposal {
			encryption_algorithm aes 128;
			hash_algorithm sha256;
			authentication_method pre_shared_key;
			dh_group 14;
		}
	}
	sainfo anonymous {
		encryption_algorithm aes 128;
		authentication_algorithm hmac_sha256;
	}
	EOF
}

# ikd_spd NS: a transport `require` pair per responder address.
ikd_spd() {
	local i a
	{
		echo "spdflush;"
		for i in $(seq 0 $((total - 1))); do
			a=$(addr "$i")
			echo "spdadd 10.0.0.1 $a any -P $1 ipsec esp/transport//require;"
			echo "spdadd $a 10.0.0.1 any -P $2 ipsec esp/transport//require;"
		done
	} | ip netns exec "$3" "$SETKEY" -c || kt_fail "setkey in $3 failed"
}

ini_ikd_start() {
	for i in $(seq 0 $((total - 1))); do addr "$i"; done | ikd_conf "$KT_TMP/ini" anonymous \
		"initial_contact off;"
	ikd_spd out in ini
	ikd_run ini ini 0
}

res_ikd_start() {
	echo 10.0.0.1 | ikd_conf "$KT_TMP/res" 10.0.0.1 ""
	ikd_spd in out res
	ikd_run res res 1
}

ikd_stop() {
	local pid
	pid=$(head -n 1 "$KT_TMP/$1/ikd.pid")
	kill -KILL "$pid" 2>/dev/null
	kt_ike_until 30 eval "! kt_ike_running $pid"
	ip netns exec "$1" "$SETKEY" -F
	ip netns exec "$1" "$SETKEY" -FP
}
ini_ikd_stop() { ikd_stop ini; }
res_ikd_stop() { ikd_stop res; }

# ikd_sad NS: mature SAs; ikd_spis NS: their SPIs, sorted.
ikd_sad() { ip netns exec "$1" "$SETKEY" -D | grep -c 'state=mature'; }
ikd_spis() { ip netns exec "$1" "$SETKEY" -D | sed -n 's/^\tesp mode=.* spi=[0-9]*(\(0x[0-9a-f]*\)).*/\1/p' | sort; }
# The poll: the kernel's count, cheaper than a dump.
ikd_count() { ip netns exec "$1" awk '$1 == "sad:" { print $2 }' /proc/net/kipsec; }

# ikd_isakmp NS: established ISAKMP SAs, each pair of addresses once.
ikd_isakmp() {
	ip netns exec "$1" "$IKDCTL" -s "$KT_TMP/$1/ikd.sock" -j show ike | python3 -c '
import json, sys
sas = json.load(sys.stdin)["ike_sas"]
print(len({(s["local"], s["remote"]) for s in sas if s["version"] == 1 and s["state"] == "established"}))'
}

# --- charon: initiator and responder ----------------------------------------

CHARON_CHILD="mode = transport
	  esp_proposals = aes128-sha256"

ini_charon_start() {
	local i
	KT_IKE_WRAP="taskset -c 0" kt_charon_start ini ini "threads = 32"
	{
		echo "connections {"
		for i in $(seq 0 $((total - 1))); do
			cat <<-EOF
			  b$i {
			    version = 1
			    local_addrs = 10.0.0.1
			    remote_addrs = $(addr "$i")
			    proposals = aes128-sha256-modp2048
			    unique = never
			    local {
			      auth = psk
			    }
			    remote {
			      auth = psk
			    }
			    children {
			      b$i {
			        $CHARON_CHILD
			        start_action = trap
			      }
			    }
			  }
			EOF
		done
		echo "}"
		printf 'secrets {\n  ike-bench {\n    secret = "%s"\n  }\n}\n' "$PSK"
	} | kt_charon_load ini
}

res_charon_start() {
	KT_IKE_WRAP="taskset -c 1" kt_charon_start res res "threads = 32
  cookie_threshold = 1000000
  block_threshold = 1000000
  init_limit_half_open = 0"
	kt_charon_load res <<-EOF
	connections {
	  bench {
	    version = 1
	    local_addrs = 10.0.0.0/16
	    remote_addrs = 10.0.0.1
	    proposals = aes128-sha256-modp2048
	    unique = never
	    local {
	      auth = psk
	    }
	    remote {
	      auth = psk
	      id = 10.0.0.1
	    }
	    children {
	      bench {
	        $CHARON_CHILD
	      }
	    }
	  }
	}
	secrets {
	  ike-bench {
	    secret = "$PSK"
	  }
	}
	EOF
}

# Killed, as in ike_rate: a clean stop deletes SAs one by one.
ini_charon_stop() { kt_ike_kill ini; ip -n ini xfrm state flush; ip -n ini xfrm policy flush; }
res_charon_stop() { kt_ike_kill res; ip -n res xfrm state flush; ip -n res xfrm policy flush; }
charon_count() { ip -n "$1" xfrm state count | awk '{ print $NF }'; }
charon_sad() { charon_count "$1"; }
charon_isakmp() { kt_charon_swanctl "$1" --list-sas | grep -c 'ESTABLISHED, IKEv1'; }
charon_spis() { kt_ike_esp_spis "$1"; }

# --- measurement -------------------------------------------------------------

# fire FROM TO: one UDP datagram from ini to each address FROM..TO-1 (its
# ACQUIRE; the datagram itself is dropped).
fire() {
	local i
	for i in $(seq "$1" $(($2 - 1))); do addr "$i"; done |
		ip netns exec ini taskset -c 0 python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for a in sys.stdin.read().split():
    try:
        s.sendto(b"x", (a, 9))
    except OSError:
        pass'
}

# until_sas I R WANT: until both kernels count WANT SAs; fails after
# $stall seconds without the sum moving.
until_sas() {
	local a b last=-1 since=$SECONDS
	while :; do
		a=$("$1_count" ini) b=$("$2_count" res)
		[ "$a" -ge "$3" ] && [ "$b" -ge "$3" ] && return 0
		if [ $((a + b)) != "$last" ]; then last=$((a + b)) since=$SECONDS
		elif [ $((SECONDS - since)) -ge "$stall" ]; then
			echo "ini $a, res $b of $3 SAs, none for ${stall}s"
			return 1
		fi
		sleep 0.2
	done
}

# count_of KIND NS: mature SAs; spis_of KIND NS: their SPIs.
count_of() { if [ "$1" = ikd ]; then ikd_sad "$2"; else charon_sad "$2"; fi; }
spis_of() { if [ "$1" = ikd ]; then ikd_spis "$2"; else charon_spis "$2"; fi; }
isakmp_of() { if [ "$1" = ikd ]; then ikd_isakmp "$2"; else charon_isakmp "$2"; fi; }

mkdir -p "$KT_OUT/marks"
mark() { : >"$KT_OUT/marks/$1"; }

# one_run PAIR RUN
one_run() {
	local p=$1 run=$2 i=${1%-*} r=${1#*-} out t0 t1 a b
	"res_${r}_start"
	"ini_${i}_start"
	fire 0 "$warm"
	if ! out=$(until_sas "$i" "$r" $((2 * warm))); then
		echo "# FAIL pair=$p run=$run warm-up: $out" | tee -a "$raw"
		failed="$failed $p/$run"
	else
		sleep 1
		mark "$p-$run.begin"
		t0=$(date +%s.%N)
		fire "$warm" "$total"
		out=$(until_sas "$i" "$r" $((2 * total)))
		rc=$?
		t1=$(date +%s.%N)
		mark "$p-$run.end"
		a=$(count_of "$i" ini) b=$(count_of "$r" res)
		if [ $rc != 0 ]; then
			echo "# FAIL pair=$p run=$run: $out" | tee -a "$raw"
			failed="$failed $p/$run"
		elif [ "$a" != $((2 * total)) ] || [ "$b" != $((2 * total)) ]; then
			echo "# FAIL pair=$p run=$run: mature SAs ini $a, res $b, want $((2 * total)) each" | tee -a "$raw"
			failed="$failed $p/$run"
		elif [ "$(spis_of "$i" ini)" != "$(spis_of "$r" res)" ]; then
			echo "# FAIL pair=$p run=$run: the two ends' SPIs differ" | tee -a "$raw"
			failed="$failed $p/$run"
		elif [ "$(isakmp_of "$i" ini)" != "$total" ] || [ "$(isakmp_of "$r" res)" != "$total" ]; then
			echo "# FAIL pair=$p run=$run: ISAKMP SAs ini $(isakmp_of "$i" ini)," \
				"res $(isakmp_of "$r" res), want $total each" | tee -a "$raw"
			failed="$failed $p/$run"
		else
			awk -v p="$p" -v run="$run" -v n="$n" -v t0="$t0" -v t1="$t1" -v a="$a" -v b="$b" -v k="$total" \
				'BEGIN { printf "pair=%s run=%s n=%d secs=%.2f rate=%.2f ini_sas=%d res_sas=%d isakmp_sas=%d\n",
					p, run, n, t1 - t0, n / (t1 - t0), a, b, k }' | tee -a "$raw"
		fi
	fi
	"ini_${i}_stop"
	"res_${r}_stop"
}

: >"$raw"
echo "# kernel $(uname -r), $(nproc) vCPUs; strongSwan $(dpkg-query -W -f='${Version}' strongswan-charon 2>/dev/null);" \
	"Main Mode PSK aes128-sha256-modp2048, Quick Mode ESP aes128-sha256 transport, no PFS;" \
	"$runs runs of $n after $warm warm-up" >>"$raw"
for p in $pairs; do
	case $p in ikd-ikd|ikd-charon|charon-charon|charon-ikd) ;;
	*) kt_fail "V1_PAIRS: INITIATOR-RESPONDER of ikd and charon, not $p" ;; esac
	case $p in *charon*) [ -x "$KT_CHARON" ] || kt_fail "no $KT_CHARON" ;; esac
done
[ -x "$IKD" ] || kt_fail "no $IKD: make"
for r in $(seq "$runs"); do
	for p in $pairs; do one_run "$p" "$r"; done
done

awk '
	function median(s,   a, n, i, j, t) {
		n = split(s, a, " ")
		for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
		return n ? (n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2) : 0
	}
	/^pair=/ {
		for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		if (!(v["pair"] in rates)) order[++np] = v["pair"]
		rates[v["pair"]] = rates[v["pair"]] " " v["rate"]
		nruns[v["pair"]]++
	}
	END {
		ref = ("charon-charon" in rates) ? median(rates["charon-charon"]) : 0
		printf "%-16s %8s %6s %18s\n", "ini-responder", "exch/s", "runs", "/ charon-charon"
		for (k = 1; k <= np; k++) {
			p = order[k]; m = median(rates[p])
			printf "%-16s %8.2f %6d %18s\n", p, m, nruns[p], (ref > 0 ? sprintf("%.2fx", m / ref) : "-")
		}
		print "# exch/s: median over runs; one exchange = Main Mode (new ISAKMP SA) + Quick Mode,"
		print "# counted once its ESP SA pair is in both kernels"
	}' "$raw" >"$KT_OUT/table.txt"
cat "$KT_OUT/table.txt"
[ -z "$failed" ] || { echo "FAIL:$failed"; exit 1; }
exit 0
