// SPDX-License-Identifier: BSD-2-Clause
/*
 * libpfkey — the one place that builds and parses PF_KEY v2 (RFC 2367)
 * messages, with Linux's ABI (<linux/pfkeyv2.h>, <linux/ipsec.h>).
 *
 * Used by setkey, ikd and the fuzz targets.  See libpfkey(3).
 *
 * Conventions:
 *  - Functions returning int return 0 (or a length) on success and a
 *    negative errno on failure.
 *  - Numbers inside messages are in host order except SPIs and ports,
 *    which are in network order as on the wire (suffix _net).
 *  - Extension lengths in PF_KEY are in 8-byte units; the helpers here take
 *    and return bytes.
 */
#ifndef KIPSEC_LIBPFKEY_H
#define KIPSEC_LIBPFKEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <linux/pfkeyv2.h>
#include <linux/ipsec.h>
#include <kipsec/pfkey_ext.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------
 * Sizes
 */

/* PF_KEY lengths count 64-bit words. */
#define PFKEY_UNIT		8u
#define PFKEY_ALIGN8(n)		(((n) + 7u) & ~(size_t)7u)
#define PFKEY_UNIT64(bytes)	((bytes) / PFKEY_UNIT)
#define PFKEY_BYTES(units)	((size_t)(units) * PFKEY_UNIT)

/* Largest message PF_KEY can express (sadb_msg_len is 16 bits of units). */
#define PFKEY_MSG_MAX		((size_t)0xffff * PFKEY_UNIT)

/* A receive buffer that always holds one whole message. */
#define PFKEY_RECV_BUFSIZE	PFKEY_MSG_MAX

/* Slots in struct pfkey_msg.ext[]: Linux's SADB_EXT_MAX (26) plus room
 * for kipsec's own extensions, which are numbered above it. */
#define PFKEY_EXT_SLOTS		64

/* Highest extension type the parser accepts; types above it, and those
 * between Linux's SADB_EXT_MAX (26) and kipsec's SADB_X_EXT_KIPSEC_BASE,
 * are rejected with EINVAL.  kipsec's own are in <kipsec/pfkey_ext.h>. */
#define PFKEY_EXT_KNOWN_MAX	SADB_X_EXT_KIPSEC_MAX

/* Highest sadb_msg_type the parser accepts (Linux: SADB_MAX). */
#define PFKEY_MSG_TYPE_MAX	SADB_MAX

/* Upper bound on sadb_x_ipsecrequest entries in one x_policy extension.
 * KAME/Linux bundles use at most ipcomp+esp+ah (XFRM_MAX_DEPTH is 6). */
#define PFKEY_POLICY_MAX_REQUESTS 8

/* Reqids at or below this are manual ("unique:N"); above it the kernel
 * chose them (Linux: IPSEC_MANUAL_REQID_MAX). */
#define PFKEY_MANUAL_REQID_MAX	IPSEC_MANUAL_REQID_MAX

/* Policy priorities as ipsec-tools spells them ("prio low|def|high").  A
 * policy string without a priority gets PFKEY_PRIORITY_DEFAULT; smaller
 * values are searched first. */
#define PFKEY_PRIORITY_HIGH	0x40000000u
#define PFKEY_PRIORITY_DEFAULT	0x80000000u
#define PFKEY_PRIORITY_LOW	0xc0000000u

/* SADB_X_EALG_CHACHA20_POLY1305 (IANA 28, a kipsec extension) comes from
 * <kipsec/pfkey_ext.h>. */

/* ------------------------------------------------------------------------
 * Algorithms: every id Linux's PF_KEY knows plus the names KAME setkey
 * uses.  The table in alg.c is the single source of truth.
 */
enum pfkey_alg_kind { PFKEY_ALG_AUTH, PFKEY_ALG_ENCRYPT, PFKEY_ALG_COMP };

