// SPDX-License-Identifier: BSD-2-Clause
/*
 * IKEv1 phase 1 (RFC 2409 5), both roles, with pre-shared keys or RSA
 * signatures (ikev1_p1_auth.c makes and checks what authenticates):
 *
 *   Main Mode        I: SA              R: SA
 *                    I: KE, Ni          R: KE, Nr
 *                    I: [IDii, HASH_I]  R: [IDir, HASH_R]    ([]: encrypted)
 *   Aggressive Mode  I: SA, KE, Ni, IDii
 *                    R: SA, KE, Nr, IDir, HASH_R
 *                    I: [HASH_I]  (encrypted, as racoon and strongSwan
 *                       send it; taken in clear too)
 *
 * With rsasig, [CERT] SIG stand where HASH is, and MM3/MM4 and AM1/AM2
 * carry a CERTREQ. Main Mode finds the pre-shared key by the peer's
 * address (its ID is encrypted, and the key is needed to decrypt it);
 * Aggressive Mode by the ID the peer sent. Our ID is my_identifier, our
 * address by default (asn1dn without a DN: our certificate's subject),
 * with protocol and port 0 (we accept 17/500 too).
 *
 * Nothing is allocated for a first message before its proposal was
 * chosen and the half-open limits admit it; then only the SA itself.
 * Every length read from the wire went through the codec (isakmp_msg.h).
 */
#include "ikev1_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>

#include "log.h"

/* A message being built. */
struct out {
	struct ike_wbuf w;
	struct isakmp_builder b;
	uint8_t buf[IKEV1_MSG_MAX];
};

static void out_clear(struct ikev1_sa *sa, struct out *o)
{
	ike_wbuf_init(&o->w, o->buf, sizeof(o->buf));
	isakmp_build_hdr(&o->b, &o->w, sa->cky_i, sa->cky_r, sa->mode, 0, 0);
}

/* The payloads of a message to encrypt. */
static void out_chain(struct out *o)
{
	ike_wbuf_init(&o->w, o->buf, sizeof(o->buf));
	isakmp_build_chain(&o->b, &o->w);
}

static int send_clear(struct ikev1_sa *sa, struct out *o, bool waits)
{
	int err = isakmp_build_end(&o->b);

	return err ? err : ikev1_sa_send(sa, o->buf, o->w.len, waits);
}

static int send_sealed(struct ikev1_sa *sa, struct out *plain, bool waits)
{
	uint8_t msg[IKEV1_MSG_MAX];
	struct ike_wbuf w;
	struct isakmp_builder h;
	size_t clen = 0;
	int err = isakmp_build_end(&plain->b);

	if (err)
		return err;
	ike_wbuf_init(&w, msg, sizeof(msg));
	isakmp_build_hdr(&h, &w, sa->cky_i, sa->cky_r, sa->mode,
			 ISAKMP_FLAG_E, 0);
	ike_wbuf_set8(&w, 16, plain->b.first_np);
	if (w.err)
		return w.err;
	err = ikev1_encrypt(&sa->k, &sa->iv, 0, plain->buf, plain->w.len,
			    msg + ISAKMP_HDR_LEN, sizeof(msg) - ISAKMP_HDR_LEN,
			    &clen);
	OPENSSL_cleanse(plain->buf, plain->w.len);
	if (err)
		return err;
	ike_wbuf_set32(&w, 24, (uint32_t)(ISAKMP_HDR_LEN + clen));
	return ikev1_sa_send(sa, msg, ISAKMP_HDR_LEN + clen, waits);
}

/* Decrypts @m's body into @plain and parses it into @m. On failure the
 * IV goes back to what it was: the message is dropped, the SA stays. */
static int open_sealed(struct ikev1_sa *sa, struct isakmp_msg *m,
		       uint8_t *plain, size_t cap)
{
	int err;

	if (!(m->flags & ISAKMP_FLAG_E) || !sa->have_keys)
		return -EBADMSG;
	if (m->body.len > cap)
		return -EMSGSIZE;
	err = ikev1_decrypt(&sa->k, &sa->iv, 0, m->body.ptr, m->body.len,
			    plain, cap);
	if (!err)
		err = isakmp_msg_parse_body(m, m->np, plain, m->body.len);
	if (err)
		ikev1_iv_drop(&sa->iv);
	return err;
}

