// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's XMM/YMM registers, for emulating SSE/AVX moves to MMIO.
 *
 * Inside KVM_RUN the guest's FPU state is the thread's.  kernel_fpu_begin()
 * saves it to memory (and marks it to be reloaded before the next entry),
 * where XMM registers sit in the legacy FXSAVE area and the upper halves of
 * the YMM registers at offset 576 of the XSAVE area, in the standard and
 * the compacted format alike (AVX is the first extended component).
 */
#include <linux/sched.h>
#include <asm/cpufeature.h>
#include <asm/fpu/api.h>
#include <asm/fpu/types.h>
#include <asm/fpu/xstate.h>

#include <kvmod_x86.h>

#define YMM_HI_OFFSET	576

/**
 * kvmod_guest_vec_reg() - read or write a guest XMM/YMM register
 * @vcpu: the vCPU, inside KVM_RUN
 * @reg: register number, 0-15
 * @data: the bytes
 * @size: bytes to move: at most 16 for XMM, 32 for YMM
 * @set: write @data into the register
 * @zero_upper: when writing, clear the register above @size bytes (VEX)
 *
 * Return: 0, or -EINVAL for a register or size this FPU state cannot hold.
 */
int kvmod_guest_vec_reg(struct kvmod_vcpu *vcpu, unsigned int reg,
			void *data, unsigned int size, bool set,
			bool zero_upper)
{
	struct fpstate *fps = current->thread.fpu.fpstate;
	bool ymm = size > 16 || (set && zero_upper);
	bool xsave = boot_cpu_has(X86_FEATURE_XSAVE);
	u8 *lo, *hi = NULL;
	u64 *xfeatures;

	if (WARN_ON_ONCE(fps != vcpu->arch.guest_fpu.fpstate))
		return -EINVAL;
	if (reg > 15 || size > 32)
		return -EINVAL;
	if (ymm && !(fps->xfeatures & XFEATURE_MASK_YMM))
		return -EINVAL;

	kernel_fpu_begin();
	xfeatures = &fps->regs.xsave.header.xfeatures;
	lo = (u8 *)fps->regs.fxsave.xmm_space + reg * 16;
	if (ymm)
		hi = (u8 *)&fps->regs.xsave + YMM_HI_OFFSET + reg * 16;

	if (!set) {
		/* A component in its init state reads as zeros. */
		if (xsave && !(*xfeatures & XFEATURE_MASK_SSE))
			memset(lo, 0, 16);
		if (hi && !(*xfeatures & XFEATURE_MASK_YMM))
			memset(hi, 0, 16);
		memcpy(data, lo, min(size, 16u));
		if (size > 16)
			memcpy(data + 16, hi, size - 16);
	} else {
		if (xsave && !(*xfeatures & XFEATURE_MASK_SSE))
			memset(lo, 0, 16);
		memcpy(lo, data, min(size, 16u));
		if (zero_upper && size < 16)
			memset(lo + size, 0, 16 - size);
		if (hi) {
			if (!(*xfeatures & XFEATURE_MASK_YMM) || zero_upper)
				memset(hi, 0, 16);
			if (size > 16)
				memcpy(hi, data + 16, size - 16);
		}
		/* The saved registers are only used if marked in use. */
		if (xsave)
			*xfeatures |= XFEATURE_MASK_SSE |
				      (hi ? XFEATURE_MASK_YMM : 0);
	}
	kernel_fpu_end();
	return 0;
}
