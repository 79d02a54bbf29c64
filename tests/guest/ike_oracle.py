#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""IKEv2 oracle: tshark decodes, and with the IKE SA keys decrypts, the IKE
messages of a capture; neither IKE peer has a say in what it finds.

ike_oracle.py [-k KEYS]... [-p PORT]... PCAP...

  -k KEYS  a file of IKE SA keys, one SA a line, in the format of
           Wireshark's ikev2_decryption_table (its personal UAT file):
             SPI_I,SPI_R,SK_ei,SK_er,"ENC",SK_ai,SK_ar,"INTEG"
           SPIs and keys in hex; ENC and INTEG as Wireshark names them,
           e.g. "AES-GCM-256 with 16 octet ICV [RFC5282]" and
           "NONE [RFC4306]", or "AES-CBC-128 [RFC3602]" and
           "HMAC_SHA2_256_128 [RFC4868]". For AEAD, SK_e includes the salt.
           Lines starting with # and empty lines are skipped.
           tests/vm/ike.sh's kt_charon_ikekeys writes such lines.
  -p PORT  a UDP port other than 500 and 4500 that carries IKE (with the
           non-ESP marker, as charon and pluto send it on such ports)
  PCAP     captures (tcpdump -w); several are merged (mergecap -a)

Prints, one line each (fields separated by one space):
  msg FRAME SRC SPORT DST DPORT SPI_I SPI_R EXCHANGE MID request|response
      initiator|responder clear|decrypted|undecrypted PAYLOADS
        PAYLOADS: the payload types in order, inner (encrypted) ones too,
        comma-separated (SA,KE,Ni,N,SK,IDi,AUTH,TSi,TSr,D...), or -
  error FRAME SEVERITY MESSAGE...
        every tshark expert info of Warning or Error severity on an IKE
        frame: a malformed message, a bad integrity checksum (wrong keys),
        bad padding ...
  sa SPI_I SPI_R IKE_SA_INIT=N IKE_AUTH=N ... decrypted=N undecrypted=N errors=N
        per IKE SA (SPI_R of the first IKE_SA_INIT request is 0: that
        message is counted with its SA)
  summary messages=N clear=N decrypted=N undecrypted=N errors=N
