# SPDX-License-Identifier: BSD-2-Clause
# Real IKE peers for guest tests: strongSwan's charon (driven by swanctl)
# and libreswan's pluto (driven by whack and addconn), on Linux's native
# XFRM, each instance in a network namespace of its own. Sourced by
# tests/guest/*.sh after tests/vm/lib.sh.
#
# Where the daemons come from: `make deps` installs strongSwan from
# Debian (strongswan-charon: /usr/lib/ipsec/charon; strongswan-swanctl).
# libreswan's package conflicts with strongSwan's, so scripts/libreswan
# unpacks it into build/libreswan (KT_LIBRESWAN) and pluto, whack and
# addconn run from there, every path they would take from their compiled-in
# defaults given on the command line instead. Neither daemon needs systemd,
# and neither is ever started by Debian's packaging.
#
# Each instance NAME has a directory $KT_TMP/ike/NAME (sockets, NSS
# database, configuration: the guest's / is a tmpfs overlay, so this is
# writable memory) whose run/ subdirectory is bind-mounted on /run in a
# private mount namespace (unshare -m) of the daemon alone: two charons or
# two plutos never see each other's pid file or control socket. The
# sockets are then reached from outside as $KT_TMP/ike/NAME/run/... Logs go
# to $KT_IKE_LOGS/NAME.log ($KT_OUT/ike/<test>/ when the test runs under
# tests/vm/run-suite, so they survive the guest: build/vm/last-*/ike/); a
# test that fails prints the tail of every daemon's log. The daemons still
# running when the test exits are stopped.
#
# charon (swanctl.conf(5) for the configuration; NAME is the instance):
#   kt_charon_start NAME NS [TEXT]   start charon in netns NS; TEXT is
#                      extra strongswan.conf settings inside charon { }
#                      (e.g. "reuse_ikesa = no"). KT_IKE_PORT and
#                      KT_IKE_NATT_PORT (500, 4500) set its ports,
#                      KT_CHARON_LOG its file log levels ("default = 1
#                      ike = 4": level 4 of ike prints the IKE SA keys that
#                      kt_charon_ikekeys reads), KT_CHARON_PLUGINS the
#                      plugins it loads, KT_IKE_WRAP a command that execs
#                      it (e.g. "taskset -c 1").
#   kt_charon_load NAME [FILE]       load a swanctl.conf (FILE, or stdin):
#                      connections and secrets (swanctl --load-all)
#   kt_charon_swanctl NAME ARGS...   run swanctl against this instance
#   kt_charon_initiate NAME CHILD [IKE]   initiate, wait (KT_IKE_TIMEOUT,
#                      30 s) for the outcome; non-zero on failure
#   kt_charon_terminate NAME IKE     terminate the IKE SAs of conn IKE
#   kt_charon_wait NAME IKE [SECS]   until IKE is ESTABLISHED with a child
#                      INSTALLED
#   kt_charon_sas NAME [IKE]         swanctl --list-sas
#   kt_charon_spis NAME IKE          "SPI_I SPI_R UNIQUEID" per IKE SA of IKE
#   kt_charon_ikekeys NAME IKE       one line per IKE SA of IKE, its keys in
#                      the format of Wireshark's ikev2_decryption_table
#                      (tests/guest/ike_oracle.py reads it)
#   kt_charon_stop NAME              SIGTERM; fails unless it exits cleanly
#                      within KT_IKE_STOP_TIMEOUT (30 s)
#
# pluto (ipsec.conf(5), ipsec.secrets(5) of libreswan):
#   kt_pluto_start NAME NS [ARGS...] start pluto in netns NS with its own
#                      NSS database (what `ipsec initnss` makes); ARGS go
#                      to pluto (KT_PLUTO_ARGS too, e.g. "--debug base").
#                      Non-standard IKE ports are per connection in
#                      libreswan: leftikeport=/rightikeport=. To meet
#                      charon on port P: KT_IKE_NATT_PORT=P (and another
#                      KT_IKE_PORT) for that charon, local_port = P and
#                      remote_port = P in its conn; both sides then put the
#                      non-ESP marker before IKE (ike_oracle.py -p P).
#   kt_pluto_secrets NAME [FILE]     ipsec.secrets (FILE, or stdin), reread
#   kt_pluto_load NAME [FILE]        add the conns of an ipsec.conf (FILE,
#                      or stdin) with addconn --autoall; a conn %default
#                      with leftupdown=%disabled comes first (the guest
#                      has no `ipsec _updown`; tests set their routes)
#   kt_pluto_whack NAME ARGS...      run whack against this instance
#   kt_pluto_up NAME CONN            initiate and wait for the outcome
#   kt_pluto_down NAME CONN          terminate CONN's SAs
#   kt_pluto_unload NAME CONN        delete CONN (addconn keeps the others)
#   kt_pluto_wait NAME CONN [SECS]   until CONN has an established child SA
#   kt_pluto_sas NAME                whack --showstates
#   kt_pluto_stop NAME               whack --shutdown; fails unless pluto
#                      exits cleanly
#
# Both:
#   kt_ike_log NAME                  the path of NAME's log
#   kt_ike_kill NAME                 SIGKILL (benchmarks: no clean exit wanted)
#   kt_ike_xfrm_clean NS             fail unless NS has no XFRM state and no
#                      IPsec policy
#   kt_ike_esp_spis NS               the SPIs of NS's ESP states (0x%08x)

