// SPDX-License-Identifier: BSD-2-Clause
/*
 * ikd's PF_KEY seam without a kernel (ikd/kernel_pfkey_msg.c): the bytes
 * built for a struct ikd_kernel_sa or policy, parsed back with libpfkey's
 * parser and checked field by field; IKEv2 transform ids mapped to PF_KEY
 * ids; what af_key cannot do refused with EOPNOTSUPP; ACQUIRE, EXPIRE and
 * GET replies as the kernels send them turned back into ikd's values.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/udp.h>
#include <cmocka.h>

#include "../../ikd/kernel_pfkey.h"

static _Alignas(8) uint8_t buf[IKD_PF_MSG_MAX];
static struct pfkey_buf b;
static struct pfkey_msg m;

static const uint8_t key36[36] = "0123456789abcdef0123456789abcdefSALT";
static const uint8_t key32[32] = "0123456789abcdef0123456789abcdef";
static const uint8_t key16[16] = "0123456789abcdef";
static const uint8_t key24[24] = "0123456789abcdef01234567";
static const uint8_t key20[20] = "0123456789abcdef0123";
static const uint8_t key48[48] = "0123456789abcdef0123456789abcdef0123456789abcdef";

static struct ikd_addr A(const char *s)
{
	struct ikd_addr a;

	assert_int_equal(ikd_addr_parse(&a, s), 0);
	return a;
}

/* ESP AES-GCM-16 with a 256-bit key, tunnel mode, as the engine fills it. */
static struct ikd_kernel_sa gcm_sa(void)
{
	return (struct ikd_kernel_sa){
		.proto = IPPROTO_ESP, .mode = IKD_MODE_TUNNEL,
		.spi = htonl(0xc0ffee01), .src = A("192.0.2.1"),
		.dst = A("198.51.100.2"), .reqid = 16385, .seq = 7,
		.encr = 20, .encr_keybits = 256,
		.enc_key = key36, .enc_key_len = sizeof(key36),
		.replay_window = 32,
		.soft_bytes = 900000, .hard_bytes = 1000000,
		.soft_secs = 2880, .hard_secs = 3600,
	};
}

static int build(const struct ikd_kernel_sa *sa, enum ikd_pf_kernel k,
		 const char **why)
{
	int err;

	pfkey_buf_init(&b, buf, sizeof(buf));
	err = ikd_pf_build_sa(&b, SADB_ADD, sa, k, 42, 4242, why);
	if (err)
		return err;
	assert_int_equal(pfkey_parse(buf, b.len, &m), 0);
	return 0;
}

static void assert_key(uint16_t exttype, const void *want, size_t len)
{
	const struct sadb_key *k = pfkey_msg_key(&m, exttype);
	size_t n;
	const uint8_t *d;

	assert_non_null(k);
	d = pfkey_key_data(k, &n);
	assert_int_equal(k->sadb_key_bits, len * 8);
	assert_int_equal(n, len);
	if (len)
		assert_memory_equal(d, want, len);
}

static void assert_addr(uint16_t exttype, const char *want, unsigned int plen)
{
	const struct sadb_address *a = pfkey_msg_address(&m, exttype);
	struct ikd_addr got, w = A(want);

	assert_non_null(a);
	assert_int_equal(a->sadb_address_prefixlen, plen);
	assert_int_equal(ikd_addr_from_sockaddr(&got, pfkey_address_sockaddr(a)), 0);
	assert_true(ikd_addr_eq(&got, &w));
}

