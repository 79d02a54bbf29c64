// SPDX-License-Identifier: BSD-2-Clause
/*
 * kipsec.ko's PF_KEY control plane, message by message (run in the guest
 * by tests/guest/kpfkey_*.sh):
 *
 *   kpfkey_msgs sa         GETSPI/UPDATE/ADD/GET/DELETE/FLUSH/DUMP/REGISTER
 *   kpfkey_msgs spd        SPDADD/UPDATE/GET/DELETE/DELETE2/DUMP/FLUSH
 *   kpfkey_msgs delivery   who gets what: plain, registered, promiscuous
 *   kpfkey_msgs expire     soft then hard EXPIRE from short lifetimes
 *   kpfkey_msgs larval S   a GETSPI SA is gone after S seconds (sysctl)
 *   kpfkey_msgs bulk N     N SAs and N policies, slow-reader dumps, flush
 *   kpfkey_msgs add SPI    add one ESP SA;  kpfkey_msgs count  SAs dumped
 *   kpfkey_msgs kxlen      a longer SADB_X_EXT_KIPSEC_SA: every copy parses
 *   kpfkey_msgs regrace N  N rounds of two threads REGISTERing one socket
 *   kpfkey_msgs churn N    N SAs and N policies dumped while deleting
 *   kpfkey_msgs addmany N  add ESP SAs 0x10000..0x10000+N-1
 *   kpfkey_msgs delmany N STEP FIRST  delete every STEP-th of those from FIRST
 */
#include <pthread.h>
#include <kipsec/libpfkey.h>
#include "kpfkey_lib.h"

static struct kmsg req, rep;

/* ---- SAs -------------------------------------------------------------- */

static uint32_t getspi(int fd, uint8_t satype, uint32_t min, uint32_t max,
		       int want)
{
	struct sadb_sa *sa;

	kmsg_init(&req, SADB_GETSPI, satype);
	kmsg_addr(&req, SADB_EXT_ADDRESS_SRC, SRC, 32, 0, 0);
	kmsg_addr(&req, SADB_EXT_ADDRESS_DST, DST, 32, 0, 0);
	if (min)
		kmsg_spirange(&req, min, max);
	KREQ(fd, &req, &rep, want);
	if (want)
		return 0;
	sa = kmsg_find(&rep, SADB_EXT_SA);
	CHECK(sa, "GETSPI reply has no SA");
	return ntohl(sa->sadb_sa_spi);
}

static void test_getspi(int fd)
{
	uint32_t spi, seen = 0;

	spi = getspi(fd, SADB_SATYPE_ESP, 0, 0, 0);
	CHECK(spi >= 0x100 && spi <= 0x0fffffff, "spi %#x", spi);
	/* A range of 4: four SPIs, all distinct, then exhaustion. */
	for (int i = 0; i < 4; i++) {
		spi = getspi(fd, SADB_SATYPE_ESP, 0x300, 0x303, 0);
		CHECK(spi >= 0x300 && spi <= 0x303, "spi %#x", spi);
		CHECK(!(seen & (1u << (spi - 0x300))), "spi %#x twice", spi);
		seen |= 1u << (spi - 0x300);
	}
	getspi(fd, SADB_SATYPE_ESP, 0x300, 0x303, ENOENT);
	/* A single-SPI range that is taken; then ranges that are invalid. */
	getspi(fd, SADB_SATYPE_ESP, 0x301, 0x301, EEXIST);
	getspi(fd, SADB_SATYPE_ESP, 0x500, 0x400, EINVAL);
	getspi(fd, SADB_SATYPE_ESP, 0x10, 0x400, EINVAL);
	getspi(fd, SADB_X_SATYPE_IPCOMP, 0x100, 0x10000, EINVAL);
	spi = getspi(fd, SADB_X_SATYPE_IPCOMP, 0, 0, 0);
	CHECK(spi >= 0x100 && spi <= 0xffff, "cpi %#x", spi);

	/* UPDATE completes a larval SA... */
	esp_add_msg(&req, SADB_UPDATE, 0x302, SRC, DST);
	KREQ(fd, &req, &rep, 0);
	CHECK(((struct sadb_sa *)kmsg_find(&rep, SADB_EXT_SA))->sadb_sa_state ==
	      SADB_SASTATE_MATURE, "updated SA not mature");
	CHECK(!kmsg_find(&rep, SADB_EXT_KEY_AUTH), "UPDATE reply carries keys");
	/* ...but not a mature one, nor one that does not exist. */
	esp_add_msg(&req, SADB_UPDATE, 0x302, SRC, DST);
	KREQ(fd, &req, &rep, EINVAL);
	esp_add_msg(&req, SADB_UPDATE, 0x7777, SRC, DST);
	KREQ(fd, &req, &rep, ENOENT);
	/* ADD over a larval SA's SPI collides. */
	esp_add_msg(&req, SADB_ADD, 0x300, SRC, DST);
	KREQ(fd, &req, &rep, EEXIST);
}

/* NAT-T message @i of test_natt(): see the cases there. */
static void natt_msg(unsigned int i, uint32_t spi)
{
	struct sadb_x_nat_t_type *t;
	struct sadb_x_nat_t_port *p;

	if (i == 7)
		esp_add_msg(&req, SADB_ADD, spi, "fd00::1", "fd00::2");
	else
		esp_add_msg(&req, SADB_ADD, spi, SRC, DST);
	if (i == 8) {	/* a valid AH SA, but NAT-T is ESP's */
		kmsg_init(&req, SADB_ADD, SADB_SATYPE_AH);
		kmsg_sa(&req, spi, SADB_AALG_SHA1HMAC, 0);
		kmsg_addr(&req, SADB_EXT_ADDRESS_SRC, SRC, 32, 0, 0);
		kmsg_addr(&req, SADB_EXT_ADDRESS_DST, DST, 32, 0, 0);
		kmsg_key(&req, SADB_EXT_KEY_AUTH, 160);
	}
	if (i != 3 && i != 6) {
		t = kmsg_ext(&req, SADB_X_EXT_NAT_T_TYPE, sizeof(*t));
		t->sadb_x_nat_t_type_type = i == 4 ? 7 : i == 5 ? 1 : 2;
	}
	if (i != 6) {
		p = kmsg_ext(&req, SADB_X_EXT_NAT_T_SPORT, sizeof(*p));
		p->sadb_x_nat_t_port_port = htons(i == 9 ? 0 : 4500);
	}
	if (i != 2 && i != 6) {
		p = kmsg_ext(&req, SADB_X_EXT_NAT_T_DPORT, sizeof(*p));
		p->sadb_x_nat_t_port_port = htons(4501);
	}
	if (i == 1 || i == 6)
		kmsg_addr(&req, SADB_X_EXT_NAT_T_OA, "192.0.2.9", 32, 0, 0);
}

