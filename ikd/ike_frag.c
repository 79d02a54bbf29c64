// SPDX-License-Identifier: BSD-2-Clause
/*
 * Encrypted messages in and out: the SK payload whole, or IKEv2
 * fragments (RFC 7383, SKF payloads).
 *
 * Why fragments: IKE_AUTH with a certificate chain is several kB, so the
 * kernel sends it as IP fragments, and many paths (firewalls, NATs,
 * carrier networks) drop those. Both sides announce
 * IKEV2_FRAGMENTATION_SUPPORTED in IKE_SA_INIT (2.3); then a message
 * after IKE_SA_INIT whose datagram does not fit ike_frag_max() goes as
 * several, each with its own IKE header (same message ID) and one SKF
 * payload carrying a slice of the inner payloads, sealed on its own
 * (2.5). The fragments lie back to back in one buffer, which the
 * retransmission and response caches keep as they keep a whole message:
 * a retransmission resends every fragment (2.6.1).
 *
 * Reassembly (2.6): a fragment is checked and decrypted before anything
 * of it is kept, so a forged one can neither take a genuine one's place
 * nor make us hold memory. The engine passes only fragments of the
 * message ID it expects, so one reassembly per direction per IKE SA is
 * enough; a fragment of another message (or exchange) starts over. What
 * a peer can make us hold is bounded: IKE_FRAG_MAX_FRAGS fragments,
 * IKE_FRAG_MAX_SIZE bytes of plaintext, IKE_FRAG_TIMEOUT_MS. A duplicate
 * is ignored; a fragment with more Total Fragments than those kept (the
 * peer fragmented a retransmission smaller) restarts the reassembly, one
 * with fewer is dropped (2.6.1). Once whole, the message goes through
 * the normal inner parser.
 */
#include "ike_int.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <openssl/crypto.h>

#include "log.h"

#define IKE_FRAG_MAX_FRAGS	64	/* Total Fragments we accept and send */
#define IKE_FRAG_MAX_SIZE	IKE_MSG_MAX	/* reassembled plaintext */
#define IKE_FRAG_TIMEOUT_MS	30000	/* from the first fragment kept */
#define SKF_HDR_LEN		8	/* generic header, number, total */

struct ike_frag_in {
	struct ike_sa *sa;
	int dir;			/* index in sa->frag.in */
	uint32_t msgid;
	uint8_t exchange;
	uint8_t np;			/* first inner payload (fragment 1) */
	uint16_t total, have;
	size_t size;			/* plaintext bytes kept */
	uint8_t *first;			/* fragment 1 as received */
	size_t first_len;
	struct ikd_timer *timer;
	/* Each fragment's plaintext; buf_len is what was allocated (and
	 * is wiped), len what is inner payloads. */
	uint8_t *frag[IKE_FRAG_MAX_FRAGS];
	size_t len[IKE_FRAG_MAX_FRAGS], buf_len[IKE_FRAG_MAX_FRAGS];
};

/* --- IKE_SA_INIT ------------------------------------------------------- */

void ike_frag_build(const struct ike_sa *sa, struct ike_builder *b)
{
	if (sa->cfg->ike_frag == IKE_FRAG_OFF ||
	    (!sa->initiator && !sa->frag.peer_supports))
		return;
	ike_build_notify(b, 0, NULL, 0, IKE_N_IKEV2_FRAGMENTATION_SUPPORTED,
			 NULL, 0);
}

void ike_frag_check(struct ike_sa *sa, const struct ike_msg *m)
{
	sa->frag.peer_supports =
		ike_msg_notify(m, IKE_N_IKEV2_FRAGMENTATION_SUPPORTED) != NULL;
	sa->frag.use = sa->frag.peer_supports &&
		       sa->cfg->ike_frag != IKE_FRAG_OFF;
	if (sa->frag.use)
		log_debug("IKE SA %016" PRIx64 ": IKEv2 fragmentation in use "
			  "(up to %zu bytes per datagram)", sa->spi_i,
			  ike_frag_max(sa));
}

void ike_frag_inherit(struct ike_sa *to, const struct ike_sa *from)
{
	to->frag.peer_supports = from->frag.peer_supports;
	to->frag.use = from->frag.use;
}

size_t ike_frag_max(const struct ike_sa *sa)
{
	size_t ip = sa->remote.family == AF_INET6 ? 40 : 20;
	size_t marker = sa->local.port == IKE_NATT_PORT ? 4 : 0;

	return IKE_FRAG_IP_MAX - ip - 8 - marker;
}

