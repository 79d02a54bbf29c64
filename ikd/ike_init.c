// SPDX-License-Identifier: BSD-2-Clause
/*
 * IKE_SA_INIT (RFC 7296 1.2, 2.6, 2.14): SA, KE, nonces; then the keys.
 *
 * State table:
 *
 *   role       message           state    action                 next
 *   initiator  (acquire)         -        DH, nonce, request      INIT_I
 *   initiator  response COOKIE   INIT_I   resend with the cookie  INIT_I
 *   initiator  response          INIT_I   new DH group, resend    INIT_I
 *              INVALID_KE_PAYLOAD         (once, if configured)
 *   initiator  response error    INIT_I   log, delete             -
 *   initiator  response          INIT_I   check, keys, IKE_AUTH   AUTH_I
 *   responder  request           -        choose, keys, answer    INIT_R
 *                                         (or stateless error:
 *                                         NO_PROPOSAL_CHOSEN,
 *                                         INVALID_KE_PAYLOAD,
 *                                         INVALID_SYNTAX)
 *
 * The responder's request handler runs before any SA exists, so it is
 * called directly by the dispatcher rather than through the table.
 * Both messages carry the NAT_DETECTION notifies unless nat_traversal is
 * off (ike_natt.c builds and checks them; the initiator moves to port
 * 4500 there when a NAT is between).
 */
#include "ike_int.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

#define INIT_MAX	(IKE_HDR_LEN + 4 + IKE_MAX_COOKIE + 8 + 4096 + \
			 IKE_MAX_DH_PUB + 8 + IKE_NONCE_MAX + 4)

static uint8_t *copy(const uint8_t *p, size_t len)
{
	uint8_t *c = malloc(len ? len : 1);

	if (c)
		memcpy(c, p, len);
	return c;
}

/* The group our KE uses: the one asked for, else our first one. */
static uint16_t first_group(const struct ike_peer_cfg *cfg)
{
	for (unsigned int i = 0; i < cfg->nprop; i++)
		if (cfg->prop[i].ndh)
			return cfg->prop[i].dh[0];
	return 0;
}

static bool group_configured(const struct ike_peer_cfg *cfg, uint16_t g)
{
	for (unsigned int i = 0; i < cfg->nprop; i++)
		for (unsigned int j = 0; j < cfg->prop[i].ndh; j++)
			if (cfg->prop[i].dh[j] == g)
				return true;
	return false;
}

/* Builds and sends our request from the SA's current DH, nonce and
 * cookie. */
static int send_request(struct ike_sa *sa)
{
	struct ike_proposal *props;
	uint8_t pub[IKE_MAX_DH_PUB];
	size_t plen;
	struct ike_wbuf w;
	struct ike_builder b;
	unsigned int n;
	uint8_t *pkt = malloc(INIT_MAX);
	int err;

	props = calloc(2 * IKE_CFG_MAX_PROPOSALS, sizeof(*props));
	if (!pkt || !props) {
		free(pkt);
		free(props);
		return -ENOMEM;
	}
	n = ike_prop_build_ike(sa->cfg, sa->dh_group, props,
			       2 * IKE_CFG_MAX_PROPOSALS);
	err = ike_dh_public(sa->dh, pub, sizeof(pub), &plen);
	if (!n || err) {
		free(pkt);
		free(props);
		return err ? err : -ENOENT;
	}
	ike_wbuf_init(&w, pkt, INIT_MAX);
	ike_build_hdr(&b, &w, sa->spi_i, 0, IKE_SA_INIT, IKE_FLAG_I, 0);
	/* 2.6: the cookie goes first. */
	if (sa->cookie_len)
		ike_build_notify(&b, 0, NULL, 0, IKE_N_COOKIE, sa->cookie,
				 sa->cookie_len);
	ike_build_sa(&b, props, n);
	ike_build_ke(&b, sa->dh_group, pub, plen);
	ike_build_nonce(&b, sa->ni, sa->ni_len);
	ike_auth_sig_init_payloads(sa, &b);
	ike_natt_build(sa, &b, sa->spi_i, 0);
	ike_frag_build(sa, &b);
	free(props);
	err = ike_build_end(&b);
	if (err) {
		free(pkt);
		return err;
	}
	free(sa->init_i);
	sa->init_i = copy(pkt, w.len);
	if (!sa->init_i) {
		free(pkt);
		return -ENOMEM;
	}
	sa->init_i_len = w.len;
	return ike_sa_send_raw_request(sa, REQ_INIT, IKE_SA_INIT, pkt, w.len);
}

