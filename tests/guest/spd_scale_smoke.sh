# SPDX-License-Identifier: BSD-2-Clause
# kt-timeout: 300
# A small run of the SPD/SAD scale benchmark (tests/bench/spd_scale.sh,
# `make bench BENCH=spd_scale`), so that it keeps working, kept short for
# make check: the prefix class (the one with most selector shapes) at 0
# and 200 extra policies per direction, one turn of 1 s per stack and row;
# the SAD rows are left to the benchmark. It fails if either stack's tunnel
# cannot pass a ping or lets anything but its SA's ESP out of gw1, if an
# install fails or is skipped, or if a row lacks a stack's rate or ratio;
# the rates are not checked. Its raw.txt and table.txt in
# build/vm/last-*/spd_scale_smoke/.
out=$KT_OUT/spd_scale_smoke
mkdir -p "$out"
KT_OUT=$out SPD_CLASSES="prefix" SPD_SIZES="0 200" SAD_SIZES="" \
	SPD_RUNS=1 SPD_SECS=1 SPD_CAP=120 SPD_BUDGET=200 \
	bash "$KT_TOP/tests/bench/spd_scale.sh" || exit 1
python3 "$KT_TOP/tests/bench/spd_scale_table.py" --wall "$out" >"$out/table.txt" || exit 1
cat "$out/table.txt"
if grep -q '^# \(skip\|FAIL\|SPD_BUDGET\)' "$out/raw.txt"; then
	echo "FAIL: a step was skipped or failed"; exit 1
fi
for row in "spd prefix"; do
	for n in 0 200; do
		for s in kipsec native; do
			grep -q "^stack=$s .* table=${row% *} class=${row#* } n=$n proto=udp " \
				"$out/raw.txt" || { echo "FAIL: no $s rate for $row n=$n"; exit 1; }
			[ $n = 0 ] || grep -q "^install stack=$s table=${row% *} class=${row#* } n=$n " \
				"$out/raw.txt" || { echo "FAIL: no $s install of $row n=$n"; exit 1; }
		done
	done
	# The table has every figure of the row: rates, N/0 and k/x ratios.
	awk -v t="${row% *}" -v c="${row#* }" '$1 == t && $2 == c && $3 == 200 {
		found = 1; for (i = 4; i <= 8; i++) if ($i == "-") bad = 1 }
		END { exit !(found && !bad) }' "$out/table.txt" ||
		{ echo "FAIL: the table's row $row 200 lacks a figure"; exit 1; }
done
exit 0
