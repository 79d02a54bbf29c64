# SPDX-License-Identifier: BSD-2-Clause
# kt-timeout: 600
# ikdctl(8) against two running ikd on kipsec.ko (ikd_pair's topology,
# transport-mode `require` policies between 10.1.1.1 and 20.1.1.1), every
# verb, through each daemon's `adminsock`:
#  - errors: ikd not running (3), unknown verb (2), unknown peer (5), each
#    one line on stderr; a non-root user is refused (4), by the file's
#    mode on h1 (0600) and by SO_PEERCRED on h2 (0666 on purpose);
#  - initiate brings the IKE SA and its child SA up with no packet sent:
#    show ike / show child (text and --json, checked with json.loads) agree
#    with setkey -D's SPIs; a ping's bytes appear in the kernel counts;
#  - stats counters move; terminate removes the SAs on both hosts; a ping
#    then brings a child up through the kernel's ACQUIRE;
#  - rekey and rekey ike: new SPIs on both hosts, the old ones gone;
#  - racoonctl's verbs: show-sa, establish-sa, delete-sa, flush-sa;
#  - reload succeeds; a broken file is reported as FILE:LINE:COL and the
#    running configuration stays (initiate still works).
. "$KT_TOP/tests/vm/lib.sh"
. "$KT_TOP/tests/guest/ikd.bash"

setkey=$KT_BUILD/bin/setkey
ikdctl=$KT_BUILD/bin/ikdctl
[ -x "$ikdctl" ] || kt_fail "ikdctl not built"
kt_load_kipsec
modprobe aesni_intel 2>/dev/null
kt_topo_h2h wire
psk=kipsec-ikd-ctl-$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')

sock() { echo "/run/kt-ikd-$1.sock"; }
for h in h1 h2; do
	if [ $h = h1 ]; then me=10.1.1.1 peer=20.1.1.1 own=""
	else me=20.1.1.1 peer=10.1.1.1 own='"root" "root" 0666'; fi
	echo "$peer $psk" | ikd_psk $h
	ikd_conf $h <<-EOF
	path pre_shared_key "$IKD_DIR/$h.psk";
	listen { adminsock "$(sock $h)" $own; }
	timer { counter 3; interval 2 sec; }
	remote $peer {
		ike_version 2;
		proposal {
			encryption_algorithm aes 128;
			hash_algorithm sha256;
			authentication_method pre_shared_key;
			dh_group 19;
		}
	}
	sainfo anonymous {
		encryption_algorithm aes 128;
		authentication_algorithm hmac_sha256;
	}
	EOF
	ip netns exec $h "$IKD" -n -f "$IKD_DIR/$h.conf" ||
		kt_fail "ikd -n refuses $h's configuration"
	cp "$IKD_DIR/$h.conf" "$IKD_DIR/$h.conf.good"
	ip netns exec $h "$setkey" -c <<-EOF || kt_fail "setkey on $h failed"
	spdadd $me $peer any -P out ipsec esp/transport//require;
	spdadd $peer $me any -P in ipsec esp/transport//require;
	EOF
done

# ctl HOST ARGS...: ikdctl on HOST's socket; its stdout, status kept.
ctl() { local h=$1; shift; timeout 40 ip netns exec $h "$ikdctl" -s "$(sock $h)" "$@"; }
# expect_status WANT ERRFILE CMD...: CMD exits WANT with one stderr line.
expect_status() {
	local want=$1 err=$2 st; shift 2
	"$@" >"$KT_TMP/out" 2>"$err"; st=$?
	[ "$st" = "$want" ] || kt_fail "'$*' exited $st, want $want: $(cat "$err")"
	[ "$(wc -l <"$err")" = 1 ] || kt_fail "'$*': not one line on stderr: $(cat "$err")"
}
# json HOST PYEXPR ARGS...: ikdctl --json ARGS on HOST, then PYEXPR (over
# j, the parsed reply) must be true; prints what PYEXPR's print()s.
json() {
	local h=$1 expr=$2 out; shift 2
	out=$(ctl $h --json "$@") || kt_fail "ikdctl $* --json on $h failed"
	python3 -c '
import json, sys
j = json.loads(sys.stdin.read())
exec(sys.argv[1])' "$expr" <<<"$out" || kt_fail "ikdctl $* --json on $h: $expr: $out"
}
spis() { ip netns exec "$1" "$setkey" -D | awk '/^\tesp mode=/ { print $3 }' | sort; }
nsad() { ip netns exec "$1" "$setkey" -D | grep -c '^	esp mode='; }
no_sas() { [ "$(nsad h1)" = 0 ] && [ "$(nsad h2)" = 0 ]; }
ike_established() {
	ctl h1 --json show ike | python3 -c '
import json, sys
j = json.load(sys.stdin)
assert [s for s in j["ike_sas"] if s["state"] == "established"]'
}
child_installed() { [ "$(nsad h1)" = 2 ] && [ "$(nsad h2)" = 2 ]; }

