/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ikd's configuration: racoon.conf(5) as ikd reads it (docs/ikd.conf.5).
 *
 * ikd_conf_load_file() parses a file (and what it includes) into the model
 * below, collecting every error and warning with its FILE:LINE:COL in a
 * struct ikd_diag; the model exists only if there was no error. Parsing is
 * pure apart from reading included files: the files the model names (keys,
 * certificates) are checked by ikd_conf_check_files(), as `ikd -n` does.
 *
 * Every value the admin wrote keeps its position (the *_pos fields), so
 * that the daemon can name the line when it refuses something later (a
 * legacy algorithm, an unusable identity). A position with line 0 means the
 * value was not written: it is racoon's default. Values a remote block
 * inherits keep the position of the parent's statement.
 *
 * Algorithms are enums whose values are the IANA numbers named below, so
 * that the protocol code can put them on the wire or map them to the
 * kernel's without tables of its own; every enum has a name function that
 * gives racoon's keyword back.
 */
#ifndef IKD_CONF_H
#define IKD_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "addr.h"
#include "diag.h"
#include "log.h"

/* ------------------------------------------------------------------------
 * Algorithms
 */

/*
 * Encryption, both phases: IKEv2 ENCR transform ids (RFC 7296 3.3.2), which
 * IKEv1's ESP transform ids share (RFC 2407 4.4.4). rc4 has only the IKEv1
 * ESP id; twofish only racoon's private one. Phase 1 of IKEv1 sends the
 * Oakley attribute value instead (ikd_encr_oakley()).
 */
enum ikd_encr {
	IKD_ENCR_DES_IV64 = 1,
	IKD_ENCR_DES = 2,
	IKD_ENCR_3DES = 3,
	IKD_ENCR_RC5 = 4,
	IKD_ENCR_IDEA = 5,
	IKD_ENCR_CAST = 6,		/* cast128 */
	IKD_ENCR_BLOWFISH = 7,
	IKD_ENCR_3IDEA = 8,
	IKD_ENCR_DES_IV32 = 9,
	IKD_ENCR_RC4 = 10,		/* IKEv1 ESP only */
	IKD_ENCR_NULL = 11,		/* null_enc */
	IKD_ENCR_AES_CBC = 12,		/* aes, rijndael */
	IKD_ENCR_AES_GCM_16 = 20,	/* ikd extension */
	IKD_ENCR_CAMELLIA_CBC = 23,
	IKD_ENCR_CHACHA20_POLY1305 = 28, /* ikd extension */
	IKD_ENCR_TWOFISH = 253,		/* racoon's private id */
};

/* Phase 1 hash_algorithm: IKEv1 hash attribute values (RFC 2409 App. A). */
enum ikd_hash {
	IKD_HASH_MD5 = 1,
	IKD_HASH_SHA1 = 2,
	IKD_HASH_TIGER = 3,
	IKD_HASH_SHA2_256 = 4,
	IKD_HASH_SHA2_384 = 5,
	IKD_HASH_SHA2_512 = 6,
};

/* Phase 1 authentication_method: every method racoon knows, stored as
 * written; the protocol code decides which it implements. */
enum ikd_auth_method {
	IKD_AUTH_PSK = 1,		/* pre_shared_key */
	IKD_AUTH_DSS_SIG,		/* dsssig */
	IKD_AUTH_RSA_SIG,		/* rsasig */
	IKD_AUTH_RSA_ENC,		/* rsaenc */
	IKD_AUTH_RSA_REV,		/* rsarev */
	IKD_AUTH_GSSAPI_KRB,		/* gssapi_krb */
	IKD_AUTH_HYBRID_RSA_SERVER,
	IKD_AUTH_HYBRID_RSA_CLIENT,
	IKD_AUTH_HYBRID_DSS_SERVER,
	IKD_AUTH_HYBRID_DSS_CLIENT,
	IKD_AUTH_XAUTH_PSK_SERVER,
	IKD_AUTH_XAUTH_PSK_CLIENT,
	IKD_AUTH_XAUTH_RSA_SERVER,
	IKD_AUTH_XAUTH_RSA_CLIENT,
};

/* Phase 2 authentication_algorithm: IKEv1 IPsec "Authentication Algorithm"
 * attribute values (RFC 2407 4.5); non_auth is 0, which is also IKEv2's
 * AUTH_NONE. */
