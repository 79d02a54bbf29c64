// SPDX-License-Identifier: BSD-2-Clause
/*
 * The whole program against a fake kernel: -n opens nothing, kernel
 * refusals are reported as FILE:LINE: kind: error and the run goes on,
 * -D/-DP/-F/-FP/-x/-v and deleteall's expansion behave.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../setkey/setkey.h"

/* ------------------------------------------------------------------------
 * Fake PF_KEY socket
 */
#define MAXMSG 64

struct blob {
	uint8_t b[1024];
	size_t len;
};

static struct fake {
	int opens, closes;
	int open_error;			/* returned by open() if set */
	struct blob sent[MAXMSG];
	int nsent;
	int errno_for[MAXMSG];		/* reply errno for the n-th request */
	struct blob q[MAXMSG];		/* replies waiting to be received */
	int qhead, qtail;
	struct blob sad[8], spd[8];	/* what dumps return */
	int nsad, nspd;
	struct blob get_reply;
	bool afkey;			/* the kernel is af_key, not kipsec */
} fk;

static void queue(const void *msg, size_t len)
{
	assert_true(fk.qtail < MAXMSG);
	memcpy(fk.q[fk.qtail].b, msg, len);
	fk.q[fk.qtail++].len = len;
}

static int fake_open(void)
{
	fk.opens++;
	return fk.open_error ? -fk.open_error : 42;
}

static void fake_close(int fd)
{
	assert_int_equal(fd, 42);
	fk.closes++;
}

static void queue_dump(const struct sadb_msg *req, struct blob *t, int n)
{
	if (n == 0) {
		struct sadb_msg e = *req;

		e.sadb_msg_errno = ENOENT;
		queue(&e, sizeof(e));
		return;
	}
	for (int i = 0; i < n; i++) {
		struct sadb_msg *h = (struct sadb_msg *)t[i].b;

		h->sadb_msg_type = req->sadb_msg_type;
		h->sadb_msg_pid = req->sadb_msg_pid;
		h->sadb_msg_seq = (uint32_t)(n - 1 - i);	/* counts down to 0 */
		queue(t[i].b, t[i].len);
	}
}

static int fake_send(int fd, const void *msg, size_t len)
{
	const struct sadb_msg *req = msg;
	int idx = fk.nsent;

	assert_int_equal(fd, 42);
	assert_true(fk.nsent < MAXMSG && len <= sizeof(fk.sent[0].b));
	memcpy(fk.sent[idx].b, msg, len);
	fk.sent[idx].len = len;
	fk.nsent++;

	if (req->sadb_msg_type == SADB_DUMP && !fk.errno_for[idx]) {
		queue_dump(req, fk.sad, fk.nsad);
	} else if (req->sadb_msg_type == SADB_X_SPDDUMP && !fk.errno_for[idx]) {
		queue_dump(req, fk.spd, fk.nspd);
	} else if ((req->sadb_msg_type == SADB_GET ||
		    req->sadb_msg_type == SADB_GETSPI) && !fk.errno_for[idx]) {
		struct sadb_msg *h = (struct sadb_msg *)fk.get_reply.b;

		h->sadb_msg_type = req->sadb_msg_type;
		h->sadb_msg_seq = req->sadb_msg_seq;
		h->sadb_msg_pid = req->sadb_msg_pid;
		queue(fk.get_reply.b, fk.get_reply.len);
	} else if (req->sadb_msg_type != SADB_X_PROMISC) {
		/* unrelated traffic first: must be skipped */
		struct sadb_msg other = *req;

		other.sadb_msg_pid = 1;
		queue(&other, sizeof(other));

		struct sadb_msg r = *req;

		r.sadb_msg_errno = (uint8_t)fk.errno_for[idx];
		r.sadb_msg_len = sizeof(r) / 8;
		queue(&r, sizeof(r));
	}
	return 0;
}

static ssize_t fake_recv(int fd, void *buf, size_t cap)
{
	assert_int_equal(fd, 42);
	if (fk.qhead == fk.qtail)
		return -EAGAIN;	/* like the 5 s receive timeout */
	struct blob *m = &fk.q[fk.qhead++];

	assert_true(m->len <= cap);
	memcpy(buf, m->b, m->len);
	return (ssize_t)m->len;
}

static bool fake_is_kipsec(void)
{
	return !fk.afkey;
}

