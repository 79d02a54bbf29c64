/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * racoon.conf(5) as ikd reads it (docs/ikd.conf.5).
 *
 * The statements ikd honours have rules of their own; the racoon
 * statements it only accepts (with a warning) and everything unknown go
 * through one generic shape, "WORD args ;" or "WORD args { ... }", which
 * conf_generic.c checks against racoon's table for the block it stands in.
 * Keywords that share a shape (the on/off switches of a remote block, the
 * algorithm classes) share a token whose value names the keyword, as
 * racoon's own grammar does.
 *
 * Errors: every block recovers at the next ';' or at its '}', so each
 * statement gets its own message and the rest of the file is still read.
 * Actions are one call each: the cb_*() builders validate and store.
 */
%code requires {
/* Complete in conf_int.h, which every user of this header includes
 * first (the generated header lives in the build directory). */
struct ikd_cv;
struct ikd_pos;
struct ikd_cparse;
}

%code provides {
int ikd_cfylex(IKD_CFYSTYPE *lval, IKD_CFYLTYPE *lloc, void *scanner);
}

%code top {
#include "conf_int.h"
}

%code {
#include <stdio.h>
#include <string.h>

/* A nonterminal's position is its first symbol's; an empty one takes the
 * position of the symbol before it. */
#define YYLLOC_DEFAULT(Cur, Rhs, N)					\
	do {								\
		if (N)							\
			(Cur) = YYRHSLOC(Rhs, 1);			\
		else							\
			(Cur) = YYRHSLOC(Rhs, 0);			\
	} while (0)

#define TK(v, l)	ikd_tk(p, &(v), &(l))
#define NOTK(l)		ikd_tk(p, NULL, &(l))
static struct ikd_tok *tkarr(struct ikd_cparse *p, size_t n);
static void yyerror(const YYLTYPE *loc, struct ikd_cparse *p, void *scanner,
		    const char *msg);
}

%define api.pure full
%define api.prefix {ikd_cfy}
%define api.token.prefix {T_}
%define api.value.type {struct ikd_cv}
%define api.location.type {struct ikd_pos}
%define parse.error custom
%locations
%parse-param {struct ikd_cparse *p} {void *scanner}
%lex-param {void *scanner}

%token END 0		"end of file"
%token WORD		"word"
%token STRING		"quoted string"
%token NUMBER		"number"
%token HEX		"hex number"
%token ADDR		"address"
%token PREFIX		"prefix length"
%token PORT		"[port]"
%token PATH		"path"
%token INCLUDE		"include"
%token LOG		"log"
%token PADDING		"padding"
%token LISTEN		"listen"
%token TIMER		"timer"
%token SAINFO		"sainfo"
%token REMOTE		"remote"
%token MODE_CFG		"mode_cfg"
%token PADKW		"padding statement"
%token ISAKMP		"isakmp"
%token ISAKMP_NATT	"isakmp_natt"
%token ADMINSOCK	"adminsock"
%token STRICT_ADDRESS	"strict_address"
%token TIMERKW		"timer statement"
%token LISTENKW	"listen statement"
%token ANONYMOUS	"anonymous"
%token CLIENTADDR	"clientaddr"
%token FROM		"from"
%token GROUP		"group"
%token PFS_GROUP	"pfs_group"
%token REMOTEID		"remoteid"
%token LIFETIME		"lifetime"
%token MY_IDENTIFIER	"my_identifier"
%token ALGCLASS		"algorithm statement"
%token INHERIT		"inherit"
%token REMOTE_ADDRESS	"remote_address"
%token EXCHANGE_MODE	"exchange_mode"
%token PEERS_IDENTIFIER	"peers_identifier"
%token XAUTH_LOGIN	"xauth_login"
%token INTERFACE	"interface"
%token CERTIFICATE_TYPE	"certificate_type"
%token PEERS_CERTFILE	"peers_certfile"
%token CA_TYPE		"ca_type"
%token DH_GROUP		"dh_group"
%token PROPOSAL		"proposal"
%token RVALUE		"remote statement"

%%

conf:	stmts
	;

