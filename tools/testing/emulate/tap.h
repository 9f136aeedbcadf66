/* SPDX-License-Identifier: GPL-2.0 */
/* Minimal TAP output for the emulator host tests. */
#ifndef EMU_TAP_H
#define EMU_TAP_H

#include <stdio.h>

/* Spelled in two steps: tools outside the kernel have no __printf(). */
#define EMU_ATTR(x)		__attribute__((x))
#define EMU_PRINTF(a, b)	EMU_ATTR(format(printf, a, b))
#define ARRAY_SIZE(x)	(sizeof(x) / sizeof((x)[0]))

extern int tap_passed, tap_failed;

EMU_PRINTF(2, 3) void tap_ok(int cond, const char *fmt, ...);
EMU_PRINTF(1, 2) void tap_diag(const char *fmt, ...);

/* Check a == b (as unsigned 64-bit), printing both on failure. */
#define CHECK_EQ(a, b, ...) do {					\
	unsigned long long _a = (unsigned long long)(a);		\
	unsigned long long _b = (unsigned long long)(b);		\
	tap_ok(_a == _b, __VA_ARGS__);					\
	if (_a != _b)							\
		tap_diag("  got %#llx, expected %#llx (%s)", _a, _b, #a);	\
} while (0)

#endif
