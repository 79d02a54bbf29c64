// SPDX-License-Identifier: BSD-2-Clause
/* ipsecif(8): kipsec's route-based tunnel interfaces. */
#include <stdio.h>

#include "ipsecif.h"

int main(int argc, char **argv)
{
	return ipsecif_main(argc, argv, stdout, stderr);
}
