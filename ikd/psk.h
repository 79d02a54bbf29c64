/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The pre-shared key file (racoon's psk.txt, `path pre_shared_key`):
 * lines of "IDENTIFIER KEY", the identifier an address, an FQDN or
 * user@FQDN, the key the rest of the line after the blanks that follow
 * the identifier (blanks inside and at the end are part of it), or "0x"
 * and hex digits for a binary key; '#' starts a comment line.
 *
 * The file must be a regular file owned by root or by ikd's user and not
 * accessible by group or others: ikd refuses it otherwise, as racoon did.
 * Keys are wiped from memory when freed (OPENSSL_cleanse) and never appear
 * in a diagnostic: messages about a line name the line and its
 * identifier.
 */
#ifndef IKD_PSK_H
#define IKD_PSK_H

#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "diag.h"

struct ikd_psk_entry {
	char *id;		/* as written */
	struct ikd_addr addr;	/* family 0 unless id is an address */
	uint8_t *key;
	size_t key_len;
	unsigned int line;
};

struct ikd_psk {
	char *path;
	struct ikd_psk_entry *v;	/* in file order */
	size_t n;
};

/*
 * Reads and checks @path. 0 and *out on success (warnings are fine), else
 * a negative errno with the problems in @d and *out NULL.
 */
int ikd_psk_load(const char *path, struct ikd_psk **out, struct ikd_diag *d);
/* The same for text in memory, without the file checks (tests, fuzzing). */
int ikd_psk_parse(const char *name, const char *text, size_t len,
		  struct ikd_psk **out, struct ikd_diag *d);
/*
 * The first entry for an identifier or an address: an exact match of the
 * text, else an entry whose address equals @id_or_addr's ("2001:DB8::1"
 * finds "2001:db8::1"). NULL: none.
 */
const struct ikd_psk_entry *ikd_psk_find(const struct ikd_psk *psk,
					 const char *id_or_addr);
/* Wipes every key, then frees. */
void ikd_psk_free(struct ikd_psk *psk);

#endif /* IKD_PSK_H */
