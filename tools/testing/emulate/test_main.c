// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include "emu_env.h"

#include "kunit_shim/kunit/test.h"

int main(void)
{
	test_decode();
	test_emulate();
	test_walk();
	test_paged();
	test_fuzz();
	/* The KUnit suite of arch/x86/emulate/tests, through the shim. */
	kunit_shim_run();
	printf("1..%d\n", tap_passed + tap_failed);
	printf("%d passed, %d failed\n", tap_passed, tap_failed);
	return tap_failed ? 1 : 0;
}
