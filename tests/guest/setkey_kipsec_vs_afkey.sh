# SPDX-License-Identifier: BSD-2-Clause
# kipsec.ko against Linux's af_key, with af_key as the reference: every
# repaired seed file of the inventory's Appendix A is loaded with our setkey
# into af_key, then into kipsec, and `setkey -D` / `-DP` must print the same
# thing apart from the differences listed in compare.py below.  Then
# kipsec's own SA extension: a 4096-packet window with ESN (and a legacy
# 96-bit HMAC-SHA2-256 ICV) reads back through `setkey -D`, and the same
# file is refused for af_key, which would ignore extension 32 silently.
#
# All af_key runs come first, then all kipsec runs, so each module is
# loaded once; one python3 compares everything at the end (processes are
# slow under TCG).  Raw outputs stay in $KT_OUT/setkey_kipsec_vs_afkey/.
. "$KT_TOP/tests/vm/lib.sh"

setkey=$KT_BUILD/bin/setkey
seeds=$KT_TOP/tests/unit/seeds
[ -x "$setkey" ] || kt_skip "setkey not built ($setkey)"
out=${KT_OUT:-$KT_TMP}/setkey_kipsec_vs_afkey
rm -rf "$out"
mkdir -p "$out/afkey" "$out/kipsec"

# As in setkey_afkey_seeds.sh: af_key refuses `use` tunnel templates on
# outbound policies; kipsec takes them (RFC 4301 does not forbid them).
declare -A refused=(
	[a10-elmer]="spdadd 10.0.0.110\[any\] 10.0.0.100\[any\] tcp -P out"
	[a11-relent-repaired]="spdadd 10.0.0.100\[any\] 10.0.0.110\[any\] tcp -P out"
)