/*
 * ESP in UDP: stored and returned as af_key returns it (type, source and
 * destination port; no NAT-OA); refused with EINVAL: 2 a port missing,
 * 3 ports without a type, 4 an unknown type, 5 UDP_ENCAP_ESPINUDP_NON_IKE,
 * 6 NAT-OA without a type, 7 IPv6, 8 AH, 9 port 0.
 */
static void test_natt(int fd)
{
	for (unsigned int i = 0; i < 10; i++) {
		natt_msg(i, 0x1006 + i);
		KREQ(fd, &req, &rep, i < 2 ? 0 : EINVAL);
	}
	for (unsigned int i = 0; i < 2; i++) {
		struct sadb_x_nat_t_port *sp, *dp;
		struct sadb_x_nat_t_type *t;

		sa_key_msg(&req, SADB_GET, SADB_SATYPE_ESP, 0x1006 + i);
		KREQ(fd, &req, &rep, 0);
		t = kmsg_find(&rep, SADB_X_EXT_NAT_T_TYPE);
		sp = kmsg_find(&rep, SADB_X_EXT_NAT_T_SPORT);
		dp = kmsg_find(&rep, SADB_X_EXT_NAT_T_DPORT);
		CHECK(t && t->sadb_x_nat_t_type_type == 2 && sp && dp &&
		      ntohs(sp->sadb_x_nat_t_port_port) == 4500 &&
		      ntohs(dp->sadb_x_nat_t_port_port) == 4501 &&
		      !kmsg_find(&rep, SADB_X_EXT_NAT_T_OA), "GET: NAT-T %u", i);
		sa_key_msg(&req, SADB_DELETE, SADB_SATYPE_ESP, 0x1006 + i);
		KREQ(fd, &req, &rep, 0);
	}
	/* A plain ESP SA has none of them. */
	sa_key_msg(&req, SADB_GET, SADB_SATYPE_ESP, 0x1000);
	KREQ(fd, &req, &rep, 0);
	CHECK(!kmsg_find(&rep, SADB_X_EXT_NAT_T_TYPE) &&
	      !kmsg_find(&rep, SADB_X_EXT_NAT_T_SPORT), "GET: NAT-T on plain ESP");
}

static void test_add_get_delete(int fd)
{
	struct sadb_x_kipsec_sa *kx;
	struct sadb_key *k;

	esp_add_msg(&req, SADB_ADD, 0x1000, SRC, DST);
	kx = kmsg_ext(&req, SADB_X_EXT_KIPSEC_SA, sizeof(*kx));
	kx->sadb_x_kipsec_sa_replay = 4096;
	kx->sadb_x_kipsec_sa_flags = KIPSEC_SA_F_ESN;
	kx->sadb_x_kipsec_sa_icvbits = 96;
	KREQ(fd, &req, &rep, 0);
	esp_add_msg(&req, SADB_ADD, 0x1000, SRC, DST);
	KREQ(fd, &req, &rep, EEXIST);
	/* Same SPI to another destination, and over IPv6, are other SAs. */
	esp_add_msg(&req, SADB_ADD, 0x1000, SRC, "10.0.0.3");
	KREQ(fd, &req, &rep, 0);
	esp_add_msg(&req, SADB_ADD, 0x1000, "fd00::1", "fd00::2");
	KREQ(fd, &req, &rep, 0);
	/* AH, AES-GCM, ChaCha20-Poly1305, NULL encryption, IPcomp. */
	kmsg_init(&req, SADB_ADD, SADB_SATYPE_AH);
	kmsg_sa(&req, 0x1001, SADB_AALG_SHA1HMAC, 0);
	kmsg_addr(&req, SADB_EXT_ADDRESS_SRC, SRC, 32, 0, 0);
	kmsg_addr(&req, SADB_EXT_ADDRESS_DST, DST, 32, 0, 0);
	kmsg_key(&req, SADB_EXT_KEY_AUTH, 160);
	KREQ(fd, &req, &rep, 0);
	kmsg_init(&req, SADB_ADD, SADB_SATYPE_ESP);
	kmsg_sa(&req, 0x1002, 0, SADB_X_EALG_AES_GCM_ICV16);
	kmsg_addr(&req, SADB_EXT_ADDRESS_SRC, SRC, 32, 0, 0);
	kmsg_addr(&req, SADB_EXT_ADDRESS_DST, DST, 32, 0, 0);
	kmsg_key(&req, SADB_EXT_KEY_ENCRYPT, 288);
	KREQ(fd, &req, &rep, 0);
	kmsg_init(&req, SADB_ADD, SADB_SATYPE_ESP);
	kmsg_sa(&req, 0x1003, 0, SADB_X_EALG_CHACHA20_POLY1305);
	kmsg_addr(&req, SADB_EXT_ADDRESS_SRC, SRC, 32, 0, 0);
	kmsg_addr(&req, SADB_EXT_ADDRESS_DST, DST, 32, 0, 0);
	kmsg_key(&req, SADB_EXT_KEY_ENCRYPT, 288);
	KREQ(fd, &req, &rep, 0);
	kmsg_init(&req, SADB_ADD, SADB_SATYPE_ESP);
	kmsg_sa(&req, 0x1004, SADB_AALG_MD5HMAC, SADB_EALG_NULL);
	kmsg_addr(&req, SADB_EXT_ADDRESS_SRC, SRC, 32, 0, 0);
	kmsg_addr(&req, SADB_EXT_ADDRESS_DST, DST, 32, 0, 0);
	kmsg_key(&req, SADB_EXT_KEY_AUTH, 128);
	KREQ(fd, &req, &rep, 0);
	kmsg_init(&req, SADB_ADD, SADB_X_SATYPE_IPCOMP);
	kmsg_sa(&req, 0x1005, 0, SADB_X_CALG_DEFLATE);
	kmsg_addr(&req, SADB_EXT_ADDRESS_SRC, SRC, 32, 0, 0);
	kmsg_addr(&req, SADB_EXT_ADDRESS_DST, DST, 32, 0, 0);
	KREQ(fd, &req, &rep, 0);

	test_natt(fd);

	/* GET returns the keys and the kipsec extension as stored. */
	sa_key_msg(&req, SADB_GET, SADB_SATYPE_ESP, 0x1000);
	KREQ(fd, &req, &rep, 0);
	k = kmsg_find(&rep, SADB_EXT_KEY_ENCRYPT);
	CHECK(k && k->sadb_key_bits == 128 && ((uint8_t *)(k + 1))[0] == 0xa5,
	      "GET: encryption key");
	kx = kmsg_find(&rep, SADB_X_EXT_KIPSEC_SA);
	CHECK(kx && kx->sadb_x_kipsec_sa_replay == 4096 &&
	      kx->sadb_x_kipsec_sa_flags == KIPSEC_SA_F_ESN &&
	      kx->sadb_x_kipsec_sa_icvbits == 96, "GET: kipsec extension");
	CHECK(kmsg_find(&rep, SADB_EXT_LIFETIME_CURRENT), "GET: no current lifetime");
	sa_key_msg(&req, SADB_GET, SADB_SATYPE_AH, 0x1000);
	KREQ(fd, &req, &rep, ENOENT);

	sa_key_msg(&req, SADB_DELETE, SADB_SATYPE_ESP, 0x1000);
	KREQ(fd, &req, &rep, 0);
	CHECK(!kmsg_find(&rep, SADB_EXT_KEY_ENCRYPT), "DELETE reply has keys");
	KREQ(fd, &req, &rep, ENOENT);
	sa_key_msg(&req, SADB_GET, SADB_SATYPE_ESP, 0x1000);
	KREQ(fd, &req, &rep, ENOENT);
}

