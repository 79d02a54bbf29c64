// SPDX-License-Identifier: BSD-2-Clause
/*
 * Printers.  (1) Round trip: every statement kind is parsed, compiled and
 * printed back -- SAs and policies in KAME's -D/-DP layout, the other
 * kinds with the -v/-x message printer.  (2) Golden: a kernel-style SADB_DUMP
 * reply prints exactly as the seed's `setkey -D` transcript (inventory
 * Appendix D.1, tabs restored), and a policy as KAME's -DP.  Times are fixed
 * (TZ=UTC, a given "now").
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../setkey/setkey.h"

#define NOW 1795356000	/* Nov 22 14:00:00 2026 UTC */

struct rt {
	const char *src;
	const char *want;
};

static const struct rt rts[] = {
	{ "add 10.1.1.1 20.1.1.1 esp 9876 -E 3des-cbc \"hogehogehogehogehogehoge\";",
	  "10.1.1.1 20.1.1.1 \n"
	  "\tesp mode=any spi=9876(0x00002694) reqid=0(0x00000000)\n"
	  "\tE: 3des-cbc  686f6765 686f6765 686f6765 686f6765 686f6765 686f6765\n"
	  "\tseq=0x00000000 replay=0 flags=0x00000040 state=larval \n"
	  "\tsadb_seq=1 pid=4242 refcnt=0\n" },
	{ "update 10.0.0.1 10.0.0.2 esp 0x1000 -m tunnel -u 7 -r 32 -f random-pad -lh 3600 -ls 2880 -bh 1000000 -bs 800000 -E aes-cbc 0x00112233445566778899aabbccddeeff -A hmac-sha2-256 0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f;",
	  "10.0.0.1 10.0.0.2 \n"
	  "\tesp mode=tunnel spi=4096(0x00001000) reqid=7(0x00000007)\n"
	  "\tE: aes-cbc  00112233 44556677 8899aabb ccddeeff\n"
	  "\tA: hmac-sha2-256  00010203 04050607 08090a0b 0c0d0e0f 10111213 14151617 18191a1b 1c1d1e1f\n"
	  "\tseq=0x00000000 replay=32 flags=0x00000140 state=larval \n"
	  "\tsadb_seq=1 pid=4242 refcnt=0\n" },
	{ "add 2001:db8::1 2001:db8::2 esp 300 -E aes-gcm-16 \"12345678901234567890\";",
	  "2001:db8::1 2001:db8::2 \n"
	  "\tesp mode=any spi=300(0x0000012c) reqid=0(0x00000000)\n"
	  "\tE: aes-gcm-16  31323334 35363738 39303132 33343536 37383930\n"
	  "\tseq=0x00000000 replay=0 flags=0x00000040 state=larval \n"
	  "\tsadb_seq=1 pid=4242 refcnt=0\n" },
	{ "add 10.0.0.1 10.0.0.2 ipcomp 0x2000 -C deflate -R;",
	  "10.0.0.1 10.0.0.2 \n"
	  "\tipcomp mode=any spi=8192(0x00002000) reqid=0(0x00000000)\n"
	  "\tC: deflate \tseq=0x00000000 replay=0 flags=0x000000c0 state=larval \n"
	  "\tsadb_seq=1 pid=4242 refcnt=0\n" },
	{ "add 10.0.0.1 10.0.0.2 ah 300 -A hmac-sha2-512 0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f;",
	  "10.0.0.1 10.0.0.2 \n"
	  "\tah mode=any spi=300(0x0000012c) reqid=0(0x00000000)\n"
	  "\tA: hmac-sha2-512  00010203 04050607 08090a0b 0c0d0e0f 10111213 14151617 18191a1b 1c1d1e1f\n"
	  " 20212223 24252627 28292a2b 2c2d2e2f 30313233 34353637 38393a3b 3c3d3e3f\n"
	  "\tseq=0x00000000 replay=0 flags=0x00000040 state=larval \n"
	  "\tsadb_seq=1 pid=4242 refcnt=0\n" },
	/* kipsec's extension: the real window, then esn and icv after state */
	{ "add 10.0.0.1 10.0.0.2 esp 0x1000 -r 4096 -esn -icv 96 -E aes-cbc 0x00112233445566778899aabbccddeeff -A hmac-sha2-256 0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f;",
	  "10.0.0.1 10.0.0.2 \n"
	  "\tesp mode=any spi=4096(0x00001000) reqid=0(0x00000000)\n"
	  "\tE: aes-cbc  00112233 44556677 8899aabb ccddeeff\n"
	  "\tA: hmac-sha2-256  00010203 04050607 08090a0b 0c0d0e0f 10111213 14151617 18191a1b 1c1d1e1f\n"
	  "\tseq=0x00000000 replay=4096 flags=0x00000040 state=larval esn icv=96 \n"
	  "\tsadb_seq=1 pid=4242 refcnt=0\n" },
	{ "add 10.0.0.1 10.0.0.2 esp 0x1001 -r 64 -esn -E chacha20-poly1305 0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f00112233;",
	  "10.0.0.1 10.0.0.2 \n"
	  "\tesp mode=any spi=4097(0x00001001) reqid=0(0x00000000)\n"
	  "\tE: chacha20-poly1305  00010203 04050607 08090a0b 0c0d0e0f 10111213 14151617 18191a1b 1c1d1e1f\n"
	  " 00112233\n"
	  "\tseq=0x00000000 replay=64 flags=0x00000040 state=larval esn \n"
	  "\tsadb_seq=1 pid=4242 refcnt=0\n" },
	/* esp-udp (NAT-T): ports after the addresses, as ipsec-tools prints */
	{ "add 10.0.0.1[4500] 10.0.0.2[4501] esp-udp 0x1000 -m transport -E aes-cbc 0x00112233445566778899aabbccddeeff -A hmac-sha1 0x000102030405060708090a0b0c0d0e0f10111213;",
	  "10.0.0.1[4500] 10.0.0.2[4501] \n"
	  "\tesp-udp mode=transport spi=4096(0x00001000) reqid=0(0x00000000)\n"
	  "\tE: aes-cbc  00112233 44556677 8899aabb ccddeeff\n"
	  "\tA: hmac-sha1  00010203 04050607 08090a0b 0c0d0e0f 10111213\n"
	  "\tseq=0x00000000 replay=0 flags=0x00000040 state=larval \n"
	  "\tsadb_seq=1 pid=4242 refcnt=0\n" },
	/* other statements take esp-udp and its ports, and send plain esp */
	{ "get 10.0.0.1[4500] 10.0.0.2[4500] esp-udp 0x1000;",
	  "10.0.0.1 10.0.0.2 \n"
	  "\tesp mode=any spi=4096(0x00001000) reqid=0(0x00000000)\n"
	  "\tseq=0x00000000 replay=0 flags=0x00000000 state=larval \n"
	  "\tsadb_seq=1 pid=4242 refcnt=0\n" },
	{ "get 10.0.0.1 10.0.0.2 esp 300;",
	  "10.0.0.1 10.0.0.2 \n"
	  "\tesp mode=any spi=300(0x0000012c) reqid=0(0x00000000)\n"
	  "\tseq=0x00000000 replay=0 flags=0x00000000 state=larval \n"
	  "\tsadb_seq=1 pid=4242 refcnt=0\n" },
	{ "delete 10.0.0.1 10.0.0.2 ah 0x10003;",
	  "10.0.0.1 10.0.0.2 \n"
	  "\tah mode=any spi=65539(0x00010003) reqid=0(0x00000000)\n"
	  "\tseq=0x00000000 replay=0 flags=0x00000000 state=larval \n"
	  "\tsadb_seq=1 pid=4242 refcnt=0\n" },
	{ "deleteall 10.0.0.1 10.0.0.2 esp;",
	  "DELETE esp seq=1 pid=4242 len=64\n"
	  "\taddress_src: 10.0.0.1 proto=any\n"
	  "\taddress_dst: 10.0.0.2 proto=any\n" },
	{ "flush;",
	  "FLUSH unspec seq=1 pid=4242 len=16\n" },
	{ "flush ah;",
	  "FLUSH ah seq=1 pid=4242 len=16\n" },
	{ "dump esp;",
	  "DUMP esp seq=1 pid=4242 len=16\n" },
	{ "spdadd 10.0.1.0/24 10.0.2.0/24 any -P out ipsec esp/tunnel/20.0.0.1-20.0.0.2/require;",
	  "10.0.1.0/24[any] 10.0.2.0/24[any] any\n"
	  "\tout ipsec\n"
	  "\tesp/tunnel/20.0.0.1-20.0.0.2/require\n"
	  "\tspid=0 seq=1 pid=4242\n"
	  "\trefcnt=0\n" },
	{ "spdupdate 10.0.0.1[110] 0.0.0.0/0 tcp -P out priority 10 ipsec ah/transport//unique:5;",
	  "10.0.0.1[110] 0.0.0.0/0[any] tcp\n"
	  "\tout prio def + 10 ipsec\n"
	  "\tah/transport//unique:5\n"
	  "\tspid=0 seq=1 pid=4242\n"
	  "\trefcnt=0\n" },
	{ "spddelete 2001:db8::/32 2001:db8:1::/48 icmp6 135,0 -P in;",
	  "2001:db8::/32 2001:db8:1::/48 ipv6-icmp 135,0\n"
	  "\tin discard\n"
	  "\tspid=0 seq=1 pid=4242\n"
	  "\trefcnt=0\n" },
	{ "spdadd 10.0.0.0/8 10.0.0.0/8 icmp 8 fwd discard;",
	  "10.0.0.0/8 10.0.0.0/8 icmp 8,0\n"
	  "\tfwd discard\n"
	  "\tspid=0 seq=1 pid=4242\n"
	  "\trefcnt=0\n" },
	{ "spdflush;",
	  "X_SPDFLUSH unspec seq=1 pid=4242 len=16\n" },
	{ "spddump;",
	  "X_SPDDUMP unspec seq=1 pid=4242 len=16\n" },
	{ "getspi 10.0.0.1 10.0.0.2 esp 0x100-0x1ff -m tunnel -u 3;",
	  "GETSPI esp seq=1 pid=4242 len=96\n"
	  "\taddress_src: 10.0.0.1 proto=any\n"
	  "\taddress_dst: 10.0.0.2 proto=any\n"
	  "\tspirange: min=0x00000100 max=0x000001ff\n"
	  "\tx_sa2: mode=tunnel reqid=3 seq=0\n" },
	{ "getspi 10.0.0.1 10.0.0.2 ah;",
	  "GETSPI ah seq=1 pid=4242 len=80\n"
	  "\taddress_src: 10.0.0.1 proto=any\n"
	  "\taddress_dst: 10.0.0.2 proto=any\n"
	  "\tx_sa2: mode=any reqid=0 seq=0\n" },
};