stmts:	%empty
	| stmts stmt
	| stmts error ';'		{ yyerrok; }
	| stmts error '}'		{ yyerrok; }
	;

stmt:	PATH pathtype STRING ';'	{ cb_path(p, TK($2, @2), TK($3, @3)); }
	| INCLUDE STRING ';'		{ cb_include(p, TK($2, @2)); }
	| LOG WORD ';'			{ cb_log(p, TK($2, @2)); }
	| PADDING '{' pad_specs close
	| LISTEN '{' listen_specs close
	| TIMER '{' timer_specs close
	| remote
	| sainfo
	| MODE_CFG '{' ginner close	{ cb_modecfg_block(p, TK($1, @1), $3.ptr); }
	| gstmt				{ cb_generic(p, CTX_TOP, $1.ptr); }
	;

pathtype: WORD | INCLUDE ;

close:	'}'
	| error '}'			{ yyerrok; }
	;

	/* padding */
pad_specs: %empty
	| pad_specs pad_spec
	| pad_specs error ';'		{ yyerrok; }
	;
pad_spec: PADKW WORD ';'		{ cb_padding(p, TK($1, @1), TK($2, @2)); }
	| PADKW NUMBER ';'		{ cb_padding(p, TK($1, @1), TK($2, @2)); }
	| gstmt				{ cb_generic(p, CTX_PADDING, $1.ptr); }
	;

	/* listen */
listen_specs: %empty
	| listen_specs listen_spec
	| listen_specs error ';'	{ yyerrok; }
	;
listen_spec: ISAKMP ADDR port ';'	{ cb_listen(p, TK($1, @1), TK($2, @2), TK($3, @3)); }
	| ISAKMP_NATT ADDR port ';'	{ cb_listen(p, TK($1, @1), TK($2, @2), TK($3, @3)); }
	| ADMINSOCK WORD ';'		{ cb_adminsock(p, TK($1, @1), TK($2, @2), 1); }
	| ADMINSOCK STRING ';'		{ cb_adminsock(p, TK($1, @1), TK($2, @2), 1); }
	| ADMINSOCK STRING STRING STRING NUMBER ';'
		{
			struct ikd_tok *t = tkarr(p, 4);

			t[0] = *TK($2, @2); t[1] = *TK($3, @3);
			t[2] = *TK($4, @4); t[3] = *TK($5, @5);
			cb_adminsock(p, TK($1, @1), t, 4);
		}
	| STRICT_ADDRESS ';'		{ cb_strict_address(p, TK($1, @1)); }
	| LISTENKW NUMBER ';'		{ cb_listen_limit(p, TK($1, @1), TK($2, @2)); }
	| gstmt				{ cb_generic(p, CTX_LISTEN, $1.ptr); }
	;

port:	%empty				{ $$ = (struct ikd_cv){ 0 }; }
	| PORT
	;

	/* timer */
timer_specs: %empty
	| timer_specs timer_spec
	| timer_specs error ';'		{ yyerrok; }
	;
timer_spec: TIMERKW NUMBER unit ';'	{ cb_timer(p, TK($1, @1), TK($2, @2), TK($3, @3)); }
	| gstmt				{ cb_generic(p, CTX_TIMER, $1.ptr); }
	;

unit:	%empty				{ $$ = (struct ikd_cv){ 0 }; }
	| WORD
	;

lifetime: LIFETIME WORD NUMBER unit ';'
		{
			struct ikd_tok *t = tkarr(p, 4);

			t[0] = *TK($1, @1); t[1] = *TK($2, @2);
			t[2] = *TK($3, @3); t[3] = *TK($4, @4);
			$$.ptr = t;
		}
	;

	/* remote */
remote:	REMOTE				{ cb_remote_begin(p, TK($1, @1)); }
	rhead rinherit rbody
	;

rhead:	STRING				{ cb_remote_head(p, TK($1, @1), NOTK(@1)); }
	| ANONYMOUS port		{ cb_remote_head(p, TK($1, @1), TK($2, @2)); }
	| ADDR port			{ cb_remote_head(p, TK($1, @1), TK($2, @2)); }
	| error
	;