/* DUMP of @satype: count the messages; the last has seq 0. */
static unsigned int dump_count(int fd, uint8_t type, uint8_t satype)
{
	unsigned int n = 0;

	kmsg_init(&req, type, satype);
	CHECK(ksend(fd, &req) == 0 || 1, "dump");
	for (;;) {
		struct sadb_msg *h;

		CHECK(krecv(fd, &rep, 10000) > 0, "dump stalled after %u", n);
		h = kmsg_hdr(&rep);
		CHECK(h->sadb_msg_type == type, "dump: type %u", h->sadb_msg_type);
		if (h->sadb_msg_errno == ENOENT && !n)
			return 0;
		CHECK(!h->sadb_msg_errno, "dump: errno %u", h->sadb_msg_errno);
		CHECK(h->sadb_msg_pid == (uint32_t)getpid(), "dump: pid");
		n++;
		if (!h->sadb_msg_seq)
			return n;
	}
}

static void test_register(int fd)
{
	struct sadb_supported *s;
	int found = 0;

	kmsg_init(&req, SADB_REGISTER, SADB_SATYPE_ESP);
	KREQ(fd, &req, &rep, 0);
	s = kmsg_find(&rep, SADB_EXT_SUPPORTED_ENCRYPT);
	CHECK(s, "REGISTER: no encryption algorithms");
	for (struct sadb_alg *a = (void *)(s + 1);
	     (uint8_t *)a < (uint8_t *)s + s->sadb_supported_len * 8; a++)
		found |= a->sadb_alg_id == SADB_X_EALG_AESCBC;
	CHECK(found, "REGISTER: AES-CBC not listed");
	CHECK(kmsg_find(&rep, SADB_EXT_SUPPORTED_AUTH), "REGISTER: no auth");
	kmsg_init(&req, SADB_REGISTER, SADB_SATYPE_ESP);
	KREQ(fd, &req, &rep, EEXIST);
}

static void test_sa(void)
{
	int fd = kopen();

	test_register(fd);
	test_getspi(fd);
	test_add_get_delete(fd);
	/* 6 larval + 1 updated + 7 added - 1 deleted. */
	CHECK(dump_count(fd, SADB_DUMP, SADB_SATYPE_UNSPEC) == 13, "dump all");
	CHECK(dump_count(fd, SADB_DUMP, SADB_SATYPE_AH) == 1, "dump AH");
	kmsg_init(&req, SADB_FLUSH, SADB_SATYPE_AH);
	KREQ(fd, &req, &rep, 0);
	CHECK(dump_count(fd, SADB_DUMP, SADB_SATYPE_AH) == 0, "AH flushed");
	CHECK(dump_count(fd, SADB_DUMP, SADB_SATYPE_UNSPEC) == 12, "ESP kept");
	kmsg_init(&req, SADB_FLUSH, SADB_SATYPE_UNSPEC);
	KREQ(fd, &req, &rep, 0);
	CHECK(dump_count(fd, SADB_DUMP, SADB_SATYPE_UNSPEC) == 0, "flushed");
	/* As af_key: an empty dump is an ENOENT reply; write() succeeds. */
	kmsg_init(&req, SADB_DUMP, SADB_SATYPE_UNSPEC);
	KREQ(fd, &req, &rep, ENOENT);
	kmsg_init(&req, SADB_X_SPDDUMP, 0);
	KREQ(fd, &req, &rep, ENOENT);
	CHECK(kquiet(fd, 200), "stray message");
	close(fd);
	puts("sa: ok");
}

/* ---- SPD -------------------------------------------------------------- */

static uint32_t policy_id(struct kmsg *m)
{
	struct sadb_x_policy *p = kmsg_find(m, SADB_X_EXT_POLICY);

	CHECK(p, "no policy in reply");
	return p->sadb_x_policy_id;
}

