/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Types for the pure x86 emulation code (decoder, emulator, page walker).
 *
 * The same sources build into kvmod.ko and into host unit tests, so they
 * include nothing but this header: kernel headers under __KERNEL__, the C
 * library's otherwise.
 */
#ifndef KVMOD_EMU_TYPES_H
#define KVMOD_EMU_TYPES_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/string.h>
#else
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;
#endif

#endif /* KVMOD_EMU_TYPES_H */
