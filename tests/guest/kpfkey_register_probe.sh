# SPDX-License-Identifier: BSD-2-Clause
# kt-boot: slub
# kt-timeout: 700
# SADB_REGISTER does not wait for the algorithm probe (issue 13, finding 6).
# The first REGISTER starts a probe of the crypto API in the background;
# here it is slowed further (probe_delay_ms) so that it surely runs for a
# minute. Four REGISTERs on four sockets, started with the module, are all
# answered with
# well-formed SUPPORTED lists while the probe is still running, and no task
# is reported hung (hung_task_timeout_secs lowered to 10). Once the probe
# is done, a REGISTER lists exactly the algorithms it found, a subset of the
# early answers. Without a REGISTER nothing is probed. Unloading in the
# middle of a slow probe is prompt.
. "$KT_TOP/tests/vm/lib.sh"

reg=$KT_TOP/tests/guest/register_once.py
hung=/proc/sys/kernel/hung_task_timeout_secs
old_hung=$(cat "$hung")
trap 'echo "$old_hung" >"$hung"; kt_cleanup' EXIT
echo 10 >"$hung"

# proc NAME: a value of /proc/net/kipsec.
proc() { awk -v n="$1:" '$1 == n { print $2 }' /proc/net/kipsec; }

kt_module_loaded kipsec && rmmod kipsec
kt_module_loaded af_key && rmmod af_key
insmod "$KT_MODULE" probe_delay_ms=2000 || kt_fail "insmod failed"
pids=()
for i in 1 2 3 4; do
	python3 "$reg" $((2 + i % 2)) >"$KT_TMP/reg$i" 2>&1 &
	pids+=($!)
done
for i in 1 2 3 4; do
	wait "${pids[i - 1]}" || kt_fail "REGISTER $i: $(cat "$KT_TMP/reg$i")"
done
total=$(proc alg_probed); total=${total#*/}
for i in 1 2 3 4; do
	out=$(cat "$KT_TMP/reg$i")
	echo "# early REGISTER $i: $out"
	tried=${out#probed=}; tried=${tried%%/*}
	[ "$tried" -lt "$total" ] || kt_fail "REGISTER $i answered after the probe ended: $out"
	case $out in
	*auth=*[0-9]*' enc='*[0-9]*) ;;
	*) kt_fail "REGISTER $i: empty lists: $out" ;;
	esac
done

# The probe's own pace: about 150 s under slub_debug, plus the pauses.
t0=$SECONDS
while [ "$(proc alg_probed)" != "$total/$total" ]; do
	[ $((SECONDS - t0)) -lt 480 ] || kt_fail "probe did not end: $(cat /proc/net/kipsec)"
	[ $(((SECONDS - t0) % 30)) = 0 ] && echo "# $((SECONDS - t0)) s: probed $(proc alg_probed)"
	sleep 1
done
echo "# probe ended after $((SECONDS - t0)) s more"
avail=$(proc alg_available)
late=$(python3 "$reg" 3) || kt_fail "late REGISTER: $late"
echo "# late REGISTER: $late (alg_available $avail)"
ids=${late#* auth=}
n=$(echo "$ids" | tr ',' '\n' | sed 's/ enc=/\n/' | grep -c .)
[ "$n" = "$avail" ] || kt_fail "late REGISTER lists $n algorithms, the probe found $avail"
early=$(cat "$KT_TMP/reg2")
for part in auth enc; do
	l=$(echo "$late" | sed -n "s/.* $part=\([0-9,]*\).*/\1/p" | tr ',' '\n')
	e=$(echo "$early" | sed -n "s/.* $part=\([0-9,]*\).*/\1/p" | tr ',' '\n')
	[ -z "$(comm -23 <(echo "$l" | sort) <(echo "$e" | sort))" ] ||
		kt_fail "$part: the late list has algorithms the early one lacked"
done

# No REGISTER, no probe.
rmmod kipsec || kt_fail "rmmod failed"
insmod "$KT_MODULE" || kt_fail "insmod failed"
sleep 3
[ "$(proc alg_probed)" = "0/$total" ] || kt_fail "probed without a REGISTER: $(proc alg_probed)"

# Unload in the middle of a probe that pauses a minute per algorithm.
rmmod kipsec || kt_fail "rmmod failed"
insmod "$KT_MODULE" probe_delay_ms=60000 || kt_fail "insmod failed"
python3 "$reg" 3 >/dev/null || kt_fail "REGISTER during a stalled probe"
[ "$(proc alg_probed)" = "0/$total" ] || kt_fail "probe not stalled: $(proc alg_probed)"
rmmod kipsec || kt_fail "rmmod during the probe failed"
dmesg | grep -E 'blocked for more than|BUG|WARNING|Objects remaining' &&
	kt_fail "kernel complained"
exit 0