static void test_spd(void)
{
	struct sadb_x_policy *p;
	uint32_t id_out, id_in, id;
	int fd = kopen();

	spd_msg(&req, SADB_X_SPDADD, "10.0.0.0", "10.1.0.0", 16,
		IPSEC_DIR_OUTBOUND, IPSEC_POLICY_IPSEC, 0x80000000);
	KREQ(fd, &req, &rep, 0);
	id_out = policy_id(&rep);
	CHECK((id_out & 7) == IPSEC_DIR_OUTBOUND - 1, "id %#x", id_out);
	KREQ(fd, &req, &rep, EEXIST);
	spd_msg(&req, SADB_X_SPDADD, "10.0.0.0", "10.1.0.0", 16,
		IPSEC_DIR_INBOUND, IPSEC_POLICY_NONE, 0x80000000);
	KREQ(fd, &req, &rep, 0);
	id_in = policy_id(&rep);
	CHECK((id_in & 7) == IPSEC_DIR_INBOUND - 1 && id_in != id_out, "ids");
	/* A tunnel bundle, IPv6, unique level: gets a reqid. */
	kmsg_init(&req, SADB_X_SPDADD, 0);
	kmsg_addr(&req, SADB_EXT_ADDRESS_SRC, "fd00:1::", 64, IPPROTO_TCP, 0);
	kmsg_addr(&req, SADB_EXT_ADDRESS_DST, "fd00:2::", 64, IPPROTO_TCP, 443);
	p = kmsg_policy(&req, IPSEC_DIR_FWD, IPSEC_POLICY_IPSEC, 0, 10);
	kmsg_req(&req, IPPROTO_COMP, IPSEC_MODE_TUNNEL, IPSEC_LEVEL_USE, 0,
		 "fd00::1", "fd00::2");
	kmsg_req(&req, IPPROTO_ESP, IPSEC_MODE_TRANSPORT, IPSEC_LEVEL_UNIQUE, 0,
		 NULL, NULL);
	kmsg_policy_end(&req, p);
	KREQ(fd, &req, &rep, 0);
	id = policy_id(&rep);
	p = kmsg_find(&rep, SADB_X_EXT_POLICY);
	{
		struct sadb_x_ipsecrequest *r1 = (void *)(p + 1);
		struct sadb_x_ipsecrequest *r2 =
			(void *)((uint8_t *)r1 + r1->sadb_x_ipsecrequest_len);

		CHECK(r1->sadb_x_ipsecrequest_len == 16 + 2 * 28, "tunnel req len");
		CHECK(r2->sadb_x_ipsecrequest_level == IPSEC_LEVEL_UNIQUE &&
		      r2->sadb_x_ipsecrequest_reqid, "unique got no reqid");
	}
	/* GET by id; UPDATE keeps the id; DELETE2 by id. */
	kmsg_init(&req, SADB_X_SPDGET, 0);
	p = kmsg_policy(&req, 0, 0, id, 0);
	kmsg_policy_end(&req, p);
	KREQ(fd, &req, &rep, 0);
	CHECK(policy_id(&rep) == id, "SPDGET id");
	spd_msg(&req, SADB_X_SPDUPDATE, "10.0.0.0", "10.1.0.0", 16,
		IPSEC_DIR_OUTBOUND, IPSEC_POLICY_DISCARD, 5);
	KREQ(fd, &req, &rep, 0);
	CHECK(policy_id(&rep) == id_out, "SPDUPDATE changed the id");
	p = kmsg_find(&rep, SADB_X_EXT_POLICY);
	CHECK(p->sadb_x_policy_type == IPSEC_POLICY_DISCARD &&
	      p->sadb_x_policy_priority == 5, "SPDUPDATE not applied");
	/* SETIDX adds like SPDADD. */
	spd_msg(&req, SADB_X_SPDSETIDX, "10.9.0.0", "10.8.0.0", 16,
		IPSEC_DIR_OUTBOUND, IPSEC_POLICY_NONE, 0);
	KREQ(fd, &req, &rep, 0);
	KREQ(fd, &req, &rep, EEXIST);
	spd_msg(&req, SADB_X_SPDDELETE, "10.9.0.0", "10.8.0.0", 16,
		IPSEC_DIR_OUTBOUND, IPSEC_POLICY_NONE, 0);
	KREQ(fd, &req, &rep, 0);
	CHECK(dump_count(fd, SADB_X_SPDDUMP, 0) == 3, "spddump 3");
	kmsg_init(&req, SADB_X_SPDDELETE2, 0);
	p = kmsg_policy(&req, 0, 0, id, 0);
	kmsg_policy_end(&req, p);
	KREQ(fd, &req, &rep, 0);
	KREQ(fd, &req, &rep, ENOENT);
	/* DELETE by selector needs the same direction. */
	spd_msg(&req, SADB_X_SPDDELETE, "10.0.0.0", "10.1.0.0", 16,
		IPSEC_DIR_FWD, IPSEC_POLICY_NONE, 0);
	KREQ(fd, &req, &rep, ENOENT);
	spd_msg(&req, SADB_X_SPDDELETE, "10.0.0.0", "10.1.0.0", 16,
		IPSEC_DIR_INBOUND, IPSEC_POLICY_NONE, 0);
	KREQ(fd, &req, &rep, 0);
	CHECK(policy_id(&rep) == id_in, "SPDDELETE removed another policy");
	CHECK(dump_count(fd, SADB_X_SPDDUMP, 0) == 1, "spddump 1");
	kmsg_init(&req, SADB_X_SPDFLUSH, 0);
	KREQ(fd, &req, &rep, 0);
	CHECK(dump_count(fd, SADB_X_SPDDUMP, 0) == 0, "spd flushed");
	CHECK(kquiet(fd, 200), "stray message");
	close(fd);
	puts("spd: ok");
}

/* ---- delivery --------------------------------------------------------- */

/* The next message on @fd is of @type (else fail). */
static void expect_msg(int fd, uint8_t type, const char *who)
{
	CHECK(krecv(fd, &rep, 2000) > 0, "%s: nothing, want type %u", who, type);
	CHECK(kmsg_hdr(&rep)->sadb_msg_type == type, "%s: type %u, want %u", who,
	      kmsg_hdr(&rep)->sadb_msg_type, type);
}

