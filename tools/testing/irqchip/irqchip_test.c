// SPDX-License-Identifier: GPL-2.0
/*
 * Runs one of the irqchip KUnit suites (arch/x86/io/tests/) on the build
 * machine: pic_test and ioapic_test are this file linked with a suite.
 */
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