names=()
for f in "$seeds"/*.conf; do
	name=$(basename "$f" .conf)
	# damaged text is unit-tested; racoon.conf seeds are ikd's (test_ikd_conf)
	case $name in *verbatim*|a11-relent|*.racoon) continue ;; esac
	names+=("$name")
done
[ ${#names[@]} -ge 15 ] || kt_fail "only ${#names[@]} seed files found"

# Line number of the statement af_key refuses in seed $1.
refused_line() {
	local line
	line=$(grep -n "^${refused[$1]}" "$seeds/$1.conf" | cut -d: -f1)
	[ -n "$line" ] || kt_fail "$1: refused statement not found in the seed"
	echo "$line"
}

flush_conf=$KT_TMP/flush.conf
printf 'flush;\nspdflush;\n' >"$flush_conf"
flush_all() {
	$setkey -f "$flush_conf" || kt_fail "$1: flush failed"
}

# kipsec finding (kernel/pfkey_sock.c): when a request fails, af_key queues
# the error reply and sendmsg() succeeds; kipsec queues it and also fails
# sendmsg() with the error.  For a dump of an empty table (ENOENT) setkey
# then prints "setkey: dump: No such file or directory" and exits 1
# instead of "No SAD entries.".  Recorded, the empty table assumed, and
# reported at the end, so that the comparison goes on.
capture_one() {	# FILE NAME OPTION KIND EMPTY
	$setkey "$3" >"$1" 2>&1 && return 0
	if [ "$(cat "$1")" = "setkey: $4: No such file or directory" ]; then
		echo "$2 ($3)" >>"$KT_TMP/emptydump"
		echo "$5" >"$1"
		return 0
	fi
	kt_fail "$2: setkey $3 failed: $(cat "$1")"
}

capture() {	# DIR NAME
	capture_one "$1/$2.sad" "$2" -D dump "No SAD entries."
	capture_one "$1/$2.spd" "$2" -DP spddump "No SPD entries."
}

# kipsec's extension: a big window with ESN, and a legacy ICV.
ext_conf=$KT_TMP/kipsec-ext.conf
cat >"$ext_conf" <<'CONF'
add 10.9.0.1 10.9.0.2 esp 0x4001 -r 4096 -esn -E aes-cbc 0x00112233445566778899aabbccddeeff -A hmac-sha2-256 0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f;
add 10.9.0.2 10.9.0.1 esp 0x4002 -r 64 -icv 96 -E aes-cbc 0x00112233445566778899aabbccddeeff -A hmac-sha2-256 0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f;
CONF

# ---- af_key ----------------------------------------------------------------
kt_module_loaded kipsec && kt_unload_kipsec
modprobe af_key || kt_fail "cannot load af_key"
for name in "${names[@]}"; do
	f=$seeds/$name.conf
	flush_all "$name"
	if [ -n "${refused[$name]:-}" ]; then
		line=$(refused_line "$name")
		$setkey -f "$f" 2>"$KT_TMP/err" && kt_fail "af_key: $name: setkey succeeded, af_key should refuse line $line"
		grep -q "^$f:$line: spdadd: Invalid argument" "$KT_TMP/err" ||
			kt_fail "af_key: $name: refusal not reported as $f:$line: $(cat "$KT_TMP/err")"
	else
		$setkey -f "$f" 2>"$KT_TMP/err" || kt_fail "af_key: $name: setkey -f failed: $(cat "$KT_TMP/err")"
	fi
	capture "$out/afkey" "$name"
done
kt_log "af_key: ${#names[@]} seed files loaded and dumped"

# af_key skips extension types above its SADB_EXT_MAX without a word, so it
# would install these SAs with its own 32-packet window and no ESN: setkey
# refuses them itself, each with its line, and sends nothing for them.
flush_all ext
$setkey -f "$ext_conf" 2>"$KT_TMP/err" && kt_fail "setkey sent kipsec's SA extension to af_key"
for line in 1 2; do
	grep -q "^$ext_conf:$line: add: -r above 255, -esn and -icv need kipsec.ko (Linux af_key would ignore them); not sent$" "$KT_TMP/err" ||
		kt_fail "af_key: the extension's refusal is not reported for $ext_conf:$line: $(cat "$KT_TMP/err")"
done
[ "$($setkey -D)" = "No SAD entries." ] || kt_fail "af_key: an SA was installed: $($setkey -D)"
kt_log "setkey keeps the extension from af_key: $(tr '\n' ' ' <"$KT_TMP/err")"

# Why setkey must do it: the same ADD sent raw, extension 32 included.
python3 - >"$KT_TMP/raw" 2>&1 <<'PY' || kt_fail "af_key raw ADD: $(cat "$KT_TMP/raw")"
import socket, struct
s = socket.socket(15, socket.SOCK_RAW, 2)			# PF_KEY v2
addr = lambda t, a: struct.pack("=HHBBH", 3, t, 255, 32, 0) + \
	struct.pack("=H2s4s8x", socket.AF_INET, b"\0\0", socket.inet_aton(a))
body = struct.pack("=HH", 2, 1) + struct.pack("!I", 0x4003) + \
	struct.pack("=BBBBI", 255, 0, 0, 3, 0)		# SA: esp 3des-cbc
body += addr(5, "10.9.0.1") + addr(6, "10.9.0.2")
body += struct.pack("=HHHH", 4, 9, 192, 0) + b"k" * 24	# key_encrypt
body += struct.pack("=HHIHHI", 2, 32, 4096, 1, 0, 0)	# kipsec SA: 4096, ESN
msg = struct.pack("=BBBBHHII", 2, 3, 0, 3, (16 + len(body)) // 8, 0, 1, 0) + body
s.send(msg)
while True:
	r = s.recv(4096)
	if r[1] == 3:
		print("errno", r[2])
		break
PY
if grep -q '^errno 0$' "$KT_TMP/raw"; then
	kt_log "af_key accepted a raw ADD carrying extension 32 and ignored it: $($setkey -D | grep -o 'replay=[0-9]* flags=[^ ]* state=[a-z]* *$')"
else
	kt_log "af_key refused a raw ADD carrying extension 32: $(cat "$KT_TMP/raw")"
fi
flush_all final
rmmod af_key || kt_fail "cannot unload af_key"

# ---- kipsec ------------------------------------------------------------------
kt_load_kipsec
for name in "${names[@]}"; do
	f=$seeds/$name.conf
	flush_all "$name"
	# kipsec also takes the policies af_key refuses.
	$setkey -f "$f" 2>"$KT_TMP/err" || kt_fail "kipsec: $name: setkey -f failed: $(cat "$KT_TMP/err")"
	capture "$out/kipsec" "$name"
done
kt_log "kipsec: ${#names[@]} seed files loaded and dumped"

flush_all ext
$setkey -f "$ext_conf" 2>"$KT_TMP/err" || kt_fail "kipsec: the SA extension file failed: $(cat "$KT_TMP/err")"
$setkey -D >"$out/kipsec/ext.sad" || kt_fail "kipsec: setkey -D failed"
sa1=$(grep -A4 '^10.9.0.1 10.9.0.2 ' "$out/kipsec/ext.sad")
sa2=$(grep -A4 '^10.9.0.2 10.9.0.1 ' "$out/kipsec/ext.sad")
grep -q 'seq=0x[0-9a-f]* replay=4096 flags=0x[0-9a-f]* state=mature esn $' <<<"$sa1" ||
	kt_fail "kipsec: replay 4096 with ESN does not read back: $sa1"
grep -q 'seq=0x[0-9a-f]* replay=64 flags=0x[0-9a-f]* state=mature icv=96 $' <<<"$sa2" ||
	kt_fail "kipsec: the 96-bit ICV does not read back: $sa2"
kt_log "kipsec reads back: $(grep -o 'replay=[0-9]* .*' "$out/kipsec/ext.sad" | tr '\n' '|')"
flush_all final
kt_unload_kipsec

# ---- compare -----------------------------------------------------------------
refused_hdrs=()
for name in "${!refused[@]}"; do
	# "spdadd SRC DST PROTO -P out ..." -> the -DP header "SRC DST PROTO"
	refused_hdrs+=("$name=$(grep -m1 "^${refused[$name]}" "$seeds/$name.conf" |
		sed -E 's/^spdadd ([^ ]+) ([^ ]+) ([^ ]+) -P out.*/\1 \2 \3/')")
