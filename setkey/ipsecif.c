// SPDX-License-Identifier: BSD-2-Clause
/*
 * ipsecif(8): creates, deletes and shows kipsec interfaces with their
 * endpoints and reqid, which iproute2 cannot pass for a kind it does not
 * know (ifnl.c talks rtnetlink). Arguments are checked here, once; the
 * kernel's refusals are reported with its own words when it gives them.
 */
#include "ipsecif.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "ifnl.h"

#define IPSECIF_REQID_MAX	0x3fff	/* if_kipsec.h */

static const char usage[] =
	"usage: ipsecif add NAME local ADDR remote ADDR reqid N [mtu N]\n"
	"       ipsecif del NAME\n"
	"       ipsecif show [NAME]\n";

struct ipsecif_ctx {
	FILE *out, *err;
};

__attribute__((format(printf, 2, 3)))
static int bad(struct ipsecif_ctx *c, const char *fmt, ...)
{
	va_list ap;

	fprintf(c->err, "ipsecif: ");
	va_start(ap, fmt);
	vfprintf(c->err, fmt, ap);
	va_end(ap);
	fprintf(c->err, "\n%s", usage);
	return 2;
}

static int kernel_err(struct ipsecif_ctx *c, const char *name, int err,
		      const char *msg)
{
	if (err == -EMEDIUMTYPE)
		fprintf(c->err, "ipsecif: %s: not a kipsec interface\n", name);
	else
		fprintf(c->err, "ipsecif: %s: %s\n", name,
			msg ? msg : strerror(-err));
	return 1;
}

static bool parse_name(const char *s)
{
	size_t n = strlen(s);

	return n && n < IF_NAMESIZE && !strchr(s, '/') && !strchr(s, ' ') &&
	       strcmp(s, ".") && strcmp(s, "..");
}

static bool parse_u32(const char *s, uint32_t min, uint32_t max,
		      uint32_t *v)
{
	char *end;
	unsigned long n;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	n = strtoul(s, &end, 10);
	if (errno || *end || n < min || n > max)
		return false;
	*v = (uint32_t)n;
	return true;
}

static bool parse_addr(const char *s, union kif_addr *a, int *family)
{
	if (inet_pton(AF_INET, s, &a->v4) == 1) {
		*family = AF_INET;
		return true;
	}
	if (inet_pton(AF_INET6, s, &a->v6) == 1) {
		*family = AF_INET6;
		return true;
	}
	return false;
}

static int cmd_add(struct ipsecif_ctx *c, int argc, char **argv)
{
	struct kif_spec s = { 0 };
	bool have_l = false, have_r = false, have_q = false;
	int lfam = 0, rfam = 0, i, err;
	const char *msg;
	uint32_t mtu;

	if (argc < 1 || !parse_name(argv[0]))
		return bad(c, "add: a valid interface name is needed");
	s.name = argv[0];
	for (i = 1; i < argc; i += 2) {
		const char *k = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!v)
			return bad(c, "add: %s needs a value", k);
		if (!strcmp(k, "local") && !have_l) {
			if (!parse_addr(v, &s.local, &lfam))
				return bad(c, "add: bad local address %s", v);
			have_l = true;
		} else if (!strcmp(k, "remote") && !have_r) {
			if (!parse_addr(v, &s.remote, &rfam))
				return bad(c, "add: bad remote address %s", v);
			have_r = true;
		} else if (!strcmp(k, "reqid") && !have_q) {
			if (!parse_u32(v, 1, IPSECIF_REQID_MAX, &s.reqid))
				return bad(c, "add: reqid %s is not 1..16383", v);
			have_q = true;
		} else if (!strcmp(k, "mtu") && !s.mtu) {
			if (!parse_u32(v, 68, 65535, &mtu))
				return bad(c, "add: mtu %s is not 68..65535", v);
			s.mtu = mtu;
		} else {
			return bad(c, "add: unexpected or repeated %s", k);
		}
	}
	if (!have_l || !have_r || !have_q)
		return bad(c, "add: local, remote and reqid are needed");
	if (lfam != rfam)
		return bad(c, "add: local and remote are of different families");
	s.family = lfam;
	err = kif_add(&s, &msg);
	return err ? kernel_err(c, s.name, err, msg) : 0;
}

static int show_one(const struct kif_info *i, void *arg)
{
	struct ipsecif_ctx *c = arg;
	char l[INET6_ADDRSTRLEN], r[INET6_ADDRSTRLEN];

	inet_ntop(i->family, &i->local, l, sizeof(l));
	inet_ntop(i->family, &i->remote, r, sizeof(r));
	fprintf(c->out, "%s: local %s remote %s reqid %" PRIu32 " mtu %u %s",
		i->name, l, r, i->reqid, i->mtu, i->up ? "up" : "down");
	if (i->link_netnsid >= 0)
		fprintf(c->out, " link-netnsid %d", i->link_netnsid);
	fputc('\n', c->out);
	return 0;
}

int ipsecif_main(int argc, char **argv, FILE *out, FILE *err)
{
	struct ipsecif_ctx c = { out, err };
	const char *msg = NULL;
	int e;

	if (argc < 2)
		return bad(&c, "a command is needed");
	if (!strcmp(argv[1], "add"))
		return cmd_add(&c, argc - 2, argv + 2);
	if (!strcmp(argv[1], "del")) {
		if (argc != 3 || !parse_name(argv[2]))
			return bad(&c, "del: one interface name is needed");
		e = kif_del(argv[2], &msg);
		return e ? kernel_err(&c, argv[2], e, msg) : 0;
	}
	if (!strcmp(argv[1], "show")) {
		if (argc > 3 || (argc == 3 && !parse_name(argv[2])))
			return bad(&c, "show: at most one interface name");
		e = kif_dump(argc == 3 ? argv[2] : NULL, show_one, &c);
		return e ? kernel_err(&c, argc == 3 ? argv[2] : "show", e,
				      NULL) : 0;
	}
	return bad(&c, "unknown command %s", argv[1]);
}