static void test_delivery(void)
{
	int a = kopen(), plain = kopen(), reg = kopen(), regah = kopen();
	int prom = kopen();

	kmsg_init(&req, SADB_REGISTER, SADB_SATYPE_ESP);
	KREQ(reg, &req, &rep, 0);
	kmsg_init(&req, SADB_REGISTER, SADB_SATYPE_AH);
	KREQ(regah, &req, &rep, 0);
	kmsg_init(&req, SADB_X_PROMISC, 1);
	KREQ(prom, &req, &rep, 0);
	/* Each PROMISC is broadcast to all; drain those. */
	expect_msg(a, SADB_X_PROMISC, "a");
	expect_msg(plain, SADB_X_PROMISC, "plain");
	expect_msg(reg, SADB_X_PROMISC, "reg");
	expect_msg(regah, SADB_X_PROMISC, "regah");

	/* REGISTER(ESP) from a: a and reg get it, regah and plain do not. */
	kmsg_init(&req, SADB_REGISTER, SADB_SATYPE_ESP);
	KREQ(a, &req, &rep, 0);
	expect_msg(reg, SADB_REGISTER, "reg");
	expect_msg(prom, SADB_REGISTER, "prom");
	CHECK(kquiet(regah, 200) && kquiet(plain, 200), "REGISTER leaked");

	/* ADD: to all. */
	esp_add_msg(&req, SADB_ADD, 0x4000, SRC, DST);
	KREQ(a, &req, &rep, 0);
	expect_msg(plain, SADB_ADD, "plain");
	expect_msg(reg, SADB_ADD, "reg");
	expect_msg(regah, SADB_ADD, "regah");
	expect_msg(prom, SADB_ADD, "prom");
	/* GET and errors: to the sender only, and promiscuous sockets. */
	sa_key_msg(&req, SADB_GET, SADB_SATYPE_ESP, 0x4000);
	KREQ(a, &req, &rep, 0);
	sa_key_msg(&req, SADB_GET, SADB_SATYPE_ESP, 0x4001);
	KREQ(a, &req, &rep, ENOENT);
	expect_msg(prom, SADB_GET, "prom");
	CHECK(!kmsg_hdr(&rep)->sadb_msg_errno, "prom: GET reply first");
	expect_msg(prom, SADB_GET, "prom");
	CHECK(kmsg_hdr(&rep)->sadb_msg_errno == ENOENT, "prom: GET error");
	CHECK(kquiet(plain, 200) && kquiet(reg, 100) && kquiet(regah, 100),
	      "GET leaked");

	/* PROMISC off: prom goes back to plain delivery. */
	kmsg_init(&req, SADB_X_PROMISC, 0);
	KREQ(prom, &req, &rep, 0);
	expect_msg(a, SADB_X_PROMISC, "a");
	expect_msg(plain, SADB_X_PROMISC, "plain");
	expect_msg(reg, SADB_X_PROMISC, "reg");
	expect_msg(regah, SADB_X_PROMISC, "regah");
	sa_key_msg(&req, SADB_GET, SADB_SATYPE_ESP, 0x4000);
	KREQ(a, &req, &rep, 0);
	CHECK(kquiet(prom, 200), "prom still promiscuous");

	/* A socket with a full buffer loses broadcasts; the sender doesn't block. */
	{
		int small = kopen(), sz = 1;

		CHECK(!setsockopt(small, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz)),
		      "SO_RCVBUF");
		for (int i = 0; i < 200; i++) {
			esp_add_msg(&req, SADB_ADD, 0x5000 + i, SRC, DST);
			KREQ(a, &req, &rep, 0);
		}
		CHECK(krecv(small, &rep, 1000) > 0, "small: nothing at all");
		close(small);
	}
	kmsg_init(&req, SADB_FLUSH, 0);
	KREQ(a, &req, &rep, 0);
	close(a);
	close(plain);
	close(reg);
	close(regah);
	close(prom);
	puts("delivery: ok");
}

/* ---- lifetimes -------------------------------------------------------- */

static void test_expire(void)
{
	int a = kopen(), reg = kopen();
	struct sadb_sa *sa;
	time_t t0 = time(NULL);

	kmsg_init(&req, SADB_REGISTER, SADB_SATYPE_ESP);
	KREQ(reg, &req, &rep, 0);
	esp_add_msg(&req, SADB_ADD, 0x6000, SRC, DST);
	kmsg_lifetime(&req, SADB_EXT_LIFETIME_SOFT, 2);
	kmsg_lifetime(&req, SADB_EXT_LIFETIME_HARD, 4);
	KREQ(a, &req, &rep, 0);
	expect_msg(reg, SADB_ADD, "reg");

	/* Lifetimes far in the future (u64 seconds) do not wrap around. */
	esp_add_msg(&req, SADB_ADD, 0x6001, SRC, DST);
	kmsg_lifetime(&req, SADB_EXT_LIFETIME_SOFT, UINT64_MAX - 1);
	kmsg_lifetime(&req, SADB_EXT_LIFETIME_HARD, UINT64_MAX);
	KREQ(a, &req, &rep, 0);
	expect_msg(reg, SADB_ADD, "reg");

	CHECK(krecv(reg, &rep, 6000) > 0, "no soft EXPIRE");
	CHECK(kmsg_hdr(&rep)->sadb_msg_type == SADB_EXPIRE, "soft: type %u",
	      kmsg_hdr(&rep)->sadb_msg_type);
	CHECK(kmsg_find(&rep, SADB_EXT_LIFETIME_SOFT) &&
	      !kmsg_find(&rep, SADB_EXT_LIFETIME_HARD), "soft EXPIRE lifetimes");
	sa = kmsg_find(&rep, SADB_EXT_SA);
	CHECK(sa && ntohl(sa->sadb_sa_spi) == 0x6000 &&
	      sa->sadb_sa_state == SADB_SASTATE_DYING, "soft EXPIRE SA");
	CHECK(time(NULL) - t0 >= 1, "soft EXPIRE too early");
	CHECK(kquiet(a, 100), "unregistered socket got EXPIRE");

	CHECK(krecv(reg, &rep, 6000) > 0, "no hard EXPIRE");
	CHECK(kmsg_hdr(&rep)->sadb_msg_type == SADB_EXPIRE &&
	      kmsg_find(&rep, SADB_EXT_LIFETIME_HARD), "hard EXPIRE");
	CHECK(time(NULL) - t0 >= 3, "hard EXPIRE too early");
	sa_key_msg(&req, SADB_GET, SADB_SATYPE_ESP, 0x6000);
	KREQ(a, &req, &rep, ENOENT);
	sa_key_msg(&req, SADB_GET, SADB_SATYPE_ESP, 0x6001);
	KREQ(a, &req, &rep, 0);
	CHECK(((struct sadb_sa *)kmsg_find(&rep, SADB_EXT_SA))->sadb_sa_state ==
	      SADB_SASTATE_MATURE, "far-future SA expired");
	CHECK(kquiet(reg, 100), "far-future SA sent EXPIRE");
	kmsg_init(&req, SADB_FLUSH, 0);
	KREQ(a, &req, &rep, 0);
	close(a);
	close(reg);
	puts("expire: ok");
}

