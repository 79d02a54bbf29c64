// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * In-module self-tests (as WireGuard's), run at load with "insmod kipsec.ko
 * selftest=1": the data plane's view of the SPD and SAD has no PF_KEY
 * message to test it through. SPD: KAME's order (priority, then insertion)
 * across selector classes, random policies and flows against a first-match
 * walk, and lookup times among 10k port-only and 10k
 * mixed-prefix policies. SAD: SA selection (newest mature, dying as a
 * fallback, oldest with preferred_oldsa) and lookup by SPI. ACQUIRE: sent
 * to a registered PF_KEY socket (a kernel socket here), held back while
 * pending, completed by a GETSPI with its seq.
 */
#include <linux/inet.h>
#include <linux/net.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include "sad.h"
#include "spd.h"

#define ST_MANY 10000

static void st_addr(struct kipsec_addr *a, const char *text)
{
	memset(a, 0, sizeof(*a));
	if (strchr(text, ':')) {
		a->family = AF_INET6;
		in6_pton(text, -1, a->v6.s6_addr, -1, NULL);
	} else {
		a->family = AF_INET;
		in4_pton(text, -1, (u8 *)&a->v4, -1, NULL);
	}
}

static int st_add(struct kipsec_spd *spd, u8 dir, const char *src, u8 splen,
		  const char *dst, u8 dplen, u8 proto, u16 dport, u32 prio)
{
	struct kipsec_policy *pol = kzalloc(sizeof(*pol), GFP_KERNEL);
	int err;

	if (!pol)
		return -ENOMEM;
	pol->dir = dir;
	pol->priority = prio;
	pol->action = IPSEC_POLICY_NONE;
	st_addr(&pol->sel.src, src);
	st_addr(&pol->sel.dst, dst);
	kipsec_sel_mask(&pol->sel.src, splen);
	kipsec_sel_mask(&pol->sel.dst, dplen);
	pol->sel.splen = splen;
	pol->sel.dplen = dplen;
	pol->sel.proto = proto;
	pol->sel.dport = htons(dport);
	err = kipsec_spd_insert_new(spd, pol);
	if (err)
		kfree(pol);
	return err;
}

/* The id of the policy a flow gets (0 for none), KIPSEC_DIR_OUT. */
static u32 st_lookup(struct kipsec_spd *spd, const char *src,
		     const char *dst, u8 proto, u16 dport)
{
	struct kipsec_policy *pol;
	struct kipsec_flow fl = { };
	u32 id;

	st_addr(&fl.src, src);
	st_addr(&fl.dst, dst);
	fl.proto = proto;
	fl.sport = htons(1024);
	fl.dport = htons(dport);
	spin_lock_bh(&spd->lock);
	pol = __kipsec_spd_lookup(spd, KIPSEC_DIR_OUT, &fl);
	id = pol ? pol->id : 0;
	spin_unlock_bh(&spd->lock);
	return id;
}

/* Ids are allocated in steps of 8 with the direction below: n-th policy. */
#define ST_ID(n)	((n) * 8 | KIPSEC_DIR_OUT)

static int st_order(struct kipsec_spd *spd)
{
	int err = 0;

	err |= st_add(spd, KIPSEC_DIR_OUT, "10.0.0.0", 8, "10.1.0.0", 16, 0, 0, 100);
	err |= st_add(spd, KIPSEC_DIR_OUT, "10.0.0.1", 32, "10.1.2.3", 32,
		      IPPROTO_TCP, 80, 100);
	err |= st_add(spd, KIPSEC_DIR_OUT, "10.0.0.1", 32, "10.1.2.4", 32,
		      IPPROTO_TCP, 80, 50);
	err |= st_add(spd, KIPSEC_DIR_IN, "10.0.0.0", 8, "10.2.0.0", 16, 0, 0, 0);
	err |= st_add(spd, KIPSEC_DIR_OUT, "fd00::", 16, "fd01::", 16, 0, 0, 0);
	if (err)
		return -EINVAL;
	/* Same priority: the earlier, broader policy wins. */
	if (st_lookup(spd, "10.0.0.1", "10.1.2.3", IPPROTO_TCP, 80) != ST_ID(1))
		return -EINVAL;
	/* Lower priority value wins over insertion order. */
	if (st_lookup(spd, "10.0.0.1", "10.1.2.4", IPPROTO_TCP, 80) != ST_ID(3))
		return -EINVAL;
	if (st_lookup(spd, "10.0.0.1", "10.1.2.4", IPPROTO_TCP, 81) != ST_ID(1))
		return -EINVAL;
	/* Other direction, no match, other family. */
	if (st_lookup(spd, "10.0.0.1", "10.2.0.1", IPPROTO_UDP, 53))
		return -EINVAL;
	if (st_lookup(spd, "11.0.0.1", "10.1.0.1", IPPROTO_UDP, 53))
		return -EINVAL;
	if (st_lookup(spd, "fd00::5", "fd01::7", IPPROTO_UDP, 53) != ST_ID(5))
		return -EINVAL;
	return 0;
}

