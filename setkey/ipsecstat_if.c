// SPDX-License-Identifier: BSD-2-Clause
/*
 * ipsecstat -i: kipsec interfaces (docs/ipsec-interfaces.md) with their
 * KLIPS-style counters.  ips_print_ifs() is pure so that the unit tests
 * format fixed structs; ips_load_ifs() is the only part that talks to the
 * kernel (through setkey/ifnl.c).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>

#include "ifnl.h"
#include "ipsecstat.h"

/* "\t<count> <noun>[s]<rest>\n", KAME's plural rule. */
static void print_count(FILE *out, const char *indent, uint64_t v,
			const char *noun, const char *rest)
{
	fprintf(out, "%s%" PRIu64 " %s%s%s\n", indent, v, noun,
		v == 1 ? "" : "s", rest);
}

static void print_item(FILE *out, uint64_t v, const char *label)
{
	fprintf(out, "\t\t%" PRIu64 " %s\n", v, label);
}

static void print_header(FILE *out, const struct kif_info *ki)
{
	char local[INET6_ADDRSTRLEN] = "?", remote[INET6_ADDRSTRLEN] = "?";

	inet_ntop(ki->family, &ki->local, local, sizeof(local));
	inet_ntop(ki->family, &ki->remote, remote, sizeof(remote));
	fprintf(out, "%s: %s -> %s reqid %" PRIu32 " mtu %u %s", ki->name,
		local, remote, ki->reqid, ki->mtu, ki->up ? "up" : "down");
	if (ki->link_netnsid >= 0)
		fprintf(out, " link-netnsid %d", ki->link_netnsid);
	fputc('\n', out);
}

/* The rtnl_link_stats64 fields as include/kipsec/if_kipsec.h maps them. */
static void print_if(FILE *out, const struct kif_info *ki)
{
	const struct rtnl_link_stats64 *s = &ki->stats;
	char bytes[48];

	print_header(out, ki);
	snprintf(bytes, sizeof(bytes), " received (%" PRIu64 " byte%s)",
		 (uint64_t)s->rx_bytes, s->rx_bytes == 1 ? "" : "s");
	print_count(out, "\t", s->rx_packets, "packet", bytes);
	print_count(out, "\t", s->rx_errors, "receive error", "");
	print_item(out, s->rx_missed_errors, "with no SA");
	print_item(out, s->rx_fifo_errors, "replayed");
	print_item(out, s->rx_crc_errors, "failed authentication");
	print_item(out, s->rx_length_errors, "malformed");
	print_count(out, "\t", s->rx_dropped, "packet",
		    " dropped on input (no memory)");
	snprintf(bytes, sizeof(bytes), " sent (%" PRIu64 " byte%s)",
		 (uint64_t)s->tx_bytes, s->tx_bytes == 1 ? "" : "s");
	print_count(out, "\t", s->tx_packets, "packet", bytes);
	print_count(out, "\t", s->tx_dropped, "packet", " dropped on output");
	print_item(out, s->tx_carrier_errors, "with no SA");
	print_item(out, s->tx_aborted_errors, "with no route to the remote");
	print_item(out, s->tx_fifo_errors, "with no memory or a failed transform");
	print_count(out, "\t", s->tx_errors > s->tx_dropped ?
		    s->tx_errors - s->tx_dropped : 0, "packet",
		    " too big for the path (ICMP sent back)");
}

void ips_print_ifs(FILE *out, const struct kif_info *v, size_t n)
{
	if (!n) {
		fputs("no kipsec interfaces\n", out);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (i)
			fputc('\n', out);
		print_if(out, &v[i]);
	}
}

static int collect(const struct kif_info *ki, void *arg)
{
	struct ips_if_list *l = arg;

	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 8;
		struct kif_info *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = *ki;
	return 0;
}

int ips_load_ifs(const char *name, struct ips_if_list *l)
{
	int r = kif_dump(name, collect, l);

	return r < 0 ? r : 0;
}

void ips_if_list_free(struct ips_if_list *l)
{
	free(l->v);
	*l = (struct ips_if_list){ 0 };
}
