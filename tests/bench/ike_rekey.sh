#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# Guest side of `tests/bench/run ike_rekey`: child SA rekeys per second
# (CREATE_CHILD_SA with REKEY_SA, no PFS), charon initiating against each
# responder daemon (charon on XFRM, ikd on kipsec.ko), with the ikd/charon
# ratio.
#
# The comparison: the same initiator (charon, namespace ini, 10.0.0.1,
# vCPU 0) against each responder (namespace res, 10.0.0.2, vCPU 1), as
# in ike_rate; ikd initiating (ikdctl rekey) would change both ends at
# once, and charon has no rekey command that waits. REKEY_CHILDREN IKE
# SAs (PSK, Curve25519, AES-GCM-16-128), each with one child SA (ESP
# AES-GCM-16-128, transport, the two hosts, as in ike_rate; no PFS: no KE
# in the rekeys), all up before the count. tests/bench/rekey_drive.py then
# asks charon over vici to rekey each child, and each again as soon as
# charon reports its rekey done (the child-rekey event: the new SAs
# installed on both ends): REKEY_CHILDREN rekeys in flight, one per IKE SA
# (charon runs one exchange at a time per IKE SA; a second child with the
# same traffic selectors under one IKE SA failed to come up, charon against
# charon, in a first try). Each rekey is a
# CREATE_CHILD_SA exchange, then an INFORMATIONAL one deleting the old
# child SA, whose kernel SAs go (charon keeps a rekeyed inbound SA
# delete_rekeyed_delay, 1 s here). Rate: rekeys completed in
# REKEY_SECS after REKEY_WARM uncounted ones; median of REKEY_RUNS runs,
# the daemons alternating run by run, each run from fresh daemons.
#
# Checked after each run (a failure fails the benchmark): the responder's
# kernel holds exactly 2 x REKEY_CHILDREN SAs once the last old ones are
# gone (within 30 s), none of them one of the SPIs from before the rekeys,
# and charon still has its REKEY_CHILDREN children installed. ikd's
# counters (ikdctl stats: CREATE_CHILD_SA received) go to the raw file.
#
# Writes $KT_OUT/raw.txt and $KT_OUT/table.txt. Environment (defaults):
# IKE_DAEMONS ("charon ikd"), REKEY_CHILDREN (4), REKEY_RUNS (3),
# REKEY_SECS (20), REKEY_WARM (8), REKEY_STALL (60 s). 9.5 minutes under
# TCG at a host load of 10 (3 other guests), most of it starting daemons
# and IKE SAs; REKEY_RUNS=5 REKEY_SECS=120 for a longer run (some 30).
# shellcheck disable=SC2317 # the resp_* functions are called by name
. "$KT_TOP/tests/vm/lib.sh"
. "$KT_TOP/tests/vm/ike.sh"

daemons=${IKE_DAEMONS:-charon ikd}
nchild=${REKEY_CHILDREN:-4}
runs=${REKEY_RUNS:-3}
secs=${REKEY_SECS:-20}
warm=${REKEY_WARM:-8}
stall=${REKEY_STALL:-60}
raw=$KT_OUT/raw.txt
drive=$KT_TOP/tests/bench/rekey_drive.py
PSK="ike_rekey $RANDOM$RANDOM"
PROPOSAL=aes128gcm16-prfsha256-x25519
ESP=aes128gcm16
failed=''
KT_CHARON_LOG="default = 0"

kt_ns ini; kt_ns res
kt_link ini eth0 res eth0
kt_addr ini eth0 10.0.0.1/24; kt_addr res eth0 10.0.0.2/24

