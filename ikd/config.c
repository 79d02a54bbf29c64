// SPDX-License-Identifier: BSD-2-Clause
/*
 * racoon.conf and psk.txt as the IKE engine sees them (config.h).
 *
 * IKEv2 from racoon's words: a `proposal` block is one IKE SA proposal; its
 * hash_algorithm gives both the PRF and the integrity algorithm (none with
 * an AEAD cipher). A `sainfo` gives one ESP proposal of its non-AEAD
 * ciphers with its authentication algorithms, and one of its AEAD ciphers;
 * the soft lifetimes are 80% of the hard ones, as racoon set them.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>

#include "ike_cert.h"
#include "ike_crypto.h"
#include "ikev1_keys.h"
#include "isakmp.h"
#include "log.h"

/* ---- algorithms ----------------------------------------------------------- */

/* hash_algorithm: the PRF and the integrity algorithm it stands for. */
static bool hash_to_v2(unsigned int hash, uint16_t *prf, uint16_t *integ)
{
	switch (hash) {
	case IKD_HASH_MD5:
		*prf = IKE_PRF_HMAC_MD5;
		*integ = IKE_AUTH_HMAC_MD5_96;
		return true;
	case IKD_HASH_SHA1:
		*prf = IKE_PRF_HMAC_SHA1;
		*integ = IKE_AUTH_HMAC_SHA1_96;
		return true;
	case IKD_HASH_SHA2_256:
		*prf = IKE_PRF_HMAC_SHA2_256;
		*integ = IKE_AUTH_HMAC_SHA2_256_128;
		return true;
	case IKD_HASH_SHA2_384:
		*prf = IKE_PRF_HMAC_SHA2_384;
		*integ = IKE_AUTH_HMAC_SHA2_384_192;
		return true;
	case IKD_HASH_SHA2_512:
		*prf = IKE_PRF_HMAC_SHA2_512;
		*integ = IKE_AUTH_HMAC_SHA2_512_256;
		return true;
	}
	return false;
}

/* authentication_algorithm: IKEv2's integrity id; 0 for none. */
static uint16_t p2auth_to_v2(unsigned int a)
{
	switch (a) {
	case IKD_P2AUTH_HMAC_MD5:
		return IKE_AUTH_HMAC_MD5_96;
	case IKD_P2AUTH_HMAC_SHA1:
		return IKE_AUTH_HMAC_SHA1_96;
	case IKD_P2AUTH_HMAC_SHA2_256:
		return IKE_AUTH_HMAC_SHA2_256_128;
	case IKD_P2AUTH_HMAC_SHA2_384:
		return IKE_AUTH_HMAC_SHA2_384_192;
	case IKD_P2AUTH_HMAC_SHA2_512:
		return IKE_AUTH_HMAC_SHA2_512_256;
	}
	return 0;
}

/* ---- identities ------------------------------------------------------------ */

static int id_set(struct ike_id *out, uint8_t type, const void *data,
		  size_t len)
{
	if (len > sizeof(out->data))
		return -ENAMETOOLONG;
	out->type = type;
	out->len = (uint16_t)len;
	memcpy(out->data, data, len);
	return 0;
}

/* my_identifier or peers_identifier as IKEv2 sends it; type 0: the
 * address of the exchange (mine) or anyone (the peer's). */
static int id_to_v2(const struct ikd_id *in, struct ike_id *out)
{
	memset(out, 0, sizeof(*out));
	switch (in->type) {
	case IKD_ID_NONE:
		return 0;
	case IKD_ID_ADDRESS:
		if (!in->value)
			return 0;
		if (in->addr.family == AF_INET)
			return id_set(out, IKE_ID_IPV4_ADDR, &in->addr.v4, 4);
		return id_set(out, IKE_ID_IPV6_ADDR, &in->addr.v6, 16);
	case IKD_ID_FQDN:
		return id_set(out, IKE_ID_FQDN, in->value, strlen(in->value));
	case IKD_ID_USER_FQDN:
		return id_set(out, IKE_ID_RFC822_ADDR, in->value,
			      strlen(in->value));
	case IKD_ID_KEYID:
		if (in->key_file)
			return -EOPNOTSUPP;
		return id_set(out, IKE_ID_KEY_ID, in->value, strlen(in->value));
	case IKD_ID_ASN1DN:
		/* Without a value: my certificate's subject (the engine
		 * fills it in), or any peer the certificate check admits. */
		if (!in->value) {
			out->type = IKE_ID_DER_ASN1_DN;
			return 0;
		}
		if (strchr(in->value, '*'))
			return -EOPNOTSUPP;
		return ike_cert_dn_from_str(in->value, out);
	default:
		return -EOPNOTSUPP;
	}
}

