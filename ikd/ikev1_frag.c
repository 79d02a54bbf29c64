// SPDX-License-Identifier: BSD-2-Clause
/*
 * IKEv1 fragmentation as racoon (ike_frag) and strongSwan do it, the
 * Cisco format: vendor ID "FRAGMENTATION", then a whole ISAKMP message
 * (header included, encrypted or not) cut into pieces, each sent as a
 * datagram of its own: an ISAKMP header with next payload 132 and one
 * fragment payload {id, number from 1, flags: LAST on the last}.
 *
 * Why: Main Mode 5/6 and Aggressive Mode 1/2 with certificates are
 * larger than many paths pass without IP fragments, and those are
 * dropped by firewalls and NATs.
 *
 * Sending: when ike_frag is force, or on and the peer sent the vendor ID,
 * a message longer than frag_max() goes as fragments. The whole message
 * stays the SA's last datagram (ikev1_sa.c), so a retransmission (or the
 * answer to a repeat) sends every fragment again, same fragment id.
 *
 * Receiving: before any SA exists (Aggressive Mode 1, or Main Mode 1
 * from a peer with ike_frag force) the cookies and the peer's address
 * are all we know, so reassemblies are kept per engine, keyed by them,
 * not per SA. Only from a peer whose remote block has ike_frag on or
 * force. What an unauthenticated sender can make us hold is bounded:
 * V1F_SLOTS reassemblies (the oldest gives way), V1F_MAX_FRAGS fragments
 * and V1F_MAX_SIZE bytes each, V1F_TIMEOUT_MS from the first fragment. A
 * fragment with another fragment id replaces the reassembly (the peer
 * moved on); a repeated fragment number, a number past the last, or a
 * second last fragment is dropped. Once whole, the message goes through
 * ikev1_receive() as if it had come in one datagram: its checks, and the
 * repeat detection, apply to it unchanged.
 */
#include "ikev1_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "log.h"

#define V1F_SLOTS	16	/* reassemblies per engine */
#define V1F_MAX_FRAGS	16	/* per message, both ways */
#define V1F_MAX_SIZE	32768	/* reassembled message */
#define V1F_TIMEOUT_MS	30000	/* from the first fragment */
#define V1F_PL_HDR	8	/* generic header, id, number, flags */
/* racoon's capability flags after the 16 bytes (IKE fragmentation). */
#define V1F_VID_FLAGS	0x80000000u

/* MD5("FRAGMENTATION"), the part every implementation matches on. */
static const uint8_t vid_frag[16] = {
	0x40, 0x48, 0xb7, 0xd5, 0x6e, 0xbc, 0xe8, 0x85,
	0x25, 0xe7, 0xde, 0x7f, 0x00, 0xd6, 0xc2, 0xd3,
};

struct v1f_in {
	bool used;
	uint8_t cky_i[IKEV1_COOKIE_LEN], cky_r[IKEV1_COOKIE_LEN];
	struct ikd_addr remote;
	uint16_t id;
	uint8_t last;			/* number of the LAST one; 0: unseen */
	uint8_t have;
	size_t size;
	uint64_t start_ms;
	uint8_t *frag[V1F_MAX_FRAGS];
	size_t len[V1F_MAX_FRAGS];
};

struct ikev1_frag_tab {
	struct v1f_in in[V1F_SLOTS];
};

/* --- vendor ID ---------------------------------------------------------- */

void ikev1_frag_add_vid(const struct ikev1_sa *sa, struct isakmp_builder *b)
{
	uint8_t v[sizeof(vid_frag) + 4];

	if (sa->cfg.ike_frag == IKE_FRAG_OFF)
		return;
	memcpy(v, vid_frag, sizeof(vid_frag));
	v[16] = V1F_VID_FLAGS >> 24;
	v[17] = v[18] = v[19] = 0;
	isakmp_build_data(b, ISAKMP_PL_VID, v, sizeof(v));
}

void ikev1_frag_note_vid(struct ikev1_sa *sa, const struct isakmp_pl *v)
{
	if (v->body.len >= sizeof(vid_frag) &&
	    !memcmp(v->body.ptr, vid_frag, sizeof(vid_frag)))
		sa->peer_frag = true;
}

/* --- sending ------------------------------------------------------------ */

/* Datagram bytes of a fragment. racoon's 552 is about IPv4's 576-byte
 * minimum reassembly buffer (RFC 791); we take it exactly: 576 less the
 * IP and UDP headers, for IPv6 its minimum MTU 1280 likewise; on port
 * 4500 the non-ESP marker takes 4 more. */
static size_t frag_max(const struct ikev1_sa *sa)
{
	size_t max = sa->remote.family == AF_INET6 ? 1280 - 40 - 8 :
						     576 - 20 - 8;

	return sa->local.port == IKE_NATT_PORT ? max - 4 : max;
}