static const struct sk_print_opts popts = { .now = NOW };

static char *print_msg(const struct sk_stmt *st, const void *buf, size_t len)
{
	char *out = NULL;
	size_t outlen = 0;
	FILE *f = open_memstream(&out, &outlen);
	struct pfkey_msg m;

	assert_non_null(f);
	assert_int_equal(pfkey_parse(buf, len, &m), 0);
	switch (st->cmd) {
	case SK_ADD:
	case SK_UPDATE:
	case SK_GET:
	case SK_DELETE:
		sk_dump_sa(f, &m, &popts);
		break;
	case SK_SPDADD:
	case SK_SPDUPDATE:
	case SK_SPDDELETE:
		sk_dump_spd(f, &m, &popts);
		break;
	default:
		sk_print_msg(f, buf, len, false);
		break;
	}
	fclose(f);
	return out;
}

static void test_roundtrip(void **state)
{
	const struct rt *r = *state;
	struct sk_prog prog;
	uint8_t mem[4096];
	struct pfkey_buf b;

	assert_int_equal(sk_parse(&prog, "t", r->src, strlen(r->src)), 0);
	assert_int_equal(prog.nstmts, 1);
	pfkey_buf_init(&b, mem, sizeof(mem));
	assert_int_equal(sk_compile(prog.head, &b, 1, 4242), 0);

	char *got = print_msg(prog.head, pfkey_buf_msg(&b), pfkey_buf_msglen(&b));

	assert_string_equal(got, r->want);
	free(got);
	sk_prog_free(&prog);
}

