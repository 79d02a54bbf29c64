/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The engine's insides, shared by its files and by nothing else:
 *
 *   ike_engine.c  the public entry points: receive (lookup, message IDs,
 *                 decryption, dispatch through the exchange tables),
 *                 acquire, expire, shutdown, foreach
 *   ike_sa.c      IKE SA life: create, find, destroy; key derivation;
 *                 sending requests and responses, retransmission; the
 *                 queue of requests waiting for the window
 *   ike_prop.c    proposals: build from configuration, choose, check, print
 *   ike_ts.c      traffic selectors: conversions, narrowing against the SPD,
 *                 generated policies
 *   ike_init.c    IKE_SA_INIT (state table)
 *   ike_auth.c    IKE_AUTH with pre-shared keys (state table)
 *   ike_auth_sig.c  IKE_AUTH's signatures and certificates (ike_sig.c
 *                 signs, ike_cert.c verifies), SIGNATURE_HASH_ALGORITHMS
 *   ike_child.c   child SAs: the SA/TS part of IKE_AUTH, CREATE_CHILD_SA
 *                 (state table), KEYMAT, kernel installation and removal
 *   ike_info.c    INFORMATIONAL: DELETE, liveness, error notifies (table);
 *                 dead peer detection
 *   ike_keylog.c  the debug-only Wireshark key table
 *   ike_dos.c     denial of service: stateless cookies (2.6), half-open
 *                 SAs by source address, rate-limited logs
 *   ike_frag.c    sealing and opening SK payloads, IKEv2 fragmentation
 *                 (RFC 7383): SKF fragments out, reassembly in
 */
#ifndef IKD_IKE_INT_H
#define IKD_IKE_INT_H

#include "ike.h"
#include "ike_crypto.h"
#include "ike_msg.h"

#define IKE_NONCE_LEN		32	/* ours: >= half of any PRF key (2.10) */
#define IKE_DEFAULT_LIFETIME	(8 * 3600)
#define IKE_DEFAULT_COUNTER	5
#define IKE_DEFAULT_INTERVAL_MS	10000
#define IKE_DEFAULT_HALF_OPEN_MS	30000
#define IKE_DEFAULT_MAX_HALF_OPEN	1024
#define IKE_MAX_COOKIE		64	/* 2.6: at most 64 bytes */
#define IKE_MAX_COOKIE_TRIES	3
#define IKE_SA_BUCKETS		256
#define IKE_SRC_BUCKETS		1024	/* responder SAs by peer address */
#define IKE_DEFAULT_COOKIE_THRESHOLD	10
#define IKE_DEFAULT_HALF_OPEN_PER_SOURCE	5
#define IKE_DEFAULT_DPD_RETRY	5	/* racoon's dpd_retry, seconds */
#define IKE_CHILD_MAX_TS	4	/* selectors we keep per side */
#define IKE_MAX_GEN_POLICIES	3	/* out, in, fwd */
#define IKE_CERTREQ_MAX		(20 * 8)	/* SHA-1s of up to 8 CAs */
#define IKE_REQID_BASE		16384	/* above KAME's manual reqids */
#define IKE_NATT_PORT		4500	/* RFC 3948 */

enum ike_state {
	IKE_ST_INIT_I,		/* initiator: IKE_SA_INIT request sent */
	IKE_ST_INIT_R,		/* responder: IKE_SA_INIT answered (half-open) */
	IKE_ST_AUTH_I,		/* initiator: IKE_AUTH request sent */
	IKE_ST_ESTABLISHED,
	IKE_ST_DELETING,	/* our DELETE of the IKE SA is out */
	IKE_ST_DEAD,		/* being freed */
};
#define IKE_ST_BIT(s)	(1u << (s))

enum ike_child_state {
	CHILD_ST_QUEUED,	/* waiting for its IKE SA or for the window */
	CHILD_ST_NEGOTIATING,	/* inbound SPI allocated, request out */
	CHILD_ST_INSTALLED,
	CHILD_ST_DELETING,	/* our DELETE is out */
};

/* What an outstanding request of ours is for. */
enum ike_req_kind {
	REQ_NONE,
	REQ_INIT,
	REQ_AUTH,
	REQ_CHILD,		/* CREATE_CHILD_SA for a new child */
	REQ_DEL_CHILD,
	REQ_DEL_IKE,
	REQ_LIVENESS,
	REQ_NOTIFY,		/* an error notify in INFORMATIONAL */
	REQ_REKEY_IKE,		/* CREATE_CHILD_SA rekeying the IKE SA */
};

struct ike_sa;
struct ike_frag_in;
struct ikev1_sa;

/* A negotiated transform set. */
struct ike_chosen {
	uint8_t num;		/* the proposal number */
	uint16_t encr, keybits, prf, integ, dh;
	bool esn;
	const struct ike_encr_info *encr_info;
	const struct ike_integ_info *integ_info;	/* NULL: none/AEAD */
	const struct ike_prf_info *prf_info;
};

