// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's XMM/YMM registers, for emulating SSE/AVX moves to MMIO.
 *
 * Inside KVM_RUN the guest's FPU state is the thread's: either live in
 * the registers or, after a context switch, saved with TIF_NEED_FPU_LOAD
 * set.  Load it if needed and move the register directly.
 */
#include <asm/cpufeature.h>
#include <asm/fpu/api.h>

#include <kvmod_x86.h>

/* One case per register: the register number must be an immediate. */
#define VEC_CASES(op, insn)						\
	op(0, insn) op(1, insn) op(2, insn) op(3, insn)			\
	op(4, insn) op(5, insn) op(6, insn) op(7, insn)			\
	op(8, insn) op(9, insn) op(10, insn) op(11, insn)		\
	op(12, insn) op(13, insn) op(14, insn) op(15, insn)

#define VEC_LOAD(n, insn)						\
	case n:								\
		asm volatile(insn " %%xmm" #n ", %0" : "=m"(*buf));	\
		break;
#define VEC_STORE(n, insn)						\
	case n:								\
		asm volatile(insn " %0, %%xmm" #n : : "m"(*buf));	\
		break;
#define YMM_LOAD(n, insn)						\
	case n:								\
		asm volatile(insn " %%ymm" #n ", %0" : "=m"(*buf));	\
		break;
#define YMM_STORE(n, insn)						\
	case n:								\
		asm volatile(insn " %0, %%ymm" #n : : "m"(*buf));	\
		break;

struct vec32 {
	u8 b[32];
};

static void xmm_access(unsigned int reg, struct vec32 *buf, bool set)
{
	if (set) {
		switch (reg) {
		VEC_CASES(VEC_STORE, "movdqu")
		}
	} else {
		switch (reg) {
		VEC_CASES(VEC_LOAD, "movdqu")
		}
	}
}

static void ymm_access(unsigned int reg, struct vec32 *buf, bool set)
{
	if (set) {
		switch (reg) {
		VEC_CASES(YMM_STORE, "vmovdqu")
		}
	} else {
		switch (reg) {
		VEC_CASES(YMM_LOAD, "vmovdqu")
		}
	}
}

/**
 * kvmod_guest_vec_reg() - read or write a guest XMM/YMM register
 * @vcpu: the vCPU, inside KVM_RUN
 * @reg: register number, 0-15
 * @data: the bytes
 * @size: bytes to move: at most 16 for XMM, 32 for YMM
 * @set: write @data into the register
 * @zero_upper: when writing, clear the register above @size bytes (VEX)
 *
 * Return: 0, or -EINVAL for a register or size the host cannot do.
 */
int kvmod_guest_vec_reg(struct kvmod_vcpu *vcpu, unsigned int reg,
			void *data, unsigned int size, bool set,
			bool zero_upper)
{
	bool ymm = size > 16 || (set && zero_upper);
	struct vec32 buf = {};

	if (reg > 15 || size > 32 || (ymm && !boot_cpu_has(X86_FEATURE_AVX)))
		return -EINVAL;

	fpregs_lock();
	if (test_thread_flag(TIF_NEED_FPU_LOAD))
		switch_fpu_return();
	if (ymm)
		ymm_access(reg, &buf, false);
	else
		xmm_access(reg, &buf, false);
	if (set) {
		/* Legacy SSE keeps bits 255:128; VEX clears above @size. */
		if (zero_upper)
			memset(buf.b + size, 0, sizeof(buf) - size);
		memcpy(buf.b, data, size);
		if (ymm)
			ymm_access(reg, &buf, true);
		else
			xmm_access(reg, &buf, true);
	} else {
		memcpy(data, buf.b, size);
	}
	fpregs_unlock();
	return 0;
}