/* Mean time of one lookup (lock included) over 1000 prepared flows. */
static u64 st_time(struct kipsec_spd *spd, const char *dst_fmt, u32 n)
{
	struct kipsec_flow *fl = kcalloc(1000, sizeof(*fl), GFP_KERNEL);
	char dst[40];
	u64 t0, t;
	u32 i;

	if (!fl)
		return 0;
	for (i = 0; i < 1000; i++) {
		snprintf(dst, sizeof(dst), dst_fmt, (i * 7919) % n);
		st_addr(&fl[i].src, "10.0.0.1");
		st_addr(&fl[i].dst, dst);
		fl[i].proto = IPPROTO_TCP;
		fl[i].dport = htons(1 + (i * 7919) % n);
	}
	t0 = ktime_get_ns();
	for (i = 0; i < 1000; i++) {
		spin_lock_bh(&spd->lock);
		__kipsec_spd_lookup(spd, KIPSEC_DIR_OUT, &fl[i]);
		spin_unlock_bh(&spd->lock);
	}
	t = (ktime_get_ns() - t0) / 1000;
	kfree(fl);
	return t;
}

/* 10k port-only policies and a catch-all added last. */
static int st_ports(struct kipsec_spd *spd, u64 *ns)
{
	u32 i;

	for (i = 1; i <= ST_MANY; i++)
		if (st_add(spd, KIPSEC_DIR_OUT, "10.0.0.1", 32, "10.9.0.1", 32,
			   IPPROTO_TCP, i, 1000))
			return -ENOMEM;
	if (st_add(spd, KIPSEC_DIR_OUT, "0.0.0.0", 0, "0.0.0.0", 0, 0, 0, 1000))
		return -ENOMEM;
	if (st_lookup(spd, "10.0.0.1", "10.9.0.1", IPPROTO_TCP, 5000) !=
	    ST_ID(5 + 5000))
		return -EINVAL;
	if (st_lookup(spd, "10.0.0.1", "10.9.0.1", IPPROTO_TCP, 20000) !=
	    ST_ID(6 + ST_MANY))
		return -EINVAL;
	*ns = st_time(spd, "10.9.0.1", ST_MANY);
	return 0;
}

/* 10k host policies spread over 8 prefix lengths of the destination. */
static int st_prefixes(struct kipsec_spd *spd, u64 *ns)
{
	char dst[40];
	u32 i;
	int err;

	for (i = 0; i < ST_MANY; i++) {
		snprintf(dst, sizeof(dst), "172.%u.%u.0", 16 + i / 256, i % 256);
		err = st_add(spd, KIPSEC_DIR_OUT, "10.0.0.1", 32, dst,
			     24 - (i % 8), 0, 0, 2000);
		/* Masking makes some of them the same selector. */
		if (err && err != -EEXIST)
			return err;
	}
	*ns = st_time(spd, "172.20.%u.9", 256);
	return 0;
}