/* Our vendor IDs: NAT-T's, DPD's and FRAGMENTATION, each as its remote
 * block asks. */
static void add_vids(struct ikev1_sa *sa, struct isakmp_builder *b)
{
	ikev1_natt_add_vids(sa, b);
	ikev1_dpd_add_vid(sa, b);
	ikev1_frag_add_vid(sa, b);
}

/* The peer's vendor IDs: each module notes its own. */
static void note_vids(struct ikev1_sa *sa, const struct isakmp_msg *m)
{
	const struct isakmp_pl *v = NULL;

	while ((v = isakmp_msg_find(m, ISAKMP_PL_VID, v))) {
		ikev1_natt_note_vid(sa, v);
		ikev1_dpd_note_vid(sa, v);
		ikev1_frag_note_vid(sa, v);
	}
}

/* --- identities --------------------------------------------------------- */

static int init_my_id(struct ikev1_sa *sa)
{
	if (sa->cfg.my_id.type)
		sa->my_id = sa->cfg.my_id;
	else
		ike_id_from_addr(&sa->my_id, &sa->local);
	return ikev1_auth_my_id(sa);
}

static void add_id(struct ikev1_sa *sa, struct isakmp_builder *b)
{
	isakmp_build_id(b, sa->my_id.type, 0, 0, sa->my_id.data,
			sa->my_id.len);
}

static bool id_type_ok(uint8_t t)
{
	return t == IPSEC_ID_IPV4_ADDR || t == IPSEC_ID_IPV6_ADDR ||
	       t == IPSEC_ID_FQDN || t == IPSEC_ID_USER_FQDN ||
	       t == IPSEC_ID_DER_ASN1_DN || t == IPSEC_ID_KEY_ID;
}

/* The peer's ID payload: kept, and checked against peers_identifier. */
static int take_peer_id(struct ikev1_sa *sa, const struct isakmp_msg *m)
{
	const struct isakmp_pl *pl = isakmp_msg_find(m, ISAKMP_PL_ID, NULL);
	char rb[IKD_ADDR_STRLEN], a[IKE_ID_STRLEN], b[IKE_ID_STRLEN];
	struct isakmp_id id;

	ikd_addr_str(&sa->remote, true, rb);
	if (!pl || isakmp_dec_id(pl, &id, NULL) || !id_type_ok(id.type) ||
	    id.data.len > IKE_ID_MAX || pl->body.len > sizeof(sa->peer_id_b) ||
	    !((id.proto == 0 && id.port == 0) ||
	      (id.proto == 17 && id.port == 500))) {
		log_error("phase 1 with %s: unusable ID payload", rb);
		return -EACCES;
	}
	memset(&sa->peer_id, 0, sizeof(sa->peer_id));
	sa->peer_id.type = id.type;
	sa->peer_id.len = (uint16_t)id.data.len;
	memcpy(sa->peer_id.data, id.data.ptr, id.data.len);
	memcpy(sa->peer_id_b, pl->body.ptr, pl->body.len);
	sa->peer_id_b_len = pl->body.len;
	/* peers_identifier asn1dn without a DN: the type, and the
	 * certificate's subject (ikev1_p1_auth.c). */
	if (sa->cfg.peer_id.type == IPSEC_ID_DER_ASN1_DN &&
	    !sa->cfg.peer_id.len && sa->peer_id.type != IPSEC_ID_DER_ASN1_DN) {
		log_error("phase 1 with %s: ID mismatch: ID %s, peers_identifier"
			  " asn1dn", rb, ike_id_str(&sa->peer_id, a, sizeof(a)));
		return -EACCES;
	}
	if (sa->cfg.peer_id.type && sa->cfg.peer_id.len &&
	    (sa->cfg.peer_id.type != sa->peer_id.type ||
	     sa->cfg.peer_id.len != sa->peer_id.len ||
	     memcmp(sa->cfg.peer_id.data, sa->peer_id.data,
		    sa->peer_id.len))) {
		log_error("phase 1 with %s: ID %s is not peers_identifier %s",
			  rb, ike_id_str(&sa->peer_id, a, sizeof(a)),
			  ike_id_str(&sa->cfg.peer_id, b, sizeof(b)));
		return -EACCES;
	}
	return 0;
}