static const struct sk_ops fake_ops = {
	fake_open, fake_close, fake_send, fake_recv, fake_is_kipsec,
};

/* An SA as a kernel dumps it. */
static void make_sa(struct blob *out, const char *src, const char *dst,
		    uint8_t satype, uint32_t spi, uint8_t state)
{
	struct pfkey_buf b;
	struct sockaddr_in a, c;

	memset(&a, 0, sizeof(a));
	memset(&c, 0, sizeof(c));
	a.sin_family = c.sin_family = AF_INET;
	inet_pton(AF_INET, src, &a.sin_addr);
	inet_pton(AF_INET, dst, &c.sin_addr);
	pfkey_buf_init(&b, out->b, sizeof(out->b));
	assert_non_null(pfkey_msg_begin(&b, SADB_DUMP, satype, 0, 0));
	pfkey_add_sa(&b, htonl(spi), 0, state, 0, SADB_EALG_NULL, 0);
	pfkey_add_sa2(&b, IPSEC_MODE_TRANSPORT, 0, 0);
	pfkey_add_lifetime(&b, SADB_EXT_LIFETIME_CURRENT, 0, 0, 1795356000, 0);
	pfkey_add_address(&b, SADB_EXT_ADDRESS_SRC, (struct sockaddr *)&a, 32, 255);
	pfkey_add_address(&b, SADB_EXT_ADDRESS_DST, (struct sockaddr *)&c, 32, 255);
	assert_int_equal(pfkey_msg_end(&b), 0);
	out->len = pfkey_buf_msglen(&b);
}

static void make_sp(struct blob *out, const char *policy)
{
	struct pfkey_buf b;
	struct sockaddr_in a;
	char *pol = ipsec_set_policy(policy, (int)strlen(policy));

	assert_non_null(pol);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	pfkey_buf_init(&b, out->b, sizeof(out->b));
	assert_non_null(pfkey_msg_begin(&b, SADB_X_SPDDUMP, 0, 0, 0));
	pfkey_add_address(&b, SADB_EXT_ADDRESS_SRC, (struct sockaddr *)&a, 0, 6);
	pfkey_add_address(&b, SADB_EXT_ADDRESS_DST, (struct sockaddr *)&a, 0, 6);
	pfkey_add_policy(&b, pol, (size_t)ipsec_get_policylen(pol));
	assert_int_equal(pfkey_msg_end(&b), 0);
	out->len = pfkey_buf_msglen(&b);
	free(pol);
}

/* ------------------------------------------------------------------------
 * Running setkey_main with captured output
 */
struct result {
	int status;
	char *out, *err;
};

static struct result run(const char *stdin_text, int argc, ...)
{
	char *argv[16] = { "setkey" };
	va_list ap;
	struct result r;
	size_t olen, elen;
	FILE *in, *out, *err;

	va_start(ap, argc);
	for (int i = 1; i <= argc; i++)
		argv[i] = va_arg(ap, char *);
	va_end(ap);
	in = fmemopen((void *)(stdin_text ? stdin_text : ""),
		      stdin_text ? strlen(stdin_text) : 0, "r");
	out = open_memstream(&r.out, &olen);
	err = open_memstream(&r.err, &elen);
	r.status = setkey_main(argc + 1, argv, &fake_ops, in, out, err);
	fclose(in);
	fclose(out);
	fclose(err);
	return r;
}

static void result_free(struct result *r)
{
	free(r->out);
	free(r->err);
}

static int reset(void **state)
{
	(void)state;
	memset(&fk, 0, sizeof(fk));
	return 0;
}

static char tmpfile_name[64];

static const char *write_tmp(const char *text)
{
	int fd;

	snprintf(tmpfile_name, sizeof(tmpfile_name), "/tmp/setkey-test-XXXXXX");
	fd = mkstemp(tmpfile_name);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return tmpfile_name;
}

#define GOOD "add 10.1.1.1 20.1.1.1 esp 9876 -E 3des-cbc \"hogehogehogehogehogehoge\";\n" \
	     "add 20.1.1.1 10.1.1.1 esp 10000 -E 3des-cbc 0xdeadbeefdeadbeefdeadbeefdeadbeefdeadbeefdeadbeef;\n" \
	     "spdadd 10.1.1.1 20.1.1.1 any -P out ipsec esp/transport//use;\n"

