// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include "emu_env.h"

#include "kunit_shim/kunit/test.h"

/* Run the KUnit suite of arch/x86/emulate/tests through the shim. */
static void test_kunit(void)
{
	struct kunit_case *kc;

	for (kc = kunit_shim_suite->test_cases; kc->run_case; kc++) {
		struct kunit test = { .name = kc->name };
		unsigned int i;

		kc->run_case(&test);
		tap_ok(!test.failed, "kunit %s.%s", kunit_shim_suite->name,
		       kc->name);
		for (i = 0; i < test.nallocs; i++)
			free(test.allocs[i]);
	}
}

int main(void)
{
	test_decode();
	test_emulate();
	test_walk();
	test_paged();
	test_fuzz();
	test_kunit();
	printf("1..%d\n", tap_passed + tap_failed);
	printf("%d passed, %d failed\n", tap_passed, tap_failed);
	return tap_failed ? 1 : 0;
}