/* xorshift32: the same "random" policies and flows on every run. */
static u32 st_rand(u32 *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* An address in a small space, so that policies overlap often. */
static void st_rand_addr(struct kipsec_addr *a, u32 *s, bool v6, u8 net)
{
	u32 host = st_rand(s) % 4 << 8 | st_rand(s) % 16;

	memset(a, 0, sizeof(*a));
	if (v6) {
		a->family = AF_INET6;
		a->v6.s6_addr[0] = 0xfd;
		a->v6.s6_addr[1] = net;
		a->v6.s6_addr32[3] = htonl(host);
	} else {
		a->family = AF_INET;
		a->v4 = htonl(10 << 24 | net << 16 | host);
	}
}

static const u8 st_protos[] = { 0, IPPROTO_TCP, IPPROTO_UDP };

/* A policy the random test added, as the test remembers it. */
struct st_pol {
	struct kipsec_sel sel;
	u64 seq;
	u32 prio;
	u8 dir;
	bool live;
};

static int st_rand_add(struct kipsec_spd *spd, struct st_pol *p, u32 *s)
{
	bool v6 = st_rand(s) % 4 == 0;
	unsigned int max = v6 ? 128 : 32;
	struct kipsec_policy *pol = kzalloc(sizeof(*pol), GFP_KERNEL);
	int err;

	if (!pol)
		return -ENOMEM;
	pol->dir = st_rand(s) % KIPSEC_DIR_MAX;
	pol->priority = st_rand(s) % 3 * 100;
	pol->action = IPSEC_POLICY_NONE;
	st_rand_addr(&pol->sel.src, s, v6, 1);
	st_rand_addr(&pol->sel.dst, s, v6, 2);
	/* Mostly long prefixes, where the small space has distinct ones. */
	pol->sel.dplen = st_rand(s) % 2 ? max - st_rand(s) % 13 :
					  st_rand(s) % (max + 1);
	pol->sel.splen = st_rand(s) % 2 ? max - st_rand(s) % 5 : 0;
	kipsec_sel_mask(&pol->sel.src, pol->sel.splen);
	kipsec_sel_mask(&pol->sel.dst, pol->sel.dplen);
	pol->sel.proto = st_protos[st_rand(s) % 3];
	if (st_rand(s) % 2)
		pol->sel.sport = htons(1 + st_rand(s) % 3);
	if (st_rand(s) % 2)
		pol->sel.dport = htons(1 + st_rand(s) % 3);
	p->sel = pol->sel;
	p->dir = pol->dir;
	p->prio = pol->priority;
	err = kipsec_spd_insert_new(spd, pol);
	if (err) {
		kfree(pol);
		return err == -EEXIST ? 0 : err;
	}
	p->seq = pol->seq;
	p->live = true;
	return 0;
}

static bool st_addr_in(const struct kipsec_addr *a, const struct kipsec_addr *pfx,
		       unsigned int plen)
{
	struct kipsec_addr m;

	memcpy(&m, a, sizeof(m));
	kipsec_sel_mask(&m, plen);
	return !memcmp(&m, pfx, sizeof(m));
}

static bool st_matches(const struct st_pol *p, u8 dir,
		       const struct kipsec_flow *fl)
{
	const struct kipsec_sel *sel = &p->sel;

	return p->live && p->dir == dir &&
	       sel->dst.family == fl->dst.family &&
	       st_addr_in(&fl->src, &sel->src, sel->splen) &&
	       st_addr_in(&fl->dst, &sel->dst, sel->dplen) &&
	       (!sel->proto || sel->proto == fl->proto) &&
	       (!sel->sport || sel->sport == fl->sport) &&
	       (!sel->dport || sel->dport == fl->dport);
}

/* What a first-match walk of the policies in SPD order would find. */
static u64 st_walk(const struct st_pol *p, unsigned int n, u8 dir,
		   const struct kipsec_flow *fl)
{
	const struct st_pol *best = NULL;
	unsigned int i;

	for (i = 0; i < n; i++)
		if (st_matches(&p[i], dir, fl) &&
		    (!best || p[i].prio < best->prio ||
		     (p[i].prio == best->prio && p[i].seq < best->seq)))
			best = &p[i];
	return best ? best->seq : 0;
}

/* Random flows: the lookup must find what the walk finds. */
static int st_rand_check(struct kipsec_spd *spd, const struct st_pol *p,
			 unsigned int n, u32 *s)
{
	struct kipsec_policy *pol;
	struct kipsec_flow fl;
	unsigned int i;
	u64 got;
	u8 dir;

	for (i = 0; i < 3000; i++) {
		bool v6 = st_rand(s) % 4 == 0;

		memset(&fl, 0, sizeof(fl));
		st_rand_addr(&fl.src, s, v6, 1);
		st_rand_addr(&fl.dst, s, v6, 2);
		fl.proto = st_rand(s) % 2 ? IPPROTO_TCP : IPPROTO_UDP;
		fl.sport = htons(1 + st_rand(s) % 3);
		fl.dport = htons(1 + st_rand(s) % 3);
		dir = st_rand(s) % KIPSEC_DIR_MAX;
		spin_lock_bh(&spd->lock);
		pol = __kipsec_spd_lookup(spd, dir, &fl);
		got = pol ? pol->seq : 0;
		spin_unlock_bh(&spd->lock);
		if (got != st_walk(p, n, dir, &fl))
			return -EINVAL;
	}
	return 0;
}

#define ST_RANDOM 1500

/*
 * Random policies of every shape, in both families and all directions,
 * against a first-match walk; then half of them removed, then all: the
 * lookup's structures must be empty again.
 */
static int st_random_on(struct kipsec_spd *spd, struct st_pol *p)
{
	unsigned int i, d;
	u32 s = 2463534242u;
	int err = 0;

	for (i = 0; i < ST_RANDOM && !err; i++)
		err = st_rand_add(spd, &p[i], &s);
	if (!err)
		err = st_rand_check(spd, p, ST_RANDOM, &s);
	for (i = 0; i < ST_RANDOM && !err; i++) {
		if (p[i].live && st_rand(&s) % 2) {
			err = kipsec_spd_remove(spd, p[i].dir, &p[i].sel);
			p[i].live = false;
		}
	}
	if (!err)
		err = st_rand_check(spd, p, ST_RANDOM, &s);
	for (i = 0; i < ST_RANDOM && !err; i++) {
		if (p[i].live)
			err = kipsec_spd_remove(spd, p[i].dir, &p[i].sel);
	}
	for (d = 0; d < KIPSEC_DIR_MAX && !err; d++)
		if (spd->levels[d] ||
		    memchr_inv(spd->grp[d], 0, sizeof(spd->grp[d])))
			err = -EUCLEAN;
	return err;
}

/* The random test, on an SPD of its own. */
static int st_random(void)
{
	struct st_pol *p = kvcalloc(ST_RANDOM, sizeof(*p), GFP_KERNEL);
	struct kipsec_spd *spd = kzalloc(sizeof(*spd), GFP_KERNEL);
	int err = -ENOMEM;

	if (p && spd)
		err = kipsec_spd_init(spd);
	if (!err) {
		err = st_random_on(spd, p);
		kipsec_spd_exit(spd);
	}
	kfree(spd);
	kvfree(p);
	return err;
}

int kipsec_spd_selftest(void)
{
	struct kipsec_spd *spd = kzalloc(sizeof(*spd), GFP_KERNEL);
	u64 ns_ports = 0, ns_prefix = 0;
	int err;

	if (!spd)
		return -ENOMEM;
	err = kipsec_spd_init(spd);
	if (err)
		goto out;
	err = st_random();
	if (!err)
		err = st_order(spd);
	if (!err)
		err = st_ports(spd, &ns_ports);
	if (!err)
		err = st_prefixes(spd, &ns_prefix);
	if (err)
		pr_err("kipsec: selftest: SPD lookup FAILED (%d)\n", err);
	else
		pr_info("kipsec: selftest: SPD lookup ok; %llu ns per lookup among 10k port policies, %llu ns among 10k prefix policies\n",
			ns_ports, ns_prefix);
	kipsec_spd_exit(spd);
out:
	kfree(spd);
	return err;
}

static struct kipsec_sa *st_sa(struct kipsec_sad *sad, u32 spi, u8 state)
{
	struct kipsec_sa *sa = kipsec_sa_alloc();

	if (!sa)
		return NULL;
	sa->satype = SADB_SATYPE_ESP;
	sa->spi = htonl(spi);
	sa->state = state;
	st_addr(&sa->src, "10.0.0.1");
	st_addr(&sa->dst, "10.0.0.2");
	if (kipsec_sad_insert_new(sad, sa)) {
		kipsec_sa_free(sa);
		return NULL;
	}
	return sa;
}

static int st_select(struct kipsec_net *kn)
{
	struct kipsec_sad *sad = &kn->sad;
	struct kipsec_sa *old, *mid, *dying, *got;
	struct kipsec_addr src, dst;
	int err = 0;

	old = st_sa(sad, 0x100, SADB_SASTATE_MATURE);
	mid = st_sa(sad, 0x200, SADB_SASTATE_MATURE);
	dying = st_sa(sad, 0x300, SADB_SASTATE_DYING);
	if (!old || !mid || !dying || st_sa(sad, 0x100, SADB_SASTATE_MATURE))
		return -EINVAL;
	st_addr(&src, "10.0.0.1");
	st_addr(&dst, "10.0.0.2");

	spin_lock_bh(&sad->lock);
	if (kipsec_sad_lookup(sad, htonl(0x200), &dst, SADB_SATYPE_ESP) != mid ||
	    kipsec_sad_lookup(sad, htonl(0x200), &dst, SADB_SATYPE_AH) ||
	    kipsec_sad_lookup(sad, htonl(0x200), &src, SADB_SATYPE_ESP))
		err = -EINVAL;
	/* Newest mature first; a newer dying SA does not win. */
	got = kipsec_sad_select(kn, SADB_SATYPE_ESP, IPSEC_MODE_ANY, &src,
				&dst, 0);
	if (got != mid)
		err = -EINVAL;
	kn->preferred_oldsa = 1;
	got = kipsec_sad_select(kn, SADB_SATYPE_ESP, IPSEC_MODE_ANY, &src,
				&dst, 0);
	if (got != old)
		err = -EINVAL;
	/* Dying SAs serve when nothing mature is left. */
	old->state = SADB_SASTATE_DYING;
	mid->state = SADB_SASTATE_DYING;
	kn->preferred_oldsa = 0;
	got = kipsec_sad_select(kn, SADB_SATYPE_ESP, IPSEC_MODE_ANY, &src,
				&dst, 0);
	if (got != dying)
		err = -EINVAL;
	if (kipsec_sad_select(kn, SADB_SATYPE_ESP, IPSEC_MODE_ANY, &src, &dst,
			      7))
		err = -EINVAL;
	/* A request's mode picks among them (KAME's CMP_MODE_REQID). */
	old->mode = IPSEC_MODE_TUNNEL;
	mid->mode = IPSEC_MODE_TRANSPORT;
	dying->mode = IPSEC_MODE_TRANSPORT;
	if (kipsec_sad_select(kn, SADB_SATYPE_ESP, IPSEC_MODE_TUNNEL, &src,
			      &dst, 0) != old ||
	    kipsec_sad_select(kn, SADB_SATYPE_ESP, IPSEC_MODE_TRANSPORT, &src,
			      &dst, 0) != dying)
		err = -EINVAL;
	spin_unlock_bh(&sad->lock);
	return err;
}

int kipsec_sad_selftest(void)
{
	struct kipsec_net *kn = kzalloc(sizeof(*kn), GFP_KERNEL);
	int err;

	if (!kn)
		return -ENOMEM;
	kn->net = &init_net;
	err = kipsec_sad_init(kn);
	if (err)
		goto out;
	err = st_select(kn);
	if (err)
		pr_err("kipsec: selftest: SA selection FAILED (%d)\n", err);
	else
		pr_info("kipsec: selftest: SA selection ok\n");
	kipsec_sad_exit(kn);
out:
	kfree(kn);
	return err;
}

static int st_ksend(struct socket *sock, struct sk_buff *skb)
{
	struct kvec iov = { .iov_base = skb->data, .iov_len = skb->len };
	struct msghdr msg = { };
	int n;

	kipsec_msg_finish(skb);
	n = kernel_sendmsg(sock, &msg, &iov, 1, skb->len);
	kfree_skb(skb);
	return n < 0 ? n : 0;
}

/* The next queued message of @type (replies are queued synchronously). */
static int st_krecv(struct socket *sock, void *buf, size_t len, u8 type)
{
	unsigned int i;

	for (i = 0; i < 16; i++) {
		struct kvec iov = { .iov_base = buf, .iov_len = len };
		struct msghdr msg = { };
		int n = kernel_recvmsg(sock, &msg, &iov, 1, len, MSG_DONTWAIT);

		if (n < (int)sizeof(struct sadb_msg))
			return -EAGAIN;
		if (((struct sadb_msg *)buf)->sadb_msg_type == type)
			return n;
	}
	return -EAGAIN;
}

static void *st_find(void *buf, int len, u16 type)
{
	int off = sizeof(struct sadb_msg);

	while (off + (int)sizeof(struct sadb_ext) <= len) {
		struct sadb_ext *e = buf + off;

		if (!e->sadb_ext_len)
			break;
		if (e->sadb_ext_type == type)
			return e;
		off += e->sadb_ext_len * 8;
	}
	return NULL;
}

static int st_request(struct socket *sock, u8 type, u32 seq,
		      const struct kipsec_addr *src,
		      const struct kipsec_addr *dst, u32 spi)
{
	struct sk_buff *skb = kipsec_msg_new(512, GFP_KERNEL);
	struct sadb_spirange *r;

	if (!skb)
		return -ENOMEM;
	kipsec_put_hdr(skb, NULL, type, SADB_SATYPE_ESP)->sadb_msg_seq = seq;
	if (src) {
		kipsec_put_address(skb, SADB_EXT_ADDRESS_SRC, src, 0, 32, 0);
		kipsec_put_address(skb, SADB_EXT_ADDRESS_DST, dst, 0, 32, 0);
		r = kipsec_put_ext(skb, SADB_EXT_SPIRANGE, sizeof(*r));
		r->sadb_spirange_min = spi;
		r->sadb_spirange_max = spi;
	}
	return st_ksend(sock, skb);
}

/*
 * The GETSPI answering an ACQUIRE must give its SPI to the larval
 * placeholder the ACQUIRE left (same seq), not add a second SA.
 */
static bool st_getspi_took_placeholder(u32 seq, const struct kipsec_addr *dst)
{
	struct kipsec_sad *sad = &kipsec_pernet(&init_net)->sad;
	struct kipsec_sa *sa;
	bool ok;

	spin_lock_bh(&sad->lock);
	sa = kipsec_sad_lookup(sad, htonl(0x5000), dst, SADB_SATYPE_ESP);
	ok = sa && sa->seq == seq && sad->count == 1;
	spin_unlock_bh(&sad->lock);
	return ok;
}

/* ACQUIRE, then the GETSPI of a key manager that answers it. */
static int st_acquire_flow(struct socket *sock, void *buf, size_t len,
			   struct kipsec_policy *pol)
{
	struct kipsec_addr src, dst;
	struct sadb_x_policy *xp;
	struct sadb_x_sa2 *sa2;
	struct sadb_sa *sa;
	u32 seq;
	int n;

	st_addr(&src, "10.0.0.1");
	st_addr(&dst, "10.0.0.2");
	if (st_request(sock, SADB_REGISTER, 1, NULL, NULL, 0) ||
	    st_krecv(sock, buf, len, SADB_REGISTER) < 0)
		return -EINVAL;
	if (kipsec_km_acquire(&init_net, SADB_SATYPE_ESP, &src, &dst, pol,
			      IPSEC_MODE_TUNNEL, 0) ||
	    kipsec_km_acquire(&init_net, SADB_SATYPE_ESP, &src, &dst, pol,
			      IPSEC_MODE_TUNNEL, 0) != -EEXIST)
		return -EINVAL;
	n = st_krecv(sock, buf, len, SADB_ACQUIRE);
	if (n < 0 || !st_find(buf, n, SADB_EXT_PROPOSAL))
		return -EINVAL;
	xp = st_find(buf, n, SADB_X_EXT_POLICY);
	seq = ((struct sadb_msg *)buf)->sadb_msg_seq;
	if (!xp || xp->sadb_x_policy_id != pol->id || !seq)
		return -EINVAL;

	if (st_request(sock, SADB_GETSPI, seq, &src, &dst, 0x5000))
		return -EINVAL;
	n = st_krecv(sock, buf, len, SADB_GETSPI);
	sa = n > 0 ? st_find(buf, n, SADB_EXT_SA) : NULL;
	sa2 = n > 0 ? st_find(buf, n, SADB_X_EXT_SA2) : NULL;
	if (!sa || !sa2 || sa->sadb_sa_spi != htonl(0x5000) ||
	    sa2->sadb_x_sa2_mode != IPSEC_MODE_TUNNEL)
		return -EINVAL;
	if (!st_getspi_took_placeholder(seq, &dst))
		return -EINVAL;
	if (st_request(sock, SADB_FLUSH, 2, NULL, NULL, 0))
		return -EINVAL;
	return 0;
}

int kipsec_km_selftest(void)
{
	struct kipsec_policy *pol = kzalloc(sizeof(*pol), GFP_KERNEL);
	void *buf = kmalloc(16384, GFP_KERNEL);
	struct socket *sock = NULL;
	int err = -ENOMEM;

	if (!pol || !buf)
		goto out;
	pol->dir = KIPSEC_DIR_OUT;
	pol->id = 0x1230 | KIPSEC_DIR_OUT;
	err = sock_create_kern(&init_net, PF_KEY, SOCK_RAW, PF_KEY_V2, &sock);
	if (err)
		goto out;
	err = st_acquire_flow(sock, buf, 16384, pol);
	sock_release(sock);
	if (err)
		pr_err("kipsec: selftest: ACQUIRE FAILED (%d)\n", err);
	else
		pr_info("kipsec: selftest: ACQUIRE ok\n");
out:
	kfree(buf);
	kfree(pol);
	return err;
}