Exit status: 0 when there was at least one IKE message, every encrypted one
was decrypted and no error was found; 1 otherwise; 2 when tshark could not
run (a bad key line, say: tshark checks key lengths against algorithms).
"""
import os, subprocess, sys, tempfile

EXCH = {34: "IKE_SA_INIT", 35: "IKE_AUTH", 36: "CREATE_CHILD_SA",
        37: "INFORMATIONAL", 38: "IKE_SESSION_RESUME", 43: "IKE_INTERMEDIATE",
        44: "IKE_FOLLOWUP_KE"}
PAYLOAD = {33: "SA", 34: "KE", 35: "IDi", 36: "IDr", 37: "CERT", 38: "CERTREQ",
           39: "AUTH", 40: "Nonce", 41: "N", 42: "D", 43: "V", 44: "TSi",
           45: "TSr", 46: "SK", 47: "CP", 48: "EAP", 49: "GSPM", 53: "SKF"}
SEVERITY = {8388608: "error", 6291456: "warn", 4194304: "note", 2097152: "chat",
            1048576: "comment"}
FIELDS = ["frame.number", "ip.src", "ipv6.src", "ip.dst", "ipv6.dst",
          "udp.srcport", "udp.dstport", "isakmp.ispi", "isakmp.rspi",
          "isakmp.exchangetype", "isakmp.messageid", "isakmp.flag_r",
          "isakmp.flag_i", "isakmp.typepayload", "isakmp.enc.decrypted",
          "_ws.expert.message", "_ws.expert.severity"]


def usage():
    sys.stderr.write(__doc__)
    sys.exit(2)


def num(s):
    s = s.strip()
    return int(s, 16) if s.lower().startswith("0x") else int(s)


def main():
    keys, ports, pcaps = [], [], []
    args = sys.argv[1:]
    while args:
        a = args.pop(0)
        if a in ("-k", "--keys") and args:
            with open(args.pop(0)) as f:
                for line in f:
                    line = line.strip()
                    if line and not line.startswith("#"):
                        keys.append(line)
        elif a in ("-p", "--port") and args:
            ports.append(int(args.pop(0)))
        elif a.startswith("-"):
            usage()
        else:
            pcaps.append(a)
    if not pcaps:
        usage()

    tmp = None
    pcap = pcaps[0]
    if len(pcaps) > 1:
        fd, tmp = tempfile.mkstemp(suffix=".pcap")
        os.close(fd)
        r = subprocess.run(["mergecap", "-a", "-F", "pcap", "-w", tmp] + pcaps,
                           capture_output=True, text=True)
        if r.returncode != 0:
            sys.exit("ike_oracle: mergecap failed: " + r.stderr.strip())
        pcap = tmp
    cmd = ["tshark", "-n", "-r", pcap, "-Y", "isakmp", "-T", "fields",
           "-E", "separator=/t", "-E", "occurrence=a", "-E", "aggregator=|"]
    for p in ports:
        cmd += ["-d", "udp.port==%d,udpencap" % p]
    for k in keys:
        cmd += ["-o", "uat:ikev2_decryption_table:" + k]
    for f in FIELDS:
        cmd += ["-e", f]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if tmp:
        os.unlink(tmp)
    if r.returncode != 0:
        err = [l for l in r.stderr.splitlines() if "Running as user" not in l]
        print("ike_oracle: tshark failed: " + " ".join(err), file=sys.stderr)
        sys.exit(2)

    sas, order = {}, []
    total = {"messages": 0, "clear": 0, "decrypted": 0, "undecrypted": 0, "errors": 0}
    spi_r_of = {}	# SPI_I -> SPI_R, to count the first request with its SA
    rows = []
    for line in r.stdout.splitlines():
        v = dict(zip(FIELDS, line.split("\t")))
        rows.append(v)
        ispi, rspi = v["isakmp.ispi"].split("|")[0], v["isakmp.rspi"].split("|")[0]
        if rspi.strip("0"):
            spi_r_of.setdefault(ispi, rspi)
    for v in rows:
        frame = v["frame.number"]
        src = (v["ip.src"] or v["ipv6.src"]).split("|")[-1]
        dst = (v["ip.dst"] or v["ipv6.dst"]).split("|")[-1]
        ispi, rspi = v["isakmp.ispi"].split("|")[0], v["isakmp.rspi"].split("|")[0]
        try:
            ex = num(v["isakmp.exchangetype"].split("|")[0])
        except ValueError:
            ex = -1
        exch = EXCH.get(ex, "EXCH%d" % ex)
        try:
            mid = num(v["isakmp.messageid"].split("|")[0])
        except ValueError:
            mid = -1
        resp = "response" if v["isakmp.flag_r"].split("|")[0] in ("1", "True") else "request"
        role = "initiator" if v["isakmp.flag_i"].split("|")[0] in ("1", "True") else "responder"
        types = [int(t) for t in v["isakmp.typepayload"].split("|") if t.strip().isdigit()]
        names = [PAYLOAD.get(t, str(t)) for t in types if t not in (2, 3)]
        errs = []
        msgs = v["_ws.expert.message"].split("|") if v["_ws.expert.message"] else []
        sevs = v["_ws.expert.severity"].split("|") if v["_ws.expert.severity"] else []
        for m, s in zip(msgs, sevs):
            try:
                sev = SEVERITY.get(int(s), s)
            except ValueError:
                sev = s.lower()
            if sev in ("warn", "error"):
                errs.append((sev, m))
        if 46 in types or 53 in types:
            bad_icv = any("Checksum" in m or "checksum" in m for _, m in errs)
            state = "decrypted" if v["isakmp.enc.decrypted"] and not bad_icv else "undecrypted"
        else:
            state = "clear"
        key = (ispi, rspi if rspi.strip("0") else spi_r_of.get(ispi, rspi))
        if key not in sas:
            sas[key] = {"exch": {}, "decrypted": 0, "undecrypted": 0, "errors": 0}
            order.append(key)
        sa = sas[key]
        sa["exch"][exch] = sa["exch"].get(exch, 0) + 1
        total["messages"] += 1
        total[state] += 1
        if state != "clear":
            sa[state] += 1
        sa["errors"] += len(errs)
        total["errors"] += len(errs)
        print("msg %s %s %s %s %s %s %s %s %d %s %s %s %s" % (
            frame, src, v["udp.srcport"].split("|")[-1], dst,
            v["udp.dstport"].split("|")[-1], ispi, rspi, exch, mid, resp, role,
            state, ",".join(names) or "-"))
        for sev, m in errs:
            print("error %s %s %s" % (frame, sev, m))
    for key in order:
        sa = sas[key]
        print("sa %s %s %s decrypted=%d undecrypted=%d errors=%d" % (
            key[0], key[1], " ".join("%s=%d" % kv for kv in sa["exch"].items()),
            sa["decrypted"], sa["undecrypted"], sa["errors"]))
    print("summary " + " ".join("%s=%d" % kv for kv in total.items()))
    ok = total["messages"] > 0 and total["undecrypted"] == 0 and total["errors"] == 0
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
