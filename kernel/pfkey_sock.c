// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The PF_KEY v2 socket family (RFC 2367). Family 15 is global: only one of
 * kipsec and Linux's af_key can hold it at a time.
 *
 * sendmsg() validates a message once (pfkey_msg.c) and dispatches it; the
 * replies and broadcasts go onto receive queues without ever blocking: a
 * socket whose buffer is full loses the message (and its sk_drops counts
 * it). Dumps are the exception: they are produced as the reader drains its
 * queue, so a slow reader gets all of them.
 */
#include <linux/module.h>
#include <linux/net.h>
#include <linux/mutex.h>
#include <linux/skbuff.h>
#include <linux/pfkeyv2.h>
#include <net/sock.h>
#include "pfkey.h"

struct kipsec_sock {
	struct sock sk;			/* first: sk_alloc() allocates us */
	struct hlist_node node;		/* in kipsec_net.sockets */
	/*
	 * Read locklessly by broadcasts from any context: registered is
	 * changed with atomic bit operations, promisc and dumping with
	 * WRITE_ONCE() (dumping under dump_lock).
	 */
	unsigned long registered;	/* bit per SA type (REGISTER) */
	bool promisc;			/* X_PROMISC: copies of everything */
	struct mutex dump_lock;		/* dump, dumping */
	bool dumping;
	struct kipsec_dump dump;
};

static struct kipsec_sock *kipsec_sk(struct sock *sk)
{
	return container_of(sk, struct kipsec_sock, sk);
}

static struct proto kipsec_pfkey_proto = {
	.name = "KIPSEC_PFKEY",
	.owner = THIS_MODULE,
	.obj_size = sizeof(struct kipsec_sock),
};

/* Queue a copy of @skb on @sk unless its receive buffer is full. */
static int kipsec_deliver(struct sk_buff *skb, gfp_t gfp, struct sock *sk)
{
	struct sk_buff *copy;

	if (atomic_read(&sk->sk_rmem_alloc) > READ_ONCE(sk->sk_rcvbuf)) {
		atomic_inc(&sk->sk_drops);
		return -ENOBUFS;
	}
	copy = skb_clone(skb, gfp);
	if (!copy) {
		atomic_inc(&sk->sk_drops);
		return -ENOBUFS;
	}
	skb_set_owner_r(copy, sk);
	skb_queue_tail(&sk->sk_receive_queue, copy);
	sk->sk_data_ready(sk);
	return 0;
}

static bool kipsec_wants(struct kipsec_sock *ks, enum kipsec_bcast how,
			 u8 satype)
{
	unsigned long reg;

	switch (how) {
	case KIPSEC_BC_ALL:
		return true;
	case KIPSEC_BC_REGISTERED:
		reg = READ_ONCE(ks->registered);
		if (satype == SADB_SATYPE_UNSPEC)
			return reg;
		return reg & BIT(satype);
	default:
		return false;
	}
}

/*
 * Deliver @skb (consumed) as @how says. Promiscuous sockets get one copy of
 * everything (af_key sends them two of some); @one, the requester, gets its
 * copy last and that result is returned, as af_key does.
 */
int kipsec_broadcast(struct sk_buff *skb, gfp_t gfp, enum kipsec_bcast how,
		     struct sock *one, struct net *net, u8 satype)
{
	struct kipsec_net *kn = kipsec_pernet(net);
	struct kipsec_sock *ks;
	int err = 0;

	spin_lock_bh(&kn->sock_lock);
	hlist_for_each_entry(ks, &kn->sockets, node) {
		if (&ks->sk == one)
			continue;
		if (READ_ONCE(ks->promisc) || kipsec_wants(ks, how, satype))
			kipsec_deliver(skb, GFP_ATOMIC, &ks->sk);
	}
	spin_unlock_bh(&kn->sock_lock);
	if (one)
		err = kipsec_deliver(skb, gfp, one);
	kfree_skb(skb);
	return err;
}

/*
 * The request's header echoed with sadb_msg_errno set. Returns 0 when the
 * reply reached the sender's queue, else why not.
 */
static int kipsec_reply_error(struct sock *sk, const struct sadb_msg *req,
			      int err)
{
	struct sk_buff *skb = kipsec_msg_new(sizeof(*req), GFP_KERNEL);
	struct sadb_msg *hdr;

	if (!skb)
		return -ENOBUFS;
	hdr = skb_put_data(skb, req, sizeof(*req));
	hdr->sadb_msg_errno = -err;
	hdr->sadb_msg_len = sizeof(*hdr) / 8;
	return kipsec_broadcast(skb, GFP_KERNEL, KIPSEC_BC_ONE, sk,
				sock_net(sk), 0);
}

