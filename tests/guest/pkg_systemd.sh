# SPDX-License-Identifier: BSD-2-Clause
# kt-boot: systemd
# kt-timeout: 600
# kipsec's Debian packages on a guest booted with systemd as PID 1 (issue
# 17): installed with dpkg -i, they come up at boot and negotiate a tunnel.
#
# `bash pkg_systemd.sh boot` runs before systemd starts (tests/vm/systemd-init
# via tests/vm/run --systemd): it installs the .debs that tests/install/run
# packages kept in build/debs (libpfkey0, kipsec-tools, ikd, kipsec-dkms),
# with the kipsec.ko that DKMS built there on the host for the guest's
# kernel, as the prebuilt tarball the package's postinst loads (dkms
# ldtarball, then dkms install into /lib/modules/KVER/updates/dkms); it
# writes /etc/ipsec.conf (transport-mode `require` policies to the peer),
# /etc/ikd/racoon.conf and psk.txt, and wires the peer: namespace "peer"
# over a veth pair (10.1.1.1 here, 10.1.1.2 there). systemd then boots
# multi-user.target with the packages' own units, enabled by their
# postinsts, and runs this file as the job. It asserts:
#  - kipsec.service and ikd.service enabled and active (systemctl
#    is-enabled / is-active / status);
#  - kipsec loaded by the unit from the DKMS-installed module;
#  - setkey -DP shows /etc/ipsec.conf's policies;
#  - a ping to the peer (ikd from the package, on kipsec, in its namespace)
#    makes the system's ikd negotiate IKEv2 (CHILD_SA established in its
#    journal), two mature ESP SAs, ESP on the wire, the pings answered;
#  - systemctl reload ikd rereads the configuration (same pid, "reloaded");
#  - a broken /etc/ipsec.conf: systemctl restart kipsec fails, the unit is
#    failed, its journal has "/etc/ipsec.conf:5:58:", and no policy is left
#    loaded (not even the file's valid lines).
# The limit is large because run-suite's limit for this boot is 300 s plus
# it, and the boot setup (dpkg through 9p) took up to 410 s on a loaded
# host; the whole boot took 217 s at load 2-4, the test itself 20 s.
# Needs build/debs from `tests/install/run packages` (make check runs that
# step before the guest tests); without them the boot fails and says so.
. "$KT_TOP/tests/vm/lib.sh"

me=10.1.1.1 peer=10.1.1.2
psk=kipsec-pkg-$(cat /etc/machine-id 2>/dev/null | cut -c1-12)

# boot_setup: before systemd (see above). Any failure stops the boot.
boot_setup() {
	local debs=$KT_TOP/build/debs version p list=()
	version=$(cat "$KT_TOP/VERSION")
	for p in libpfkey0 kipsec-tools ikd kipsec-dkms; do
		list+=("$(ls "$debs/${p}_${version}_"*.deb 2>/dev/null)")
		[ -n "${list[-1]}" ] || kt_fail "no $p .deb in $debs: run 'tests/install/run packages' first"
	done
	[ -s "$debs/kipsec-$version.dkms.tar.gz" ] ||
		kt_fail "no prebuilt DKMS tarball in $debs: run 'tests/install/run packages' first"
	# Where the postinst (dkms common.postinst) looks for a prebuilt module.
	mkdir -p /usr/share/kipsec-dkms
	cp "$debs/kipsec-$version.dkms.tar.gz" /usr/share/kipsec-dkms/
	# DKMS runs depmod after installing the module; depmod reads every
	# module of the kernel, 390 MB through 9p under TCG: 3.5 minutes. This
	# guest never loads a hardware driver, sound or file system module,
	# so they stay out of its module index (the guest's own
	# /etc/depmod.d); veth, the one driver the test needs, is loaded now.
	modprobe veth || kt_fail "cannot load veth"
	mkdir -p /etc/depmod.d
	printf 'exclude %s\n' drivers sound fs >/etc/depmod.d/kt-guest.conf
	# man-db's trigger would reindex every man page under TCG.
	rm -f /var/lib/man-db/auto-update
	export DEBIAN_FRONTEND=noninteractive
	# The host has strongSwan for the interop tests; its starter ships an
	# /etc/ipsec.conf of its own language, so kipsec-tools conflicts with
	# it, and an admin moving to kipsec removes it first, as here.
	if dpkg -s strongswan-starter >/dev/null 2>&1; then
		dpkg --purge --force-depends strongswan-starter ||
			kt_fail "cannot purge strongswan-starter"
	fi
	dpkg --force-unsafe-io -i "${list[@]}" || kt_fail "dpkg -i failed"
	cat >/etc/ipsec.conf <<-EOF
	flush;
	spdflush;
	spdadd $me $peer any -P out ipsec esp/transport//require;
	spdadd $peer $me any -P in ipsec esp/transport//require;
	EOF
	(umask 077; echo "$peer $psk" >/etc/ikd/psk.txt)
	racoon_conf /etc/ikd/psk.txt "$peer" "" >/etc/ikd/racoon.conf
	ip netns add peer || kt_fail "cannot create netns peer"
	ip link add kt0 type veth peer name kt1 netns peer || kt_fail "cannot create veth"
	ip addr add $me/24 dev kt0
	ip link set kt0 up
	ip -n peer addr add $peer/24 dev kt1
	ip -n peer link set kt1 up
	ip -n peer link set lo up
	# systemd starts with a /run of its own: the namespace's name in
	# /run/netns does not survive the boot, so it is pinned here too.
	touch /var/lib/kt-peer.netns
	mount --bind /run/netns/peer /var/lib/kt-peer.netns || kt_fail "cannot pin netns peer"
}