struct ike_child {
	struct ike_child *next;
	struct ike_sa *ike;
	enum ike_child_state state;
	uint8_t proto;		/* IPPROTO_ESP or IPPROTO_AH */
	uint8_t mode;		/* IKD_MODE_* */
	uint32_t spi_in, spi_out;	/* network order */
	uint32_t reqid, seq;
	/* reqid from a unique-level policy; then our inbound SA's may be
	 * the inbound policy's (ikd_kernel_in_reqid()) */
	bool reqid_unique;
	uint32_t reqid_in;
	uint32_t pol_id;	/* the policy whose ACQUIRE made it (initiator) */
	/* Of kipsec interface ifname (ike_kif.c), whose endpoints its SAs
	 * take rather than the IKE SA's; "": of the SPD. */
	char ifname[16];
	struct ikd_addr kif_local, kif_remote;
	bool has_larval;	/* getspi done, SA not yet completed */
	bool in_installed, out_installed;
	struct ike_child_cfg cfg;
	struct ike_chosen ch;
	/* Our side (local) and the peer's (remote): what we propose as
	 * initiator, then what was agreed. */
	uint8_t nlocal, nremote;
	struct ike_ts local_ts[IKE_CHILD_MAX_TS], remote_ts[IKE_CHILD_MAX_TS];
	/* Transport mode, the peer behind a NAT: its address before the
	 * NAT (2.23.1), the inbound SA's NAT-OA; family 0 when unknown. */
	struct ikd_addr natt_oa;
	uint32_t gen_pol[IKE_MAX_GEN_POLICIES];	/* generated policies' ids */
	uint8_t ngen_pol;
	/* CREATE_CHILD_SA: the nonces and the PFS exchange. */
	struct ike_dh *dh;
	uint8_t ni[IKE_NONCE_MAX], nr[IKE_NONCE_MAX];
	size_t ni_len, nr_len;
	uint64_t established_ms;
	/* Rekeying (ike_rekey.c): the child this one replaces, and whether
	 * we started that exchange; the nonces above stay for 2.8.1. */
	struct ike_child *rekey_of;
	bool rekey_ours;
	bool redundant;		/* lost a simultaneous rekey (2.8.1) */
	/* Responder of a rekey: the outbound SA waits for the old child's
	 * DELETE (the initiator has the new inbound SA by then). */
	bool out_pending;
	struct ikd_kernel_sa out_sa;
	uint8_t out_keys[2 * IKE_MAX_KEY];
	struct ikd_timer *rekey_timer;	/* soft lifetime, then retries */
	unsigned int rekey_tries;
};

/* A request waiting for the window (window size 1, 2.3). */
struct ike_task {
	struct ike_task *next;
	enum ike_req_kind kind;
	struct ike_child *child;	/* REQ_CHILD, REQ_DEL_CHILD */
	uint16_t notify;		/* REQ_NOTIFY */
};

struct ike_keys {
	uint8_t d[IKE_MAX_PRF], pi[IKE_MAX_PRF], pr[IKE_MAX_PRF];
	uint8_t ai[IKE_MAX_KEY], ar[IKE_MAX_KEY];
	uint8_t ei[IKE_MAX_KEY], er[IKE_MAX_KEY];
	size_t prf_len, a_len, e_len;
};

struct ike_sa {
	struct ike_sa *next, *prev;	/* the engine's list */
	struct ike_sa *hnext;		/* hash bucket by our SPI */
	struct ike_sa *snext;		/* responder: bucket by peer address */
	struct ike_engine *eng;
	enum ike_state state;
	bool initiator;
	uint64_t spi_i, spi_r;
	struct ikd_addr local, remote;
	/* Shared by the IKE SAs of the same configuration (ike_sa_set_cfg):
	 * a copy of its own cost every IKE SA 1.4 KB. */
	const struct ike_peer_cfg *cfg;
	struct ike_id peer_id;		/* as authenticated (or expected) */
	struct ike_id my_id;

	struct ike_chosen ch;
	struct ike_dh *dh;
	uint16_t dh_group;		/* the group our KE uses */
	/* Both nonces, for the keys, AUTH and the first child's KEYMAT:
	 * ike_sa_new allocates them (IKE_NONCE_MAX each), the first response
	 * we send once established frees them (NULL then). */
	uint8_t *ni, *nr;
	size_t ni_len, nr_len;
	struct ike_keys k;
	bool have_keys;
	uint8_t cookie[IKE_MAX_COOKIE];
	size_t cookie_len;
	unsigned int cookie_tries;
	bool ke_retried;
	uint32_t peer_sig_hashes;	/* its SIGNATURE_HASH_ALGORITHMS bits */
	/* Both IKE_SA_INIT messages, which AUTH signs (2.15). */
	uint8_t *init_i, *init_r;
	size_t init_i_len, init_r_len;