bool ikev1_frag_send(struct ikev1_sa *sa)
{
	struct ike_engine *e = sa->eng;
	size_t max = frag_max(sa), per = max - ISAKMP_HDR_LEN - V1F_PL_HDR;
	size_t n = (sa->tx_len + per - 1) / per;
	uint8_t buf[1280];
	char rb[IKD_ADDR_STRLEN];
	struct ike_wbuf w;
	struct isakmp_builder b;
	uint32_t msgid;

	if (sa->cfg.ike_frag == IKE_FRAG_OFF ||
	    (sa->cfg.ike_frag == IKE_FRAG_ON && !sa->peer_frag) ||
	    sa->tx_len <= max || sa->tx_len < ISAKMP_HDR_LEN)
		return false;
	if (n > V1F_MAX_FRAGS) {
		log_error("%zu-byte message to %s needs more than %u "
			  "fragments: sent whole", sa->tx_len,
			  ikd_addr_str(&sa->remote, true, rb), V1F_MAX_FRAGS);
		return false;
	}
	msgid = (uint32_t)sa->tx[20] << 24 | (uint32_t)sa->tx[21] << 16 |
		(uint32_t)sa->tx[22] << 8 | sa->tx[23];
	for (size_t i = 0; i < n; i++) {
		size_t off = i * per;
		size_t len = sa->tx_len - off < per ? sa->tx_len - off : per;

		ike_wbuf_init(&w, buf, max);
		/* Cookies and exchange of the message; flags 0: the
		 * fragment itself is not encrypted. */
		isakmp_build_hdr(&b, &w, sa->tx, sa->tx + IKEV1_COOKIE_LEN,
				 sa->tx[18], 0, msgid);
		isakmp_build_frag(&b, sa->frag_id, (uint8_t)(i + 1),
				  i + 1 == n ? ISAKMP_FRAG_LAST : 0,
				  sa->tx + off, len);
		if (isakmp_build_end(&b))
			return false;	/* cannot be: max fits the pieces */
		e->stats.tx++;
		e->stats.frag_tx++;
		e->env.send(e->env.arg, &sa->local, &sa->remote, buf, w.len);
	}
	log_debug("%s message to %s sent as %zu fragments (id %u) of at most "
		  "%zu bytes", isakmp_exchange_name(sa->tx[18]),
		  ikd_addr_str(&sa->remote, true, rb), n, sa->frag_id, max);
	return true;
}

/* --- receiving ---------------------------------------------------------- */

static void slot_free(struct v1f_in *r)
{
	for (unsigned int i = 0; i < V1F_MAX_FRAGS; i++)
		free(r->frag[i]);
	memset(r, 0, sizeof(*r));
}

void ikev1_frag_free_all(struct ike_engine *e)
{
	if (!e->v1_frag)
		return;
	for (unsigned int i = 0; i < V1F_SLOTS; i++)
		slot_free(&e->v1_frag->in[i]);
	free(e->v1_frag);
	e->v1_frag = NULL;
}

static void dropped(struct ike_engine *e, const struct ikd_addr *remote,
		   const struct isakmp_frag *f, const char *why)
{
	char rb[IKD_ADDR_STRLEN];

	e->stats.frag_dropped++;
	e->stats.rx_dropped++;
	if (ike_ratelimit_ok(e, &e->dos.rl_drop, "dropped ISAKMP fragments"))
		log_info("ISAKMP fragment %u (id %u) from %s dropped: %s",
			 f ? f->num : 0, f ? f->id : 0,
			 ikd_addr_str(remote, true, rb), why);
}

/* The reassembly of the message with these cookies from @remote, a new
 * one in a free slot (expired ones are freed on the way, the oldest
 * gives way when none is free), or NULL when out of memory. */
static struct v1f_in *slot_get(struct ike_engine *e,
			       const struct isakmp_msg *m,
			       const struct ikd_addr *remote)
{
	uint64_t now = e->env.timers->now(e->env.timers);
	struct v1f_in *oldest = NULL, *free_slot = NULL;

	if (!e->v1_frag && !(e->v1_frag = calloc(1, sizeof(*e->v1_frag))))
		return NULL;
	for (unsigned int i = 0; i < V1F_SLOTS; i++) {
		struct v1f_in *r = &e->v1_frag->in[i];

		if (r->used && now - r->start_ms >= V1F_TIMEOUT_MS) {
			e->stats.frag_dropped += r->have;
			log_info("ISAKMP fragments (id %u) from %s: %u after "
				 "%u s, giving up on them", r->id,
				 ikd_addr_str(&r->remote, true,
					      (char[IKD_ADDR_STRLEN]){ 0 }),
				 r->have, V1F_TIMEOUT_MS / 1000);
			slot_free(r);
		}
		if (!r->used) {
			free_slot = free_slot ? free_slot : r;
			continue;
		}
		if (!memcmp(r->cky_i, m->cky_i, IKEV1_COOKIE_LEN) &&
		    !memcmp(r->cky_r, m->cky_r, IKEV1_COOKIE_LEN) &&
		    ikd_addr_eq_noport(&r->remote, remote))
			return r;
		if (!oldest || r->start_ms < oldest->start_ms)
			oldest = r;
	}
	if (!free_slot) {
		e->stats.frag_dropped += oldest->have;
		slot_free(oldest);
		free_slot = oldest;
	}
	free_slot->used = true;
	memcpy(free_slot->cky_i, m->cky_i, IKEV1_COOKIE_LEN);
	memcpy(free_slot->cky_r, m->cky_r, IKEV1_COOKIE_LEN);
	free_slot->remote = *remote;
	free_slot->start_ms = now;
	return free_slot;
}

