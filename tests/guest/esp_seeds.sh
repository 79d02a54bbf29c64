# SPDX-License-Identifier: BSD-2-Clause
# kt-timeout: 900
# Seeds A.1-A.3 end to end, host-to-host ESP, both hosts running our setkey
# over PF_KEY (KT_STACK): see tests/guest/esp_seeds.bash.
. "$KT_TOP/tests/vm/lib.sh"
. "$KT_TOP/tests/guest/esp_seeds.bash"

esp_topo_h2h

# --- A.1/A.2, A.1 with require, A.3: host to host --------------------------
sed 's/^spdadd 10.1.1.1 20.1.1.1 any -P out/spdadd 20.1.1.1 10.1.1.1 any -P out/' \
	"$seeds/a03-host-esp-rijndael.conf" >"$ESP_DIR/a03-peer.conf"
grep -q '^spdadd 20.1.1.1 10.1.1.1 any -P out' "$ESP_DIR/a03-peer.conf" || kt_fail "cannot derive A.3's peer"
for pair in "a01-host-esp-3des a02-host-esp-3des-peer" "a01-in-require a02-host-esp-3des-peer" \
	"a03-host-esp-rijndael $ESP_DIR/a03-peer"; do
	set -- $pair
	case="$(basename "$1")+$(basename "$2")"
	f2=$2.conf
	[ -f "$f2" ] || f2=$seeds/$2.conf
	flush h1 h2
	load h1 "$seeds/$1.conf"
	load h2 "$f2"
	esp_capture_start wh h1-eth0 "$cap"
	kt_ping_ok h1 20.1.1.1
	kt_ping_ok h2 10.1.1.1
	kt_tcp_ok h1 h2 20.1.1.1 262144 >/dev/null || exit 1
	esp_capture_stop
	wire ESP "$echo_clear" 9876 10000
done

exit 0
