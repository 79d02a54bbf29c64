// SPDX-License-Identifier: BSD-2-Clause
/*
 * Resistance to denial of service on the responder side:
 *
 *  - stateless cookies (RFC 7296 2.6): once env.dos.cookie_threshold
 *    half-open IKE SAs exist, an IKE_SA_INIT request must carry the
 *    COOKIE we would compute for it; without one (or with a wrong or
 *    stale one) the answer is a COOKIE notify and nothing is kept: no SA,
 *    no DH, no memory that outlives the call. A spoofed source never sees
 *    its cookie, so it never gets past this point.
 *      cookie = version | prf-hmac-sha2-256(secret, Ni | IPi | SPIi)
 *    The secret changes every IKE_COOKIE_ROTATE_MS; the previous one is
 *    still accepted for IKE_COOKIE_GRACE_MS after a change, so that an
 *    initiator caught by the change gets through.
 *  - half-open SAs per source address: beyond env.dos.half_open_per_source
 *    the source's IKE_SA_INIT is dropped, so one address cannot take the
 *    whole env.max_half_open. Responder SAs are hashed by peer address,
 *    which also makes the IKE_SA_INIT retransmission lookup O(1).
 *  - every line these paths log is rate-limited.
 */
#include "ike_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <openssl/crypto.h>

#include "log.h"

#define IKE_COOKIE_ROTATE_MS	(5 * 60 * 1000)
#define IKE_COOKIE_GRACE_MS	(30 * 1000)
#define IKE_COOKIE_LEN		(1 + 32)	/* version, HMAC-SHA2-256 */
#define IKE_RATELIMIT_MS	10000		/* a window ... */
#define IKE_RATELIMIT_LINES	3		/* ... and its lines */

static uint64_t now_ms(struct ike_engine *e)
{
	return e->env.timers->now(e->env.timers);
}

int ike_dos_init(struct ike_engine *e)
{
	return ike_random(&e->dos.src_hash_key, sizeof(e->dos.src_hash_key));
}

/* --- rate-limited logs --------------------------------------------------- */

bool ike_ratelimit_ok(struct ike_engine *e, struct ike_ratelimit *rl,
		      const char *what)
{
	uint64_t now = now_ms(e);

	if (!rl->start_ms || now - rl->start_ms >= IKE_RATELIMIT_MS) {
		if (rl->suppressed)
			log_warn("%u more messages like \"%s\" in the last %u s "
				 "not logged", rl->suppressed, what,
				 (unsigned int)((now - rl->start_ms) / 1000));
		rl->start_ms = now ? now : 1;
		rl->logged = rl->suppressed = 0;
	}
	if (rl->logged < IKE_RATELIMIT_LINES) {
		rl->logged++;
		return true;
	}
	rl->suppressed++;
	return false;
}

/* --- responder SAs by peer address ---------------------------------------- */

static unsigned int src_bucket(const struct ike_engine *e,
			       const struct ikd_addr *a)
{
	unsigned int n = a->family == AF_INET6 ? 16 : 4;
	uint64_t h = e->dos.src_hash_key ^ a->family;

	for (unsigned int i = 0; i < n; i++) {
		h ^= a->bytes[i];
		h *= 0x100000001b3ull;		/* FNV-1a's prime */
	}
	h ^= h >> 29;
	return (unsigned int)(h % IKE_SRC_BUCKETS);
}

void ike_dos_src_link(struct ike_sa *sa)
{
	struct ike_sa **b = &sa->eng->src_bucket[src_bucket(sa->eng,
							     &sa->remote)];

	sa->snext = *b;
	*b = sa;
}

void ike_dos_src_unlink(struct ike_sa *sa)
{
	struct ike_sa **pp = &sa->eng->src_bucket[src_bucket(sa->eng,
							      &sa->remote)];

	for (; *pp; pp = &(*pp)->snext)
		if (*pp == sa) {
			*pp = sa->snext;
			return;
		}
}

struct ike_sa *ike_dos_find_half_open(struct ike_engine *e, uint64_t spi_i,
				      const struct ikd_addr *remote)
{
	struct ike_sa *sa = e->src_bucket[src_bucket(e, remote)];

	for (; sa; sa = sa->snext)
		if (sa->spi_i == spi_i && ikd_addr_eq(&sa->remote, remote) &&
		    sa->state != IKE_ST_DEAD)
			return sa;
	return NULL;
}

unsigned int ike_dos_half_open_from(struct ike_engine *e,
				    const struct ikd_addr *remote)
{
	unsigned int n = 0;

	for (struct ike_sa *sa = e->src_bucket[src_bucket(e, remote)]; sa;
	     sa = sa->snext)
		if (sa->state == IKE_ST_INIT_R &&
		    ikd_addr_eq_noport(&sa->remote, remote))
			n++;
	return n;
}

/* --- cookies ------------------------------------------------------------ */

static int new_secret(struct ike_engine *e, uint64_t now)
{
	struct ike_dos *d = &e->dos;
	uint8_t version = (uint8_t)(d->cur.version + 1);

	d->prev = d->cur;
	if (ike_random(d->cur.key, sizeof(d->cur.key)))
		return -EIO;
	d->cur.version = version;
	d->cur.set = true;
	d->cur_since_ms = now;
	return 0;
}

