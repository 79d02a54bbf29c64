// SPDX-License-Identifier: BSD-2-Clause
/*
 * Bad setkey input: each entry gives the exact first diagnostic
 * ("LINE:COLUMN: text", as printed after "FILE:") and how many errors the
 * whole input produces.  Nothing in here may parse.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../setkey/setkey.h"

struct bad {
	const char *src;
	const char *diag;
	unsigned nerrors;
};

static const struct bad bad[] = {
	{ "foo 10.0.0.1 10.0.0.2 esp 300;",
	  "1:1: 'foo' is not a statement (expected add, update, get, delete, deleteall, flush, dump, spdadd, spdupdate, spddelete, spdflush, spddump or getspi)", 1 },
	{ "\"add\" 10.0.0.1;",
	  "1:1: expected a statement, found a quoted string", 1 },
	{ "add;",
	  "1:4: expected a source address, found ';'", 1 },
	{ "add 10.0.0.1;",
	  "1:13: expected a destination address, found ';'", 1 },
	{ "add 10.0.0.1 10.0.0.2;",
	  "1:22: expected an SA type (esp, ah or ipcomp), found ';'", 1 },
	{ "add 10.0.0.1 10.0.0.2 esp;",
	  "1:26: expected an SPI (a decimal or 0x-hex number), found ';'", 1 },
	{ "add 10.0.0.1 10.0.0.2 esp 300",
	  "1:30: expected an SA option, an algorithm (-E, -A, -C) or ';', found end of input", 1 },
	{ "add 10.0.0.1 10.0.0.2 esp 300;",
	  "1:30: an esp SA needs an encryption algorithm: -E ALGORITHM KEY (-E null for authentication only)", 1 },
	{ "add 10.0.0.1 10.0.0.2 ah 300;",
	  "1:29: an ah SA needs an authentication algorithm: -A ALGORITHM KEY", 1 },
	{ "add 10.0.0.1 10.0.0.2 ipcomp 300;",
	  "1:33: an ipcomp SA needs a compression algorithm: -C ALGORITHM", 1 },
	{ "add 10.0.0.1 10.0.0.2 esp-old 300 -E 3des-cbc \"123456789012345678901234\";",
	  "1:23: esp-old: RFC 1827 SAs are not supported by Linux PF_KEY", 1 },
	{ "add 10.0.0.1 10.0.0.2 ah-old 300 -A hmac-md5 \"1234567890123456\";",
	  "1:23: ah-old: RFC 1826 SAs are not supported by Linux PF_KEY", 1 },
	{ "add 10.0.0.1 10.0.0.2 tcp 300 -A tcp-md5 \"x\";",
	  "1:23: tcp: TCP-MD5 signature SAs (RFC 2385) are not supported by Linux PF_KEY", 1 },
	{ "add 10.0.0.1 10.0.0.2 foo 300;",
	  "1:23: 'foo' is not an SA type (expected esp, ah or ipcomp)", 1 },
	{ "add 10.0.0.1 10.0.0.2 esp 12 -E null;",
	  "1:27: SPI 12 is reserved: SPIs 0-255 are never used for SAs (RFC 4303); use 256 or more", 1 },
	{ "add 10.0.0.1 10.0.0.2 esp 0x1g -E null;",
	  "1:27: '0x1g' is not an SPI (a decimal or 0x-hex number below 2^32)", 1 },
	{ "add 10.0.0.1 10.0.0.2 esp 4294967296 -E null;",
	  "1:27: '4294967296' is not an SPI (a decimal or 0x-hex number below 2^32)", 1 },
	{ "add 10.0.0.1 10.0.0.2 ipcomp 70000 -C deflate;",
	  "1:30: an IPComp CPI is 16 bits and not 0: 70000 is outside 1-65535", 1 },
	{ "add host1 10.0.0.2 esp 300 -E null;",
	  "1:5: 'host1' is not a numeric address (setkey does not resolve host names)", 1 },
	{ "add 10.0.0.1 10.0.0.2.3 esp 300 -E null;",
	  "1:14: '10.0.0.2.3' is not a valid IPv4 or IPv6 address", 1 },
	{ "add 10.0.0.1 ::1 esp 300 -E null;",
	  "1:14: the source address is IPv4 but the destination is IPv6", 1 },
	{ "add 10.0.0.1/24 10.0.0.2 esp 300 -E null;",
	  "1:13: a prefix length is only allowed in policy selectors (spdadd, spdupdate, spddelete)", 1 },
	{ "add 10.0.0.1[500] 10.0.0.2 esp 300 -E null;",
	  "1:13: a port on an SA address is only for esp-udp (NAT-T); policy selectors take ports in spdadd", 1 },
	{ "add 10.0.0.1 10.0.0.2[4500] ah 300 -A hmac-sha1 \"12345678901234567890\";",
	  "1:22: a port on an SA address is only for esp-udp (NAT-T); policy selectors take ports in spdadd", 1 },
	{ "add 10.0.0.1[4500] 10.0.0.2 esp-udp 300 -E null;",
	  "1:1: esp-udp needs the UDP ports on both addresses, not 0 or any: SRC[PORT] DST[PORT], e.g. [4500]", 1 },
	{ "add 10.0.0.1 10.0.0.2 esp-udp 300 -E null;",
	  "1:1: esp-udp needs the UDP ports on both addresses, not 0 or any: SRC[PORT] DST[PORT], e.g. [4500]", 1 },
	{ "update 10.0.0.1[4500] 10.0.0.2[any] esp-udp 300 -E null;",
	  "1:31: esp-udp needs the UDP ports on both addresses, not 0 or any: SRC[PORT] DST[PORT], e.g. [4500]", 1 },
	{ "add 2001:db8::1[4500] 2001:db8::2[4500] esp-udp 300 -E null;",
	  "1:1: esp-udp (NAT-T) is for IPv4 SAs only", 1 },
	{ "add 10.0.0.1 10.0.0.2 esp 300 -E aes-cbc 0x00112233445566778899aabbccddeeff -o 192.168.1.2;",
	  "1:77: -o (the peer's address before NAT) is only for esp-udp SAs, and takes an IPv4 address without a port", 1 },
	{ "add 10.0.0.1[4500] 10.0.0.2[4500] esp-udp 300 -E aes-cbc 0x00112233445566778899aabbccddeeff -o 192.168.1.2[4500];",
	  "1:93: -o (the peer's address before NAT) is only for esp-udp SAs, and takes an IPv4 address without a port", 1 },
	{ "add 10.0.0.1[4500] 10.0.0.2[4500] esp-udp 300 -E aes-cbc 0x00112233445566778899aabbccddeeff -o fe80::1;",
	  "1:93: -o (the peer's address before NAT) is only for esp-udp SAs, and takes an IPv4 address without a port", 1 },
	{ "add 10.0.0.1/32[4500] 10.0.0.2[4500] esp-udp 300 -E null;",
	  "1:13: a prefix length is only allowed in policy selectors (spdadd, spdupdate, spddelete)", 1 },
	{ "add -6 10.0.0.1 10.0.0.2 esp 300 -E null;",
	  "1:8: '10.0.0.1' is an IPv4 address, but -6 was given", 1 },
	{ "add 10.0.0.1 10.0.0.2 esp 300 -m bogus -E null;",
	  "1:34: 'bogus' is not a mode (expected transport, tunnel or any)", 1 },
	{ "add 10.0.0.1 10.0.0.2 esp 300 -m;",
	  "1:33: expected a mode (transport, tunnel or any) after -m, found ';'", 1 },
	{ "add 10.0.0.1 10.0.0.2 esp 300 -r 65537 -E null;",
	  "1:34: '65537' is not a replay window size in packets (0-65536)", 1 },
	{ "add 10.0.0.1 10.0.0.2 esp 300 -r x -E null;",
	  "1:34: 'x' is not a replay window size in packets (0-65536)", 1 },
	{ "add 10.0.0.1 10.0.0.2 esp 300 -u -1 -E null;",
	  "1:34: '-1' is not a reqid (0-4294967295)", 1 },
	{ "add 10.0.0.1 10.0.0.2 esp 300 -f wide-pad -E null;",
	  "1:34: 'wide-pad' is not a -f option (expected zero-pad, random-pad, seq-pad or nocyclic-seq)", 1 },
	{ "add 10.0.0.1 10.0.0.2 esp 300 -lh 1h -E null;",
	  "1:35: '1h' is not a lifetime in seconds", 1 },
	{ "add 10.0.0.1 10.0.0.2 esp 300 -q -E null;",
	  "1:31: '-q' is not an SA option (expected -m, -r, -u, -f, -esn, -lh, -ls, -bh, -bs, -E, -A, -icv, -C, -R or -o)", 1 },
	{ "add 10.0.0.1 10.0.0.2 esp 300 -m tunnel -m transport -E null;",
	  "1:41: -m is given twice (first at 1:31)", 1 },
	{ "add 10.0.0.1 10.0.0.2 esp 300 -E 3des-cbc \"short\";",
	  "1:43: 3des-cbc needs a 192-bit key, got 40", 1 },
	{ "add 10.0.0.1 10.0.0.2 esp 300 -E 3des-cbc 0x0102;",
	  "1:43: 3des-cbc needs a 192-bit key, got 16", 1 },
	{ "add 10.0.0.1 10.0.0.2 esp 300 -E 3des-cbc 0x010;",
	  "1:43: hex key '0x010' must have an even, non-zero number of digits", 1 },
	{ "add 10.0.0.1 10.0.0.2 esp 300 -E 3des-cbc 0xzz;",
	  "1:43: '0xzz' is not a hex key: 'z' is not a hex digit", 1 },
	{ "add 10.0.0.1 10.0.0.2 esp 300 -E 3des-cbc plain;",
	  "1:43: expected a key for 3des-cbc (\"text\" or 0x-hex), found 'plain'", 1 },
	{ "add 10.0.0.1 10.0.0.2 esp 300 -E 3des-cbc;",
	  "1:42: expected a key for 3des-cbc (\"text\" or 0x-hex), found ';'", 1 },
	{ "add 10.0.0.1 10.0.0.2 esp 300 -E aes-cbc 0x00112233;",
	  "1:42: aes-cbc needs a 128-, 192- or 256-bit key, got 32", 1 },
	{ "add 10.0.0.1 10.0.0.2 esp 300 -E null 0x00;",
	  "1:39: null takes no key", 1 },
	{ "add 10.0.0.1 10.0.0.2 esp 300 -E hmac-sha1 \"12345678901234567890\";",
	  "1:34: hmac-sha1 is an authentication algorithm: use it with -A", 1 },
	{ "add 10.0.0.1 10.0.0.2 esp 300 -E aes-gcm-16 0x00112233445566778899aabbccddeeff00112233 -A hmac-sha1 \"12345678901234567890\";",
	  "1:88: aes-gcm-16 is an AEAD algorithm (it authenticates by itself): -A is not allowed with it", 1 },
	{ "add 10.0.0.1 10.0.0.2 esp 300 -A hmac-sha1 \"12345678901234567890\";",
	  "1:66: an esp SA needs an encryption algorithm: -E ALGORITHM KEY (-E null for authentication only)", 1 },
	{ "add 10.0.0.1 10.0.0.2 esp 300 -E null -C deflate;",
	  "1:39: -C is only for ipcomp SAs", 1 },
	{ "add 10.0.0.1 10.0.0.2 ah 300 -E null -A hmac-sha1 \"12345678901234567890\";",
	  "1:30: -E is not allowed for an ah SA (ah only authenticates: use -A)", 1 },
	{ "add 10.0.0.1 10.0.0.2 ah 300 -A hmac-md5 \"12345678901234567890\";",
	  "1:42: hmac-md5 needs a 128-bit key, got 160", 1 },
	{ "add 10.0.0.1 10.0.0.2 ah 300 -A aes-cbc \"1234567890123456\";",
	  "1:33: aes-cbc is an encryption algorithm: use it with -E", 1 },
	{ "add 10.0.0.1 10.0.0.2 ipcomp 300 -E null;",
	  "1:34: -E is not allowed for an ipcomp SA (use -C)", 1 },
	{ "add 10.0.0.1 10.0.0.2 ipcomp 300 -C lz77;",
	  "1:37: 'lz77' is not a compression algorithm (known: deflate, lzs, lzjh)", 1 },
	{ "add 10.0.0.1 10.0.0.2 esp 300 -E null -A hmac-sha1 \"12345678901234567890\" -R;",
	  "1:75: -R is only for ipcomp SAs", 1 },
	{ "add 10.0.0.1 10.0.0.2 esp 300 -E \"3des-cbc\" \"x\";",
	  "1:34: expected an encryption algorithm after -E, found a quoted string", 1 },
	{ "add 10.0.0.1 10.0.0.2 esp 300 -E null \"unterminated;",
	  "1:39: unterminated quoted string (a quoted key must end on the line it starts)", 1 },
	{ "get 10.0.0.1 10.0.0.2 esp 300 -m tunnel;",
	  "1:31: expected ';', found '-m'", 1 },
	{ "delete 10.0.0.1 10.0.0.2 esp;",
	  "1:29: expected an SPI (a decimal or 0x-hex number), found ';'", 1 },
	{ "deleteall 10.0.0.1 10.0.0.2 esp 300;",
	  "1:33: expected ';', found '300'", 1 },
	{ "flush bogus;",
	  "1:7: 'bogus' is not an SA type (expected esp, ah or ipcomp)", 1 },
	{ "flush esp ah;",
	  "1:11: expected an SA type or ';', found 'ah'", 1 },
	{ "dump esp 300;",
	  "1:10: expected an SA type or ';', found '300'", 1 },
	{ "spdflush all;",
	  "1:10: expected ';', found 'all'", 1 },
	{ "spddump esp;",
	  "1:9: expected ';', found 'esp'", 1 },
	{ "spdadd 10.0.0.0/33 10.0.1.0/24 any -P out none;",
	  "1:17: prefix length 33 is out of range for IPv4 (0-32)", 1 },
	{ "spdadd 10.0.0.0/24 10.0.1.0/x any -P out none;",
	  "1:29: 'x' is not a prefix length", 1 },
	{ "spdadd 10.0.0.0/24[70000] 10.0.1.0/24 any -P out none;",
	  "1:20: '70000' is not a port (use a number 0-65535 or 'any')", 1 },
	{ "spdadd 10.0.0.0/24[http] 10.0.1.0/24 any -P out none;",
	  "1:20: 'http' is not a port (use a number 0-65535 or 'any')", 1 },
	{ "spdadd 10.0.0.0/24[80 10.0.1.0/24 any -P out none;",
	  "1:23: expected ']' after the port, found '10.0.1.0'", 1 },
	{ "spdadd 10.0.0.0/24 10.0.1.0/24 -P out none;",
	  "1:32: expected an upper-layer protocol (any, tcp, udp, icmp, a name from /etc/protocols or a number), found '-P'", 1 },
	{ "spdadd 10.0.0.0/24 10.0.1.0/24 bogusproto -P out none;",
	  "1:32: 'bogusproto' is not an upper-layer protocol (any, a name from /etc/protocols, or a number 0-255)", 1 },
	{ "spdadd 10.0.0.0/24 10.0.1.0/24 300 -P out none;",
	  "1:32: upper-layer protocol number '300' is out of range (0-255)", 1 },
	{ "spdadd 10.0.0.0/24 10.0.1.0/24 any -P;",
	  "1:38: expected a policy (in|out|fwd [priority N] discard|none|ipsec ...), found ';'", 1 },
	{ "spdadd 10.0.0.0/24 10.0.1.0/24 any -P out none",
	  "1:47: expected ';' after the policy, found end of input", 1 },
	{ "spdadd 10.0.0.0/24 10.0.1.0/24 any -P sideways none;",
	  "1:39: policy: invalid direction (in, out or fwd)", 1 },
	{ "spdadd 10.0.0.0/24 10.0.1.0/24 any -P out ipsec esp/tunnel//require;",
	  "1:53: policy: tunnel mode needs endpoint addresses (proto/tunnel/src-dst/level)", 1 },
	{ "spdadd 10.0.0.0/24 10.0.1.0/24 any -P out ipsec esp/transport//sometimes;",
	  "1:64: policy: unknown ipsec level (default, use, require or unique)", 1 },
	{ "spdadd 10.0.0.0/24 10.0.1.0/24 any -P out ipsec bogus/transport//require;",
	  "1:49: policy: unknown ipsec protocol (esp, ah or ipcomp)", 1 },
	{ "spdadd 10.0.0.0/24 10.0.1.0/24 any -P out priority x none;",
	  "1:52: policy: priority must be a number or low, def or high", 1 },
	{ "spdadd 10.0.0.0/24 10.0.1.0/24 tcp 8,0 -P out none;",
	  "1:36: only icmp, icmp6 and mh take a TYPE[,CODE] after the protocol", 1 },
	{ "spdadd 10.0.0.0/24 10.0.1.0/24 icmp 300 -P out none;",
	  "1:37: '300' is not an ICMP TYPE[,CODE] (numbers 0-255)", 1 },
	{ "spdadd 10.0.0.0/24 ::/0 any -P out none;",
	  "1:20: the source address is IPv4 but the destination is IPv6", 1 },
	{ "spdadd 10.0.0.0/24 10.0.1.0/24 any -P out ipsec esp/tunnel/1.2.3.4-::1/require;",
	  "1:68: policy: address family mismatch between src and dst", 1 },
	{ "getspi 10.0.0.1 10.0.0.2 esp 0x2000-0x1000;",
	  "1:30: SPI range '0x2000-0x1000' is empty (MIN is above MAX)", 1 },
	{ "getspi 10.0.0.1 10.0.0.2 esp 0x100-0x1ff -E null;",
	  "1:42: getspi takes only -m MODE and -u REQID, not '-E'", 1 },
	{ "getspi 10.0.0.1 10.0.0.2 esp 1-2;",
	  "1:30: SPI 1 is reserved: SPIs 0-255 are never used for SAs (RFC 4303); use 256 or more", 1 },
	{ "add 10.0.0.1 10.0.0.2 esp 300 -E null # comment;",
	  "1:38: expected an SA option, an algorithm (-E, -A, -C) or ';', found end of input (the '#' comment at 1:39 swallowed a ';')", 1 },
	{ "add 10.0.0.1 10.0.0.2 esp 300 -E blowfish-cbc \"1234\";",
	  "1:47: blowfish-cbc needs a key of 40 to 448 bits in steps of 8, got 32", 1 },
	{ "add fe80::1%eth0 fe80::2 esp 300 -E null;",
	  "1:5: scope '%eth0' must be a numeric interface index (names are not looked up)", 1 },
	{ "add 10.0.0.1 10.0.0.2 esp 300 -E null -A hmac-sha1 \"12345678901234567890\"\nspdadd 10.0.0.1 10.0.0.2 any -P out none;",
	  "2:1: expected an SA option, an algorithm (-E, -A, -C) or ';', found 'spdadd' (is a ';' missing before it?)", 1 },
	{ "spdadd 10.0.0.1 10.0.0.2 any -P out ipsec esp/transport//use # no ;\nspdadd 10.0.0.3 10.0.0.4 any -P out none;",
	  "2:1: policy: unknown ipsec protocol (esp, ah or ipcomp); the '#' comment at 1:62 swallowed this statement's ';'", 1 },
	{ "spdadd ::1/129 ::2 any -P out none;",
	  "1:12: prefix length 129 is out of range for IPv6 (0-128)", 1 },
	{ "update 10.0.0.1 10.0.0.2 esp 300;",
	  "1:33: an esp SA needs an encryption algorithm: -E ALGORITHM KEY (-E null for authentication only)", 1 },
	{ "spddelete 10.0.0.1 10.0.0.2 any;",
	  "1:32: expected a policy (in|out|fwd [priority N] discard|none|ipsec ...), found ';'", 1 },
	{ "foo; bar;",
	  "1:1: 'foo' is not a statement (expected add, update, get, delete, deleteall, flush, dump, spdadd, spdupdate, spddelete, spdflush, spddump or getspi)", 2 },
	{ "add\x01 10.0.0.1;",
	  "1:4: unexpected control character 0x01", 1 },
	{ "add 10.0.0.1 10.0.0.2 esp 300 -E null -lh 10 -ls 20 -lh 30;",
	  "1:53: -lh is given twice (first at 1:39)", 1 },
	{ "add 10.0.0.1 10.0.0.2 esp 300 -E 3des-cbc \"123456789012345678901234\" -A hmac-sha1 \"1234567890123456789012345678901234567890\";",
	  "1:83: hmac-sha1 needs a 160-bit key, got 320", 1 },
	/* kipsec's extension: -r above 255, -esn, -icv (docs/kipsec-extensions.md) */
	{ "add 10.0.0.1 10.0.0.2 esp 300 -r 4294967296 -E null;",
	  "1:34: '4294967296' is not a replay window size in packets (0-65536)", 1 },
	{ "add 10.0.0.1 10.0.0.2 ipcomp 300 -esn -C deflate;",
	  "1:34: -esn is only for esp and ah SAs (IPComp has no sequence numbers)", 1 },
	{ "add 10.0.0.1 10.0.0.2 esp 300 -esn -esn -E null;",
	  "1:36: -esn is given twice (first at 1:31)", 1 },
	{ "add 10.0.0.1 10.0.0.2 esp 300 -esn 1 -E null;",
	  "1:36: expected an SA option, an algorithm (-E, -A, -C) or ';', found '1'", 1 },
	{ "add 10.0.0.1 10.0.0.2 esp 300 -icv 96 -E null -A hmac-sha1 \"12345678901234567890\";",
	  "1:31: -icv is only for hmac-sha2-256, -384 and -512: hmac-sha1's ICV length is fixed", 1 },
	{ "add 10.0.0.1 10.0.0.2 esp 300 -icv 96 -E aes-cbc 0x00112233445566778899aabbccddeeff;",
	  "1:31: -icv needs an HMAC-SHA2 authentication algorithm (-A hmac-sha2-256 KEY)", 1 },
	{ "add 10.0.0.1 10.0.0.2 esp 300 -icv 96 -E aes-gcm-16 0x00112233445566778899aabbccddeeff00112233;",
	  "1:31: -icv needs an HMAC-SHA2 authentication algorithm (-A hmac-sha2-256 KEY): an AEAD algorithm's ICV length is part of its name", 1 },
	{ "add 10.0.0.1 10.0.0.2 ah 300 -icv 64 -A hmac-sha2-256 0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f;",
	  "1:35: hmac-sha2-256 takes -icv 128 (RFC 4868, the default) or 96 (legacy truncation), not 64", 1 },
	{ "add 10.0.0.1 10.0.0.2 ah 300 -icv 96 -A hmac-sha2-512 0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f;",
	  "1:35: hmac-sha2-512 takes only -icv 256 (RFC 4868), not 96", 1 },
	{ "add 10.0.0.1 10.0.0.2 ah 300 -icv 65536 -A hmac-sha2-256 0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f;",
	  "1:35: '65536' is not an ICV length in bits (0-65535)", 1 },
	{ "add 10.0.0.1 10.0.0.2 ah 300 -icv -A hmac-sha2-256 0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f;",
	  "1:35: expected an ICV length in bits after -icv, found '-A'", 1 },
	{ "add 10.0.0.1 10.0.0.2 ah 300 -A hmac-sha2-256 -icv 96 0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f;",
	  "1:47: expected a key for hmac-sha2-256 (\"text\" or 0x-hex), found '-icv'", 1 },
	{ "add 10.0.0.1 10.0.0.2 esp 300 -E chacha20-poly1305 0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f;",
	  "1:52: chacha20-poly1305 needs a 288-bit key, got 256", 1 },
	{ "add 10.0.0.1 10.0.0.2 esp 300 -E chacha20-poly1305 0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f00112233 -A hmac-sha2-256 0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f;",
	  "1:127: chacha20-poly1305 is an AEAD algorithm (it authenticates by itself): -A is not allowed with it", 1 },
};

