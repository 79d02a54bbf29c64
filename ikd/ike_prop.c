// SPDX-License-Identifier: BSD-2-Clause
/*
 * Proposals (RFC 7296 2.7, 3.3): our configuration becomes proposals in
 * wire form, and one matcher compares two wire proposals, transform type
 * by transform type, in our order of preference. The responder runs it
 * over the peer's offer; the initiator runs it over the single proposal
 * the responder chose, to check that it is one we offered.
 *
 * A configured proposal listing AEAD and non-AEAD ciphers together is
 * split in two, because RFC 5282 forbids integrity transforms beside an
 * AEAD cipher.
 */
#include "ike_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* --- names -------------------------------------------------------------- */

static bool encr_has_keylen(uint16_t id)
{
	switch (id) {
	case IKE_ENCR_AES_CBC: case IKE_ENCR_AES_CTR: case IKE_ENCR_AES_GCM_8:
	case IKE_ENCR_AES_GCM_12: case IKE_ENCR_AES_GCM_16:
	case IKE_ENCR_CAMELLIA_CBC: case 14: case 15: case 16: /* AES-CCM */
		return true;
	}
	return false;
}

static bool encr_is_aead(uint16_t id)
{
	switch (id) {
	case IKE_ENCR_AES_GCM_8: case IKE_ENCR_AES_GCM_12:
	case IKE_ENCR_AES_GCM_16: case IKE_ENCR_CHACHA20_POLY1305:
	case 14: case 15: case 16:
		return true;
	}
	return false;
}

const char *ike_encr_name(uint16_t id, uint16_t keybits, char *buf,
			  size_t len)
{
	const char *n;

	switch (id) {
	case IKE_ENCR_DES: n = "des"; break;
	case IKE_ENCR_3DES: n = "3des"; break;
	case IKE_ENCR_CAST: n = "cast"; break;
	case IKE_ENCR_BLOWFISH: n = "blowfish"; break;
	case IKE_ENCR_NULL: n = "null"; break;
	case IKE_ENCR_AES_CBC: n = "aes-cbc"; break;
	case IKE_ENCR_AES_CTR: n = "aes-ctr"; break;
	case 14: n = "aes-ccm-8"; break;
	case 15: n = "aes-ccm-12"; break;
	case 16: n = "aes-ccm-16"; break;
	case IKE_ENCR_AES_GCM_8: n = "aes-gcm-8"; break;
	case IKE_ENCR_AES_GCM_12: n = "aes-gcm-12"; break;
	case IKE_ENCR_AES_GCM_16: n = "aes-gcm-16"; break;
	case IKE_ENCR_CAMELLIA_CBC: n = "camellia-cbc"; break;
	case IKE_ENCR_CHACHA20_POLY1305: n = "chacha20-poly1305"; break;
	default:
		snprintf(buf, len, "encr%u%s", id, keybits ? "-" : "");
		if (keybits)
			snprintf(buf + strlen(buf), len - strlen(buf), "%u",
				 keybits);
		return buf;
	}
	if (keybits)
		snprintf(buf, len, "%s-%u", n, keybits);
	else
		snprintf(buf, len, "%s", n);
	return buf;
}

static const char *prf_name(uint16_t id, char *buf, size_t len)
{
	switch (id) {
	case IKE_PRF_HMAC_MD5: return "prf-hmac-md5";
	case IKE_PRF_HMAC_SHA1: return "prf-hmac-sha1";
	case 4: return "prf-aes128-xcbc";
	case IKE_PRF_HMAC_SHA2_256: return "prf-hmac-sha2-256";
	case IKE_PRF_HMAC_SHA2_384: return "prf-hmac-sha2-384";
	case IKE_PRF_HMAC_SHA2_512: return "prf-hmac-sha2-512";
	case 8: return "prf-aes128-cmac";
	}
	snprintf(buf, len, "prf%u", id);
	return buf;
}

