/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for the MMIO selftests: a byte-array "device" that answers
 * KVM_EXIT_MMIO for a GPA range and logs every exit, a checker for the
 * logged exits, and a parser for compact register/memory set-ups.
 */
#ifndef KVMOD_MMIO_LIB_H
#define KVMOD_MMIO_LIB_H

#include <stdbool.h>
#include <stdint.h>

#include "../kvmod_guest/guest_lib.h"

#define MMIO_MAX_EXITS	64

struct mmio_exit {
	uint64_t gpa;
	uint32_t len;
	uint8_t is_write;
	uint8_t data[8];
};

/* Answers MMIO at [base, base + size) from mem; logs each exit. */
struct mmio_dev {
	uint64_t base;
	uint64_t size;
	uint8_t *mem;
	int n;
	struct mmio_exit log[MMIO_MAX_EXITS];
};

void mmio_dev_init(struct mmio_dev *d, uint64_t base, uint64_t size,
		   uint8_t *mem);

/* Record the current KVM_EXIT_MMIO; apply a write or answer a read. */
void mmio_dev_serve(struct kvm_vcpu *vcpu, struct mmio_dev *d);

/*
 * KVM_RUN, serving MMIO inside the device, until an exit that is not:
 * returns its reason ('until' or whatever else came).
 */
uint32_t mmio_run(struct kvm_vcpu *vcpu, struct mmio_dev *d, uint32_t until);

/*
 * KVM_RUN until the exit reason is 'until', serving MMIO inside the
 * device; any other exit (or an MMIO exit outside it) fails the test.
 */
void mmio_run_until(struct kvm_vcpu *vcpu, struct mmio_dev *d,
		    uint32_t until);

/* Print the logged exits as TAP diagnostics. */
void mmio_dump_log(const struct mmio_dev *d);

/*
 * Check the logged exits against spec, a list of tokens relative to the
 * device base (hex offsets):
 *   r4@40   one read of 4 bytes at base + 0x40
 *   w8@48   one write of 8 bytes
 *   R16@40  a read of 16 bytes split into exits of at most 8 bytes, in
 *           ascending order, whatever their number (W16@40: write)
 * Returns true when it matches; otherwise logs why and returns false.
 */
bool mmio_check_log(const struct mmio_dev *d, const char *spec);

/*
 * Apply "name=value ..." to regs and to the device memory:
 *   rax..r15, rflags   register (value: number, m+OFF = base + 0x OFF,
 *                      ram+OFF = ram + 0x OFF, decimal or 0x hex)
 *   mOFF=value         8 bytes, little endian, at device offset 0xOFF
 */
void setup_apply(const char *spec, struct kvm_regs *regs, uint8_t *devmem,
		 uint64_t base, uint64_t ram);

/* The kvm_regs fields as an array, in struct order. */
#define REG_NAMES { "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rsp",	\
		    "rbp", "r8", "r9", "r10", "r11", "r12", "r13", "r14",	\
		    "r15", "rip", "rflags" }
#define NR_KVM_REGS	18
#define KREG_RSP		6
#define KREG_RIP		16
#define KREG_RFLAGS	17

static inline uint64_t *reg_array(struct kvm_regs *r)
{
	return (uint64_t *)r;
}

#define X86_CF	0x001ULL
#define X86_PF	0x004ULL
#define X86_AF	0x010ULL
#define X86_ZF	0x040ULL
#define X86_SF	0x080ULL
#define X86_TF	0x100ULL
#define X86_IF	0x200ULL
#define X86_DF	0x400ULL
#define X86_OF	0x800ULL

#endif /* KVMOD_MMIO_LIB_H */
