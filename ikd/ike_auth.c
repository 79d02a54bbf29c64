// SPDX-License-Identifier: BSD-2-Clause
/*
 * IKE_AUTH with pre-shared keys (RFC 7296 1.2, 2.15), and the first child
 * SA that rides in it. With certificates (the remote's `authentication_method
 * rsasig`), ike_auth_sig.c signs and checks in place of the PSK.
 *
 *   AUTH = prf(prf(Shared Secret, "Key Pad for IKEv2"), <SignedOctets>)
 *   initiator: RealMessage1 | NonceRData | prf(SK_pi, RestOfInitIDPayload)
 *   responder: RealMessage2 | NonceIData | prf(SK_pr, RestOfRespIDPayload)
 *
 * State table:
 *
 *   role       message   state    action                          next
 *   initiator  (keys)    -        IDi, AUTH, child SA/TS request  AUTH_I
 *   initiator  response  AUTH_I   no AUTH: error notify, delete   -
 *                                 AUTH wrong: INFORMATIONAL        -
 *                                 AUTHENTICATION_FAILED, delete
 *                                 AUTH right: child answer        ESTABLISHED
 *   responder  request   INIT_R   AUTH wrong/no PSK/bad ID:       -
 *                                 AUTHENTICATION_FAILED, delete
 *                                 AUTH right: IDr, AUTH, child    ESTABLISHED
 *                                 (a child failure keeps the IKE SA)
 */
#include "ike_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>

#include "log.h"

#define KEY_PAD		"Key Pad for IKEv2"
#define PSK_MAX		1024

static bool id_eq(const struct ike_id *a, const struct ike_id *b)
{
	return a->type == b->type && a->len == b->len &&
	       !memcmp(a->data, b->data, a->len);
}

/* RestOfIDPayload: type, three reserved bytes, the data. */
size_t ike_auth_id_body(const struct ike_id *id, uint8_t *out)
{
	out[0] = id->type;
	out[1] = out[2] = out[3] = 0;
	memcpy(out + 4, id->data, id->len);
	return 4 + (size_t)id->len;
}

int ike_auth_octets(const struct ike_sa *sa, bool of_initiator,
		    const uint8_t *idb, size_t idb_len, uint8_t **out,
		    size_t *olen)
{
	const struct ike_prf_info *prf = sa->ch.prf_info;
	const uint8_t *msg = of_initiator ? sa->init_i : sa->init_r;
	size_t mlen = of_initiator ? sa->init_i_len : sa->init_r_len;
	const uint8_t *nonce = of_initiator ? sa->nr : sa->ni;
	size_t nlen = of_initiator ? sa->nr_len : sa->ni_len;
	uint8_t macid[IKE_MAX_PRF];
	uint8_t *octets;
	int err;

	*out = NULL;
	*olen = mlen + nlen + prf->outlen;
	err = ike_prf(prf, of_initiator ? sa->k.pi : sa->k.pr, sa->k.prf_len,
		      idb, idb_len, macid);
	if (err)
		return err;
	octets = malloc(*olen);
	if (!octets)
		return -ENOMEM;
	memcpy(octets, msg, mlen);
	memcpy(octets + mlen, nonce, nlen);
	memcpy(octets + mlen + nlen, macid, prf->outlen);
	*out = octets;
	return 0;
}

/*
 * The PSK AUTH value of one side: @of_initiator picks the octets that
 * side signs. @psk is the shared secret. 0 or -errno; @out gets
 * prf->outlen.
 */
static int psk_auth(const struct ike_sa *sa, bool of_initiator,
		    const uint8_t *psk, size_t psk_len, const uint8_t *idb,
		    size_t idb_len, uint8_t *out)
{
	const struct ike_prf_info *prf = sa->ch.prf_info;
	uint8_t padkey[IKE_MAX_PRF];
	uint8_t *octets;
	size_t olen;
	int err;

	err = ike_auth_octets(sa, of_initiator, idb, idb_len, &octets, &olen);
	if (err)
		return err;
	err = ike_prf(prf, psk, psk_len, (const uint8_t *)KEY_PAD,
		      strlen(KEY_PAD), padkey);
	if (!err)
		err = ike_prf(prf, padkey, prf->outlen, octets, olen, out);
	OPENSSL_cleanse(padkey, sizeof(padkey));
	free(octets);
	return err;
}

static int get_psk(struct ike_sa *sa, const struct ike_id *id, uint8_t *psk,
		   size_t *len)
{
	struct ike_engine *e = sa->eng;

	*len = 0;
	if (e->env.psk(e->env.arg, sa->cfg, id, &sa->remote, psk, PSK_MAX,
		       len) || !*len || *len > PSK_MAX)
		return -ENOENT;
	return 0;
}