/* Every statement kind appears in the round-trip table. */
static void test_all_kinds(void **state)
{
	bool seen[SK_GETSPI + 1] = { false };

	(void)state;
	for (size_t i = 0; i < sizeof(rts) / sizeof(rts[0]); i++) {
		struct sk_prog prog;

		assert_int_equal(sk_parse(&prog, "t", rts[i].src,
					  strlen(rts[i].src)), 0);
		seen[prog.head->cmd] = true;
		sk_prog_free(&prog);
	}
	for (int k = SK_ADD; k <= SK_GETSPI; k++)
		assert_true(seen[k]);
}

/* Lifetimes, replay, reqid and pad flags reach the message. */
static void test_sa_options(void **state)
{
	const char *src = "update 10.0.0.1 10.0.0.2 esp 0x1000 -m tunnel -u 7 -r 32 "
			  "-f zero-pad -f nocyclic-seq -lh 3600 -ls 2880 -bh 1000000 "
			  "-bs 800000 -E null -A hmac-sha1 \"12345678901234567890\";";
	struct sk_prog prog;
	uint8_t mem[4096];
	struct pfkey_buf b;
	struct pfkey_msg m;
	const struct sadb_lifetime *h, *s;

	(void)state;
	assert_int_equal(sk_parse(&prog, "t", src, strlen(src)), 0);
	pfkey_buf_init(&b, mem, sizeof(mem));
	assert_int_equal(sk_compile(prog.head, &b, 9, 1), 0);
	assert_int_equal(pfkey_parse(pfkey_buf_msg(&b), pfkey_buf_msglen(&b), &m), 0);
	assert_int_equal(m.hdr->sadb_msg_type, SADB_UPDATE);
	assert_int_equal(pfkey_msg_sa(&m)->sadb_sa_replay, 32);
	assert_int_equal(pfkey_msg_sa(&m)->sadb_sa_flags, SADB_X_EXT_PZERO);
	assert_int_equal(pfkey_msg_sa(&m)->sadb_sa_encrypt, SADB_EALG_NULL);
	assert_int_equal(pfkey_msg_sa(&m)->sadb_sa_auth, SADB_AALG_SHA1HMAC);
	/* Null encryption: an empty key, which af_key requires. */
	assert_non_null(pfkey_msg_key(&m, SADB_EXT_KEY_ENCRYPT));
	assert_int_equal(pfkey_msg_key(&m, SADB_EXT_KEY_ENCRYPT)->sadb_key_bits, 0);
	assert_int_equal(pfkey_msg_sa2(&m)->sadb_x_sa2_mode, IPSEC_MODE_TUNNEL);
	assert_int_equal(pfkey_msg_sa2(&m)->sadb_x_sa2_reqid, 7);
	h = pfkey_msg_lifetime(&m, SADB_EXT_LIFETIME_HARD);
	s = pfkey_msg_lifetime(&m, SADB_EXT_LIFETIME_SOFT);
	assert_non_null(h);
	assert_non_null(s);
	assert_int_equal(h->sadb_lifetime_addtime, 3600);
	assert_int_equal(h->sadb_lifetime_bytes, 1000000);
	assert_int_equal(s->sadb_lifetime_addtime, 2880);
	assert_int_equal(s->sadb_lifetime_bytes, 800000);
	sk_prog_free(&prog);
}