	/* Requests we send (2.3, window 1). */
	uint32_t next_msgid;
	struct {
		enum ike_req_kind kind;
		uint8_t exchange;
		uint32_t msgid;
		uint8_t *pkt;
		size_t len;
		unsigned int tries;
		uint32_t wait_ms;
		struct ikd_timer *timer;
		struct ike_child *child;
	} req;
	struct ike_task *tasks, **tasks_tail;
	/* The request a response handler is answering (the dispatcher sets
	 * these before it clears the outstanding request). */
	enum ike_req_kind done_kind;
	struct ike_child *done_child;
	/* Requests we answer: the next ID we expect, and the last request
	 * and its response for retransmissions. */
	uint32_t expect_msgid;
	bool have_last;
	uint8_t *last_req, *last_resp;
	size_t last_req_len, last_resp_len;
	bool sent_invalid_msgid;
	uint32_t bad_msgid;		/* the data of our INVALID_MESSAGE_ID */

	struct ike_child *children;
	struct ikd_timer *life_timer;	/* half-open timeout, then lifetime */
	struct ikd_timer *dpd_timer;
	uint64_t last_rx_ms;		/* last authentic message from the peer */
	uint64_t established_ms;

	/* NAT traversal (ike_natt.c, RFC 7296 2.23). */
	struct {
		bool peer_supports;	/* NAT_DETECTION notifies exchanged */
		bool local_behind;	/* a NAT changes our address/port */
		bool remote_behind;	/* ... or the peer's */
		bool encap;		/* ESP in UDP, IKE on port 4500 */
		struct ikd_timer *ka_timer;	/* keepalives, behind a NAT */
	} natt;
	/* IKEv2 fragmentation (ike_frag.c, RFC 7383). */
	struct {
		bool peer_supports;	/* its IKE_SA_INIT announced it */
		bool use;		/* both did: we may send fragments */
		/* Reassembly of the peer's requests [0] and responses [1]. */
		struct ike_frag_in *in[2];
	} frag;
	/* IKE SA rekeying (ike_rekey_ike.c). On the old SA: the new one our
	 * rekey negotiates, the one the peer's rekey made and the lowest
	 * nonce of that exchange (2.8.1); on a new one: the SA it replaces. */
	struct ike_sa *rekey_new, *rekey_peer, *rekey_old;
	uint8_t rekey_peer_low[IKE_NONCE_MAX];
	size_t rekey_peer_low_len;
	struct ikd_timer *rekey_timer;	/* a retry, or a replaced SA's end */
	unsigned int rekey_tries;
};

/* At most a few lines of one kind per window, then one line saying how
 * many were left out: a flood must not become a log flood. */
struct ike_ratelimit {
	uint64_t start_ms;
	unsigned int logged, suppressed;
};

/* The responder's cookie secrets (2.6): the current one and, for a while
 * after a change, the one before; a cookie names its secret's version. */
struct ike_cookie_secret {
	uint8_t key[32];
	uint8_t version;
	bool set;
};

struct ike_dos {
	struct ike_cookie_secret cur, prev;
	uint64_t cur_since_ms;
	uint64_t src_hash_key;		/* random: peers cannot aim at a bucket */
	struct ike_ratelimit rl_cookie, rl_source, rl_global, rl_drop;
};

struct ike_engine {
	struct ike_env env;
	struct ike_sa *sas;		/* every SA */
	struct ike_sa *bucket[IKE_SA_BUCKETS];
	struct ike_sa *src_bucket[IKE_SRC_BUCKETS];
	struct ike_dos dos;
	unsigned int nhalf_open;
	uint32_t next_reqid;
	struct ike_stats stats;
	/* Set while a handler runs, so that nothing frees the SA under it. */
	struct ike_sa *busy;
	struct ike_cfg_ref *cfgs;	/* the SAs' configurations, shared */
	/* IKEv1 (ikev1_int.h): the ISAKMP SAs, and how many are half-open
	 * responders (counted against max_half_open as well). */
	struct ikev1_sa *v1_sas;
	struct ikev1_child *v1_children;	/* IPsec SAs Quick Mode made */
	unsigned int v1_half_open;
	struct ikev1_frag_tab *v1_frag;	/* reassemblies (ikev1_frag.c) */
	/* The responder's CERTREQ data, from the CA file as it was at
	 * mtime/size: an unauthenticated IKE_SA_INIT must not make us read
	 * and parse files (ike_auth_sig.c). */
	struct {
		char path[IKE_CFG_PATH_MAX];
		int64_t mtime_ns, size;
		uint8_t data[IKE_CERTREQ_MAX];
		size_t len;
	} certreq;
};

/* What a request handler returns besides a -errno (no answer). */
enum {
	IKE_H_REPLY = 0,	/* send the response built */
	IKE_H_REPLY_DESTROY,	/* send it, then delete the IKE SA */
};