static const char *integ_name(uint16_t id, char *buf, size_t len)
{
	switch (id) {
	case IKE_AUTH_NONE: return "none";
	case IKE_AUTH_HMAC_MD5_96: return "hmac-md5-96";
	case IKE_AUTH_HMAC_SHA1_96: return "hmac-sha1-96";
	case IKE_AUTH_AES_XCBC_96: return "aes-xcbc-96";
	case IKE_AUTH_HMAC_SHA2_256_128: return "hmac-sha2-256-128";
	case IKE_AUTH_HMAC_SHA2_384_192: return "hmac-sha2-384-192";
	case IKE_AUTH_HMAC_SHA2_512_256: return "hmac-sha2-512-256";
	}
	snprintf(buf, len, "integ%u", id);
	return buf;
}

static const char *dh_name(uint16_t id, char *buf, size_t len)
{
	switch (id) {
	case IKE_DH_NONE: return "nodh";
	case IKE_DH_MODP768: return "modp768";
	case IKE_DH_MODP1024: return "modp1024";
	case IKE_DH_MODP1536: return "modp1536";
	case IKE_DH_MODP2048: return "modp2048";
	case IKE_DH_MODP3072: return "modp3072";
	case IKE_DH_MODP4096: return "modp4096";
	case IKE_DH_MODP6144: return "modp6144";
	case IKE_DH_MODP8192: return "modp8192";
	case IKE_DH_ECP256: return "ecp256";
	case IKE_DH_ECP384: return "ecp384";
	case IKE_DH_ECP521: return "ecp521";
	case IKE_DH_CURVE25519: return "curve25519";
	case IKE_DH_CURVE448: return "curve448";
	}
	snprintf(buf, len, "dh%u", id);
	return buf;
}

static const char *xf_name(const struct ike_xform *xf, char *buf, size_t len)
{
	switch (xf->type) {
	case IKE_XF_ENCR: return ike_encr_name(xf->id, xf->keylen, buf, len);
	case IKE_XF_PRF: return prf_name(xf->id, buf, len);
	case IKE_XF_INTEG: return integ_name(xf->id, buf, len);
	case IKE_XF_DH: return dh_name(xf->id, buf, len);
	case IKE_XF_ESN: return xf->id == IKE_ESN_YES ? "esn" : "noesn";
	}
	snprintf(buf, len, "type%u:%u", xf->type, xf->id);
	return buf;
}

/* Appends to buf, keeping a "..." when it no longer fits. */
static void cat(char *buf, size_t len, const char *s)
{
	size_t n = strlen(buf), m = strlen(s);

	if (n + m + 4 >= len) {
		if (n + 4 < len && !strstr(buf, "..."))
			strcat(buf, "...");
		return;
	}
	memcpy(buf + n, s, m + 1);
}

/* Printed in the order encryption, integrity, prf, DH, ESN. */
static void str_proposal(const struct ike_proposal *p, bool proto,
			 char *buf, size_t len)
{
	static const uint8_t order[] = { IKE_XF_ENCR, IKE_XF_INTEG,
					 IKE_XF_PRF, IKE_XF_DH, IKE_XF_ESN };
	bool first = true;
	char nb[32];

	if (proto && p->proto != IKE_PROTO_IKE) {
		cat(buf, len, ike_proto_name(p->proto));
		cat(buf, len, ":");
	}
	for (size_t o = 0; o < sizeof(order); o++)
		for (unsigned int i = 0; i < p->nxf; i++) {
			if (p->xf[i].type != order[o])
				continue;
			if (!first)
				cat(buf, len, "/");
			cat(buf, len, xf_name(&p->xf[i], nb, sizeof(nb)));
			first = false;
		}
	if (p->unusable)
		cat(buf, len, "(unusable)");
}

static void str_list(const struct ike_proposal *p, unsigned int n,
		     char *buf, size_t len)
{
	buf[0] = '\0';
	cat(buf, len, "[");
	for (unsigned int i = 0; i < n; i++) {
		if (i)
			cat(buf, len, ", ");
		str_proposal(&p[i], true, buf, len);
	}
	cat(buf, len, "]");
}

