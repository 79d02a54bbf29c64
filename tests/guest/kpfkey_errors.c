// SPDX-License-Identifier: BSD-2-Clause
/*
 * kipsec.ko's PF_KEY validation, error by error (run in the guest by
 * tests/guest/kpfkey_msgs.sh): untrustworthy headers get no reply and fail
 * the write; every other error is a reply with the header echoed and
 * sadb_msg_errno set, and write() succeeds (as af_key: the error is the
 * reply's to tell).
 */
#include "kpfkey_lib.h"

static struct kmsg req, rep;

/* ---- errors ----------------------------------------------------------- */

/* A header the kernel cannot trust gets no reply, only the write() error. */
static void test_bad_headers(int fd)
{
	struct sadb_msg h;

	memset(&h, 0, sizeof(h));
	h.sadb_msg_version = PF_KEY_V2;
	h.sadb_msg_type = SADB_FLUSH;
	h.sadb_msg_len = 2;
	CHECK(ksend_raw(fd, &h, 8) == EMSGSIZE, "short message");
	h.sadb_msg_version = 1;
	CHECK(ksend_raw(fd, &h, sizeof(h)) == EINVAL, "bad version");
	h.sadb_msg_version = PF_KEY_V2;
	h.sadb_msg_reserved = 1;
	CHECK(ksend_raw(fd, &h, sizeof(h)) == EINVAL, "reserved set");
	h.sadb_msg_reserved = 0;
	h.sadb_msg_type = 0;
	CHECK(ksend_raw(fd, &h, sizeof(h)) == EINVAL, "type 0");
	h.sadb_msg_type = SADB_MAX + 1;
	CHECK(ksend_raw(fd, &h, sizeof(h)) == EINVAL, "type > max");
	h.sadb_msg_type = SADB_FLUSH;
	h.sadb_msg_len = 3;
	CHECK(ksend_raw(fd, &h, sizeof(h)) == EMSGSIZE, "len > actual");
	h.sadb_msg_len = 1;
	CHECK(ksend_raw(fd, &h, sizeof(h)) == EMSGSIZE, "len < actual");
	CHECK(kquiet(fd, 200), "a bad header got a reply");
}

static void test_bad_exts(int fd)
{
	struct sadb_ext *e;

	/* Extension longer than the message. */
	sa_key_msg(&req, SADB_GET, SADB_SATYPE_ESP, 0x1000);
	((struct sadb_ext *)kmsg_find(&req, SADB_EXT_SA))->sadb_ext_len = 40;
	KREQ(fd, &req, &rep, EINVAL);
	/* Zero-length extension. */
	sa_key_msg(&req, SADB_GET, SADB_SATYPE_ESP, 0x1000);
	((struct sadb_ext *)kmsg_find(&req, SADB_EXT_SA))->sadb_ext_len = 0;
	KREQ(fd, &req, &rep, EINVAL);
	/* Duplicate extension. */
	sa_key_msg(&req, SADB_GET, SADB_SATYPE_ESP, 0x1000);
	kmsg_sa(&req, 0x1000, 0, 0);
	KREQ(fd, &req, &rep, EINVAL);
	/* Unknown extension types: 0, 27 (between Linux's and ours), 200. */
	for (unsigned int t = 0; t < 3; t++) {
		sa_key_msg(&req, SADB_GET, SADB_SATYPE_ESP, 0x1000);
		e = kmsg_ext(&req, 0, 8);
		e->sadb_ext_type = (uint16_t[]){ 0, 27, 200 }[t];
		KREQ(fd, &req, &rep, EINVAL);
	}
	/* SA extension shorter than struct sadb_sa. */
	kmsg_init(&req, SADB_GET, SADB_SATYPE_ESP);
	kmsg_ext(&req, SADB_EXT_SA, 8);
	kmsg_addr(&req, SADB_EXT_ADDRESS_SRC, SRC, 32, 0, 0);
	kmsg_addr(&req, SADB_EXT_ADDRESS_DST, DST, 32, 0, 0);
	KREQ(fd, &req, &rep, EINVAL);
	/* Missing a required extension. */
	kmsg_init(&req, SADB_GET, SADB_SATYPE_ESP);
	kmsg_sa(&req, 0x1000, 0, 0);
	kmsg_addr(&req, SADB_EXT_ADDRESS_DST, DST, 32, 0, 0);
	KREQ(fd, &req, &rep, EINVAL);
}

