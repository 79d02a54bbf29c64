/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ikd's log: syslog by default, a file with -l, stderr in the foreground
 * (-F) and in tests. Levels follow racoon.conf's `log` statement; -d raises
 * the level by one per flag.
 *
 * Never pass key material, nonces that feed keys, or shared secrets to
 * these functions, at any level: the only place keys may be written is the
 * debug-only IKE key log that tshark reads (log_keys.c), which the admin
 * asks for by name.
 */
#ifndef IKD_LOG_H
#define IKD_LOG_H

#include <stdarg.h>
#include <stdbool.h>

enum ikd_log_level {
	IKD_LOG_ERROR,		/* racoon: error */
	IKD_LOG_WARNING,	/* warning */
	IKD_LOG_NOTIFY,		/* notify (the default) */
	IKD_LOG_INFO,		/* info */
	IKD_LOG_DEBUG,		/* debug */
	IKD_LOG_DEBUG2,		/* debug2: packet dumps, without keys */
};

enum ikd_log_target { IKD_LOG_SYSLOG, IKD_LOG_FILE, IKD_LOG_STDERR };

/* 0 or -errno (the file could not be opened). */
int ikd_log_open(enum ikd_log_target target, const char *path);
void ikd_log_close(void);
void ikd_log_set_level(enum ikd_log_level level);
enum ikd_log_level ikd_log_get_level(void);
bool ikd_log_enabled(enum ikd_log_level level);
/* "error", "warning", "notify", "info", "debug", "debug2"; -1 if unknown. */
int ikd_log_level_by_name(const char *name);

void ikd_log(enum ikd_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void ikd_vlog(enum ikd_log_level level, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

#define log_error(...)	ikd_log(IKD_LOG_ERROR, __VA_ARGS__)
#define log_warn(...)	ikd_log(IKD_LOG_WARNING, __VA_ARGS__)
#define log_notify(...)	ikd_log(IKD_LOG_NOTIFY, __VA_ARGS__)
#define log_info(...)	ikd_log(IKD_LOG_INFO, __VA_ARGS__)
#define log_debug(...)	ikd_log(IKD_LOG_DEBUG, __VA_ARGS__)

#endif /* IKD_LOG_H */