/* The text psk.txt keys an identity by. */
static bool id_text(const struct ike_id *id, char *buf, size_t len)
{
	switch (id->type) {
	case IKE_ID_IPV4_ADDR:
		return id->len == 4 && inet_ntop(AF_INET, id->data, buf, len);
	case IKE_ID_IPV6_ADDR:
		return id->len == 16 && inet_ntop(AF_INET6, id->data, buf, len);
	case IKE_ID_FQDN:
	case IKE_ID_RFC822_ADDR:
	case IKE_ID_KEY_ID:
		if (id->len >= len || memchr(id->data, '\0', id->len))
			return false;
		memcpy(buf, id->data, id->len);
		buf[id->len] = '\0';
		return true;
	}
	return false;
}

/* ---- remote blocks ------------------------------------------------------- */

static int prop_to_v2(const struct ikd_p1_proposal *p,
		      struct ike_sa_prop_cfg *out)
{
	uint16_t prf, integ;

	memset(out, 0, sizeof(*out));
	if (p->auth_method != IKD_AUTH_PSK && p->auth_method != IKD_AUTH_RSA_SIG)
		return -EOPNOTSUPP;
	if (!ike_encr_info(p->encr.id, p->encr.keylen) ||
	    !ike_encr_info(p->encr.id, p->encr.keylen)->ike_ok)
		return -ENOENT;
	if (!hash_to_v2(p->hash, &prf, &integ) || !ike_dh_info(p->dh_group))
		return -ENOENT;
	out->encr[out->nencr++] = (struct ike_encr_alg){ p->encr.id,
							 p->encr.keylen };
	out->prf[out->nprf++] = prf;
	if (!ike_encr_info(p->encr.id, p->encr.keylen)->aead)
		out->integ[out->ninteg++] = integ;
	out->dh[out->ndh++] = (uint16_t)p->dh_group;
	return 0;
}

static void path_to_v2(char *dst, const char *src)
{
	if (src)
		snprintf(dst, IKE_CFG_PATH_MAX, "%s", src);
}

/* The certificate statements of @r as the engine takes them. */
static void cert_paths(const struct ikd_config *c, const struct ikd_remote *r,
		       struct ike_cert_cfg *cc)
{
	path_to_v2(cc->cert, r->cert_path);
	path_to_v2(cc->key, r->key_path);
	path_to_v2(cc->ca, r->ca_path);
	path_to_v2(cc->peer_cert, r->peers_cert_path);
	path_to_v2(cc->dir, c->conf->path_cert);
	cc->verify_cert = r->verify_cert;
	cc->send_cert = r->send_cert;
	cc->send_cr = r->send_cr;
}

/* authentication_method rsasig (every proposal the same method: IKEv2
 * does not negotiate it) and the certificate statements. */
static int certs_to_v2(const struct ikd_config *c, const struct ikd_remote *r,
		       struct ike_peer_cfg *out, struct ikd_diag *d)
{
	struct ike_cert_cfg *cc = &out->cert;
	size_t i, nsig = 0;

	for (i = 0; i < r->n_proposal; i++)
		nsig += r->proposal[i].auth_method == IKD_AUTH_RSA_SIG;
	if (nsig && nsig != r->n_proposal) {
		ikd_diag_error(d, &r->proposal[0].auth_method_pos, "IKEv2 does "
			       "not negotiate the authentication method: give "
			       "every proposal of this remote the same one");
		return -EINVAL;
	}
	if (!nsig)
		return 0;
	out->auth = IKE_CFG_AUTH_CERT;
	if (!r->cert_path) {
		ikd_diag_error(d, &r->proposal[0].auth_method_pos,
			       "authentication_method rsasig needs "
			       "certificate_type x509 CERT KEY");
		return -EINVAL;
	}
	if (!r->ca_path && !r->peers_cert_path && !c->conf->path_cert &&
	    r->verify_cert)
		ikd_diag_warn(d, &r->pos, "no ca_type, peers_certfile or path "
			      "certificate: no peer certificate can verify");
	cert_paths(c, r, cc);
	return 0;
}