/* --- sending ------------------------------------------------------------ */

static uint8_t *seal_whole(struct ike_sa *sa, const struct ike_sk_keys *k,
			   uint8_t exchange, uint8_t flags, uint32_t msgid,
			   const struct ike_builder *inner, size_t ilen,
			   size_t *len)
{
	size_t cap = IKE_HDR_LEN + 4 + ike_sk_len(k, ilen);
	uint8_t *pkt = malloc(cap);
	struct ike_wbuf w;
	struct ike_builder b;
	int err;

	if (!pkt)
		return NULL;
	ike_wbuf_init(&w, pkt, cap);
	ike_build_hdr(&b, &w, sa->spi_i, sa->spi_r, exchange, flags, msgid);
	err = ike_build_sk_end(&b, k, inner->first_np,
			       inner->w->data + inner->start, ilen);
	if (err) {
		log_error("cannot build %s message: %s",
			  ike_exchange_name(exchange), strerror(-err));
		free(pkt);
		return NULL;
	}
	*len = w.len;
	return pkt;
}

static uint8_t *seal_frags(struct ike_sa *sa, const struct ike_sk_keys *k,
			   uint8_t exchange, uint8_t flags, uint32_t msgid,
			   const struct ike_builder *inner, size_t ilen,
			   size_t *len)
{
	const uint8_t *in = inner->w->data + inner->start;
	size_t max = ike_frag_max(sa), room = max - IKE_HDR_LEN - SKF_HDR_LEN;
	size_t per = room, nfrag;
	struct ike_wbuf w;
	struct ike_builder b;
	uint8_t *pkt;
	int err = 0;

	/* The most plaintext whose IV, padding and ICV still fit. */
	while (per && ike_sk_len(k, per) > room)
		per--;
	nfrag = ilen ? (ilen + per - 1) / (per ? per : 1) : 1;
	if (!per || nfrag > IKE_FRAG_MAX_FRAGS) {
		log_error("cannot build %s message: %zu bytes need more than "
			  "%u fragments", ike_exchange_name(exchange), ilen,
			  IKE_FRAG_MAX_FRAGS);
		return NULL;
	}
	pkt = malloc(nfrag * max);
	if (!pkt)
		return NULL;
	ike_wbuf_init(&w, pkt, nfrag * max);
	for (size_t i = 0; i < nfrag && !err; i++) {
		size_t off = i * per;
		size_t n = ilen - off < per ? ilen - off : per;

		ike_build_hdr(&b, &w, sa->spi_i, sa->spi_r, exchange, flags,
			      msgid);
		/* 2.5: only fragment 1 names the first inner payload. */
		err = ike_build_skf_end(&b, k, i ? IKE_PL_NONE : inner->first_np,
					(uint16_t)(i + 1), (uint16_t)nfrag,
					in + off, n);
	}
	if (err) {
		log_error("cannot build %s message fragments: %s",
			  ike_exchange_name(exchange), strerror(-err));
		free(pkt);
		return NULL;
	}
	log_debug("%s %s %u: %zu bytes of payloads in %zu fragments of at "
		  "most %zu bytes", ike_exchange_name(exchange),
		  flags & IKE_FLAG_R ? "response" : "request", msgid, ilen,
		  nfrag, max);
	*len = w.len;
	return pkt;
}

uint8_t *ike_frag_seal(struct ike_sa *sa, uint8_t exchange, uint8_t flags,
		       uint32_t msgid, const struct ike_builder *inner,
		       size_t *len)
{
	size_t ilen = inner->w->len - inner->start;
	struct ike_sk_keys k;
	size_t whole;

	if (inner->w->err)
		return NULL;
	ike_sa_sk_keys(sa, sa->initiator, &k);
	if (sa->initiator)
		flags |= IKE_FLAG_I;
	whole = IKE_HDR_LEN + 4 + ike_sk_len(&k, ilen);
	if (!sa->frag.use || exchange == IKE_SA_INIT ||
	    (whole <= ike_frag_max(sa) && sa->cfg->ike_frag != IKE_FRAG_FORCE))
		return seal_whole(sa, &k, exchange, flags, msgid, inner, ilen,
				  len);
	return seal_frags(sa, &k, exchange, flags, msgid, inner, ilen, len);
}

/* --- receiving ---------------------------------------------------------- */