static void test_bad_addresses(int fd)
{
	struct sadb_address *a;

	/* Unknown sockaddr family. */
	sa_key_msg(&req, SADB_GET, SADB_SATYPE_ESP, 0x1000);
	a = kmsg_find(&req, SADB_EXT_ADDRESS_DST);
	((struct sockaddr *)(a + 1))->sa_family = AF_UNIX;
	KREQ(fd, &req, &rep, EINVAL);
	/* IPv6 sockaddr in an extension sized for IPv4. */
	sa_key_msg(&req, SADB_GET, SADB_SATYPE_ESP, 0x1000);
	a = kmsg_find(&req, SADB_EXT_ADDRESS_DST);
	((struct sockaddr *)(a + 1))->sa_family = AF_INET6;
	KREQ(fd, &req, &rep, EINVAL);
	/* Prefix longer than the address. */
	kmsg_init(&req, SADB_GET, SADB_SATYPE_ESP);
	kmsg_sa(&req, 0x1000, 0, 0);
	kmsg_addr(&req, SADB_EXT_ADDRESS_SRC, SRC, 33, 0, 0);
	kmsg_addr(&req, SADB_EXT_ADDRESS_DST, DST, 32, 0, 0);
	KREQ(fd, &req, &rep, EINVAL);
	/* Source and destination of different families. */
	kmsg_init(&req, SADB_GET, SADB_SATYPE_ESP);
	kmsg_sa(&req, 0x1000, 0, 0);
	kmsg_addr(&req, SADB_EXT_ADDRESS_SRC, SRC, 32, 0, 0);
	kmsg_addr(&req, SADB_EXT_ADDRESS_DST, "fd00::2", 128, 0, 0);
	KREQ(fd, &req, &rep, EINVAL);
}

