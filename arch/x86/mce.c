// SPDX-License-Identifier: GPL-2.0
/*
 * Machine-check architecture as guests and VMMs see it: MCG_CAP/STATUS/
 * CTL and the MCi_CTL/STATUS/ADDR/MISC banks, set up by userspace with
 * KVM_X86_SETUP_MCE.  Nothing raises a machine check in a guest yet; the
 * state is kept so that guests can probe it and VMMs can save it.
 */
#include <linux/nospec.h>
#include <linux/uaccess.h>
#include <asm/mce.h>
#include <asm/msr-index.h>

#include <kvmod_x86.h>

/* What KVM_X86_SETUP_MCE may ask for besides the bank count. */
#define MCE_CAP_SUPPORTED	(MCG_CTL_P | MCG_SER_P)

u64 kvmod_mce_cap_supported(void)
{
	return MCE_CAP_SUPPORTED;
}

/* RESET: KVM_MAX_MCE_BANKS banks, no MCG_CTL, until userspace says more. */
void kvmod_mce_reset(struct kvmod_vcpu *vcpu)
{
	struct kvmod_mce *m = &vcpu->arch.mce;

	memset(m, 0, sizeof(*m));
	m->mcg_cap = KVMOD_MAX_MCE_BANKS;
}

/**
 * kvmod_mce_setup() - KVM_X86_SETUP_MCE
 * @vcpu: the vCPU
 * @mcg_cap: MCG_CAP: bank count in bits 7:0, plus capability bits
 */
int kvmod_mce_setup(struct kvmod_vcpu *vcpu, u64 mcg_cap)
{
	struct kvmod_mce *m = &vcpu->arch.mce;
	unsigned int banks = mcg_cap & 0xff, i;

	if (!banks || banks > KVMOD_MAX_MCE_BANKS)
		return -EINVAL;
	if (mcg_cap & ~(MCE_CAP_SUPPORTED | 0xff | 0xff0000))
		return -EINVAL;
	m->mcg_cap = mcg_cap;
	if (mcg_cap & MCG_CTL_P)
		m->mcg_ctl = ~0ULL;
	for (i = 0; i < banks; i++)
		m->banks[i * 4] = ~0ULL;
	return 0;
}

/* Index into mce.banks for an MCi_* MSR of an existing bank, or -1. */
static int bank_index(struct kvmod_vcpu *vcpu, u32 msr)
{
	unsigned int banks = vcpu->arch.mce.mcg_cap & 0xff;

	if (msr < MSR_IA32_MC0_CTL || msr >= MSR_IA32_MCx_CTL(banks))
		return -1;
	return array_index_nospec(msr - MSR_IA32_MC0_CTL, banks * 4);
}

/**
 * kvmod_mce_get_msr() - read an MCE MSR
 * @vcpu: the vCPU
 * @msr: MSR number
 * @data: the value
 * @host: userspace rather than the guest
 *
 * Return: 0, 1 for an MSR that does not exist here, -ENOENT if @msr is
 * not a machine-check MSR.
 */
int kvmod_mce_get_msr(struct kvmod_vcpu *vcpu, u32 msr, u64 *data, bool host)
{
	struct kvmod_mce *m = &vcpu->arch.mce;
	int i;

	switch (msr) {
	case MSR_IA32_MCG_CAP:
		*data = m->mcg_cap;
		return 0;
	case MSR_IA32_MCG_STATUS:
		*data = m->mcg_status;
		return 0;
	case MSR_IA32_MCG_CTL:
		if (!(m->mcg_cap & MCG_CTL_P) && !host)
			return 1;
		*data = m->mcg_ctl;
		return 0;
	}
	if (msr < MSR_IA32_MC0_CTL ||
	    msr >= MSR_IA32_MCx_CTL(KVMOD_MAX_MCE_BANKS))
		return -ENOENT;
	i = bank_index(vcpu, msr);
	if (i < 0)
		return 1;
	*data = m->banks[i];
	return 0;
}

/**
 * kvmod_mce_set_msr() - write an MCE MSR
 * @vcpu: the vCPU
 * @msr: MSR number
 * @data: the value
 * @host: userspace rather than the guest
 *
 * Return: as kvmod_mce_get_msr().
 */
int kvmod_mce_set_msr(struct kvmod_vcpu *vcpu, u32 msr, u64 data, bool host)
{
	struct kvmod_mce *m = &vcpu->arch.mce;
	int i;

	switch (msr) {
	case MSR_IA32_MCG_CAP:
		/* Fixed by KVM_X86_SETUP_MCE; a restore may write it back. */
		return (host && data == m->mcg_cap) ? 0 : 1;
	case MSR_IA32_MCG_STATUS:
		m->mcg_status = data;
		return 0;
	case MSR_IA32_MCG_CTL:
		if (!(m->mcg_cap & MCG_CTL_P) && (data || !host))
			return 1;
		if (data && data != ~0ULL)
			return 1;
		m->mcg_ctl = data;
		return 0;
	}
	if (msr < MSR_IA32_MC0_CTL ||
	    msr >= MSR_IA32_MCx_CTL(KVMOD_MAX_MCE_BANKS))
		return -ENOENT;
	i = bank_index(vcpu, msr);
	if (i < 0)
		return 1;
	/*
	 * MCi_CTL takes 0 or all ones (bit 10 and bit 0 may be clear, as some
	 * guests do); guests can only clear MCi_STATUS.
	 */
	if ((i % 4) == 0 && data && (data | BIT(10) | 1) != ~0ULL)
		return 1;
	if ((i % 4) == 1 && data && !host)
		return 1;
	m->banks[i] = data;
	return 0;
}