# ---- before ikd ------------------------------------------------------------
expect_status 3 "$KT_TMP/err" ctl h1 show ike
grep -q "is ikd running" "$KT_TMP/err" || kt_fail "no 'is ikd running': $(cat "$KT_TMP/err")"

ikd_start h1 h1 -d
ikd_start h2 h2 -d
for h in h1 h2; do
	[ -S "$(sock $h)" ] || kt_fail "$h made no socket $(sock $h)"
done
kt_expect_eq "h1's socket mode" "600 root root" "$(stat -c '%a %U %G' "$(sock h1)")"
kt_expect_eq "h2's socket mode" "666 root root" "$(stat -c '%a %U %G' "$(sock h2)")"

# ---- errors ------------------------------------------------------------------
expect_status 2 "$KT_TMP/err" ctl h1 frobnicate
grep -q 'unknown verb "frobnicate"' "$KT_TMP/err" || kt_fail "unknown verb: $(cat "$KT_TMP/err")"
expect_status 2 "$KT_TMP/err" ctl h1 show nothing
expect_status 5 "$KT_TMP/err" ctl h1 initiate 30.1.1.1
expect_status 5 "$KT_TMP/err" ctl h1 terminate nosuchpeer
grep -q "nosuchpeer" "$KT_TMP/err" || kt_fail "unknown peer: $(cat "$KT_TMP/err")"
nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$ikdctl" "$@"; }
expect_status 4 "$KT_TMP/err" nobody -s "$(sock h1)" show ike
grep -q "permission denied" "$KT_TMP/err" || kt_fail "h1: $(cat "$KT_TMP/err")"
expect_status 4 "$KT_TMP/err" nobody -s "$(sock h2)" show ike
grep -q "permission denied: ikd's control socket is for root" "$KT_TMP/err" ||
	kt_fail "h2 (SO_PEERCRED): $(cat "$KT_TMP/err")"
ikd_wait_log h2 "control connection from uid 65534 .* refused" 5 ||
	kt_fail "h2 did not log the refused connection"
kt_log "errors: not running 3, unknown verb 2, unknown peer 5, non-root 4 (mode and SO_PEERCRED)"