KT_LIBRESWAN=${KT_LIBRESWAN:-$KT_BUILD/libreswan}
KT_IKE_DIR=$KT_TMP/ike
KT_IKE_PORT=${KT_IKE_PORT:-500}
KT_IKE_NATT_PORT=${KT_IKE_NATT_PORT:-4500}
KT_IKE_TIMEOUT=${KT_IKE_TIMEOUT:-30}
KT_IKE_STOP_TIMEOUT=${KT_IKE_STOP_TIMEOUT:-30}
KT_CHARON=${KT_CHARON:-/usr/lib/ipsec/charon}
KT_CHARON_LOG=${KT_CHARON_LOG:-default = 1
ike = 4}
KT_CHARON_PLUGINS=${KT_CHARON_PLUGINS:-random nonce openssl pem pkcs1 pkcs8 x509 pubkey \
revocation constraints curve25519 gcm aes sha1 sha2 hmac kdf gmp kernel-netlink socket-default vici}
KT_PLUTO_ARGS=${KT_PLUTO_ARGS:-}
if [ -n "${KT_OUT:-}" ] && [ -d "${KT_OUT:-}" ]; then
	KT_IKE_LOGS=${KT_IKE_LOGS:-$KT_OUT/ike/$(basename "$0" .sh)}
else
	KT_IKE_LOGS=${KT_IKE_LOGS:-$KT_TMP/ike/logs}
fi
mkdir -p "$KT_IKE_DIR" "$KT_IKE_LOGS"
declare -A KT_IKE_PID=() KT_IKE_KIND=()

# The kernel's IKE side: netlink XFRM, ESP for both families. No udev in
# the guest, so load them rather than wait for the kernel to ask.
for _m in xfrm_user esp4 esp6; do modprobe -q "$_m" 2>/dev/null; done
unset _m

kt_ike_log() { echo "$KT_IKE_LOGS/$1.log"; }

# kt_ike_until SECS CMD...: poll CMD until it succeeds, for SECS seconds of
# wall-clock time (kt_wait_for counts polls, and under TCG a swanctl or
# whack call takes longer than its poll interval).
kt_ike_until() {
	local end=$((SECONDS + $1)); shift
	while :; do
		"$@" >/dev/null 2>&1 && return 0
		[ $SECONDS -lt $end ] || return 1
		kt_nap 0.2
	done
}

