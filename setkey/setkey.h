// SPDX-License-Identifier: BSD-2-Clause
/*
 * setkey internals: lexer, parser, compiler, runner and printers.
 *
 * The flow is strictly staged so that nothing reaches the kernel unless the
 * whole input is valid: sk_lex() -> sk_parse() -> (sk_compile() per
 * statement) -> sk_run().  Everything up to sk_run() is pure and is what the
 * unit tests and the fuzz target exercise.
 */
#ifndef SETKEY_SETKEY_H
#define SETKEY_SETKEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <sys/socket.h>

#include <kipsec/libpfkey.h>

/* sadb_sa_replay is a u8: a larger window (-r) is sent as this, with the
 * real one in kipsec's SADB_X_EXT_KIPSEC_SA (see compile.c). */
#define SK_SA_REPLAY_MAX 255u

/* ------------------------------------------------------------------------
 * Positions and diagnostics
 */
struct sk_pos {
	unsigned line;		/* 1-based */
	unsigned col;		/* 1-based, in bytes (a tab counts as one) */
};

#define SK_MAX_DIAGS	20
#define SK_DIAG_LEN	512

struct sk_diag {
	struct sk_pos pos;
	bool warning;
	char msg[SK_DIAG_LEN];
};

/* ------------------------------------------------------------------------
 * Lexer: the whole input becomes an array of tokens up front, so the parser
 * can look ahead freely and recover at ';' after an error.
 */
enum sk_tok_kind {
	TK_EOF,
	TK_WORD,	/* anything up to blank, ; # " [ ] / */
	TK_STRING,	/* "...", text excludes the quotes */
	TK_SEMI,
	TK_SLASH,
	TK_LBRACK,
	TK_RBRACK,
};

struct sk_token {
	enum sk_tok_kind kind;
	const char *text;	/* into the source buffer (not NUL-terminated) */
	size_t len;
	size_t off;		/* byte offset of the token's first character */
	struct sk_pos pos;
};

struct sk_comment {
	size_t off, len;	/* from '#' to just before the newline */
	struct sk_pos pos;
	bool has_semi;		/* it contains a ';' (it may have eaten one) */
};

/* ------------------------------------------------------------------------
 * Statements
 */
enum sk_cmd {
	SK_ADD, SK_UPDATE, SK_GET, SK_DELETE, SK_DELETEALL, SK_FLUSH, SK_DUMP,
	SK_SPDADD, SK_SPDUPDATE, SK_SPDDELETE, SK_SPDFLUSH, SK_SPDDUMP,
	SK_GETSPI,
};

struct sk_addr {
	struct sockaddr_storage ss;	/* port (network order) inside */
	uint8_t prefixlen;		/* 0xff: whole host */
	bool has_port;
	struct sk_pos port_pos;		/* of the '[', when has_port */
};

struct sk_stmt {
	struct sk_stmt *next;
	enum sk_cmd cmd;
	struct sk_pos pos;		/* of the statement keyword */

	uint8_t satype;			/* SADB_SATYPE_*, 0 = unspec */
	uint8_t natt_type;		/* esp-udp: UDP_ENCAP_ESPINUDP, else 0 */
	bool has_natt_oa;		/* esp-udp -o: NAT-OA */
	struct sk_addr natt_oa;
	struct sk_addr src, dst;
	uint32_t spi;			/* host order */
	uint32_t spi_min, spi_max;	/* getspi range (host order) */
	bool has_range;

	/* add/update options */
	uint8_t mode;			/* IPSEC_MODE_*, default ANY */
	uint32_t reqid;
	uint32_t replay;		/* packets, 0..KIPSEC_REPLAY_MAX */
	uint32_t flags;			/* sadb_sa_flags */
	uint16_t kflags;		/* KIPSEC_SA_F_* (-esn) */
	uint16_t icvbits;		/* -icv; 0 = the RFC default */
	uint64_t lt_hard_time, lt_soft_time;
	uint64_t lt_hard_bytes, lt_soft_bytes;
	const struct pfkey_alg *ealg, *aalg, *calg;
	uint8_t *ekey, *akey;		/* malloc'd */
	size_t ekey_len, akey_len;

	/* spd */
	uint8_t upper;			/* IP protocol or IPSEC_ULPROTO_ANY */
	char *policy;			/* malloc'd sadb_x_policy blob */
	size_t policy_len;
};

struct sk_prog {
	const char *file;		/* name used in messages */
	struct sk_stmt *head, *tail;
	unsigned nstmts;
	unsigned nerrors, nwarnings;
	unsigned ndiags;
	struct sk_diag diags[SK_MAX_DIAGS];
};

/* Lexes and parses src[0..len).  Returns 0 if there were no errors.  The
 * program owns its statements (free with sk_prog_free); src need not
 * outlive it. */
int sk_parse(struct sk_prog *prog, const char *file, const char *src,
	     size_t len);
void sk_prog_free(struct sk_prog *prog);
/* Prints "FILE:LINE:COL: [warning: ]msg" lines for every diagnostic. */
void sk_print_diags(const struct sk_prog *prog, FILE *out);
const char *sk_cmd_name(enum sk_cmd cmd);

/* ------------------------------------------------------------------------
 * Internal to the parser (lex.c, parse.c, parse_sa.c, addr.c)
 */
struct sk_parser {
	struct sk_prog *prog;
	const char *src;
	size_t srclen;
	struct sk_token *toks;
	size_t ntoks, cap;
	struct sk_comment *comments;
	size_t ncomments, ccap;
	size_t i;			/* current token */
	size_t stmt_first;		/* first token of the current statement */
	int family;			/* AF_UNSPEC, or AF_INET/6 after -4/-6 */
	size_t resume;			/* token to resume at after an error, 0 = next ';' */
};

