// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include "tap.h"

int tap_passed, tap_failed;

void tap_ok(int cond, const char *fmt, ...)
{
	va_list ap;

	if (cond)
		tap_passed++;
	else
		tap_failed++;
	printf("%sok %d - ", cond ? "" : "not ", tap_passed + tap_failed);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

void tap_diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}
