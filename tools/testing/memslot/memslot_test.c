// SPDX-License-Identifier: GPL-2.0
/* Runs the memslot array's KUnit suite on the build machine. */
#include <stdio.h>
#include <stdlib.h>

#include "kunit/test.h"

int main(void)
{
	printf("TAP version 13\n");
	kunit_shim_run();
	printf("1..%d\n", tap_passed + tap_failed);
	printf("%d passed, %d failed\n", tap_passed, tap_failed);
	return tap_failed ? 1 : 0;
}