/* The ID we expect of the peer when we initiate, to find the key. */
static void expected_peer_id(const struct ike_sa *sa, struct ike_id *id)
{
	if (sa->cfg->peer_id.type)
		*id = sa->cfg->peer_id;
	else
		ike_id_from_addr(id, &sa->remote);
}

static int id_from_payload(const struct ike_id_pl *pl, struct ike_id *id)
{
	memset(id, 0, sizeof(*id));
	if (pl->data.len > IKE_ID_MAX)
		return -E2BIG;
	id->type = pl->type;
	id->len = (uint16_t)pl->data.len;
	memcpy(id->data, pl->data.ptr, pl->data.len);
	return 0;
}

/* --- initiator ---------------------------------------------------------- */

static int auth_send(struct ike_sa *sa, struct ike_child *c, uint8_t *buf,
		     struct ike_builder *bp);

/* With certificates: IDi, CERT, CERTREQ, [IDr], AUTH (ike_auth_sig.c). */
static int auth_start_sig(struct ike_sa *sa, struct ike_child *c)
{
	uint8_t *buf = malloc(IKE_AUTH_MSG_MAX);
	struct ike_wbuf w;
	struct ike_builder b;
	int err;

	if (!buf)
		return -ENOMEM;
	ike_wbuf_init(&w, buf, IKE_AUTH_MSG_MAX);
	ike_build_chain(&b, &w);
	err = ike_auth_sig_add(sa, true, &b);
	if (err) {
		free(buf);
		return err;
	}
	return auth_send(sa, c, buf, &b);
}

int ike_auth_start(struct ike_sa *sa)
{
	uint8_t idb[4 + IKE_ID_MAX], auth[IKE_MAX_PRF], psk[PSK_MAX];
	uint8_t *buf;
	struct ike_child *c = NULL;
	struct ike_wbuf w;
	struct ike_builder b;
	struct ike_id peer;
	char ib[IKE_ID_STRLEN];
	size_t idb_len, psk_len;
	int err;

	/* The first child SA (that of the ACQUIRE) rides in IKE_AUTH. */
	for (struct ike_child *x = sa->children; x; x = x->next)
		if (x->state == CHILD_ST_QUEUED)
			c = x;	/* the oldest: children are pushed in front */
	if (sa->cfg->auth == IKE_CFG_AUTH_CERT)
		return auth_start_sig(sa, c);
	expected_peer_id(sa, &peer);
	if (get_psk(sa, &peer, psk, &psk_len)) {
		log_error("no pre-shared key for %s (remote \"%s\"): cannot "
			  "authenticate", ike_id_str(&peer, ib, sizeof(ib)),
			  sa->cfg->name);
		return -ENOENT;
	}
	idb_len = ike_auth_id_body(&sa->my_id, idb);
	err = psk_auth(sa, true, psk, psk_len, idb, idb_len, auth);
	OPENSSL_cleanse(psk, sizeof(psk));
	if (err)
		return err;
	buf = malloc(8192);
	if (!buf)
		return -ENOMEM;
	ike_wbuf_init(&w, buf, 8192);
	ike_build_chain(&b, &w);
	ike_build_id(&b, IKE_PL_IDI, sa->my_id.type, sa->my_id.data,
		     sa->my_id.len);
	if (sa->cfg->peer_id.type)
		ike_build_id(&b, IKE_PL_IDR, sa->cfg->peer_id.type,
			     sa->cfg->peer_id.data, sa->cfg->peer_id.len);
	ike_build_auth(&b, IKE_AUTH_PSK, auth, sa->ch.prf_info->outlen);
	return auth_send(sa, c, buf, &b);
}

/* The rest of our IKE_AUTH request after IDi and AUTH: INITIAL_CONTACT,
 * the first child; sends it. Frees @buf. */
static int auth_send(struct ike_sa *sa, struct ike_child *c, uint8_t *buf,
		     struct ike_builder *bp)
{
	struct ike_builder b = *bp;
	int err;

	if (sa->cfg->initial_contact)
		ike_build_notify(&b, 0, NULL, 0, IKE_N_INITIAL_CONTACT, NULL, 0);
	if (c) {
		err = ike_child_request(sa, c, &b, true);
		if (err) {
			ike_child_fail(sa, c, "cannot build the CHILD_SA request");
			c = NULL;
		}
	}
	if (!c) {
		/* Nothing to carry: without a child SA there is no reason
		 * for this IKE SA (childless IKE SAs, RFC 6023, come later). */
		free(buf);
		return -ENOENT;
	}
	ike_sa_set_state(sa, IKE_ST_AUTH_I);
	err = ike_sa_send_request(sa, REQ_AUTH, IKE_AUTH, c, &b);
	free(buf);
	return err;
}

