/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The few kernel facilities pfkey_msg.c uses, mapped to libc when it is
 * compiled in userspace (fuzz target, unit tests): the message parser is
 * the same source on both sides.
 */
#ifndef KIPSEC_COMPAT_H
#define KIPSEC_COMPAT_H

#ifdef __KERNEL__
#include <linux/kernel.h>
#include <linux/types.h>
#include <linux/errno.h>
#include <linux/string.h>
#include <linux/socket.h>
#include <linux/in.h>
#include <linux/in6.h>
#else
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <linux/types.h>
typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif
#endif /* __KERNEL__ */

#include <linux/pfkeyv2.h>
#include <linux/ipsec.h>
#include <kipsec/pfkey_ext.h>
#include <kipsec/pfkey_extlen.h>

#endif /* KIPSEC_COMPAT_H */