/* ------------------------------------------------------------------------
 * Tests
 */

/* (4) -n never opens a socket, from a file or from stdin, good or bad. */
static void test_n_opens_nothing(void **state)
{
	const char *file = write_tmp(GOOD);
	struct result r;

	(void)state;
	r = run(NULL, 3, "-n", "-f", file);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.err, "");
	result_free(&r);

	r = run(GOOD, 2, "-n", "-c");
	assert_int_equal(r.status, 0);
	result_free(&r);

	r = run("add 1.2.3.4;", 2, "-n", "-c");
	assert_int_equal(r.status, 1);
	result_free(&r);

	/* -nv prints what would be sent, still without a socket */
	r = run(GOOD, 3, "-n", "-v", "-c");
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "(stdin):1: ADD esp seq=1"));
	assert_non_null(strstr(r.out, "(stdin):3: X_SPDADD unspec seq=3"));
	result_free(&r);

	assert_int_equal(fk.opens, 0);
	assert_int_equal(fk.nsent, 0);
	unlink(file);
}

/* An error anywhere: nothing opened, nothing sent, exit 1. */
static void test_error_sends_nothing(void **state)
{
	struct result r;

	(void)state;
	r = run(GOOD "spdadd 10.1.1.1 20.1.1.1 any -P out ipsec esp/transport//maybe;\n",
		1, "-c");
	assert_int_equal(r.status, 1);
	assert_string_equal(r.err,
		"(stdin):4:58: policy: unknown ipsec level (default, use, require or unique)\n"
		"setkey: (stdin): 1 error, nothing was sent\n");
	assert_int_equal(fk.opens, 0);
	assert_int_equal(fk.nsent, 0);
	result_free(&r);
}

static void test_run_ok(void **state)
{
	const char *file = write_tmp(GOOD);
	struct result r;
	const struct sadb_msg *h;

	(void)state;
	r = run(NULL, 2, "-f", file);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.err, "");
	assert_string_equal(r.out, "");
	assert_int_equal(fk.opens, 1);
	assert_int_equal(fk.closes, 1);
	assert_int_equal(fk.nsent, 3);
	h = (const struct sadb_msg *)fk.sent[0].b;
	assert_int_equal(h->sadb_msg_type, SADB_ADD);
	assert_int_equal(h->sadb_msg_pid, (uint32_t)getpid());
	h = (const struct sadb_msg *)fk.sent[2].b;
	assert_int_equal(h->sadb_msg_type, SADB_X_SPDADD);
	result_free(&r);
	unlink(file);
}

/* A refusal is reported with file and line, and the rest still goes. */
static void test_kernel_refusal(void **state)
{
	const char *file = write_tmp(GOOD);
	char want[256];
	struct result r;

	(void)state;
	fk.errno_for[1] = EEXIST;
	fk.errno_for[2] = EINVAL;
	r = run(NULL, 2, "-f", file);
	assert_int_equal(r.status, 1);
	snprintf(want, sizeof(want), "%s:2: add: File exists\n%s:3: spdadd: Invalid argument\n",
		 file, file);
	assert_string_equal(r.err, want);
	assert_int_equal(fk.nsent, 3);
	result_free(&r);
	unlink(file);
}

#define KX_FILE "add 10.1.1.1 20.1.1.1 esp 9876 -r 4096 -esn -E 3des-cbc \"hogehogehogehogehogehoge\";\n" \
		"add 10.1.1.1 20.1.1.1 esp 9877 -r 32 -E 3des-cbc \"hogehogehogehogehogehoge\";\n"

/* kipsec's extension goes to kipsec ... */
static void test_kipsec_ext_sent(void **state)
{
	const char *file = write_tmp(KX_FILE);
	struct result r;
	struct pfkey_msg m;

	(void)state;
	r = run(NULL, 2, "-f", file);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.err, "");
	assert_int_equal(fk.nsent, 2);
	assert_int_equal(pfkey_parse(fk.sent[0].b, fk.sent[0].len, &m), 0);
	assert_non_null(pfkey_msg_kipsec_sa(&m));
	assert_int_equal(pfkey_msg_kipsec_sa(&m)->sadb_x_kipsec_sa_replay, 4096);
	assert_int_equal(pfkey_parse(fk.sent[1].b, fk.sent[1].len, &m), 0);
	assert_null(pfkey_msg_kipsec_sa(&m));
	result_free(&r);
	unlink(file);
}