void ike_auth_failed_log(const struct ike_sa *sa, const struct ike_id *id,
			 uint8_t method, const char *why)
{
	char ib[IKE_ID_STRLEN], rb[IKD_ADDR_STRLEN];

	log_error("authentication failed: peer %s (%s, remote \"%s\"), %s: "
		  "%s", ikd_addr_str(&sa->remote, false, rb),
		  ike_id_str(id, ib, sizeof(ib)), sa->cfg->name,
		  ike_auth_method_name(method), why);
}

/* Is @id the configured peers_identifier (when there is one)? */
static bool id_allowed(const struct ike_sa *sa, const struct ike_id *id,
		       uint8_t method)
{
	char cb[IKE_ID_STRLEN], why[IKE_ID_STRLEN + 64];

	if (!sa->cfg->peer_id.type || id_eq(id, &sa->cfg->peer_id))
		return true;
	snprintf(why, sizeof(why), "identity is not the configured "
		 "peers_identifier %s",
		 ike_id_str(&sa->cfg->peer_id, cb, sizeof(cb)));
	ike_auth_failed_log(sa, id, method, why);
	return false;
}

/* Checks the peer's AUTH payload: 0, or -EACCES (logged). */
static int verify(struct ike_sa *sa, const struct ike_msg *m,
		  const struct ike_id_pl *idpl, const struct ike_id *id,
		  bool peer_is_initiator)
{
	uint8_t want[IKE_MAX_PRF], psk[PSK_MAX];
	size_t psk_len;
	int err;

	if (sa->cfg->auth == IKE_CFG_AUTH_CERT)
		return ike_auth_sig_check(sa, m, idpl, id, peer_is_initiator);
	if (m->auth.method != IKE_AUTH_PSK) {
		ike_auth_failed_log(sa, id, m->auth.method,
				    "this remote authenticates with a pre-shared "
				    "key (authentication_method pre_shared_key)");
		return -EACCES;
	}
	if (get_psk(sa, id, psk, &psk_len)) {
		ike_auth_failed_log(sa, id, m->auth.method,
				"no pre-shared key for this identity");
		return -EACCES;
	}
	err = psk_auth(sa, peer_is_initiator, psk, psk_len, idpl->body.ptr,
		       idpl->body.len, want);
	OPENSSL_cleanse(psk, sizeof(psk));
	if (err) {
		ike_auth_failed_log(sa, id, m->auth.method, strerror(-err));
		return -EACCES;
	}
	if (m->auth.data.len != sa->ch.prf_info->outlen ||
	    CRYPTO_memcmp(want, m->auth.data.ptr, m->auth.data.len)) {
		ike_auth_failed_log(sa, id, m->auth.method,
				"AUTH payload does not verify (the pre-shared "
				"keys differ?)");
		OPENSSL_cleanse(want, sizeof(want));
		return -EACCES;
	}
	OPENSSL_cleanse(want, sizeof(want));
	return 0;
}

static int auth_response(struct ike_sa *sa, const struct ike_msg *m,
			 struct ike_builder *rb)
{
	struct ike_child *c = sa->done_child;
	const struct ike_notify_pl *n;
	struct ike_id id;
	char ib[IKE_ID_STRLEN], rbuf[IKD_ADDR_STRLEN];

	(void)rb;
	if (!ike_msg_has(m, IKE_PL_AUTH)) {
		n = ike_msg_error_notify(m);
		if (n)
			ike_stats_fail(sa->eng, n->type);
		log_error("%s refused our authentication (%s, %s, remote "
			  "\"%s\"): %s", ikd_addr_str(&sa->remote, false, rbuf),
			  ike_id_str(&sa->my_id, ib, sizeof(ib)),
			  sa->cfg->auth == IKE_CFG_AUTH_CERT ? "certificate" :
			  "pre-shared key", sa->cfg->name,
			  n ? ike_notify_name(n->type) : "no AUTH payload");
		return -EACCES;
	}
	if (!ike_msg_has(m, IKE_PL_IDR) || id_from_payload(&m->idr, &id)) {
		log_error("IKE_AUTH answer of %s has no usable IDr",
			  ikd_addr_str(&sa->remote, false, rbuf));
		return -EBADMSG;
	}
	if (!id_allowed(sa, &id, m->auth.method) ||
	    verify(sa, m, &m->idr, &id, false)) {
		/* 2.21.2: an initiator tells in a separate INFORMATIONAL. */
		{
			uint8_t buf[64];
			struct ike_wbuf w;
			struct ike_builder b;

			ike_wbuf_init(&w, buf, sizeof(buf));
			ike_build_chain(&b, &w);
			ike_build_notify(&b, 0, NULL, 0,
					 IKE_N_AUTHENTICATION_FAILED, NULL, 0);
			ike_stats_fail(sa->eng, IKE_N_AUTHENTICATION_FAILED);
			ike_sa_send_oneshot(sa, IKE_INFORMATIONAL, &b);
		}
		return -EACCES;
	}
	sa->peer_id = id;
	ike_sa_established(sa);
	if (c)
		ike_child_response(sa, c, m, true);
	return 0;
}