rinherit: %empty
	| INHERIT STRING		{ cb_remote_inherit(p, TK($1, @1), TK($2, @2), NOTK(@2)); }
	| INHERIT ANONYMOUS port	{ cb_remote_inherit(p, TK($1, @1), TK($2, @2), TK($3, @3)); }
	| INHERIT ADDR port		{ cb_remote_inherit(p, TK($1, @1), TK($2, @2), TK($3, @3)); }
	| INHERIT error
	;

rbody:	'{' rspecs close		{ cb_remote_end(p, TK($1, @1)); }
	| ';'				{ cb_remote_end(p, TK($1, @1)); }
	;

rspecs:	%empty
	| rspecs rspec
	| rspecs error ';'		{ yyerrok; }
	;

rspec:	REMOTE_ADDRESS ADDR port ';'	{ cb_remote_address(p, TK($1, @1), TK($2, @2), TK($3, @3)); }
	| EXCHANGE_MODE words ';'	{ cb_exchange_mode(p, TK($1, @1), $2.ptr); }
	| MY_IDENTIFIER idspec ';'	{ cb_my_identifier(p, TK($1, @1), $2.ptr); }
	| PEERS_IDENTIFIER idspec ';'	{ cb_peers_identifier(p, TK($1, @1), $2.ptr); }
	| XAUTH_LOGIN idval ';'		{ cb_xauth_login(p, TK($1, @1), TK($2, @2)); }
	| interface ';'
	| interface '{' kifspecs '}'
	| CERTIFICATE_TYPE WORD STRING STRING ';'
		{ cb_certificate_type(p, TK($1, @1), TK($2, @2), TK($3, @3), TK($4, @4)); }
	| CERTIFICATE_TYPE WORD STRING ';'
		{ cb_certificate_type(p, TK($1, @1), TK($2, @2), TK($3, @3), NOTK(@3)); }
	| PEERS_CERTFILE STRING ';'	{ cb_peers_certfile(p, TK($1, @1), NOTK(@1), TK($2, @2)); }
	| PEERS_CERTFILE WORD STRING ';' { cb_peers_certfile(p, TK($1, @1), TK($2, @2), TK($3, @3)); }
	| PEERS_CERTFILE WORD ';'	{ cb_peers_certfile(p, TK($1, @1), TK($2, @2), NOTK(@2)); }
	| CA_TYPE WORD STRING ';'	{ cb_ca_type(p, TK($1, @1), TK($2, @2), TK($3, @3)); }
	| RVALUE WORD ';'		{ cb_remote_value(p, TK($1, @1), TK($2, @2)); }
	| RVALUE NUMBER ';'		{ cb_remote_value(p, TK($1, @1), TK($2, @2)); }
	| MODE_CFG WORD ';'		{ cb_remote_value(p, TK($1, @1), TK($2, @2)); }
	| DH_GROUP dhval ';'		{ cb_remote_dh_group(p, TK($1, @1)); }
	| lifetime
		{
			struct ikd_tok *t = $1.ptr;

			cb_lifetime(p, CTX_REMOTE, &t[0], &t[1], &t[2], &t[3]);
		}
	| PROPOSAL			{ cb_proposal_begin(p, TK($1, @1)); }
	  '{' pspecs close		{ cb_proposal_end(p); }
	| gstmt				{ cb_generic(p, CTX_REMOTE, $1.ptr); }
	;

words:	WORD				{ $$.ptr = ikd_tk_append(NULL, TK($1, @1)); }
	| words WORD			{ $$.ptr = ikd_tk_append($1.ptr, TK($2, @2)); }
	| words ',' WORD		{ $$.ptr = ikd_tk_append($1.ptr, TK($3, @3)); }
	;

	/* TYPE [QUALIFIER] [VALUE] */
idspec:	WORD idval
		{
			struct ikd_tok *t = tkarr(p, 3);

			t[0] = *TK($1, @1); t[2] = *TK($2, @2);
			$$.ptr = t;
		}
	| WORD WORD idval
		{
			struct ikd_tok *t = tkarr(p, 3);

			t[0] = *TK($1, @1); t[1] = *TK($2, @2);
			t[2] = *TK($3, @3);
			$$.ptr = t;
		}
	;

