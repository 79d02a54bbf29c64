/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The IKEv1 engine's insides:
 *
 *   ikev1_sa.c    ISAKMP SAs: the receive entry point, the table (a list
 *                 in struct ike_engine, found by cookies), sending with
 *                 retransmission, answering a repeated datagram with our
 *                 last one, the half-open limits and expiry, destruction
 *   ikev1_p1.c    phase 1: Main and Aggressive Mode, both roles
 *   ikev1_p1_auth.c phase 1's HASH (pre-shared keys) or [CERT] SIG
 *                 (rsasig): made and checked
 *   ikev1_prop.c  phase 1 proposals: build, parse, choose, check, print
 *   ikev1_info.c  Informational exchanges: INITIAL-CONTACT, the notifies
 *                 refusing a Quick Mode, DELETE
 *   ikev1_dpd.c   dead peer detection (RFC 3706): R-U-THERE and its ACK
 *   ikev1_qm.c    Quick Mode: one ESP or AH SA pair, with or without PFS
 *   ikev1_qm_prop.c Quick Mode proposals: build, choose
 *   ikev1_qm_comp.c IPcomp bundled with the ESP or AH pair
 *   ikev1_qm_spd.c the Quick Mode responder's IDs against our SPD
 *   ikev1_qm_tx.c Quick Mode retransmission and repeats
 *   ikev1_child.c the IPsec SAs installed: ACQUIRE, EXPIRE, DELETE,
 *                 shutdown
 *   ikev1_show.c  what ikdctl shows of ISAKMP and IPsec SAs
 *   ikev1_frag.c  IKE fragmentation (racoon's ike_frag): vendor ID,
 *                 sending a large message as fragments, reassembly
 *   ikev1_natt.c  NAT traversal (RFC 3947, its drafts, RFC 3948)
 */
#ifndef IKD_IKEV1_INT_H
#define IKD_IKEV1_INT_H

#include "ike_int.h"
#include "ikev1.h"
#include "ikev1_keys.h"
#include "ikev1_natt.h"
#include "isakmp_msg.h"

#define IKEV1_NONCE_LEN		32	/* ours */
#define IKEV1_MSG_MAX		4096	/* any phase 1 message we build */
#define IKEV1_LIFETIME_DEFAULT	28800	/* RFC 2409 4.5: none given */

enum ikev1_state {
	V1_MM_I1,	/* initiator: SA sent */
	V1_MM_R1,	/* responder: SA answered */
	V1_MM_I2,	/* initiator: KE, Ni sent */
	V1_MM_R2,	/* responder: KE, Nr answered */
	V1_MM_I3,	/* initiator: [ID, HASH_I] sent */
	V1_AM_I1,	/* initiator: SA, KE, Ni, ID sent */
	V1_AM_R1,	/* responder: SA, KE, Nr, ID, HASH_R answered */
	V1_ESTABLISHED,
	/* The peer deleted it: kept a few seconds for the Informationals it
	 * sent with that DELETE (its IPsec SAs' DELETEs may arrive after
	 * it: two vCPUs' backlogs reorder a burst), used for nothing else. */
	V1_DELETED,
	V1_DEAD,	/* being freed */
};

/* One phase 1 transform, as offered or chosen (Oakley values). */
struct ikev1_xform {
	uint8_t num;
	uint16_t encr, keybits, hash, auth, dh;
	uint32_t life_secs;
};

struct ikev1_qm_x;

/* ACQUIREs waiting for phase 1, per ISAKMP SA: the kernel repeats an
 * ACQUIRE it got no answer to, so the queue need not grow. */
#define IKEV1_PENDING_MAX	8

/* An IPsec SA pair Quick Mode installed: what EXPIRE, DELETE and
 * shutdown need (the ISAKMP SA that made it may be gone by then). */
struct ikev1_child {
	struct ikev1_child *next;	/* the engine's list */
	struct ikd_addr local, remote;	/* ports 0 */
	struct ikd_sel sel;		/* src ours, dst the peer's */
	uint8_t proto, mode;
	uint32_t reqid;
	uint32_t spi_in, spi_out;	/* network order */
	/* IPcomp bundled with it: CPIs in the low 16 bits, network order;
	 * 0 when there is none. */
	uint32_t cpi_in, cpi_out;
	uint32_t comp_reqid;
	uint8_t comp_level;		/* the policy's IPcomp request */
	bool initiator;			/* ours rekeys it */
	bool rekeyed;			/* its successor is under way */
	uint32_t gen_pol[3];		/* generate_policy's, by kernel id */
	unsigned int ngen;
	/* What ikdctl shows: the ISAKMP SA's cookies and remote block,
	 * the algorithms (IKEv2 ids), when installed, the hard lifetime. */
	uint8_t cky_i[IKEV1_COOKIE_LEN], cky_r[IKEV1_COOKIE_LEN];
	char peer[IKE_CFG_NAME_MAX];
	uint16_t encr, keybits, integ;
	uint64_t established_ms;
	uint32_t hard_secs;
};

/* RFC 3706 on an established ISAKMP SA (ikev1_dpd.c). */
struct ikev1_dpd {
	struct ikd_timer *timer;	/* the next R-U-THERE, or its retry */
	uint32_t seq;			/* of our last R-U-THERE */
	unsigned int fails;		/* R-U-THEREs unanswered in a row */
	bool waiting;			/* for the ACK of seq */
};

struct ikev1_sa {
	struct ikev1_sa *next;		/* the engine's list */
	struct ike_engine *eng;
	uint8_t cky_i[IKEV1_COOKIE_LEN], cky_r[IKEV1_COOKIE_LEN];
	bool initiator;
	uint8_t mode;			/* ISAKMP_EXCH_IDPROT or _AGGRESSIVE */
	enum ikev1_state state;
	struct ikd_addr local, remote;
	struct ike_peer_cfg cfg;	/* a copy: a reload cannot pull it */
	struct ikev1_xform ch;		/* chosen; ch.encr 0 until then */

	struct ike_dh *dh;
	uint8_t ni[ISAKMP_NONCE_MAX], nr[ISAKMP_NONCE_MAX];
	size_t ni_len, nr_len;
	uint8_t gxi[IKE_MAX_DH_PUB], gxr[IKE_MAX_DH_PUB];
	size_t gxi_len, gxr_len;
	uint8_t gxy[IKE_MAX_DH_PUB];
	size_t gxy_len;
	uint8_t *sai_b;			/* the initiator's SA payload body */
	size_t sai_b_len;
	struct ikev1_keys k;
	bool have_keys;
	struct ikev1_iv iv;		/* phase 1's CBC chain */
	struct ike_id my_id, peer_id;	/* peer_id: type 0 until received */
	/* The peer's ID payload body: Aggressive Mode's responder checks
	 * HASH_I over it a message later. */
	uint8_t peer_id_b[4 + IKE_ID_MAX];
	size_t peer_id_b_len;
	bool peer_dpd;			/* its vendor ID */
	struct ikev1_dpd dpd;
	struct ikev1_natt natt;		/* ikev1_natt.c */

	/* The last datagram we sent (retransmitted while an answer is
	 * due, and sent again when the peer repeats its last one). */
	uint8_t *tx;
	size_t tx_len;
	bool tx_waits;			/* an answer is due: retransmitting */
	/* tx answers the last datagram accepted: a repeat of that one gets
	 * it again. Not so after the last message of an exchange, which
	 * has no answer: resending ours then would start a ping-pong. */
	bool tx_answers;
	unsigned int tries;
	uint32_t wait_ms;
	struct ikd_timer *rtx_timer;
	bool peer_frag;			/* its FRAGMENTATION vendor ID */
	uint16_t frag_id;		/* of tx, should it go as fragments */
	/* SHA-1 of the last datagram we accepted from the peer. */
	uint8_t rx_digest[IKE_SHA1_LEN];
	bool have_rx;

	struct ikd_timer *life_timer;	/* half-open expiry, then lifetime */
	struct ikev1_qm_x *qms;		/* its Quick Mode exchanges */
	struct ikd_acquire pending[IKEV1_PENDING_MAX];	/* for phase 2 */
	unsigned int npending;
	bool half_open;			/* counted in the engine's limits */
	uint64_t established_ms;
};

/* ikev1_sa.c */
struct ikev1_sa *ikev1_sa_new(struct ike_engine *e, bool initiator,
			      uint8_t mode, const struct ikd_addr *local,
			      const struct ikd_addr *remote,
			      const struct ike_peer_cfg *cfg);
/* The SA of a datagram: both cookies, or the initiator's alone while
 * ours has no responder cookie yet or the datagram has none. */
struct ikev1_sa *ikev1_sa_find(struct ike_engine *e, const uint8_t *cky_i,
			       const uint8_t *cky_r,
			       const struct ikd_addr *remote);
void ikev1_sa_destroy(struct ikev1_sa *sa);
/* Whether a new responder SA for @remote stays within the half-open
 * limits (logged when not). */
bool ikev1_sa_admit(struct ike_engine *e, const struct ikd_addr *remote);
/* Sends @buf (copied: the last datagram); @waits arms retransmission. */
int ikev1_sa_send(struct ikev1_sa *sa, const uint8_t *buf, size_t len,
		  bool waits);
/* @buf repeats the last datagram accepted: our last one went again. */
bool ikev1_sa_repeated(struct ikev1_sa *sa, const uint8_t *buf, size_t len);
/* @buf was accepted: remember it, stop retransmitting. */
void ikev1_sa_accepted(struct ikev1_sa *sa, const uint8_t *buf, size_t len);
void ikev1_sa_established(struct ikev1_sa *sa);
/* The peer's DELETE for @sa: V1_DELETED, freed IKEV1_DELETED_LINGER_MS
 * later. */
void ikev1_sa_peer_deleted(struct ikev1_sa *sa);
#define IKEV1_DELETED_LINGER_MS	5000
/* "192.0.2.1[500]-192.0.2.2[500] spi:0123456789abcdef:..." parts */
const char *ikev1_cky_str(const uint8_t *cky, char *buf);
#define IKEV1_CKY_STRLEN	17

/* ikev1_frag.c */
/* The FRAGMENTATION vendor ID, unless ike_frag is off. */
void ikev1_frag_add_vid(const struct ikev1_sa *sa, struct isakmp_builder *b);
/* Notes the peer's FRAGMENTATION vendor ID, if @v is one. */
void ikev1_frag_note_vid(struct ikev1_sa *sa, const struct isakmp_pl *v);
/* Sends sa->tx as fragments when ike_frag and its size want it: true
 * when it went so, false when it is the caller's to send whole. */
bool ikev1_frag_send(struct ikev1_sa *sa);
/* A datagram whose first payload is a fragment: kept, and once the
 * message is whole, ikev1_receive() gets it; else dropped (logged). */
void ikev1_frag_receive(struct ike_engine *e, const struct ikd_addr *local,
			const struct ikd_addr *remote,
			const struct isakmp_msg *m);
void ikev1_frag_free_all(struct ike_engine *e);

/* ikev1_prop.c */
/* Our proposal (one, with a transform per configured proposal; only
 * those of group @dh when @dh is not 0: Aggressive Mode's KE). */
void ikev1_prop_build(const struct ike_peer_cfg *cfg, uint16_t dh,
		      struct isakmp_builder *b);
/* The chosen transform as the responder's answer. */
void ikev1_prop_build_reply(const struct ikev1_xform *x,
			    struct isakmp_builder *b);
/* Responder: the first offered transform one of our proposals takes,
 * proposal_check applied to its lifetime. 0, -ENOENT (logged with both
 * sides' values), or -EBADMSG (not an ISAKMP proposal). */
int ikev1_prop_choose(const struct ike_peer_cfg *cfg,
		      const struct isakmp_pl *sa, const struct ikd_addr *remote,
		      struct ikev1_xform *out);
/* proposal_check's name: "obey", "strict", "claim", "exact". */
const char *ikev1_check_name(uint8_t check);
/* Initiator: the answer's single transform must be one we offered. */
int ikev1_prop_check(const struct ike_peer_cfg *cfg,
		     const struct isakmp_pl *sa, struct ikev1_xform *out);
/* "aes-256/sha2-256/psk/modp2048/3600s" */
void ikev1_xform_str(const struct ikev1_xform *x, char *buf, size_t len);

/* ikev1_p1.c */
/* A first message (no SA has its cookie): configuration, mode, proposal
 * and the half-open limits are checked first; only then is an SA made. */
void ikev1_p1_respond(struct ike_engine *e, const struct ikd_addr *local,
		      const struct ikd_addr *remote, const struct isakmp_msg *m);
/* The next message of @sa's exchange: 0 accepted; -EAGAIN dropped, the
 * SA stays; any other error ends the SA (logged). */
int ikev1_p1_dispatch(struct ikev1_sa *sa, struct isakmp_msg *m);

/* ikev1_p1_auth.c */
/* Whether the chosen transform authenticates with RSA signatures. */
bool ikev1_p1_sig(const struct ikev1_sa *sa);
struct ikev1_p1 ikev1_p1_of(const struct ikev1_sa *sa);
/* Our ID payload body (RFC 2407 4.6.2): IKEv2's ID types we send have
 * the IPsec DOI's numbers. */
size_t ikev1_my_id_body(const struct ikev1_sa *sa, uint8_t *out);
/* my_identifier asn1dn without a DN: sa->my_id from our certificate.
 * 0, or an error (logged). */
int ikev1_auth_my_id(struct ikev1_sa *sa);
/* CERTREQ when the chosen (initiator of Aggressive Mode: first) method
 * is rsasig and send_cr is on. */
void ikev1_auth_add_cr(struct ikev1_sa *sa, struct isakmp_builder *b);
/* HASH, or [CERT] SIG, after our ID; a failure (logged) sets b's error. */
void ikev1_auth_add(struct ikev1_sa *sa, struct isakmp_builder *b);
/* The peer's HASH or SIG over its ID payload (sa->peer_id_b): 0, or
 * -EACCES (logged; with rsasig a notify went). */
int ikev1_auth_check(struct ikev1_sa *sa, const struct isakmp_msg *m);

/* ikev1_child.c */
/* Quick Mode @q installed its SAs: remembered (generated policies too). */
void ikev1_child_add(struct ikev1_sa *sa, struct ikev1_qm_x *q);
/* Phase 1 of @sa is established: its queued ACQUIREs go to Quick Mode. */
void ikev1_sa_run_pending(struct ikev1_sa *sa);
/* The peer of @sa deleted its inbound SA @spi (our outbound). */
void ikev1_child_peer_deleted(struct ikev1_sa *sa, uint8_t proto,
			      uint32_t spi);
/* Whether a Quick Mode for @sel and @proto, ours or the peer's, waits
 * for its next message. */
/* The peer deleted its inbound IPcomp SA @cpi (network order). */
void ikev1_child_peer_deleted_comp(struct ikev1_sa *sa, uint32_t cpi);
bool ikev1_qm_negotiating(const struct ikev1_sa *sa, const struct ikd_sel *sel,
			  uint8_t proto);
bool ikev1_sel_eq(const struct ikd_sel *a, const struct ikd_sel *b);
/* Removes generated policies @ids from the kernel (logged). */
void ikev1_del_policies(struct ike_engine *e, const uint32_t *ids,
			unsigned int n);
void ikev1_children_free(struct ike_engine *e);
/* The peer at @remote is dead: its pairs go from the kernel, untold. */
void ikev1_children_purge(struct ike_engine *e,
			  const struct ikd_addr *remote);

/* ikev1_info.c */
/* A DELETE for @spi (@spi_len bytes) of @proto, protected, sent once. */
int ikev1_info_delete(struct ikev1_sa *sa, uint8_t proto, const uint8_t *spi,
		      size_t spi_len);
/* A notify of @type about the ISAKMP SA (its cookies as the SPI),
 * protected with the phase 1 keys, sent once. */
int ikev1_info_notify(struct ikev1_sa *sa, uint16_t type);
/* The same with @len bytes of notification data (RFC 3706's sequence
 * number). */
int ikev1_info_notify_data(struct ikev1_sa *sa, uint16_t type,
			   const uint8_t *data, size_t len);
/* Our INITIAL-CONTACT, sent once after phase 1. */
int ikev1_info_initial_contact(struct ikev1_sa *sa);
/* An Informational for @sa: 0 acted on; -EAGAIN dropped (logged). */
int ikev1_info_receive(struct ikev1_sa *sa, struct isakmp_msg *m);

/* ikev1_dpd.c: dead peer detection, RFC 3706 */
/* Its vendor ID into a phase 1 message, when the remote block has dpd. */
void ikev1_dpd_add_vid(const struct ikev1_sa *sa, struct isakmp_builder *b);
void ikev1_dpd_note_vid(struct ikev1_sa *sa, const struct isakmp_pl *v);
/* Phase 1 is established: R-U-THERE every dpd_delay when both sides
 * sent the vendor ID. */
void ikev1_dpd_start(struct ikev1_sa *sa);
void ikev1_dpd_stop(struct ikev1_sa *sa);
/* An authentic R-U-THERE or R-U-THERE-ACK from @sa's peer. */
void ikev1_dpd_notify(struct ikev1_sa *sa, const struct isakmp_notify *n);

/* ikev1_qm.c */
enum { QM_I1, QM_R1, QM_DONE };

/* Quick Mode exchanges per ISAKMP SA: the peer is authenticated, but
 * exchanges it starts and never finishes must not pile up. */
#define QM_MAX_PENDING	16

struct ikev1_qm_x {
	struct ikev1_qm_x *next;
	uint32_t msgid;
	bool initiator;
	int state;
	struct ikev1_iv iv;
	uint8_t ni[ISAKMP_NONCE_MAX], nr[ISAKMP_NONCE_MAX];
	size_t ni_len, nr_len;
	struct ikd_sel sel;		/* src ours, dst the peer's */
	uint8_t mode;			/* IKD_MODE_* */
	uint8_t proto;			/* IPPROTO_ESP or IPPROTO_AH */
	uint8_t xnum;			/* the chosen transform's number */
	uint8_t pnum;			/* the chosen proposal's number */
	bool no_ids;			/* IDci/IDcr left out: the peers' */
	bool udp_encap;			/* chosen: ESP in UDP (NAT-T) */
	struct ikd_addr natt_oa;	/* the peer's NAT-OA; family 0: none */
	uint32_t reqid, seq;
	uint32_t spi_in, spi_out;	/* network order */
	/* chosen: ESP transform id (= IKEv2 ENCR id; 0 for AH), key bits,
	 * IKEv2 integrity id, lifetime */
	uint16_t encr, keybits, integ;
	uint32_t life_secs;
	bool claimed;		/* ours, shorter: send RESPONDER-LIFETIME */
	struct ike_child_cfg cfg;
	/* IPcomp with the pair (RFC 2407 4.4.1, one proposal number):
	 * comp_want the initiator's policy asks for it and its sainfo has
	 * compression_algorithm, at the request's level (at "use", ESP
	 * alone will do); comp once chosen, then the CPIs (low 16 bits,
	 * network order) and the reqid of the policy's IPcomp request. */
	bool comp_want, comp;
	uint8_t comp_level;
	uint32_t cpi_in, cpi_out, comp_reqid;
	/* Our inbound SAs' reqids: the inbound policy's (see
	 * ikd_kernel_in_reqid()). */
	uint32_t reqid_in, comp_reqid_in;
	/* PFS: the group (0: none), our key pair and public value, and
	 * g(qm)^xy for KEYMAT once the peer's KE came. */
	uint16_t dh_group;
	struct ike_dh *dh;
	uint8_t ke[IKE_MAX_DH_PUB], gqm[IKE_MAX_DH_PUB];
	size_t ke_len, gqm_len;
	/* ikev1_qm_tx.c: our last message, retransmitted while an answer
	 * is due, sent again when the peer repeats the one it answered. */
	struct ikev1_sa *sa;
	uint8_t *tx;
	size_t tx_len;
	bool tx_answers;
	unsigned int tries;
	uint32_t wait_ms;
	struct ikd_timer *timer;	/* retransmission, then linger */
	uint8_t rx_digest[IKE_SHA1_LEN];
	bool have_rx;
	/* Policies generate_policy installed for it (kernel ids): the
	 * IPsec SAs take them over, or they go with the exchange. */
	uint32_t gen_pol[3];
	unsigned int ngen;
};

void ikev1_qm_free_all(struct ikev1_sa *sa);
/* The inbound (@spi_in, the larval SA updated) and outbound SA of @q
 * into the kernel, their addresses and selectors set here from @sa and
 * @q; the rest (protocol, keys, lifetimes) is the caller's. */
int ikev1_qm_put_pair(const struct ikev1_sa *sa, const struct ikev1_qm_x *q,
		      uint32_t spi_in, uint32_t spi_out,
		      struct ikd_kernel_sa *in, struct ikd_kernel_sa *out);
/* A Quick Mode message for established @sa: 0 or -EAGAIN (dropped). */
int ikev1_qm_receive(struct ikev1_sa *sa, struct isakmp_msg *m);

/* ikev1_qm_prop.c */
/* @q's proposal (q->proto, our SPI) into an SA payload: every transform
 * of the sainfo's (initiator) or the chosen one (responder). */
void ikev1_qm_build_prop(const struct ikev1_qm_x *q,
			 struct isakmp_builder *b);
/* Whether the sainfo has a proposal of @ipproto (IPPROTO_ESP, _AH). */
bool ikev1_qm_cfg_has_proto(const struct ike_child_cfg *cfg,
			    uint8_t ipproto);
uint8_t ikev1_qm_isakmp_proto(uint8_t ipproto);
/* A transform of @m's SA payload the sainfo has (the responder goes by
 * the sainfo's order): the choice in @q (protocol, algorithms, group,
 * mode, the peer's SPI). 0, -ENOENT, -EBADMSG. */
int ikev1_qm_choose(struct ikev1_qm_x *q, const struct isakmp_msg *m);

/* ikev1_qm_check.c: proposal_check on the initiator's lifetime and PFS
 * group (racoon.conf(5)), and RESPONDER-LIFETIME. */
enum { IKEV1_QM_LONG_LIFE = 1, IKEV1_QM_LIFE_MISMATCH, IKEV1_QM_PFS_MISMATCH };
struct ikev1_qm_verdict {
	uint8_t check;			/* IKE_V1_CHECK_* */
	int why;			/* 0: taken, else IKEV1_QM_* */
	uint32_t theirs_life, ours_life, life;	/* life: the one to use */
	uint16_t theirs_grp, ours_grp;
	bool claimed;			/* life is ours, shorter */
};
/* The sainfo's lifetime (28800 s without one). */
uint32_t ikev1_qm_our_life(const struct ikev1_qm_x *q);
/* Responder: an offer's @life (0: none given) and @pfs (0: none) under
 * @check. 0 or -ENOENT, @v says which and why. */
int ikev1_qm_judge(const struct ikev1_qm_x *q, uint8_t check, uint32_t life,
		   uint16_t pfs, struct ikev1_qm_verdict *v);
/* One line naming both sides' values (refusal or claim); else none. */
void ikev1_qm_log_verdict(const struct ikev1_qm_x *q,
			  const struct ikev1_qm_verdict *v);
/* Responder: RESPONDER-LIFETIME into the answer when q->claimed. */
void ikev1_qm_build_claim(const struct ikev1_qm_x *q,
			  struct isakmp_builder *b);
/* Initiator: a shorter lifetime from the answer's RESPONDER-LIFETIME. */
void ikev1_qm_obey_claim(struct ikev1_qm_x *q, const struct isakmp_msg *m);
/* ikev1_qm_comp.c */
/* Initiator: whether @acq's policy bundles IPcomp with q->proto and the
 * sainfo (q->cfg) has compression_algorithm: q->comp_want and friends. */
void ikev1_qm_comp_want(struct ikev1_qm_x *q, const struct ikd_acquire *acq);
/* The IPCOMP proposal @num (our CPI, IPCOMP_DEFLATE). */
void ikev1_qm_comp_build(const struct ikev1_qm_x *q, struct isakmp_builder *b,
			 uint8_t num);
/* An IPCOMP proposal of the peer's: true and *cpi (network order, low
 * 16 bits) if it has a deflate transform and a usable CPI (logged if
 * not). */
bool ikev1_qm_comp_read(const struct isakmp_prop *p, uint32_t *cpi);
/* Our CPI from the kernel (a larval IPcomp SA), when q->comp. */
int ikev1_qm_comp_getspi(struct ikev1_sa *sa, struct ikev1_qm_x *q);
/* The IPcomp pair, when q->comp; logged when it fails. */
int ikev1_qm_comp_install(struct ikev1_sa *sa, struct ikev1_qm_x *q);
/* Initiator answered without IPcomp: our larval IPcomp SA goes. */
void ikev1_qm_comp_drop(struct ikev1_sa *sa, struct ikev1_qm_x *q);
/* "IPsec-SA established" lines for the IPcomp pair. */
void ikev1_qm_comp_log(const struct ikev1_sa *sa, const struct ikev1_qm_x *q);

/* ikev1_qm_spd.c */
/* Responder: @q's IDs (q->sel, chosen q->mode) within an outbound
 * policy for q->proto of our SPD for this peer, or installed as policies under
 * generate_policy; q->reqid from the policy. 0, or -ENOENT (logged). */
int ikev1_qm_check_ids(struct ikev1_sa *sa, struct ikev1_qm_x *q);

/* ikev1_kif.c: kipsec interfaces. The ACQUIRE @out to negotiate for the
 * interface's @acq (IDs 0.0.0.0/0, its reqid); 0 or -errno (logged). */
int ikev1_kif_acquire(struct ike_engine *e, const struct ikd_acquire *acq,
		      const struct ike_peer_cfg *peer, struct ikd_acquire *out);
/* Responder: ikev1_qm_check_ids() for a block with an interface. */
int ikev1_kif_ids(struct ikev1_sa *sa, struct ikev1_qm_x *q);

/* ikev1_qm_tx.c */
/* Sends @msg (copied); @waits: retransmitted until answered. */
int ikev1_qm_tx(struct ikev1_qm_x *q, const uint8_t *msg, size_t len,
		bool waits);
/* @msg repeats the last one accepted: answered again if ours did. */
bool ikev1_qm_repeated(struct ikev1_qm_x *q, const uint8_t *msg,
		       size_t len);
void ikev1_qm_accepted(struct ikev1_qm_x *q, const uint8_t *msg,
		       size_t len);
/* Done: kept a while to answer repeats, then freed. */
void ikev1_qm_linger(struct ikev1_qm_x *q);
/* Timers and the copy go (the exchange is being freed). */
void ikev1_qm_tx_free(struct ikev1_qm_x *q);
/* ikev1_qm.c: the peer answered our Quick Mode with notify @n (NO-
 * PROPOSAL-CHOSEN, INVALID-ID-INFORMATION): those exchanges stop. */
void ikev1_qm_refused(struct ikev1_sa *sa, const struct isakmp_notify *n);
/* ikev1_qm.c: frees @q (from its ISAKMP SA's list). */
void ikev1_qm_free(struct ikev1_sa *sa, struct ikev1_qm_x *q);

#endif /* IKD_IKEV1_INT_H */