int ikd_config_remote_v2(const struct ikd_config *c, const struct ikd_remote *r,
			 struct ike_peer_cfg *out, struct ikd_diag *d)
{
	int err = 0, e;
	size_t i;

	memset(out, 0, sizeof(*out));
	/* The engine's logs quote the name themselves. */
	if (r->name)
		snprintf(out->name, sizeof(out->name), "%s", r->name);
	else
		ikd_remote_str(r, out->name, sizeof(out->name));
	out->ike_version = 2;
	out->remote = r->addr;
	if (id_to_v2(&r->my_id, &out->my_id)) {
		ikd_diag_error(d, &r->my_id.pos, "IKEv2 cannot use this "
			       "identifier (keyid from a file, or asn1dn with "
			       "'*' wildcards)");
		err = -EINVAL;
	}
	if (r->n_peers_id && id_to_v2(&r->peers_id[0], &out->peer_id)) {
		ikd_diag_error(d, &r->peers_id[0].pos, "IKEv2 cannot use this "
			       "identifier (keyid from a file, or asn1dn with "
			       "'*' wildcards)");
		err = -EINVAL;
	}
	if (out->peer_id.type == IKE_ID_DER_ASN1_DN && !out->peer_id.len)
		out->peer_id.type = 0;	/* asn1dn alone: the certificate's */
	if (r->n_peers_id > 1)
		ikd_diag_warn(d, &r->peers_id[1].pos, "IKEv2: only the first "
			      "peers_identifier is checked");
	if (!r->n_proposal) {
		ikd_diag_error(d, &r->pos, "remote block without a proposal");
		err = -EINVAL;
	}
	for (i = 0; i < r->n_proposal && i < IKE_CFG_MAX_PROPOSALS; i++) {
		e = prop_to_v2(&r->proposal[i], &out->prop[out->nprop]);
		if (e == -EOPNOTSUPP)
			ikd_diag_error(d, &r->proposal[i].auth_method_pos,
				       "IKEv2: authentication_method %s is not "
				       "supported (pre_shared_key and rsasig "
				       "are)",
				       ikd_auth_method_name(r->proposal[i].auth_method));
		else if (e)
			ikd_diag_error(d, &r->proposal[i].pos, "IKEv2 cannot use "
				       "this proposal (%s, %s, DH group %u)",
				       ikd_encr_name(r->proposal[i].encr.id),
				       ikd_hash_name(r->proposal[i].hash),
				       r->proposal[i].dh_group);
		else
			out->nprop++;
		if (e)
			err = -EINVAL;
	}
	if (certs_to_v2(c, r, out, d))
		err = -EINVAL;
	if (!c->psk && out->nprop && out->auth == IKE_CFG_AUTH_PSK) {
		ikd_diag_error(d, &r->pos, "pre_shared_key authentication needs "
			       "'path pre_shared_key'");
		err = -EINVAL;
	}
	out->lifetime_secs = r->lifetime;
	if (r->n_proposal && r->proposal[0].lifetime)
		out->lifetime_secs = r->proposal[0].lifetime;
	out->retrans.counter = c->conf->retry_counter;
	out->retrans.interval_ms = c->conf->retry_interval * 1000;
	out->dpd_delay_secs = r->dpd_delay;
	out->dpd_retry_secs = r->dpd_retry;
	out->dpd_maxfail = r->dpd_maxfail;
	out->dpd = r->dpd;
	out->passive = r->passive;
	memcpy(out->ifname, r->ifname, sizeof(out->ifname));
	memcpy(out->kif_ts, r->kif_ts, sizeof(out->kif_ts));
	memcpy(out->n_kif_ts, r->n_kif_ts, sizeof(out->n_kif_ts));
	out->generate_policy = r->generate_policy != IKD_GENPOL_OFF;
	out->initial_contact = r->initial_contact;
	/* The enums have racoon's values, in the same order. */
	out->nat_traversal = r->nat_traversal == IKD_FORCE ? IKE_NATT_FORCE :
			     r->nat_traversal == IKD_ON ? IKE_NATT_ON :
			     IKE_NATT_OFF;
	out->natt_keepalive_secs = c->conf->natt_keepalive;
	out->rekey = r->rekey == IKD_FORCE ? IKE_REKEY_FORCE :
		     r->rekey == IKD_ON ? IKE_REKEY_ON : IKE_REKEY_OFF;
	/* Fragmentation is on unless the block says otherwise, as
	 * strongSwan's fragmentation=yes: it costs nothing when the peer
	 * does not announce it, and saves IKE_AUTH with certificates on a
	 * path that drops IP fragments. */
	out->ike_frag = !r->ike_frag_pos.line ? IKE_FRAG_ON :
			r->ike_frag == IKD_FORCE ? IKE_FRAG_FORCE :
			r->ike_frag == IKD_ON ? IKE_FRAG_ON : IKE_FRAG_OFF;
	return err;
}

