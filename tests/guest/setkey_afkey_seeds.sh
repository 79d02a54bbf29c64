# SPDX-License-Identifier: BSD-2-Clause
# kt-timeout: 900
# Every repaired seed file of the inventory's Appendix A, applied with our
# setkey to Linux's own af_key, then read back with `ip xfrm` (a reader that
# is not ours) and compared field by field by tests/guest/xfrm_oracle.py;
# `setkey -D`/`-DP` must list what was installed; -F/-FP must empty it.
. "$KT_TOP/tests/vm/lib.sh"

setkey=$KT_BUILD/bin/setkey
seeds=$KT_TOP/tests/unit/seeds
modprobe af_key || kt_fail "cannot load af_key"

# Linux refuses `use` (optional) tunnel-mode templates on outbound policies
# ("Mode in optional template not allowed in outbound policy"); the UnixWare
# manual-key seeds ask for exactly that. setkey must report the refusal with
# the statement's line and load the rest.
declare -A refused=(
	[a10-elmer]="spdadd 10.0.0.110\[any\] 10.0.0.100\[any\] tcp -P out"
	[a11-relent-repaired]="spdadd 10.0.0.100\[any\] 10.0.0.110\[any\] tcp -P out"
)

n=0
for f in "$seeds"/*.conf; do
	name=$(basename "$f" .conf)
	# damaged text is unit-tested; racoon.conf seeds are ikd's (test_ikd_conf)
	case $name in *verbatim*|a11-relent|*.racoon) continue ;; esac
	n=$((n + 1))
	kt_log "seed $name"
	$setkey -F && $setkey -FP || kt_fail "flush failed"
	expect=$f
	if [ -n "${refused[$name]:-}" ]; then
		line=$(grep -n "^${refused[$name]}" "$f" | cut -d: -f1)
		[ -n "$line" ] || kt_fail "$name: refused statement not found in the seed"
		$setkey -f "$f" 2>"$KT_TMP/err" && kt_fail "$name: setkey succeeded, af_key should refuse line $line"
		grep -q "^$f:$line: spdadd: Invalid argument" "$KT_TMP/err" ||
			kt_fail "$name: refusal not reported as $f:$line: $(cat "$KT_TMP/err")"
		sed "${line}d" "$f" >"$KT_TMP/expect.conf"
		expect=$KT_TMP/expect.conf
	else
		$setkey -f "$f" 2>"$KT_TMP/err" || kt_fail "$name: setkey -f failed: $(cat "$KT_TMP/err")"
	fi
	python3 "$KT_TOP/tests/guest/xfrm_oracle.py" "$expect" >"$KT_TMP/oracle" ||
		kt_fail "$name: kernel state differs from the file: $(cat "$KT_TMP/oracle")"

	# Our own dumps list the same entries (counts from the oracle's reading).
	read -r nsa nsp < <(sed -n 's/^oracle: \([0-9]*\) SAs, \([0-9]*\) policies.*/\1 \2/p' "$KT_TMP/oracle")
	got=$($setkey -D 2>&1) || kt_fail "$name: setkey -D failed: $got"
	[ "$(grep -c 'spi=' <<<"$got")" = "$nsa" ] || kt_fail "$name: setkey -D shows $(grep -c 'spi=' <<<"$got") SAs, want $nsa"
	got=$($setkey -DP 2>&1) || kt_fail "$name: setkey -DP failed: $got"
	[ "$(grep -c 'spid=' <<<"$got")" = "$nsp" ] || kt_fail "$name: setkey -DP shows $(grep -c 'spid=' <<<"$got") policies, want $nsp"
done
[ $n -ge 15 ] || kt_fail "only $n seed files found"

$setkey -F && $setkey -FP || kt_fail "final flush failed"
[ -z "$(ip xfrm state)" ] || kt_fail "SAD not empty after setkey -F"
[ -z "$(ip xfrm policy)" ] || kt_fail "SPD not empty after setkey -FP"
[ "$($setkey -D)" = "No SAD entries." ] || kt_fail "setkey -D on an empty SAD: $($setkey -D)"
[ "$($setkey -DP)" = "No SPD entries." ] || kt_fail "setkey -DP on an empty SPD: $($setkey -DP)"