enum ikd_p2auth {
	IKD_P2AUTH_NON_AUTH = 0,
	IKD_P2AUTH_HMAC_MD5 = 1,
	IKD_P2AUTH_HMAC_SHA1 = 2,
	IKD_P2AUTH_DES_MAC = 3,
	IKD_P2AUTH_KPDK = 4,
	IKD_P2AUTH_HMAC_SHA2_256 = 5,
	IKD_P2AUTH_HMAC_SHA2_384 = 6,
	IKD_P2AUTH_HMAC_SHA2_512 = 7,
};

/* compression_algorithm: IPCOMP transform ids (RFC 2407 4.4.5). */
enum ikd_comp {
	IKD_COMP_OUI = 1,
	IKD_COMP_DEFLATE = 2,
	IKD_COMP_LZS = 3,
};

/* Diffie-Hellman groups are their IANA numbers (the same for IKEv1 and
 * IKEv2): 1, 2, 3, 4, 5, 14-18 as racoon, 19-21 and 31 as ikd extensions.
 * 0: none (no PFS). */
#define IKD_DH_NONE	0

/* One algorithm of a proposal or of a sainfo list. */
struct ikd_alg {
	uint16_t id;		/* enum ikd_encr, ikd_p2auth or ikd_comp */
	uint16_t keylen;	/* bits; 0 for a fixed-length key; the
				 * algorithm's default when not written */
	struct ikd_pos pos;
};

/* racoon's keyword for a value, or NULL if there is none. */
const char *ikd_encr_name(unsigned int id);
const char *ikd_hash_name(unsigned int id);
const char *ikd_auth_method_name(unsigned int id);
const char *ikd_p2auth_name(unsigned int id);
const char *ikd_comp_name(unsigned int id);
/* "modp1024", "ecp256", "curve25519", ... for a DH group number. */
const char *ikd_dh_name(unsigned int group);
/* IKEv1 Oakley encryption attribute value (RFC 2409 App. A) of a phase 1
 * algorithm, or 0. */
unsigned int ikd_encr_oakley(unsigned int id);
/* Is it an AEAD (no authentication_algorithm needed)? */
bool ikd_encr_is_aead(unsigned int id);

/* ------------------------------------------------------------------------
 * Identities
 */
enum ikd_id_type {
	IKD_ID_NONE = 0,
	IKD_ID_ADDRESS,
	IKD_ID_FQDN,
	IKD_ID_USER_FQDN,
	IKD_ID_KEYID,
	IKD_ID_ASN1DN,
};

/* my_identifier, peers_identifier, sainfo's "from". */
struct ikd_id {
	enum ikd_id_type type;
	/* The value as written, or NULL when left out: address then means
	 * the local address of the exchange, asn1dn the certificate's
	 * subject. keyid: with key_file, the value is a file holding the key
	 * id (racoon's default, "keyid file"), made absolute against the
	 * directory of the file that names it; else the id itself ("keyid
	 * tag"). asn1dn of peers_identifier may hold '*' wildcards. */
	char *value;
	bool key_file;
	struct ikd_addr addr;	/* IKD_ID_ADDRESS with a value */
	struct ikd_pos pos;
};

/* ------------------------------------------------------------------------
 * remote blocks (phase 1)
 */
enum ikd_ike_version {
	IKD_IKEV1 = 1,
	IKD_IKEV2 = 2,
};

/* ISAKMP exchange types (RFC 2408 3.1). */
enum ikd_exchange_mode {
	IKD_XMODE_BASE = 1,
	IKD_XMODE_MAIN = 2,		/* identity protection */
	IKD_XMODE_AGGRESSIVE = 4,
};

/* on / off / force (nat_traversal, ike_frag, rekey). */
enum ikd_tristate {
	IKD_OFF = 0,
	IKD_ON = 1,
	IKD_FORCE = 2,
};

enum ikd_generate_policy {
	IKD_GENPOL_OFF = 0,
	IKD_GENPOL_REQUIRE = 1,		/* "on" or "require" */
	IKD_GENPOL_UNIQUE = 2,
};

enum ikd_proposal_check {
	IKD_PCHECK_OBEY,
	IKD_PCHECK_STRICT,		/* racoon's default */
	IKD_PCHECK_CLAIM,
	IKD_PCHECK_EXACT,
};

