// SPDX-License-Identifier: GPL-2.0
/*
 * CPUID: what kvmod can virtualize, and each guest's table.
 *
 * Placeholder until the CPUID implementation lands: nothing is supported.
 */
#include <linux/slab.h>

#include <kvmod_x86.h>

long kvmod_get_supported_cpuid(struct kvm_cpuid2 __user *argp)
{
	return -EINVAL;
}

long kvmod_vcpu_cpuid_ioctl(struct kvmod_vcpu *vcpu, unsigned int ioctl,
			    void __user *argp)
{
	return -EINVAL;
}

void kvmod_vcpu_cpuid_free(struct kvmod_vcpu *vcpu)
{
	kfree(vcpu->arch.cpuid);
	vcpu->arch.cpuid = NULL;
	vcpu->arch.cpuid_nent = 0;
}

void kvmod_cpuid(struct kvmod_vcpu *vcpu, u32 *eax, u32 *ebx, u32 *ecx,
		 u32 *edx)
{
	*eax = *ebx = *ecx = *edx = 0;
}