# kt_ike_spawn NAME NS CMD...: run CMD in NS, in a mount namespace of its
# own where NAME's run/ is /run, and where each "SRC:DST" of KT_IKE_BINDS
# is bind-mounted too. KT_IKE_WRAP is a command that execs CMD (taskset -c
# 1, say: the PID stays the daemon's).
kt_ike_spawn() {
	local name=$1 ns=$2 dir=$KT_IKE_DIR/$1; shift 2
	# shellcheck disable=SC2016 # expanded by the inner shell
	KT_IKE_BINDS=${KT_IKE_BINDS:-} KT_IKE_WRAP=${KT_IKE_WRAP:-} ip netns exec "$ns" unshare -m --propagation private sh -c '
		mount --bind "$0" /run || exit 1
		for b in $KT_IKE_BINDS; do
			mkdir -p "${b#*:}" && mount --bind "${b%%:*}" "${b#*:}" || exit 1
		done
		exec $KT_IKE_WRAP "$@"' "$dir/run" "$@" >>"$KT_IKE_LOGS/$name.out" 2>&1 &
	KT_IKE_PID[$name]=$!
}

# kt_ike_running PID: the process is there and not a zombie.
kt_ike_running() {
	local st
	st=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) || return 1
	[ -n "$st" ] && [ "$st" != Z ]
}

kt_ike_alive() { kt_ike_running "${KT_IKE_PID[$1]:-0}"; }

# kt_ike_reap NAME SECS: wait for NAME's process to end; 0 when it ended
# with status 0 within SECS, 1 if it is still running, 2 otherwise.
kt_ike_reap() {
	local name=$1 secs=$2 pid=${KT_IKE_PID[$1]:-} rc
	[ -n "$pid" ] || return 2
	if ! kt_ike_until "$secs" eval "! kt_ike_running $pid"; then
		return 1
	fi
	wait "$pid"
	rc=$?
	unset "KT_IKE_PID[$name]"
	[ $rc = 0 ] || { echo "$name exited with status $rc" >&2; return 2; }
}

kt_ike_tail() {
	local name f
	for name in "${!KT_IKE_KIND[@]}"; do
		for f in "$KT_IKE_LOGS/$name.out" "$KT_IKE_LOGS/$name.log"; do
			[ -s "$f" ] || continue
			echo "--- ${KT_IKE_KIND[$name]} $name: last lines of $f" >&2
			grep -v 'secret\|^.\{0,40\}[0-9]*: \([0-9A-F][0-9A-F] \)' "$f" | tail -n "${KT_IKE_TAIL:-25}" >&2
		done
	done
}

# On exit: show the daemons' logs when the test failed, then stop them.
kt_ike_cleanup() {
	local rc=$? name pid
	if [ $rc != 0 ] && [ $rc != 77 ]; then kt_ike_tail; fi
	for name in "${!KT_IKE_PID[@]}"; do kill "${KT_IKE_PID[$name]}" 2>/dev/null; done
	for name in "${!KT_IKE_PID[@]}"; do
		pid=${KT_IKE_PID[$name]}
		kt_ike_reap "$name" 10 >/dev/null 2>&1 || kill -KILL "$pid" 2>/dev/null
	done
	kt_cleanup
	exit $rc
}
trap kt_ike_cleanup EXIT

# No SA, and no IPsec policy (one with a template). pluto leaves its
# bypass policies for IPv6 neighbour discovery (ICMPv6 135/136) behind when
# it exits; those are no IPsec policies and are not counted.
kt_ike_xfrm_clean() {
	local st pol
	st=$(ip -n "$1" xfrm state)
	[ -z "$st" ] || kt_fail "$1 still has XFRM states: $(echo "$st" | head -4)"
	pol=$(ip -n "$1" xfrm policy | awk '/^[^ \t]/ { p = $0; next } /tmpl/ { print p }')
	[ -z "$pol" ] || kt_fail "$1 still has IPsec policies: $(echo "$pol" | head -4)"
}