idval:	%empty				{ $$ = (struct ikd_cv){ 0 }; }
	| STRING
	| ADDR
	;

dhval:	NUMBER | WORD ;

	/* proposal */
pspecs:	%empty
	| pspecs pspec
	| pspecs error ';'		{ yyerrok; }
	;

pspec:	ALGCLASS WORD keylen ';'	{ cb_proposal_alg(p, TK($1, @1), TK($2, @2), TK($3, @3)); }
	| DH_GROUP dhval ';'		{ cb_proposal_dh(p, TK($1, @1), TK($2, @2)); }
	| lifetime
		{
			struct ikd_tok *t = $1.ptr;

			cb_lifetime(p, CTX_PROPOSAL, &t[0], &t[1], &t[2], &t[3]);
		}
	| gstmt				{ cb_generic(p, CTX_PROPOSAL, $1.ptr); }
	;

keylen:	%empty				{ $$ = (struct ikd_cv){ 0 }; }
	| NUMBER
	;

	/* sainfo */
sainfo:	SAINFO				{ cb_sainfo_begin(p, TK($1, @1)); }
	sname sparam '{' sspecs close	{ cb_sainfo_end(p); }
	;

sname:	ANONYMOUS
		{
			cb_sainfo_side(p, 0, TK($1, @1));
			cb_sainfo_side(p, 1, TK($1, @1));
		}
	| ANONYMOUS CLIENTADDR
		{
			cb_sainfo_side(p, 0, TK($1, @1));
			cb_sainfo_side(p, 1, TK($2, @2));
		}
	| ANONYMOUS said
		{
			cb_sainfo_side(p, 0, TK($1, @1));
			cb_sainfo_side(p, 1, $2.ptr);
		}
	| said				{ cb_sainfo_side(p, 0, $1.ptr); }
	  sremote
	| error
	;

sremote: ANONYMOUS			{ cb_sainfo_side(p, 1, TK($1, @1)); }
	| CLIENTADDR			{ cb_sainfo_side(p, 1, TK($1, @1)); }
	| said				{ cb_sainfo_side(p, 1, $1.ptr); }
	;

	/* TYPE ADDR[-ADDR][/PLEN] [PORT] PROTO, or TYPE "value" */
said:	WORD ADDR prefix port proto
		{
			struct ikd_tok *t = tkarr(p, 6);

			t[0] = *TK($1, @1); t[1] = *TK($2, @2);
			t[3] = *TK($3, @3); t[4] = *TK($4, @4);
			t[5] = *TK($5, @5);
			$$.ptr = t;
		}
	| WORD ADDR '-' ADDR prefix port proto
		{
			struct ikd_tok *t = tkarr(p, 6);

			t[0] = *TK($1, @1); t[1] = *TK($2, @2);
			t[2] = *TK($4, @4); t[3] = *TK($5, @5);
			t[4] = *TK($6, @6); t[5] = *TK($7, @7);
			$$.ptr = t;
		}
	| WORD STRING
		{
			struct ikd_tok *t = tkarr(p, 6);

			t[0] = *TK($1, @1); t[1] = *TK($2, @2);
			$$.ptr = t;
		}
	;

interface: INTERFACE WORD		{ cb_interface(p, TK($1, @1), TK($2, @2)); }
	| INTERFACE STRING		{ cb_interface(p, TK($1, @1), TK($2, @2)); }
	;

	/* interface NAME { local 10.1.0.0/16; remote 10.2.0.0/16 ::/0; } */
kifspecs: %empty
	| kifspecs kifspec
	| kifspecs error ';'		{ yyerrok; }
	;

kifspec: kifside kifprefixes ';' ;

kifside: WORD				{ cb_interface_side(p, TK($1, @1)); }
	| REMOTE			{ cb_interface_side(p, TK($1, @1)); }
	;

kifprefixes: kifprefix
	| kifprefixes kifprefix
	;

kifprefix: ADDR prefix			{ cb_interface_ts(p, TK($1, @1), TK($2, @2)); }
	;

prefix:	%empty				{ $$ = (struct ikd_cv){ 0 }; }
	| PREFIX
	;

proto:	WORD | NUMBER ;