static void test_esp_gcm(void **state)
{
	struct ikd_kernel_sa sa = gcm_sa();
	const struct sadb_lifetime *l;
	const struct sadb_sa *s;
	const char *why;

	(void)state;
	assert_int_equal(build(&sa, IKD_PF_KIPSEC, &why), 0);
	assert_int_equal(m.hdr->sadb_msg_type, SADB_ADD);
	assert_int_equal(m.hdr->sadb_msg_satype, SADB_SATYPE_ESP);
	assert_int_equal(m.hdr->sadb_msg_seq, 42);
	assert_int_equal(m.hdr->sadb_msg_pid, 4242);
	s = pfkey_msg_sa(&m);
	assert_int_equal(ntohl(s->sadb_sa_spi), 0xc0ffee01);
	assert_int_equal(s->sadb_sa_encrypt, SADB_X_EALG_AES_GCM_ICV16);
	assert_int_equal(s->sadb_sa_auth, SADB_AALG_NONE);
	assert_int_equal(s->sadb_sa_replay, 32);
	assert_int_equal(pfkey_msg_sa2(&m)->sadb_x_sa2_mode, IPSEC_MODE_TUNNEL);
	assert_int_equal(pfkey_msg_sa2(&m)->sadb_x_sa2_reqid, 16385);
	assert_addr(SADB_EXT_ADDRESS_SRC, "192.0.2.1", 32);
	assert_addr(SADB_EXT_ADDRESS_DST, "198.51.100.2", 32);
	assert_int_equal(pfkey_msg_address(&m, SADB_EXT_ADDRESS_SRC)->sadb_address_proto,
			 IPSEC_ULPROTO_ANY);
	/* 256 key bits and the 32-bit salt. */
	assert_key(SADB_EXT_KEY_ENCRYPT, key36, 36);
	assert_null(pfkey_msg_key(&m, SADB_EXT_KEY_AUTH));
	l = pfkey_msg_lifetime(&m, SADB_EXT_LIFETIME_HARD);
	assert_non_null(l);
	assert_int_equal(l->sadb_lifetime_bytes, 1000000);
	assert_int_equal(l->sadb_lifetime_addtime, 3600);
	l = pfkey_msg_lifetime(&m, SADB_EXT_LIFETIME_SOFT);
	assert_non_null(l);
	assert_int_equal(l->sadb_lifetime_bytes, 900000);
	assert_int_equal(l->sadb_lifetime_addtime, 2880);
	/* Nothing needs kipsec's extension; no NAT-T. */
	assert_null(pfkey_msg_kipsec_sa(&m));
	assert_null(pfkey_msg_nat_t_type(&m));

	/* af_key has no AEAD at all: refused, with the reason. */
	assert_int_equal(build(&sa, IKD_PF_AFKEY, &why), -EOPNOTSUPP);
	assert_non_null(why);
	assert_non_null(strstr(why, "AEAD"));

	/* 128-bit GCM: 160 bits with the salt; IKE's length must agree. */
	sa.encr_keybits = 128;
	sa.enc_key = key20;
	sa.enc_key_len = 20;
	assert_int_equal(build(&sa, IKD_PF_KIPSEC, &why), 0);
	assert_key(SADB_EXT_KEY_ENCRYPT, key20, 20);
	sa.encr_keybits = 256;
	assert_int_equal(build(&sa, IKD_PF_KIPSEC, &why), -EINVAL);
	/* A key without its salt. */
	sa.encr_keybits = 128;
	sa.enc_key = key16;
	sa.enc_key_len = 16;
	assert_int_equal(build(&sa, IKD_PF_KIPSEC, &why), -EINVAL);
	/* AEAD with an integrity algorithm. */
	sa = gcm_sa();
	sa.integ = 12;
	sa.auth_key = key32;
	sa.auth_key_len = 32;
	assert_int_equal(build(&sa, IKD_PF_KIPSEC, &why), -EINVAL);
	/* GCM-8 and -12 are ids 18 and 19 in both worlds. */
	sa = gcm_sa();
	sa.encr = 18;
	assert_int_equal(build(&sa, IKD_PF_KIPSEC, &why), 0);
	assert_int_equal(pfkey_msg_sa(&m)->sadb_sa_encrypt, SADB_X_EALG_AES_GCM_ICV8);
}

static struct ikd_kernel_sa cbc_sa(uint16_t integ, const uint8_t *akey,
				   size_t alen)
{
	return (struct ikd_kernel_sa){
		.proto = IPPROTO_ESP, .mode = IKD_MODE_TRANSPORT,
		.spi = htonl(0x1234), .src = A("2001:db8::1"),
		.dst = A("2001:db8::2"), .encr = 12, .encr_keybits = 128,
		.enc_key = key16, .enc_key_len = 16, .integ = integ,
		.auth_key = akey, .auth_key_len = alen, .replay_window = 32,
	};
}