/* ---- IKEv1 remote blocks ------------------------------------------------- */

static int prop_to_v1(const struct ikd_remote *r,
		      const struct ikd_p1_proposal *p,
		      struct ike_v1_prop_cfg *out)
{
	memset(out, 0, sizeof(*out));
	if (p->auth_method != IKD_AUTH_PSK && p->auth_method != IKD_AUTH_RSA_SIG)
		return -EOPNOTSUPP;
	/* Oakley's numbers: conf.h keeps the hash values as such. */
	out->encr = (uint16_t)ikd_encr_oakley(p->encr.id);
	out->keybits = (uint16_t)p->encr.keylen;
	out->hash = (uint16_t)p->hash;
	out->auth = p->auth_method == IKD_AUTH_PSK ? OAKLEY_AUTH_PSK :
		    OAKLEY_AUTH_RSA_SIG;
	out->dh = (uint16_t)p->dh_group;
	out->lifetime_secs = p->lifetime ? p->lifetime : r->lifetime;
	if (!out->lifetime_secs)
		out->lifetime_secs = IKD_P1_LIFETIME_DEFAULT;
	if (!out->encr || !ikev1_encr_info(out->encr, out->keybits) ||
	    !ikev1_hash_prf(out->hash) || !ike_dh_info(out->dh))
		return -ENOENT;
	return 0;
}

static uint8_t check_to_v1(enum ikd_proposal_check pc)
{
	switch (pc) {
	case IKD_PCHECK_OBEY:	return IKE_V1_CHECK_OBEY;
	case IKD_PCHECK_CLAIM:	return IKE_V1_CHECK_CLAIM;
	case IKD_PCHECK_EXACT:	return IKE_V1_CHECK_EXACT;
	default:		return IKE_V1_CHECK_STRICT;
	}
}

/* IKEv1 phase 1's view of remote block @r: what IKEv2 takes too (ids,
 * retransmission, DPD, NAT-T...), then the exchange modes, the proposals
 * as Oakley values and proposal_check. Proposals the engine cannot use
 * are skipped (logged once); -ENOENT when none is left. */
int ikd_config_remote_v1(const struct ikd_config *c, const struct ikd_remote *r,
			 struct ike_peer_cfg *out)
{
	struct ike_v1_cfg *v1;
	struct ikd_diag d;
	size_t i;