struct warn {
	const char *src;
	const char *diag;
};

/* Inputs that load, with a warning. */
static const struct warn warnings[] = {
	{ "add 10.0.0.1 10.0.0.2 esp 300 -E null;",
	  "1:31: warning: esp with -E null and no -A neither encrypts nor authenticates" },
	{ "add 10.0.0.1 10.0.0.2 esp 300 -E null -A hmac-sha1 \"12345678901234567890\" -lh 10 -ls 20;",
	  "1:82: warning: the soft lifetime (20s) is longer than the hard one (10s): it will never fire" },
	{ "add 10.0.0.1 10.0.0.2 esp 300 -E null -A hmac-sha1 \"12345678901234567890\" -bh 10 -bs 20;",
	  "1:82: warning: the soft byte lifetime is larger than the hard one: it will never fire" },
	{ "# setkey -c <<EOF add 10.0.0.1 10.0.0.2 esp 300 -E null; EOF",
	  "1:1: warning: this comment runs to the end of the line, hiding what looks like statements (the first is 'add ...;')" },
};

static void first_diag(const struct sk_prog *prog, char *buf, size_t cap)
{
	const struct sk_diag *d = &prog->diags[0];

	snprintf(buf, cap, "%u:%u: %s%s", d->pos.line, d->pos.col,
		 d->warning ? "warning: " : "", d->msg);
}

