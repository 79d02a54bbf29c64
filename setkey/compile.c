// SPDX-License-Identifier: BSD-2-Clause
/*
 * One statement -> one PF_KEY message, through libpfkey's builder.  The
 * messages follow what KAME setkey sends, so a kernel that works with
 * ipsec-tools works with this setkey.
 */
#include <errno.h>
#include <netinet/in.h>

#include "setkey.h"

static const uint8_t msg_types[] = {
	[SK_ADD] = SADB_ADD,		[SK_UPDATE] = SADB_UPDATE,
	[SK_GET] = SADB_GET,		[SK_DELETE] = SADB_DELETE,
	[SK_DELETEALL] = SADB_DELETE,	[SK_FLUSH] = SADB_FLUSH,
	[SK_DUMP] = SADB_DUMP,		[SK_SPDADD] = SADB_X_SPDADD,
	[SK_SPDUPDATE] = SADB_X_SPDUPDATE, [SK_SPDDELETE] = SADB_X_SPDDELETE,
	[SK_SPDFLUSH] = SADB_X_SPDFLUSH, [SK_SPDDUMP] = SADB_X_SPDDUMP,
	[SK_GETSPI] = SADB_GETSPI,
};

static uint16_t take_port(struct sockaddr_storage *ss)
{
	uint16_t port;

	if (ss->ss_family == AF_INET) {
		port = ((struct sockaddr_in *)ss)->sin_port;
		((struct sockaddr_in *)ss)->sin_port = 0;
	} else {
		port = ((struct sockaddr_in6 *)ss)->sin6_port;
		((struct sockaddr_in6 *)ss)->sin6_port = 0;
	}
	return port;
}

/* SA endpoints: whole hosts, any upper-layer protocol, no ports (esp-udp's
 * ports travel in the NAT-T extensions). */
static int add_sa_addrs(struct pfkey_buf *b, const struct sk_stmt *st)
{
	struct sockaddr_storage src = st->src.ss, dst = st->dst.ss;
	int rc;

	take_port(&src);
	take_port(&dst);
	rc = pfkey_add_address(b, SADB_EXT_ADDRESS_SRC,
			       (const struct sockaddr *)&src, 0xff,
			       IPSEC_ULPROTO_ANY);
	if (rc == 0)
		rc = pfkey_add_address(b, SADB_EXT_ADDRESS_DST,
				       (const struct sockaddr *)&dst, 0xff,
				       IPSEC_ULPROTO_ANY);
	return rc;
}

/* esp-udp: Linux's NAT-T extensions, type then source and destination
 * port, as ipsec-tools sends them. */
static int add_natt(struct pfkey_buf *b, const struct sk_stmt *st)
{
	struct sockaddr_storage src = st->src.ss, dst = st->dst.ss;
	int rc = pfkey_add_nat_t_type(b, st->natt_type);

	if (rc == 0)
		rc = pfkey_add_nat_t_port(b, SADB_X_EXT_NAT_T_SPORT,
					  take_port(&src));
	if (rc == 0)
		rc = pfkey_add_nat_t_port(b, SADB_X_EXT_NAT_T_DPORT,
					  take_port(&dst));
	if (rc == 0 && st->has_natt_oa)
		rc = pfkey_add_address(b, SADB_X_EXT_NAT_T_OA,
				       (const struct sockaddr *)&st->natt_oa.ss,
				       0xff, IPSEC_ULPROTO_ANY);
	return rc;
}

/*
 * kipsec's SADB_X_EXT_KIPSEC_SA goes out only when a value needs it, so a
 * file that asks for nothing new loads into Linux's af_key exactly as
 * before (run.c keeps the extension away from af_key altogether).
 */
bool sk_needs_kipsec_sa(const struct sk_stmt *st)
{
	if (st->cmd != SK_ADD && st->cmd != SK_UPDATE)
		return false;
	return st->replay > SK_SA_REPLAY_MAX || st->kflags || st->icvbits;
}