struct pfkey_alg {
	const char *name;	/* KAME/setkey name: "3des-cbc", "hmac-sha2-256" */
	enum pfkey_alg_kind kind;
	uint8_t id;		/* SADB_EALG_*, SADB_AALG_*, SADB_X_CALG_* */
	uint16_t key_min_bits;	/* exact allowed key length range, in bits */
	uint16_t key_max_bits;	/* (min == max for fixed-size keys) */
	uint8_t key_step_bits;	/* increments between min and max; 0 = only
				 * min and max (aes-cbc uses 64: 128/192/256) */
	uint8_t icv_bytes;	/* AEAD ICV length, 0 otherwise */
	uint16_t sha2_icv_bits;	/* HMAC-SHA2: RFC 4868 ICV length, which
				 * kipsec lets an SA change (-icv); 0 for
				 * algorithms whose ICV is fixed */
	bool aead;		/* combined mode: no -A allowed with it */
	const char *aliases;	/* NULL or space-separated extra names */
	uint16_t ikev2_id;	/* IKEv2 transform id (RFC 7296 3.3.2: type 1
				 * ENCR_* for encryption, type 3 AUTH_* for
				 * authentication, IPCOMP_* for compression;
				 * ENCR_* are IKEv1's ESP ids too); 0: none */
	uint8_t salt_bits;	/* bits of salt/nonce at the end of the key
				 * (counted in key_*_bits, not in IKE's key
				 * length attribute): AES-GCM 32, AES-CCM 24 */
};

/* Lookup by KAME name or alias (case-sensitive, as in setkey). */
const struct pfkey_alg *pfkey_alg_by_name(enum pfkey_alg_kind kind,
					  const char *name);
/* Lookup by PF_KEY id; returns the canonical entry for that id. */
const struct pfkey_alg *pfkey_alg_by_id(enum pfkey_alg_kind kind,
					unsigned int id);
/* Lookup by IKEv2 transform id (the ikev2_id field); NULL if the table
 * has no algorithm for it.  The ids differ from PF_KEY's: IKEv2's
 * AUTH_HMAC_SHA2_256_128 (12) is SADB_X_AALG_SHA2_256HMAC (5). */
const struct pfkey_alg *pfkey_alg_by_ikev2(enum pfkey_alg_kind kind,
					   unsigned int ikev2_id);
/* Exact key length check (bits), honouring min/max/step. */
bool pfkey_alg_key_ok(const struct pfkey_alg *alg, unsigned int key_bits);
/* Iterate: for (a = pfkey_alg_first(); a; a = pfkey_alg_next(a)) */
const struct pfkey_alg *pfkey_alg_first(void);
const struct pfkey_alg *pfkey_alg_next(const struct pfkey_alg *alg);
/* Name for printing an id (setkey -D): the canonical name, or NULL. */
const char *pfkey_alg_name(enum pfkey_alg_kind kind, unsigned int id);

/* ------------------------------------------------------------------------
 * Bounds-checked builder.  Never writes past cap; on overflow err is set
 * to EMSGSIZE and every later add is a no-op returning -EMSGSIZE.
 */
struct pfkey_buf {
	uint8_t *data;
	size_t len;		/* bytes used */
	size_t cap;		/* bytes available at data */
	int err;		/* 0 or a positive errno, sticky */
	size_t start;		/* offset of the current sadb_msg (private) */
};

void pfkey_buf_init(struct pfkey_buf *b, void *mem, size_t cap);
/* Starts a message at the current end of the buffer (sadb_msg_version =
 * PF_KEY_V2).  Returns the header, or NULL if it did not fit. */
struct sadb_msg *pfkey_msg_begin(struct pfkey_buf *b, uint8_t type,
				 uint8_t satype, uint32_t seq, uint32_t pid);
/* Fills sadb_msg_len; returns 0 or -b->err (EMSGSIZE also if the message
 * exceeds PFKEY_MSG_MAX). */
int pfkey_msg_end(struct pfkey_buf *b);
/* Current message's start and length in bytes (valid after end). */
const struct sadb_msg *pfkey_buf_msg(const struct pfkey_buf *b);
size_t pfkey_buf_msglen(const struct pfkey_buf *b);

/* Extension adders: each returns 0 or -errno and pads to 8 bytes. */
int pfkey_add_sa(struct pfkey_buf *b, uint32_t spi_net, uint8_t replay,
		 uint8_t state, uint8_t auth, uint8_t encrypt, uint32_t flags);
/* exttype: SADB_EXT_ADDRESS_SRC/DST/PROXY or SADB_X_EXT_NAT_T_OA.
 * sa must be AF_INET or AF_INET6 (-EAFNOSUPPORT otherwise).  prefixlen
 * 0xff means "full host" (32 or 128).  proto is IPSEC_ULPROTO_ANY or an
 * IP protocol number. */