/* --- responder ---------------------------------------------------------- */

/* 2.4: INITIAL_CONTACT, the peer rebooted: its older IKE SAs (same
 * address and identity) and their child SAs are stale. */
static void initial_contact(struct ike_sa *sa)
{
	struct ike_sa *o, *next;
	unsigned int n = 0;

	for (o = sa->eng->sas; o; o = next) {
		next = o->next;
		if (o == sa || o->state != IKE_ST_ESTABLISHED ||
		    !ikd_addr_eq_noport(&o->remote, &sa->remote) ||
		    !id_eq(&o->peer_id, &sa->peer_id))
			continue;
		log_notify("INITIAL_CONTACT from %s: removing its older IKE SA "
			   "and CHILD_SAs", sa->cfg->name);
		ike_sa_destroy(o);
		n++;
	}
	if (!n)
		log_info("INITIAL_CONTACT from %s: no older IKE SA to remove",
			 sa->cfg->name);
}

static int auth_request(struct ike_sa *sa, const struct ike_msg *m,
			struct ike_builder *rb)
{
	struct ike_engine *e = sa->eng;
	const struct ike_peer_cfg *cfg;
	uint8_t idb[4 + IKE_ID_MAX], auth[IKE_MAX_PRF], psk[PSK_MAX];
	struct ike_id id;
	char ib[IKE_ID_STRLEN];
	size_t idb_len, psk_len;
	int err;

	if (!ike_msg_has(m, IKE_PL_IDI) || id_from_payload(&m->idi, &id)) {
		log_error("IKE_AUTH from %s (remote \"%s\"): no usable IDi",
			  ikd_addr_str(&sa->remote, false, ib), sa->cfg->name);
		goto fail;
	}
	if (!ike_msg_has(m, IKE_PL_AUTH)) {
		ike_auth_failed_log(sa, &id, 0, "no AUTH payload (EAP is not "
				"supported)");
		goto fail;
	}
	/* The identity may select a more specific remote block. */
	if (e->env.peer_by_id) {
		cfg = e->env.peer_by_id(e->env.arg, &sa->local, &sa->remote, &id);
		if (cfg && cfg->ike_version == 2) {
			struct ike_peer_cfg c;

			memcpy(&c, cfg, sizeof(c));
			if (!c.retrans.counter)
				c.retrans = sa->cfg->retrans;
			if (!c.lifetime_secs)
				c.lifetime_secs = IKE_DEFAULT_LIFETIME;
			if (ike_sa_set_cfg(sa, &c))
				goto fail;
			if (cfg->my_id.type)
				sa->my_id = cfg->my_id;
		}
	}
	if (!id_allowed(sa, &id, m->auth.method))
		goto fail;
	if (verify(sa, m, &m->idi, &id, true))
		goto fail;
	sa->peer_id = id;
	if (sa->cfg->auth == IKE_CFG_AUTH_CERT) {
		if (ike_auth_sig_add(sa, false, rb))
			goto fail;
	} else {
		if (!get_psk(sa, &id, psk, &psk_len)) {
			idb_len = ike_auth_id_body(&sa->my_id, idb);
			err = psk_auth(sa, false, psk, psk_len, idb, idb_len,
				       auth);
			OPENSSL_cleanse(psk, sizeof(psk));
		} else {
			err = -ENOENT;
		}
		if (err)
			goto fail;
		ike_build_id(rb, IKE_PL_IDR, sa->my_id.type, sa->my_id.data,
			     sa->my_id.len);
		ike_build_auth(rb, IKE_AUTH_PSK, auth, sa->ch.prf_info->outlen);
		OPENSSL_cleanse(auth, sizeof(auth));
	}
	ike_sa_established(sa);
	if (ike_msg_notify(m, IKE_N_INITIAL_CONTACT))
		initial_contact(sa);
	/* A child failure answers with its notify; the IKE SA stays
	 * (2.21.3). */
	if (ike_msg_has(m, IKE_PL_SA))
		ike_child_respond(sa, m, rb, true);
	return IKE_H_REPLY;
fail:
	e->stats.ike_failed++;
	ike_stats_fail(e, IKE_N_AUTHENTICATION_FAILED);
	ike_build_notify(rb, 0, NULL, 0, IKE_N_AUTHENTICATION_FAILED, NULL, 0);
	return IKE_H_REPLY_DESTROY;
}

const struct ike_handler ike_auth_handlers[] = {
	{ IKE_AUTH, false, IKE_ST_BIT(IKE_ST_INIT_R), auth_request },
	{ IKE_AUTH, true, IKE_ST_BIT(IKE_ST_AUTH_I), auth_response },
	{ 0, false, 0, NULL },
};