	ikd_diag_init(&d);
	ikd_config_remote_v2(c, r, out, &d);	/* its IKEv2 complaints do not apply */
	ikd_diag_free(&d);
	out->ike_version = 1;
	v1 = &out->v1;
	memset(v1, 0, sizeof(*v1));
	for (i = 0; i < r->n_xmode && v1->nxmode < IKE_V1_MAX_XMODES; i++)
		if (r->xmode[i] == IKD_XMODE_MAIN ||
		    r->xmode[i] == IKD_XMODE_AGGRESSIVE)
			v1->xmode[v1->nxmode++] = (uint8_t)r->xmode[i];
	if (!v1->nxmode)
		v1->xmode[v1->nxmode++] = ISAKMP_EXCH_IDPROT;
	for (i = 0; i < r->n_proposal && v1->nprop < IKE_CFG_MAX_PROPOSALS;
	     i++) {
		if (prop_to_v1(r, &r->proposal[i], &v1->prop[v1->nprop]))
			log_notify("%s:%u: IKEv1 proposal (%s, %s, %s, DH group "
				   "%u) not supported here: skipped",
				   r->proposal[i].pos.file,
				   r->proposal[i].pos.line,
				   ikd_encr_name(r->proposal[i].encr.id),
				   ikd_hash_name(r->proposal[i].hash),
				   ikd_auth_method_name(r->proposal[i].auth_method),
				   r->proposal[i].dh_group);
		else
			v1->nprop++;
	}
	v1->check = check_to_v1(r->proposal_check);
	/* racoon's default for ike_frag is off: an IKEv1 remote block
	 * without it neither announces nor sends fragments. */
	if (!r->ike_frag_pos.line)
		out->ike_frag = IKE_FRAG_OFF;
	/* IKEv1 negotiates the method: proposals may mix pre_shared_key
	 * and rsasig, which IKEv2's mapping refused. */
	if (r->cert_path && !out->cert.cert[0])
		cert_paths(c, r, &out->cert);
	return v1->nprop ? 0 : -ENOENT;
}

const struct ike_peer_cfg *ikd_config_peer_v1(struct ikd_config *c,
					      const struct ikd_addr *remote)
{
	const struct ikd_remote *r = ikd_conf_find_remote(c->conf, remote);

	if (!r || r->ike_version != IKD_IKEV1)
		return NULL;
	if (ikd_config_remote_v1(c, r, &c->peer))
		return NULL;
	if (!c->peer.remote.family)
		c->peer.remote = *remote;
	return &c->peer;
}

/* ---- sainfo blocks -------------------------------------------------------- */

static void child_to_v2(const struct ikd_config *c, const struct ikd_sainfo *s,
			struct ike_child_cfg *out)
{
	struct ike_child_prop_cfg *cbc, *aead;
	const struct ike_encr_info *ei;
	size_t i, j;
	uint16_t integ;

	memset(out, 0, sizeof(*out));
	cbc = &out->prop[0];
	aead = &out->prop[1];
	cbc->proto = aead->proto = IKE_PROTO_ESP;
	for (i = 0; i < s->n_encr; i++) {
		ei = ike_encr_info(s->encr[i].id, s->encr[i].keylen);
		struct ike_child_prop_cfg *p = ei && ei->aead ? aead : cbc;

		if (p->nencr < IKE_CFG_MAX_ALGS)
			p->encr[p->nencr++] = (struct ike_encr_alg){
				s->encr[i].id, s->encr[i].keylen };
	}
	for (j = 0; j < s->n_auth; j++) {
		integ = p2auth_to_v2(s->auth[j].id);
		if (integ && cbc->ninteg < IKE_CFG_MAX_ALGS)
			cbc->integ[cbc->ninteg++] = integ;
	}
	for (i = 0; i < 2; i++) {
		struct ike_child_prop_cfg *p = &out->prop[i];

		if (c->esn)
			p->esn[p->nesn++] = IKE_ESN_YES;
		p->esn[p->nesn++] = IKE_ESN_NO;
	}
	/* Cipher-only ESP without integrity is not proposed. */
	if (cbc->nencr && cbc->ninteg)
		out->nprop++;
	else
		*cbc = *aead;
	if (aead->nencr && out->nprop)
		out->nprop++;
	else if (aead->nencr)
		out->nprop = 1;
	/* The admin's order: an AEAD listed first is proposed first. */
	ei = s->n_encr ? ike_encr_info(s->encr[0].id, s->encr[0].keylen) : NULL;
	if (out->nprop == 2 && ei && ei->aead) {
		struct ike_child_prop_cfg t = out->prop[0];

		out->prop[0] = out->prop[1];
		out->prop[1] = t;
	}
	out->pfs_group = (uint16_t)s->pfs_group;
	out->hard_secs = s->lifetime;
	out->soft_secs = (uint64_t)s->lifetime * 4 / 5;
	out->hard_bytes = s->lifebytes;
	out->soft_bytes = s->lifebytes * 4 / 5;
	/* IPcomp is negotiated with deflate, the one kipsec.ko has. */
	for (i = 0; i < s->n_comp; i++)
		if (s->comp[i].id == IKD_COMP_DEFLATE)
			out->ipcomp = true;
}