/* --- keying ------------------------------------------------------------- */

static int make_ke(struct ikev1_sa *sa)
{
	uint8_t *pub = sa->initiator ? sa->gxi : sa->gxr;
	size_t *len = sa->initiator ? &sa->gxi_len : &sa->gxr_len;

	if (!sa->dh)
		sa->dh = ike_dh_new(sa->ch.dh);
	if (!sa->dh)
		return -ENOMEM;
	return ike_dh_public(sa->dh, pub, IKE_MAX_DH_PUB, len);
}

static int make_nonce(struct ikev1_sa *sa)
{
	uint8_t *n = sa->initiator ? sa->ni : sa->nr;

	*(sa->initiator ? &sa->ni_len : &sa->nr_len) = IKEV1_NONCE_LEN;
	return ike_random(n, IKEV1_NONCE_LEN);
}

/* The peer's KE and nonce. */
static int take_ke_nonce(struct ikev1_sa *sa, const struct isakmp_msg *m)
{
	const struct isakmp_pl *ke = isakmp_msg_find(m, ISAKMP_PL_KE, NULL);
	const struct isakmp_pl *no = isakmp_msg_find(m, ISAKMP_PL_NONCE, NULL);
	const struct ike_dh_info *di = ike_dh_info(sa->ch.dh);

	if (!ke || !no || !di || ke->body.len != di->publen)
		return -EBADMSG;
	memcpy(sa->initiator ? sa->gxr : sa->gxi, ke->body.ptr, ke->body.len);
	*(sa->initiator ? &sa->gxr_len : &sa->gxi_len) = ke->body.len;
	memcpy(sa->initiator ? sa->nr : sa->ni, no->body.ptr, no->body.len);
	*(sa->initiator ? &sa->nr_len : &sa->ni_len) = no->body.len;
	return 0;
}

/* SKEYID for signatures: no secret but g^xy. */
static int derive_sig(struct ikev1_sa *sa)
{
	struct ikev1_p1 p1 = ikev1_p1_of(sa);
	int err = ikev1_keys_sig(&sa->k, ikev1_hash_prf(sa->ch.hash),
				 ikev1_encr_info(sa->ch.encr, sa->ch.keybits),
				 &p1);

	if (!err)
		err = ikev1_iv_phase1(&sa->iv, &sa->k, &p1);
	sa->have_keys = !err;
	return err;
}

/* g^xy, the pre-shared key for @id, SKEYID and its children, phase 1's
 * IV. -ENOENT: no key (logged); -EINVAL: the peer's KE is unusable. */
static int derive(struct ikev1_sa *sa, const struct ike_id *id)
{
	const uint8_t *peer = sa->initiator ? sa->gxr : sa->gxi;
	size_t plen = sa->initiator ? sa->gxr_len : sa->gxi_len;
	uint8_t psk[256];
	size_t psklen = 0;
	struct ikev1_p1 p1;
	char rb[IKD_ADDR_STRLEN], ib[IKE_ID_STRLEN];
	int err;

	err = ike_dh_shared(sa->dh, peer, plen, sa->gxy, sizeof(sa->gxy),
			    &sa->gxy_len);
	if (err)
		return err;
	if (ikev1_p1_sig(sa))
		return derive_sig(sa);
	if (sa->eng->env.psk(sa->eng->env.arg, &sa->cfg, id, &sa->remote, psk,
			     sizeof(psk), &psklen)) {
		log_error("phase 1 with %s: no pre-shared key for %s",
			  ikd_addr_str(&sa->remote, true, rb),
			  ike_id_str(id, ib, sizeof(ib)));
		return -ENOENT;
	}
	p1 = ikev1_p1_of(sa);
	err = ikev1_keys_psk(&sa->k, ikev1_hash_prf(sa->ch.hash),
			     ikev1_encr_info(sa->ch.encr, sa->ch.keybits), &p1,
			     psk, psklen);
	OPENSSL_cleanse(psk, sizeof(psk));
	if (!err)
		err = ikev1_iv_phase1(&sa->iv, &sa->k, &p1);
	sa->have_keys = !err;
	return err;
}