kt_ike_esp_spis() {
	# ip prints them as 0x%08x already.
	ip -n "$1" xfrm state | awk '$1 == "proto" && $2 == "esp" && $3 == "spi" { print $4 }' | sort
}

# --- charon -------------------------------------------------------------

kt_charon_start() {
	local name=$1 ns=$2 extra=${3:-} dir=$KT_IKE_DIR/$1 log=$KT_IKE_LOGS/$1.log
	[ -x "$KT_CHARON" ] || kt_fail "no charon at $KT_CHARON: run make deps"
	command -v swanctl >/dev/null || kt_fail "no swanctl: run make deps"
	[ -z "${KT_IKE_KIND[$name]:-}" ] || kt_fail "IKE instance $name exists already"
	mkdir -p "$dir/run" || kt_fail "cannot make $dir"
	: >"$log"
	cat >"$dir/strongswan.conf" <<-EOF
	# kt_charon_start $name in $ns (tests/vm/ike.sh)
	charon {
	  load = $KT_CHARON_PLUGINS
	  port = $KT_IKE_PORT
	  port_nat_t = $KT_IKE_NATT_PORT
	  # Tests set their own routes and addresses.
	  install_routes = no
	  install_virtual_ip = no
	  filelog {
	    main {
	      path = $log
	      time_format = %H:%M:%S
	      ike_name = yes
	      flush_line = yes
	      append = yes
	      $KT_CHARON_LOG
	    }
	  }
	  syslog {
	    daemon {
	      default = -1
	    }
	  }
	  $extra
	}
	swanctl {
	  load = pem pkcs1 pkcs8 x509 pubkey
	}
	EOF
	KT_IKE_KIND[$name]=charon
	kt_ike_spawn "$name" "$ns" env STRONGSWAN_CONF="$dir/strongswan.conf" "$KT_CHARON"
	kt_ike_until 60 kt_charon_swanctl "$name" --stats ||
		kt_fail "charon $name did not answer on $dir/run/charon.vici within 60 s"
}

# swanctl takes its command first, then the options.
kt_charon_swanctl() {
	local name=$1 cmd=$2; shift 2
	STRONGSWAN_CONF=$KT_IKE_DIR/$name/strongswan.conf \
		swanctl "$cmd" --uri "unix://$KT_IKE_DIR/$name/run/charon.vici" "$@"
}

kt_charon_load() {
	local name=$1 file=${2:-/dev/stdin} conf=$KT_IKE_DIR/$1/swanctl/swanctl.conf out d
	# swanctl reads credentials from directories next to the file.
	for d in x509 x509ca x509ocsp x509aa x509ac x509crl pubkey private rsa ecdsa bliss pkcs8 pkcs12; do
		mkdir -p "${conf%/*}/$d"
	done
	cat "$file" >"$conf" || kt_fail "cannot write $conf"
	out=$(kt_charon_swanctl "$name" --load-all --noprompt --file "$conf" 2>&1) ||
		kt_fail "charon $name: swanctl --load-all failed: $out"
	echo "$out" >>"$KT_IKE_LOGS/$name.out"
	grep -qi 'failed\|error' <<<"$out" && kt_fail "charon $name: swanctl --load-all: $out"
	return 0
}

kt_charon_initiate() {
	local name=$1 child=$2 ike=${3:-}
	kt_charon_swanctl "$name" --initiate --child "$child" ${ike:+--ike "$ike"} \
		--timeout "$KT_IKE_TIMEOUT" >>"$KT_IKE_LOGS/$name.out" 2>&1
}

kt_charon_terminate() {
	kt_charon_swanctl "$1" --terminate --ike "$2" --timeout "$KT_IKE_TIMEOUT" \
		>>"$KT_IKE_LOGS/$1.out" 2>&1
}

kt_charon_sas() {
	kt_charon_swanctl "$1" --list-sas --noblock ${2:+--ike "$2"}
}

kt_charon_established() {
	kt_charon_swanctl "$1" --list-sas --noblock --ike "$2" --raw 2>/dev/null |
		grep -q 'state=ESTABLISHED .*child-sas {.*state=INSTALLED'
}