void ike_prop_str_offer(const struct ike_sa_pl *offer, char *buf, size_t len)
{
	str_list(offer->prop, offer->nprop, buf, len);
	if (offer->dropped)
		cat(buf, len, " (and more)");
}

/* --- from configuration to the wire ------------------------------------- */

static void add_xf(struct ike_proposal *p, uint8_t type, uint16_t id,
		   uint16_t keylen)
{
	if (p->nxf >= IKE_MAX_XFORMS)
		return;
	p->xf[p->nxf++] = (struct ike_xform){ .type = type, .id = id,
					      .keylen = keylen };
}

static void add_encrs(struct ike_proposal *p, const struct ike_encr_alg *e,
		      unsigned int n, bool aead)
{
	for (unsigned int i = 0; i < n; i++)
		if (encr_is_aead(e[i].id) == aead)
			add_xf(p, IKE_XF_ENCR, e[i].id,
			       encr_has_keylen(e[i].id) ? e[i].keybits : 0);
}

static unsigned int count_aead(const struct ike_encr_alg *e, unsigned int n,
			       bool aead)
{
	unsigned int c = 0;

	for (unsigned int i = 0; i < n; i++)
		c += encr_is_aead(e[i].id) == aead;
	return c;
}

unsigned int ike_prop_build_ike(const struct ike_peer_cfg *cfg, uint16_t dh,
				struct ike_proposal *out, unsigned int cap)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < cfg->nprop && i < IKE_CFG_MAX_PROPOSALS; i++) {
		const struct ike_sa_prop_cfg *pc = &cfg->prop[i];

		for (int aead = 1; aead >= 0; aead--) {
			struct ike_proposal *p;

			if (!count_aead(pc->encr, pc->nencr, aead) || n >= cap)
				continue;
			p = &out[n];
			memset(p, 0, sizeof(*p));
			p->num = (uint8_t)(n + 1);
			p->proto = IKE_PROTO_IKE;
			add_encrs(p, pc->encr, pc->nencr, aead);
			for (unsigned int j = 0; j < pc->nprf; j++)
				add_xf(p, IKE_XF_PRF, pc->prf[j], 0);
			for (unsigned int j = 0; !aead && j < pc->ninteg; j++)
				add_xf(p, IKE_XF_INTEG, pc->integ[j], 0);
			/* The group of our KE first: a responder that takes
			 * the first acceptable one then needs no retry. */
			for (unsigned int j = 0; j < pc->ndh; j++)
				if (pc->dh[j] == dh)
					add_xf(p, IKE_XF_DH, dh, 0);
			for (unsigned int j = 0; j < pc->ndh; j++)
				if (pc->dh[j] != dh)
					add_xf(p, IKE_XF_DH, pc->dh[j], 0);
			n++;
		}
	}
	return n;
}

unsigned int ike_prop_build_child(const struct ike_child_cfg *cfg,
				  uint8_t proto, uint32_t spi, uint16_t dh,
				  struct ike_proposal *out, unsigned int cap)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < cfg->nprop && i < IKE_CFG_MAX_PROPOSALS; i++) {
		const struct ike_child_prop_cfg *pc = &cfg->prop[i];

		if (pc->proto != proto)
			continue;
		for (int aead = 1; aead >= 0; aead--) {
			struct ike_proposal *p;

			if (proto == IKE_PROTO_ESP &&
			    !count_aead(pc->encr, pc->nencr, aead))
				continue;
			if (proto == IKE_PROTO_AH && aead)
				continue;
			if (n >= cap)
				break;
			p = &out[n];
			memset(p, 0, sizeof(*p));
			p->num = (uint8_t)(n + 1);
			p->proto = proto;
			p->spi_size = 4;
			memcpy(p->spi, &spi, 4);
			if (proto == IKE_PROTO_ESP)
				add_encrs(p, pc->encr, pc->nencr, aead);
			for (unsigned int j = 0; !aead && j < pc->ninteg; j++)
				add_xf(p, IKE_XF_INTEG, pc->integ[j], 0);
			if (dh)
				add_xf(p, IKE_XF_DH, dh, 0);
			for (unsigned int j = 0; j < pc->nesn && j < 2; j++)
				add_xf(p, IKE_XF_ESN, pc->esn[j], 0);
			if (!pc->nesn)
				add_xf(p, IKE_XF_ESN, IKE_ESN_NO, 0);
			n++;
		}
	}
	return n;
}