# ---- initiate, show ------------------------------------------------------------
[ "$(ctl h1 show ike)" = "no IKE SA" ] || kt_fail "h1 has an IKE SA already"
json h1 'assert j == {"ike_sas": []}' show ike
json h1 'assert j["exchanges"]["IKE_SA_INIT"]["tx"] == 0 and j["cookies_sent"] == 0' stats
out=$(ctl h1 initiate 20.1.1.1) || kt_fail "initiate failed: $out"
kt_log "initiate: $out"
kt_wait_for 60 ike_established || kt_fail "initiate: no established IKE SA: $(ctl h1 show ike)"
kt_wait_for 30 child_installed || kt_fail "initiate: no child SA in the kernels: $(ctl h1 show child)"
ctl h1 show ike | sed 's/^/#   /'
ctl h1 show child | sed 's/^/#   /'
json h1 '
s, = j["ike_sas"]
assert s["name"] == "20.1.1.1" and s["remote"] == "20.1.1.1" and s["local"] == "10.1.1.1", s
assert s["initiator"] and s["encr"] == "aes-cbc-128" and s["prf"] == "prf-hmac-sha2-256", s
assert s["dh"] == "ecp256" and s["remote_id"] == "20.1.1.1" and s["remote_id_type"] != "none", s
assert len(s["spi_i"]) == 16 and s["spi_r"] != "0" * 16 and s["child_sas"] == 1, s
assert s["established"] and s["expires"] - s["established"] == s["lifetime"], s' show ike
json h2 '
s, = j["ike_sas"]
assert not s["initiator"] and s["state"] == "established" and s["remote"] == "10.1.1.1", s' show ike
# The child SA's SPIs, as setkey -D prints them: spi=DECIMAL(0xHEX).
want=$(spis h1)
got=$(ctl h1 --json show child | python3 -c '
import json, sys
c, = json.load(sys.stdin)["child_sas"]
assert c["state"] == "installed" and c["proto"] == "esp" and c["mode"] == "transport", c
assert c["encr"] == "aes-cbc-128" and c["local_ts"] == "10.1.1.1/32", c
for s in (c["spi_in"], c["spi_out"]):
    print("spi=%u(0x%08x)" % (s, s))' | sort) || kt_fail "show child --json"
kt_expect_eq "show child's SPIs and setkey -D's" "$want" "$got"
kt_expect_eq "h1's and h2's SPIs" "$(spis h1)" "$(spis h2)"
ctl h1 show sa | grep -q "spi 0x" || kt_fail "show sa shows no child SA"

# Traffic: the kernel's counts come through.
ip netns exec h1 ping -n -c 3 -i 0.3 -W 3 20.1.1.1 >/dev/null || kt_fail "ping over the SAs failed"
json h1 '
c, = j["child_sas"]
assert c["packets_out"] >= 3 and c["bytes_out"] > 0 and c["packets_in"] >= 3, c
print("# child SA counts: out %d packets %d bytes, in %d packets" % (c["packets_out"], c["bytes_out"], c["packets_in"]))' show child
json h1 '
x = j["exchanges"]
# A slow guest retransmits: each retransmission is a message sent too.
assert x["IKE_SA_INIT"]["tx"] >= 1 and x["IKE_SA_INIT"]["rx"] >= 1, x
assert x["IKE_AUTH"]["tx"] >= 1 and x["IKE_AUTH"]["rx"] >= 1, x
assert sum(e["tx"] for e in x.values()) == j["tx"], j
assert sum(e["rx"] for e in x.values()) <= j["rx"], j
assert j["ike_established"] == 1 and j["child_established"] == 1, j
assert set(j["failures"]) == {"no_proposal_chosen", "authentication_failed", "ts_unacceptable", "timeout"}, j' stats
ctl h1 stats | sed 's/^/#   /'

# ---- terminate, then the kernel's ACQUIRE ------------------------------------------
out=$(ctl h1 terminate 20.1.1.1) || kt_fail "terminate failed: $out"
kt_wait_for 30 no_sas || kt_fail "terminate left SAs: h1 $(nsad h1), h2 $(nsad h2)"
kt_wait_for 10 eval '[ "$(ctl h1 show ike)" = "no IKE SA" ]' || kt_fail "terminate left the IKE SA: $(ctl h1 show ike)"
json h1 'assert j["exchanges"]["INFORMATIONAL"]["tx"] >= 1, j' stats
ip netns exec h1 ping -n -c 1 -W 1 20.1.1.1 >/dev/null 2>&1
kt_wait_for 60 child_installed || kt_fail "ping: no child SA through ACQUIRE"
kt_expect_eq "show-sa esp's SPIs after the ACQUIRE" "$(spis h1 | sed 's/spi=[0-9]*(\(0x[0-9a-f]*\))/\1/' | sort)" \
	"$(ctl h1 show-sa esp | awk '$2 == "spi" { print $3 }' | sort)"
ctl h1 show-sa isakmp | grep -q "established" || kt_fail "show-sa isakmp: $(ctl h1 show-sa isakmp)"
[ "$(ctl h1 show-sa ah)" = "no child SA" ] || kt_fail "show-sa ah shows something"
kt_log "terminate, then ACQUIRE; show-sa isakmp/esp/ah"

# ---- rekey -----------------------------------------------------------------------------
# rekeyed OLD: both hosts hold one SA pair, the same, none of OLD's SPIs.
rekeyed() {
	child_installed && [ "$(spis h1)" = "$(spis h2)" ] &&
		! grep -qxFf <(echo "$1") <(spis h1)
}
ike_spi() { ctl h1 --json show ike | python3 -c '
import json, sys
s, = json.load(sys.stdin)["ike_sas"]
assert s["state"] == "established" and s["child_sas"] == 1, s
print(s["spi_i"])'; }
old=$(spis h1)
out=$(ctl h1 rekey 20.1.1.1) || kt_fail "rekey failed: $out"
grep -q "rekeying 1 CHILD_SA of 20.1.1.1" <<<"$out" || kt_fail "rekey said: $out"
kt_wait_for 30 rekeyed "$old" || kt_fail "rekey: h1 $(spis h1 | tr '\n' ' '), h2 $(spis h2 | tr '\n' ' '), old $(echo $old)"
ikd_wait_log h1 "CHILD_SA rekeyed" 5 || kt_fail "h1 did not log the rekey"
old_ike=$(ike_spi) || kt_fail "no single established IKE SA before rekey ike"
out=$(ctl h1 rekey ike 20.1.1.1) || kt_fail "rekey ike failed: $out"
grep -q "rekeying 1 IKE SA of 20.1.1.1" <<<"$out" || kt_fail "rekey ike said: $out"
kt_wait_for 30 eval 'n=$(ike_spi) && [ "$n" != "$old_ike" ]' ||
	kt_fail "rekey ike: still $(ctl h1 show ike)"
expect_status 5 "$KT_TMP/err" ctl h1 rekey nosuchpeer
ip netns exec h1 ping -n -c 2 -i 0.3 -W 3 20.1.1.1 >/dev/null || kt_fail "ping after the rekeys failed"
kt_log "rekey: CHILD_SA $(echo $old) -> $(spis h1 | tr '\n' ' '); IKE SA $old_ike -> $(ike_spi)"

# ---- racoonctl's verbs ---------------------------------------------------------------
ctl h1 delete-sa isakmp inet 10.1.1.1 20.1.1.1 >/dev/null || kt_fail "delete-sa failed"
kt_wait_for 30 no_sas || kt_fail "delete-sa left SAs"
expect_status 2 "$KT_TMP/err" ctl h1 establish-sa isakmp inet6 10.1.1.1 20.1.1.1
ctl h1 establish-sa isakmp inet 10.1.1.1 20.1.1.1 >/dev/null || kt_fail "establish-sa failed"
kt_wait_for 60 child_installed || kt_fail "establish-sa: no child SA"
ctl h1 flush-sa ipsec >/dev/null || kt_fail "flush-sa ipsec failed"
kt_wait_for 30 no_sas || kt_fail "flush-sa ipsec left SAs"
ike_established || kt_fail "flush-sa ipsec took the IKE SA too"
ctl h1 flush-sa isakmp >/dev/null || kt_fail "flush-sa isakmp failed"
kt_wait_for 10 eval '[ "$(ctl h1 show ike)" = "no IKE SA" ]' || kt_fail "flush-sa isakmp left $(ctl h1 show ike)"
kt_log "delete-sa, establish-sa, flush-sa ipsec, flush-sa isakmp"

# ---- reload ------------------------------------------------------------------------------
out=$(ctl h1 reload) || kt_fail "reload failed: $out"
grep -q "h1.conf reloaded" <<<"$out" || kt_fail "reload said: $out"
printf 'remote 20.1.1.1 {\n\tike_version 2;\n\tbogus_statement on;\n}\n' >>"$IKD_DIR/h1.conf"
line=$(( $(wc -l <"$IKD_DIR/h1.conf") - 1 ))
ctl h1 reload >/dev/null 2>"$KT_TMP/err" && kt_fail "a broken file reloaded"
head -1 "$KT_TMP/err" | grep -q "not reloaded, the running configuration stays" ||
	kt_fail "reload's error: $(cat "$KT_TMP/err")"
grep -qE "h1\.conf:$line:[0-9]+: error" "$KT_TMP/err" || kt_fail "no h1.conf:$line:COL in: $(cat "$KT_TMP/err")"
sed 's/^/#   /' "$KT_TMP/err"
# The running configuration stays: the peer is still known and initiates.
ctl h1 initiate 20.1.1.1 >/dev/null || kt_fail "initiate after a failed reload"
kt_wait_for 60 child_installed || kt_fail "no SAs after the failed reload"
cp "$IKD_DIR/h1.conf.good" "$IKD_DIR/h1.conf"
ctl h1 reload >/dev/null || kt_fail "reload of the repaired file failed"
kt_log "reload: OK, broken file reported at h1.conf:$line, old configuration kept"

ikd_stop h1
ikd_stop h2
[ -e "$(sock h1)" ] && kt_fail "h1 left its socket behind"
kt_wait_for 10 no_sas || kt_fail "SAs left after ikd stopped"
expect_status 3 "$KT_TMP/err" ctl h1 show ike
kt_log "ikd stopped, sockets removed, no SA left"