# racoon_conf PSKFILE PEER EXTRA: IKEv2 with a pre-shared key to PEER.
racoon_conf() {
	cat <<-EOF
	path pre_shared_key "$1";
	$3
	remote $2 {
		ike_version 2;
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

if [ "${1:-}" = boot ]; then
	boot_setup
	exit 0
fi

kver=$(uname -r)
journal() { journalctl -b --no-pager -o cat -u "$1"; }

# --- the units came up at boot ---------------------------------------------
for u in kipsec.service ikd.service; do
	[ "$(systemctl is-enabled $u)" = enabled ] || kt_fail "$u is not enabled: $(systemctl is-enabled $u)"
done
kt_expect_eq "systemctl is-active kipsec.service ikd.service" "active
active" "$(systemctl is-active kipsec.service ikd.service)"
status=$(systemctl status --no-pager kipsec.service ikd.service 2>&1)
printf '%s\n' "$status" | sed 's/^/#   /'
grep -qE '^ +Active: active \(exited\)' <<<"$status" || kt_fail "systemctl status: kipsec.service not active (exited)"
grep -qE '^ +Active: active \(running\)' <<<"$status" || kt_fail "systemctl status: ikd.service not active (running)"

# --- the module is DKMS's, loaded by the unit --------------------------------
kt_module_loaded kipsec || kt_fail "kipsec is not loaded"
st=$(dkms status -m kipsec -k "$kver" 2>&1)
grep -q ': installed' <<<"$st" || kt_fail "dkms status: $st"
ko=$(modinfo -n kipsec) || kt_fail "modinfo finds no kipsec"
[ "$ko" = "/lib/modules/$kver/updates/dkms/kipsec.ko" ] || kt_fail "modprobe's kipsec is $ko, not DKMS's"
[ "$(cat /sys/module/kipsec/srcversion)" = "$(modinfo -F srcversion "$ko")" ] ||
	kt_fail "the loaded kipsec is not $ko"
journal kipsec.service | grep -q 'kipsec IPsec policies' || kt_fail "kipsec.service's journal is empty"
kt_log "kipsec.ko loaded by kipsec.service from $ko"

# --- /etc/ipsec.conf was applied ---------------------------------------------
spd=$(setkey -DP)
printf '%s\n' "$spd" | sed 's/^/#   /'
grep -q "^$me\[any\] $peer\[any\] " <<<"$spd" || kt_fail "setkey -DP lacks the outbound policy"
grep -q "^$peer\[any\] $me\[any\] " <<<"$spd" || kt_fail "setkey -DP lacks the inbound policy"
[ "$(grep -c 'esp/transport//require' <<<"$spd")" = 2 ] || kt_fail "setkey -DP: want 2 require policies"

# --- the peer: ikd from the package, on kipsec, in its namespace -------------
if [ ! -e /run/netns/peer ]; then
	mkdir -p /run/netns
	touch /run/netns/peer
	mount --bind /var/lib/kt-peer.netns /run/netns/peer || kt_fail "netns peer is gone"
fi
pdir=$KT_TMP/peer
mkdir -p "$pdir"
(umask 077; echo "$me $psk" >"$pdir/psk.txt")
racoon_conf "$pdir/psk.txt" "$me" 'listen { adminsock disabled; }' >"$pdir/racoon.conf"
ip netns exec peer setkey -c <<-EOF || kt_fail "setkey in the peer failed"
spdadd $peer $me any -P out ipsec esp/transport//require;
spdadd $me $peer any -P in ipsec esp/transport//require;
EOF
ip netns exec peer /usr/sbin/ikd -F -f "$pdir/racoon.conf" -l "$pdir/ikd.log" \
	-p "$pdir/ikd.pid" >"$pdir/ikd.out" 2>&1 &
KT_PIDS+=($!)
kt_wait_for 60 grep -qE 'ikd .* started' "$pdir/ikd.log" ||
	kt_fail "the peer's ikd did not start: $(tail -5 "$pdir/ikd.out")"
peer_log_out() { [ -n "${KT_OUT:-}" ] && mkdir -p "$KT_OUT/ike/pkg_systemd" &&
	cp "$pdir/ikd.log" "$KT_OUT/ike/pkg_systemd/peer.log" &&
	journal ikd.service >"$KT_OUT/ike/pkg_systemd/system-ikd.log"; }
trap 'peer_log_out; kt_cleanup' EXIT

# --- a ping negotiates and flows ---------------------------------------------
kt_capture_start peer kt1 "$KT_TMP/wire.pcap" esp
ping -n -c 1 -W 1 $peer >/dev/null 2>&1
established() { journal ikd.service | grep -q 'CHILD_SA established'; }
kt_wait_for 90 established || kt_fail "no CHILD_SA in ikd.service's journal within 90 s: $(journal ikd.service | tail -5)"
out=$(ping -n -c 3 -i 0.3 -W 3 $peer 2>&1) || kt_fail "ping through the SAs failed: $out"
kt_capture_stop
kt_log "$(grep transmitted <<<"$out")"
journal ikd.service | grep 'established' | sed 's/^/#   /'
nsa=$(setkey -D | grep -c 'state=mature')
[ "$nsa" = 2 ] || kt_fail "setkey -D: $nsa mature SAs, want 2: $(setkey -D)"
nesp=$(tcpdump -n -r "$KT_TMP/wire.pcap" 2>/dev/null | grep -c 'ESP(spi=')
[ "$nesp" -ge 6 ] || kt_fail "$nesp ESP packets on the wire, want at least 6 (3 pings, 3 replies)"
journal ikd.service | grep -qF "$psk" && kt_fail "ikd's journal holds the PSK"
kt_log "negotiated by ikd.service: $nsa SAs, $nesp ESP packets on the wire"

# --- systemctl reload ikd: SIGHUP, same daemon --------------------------------
pid=$(systemctl show -p MainPID --value ikd.service)
kt_assert systemctl reload ikd.service
kt_wait_for 20 sh -c "journalctl -b --no-pager -o cat -u ikd.service | grep -q 'reloaded'" ||
	kt_fail "ikd did not log a reload: $(journal ikd.service | tail -3)"
[ "$(systemctl show -p MainPID --value ikd.service)" = "$pid" ] || kt_fail "reload restarted ikd"
[ "$(systemctl is-active ikd.service)" = active ] || kt_fail "ikd not active after reload"

# --- a broken /etc/ipsec.conf fails the unit, loads nothing -------------------
cat >/etc/ipsec.conf <<-EOF
flush;
spdflush;
spdadd $me $peer any -P out ipsec esp/transport//require;
spdadd $peer $me any -P in ipsec esp/transport//require;
spdadd $me 10.1.1.3 any -P out ipsec esp/transport//requir;
EOF
kt_refute systemctl restart kipsec.service
state=$(systemctl is-failed kipsec.service)
[ "$state" = failed ] || kt_fail "kipsec.service is $state after a broken file, want failed"
msg=$(journal kipsec.service | grep -F '/etc/ipsec.conf:5:58:') ||
	kt_fail "kipsec.service's journal lacks /etc/ipsec.conf:5:58: $(journal kipsec.service | tail -5)"
kt_log "journal: $msg"
spd=$(setkey -DP)
[ "$spd" = "No SPD entries." ] || kt_fail "policies left after the broken file: $spd"
kt_log "ikd.service after it: $(systemctl is-active ikd.service)"

# Leave the module unloadable for the runner: nothing holds PF_KEY.
systemctl stop ikd.service kipsec.service
exit 0