int pfkey_add_address(struct pfkey_buf *b, uint16_t exttype,
		      const struct sockaddr *sa, uint8_t prefixlen,
		      uint8_t proto);
/* exttype: SADB_EXT_KEY_AUTH or SADB_EXT_KEY_ENCRYPT. */
int pfkey_add_key(struct pfkey_buf *b, uint16_t exttype, const void *key,
		  size_t keylen_bytes);
/* exttype: SADB_EXT_LIFETIME_CURRENT/HARD/SOFT. */
int pfkey_add_lifetime(struct pfkey_buf *b, uint16_t exttype,
		       uint32_t allocations, uint64_t bytes, uint64_t addtime,
		       uint64_t usetime);
int pfkey_add_sa2(struct pfkey_buf *b, uint8_t mode, uint32_t reqid,
		  uint32_t seq);
/* min/max in host order (as Linux af_key reads them). */
int pfkey_add_spirange(struct pfkey_buf *b, uint32_t min, uint32_t max);
/* policy_blob: an sadb_x_policy as made by ipsec_set_policy(); len in
 * bytes, must equal the blob's own sadb_x_policy_len. */
int pfkey_add_policy(struct pfkey_buf *b, const void *policy_blob,
		     size_t len);
/* Any pre-built extension (its sadb_ext_len must say len bytes rounded
 * up to 8; the padding is zeroed). */
int pfkey_add_raw(struct pfkey_buf *b, const void *ext, size_t len);
int pfkey_add_nat_t_type(struct pfkey_buf *b, uint8_t type);
/* exttype: SADB_X_EXT_NAT_T_SPORT or SADB_X_EXT_NAT_T_DPORT. */
int pfkey_add_nat_t_port(struct pfkey_buf *b, uint16_t exttype,
			 uint16_t port_net);
/* exttype: SADB_EXT_IDENTITY_SRC/DST; id may be NULL (no string). */
int pfkey_add_ident(struct pfkey_buf *b, uint16_t exttype, uint16_t type,
		    uint64_t id_num, const char *id);
/* kipsec's per-SA extension (SADB_X_EXT_KIPSEC_SA): replay window in
 * packets, KIPSEC_SA_F_* flags, ICV bits (0 = RFC default). */
int pfkey_add_kipsec_sa(struct pfkey_buf *b, uint32_t replay, uint16_t flags,
			uint16_t icvbits);
/* SADB_X_EXT_SEC_CTX with an LSM context string of ctx_len bytes. */
int pfkey_add_sec_ctx(struct pfkey_buf *b, uint8_t alg, uint8_t doi,
		      const void *ctx, uint16_t ctx_len);
/* SADB_EXT_SUPPORTED_AUTH/ENCRYPT with n sadb_alg entries. */
int pfkey_add_supported(struct pfkey_buf *b, uint16_t exttype,
			const struct sadb_alg *algs, size_t n);
/* An x_policy with no requests (for SPDDELETE2/SPDGET by id, or a
 * non-ipsec policy): type IPSEC_POLICY_*, dir IPSEC_DIR_*. */
int pfkey_add_policy_hdr(struct pfkey_buf *b, uint16_t type, uint8_t dir,
			 uint32_t id, uint32_t priority);

/* One request of an ipsec policy, for pfkey_add_policy_reqs(). */
struct pfkey_policy_req {
	uint8_t proto;		/* IPPROTO_ESP, IPPROTO_AH or IPPROTO_COMP */
	uint8_t mode;		/* IPSEC_MODE_TRANSPORT or IPSEC_MODE_TUNNEL */
	uint8_t level;		/* IPSEC_LEVEL_DEFAULT .. IPSEC_LEVEL_UNIQUE */
	uint32_t reqid;
	/* Tunnel endpoints (AF_INET or AF_INET6, one family), or both NULL;
	 * tunnel mode needs them. */
	const struct sockaddr *src, *dst;
};

/* An x_policy with the n requests req[] (at most
 * PFKEY_POLICY_MAX_REQUESTS, only for type IPSEC_POLICY_IPSEC), built from
 * values rather than a policy string; -EINVAL for anything the parser
 * would refuse. */
