// SPDX-License-Identifier: GPL-2.0
#include "emu_env.h"

int main(void)
{
	test_decode();
	test_emulate();
	test_walk();
	printf("1..%d\n", tap_passed + tap_failed);
	printf("%d passed, %d failed\n", tap_passed, tap_failed);
	return tap_failed ? 1 : 0;
}