/* Every fragment is in: the message, checked to be one of these
 * cookies' and no fragment itself, goes to the normal receive path. */
static void deliver(struct ike_engine *e, const struct ikd_addr *local,
		    struct v1f_in *r)
{
	struct ikd_addr remote = r->remote;
	uint8_t *whole = malloc(r->size);
	size_t off = 0;
	bool ok;

	if (!whole) {
		slot_free(r);
		return;
	}
	for (unsigned int i = 0; i < r->last; i++) {
		memcpy(whole + off, r->frag[i], r->len[i]);
		off += r->len[i];
	}
	ok = off >= ISAKMP_HDR_LEN &&
	     !memcmp(whole, r->cky_i, IKEV1_COOKIE_LEN) &&
	     !memcmp(whole + IKEV1_COOKIE_LEN, r->cky_r, IKEV1_COOKIE_LEN) &&
	     whole[16] != ISAKMP_PL_FRAG;
	log_debug("ISAKMP message from %s reassembled from %u fragments "
		  "(%zu bytes)", ikd_addr_str(&remote, true,
					      (char[IKD_ADDR_STRLEN]){ 0 }),
		  r->last, off);
	slot_free(r);
	if (!ok) {
		dropped(e, &remote, NULL, "the reassembled message is not an "
			"ISAKMP message of the fragments' cookies");
	} else {
		e->stats.frag_reassembled++;
		e->stats.rx--;	/* ikev1_receive() counts it once more */
		ikev1_receive(e, local, &remote, whole, off);
	}
	free(whole);
}

void ikev1_frag_receive(struct ike_engine *e, const struct ikd_addr *local,
			const struct ikd_addr *remote,
			const struct isakmp_msg *m)
{
	struct ikev1_sa *sa = ikev1_sa_find(e, m->cky_i, m->cky_r, remote);
	const struct ike_peer_cfg *cfg;
	struct isakmp_frag f;
	struct isakmp_why why;
	struct v1f_in *r;
	unsigned int i;

	/* The parser checked it: the only payload, id, number >= 1, data. */
	if (m->npl != 1 || isakmp_dec_frag(&m->pl[0], &f, &why)) {
		dropped(e, remote, NULL, "malformed fragment payload");
		return;
	}
	cfg = sa ? &sa->cfg : e->env.peer_by_addr(e->env.arg, local, remote);
	if (!cfg || cfg->ike_version != 1 || cfg->ike_frag == IKE_FRAG_OFF) {
		dropped(e, remote, &f, "ike_frag is off for this peer");
		return;
	}
	if (f.num > V1F_MAX_FRAGS) {
		dropped(e, remote, &f, "more fragments than we accept");
		return;
	}
	r = slot_get(e, m, remote);
	if (!r) {
		dropped(e, remote, &f, "out of memory");
		return;
	}
	if (r->have && r->id != f.id) {
		/* Another message: the one we had will not be whole. */
		e->stats.frag_dropped += r->have;
		slot_free(r);
		r = slot_get(e, m, remote);
		if (!r)
			return;
	}
	r->id = f.id;
	i = f.num - 1u;
	if (r->frag[i]) {
		/* A retransmission repeats them: nothing new. */
		dropped(e, remote, &f, r->len[i] == f.data.len &&
			!memcmp(r->frag[i], f.data.ptr, f.data.len) ?
			"duplicate" : "overlaps a fragment of the same number");
		return;
	}
	if (r->last && (f.num > r->last || (f.flags & ISAKMP_FRAG_LAST))) {
		dropped(e, remote, &f, "past the last fragment");
		return;
	}
	if (f.flags & ISAKMP_FRAG_LAST) {
		for (unsigned int j = f.num; j < V1F_MAX_FRAGS; j++)
			if (r->frag[j]) {
				dropped(e, remote, &f, "last fragment before "
					"others already received");
				return;
			}
	}
	if (r->size + f.data.len > V1F_MAX_SIZE) {
		e->stats.frag_dropped += r->have;
		slot_free(r);
		dropped(e, remote, &f, "the message would be too big");
		return;
	}
	r->frag[i] = malloc(f.data.len);
	if (!r->frag[i]) {
		dropped(e, remote, &f, "out of memory");
		return;
	}
	memcpy(r->frag[i], f.data.ptr, f.data.len);
	r->len[i] = f.data.len;
	r->size += f.data.len;
	r->have++;
	e->stats.frag_rx++;
	if (f.flags & ISAKMP_FRAG_LAST)
		r->last = f.num;
	if (r->last && r->have == r->last)
		deliver(e, local, r);
}
