// SPDX-License-Identifier: BSD-2-Clause
/*
 * libFuzzer target for ikdctl's request parser and verb table: whatever a
 * local client sends (it may be anyone the socket admits), split into
 * requests at newlines as the server does, each parsed and, when it
 * parses, run against an engine behind the fake kernel with one policy
 * and one configured peer, so that initiate, terminate, show and flush
 * all act. Every reply must start with a status line.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <linux/ipsec.h>

#include "../unit/fake_kernel.c"
#include "../../ikd/ctl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct ike_peer_cfg peer;
static struct ike_child_cfg child;

static void net_send(void *arg, const struct ikd_addr *l,
		     const struct ikd_addr *r, const uint8_t *b, size_t n)
{
	(void)arg, (void)l, (void)r, (void)b, (void)n;
}

static const struct ike_peer_cfg *eng_peer(void *arg, const struct ikd_addr *l,
					   const struct ikd_addr *r)
{
	(void)arg, (void)l, (void)r;
	return &peer;
}

static int eng_psk(void *arg, const struct ike_peer_cfg *p,
		   const struct ike_id *id, const struct ikd_addr *r,
		   uint8_t *key, size_t cap, size_t *len)
{
	(void)arg, (void)p, (void)id, (void)r, (void)cap;
	memcpy(key, "k", 1);
	*len = 1;
	return 0;
}

static const struct ike_child_cfg *eng_child(void *arg,
					     const struct ike_peer_cfg *p,
					     const struct ikd_sel *sel)
{
	(void)arg, (void)p, (void)sel;
	return &child;
}

static const struct ike_peer_cfg *by_addr(void *arg, const struct ikd_addr *a)
{
	(void)arg;
	return ikd_addr_eq_noport(a, &peer.remote) ? &peer : NULL;
}

static const struct ike_peer_cfg *by_name(void *arg, const char *name)
{
	(void)arg;
	return strcmp(name, "gw") ? NULL : &peer;
}

static int reload(void *arg, struct ikd_diag *d)
{
	(void)arg;
	ikd_diag_error(d, NULL, "no");
	return -EINVAL;
}

static void setup(struct fake_kernel *k)
{
	struct ikd_kernel_policy p = { 0 };

	memset(&peer, 0, sizeof(peer));
	strcpy(peer.name, "gw");
	peer.ike_version = 2;
	ikd_addr_parse(&peer.local, "192.0.2.1");
	ikd_addr_parse(&peer.remote, "192.0.2.2");
	peer.nprop = 1;
	peer.prop[0] = (struct ike_sa_prop_cfg){
		.nencr = 1, .nprf = 1, .ninteg = 1, .ndh = 1,
		.encr = { { IKE_ENCR_AES_CBC, 128 } },
		.prf = { IKE_PRF_HMAC_SHA2_256 },
		.integ = { IKE_AUTH_HMAC_SHA2_256_128 }, .dh = { IKE_DH_ECP256 } };
	memset(&child, 0, sizeof(child));
	child.nprop = 1;
	child.prop[0] = (struct ike_child_prop_cfg){
		.proto = IKE_PROTO_ESP, .nencr = 1, .ninteg = 1,
		.encr = { { IKE_ENCR_AES_CBC, 128 } },
		.integ = { IKE_AUTH_HMAC_SHA2_256_128 } };
	p.dir = IKD_DIR_OUT;
	p.action = IPSEC_POLICY_IPSEC;
	p.sel.src = peer.local;
	p.sel.dst = peer.remote;
	p.sel.src_plen = p.sel.dst_plen = 32;
	p.nreqs = 1;
	p.req[0].proto = IPPROTO_ESP;
	p.req[0].mode = IKD_MODE_TRANSPORT;
	p.req[0].level = IPSEC_LEVEL_REQUIRE;
	fake_kernel_add_policy(k, &p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fake_kernel *k = fake_kernel_new(0xc0000000);
	struct fake_timers t;
	struct ike_env env = { .send = net_send, .peer_by_addr = eng_peer,
			       .psk = eng_psk, .child_cfg = eng_child };
	struct ikd_ctl_env cenv;
	struct ike_engine *e;
	const char *line = (const char *)data, *end = line + size;

	fake_timers_init(&t);
	fake_log_reset();
	setup(k);
	env.kernel = &k->base;
	env.timers = &t.ops;
	e = ike_engine_new(&env);
	if (!e)
		abort();
	cenv = (struct ikd_ctl_env){ .engine = e, .kernel = &k->base,
				     .timers = &t.ops, .peer_by_addr = by_addr,
				     .peer_by_name = by_name, .reload = reload,
				     .conf_file = "racoon.conf" };
	while (line < end) {
		const char *nl = memchr(line, '\n', (size_t)(end - line));
		size_t len = nl ? (size_t)(nl - line) : (size_t)(end - line);
		struct ikd_ctl_req req;
		struct ikd_ctl_out o;
		const char *why;

		if (!ikd_ctl_parse(line, len, &req, &why)) {
			if (!req.argc || req.argc > IKD_CTL_MAX_WORDS)
				__builtin_trap();
			for (unsigned int i = 0; i < req.argc; i++)
				if (!*req.argv[i] || strpbrk(req.argv[i], " \t"))
					__builtin_trap();
			ikd_ctl_out_init(&o);
			ikd_ctl_run(&cenv, &req, &o);
			if (!o.failed && (!o.buf || (strncmp(o.buf, "OK\n", 3) &&
						     strncmp(o.buf, "ERR ", 4))))
				__builtin_trap();
			ikd_ctl_out_free(&o);
		}
		line += len + 1;
	}
	ike_engine_shutdown(e);
	ike_engine_free(e);
	fake_timers_clear(&t);
	fake_kernel_free(k);
	return 0;
}