struct ikd_p1_proposal {
	struct ikd_pos pos;		/* of 'proposal' */
	struct ikd_alg encr;		/* enum ikd_encr */
	enum ikd_hash hash;
	struct ikd_pos hash_pos;
	enum ikd_auth_method auth_method;
	struct ikd_pos auth_method_pos;
	unsigned int dh_group;
	struct ikd_pos dh_group_pos;
	uint32_t lifetime;		/* seconds; 0: the remote's */
	struct ikd_pos lifetime_pos;
};

#define IKD_MAX_XMODES	3

/* racoon's defaults (remoteconf.c newrmconf(), oakley.h). */
#define IKD_P1_LIFETIME_DEFAULT		28800	/* seconds */
#define IKD_NONCE_SIZE_DEFAULT		16
#define IKD_DPD_RETRY_DEFAULT		5
#define IKD_DPD_MAXFAIL_DEFAULT		5

struct ikd_remote {
	struct ikd_remote *next;
	struct ikd_pos pos;		/* of 'remote' */
	/* How the block is selected: by a peer address (addr, family not 0),
	 * as the fallback (anonymous) or only by name. A port of 0 matches
	 * any port. */
	char *name;			/* remote "name", or NULL */
	bool anonymous;
	struct ikd_addr addr;		/* remote ADDR or remote_address */
	struct ikd_pos addr_pos;
	struct ikd_pos inherit_pos;	/* line 0: no 'inherit' */

	enum ikd_ike_version ike_version;
	struct ikd_pos ike_version_pos;	/* line 0: implied (IKEv1) */
	enum ikd_exchange_mode xmode[IKD_MAX_XMODES];	/* first: initiator's */
	unsigned int n_xmode;
	struct ikd_pos xmode_pos;

	struct ikd_id my_id;		/* type ADDRESS, no value, by default */
	struct ikd_id *peers_id;	/* alternatives; none: not checked */
	size_t n_peers_id;
	bool verify_identifier;
	struct ikd_pos verify_identifier_pos;
	char *xauth_login;
	struct ikd_pos xauth_login_pos;
	/* interface NAME: a kipsec interface (route-based, no SPD); "":
	 * none. Linux's names are at most 15 bytes (IFNAMSIZ - 1). */
	char ifname[16];
	struct ikd_pos ifname_pos;
	/* interface NAME { local P...; remote P...; }: the child SAs'
	 * selectors ([0] local, [1] remote), address prefixes; a side with
	 * none: 0.0.0.0/0 and ::/0. */
	struct ikd_prefix kif_ts[2][IKD_KIF_MAX_TS];
	uint8_t n_kif_ts[2];

	/* certificate_type x509 "cert" "key": as written, and resolved
	 * against `path certificate` (or the directory of the file that says
	 * it when there is none). */
	char *cert_file, *key_file;
	char *cert_path, *key_path;
	struct ikd_pos cert_pos;
	char *peers_cert_file, *peers_cert_path;	/* peers_certfile x509 */
	struct ikd_pos peers_cert_pos;
	char *ca_file, *ca_path;			/* ca_type x509 */
	struct ikd_pos ca_pos;
	bool verify_cert, send_cert, send_cr, match_empty_cr;
	struct ikd_pos verify_cert_pos, send_cert_pos, send_cr_pos,
		       match_empty_cr_pos;

	unsigned int nonce_size;	/* bytes */
	struct ikd_pos nonce_size_pos;
	bool passive;
	struct ikd_pos passive_pos;
	enum ikd_tristate ike_frag;
	struct ikd_pos ike_frag_pos;
	enum ikd_generate_policy generate_policy;
	struct ikd_pos generate_policy_pos;
	bool support_proxy;
	struct ikd_pos support_proxy_pos;
	bool initial_contact;
	struct ikd_pos initial_contact_pos;
	enum ikd_tristate nat_traversal;
	struct ikd_pos nat_traversal_pos;
	bool dpd;			/* negotiate DPD */
	struct ikd_pos dpd_pos;
	uint32_t dpd_delay;		/* seconds; 0: no checks */
	struct ikd_pos dpd_delay_pos;
	uint32_t dpd_retry;		/* seconds */
	struct ikd_pos dpd_retry_pos;
	uint32_t dpd_maxfail;
	struct ikd_pos dpd_maxfail_pos;
	enum ikd_tristate rekey;
	struct ikd_pos rekey_pos;
	bool mode_cfg;
	struct ikd_pos mode_cfg_pos;
	bool weak_phase1_check;
	struct ikd_pos weak_phase1_check_pos;
	uint32_t ph1id;
	struct ikd_pos ph1id_pos;
	enum ikd_proposal_check proposal_check;
	struct ikd_pos proposal_check_pos;
	uint32_t lifetime;		/* seconds */
	struct ikd_pos lifetime_pos;

