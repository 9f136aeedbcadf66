// SPDX-License-Identifier: GPL-2.0
/*
 * Module information for kvmod_kunit.ko (see kvmod_kunit.kbuild).  The
 * suites register themselves with kunit_test_suites(); KUnit runs them
 * when the module is loaded and keeps their results in
 * /sys/kernel/debug/kunit/<suite>/results.
 */
#include <linux/module.h>

MODULE_DESCRIPTION("KUnit suites of kvmod's pure units");
MODULE_LICENSE("GPL");