/* ... but never to af_key, which would drop it silently and install the SA
 * without it: that statement is reported and skipped, the others load. */
static void test_kipsec_ext_not_to_afkey(void **state)
{
	const char *file = write_tmp(KX_FILE);
	char want[256];
	struct result r;
	struct pfkey_msg m;

	(void)state;
	fk.afkey = true;
	r = run(NULL, 2, "-f", file);
	assert_int_equal(r.status, 1);
	snprintf(want, sizeof(want),
		 "%s:1: add: -r above 255, -esn and -icv need kipsec.ko (Linux af_key would ignore them); not sent\n",
		 file);
	assert_string_equal(r.err, want);
	assert_int_equal(fk.nsent, 1);
	assert_int_equal(pfkey_parse(fk.sent[0].b, fk.sent[0].len, &m), 0);
	assert_int_equal(ntohl(pfkey_msg_sa(&m)->sadb_sa_spi), 9877);
	result_free(&r);

	/* -n checks only: the file is fine, whatever the kernel */
	r = run(NULL, 3, "-n", "-f", file);
	assert_int_equal(r.status, 0);
	result_free(&r);
	unlink(file);
}

static void test_no_reply(void **state)
{
	struct result r;

	(void)state;
	fk.errno_for[0] = 0;
	r = run("get 10.0.0.1 10.0.0.2 esp 300;", 1, "-c");	/* no get_reply set */
	/* the fake answers GET with a zero-length blob: never a valid reply */
	assert_int_equal(r.status, 1);
	assert_string_equal(r.err, "(stdin):1: get: no reply from the kernel\n");
	result_free(&r);
}

static void test_open_fails(void **state)
{
	struct result r;

	(void)state;
	fk.open_error = EAFNOSUPPORT;
	r = run(NULL, 1, "-D");
	assert_int_equal(r.status, 1);
	assert_string_equal(r.err,
		"setkey: cannot open a PF_KEY socket: Address family not supported by protocol (load kipsec.ko or af_key first)\n");
	result_free(&r);
}

static void test_dump(void **state)
{
	char want[1024];
	struct result r;

	(void)state;
	setenv("SETKEY_FAKE_TIME", "1795356010", 1);
	make_sa(&fk.sad[0], "10.0.0.1", "10.0.0.2", SADB_SATYPE_ESP, 0x1234,
		SADB_SASTATE_MATURE);
	make_sa(&fk.sad[1], "10.0.0.2", "10.0.0.1", SADB_SATYPE_ESP, 0x5678,
		SADB_SASTATE_DEAD);
	fk.nsad = 2;
	r = run(NULL, 1, "-D");
	assert_int_equal(r.status, 0);
	snprintf(want, sizeof(want),
		"10.0.0.1 10.0.0.2 \n"
		"\tesp mode=transport spi=4660(0x00001234) reqid=0(0x00000000)\n"
		"\tseq=0x00000000 replay=0 flags=0x00000000 state=mature \n"
		"\tcreated: Nov 22 14:00:00 2026\tcurrent: Nov 22 14:00:10 2026\n"
		"\tdiff: 10(s)\thard: 0(s)\tsoft: 0(s)\n"
		"\tlast:                     \thard: 0(s)\tsoft: 0(s)\n"
		"\tcurrent: 0(bytes)\thard: 0(bytes)\tsoft: 0(bytes)\n"
		"\tallocated: 0\thard: 0\tsoft: 0\n"
		"\tsadb_seq=1 pid=%d refcnt=0\n", (int)getpid());
	assert_string_equal(r.out, want);	/* the dead SA is hidden */
	assert_int_equal(((struct sadb_msg *)fk.sent[0].b)->sadb_msg_type, SADB_DUMP);
	result_free(&r);

	/* -a shows dead SAs too */
	fk.qhead = fk.qtail = 0;
	r = run(NULL, 2, "-a", "-D");
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "spi=22136(0x00005678)"));
	assert_non_null(strstr(r.out, "state=dead \n"));
	result_free(&r);
	unsetenv("SETKEY_FAKE_TIME");
}

static void test_dump_empty(void **state)
{
	struct result r;

	(void)state;
	r = run(NULL, 1, "-D");
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "No SAD entries.\n");
	result_free(&r);
	r = run(NULL, 1, "-DP");
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "No SPD entries.\n");
	result_free(&r);
}