/* What one add statement sends: sadb_sa_replay and, if any, kipsec's
 * extension (ext false: it must be absent). */
struct kx_case {
	const char *opts;	/* between the SPI and the algorithms */
	const char *algs;
	uint8_t sa_replay;
	bool ext;
	uint32_t replay;
	uint16_t flags, icvbits;
};

#define SHA256_KEY "0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
#define AES_SHA256 "-E aes-cbc 0x00112233445566778899aabbccddeeff -A hmac-sha2-256 " SHA256_KEY
#define SHA384_KEY "0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f" \
		   "202122232425262728292a2b2c2d2e2f"

static const struct kx_case kx_cases[] = {
	/* defaults and what fits sadb_sa_replay: no extension (af_key safe) */
	{ "", AES_SHA256, 0, false, 0, 0, 0 },
	{ "-r 32", AES_SHA256, 32, false, 0, 0, 0 },
	{ "-r 255", AES_SHA256, 255, false, 0, 0, 0 },
	{ "-icv 128", AES_SHA256, 0, false, 0, 0, 0 },
	{ "-icv 192", "-E null -A hmac-sha2-384 " SHA384_KEY, 0, false, 0, 0, 0 },
	/* a larger window: 255 in sadb_sa, the real one in the extension */
	{ "-r 256", AES_SHA256, 255, true, 256, 0, 0 },
	{ "-r 4096", AES_SHA256, 255, true, 4096, 0, 0 },
	{ "-r 65536", AES_SHA256, 255, true, 65536, 0, 0 },
	/* esn or a legacy ICV: the extension repeats a small window */
	{ "-esn", AES_SHA256, 0, true, 0, KIPSEC_SA_F_ESN, 0 },
	{ "-r 64 -esn", AES_SHA256, 64, true, 64, KIPSEC_SA_F_ESN, 0 },
	{ "-r 64 -icv 96", AES_SHA256, 64, true, 64, 0, 96 },
	{ "-r 4096 -esn -icv 96", AES_SHA256, 255, true, 4096, KIPSEC_SA_F_ESN, 96 },
	{ "-esn", "-E chacha20-poly1305 0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f00112233",
	  0, true, 0, KIPSEC_SA_F_ESN, 0 },
};

static void test_kipsec_ext(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(kx_cases) / sizeof(kx_cases[0]); i++) {
		const struct kx_case *c = &kx_cases[i];
		char src[512];
		struct sk_prog prog;
		uint8_t mem[4096];
		struct pfkey_buf b;
		struct pfkey_msg m;
		const struct sadb_x_kipsec_sa *kx;

		snprintf(src, sizeof(src), "add 10.0.0.1 10.0.0.2 esp 0x1000 %s %s;",
			 c->opts, c->algs);
		if (sk_parse(&prog, "t", src, strlen(src)) != 0)
			fail_msg("case %zu: %s", i, prog.diags[0].msg);
		pfkey_buf_init(&b, mem, sizeof(mem));
		assert_int_equal(sk_compile(prog.head, &b, 1, 1), 0);
		assert_int_equal(pfkey_parse(pfkey_buf_msg(&b), pfkey_buf_msglen(&b), &m), 0);
		assert_int_equal(pfkey_msg_sa(&m)->sadb_sa_replay, c->sa_replay);
		kx = pfkey_msg_kipsec_sa(&m);
		if (!c->ext) {
			if (kx)
				fail_msg("case %zu (%s): extension sent", i, c->opts);
		} else {
			if (!kx)
				fail_msg("case %zu (%s): no extension", i, c->opts);
			assert_int_equal(kx->sadb_x_kipsec_sa_replay, c->replay);
			assert_int_equal(kx->sadb_x_kipsec_sa_flags, c->flags);
			assert_int_equal(kx->sadb_x_kipsec_sa_icvbits, c->icvbits);
			assert_int_equal(kx->sadb_x_kipsec_sa_reserved, 0);
		}
		sk_prog_free(&prog);
	}
}

/* A file without the new options never sends the extension, whatever
 * else it asks for: every seed-style option once. */
static void test_no_ext_by_default(void **state)
{
	const char *src =
		"add 10.0.0.1 10.0.0.2 esp 0x1000 -m tunnel -u 7 -r 32 -f random-pad "
		"-lh 3600 -ls 2880 -bh 1000 -bs 800 " AES_SHA256 ";\n"
		"update 10.0.0.1 10.0.0.2 ah 0x1001 -A hmac-sha2-256 " SHA256_KEY ";\n"
		"add 10.0.0.1 10.0.0.2 ipcomp 0x1002 -r 4 -C deflate -R;\n";
	struct sk_prog prog;

	(void)state;
	assert_int_equal(sk_parse(&prog, "t", src, strlen(src)), 0);
	for (const struct sk_stmt *st = prog.head; st; st = st->next) {
		uint8_t mem[4096];
		struct pfkey_buf b;
		struct pfkey_msg m;

		pfkey_buf_init(&b, mem, sizeof(mem));
		assert_int_equal(sk_compile(st, &b, 1, 1), 0);
		assert_int_equal(pfkey_parse(pfkey_buf_msg(&b), pfkey_buf_msglen(&b), &m), 0);
		assert_null(pfkey_msg_kipsec_sa(&m));
	}
	sk_prog_free(&prog);
}