/* The current secret, changed when it is due. Changes happen when a
 * cookie is needed, not on a timer: a secret idle for longer than its
 * life and the grace is not kept as the previous one either, so a cookie
 * is never accepted more than ROTATE + 2 GRACE after its secret was made. */
static int fresh_secret(struct ike_engine *e)
{
	struct ike_dos *d = &e->dos;
	uint64_t now = now_ms(e), age = now - d->cur_since_ms;
	int err;

	if (d->cur.set && age < IKE_COOKIE_ROTATE_MS)
		return 0;
	err = new_secret(e, now);
	if (!err && age >= IKE_COOKIE_ROTATE_MS + IKE_COOKIE_GRACE_MS)
		d->prev.set = false;
	return err;
}

static int compute(const struct ike_cookie_secret *s, const struct ike_msg *m,
		   const struct ikd_addr *remote, uint8_t out[IKE_COOKIE_LEN])
{
	const struct ike_prf_info *prf = ike_prf_info(IKE_PRF_HMAC_SHA2_256);
	uint8_t in[IKE_NONCE_MAX + 16 + 8];
	size_t alen = remote->family == AF_INET6 ? 16 : 4, n = 0;

	if (!prf || prf->outlen != IKE_COOKIE_LEN - 1 ||
	    m->nonce.len > IKE_NONCE_MAX)
		return -EINVAL;
	memcpy(in, m->nonce.ptr, m->nonce.len);
	n = m->nonce.len;
	memcpy(in + n, remote->bytes, alen);
	n += alen;
	for (int i = 0; i < 8; i++)
		in[n++] = (uint8_t)(m->spi_i >> (56 - 8 * i));
	out[0] = s->version;
	return ike_prf(prf, s->key, sizeof(s->key), in, n, out + 1);
}

static bool cookie_valid(struct ike_engine *e, const struct ike_msg *m,
			 const struct ikd_addr *remote)
{
	const struct ike_notify_pl *n = ike_msg_notify(m, IKE_N_COOKIE);
	const struct ike_cookie_secret *s;
	uint8_t want[IKE_COOKIE_LEN];
	bool ok;

	if (!n || n->data.len != IKE_COOKIE_LEN)
		return false;
	if (n->data.ptr[0] == e->dos.cur.version && e->dos.cur.set)
		s = &e->dos.cur;
	else if (n->data.ptr[0] == e->dos.prev.version && e->dos.prev.set &&
		 now_ms(e) - e->dos.cur_since_ms < IKE_COOKIE_GRACE_MS)
		s = &e->dos.prev;
	else
		return false;
	if (compute(s, m, remote, want))
		return false;
	ok = !CRYPTO_memcmp(want, n->data.ptr, IKE_COOKIE_LEN);
	OPENSSL_cleanse(want, sizeof(want));
	return ok;
}

static void send_cookie(struct ike_engine *e, const struct ikd_addr *local,
			const struct ikd_addr *remote, const struct ike_msg *m)
{
	uint8_t cookie[IKE_COOKIE_LEN], buf[IKE_HDR_LEN + 8 + IKE_COOKIE_LEN];
	struct ike_wbuf w;
	struct ike_builder b;

	if (compute(&e->dos.cur, m, remote, cookie))
		return;
	ike_wbuf_init(&w, buf, sizeof(buf));
	ike_build_hdr(&b, &w, m->spi_i, 0, IKE_SA_INIT, IKE_FLAG_R, 0);
	ike_build_notify(&b, 0, NULL, 0, IKE_N_COOKIE, cookie, sizeof(cookie));
	if (ike_build_end(&b))
		return;
	e->stats.tx++;
	e->stats.cookies_sent++;
	e->env.send(e->env.arg, local, remote, buf, w.len);
}

int ike_dos_admit(struct ike_engine *e, const struct ikd_addr *local,
		  const struct ikd_addr *remote, const struct ike_msg *m)
{
	const struct ike_dos_limits *lim = &e->env.dos;
	uint32_t threshold = lim->cookie_threshold ? lim->cookie_threshold :
			     IKE_DEFAULT_COOKIE_THRESHOLD;
	uint32_t per_src = lim->half_open_per_source ?
			   lim->half_open_per_source :
			   IKE_DEFAULT_HALF_OPEN_PER_SOURCE;
	unsigned int from_src;
	char rb[IKD_ADDR_STRLEN];

	if (e->nhalf_open >= threshold) {
		if (fresh_secret(e))
			return -EBUSY;
		if (!cookie_valid(e, m, remote)) {
			if (ike_ratelimit_ok(e, &e->dos.rl_cookie,
					     "answered with COOKIE"))
				log_notify("IKE_SA_INIT from %s answered with "
					   "COOKIE: %u half-open IKE SAs "
					   "(cookie_threshold %u)",
					   ikd_addr_str(remote, true, rb),
					   e->nhalf_open, threshold);
			send_cookie(e, local, remote, m);
			return -EAGAIN;
		}
	}
	from_src = ike_dos_half_open_from(e, remote);
	if (from_src >= per_src) {
		e->stats.rx_dropped++;
		if (ike_ratelimit_ok(e, &e->dos.rl_source,
				     "half_open_per_source reached"))
			log_warn("IKE_SA_INIT from %s dropped: it has %u "
				 "half-open IKE SAs (half_open_per_source %u "
				 "reached)", ikd_addr_str(remote, false, rb),
				 from_src, per_src);
		return -EBUSY;
	}
	return 0;
}