/* Keeps our own SA payload's body (SAi_b) from the message just built. */
static int keep_sai_b(struct ikev1_sa *sa, const struct out *o)
{
	struct isakmp_msg *m = malloc(sizeof(*m));
	const struct isakmp_pl *pl;
	int err = -EINVAL;

	if (!m)
		return -ENOMEM;
	if (!isakmp_msg_parse(m, o->buf, o->w.len) &&
	    (pl = isakmp_msg_find(m, ISAKMP_PL_SA, NULL)) &&
	    (sa->sai_b = malloc(pl->body.len))) {
		memcpy(sa->sai_b, pl->body.ptr, pl->body.len);
		sa->sai_b_len = pl->body.len;
		err = 0;
	}
	free(m);
	return err;
}

static int keep_peer_sai_b(struct ikev1_sa *sa, const struct isakmp_pl *pl)
{
	sa->sai_b = malloc(pl->body.len);
	if (!sa->sai_b)
		return -ENOMEM;
	memcpy(sa->sai_b, pl->body.ptr, pl->body.len);
	sa->sai_b_len = pl->body.len;
	return 0;
}

/* --- initiator ------------------------------------------------------------ */

static int start_main(struct ikev1_sa *sa)
{
	struct out *o = malloc(sizeof(*o));
	int err;

	if (!o)
		return -ENOMEM;
	out_clear(sa, o);
	ikev1_prop_build(&sa->cfg, 0, &o->b);
	add_vids(sa, &o->b);
	err = isakmp_build_end(&o->b);
	if (!err)
		err = keep_sai_b(sa, o);
	if (!err)
		err = ikev1_sa_send(sa, o->buf, o->w.len, true);
	sa->state = V1_MM_I1;
	free(o);
	return err;
}

static int start_aggressive(struct ikev1_sa *sa)
{
	struct out *o = malloc(sizeof(*o));
	int err;

	if (!o)
		return -ENOMEM;
	/* The KE goes before a proposal is chosen: the first proposal's
	 * group, and only the proposals with it (conf_remote.c makes them
	 * all have it). */
	sa->ch.dh = sa->cfg.v1.prop[0].dh;
	sa->ch.auth = sa->cfg.v1.prop[0].auth;	/* for the CERTREQ */
	err = make_ke(sa);
	if (!err)
		err = make_nonce(sa);
	out_clear(sa, o);
	ikev1_prop_build(&sa->cfg, sa->ch.dh, &o->b);
	isakmp_build_data(&o->b, ISAKMP_PL_KE, sa->gxi, sa->gxi_len);
	isakmp_build_data(&o->b, ISAKMP_PL_NONCE, sa->ni, sa->ni_len);
	add_id(sa, &o->b);
	ikev1_auth_add_cr(sa, &o->b);
	add_vids(sa, &o->b);
	if (!err)
		err = isakmp_build_end(&o->b);
	if (!err)
		err = keep_sai_b(sa, o);
	if (!err)
		err = ikev1_sa_send(sa, o->buf, o->w.len, true);
	sa->state = V1_AM_I1;
	free(o);
	return err;
}