/* esp-udp: Linux's NAT-T extensions carry the ports (network order), the
 * SA addresses none; -v shows them. */
static void test_natt_msg(void **state)
{
	const char *src = "update 10.0.0.1[4500] 10.0.0.2[41000] esp-udp 0x1000 "
			  "-m tunnel " AES_SHA256 ";";
	struct sk_prog prog;
	uint8_t mem[4096];
	struct pfkey_buf b;
	struct pfkey_msg m;
	const struct sadb_x_nat_t_type *t;
	const struct sadb_x_nat_t_port *sp, *dp;
	const struct sockaddr_in *sin;

	(void)state;
	assert_int_equal(sk_parse(&prog, "t", src, strlen(src)), 0);
	pfkey_buf_init(&b, mem, sizeof(mem));
	assert_int_equal(sk_compile(prog.head, &b, 1, 1), 0);
	assert_int_equal(pfkey_parse(pfkey_buf_msg(&b), pfkey_buf_msglen(&b), &m), 0);
	assert_int_equal(m.hdr->sadb_msg_satype, SADB_SATYPE_ESP);
	t = pfkey_msg_nat_t_type(&m);
	sp = pfkey_msg_nat_t_port(&m, SADB_X_EXT_NAT_T_SPORT);
	dp = pfkey_msg_nat_t_port(&m, SADB_X_EXT_NAT_T_DPORT);
	assert_non_null(t);
	assert_non_null(sp);
	assert_non_null(dp);
	assert_int_equal(t->sadb_x_nat_t_type_type, 2);	/* UDP_ENCAP_ESPINUDP */
	assert_int_equal(ntohs(sp->sadb_x_nat_t_port_port), 4500);
	assert_int_equal(ntohs(dp->sadb_x_nat_t_port_port), 41000);
	sin = (const void *)pfkey_address_sockaddr(pfkey_msg_address(&m, SADB_EXT_ADDRESS_SRC));
	assert_int_equal(sin->sin_port, 0);
	sin = (const void *)pfkey_address_sockaddr(pfkey_msg_address(&m, SADB_EXT_ADDRESS_DST));
	assert_int_equal(sin->sin_port, 0);
	assert_null(pfkey_msg_address(&m, SADB_X_EXT_NAT_T_OA));
	sk_prog_free(&prog);

	/* plain esp sends none of them */
	src = "add 10.0.0.1 10.0.0.2 esp 0x1000 " AES_SHA256 ";";
	assert_int_equal(sk_parse(&prog, "t", src, strlen(src)), 0);
	pfkey_buf_init(&b, mem, sizeof(mem));
	assert_int_equal(sk_compile(prog.head, &b, 1, 1), 0);
	assert_int_equal(pfkey_parse(pfkey_buf_msg(&b), pfkey_buf_msglen(&b), &m), 0);
	assert_null(pfkey_msg_nat_t_type(&m));
	assert_null(pfkey_msg_nat_t_port(&m, SADB_X_EXT_NAT_T_SPORT));
	sk_prog_free(&prog);
}

static void addr4(struct sockaddr_in *sin, const char *a)
{
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	inet_pton(AF_INET, a, &sin->sin_addr);
}

static const uint8_t bf_key[] = {
	0xa2, 0x4a, 0xc0, 0xe7, 0x36, 0xf7, 0xe1, 0x53,
	0x26, 0xf8, 0x13, 0x00, 0x43, 0xd0, 0xd3, 0x33,
};
static const uint8_t sha1_key[] = {
	0x6b, 0xb8, 0x41, 0x16, 0xe9, 0x0d, 0x2b, 0x1b, 0x2a, 0xc9,
	0x52, 0x85, 0x0d, 0xd3, 0x94, 0xfb, 0xaf, 0xa0, 0xc3, 0xd8,
};

/* The first SA of the seed's `setkey -D` (003, Appendix D.1), as a kernel
 * would send it in reply to SADB_DUMP. */