/* A reply made of the request's header only, to @how. */
static int kipsec_reply_hdr(struct sock *sk, const struct sadb_msg *req,
			    enum kipsec_bcast how)
{
	struct sk_buff *skb = kipsec_msg_new(sizeof(*req), GFP_KERNEL);

	if (!skb)
		return -ENOBUFS;
	kipsec_put_hdr(skb, req, req->sadb_msg_type, req->sadb_msg_satype);
	kipsec_msg_finish(skb);
	kipsec_broadcast(skb, GFP_KERNEL, how, sk, sock_net(sk),
			 req->sadb_msg_satype);
	return 0;
}

/* ---- dumps ---------------------------------------------------------- */

bool kipsec_dump_room(struct sock *sk)
{
	return atomic_read(&sk->sk_rmem_alloc) < READ_ONCE(sk->sk_rcvbuf);
}

/* Dump messages bypass the buffer check: they were paced by dump_room. */
static void kipsec_dump_send(struct sock *sk, struct sk_buff *skb)
{
	skb_set_owner_r(skb, sk);
	skb_queue_tail(&sk->sk_receive_queue, skb);
	sk->sk_data_ready(sk);
}

/* Hold each message back until the next exists, so the last gets seq 0. */
void kipsec_dump_emit(struct sock *sk, struct kipsec_dump *d,
		      struct sk_buff *skb)
{
	struct sk_buff *prev = d->pending;

	d->pending = skb;
	if (!prev)
		return;
	((struct sadb_msg *)prev->data)->sadb_msg_seq = ++d->sent;
	kipsec_dump_send(sk, prev);
}

/* Send the held-back last message; the error the dump ended with, if any. */
static int kipsec_dump_end(struct kipsec_sock *ks, int err)
{
	struct kipsec_dump *d = &ks->dump;

	if (d->pending && !err) {
		((struct sadb_msg *)d->pending->data)->sadb_msg_seq = 0;
		kipsec_dump_send(&ks->sk, d->pending);
		d->sent++;
	} else {
		kfree_skb(d->pending);
	}
	d->pending = NULL;
	WRITE_ONCE(ks->dumping, false);
	if (!err && !d->sent)
		err = -ENOENT;
	return err;
}

/* Produce more of the dump; 0 or the error it ended with. */
static int kipsec_dump_continue(struct kipsec_sock *ks)
{
	int ret;

	lockdep_assert_held(&ks->dump_lock);
	if (!ks->dumping)
		return 0;
	ret = ks->dump.step(&ks->sk, &ks->dump);
	return ret > 0 ? 0 : kipsec_dump_end(ks, ret);
}

/* More of a dump, from recvmsg(); a dump cut short says so to its reader. */
static void kipsec_dump_resume(struct kipsec_sock *ks)
{
	int err;

	mutex_lock(&ks->dump_lock);
	err = kipsec_dump_continue(ks);
	if (err)
		kipsec_reply_error(&ks->sk, &ks->dump.req, err);
	mutex_unlock(&ks->dump_lock);
}

/*
 * An error in the first step (an empty table: ENOENT) is the request's
 * error, replied to and returned by sendmsg() as af_key does.
 */
static int kipsec_dump_start(struct sock *sk, const struct kipsec_msg *m,
			     int (*step)(struct sock *, struct kipsec_dump *))
{
	struct kipsec_sock *ks = kipsec_sk(sk);
	int err = -EBUSY;

	mutex_lock(&ks->dump_lock);
	if (!ks->dumping) {
		memset(&ks->dump, 0, sizeof(ks->dump));
		ks->dump.step = step;
		ks->dump.req = *m->hdr;
		WRITE_ONCE(ks->dumping, true);
		err = kipsec_dump_continue(ks);
	}
	mutex_unlock(&ks->dump_lock);
	return err;
}

/* ---- socket-level messages ------------------------------------------ */

/*
 * Two REGISTERs for different SA types may run at once on one socket (two
 * threads): the bit operations keep both. A reply that cannot be made
 * undoes the registration, as af_key does.
 */