int sk_lex(struct sk_parser *p);
struct sk_pos sk_pos_at(const char *src, size_t off);
__attribute__((format(printf, 3, 4)))
void sk_diag(struct sk_prog *prog, struct sk_pos pos, const char *fmt, ...);
__attribute__((format(printf, 3, 4)))
void sk_warn(struct sk_prog *prog, struct sk_pos pos, const char *fmt, ...);

const struct sk_token *sk_peek(const struct sk_parser *p);
const struct sk_token *sk_next(struct sk_parser *p);
bool sk_tok_is(const struct sk_token *t, const char *word);
/* Copies a token's text for messages, shortened with "..." if long. */
const char *sk_tok_show(const struct sk_token *t, char *buf, size_t cap);
/* Records "expected WHAT, found X" at t, with hints for a missing ';'. */
int sk_unexpected(struct sk_parser *p, const struct sk_token *t,
		  const char *what);
bool sk_is_command(const struct sk_token *t);
int sk_parse_u32(const struct sk_token *t, uint64_t max, uint64_t *out);

/* addr.c */
int sk_parse_addr(struct sk_parser *p, struct sk_addr *a, const char *role,
		  bool selector);
int sk_parse_upper(struct sk_parser *p, uint8_t *proto);
int sk_check_families(struct sk_parser *p, const struct sk_addr *src,
		      const struct sk_addr *dst, struct sk_pos dstpos);
int sk_proto_by_name(const char *name);
const char *sk_proto_name(unsigned int proto, char *buf, size_t cap);

/* parse_sa.c */
int sk_parse_satype(struct sk_parser *p, struct sk_stmt *st, bool optional);
int sk_parse_spi(struct sk_parser *p, struct sk_stmt *st);
int sk_parse_sa_options(struct sk_parser *p, struct sk_stmt *st);
int sk_parse_getspi_options(struct sk_parser *p, struct sk_stmt *st);

/* ------------------------------------------------------------------------
 * Compiling a statement into one PF_KEY message (libpfkey's builder).
 */
int sk_compile(const struct sk_stmt *st, struct pfkey_buf *b, uint32_t seq,
	       uint32_t pid);
/* Whether the statement's message carries kipsec's SADB_X_EXT_KIPSEC_SA
 * (-r above 255, -esn or -icv 96). */
bool sk_needs_kipsec_sa(const struct sk_stmt *st);

/* ------------------------------------------------------------------------
 * Printers
 */
struct sk_print_opts {
	time_t now;		/* "current:" in SA dumps */
	bool withports;		/* unused by KAME -D; reserved */
};

/* KAME `setkey -D` block for one SA message (ADD/GET/DUMP/...). */
void sk_dump_sa(FILE *out, const struct pfkey_msg *m,
		const struct sk_print_opts *o);
/* KAME `setkey -DP` block for one policy message. */
void sk_dump_spd(FILE *out, const struct pfkey_msg *m,
		 const struct sk_print_opts *o);
/* Numeric address text (IPv6 scope as a number); port in host order. */
const char *sk_addr_str(const struct sockaddr *sa, char *buf, size_t cap);
uint16_t sk_addr_port(const struct sockaddr *sa);
/* KAME's key bytes layout: " xxxxxxxx" groups, a newline every 32 bytes. */
void sk_hexdump_key(FILE *out, const uint8_t *p, size_t n);
/* "Mmm dd hh:mm:ss yyyy" (ctime's middle) or 20 blanks for 0. */
void sk_format_time(char buf[21], uint64_t t);
/* Time to use for "now": SETKEY_FAKE_TIME if set (tests), else time(). */
time_t sk_now(void);

/* Readable block for any message (-x, -v): one header line, one line per
 * extension.  raw adds a hex dump of the bytes first (-xx). */
void sk_print_msg(FILE *out, const void *buf, size_t len, bool raw);

/* ------------------------------------------------------------------------
 * Running against a PF_KEY socket.  The operations are replaceable so
 * tests can run the whole program against a fake kernel, or prove that -n
 * opens nothing.
 */
struct sk_ops {
	int (*open)(void);
	void (*close)(int fd);
	int (*send)(int fd, const void *msg, size_t len);
	ssize_t (*recv)(int fd, void *buf, size_t cap);
	/* Whether the socket's kernel is kipsec, the only one that honours
	 * SADB_X_EXT_KIPSEC_SA (Linux af_key skips unknown extensions without
	 * a word).  NULL: assume it is. */
	bool (*is_kipsec)(void);
};

extern const struct sk_ops sk_default_ops;

struct sk_run_opts {
	const struct sk_ops *ops;
	FILE *out, *err;
	bool verbose;		/* -v */
	bool all;		/* -a: dead SAs too */
	int monitor;		/* -x count: 1 readable, 2 raw too */
	unsigned monitor_max;	/* stop after this many messages (tests); 0 = forever */
	struct sk_print_opts print;
};

/* Sends every statement; reports refusals as "FILE:LINE: kind: error".
 * Returns 0 if all succeeded, 1 otherwise. */
int sk_run(const struct sk_prog *prog, const struct sk_run_opts *o);
/* -D / -DP: returns 0 or 1. */
int sk_run_dump(const struct sk_run_opts *o, bool policy, uint8_t satype);
/* -F / -FP */
int sk_run_flush(const struct sk_run_opts *o, bool policy);
/* -x */
int sk_run_monitor(const struct sk_run_opts *o);

/* The program: parses argv, returns the exit status.  in is used for -c. */
int setkey_main(int argc, char **argv, const struct sk_ops *ops, FILE *in,
		FILE *out, FILE *err);

#endif /* SETKEY_SETKEY_H */