done
cat >"$KT_TMP/compare.py" <<'PY'
import difflib, re, sys

# Only what must differ between two kernels (or two runs) is rewritten:
#  - created:/current:/last:/lastused: times and diff: ages: wall-clock
#    times of two different loads;
#  - pid=: the pid of the `setkey -D` process that asked;
#  - sadb_seq= (-D) and spid=/seq= (-DP): dump counters and policy ids that
#    each kernel allocates its own way (af_key's ids encode the direction
#    and a global counter);
#  - refcnt=: kernel-internal reference counts;
#  - mode=any: setkey sends KAME's default mode "any"; af_key stores it as
#    transport (Linux has no "any" SA), kipsec keeps and reports "any"
#    (docs/setkey.8, -m);
#  - flags=0x00000040: the KAME sadb_sa_flags bit setkey sends by default
#    (SADB_X_EXT_CYCSEQ); kipsec keeps and echoes it as KAME kernels do,
#    af_key drops it and reports its own xfrm flags (docs/setkey.8, -f);
#  - seq=0x...: sadb_x_sa2_sequence; kipsec reports the ADD's sadb_msg_seq
#    there, af_key 0.  Checked on its own (SA2SEQ below), so the rest of
#    each SA still has to match;
#  - the order of the entries: RFC 2367 leaves dump order to the kernel
#    (af_key lists the newest SA first, kipsec the oldest); blocks are
#    sorted, each kept whole.
TIME = r"[A-Z][a-z]{2} [ 0-9]{2} [0-9:]{8} [0-9]{4}"
RULES = [
    (re.compile(r"\b(created|current|last|lastused): " + TIME), r"\1: TIME"),
    (re.compile(r"diff: [0-9]+\(s\)"), "diff: N(s)"),
    (re.compile(r" pid=[0-9]+"), " pid=N"),
    (re.compile(r"sadb_seq=[0-9]+"), "sadb_seq=N"),
    (re.compile(r"spid=[0-9]+ seq=[0-9]+"), "spid=N seq=N"),
    (re.compile(r"refcnt=[0-9]+"), "refcnt=N"),
    (re.compile(r" mode=any "), " mode=transport "),
    (re.compile(r"^(\tseq=0x)[0-9a-f]{8}( replay=[0-9]+ flags=)0x00000040 "),
     r"\1SEQ\g<2>0x00000000 "),
    (re.compile(r"^(\tseq=0x)[0-9a-f]{8} "), r"\1SEQ "),
]