/* ---- the engine's callbacks ---------------------------------------------- */

static const struct ikd_remote *v2_remote(const struct ikd_config *c,
					  const struct ikd_addr *remote)
{
	const struct ikd_remote *r = ikd_conf_find_remote(c->conf, remote);
	char s[IKD_ADDR_STRLEN];

	if (!r)
		log_notify("no remote block for %s: ignored",
			   ikd_addr_str(remote, remote->port != 0, s));
	else if (r->ike_version != IKD_IKEV2)
		log_notify("remote block for %s (%s:%u) speaks IKEv1, not "
			   "IKEv2",
			   ikd_addr_str(remote, remote->port != 0, s), r->pos.file,
			   r->pos.line);
	return r && r->ike_version == IKD_IKEV2 ? r : NULL;
}

const struct ike_peer_cfg *ikd_config_peer(struct ikd_config *c,
					   const struct ikd_addr *remote)
{
	const struct ikd_remote *r = v2_remote(c, remote);
	struct ikd_diag d;
	int err;

	if (!r)
		return NULL;
	ikd_diag_init(&d);
	err = ikd_config_remote_v2(c, r, &c->peer, &d);
	ikd_diag_free(&d);	/* checked at load */
	if (err)
		return NULL;
	/* An anonymous block answers for the peer at hand. */
	if (!c->peer.remote.family)
		c->peer.remote = *remote;
	return &c->peer;
}

const struct ike_peer_cfg *ikd_config_peer_by_name(struct ikd_config *c,
						   const char *name)
{
	const struct ikd_remote *r;
	struct ikd_diag d;
	int err;

	for (r = c->conf->remotes; r; r = r->next) {
		if (r->ike_version != IKD_IKEV2 || r->anonymous)
			continue;
		ikd_diag_init(&d);
		err = ikd_config_remote_v2(c, r, &c->peer, &d);
		ikd_diag_free(&d);	/* checked at load */
		if (!err && !strcmp(c->peer.name, name))
			return &c->peer;
	}
	return NULL;
}

static const struct ike_peer_cfg *cb_peer_by_addr(void *arg,
						  const struct ikd_addr *local,
						  const struct ikd_addr *remote)
{
	struct ikd_config *c = *(struct ikd_config **)arg;
	const struct ikd_remote *r = ikd_conf_find_remote(c->conf, remote);
	const struct ike_peer_cfg *p;

	/* Each responder checks ike_version: IKEv1's wants 1, IKEv2's 2. */
	if (r && r->ike_version == IKD_IKEV1)
		p = ikd_config_peer_v1(c, remote);
	else
		p = ikd_config_peer(c, remote);
	if (p && !c->peer.local.family)
		c->peer.local = *local;
	return p;
}

/* Does @r name @id among its peers' identifiers? */
static bool remote_has_id(const struct ikd_remote *r, const struct ike_id *id)
{
	struct ike_id v;
	size_t i;

	for (i = 0; i < r->n_peers_id; i++)
		if (!id_to_v2(&r->peers_id[i], &v) && v.type == id->type &&
		    v.len == id->len && !memcmp(v.data, id->data, v.len))
			return true;
	return false;
}

static const struct ike_peer_cfg *cb_peer_by_id(void *arg,
						const struct ikd_addr *local,
						const struct ikd_addr *remote,
						const struct ike_id *id)
{
	struct ikd_config *c = *(struct ikd_config **)arg;
	const struct ikd_remote *r;
	struct ikd_diag d;
	int err;

	for (r = c->conf->remotes; r; r = r->next)
		if (r->ike_version == IKD_IKEV2 && remote_has_id(r, id))
			break;
	if (!r)
		return NULL;
	ikd_diag_init(&d);
	err = ikd_config_remote_v2(c, r, &c->peer, &d);
	ikd_diag_free(&d);
	if (err)
		return NULL;
	if (!c->peer.remote.family)
		c->peer.remote = *remote;
	if (!c->peer.local.family)
		c->peer.local = *local;
	return &c->peer;
}