static void test_bad(void **state)
{
	const struct bad *b = *state;
	struct sk_prog prog;
	char got[SK_DIAG_LEN + 32];
	size_t len = strlen(b->src);

	assert_int_equal(sk_parse(&prog, "t.conf", b->src, len), -1);
	assert_true(prog.ndiags > 0);
	first_diag(&prog, got, sizeof(got));
	assert_string_equal(got, b->diag);
	assert_int_equal(prog.nerrors, b->nerrors);
	sk_prog_free(&prog);
}

static void test_warning(void **state)
{
	const struct warn *w = *state;
	struct sk_prog prog;
	char got[SK_DIAG_LEN + 32];

	assert_int_equal(sk_parse(&prog, "t.conf", w->src, strlen(w->src)), 0);
	assert_int_equal(prog.nerrors, 0);
	assert_int_equal(prog.nwarnings, 1);
	first_diag(&prog, got, sizeof(got));
	assert_string_equal(got, w->diag);
	sk_prog_free(&prog);
}

/* The printed form: FILE:LINE:COLUMN: text, one line per diagnostic. */
static void test_print_format(void **state)
{
	struct sk_prog prog;
	char *out = NULL;
	size_t outlen = 0;
	FILE *f = open_memstream(&out, &outlen);
	const char *src = "add 10.0.0.1 10.0.0.2 esp 300 -E null;\nfoo;\n";

	(void)state;
	assert_non_null(f);
	assert_int_equal(sk_parse(&prog, "(stdin)", src, strlen(src)), -1);
	sk_print_diags(&prog, f);
	fclose(f);
	assert_string_equal(out,
		"(stdin):1:31: warning: esp with -E null and no -A neither encrypts nor authenticates\n"
		"(stdin):2:1: 'foo' is not a statement (expected add, update, get, delete, deleteall, flush, dump, spdadd, spdupdate, spddelete, spdflush, spddump or getspi)\n");
	free(out);
	sk_prog_free(&prog);
}

