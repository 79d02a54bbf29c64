/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ikd's IKEv2 protocol engine (RFC 7296, pre-shared keys or certificates): the one header
 * the daemon's glue needs.
 *
 * The engine is a passive object with no global state and no thread: the
 * daemon creates it with an environment (struct ike_env) and then feeds it
 * everything that happens, from its event loop:
 *
 *   every IKE datagram received on UDP 500 -> ike_engine_receive()
 *   every kernel SADB_ACQUIRE              -> ike_engine_acquire()
 *   every kernel SADB_EXPIRE               -> ike_engine_expire()
 *   SIGTERM / exit                         -> ike_engine_shutdown(), free
 *
 * The engine answers through the environment: it sends datagrams with
 * env->send, talks to the kernel only through env->kernel (kernel.h),
 * arms timers with env->timers (loop.h), and asks the daemon's racoon.conf
 * for configuration through the callbacks below. It logs through log.h;
 * it never logs keys, nonces or pre-shared keys. Every configuration
 * struct a callback returns is copied at once (a SIGHUP reload cannot pull
 * it from under an SA), so the callbacks may return pointers to storage
 * that lives only until the next callback.
 *
 * What the daemon must provide (the glue):
 *  - send():          sendto() from @local (the address the request came
 *                     to, or the SA's local address) to @remote, ports
 *                     included (500, or 4500 once NAT-T is in use).
 *  - peer_by_addr():  racoon's `remote` block for the pair of addresses
 *                     (`remote anonymous` as the fallback), converted to
 *                     struct ike_peer_cfg; NULL when none applies.
 *  - peer_by_id():    optional; as responder, once IKE_AUTH has told us
 *                     the peer's identity, the `remote` block whose
 *                     peers_identifier matches it (NULL keeps the one
 *                     found by address).
 *  - psk():           the pre-shared key (racoon's psk.txt) for a peer
 *                     identity or, failing that, its address.
 *  - child_cfg():     racoon's `sainfo` for the traffic pair (local
 *                     selector, remote selector), `sainfo anonymous` as
 *                     the fallback, converted to struct ike_child_cfg.
 *
 * What the engine assumes of them: send() and the kernel operations never
 * call back into the engine (a datagram is queued or sent, not delivered
 * on the spot); timers are one-shot, and a timer that has fired is the
 * loop's to free (the engine never cancels it afterwards); a hard EXPIRE
 * comes after the kernel removed that SA. ike_engine_receive() gets the
 * address the datagram arrived at as @local (IP_PKTINFO), ports included.
 */
#ifndef IKD_IKE_H
#define IKD_IKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "kernel.h"
#include "loop.h"
#include "ike_msg.h"

#define IKE_CFG_NAME_MAX	64
#define IKE_CFG_MAX_PROPOSALS	8
#define IKE_CFG_MAX_ALGS	8

/* An identity (RFC 7296 3.5). type 0: none, which means "my address" for
 * my_id and "anyone the PSK authenticates" for peer_id. For
 * IKE_ID_IPV4_ADDR/IPV6_ADDR the data is the 4 or 16 address bytes; for
 * FQDN, RFC822 and KEY_ID the bytes without a terminating NUL. */
struct ike_id {
	uint8_t type;		/* IKE_ID_* of ike_msg.h */
	uint16_t len;
	uint8_t data[IKE_ID_MAX];
};

/* An encryption algorithm: IKE_ENCR_* of ike_crypto.h, key size in bits
 * (0 for those with one size: 3DES, ChaCha20-Poly1305). */
struct ike_encr_alg {
	uint16_t id;
	uint16_t keybits;
};

/* One IKE SA proposal: any of the listed algorithms of each type (a
 * racoon `proposal` block is one entry of each list). integ is empty for
 * AEAD encryption. Legacy DH groups (1, 2, 5) are used only when listed. */
struct ike_sa_prop_cfg {
	uint8_t nencr, nprf, ninteg, ndh;
	struct ike_encr_alg encr[IKE_CFG_MAX_ALGS];
	uint16_t prf[IKE_CFG_MAX_ALGS];		/* IKE_PRF_* */
	uint16_t integ[IKE_CFG_MAX_ALGS];	/* IKE_AUTH_* (integrity) */
	uint16_t dh[IKE_CFG_MAX_ALGS];		/* IKE_DH_* */
};

/*
 * Retransmission, racoon's `timer { counter N; interval T; }` with
 * exponential backoff: a request is sent, retransmitted T after that,
 * then 2T after the first retransmission, 4T, ... (each wait doubling),
 * N retransmissions in all; if the N-th is not answered within the next
 * doubled wait, the engine gives up: the exchange fails and the IKE SA
 * is deleted (logged). racoon's defaults are N = 5, T = 10 s; 0 in either
 * field takes these defaults.
 */
struct ike_retrans_cfg {
	uint32_t counter;
	uint32_t interval_ms;
};

#define IKE_CFG_PATH_MAX	256

/* How we authenticate to a peer and it to us (IKEv2 does not negotiate
 * it): racoon's authentication_method pre_shared_key or rsasig. */
enum {
	IKE_CFG_AUTH_PSK = 0,
	IKE_CFG_AUTH_CERT,	/* signatures with X.509 certificates */
};

/* Certificates (ike_cert.h): paths as racoon.conf resolved them, "" for
 * none. The engine reads the files at each IKE_AUTH. */
struct ike_cert_cfg {
	char cert[IKE_CFG_PATH_MAX];	/* certificate_type x509 CERT (then
					 * intermediates, sent too) */
	char key[IKE_CFG_PATH_MAX];	/* ... and its private KEY */
	char ca[IKE_CFG_PATH_MAX];	/* ca_type x509: trust anchors, CRLs */
	char peer_cert[IKE_CFG_PATH_MAX];	/* peers_certfile x509: pinned */
	char dir[IKE_CFG_PATH_MAX];	/* path certificate: hashed CAs, CRLs */
	bool verify_cert;		/* off: the chain is not checked */
	bool send_cert;			/* CERT payloads with our AUTH */
	bool send_cr;			/* CERTREQ for our CA */
};

/* racoon's nat_traversal (RFC 7296 2.23, RFC 3948): off sends no
 * NAT_DETECTION notifies and never leaves port 500; on detects a NAT and,
 * if there is one, moves to port 4500 and puts ESP in UDP; force does so
 * always (our NAT_DETECTION_SOURCE_IP is made not to match, so the peer
 * sees a NAT too). */
enum ike_natt_mode {
	IKE_NATT_OFF = 0,
	IKE_NATT_ON = 1,
	IKE_NATT_FORCE = 2,
};

/* racoon's rekey, for the IKE SA at the end of its lifetime: on rekeys it
 * if it has child SAs and deletes it otherwise; force always rekeys it;
 * off always deletes it, with its child SAs (an IKEv2 child cannot outlive
 * its IKE SA): the next packet under a require policy negotiates anew. */
enum ike_rekey_mode {
	IKE_REKEY_ON = 0,
	IKE_REKEY_OFF = 1,
	IKE_REKEY_FORCE = 2,
};

/* racoon's ike_frag: IKEv2 fragmentation (RFC 7383). off never announces
 * it (and refuses fragments); on announces it in IKE_SA_INIT and, when
 * the peer does too, sends a message after IKE_SA_INIT that does not fit
 * IKE_FRAG_IP_MAX bytes of IP as fragments; force sends every such
 * message as fragments, even one that would fit (one fragment then). */
enum ike_frag_mode {
	IKE_FRAG_OFF = 0,
	IKE_FRAG_ON = 1,
	IKE_FRAG_FORCE = 2,
};
#define IKE_FRAG_IP_MAX	1280	/* IP datagram of a fragment: IPv6's minimum MTU */

/* IKEv1 phase 1 (RFC 2409): racoon's exchange_mode, its `proposal`
 * blocks as Oakley attribute values, and proposal_check. */
#define IKE_V1_MAX_XMODES	3
enum ike_v1_check {
	IKE_V1_CHECK_OBEY = 0,	/* take the initiator's lifetime */
	IKE_V1_CHECK_STRICT,	/* accept it when not longer than ours */
	IKE_V1_CHECK_CLAIM,	/* ... and when longer, use ours */
	IKE_V1_CHECK_EXACT,	/* only equal lifetimes */
};

struct ike_v1_prop_cfg {
	uint16_t encr;		/* OAKLEY_ENC_* (isakmp.h) */
	uint16_t keybits;	/* Key Length; 0: the cipher's only size */
	uint16_t hash;		/* OAKLEY_HASH_* */
	uint16_t auth;		/* OAKLEY_AUTH_PSK; _RSA_SIG recognised */
	uint16_t dh;		/* group (IANA number) */
	uint32_t lifetime_secs;
};

struct ike_v1_cfg {
	uint8_t nxmode;		/* first: what we initiate with */
	uint8_t xmode[IKE_V1_MAX_XMODES];	/* ISAKMP_EXCH_IDPROT, _AGGRESSIVE */
	uint8_t nprop;
	struct ike_v1_prop_cfg prop[IKE_CFG_MAX_PROPOSALS];
	uint8_t check;		/* enum ike_v1_check */
};

/* A peer: racoon's `remote` block (IKEv2, or IKEv1 phase 1 in v1). */
struct ike_peer_cfg {
	char name[IKE_CFG_NAME_MAX];	/* for logs and ikdctl */
	uint8_t ike_version;		/* 2; 1 only for ikev1_*() (ikev1.h) */
	struct ikd_addr local;		/* family 0: any local address */
	struct ikd_addr remote;		/* family 0: anonymous */
	struct ike_id my_id;		/* my_identifier; type 0: my address */
	struct ike_id peer_id;		/* peers_identifier; type 0: any */
	/* Passed back to psk() untouched: which psk.txt entry to use,
	 * when the daemon keys them by something other than the identity. */
	char psk_ref[IKE_CFG_NAME_MAX];
	uint8_t nprop;
	struct ike_sa_prop_cfg prop[IKE_CFG_MAX_PROPOSALS];
	uint32_t lifetime_secs;		/* IKE SA; 0: 8 hours */
	uint8_t rekey;			/* enum ike_rekey_mode */
	struct ike_retrans_cfg retrans;
	/* Dead peer detection (racoon's dpd_delay, dpd_retry, dpd_maxfail):
	 * when nothing authentic came from the peer for dpd_delay_secs, an
	 * empty INFORMATIONAL is sent and retransmitted every dpd_retry_secs
	 * (0: 5), dpd_maxfail times; unanswered dpd_retry_secs after the
	 * last one, the peer is dead and its SAs go without a DELETE. */
	uint32_t dpd_delay_secs;	/* 0: no liveness checks */
	uint32_t dpd_retry_secs;
	uint32_t dpd_maxfail;
	/* IKEv1 (racoon's dpd): RFC 3706's vendor ID sent, R-U-THERE
	 * answered; R-U-THERE sent every dpd_delay_secs when the peer sent
	 * that vendor ID too (ikev1_dpd.c). */
	bool dpd;
	bool passive;			/* never initiate to this peer */
	/* A kipsec interface carries this peer's child SAs (route-based:
	 * the kernel picks the SA by the interface's reqid, no SPD); "":
	 * none (ike_kif.c). */
	char ifname[16];
	/* Its child SAs' selectors, [0] local and [1] remote; a side with
	 * none: 0.0.0.0/0 and ::/0. */
	struct ikd_prefix kif_ts[2][IKD_KIF_MAX_TS];
	uint8_t n_kif_ts[2];
	bool generate_policy;		/* as responder, install the peer's
					 * (narrowed) selectors as policies
					 * when our SPD has none */
	bool initial_contact;		/* send INITIAL_CONTACT in IKE_AUTH */
	uint8_t auth;			/* IKE_CFG_AUTH_* */
	struct ike_cert_cfg cert;	/* IKE_CFG_AUTH_CERT */
	uint8_t nat_traversal;		/* enum ike_natt_mode */
	uint32_t natt_keepalive_secs;	/* behind a NAT; 0: none */
	uint8_t ike_frag;		/* enum ike_frag_mode */
	struct ike_v1_cfg v1;		/* ike_version 1 */
};

/* One child SA proposal (ESP or AH). ESN: IKE_ESN_YES and/or IKE_ESN_NO,
 * in order of preference; empty means "no". ESN is used only if both
 * sides offer it. integ is empty for AEAD ESP. */
struct ike_child_prop_cfg {
	uint8_t proto;			/* IKE_PROTO_ESP or IKE_PROTO_AH */
	uint8_t nencr, ninteg, nesn;
	struct ike_encr_alg encr[IKE_CFG_MAX_ALGS];
	uint16_t integ[IKE_CFG_MAX_ALGS];
	uint8_t esn[2];
};

/* Child SA parameters: racoon's `sainfo` block. */
struct ike_child_cfg {
	uint8_t nprop;
	struct ike_child_prop_cfg prop[IKE_CFG_MAX_PROPOSALS];
	uint16_t pfs_group;		/* CREATE_CHILD_SA's KE; 0: no PFS */
	uint64_t soft_secs, hard_secs;	/* 0: none */
	uint64_t soft_bytes, hard_bytes;
	uint8_t mode;			/* responder with generate_policy: the
					 * mode we accept (IKD_MODE_*); 0:
					 * whatever the peer asks */
	bool ipcomp;			/* deflate: IKEv1 bundles IPcomp; IKEv2 not yet */
	uint32_t replay_window;		/* packets; 0: 32 */
};

struct ike_env {
	struct ikd_kernel *kernel;
	struct ikd_timers *timers;
	void *arg;			/* passed to every callback */

	void (*send)(void *arg, const struct ikd_addr *local,
		     const struct ikd_addr *remote, const uint8_t *buf,
		     size_t len);
	const struct ike_peer_cfg *(*peer_by_addr)(
		void *arg, const struct ikd_addr *local,
		const struct ikd_addr *remote);
	const struct ike_peer_cfg *(*peer_by_id)(
		void *arg, const struct ikd_addr *local,
		const struct ikd_addr *remote, const struct ike_id *id);
	/* Copies the key to @key (capacity @cap), its length to *len;
	 * 0, or -ENOENT when there is none. @id is the peer's identity (as
	 * received, or as configured / derived from its address when we
	 * initiate). The engine wipes its copy after use. */
	int (*psk)(void *arg, const struct ike_peer_cfg *peer,
		   const struct ike_id *id, const struct ikd_addr *remote,
		   uint8_t *key, size_t cap, size_t *len);
	/* Optional: a NAT-T keepalive (one 0xff byte, RFC 3948 2.3) from
	 * @local to @remote, both on the NAT-T port. */
	void (*keepalive)(void *arg, const struct ikd_addr *local,
			  const struct ikd_addr *remote);
	/* @sel: src is our side of the traffic, dst the peer's. */
	const struct ike_child_cfg *(*child_cfg)(
		void *arg, const struct ike_peer_cfg *peer,
		const struct ikd_sel *sel);

	/* Debug only: append each IKE SA's keys to this file in the format
	 * of Wireshark's ikev2_decryption_table (created 0600). NULL: off. */
	const char *keylog_path;
	uint32_t half_open_ms;		/* responder SA awaiting IKE_AUTH; 0: 30 s */
	uint32_t max_half_open;		/* 0: 1024; beyond, IKE_SA_INIT is dropped */
	struct ike_dos_limits {
		/* Half-open SAs from which on an IKE_SA_INIT must carry our
		 * COOKIE (2.6); 0: 10. */
		uint32_t cookie_threshold;
		/* Half-open SAs one source address may have; beyond,
		 * its IKE_SA_INIT is dropped. 0: 5. */
		uint32_t half_open_per_source;
	} dos;
	/* Test aid: rekey exactly at the soft lifetime (child SAs) and the
	 * lifetime (IKE SAs) instead of up to 10% earlier at random. */
	bool no_rekey_jitter;
};

struct ike_engine;

/* NULL on allocation failure or when a mandatory callback is missing
 * (send, peer_by_addr, psk, child_cfg, kernel, timers). */
struct ike_engine *ike_engine_new(const struct ike_env *env);
/* Frees everything without telling the peers or the kernel: call
 * ike_engine_shutdown() first for that. */
void ike_engine_free(struct ike_engine *e);
/* New values for env.dos (a configuration reload). */
void ike_engine_set_dos_limits(struct ike_engine *e,
			       const struct ike_dos_limits *lim);

/* A datagram that arrived from @remote to @local (ports included). The
 * engine validates everything; malformed input is logged and dropped. */
void ike_engine_receive(struct ike_engine *e, const struct ikd_addr *local,
			const struct ikd_addr *remote, const uint8_t *buf,
			size_t len);

/*
 * SADB_ACQUIRE: negotiate an SA for @acq's policy with @peer (the daemon's
 * `remote` for acq->dst). One negotiation per policy and peer: ACQUIREs
 * for a policy already being negotiated are ignored. An established IKE
 * SA with the peer carries the new child SA (CREATE_CHILD_SA); one being
 * set up queues it. Returns 0, -EALREADY (duplicate), -EPERM (the peer is
 * passive), -ENOENT (no peer or no sainfo), or another -errno.
 */
int ike_engine_acquire(struct ike_engine *e, const struct ikd_acquire *acq,
		       const struct ike_peer_cfg *peer);

/* SADB_EXPIRE. Hard: the child SA goes on both sides (INFORMATIONAL
 * DELETE, and the other direction removed from the kernel). Soft: the
 * child SA is rekeyed (CREATE_CHILD_SA with REKEY_SA), unless a rekey is
 * under way already (the engine's own timer usually comes first). */
void ike_engine_expire(struct ike_engine *e, const struct ikd_expire *exp);

/* ikdctl's "rekey": rekeys now every installed child SA (@ike_sa false)
 * of the established IKE SAs of the remote configuration @name, or those
 * IKE SAs themselves (their child SAs move to the new ones). Returns how
 * many rekeys started (one under way already is not counted). */
int ike_engine_rekey(struct ike_engine *e, const char *name, bool ike_sa);

/* ikdctl's "terminate": deletes every IKE SA of the remote configuration
 * @name, telling the peer (DELETE, retransmitted as any request) and
 * taking its child SAs out of the kernel. Returns how many IKE SAs. */
int ike_engine_terminate(struct ike_engine *e, const char *name);
/* The same for the IKE SAs with the peer at @remote (port ignored), or
 * for every IKE SA when @remote is NULL (racoonctl's flush-sa isakmp). */
int ike_engine_terminate_remote(struct ike_engine *e,
				const struct ikd_addr *remote);
/* ikdctl's flush-sa ipsec: deletes every installed child SA (DELETE to
 * the peer, then out of the kernel), keeping the IKE SAs. Returns how
 * many child SAs. */
int ike_engine_delete_children(struct ike_engine *e);
/* ikdctl's "initiate": ike_engine_acquire() for @acq (made by the daemon
 * from an SPD policy towards @peer, seq 0), unless an IKE SA already
 * carries an installed child SA for that policy and protocol: -EEXIST. */
int ike_engine_initiate(struct ike_engine *e, const struct ikd_acquire *acq,
			const struct ike_peer_cfg *peer);

/* Sends a DELETE for every IKE SA (once, not retransmitted), removes every
 * SA and generated policy the engine installed, and frees all SAs. */
void ike_engine_shutdown(struct ike_engine *e);

/* --- what ikdctl shows --------------------------------------------------- */

struct ike_sa_info {
	uint8_t version;		/* 2: IKEv2; 1: an ISAKMP SA */
	const char *peer;		/* configuration name */
	struct ikd_addr local, remote;
	uint64_t spi_i, spi_r;
	bool initiator;
	const char *state;		/* "IKE_SA_INIT sent", "established", ... */
	const char *encr, *integ, *prf, *dh;	/* NULL until chosen */
	uint16_t encr_keybits;
	const struct ike_id *my_id, *peer_id;	/* peer_id: type 0 until IKE_AUTH */
	uint64_t established_ms;	/* timers->now() then; 0: not yet */
	uint32_t lifetime_secs;		/* deleted that long after established */
	unsigned int nchild;
};

struct ike_child_info {
	/* IKEv1's IPsec SAs outlive the ISAKMP SA that made them, so they
	 * come after all IKE SAs, with their own name and addresses (NULL
	 * for IKEv2's, whose IKE SA came just before). */
	const char *peer;
	const struct ikd_addr *local, *remote;
	uint64_t ike_spi_i, ike_spi_r;	/* its IKE SA (IKEv1: the cookies) */
	uint8_t proto;			/* IPPROTO_ESP or IPPROTO_AH */
	uint8_t mode;			/* IKD_MODE_* */
	uint32_t spi_in, spi_out;	/* network order; 0 until known */
	uint32_t reqid;
	const char *state;		/* "negotiating", "installed", ... */
	const char *encr, *integ;	/* NULL until chosen */
	uint16_t encr_keybits;
	bool esn;
	struct ikd_sel sel;		/* negotiated: src ours, dst the peer's */
	uint64_t established_ms;
	uint64_t hard_secs;		/* the kernel's hard lifetime; 0: none */
	/* Of a kipsec interface: its name and its SAs' endpoints (ports
	 * 0); NULL: the SAs are between the IKE SA's addresses. */
	const char *ifname;
	const struct ikd_addr *sa_local, *sa_remote;
};

/* Calls @sa_cb for each IKE SA, then @child_cb for each of its child SAs
 * (either may be NULL); then the same for IKEv1 (ikev1_foreach()). A
 * non-zero return stops and is returned. */
int ike_engine_foreach(struct ike_engine *e,
		       int (*sa_cb)(void *arg, const struct ike_sa_info *),
		       int (*child_cb)(void *arg, const struct ike_child_info *),
		       void *arg);

/* Messages by exchange type, in this order (index: type - IKE_SA_INIT). */
#define IKE_STATS_NEXCH		4	/* IKE_SA_INIT .. INFORMATIONAL */

struct ike_stats {
	uint64_t rx, rx_dropped, tx, retransmits;
	uint64_t ike_established, ike_failed;
	uint64_t child_established, child_failed;
	uint64_t rx_exchange[IKE_STATS_NEXCH], tx_exchange[IKE_STATS_NEXCH];
	/* Failed negotiations by cause, whichever side refused: we sent or
	 * received the notify (timeout: our retransmissions gave up). */
	uint64_t fail_no_proposal, fail_auth, fail_ts, fail_timeout;
	uint64_t cookies_sent;		/* COOKIE notifies sent as responder */
	/* IKEv2 fragments (RFC 7383): sent, received authentic, messages
	 * reassembled from them, dropped (not authentic, malformed, over a
	 * limit, or given up on). */
	uint64_t frag_tx, frag_rx, frag_reassembled, frag_dropped;
};
void ike_engine_stats(const struct ike_engine *e, struct ike_stats *out);

#endif /* IKD_IKE_H */
