// SPDX-License-Identifier: BSD-2-Clause
/*
 * IKEv1 Informational exchanges (RFC 2409 5.7) under an established
 * ISAKMP SA: HASH(1) = prf(SKEYID_a, M-ID | the payloads after it), the
 * message encrypted with the IV of its own M-ID. INITIAL-CONTACT (RFC
 * 2407 4.6.3.3) sent after phase 1 when the remote block asks for it, and
 * read on receipt, where it ends the other ISAKMP SAs with that peer;
 * INVALID-ID-INFORMATION and NO-PROPOSAL-CHOSEN sent when we refuse a
 * Quick Mode, and on receipt the end of ours; DELETE sent for our IPsec
 * SAs and ISAKMP SA (ikev1_child.c), and on receipt acted on; RFC 3706's
 * R-U-THERE and its ACK (ikev1_dpd.c). Every other notify is logged.
 */
#include "ikev1_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <netinet/in.h>
#include <openssl/crypto.h>

#include "log.h"

/* What one Informational carries: a notify or a DELETE. */
struct info_pl {
	bool del;
	uint8_t proto;
	const uint8_t *spi;
	size_t spi_len;
	uint16_t type;		/* notify */
	const uint8_t *data;	/* its notification data */
	size_t data_len;
};

static int info_send(struct ikev1_sa *sa, const struct info_pl *ip)
{
	uint8_t plain[256], msg[512];
	uint8_t h[IKE_MAX_PRF];
	struct ike_wbuf pw, w;
	struct isakmp_builder pb, hb;
	struct ikev1_iv iv;
	struct ike_span rest;
	uint32_t msgid = 0;
	size_t hash_off, rest_off, clen;
	int err;

	while (!msgid)
		if (ike_random(&msgid, sizeof(msgid)))
			return -EIO;
	ike_wbuf_init(&pw, plain, sizeof(plain));
	isakmp_build_chain(&pb, &pw);
	hash_off = isakmp_build_data(&pb, ISAKMP_PL_HASH, NULL, sa->k.prflen);
	rest_off = pw.len;
	if (ip->del)
		isakmp_build_delete(&pb, ISAKMP_DOI_IPSEC, ip->proto,
				    (uint8_t)ip->spi_len, ip->spi, 1);
	else
		isakmp_build_notify(&pb, ISAKMP_DOI_IPSEC, ip->proto, ip->spi,
				    ip->spi_len, ip->type, ip->data,
				    ip->data_len);
	err = isakmp_build_end(&pb);
	if (err)
		return err;
	rest = (struct ike_span){ plain + rest_off, pw.len - rest_off };
	err = ikev1_info_hash(&sa->k, msgid, rest, h);
	if (err)
		return err;
	memcpy(plain + hash_off, h, sa->k.prflen);
	err = ikev1_iv_exchange(&iv, &sa->k, &sa->iv, msgid);
	ike_wbuf_init(&w, msg, sizeof(msg));
	isakmp_build_hdr(&hb, &w, sa->cky_i, sa->cky_r, ISAKMP_EXCH_INFO,
			 ISAKMP_FLAG_E, msgid);
	ike_wbuf_set8(&w, 16, ISAKMP_PL_HASH);
	if (!err)
		err = w.err;
	if (!err)
		err = ikev1_encrypt(&sa->k, &iv, msgid, plain, pw.len,
				    msg + ISAKMP_HDR_LEN,
				    sizeof(msg) - ISAKMP_HDR_LEN, &clen);
	OPENSSL_cleanse(plain, sizeof(plain));
	if (err)
		return err;
	ike_wbuf_set32(&w, 24, (uint32_t)(ISAKMP_HDR_LEN + clen));
	/* Sent once and not kept: sa->tx stays what the peer's repeats of
	 * phase 1 get. */
	sa->eng->stats.tx++;
	sa->eng->env.send(sa->eng->env.arg, &sa->local, &sa->remote, msg,
			  ISAKMP_HDR_LEN + clen);
	return 0;
}

int ikev1_info_notify(struct ikev1_sa *sa, uint16_t type)
{
	return ikev1_info_notify_data(sa, type, NULL, 0);
}

int ikev1_info_notify_data(struct ikev1_sa *sa, uint16_t type,
			   const uint8_t *data, size_t len)
{
	uint8_t spi[2 * IKEV1_COOKIE_LEN];
	struct info_pl ip = { .proto = ISAKMP_PROTO_ISAKMP, .spi = spi,
			      .spi_len = sizeof(spi), .type = type,
			      .data = data, .data_len = len };

	memcpy(spi, sa->cky_i, IKEV1_COOKIE_LEN);
	memcpy(spi + IKEV1_COOKIE_LEN, sa->cky_r, IKEV1_COOKIE_LEN);
	return info_send(sa, &ip);
}