/* A missing ';' costs one error, not the next statement too. */
static void test_recovery(void **state)
{
	struct sk_prog prog;
	const char *src =
		"spdadd 10.0.0.1 10.0.0.2 any -P out none;\n"
		"add 10.0.0.1 10.0.0.2 esp 300 -E null -A hmac-md5 \"1234567890123456\"\n"
		"spdadd 10.0.0.3 10.0.0.4 any -P out none;\n"
		"bogus;\n"
		"spdflush;\n";

	(void)state;
	assert_int_equal(sk_parse(&prog, "t", src, strlen(src)), -1);
	assert_int_equal(prog.nerrors, 2);
	assert_int_equal(prog.nstmts, 3);	/* both spdadds and spdflush */
	assert_int_equal(prog.diags[0].pos.line, 3);
	assert_int_equal(prog.diags[1].pos.line, 4);
	sk_prog_free(&prog);
}

/* At most SK_MAX_DIAGS are kept, all are counted. */
static void test_many_errors(void **state)
{
	struct sk_prog prog;
	char src[4096] = "";

	(void)state;
	for (int i = 0; i < 50; i++)
		strcat(src, "x;\n");
	assert_int_equal(sk_parse(&prog, "t", src, strlen(src)), -1);
	assert_int_equal(prog.nerrors, 50);
	assert_int_equal(prog.ndiags, SK_MAX_DIAGS);
	sk_prog_free(&prog);
}