static size_t build_d1(uint8_t *mem, size_t cap, uint8_t state)
{
	struct pfkey_buf b;
	struct sockaddr_in a, c;
	struct sadb_msg *h;

	pfkey_buf_init(&b, mem, cap);
	h = pfkey_msg_begin(&b, SADB_DUMP, SADB_SATYPE_ESP, 1, 50830);
	assert_non_null(h);
	addr4(&a, "192.0.2.1");
	addr4(&c, "198.51.100.2");
	assert_int_equal(pfkey_add_sa(&b, htonl(63238165), 4, state,
				      SADB_AALG_SHA1HMAC, SADB_X_EALG_BLOWFISHCBC, 0), 0);
	assert_int_equal(pfkey_add_sa2(&b, IPSEC_MODE_TUNNEL, 0, 4), 0);
	assert_int_equal(pfkey_add_lifetime(&b, SADB_EXT_LIFETIME_CURRENT, 4, 544,
					    1041167241, 1041167255), 0);
	assert_int_equal(pfkey_add_lifetime(&b, SADB_EXT_LIFETIME_HARD, 0, 0, 86400, 0), 0);
	assert_int_equal(pfkey_add_lifetime(&b, SADB_EXT_LIFETIME_SOFT, 0, 0, 69120, 0), 0);
	assert_int_equal(pfkey_add_address(&b, SADB_EXT_ADDRESS_SRC,
					   (struct sockaddr *)&a, 32, IPSEC_ULPROTO_ANY), 0);
	assert_int_equal(pfkey_add_address(&b, SADB_EXT_ADDRESS_DST,
					   (struct sockaddr *)&c, 32, IPSEC_ULPROTO_ANY), 0);
	assert_int_equal(pfkey_add_key(&b, SADB_EXT_KEY_AUTH, sha1_key, sizeof(sha1_key)), 0);
	assert_int_equal(pfkey_add_key(&b, SADB_EXT_KEY_ENCRYPT, bf_key, sizeof(bf_key)), 0);
	assert_int_equal(pfkey_msg_end(&b), 0);
	return pfkey_buf_msglen(&b);
}

/* A kipsec DUMP reply for a mature SA with the extension: -D prints the
 * extension's window (not sadb_sa_replay's 255) and its flags and ICV,
 * and -v prints the extension itself. */
static void test_dump_kipsec_ext(void **state)
{
	uint8_t mem[1024];
	struct pfkey_buf b;
	struct sockaddr_in a, c;
	struct pfkey_msg m;
	char *out = NULL;
	size_t outlen = 0;
	FILE *f = open_memstream(&out, &outlen);

	(void)state;
	pfkey_buf_init(&b, mem, sizeof(mem));
	assert_non_null(pfkey_msg_begin(&b, SADB_DUMP, SADB_SATYPE_AH, 0, 77));
	addr4(&a, "10.0.0.1");
	addr4(&c, "10.0.0.2");
	assert_int_equal(pfkey_add_sa(&b, htonl(0x1000), 255, SADB_SASTATE_MATURE,
				      SADB_X_AALG_SHA2_256HMAC, 0, 0), 0);
	assert_int_equal(pfkey_add_address(&b, SADB_EXT_ADDRESS_SRC,
					   (struct sockaddr *)&a, 32, IPSEC_ULPROTO_ANY), 0);
	assert_int_equal(pfkey_add_address(&b, SADB_EXT_ADDRESS_DST,
					   (struct sockaddr *)&c, 32, IPSEC_ULPROTO_ANY), 0);
	assert_int_equal(pfkey_add_sa2(&b, IPSEC_MODE_TRANSPORT, 0, 0), 0);
	assert_int_equal(pfkey_add_kipsec_sa(&b, 4096, KIPSEC_SA_F_ESN | 0x8000, 96), 0);
	assert_int_equal(pfkey_msg_end(&b), 0);
	assert_int_equal(pfkey_parse(mem, pfkey_buf_msglen(&b), &m), 0);
	sk_dump_sa(f, &m, &popts);
	sk_print_msg(f, mem, pfkey_buf_msglen(&b), false);
	fclose(f);
	assert_string_equal(out,
		"10.0.0.1 10.0.0.2 \n"
		"\tah mode=transport spi=4096(0x00001000) reqid=0(0x00000000)\n"
		"\tseq=0x00000000 replay=4096 flags=0x00000000 state=mature esn xflags=0x8000 icv=96 \n"
		"\tsadb_seq=0 pid=77 refcnt=0\n"
		"DUMP ah seq=0 pid=77 len=112\n"
		"\tsa: spi=4096(0x00001000) replay=255 state=mature auth=hmac-sha2-256 encrypt=none flags=0x00000000\n"
		"\taddress_src: 10.0.0.1 proto=any\n"
		"\taddress_dst: 10.0.0.2 proto=any\n"
		"\tx_sa2: mode=transport reqid=0 seq=0\n"
		"\tx_kipsec_sa: replay=4096 flags=0x8001 icvbits=96\n");
	free(out);
}

/* A DUMP reply for a NAT-T SA as af_key and kipsec send it (type and
 * ports after SA2), then with a NAT-OA as KAME kernels send it. */
