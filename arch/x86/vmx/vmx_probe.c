// SPDX-License-Identifier: GPL-2.0
/*
 * VT-x: detection.
 *
 * The VMX backend itself (VMXON, VMCS, EPT) is not written yet, so a usable
 * VT-x CPU is still refused at load time, with a line saying so rather than
 * a /dev/kvm that cannot run anything.
 */
#include <asm/cpufeature.h>
#include <asm/msr.h>

#include <kvmod_x86.h>

static int vmx_probe(void)
{
	u64 feat_ctl;

	/* Raw CPUID: the kernel clears X86_FEATURE_VMX when firmware locks it off. */
	if (!(cpuid_ecx(1) & BIT(X86_FEATURE_VMX & 31)))
		return -ENODEV;

	if (rdmsrl_safe(MSR_IA32_FEAT_CTL, &feat_ctl) ||
	    ((feat_ctl & FEAT_CTL_LOCKED) &&
	     !(feat_ctl & FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX)) ||
	    !boot_cpu_has(X86_FEATURE_VMX)) {
		pr_err("kvmod: VT-x is disabled by firmware (IA32_FEATURE_CONTROL)\n");
		return -EOPNOTSUPP;
	}

	pr_err("kvmod: VT-x is available, but kvmod's VMX backend is not implemented yet\n");
	return -EOPNOTSUPP;
}

const struct kvmod_x86_ops kvmod_vmx_ops = {
	.name	= "VT-x",
	.probe	= vmx_probe,
};