	struct ikd_p1_proposal *proposal;	/* in order of preference */
	size_t n_proposal;
};

/* ------------------------------------------------------------------------
 * sainfo blocks (phase 2)
 */
enum ikd_said_kind {
	IKD_SAID_ANONYMOUS = 0,
	IKD_SAID_ADDR,		/* address/subnet ADDR[/PLEN] [PORT] PROTO */
	IKD_SAID_RANGE,		/* address ADDR-ADDR [PORT] PROTO */
	IKD_SAID_NAME,		/* fqdn/user_fqdn/keyid "value" */
	IKD_SAID_CLIENTADDR,	/* remote side only */
};

/* One side of a sainfo (its local or its remote id). */
struct ikd_said {
	enum ikd_said_kind kind;
	bool subnet;		/* written as 'subnet' (ID type SUBNET) */
	enum ikd_id_type name_type;	/* IKD_SAID_NAME */
	char *name;
	struct ikd_addr addr;	/* port 0: any */
	struct ikd_addr addr_hi;	/* IKD_SAID_RANGE: last address */
	uint8_t plen;		/* prefix length (full when not written) */
	uint8_t proto;		/* upper-layer protocol, 0: any */
	struct ikd_pos pos;
};

/* racoon's default (IPSECDOI_ATTR_SA_LD_SEC_DEFAULT). */
#define IKD_P2_LIFETIME_DEFAULT		28800	/* seconds */

struct ikd_sainfo {
	struct ikd_sainfo *next;
	struct ikd_pos pos;		/* of 'sainfo' */
	struct ikd_said local, remote;
	struct ikd_id from;		/* type NONE: any peer */
	unsigned int pfs_group;		/* IKD_DH_NONE: no PFS */
	struct ikd_pos pfs_group_pos;
	uint32_t remoteid;		/* matches a remote's ph1id */
	struct ikd_pos remoteid_pos;
	uint32_t lifetime;		/* seconds */
	struct ikd_pos lifetime_pos;
	uint64_t lifebytes;		/* 0: no byte limit */
	struct ikd_pos lifebytes_pos;
	struct ikd_alg *encr;		/* enum ikd_encr, in order */
	size_t n_encr;
	struct ikd_alg *auth;		/* enum ikd_p2auth */
	size_t n_auth;
	struct ikd_alg *comp;		/* enum ikd_comp; none: no IPcomp */
	size_t n_comp;
};

/* ------------------------------------------------------------------------
 * The whole file
 */
struct ikd_listen {
	struct ikd_addr addr;		/* port: 500 or 4500 when not written */
	bool natt;			/* isakmp_natt: UDP_ENCAP_ESPINUDP */
	struct ikd_pos pos;
};

/* racoon's defaults (localconf.h). */
#define IKD_RETRY_COUNTER_DEFAULT	5
#define IKD_RETRY_INTERVAL_DEFAULT	10	/* seconds */
#define IKD_RETRY_PERSEND_DEFAULT	1
#define IKD_PHASE1_TIMEOUT_DEFAULT	15	/* seconds */
#define IKD_PHASE2_TIMEOUT_DEFAULT	10	/* seconds */
#define IKD_NATT_KEEPALIVE_DEFAULT	20	/* seconds */
#define IKD_PAD_MAXLEN_DEFAULT		20	/* bytes */

struct ikd_conf_file;		/* private: file names positions point to */

struct ikd_conf {
	/* path (absolute, or relative to the file that says it) */
	char *path_include, *path_psk, *path_cert, *path_pidfile;
	struct ikd_pos path_include_pos, path_psk_pos, path_cert_pos,
		       path_pidfile_pos;

	enum ikd_log_level log_level;	/* IKD_LOG_NOTIFY when not written */
	struct ikd_pos log_pos;