static int add_sa_body(struct pfkey_buf *b, const struct sk_stmt *st)
{
	uint8_t auth = st->aalg ? st->aalg->id : SADB_AALG_NONE;
	uint8_t enc = st->ealg ? st->ealg->id :
		      st->calg ? st->calg->id : SADB_EALG_NONE;
	/* A window sadb_sa_replay cannot hold is sent there as its largest
	 * value, so a reader of that field alone sees the nearest it can. */
	uint8_t replay = st->replay > SK_SA_REPLAY_MAX ? SK_SA_REPLAY_MAX :
			 (uint8_t)st->replay;
	int rc;

	rc = pfkey_add_sa(b, htonl(st->spi), replay, SADB_SASTATE_LARVAL,
			  auth, enc, st->flags);
	if (rc == 0)
		rc = pfkey_add_sa2(b, st->mode, st->reqid, 0);
	if (rc == 0)
		rc = add_sa_addrs(b, st);
	if (rc == 0 && (st->lt_hard_time || st->lt_hard_bytes))
		rc = pfkey_add_lifetime(b, SADB_EXT_LIFETIME_HARD, 0,
					st->lt_hard_bytes, st->lt_hard_time, 0);
	if (rc == 0 && (st->lt_soft_time || st->lt_soft_bytes))
		rc = pfkey_add_lifetime(b, SADB_EXT_LIFETIME_SOFT, 0,
					st->lt_soft_bytes, st->lt_soft_time, 0);
	if (rc == 0 && st->akey)
		rc = pfkey_add_key(b, SADB_EXT_KEY_AUTH, st->akey, st->akey_len);
	/* Null encryption gets an empty key, as ipsec-tools sends it:
	 * af_key refuses an ESP SA without the extension. */
	if (rc == 0 && (st->ekey || (st->ealg && enc == SADB_EALG_NULL)))
		rc = pfkey_add_key(b, SADB_EXT_KEY_ENCRYPT, st->ekey,
				   st->ekey ? st->ekey_len : 0);
	/* The extension's window overrides sadb_sa_replay, so it always
	 * carries the real one, also when only -esn or -icv asked for it. */
	if (rc == 0 && sk_needs_kipsec_sa(st))
		rc = pfkey_add_kipsec_sa(b, st->replay, st->kflags, st->icvbits);
	if (rc == 0 && st->natt_type)
		rc = add_natt(b, st);
	return rc;
}

static int add_selector(struct pfkey_buf *b, const struct sk_stmt *st)
{
	int rc = pfkey_add_policy(b, st->policy, st->policy_len);

	if (rc == 0)
		rc = pfkey_add_address(b, SADB_EXT_ADDRESS_SRC,
				       (const struct sockaddr *)&st->src.ss,
				       st->src.prefixlen, st->upper);
	if (rc == 0)
		rc = pfkey_add_address(b, SADB_EXT_ADDRESS_DST,
				       (const struct sockaddr *)&st->dst.ss,
				       st->dst.prefixlen, st->upper);
	return rc;
}

int sk_compile(const struct sk_stmt *st, struct pfkey_buf *b, uint32_t seq,
	       uint32_t pid)
{
	bool spd = st->cmd >= SK_SPDADD && st->cmd <= SK_SPDDUMP;
	int rc = 0;

	if (!pfkey_msg_begin(b, msg_types[st->cmd],
			     spd ? SADB_SATYPE_UNSPEC : st->satype, seq, pid))
		return b->err ? -b->err : -EMSGSIZE;

	switch (st->cmd) {
	case SK_ADD:
	case SK_UPDATE:
		rc = add_sa_body(b, st);
		break;
	case SK_GET:
	case SK_DELETE:
		/* SA2 too, as KAME sends it (mode any, reqid 0) */
		rc = pfkey_add_sa(b, htonl(st->spi), 0, 0, 0, 0, 0);
		if (rc == 0)
			rc = pfkey_add_sa2(b, IPSEC_MODE_ANY, 0, 0);
		if (rc == 0)
			rc = add_sa_addrs(b, st);
		break;
	case SK_DELETEALL:
		/* RFC 2367's delete-by-addresses; run.c expands it for
		 * kernels that insist on an SPI (Linux af_key). */
		rc = add_sa_addrs(b, st);
		break;
	case SK_GETSPI:
		rc = pfkey_add_sa2(b, st->mode, st->reqid, 0);
		if (rc == 0)
			rc = add_sa_addrs(b, st);
		if (rc == 0 && st->has_range)
			rc = pfkey_add_spirange(b, st->spi_min, st->spi_max);
		break;
	case SK_SPDADD:
	case SK_SPDUPDATE:
	case SK_SPDDELETE:
		rc = add_selector(b, st);
		break;
	default:	/* flush, dump, spdflush, spddump: header only */
		break;
	}
	if (rc < 0)
		return rc;
	return pfkey_msg_end(b);
}
