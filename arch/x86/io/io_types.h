/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel integer types for the pure device models (*_core.c, lapic_timer.h)
 * in both builds: the kernel's own in kvmod.ko, the same names over the
 * uapi types in the host test binaries (tools/testing/irqchip).
 */
#ifndef KVMOD_IO_TYPES_H
#define KVMOD_IO_TYPES_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdbool.h>
#include <linux/types.h>
/* As the kernel's: u64 is the uapi __u64 (unsigned long long). */
typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
typedef __s64 s64;
#endif

#endif /* KVMOD_IO_TYPES_H */