static void test_esp_cbc_sha2(void **state)
{
	struct ikd_kernel_sa sa = cbc_sa(12, key32, 32);
	const char *why;

	(void)state;
	assert_int_equal(build(&sa, IKD_PF_KIPSEC, &why), 0);
	assert_int_equal(pfkey_msg_sa(&m)->sadb_sa_encrypt, SADB_X_EALG_AESCBC);
	/* AUTH_HMAC_SHA2_256_128 (12) is PF_KEY's 5, RFC 4868 by default
	 * in kipsec: no ICV extension needed. */
	assert_int_equal(pfkey_msg_sa(&m)->sadb_sa_auth, SADB_X_AALG_SHA2_256HMAC);
	assert_null(pfkey_msg_kipsec_sa(&m));
	assert_int_equal(pfkey_msg_sa2(&m)->sadb_x_sa2_mode, IPSEC_MODE_TRANSPORT);
	assert_addr(SADB_EXT_ADDRESS_DST, "2001:db8::2", 128);
	assert_key(SADB_EXT_KEY_ENCRYPT, key16, 16);
	assert_key(SADB_EXT_KEY_AUTH, key32, 32);
	assert_null(pfkey_msg_lifetime(&m, SADB_EXT_LIFETIME_HARD));
	assert_null(pfkey_msg_lifetime(&m, SADB_EXT_LIFETIME_SOFT));

	/* af_key would truncate it to 96 bits: refused. */
	assert_int_equal(build(&sa, IKD_PF_AFKEY, &why), -EOPNOTSUPP);
	assert_non_null(strstr(why, "96"));
	/* SHA2-384 and -512 it truncates as RFC 4868 says. */
	sa = cbc_sa(13, key48, 48);
	assert_int_equal(build(&sa, IKD_PF_AFKEY, &why), 0);
	assert_int_equal(pfkey_msg_sa(&m)->sadb_sa_auth, SADB_X_AALG_SHA2_384HMAC);
	sa = cbc_sa(14, key32, 32);		/* SHA2-512 takes 64 bytes */
	assert_int_equal(build(&sa, IKD_PF_AFKEY, &why), -EINVAL);
	/* SHA1 (2) and 256-bit AES-CBC. */
	sa = cbc_sa(2, key20, 20);
	sa.encr_keybits = 256;
	sa.enc_key = key32;
	sa.enc_key_len = 32;
	assert_int_equal(build(&sa, IKD_PF_AFKEY, &why), 0);
	assert_int_equal(pfkey_msg_sa(&m)->sadb_sa_auth, SADB_AALG_SHA1HMAC);
	assert_key(SADB_EXT_KEY_ENCRYPT, key32, 32);
	/* IKE says 256 bits, the key has 128. */
	sa = cbc_sa(2, key20, 20);
	sa.encr_keybits = 256;
	assert_int_equal(build(&sa, IKD_PF_KIPSEC, &why), -EINVAL);
	/* AUTH_AES_XCBC_96 (5) is PF_KEY's 9; MD5 (1) is 2. */
	sa = cbc_sa(5, key16, 16);
	assert_int_equal(build(&sa, IKD_PF_AFKEY, &why), 0);
	assert_int_equal(pfkey_msg_sa(&m)->sadb_sa_auth, SADB_X_AALG_AES_XCBC_MAC);
	sa = cbc_sa(1, key16, 16);
	assert_int_equal(build(&sa, IKD_PF_AFKEY, &why), 0);
	assert_int_equal(pfkey_msg_sa(&m)->sadb_sa_auth, SADB_AALG_MD5HMAC);
	/* Unknown transform ids. */
	sa = cbc_sa(99, key16, 16);
	assert_int_equal(build(&sa, IKD_PF_KIPSEC, &why), -EOPNOTSUPP);
	sa = cbc_sa(2, key20, 20);
	sa.encr = 1024;
	assert_int_equal(build(&sa, IKD_PF_KIPSEC, &why), -EOPNOTSUPP);
	/* Endpoints of two families. */
	sa = cbc_sa(2, key20, 20);
	sa.dst = A("192.0.2.2");
	assert_int_equal(build(&sa, IKD_PF_KIPSEC, &why), -EINVAL);
}

static void test_3des_null_chacha(void **state)
{
	struct ikd_kernel_sa sa = cbc_sa(1, key16, 16);
	const char *why;

	(void)state;
	/* ENCR_3DES (3) has no key length attribute. */
	sa.encr = 3;
	sa.encr_keybits = 0;
	sa.enc_key = key24;
	sa.enc_key_len = 24;
	assert_int_equal(build(&sa, IKD_PF_AFKEY, &why), 0);
	assert_int_equal(pfkey_msg_sa(&m)->sadb_sa_encrypt, SADB_EALG_3DESCBC);
	assert_key(SADB_EXT_KEY_ENCRYPT, key24, 24);
	/* ENCR_NULL: an empty key extension, which af_key insists on. */
	sa.encr = 11;
	sa.enc_key = NULL;
	sa.enc_key_len = 0;
	assert_int_equal(build(&sa, IKD_PF_AFKEY, &why), 0);
	assert_int_equal(pfkey_msg_sa(&m)->sadb_sa_encrypt, SADB_EALG_NULL);
	assert_key(SADB_EXT_KEY_ENCRYPT, NULL, 0);
	/* ChaCha20-Poly1305 (28): kipsec's id 28, 288 bits; not af_key. */
	sa = gcm_sa();
	sa.encr = 28;
	assert_int_equal(build(&sa, IKD_PF_KIPSEC, &why), 0);
	assert_int_equal(pfkey_msg_sa(&m)->sadb_sa_encrypt,
			 SADB_X_EALG_CHACHA20_POLY1305);
	assert_key(SADB_EXT_KEY_ENCRYPT, key36, 36);
	assert_int_equal(build(&sa, IKD_PF_AFKEY, &why), -EOPNOTSUPP);
}