static int kipsec_register(struct sock *sk, const struct kipsec_msg *m)
{
	struct kipsec_sock *ks = kipsec_sk(sk);
	u8 satype = m->hdr->sadb_msg_satype;
	int err;

	if (satype != SADB_SATYPE_UNSPEC &&
	    test_and_set_bit(satype, &ks->registered))
		return -EEXIST;
	err = kipsec_sad_register_reply(sk, m);
	if (err && satype != SADB_SATYPE_UNSPEC)
		clear_bit(satype, &ks->registered);
	return err;
}

static int kipsec_promisc(struct sock *sk, const struct kipsec_msg *m)
{
	WRITE_ONCE(kipsec_sk(sk)->promisc, m->hdr->sadb_msg_satype);
	return kipsec_reply_hdr(sk, m->hdr, KIPSEC_BC_ALL);
}

static int kipsec_sad_dump(struct sock *sk, const struct kipsec_msg *m)
{
	return kipsec_dump_start(sk, m, kipsec_sad_dump_step);
}

static int kipsec_spd_dump(struct sock *sk, const struct kipsec_msg *m)
{
	return kipsec_dump_start(sk, m, kipsec_spd_dump_step);
}

/* A key manager's ACQUIRE (a negotiation failure) needs no answer. */
static int kipsec_acquire(struct sock *sk, const struct kipsec_msg *m)
{
	return 0;
}

typedef int (*kipsec_handler_t)(struct sock *sk, const struct kipsec_msg *m);

static const kipsec_handler_t kipsec_handlers[SADB_MAX + 1] = {
	[SADB_GETSPI] = kipsec_sad_getspi,
	[SADB_UPDATE] = kipsec_sad_add,
	[SADB_ADD] = kipsec_sad_add,
	[SADB_DELETE] = kipsec_sad_delete,
	[SADB_GET] = kipsec_sad_get,
	[SADB_ACQUIRE] = kipsec_acquire,
	[SADB_REGISTER] = kipsec_register,
	[SADB_FLUSH] = kipsec_sad_flush,
	[SADB_DUMP] = kipsec_sad_dump,
	[SADB_X_PROMISC] = kipsec_promisc,
	[SADB_X_SPDUPDATE] = kipsec_spd_add,
	[SADB_X_SPDADD] = kipsec_spd_add,
	[SADB_X_SPDSETIDX] = kipsec_spd_add,
	[SADB_X_SPDDELETE] = kipsec_spd_delete,
	[SADB_X_SPDGET] = kipsec_spd_get,
	[SADB_X_SPDDELETE2] = kipsec_spd_get,
	[SADB_X_SPDDUMP] = kipsec_spd_dump,
	[SADB_X_SPDFLUSH] = kipsec_spd_flush,
};

static int kipsec_process(struct sock *sk, const void *buf, size_t len)
{
	struct kipsec_msg m;
	int err;

	err = kipsec_msg_parse(buf, len, &m);
	if (!err) {
		kipsec_handler_t fn = kipsec_handlers[m.hdr->sadb_msg_type];

		err = fn ? fn(sk, &m) : -EOPNOTSUPP;
	}
	/*
	 * As af_key: an error the sender will read in the reply is not also
	 * an error of write(); only an undeliverable reply makes it one.
	 */
	if (err && !kipsec_reply_error(sk, buf, err))
		err = 0;
	return err;
}

/* ---- socket operations ---------------------------------------------- */

static int kipsec_pfkey_sendmsg(struct socket *sock, struct msghdr *msg,
				size_t len)
{
	struct sock *sk = sock->sk;
	struct sk_buff *skb;
	int err;

	if (msg->msg_flags & MSG_OOB)
		return -EOPNOTSUPP;
	if (len > KIPSEC_MSG_MAX || len > READ_ONCE(sk->sk_sndbuf) - 32)
		return -EMSGSIZE;

	/* An skb keeps the copy 8-byte aligned, as the parser expects. */
	skb = alloc_skb(len, GFP_KERNEL);
	if (!skb)
		return -ENOBUFS;
	err = memcpy_from_msg(skb_put(skb, len), msg, len);
	if (!err)
		err = kipsec_msg_check_header(skb->data, len);
	if (!err)
		err = kipsec_process(sk, skb->data, len);
	kfree_skb(skb);
	return err ? err : len;
}