static void test_bad_sas(int fd)
{
	/* SA types: unknown, and one RFC 2367 names but kipsec has no SAs of. */
	sa_key_msg(&req, SADB_GET, 200, 0x1000);
	KREQ(fd, &req, &rep, EINVAL);
	sa_key_msg(&req, SADB_GET, SADB_SATYPE_RSVP, 0x1000);
	KREQ(fd, &req, &rep, EINVAL);
	/* Unknown algorithms. */
	esp_add_msg(&req, SADB_ADD, 0x2000, SRC, DST);
	((struct sadb_sa *)kmsg_find(&req, SADB_EXT_SA))->sadb_sa_encrypt = 99;
	KREQ(fd, &req, &rep, EINVAL);
	esp_add_msg(&req, SADB_ADD, 0x2000, SRC, DST);
	((struct sadb_sa *)kmsg_find(&req, SADB_EXT_SA))->sadb_sa_auth = 99;
	KREQ(fd, &req, &rep, EINVAL);
	/* Wrong key lengths: AES 100 bits, SHA-256 with a 160-bit key. */
	kmsg_init(&req, SADB_ADD, SADB_SATYPE_ESP);
	kmsg_sa(&req, 0x2000, SADB_X_AALG_SHA2_256HMAC, SADB_X_EALG_AESCBC);
	kmsg_addr(&req, SADB_EXT_ADDRESS_SRC, SRC, 32, 0, 0);
	kmsg_addr(&req, SADB_EXT_ADDRESS_DST, DST, 32, 0, 0);
	kmsg_key(&req, SADB_EXT_KEY_AUTH, 256);
	kmsg_key(&req, SADB_EXT_KEY_ENCRYPT, 100);
	KREQ(fd, &req, &rep, EINVAL);
	kmsg_init(&req, SADB_ADD, SADB_SATYPE_ESP);
	kmsg_sa(&req, 0x2000, SADB_X_AALG_SHA2_256HMAC, SADB_X_EALG_AESCBC);
	kmsg_addr(&req, SADB_EXT_ADDRESS_SRC, SRC, 32, 0, 0);
	kmsg_addr(&req, SADB_EXT_ADDRESS_DST, DST, 32, 0, 0);
	kmsg_key(&req, SADB_EXT_KEY_AUTH, 160);
	kmsg_key(&req, SADB_EXT_KEY_ENCRYPT, 128);
	KREQ(fd, &req, &rep, EINVAL);
	/* Key bits claiming more than the extension holds. */
	esp_add_msg(&req, SADB_ADD, 0x2000, SRC, DST);
	((struct sadb_key *)kmsg_find(&req, SADB_EXT_KEY_ENCRYPT))->sadb_key_bits = 256;
	KREQ(fd, &req, &rep, EINVAL);
	/* A key missing; AH with encryption; AEAD with separate auth. */
	kmsg_init(&req, SADB_ADD, SADB_SATYPE_ESP);
	kmsg_sa(&req, 0x2000, 0, SADB_X_EALG_AESCBC);
	kmsg_addr(&req, SADB_EXT_ADDRESS_SRC, SRC, 32, 0, 0);
	kmsg_addr(&req, SADB_EXT_ADDRESS_DST, DST, 32, 0, 0);
	KREQ(fd, &req, &rep, EINVAL);
	esp_add_msg(&req, SADB_ADD, 0x2000, SRC, DST);
	kmsg_hdr(&req)->sadb_msg_satype = SADB_SATYPE_AH;
	KREQ(fd, &req, &rep, EINVAL);
	kmsg_init(&req, SADB_ADD, SADB_SATYPE_ESP);
	kmsg_sa(&req, 0x2000, SADB_X_AALG_SHA2_256HMAC, SADB_X_EALG_AES_GCM_ICV16);
	kmsg_addr(&req, SADB_EXT_ADDRESS_SRC, SRC, 32, 0, 0);
	kmsg_addr(&req, SADB_EXT_ADDRESS_DST, DST, 32, 0, 0);
	kmsg_key(&req, SADB_EXT_KEY_AUTH, 256);
	kmsg_key(&req, SADB_EXT_KEY_ENCRYPT, 160);
	KREQ(fd, &req, &rep, EINVAL);
	/* Reserved SPI. */
	esp_add_msg(&req, SADB_ADD, 0x20, SRC, DST);
	KREQ(fd, &req, &rep, EINVAL);
	/* kipsec extension: bad flags, window too big, ICV bits for SHA-1. */
	for (unsigned int i = 0; i < 3; i++) {
		struct sadb_x_kipsec_sa *kx;

		esp_add_msg(&req, SADB_ADD, 0x2000, SRC, DST);
		kx = kmsg_ext(&req, SADB_X_EXT_KIPSEC_SA, sizeof(*kx));
		if (i == 0)
			kx->sadb_x_kipsec_sa_flags = 0x8000;
		if (i == 1)
			kx->sadb_x_kipsec_sa_replay = KIPSEC_REPLAY_MAX + 1;
		if (i == 2)
			kx->sadb_x_kipsec_sa_icvbits = 64;
		KREQ(fd, &req, &rep, EINVAL);
	}
	/* Messages the kernel only sends. */
	kmsg_init(&req, SADB_EXPIRE, SADB_SATYPE_ESP);
	KREQ(fd, &req, &rep, EOPNOTSUPP);
	kmsg_init(&req, SADB_X_SPDEXPIRE, 0);
	KREQ(fd, &req, &rep, EOPNOTSUPP);
}