static void test_replay_esn(void **state)
{
	struct ikd_kernel_sa sa = cbc_sa(12, key32, 32);
	const struct sadb_x_kipsec_sa *kx;
	const char *why;

	(void)state;
	sa.replay_window = 255;
	assert_int_equal(build(&sa, IKD_PF_KIPSEC, &why), 0);
	assert_int_equal(pfkey_msg_sa(&m)->sadb_sa_replay, 255);
	assert_null(pfkey_msg_kipsec_sa(&m));
	/* Above 255: kipsec's extension carries the window. */
	sa.replay_window = 4096;
	assert_int_equal(build(&sa, IKD_PF_KIPSEC, &why), 0);
	assert_int_equal(pfkey_msg_sa(&m)->sadb_sa_replay, 255);
	kx = pfkey_msg_kipsec_sa(&m);
	assert_non_null(kx);
	assert_int_equal(kx->sadb_x_kipsec_sa_replay, 4096);
	assert_int_equal(kx->sadb_x_kipsec_sa_flags, 0);
	assert_int_equal(kx->sadb_x_kipsec_sa_icvbits, 0);
	/* ESN: the extension with the flag and the real window. */
	sa.replay_window = 64;
	sa.esn = true;
	assert_int_equal(build(&sa, IKD_PF_KIPSEC, &why), 0);
	kx = pfkey_msg_kipsec_sa(&m);
	assert_non_null(kx);
	assert_int_equal(kx->sadb_x_kipsec_sa_flags, KIPSEC_SA_F_ESN);
	assert_int_equal(kx->sadb_x_kipsec_sa_replay, 64);
	assert_int_equal(pfkey_msg_sa(&m)->sadb_sa_replay, 64);
	/* af_key: no ESN, no window above 32 (it would install 32). */
	sa = cbc_sa(2, key20, 20);
	sa.esn = true;
	assert_int_equal(build(&sa, IKD_PF_AFKEY, &why), -EOPNOTSUPP);
	assert_non_null(strstr(why, "extended sequence"));
	sa.esn = false;
	sa.replay_window = 64;
	assert_int_equal(build(&sa, IKD_PF_AFKEY, &why), -EOPNOTSUPP);
	assert_non_null(strstr(why, "32"));
	sa.replay_window = 32;
	assert_int_equal(build(&sa, IKD_PF_AFKEY, &why), 0);
	assert_null(pfkey_msg_kipsec_sa(&m));
	sa.replay_window = KIPSEC_REPLAY_MAX + 1;
	assert_int_equal(build(&sa, IKD_PF_KIPSEC, &why), -EINVAL);
}

static void test_natt(void **state)
{
	struct ikd_kernel_sa sa = gcm_sa();
	const char *why;

	(void)state;
	sa.encap_sport = 4500;
	sa.encap_dport = 31000;
	sa.natt_oa = A("10.0.0.5");
	assert_int_equal(build(&sa, IKD_PF_KIPSEC, &why), 0);
	assert_int_equal(pfkey_msg_nat_t_type(&m)->sadb_x_nat_t_type_type,
			 UDP_ENCAP_ESPINUDP);
	assert_int_equal(ntohs(pfkey_msg_nat_t_port(&m, SADB_X_EXT_NAT_T_SPORT)
			       ->sadb_x_nat_t_port_port), 4500);
	assert_int_equal(ntohs(pfkey_msg_nat_t_port(&m, SADB_X_EXT_NAT_T_DPORT)
			       ->sadb_x_nat_t_port_port), 31000);
	assert_addr(SADB_X_EXT_NAT_T_OA, "10.0.0.5", 32);
	/* Endpoints never carry the ports. */
	assert_addr(SADB_EXT_ADDRESS_SRC, "192.0.2.1", 32);
	/* One port alone, or an OA without encapsulation, is a mistake. */
	sa.encap_dport = 0;
	assert_int_equal(build(&sa, IKD_PF_KIPSEC, &why), -EINVAL);
	sa = gcm_sa();
	sa.natt_oa = A("10.0.0.5");
	assert_int_equal(build(&sa, IKD_PF_KIPSEC, &why), -EINVAL);
}

static void test_ah_ipcomp(void **state)
{
	struct ikd_kernel_sa sa = {
		.proto = IPPROTO_AH, .mode = IKD_MODE_TRANSPORT,
		.spi = htonl(0x2001), .src = A("10.1.1.1"), .dst = A("20.1.1.1"),
		.integ = 2, .auth_key = key20, .auth_key_len = 20,
	};
	const char *why;

	(void)state;
	assert_int_equal(build(&sa, IKD_PF_AFKEY, &why), 0);
	assert_int_equal(m.hdr->sadb_msg_satype, SADB_SATYPE_AH);
	assert_int_equal(pfkey_msg_sa(&m)->sadb_sa_auth, SADB_AALG_SHA1HMAC);
	assert_int_equal(pfkey_msg_sa(&m)->sadb_sa_encrypt, SADB_EALG_NONE);
	assert_null(pfkey_msg_key(&m, SADB_EXT_KEY_ENCRYPT));
	assert_key(SADB_EXT_KEY_AUTH, key20, 20);
	sa.encr = 12;
	assert_int_equal(build(&sa, IKD_PF_AFKEY, &why), -EINVAL);
	sa.encr = 0;
	sa.integ = 0;
	assert_int_equal(build(&sa, IKD_PF_AFKEY, &why), -EINVAL);

	sa = (struct ikd_kernel_sa){
		.proto = IPPROTO_COMP, .mode = IKD_MODE_TUNNEL,
		.spi = htonl(0x4321), .src = A("10.1.1.1"), .dst = A("20.1.1.1"),
		.comp = IKD_IPCOMP_DEFLATE,
	};
	assert_int_equal(build(&sa, IKD_PF_AFKEY, &why), 0);
	assert_int_equal(m.hdr->sadb_msg_satype, SADB_X_SATYPE_IPCOMP);
	assert_int_equal(ntohl(pfkey_msg_sa(&m)->sadb_sa_spi), 0x4321);
	assert_int_equal(pfkey_msg_sa(&m)->sadb_sa_encrypt, SADB_X_CALG_DEFLATE);
	assert_null(pfkey_msg_key(&m, SADB_EXT_KEY_ENCRYPT));
	sa.comp = 1;	/* IPCOMP_OUI */
	assert_int_equal(build(&sa, IKD_PF_KIPSEC, &why), -EOPNOTSUPP);
	sa.proto = IPPROTO_UDP;
	assert_int_equal(build(&sa, IKD_PF_KIPSEC, &why), -EPROTONOSUPPORT);
	sa = gcm_sa();
	sa.mode = 0;
	assert_int_equal(build(&sa, IKD_PF_KIPSEC, &why), -EINVAL);
}