/*
 * A state table entry: the handler for @exchange when it arrives as a
 * request or a response while the IKE SA is in one of @states. Request
 * handlers build the response's (inner) payloads into @rb; response
 * handlers get rb NULL and return 0 or -errno (the IKE SA is then
 * deleted unless the handler already took care of it).
 */
struct ike_handler {
	uint8_t exchange;
	bool response;
	uint32_t states;
	int (*fn)(struct ike_sa *sa, const struct ike_msg *m,
		  struct ike_builder *rb);
};

extern const struct ike_handler ike_init_handlers[];
extern const struct ike_handler ike_auth_handlers[];
extern const struct ike_handler ike_child_handlers[];
extern const struct ike_handler ike_info_handlers[];

/* ike_engine.c: counts a datagram we send, by exchange type; counts a
 * failed negotiation by the error notify we sent or received (any type:
 * those that are no cause of ike_stats are ignored). */
void ike_stats_tx(struct ike_engine *e, const uint8_t *buf, size_t len);
void ike_stats_fail(struct ike_engine *e, uint16_t notify);

/* ike_sa.c */
struct ike_sa *ike_sa_new(struct ike_engine *e, bool initiator,
			  const struct ikd_addr *local,
			  const struct ikd_addr *remote,
			  const struct ike_peer_cfg *cfg);
void ike_sa_set_spi_r(struct ike_sa *sa, uint64_t spi_r);
/* Points sa->cfg at a shared copy of @cfg (taken as it is: defaults
 * applied by the caller), dropping the previous one. 0 or -ENOMEM. */
int ike_sa_set_cfg(struct ike_sa *sa, const struct ike_peer_cfg *cfg);
struct ike_sa *ike_sa_find(struct ike_engine *e, uint64_t our_spi);
struct ike_sa *ike_sa_find_half_open(struct ike_engine *e, uint64_t spi_i,
				     const struct ikd_addr *remote);
/* Removes children from the kernel, cancels timers, wipes secrets, frees.
 * Deferred while a handler of this SA runs. */
void ike_sa_destroy(struct ike_sa *sa);
void ike_sa_set_state(struct ike_sa *sa, enum ike_state st);
/* The peer's address and port, when NAT-T follows it (2.23). */
void ike_sa_set_remote(struct ike_sa *sa, const struct ikd_addr *remote);
const char *ike_state_name(enum ike_state st);
/* SKEYSEED and the SK_* keys from our DH and the peer's KE data; frees
 * our DH. */
int ike_sa_derive_keys(struct ike_sa *sa, const uint8_t *peer_ke,
		       size_t peer_len);
/* The same for an IKE SA that rekeys @old (2.8): SKEYSEED =
 * prf(SK_d (old), g^ir (new) | Ni | Nr), with the old SA's PRF. */
int ike_sa_derive_rekey_keys(struct ike_sa *sa, const struct ike_sa *old,
			     const uint8_t *peer_ke, size_t peer_len);
void ike_sa_sk_keys(const struct ike_sa *sa, bool from_initiator,
		    struct ike_sk_keys *k);
/* Sends an unencrypted request (IKE_SA_INIT) and keeps it for
 * retransmission. Takes ownership of @pkt. */
int ike_sa_send_raw_request(struct ike_sa *sa, enum ike_req_kind kind,
			    uint8_t exchange, uint8_t *pkt, size_t len);
/* Seals @inner into a request of @exchange with the next message ID,
 * sends it and keeps it for retransmission. */
int ike_sa_send_request(struct ike_sa *sa, enum ike_req_kind kind,
			uint8_t exchange, struct ike_child *child,
			const struct ike_builder *inner);
/* The same, sent once, never retransmitted nor awaited (shutdown, and
 * error notifies about an SA about to go). */
int ike_sa_send_oneshot(struct ike_sa *sa, uint8_t exchange,
			const struct ike_builder *inner);
void ike_sa_request_done(struct ike_sa *sa);
/* Sends our response to @req (sealed; unencrypted for the raw variant,
 * which takes @pkt) and keeps both for retransmissions. */
int ike_sa_respond(struct ike_sa *sa, const struct ike_msg *req,
		   const struct ike_builder *inner);
void ike_sa_respond_raw(struct ike_sa *sa, const struct ike_msg *req,
			uint8_t *pkt, size_t len);
/* @m repeats the last request byte for byte: the cached response is sent
 * again and true returned. */
bool ike_sa_retransmitted(struct ike_sa *sa, const struct ike_msg *m);
void ike_sa_unqueue_child(struct ike_sa *sa, struct ike_child *c);
void ike_sa_arm_half_open(struct ike_sa *sa);
/* Queues a request and starts it when the window is free. */
int ike_sa_queue(struct ike_sa *sa, enum ike_req_kind kind,
		 struct ike_child *child, uint16_t notify);
