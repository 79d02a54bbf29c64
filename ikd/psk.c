// SPDX-License-Identifier: BSD-2-Clause
/*
 * psk.txt as racoon reads it (localconf.c getpsk()), with the checks of
 * its safefile(): see psk.h. The whole file is read through one
 * descriptor, so the checks apply to what is read, and the buffer is wiped
 * before it is freed.
 */
#include "psk.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#define PSK_MAX_SIZE	(1u << 20)

void ikd_psk_free(struct ikd_psk *psk)
{
	if (!psk)
		return;
	for (size_t i = 0; i < psk->n; i++) {
		struct ikd_psk_entry *e = &psk->v[i];

		if (e->key)
			OPENSSL_cleanse(e->key, e->key_len);
		free(e->key);
		free(e->id);
	}
	free(psk->v);
	free(psk->path);
	free(psk);
}

static bool blank(char c)
{
	return c == ' ' || c == '\t';
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* "0x..." into bytes; false if it is not an even run of hex digits. */
static bool decode_hex(const char *s, size_t n, uint8_t *out, size_t *len)
{
	while (n && (blank(s[n - 1]) || s[n - 1] == '\r'))
		n--;
	if (!n || n % 2)
		return false;
	for (size_t i = 0; i < n; i += 2) {
		int hi = hexval(s[i]), lo = hexval(s[i + 1]);

		if (hi < 0 || lo < 0)
			return false;
		out[i / 2] = (uint8_t)(hi << 4 | lo);
	}
	*len = n / 2;
	return true;
}

static const struct ikd_psk_entry *find_exact(const struct ikd_psk *psk,
					      const char *id)
{
	for (size_t i = 0; i < psk->n; i++)
		if (!strcmp(psk->v[i].id, id))
			return &psk->v[i];
	return NULL;
}

/* One "IDENTIFIER KEY" line; false only when out of memory. */
static bool parse_line(struct ikd_psk *psk, const char *name, unsigned int ln,
		       const char *line, size_t n, struct ikd_diag *d)
{
	struct ikd_pos pos = { name, ln, 1 };
	size_t i = 0, idlen;
	const char *id, *key;
	struct ikd_psk_entry e = { .line = ln };
	const struct ikd_psk_entry *prev;
	size_t klen;
	void *v;

	while (i < n && blank(line[i]))
		i++;
	if (i == n || line[i] == '#' || (line[i] == '\r' && i + 1 == n))
		return true;
	pos.col = (unsigned int)i + 1;
	id = line + i;
	while (i < n && !blank(line[i]) && line[i] != '\r')
		i++;
	idlen = (size_t)(line + i - id);
	while (i < n && blank(line[i]))
		i++;
	key = line + i;
	klen = n - i;
	e.id = strndup(id, idlen);
	if (!e.id)
		return false;
	if (klen && key[klen - 1] == '\r' && klen == 1)
		klen = 0;
	if (!klen) {
		ikd_diag_error(d, &pos, "'%s' has no key", e.id);
		free(e.id);
		return true;
	}
	e.key = malloc(klen);
	if (!e.key) {
		free(e.id);
		return false;
	}
	if (klen >= 2 && key[0] == '0' && key[1] == 'x') {
		if (!decode_hex(key + 2, klen - 2, e.key, &e.key_len)) {
			ikd_diag_error(d, &pos, "the key of '%s' is not an even "
				       "number of hex digits after 0x", e.id);
			OPENSSL_cleanse(e.key, klen);
			free(e.key);
			free(e.id);
			return true;
		}
	} else {
		memcpy(e.key, key, klen);
		e.key_len = klen;
		if (blank(key[klen - 1]) || key[klen - 1] == '\r')
			ikd_diag_warn(d, &pos, "the key of '%s' ends in "
				      "whitespace, which is part of the key",
				      e.id);
	}
	if (!strchr(e.id, '[') && ikd_addr_parse(&e.addr, e.id))
		memset(&e.addr, 0, sizeof(e.addr));
	prev = find_exact(psk, e.id);
	if (prev)
		ikd_diag_warn(d, &pos, "'%s' has a key on line %u already; "
			      "that one is used", e.id, prev->line);
	v = realloc(psk->v, (psk->n + 1) * sizeof(*psk->v));
	if (!v) {
		OPENSSL_cleanse(e.key, e.key_len);
		free(e.key);
		free(e.id);
		return false;
	}
	psk->v = v;
	psk->v[psk->n++] = e;
	return true;
}

int ikd_psk_parse(const char *name, const char *text, size_t len,
		  struct ikd_psk **out, struct ikd_diag *d)
{
	struct ikd_pos file = { .file = name };
	size_t errors = d->nerrors;
	struct ikd_psk *psk;
	unsigned int ln = 0;

	*out = NULL;
	psk = calloc(1, sizeof(*psk));
	if (!psk || !(psk->path = strdup(name))) {
		free(psk);
		ikd_diag_error(d, &file, "out of memory");
		return -ENOMEM;
	}
	for (size_t off = 0; off < len;) {
		const char *nl = memchr(text + off, '\n', len - off);
		size_t n = nl ? (size_t)(nl - text) - off : len - off;

		if (memchr(text + off, '\0', n)) {
			struct ikd_pos at = { name, ln + 1, 1 };

			ikd_diag_error(d, &at, "a NUL byte: this is not a text "
				       "file");
			break;
		}
		if (!parse_line(psk, name, ++ln, text + off, n, d)) {
			ikd_diag_error(d, &file, "out of memory");
			ikd_psk_free(psk);
			return -ENOMEM;
		}
		off += n + 1;
	}
	if (d->nerrors != errors) {
		ikd_psk_free(psk);
		return -EINVAL;
	}
	*out = psk;
	return 0;
}

/* racoon's safefile(): the file must be ours and private. */
static int check_file(int fd, const char *path, struct ikd_diag *d)
{
	struct ikd_pos file = { .file = path };
	struct stat st;

	if (fstat(fd, &st) < 0) {
		ikd_diag_error(d, &file, "cannot read: %s", strerror(errno));
		return -errno;
	}
	if (!S_ISREG(st.st_mode)) {
		ikd_diag_error(d, &file, "is not a regular file");
		return -EINVAL;
	}
	if (st.st_uid != 0 && st.st_uid != geteuid()) {
		ikd_diag_error(d, &file, "must be owned by root or by uid %u "
			       "(it is owned by uid %u)", (unsigned int)geteuid(),
			       (unsigned int)st.st_uid);
		return -EPERM;
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		ikd_diag_error(d, &file, "must not be accessible by group or "
			       "others (mode %04o); run chmod 600 %s",
			       (unsigned int)(st.st_mode & 07777), path);
		return -EPERM;
	}
	if (st.st_size > (off_t)PSK_MAX_SIZE) {
		ikd_diag_error(d, &file, "is too large for a key file");
		return -EFBIG;
	}
	return (int)st.st_size;
}

int ikd_psk_load(const char *path, struct ikd_psk **out, struct ikd_diag *d)
{
	struct ikd_pos file = { .file = path };
	size_t n = 0, cap;
	char *buf;
	int fd, rc;

	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		ikd_diag_error(d, &file, "cannot read: %s", strerror(errno));
		return rc;
	}
	rc = check_file(fd, path, d);
	if (rc < 0) {
		close(fd);
		return rc;
	}
	cap = (size_t)rc + 1;
	buf = malloc(cap);
	if (!buf) {
		close(fd);
		ikd_diag_error(d, &file, "out of memory");
		return -ENOMEM;
	}
	for (;;) {
		ssize_t r = read(fd, buf + n, cap - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0 || (n += (size_t)r) == cap)
			break;
	}
	close(fd);
	rc = ikd_psk_parse(path, buf, n < cap ? n : cap - 1, out, d);
	OPENSSL_cleanse(buf, cap);
	free(buf);
	return rc;
}

const struct ikd_psk_entry *ikd_psk_find(const struct ikd_psk *psk,
					 const char *id_or_addr)
{
	const struct ikd_psk_entry *e = find_exact(psk, id_or_addr);
	struct ikd_addr a;

	if (e || strchr(id_or_addr, '[') || ikd_addr_parse(&a, id_or_addr))
		return e;
	for (size_t i = 0; i < psk->n; i++)
		if (psk->v[i].addr.family && ikd_addr_eq_noport(&psk->v[i].addr, &a))
			return &psk->v[i];
	return NULL;
}
