// SPDX-License-Identifier: GPL-2.0
/* Runs the memslot array's KUnit suite on the build machine. */
#include <stdio.h>
#include <stdlib.h>

#include "kunit/test.h"

int main(void)
{
	struct kunit_case *kc;

	printf("TAP version 13\n");
	for (kc = kunit_shim_suite->test_cases; kc->run_case; kc++) {
		struct kunit test = { .name = kc->name };
		unsigned int i;

		kc->run_case(&test);
		tap_ok(!test.failed, "kunit %s.%s", kunit_shim_suite->name,
		       kc->name);
		for (i = 0; i < test.nallocs; i++)
			free(test.allocs[i]);
	}
	printf("1..%d\n", tap_passed + tap_failed);
	printf("%d passed, %d failed\n", tap_passed, tap_failed);
	return tap_failed ? 1 : 0;
}