static void test_small_buffer(void **state)
{
	_Alignas(8) uint8_t tiny[64];
	struct ikd_kernel_sa sa = gcm_sa();
	const char *why;

	(void)state;
	pfkey_buf_init(&b, tiny, sizeof(tiny));
	assert_int_equal(ikd_pf_build_sa(&b, SADB_ADD, &sa, IKD_PF_KIPSEC, 1, 1,
					 &why), -EMSGSIZE);
	pfkey_buf_init(&b, buf, sizeof(buf));
	assert_int_equal(ikd_pf_build_sa(&b, SADB_GET, &sa, IKD_PF_KIPSEC, 1, 1,
					 &why), -EINVAL);
}

static void test_getspi_get_delete(void **state)
{
	struct ikd_addr s = A("198.51.100.2"), d = A("192.0.2.1");
	const struct sadb_spirange *r;

	(void)state;
	pfkey_buf_init(&b, buf, sizeof(buf));
	assert_int_equal(ikd_pf_build_getspi(&b, IPPROTO_ESP, IKD_MODE_TUNNEL,
					     &s, &d, 16385, 77, 9), 0);
	assert_int_equal(pfkey_parse(buf, b.len, &m), 0);
	assert_int_equal(m.hdr->sadb_msg_type, SADB_GETSPI);
	assert_int_equal(m.hdr->sadb_msg_seq, 77);
	assert_int_equal(pfkey_msg_sa2(&m)->sadb_x_sa2_reqid, 16385);
	assert_int_equal(pfkey_msg_sa2(&m)->sadb_x_sa2_mode, IPSEC_MODE_TUNNEL);
	r = pfkey_msg_spirange(&m);
	assert_int_equal(r->sadb_spirange_min, 0x100);
	assert_int_equal(r->sadb_spirange_max, 0x0fffffff);
	assert_addr(SADB_EXT_ADDRESS_SRC, "198.51.100.2", 32);
	/* IPcomp asks for a CPI. */
	pfkey_buf_init(&b, buf, sizeof(buf));
	assert_int_equal(ikd_pf_build_getspi(&b, IPPROTO_COMP, IKD_MODE_TRANSPORT,
					     &s, &d, 0, 78, 9), 0);
	assert_int_equal(pfkey_parse(buf, b.len, &m), 0);
	assert_int_equal(m.hdr->sadb_msg_satype, SADB_X_SATYPE_IPCOMP);
	assert_int_equal(pfkey_msg_spirange(&m)->sadb_spirange_max, 0xffff);

	pfkey_buf_init(&b, buf, sizeof(buf));
	assert_int_equal(ikd_pf_build_sa_id(&b, SADB_DELETE, IPPROTO_AH,
					    htonl(0xabc), &s, &d, 5, 9), 0);
	assert_int_equal(pfkey_parse(buf, b.len, &m), 0);
	assert_int_equal(m.hdr->sadb_msg_type, SADB_DELETE);
	assert_int_equal(m.hdr->sadb_msg_satype, SADB_SATYPE_AH);
	assert_int_equal(ntohl(pfkey_msg_sa(&m)->sadb_sa_spi), 0xabc);
	pfkey_buf_init(&b, buf, sizeof(buf));
	assert_int_equal(ikd_pf_build_sa_id(&b, SADB_ADD, IPPROTO_AH,
					    htonl(0xabc), &s, &d, 5, 9), -EINVAL);
}