int ikev1_initiate(struct ike_engine *e, const struct ike_peer_cfg *peer,
		   const struct ikd_addr *local, const struct ikd_addr *remote)
{
	struct ikev1_sa *sa;
	char lb[IKD_ADDR_STRLEN], rb[IKD_ADDR_STRLEN];
	int err;

	ikd_addr_str(remote, true, rb);
	if (!peer || peer->ike_version != 1 || !peer->v1.nprop ||
	    !peer->v1.nxmode) {
		log_error("phase 1 with %s: no IKEv1 configuration with a "
			  "proposal", rb);
		return -EINVAL;
	}
	if (peer->passive)
		return -EPERM;
	for (sa = e->v1_sas; sa; sa = sa->next)
		if (ikd_addr_eq_noport(&sa->remote, remote))
			return -EALREADY;
	sa = ikev1_sa_new(e, true, peer->v1.xmode[0], local, remote, peer);
	if (!sa)
		return -ENOMEM;
	if (init_my_id(sa)) {
		ikev1_sa_destroy(sa);
		return -EACCES;
	}
	log_notify("initiate new phase 1 negotiation: %s<=>%s (%s)",
		   ikd_addr_str(local, true, lb), rb,
		   isakmp_exchange_name(sa->mode));
	err = sa->mode == ISAKMP_EXCH_AGGRESSIVE ? start_aggressive(sa) :
						  start_main(sa);
	if (err) {
		log_error("phase 1 with %s: cannot start: %s", rb,
			  strerror(-err));
		ikev1_sa_destroy(sa);
	}
	return err;
}

/* MM2: the responder's choice; our KE and nonce go. */
static int mm_i_sa(struct ikev1_sa *sa, const struct isakmp_msg *m)
{
	const struct isakmp_pl *pl = isakmp_msg_find(m, ISAKMP_PL_SA, NULL);
	struct out *o;
	int err;

	if (!pl || ikev1_prop_check(&sa->cfg, pl, &sa->ch)) {
		log_error("phase 1 with %s: the peer chose no transform of "
			  "ours", ikd_addr_str(&sa->remote, true,
					       (char[IKD_ADDR_STRLEN]){ 0 }));
		sa->eng->stats.fail_no_proposal++;
		return -EACCES;
	}
	memcpy(sa->cky_r, m->cky_r, IKEV1_COOKIE_LEN);
	note_vids(sa, m);
	err = make_ke(sa);
	if (!err)
		err = make_nonce(sa);
	if (err || !(o = malloc(sizeof(*o))))
		return err ? err : -ENOMEM;
	ikev1_sa_accepted(sa, m->raw, m->raw_len);
	out_clear(sa, o);
	isakmp_build_data(&o->b, ISAKMP_PL_KE, sa->gxi, sa->gxi_len);
	isakmp_build_data(&o->b, ISAKMP_PL_NONCE, sa->ni, sa->ni_len);
	ikev1_auth_add_cr(sa, &o->b);
	ikev1_natt_add_natd(sa, &o->b);
	err = send_clear(sa, o, true);
	free(o);
	sa->state = V1_MM_I2;
	return err;
}

/* MM4: keys by the peer's address; [IDii, HASH_I] goes. */
static int mm_i_ke(struct ikev1_sa *sa, const struct isakmp_msg *m)
{
	struct ike_id addr_id;
	struct out *o;
	int err = take_ke_nonce(sa, m);

	if (err)
		return err == -EBADMSG ? -EAGAIN : err;
	ike_id_from_addr(&addr_id, &sa->remote);
	err = derive(sa, &addr_id);
	if (err)
		return -EACCES;
	if (!(o = malloc(sizeof(*o))))
		return -ENOMEM;
	ikev1_sa_accepted(sa, m->raw, m->raw_len);
	ikev1_natt_check(sa, m);
	ikev1_natt_float(sa);
	out_chain(o);
	add_id(sa, &o->b);
	ikev1_auth_add(sa, &o->b);
	err = send_sealed(sa, o, true);
	free(o);
	sa->state = V1_MM_I3;
	return err;
}

/* MM5 and MM6: decrypts [ID, HASH] and checks the peer's HASH; the IV
 * moves on only when it is right. 0, -EAGAIN (does not decrypt) or
 * -EACCES (logged). */
