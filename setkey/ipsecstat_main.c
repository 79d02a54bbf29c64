// SPDX-License-Identifier: BSD-2-Clause
/* ipsecstat(8): kipsec's IPsec counters, as KAME's netstat -s -p ipsec. */
#include <stdio.h>

#include "ipsecstat.h"

int main(int argc, char **argv)
{
	return ipsecstat_main(argc, argv, stdout, stderr);
}