void ike_sa_run_queue(struct ike_sa *sa);
void ike_sa_established(struct ike_sa *sa);
/* Schedules a graceful delete (DELETE of the IKE SA). */
void ike_sa_delete(struct ike_sa *sa, const char *why);
void ike_sa_send(struct ike_sa *sa, const uint8_t *buf, size_t len);
/* The ID payload we send, or that identifies an address. */
void ike_id_from_addr(struct ike_id *id, const struct ikd_addr *a);
const char *ike_id_str(const struct ike_id *id, char *buf, size_t len);
#define IKE_ID_STRLEN	(2 * IKE_ID_MAX + 32)

/* ike_prop.c */
unsigned int ike_prop_build_ike(const struct ike_peer_cfg *cfg, uint16_t dh,
				struct ike_proposal *out, unsigned int cap);
unsigned int ike_prop_build_child(const struct ike_child_cfg *cfg,
				  uint8_t proto, uint32_t spi, uint16_t dh,
				  struct ike_proposal *out, unsigned int cap);
/* Chooses from the peer's offer, our configured order first. @ke_group:
 * prefer proposals with this DH group (the one the KE payload carries).
 * 0 or -ENOENT. */
int ike_prop_choose_ike(const struct ike_peer_cfg *cfg,
			const struct ike_sa_pl *offer, uint16_t ke_group,
			struct ike_chosen *out);
/* @with_dh: CREATE_CHILD_SA (DH must match pfs_group); false in IKE_AUTH,
 * where DH transforms are ignored. */
int ike_prop_choose_child(const struct ike_child_cfg *cfg, uint8_t proto,
			  const struct ike_sa_pl *offer, bool with_dh,
			  struct ike_chosen *out, uint32_t *peer_spi);
/* Checks a responder's single proposal against what we offered. */
int ike_prop_check_ike(const struct ike_peer_cfg *cfg,
		       const struct ike_sa_pl *reply, struct ike_chosen *out);
int ike_prop_check_child(const struct ike_child_cfg *cfg, uint8_t proto,
			 const struct ike_sa_pl *reply, uint16_t dh,
			 struct ike_chosen *out, uint32_t *peer_spi);
/* The chosen set as the single-proposal reply. */
void ike_prop_reply(const struct ike_chosen *ch, uint8_t proto,
		    const uint8_t *spi, uint8_t spi_size, bool ike,
		    struct ike_proposal *out);
/* "[aes-cbc-128/hmac-sha2-256-128/prf-hmac-sha2-256/modp2048, ...]" */
void ike_prop_str_offer(const struct ike_sa_pl *offer, char *buf, size_t len);
void ike_prop_str_ike_cfg(const struct ike_peer_cfg *cfg, char *buf,
			  size_t len);
void ike_prop_str_child_cfg(const struct ike_child_cfg *cfg, uint16_t dh,
			    char *buf, size_t len);
void ike_prop_str_chosen(const struct ike_chosen *ch, bool ike, char *buf,
			 size_t len);
const char *ike_encr_name(uint16_t id, uint16_t keybits, char *buf, size_t len);
#define IKE_PROP_STRLEN	1024

/* ike_ts.c */
void ike_ts_from_sel(struct ike_ts *ts, const struct ikd_addr *a,
		     unsigned int plen, uint8_t proto, uint16_t port);
/* The selector side (address, prefix) a TS covers, narrowed to the
 * largest prefix that starts at its start address. */
void ike_ts_to_prefix(const struct ike_ts *ts, struct ikd_addr *a,
		      uint8_t *plen);
bool ike_ts_intersect(const struct ike_ts *a, const struct ike_ts *b,
		      struct ike_ts *out);
bool ike_ts_subset(const struct ike_ts *inner, const struct ike_ts *outer);
const char *ike_ts_str(const struct ike_ts *ts, unsigned int n, char *buf,
		       size_t len);
#define IKE_TS_STRLEN	512
/* Responder: narrows the peer's TSi (remote) / TSr (local) against our
 * SPD, or takes them when generate_policy allows; fills the child's
 * selectors, mode check, reqid. 0 or -ENOENT (TS_UNACCEPTABLE, logged). */
int ike_ts_narrow(struct ike_sa *sa, struct ike_child *c,
		  const struct ike_ts_pl *tsi, const struct ike_ts_pl *tsr,
		  bool *generate);
/* generate_policy's out, in and (tunnel mode) fwd policies at level unique
 * with @reqid, IKEv2's and IKEv1's alike: @out_sel for out, @in_sel for in
 * and fwd; tunnel endpoints @local and @remote. The kernel's ids go to
 * ids[*n], *n counting them, also those added before a failure. 0 or
 * -errno (logged). */
int ike_gen_policies_add(struct ikd_kernel *k, const struct ikd_sel *out_sel,
			 const struct ikd_sel *in_sel, uint8_t proto,
			 uint8_t mode, uint32_t reqid,
			 const struct ikd_addr *local,
			 const struct ikd_addr *remote, uint32_t ids[3],
			 unsigned int *n);