int pfkey_add_policy_reqs(struct pfkey_buf *b, uint16_t type, uint8_t dir,
			  uint32_t id, uint32_t priority,
			  const struct pfkey_policy_req *req, size_t n);

/* ------------------------------------------------------------------------
 * Parser: validates once (af_key style), then callers may trust ext[].
 */
struct pfkey_msg {
	const struct sadb_msg *hdr;
	const struct sadb_ext *ext[PFKEY_EXT_SLOTS];	/* by type; NULL if absent */
	size_t len;					/* bytes */
};

/* Returns 0 or -errno: -EMSGSIZE when the buffer is shorter than a
 * sadb_msg or sadb_msg_len disagrees with len; -EINVAL for everything
 * else that is malformed (as Linux af_key does).  Pure: no I/O, no
 * allocation.  buf should be 8-byte aligned (sockaddrs inside are then
 * aligned for the accessors below). */
int pfkey_parse(const void *buf, size_t len, struct pfkey_msg *out);
/* Thread-local text naming what was wrong in the last failed parse, e.g.
 * "extension 5 (address_src): sockaddr length 8 < 16 for AF_INET".
 * "" after a successful parse. */
const char *pfkey_parse_error(void);

/* Typed accessors, NULL if absent.  Only for messages from pfkey_parse. */
const struct sadb_ext *pfkey_msg_ext(const struct pfkey_msg *m,
				     uint16_t exttype);
const struct sadb_sa *pfkey_msg_sa(const struct pfkey_msg *m);
const struct sadb_address *pfkey_msg_address(const struct pfkey_msg *m,
					     uint16_t exttype);
const struct sockaddr *pfkey_address_sockaddr(const struct sadb_address *a);
/* Length of a sockaddr of family AF_INET/AF_INET6, 0 for others. */
socklen_t pfkey_sockaddr_len(const struct sockaddr *sa);
const struct sadb_key *pfkey_msg_key(const struct pfkey_msg *m,
				     uint16_t exttype);
/* Key bytes and their count ((sadb_key_bits + 7) / 8). */
const uint8_t *pfkey_key_data(const struct sadb_key *k, size_t *len_bytes);
const struct sadb_lifetime *pfkey_msg_lifetime(const struct pfkey_msg *m,
					       uint16_t exttype);
const struct sadb_x_sa2 *pfkey_msg_sa2(const struct pfkey_msg *m);
const struct sadb_x_policy *pfkey_msg_policy(const struct pfkey_msg *m);
const struct sadb_spirange *pfkey_msg_spirange(const struct pfkey_msg *m);
const struct sadb_supported *pfkey_msg_supported(const struct pfkey_msg *m,
						 uint16_t exttype);
/* The sadb_alg array of a supported extension; *n receives its count. */
const struct sadb_alg *pfkey_supported_algs(const struct sadb_supported *s,
					    size_t *n);
const struct sadb_prop *pfkey_msg_proposal(const struct pfkey_msg *m);
const struct sadb_comb *pfkey_prop_combs(const struct sadb_prop *p,
					 size_t *n);
const struct sadb_ident *pfkey_msg_ident(const struct pfkey_msg *m,
					 uint16_t exttype);
/* The identity string (NUL-terminated inside the extension, or NULL). */
const char *pfkey_ident_string(const struct sadb_ident *id);
const struct sadb_x_nat_t_type *pfkey_msg_nat_t_type(const struct pfkey_msg *m);
const struct sadb_x_nat_t_port *pfkey_msg_nat_t_port(const struct pfkey_msg *m,
						     uint16_t exttype);
const struct sadb_x_sec_ctx *pfkey_msg_sec_ctx(const struct pfkey_msg *m);
const struct sadb_x_kipsec_sa *pfkey_msg_kipsec_sa(const struct pfkey_msg *m);

/* Walk the requests of a validated x_policy: pass prev = NULL for the
 * first; returns NULL after the last. */
const struct sadb_x_ipsecrequest *
pfkey_policy_next_request(const struct sadb_x_policy *p,
			  const struct sadb_x_ipsecrequest *prev);
/* Tunnel endpoints of a request; both NULL (and returns -ENOENT) if the
 * request carries none. */