static int new_dh(struct ike_sa *sa)
{
	const struct ike_dh_info *info = ike_dh_info(sa->dh_group);

	ike_dh_free(sa->dh);
	sa->dh = info ? ike_dh_new(sa->dh_group) : NULL;
	if (!sa->dh) {
		log_error("DH group %u is not available", sa->dh_group);
		return -ENOTSUP;
	}
	return 0;
}

int ike_init_start(struct ike_sa *sa)
{
	int err;

	if (!sa->dh_group)
		sa->dh_group = first_group(sa->cfg);
	err = new_dh(sa);
	if (err)
		return err;
	sa->ni_len = IKE_NONCE_LEN;
	if (ike_random(sa->ni, sa->ni_len))
		return -EIO;
	return send_request(sa);
}

/* --- initiator: the response -------------------------------------------- */

static int init_response(struct ike_sa *sa, const struct ike_msg *m,
			 struct ike_builder *rb)
{
	const struct ike_notify_pl *n;
	char rbuf[IKD_ADDR_STRLEN], pb[IKE_PROP_STRLEN];
	const char *peer = ikd_addr_str(&sa->remote, true, rbuf);

	(void)rb;
	n = ike_msg_notify(m, IKE_N_COOKIE);
	if (n) {
		if (!n->data.len || n->data.len > IKE_MAX_COOKIE ||
		    sa->cookie_tries >= IKE_MAX_COOKIE_TRIES) {
			log_error("%s keeps asking for a cookie: giving up", peer);
			return -EPROTO;
		}
		sa->cookie_tries++;
		memcpy(sa->cookie, n->data.ptr, n->data.len);
		sa->cookie_len = n->data.len;
		log_info("%s asked for a cookie: resending IKE_SA_INIT", peer);
		return send_request(sa);
	}
	n = ike_msg_notify(m, IKE_N_INVALID_KE_PAYLOAD);
	if (n) {
		uint16_t g = n->data.len == 2 ? ike_be16(n->data.ptr) : 0;

		if (!sa->ke_retried && g && g != sa->dh_group &&
		    group_configured(sa->cfg, g)) {
			log_notify("%s wants DH group %u instead of %u: retrying",
				   peer, g, sa->dh_group);
			sa->ke_retried = true;
			sa->dh_group = g;
			return new_dh(sa) ? -ENOTSUP : send_request(sa);
		}
		ike_prop_str_ike_cfg(sa->cfg, pb, sizeof(pb));
		log_error("%s answered INVALID_KE_PAYLOAD asking for DH group "
			  "%u, which we %s; we accept %s", peer, g,
			  sa->ke_retried ? "already tried" : "do not accept", pb);
		return -EPROTO;
	}
	n = ike_msg_error_notify(m);
	if (n) {
		ike_stats_fail(sa->eng, n->type);
		if (n->type == IKE_N_NO_PROPOSAL_CHOSEN) {
			ike_prop_str_ike_cfg(sa->cfg, pb, sizeof(pb));
			log_error("no proposal chosen: %s refused our IKE "
				  "proposals %s", peer, pb);
		} else {
			log_error("%s refused IKE_SA_INIT: %s", peer,
				  ike_notify_name(n->type));
		}
		return -ECONNREFUSED;
	}
	if (!ike_msg_has(m, IKE_PL_SA) || !ike_msg_has(m, IKE_PL_KE) ||
	    !ike_msg_has(m, IKE_PL_NONCE) || !m->spi_r) {
		log_error("IKE_SA_INIT response from %s lacks SA, KE, nonce or "
			  "SPI", peer);
		return -EBADMSG;
	}
	if (ike_prop_check_ike(sa->cfg, &m->sa, &sa->ch)) {
		ike_prop_str_offer(&m->sa, pb, sizeof(pb));
		log_error("%s chose %s, which we did not offer", peer, pb);
		return -EPROTO;
	}
	if (sa->ch.dh != sa->dh_group || m->ke.group != sa->dh_group) {
		log_error("%s answered with DH group %u to our KE of group %u",
			  peer, m->ke.group, sa->dh_group);
		return -EPROTO;
	}
	ike_sa_set_spi_r(sa, m->spi_r);
	ike_auth_sig_init_note(sa, m);
	sa->nr_len = m->nonce.len;
	memcpy(sa->nr, m->nonce.ptr, m->nonce.len);
	sa->init_r = copy(m->raw, m->raw_len);
	if (!sa->init_r)
		return -ENOMEM;
	sa->init_r_len = m->raw_len;
	if (ike_sa_derive_keys(sa, m->ke.data.ptr, m->ke.data.len)) {
		log_error("%s sent a KE value that is not valid for DH group %u",
			  peer, sa->dh_group);
		return -EPROTO;
	}
	ike_natt_check(sa, m);
	ike_frag_check(sa, m);
	return ike_auth_start(sa);
}