int ike_ts_install_policies(struct ike_sa *sa, struct ike_child *c);
void ike_ts_remove_policies(struct ike_sa *sa, struct ike_child *c);
void ike_ts_child_sel(const struct ike_child *c, struct ikd_sel *sel);

/* ike_kif.c: child SAs of kipsec interfaces. The interface of @peer as
 * the kernel has it now: 0, or -errno logged with its name. */
int ike_kif_get(struct ike_engine *e, const struct ike_peer_cfg *peer,
		struct ikd_kif *out);
/* Initiator: @c for the interface, proposing 0.0.0.0/0 and ::/0. */
void ike_kif_child_init(struct ike_child *c, const struct ike_peer_cfg *peer,
			const struct ikd_kif *kif);
/* Our rekey of @c: the interface as it is now (it may have been created
 * anew); 0 or -errno (logged). */
int ike_kif_refresh(struct ike_sa *sa, struct ike_child *c);
/* Responder: ike_ts_narrow() for a remote block with an interface; 0 or
 * -errno (logged). */
int ike_kif_narrow(struct ike_sa *sa, struct ike_child *c,
		   const struct ike_ts_pl *tsi, const struct ike_ts_pl *tsr);
/* The outer endpoints of @c's SAs (ports 0): its interface's, or the IKE
 * SA's. */
void ike_child_ends(const struct ike_sa *sa, const struct ike_child *c,
		    struct ikd_addr *local, struct ikd_addr *remote);
/* Is @c (of an interface) what the interface's ACQUIRE asks for? */
bool ike_kif_wants(const struct ike_child *c, const struct ikd_acquire *acq);
/* The interface child with the SA that expired, or NULL. */
struct ike_child *ike_kif_child_by_expire(struct ike_sa *sa,
					  const struct ikd_expire *exp,
					  bool *inbound);

/* ike_init.c */
int ike_init_start(struct ike_sa *sa);
void ike_init_respond(struct ike_engine *e, const struct ikd_addr *local,
		      const struct ikd_addr *remote, const struct ike_msg *m);
/* The stateless error answer to a malformed IKE_SA_INIT request. */
void ike_init_refuse(struct ike_engine *e, const struct ikd_addr *local,
		     const struct ikd_addr *remote, const struct ike_msg *m);

/* ike_auth.c */
int ike_auth_start(struct ike_sa *sa);
/* The octets one side's AUTH covers (2.15), malloc'ed: its IKE_SA_INIT
 * message, the other's nonce, prf(SK_p, @idb: RestOfIDPayload). */
int ike_auth_octets(const struct ike_sa *sa, bool of_initiator,
		    const uint8_t *idb, size_t idb_len, uint8_t **out,
		    size_t *olen);
/* RestOfIDPayload of @id into @out (4 + IKE_ID_MAX bytes); its length. */
size_t ike_auth_id_body(const struct ike_id *id, uint8_t *out);
void ike_auth_failed_log(const struct ike_sa *sa, const struct ike_id *id,
			 uint8_t method, const char *why);

/* ike_auth_sig.c */
#define IKE_AUTH_MSG_MAX	32768	/* our IKE_AUTH with its certificates */
/* IKE_SA_INIT: our SIGNATURE_HASH_ALGORITHMS (a remote with
 * certificates) and, as responder, CERTREQ. */
void ike_auth_sig_init_payloads(struct ike_sa *sa, struct ike_builder *b);
/* IKE_SA_INIT: what the peer's message says about signatures. */
void ike_auth_sig_init_note(struct ike_sa *sa, const struct ike_msg *m);
/* Our ID (IDi/IDr), CERT, CERTREQ (initiator), [IDr] and AUTH; logs
 * and returns -errno on failure. */
int ike_auth_sig_add(struct ike_sa *sa, bool initiator,
		     struct ike_builder *b);
/* The peer's certificate, identity and signature: 0 or -EACCES (logged). */
int ike_auth_sig_check(struct ike_sa *sa, const struct ike_msg *m,
		       const struct ike_id_pl *idpl, const struct ike_id *id,
		       bool peer_is_initiator);

/* ike_child.c */
struct ike_child *ike_child_new(struct ike_sa *sa);
void ike_child_free(struct ike_sa *sa, struct ike_child *c, bool kernel);
/* An installed child whose SAs already carry the ACQUIRE's traffic and
 * whose outbound SA the kernel still has, or NULL. */
struct ike_child *ike_child_covering(struct ike_sa *sa,
				     const struct ikd_acquire *acq);
struct ike_child *ike_child_find_spi(struct ike_sa *sa, uint8_t proto,
				     uint32_t spi, bool inbound);
