/* SPDX-License-Identifier: BSD-2-Clause */
/* ipsecif(8): kipsec interfaces from the command line (ipsecif.c). */
#ifndef KIPSEC_IPSECIF_H
#define KIPSEC_IPSECIF_H

#include <stdio.h>

/* 0, 1 (the kernel refused), or 2 (bad arguments), as the tool exits. */
int ipsecif_main(int argc, char **argv, FILE *out, FILE *err);

#endif /* KIPSEC_IPSECIF_H */