static struct ikd_kernel_policy bundle_policy(void)
{
	struct ikd_kernel_policy p = {
		.dir = IKD_DIR_OUT, .action = IPSEC_POLICY_IPSEC,
		.priority = PFKEY_PRIORITY_DEFAULT - 10,
		.sel = { .src = A("10.0.1.0[0]"), .dst = A("10.0.2.0[80]"),
			 .src_plen = 24, .dst_plen = 24, .proto = IPPROTO_TCP },
		.nreqs = 2,
		.req = {
			{ IPPROTO_ESP, IKD_MODE_TUNNEL, IPSEC_LEVEL_UNIQUE, 7,
			  A("2001:db8::1"), A("2001:db8::2") },
			{ IPPROTO_AH, IKD_MODE_TRANSPORT, IPSEC_LEVEL_REQUIRE, 0,
			  { 0 }, { 0 } },
		},
	};

	return p;
}

static void test_spd_round_trip(void **state)
{
	struct ikd_kernel_policy p = bundle_policy(), got;

	(void)state;
	pfkey_buf_init(&b, buf, sizeof(buf));
	assert_int_equal(ikd_pf_build_spdadd(&b, &p, 3, 9), 0);
	assert_int_equal(pfkey_parse(buf, b.len, &m), 0);
	assert_int_equal(m.hdr->sadb_msg_type, SADB_X_SPDADD);
	assert_addr(SADB_EXT_ADDRESS_DST, "10.0.2.0[80]", 24);
	assert_int_equal(pfkey_msg_address(&m, SADB_EXT_ADDRESS_DST)->sadb_address_proto,
			 IPPROTO_TCP);
	assert_int_equal(pfkey_msg_policy(&m)->sadb_x_policy_dir, IPSEC_DIR_OUTBOUND);
	assert_int_equal(ikd_pf_parse_policy(&m, &got), 0);
	assert_int_equal(got.dir, IKD_DIR_OUT);
	assert_int_equal(got.action, IPSEC_POLICY_IPSEC);
	assert_int_equal(got.priority, PFKEY_PRIORITY_DEFAULT - 10);
	assert_int_equal(got.sel.src_plen, 24);
	assert_int_equal(got.sel.proto, IPPROTO_TCP);
	assert_int_equal(got.sel.dst.port, 80);
	assert_int_equal(got.nreqs, 2);
	/* Everything else is exactly what went in. */
	got.id = p.id;
	assert_memory_equal(&got, &p, sizeof(p));

	/* Any protocol is 255 in PF_KEY, 0 in ikd; priority 0 is the
	 * default one. */
	p.sel.proto = 0;
	p.priority = 0;
	p.nreqs = 0;
	p.action = IPSEC_POLICY_BYPASS;
	p.dir = IKD_DIR_FWD;
	pfkey_buf_init(&b, buf, sizeof(buf));
	assert_int_equal(ikd_pf_build_spdadd(&b, &p, 3, 9), 0);
	assert_int_equal(pfkey_parse(buf, b.len, &m), 0);
	assert_int_equal(pfkey_msg_address(&m, SADB_EXT_ADDRESS_SRC)->sadb_address_proto,
			 IPSEC_ULPROTO_ANY);
	assert_int_equal(ikd_pf_parse_policy(&m, &got), 0);
	assert_int_equal(got.sel.proto, 0);
	assert_int_equal(got.priority, PFKEY_PRIORITY_DEFAULT);
	assert_int_equal(got.dir, IKD_DIR_FWD);
	assert_int_equal(got.nreqs, 0);

	/* Bad input. */
	p = bundle_policy();
	p.dir = 9;
	pfkey_buf_init(&b, buf, sizeof(buf));
	assert_int_equal(ikd_pf_build_spdadd(&b, &p, 3, 9), -EINVAL);
	p = bundle_policy();
	p.sel.dst = A("2001:db8::9");
	pfkey_buf_init(&b, buf, sizeof(buf));
	assert_int_equal(ikd_pf_build_spdadd(&b, &p, 3, 9), -EINVAL);
	p = bundle_policy();
	p.req[0].mode = 0;
	pfkey_buf_init(&b, buf, sizeof(buf));
	assert_int_equal(ikd_pf_build_spdadd(&b, &p, 3, 9), -EINVAL);

	/* SPDGET / SPDDELETE2 by id. */
	pfkey_buf_init(&b, buf, sizeof(buf));
	assert_int_equal(ikd_pf_build_spd_id(&b, SADB_X_SPDDELETE2, 0x1001, 4, 9), 0);
	assert_int_equal(pfkey_parse(buf, b.len, &m), 0);
	assert_int_equal(m.hdr->sadb_msg_type, SADB_X_SPDDELETE2);
	assert_int_equal(pfkey_msg_policy(&m)->sadb_x_policy_id, 0x1001);
	pfkey_buf_init(&b, buf, sizeof(buf));
	assert_int_equal(ikd_pf_build_spd_id(&b, SADB_X_SPDADD, 1, 4, 9), -EINVAL);
	assert_true(ikd_pf_is_socket_policy(1003));
	assert_true(ikd_pf_is_socket_policy(1004));
	assert_false(ikd_pf_is_socket_policy(1001));
}

/* An ACQUIRE as both kernels send it: addresses, an x_policy with only
 * the id, a proposal, no SA2. */