/* Initiator: the SA/TS payloads of a request (getspi first). */
int ike_child_request(struct ike_sa *sa, struct ike_child *c,
		      struct ike_builder *b, bool in_auth);
/* Initiator: the response's SA/TS payloads; installs. 0 or -errno (the
 * child is then gone, logged). */
int ike_child_response(struct ike_sa *sa, struct ike_child *c,
		       const struct ike_msg *m, bool in_auth);
/* Responder: builds the SA/TS payloads of the answer, or an error notify;
 * installs on success. */
void ike_child_respond(struct ike_sa *sa, const struct ike_msg *m,
		       struct ike_builder *rb, bool in_auth);
int ike_child_start(struct ike_sa *sa, struct ike_child *c);
void ike_child_fail(struct ike_sa *sa, struct ike_child *c, const char *why);
int ike_child_delete_start(struct ike_sa *sa, struct ike_child *c);
const char *ike_child_state_name(enum ike_child_state st);
const char *ike_mode_name(uint8_t mode);

/* ike_rekey.c */
/* Arms the child's rekey timer at its (jittered) soft lifetime. */
void ike_rekey_arm(struct ike_sa *sa, struct ike_child *c);
/* Starts a rekey of @old (CREATE_CHILD_SA with REKEY_SA). 0, -EALREADY
 * (one is under way, or @old is going), or -errno. */
int ike_rekey_child(struct ike_sa *sa, struct ike_child *old,
		    const char *why);
/* Initiator: our rekey's answer (instead of ike_child_response). */
void ike_rekey_response(struct ike_sa *sa, struct ike_child *c,
			const struct ike_msg *m);
/* Responder: the child a REKEY_SA notify names; 0 (*old NULL: not a
 * rekey) or the error notify to answer. */
uint16_t ike_rekey_lookup(struct ike_sa *sa, const struct ike_msg *m,
			  struct ike_child **old);
/* Responder: keeps the new outbound SA until the old child goes. */
void ike_rekey_defer_out(struct ike_child *c, const struct ikd_kernel_sa *out);
/* @old leaves the kernel: the outbound SAs waiting for it go in. */
void ike_rekey_old_gone(struct ike_sa *sa, struct ike_child *old);
/* @c is being freed: timers and links to it go. */
void ike_rekey_forget(struct ike_sa *sa, struct ike_child *c);
/* The old child of a rekey goes: its outbound SA now, its inbound SA a
 * little later. false (nothing done) if @c was not replaced by a rekey. */
bool ike_rekey_retire(struct ike_sa *sa, struct ike_child *c);
#define IKE_REKEY_INBOUND_DELAY_MS	2000

/* ike_rekey_ike.c */
/* @secs in ms, less up to 10% at random (env.no_rekey_jitter: not). */
uint64_t ike_rekey_jitter_ms(const struct ike_engine *e, uint64_t secs);
/* Queues a rekey of the IKE SA; 0, -EALREADY, or -errno. */
int ike_rekey_ike(struct ike_sa *sa, const char *why);
int ike_rekey_ike_start(struct ike_sa *sa);
void ike_rekey_ike_response(struct ike_sa *sa, const struct ike_msg *m);
void ike_rekey_ike_respond(struct ike_sa *sa, const struct ike_msg *m,
			   struct ike_builder *rb);
/* @sa is being freed: links to it and its rekey timer go. */
void ike_rekey_ike_peer_deleted(struct ike_sa *sa);
void ike_rekey_ike_forget(struct ike_sa *sa);

/* ike_info.c */
int ike_info_delete_ike(struct ike_sa *sa, bool oneshot);
int ike_info_liveness(struct ike_sa *sa);
int ike_info_notify(struct ike_sa *sa, uint16_t type);
/* Dead peer detection: the liveness timer (from establishment on), the
 * liveness request's retransmission interval, and the end of a peer that
 * answered none. */
void ike_info_dpd_arm(struct ike_sa *sa);
uint32_t ike_info_dpd_retry_ms(const struct ike_sa *sa);
void ike_info_peer_dead(struct ike_sa *sa);

/* ike_dos.c */
int ike_dos_init(struct ike_engine *e);
/* Responder SAs by peer address (no port): O(1) retransmission lookup
 * and the half-open count of one source. */
void ike_dos_src_link(struct ike_sa *sa);
void ike_dos_src_unlink(struct ike_sa *sa);
struct ike_sa *ike_dos_find_half_open(struct ike_engine *e, uint64_t spi_i,
				      const struct ikd_addr *remote);
unsigned int ike_dos_half_open_from(struct ike_engine *e,
				    const struct ikd_addr *remote);
/* What to do with an IKE_SA_INIT request before anything is allocated:
 * 0 go on; -EAGAIN a COOKIE was sent instead; -EBUSY dropped (a limit;
 * logged, rate-limited). */
int ike_dos_admit(struct ike_engine *e, const struct ikd_addr *local,
		  const struct ikd_addr *remote, const struct ike_msg *m);