static int open_peer_auth(struct ikev1_sa *sa, struct isakmp_msg *m)
{
	uint8_t plain[IKEV1_MSG_MAX];
	int err = open_sealed(sa, m, plain, sizeof(plain));

	if (err)
		return -EAGAIN;
	err = take_peer_id(sa, m);
	if (!err)
		err = ikev1_auth_check(sa, m);
	OPENSSL_cleanse(plain, sizeof(plain));
	if (err) {
		ikev1_iv_drop(&sa->iv);
		return -EACCES;
	}
	ikev1_iv_confirm(&sa->iv);
	return 0;
}

/* MM6 or AM2's checks done: the peer is who it says. */
static int mm_i_auth(struct ikev1_sa *sa, struct isakmp_msg *m)
{
	int err = open_peer_auth(sa, m);

	if (err)
		return err;
	ikev1_sa_accepted(sa, m->raw, m->raw_len);
	ikev1_sa_established(sa);
	return 0;
}

/* AM2: choice, KE, nonce, ID, HASH_R; keys by the peer's ID; [HASH_I]. */
static int am_i_reply(struct ikev1_sa *sa, const struct isakmp_msg *m)
{
	const struct isakmp_pl *pl = isakmp_msg_find(m, ISAKMP_PL_SA, NULL);
	uint16_t group = sa->ch.dh;
	struct out *o;
	int err;

	if (!pl || ikev1_prop_check(&sa->cfg, pl, &sa->ch) ||
	    sa->ch.dh != group) {
		log_error("phase 1 with %s: the peer chose no transform of "
			  "ours", ikd_addr_str(&sa->remote, true,
					       (char[IKD_ADDR_STRLEN]){ 0 }));
		sa->eng->stats.fail_no_proposal++;
		return -EACCES;
	}
	memcpy(sa->cky_r, m->cky_r, IKEV1_COOKIE_LEN);
	if (take_ke_nonce(sa, m) || take_peer_id(sa, m))
		return -EACCES;
	note_vids(sa, m);
	if (derive(sa, &sa->peer_id) || ikev1_auth_check(sa, m))
		return -EACCES;
	if (!(o = malloc(sizeof(*o))))
		return -ENOMEM;
	ikev1_sa_accepted(sa, m->raw, m->raw_len);
	ikev1_natt_check(sa, m);
	ikev1_natt_float(sa);
	out_chain(o);
	ikev1_auth_add(sa, &o->b);
	ikev1_natt_add_natd(sa, &o->b);
	err = send_sealed(sa, o, false);
	free(o);
	if (!err)
		ikev1_sa_established(sa);
	return err;
}

/* --- responder ------------------------------------------------------------ */

static bool mode_allowed(const struct ike_peer_cfg *cfg, uint8_t mode)
{
	for (unsigned int i = 0; i < cfg->v1.nxmode; i++)
		if (cfg->v1.xmode[i] == mode)
			return true;
	return false;
}

/* NO-PROPOSAL-CHOSEN in clear (no keys yet), keeping no state. */
static void refuse(struct ike_engine *e, const struct ikd_addr *local,
		   const struct ikd_addr *remote, const struct isakmp_msg *m,
		   uint16_t notify)
{
	uint8_t buf[128], cky_r[IKEV1_COOKIE_LEN], spi[2 * IKEV1_COOKIE_LEN];
	struct ike_wbuf w;
	struct isakmp_builder b;

	if (ike_random(cky_r, sizeof(cky_r)))
		return;
	memcpy(spi, m->cky_i, IKEV1_COOKIE_LEN);
	memcpy(spi + IKEV1_COOKIE_LEN, cky_r, IKEV1_COOKIE_LEN);
	ike_wbuf_init(&w, buf, sizeof(buf));
	isakmp_build_hdr(&b, &w, m->cky_i, cky_r, ISAKMP_EXCH_INFO, 0, 0);
	isakmp_build_notify(&b, ISAKMP_DOI_IPSEC, ISAKMP_PROTO_ISAKMP, spi,
			    sizeof(spi), notify, NULL, 0);
	if (isakmp_build_end(&b))
		return;
	e->stats.tx++;
	e->env.send(e->env.arg, local, remote, buf, w.len);
}