void ike_prop_str_ike_cfg(const struct ike_peer_cfg *cfg, char *buf,
			  size_t len)
{
	struct ike_proposal p[2 * IKE_CFG_MAX_PROPOSALS];
	unsigned int n = ike_prop_build_ike(cfg, 0, p, 2 * IKE_CFG_MAX_PROPOSALS);

	str_list(p, n, buf, len);
}

void ike_prop_str_child_cfg(const struct ike_child_cfg *cfg, uint16_t dh,
			    char *buf, size_t len)
{
	struct ike_proposal p[2 * IKE_CFG_MAX_PROPOSALS];
	unsigned int n = ike_prop_build_child(cfg, IKE_PROTO_ESP, 0, dh, p,
					      2 * IKE_CFG_MAX_PROPOSALS);

	n += ike_prop_build_child(cfg, IKE_PROTO_AH, 0, dh, p + n,
				  2 * IKE_CFG_MAX_PROPOSALS - n);
	str_list(p, n, buf, len);
}

/* --- matching ----------------------------------------------------------- */

static bool has(const struct ike_proposal *p, uint8_t type, uint16_t id,
		uint16_t keylen)
{
	for (unsigned int i = 0; i < p->nxf; i++)
		if (p->xf[i].type == type && p->xf[i].id == id &&
		    p->xf[i].keylen == keylen && !p->xf[i].unusable)
			return true;
	return false;
}

static bool has_type(const struct ike_proposal *p, uint8_t type)
{
	for (unsigned int i = 0; i < p->nxf; i++)
		if (p->xf[i].type == type)
			return true;
	return false;
}

/*
 * Picks one transform of @type from @ours that @theirs also has, in our
 * order; @want (if non-zero and present in both) wins. Absent types: if
 * neither side has one, "none"; if only one side does, acceptable only if
 * that side also offers NONE (id 0) -- for ESN, "no".
 */
static bool pick(const struct ike_proposal *ours,
		 const struct ike_proposal *theirs, uint8_t type,
		 uint16_t want, const struct ike_xform **out, bool *none)
{
	bool o = has_type(ours, type), t = has_type(theirs, type);

	*out = NULL;
	*none = false;
	if (!o && !t) {
		*none = true;
		return true;
	}
	if (!o || !t) {
		const struct ike_proposal *side = o ? ours : theirs;

		*none = has(side, type, 0, 0);
		return *none;
	}
	if (want)
		for (unsigned int i = 0; i < ours->nxf; i++)
			if (ours->xf[i].type == type && ours->xf[i].id == want &&
			    has(theirs, type, want, ours->xf[i].keylen)) {
				*out = &ours->xf[i];
				return true;
			}
	for (unsigned int i = 0; i < ours->nxf; i++)
		if (ours->xf[i].type == type &&
		    has(theirs, type, ours->xf[i].id, ours->xf[i].keylen)) {
			*out = &ours->xf[i];
			*none = ours->xf[i].id == 0;
			return true;
		}
	return false;
}

#define M_IKE		0x1
#define M_IGNORE_DH	0x2	/* IKE_AUTH's child SA: no KE, DH ignored */