int ikev1_info_delete(struct ikev1_sa *sa, uint8_t proto, const uint8_t *spi,
		      size_t spi_len)
{
	struct info_pl ip = { .del = true, .proto = proto, .spi = spi,
			      .spi_len = spi_len };

	return info_send(sa, &ip);
}

int ikev1_info_initial_contact(struct ikev1_sa *sa)
{
	return ikev1_info_notify(sa, IPSEC_N_INITIAL_CONTACT);
}

/* The peer starts afresh: its other ISAKMP SAs with us are stale. */
static void initial_contact(struct ikev1_sa *sa)
{
	struct ikev1_sa *o, *next;
	char rb[IKD_ADDR_STRLEN];

	log_notify("INITIAL-CONTACT from %s: deleting its other ISAKMP-SAs",
		   ikd_addr_str(&sa->remote, true, rb));
	for (o = sa->eng->v1_sas; o; o = next) {
		next = o->next;
		if (o != sa && ikd_addr_eq_noport(&o->remote, &sa->remote))
			ikev1_sa_destroy(o);
	}
}

/* A notify from @sa's peer; true when it ends this ISAKMP SA. */
static bool notify(struct ikev1_sa *sa, const struct isakmp_pl *pl)
{
	struct isakmp_notify n;
	char rb[IKD_ADDR_STRLEN];

	if (isakmp_dec_notify(pl, &n, NULL))
		return false;
	ikd_addr_str(&sa->remote, true, rb);
	/* The peer did not accept our phase 1 signature or certificate
	 * (ikev1_p1_auth.c sends these): Aggressive Mode's initiator was
	 * established before the responder checked it. */
	if (n.type == ISAKMP_N_INVALID_SIGNATURE ||
	    n.type == ISAKMP_N_AUTHENTICATION_FAILED) {
		log_error("phase 1 with %s: peer refused our authentication "
			  "(%s): deleting the ISAKMP-SA", rb,
			  isakmp_notify_name(n.type));
		return true;
	}
	if (sa->state != V1_ESTABLISHED)
		return false;
	if (n.type == IPSEC_N_INITIAL_CONTACT) {
		initial_contact(sa);
		return false;
	}
	if (n.type == ISAKMP_N_R_U_THERE || n.type == ISAKMP_N_R_U_THERE_ACK) {
		ikev1_dpd_notify(sa, &n);
		return false;
	}
	/* The peer refused a Quick Mode of ours: no retransmission can
	 * change its mind. */
	if (n.type == ISAKMP_N_NO_PROPOSAL_CHOSEN ||
	    n.type == ISAKMP_N_INVALID_ID_INFORMATION) {
		ikev1_qm_refused(sa, &n);
		return false;
	}
	log_info("%s sent notify %s (%u): not acted on yet", rb,
		 isakmp_notify_name(n.type), n.type);
	return false;
}

/* IPcomp SAs by CPI: 2 bytes, or 4 with the CPI in the low half
 * (isakmp_dec_delete() let only these through). */
static void delete_comp(struct ikev1_sa *sa, const struct isakmp_delete *d)
{
	const uint8_t *s = d->spis.ptr;

	for (uint16_t i = 0; i < d->nspi; i++, s += d->spi_size)
		ikev1_child_peer_deleted_comp(sa, htonl((uint32_t)(
			s[d->spi_size - 2] << 8 | s[d->spi_size - 1])));
}

/* A DELETE from @sa's peer: IPsec SAs by SPI (its inbound, our
 * outbound); true when it deletes this very ISAKMP SA. */