/* MM1 answered: our choice. */
static int mm_r_sa(struct ikev1_sa *sa, const struct isakmp_msg *m)
{
	struct out *o = malloc(sizeof(*o));
	int err;

	if (!o)
		return -ENOMEM;
	note_vids(sa, m);
	out_clear(sa, o);
	ikev1_prop_build_reply(&sa->ch, &o->b);
	add_vids(sa, &o->b);
	err = send_clear(sa, o, true);
	free(o);
	sa->state = V1_MM_R1;
	return err;
}

/* MM3: keys by the peer's address; our KE and nonce go. */
static int mm_r_ke(struct ikev1_sa *sa, const struct isakmp_msg *m)
{
	struct ike_id addr_id;
	struct out *o;
	int err;

	if (take_ke_nonce(sa, m))
		return -EAGAIN;
	err = make_ke(sa);
	if (!err)
		err = make_nonce(sa);
	ike_id_from_addr(&addr_id, &sa->remote);
	if (err || derive(sa, &addr_id))
		return -EACCES;
	if (!(o = malloc(sizeof(*o))))
		return -ENOMEM;
	ikev1_sa_accepted(sa, m->raw, m->raw_len);
	ikev1_natt_check(sa, m);
	out_clear(sa, o);
	isakmp_build_data(&o->b, ISAKMP_PL_KE, sa->gxr, sa->gxr_len);
	isakmp_build_data(&o->b, ISAKMP_PL_NONCE, sa->nr, sa->nr_len);
	ikev1_auth_add_cr(sa, &o->b);
	ikev1_natt_add_natd(sa, &o->b);
	err = send_clear(sa, o, true);
	free(o);
	sa->state = V1_MM_R2;
	return err;
}

/* MM5: the initiator authenticated; [IDir, HASH_R] goes. */
static int mm_r_auth(struct ikev1_sa *sa, struct isakmp_msg *m)
{
	struct out *o;
	int err = open_peer_auth(sa, m);

	if (err)
		return err;
	if (!(o = malloc(sizeof(*o))))
		return -ENOMEM;
	ikev1_sa_accepted(sa, m->raw, m->raw_len);
	ikev1_natt_follow(sa);
	out_chain(o);
	add_id(sa, &o->b);
	ikev1_auth_add(sa, &o->b);
	err = send_sealed(sa, o, false);
	free(o);
	if (!err)
		ikev1_sa_established(sa);
	return err;
}

/* AM1 answered: choice, KE, nonce, ID, HASH_R; keys by the peer's ID. */
static int am_r_reply(struct ikev1_sa *sa, const struct isakmp_msg *m)
{
	struct out *o;
	int err;

	if (take_ke_nonce(sa, m) || take_peer_id(sa, m))
		return -EACCES;
	note_vids(sa, m);
	err = make_ke(sa);
	if (!err)
		err = make_nonce(sa);
	if (err || derive(sa, &sa->peer_id))
		return -EACCES;
	if (!(o = malloc(sizeof(*o))))
		return -ENOMEM;
	out_clear(sa, o);
	ikev1_prop_build_reply(&sa->ch, &o->b);
	isakmp_build_data(&o->b, ISAKMP_PL_KE, sa->gxr, sa->gxr_len);
	isakmp_build_data(&o->b, ISAKMP_PL_NONCE, sa->nr, sa->nr_len);
	add_id(sa, &o->b);
	ikev1_auth_add_cr(sa, &o->b);
	ikev1_auth_add(sa, &o->b);
	add_vids(sa, &o->b);
	ikev1_natt_add_natd(sa, &o->b);
	err = send_clear(sa, o, true);
	free(o);
	sa->state = V1_AM_R1;
	return err;
}