static void kernel_acquire(uint8_t satype, const char *src, const char *dst,
			   uint32_t id)
{
	struct ikd_addr s = A(src), d = A(dst);
	struct sockaddr_storage ss, ds;

	ikd_addr_to_sockaddr(&s, &ss);
	ikd_addr_to_sockaddr(&d, &ds);
	pfkey_buf_init(&b, buf, sizeof(buf));
	pfkey_msg_begin(&b, SADB_ACQUIRE, satype, 31, 0);
	pfkey_add_address(&b, SADB_EXT_ADDRESS_SRC, (void *)&ss, 0xff, 0);
	pfkey_add_address(&b, SADB_EXT_ADDRESS_DST, (void *)&ds, 0xff, 0);
	pfkey_add_policy_hdr(&b, IPSEC_POLICY_IPSEC, IPSEC_DIR_OUTBOUND, id,
			     PFKEY_PRIORITY_DEFAULT);
	assert_int_equal(pfkey_msg_end(&b), 0);
	assert_int_equal(pfkey_parse(buf, b.len, &m), 0);
}

static void test_acquire(void **state)
{
	struct ikd_acquire acq;
	uint32_t id = 0;

	(void)state;
	/* The tunnel's ESP request of a bundle. */
	kernel_acquire(SADB_SATYPE_ESP, "2001:db8::1", "2001:db8::2", 0x2002);
	assert_int_equal(ikd_pf_parse_acquire(&m, &acq, &id), 0);
	assert_int_equal(id, 0x2002);
	assert_int_equal(acq.seq, 31);
	assert_int_equal(acq.proto, IPPROTO_ESP);
	{
		struct ikd_addr ws = A("2001:db8::1"), wd = A("2001:db8::2");

		assert_true(ikd_addr_eq(&acq.src, &ws));
		assert_true(ikd_addr_eq(&acq.dst, &wd));
	}
	acq.pol = bundle_policy();
	assert_int_equal(ikd_pf_acquire_pick(&acq), 0);
	assert_int_equal(acq.mode, IKD_MODE_TUNNEL);
	assert_int_equal(acq.reqid, 7);
	/* The AH request of the same policy: its own ACQUIRE. */
	kernel_acquire(SADB_SATYPE_AH, "10.0.1.5", "10.0.2.5", 0x2002);
	assert_int_equal(ikd_pf_parse_acquire(&m, &acq, &id), 0);
	assert_int_equal(acq.proto, IPPROTO_AH);
	acq.pol = bundle_policy();
	assert_int_equal(ikd_pf_acquire_pick(&acq), 0);
	assert_int_equal(acq.mode, IKD_MODE_TRANSPORT);
	assert_int_equal(acq.reqid, 0);
	/* IPcomp: the policy has no such request. */
	kernel_acquire(SADB_X_SATYPE_IPCOMP, "10.0.1.5", "10.0.2.5", 0x2002);
	assert_int_equal(ikd_pf_parse_acquire(&m, &acq, &id), 0);
	acq.pol = bundle_policy();
	assert_int_equal(ikd_pf_acquire_pick(&acq), -ENOENT);
	/* Two ESP tunnels nested: the one whose endpoints match. */
	kernel_acquire(SADB_SATYPE_ESP, "192.0.2.1", "192.0.2.2", 0x2002);
	assert_int_equal(ikd_pf_parse_acquire(&m, &acq, &id), 0);
	acq.pol = bundle_policy();
	acq.pol.req[1] = (struct ikd_kernel_req){ IPPROTO_ESP, IKD_MODE_TUNNEL,
		IPSEC_LEVEL_UNIQUE, 9, A("192.0.2.1"), A("192.0.2.2") };
	assert_int_equal(ikd_pf_acquire_pick(&acq), 0);
	assert_int_equal(acq.reqid, 9);
	/* No policy extension: malformed for ikd. */
	pfkey_buf_init(&b, buf, sizeof(buf));
	pfkey_msg_begin(&b, SADB_ACQUIRE, SADB_SATYPE_ESP, 31, 0);
	assert_int_equal(pfkey_msg_end(&b), 0);
	assert_int_equal(pfkey_parse(buf, b.len, &m), 0);
	assert_int_equal(ikd_pf_parse_acquire(&m, &acq, &id), -EINVAL);
}

/* A kipsec interface's ACQUIRE (if_kipsec.h): policy id 0, its request
 * (ESP, tunnel, unique with the interface's reqid) in the x_policy, which
 * on_acquire() reads in place of a policy fetched by id. */