# charon_conf LOCAL REMOTE ME PEER: the connection and its child.
charon_conf() {
	cat <<-EOF
	connections {
	  bench {
	    version = 2
	    local_addrs = $1
	    remote_addrs = $2
	    proposals = $PROPOSAL
	    mobike = no
	    # No INITIAL_CONTACT: ikd would remove the other IKE SAs.
	    unique = never
	    local {
	      auth = psk
	      id = $3.bench
	    }
	    remote {
	      auth = psk
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
	secrets {
	  ike-bench {
	    secret = "$PSK"
	  }
	}
	EOF
}

CHARON_SET="delete_rekeyed_delay = 1"

ini_start() {
	KT_IKE_WRAP="taskset -c 0" kt_charon_start ini ini "$CHARON_SET
  reuse_ikesa = no"
	charon_conf 10.0.0.1 10.0.0.2 ini res | kt_charon_load ini
}

resp_charon_available() { [ -x "$KT_CHARON" ] || { echo "no $KT_CHARON"; return 1; }; }
resp_charon_start() {
	KT_IKE_WRAP="taskset -c 1" kt_charon_start res res "$CHARON_SET"
	charon_conf 10.0.0.2 10.0.0.1 res ini | kt_charon_load res
}
resp_charon_stop() { kt_ike_kill res; }
resp_charon_stats() { :; }

IKD=$KT_BUILD/bin/ikd
IKDCTL=$KT_BUILD/bin/ikdctl
SETKEY=$KT_BUILD/bin/setkey
IKD_DIR=$KT_TMP/ikd
resp_ikd_available() {
	[ -x "$IKD" ] && [ -x "$IKDCTL" ] || { echo "no $IKD or $IKDCTL: make"; return 1; }
	[ -f "$KT_MODULE" ] || { echo "no $KT_MODULE: make kernel"; return 1; }
	kt_load_kipsec >&2
}

resp_ikd_start() {
	mkdir -p "$IKD_DIR"
	rm -f "$IKD_DIR/ikd.pid"
	(umask 077; echo "ini.bench $PSK" >"$IKD_DIR/psk.txt")
	cat >"$IKD_DIR/racoon.conf" <<-EOF
	path pre_shared_key "$IKD_DIR/psk.txt";
	listen { adminsock "$IKD_DIR/ikd.sock"; }
	remote 10.0.0.1 {
		ike_version 2;
		my_identifier fqdn "res.bench";
		peers_identifier fqdn "ini.bench";
		verify_identifier on;
		proposal {
			encryption_algorithm aes_gcm_16 128;
			hash_algorithm sha256;
			authentication_method pre_shared_key;
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
	ip netns exec res taskset -c 1 "$IKD" -f "$IKD_DIR/racoon.conf" \
		-l "$KT_IKE_LOGS/ikd.log" -p "$IKD_DIR/ikd.pid" >>"$IKD_DIR/ikd.out" 2>&1 ||
		kt_fail "ikd did not start: $(tail -5 "$IKD_DIR/ikd.out" "$KT_IKE_LOGS/ikd.log")"
}

resp_ikd_stop() {
	local pid
	pid=$(head -n 1 "$IKD_DIR/ikd.pid")
	kill -KILL "$pid" 2>/dev/null
	kt_ike_until 30 eval "! kt_ike_running $pid"
	ip netns exec res "$SETKEY" -F
	ip netns exec res "$SETKEY" -FP
}

# From ikdctl stats, into the raw file: CREATE_CHILD_SA requests received,
# child SAs established (the first ones and every rekey).
resp_ikd_stats() {
	ip netns exec res "$IKDCTL" -s "$IKD_DIR/ikd.sock" stats |
		awk '$1 == "CREATE_CHILD_SA" { r = $2 } $1 == "child" && $2 == "SAs:" { c = $3 }
			END { printf "ikd_create_child_rx=%s ikd_child_established=%s", r, c }'
}

# resp_D_spis: the responder's kernel SAs, one SPI a line.
resp_charon_spis() { kt_ike_esp_spis res; }
resp_ikd_spis() { ip netns exec res "$SETKEY" -D | grep -o '^	esp mode=[a-z]* spi=[0-9]*'; }

mkdir -p "$KT_OUT/marks"
mark() { : >"$KT_OUT/marks/$1"; }

ini_children() {
	kt_charon_swanctl ini --list-sas --noblock --raw 2>/dev/null | grep -o 'state=INSTALLED' | wc -l
}

one_run() {
	local d=$1 run=$2 i out rc before after sad stale
	"resp_${d}_start"
	ini_start
	for i in $(seq "$nchild"); do
		kt_charon_initiate ini bench bench || kt_fail "$d run $run: charon could not bring up IKE SA $i"
	done
	before=$("resp_${d}_spis" | sort)
	[ "$(wc -l <<<"$before")" = $((2 * nchild)) ] ||
		kt_fail "$d run $run: $(wc -l <<<"$before") SAs in the responder before the rekeys, want $((2 * nchild)): $before"
	mark "$d-rekey-$run-$secs.begin"
	out=$(ip netns exec ini taskset -c 0 python3 "$drive" \
		"$KT_IKE_DIR/ini/run/charon.vici" bench "$nchild" "$warm" "$secs" "$stall" 2>&1)
	rc=$?
	mark "$d-rekey-$run-$secs.end"
	if [ $rc != 0 ]; then
		echo "# FAIL daemon=$d run=$run: $out" | tee -a "$raw"
		failed="$failed $d/$run"
	else
		# The old SAs go with their DELETE (and charon's delay).
		sad=0
		for _ in $(seq 60); do
			after=$("resp_${d}_spis" | sort)
			sad=$(grep -c . <<<"$after")
			[ "$sad" = $((2 * nchild)) ] && break
			sleep 0.5
		done
		stale=$(comm -12 <(echo "$before") <(echo "$after") | grep -c .)
		echo "daemon=$d auth=rekey run=$run from=0 to=$secs $out sad=$sad stale=$stale" \
			"ini_children=$(ini_children) $("resp_${d}_stats")" | tee -a "$raw"
		if [ "$sad" != $((2 * nchild)) ] || [ "$stale" != 0 ] || [ "$(ini_children)" != "$nchild" ]; then
			echo "# FAIL daemon=$d run=$run: the responder has $sad SAs (want $((2 * nchild)))," \
				"$stale from before the rekeys; charon $(ini_children) children (want $nchild)" | tee -a "$raw"
			failed="$failed $d/$run"
		fi
	fi
	ip -n ini xfrm state flush; ip -n res xfrm state flush
	ip -n ini xfrm policy flush; ip -n res xfrm policy flush
	kt_ike_kill ini
	"resp_${d}_stop"
}

: >"$raw"
echo "# kernel $(uname -r), $(nproc) vCPUs; strongSwan $(dpkg-query -W -f='${Version}' strongswan-charon 2>/dev/null);" \
	"IKE $PROPOSAL PSK, ESP $ESP transport no PFS, $nchild children; $runs runs of $secs s after $warm rekeys" >>"$raw"
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
		for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		d = v["daemon"]
		if (!(d in seen)) { seen[d] = 1; order[++nd] = d }
		rates[d] = rates[d] " " v["rate"]; all[d] = all[d] " " sprintf("%.1f", v["rate"])
	}
	END {
		printf "%-10s %12s   %s\n", "responder", "rekeys/s", "runs"
		for (k = 1; k <= nd; k++) {
			d = order[k]
			if (d in skip) { printf "%-10s %12s   (not run)\n", d, "-"; continue }
			printf "%-10s %12.2f  %s\n", d, median(rates[d]), all[d]
		}
		if (("ikd" in seen) && ("charon" in seen) && median(rates["charon"]) > 0)
			printf "%-10s %11.2fx\n", "ikd/charon", median(rates["ikd"]) / median(rates["charon"])
		print "# rekeys/s: median of the runs, child SA rekeys (CREATE_CHILD_SA, then the old child SA deleted)"
		print "# completed per second, charon initiating, one rekey in flight on each of several IKE SAs"
	}' "$raw" >"$KT_OUT/table.txt"
cat "$KT_OUT/table.txt"
[ -z "$failed" ] || { echo "FAIL:$failed"; exit 1; }
exit 0