/* AM3: HASH_I, encrypted or not. */
static int am_r_hash(struct ikev1_sa *sa, struct isakmp_msg *m)
{
	uint8_t plain[IKEV1_MSG_MAX];
	bool sealed = m->flags & ISAKMP_FLAG_E;

	if (sealed && open_sealed(sa, m, plain, sizeof(plain)))
		return -EAGAIN;
	if (ikev1_auth_check(sa, m)) {
		if (sealed)
			ikev1_iv_drop(&sa->iv);
		return -EACCES;
	}
	if (sealed)
		ikev1_iv_confirm(&sa->iv);
	ikev1_sa_accepted(sa, m->raw, m->raw_len);
	ikev1_natt_check(sa, m);
	ikev1_natt_follow(sa);
	ikev1_sa_established(sa);
	return 0;
}

void ikev1_p1_respond(struct ike_engine *e, const struct ikd_addr *local,
		      const struct ikd_addr *remote, const struct isakmp_msg *m)
{
	const struct isakmp_pl *pl = isakmp_msg_find(m, ISAKMP_PL_SA, NULL);
	const struct ike_peer_cfg *cfg;
	struct ikev1_xform ch;
	struct ikev1_sa *sa;
	char lb[IKD_ADDR_STRLEN], rb[IKD_ADDR_STRLEN];
	int err;

	ikd_addr_str(remote, true, rb);
	cfg = e->env.peer_by_addr(e->env.arg, local, remote);
	/* Unauthenticated input: these lines are rate-limited. */
	if (!cfg || cfg->ike_version != 1) {
		if (ike_ratelimit_ok(e, &e->dos.rl_drop, "refused phase 1"))
			log_notify("phase 1 from %s: no IKEv1 remote "
				   "configuration", rb);
		return;
	}
	if (!mode_allowed(cfg, m->exchange)) {
		if (ike_ratelimit_ok(e, &e->dos.rl_drop, "refused phase 1"))
			log_notify("phase 1 from %s: %s is not an "
				   "exchange_mode of remote %s", rb,
				   isakmp_exchange_name(m->exchange),
				   cfg->name);
		return;
	}
	if (!pl || m->pl[0].type != ISAKMP_PL_SA)
		return;
	err = ikev1_prop_choose(cfg, pl, remote, &ch);
	if (err) {
		if (err == -ENOENT) {
			e->stats.fail_no_proposal++;
			refuse(e, local, remote, m,
			       ISAKMP_N_NO_PROPOSAL_CHOSEN);
		}
		return;
	}
	if (!ikev1_sa_admit(e, remote))
		return;
	sa = ikev1_sa_new(e, false, m->exchange, local, remote, cfg);
	if (!sa)
		return;
	memcpy(sa->cky_i, m->cky_i, IKEV1_COOKIE_LEN);
	sa->ch = ch;
	if (init_my_id(sa)) {
		ikev1_sa_destroy(sa);
		return;
	}
	log_notify("respond new phase 1 negotiation: %s<=>%s (%s)",
		   ikd_addr_str(local, true, lb), rb,
		   isakmp_exchange_name(sa->mode));
	err = keep_peer_sai_b(sa, pl);
	if (!err) {
		/* Accepted first: the answer must be what a repeat of
		 * this datagram gets. */
		ikev1_sa_accepted(sa, m->raw, m->raw_len);
		err = sa->mode == ISAKMP_EXCH_AGGRESSIVE ? am_r_reply(sa, m) :
							  mm_r_sa(sa, m);
	}
	if (err)
		ikev1_sa_destroy(sa);
}

int ikev1_p1_dispatch(struct ikev1_sa *sa, struct isakmp_msg *m)
{
	switch (sa->state) {
	case V1_MM_I1:	return mm_i_sa(sa, m);
	case V1_MM_R1:	return mm_r_ke(sa, m);
	case V1_MM_I2:	return mm_i_ke(sa, m);
	case V1_MM_R2:	return mm_r_auth(sa, m);
	case V1_MM_I3:	return mm_i_auth(sa, m);
	case V1_AM_I1:	return am_i_reply(sa, m);
	case V1_AM_R1:	return am_r_hash(sa, m);
	default:	return -EAGAIN;
	}
}