static int kipsec_pfkey_recvmsg(struct socket *sock, struct msghdr *msg,
				size_t len, int flags)
{
	struct sock *sk = sock->sk;
	struct kipsec_sock *ks = kipsec_sk(sk);
	struct sk_buff *skb;
	int copied, err;

	if (flags & ~(MSG_PEEK | MSG_DONTWAIT | MSG_TRUNC | MSG_CMSG_COMPAT))
		return -EOPNOTSUPP;

	skb = skb_recv_datagram(sk, flags, &err);
	if (!skb)
		return err;

	copied = min_t(size_t, skb->len, len);
	if (copied < skb->len)
		msg->msg_flags |= MSG_TRUNC;
	err = skb_copy_datagram_msg(skb, 0, msg, copied);
	if (!err && (flags & MSG_TRUNC))
		copied = skb->len;
	skb_free_datagram(sk, skb);

	/* The queue drained by a third: time for more of a dump. */
	if (READ_ONCE(ks->dumping) &&
	    3 * atomic_read(&sk->sk_rmem_alloc) <= READ_ONCE(sk->sk_rcvbuf))
		kipsec_dump_resume(ks);
	return err ? err : copied;
}

static int kipsec_pfkey_release(struct socket *sock)
{
	struct sock *sk = sock->sk;
	struct kipsec_net *kn;
	struct kipsec_sock *ks;

	if (!sk)
		return 0;
	ks = kipsec_sk(sk);
	kn = kipsec_pernet(sock_net(sk));
	spin_lock_bh(&kn->sock_lock);
	hlist_del(&ks->node);
	spin_unlock_bh(&kn->sock_lock);

	mutex_lock(&ks->dump_lock);
	kfree_skb(ks->dump.pending);
	ks->dump.pending = NULL;
	WRITE_ONCE(ks->dumping, false);
	mutex_unlock(&ks->dump_lock);

	atomic_dec(&kn->nr_sockets);
	sock_orphan(sk);
	sock->sk = NULL;
	skb_queue_purge(&sk->sk_receive_queue);
	sock_put(sk);
	return 0;
}

static const struct proto_ops kipsec_pfkey_ops = {
	.family = PF_KEY,
	.owner = THIS_MODULE,
	.release = kipsec_pfkey_release,
	.bind = sock_no_bind,
	.connect = sock_no_connect,
	.socketpair = sock_no_socketpair,
	.accept = sock_no_accept,
	.getname = sock_no_getname,
	.poll = datagram_poll,
	.ioctl = sock_no_ioctl,
	.listen = sock_no_listen,
	.shutdown = sock_no_shutdown,
	.sendmsg = kipsec_pfkey_sendmsg,
	.recvmsg = kipsec_pfkey_recvmsg,
	.mmap = sock_no_mmap,
};

static int kipsec_pfkey_create(struct net *net, struct socket *sock,
			       int protocol, int kern)
{
	struct kipsec_net *kn = kipsec_pernet(net);
	struct kipsec_sock *ks;
	struct sock *sk;

	/* Key material is the keys to the kingdom: as af_key, admin only. */
	if (!ns_capable(net->user_ns, CAP_NET_ADMIN))
		return -EPERM;
	if (sock->type != SOCK_RAW)
		return -ESOCKTNOSUPPORT;
	if (protocol != PF_KEY_V2)
		return -EPROTONOSUPPORT;

	sk = sk_alloc(net, PF_KEY, GFP_KERNEL, &kipsec_pfkey_proto, kern);
	if (!sk)
		return -ENOMEM;

	sock->ops = &kipsec_pfkey_ops;
	sock_init_data(sock, sk);
	sk->sk_family = PF_KEY;
	ks = kipsec_sk(sk);
	ks->registered = 0;
	ks->promisc = false;
	ks->dumping = false;
	memset(&ks->dump, 0, sizeof(ks->dump));
	mutex_init(&ks->dump_lock);

	spin_lock_bh(&kn->sock_lock);
	hlist_add_head(&ks->node, &kn->sockets);
	spin_unlock_bh(&kn->sock_lock);
	atomic_inc(&kn->nr_sockets);
	return 0;
}

static const struct net_proto_family kipsec_pfkey_family = {
	.family = PF_KEY,
	.create = kipsec_pfkey_create,
	.owner = THIS_MODULE,
};

int kipsec_pfkey_init(void)
{
	int err;

	err = proto_register(&kipsec_pfkey_proto, 0);
	if (err)
		return err;

	err = sock_register(&kipsec_pfkey_family);
	if (err) {
		if (err == -EEXIST)
			pr_err("kipsec: PF_KEY is already registered, most likely by Linux's af_key; run 'rmmod af_key' and load kipsec again\n");
		proto_unregister(&kipsec_pfkey_proto);
	}
	return err;
}

void kipsec_pfkey_exit(void)
{
	sock_unregister(PF_KEY);
	proto_unregister(&kipsec_pfkey_proto);
}
