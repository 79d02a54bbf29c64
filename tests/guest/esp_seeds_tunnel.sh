# SPDX-License-Identifier: BSD-2-Clause
# kt-timeout: 900
# Seeds A.7, A.8 and A.12 (with A.10's ESP SAs) end to end, ESP tunnels, both
# ends running our setkey over PF_KEY (KT_STACK): see tests/guest/esp_seeds.bash.
. "$KT_TOP/tests/vm/lib.sh"
. "$KT_TOP/tests/guest/esp_seeds.bash"

esp_topo_gw
seeds_topo_leaf
seeds_topo_unixware

# --- A.7: gateway to gateway ----------------------------------------------
case=a07-vpn
load gw1 "$seeds/a07-vpn-gw1.conf" tunnel fwd
load gw2 "$seeds/a07-vpn-gw2.conf" tunnel fwd
esp_capture_start wg gw1-wan0 "$cap"
kt_ping_ok left 10.0.2.2
kt_ping_ok right 10.0.1.2
kt_tcp_ok left right 10.0.2.2 262144 >/dev/null || exit 1
esp_capture_stop
wire ESP "$echo_clear" 13245 13246
flush gw1 gw2

# --- A.8: leaf node and its router -----------------------------------------
case=a08-leaf
load leaf "$seeds/a08-leaf.conf" tunnel
# The router's `-P in` line (leaf -> anywhere) is what its forwarding of the
# leaf's traffic to far needs as a fwd policy under af_key.
load router "$seeds/a08-router.conf" tunnel fwd
esp_capture_start wl leaf-eth0 "$cap"
kt_ping_ok leaf 10.0.1.1
kt_ping_ok leaf 10.0.2.2
kt_ping_ok far 10.0.1.5
kt_tcp_ok leaf far 10.0.2.2 262144 >/dev/null || exit 1
esp_capture_stop
wire ESP "$echo_clear" 1011 1012
flush leaf router

# --- A.12 with A.10's ESP SAs: UnixWare ESP tunnel for TCP ----------------
case=a12+a10-esp-sas
grep '^add .* esp ' "$seeds/a10-elmer.conf" >"$ESP_DIR/a10-esp-sas.conf"
[ "$(wc -l <"$ESP_DIR/a10-esp-sas.conf")" = 2 ] || kt_fail "$case: want A.10's two ESP SAs"
load elmer "$ESP_DIR/a10-esp-sas.conf"
load relent "$ESP_DIR/a10-esp-sas.conf"
load elmer "$seeds/a12-elmer.conf"
load relent "$seeds/a12-relent.conf"
esp_capture_start wu relent-net0 "$cap"
# ICMP is outside the TCP-only policies: it stays clear and must flow.
kt_ping_ok relent 10.0.0.110
kt_tcp_ok relent elmer 10.0.0.110 262144 >/dev/null || exit 1
kt_tcp_ok elmer relent 10.0.0.100 65536 >/dev/null || exit 1
esp_capture_stop
wire ESP tcp 0x10001 0x10002
flush elmer relent
exit 0