/* Token text is not NUL-terminated: input that ends inside a token must
 * not be read past (ASan checks; found by the fuzzer). */
static void test_unterminated_buffer(void **state)
{
	const char *inputs[] = { "add -4", "add -46n", "spdadd 10.0.0.1 -", "add 1",
				 "add 10.0.0.1 10.0.0.2 esp 300 -E 3des-cbc 0x12",
				 "spdadd ::1 ::1 icmp6 1,", "# add x;", "\"abc" };

	(void)state;
	for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		size_t len = strlen(inputs[i]);
		char *copy = malloc(len);
		struct sk_prog prog;

		assert_non_null(copy);
		memcpy(copy, inputs[i], len);
		sk_parse(&prog, "t", copy, len);
		assert_true(prog.nerrors + prog.nwarnings > 0);
		sk_prog_free(&prog);
		free(copy);
	}
}

int main(void)
{
	enum { NB = sizeof(bad) / sizeof(bad[0]),
	       NW = sizeof(warnings) / sizeof(warnings[0]) };
	static char names[NB + NW][16];
	struct CMUnitTest tests[NB + NW + 4];
	size_t n = 0;

	for (size_t i = 0; i < NB; i++) {
		snprintf(names[n], sizeof(names[n]), "bad_%02zu", i + 1);
		tests[n] = (struct CMUnitTest){ names[n], test_bad, NULL, NULL,
						(void *)&bad[i] };
		n++;
	}
	for (size_t i = 0; i < NW; i++) {
		snprintf(names[n], sizeof(names[n]), "warning_%zu", i + 1);
		tests[n] = (struct CMUnitTest){ names[n], test_warning, NULL,
						NULL, (void *)&warnings[i] };
		n++;
	}
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_print_format);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_recovery);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_many_errors);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_unterminated_buffer);
	return _cmocka_run_group_tests("setkey_errors", tests, n, NULL, NULL);
}
