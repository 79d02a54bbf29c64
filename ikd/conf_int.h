/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Inside the configuration parser: the state the scanner (conf_lex.l), the
 * grammar (conf_parse.y) and the builders (conf_build.c, conf_remote.c,
 * conf_sainfo.c, conf_kif.c, conf_generic.c) share. Not for the rest of ikd.
 *
 * The grammar's actions stay one line long: they hand tokens to a cb_*()
 * builder, which validates the value at its position and stores it in the
 * model. Every token's text lives in an arena freed when parsing ends, so
 * nothing leaks when bison discards tokens during error recovery.
 */
#ifndef IKD_CONF_INT_H
#define IKD_CONF_INT_H

#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf.h"

/* File names positions point to; freed with the configuration. */
struct ikd_conf_file {
	struct ikd_conf_file *next;
	char name[];
};

/* The value of every token and nonterminal. */
struct ikd_cv {
	int tok;		/* token kind (T_WORD, ...), or 0: absent */
	const char *s;		/* text: a word, a string's contents */
	uint64_t n;		/* NUMBER, PREFIX and PORT values */
	bool ovf;		/* the number did not fit */
	bool any;		/* PORT was [any] */
	int kw;			/* enum ikd_kw of a keyword token */
	void *ptr;		/* lists built by nonterminals */
};

/* Every keyword. Grouped tokens (a switch of remote, a timer value, an
 * algorithm class) carry theirs in ikd_cv.kw. */
enum ikd_kw {
	KW_NONE,
	KW_PATH, KW_INCLUDE, KW_LOG, KW_PADDING, KW_LISTEN, KW_TIMER,
	KW_SAINFO, KW_REMOTE, KW_MODE_CFG,
	/* padding */
	KW_RANDOMIZE, KW_RANDOMIZE_LENGTH, KW_EXCLUSIVE_TAIL, KW_STRICT_CHECK,
	KW_MAXIMUM_LENGTH,
	/* listen */
	KW_ISAKMP, KW_ISAKMP_NATT, KW_ADMINSOCK, KW_STRICT_ADDRESS,
	KW_COOKIE_THRESHOLD, KW_HALF_OPEN_PER_SOURCE,
	/* timer */
	KW_COUNTER, KW_PERSEND, KW_INTERVAL, KW_PHASE1, KW_PHASE2,
	KW_NATT_KEEPALIVE,
	/* sainfo */
	KW_ANONYMOUS, KW_CLIENTADDR, KW_FROM, KW_GROUP, KW_PFS_GROUP,
	KW_REMOTEID, KW_LIFETIME, KW_MY_IDENTIFIER,
	KW_ENCRYPTION_ALGORITHM, KW_AUTHENTICATION_ALGORITHM,
	KW_COMPRESSION_ALGORITHM, KW_HASH_ALGORITHM, KW_AUTHENTICATION_METHOD,
	/* remote */
	KW_INHERIT, KW_REMOTE_ADDRESS, KW_EXCHANGE_MODE, KW_PEERS_IDENTIFIER,
	KW_XAUTH_LOGIN, KW_INTERFACE, KW_CERTIFICATE_TYPE, KW_PEERS_CERTFILE, KW_CA_TYPE,
	KW_DH_GROUP, KW_PROPOSAL,
	KW_VERIFY_IDENTIFIER, KW_VERIFY_CERT, KW_SEND_CERT, KW_SEND_CR,
	KW_MATCH_EMPTY_CR, KW_PASSIVE, KW_SUPPORT_PROXY, KW_INITIAL_CONTACT,
	KW_DPD, KW_WEAK_PHASE1_CHECK,
	KW_IKE_FRAG, KW_NAT_TRAVERSAL, KW_REKEY, KW_GENERATE_POLICY,
	KW_PROPOSAL_CHECK,
	KW_NONCE_SIZE, KW_DPD_DELAY, KW_DPD_RETRY, KW_DPD_MAXFAIL, KW_PH1ID,
	KW_IKE_VERSION,
	KW_COUNT
};

struct ikd_keyword {
	const char *name;
	int token;		/* a token of conf_parse.h */
	enum ikd_kw kw;
	const char *home;	/* where it belongs, for "not allowed here" */
};

/* The keyword named by @s[0..len), or NULL. */
const struct ikd_keyword *ikd_keyword_find(const char *s, size_t len);
const char *ikd_kw_name(enum ikd_kw kw);

/* A source the scanner reads: the file given, or an included one. */
struct ikd_src {
	const char *file;	/* interned */
	char *dir;		/* for relative paths; NULL in a buffer */
	char *real;		/* realpath(), to refuse include cycles */
	void *buf;		/* flex's YY_BUFFER_STATE, once reading */
	char *text;		/* contents until then */
	size_t len;
	unsigned int line, col;	/* the scanner's position in it */
	int parent;		/* index of the source that included it */
	unsigned int depth;
};