sparam:	%empty
	| FROM idspec			{ cb_sainfo_from(p, TK($1, @1), $2.ptr); }
	| GROUP STRING			{ cb_sainfo_group(p, TK($1, @1)); }
	;

sspecs:	%empty
	| sspecs sspec
	| sspecs error ';'		{ yyerrok; }
	;

sspec:	PFS_GROUP dhval ';'		{ cb_sainfo_pfs(p, TK($1, @1), TK($2, @2)); }
	| REMOTEID NUMBER ';'		{ cb_sainfo_remoteid(p, TK($1, @1), TK($2, @2)); }
	| lifetime
		{
			struct ikd_tok *t = $1.ptr;

			cb_lifetime(p, CTX_SAINFO, &t[0], &t[1], &t[2], &t[3]);
		}
	| ALGCLASS algs ';'		{ cb_sainfo_algs(p, TK($1, @1), $2.ptr); }
	| MY_IDENTIFIER idspec ';'	{ cb_sainfo_my_identifier(p, TK($1, @1)); }
	| gstmt				{ cb_generic(p, CTX_SAINFO, $1.ptr); }
	;

algs:	WORD keylen
		{
			$$.ptr = ikd_tk_append(ikd_tk_append(NULL, TK($1, @1)),
					       TK($2, @2));
		}
	| algs ',' WORD keylen
		{
			$$.ptr = ikd_tk_append(ikd_tk_append($1.ptr, TK($3, @3)),
					       TK($4, @4));
		}
	;

	/* Generic statements: checked by conf_generic.c. */
gstmt:	WORD gargs ';'			{ $$.ptr = cb_gstmt(p, TK($1, @1), $2.ptr, false, NULL); }
	| WORD gargs '{' ginner close	{ $$.ptr = cb_gstmt(p, TK($1, @1), $2.ptr, true, $4.ptr); }
	;

gargs:	%empty				{ $$.ptr = NULL; }
	| gargs garg			{ $$.ptr = ikd_tk_append($1.ptr, TK($2, @2)); }
	;

garg:	gword | STRING | NUMBER | HEX | ADDR | PREFIX | PORT | ',' | '-' ;

ginner:	%empty				{ $$.ptr = NULL; }
	| ginner gword gargs ';'
		{
			$$.ptr = cb_gstmt_append($1.ptr,
				cb_gstmt(p, TK($2, @2), $3.ptr, false, NULL));
		}
	| ginner error ';'		{ $$ = $1; yyerrok; }
	;

gword:	WORD | PATH | INCLUDE | LOG | PADDING | LISTEN | TIMER | SAINFO
	| REMOTE | MODE_CFG | PADKW | ISAKMP | ISAKMP_NATT | ADMINSOCK
	| STRICT_ADDRESS | TIMERKW | LISTENKW | ANONYMOUS | CLIENTADDR | FROM | GROUP
	| PFS_GROUP | REMOTEID | LIFETIME | MY_IDENTIFIER | ALGCLASS | INHERIT
	| REMOTE_ADDRESS | EXCHANGE_MODE | PEERS_IDENTIFIER | XAUTH_LOGIN
	| INTERFACE | CERTIFICATE_TYPE | PEERS_CERTFILE | CA_TYPE | DH_GROUP | PROPOSAL
	| RVALUE
	;

%%

static struct ikd_tok *tkarr(struct ikd_cparse *p, size_t n)
{
	return ikd_cp_alloc(p, n * sizeof(struct ikd_tok));
}

/* What a token kind is called in "expected ..." lists. */
static const char *sym_desc(yysymbol_kind_t k)
{
	switch (k) {
	case YYSYMBOL_YYEOF:		return "end of file";
	case YYSYMBOL_WORD:		return "a word";
	case YYSYMBOL_STRING:		return "a quoted string";
	case YYSYMBOL_NUMBER:		return "a number";
	case YYSYMBOL_ADDR:		return "an address";
	case YYSYMBOL_PREFIX:		return "a prefix length (/24)";
	case YYSYMBOL_PORT:		return "a port ([500])";
	case YYSYMBOL_PADKW:		return "a padding statement";
	case YYSYMBOL_TIMERKW:		return "a timer statement";
	case YYSYMBOL_LISTENKW:		return "a listen statement";
	case YYSYMBOL_ALGCLASS:		return "an algorithm statement";
	case YYSYMBOL_RVALUE:		return "a remote statement";
	default:			return yysymbol_name(k);
	}
}

