// SPDX-License-Identifier: BSD-2-Clause
/* setkey(8): manage the kernel's IPsec SAD and SPD over PF_KEY. */
#include <stdio.h>

#include "setkey.h"

int main(int argc, char **argv)
{
	return setkey_main(argc, argv, &sk_default_ops, stdin, stdout, stderr);
}