static void wipe_free(uint8_t *p, size_t len)
{
	if (p) {
		OPENSSL_cleanse(p, len);
		free(p);
	}
}

static void reasm_free(struct ike_sa *sa, int dir)
{
	struct ike_frag_in *r = sa->frag.in[dir];
	struct ikd_timers *t = sa->eng->env.timers;

	if (!r)
		return;
	t->cancel(t, r->timer);
	for (unsigned int i = 0; i < IKE_FRAG_MAX_FRAGS; i++)
		wipe_free(r->frag[i], r->buf_len[i]);
	free(r->first);
	free(r);
	sa->frag.in[dir] = NULL;
}

void ike_frag_free(struct ike_sa *sa)
{
	reasm_free(sa, 0);
	reasm_free(sa, 1);
}

static void reasm_timeout(void *arg)
{
	struct ike_frag_in *r = arg;
	struct ike_sa *sa = r->sa;
	struct ike_engine *e = sa->eng;

	r->timer = NULL;	/* fired: the loop has freed it */
	e->stats.frag_dropped += r->have;
	if (ike_ratelimit_ok(e, &e->dos.rl_drop, "dropped IKE message"))
		log_info("%s message %u from %s: %u of %u fragments after %u s, "
			 "giving up on it", ike_exchange_name(r->exchange),
			 r->msgid, sa->cfg->name, r->have, r->total,
			 IKE_FRAG_TIMEOUT_MS / 1000);
	reasm_free(sa, r->dir);
}

/* Counts and logs (rate-limited) a fragment we do not keep. */
static int frag_drop(struct ike_sa *sa, const struct ike_msg *m,
		     const char *why)
{
	struct ike_engine *e = sa->eng;
	char rb[IKD_ADDR_STRLEN];

	e->stats.frag_dropped++;
	e->stats.rx_dropped++;
	if (ike_ratelimit_ok(e, &e->dos.rl_drop, "dropped IKE message"))
		log_info("dropped IKE fragment %u/%u of %s message %u from %s: "
			 "%s", m->frag_num, m->frag_total,
			 ike_exchange_name(m->exchange), m->msgid,
			 ikd_addr_str(&sa->remote, true, rb), why);
	return -EINPROGRESS;
}

static struct ike_frag_in *reasm_new(struct ike_sa *sa, int dir,
				     const struct ike_msg *m)
{
	struct ikd_timers *t = sa->eng->env.timers;
	struct ike_frag_in *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->sa = sa;
	r->dir = dir;
	r->msgid = m->msgid;
	r->exchange = m->exchange;
	r->total = m->frag_total;
	r->timer = t->add(t, IKE_FRAG_TIMEOUT_MS, reasm_timeout, r);
	if (!r->timer) {
		free(r);
		return NULL;
	}
	sa->frag.in[dir] = r;
	return r;
}

static int parse_inner(struct ike_msg *m, const uint8_t *plain, size_t len)
{
	int err = ike_msg_parse_inner(m, plain, len);

	return err == -EBADMSG ? -EINVAL : err;
}

/* All fragments are in: the inner payloads in order, then fragment 1
 * as received, for m->raw. */
static int reassemble(struct ike_sa *sa, int dir, struct ike_msg *m,
		      uint8_t **plain, size_t *plain_len)
{
	struct ike_frag_in *r = sa->frag.in[dir];
	size_t size = r->size, off = 0;
	uint8_t *out = malloc(size + r->first_len);

	if (!out) {
		sa->eng->stats.frag_dropped += r->have;
		reasm_free(sa, dir);
		return -EINPROGRESS;
	}
	for (unsigned int i = 0; i < r->total; i++) {
		memcpy(out + off, r->frag[i], r->len[i]);
		off += r->len[i];
	}
	memcpy(out + size, r->first, r->first_len);
	m->raw = out + size;
	m->raw_len = r->first_len;
	m->sk_np = r->np;
	m->frag_num = 1;
	log_debug("%s message %u from %s reassembled from %u fragments "
		  "(%zu bytes)", ike_exchange_name(m->exchange), m->msgid,
		  sa->cfg->name, r->total, size);
	sa->eng->stats.frag_reassembled++;
	reasm_free(sa, dir);
	*plain = out;
	*plain_len = size + m->raw_len;
	return parse_inner(m, out, size);
}

