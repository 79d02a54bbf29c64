// SPDX-License-Identifier: BSD-2-Clause
/*
 * The debug-only IKE key log: the one place where ikd writes keys, and
 * only when the admin names a file. Each IKE SA's keys are appended as a
 * line of Wireshark's IKEv2 decryption table (the UAT file
 * "ikev2_decryption_table"):
 *
 *   Initiator's SPI,Responder's SPI,SK_ei,SK_er,"Encryption algorithm",
 *   SK_ai,SK_ar,"Integrity algorithm"
 *
 * SPIs and keys in hex, the algorithms by the names Wireshark's
 * packet-isakmp.c gives them. Wireshark knows no ChaCha20-Poly1305 for
 * IKEv2; such SAs are left out (with a warning). The file is created with
 * mode 0600, and one that others can read is refused.
 */
#include "ike_int.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "log.h"

static const char *ws_encr(uint16_t id, uint16_t keybits, char *buf,
			   size_t len)
{
	int icv;

	switch (id) {
	case IKE_ENCR_3DES:
		return "3DES [RFC2451]";
	case IKE_ENCR_NULL:
		return "NULL [RFC2410]";
	case IKE_ENCR_AES_CBC:
	case IKE_ENCR_AES_CTR:
		if (keybits != 128 && keybits != 192 && keybits != 256)
			return NULL;
		snprintf(buf, len, "AES-%s-%u [%s]",
			 id == IKE_ENCR_AES_CBC ? "CBC" : "CTR", keybits,
			 id == IKE_ENCR_AES_CBC ? "RFC3602" : "RFC5930");
		return buf;
	case IKE_ENCR_AES_GCM_8: icv = 8; break;
	case IKE_ENCR_AES_GCM_12: icv = 12; break;
	case IKE_ENCR_AES_GCM_16: icv = 16; break;
	default:
		return NULL;
	}
	if (keybits != 128 && keybits != 192 && keybits != 256)
		return NULL;
	snprintf(buf, len, "AES-GCM-%u with %d octet ICV [RFC5282]", keybits,
		 icv);
	return buf;
}

static const char *ws_integ(uint16_t id)
{
	switch (id) {
	case IKE_AUTH_NONE: return "NONE [RFC4306]";
	case IKE_AUTH_HMAC_MD5_96: return "HMAC_MD5_96 [RFC2403]";
	case IKE_AUTH_HMAC_SHA1_96: return "HMAC_SHA1_96 [RFC2404]";
	case IKE_AUTH_HMAC_SHA2_256_128: return "HMAC_SHA2_256_128 [RFC4868]";
	case IKE_AUTH_HMAC_SHA2_384_192: return "HMAC_SHA2_384_192 [RFC4868]";
	case IKE_AUTH_HMAC_SHA2_512_256: return "HMAC_SHA2_512_256 [RFC4868]";
	}
	return NULL;
}

static void hex(FILE *f, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%02x", p[i]);
}

void ike_keylog_write(const char *path, const struct ike_sa *sa)
{
	char eb[64];
	const char *encr = ws_encr(sa->ch.encr, sa->ch.encr_info ?
				   sa->ch.encr_info->keybits : 0, eb, sizeof(eb));
	const char *integ = ws_integ(sa->ch.integ);
	const struct ike_keys *k = &sa->k;
	struct stat st;
	FILE *f;
	int fd;

	if (!encr || !integ) {
		log_warn("key log: Wireshark has no name for this IKE SA's "
			 "algorithms; its keys are not written");
		return;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW,
		  0600);
	if (fd < 0) {
		log_error("key log %s: %s", path, strerror(errno));
		return;
	}
	if (fstat(fd, &st) || (st.st_mode & 077) || !S_ISREG(st.st_mode)) {
		log_error("key log %s: not a regular file of mode 0600; "
			  "nothing written", path);
		close(fd);
		return;
	}
	f = fdopen(fd, "a");
	if (!f) {
		close(fd);
		return;
	}
	fprintf(f, "%016" PRIx64 ",%016" PRIx64 ",", sa->spi_i, sa->spi_r);
	hex(f, k->ei, k->e_len);
	fputc(',', f);
	hex(f, k->er, k->e_len);
	fprintf(f, ",\"%s\",", encr);
	hex(f, k->ai, k->a_len);
	fputc(',', f);
	hex(f, k->ar, k->a_len);
	fprintf(f, ",\"%s\"\n", integ);
	if (fclose(f))
		log_error("key log %s: %s", path, strerror(errno));
}