static int cb_psk(void *arg, const struct ike_peer_cfg *peer,
		  const struct ike_id *id, const struct ikd_addr *remote,
		  uint8_t *key, size_t cap, size_t *len)
{
	struct ikd_config *c = *(struct ikd_config **)arg;
	const struct ikd_psk_entry *e = NULL;
	char text[IKE_ID_MAX + 1];

	(void)peer;
	if (!c->psk)
		return -ENOENT;
	if (id && id_text(id, text, sizeof(text)))
		e = ikd_psk_find(c->psk, text);
	if (!e && remote)
		e = ikd_psk_find(c->psk, ikd_addr_str(remote, false, text));
	if (!e || e->key_len > cap)
		return -ENOENT;
	memcpy(key, e->key, e->key_len);
	*len = e->key_len;
	return 0;
}

static const struct ike_child_cfg *cb_child_cfg(void *arg,
						const struct ike_peer_cfg *peer,
						const struct ikd_sel *sel)
{
	struct ikd_config *c = *(struct ikd_config **)arg;
	const struct ikd_remote *r;
	const struct ikd_sainfo *s;
	struct ikd_id from = { .type = IKD_ID_NONE };
	char text[IKE_ID_MAX + 1];

	if (peer->peer_id.type == IKE_ID_FQDN && id_text(&peer->peer_id, text,
							  sizeof(text)))
		from = (struct ikd_id){ .type = IKD_ID_FQDN, .value = text };
	else if (peer->peer_id.type == IKE_ID_RFC822_ADDR &&
		 id_text(&peer->peer_id, text, sizeof(text)))
		from = (struct ikd_id){ .type = IKD_ID_USER_FQDN, .value = text };
	/* racoon's remoteid: the sainfo blocks of the peer's ph1id. */
	r = ikd_conf_find_remote(c->conf, &peer->remote);
	s = ikd_conf_find_sainfo(c->conf, sel, from.type ? &from : NULL,
				 &peer->remote, r ? r->ph1id : 0);
	if (!s)
		return NULL;
	child_to_v2(c, s, &c->child);
	return c->child.nprop ? &c->child : NULL;
}

void ikd_config_dos_limits(const struct ikd_config *c,
			   struct ike_dos_limits *out)
{
	out->cookie_threshold = c->conf->cookie_threshold;
	out->half_open_per_source = c->conf->half_open_per_source;
}

void ikd_config_env(struct ike_env *env, struct ikd_config **running)
{
	env->arg = running;
	ikd_config_dos_limits(*running, &env->dos);
	env->peer_by_addr = cb_peer_by_addr;
	env->peer_by_id = cb_peer_by_id;
	env->psk = cb_psk;
	env->child_cfg = cb_child_cfg;
}

/* ---- loading ------------------------------------------------------------- */

/* Statements racoon honours that ikd's IKEv2 parses and does not act on
 * yet: each gets a warning naming its line, so nothing is dropped
 * silently. */
struct unused_stmt {
	size_t pos_off;		/* of the struct ikd_pos that records it */
	const char *what;
};

#define R_UNUSED(field, what) { offsetof(struct ikd_remote, field), what }
static const struct unused_stmt remote_unused[] = {
	R_UNUSED(verify_identifier_pos, "verify_identifier (IKEv2 always "
		 "checks peers_identifier when one is given)"),
	R_UNUSED(xauth_login_pos, "xauth_login (IKEv1 only)"),
	R_UNUSED(nonce_size_pos, "nonce_size (ikd sends 32-byte nonces)"),
	R_UNUSED(support_proxy_pos, "support_proxy (IKEv1 only)"),
	R_UNUSED(mode_cfg_pos, "mode_cfg (no configuration payloads yet)"),
	R_UNUSED(weak_phase1_check_pos, "weak_phase1_check (IKEv1 only)"),
	R_UNUSED(proposal_check_pos, "proposal_check (IKEv2 lifetimes are "
		 "not negotiated; each side keeps its own)"),
};