#define IKD_INCLUDE_DEPTH	10	/* racoon's MAX_INCLUDE_DEPTH */
#define IKD_INCLUDE_FILES	256	/* files one configuration may read */
#define IKD_CONF_MAX_SIZE	(16u << 20)

struct ikd_arena;

/* A token kept for a builder: fixed-shape statements hand over arrays
 * of these (tok 0: that part was not written), lists a chain. */
struct ikd_tok {
	struct ikd_tok *next;
	struct ikd_tok *tail;	/* the list's last, kept in its head */
	int tok;		/* token kind: T_WORD, T_STRING, ... */
	struct ikd_cv v;
	struct ikd_pos pos;
};

struct ikd_gstmt {
	struct ikd_gstmt *next;
	struct ikd_gstmt *tail;	/* kept in the list's head */
	const char *name;
	struct ikd_pos pos;
	struct ikd_tok *args;
	bool block;
	struct ikd_gstmt *inner;
};

/* Where a generic statement stands. */
enum ikd_ctx {
	CTX_TOP, CTX_PADDING, CTX_LISTEN, CTX_TIMER, CTX_REMOTE, CTX_PROPOSAL,
	CTX_SAINFO,
};

struct ikd_cparse {
	struct ikd_conf *conf;
	struct ikd_diag *d;
	void *scanner;
	struct ikd_arena *arena;
	jmp_buf oom_jmp;	/* the scanner's fatal errors land here */
	bool oom;
	bool buffer_mode;

	struct ikd_src *src;	/* a stack; top: being read */
	size_t nsrc, capsrc;
	unsigned int nfiles;
	struct ikd_pos *braces;	/* every '{' not closed yet, for messages */
	size_t nbraces;
	const char *last_text;	/* of the last token, for messages */
	int last_kw;

	/* What the grammar is filling. */
	struct ikd_remote *remote;
	struct ikd_p1_proposal *prop;
	struct ikd_sainfo *sainfo;
	bool remote_xmode;	/* exchange_mode written in this block */
	size_t remote_errors;	/* errors before the block began */
	size_t sainfo_errors;
	size_t prop_errors;
	bool quiet_syntax;	/* the next syntax error is said already */
	int kif_side;		/* interface { local|remote ... }: 0 or 1 */
	struct ikd_remote **remote_tail;
	struct ikd_sainfo **sainfo_tail;
};

/* Allocation never fails here: out of memory unwinds to parse() in conf.c
 * through oom_jmp. The arena holds token texts and lists until parsing
 * ends; zeroed. */
void *ikd_cp_alloc(struct ikd_cparse *p, size_t n);
const char *ikd_cp_strndup(struct ikd_cparse *p, const char *s, size_t n);
void ikd_cp_arena_free(struct ikd_cparse *p);

/* Heap allocations for the model. ikd_cp_strdup(p, NULL) is NULL. */
void *ikd_cp_calloc(struct ikd_cparse *p, size_t n, size_t size);
char *ikd_cp_strdup(struct ikd_cparse *p, const char *s);
/* Grows *v (of *n elements of @size) by one zeroed element. */
void *ikd_cp_push(struct ikd_cparse *p, void **v, size_t *n, size_t size);

/* A file name positions may point to, owned by the configuration. */
const char *ikd_cp_intern(struct ikd_cparse *p, const char *name);

