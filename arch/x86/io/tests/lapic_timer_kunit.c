// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the local APIC timer arithmetic (io/lapic_timer.h):
 * the divide configuration's encoding, counts to time at the 1 GHz
 * APIC clock, the current count while the timer runs, and TSC deadlines
 * to nanoseconds without overflow.
 */
#include <kunit/test.h>

#include "../lapic_timer.h"

static void divisor_encoding(struct kunit *test)
{
	/* Bits 3, 1, 0: 000 -> 2, 001 -> 4, ... 110 -> 128, 111 -> 1. */
	static const struct { u32 tdcr, div; } cases[] = {
		{ 0x0, 2 }, { 0x1, 4 }, { 0x2, 8 }, { 0x3, 16 },
		{ 0x8, 32 }, { 0x9, 64 }, { 0xa, 128 }, { 0xb, 1 },
		/* Bit 2 and bits above 3 are not part of the code. */
		{ 0x4, 2 }, { 0xf, 1 }, { 0xfffffff0, 2 }, { 0x13, 16 },
	};
	unsigned int i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		KUNIT_EXPECT_EQ(test, lapic_timer_divisor(cases[i].tdcr),
				cases[i].div);
}

static void counts_to_ns(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, lapic_timer_ns(0, 1), 0ULL);
	KUNIT_EXPECT_EQ(test, lapic_timer_ns(1000000, 1), 1000000ULL);
	KUNIT_EXPECT_EQ(test, lapic_timer_ns(1000, 128), 128000ULL);
	/* The largest count at the largest divider does not wrap. */
	KUNIT_EXPECT_EQ(test, lapic_timer_ns(0xffffffff, 128),
			0xffffffffULL * 128);
}

static void current_count(struct kunit *test)
{
	/* Expired, or about to: 0. */
	KUNIT_EXPECT_EQ(test, lapic_timer_count_left(0, 1, 100), 0U);
	KUNIT_EXPECT_EQ(test, lapic_timer_count_left(-5, 16, 100), 0U);
	/* Partial counts round up: it reads 0 only at expiry. */
	KUNIT_EXPECT_EQ(test, lapic_timer_count_left(1, 16, 100), 1U);
	KUNIT_EXPECT_EQ(test, lapic_timer_count_left(16, 16, 100), 1U);
	KUNIT_EXPECT_EQ(test, lapic_timer_count_left(17, 16, 100), 2U);
	KUNIT_EXPECT_EQ(test, lapic_timer_count_left(1600, 16, 100), 100U);
	/* Never above the initial count (timer slack, clock skew). */
	KUNIT_EXPECT_EQ(test, lapic_timer_count_left(5000, 16, 100), 100U);
	KUNIT_EXPECT_EQ(test, lapic_timer_count_left(S64_MAX, 1, 0xffffffff),
			0xffffffffU);
}

static void tsc_delta(struct kunit *test)
{
	/* 3 GHz: 3000 ticks a microsecond. */
	KUNIT_EXPECT_EQ(test, lapic_tsc_delta_ns(3000, 3000000), 1000ULL);
	KUNIT_EXPECT_EQ(test, lapic_tsc_delta_ns(0, 3000000), 0ULL);
	/* Remainders are kept: 1 tick at 1 GHz is 1 ns, at 2 GHz 0. */
	KUNIT_EXPECT_EQ(test, lapic_tsc_delta_ns(1, 1000000), 1ULL);
	KUNIT_EXPECT_EQ(test, lapic_tsc_delta_ns(1, 2000000), 0ULL);
	KUNIT_EXPECT_EQ(test, lapic_tsc_delta_ns(2999999, 1000000), 2999999ULL);
	/* An hour at 2.5 GHz. */
	KUNIT_EXPECT_EQ(test, lapic_tsc_delta_ns(9000000000000ULL, 2500000),
			3600000000000ULL);
	/* Far deadlines saturate instead of wrapping to "soon". */
	KUNIT_EXPECT_EQ(test, lapic_tsc_delta_ns(U64_MAX, 1000), U64_MAX);
	KUNIT_EXPECT_EQ(test, lapic_tsc_delta_ns(U64_MAX, 4000000),
			(U64_MAX / 4000000) * 1000000 +
			((U64_MAX % 4000000) * 1000000) / 4000000);
}

static struct kunit_case lapic_timer_cases[] = {
	KUNIT_CASE(divisor_encoding),
	KUNIT_CASE(counts_to_ns),
	KUNIT_CASE(current_count),
	KUNIT_CASE(tsc_delta),
	{}
};

static struct kunit_suite lapic_timer_suite = {
	.name = "kvmod_lapic_timer",
	.test_cases = lapic_timer_cases,
};

kunit_test_suites(&lapic_timer_suite);

MODULE_LICENSE("GPL");