const struct ike_handler ike_init_handlers[] = {
	{ IKE_SA_INIT, true, IKE_ST_BIT(IKE_ST_INIT_I), init_response },
	{ 0, false, 0, NULL },
};

/* --- responder ---------------------------------------------------------- */

/* A stateless answer: no SA is kept for it (2.6, 1.2). */
static void refuse(struct ike_engine *e, const struct ikd_addr *local,
		   const struct ikd_addr *remote, const struct ike_msg *m,
		   uint16_t type, const uint8_t *data, size_t len)
{
	uint8_t buf[IKE_HDR_LEN + 8 + 16];
	struct ike_wbuf w;
	struct ike_builder b;

	ike_wbuf_init(&w, buf, sizeof(buf));
	ike_build_hdr(&b, &w, m->spi_i, 0, IKE_SA_INIT, IKE_FLAG_R, 0);
	ike_build_notify(&b, 0, NULL, 0, type, data, len);
	if (ike_build_end(&b))
		return;
	ike_stats_tx(e, buf, w.len);
	ike_stats_fail(e, type);
	e->env.send(e->env.arg, local, remote, buf, w.len);
}

void ike_init_refuse(struct ike_engine *e, const struct ikd_addr *local,
		     const struct ikd_addr *remote, const struct ike_msg *m)
{
	uint8_t pl = m->err_payload;

	refuse(e, local, remote, m, m->err_notify,
	       m->err_notify == IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD ? &pl : NULL,
	       m->err_notify == IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD ? 1 : 0);
}

static int answer(struct ike_sa *sa, const struct ike_msg *m)
{
	struct ike_proposal reply;
	uint8_t pub[IKE_MAX_DH_PUB];
	size_t plen;
	struct ike_wbuf w;
	struct ike_builder b;
	uint8_t *pkt = malloc(INIT_MAX);
	int err;

	if (!pkt)
		return -ENOMEM;
	err = ike_dh_public(sa->dh, pub, sizeof(pub), &plen);
	if (err)
		goto fail;
	ike_prop_reply(&sa->ch, IKE_PROTO_IKE, NULL, 0, true, &reply);
	ike_wbuf_init(&w, pkt, INIT_MAX);
	ike_build_hdr(&b, &w, sa->spi_i, sa->spi_r, IKE_SA_INIT, IKE_FLAG_R, 0);
	ike_build_sa(&b, &reply, 1);
	ike_build_ke(&b, sa->dh_group, pub, plen);
	ike_build_nonce(&b, sa->nr, sa->nr_len);
	ike_auth_sig_init_note(sa, m);
	ike_auth_sig_init_payloads(sa, &b);
	ike_natt_build(sa, &b, sa->spi_i, sa->spi_r);
	ike_frag_build(sa, &b);
	err = ike_build_end(&b);
	if (err)
		goto fail;
	/* Keys need our DH, which derive_keys frees: the public value was
	 * taken above. */
	err = ike_sa_derive_keys(sa, m->ke.data.ptr, m->ke.data.len);
	if (err)
		goto fail;
	sa->init_i = copy(m->raw, m->raw_len);
	sa->init_r = copy(pkt, w.len);
	if (!sa->init_i || !sa->init_r) {
		err = -ENOMEM;
		goto fail;
	}
	sa->init_i_len = m->raw_len;
	sa->init_r_len = w.len;
	sa->expect_msgid = 1;
	ike_sa_respond_raw(sa, m, pkt, w.len);
	return 0;
fail:
	free(pkt);
	return err;
}