static void test_dump_spd(void **state)
{
	char want[512];
	struct result r;

	(void)state;
	make_sp(&fk.spd[0], "in none");
	make_sp(&fk.spd[1], "out ipsec esp/transport//require");
	fk.nspd = 2;
	r = run(NULL, 2, "-D", "-P");
	assert_int_equal(r.status, 0);
	snprintf(want, sizeof(want),
		 "0.0.0.0/0[any] 0.0.0.0/0[any] tcp\n\tin none\n\tspid=0 seq=1 pid=%d\n\trefcnt=0\n"
		 "0.0.0.0/0[any] 0.0.0.0/0[any] tcp\n\tout ipsec\n\tesp/transport//require\n"
		 "\tspid=0 seq=0 pid=%d\n\trefcnt=0\n", (int)getpid(), (int)getpid());
	assert_string_equal(r.out, want);
	assert_int_equal(((struct sadb_msg *)fk.sent[0].b)->sadb_msg_type,
			 SADB_X_SPDDUMP);
	result_free(&r);
}

static void test_flush(void **state)
{
	struct result r;

	(void)state;
	r = run(NULL, 1, "-F");
	assert_int_equal(r.status, 0);
	result_free(&r);
	r = run(NULL, 1, "-FP");
	assert_int_equal(r.status, 0);
	assert_int_equal(fk.nsent, 2);
	assert_int_equal(((struct sadb_msg *)fk.sent[0].b)->sadb_msg_type, SADB_FLUSH);
	assert_int_equal(((struct sadb_msg *)fk.sent[1].b)->sadb_msg_type,
			 SADB_X_SPDFLUSH);
	result_free(&r);

	fk.errno_for[2] = EPERM;
	r = run(NULL, 1, "-F");
	assert_int_equal(r.status, 1);
	assert_string_equal(r.err, "setkey: flush: Operation not permitted\n");
	result_free(&r);
}

/* deleteall: Linux wants SPIs, so it lists and deletes one by one. */
static void test_deleteall(void **state)
{
	struct result r;

	(void)state;
	make_sa(&fk.sad[0], "10.0.0.1", "10.0.0.2", SADB_SATYPE_ESP, 0x1001, 1);
	make_sa(&fk.sad[1], "10.0.0.2", "10.0.0.1", SADB_SATYPE_ESP, 0x1002, 1);
	make_sa(&fk.sad[2], "10.0.0.1", "10.0.0.2", SADB_SATYPE_ESP, 0x1003, 1);
	fk.nsad = 3;
	r = run("deleteall 10.0.0.1 10.0.0.2 esp;", 1, "-c");
	assert_int_equal(r.status, 0);
	assert_string_equal(r.err, "");
	assert_int_equal(fk.nsent, 3);	/* dump, delete, delete */
	for (int i = 1; i <= 2; i++) {
		struct pfkey_msg m;

		assert_int_equal(pfkey_parse(fk.sent[i].b, fk.sent[i].len, &m), 0);
		assert_int_equal(m.hdr->sadb_msg_type, SADB_DELETE);
		assert_int_equal(m.hdr->sadb_msg_satype, SADB_SATYPE_ESP);
		assert_int_equal(ntohl(pfkey_msg_sa(&m)->sadb_sa_spi),
				 i == 1 ? 0x1001 : 0x1003);
	}
	result_free(&r);
}

static void test_get_prints_sa(void **state)
{
	struct result r;

	(void)state;
	make_sa(&fk.get_reply, "10.0.0.1", "10.0.0.2", SADB_SATYPE_AH, 0x300, 1);
	setenv("SETKEY_FAKE_TIME", "1795356000", 1);
	r = run("get 10.0.0.1 10.0.0.2 ah 0x300;", 1, "-c");
	assert_int_equal(r.status, 0);
	assert_true(strncmp(r.out, "10.0.0.1 10.0.0.2 \n\tah mode=transport spi=768(0x00000300)", 57) == 0);
	result_free(&r);
	unsetenv("SETKEY_FAKE_TIME");
}