/* Diagnostics at a position. */
void ikd_cp_error(struct ikd_cparse *p, const struct ikd_pos *pos,
		  const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void ikd_cp_warn(struct ikd_cparse *p, const struct ikd_pos *pos,
		 const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* "… is accepted but has no effect in ikd" */
void ikd_cp_noeffect(struct ikd_cparse *p, const struct ikd_pos *pos,
		     const char *what);

/* The directory relative paths of the current source start from (NULL in
 * a buffer), and @path made absolute against it (arena). */
const char *ikd_cp_dir(struct ikd_cparse *p);
const char *ikd_cp_resolve(struct ikd_cparse *p, const char *dir,
			   const char *path);

/* Scanner (conf_lex.l). ikd_lex_open() owns @text from the call on, even
 * when it fails. */
int ikd_lex_open(struct ikd_cparse *p, const char *name, char *text,
		 size_t len, const char *dir, const char *real);
void ikd_lex_close(struct ikd_cparse *p);
void ikd_lex_include(struct ikd_cparse *p, const char *pattern,
		     const struct ikd_pos *pos);
/* Reads a whole file for the scanner; 0 or -errno. */
int ikd_read_file(const char *path, char **text, size_t *len);

/* Grammar (conf_parse.y) */
int ikd_conf_parse_run(struct ikd_cparse *p);

/* A token record in the arena; an absent token (v->tok 0) gives a record
 * with tok 0 and the position of the symbol before it. */
struct ikd_tok *ikd_tk(struct ikd_cparse *p, const struct ikd_cv *v,
		       const struct ikd_pos *pos);
/* Appends @t to @list (either may be NULL); returns the head. */
struct ikd_tok *ikd_tk_append(struct ikd_tok *list, struct ikd_tok *t);

/* Values (conf_value.c): each reports its own error and returns false. */
bool cv_switch(struct ikd_cparse *p, const struct ikd_tok *w, bool *out);
bool cv_u32(struct ikd_cparse *p, const struct ikd_tok *n, uint32_t min,
	    uint32_t max, const char *what, uint32_t *out);
bool cv_time(struct ikd_cparse *p, const struct ikd_tok *n,
	     const struct ikd_tok *unit, uint32_t *secs);
bool cv_bytes(struct ikd_cparse *p, const struct ikd_tok *n,
	      const struct ikd_tok *unit, uint64_t *bytes);
bool cv_addr(struct ikd_cparse *p, const struct ikd_tok *a,
	     struct ikd_addr *out);
/* An address with an optional [port] token (absent: port 0). */
bool cv_addr_port(struct ikd_cparse *p, const struct ikd_tok *a,
		  const struct ikd_tok *port, struct ikd_addr *out);
bool cv_dh(struct ikd_cparse *p, const struct ikd_tok *v, unsigned int *group);
/* An algorithm of @kw's class in phase 1 (a proposal) or 2 (a sainfo),
 * with its key length token (absent: the default). */
bool cv_alg(struct ikd_cparse *p, enum ikd_kw kw, bool phase1,
	    const struct ikd_tok *name, const struct ikd_tok *keylen,
	    struct ikd_alg *out);
/* my_identifier / peers_identifier / from: @t[0] type, @t[1] qualifier,
 * @t[2] value. */
bool cv_id(struct ikd_cparse *p, const struct ikd_tok *t, bool peers,
	   struct ikd_id *out);
void ikd_id_clear(struct ikd_id *id);
bool ikd_id_copy(struct ikd_cparse *p, struct ikd_id *dst,
		 const struct ikd_id *src);

/* Builders called by the grammar's actions (conf_build.c). */
void cb_path(struct ikd_cparse *p, const struct ikd_tok *type,
	     const struct ikd_tok *path);
void cb_include(struct ikd_cparse *p, const struct ikd_tok *path);
void cb_log(struct ikd_cparse *p, const struct ikd_tok *w);
void cb_padding(struct ikd_cparse *p, const struct ikd_tok *kw,
		const struct ikd_tok *v);
void cb_listen(struct ikd_cparse *p, const struct ikd_tok *kw,
	       const struct ikd_tok *addr, const struct ikd_tok *port);
/* adminsock: @t[0] path or 'disabled', t[1..3] owner, group, mode. */
void cb_adminsock(struct ikd_cparse *p, const struct ikd_tok *kw,
		  const struct ikd_tok *t, size_t n);
void cb_strict_address(struct ikd_cparse *p, const struct ikd_tok *kw);
void cb_listen_limit(struct ikd_cparse *p, const struct ikd_tok *kw,
		     const struct ikd_tok *n);
void cb_timer(struct ikd_cparse *p, const struct ikd_tok *kw,
	      const struct ikd_tok *n, const struct ikd_tok *unit);
void cb_lifetime(struct ikd_cparse *p, enum ikd_ctx ctx,
		 const struct ikd_tok *kw, const struct ikd_tok *type,
		 const struct ikd_tok *n, const struct ikd_tok *unit);

/* remote (conf_remote.c) */
void cb_remote_begin(struct ikd_cparse *p, const struct ikd_tok *kw);
/* remote STRING | anonymous [PORT] | ADDR [PORT] */
void cb_remote_head(struct ikd_cparse *p, const struct ikd_tok *v,
		    const struct ikd_tok *port);
void cb_remote_inherit(struct ikd_cparse *p, const struct ikd_tok *kw,
		       const struct ikd_tok *v, const struct ikd_tok *port);
void cb_remote_end(struct ikd_cparse *p, const struct ikd_tok *end);
void cb_remote_address(struct ikd_cparse *p, const struct ikd_tok *kw,
		       const struct ikd_tok *addr, const struct ikd_tok *port);
void cb_exchange_mode(struct ikd_cparse *p, const struct ikd_tok *kw,
		      const struct ikd_tok *words);
/* A switch, an on/off/force word or a number of a remote block. */
void cb_remote_value(struct ikd_cparse *p, const struct ikd_tok *kw,
		     const struct ikd_tok *v);
void cb_my_identifier(struct ikd_cparse *p, const struct ikd_tok *kw,
		      const struct ikd_tok *id);
void cb_peers_identifier(struct ikd_cparse *p, const struct ikd_tok *kw,
			 const struct ikd_tok *id);
void cb_xauth_login(struct ikd_cparse *p, const struct ikd_tok *kw,
		    const struct ikd_tok *v);
/* interface NAME (conf_kif.c): a kipsec interface instead of the SPD. */
void cb_interface(struct ikd_cparse *p, const struct ikd_tok *kw,
		  const struct ikd_tok *v);
/* interface NAME { local|remote PREFIX...; }: which side (@kw is
 * "local" or the remote keyword), then each prefix. */
void cb_interface_side(struct ikd_cparse *p, const struct ikd_tok *kw);
void cb_interface_ts(struct ikd_cparse *p, const struct ikd_tok *addr,
		     const struct ikd_tok *plen);
/* certificate_type / peers_certfile / ca_type: @type is x509,
 * plain_rsa, dnssec or absent; files absent when not written. */
void cb_certificate_type(struct ikd_cparse *p, const struct ikd_tok *kw,
			 const struct ikd_tok *type, const struct ikd_tok *f1,
			 const struct ikd_tok *f2);
void cb_peers_certfile(struct ikd_cparse *p, const struct ikd_tok *kw,
		       const struct ikd_tok *type, const struct ikd_tok *f);
void cb_ca_type(struct ikd_cparse *p, const struct ikd_tok *kw,
		const struct ikd_tok *type, const struct ikd_tok *f);
void cb_remote_dh_group(struct ikd_cparse *p, const struct ikd_tok *kw);
void cb_proposal_begin(struct ikd_cparse *p, const struct ikd_tok *kw);
void cb_proposal_end(struct ikd_cparse *p);
void cb_proposal_alg(struct ikd_cparse *p, const struct ikd_tok *kw,
		     const struct ikd_tok *name, const struct ikd_tok *keylen);
void cb_proposal_dh(struct ikd_cparse *p, const struct ikd_tok *kw,
		    const struct ikd_tok *v);

/* sainfo (conf_sainfo.c) */
void cb_sainfo_begin(struct ikd_cparse *p, const struct ikd_tok *kw);
/* @side 0: local, 1: remote. @id: anonymous or clientaddr (one token),
 * else an id: t[0] type, t[1] address or string, t[2] range end,
 * t[3] prefix, t[4] port, t[5] protocol. */
void cb_sainfo_side(struct ikd_cparse *p, int side, const struct ikd_tok *id);
void cb_sainfo_from(struct ikd_cparse *p, const struct ikd_tok *kw,
		    const struct ikd_tok *id);
void cb_sainfo_group(struct ikd_cparse *p, const struct ikd_tok *kw);
void cb_sainfo_end(struct ikd_cparse *p);
void cb_sainfo_pfs(struct ikd_cparse *p, const struct ikd_tok *kw,
		   const struct ikd_tok *v);
void cb_sainfo_remoteid(struct ikd_cparse *p, const struct ikd_tok *kw,
			const struct ikd_tok *n);
/* @list: a chain of WORDs, each maybe followed by its key length. */
void cb_sainfo_algs(struct ikd_cparse *p, const struct ikd_tok *kw,
		    const struct ikd_tok *list);
void cb_sainfo_my_identifier(struct ikd_cparse *p, const struct ikd_tok *kw);

/* Generic statements (conf_generic.c): racoon statements ikd accepts with
 * a warning, and everything unknown. */
struct ikd_gstmt *cb_gstmt(struct ikd_cparse *p, const struct ikd_tok *name,
			   struct ikd_tok *args, bool block,
			   struct ikd_gstmt *inner);
struct ikd_gstmt *cb_gstmt_append(struct ikd_gstmt *list,
				  struct ikd_gstmt *s);
void cb_generic(struct ikd_cparse *p, enum ikd_ctx ctx, struct ikd_gstmt *s);
/* mode_cfg { ... } at the top. */
void cb_modecfg_block(struct ikd_cparse *p, const struct ikd_tok *kw,
		      struct ikd_gstmt *inner);

/* Frees one block with what it owns (NULL is fine). */
void ikd_remote_free(struct ikd_remote *r);
void ikd_sainfo_free(struct ikd_sainfo *s);

#endif /* IKD_CONF_INT_H */
