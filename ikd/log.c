// SPDX-License-Identifier: BSD-2-Clause
/*
 * ikd's log (log.h). Destinations add up: ikd_log_open() may be called once
 * per target, so that `ikd -F` writes to stderr besides syslog or the -l
 * file, as racoon -F did. Opening FILE again replaces the file (reopening
 * after logrotate); ikd_log_close() closes everything.
 *
 * File and stderr lines look like racoon's file log:
 *   2026-12-06 14:17:21: INFO: message
 * Syslog gets the message alone (syslogd stamps it), as "ikd[pid]" on
 * LOG_DAEMON. Until a destination is opened, lines go to stderr.
 *
 * Messages carry text from the network (identities, peer names): control
 * characters are escaped (\n as "\x0a") so nobody can forge a log line.
 */
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

/* A log line, escapes included; longer ones end in "...". */
#define LOG_LINE_MAX	2048

static struct {
	enum ikd_log_level level;
	bool syslog_on;
	bool stderr_on;
	FILE *file;
} logst = { .level = IKD_LOG_NOTIFY };

static const char *const level_names[] = {
	[IKD_LOG_ERROR] = "error",
	[IKD_LOG_WARNING] = "warning",
	[IKD_LOG_NOTIFY] = "notify",
	[IKD_LOG_INFO] = "info",
	[IKD_LOG_DEBUG] = "debug",
	[IKD_LOG_DEBUG2] = "debug2",
};

/* racoon's file log spells the levels in capitals. */
static const char *const level_tags[] = {
	[IKD_LOG_ERROR] = "ERROR",
	[IKD_LOG_WARNING] = "WARNING",
	[IKD_LOG_NOTIFY] = "NOTIFY",
	[IKD_LOG_INFO] = "INFO",
	[IKD_LOG_DEBUG] = "DEBUG",
	[IKD_LOG_DEBUG2] = "DEBUG2",
};

static const int syslog_prio[] = {
	[IKD_LOG_ERROR] = LOG_ERR,
	[IKD_LOG_WARNING] = LOG_WARNING,
	[IKD_LOG_NOTIFY] = LOG_NOTICE,
	[IKD_LOG_INFO] = LOG_INFO,
	[IKD_LOG_DEBUG] = LOG_DEBUG,
	[IKD_LOG_DEBUG2] = LOG_DEBUG,
};

static enum ikd_log_level clamp(enum ikd_log_level level)
{
	if ((int)level < IKD_LOG_ERROR)
		return IKD_LOG_ERROR;
	return level > IKD_LOG_DEBUG2 ? IKD_LOG_DEBUG2 : level;
}

int ikd_log_open(enum ikd_log_target target, const char *path)
{
	FILE *f;
	int fd;

	switch (target) {
	case IKD_LOG_SYSLOG:
		if (!logst.syslog_on)
			openlog("ikd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
		logst.syslog_on = true;
		return 0;
	case IKD_LOG_STDERR:
		logst.stderr_on = true;
		return 0;
	case IKD_LOG_FILE:
		if (!path || !*path)
			return -EINVAL;
		/* Keys never go here, but peers' identities do: not for
		 * everyone to read. */
		fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC |
			  O_NOCTTY, 0600);
		if (fd < 0)
			return -errno;
		f = fdopen(fd, "a");
		if (!f) {
			int err = errno;

			close(fd);
			return -err;
		}
		setvbuf(f, NULL, _IOLBF, 0);
		if (logst.file)
			fclose(logst.file);
		logst.file = f;
		return 0;
	}
	return -EINVAL;
}

void ikd_log_close(void)
{
	if (logst.syslog_on)
		closelog();
	if (logst.file)
		fclose(logst.file);
	logst.syslog_on = false;
	logst.stderr_on = false;
	logst.file = NULL;
}

void ikd_log_set_level(enum ikd_log_level level)
{
	logst.level = clamp(level);
}

enum ikd_log_level ikd_log_get_level(void)
{
	return logst.level;
}

bool ikd_log_enabled(enum ikd_log_level level)
{
	return level <= logst.level;
}

int ikd_log_level_by_name(const char *name)
{
	if (!name)
		return -1;
	for (size_t i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++)
		if (strcasecmp(name, level_names[i]) == 0)
			return (int)i;
	return -1;
}

/*
 * Copies @in to @out escaping control characters and DEL; bytes >= 0x80
 * pass (UTF-8 in identities). Always terminates @out.
 */
static void escape(char *out, size_t cap, const char *in, bool cut)
{
	static const char hex[] = "0123456789abcdef";
	const char *more = "...";
	size_t o = 0, room = cap - strlen(more) - 1;

	for (; *in; in++) {
		unsigned char c = (unsigned char)*in;

		if (c >= 0x20 && c != 0x7f) {
			if (o + 1 > room) {
				cut = true;
				break;
			}
			out[o++] = (char)c;
			continue;
		}
		if (o + 4 > room) {
			cut = true;
			break;
		}
		out[o++] = '\\';
		out[o++] = 'x';
		out[o++] = hex[c >> 4];
		out[o++] = hex[c & 15];
	}
	out[o] = '\0';
	if (cut)
		memcpy(out + o, more, strlen(more) + 1);
}

static void write_stamped(FILE *f, enum ikd_log_level level, const char *msg)
{
	char stamp[32];
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	if (!localtime_r(&ts.tv_sec, &tm) ||
	    !strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &tm))
		snprintf(stamp, sizeof(stamp), "%lld", (long long)ts.tv_sec);
	fprintf(f, "%s: %s: %s\n", stamp, level_tags[level], msg);
}

void ikd_vlog(enum ikd_log_level level, const char *fmt, va_list ap)
{
	char raw[LOG_LINE_MAX], line[LOG_LINE_MAX];
	int saved = errno;	/* callers may log and then read errno */
	int n;

	level = clamp(level);
	if (!ikd_log_enabled(level))
		return;
	n = vsnprintf(raw, sizeof(raw), fmt, ap);
	if (n < 0)
		snprintf(raw, sizeof(raw), "(unprintable log message: %s)", fmt);
	escape(line, sizeof(line), raw, n >= (int)sizeof(raw));
	if (logst.syslog_on)
		syslog(syslog_prio[level], "%s", line);
	if (logst.file)
		write_stamped(logst.file, level, line);
	/* Before any ikd_log_open(), nothing would be seen: stderr. */
	if (logst.stderr_on || (!logst.syslog_on && !logst.file))
		write_stamped(stderr, level, line);
	errno = saved;
}

void ikd_log(enum ikd_log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ikd_vlog(level, fmt, ap);
	va_end(ap);
}