static void test_acquire_interface(void **state)
{
	struct ikd_addr s = A("192.0.2.1"), d = A("198.51.100.2");
	struct sockaddr_storage ss, ds;
	struct pfkey_policy_req r = { IPPROTO_ESP, IPSEC_MODE_TUNNEL,
				      IPSEC_LEVEL_UNIQUE, 100,
				      (void *)&ss, (void *)&ds };
	struct ikd_acquire acq;
	uint32_t id = 1;

	(void)state;
	ikd_addr_to_sockaddr(&s, &ss);
	ikd_addr_to_sockaddr(&d, &ds);
	pfkey_buf_init(&b, buf, sizeof(buf));
	pfkey_msg_begin(&b, SADB_ACQUIRE, SADB_SATYPE_ESP, 32, 0);
	pfkey_add_address(&b, SADB_EXT_ADDRESS_SRC, (void *)&ss, 32, 0);
	pfkey_add_address(&b, SADB_EXT_ADDRESS_DST, (void *)&ds, 32, 0);
	assert_int_equal(pfkey_add_policy_reqs(&b, IPSEC_POLICY_IPSEC,
					       IPSEC_DIR_OUTBOUND, 0, 0, &r, 1),
			 0);
	assert_int_equal(pfkey_msg_end(&b), 0);
	assert_int_equal(pfkey_parse(buf, b.len, &m), 0);
	assert_int_equal(ikd_pf_parse_acquire(&m, &acq, &id), 0);
	assert_int_equal(id, 0);
	assert_int_equal(ikd_pf_parse_policy(&m, &acq.pol), 0);
	assert_int_equal(acq.pol.id, 0);
	assert_int_equal(acq.pol.dir, IKD_DIR_OUT);
	assert_int_equal(acq.pol.nreqs, 1);
	assert_int_equal(ikd_pf_acquire_pick(&acq), 0);
	assert_int_equal(acq.mode, IKD_MODE_TUNNEL);
	assert_int_equal(acq.reqid, 100);
	assert_true(ikd_addr_eq(&acq.src, &s));
	assert_true(ikd_addr_eq(&acq.dst, &d));
}

static void kernel_expire(bool soft, bool hard)
{
	struct sockaddr_in s = { .sin_family = AF_INET }, d = s;

	inet_pton(AF_INET, "10.1.1.1", &s.sin_addr);
	inet_pton(AF_INET, "20.1.1.1", &d.sin_addr);
	pfkey_buf_init(&b, buf, sizeof(buf));
	pfkey_msg_begin(&b, SADB_EXPIRE, SADB_SATYPE_ESP, 0, 0);
	pfkey_add_sa(&b, htonl(0x1001), 32, SADB_SASTATE_DYING, 2, 12, 0);
	pfkey_add_lifetime(&b, SADB_EXT_LIFETIME_CURRENT, 12, 123456, 1700000000, 0);
	if (hard)
		pfkey_add_lifetime(&b, SADB_EXT_LIFETIME_HARD, 0, 200000, 0, 0);
	if (soft)
		pfkey_add_lifetime(&b, SADB_EXT_LIFETIME_SOFT, 0, 100000, 0, 0);
	pfkey_add_address(&b, SADB_EXT_ADDRESS_SRC, (void *)&s, 0xff, 255);
	pfkey_add_address(&b, SADB_EXT_ADDRESS_DST, (void *)&d, 0xff, 255);
	assert_int_equal(pfkey_msg_end(&b), 0);
	assert_int_equal(pfkey_parse(buf, b.len, &m), 0);
}

static void test_expire_and_use(void **state)
{
	struct ikd_expire exp;
	struct ikd_sa_use use;

	(void)state;
	kernel_expire(true, false);
	assert_int_equal(ikd_pf_parse_expire(&m, &exp), 0);
	assert_false(exp.hard);
	assert_int_equal(exp.proto, IPPROTO_ESP);
	assert_int_equal(ntohl(exp.spi), 0x1001);
	assert_int_equal(exp.bytes, 123456);
	assert_true(ikd_addr_eq(&exp.dst, &(struct ikd_addr){ .family = AF_INET,
				.v4.s_addr = htonl(0x14010101) }));
	kernel_expire(false, true);
	assert_int_equal(ikd_pf_parse_expire(&m, &exp), 0);
	assert_true(exp.hard);
	/* Neither, or both: which one expired? */
	kernel_expire(true, true);
	assert_int_equal(ikd_pf_parse_expire(&m, &exp), -EINVAL);
	kernel_expire(false, false);
	assert_int_equal(ikd_pf_parse_expire(&m, &exp), -EINVAL);
	/* A GET reply's current lifetime. */
	assert_int_equal(ikd_pf_parse_sa_use(&m, &use), 0);
	assert_int_equal(use.bytes, 123456);
	assert_int_equal(use.packets, 12);
	assert_int_equal(use.added, 1700000000);
	assert_int_equal(use.last_used, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_esp_gcm),
		cmocka_unit_test(test_esp_cbc_sha2),
		cmocka_unit_test(test_3des_null_chacha),
		cmocka_unit_test(test_replay_esn),
		cmocka_unit_test(test_natt),
		cmocka_unit_test(test_ah_ipcomp),
		cmocka_unit_test(test_small_buffer),
		cmocka_unit_test(test_getspi_get_delete),
		cmocka_unit_test(test_spd_round_trip),
		cmocka_unit_test(test_acquire),
		cmocka_unit_test(test_acquire_interface),
		cmocka_unit_test(test_expire_and_use),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
