/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Local APIC timer arithmetic, pure so that a host test and KUnit can run
 * it (io/tests/lapic_timer_kunit.c).  kvmod's APIC timer counts at 1 GHz
 * before the divider, as KVM's does, so one count is divisor ns.
 */
#ifndef KVMOD_LAPIC_TIMER_H
#define KVMOD_LAPIC_TIMER_H

#include "io_types.h"
#ifdef __KERNEL__
#include <linux/math64.h>
#else
/* The host build of the KUnit suite (tools/testing/irqchip). */
#include <stdint.h>
#define U64_MAX UINT64_MAX
#define S64_MAX INT64_MAX
static inline u64 div_u64(u64 dividend, u32 divisor)
{
	return dividend / divisor;
}
#endif

/* Shortest periodic timer a guest may ask for: bounds host timer load. */
#define KVMOD_LAPIC_MIN_PERIOD_NS	100000ULL

/**
 * lapic_timer_divisor() - the divider the Divide Configuration Register
 *	selects
 * @tdcr: the register; bits 0, 1 and 3 count, the rest are ignored
 *
 * Return: 1, 2, 4, ... 128.
 */
static inline u32 lapic_timer_divisor(u32 tdcr)
{
	u32 code = (tdcr & 3) | ((tdcr >> 1) & 4);

	/* Codes 0-6 divide by 2^(code + 1); code 7 by 1. */
	return code == 7 ? 1 : 2U << code;
}

/**
 * lapic_timer_ns() - time for @count timer counts
 * @count: counts (the initial count, or what remains)
 * @divisor: lapic_timer_divisor()
 */
static inline u64 lapic_timer_ns(u32 count, u32 divisor)
{
	return (u64)count * divisor;
}

/**
 * lapic_timer_count_left() - the Current Count Register
 * @remaining_ns: time until expiry (<= 0 once expired)
 * @divisor: lapic_timer_divisor()
 * @initial: the Initial Count, which the current count never exceeds
 */
static inline u32 lapic_timer_count_left(s64 remaining_ns, u32 divisor,
					 u32 initial)
{
	u64 left;

	if (remaining_ns <= 0)
		return 0;
	/* Round up: the count reaches 0 only at expiry. */
	left = div_u64((u64)remaining_ns + divisor - 1, divisor);
	return left > initial ? initial : (u32)left;
}

/**
 * lapic_tsc_delta_ns() - how long the TSC takes to advance @delta
 * @delta: TSC ticks
 * @tsc_khz: TSC frequency in kHz (non-zero)
 *
 * Saturates instead of overflowing for far-away deadlines.
 */
static inline u64 lapic_tsc_delta_ns(u64 delta, u32 tsc_khz)
{
	/* ns = delta * 10^6 / kHz; split so the product fits in 64 bits. */
	u64 whole = div_u64(delta, tsc_khz);
	u32 rest = delta - whole * tsc_khz;

	if (whole > U64_MAX / 1000000)
		return U64_MAX;
	return whole * 1000000 + div_u64((u64)rest * 1000000, tsc_khz);
}

#endif /* KVMOD_LAPIC_TIMER_H */