/* True when a line of this kind may be logged now; see the struct. */
bool ike_ratelimit_ok(struct ike_engine *e, struct ike_ratelimit *rl,
		      const char *what);

/* ike_natt.c */
/* NAT_DETECTION data: SHA-1(SPIi | SPIr | IP | port), 2.23. */
int ike_natt_hash(uint64_t spi_i, uint64_t spi_r, const struct ikd_addr *a,
		  uint8_t out[IKE_SHA1_LEN]);
/* Whether our IKE_SA_INIT carries NAT_DETECTION notifies. */
bool ike_natt_wanted(const struct ike_sa *sa);
/* Adds NAT_DETECTION_SOURCE_IP / DESTINATION_IP for a message with
 * these SPIs (spi_r 0 in the request). */
void ike_natt_build(struct ike_sa *sa, struct ike_builder *b, uint64_t spi_i,
		    uint64_t spi_r);
/* The peer's IKE_SA_INIT message: who is behind a NAT (logged); the
 * initiator moves to port 4500 if NAT-T is to be used. */
void ike_natt_check(struct ike_sa *sa, const struct ike_msg *m);
/* ESP in UDP for the child's two kernel SAs when NAT-T is in use. */
void ike_natt_child_sa(const struct ike_sa *sa, struct ikd_kernel_sa *in,
		       struct ikd_kernel_sa *out);
/* Transport mode across a NAT (2.23.1): the selectors of a side behind
 * a NAT (@local ours, @remote the peer's, as received) take the IKE
 * SA's addresses; *@peer_oa the peer's original one, family 0 if none. */
void ike_natt_transport_ts(const struct ike_sa *sa, struct ike_ts_pl *local,
			   struct ike_ts_pl *remote, struct ikd_addr *peer_oa);
/* A message may come from another address: the peer is behind a NAT. */
bool ike_natt_may_move(const struct ike_sa *sa);
/* An authentic message came from @remote to @local: follow the peer
 * there when 2.23 allows (logged), child SAs included. */
void ike_natt_follow(struct ike_sa *sa, const struct ikd_addr *local,
		     const struct ikd_addr *remote);
/* An IKE SA rekeyed (2.8) keeps its NAT state: the new one carries on
 * with ESP in UDP, the ports and the keepalives. */
void ike_natt_inherit(struct ike_sa *to, const struct ike_sa *from);
void ike_natt_stop(struct ike_sa *sa);

/* ike_frag.c */
/* IKEV2_FRAGMENTATION_SUPPORTED in our IKE_SA_INIT: the initiator's when
 * configured, the responder's when configured and the peer's had it. */
void ike_frag_build(const struct ike_sa *sa, struct ike_builder *b);
/* The peer's IKE_SA_INIT message: whether it announced fragmentation. */
void ike_frag_check(struct ike_sa *sa, const struct ike_msg *m);
/* A rekeyed IKE SA (2.8) keeps what its IKE_SA_INIT negotiated. */
void ike_frag_inherit(struct ike_sa *to, const struct ike_sa *from);
/* The most bytes of IKE message a datagram to the peer may carry before
 * we fragment: IKE_FRAG_IP_MAX less the IP and UDP headers and, on port
 * 4500, the non-ESP marker. */
size_t ike_frag_max(const struct ike_sa *sa);
/* Seals @inner into a message of @exchange, or into SKF fragments when
 * they are in use and it is too big (or ike_frag is force). Returns a new
 * buffer holding the datagram(s) back to back, each as long as its
 * header says (ike_sa_send() sends them one by one), and their total
 * length in *len; NULL on failure (logged). */
uint8_t *ike_frag_seal(struct ike_sa *sa, uint8_t exchange, uint8_t flags,
		       uint32_t msgid, const struct ike_builder *inner,
		       size_t *len);
/*
 * Checks and decrypts the SK payload of @m, or its SKF payload, then
 * parses the inner payloads into @m. A fragment is decrypted and
 * checked, then kept until its message is whole (-EINPROGRESS until
 * then); the whole message is parsed, and m->raw then points at its
 * first fragment (what a retransmission repeats). *plain gets the
 * buffer the inner payloads point into, *plain_len its size: wipe and
 * free it when done (also on error). @keep false (a request outside the
 * window): a fragment is only authenticated, never kept. Returns 0,
 * -EINPROGRESS, -EBADMSG (not authentic, or a fragment dropped: logged,
 * rate-limited), or the parser's error (-EINVAL for malformed).
 */
int ike_frag_open(struct ike_sa *sa, struct ike_msg *m, bool keep,
		  uint8_t **plain, size_t *plain_len);
/* Drops both reassemblies (the SA goes). */
void ike_frag_free(struct ike_sa *sa);

/* ike_keylog.c */
void ike_keylog_write(const char *path, const struct ike_sa *sa);

#endif /* IKD_IKE_INT_H */
