/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Just enough of <kunit/test.h> to run arch/x86/emulate's KUnit suite
 * on the host: each case becomes one TAP line of emulate_test.
 */
#ifndef EMU_KUNIT_SHIM_H
#define EMU_KUNIT_SHIM_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include "../../tap.h"

#define KUNIT_SHIM_MAX_ALLOCS	32

struct kunit {
	const char *name;
	bool failed;
	void *allocs[KUNIT_SHIM_MAX_ALLOCS];
	unsigned int nallocs;
};

struct kunit_case {
	void (*run_case)(struct kunit *test);
	const char *name;
};

struct kunit_suite {
	const char *name;
	struct kunit_case *test_cases;
};

#define GFP_KERNEL	0
#define KUNIT_CASE(fn)	{ .run_case = fn, .name = #fn }

static inline void *kunit_kzalloc(struct kunit *test, size_t size, int gfp)
{
	void *p;

	if (test->nallocs == KUNIT_SHIM_MAX_ALLOCS)
		return NULL;
	p = calloc(1, size);
	test->allocs[test->nallocs++] = p;
	return p;
}

/* Both sides evaluated once, compared as 64-bit values. */
#define KUNIT_EXPECT_EQ(test, a, b) do {				\
	unsigned long long _ka = (unsigned long long)(a);		\
	unsigned long long _kb = (unsigned long long)(b);		\
	if (_ka != _kb) {						\
		(test)->failed = true;					\
		tap_diag("  %s:%d: %s == %#llx, expected %#llx",	\
			 __FILE__, __LINE__, #a, _ka, _kb);		\
	}								\
} while (0)

#define KUNIT_EXPECT_TRUE(test, cond) KUNIT_EXPECT_EQ(test, !!(cond), 1)

#define KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ptr) do {			\
	if (!(ptr)) {							\
		tap_diag("  %s:%d: allocation failed", __FILE__, __LINE__); \
		abort();						\
	}								\
} while (0)

#define kunit_test_suites(suite)					\
	struct kunit_suite *kunit_shim_suite = (suite)

extern struct kunit_suite *kunit_shim_suite;

/* Run the suite kunit_test_suites() named: one TAP line per case. */
static inline void kunit_shim_run(void)
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

#endif