static void test_bad_policies(int fd)
{
	struct sadb_x_policy *p;

	/* Bad direction and type. */
	spd_msg(&req, SADB_X_SPDADD, SRC, DST, 32, 0, IPSEC_POLICY_NONE, 0);
	KREQ(fd, &req, &rep, EINVAL);
	spd_msg(&req, SADB_X_SPDADD, SRC, DST, 32, 4, IPSEC_POLICY_NONE, 0);
	KREQ(fd, &req, &rep, EINVAL);
	spd_msg(&req, SADB_X_SPDADD, SRC, DST, 32, IPSEC_DIR_OUTBOUND,
		IPSEC_POLICY_BYPASS + 1, 0);
	KREQ(fd, &req, &rep, EINVAL);
	/* Request length past the extension, and not a multiple of 8. */
	spd_msg(&req, SADB_X_SPDADD, SRC, DST, 32, IPSEC_DIR_OUTBOUND,
		IPSEC_POLICY_IPSEC, 0);
	p = kmsg_find(&req, SADB_X_EXT_POLICY);
	((struct sadb_x_ipsecrequest *)(p + 1))->sadb_x_ipsecrequest_len = 64;
	KREQ(fd, &req, &rep, EINVAL);
	((struct sadb_x_ipsecrequest *)(p + 1))->sadb_x_ipsecrequest_len = 12;
	kmsg_hdr(&req)->sadb_msg_seq = kseq++;
	KREQ(fd, &req, &rep, EINVAL);
	/* Five requests; a tunnel without endpoints; an unknown protocol. */
	kmsg_init(&req, SADB_X_SPDADD, 0);
	kmsg_addr(&req, SADB_EXT_ADDRESS_SRC, SRC, 32, IPSEC_ULPROTO_ANY, 0);
	kmsg_addr(&req, SADB_EXT_ADDRESS_DST, DST, 32, IPSEC_ULPROTO_ANY, 0);
	p = kmsg_policy(&req, IPSEC_DIR_OUTBOUND, IPSEC_POLICY_IPSEC, 0, 0);
	for (int i = 0; i < 5; i++)
		kmsg_req(&req, IPPROTO_ESP, IPSEC_MODE_TRANSPORT,
			 IPSEC_LEVEL_REQUIRE, 0, NULL, NULL);
	kmsg_policy_end(&req, p);
	KREQ(fd, &req, &rep, EINVAL);
	kmsg_init(&req, SADB_X_SPDADD, 0);
	kmsg_addr(&req, SADB_EXT_ADDRESS_SRC, SRC, 32, IPSEC_ULPROTO_ANY, 0);
	kmsg_addr(&req, SADB_EXT_ADDRESS_DST, DST, 32, IPSEC_ULPROTO_ANY, 0);
	p = kmsg_policy(&req, IPSEC_DIR_OUTBOUND, IPSEC_POLICY_IPSEC, 0, 0);
	kmsg_req(&req, IPPROTO_ESP, IPSEC_MODE_TUNNEL, IPSEC_LEVEL_REQUIRE, 0,
		 NULL, NULL);
	kmsg_policy_end(&req, p);
	KREQ(fd, &req, &rep, EINVAL);
	kmsg_init(&req, SADB_X_SPDADD, 0);
	kmsg_addr(&req, SADB_EXT_ADDRESS_SRC, SRC, 32, IPSEC_ULPROTO_ANY, 0);
	kmsg_addr(&req, SADB_EXT_ADDRESS_DST, DST, 32, IPSEC_ULPROTO_ANY, 0);
	p = kmsg_policy(&req, IPSEC_DIR_OUTBOUND, IPSEC_POLICY_IPSEC, 0, 0);
	kmsg_req(&req, IPPROTO_UDP, IPSEC_MODE_TRANSPORT, IPSEC_LEVEL_REQUIRE,
		 0, NULL, NULL);
	kmsg_policy_end(&req, p);
	KREQ(fd, &req, &rep, EINVAL);
	/* IPsec with no request at all. */
	kmsg_init(&req, SADB_X_SPDADD, 0);
	kmsg_addr(&req, SADB_EXT_ADDRESS_SRC, SRC, 32, IPSEC_ULPROTO_ANY, 0);
	kmsg_addr(&req, SADB_EXT_ADDRESS_DST, DST, 32, IPSEC_ULPROTO_ANY, 0);
	p = kmsg_policy(&req, IPSEC_DIR_OUTBOUND, IPSEC_POLICY_IPSEC, 0, 0);
	kmsg_policy_end(&req, p);
	KREQ(fd, &req, &rep, EINVAL);
	/* Ids with a direction that does not exist; unknown ids. */
	kmsg_init(&req, SADB_X_SPDGET, 0);
	p = kmsg_policy(&req, 0, 0, 8 | 3, 0);
	kmsg_policy_end(&req, p);
	KREQ(fd, &req, &rep, EINVAL);
	kmsg_init(&req, SADB_X_SPDDELETE2, 0);
	p = kmsg_policy(&req, 0, 0, 0x7ff8, 0);
	kmsg_policy_end(&req, p);
	KREQ(fd, &req, &rep, ENOENT);
}

static void test_errors(void)
{
	int fd = kopen();

	test_bad_headers(fd);
	test_bad_exts(fd);
	test_bad_addresses(fd);
	test_bad_sas(fd);
	test_bad_policies(fd);
	CHECK(kquiet(fd, 200), "stray message");
	close(fd);
	puts("errors: ok");
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	test_errors();
	return 0;
}