static void test_larval(int secs)
{
	int fd = kopen();
	uint32_t spi = getspi(fd, SADB_SATYPE_ESP, 0, 0, 0);

	sa_key_msg(&req, SADB_GET, SADB_SATYPE_ESP, spi);
	KREQ(fd, &req, &rep, 0);
	CHECK(((struct sadb_sa *)kmsg_find(&rep, SADB_EXT_SA))->sadb_sa_state ==
	      SADB_SASTATE_LARVAL, "GETSPI SA is not larval");
	sleep((unsigned int)secs + 2);
	sa_key_msg(&req, SADB_GET, SADB_SATYPE_ESP, spi);
	KREQ(fd, &req, &rep, ENOENT);
	close(fd);
	puts("larval: ok");
}

/* ---- the kipsec extension at another length ---------------------------- */

/* The message in @m parses with libpfkey; its kipsec extension is 16 bytes. */
static void parses(struct kmsg *m, const char *who)
{
	struct pfkey_msg pm;
	const struct sadb_x_kipsec_sa *kx;

	CHECK(pfkey_parse(m->buf, m->len, &pm) == 0, "%s: type %u: %s", who,
	      kmsg_hdr(m)->sadb_msg_type, pfkey_parse_error());
	kx = pfkey_msg_kipsec_sa(&pm);
	CHECK(kx && kx->sadb_x_kipsec_sa_len == 2 &&
	      kx->sadb_x_kipsec_sa_replay == 128, "%s: type %u: kipsec extension",
	      who, kmsg_hdr(m)->sadb_msg_type);
}

/* An ADD whose kipsec extension has @extra bytes more, set to @fill. */
static void kx_add_msg(uint32_t spi, size_t extra, uint8_t fill)
{
	struct sadb_x_kipsec_sa *kx;

	esp_add_msg(&req, SADB_ADD, spi, SRC, DST);
	kx = kmsg_ext(&req, SADB_X_EXT_KIPSEC_SA, sizeof(*kx) + extra);
	kx->sadb_x_kipsec_sa_replay = 128;
	memset(kx + 1, fill, extra);
	/* Another extension after it, which a wrong length would swallow. */
	kmsg_lifetime(&req, SADB_EXT_LIFETIME_HARD, 3600);
}

/*
 * A sender's SADB_X_EXT_KIPSEC_SA longer than 16 bytes (zeroes after the
 * fields this kernel knows): the ADD reply, the broadcast to a plain and a
 * promiscuous listener, GET and DUMP all carry it at 16 bytes and parse
 * with libpfkey. A longer one with something in the tail is EINVAL.
 */
static void test_kxlen(void)
{
	int a = kopen(), plain = kopen(), prom = kopen();

	kmsg_init(&req, SADB_X_PROMISC, 1);
	KREQ(prom, &req, &rep, 0);
	expect_msg(a, SADB_X_PROMISC, "a");
	expect_msg(plain, SADB_X_PROMISC, "plain");

	kx_add_msg(0x7000, 8, 0);
	KREQ(a, &req, &rep, 0);
	parses(&rep, "sender");
	expect_msg(plain, SADB_ADD, "plain");
	parses(&rep, "plain");
	expect_msg(prom, SADB_ADD, "prom");
	parses(&rep, "prom");
	sa_key_msg(&req, SADB_GET, SADB_SATYPE_ESP, 0x7000);
	KREQ(a, &req, &rep, 0);
	parses(&rep, "GET");
	CHECK(dump_count(a, SADB_DUMP, SADB_SATYPE_ESP) == 1, "dump");
	parses(&rep, "DUMP");
	expect_msg(prom, SADB_GET, "prom");
	parses(&rep, "prom GET");

	kx_add_msg(0x7001, 8, 0x5a);
	KREQ(a, &req, &rep, EINVAL);
	kmsg_init(&req, SADB_FLUSH, 0);
	KREQ(a, &req, &rep, 0);
	close(a);
	close(plain);
	close(prom);
	puts("kxlen: ok");
}

/* ---- concurrent REGISTERs on one socket -------------------------------- */

struct reg_arg {
	int fd;
	uint8_t satype;
	struct kmsg m;
};

static void *reg_thread(void *p)
{
	struct reg_arg *r = p;

	kmsg_init(&r->m, SADB_REGISTER, r->satype);
	kmsg_finish(&r->m);
	CHECK(ksend_raw(r->fd, r->m.buf, r->m.len) == 0, "REGISTER %u",
	      r->satype);
	return NULL;
}

/* Is @fd registered for @satype? A second REGISTER says EEXIST then. */
static int registered(int fd, uint8_t satype)
{
	kmsg_init(&req, SADB_REGISTER, satype);
	ksend(fd, &req);
	for (;;) {
		CHECK(krecv(fd, &rep, 5000) > 0, "no REGISTER reply");
		if (kmsg_hdr(&rep)->sadb_msg_seq == kmsg_hdr(&req)->sadb_msg_seq)
			return kmsg_hdr(&rep)->sadb_msg_errno == EEXIST;
	}
}

/*
 * Two threads REGISTER one socket for ESP and for AH at the same moment,
 * @rounds times on fresh sockets: both registrations must stick (the bits
 * were once set with a plain read-modify-write).
 */