/* Decrypts @m's SKF payload into a new buffer: 0 or -EBADMSG. */
static int open_one(struct ike_sa *sa, const struct ike_msg *m,
		    uint8_t **buf, size_t *len)
{
	struct ike_sk_keys k;

	*buf = malloc(m->raw_len);
	if (!*buf)
		return -EBADMSG;
	ike_sa_sk_keys(sa, m->flags & IKE_FLAG_I, &k);
	if (ike_sk_open(&k, m->raw, m->sk_off, m->raw_len, *buf, m->raw_len,
			len)) {
		wipe_free(*buf, m->raw_len);
		*buf = NULL;
		return -EBADMSG;
	}
	return 0;
}

static int open_fragment(struct ike_sa *sa, struct ike_msg *m, bool keep,
			 uint8_t **plain, size_t *plain_len)
{
	int dir = m->flags & IKE_FLAG_R ? 1 : 0;
	struct ike_frag_in *r = sa->frag.in[dir];
	unsigned int i = m->frag_num - 1u;	/* the parser checked >= 1 */
	uint8_t *buf;
	size_t len = 0;

	if (!keep) {
		/* Only whether it is authentic. */
		if (!sa->frag.use || open_one(sa, m, &buf, &len))
			return -EBADMSG;
		*plain = buf;
		*plain_len = m->raw_len;
		return 0;
	}
	if (!sa->frag.use)
		return frag_drop(sa, m, "fragmentation was not negotiated");
	if (m->exchange == IKE_SA_INIT)
		return frag_drop(sa, m, "IKE_SA_INIT is never fragmented");
	if (m->frag_total > IKE_FRAG_MAX_FRAGS)
		return frag_drop(sa, m, "more fragments than we accept");
	if (r && (r->msgid != m->msgid || r->exchange != m->exchange)) {
		/* Another message: the one we had will not be whole. */
		sa->eng->stats.frag_dropped += r->have;
		reasm_free(sa, dir);
		r = NULL;
	}
	if (r && m->frag_total < r->total)
		return frag_drop(sa, m, "fewer Total Fragments than before");
	if (r && m->frag_total == r->total && r->frag[i])
		return -EINPROGRESS;	/* a duplicate: nothing new */
	if (open_one(sa, m, &buf, &len))
		return frag_drop(sa, m, "integrity check failed");
	sa->eng->stats.frag_rx++;
	if (r && m->frag_total > r->total) {
		/* 2.6.1: a retransmission cut smaller; start over. */
		sa->eng->stats.frag_dropped += r->have;
		reasm_free(sa, dir);
		r = NULL;
	}
	if (!r)
		r = reasm_new(sa, dir, m);
	if (r && i == 0) {
		r->first = malloc(m->raw_len);
		if (r->first) {
			memcpy(r->first, m->raw, m->raw_len);
			r->first_len = m->raw_len;
			r->np = m->sk_np;
		}
	}
	if (!r || (i == 0 && !r->first) || r->size + len > IKE_FRAG_MAX_SIZE) {
		const char *why = r && (i || r->first) ?
				  "the message would be too big" :
				  "out of memory";

		wipe_free(buf, m->raw_len);
		if (r)
			sa->eng->stats.frag_dropped += r->have;
		reasm_free(sa, dir);
		return frag_drop(sa, m, why);
	}
	r->frag[i] = buf;
	r->buf_len[i] = m->raw_len;
	r->len[i] = len;
	r->size += len;
	if (++r->have < r->total)
		return -EINPROGRESS;
	return reassemble(sa, dir, m, plain, plain_len);
}

int ike_frag_open(struct ike_sa *sa, struct ike_msg *m, bool keep,
		  uint8_t **plain, size_t *plain_len)
{
	struct ike_sk_keys k;
	size_t plen = 0;

	*plain = NULL;
	*plain_len = 0;
	if (!sa->have_keys)
		return -EBADMSG;
	if (ike_msg_has(m, IKE_PL_SKF))
		return open_fragment(sa, m, keep, plain, plain_len);
	if (!ike_msg_has(m, IKE_PL_SK))
		return -EBADMSG;
	*plain = malloc(m->raw_len);
	if (!*plain)
		return -EBADMSG;
	*plain_len = m->raw_len;
	ike_sa_sk_keys(sa, m->flags & IKE_FLAG_I, &k);
	if (ike_sk_open(&k, m->raw, m->sk_off, m->raw_len, *plain,
			m->raw_len, &plen))
		return -EBADMSG;
	return parse_inner(m, *plain, plen);
}