#define C_UNUSED(field, what) { offsetof(struct ikd_conf, field), what }
static const struct unused_stmt global_unused[] = {
	C_UNUSED(path_pidfile_pos, "path pidfile (ikd's pid file is given "
		 "by -p)"),
	C_UNUSED(retry_persend_pos, "timer persend (one packet per send)"),
	C_UNUSED(phase1_timeout_pos, "timer phase1 (IKEv1 only; IKEv2 gives "
		 "up after counter retransmissions)"),
	C_UNUSED(phase2_timeout_pos, "timer phase2 (IKEv1 only)"),
	C_UNUSED(pad_randomize_pos, "padding randomize (IKEv1 only)"),
	C_UNUSED(pad_randomize_length_pos, "padding randomize_length "
		 "(IKEv1 only)"),
	C_UNUSED(pad_exclusive_tail_pos, "padding exclusive_tail (IKEv1 only)"),
	C_UNUSED(pad_strict_check_pos, "padding strict_check (IKEv1 only)"),
	C_UNUSED(pad_maximum_length_pos, "padding maximum_length (IKEv1 "
		 "only)"),
};

static void warn_unused(const void *base, const struct unused_stmt *u,
			size_t n, struct ikd_diag *d)
{
	const struct ikd_pos *pos;
	size_t i;

	for (i = 0; i < n; i++) {
		pos = (const struct ikd_pos *)((const char *)base +
					       u[i].pos_off);
		if (pos->line)
			ikd_diag_warn(d, pos, "%s is accepted but has no effect "
				      "in ikd yet", u[i].what);
	}
}

/* What the engine cannot use, said at load rather than at the first
 * negotiation. */
static void check_v2(struct ikd_config *c, struct ikd_diag *d)
{
	const struct ikd_remote *r;
	const struct ikd_sainfo *s;
	struct ike_child_cfg child;
	bool v2 = false;

	warn_unused(c->conf, global_unused,
		    sizeof(global_unused) / sizeof(global_unused[0]), d);
	for (r = c->conf->remotes; r; r = r->next) {
		if (r->ike_version != IKD_IKEV2) {
			/* Unusable proposals are named by the mapping. */
			if (ikd_config_remote_v1(c, r, &c->peer))
				ikd_diag_warn(d, &r->pos, "this IKEv1 remote "
					      "block has no proposal ikd can "
					      "use (pre_shared_key or rsasig)");
			continue;
		}
		v2 = true;
		ikd_config_remote_v2(c, r, &c->peer, d);
		warn_unused(r, remote_unused, sizeof(remote_unused) /
			    sizeof(remote_unused[0]), d);
	}
	if (!v2)
		return;
	for (s = c->conf->sainfos; s; s = s->next) {
		child_to_v2(c, s, &child);
		if (!child.nprop)
			ikd_diag_error(d, &s->pos, "this sainfo gives IKEv2 no "
				       "ESP proposal: a cipher needs an "
				       "authentication_algorithm unless it is "
				       "an AEAD (aes_gcm_16, chacha20_poly1305)");
		if (s->n_comp)
			ikd_diag_warn(d, &s->comp[0].pos, "IKEv2: "
				      "compression_algorithm is not negotiated "
				      "yet; child SAs go without IPcomp");
	}
}

int ikd_config_load(const char *path, bool check_files,
		    struct ikd_config **out, struct ikd_diag *d)
{
	struct ikd_config *c = calloc(1, sizeof(*c));
	int err;

	*out = NULL;
	if (!c)
		return -ENOMEM;
	c->esn = true;
	err = ikd_conf_load_file(path, &c->conf, d);
	if (!err && c->conf->path_psk)
		err = ikd_psk_load(c->conf->path_psk, &c->psk, d);
	if (!err && check_files)
		ikd_conf_check_files(c->conf, d);
	if (!err)
		check_v2(c, d);
	if (err || ikd_diag_errors(d)) {
		ikd_config_free(c);
		return err ? err : -EINVAL;
	}
	*out = c;
	return 0;
}

void ikd_config_free(struct ikd_config *c)
{
	if (!c)
		return;
	ikd_conf_free(c->conf);
	ikd_psk_free(c->psk);
	OPENSSL_cleanse(c, sizeof(*c));
	free(c);
}