static void test_dump_natt(void **state)
{
	uint8_t mem[1024];
	struct pfkey_buf b;
	struct sockaddr_in a, c, oa;
	struct pfkey_msg m;
	char *out = NULL;
	size_t outlen = 0;
	FILE *f = open_memstream(&out, &outlen);

	(void)state;
	for (int with_oa = 0; with_oa < 2; with_oa++) {
		pfkey_buf_init(&b, mem, sizeof(mem));
		assert_non_null(pfkey_msg_begin(&b, SADB_DUMP, SADB_SATYPE_ESP, 0, 77));
		addr4(&a, "192.0.2.7");
		addr4(&c, "10.0.0.2");
		addr4(&oa, "10.9.9.9");
		assert_int_equal(pfkey_add_sa(&b, htonl(0x1000), 0, SADB_SASTATE_MATURE,
					      0, SADB_EALG_NULL, 0), 0);
		assert_int_equal(pfkey_add_address(&b, SADB_EXT_ADDRESS_SRC,
						   (struct sockaddr *)&a, 32, IPSEC_ULPROTO_ANY), 0);
		assert_int_equal(pfkey_add_address(&b, SADB_EXT_ADDRESS_DST,
						   (struct sockaddr *)&c, 32, IPSEC_ULPROTO_ANY), 0);
		assert_int_equal(pfkey_add_sa2(&b, IPSEC_MODE_TUNNEL, 0, 0), 0);
		assert_int_equal(pfkey_add_nat_t_type(&b, 2), 0);
		assert_int_equal(pfkey_add_nat_t_port(&b, SADB_X_EXT_NAT_T_SPORT, htons(41000)), 0);
		assert_int_equal(pfkey_add_nat_t_port(&b, SADB_X_EXT_NAT_T_DPORT, htons(4500)), 0);
		if (with_oa)
			assert_int_equal(pfkey_add_address(&b, SADB_X_EXT_NAT_T_OA,
							   (struct sockaddr *)&oa, 32,
							   IPSEC_ULPROTO_ANY), 0);
		assert_int_equal(pfkey_msg_end(&b), 0);
		assert_int_equal(pfkey_parse(mem, pfkey_buf_msglen(&b), &m), 0);
		sk_dump_sa(f, &m, &popts);
	}
	fclose(f);
	assert_string_equal(out,
		"192.0.2.7[41000] 10.0.0.2[4500] \n"
		"\tesp-udp mode=tunnel spi=4096(0x00001000) reqid=0(0x00000000)\n"
		"\tseq=0x00000000 replay=0 flags=0x00000000 state=mature \n"
		"\tsadb_seq=0 pid=77 refcnt=0\n"
		"192.0.2.7[41000] 10.0.0.2[4500] \n"
		"\tesp-udp mode=tunnel spi=4096(0x00001000) reqid=0(0x00000000)\n"
		"\tNAT: OAI=10.9.9.9\n"
		"\tseq=0x00000000 replay=0 flags=0x00000000 state=mature \n"
		"\tsadb_seq=0 pid=77 refcnt=0\n");
	free(out);
}

static void test_golden_d1(void **state)
{
	uint8_t mem[1024];
	size_t len = build_d1(mem, sizeof(mem), SADB_SASTATE_MATURE);
	struct pfkey_msg m;
	struct sk_print_opts o = { .now = 1041167732 };	/* Dec 29 13:15:32 2002 */
	char *out = NULL;
	size_t outlen = 0;
	FILE *f = open_memstream(&out, &outlen);

	(void)state;
	if (pfkey_parse(mem, len, &m) != 0)
		fail_msg("%s", pfkey_parse_error());
	/* KAME kernels put the refcnt in sadb_msg_reserved; libpfkey's
	 * parser wants it 0, so set it after parsing. */
	mem[offsetof(struct sadb_msg, sadb_msg_reserved)] = 2;
	sk_dump_sa(f, &m, &o);
	fclose(f);
	assert_string_equal(out,
		"192.0.2.1 198.51.100.2 \n"
		"\tesp mode=tunnel spi=63238165(0x03c4f015) reqid=0(0x00000000)\n"
		"\tE: blowfish-cbc  a24ac0e7 36f7e153 26f81300 43d0d333\n"
		"\tA: hmac-sha1  6bb84116 e90d2b1b 2ac95285 0dd394fb afa0c3d8\n"
		"\tseq=0x00000004 replay=4 flags=0x00000000 state=mature \n"
		"\tcreated: Dec 29 13:07:21 2002\tcurrent: Dec 29 13:15:32 2002\n"
		"\tdiff: 491(s)\thard: 86400(s)\tsoft: 69120(s)\n"
		"\tlast: Dec 29 13:07:35 2002\thard: 0(s)\tsoft: 0(s)\n"
		"\tcurrent: 544(bytes)\thard: 0(bytes)\tsoft: 0(bytes)\n"
		"\tallocated: 4\thard: 0\tsoft: 0\n"
		"\tsadb_seq=1 pid=50830 refcnt=2\n");
	free(out);
}

