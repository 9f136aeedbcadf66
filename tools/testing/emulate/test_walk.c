// SPDX-License-Identifier: GPL-2.0
#include "emu_env.h"
void test_walk(void) {}