/* The unexpected token as the admin wrote it. */
static void tok_text(struct ikd_cparse *p, yysymbol_kind_t k, char *buf,
		     size_t len)
{
	const char *t = p->last_text ? p->last_text : "";

	switch (k) {
	case YYSYMBOL_YYEOF:
		snprintf(buf, len, "end of file");
		break;
	case YYSYMBOL_STRING:
		snprintf(buf, len, "string \"%.60s%s\"", t,
			 strlen(t) > 60 ? "..." : "");
		break;
	case YYSYMBOL_NUMBER:
	case YYSYMBOL_ADDR:
	case YYSYMBOL_HEX:
	case YYSYMBOL_PREFIX:
	case YYSYMBOL_PORT:
		snprintf(buf, len, "%s %.60s", yysymbol_name(k), t);
		break;
	default:
		snprintf(buf, len, "'%.60s'", t);
		break;
	}
}

/* Only bison's "memory exhausted": syntax errors go to the function below. */
static void yyerror(const YYLTYPE *loc, struct ikd_cparse *p, void *scanner,
		    const char *msg)
{
	(void)scanner;
	ikd_cp_error(p, loc, "%s (the file nests too deeply)", msg);
}

static int yyreport_syntax_error(const yypcontext_t *ctx,
				 struct ikd_cparse *p, void *scanner)
{
	yysymbol_kind_t look = yypcontext_token(ctx);
	yysymbol_kind_t exp[YYNTOKENS];
	int n = yypcontext_expected_tokens(ctx, exp, YYNTOKENS);
	bool stmt_start = false;
	const struct ikd_keyword *kw = NULL;
	char found[128], want[256] = "", hint[128] = "";

	(void)scanner;
	if (p->oom)
		return 0;
	if (p->quiet_syntax) {
		p->quiet_syntax = false;
		return 0;
	}
	tok_text(p, look, found, sizeof(found));
	if (n > 0 && n <= 4) {
		size_t off = 0;

		off += (size_t)snprintf(want, sizeof(want), " (expected ");
		for (int i = 0; i < n && off < sizeof(want); i++)
			off += (size_t)snprintf(want + off, sizeof(want) - off,
						"%s%s", i == 0 ? "" :
						i == n - 1 ? " or " : ", ",
						sym_desc(exp[i]));
		if (off < sizeof(want))
			snprintf(want + off, sizeof(want) - off, ")");
	}
	/* Where a statement may begin, a keyword that cannot is probably in
	 * the wrong block: say where it goes instead of what may follow. */
	for (int i = 0; i < n; i++)
		if (exp[i] == YYSYMBOL_YYEOF || !strcmp(yysymbol_name(exp[i]),
							"'}'"))
			stmt_start = true;
	if (stmt_start && p->last_kw != KW_NONE && p->last_text)
		kw = ikd_keyword_find(p->last_text, strlen(p->last_text));
	if (kw && kw->home)
		snprintf(hint, sizeof(hint), ": %s belongs %s%s", kw->name,
			 kw->home, p->nbraces && !strcmp(kw->home,
			 "at the top level") ? " (is a '}' missing before "
			 "it?)" : "");
	if (look == YYSYMBOL_YYEOF && p->nbraces) {
		const struct ikd_pos *b = &p->braces[p->nbraces - 1];

		snprintf(hint, sizeof(hint), ": the '{' at %s%s%u:%u has no "
			 "'}'", b->file == yypcontext_location(ctx)->file ?
			 "" : b->file, b->file == yypcontext_location(ctx)->file
			 ? "" : ":", b->line, b->col);
	}
	ikd_cp_error(p, yypcontext_location(ctx), "unexpected %s%s%s", found,
		     hint[0] ? hint : want, "");
	return 0;
}

int ikd_conf_parse_run(struct ikd_cparse *p)
{
	return yyparse(p, p->scanner);
}