static void test_golden_spd(void **state)
{
	uint8_t mem[1024];
	struct pfkey_buf b;
	struct sockaddr_in a, c;
	struct sadb_msg *h;
	const char *text = "out ipsec esp/tunnel/20.0.0.1-20.0.0.2/require";
	char *pol = ipsec_set_policy(text, (int)strlen(text));
	struct pfkey_msg m;
	char *out = NULL;
	size_t outlen = 0;
	FILE *f;

	(void)state;
	assert_non_null(pol);
	((struct sadb_x_policy *)pol)->sadb_x_policy_id = 1;
	pfkey_buf_init(&b, mem, sizeof(mem));
	h = pfkey_msg_begin(&b, SADB_X_SPDDUMP, 0, 0, 1234);
	assert_non_null(h);
	addr4(&a, "10.0.1.0");
	addr4(&c, "10.0.2.0");
	assert_int_equal(pfkey_add_address(&b, SADB_EXT_ADDRESS_SRC,
					   (struct sockaddr *)&a, 24, IPSEC_ULPROTO_ANY), 0);
	assert_int_equal(pfkey_add_address(&b, SADB_EXT_ADDRESS_DST,
					   (struct sockaddr *)&c, 24, IPSEC_ULPROTO_ANY), 0);
	assert_int_equal(pfkey_add_lifetime(&b, SADB_EXT_LIFETIME_CURRENT, 0, 0, NOW, 0), 0);
	assert_int_equal(pfkey_add_lifetime(&b, SADB_EXT_LIFETIME_HARD, 0, 0, 0, 0), 0);
	assert_int_equal(pfkey_add_policy(&b, pol, (size_t)ipsec_get_policylen(pol)), 0);
	assert_int_equal(pfkey_msg_end(&b), 0);
	free(pol);

	if (pfkey_parse(mem, pfkey_buf_msglen(&b), &m) != 0)
		fail_msg("%s", pfkey_parse_error());
	mem[offsetof(struct sadb_msg, sadb_msg_reserved)] = 1;	/* refcnt */
	f = open_memstream(&out, &outlen);
	sk_dump_spd(f, &m, &popts);
	fclose(f);
	assert_string_equal(out,
		"10.0.1.0/24[any] 10.0.2.0/24[any] any\n"
		"\tout ipsec\n"
		"\tesp/tunnel/20.0.0.1-20.0.0.2/require\n"
		"\tcreated: Nov 22 14:00:00 2026  lastused:                     \n"
		"\tlifetime: 0(s) validtime: 0(s)\n"
		"\tspid=1 seq=0 pid=1234\n"
		"\trefcnt=1\n");
	free(out);
}

static void test_time_format(void **state)
{
	char buf[21];

	(void)state;
	sk_format_time(buf, 0);
	assert_string_equal(buf, "                    ");
	sk_format_time(buf, NOW);
	assert_string_equal(buf, "Nov 22 14:00:00 2026");
	sk_format_time(buf, 1041167241 - 20 * 86400);	/* one-digit day */
	assert_string_equal(buf, "Dec  9 13:07:21 2002");
}

/* Truncated or missing parts print KAME's complaints, never crash. */
static void test_partial(void **state)
{
	uint8_t mem[256];
	struct pfkey_buf b;
	struct pfkey_msg m;
	char *out = NULL;
	size_t outlen = 0;
	FILE *f = open_memstream(&out, &outlen);

	(void)state;
	pfkey_buf_init(&b, mem, sizeof(mem));
	pfkey_msg_begin(&b, SADB_DUMP, SADB_SATYPE_ESP, 0, 1);
	assert_int_equal(pfkey_msg_end(&b), 0);
	assert_int_equal(pfkey_parse(mem, pfkey_buf_msglen(&b), &m), 0);
	sk_dump_sa(f, &m, &popts);
	sk_dump_spd(f, &m, &popts);
	sk_print_msg(f, mem, 7, false);
	fclose(f);
	assert_string_equal(out, "no ADDRESS_SRC extension.\n"
				 "no X_POLICY extension.\n"
				 "short message (7 bytes)\n");
	free(out);
}

/* -xx adds a hex dump before the readable block. */
static void test_raw_print(void **state)
{
	uint8_t mem[64];
	struct pfkey_buf b;
	char *out = NULL;
	size_t outlen = 0;
	FILE *f = open_memstream(&out, &outlen);

	(void)state;
	pfkey_buf_init(&b, mem, sizeof(mem));
	pfkey_msg_begin(&b, SADB_FLUSH, SADB_SATYPE_AH, 5, 77);
	assert_int_equal(pfkey_msg_end(&b), 0);
	mem[2] = 17;	/* sadb_msg_errno: EEXIST */
	sk_print_msg(f, mem, pfkey_buf_msglen(&b), true);
	fclose(f);
	assert_string_equal(out,
		"00000000: 02 09 11 02 02 00 00 00 05 00 00 00 4d 00 00 00\n"
		"FLUSH ah seq=5 pid=77 len=16 errno=17 (File exists)\n");
	free(out);
}

int main(void)
{
	enum { N = sizeof(rts) / sizeof(rts[0]) };
	static char names[N][24];
	struct CMUnitTest tests[N + 13];
	size_t n = 0;

	setenv("TZ", "UTC", 1);
	tzset();
	for (size_t i = 0; i < N; i++) {
		snprintf(names[i], sizeof(names[i]), "roundtrip_%02zu", i + 1);
		tests[n++] = (struct CMUnitTest){ names[i], test_roundtrip, NULL,
						  NULL, (void *)&rts[i] };
	}
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_all_kinds);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_sa_options);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_kipsec_ext);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_no_ext_by_default);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_dump_kipsec_ext);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_natt_msg);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_dump_natt);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_golden_d1);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_golden_spd);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_time_format);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_partial);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_raw_print);
	return _cmocka_run_group_tests("setkey_dump", tests, n, NULL, NULL);
}