void ike_init_respond(struct ike_engine *e, const struct ikd_addr *local,
		      const struct ikd_addr *remote, const struct ike_msg *m)
{
	uint32_t max = e->env.max_half_open ? e->env.max_half_open :
		       IKE_DEFAULT_MAX_HALF_OPEN;
	const struct ike_peer_cfg *cfg;
	const struct ike_dh_info *dhi;
	struct ike_chosen ch;
	struct ike_sa *sa;
	char rb[IKD_ADDR_STRLEN], a[IKE_PROP_STRLEN], b[IKE_PROP_STRLEN];
	int err;

	ikd_addr_str(remote, true, rb);
	if (e->nhalf_open >= max) {
		if (ike_ratelimit_ok(e, &e->dos.rl_global,
				     "max_half_open reached"))
			log_warn("IKE_SA_INIT from %s dropped: %u half-open "
				 "IKE SAs", rb, e->nhalf_open);
		e->stats.rx_dropped++;
		return;
	}
	if (!ike_msg_has(m, IKE_PL_SA) || !ike_msg_has(m, IKE_PL_KE) ||
	    !ike_msg_has(m, IKE_PL_NONCE) || m->spi_r) {
		log_info("IKE_SA_INIT from %s lacks SA, KE or nonce", rb);
		refuse(e, local, remote, m, IKE_N_INVALID_SYNTAX, NULL, 0);
		return;
	}
	/* Cookies and per-source limits, before any state or DH work. */
	if (ike_dos_admit(e, local, remote, m))
		return;
	cfg = e->env.peer_by_addr(e->env.arg, local, remote);
	if (!cfg || cfg->ike_version != 2) {
		log_notify("IKE_SA_INIT from %s: no IKEv2 remote configuration "
			   "for this peer; answering NO_PROPOSAL_CHOSEN", rb);
		refuse(e, local, remote, m, IKE_N_NO_PROPOSAL_CHOSEN, NULL, 0);
		return;
	}
	if (ike_prop_choose_ike(cfg, &m->sa, m->ke.group, &ch)) {
		ike_prop_str_offer(&m->sa, a, sizeof(a));
		ike_prop_str_ike_cfg(cfg, b, sizeof(b));
		log_error("no proposal chosen for %s (remote \"%s\"): peer "
			  "offered %s; we accept %s", rb, cfg->name, a, b);
		refuse(e, local, remote, m, IKE_N_NO_PROPOSAL_CHOSEN, NULL, 0);
		return;
	}
	if (ch.dh != m->ke.group) {
		uint8_t g[2] = { (uint8_t)(ch.dh >> 8), (uint8_t)ch.dh };

		log_info("IKE_SA_INIT from %s: KE of DH group %u, asking for "
			 "group %u", rb, m->ke.group, ch.dh);
		refuse(e, local, remote, m, IKE_N_INVALID_KE_PAYLOAD, g, 2);
		return;
	}
	dhi = ike_dh_info(ch.dh);
	if (!dhi || m->ke.data.len != dhi->publen) {
		log_info("IKE_SA_INIT from %s: KE of %zu bytes for DH group %u",
			 rb, m->ke.data.len, ch.dh);
		refuse(e, local, remote, m, IKE_N_INVALID_SYNTAX, NULL, 0);
		return;
	}
	sa = ike_sa_new(e, false, local, remote, cfg);
	if (!sa)
		return;
	sa->spi_i = m->spi_i;
	sa->ch = ch;
	sa->dh_group = ch.dh;
	sa->ni_len = m->nonce.len;
	memcpy(sa->ni, m->nonce.ptr, m->nonce.len);
	sa->nr_len = IKE_NONCE_LEN;
	sa->dh = ike_dh_new(ch.dh);
	err = !sa->dh ? -ENOMEM : ike_random(sa->nr, sa->nr_len);
	if (!err) {
		ike_natt_check(sa, m);
		ike_frag_check(sa, m);
		err = answer(sa, m);
	}
	if (err) {
		log_error("IKE_SA_INIT from %s failed: %s", rb,
			  err == -EINVAL ? "invalid KE value" : strerror(-err));
		if (err == -EINVAL)
			refuse(e, local, remote, m, IKE_N_INVALID_SYNTAX,
			       NULL, 0);
		ike_sa_destroy(sa);
		return;
	}
	ike_sa_arm_half_open(sa);
	log_info("IKE_SA_INIT answered to %s (remote \"%s\"), SA "
		 "%016" PRIx64 ":%016" PRIx64, rb, cfg->name, sa->spi_i,
		 sa->spi_r);
}