static void test_regrace(unsigned int rounds)
{
	static struct reg_arg r[2];
	pthread_t t[2];

	for (unsigned int i = 0; i < rounds; i++) {
		int fd = kopen(), sz = 1 << 20;

		CHECK(!setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz)),
		      "rcvbuf");
		r[0] = (struct reg_arg){ .fd = fd, .satype = SADB_SATYPE_ESP };
		r[1] = (struct reg_arg){ .fd = fd, .satype = SADB_SATYPE_AH };
		for (int j = 0; j < 2; j++)
			CHECK(!pthread_create(&t[j], NULL, reg_thread, &r[j]),
			      "thread");
		for (int j = 0; j < 2; j++)
			pthread_join(t[j], NULL);
		CHECK(registered(fd, SADB_SATYPE_ESP) &&
		      registered(fd, SADB_SATYPE_AH),
		      "round %u: a registration was lost", i);
		close(fd);
	}
	printf("regrace %u: ok\n", rounds);
}

/* ---- scale ------------------------------------------------------------ */

static void test_bulk(unsigned int n)
{
	int fd = kopen(), sz = 4096;
	char dst[32];
	unsigned int got;

	for (unsigned int i = 0; i < n; i++) {
		snprintf(dst, sizeof(dst), "10.%u.%u.1", (i >> 8) & 0xff, i & 0xff);
		esp_add_msg(&req, SADB_ADD, 0x10000 + i, SRC, dst);
		KREQ(fd, &req, &rep, 0);
		spd_msg(&req, SADB_X_SPDADD, SRC, dst, 32,
			IPSEC_DIR_OUTBOUND + (i & 1), IPSEC_POLICY_IPSEC,
			i % 7);
		KREQ(fd, &req, &rep, 0);
	}
	/* A tiny receive buffer: the dump must still arrive complete. */
	CHECK(!setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz)), "rcvbuf");
	got = dump_count(fd, SADB_DUMP, SADB_SATYPE_ESP);
	CHECK(got == n, "SA dump: %u of %u", got, n);
	/* One dump at a time per socket: a second one while the first waits. */
	if (n > 100) {
		struct kmsg *busy = malloc(sizeof(*busy));

		kmsg_init(busy, SADB_DUMP, 0);
		CHECK(ksend(fd, busy) == 0, "first dump");
		kmsg_init(busy, SADB_X_SPDDUMP, 0);
		CHECK(ksend(fd, busy) == EBUSY, "second dump not EBUSY");
		for (got = 0;;) {
			CHECK(krecv(fd, &rep, 10000) > 0, "dump stalled");
			if (kmsg_hdr(&rep)->sadb_msg_type != SADB_DUMP)
				continue;	/* an EBUSY reply, if it fit */
			got++;
			if (!kmsg_hdr(&rep)->sadb_msg_seq)
				break;
		}
		CHECK(got == n, "SA dump after EBUSY: %u of %u", got, n);
		free(busy);
	}
	got = dump_count(fd, SADB_X_SPDDUMP, 0);
	CHECK(got == n, "SPD dump: %u of %u", got, n);
	kmsg_init(&req, SADB_FLUSH, 0);
	KREQ(fd, &req, &rep, 0);
	kmsg_init(&req, SADB_X_SPDFLUSH, 0);
	KREQ(fd, &req, &rep, 0);
	CHECK(dump_count(fd, SADB_DUMP, 0) == 0, "SAs left");
	CHECK(dump_count(fd, SADB_X_SPDDUMP, 0) == 0, "policies left");
	close(fd);
	printf("bulk %u: ok\n", n);
}

/* ---- dumps under churn ------------------------------------------------ */

struct churn {
	unsigned int n;
	uint32_t *ids;			/* policy ids, by index */
	uint8_t *gone;			/* deleted: 1 before the dump, 2 during */
	uint8_t *seen;
	unsigned int next;		/* victim state */
	int del;			/* the socket deleting */
	bool spd;
};

static void churn_dst(char *dst, size_t len, unsigned int i)
{
	snprintf(dst, len, "10.%u.%u.%u", (i >> 16) & 0xff, (i >> 8) & 0xff,
		 i & 0xff);
}

static void churn_delete(struct churn *c, unsigned int i, uint8_t when)
{
	static struct kmsg dreq, drep;
	struct sadb_x_policy *p;

	if (c->spd) {
		kmsg_init(&dreq, SADB_X_SPDDELETE2, 0);
		p = kmsg_policy(&dreq, 0, 0, c->ids[i], 0);
		kmsg_policy_end(&dreq, p);
	} else {
		kmsg_init(&dreq, SADB_DELETE, SADB_SATYPE_ESP);
		kmsg_sa(&dreq, 0x10000 + i, 0, 0);
		kmsg_addr(&dreq, SADB_EXT_ADDRESS_SRC, SRC, 32, 0, 0);
		kmsg_addr(&dreq, SADB_EXT_ADDRESS_DST, DST, 32, 0, 0);
	}
	KREQ(c->del, &dreq, &drep, 0);
	c->gone[i] = when;
}

/* Delete the next victim: by turns far ahead of the dump and behind it. */
static void churn_step(struct churn *c, unsigned int at)
{
	unsigned int i;

	for (int tries = 0; tries < 64; tries++) {
		c->next = c->next * 1103515245u + 12345u;
		i = (c->next >> 8) % c->n;
		i = (c->next & 1) ? (at + i / 2) % c->n : i % (at + 1);
		if (!c->gone[i]) {
			churn_delete(c, i, 2);
			return;
		}
	}
}

/* Dump message @m's index and its place in the dump order. */
static unsigned int churn_index(struct churn *c, struct kmsg *m,
				uint64_t *key)
{
	if (c->spd) {
		struct sadb_x_policy *p = kmsg_find(m, SADB_X_EXT_POLICY);

		unsigned int lo = 0, hi = c->n;

		CHECK(p, "SPDDUMP without a policy");
		/* Ids were handed out in increasing order. */
		while (lo + 1 < hi) {
			unsigned int mid = (lo + hi) / 2;

			if (c->ids[mid] <= p->sadb_x_policy_id)
				lo = mid;
			else
				hi = mid;
		}
		CHECK(c->ids[lo] == p->sadb_x_policy_id,
		      "SPDDUMP: unknown policy id %u", p->sadb_x_policy_id);
		*key = (uint64_t)p->sadb_x_policy_dir << 56 |
		       (uint64_t)p->sadb_x_policy_priority << 32 |
		       p->sadb_x_policy_id;
		return lo;
	}
	struct sadb_sa *sa = kmsg_find(m, SADB_EXT_SA);

	CHECK(sa, "DUMP without an SA");
	*key = ntohl(sa->sadb_sa_spi);
	CHECK(*key >= 0x10000 && *key < 0x10000 + c->n, "DUMP: SPI %#llx",
	      (unsigned long long)*key);
	return (unsigned int)(*key - 0x10000);
}