def blocks(path):
    out, cur = [], []
    for line in open(path).read().splitlines():
        if not line.startswith("\t") and cur:
            out.append(cur)
            cur = []
        cur.append(line)
    if cur:
        out.append(cur)
    return out

def normalize(blks):
    res = []
    for b in blks:
        nb = []
        for line in b:
            for rx, rep in RULES:
                line = rx.sub(rep, line)
            nb.append(line)
        res.append(nb)
    return ["\n".join(b) for b in sorted(res)]

outdir, names, refused = sys.argv[1], sys.argv[2].split(), dict(
    a.split("=", 1) for a in sys.argv[3:])
bad = 0
for name in names:
    for kind in ("sad", "spd"):
        a = blocks(f"{outdir}/afkey/{name}.{kind}")
        k = blocks(f"{outdir}/kipsec/{name}.{kind}")
        if kind == "sad":
            seqs = [l for b in k for l in b if re.match(r"\tseq=0x", l)]
            odd = [l.split()[0] for l in seqs if not l.startswith("\tseq=0x00000000 ")]
            if odd:
                print(f"SA2SEQ {name}: {len(seqs)} SAs, {' '.join(odd)}")
        if kind == "spd" and name in refused:
            keep = [b for b in k if not (b[0] == refused[name] and len(b) > 1
                                         and b[1].startswith("\tout "))]
            if len(keep) != len(k) - 1:
                print(f"DIFF {name}: kipsec's -DP lacks the out policy af_key refuses ({refused[name]})")
                bad = 1
            k = keep
        na, nk = normalize(a), normalize(k)
        if na != nk:
            bad = 1
            print(f"DIFF {name}: setkey -{'D' if kind == 'sad' else 'DP'} (af_key vs kipsec, normalized)")
            sys.stdout.writelines(difflib.unified_diff(
                "\n".join(na).splitlines(True), "\n".join(nk).splitlines(True),
                "af_key", "kipsec"))
            print()
sys.exit(bad)
PY
python3 "$KT_TMP/compare.py" "$out" "${names[*]}" "${refused_hdrs[@]}" >"$out/compare.txt" 2>&1
rc=$?
grep -v '^SA2SEQ ' "$out/compare.txt"
[ $rc -le 1 ] || kt_fail "compare.py failed: $(cat "$out/compare.txt")"
[ $rc = 0 ] || kt_fail "af_key and kipsec dumps differ beyond the listed normalizations (above)"
kt_log "${#names[@]} seed files: setkey -D and -DP agree between af_key and kipsec"

# Kernel findings last, so that everything above is checked first.
[ -s "$KT_TMP/emptydump" ] &&
	kt_fail "kipsec bug (not setkey): a dump of an empty table fails sendmsg() with ENOENT (af_key replies ENOENT and sendmsg succeeds), so setkey -D/-DP print 'No such file or directory' and exit 1 -- kernel/pfkey_sock.c kipsec_pfkey_sendmsg() returns kipsec_process()'s error after queuing the reply: $(tr '\n' ' ' <"$KT_TMP/emptydump")"
grep -q '^SA2SEQ ' "$out/compare.txt" &&
	kt_fail "kipsec bug (not setkey): sadb_x_sa2_sequence of fresh SAs is the ADD's sadb_msg_seq, not the SA's sequence counter 0 (KAME; af_key says 0) -- kernel/sad_msg.c kipsec_sa_msg() puts sa->seq, set from hdr->sadb_msg_seq in kipsec_sa_from_msg(): $(grep '^SA2SEQ ' "$out/compare.txt" | tr '\n' ' ')"
exit 0