static bool delete(struct ikev1_sa *sa, const struct isakmp_pl *pl)
{
	struct isakmp_delete d;
	struct ike_rbuf r;
	char rb[IKD_ADDR_STRLEN];

	if (isakmp_dec_delete(pl, &d, NULL))
		return false;
	ikd_addr_str(&sa->remote, true, rb);
	if (d.proto == ISAKMP_PROTO_ISAKMP) {
		uint8_t cky[2 * IKEV1_COOKIE_LEN];

		memcpy(cky, sa->cky_i, IKEV1_COOKIE_LEN);
		memcpy(cky + IKEV1_COOKIE_LEN, sa->cky_r, IKEV1_COOKIE_LEN);
		if (d.spi_size != sizeof(cky) || d.nspi < 1 ||
		    memcmp(d.spis.ptr, cky, sizeof(cky))) {
			log_info("%s sent DELETE for another ISAKMP-SA", rb);
			return false;
		}
		log_notify("%s deleted the ISAKMP-SA", rb);
		return true;
	}
	if (d.proto == ISAKMP_PROTO_IPCOMP) {
		delete_comp(sa, &d);
		return false;
	}
	if ((d.proto != ISAKMP_PROTO_ESP && d.proto != ISAKMP_PROTO_AH) ||
	    d.spi_size != 4) {
		log_info("%s sent DELETE for protocol %u: ignored", rb,
			 d.proto);
		return false;
	}
	ike_rbuf_init(&r, d.spis.ptr, d.spis.len);
	for (uint16_t i = 0; i < d.nspi; i++) {
		uint32_t spi;	/* network order, as the pairs keep it */

		ike_get_copy(&r, &spi, sizeof(spi));
		if (r.err)
			break;
		ikev1_child_peer_deleted(sa, d.proto == ISAKMP_PROTO_AH ?
					 IPPROTO_AH : IPPROTO_ESP, spi);
	}
	return false;
}

/* An authentic Informational of @sa's peer: HASH(1) first, checked. */
static int open_info(struct ikev1_sa *sa, struct isakmp_msg *m,
		     uint8_t *plain, size_t cap)
{
	const struct isakmp_pl *hash;
	struct isakmp_chunk rest;
	struct ikev1_iv iv;
	uint8_t h[IKE_MAX_PRF];

	if (!(m->flags & ISAKMP_FLAG_E) || !m->msgid || m->body.len > cap ||
	    ikev1_iv_exchange(&iv, &sa->k, &sa->iv, m->msgid) ||
	    ikev1_decrypt(&sa->k, &iv, m->msgid, m->body.ptr, m->body.len,
			  plain, cap) ||
	    isakmp_msg_parse_body(m, m->np, plain, m->body.len))
		return -EBADMSG;
	hash = m->npl ? &m->pl[0] : NULL;
	if (!hash || hash->type != ISAKMP_PL_HASH ||
	    hash->body.len != sa->k.prflen)
		return -EBADMSG;
	rest = isakmp_msg_after(m, hash);
	if (ikev1_info_hash(&sa->k, m->msgid,
			    (struct ike_span){ rest.ptr, rest.len }, h) ||
	    CRYPTO_memcmp(h, hash->body.ptr, sa->k.prflen))
		return -EACCES;
	return 0;
}

int ikev1_info_receive(struct ikev1_sa *sa, struct isakmp_msg *m)
{
	uint8_t plain[IKEV1_MSG_MAX];
	char rb[IKD_ADDR_STRLEN];
	bool gone = false, deleted = false;
	int err;

	ikd_addr_str(&sa->remote, true, rb);
	/* Main Mode's initiator after MM5 has the keys the responder's
	 * refusal of it comes under. */
	if ((sa->state != V1_ESTABLISHED && sa->state != V1_MM_I3 &&
	     sa->state != V1_DELETED) || !sa->have_keys) {
		/* Before phase 1 is done an Informational is in clear and
		 * unauthenticated: logged, never acted on. */
		const struct isakmp_pl *pl = isakmp_msg_find(m, ISAKMP_PL_N,
							     NULL);
		struct isakmp_notify n;

		if (!(m->flags & ISAKMP_FLAG_E) && pl &&
		    !isakmp_dec_notify(pl, &n, NULL))
			log_error("phase 1 with %s: peer answered %s (not "
				  "authenticated)", rb,
				  isakmp_notify_name(n.type));
		return -EAGAIN;
	}
	err = open_info(sa, m, plain, sizeof(plain));
	if (!err) {
		for (unsigned int i = 1; i < m->npl; i++) {
			if (m->pl[i].type == ISAKMP_PL_N)
				gone |= notify(sa, &m->pl[i]);
			else if (m->pl[i].type == ISAKMP_PL_D)
				deleted |= delete(sa, &m->pl[i]);
		}
	}
	OPENSSL_cleanse(plain, sizeof(plain));
	/* Last: nothing may touch the SA after. */
	if (gone)
		ikev1_sa_destroy(sa);
	else if (deleted)
		ikev1_sa_peer_deleted(sa);
	return err ? -EAGAIN : 0;
}