static void test_verbose(void **state)
{
	struct result r;

	(void)state;
	r = run("spdflush;", 2, "-v", "-c");
	assert_int_equal(r.status, 0);
	assert_true(strncmp(r.out, "send: X_SPDFLUSH unspec seq=1 pid=", 34) == 0);
	assert_non_null(strstr(r.out, "recv: X_SPDFLUSH unspec seq=1 pid="));
	result_free(&r);
}

static void test_monitor(void **state)
{
	struct sk_run_opts o = { .ops = &fake_ops, .monitor = 1, .monitor_max = 2 };
	char *out = NULL, *err = NULL;
	size_t olen, elen;
	uint8_t mem[64];
	struct pfkey_buf b;
	struct sadb_msg wrap = { .sadb_msg_version = PF_KEY_V2,
				 .sadb_msg_type = SADB_X_PROMISC };

	(void)state;
	setenv("SETKEY_FAKE_TIME", "1795356000", 1);
	pfkey_buf_init(&b, mem, sizeof(mem));
	pfkey_msg_begin(&b, SADB_FLUSH, SADB_SATYPE_ESP, 3, 99);
	pfkey_msg_end(&b);
	queue(mem, 16);
	/* KAME-style: wrapped in an X_PROMISC header */
	memcpy(mem + 16, mem, 16);
	memcpy(mem, &wrap, 16);
	((struct sadb_msg *)(mem + 16))->sadb_msg_type = SADB_X_SPDFLUSH;
	queue(mem, 32);
	o.out = open_memstream(&out, &olen);
	o.err = open_memstream(&err, &elen);
	o.print.now = sk_now();
	assert_int_equal(sk_run_monitor(&o), 0);
	fclose(o.out);
	fclose(o.err);
	assert_string_equal(out,
		"14:00:00.000000\nFLUSH esp seq=3 pid=99 len=16\n\n"
		"14:00:00.000000\nX_SPDFLUSH esp seq=3 pid=99 len=16\n\n");
	assert_string_equal(err, "");
	assert_int_equal(((struct sadb_msg *)fk.sent[0].b)->sadb_msg_type,
			 SADB_X_PROMISC);
	free(out);
	free(err);
	unsetenv("SETKEY_FAKE_TIME");
}

static void test_usage(void **state)
{
	struct result r;

	(void)state;
	r = run(NULL, 1, "-h");
	assert_int_equal(r.status, 0);
	assert_true(strncmp(r.out, "usage: setkey", 13) == 0);
	result_free(&r);

	const char *bad[][3] = {
		{ "-q", NULL }, { "-D", "-F" }, { "-n", "-D" }, { "-P", "-c" },
		{ "file.conf", NULL }, { "-f", NULL },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		r = bad[i][1] ? run(NULL, 2, bad[i][0], bad[i][1]) :
				run(NULL, 1, bad[i][0]);
		assert_int_equal(r.status, 1);
		assert_true(strlen(r.err) > 0);
		result_free(&r);
	}
	r = run(NULL, 0);
	assert_int_equal(r.status, 1);
	result_free(&r);

	r = run(NULL, 2, "-f", "/nonexistent/setkey.conf");
	assert_int_equal(r.status, 1);
	assert_string_equal(r.err, "setkey: /nonexistent/setkey.conf: No such file or directory\n");
	result_free(&r);
	assert_int_equal(fk.opens, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_n_opens_nothing, reset),
		cmocka_unit_test_setup(test_error_sends_nothing, reset),
		cmocka_unit_test_setup(test_run_ok, reset),
		cmocka_unit_test_setup(test_kernel_refusal, reset),
		cmocka_unit_test_setup(test_kipsec_ext_sent, reset),
		cmocka_unit_test_setup(test_kipsec_ext_not_to_afkey, reset),
		cmocka_unit_test_setup(test_no_reply, reset),
		cmocka_unit_test_setup(test_open_fails, reset),
		cmocka_unit_test_setup(test_dump, reset),
		cmocka_unit_test_setup(test_dump_empty, reset),
		cmocka_unit_test_setup(test_dump_spd, reset),
		cmocka_unit_test_setup(test_flush, reset),
		cmocka_unit_test_setup(test_deleteall, reset),
		cmocka_unit_test_setup(test_get_prints_sa, reset),
		cmocka_unit_test_setup(test_verbose, reset),
		cmocka_unit_test_setup(test_monitor, reset),
		cmocka_unit_test_setup(test_usage, reset),
	};

	setenv("TZ", "UTC", 1);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