static bool match(const struct ike_proposal *ours,
		  const struct ike_proposal *theirs, unsigned int flags,
		  uint16_t want_dh, struct ike_chosen *ch)
{
	const struct ike_xform *e, *p, *i, *d;
	bool en, pn, in, dn;

	if (theirs->unusable || theirs->proto != ours->proto)
		return false;
	memset(ch, 0, sizeof(*ch));
	ch->num = theirs->num;
	if (!pick(ours, theirs, IKE_XF_ENCR, 0, &e, &en) ||
	    !pick(ours, theirs, IKE_XF_PRF, 0, &p, &pn) ||
	    !pick(ours, theirs, IKE_XF_INTEG, 0, &i, &in))
		return false;
	if (flags & M_IGNORE_DH) {
		d = NULL;
		dn = true;
	} else if (!pick(ours, theirs, IKE_XF_DH, want_dh, &d, &dn)) {
		return false;
	}
	/* ESN (3.3.2): "yes" only if both sides offer it, else "no", which
	 * an absent ESN transform also means. */
	if (has(ours, IKE_XF_ESN, IKE_ESN_YES, 0) &&
	    has(theirs, IKE_XF_ESN, IKE_ESN_YES, 0)) {
		ch->esn = true;
	} else if (!(has(ours, IKE_XF_ESN, IKE_ESN_NO, 0) || !has_type(ours, IKE_XF_ESN)) ||
		   !(has(theirs, IKE_XF_ESN, IKE_ESN_NO, 0) || !has_type(theirs, IKE_XF_ESN))) {
		return false;
	}
	if (e && !en) {
		ch->encr = e->id;
		ch->keybits = e->keylen;
		ch->encr_info = ike_encr_info(e->id, e->keylen);
		if (!ch->encr_info)
			return false;
	}
	if (i && !in) {
		ch->integ = i->id;
		ch->integ_info = ike_integ_info(i->id);
		if (!ch->integ_info)
			return false;
	}
	if (p && !pn) {
		ch->prf = p->id;
		ch->prf_info = ike_prf_info(p->id);
		if (!ch->prf_info)
			return false;
	}
	if (d && !dn) {
		ch->dh = d->id;
		if (!ike_dh_info(d->id))
			return false;
	}
	if (ch->encr_info && ch->encr_info->aead && ch->integ)
		return false;	/* RFC 5282 */
	if (flags & M_IKE)
		return ch->encr_info && ch->encr_info->ike_ok && ch->prf_info &&
		       ch->dh && (ch->encr_info->aead || ch->integ_info);
	if (ours->proto == IKE_PROTO_AH)
		return !ch->encr_info && ch->integ_info && !ch->prf;
	/* ESP: a cipher, and integrity unless AEAD (no ESP without it). */
	return ch->encr_info && !ch->prf &&
	       (ch->encr_info->aead || ch->integ_info);
}

int ike_prop_choose_ike(const struct ike_peer_cfg *cfg,
			const struct ike_sa_pl *offer, uint16_t ke_group,
			struct ike_chosen *out)
{
	struct ike_proposal ours[2 * IKE_CFG_MAX_PROPOSALS];
	unsigned int n = ike_prop_build_ike(cfg, 0, ours, 2 * IKE_CFG_MAX_PROPOSALS);

	/* First a proposal that takes the group of the peer's KE (no
	 * INVALID_KE round trip), then any. */
	for (int pass = 0; pass < 2; pass++)
		for (unsigned int i = 0; i < n; i++)
			for (unsigned int j = 0; j < offer->nprop; j++) {
				if (offer->prop[j].spi_size)
					continue;	/* a rekey: not here */
				if (match(&ours[i], &offer->prop[j], M_IKE,
					  pass ? 0 : ke_group, out) &&
				    (pass || out->dh == ke_group))
					return 0;
			}
	return -ENOENT;
}

/* ESP and AH SPIs 1-255 are reserved (RFC 4303 2.1), 0 means none. */
static bool spi_ok(const struct ike_proposal *p)
{
	/* At least 256: one of the three high bytes is not zero. */
	return p->spi_size == 4 && (p->spi[0] | p->spi[1] | p->spi[2]) != 0;
}

int ike_prop_choose_child(const struct ike_child_cfg *cfg, uint8_t proto,
			  const struct ike_sa_pl *offer, bool with_dh,
			  struct ike_chosen *out, uint32_t *peer_spi)
{
	struct ike_proposal ours[2 * IKE_CFG_MAX_PROPOSALS];
	unsigned int n = ike_prop_build_child(cfg, proto, 0,
					      with_dh ? cfg->pfs_group : 0,
					      ours, 2 * IKE_CFG_MAX_PROPOSALS);

