// SPDX-License-Identifier: GPL-2.0
/*
 * XCR0: which XSAVE state components a guest may enable.
 */
#include <asm/cpufeature.h>
#include <asm/fpu/api.h>
#include <asm/fpu/xcr.h>
#include <asm/fpu/xstate.h>

#include <kvmod_x86.h>

/*
 * User state the guest FPU buffer covers without extra permission: x87,
 * SSE, AVX and AVX-512.  PKRU and AMX need support kvmod lacks.
 */
#define KVMOD_XCR0_CANDIDATES (XFEATURE_MASK_FPSSE | XFEATURE_MASK_YMM | \
			       XFEATURE_MASK_AVX512)

/**
 * kvmod_supported_xcr0() - XCR0 bits any guest may set on this host
 */
u64 kvmod_supported_xcr0(void)
{
	if (!boot_cpu_has(X86_FEATURE_XSAVE))
		return 0;
	return xgetbv(XCR_XFEATURE_ENABLED_MASK) & KVMOD_XCR0_CANDIDATES;
}

/**
 * kvmod_set_xcr0() - the guest's XSETBV to XCR0
 * @vcpu: the vCPU
 * @xcr0: the new value
 *
 * Return: 0, or 1 for a value the guest must see fail with #GP.
 */
int kvmod_set_xcr0(struct kvmod_vcpu *vcpu, u64 xcr0)
{
	u64 avx512 = xcr0 & XFEATURE_MASK_AVX512;

	if (!(xcr0 & XFEATURE_MASK_FP) || (xcr0 & ~kvmod_supported_xcr0()))
		return 1;
	if ((xcr0 & XFEATURE_MASK_YMM) && !(xcr0 & XFEATURE_MASK_SSE))
		return 1;
	/* AVX-512 state comes all together and on top of AVX. */
	if (avx512 && (avx512 != XFEATURE_MASK_AVX512 ||
		       !(xcr0 & XFEATURE_MASK_YMM)))
		return 1;
	vcpu->arch.xcr0 = xcr0;
	return 0;
}
