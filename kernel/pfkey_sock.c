// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The PF_KEY v2 socket family (RFC 2367). Family 15 is global: only one of
 * kipsec and Linux's af_key can hold it at a time.
 */
#include <linux/module.h>
#include <linux/net.h>
#include <linux/skbuff.h>
#include <linux/pfkeyv2.h>
#include <net/sock.h>
#include "kipsec.h"

static struct proto kipsec_pfkey_proto = {
	.name = "KIPSEC_PFKEY",
	.owner = THIS_MODULE,
	.obj_size = sizeof(struct sock),
};

static int kipsec_pfkey_release(struct socket *sock)
{
	struct sock *sk = sock->sk;

	if (!sk)
		return 0;
	atomic_dec(&kipsec_pernet(sock_net(sk))->nr_sockets);
	sock_orphan(sk);
	sock->sk = NULL;
	skb_queue_purge(&sk->sk_receive_queue);
	sock_put(sk);
	return 0;
}

static int kipsec_pfkey_sendmsg(struct socket *sock, struct msghdr *msg,
				size_t len)
{
	return -EOPNOTSUPP;
}

static int kipsec_pfkey_recvmsg(struct socket *sock, struct msghdr *msg,
				size_t len, int flags)
{
	struct sock *sk = sock->sk;
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
	return err ? err : copied;
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
	atomic_inc(&kipsec_pernet(net)->nr_sockets);
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