	for (unsigned int i = 0; i < n; i++)
		for (unsigned int j = 0; j < offer->nprop; j++)
			if (spi_ok(&offer->prop[j]) &&
			    match(&ours[i], &offer->prop[j],
				  with_dh ? 0 : M_IGNORE_DH, 0, out)) {
				memcpy(peer_spi, offer->prop[j].spi, 4);
				return 0;
			}
	return -ENOENT;
}

/* A reply is one proposal with at most one transform of each type. */
static bool single(const struct ike_sa_pl *reply)
{
	const struct ike_proposal *p = &reply->prop[0];
	unsigned int seen = 0;

	if (reply->nprop != 1 || reply->dropped || p->unusable)
		return false;
	for (unsigned int i = 0; i < p->nxf; i++) {
		if (seen & (1u << p->xf[i].type))
			return false;
		seen |= 1u << p->xf[i].type;
	}
	return true;
}

int ike_prop_check_ike(const struct ike_peer_cfg *cfg,
		       const struct ike_sa_pl *reply, struct ike_chosen *out)
{
	struct ike_proposal ours[2 * IKE_CFG_MAX_PROPOSALS];
	unsigned int n = ike_prop_build_ike(cfg, 0, ours, 2 * IKE_CFG_MAX_PROPOSALS);

	if (!single(reply) || reply->prop[0].spi_size)
		return -EINVAL;
	for (unsigned int i = 0; i < n; i++)
		if (match(&ours[i], &reply->prop[0], M_IKE, 0, out))
			return 0;
	return -ENOENT;
}

int ike_prop_check_child(const struct ike_child_cfg *cfg, uint8_t proto,
			 const struct ike_sa_pl *reply, uint16_t dh,
			 struct ike_chosen *out, uint32_t *peer_spi)
{
	struct ike_proposal ours[2 * IKE_CFG_MAX_PROPOSALS];
	unsigned int n = ike_prop_build_child(cfg, proto, 0, dh, ours,
					      2 * IKE_CFG_MAX_PROPOSALS);

	if (!single(reply) || reply->prop[0].proto != proto ||
	    !spi_ok(&reply->prop[0]))
		return -EINVAL;
	for (unsigned int i = 0; i < n; i++)
		if (match(&ours[i], &reply->prop[0], dh ? 0 : M_IGNORE_DH, 0,
			  out)) {
			/* Without PFS the reply must not pick a group. */
			if (!dh && has_type(&reply->prop[0], IKE_XF_DH) &&
			    !has(&reply->prop[0], IKE_XF_DH, 0, 0))
				continue;
			memcpy(peer_spi, reply->prop[0].spi, 4);
			return 0;
		}
	return -ENOENT;
}

void ike_prop_reply(const struct ike_chosen *ch, uint8_t proto,
		    const uint8_t *spi, uint8_t spi_size, bool ike,
		    struct ike_proposal *out)
{
	memset(out, 0, sizeof(*out));
	out->num = ch->num;
	out->proto = proto;
	out->spi_size = spi_size;
	if (spi_size)
		memcpy(out->spi, spi, spi_size);
	if (ch->encr)
		add_xf(out, IKE_XF_ENCR, ch->encr,
		       encr_has_keylen(ch->encr) ? ch->keybits : 0);
	if (ike)
		add_xf(out, IKE_XF_PRF, ch->prf, 0);
	if (ch->integ)
		add_xf(out, IKE_XF_INTEG, ch->integ, 0);
	if (ch->dh)
		add_xf(out, IKE_XF_DH, ch->dh, 0);
	if (!ike)
		add_xf(out, IKE_XF_ESN, ch->esn ? IKE_ESN_YES : IKE_ESN_NO, 0);
}

void ike_prop_str_chosen(const struct ike_chosen *ch, bool ike, char *buf,
			 size_t len)
{
	struct ike_proposal p;

	ike_prop_reply(ch, ike ? IKE_PROTO_IKE : IKE_PROTO_ESP, NULL, 0, ike,
		       &p);
	buf[0] = '\0';
	str_proposal(&p, false, buf, len);
}