	/* listen; none: every address of the host */
	struct ikd_listen *listen;
	size_t n_listen;
	bool strict_address;
	struct ikd_pos strict_address_pos;
	/* ikd's own (IKEv2 responder under load, docs/ikd.conf.5): half-open
	 * IKE SAs from which on cookies are asked for, and how many one
	 * source address may have; 0: not written (the engine's default). */
	uint32_t cookie_threshold, half_open_per_source;
	struct ikd_pos cookie_threshold_pos, half_open_per_source_pos;
	/* The control socket: NULL and not disabled: ikd's default. Owner
	 * and group are names or numbers as written (checked by
	 * ikd_conf_check_files()); mode -1: not written. */
	char *adminsock, *adminsock_owner, *adminsock_group;
	int adminsock_mode;
	bool adminsock_disabled;
	struct ikd_pos adminsock_pos;

	/* timer */
	uint32_t retry_counter;
	uint32_t retry_interval;	/* seconds */
	uint32_t retry_persend;
	uint32_t phase1_timeout;	/* seconds */
	uint32_t phase2_timeout;	/* seconds */
	uint32_t natt_keepalive;	/* seconds; 0: none */
	struct ikd_pos retry_counter_pos, retry_interval_pos,
		       retry_persend_pos, phase1_timeout_pos,
		       phase2_timeout_pos, natt_keepalive_pos;

	/* padding (IKEv1) */
	bool pad_randomize, pad_randomize_length, pad_exclusive_tail,
	     pad_strict_check;
	uint32_t pad_maximum_length;
	struct ikd_pos pad_randomize_pos, pad_randomize_length_pos,
		       pad_exclusive_tail_pos, pad_strict_check_pos,
		       pad_maximum_length_pos;

	struct ikd_remote *remotes;	/* in file order */
	struct ikd_sainfo *sainfos;	/* in file order */

	struct ikd_conf_file *files;
};

/*
 * Parses @path and what it includes. 0 and *out set when there was no
 * error (warnings are fine), else -EINVAL (or -ENOMEM) with every problem
 * in @d and *out NULL.
 */
int ikd_conf_load_file(const char *path, struct ikd_conf **out,
		       struct ikd_diag *d);
/*
 * The same for text in memory, named @name in diagnostics. `include` is an
 * error here: a buffer has no directory to read other files from.
 * Relative paths stay as written.
 */
int ikd_conf_load_buffer(const char *name, const char *text, size_t len,
			 struct ikd_conf **out, struct ikd_diag *d);
void ikd_conf_free(struct ikd_conf *c);

/*
 * What `ikd -n` checks beyond the syntax: the pre-shared key file (there,
 * a regular file, owned by root or us, not accessible by group or others,
 * well-formed), the certificate directory, every certificate and private
 * key (they load with OpenSSL, the key matches its certificate), keyid
 * files, the admin socket's owner and group. Returns the number of errors
 * it added to @d.
 */
int ikd_conf_check_files(const struct ikd_conf *c, struct ikd_diag *d);

/*
 * The remote block for a peer: the one for its address (and port, when
 * both give one), else the anonymous one (for its port, else for any).
 * NULL: none. Blocks selected only by name are never returned.
 */
const struct ikd_remote *ikd_conf_find_remote(const struct ikd_conf *c,
					      const struct ikd_addr *peer);
const struct ikd_remote *ikd_conf_find_remote_by_name(const struct ikd_conf *c,
						      const char *name);

/*
 * The sainfo for a phase 2 negotiation, with racoon's precedence: among
 * the blocks whose remoteid is @remoteid, whose "from" (if any) is
 * @peer_id and whose ids match (anonymous matches anything; an address id
 * must equal the selector's address and prefix, its port and protocol
 * match when not "any"), the most specific one (remoteid, then "from",
 * then each non-anonymous side), the first in the file among equals.
 * @sel->src is the local side, @sel->dst the remote one. @peer_id may be
 * NULL (no "from" block matches then); @client is the peer's address or
 * its mode-cfg address for "clientaddr" (NULL: those never match).
 */
const struct ikd_sainfo *ikd_conf_find_sainfo(const struct ikd_conf *c,
					      const struct ikd_sel *sel,
					      const struct ikd_id *peer_id,
					      const struct ikd_addr *client,
					      uint32_t remoteid);

/* Short human name of a remote block ("anonymous", "192.0.2.1[500]",
 * "\"name\"") or of a sainfo ("anonymous 10.0.0.0/24[any] any"), for
 * logs. Returns @buf. */
const char *ikd_remote_str(const struct ikd_remote *r, char *buf, size_t len);
const char *ikd_sainfo_str(const struct ikd_sainfo *s, char *buf, size_t len);

#endif /* IKD_CONF_H */