/*
 * One dump of @c's table to a reader with a 4 KiB buffer, deleting an entry
 * every other message: every entry not deleted before the dump must come
 * exactly once, in dump order (SAs by creation; policies by direction,
 * priority, then creation), deleted ones at most once.
 */
static void churn_dump(struct churn *c, int fd)
{
	uint8_t type = c->spd ? SADB_X_SPDDUMP : SADB_DUMP;
	uint64_t key, last = 0;
	unsigned int got = 0, i, during = 0;

	kmsg_init(&req, type, 0);
	CHECK(ksend(fd, &req) == 0, "dump");
	for (;;) {
		struct sadb_msg *h;

		CHECK(krecv(fd, &rep, 10000) > 0, "dump stalled after %u", got);
		h = kmsg_hdr(&rep);
		if (h->sadb_msg_type != type)
			continue;	/* the deletions' broadcasts */
		CHECK(!h->sadb_msg_errno && h->sadb_msg_pid == (uint32_t)getpid(),
		      "dump: errno %u", h->sadb_msg_errno);
		i = churn_index(c, &rep, &key);
		CHECK(!got || key > last, "dump out of order at %u", got);
		CHECK(c->gone[i] != 1, "entry %u deleted before the dump came", i);
		CHECK(!c->seen[i]++, "entry %u twice", i);
		last = key;
		if (got++ % 2 == 0) {
			churn_step(c, i);
			during++;
		}
		if (!h->sadb_msg_seq)
			break;
	}
	for (i = 0; i < c->n; i++)
		CHECK(c->gone[i] || c->seen[i], "entry %u missing from the dump", i);
	printf("churn %s: %u dumped, %u deleted during the dump\n",
	       c->spd ? "spd" : "sad", got, during);
}

static void test_churn(unsigned int n)
{
	struct churn c = { .n = n, .next = 1 };
	int fd = kopen(), sz = 4096;
	char dst[32];

	c.del = kopen();
	c.ids = calloc(n, sizeof(*c.ids));
	c.gone = calloc(n, 1);
	c.seen = calloc(n, 1);
	CHECK(c.ids && c.gone && c.seen, "calloc");
	for (unsigned int i = 0; i < n; i++) {
		esp_add_msg(&req, SADB_ADD, 0x10000 + i, SRC, DST);
		KREQ(c.del, &req, &rep, 0);
		churn_dst(dst, sizeof(dst), i);
		spd_msg(&req, SADB_X_SPDADD, SRC, dst, 32,
			IPSEC_DIR_INBOUND + i % 3, IPSEC_POLICY_NONE, i % 7);
		KREQ(c.del, &req, &rep, 0);
		c.ids[i] = policy_id(&rep);
	}
	CHECK(!setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz)), "rcvbuf");
	for (int spd = 0; spd < 2; spd++) {
		c.spd = spd;
		memset(c.gone, 0, n);
		memset(c.seen, 0, n);
		for (unsigned int i = 0; i < n; i += 10)
			churn_delete(&c, i, 1);
		churn_dump(&c, fd);
	}
	kmsg_init(&req, SADB_FLUSH, 0);
	KREQ(c.del, &req, &rep, 0);
	kmsg_init(&req, SADB_X_SPDFLUSH, 0);
	KREQ(c.del, &req, &rep, 0);
	close(fd);
	close(c.del);
	free(c.ids);
	free(c.gone);
	free(c.seen);
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";
	int fd;

	setvbuf(stdout, NULL, _IONBF, 0);
	if (!strcmp(cmd, "sa"))
		test_sa();
	else if (!strcmp(cmd, "spd"))
		test_spd();
	else if (!strcmp(cmd, "delivery"))
		test_delivery();
	else if (!strcmp(cmd, "expire"))
		test_expire();
	else if (!strcmp(cmd, "larval") && argc > 2)
		test_larval(atoi(argv[2]));
	else if (!strcmp(cmd, "bulk") && argc > 2)
		test_bulk((unsigned int)atoi(argv[2]));
	else if (!strcmp(cmd, "kxlen"))
		test_kxlen();
	else if (!strcmp(cmd, "regrace") && argc > 2)
		test_regrace((unsigned int)atoi(argv[2]));
	else if (!strcmp(cmd, "churn") && argc > 2)
		test_churn((unsigned int)atoi(argv[2]));
	else if (!strcmp(cmd, "add") && argc > 2) {
		fd = kopen();
		esp_add_msg(&req, SADB_ADD, (uint32_t)strtoul(argv[2], NULL, 0),
			    SRC, DST);
		KREQ(fd, &req, &rep, 0);
		close(fd);
	} else if (!strcmp(cmd, "addmany") && argc > 2) {
		fd = kopen();
		for (unsigned int i = 0; i < (unsigned int)atoi(argv[2]); i++) {
			esp_add_msg(&req, SADB_ADD, 0x10000 + i, SRC, DST);
			KREQ(fd, &req, &rep, 0);
		}
		close(fd);
	} else if (!strcmp(cmd, "delmany") && argc > 4) {
		fd = kopen();
		for (unsigned int i = (unsigned int)atoi(argv[4]);
		     i < (unsigned int)atoi(argv[2]); i += (unsigned int)atoi(argv[3])) {
			sa_key_msg(&req, SADB_DELETE, SADB_SATYPE_ESP, 0x10000 + i);
			KREQ(fd, &req, &rep, 0);
		}
		close(fd);
	} else if (!strcmp(cmd, "count")) {
		fd = kopen();
		printf("%u\n", dump_count(fd, SADB_DUMP, 0));
		close(fd);
	} else {
		fprintf(stderr, "usage: %s sa|spd|delivery|expire|larval S|bulk N|add SPI|count|kxlen|regrace N|churn N|addmany N|delmany N STEP FIRST\n",
			argv[0]);
		return 2;
	}
	return 0;
}