int pfkey_request_addrs(const struct sadb_x_ipsecrequest *r,
			const struct sockaddr **src,
			const struct sockaddr **dst);

/* Checks one sadb_x_policy blob on its own (same rules as the parser). */
int pfkey_policy_validate(const void *blob, size_t len);

/* ------------------------------------------------------------------------
 * Socket I/O
 */
int pfkey_open(void);		/* socket(PF_KEY, SOCK_RAW, PF_KEY_V2) or -errno */
void pfkey_close(int fd);
int pfkey_send(int fd, const void *msg, size_t len);	/* 0 or -errno */
/* One whole message; -EMSGSIZE if it did not fit (it is consumed). */
ssize_t pfkey_recv(int fd, void *buf, size_t cap);
/* Sends msg and waits for the reply with the same seq/pid/type, skipping
 * unrelated messages (SPDDELETE answers SPDDELETE2, as af_key does).
 * Returns the reply length or -errno (the reply's sadb_msg_errno negated;
 * -EMSGSIZE if the reply did not fit; -ETIMEDOUT after 10 s). */
ssize_t pfkey_request(int fd, const void *msg, size_t len, void *reply,
		      size_t cap);
/* Sends SADB_DUMP or SADB_X_SPDDUMP and calls cb for each reply until
 * sadb_msg_seq == 0.  A non-zero cb return stops the walk (the rest of
 * the dump is drained) and is returned.  -ENOENT from the kernel (empty
 * table) returns 0 with no callbacks. */
int pfkey_dump(int fd, uint8_t type, uint8_t satype,
	       int (*cb)(const struct pfkey_msg *m, void *arg), void *arg);
/* Sequence numbers pfkey_request/pfkey_dump use (monotonic per process). */
uint32_t pfkey_next_seq(void);

/* ------------------------------------------------------------------------
 * Names for printing (KAME's spellings).  Unknown values give "unknown"
 * (never NULL).
 */
const char *pfkey_msg_type_name(unsigned int type);	/* "ADD", "X_SPDDUMP" */
const char *pfkey_satype_name(unsigned int satype);	/* "esp", "ah", "ipcomp" */
const char *pfkey_ext_name(unsigned int exttype);	/* "address_src" */
const char *pfkey_mode_name(unsigned int mode);		/* "any", "transport", "tunnel" */
const char *pfkey_state_name(unsigned int state);	/* "larval", "mature" */
const char *pfkey_dir_name(unsigned int dir);		/* "in", "out", "fwd" */
const char *pfkey_policy_type_name(unsigned int type);	/* "discard", "ipsec" */
const char *pfkey_level_name(unsigned int level);	/* "default", "use" */
/* Reverse lookups for parsers: -1 if unknown. */
int pfkey_satype_by_name(const char *name);
int pfkey_mode_by_name(const char *name);

/* satype <-> IP protocol (SADB_SATYPE_ESP <-> IPPROTO_ESP); 0 if none. */
unsigned int pfkey_satype_to_proto(unsigned int satype);
unsigned int pfkey_proto_to_satype(unsigned int proto);

/* ------------------------------------------------------------------------
 * KAME policy strings, ipsec_set_policy(3):
 *   "in discard", "out none", "in bypass", "out entrust",
 *   "out ipsec esp/transport//require ah/tunnel/1.2.3.4-5.6.7.8/unique:12",
 *   "fwd priority 10 ipsec ..." (also "prio", ipsec-tools' forms).
 * Results are malloc'd sadb_x_policy blobs (free() them).
 */
char *ipsec_set_policy(const char *policy, int len);
int ipsec_get_policylen(const char *policy_blob);
/* KAME format; delimiter NULL means " ".  malloc'd. */
char *ipsec_dump_policy(const char *policy_blob, const char *delimiter);
const char *ipsec_strerror(void);

/* Like ipsec_set_policy() but reports where: on error returns NULL and
 * sets *err_offset to the byte offset in text where the problem starts
 * and *err_text to a static message (either pointer may be NULL).  On
 * success, *err_offset = 0, *err_text = NULL. */
char *pfkey_policy_parse(const char *text, size_t len, size_t *err_offset,
			 const char **err_text);

#ifdef __cplusplus
}
#endif

#endif /* KIPSEC_LIBPFKEY_H */
