#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Check what a setkey file installed, through a reader that is not ours.

xfrm_oracle.py FILE.conf
  Reads FILE.conf with a deliberately small parser of its own (the subset of
  the KAME language the seed files use), reads `ip xfrm state` and
  `ip xfrm policy`, and compares them field by field: addresses, SPI,
  protocol, mode, algorithms, keys, reqid, replay window, selectors (prefix,
  ports, upper protocol), direction, templates and levels. Prints each
  mismatch and exits 1 if there is any.
"""
import re, socket, subprocess, sys

ENC = {"3des-cbc": "cbc(des3_ede)", "des-cbc": "cbc(des)", "blowfish-cbc": "cbc(blowfish)",
       "rijndael-cbc": "cbc(aes)", "aes-cbc": "cbc(aes)", "cast128-cbc": "cbc(cast5)",
       "null": "ecb(cipher_null)", "aes-ctr": "rfc3686(ctr(aes))", "twofish-cbc": "cbc(twofish)"}
AUTH = {"hmac-md5": ("hmac(md5)", 96), "hmac-sha1": ("hmac(sha1)", 96),
        "hmac-sha2-256": ("hmac(sha256)", 96), "hmac-sha2-384": ("hmac(sha384)", 192),
        "hmac-sha2-512": ("hmac(sha512)", 256), "aes-xcbc-mac": ("xcbc(aes)", 96),
        "hmac-ripemd160": ("hmac(rmd160)", 96)}

def statements(text):
    text = re.sub(r"#[^\n]*", "", text)
    for st in text.split(";"):
        words = re.findall(r'"[^"]*"|\S+', st)
        if words:
            yield words

def key_hex(k):
    return k[2:].lower() if k.startswith("0x") else k.strip('"').encode().hex()

def addr(spec):
    """'10.0.0.1/24[110]' -> (address, plen, port or None)"""
    m = re.fullmatch(r"([^/\[]+)(?:/(\d+))?(?:\[(\w+)\])?", spec)
    a, plen, port = m.group(1), m.group(2), m.group(3)
    full = 128 if ":" in a else 32
    plen = int(plen) if plen else full
    port = None if port in (None, "any") else int(port)
    return a, plen, port

def expect_sa(w):
    src, dst, proto, spi = w[1], w[2], w[3], int(w[4], 0)
    sa = {"src": src, "dst": dst, "proto": proto, "spi": spi, "mode": "transport",
          "reqid": 0, "replay": 0}
    i = 5
    while i < len(w):
        o = w[i]
        if o == "-m":
            # Linux PF_KEY maps KAME's mode "any" to transport.
            sa["mode"] = "tunnel" if w[i + 1] == "tunnel" else "transport"; i += 2
        elif o == "-u":
            sa["reqid"] = int(w[i + 1]); i += 2
        elif o == "-r":
            sa["replay"] = int(w[i + 1]); i += 2
        elif o == "-E":
            sa["enc"] = (ENC[w[i + 1]], key_hex(w[i + 2])); i += 3
        elif o == "-A":
            name, trunc = AUTH[w[i + 1]]
            sa["auth"] = (name, key_hex(w[i + 2]), trunc); i += 3
        else:
            raise SystemExit("oracle: unsupported option %s" % o)
    return sa

def expect_sp(w):
    s, d = addr(w[1]), addr(w[2])
    upper = w[3]
    i = 4
    if w[i] == "-P":
        i += 1
    sp = {"src": s, "dst": d, "upper": None if upper == "any" else upper,
          "dir": w[i], "action": w[i + 1], "tmpl": []}
    if sp["action"] == "ipsec":
        for r in w[i + 2:]:
            proto, mode, ends, level = (r.split("/") + ["", "", ""])[:4]
            tsrc, tdst = ends.split("-") if ends else ("", "")
            sp["tmpl"].append({"proto": proto, "mode": mode, "src": tsrc, "dst": tdst,
                               "level": level or "default"})
    return sp

def norm_ip(a):
    fam = socket.AF_INET6 if ":" in a else socket.AF_INET
    return socket.inet_ntop(fam, socket.inet_pton(fam, a))

def xfrm(what):
    return subprocess.run(["ip", "xfrm", what], capture_output=True, text=True, check=True).stdout

def blocks(text):
    cur = []
    for line in text.splitlines():
        if line and not line[0].isspace() and cur:
            yield cur; cur = []
        if line.strip():
            cur.append(line.strip())
    if cur:
        yield cur

def read_states():
    out = []
    for b in blocks(xfrm("state")):
        m = re.match(r"src (\S+) dst (\S+)", b[0])
        st = {"src": m.group(1), "dst": m.group(2)}
        for line in b[1:]:
            f = line.split()
            if f[0] == "proto":
                st.update(proto=f[1], spi=int(f[3], 16), reqid=int(f[5]), mode=f[7])
            elif f[0] == "replay-window":
                st["replay"] = int(f[1])
            elif f[0] == "enc":
                st["enc"] = (f[1], f[2][2:])
            elif f[0] == "auth-trunc":
                st["auth"] = (f[1], f[2][2:], int(f[3]))
        out.append(st)
    return out

def read_policies():
    out = []
    for b in blocks(xfrm("policy")):
        head = b[0].split()
        sel = dict(zip(head[0::2], head[1::2]))
        sp = {"sel": sel, "tmpl": []}
        for line in b[1:]:
            f = line.split()
            if f[0] == "dir":
                sp["dir"] = f[1]
                sp["action"] = f[f.index("action") + 1] if "action" in f else "allow"
            elif f[0] == "tmpl":
                sp["tmpl"].append({"src": f[2], "dst": f[4], "level": "require"})
            elif f[0] == "proto" and sp["tmpl"]:
                sp["tmpl"][-1].update(proto=f[1], reqid=int(f[3]), mode=f[5])
            elif f[0] == "level" and sp["tmpl"]:
                sp["tmpl"][-1]["level"] = f[1]
        out.append(sp)
    return out

def main():
    want_sa, want_sp = [], []
    for w in statements(open(sys.argv[1]).read()):
        if w[0] == "add":
            want_sa.append(expect_sa(w))
        elif w[0] == "spdadd":
            want_sp.append(expect_sp(w))
    errors = []
    states, pols = read_states(), read_policies()
    if len(states) != len(want_sa):
        errors.append("SAD: %d entries, want %d" % (len(states), len(want_sa)))
    for sa in want_sa:
        got = [s for s in states if s.get("spi") == sa["spi"] and s["dst"] == norm_ip(sa["dst"])
               and s.get("proto") == sa["proto"]]
        if len(got) != 1:
            errors.append("SA %s %s spi %d: found %d" % (sa["proto"], sa["dst"], sa["spi"], len(got)))
            continue
        g = got[0]
        for k in ("src", "mode", "reqid", "replay", "enc", "auth"):
            w = norm_ip(sa[k]) if k == "src" else sa.get(k)
            if g.get(k) != w:
                errors.append("SA spi %d: %s is %r, want %r" % (sa["spi"], k, g.get(k), w))
    if len(pols) != len(want_sp):
        errors.append("SPD: %d entries, want %d" % (len(pols), len(want_sp)))
    for sp in want_sp:
        (sa_, sl, spo), (da, dl, dpo) = sp["src"], sp["dst"]
        def match(p):
            s = p["sel"]
            return (s.get("src") == "%s/%d" % (norm_ip(sa_), sl) and
                    s.get("dst") == "%s/%d" % (norm_ip(da), dl) and p.get("dir") == sp["dir"] and
                    s.get("proto") == sp["upper"] and
                    s.get("sport") == (str(spo) if spo is not None else None) and
                    s.get("dport") == (str(dpo) if dpo is not None else None))
        got = [p for p in pols if match(p)]
        name = "SP %s %s %s" % (sp["dir"], "/".join(map(str, sp["src"][:2])), "/".join(map(str, sp["dst"][:2])))
        if len(got) != 1:
            errors.append("%s: found %d" % (name, len(got)))
            continue
        g = got[0]
        action = {"none": "allow", "ipsec": "allow", "discard": "block"}[sp["action"]]
        if g["action"] != action:
            errors.append("%s: action %s, want %s" % (name, g["action"], action))
        if len(g["tmpl"]) != len(sp["tmpl"]):
            errors.append("%s: %d templates, want %d" % (name, len(g["tmpl"]), len(sp["tmpl"])))
            continue
        for i, (gt, wt) in enumerate(zip(g["tmpl"], sp["tmpl"])):
            want = {"proto": wt["proto"], "mode": wt["mode"],
                    "src": norm_ip(wt["src"]) if wt["src"] else "0.0.0.0",
                    "dst": norm_ip(wt["dst"]) if wt["dst"] else "0.0.0.0",
                    # Linux has optional (use) or not; default means require there.
                    "level": "use" if wt["level"] == "use" else "require"}
            if ":" in (wt["src"] or sp["src"][0]) and not wt["src"]:
                want["src"] = want["dst"] = "::"
            for k, v in want.items():
                if gt.get(k) != v:
                    errors.append("%s tmpl %d: %s is %r, want %r" % (name, i, k, gt.get(k), v))
    for e in errors:
        print("oracle:", e)
    print("oracle: %d SAs, %d policies checked, %d mismatches" % (len(want_sa), len(want_sp), len(errors)))
    return 1 if errors else 0

sys.exit(main())