kt_charon_wait() {
	kt_ike_until "${3:-$KT_IKE_TIMEOUT}" kt_charon_established "$1" "$2"
}

# The raw vici answer: one "list-sa event {...}" per IKE SA, every key=value
# of it on that line.
kt_charon_spis() {
	kt_charon_swanctl "$1" --list-sas --noblock --ike "$2" --raw |
		awk '/list-sa event/ {
			i = r = u = ""
			for (f = 1; f <= NF; f++) {
				if ($f ~ /^child-sas/) break
				sub(/^\{/, "", $f)
				if ($f ~ /^initiator-spi=/) { i = substr($f, 15) }
				else if ($f ~ /^responder-spi=/) { r = substr($f, 15) }
				else if ($f ~ /^uniqueid=/) { u = substr($f, 10) }
			}
			if (i != "") print i, r, u
		}'
}

# kt_charon_ikekeys NAME IKE: "SPI_I","SPI_R",SK_ei,SK_er,"ENC",SK_ai,SK_ar,"INTEG"
# per IKE SA: the SPIs and algorithms from swanctl, the keys from the log
# (level 4 of the ike group: "Sk_ei secret => N bytes ..." and a hex dump,
# every line prefixed "<IKE|UNIQUEID>", or "<UNIQUEID>" before the conn is
# known, thanks to ike_name).
kt_charon_ikekeys() {
	local name=$1 ike=$2 log=$KT_IKE_LOGS/$1.log
	kt_charon_swanctl "$name" --list-sas --noblock --ike "$ike" --raw |
		awk -v logf="$log" -v ike="$ike" '
		function enc_name(a, k) {
			if (a == "AES_CBC") return "AES-CBC-" k " [RFC3602]"
			if (a == "AES_CTR") return "AES-CTR-" k " [RFC5930]"
			if (a == "3DES_CBC") return "3DES [RFC2451]"
			if (a ~ /^AES_GCM_(8|12|16)$/) { sub(/AES_GCM_/, "", a); return "AES-GCM-" k " with " a " octet ICV [RFC5282]" }
			if (a ~ /^AES_CCM_(8|12|16)$/) { sub(/AES_CCM_/, "", a); return "AES-CCM-" k " with " a " octet ICV [RFC5282]" }
			return ""
		}
		function integ_name(a) {
			if (a == "") return "NONE [RFC4306]"
			if (a ~ /^HMAC_(MD5_96|SHA1_96|SHA2_256_128|SHA2_384_192|SHA2_512_256)$/) {
				return a " [" (a ~ /MD5/ ? "RFC2403" : a ~ /SHA1/ ? "RFC2404" : "RFC4868") "]"
			}
			return ""
		}
		# keys(UID): read the log for that IKE SA, fill K[Sk_xx]
		function keys(uid,   line, what, hex, tag, tag2) {
			delete K
			# A responder logs "<UNIQUEID>" until IKE_AUTH names the conn.
			tag = "<" ike "|" uid ">"; tag2 = "<" uid ">"
			what = ""
			while ((getline line < logf) > 0) {
				if (index(line, tag) == 0 && index(line, tag2) == 0) { what = ""; continue }
				if (match(line, /Sk_(ei|er|ai|ar) secret =>/)) {
					what = substr(line, RSTART, 5); K[what] = ""; continue
				}
				if (what != "" && match(line, /> +[0-9]+: ([0-9A-F][0-9A-F] )+/)) {
					hex = substr(line, RSTART, RLENGTH)
					sub(/^> +[0-9]+: /, "", hex)
					gsub(/ /, "", hex)
					K[what] = K[what] tolower(hex)
					continue
				}
				what = ""
			}
			close(logf)
		}
		/list-sa event/ {
			i = r = u = ea = ek = ia = ""
			for (f = 1; f <= NF; f++) {
				if ($f ~ /^child-sas/) break
				sub(/^\{/, "", $f)
				split($f, kv, "=")
				if (kv[1] == "initiator-spi") i = kv[2]
				else if (kv[1] == "responder-spi") r = kv[2]
				else if (kv[1] == "uniqueid") u = kv[2]
				else if (kv[1] == "encr-alg") ea = kv[2]
				else if (kv[1] == "encr-keysize") ek = kv[2]
				else if (kv[1] == "integ-alg") ia = kv[2]
			}
			if (i == "") next
			e = enc_name(ea, ek); g = integ_name(ia)
			if (e == "" || g == "") { print "ikekeys: no Wireshark name for " ea "/" ek " " ia > "/dev/stderr"; bad = 1; next }
			keys(u)
			if (K["Sk_ei"] == "" || K["Sk_er"] == "" || (ia != "" && (K["Sk_ai"] == "" || K["Sk_ar"] == ""))) {
				print "ikekeys: no keys of " ike "|" u " in " logf " (ike log level < 4?)" > "/dev/stderr"; bad = 1; next
			}
			printf "%s,%s,%s,%s,\"%s\",%s,%s,\"%s\"\n", i, r, K["Sk_ei"], K["Sk_er"], e, K["Sk_ai"], K["Sk_ar"], g
			n++
		}
		END { exit (bad || !n) }'
}

kt_charon_stop() {
	local name=$1 rc
	kt_ike_alive "$name" || kt_fail "charon $name is not running"
	kill -TERM "${KT_IKE_PID[$name]}"
	kt_ike_reap "$name" "$KT_IKE_STOP_TIMEOUT"
	rc=$?
	[ $rc = 1 ] && kt_fail "charon $name did not exit within $KT_IKE_STOP_TIMEOUT s of SIGTERM"
	[ $rc = 0 ] || kt_fail "charon $name did not exit cleanly"
	unset "KT_IKE_KIND[$name]"
	return 0
}

# kt_ike_kill NAME: SIGKILL, for a daemon whose clean exit is not the
# point (charon takes minutes under TCG to delete 10k IKE SAs on SIGTERM).
kt_ike_kill() {
	local name=$1
	kt_ike_alive "$name" && kill -KILL "${KT_IKE_PID[$name]}"
	kt_ike_until 30 eval "! kt_ike_running ${KT_IKE_PID[$name]:-0}"
	wait "${KT_IKE_PID[$name]:-0}" 2>/dev/null
	unset "KT_IKE_PID[$name]" "KT_IKE_KIND[$name]"
	return 0
}

# --- pluto --------------------------------------------------------------

kt_pluto_bin() { echo "$KT_LIBRESWAN/usr/libexec/ipsec/$1"; }

kt_pluto_start() {
	local name=$1 ns=$2 dir=$KT_IKE_DIR/$1 log=$KT_IKE_LOGS/$1.log out; shift 2
	[ -x "$(kt_pluto_bin pluto)" ] || kt_fail "no pluto in $KT_LIBRESWAN: run make deps"
	[ -z "${KT_IKE_KIND[$name]:-}" ] || kt_fail "IKE instance $name exists already"
	mkdir -p "$dir/run/pluto" "$dir/nss" "$dir/ipsec.d" || kt_fail "cannot make $dir"
	: >"$log"
	: >"$dir/ipsec.secrets"
	chmod 600 "$dir/ipsec.secrets"
	# What `ipsec initnss` does, into our own directory.
	out=$(certutil -N -d "sql:$dir/nss" --empty-password 2>&1) ||
		kt_fail "pluto $name: certutil -N failed: $out"
	KT_IKE_KIND[$name]=pluto
	# shellcheck disable=SC2086 # KT_PLUTO_ARGS is a list of words
	# pluto runs addconn and other helpers from their compiled-in place.
	KT_IKE_BINDS="$KT_LIBRESWAN/usr/libexec/ipsec:/usr/libexec/ipsec" \
		kt_ike_spawn "$name" "$ns" "$(kt_pluto_bin pluto)" --nofork --logfile "$log" \
		--rundir /run/pluto --nssdir "$dir/nss" --ipsecdir "$dir/ipsec.d" \
		--secretsfile "$dir/ipsec.secrets" --dumpdir "$dir" --no-dnssec \
		$KT_PLUTO_ARGS "$@"
	kt_ike_until 60 kt_pluto_whack "$name" --status ||
		kt_fail "pluto $name did not answer on $dir/run/pluto/pluto.ctl within 60 s"
}

kt_pluto_whack() {
	local name=$1; shift
	"$(kt_pluto_bin whack)" --ctlsocket "$KT_IKE_DIR/$name/run/pluto/pluto.ctl" "$@"
}

kt_pluto_secrets() {
	local name=$1 file=${2:-/dev/stdin} out
	cat "$file" >"$KT_IKE_DIR/$name/ipsec.secrets" || kt_fail "cannot write pluto $name's secrets"
	out=$(kt_pluto_whack "$name" --rereadsecrets 2>&1) ||
		kt_fail "pluto $name: whack --rereadsecrets failed: $out"
}

kt_pluto_load() {
	local name=$1 file=${2:-/dev/stdin} conf=$KT_IKE_DIR/$1/ipsec.conf out
	{
		echo "config setup"
		echo
		echo "conn %default"
		echo "	leftupdown=%disabled"
		echo
		cat "$file"
	} >"$conf" || kt_fail "cannot write $conf"
	out=$("$(kt_pluto_bin addconn)" --config "$conf" \
		--ctlsocket "$KT_IKE_DIR/$name/run/pluto/pluto.ctl" --autoall 2>&1) ||
		kt_fail "pluto $name: addconn failed: $out"
	echo "$out" >>"$KT_IKE_LOGS/$name.out"
}

kt_pluto_up() {
	timeout "$KT_IKE_TIMEOUT" "$(kt_pluto_bin whack)" \
		--ctlsocket "$KT_IKE_DIR/$1/run/pluto/pluto.ctl" --name "$2" --initiate \
		>>"$KT_IKE_LOGS/$1.out" 2>&1
}

kt_pluto_down() {
	kt_pluto_whack "$1" --name "$2" --terminate >>"$KT_IKE_LOGS/$1.out" 2>&1
}

# kt_pluto_unload NAME CONN: delete the conn (and whatever SA it still has).
kt_pluto_unload() {
	kt_pluto_whack "$1" --name "$2" --delete >>"$KT_IKE_LOGS/$1.out" 2>&1
}

kt_pluto_sas() { kt_pluto_whack "$1" --showstates; }

# An established child SA: IKEv2's, or IKEv1's Quick Mode done as
# initiator (QUICK_I2) or responder (QUICK_R2).
kt_pluto_established() {
	kt_pluto_whack "$1" --showstates 2>/dev/null |
		grep -Eq "\"$2\".*STATE_(V2_ESTABLISHED_CHILD_SA|QUICK_I2|QUICK_R2)"
}

kt_pluto_wait() {
	kt_ike_until "${3:-$KT_IKE_TIMEOUT}" kt_pluto_established "$1" "$2"
}

kt_pluto_stop() {
	local name=$1 rc
	kt_ike_alive "$name" || kt_fail "pluto $name is not running"
	kt_pluto_whack "$name" --shutdown >>"$KT_IKE_LOGS/$name.out" 2>&1 ||
		kt_fail "pluto $name: whack --shutdown failed"
	kt_ike_reap "$name" "$KT_IKE_STOP_TIMEOUT"
	rc=$?
	[ $rc = 1 ] && kt_fail "pluto $name did not exit within $KT_IKE_STOP_TIMEOUT s of whack --shutdown"
	[ $rc = 0 ] || kt_fail "pluto $name did not exit cleanly"
	unset "KT_IKE_KIND[$name]"
	return 0
}
