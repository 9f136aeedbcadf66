// SPDX-License-Identifier: GPL-2.0
/*
 * AMD-V: detection and per-CPU enable/disable.
 *
 * Turning SVM on for a CPU means setting EFER.SVME and telling the CPU
 * where VMRUN may save host state (VM_HSAVE_PA), a page per CPU.
 */
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <asm/cpufeature.h>
#include <asm/msr.h>
#include <asm/svm.h>

#include <kvmod_x86.h>

static DEFINE_PER_CPU(struct page *, svm_hsave_page);
static bool svm_npt;

static int svm_probe(void)
{
	u64 vm_cr;

	if (!(cpuid_ecx(0x80000001) & BIT(X86_FEATURE_SVM & 31)))
		return -ENODEV;
	rdmsrl(MSR_VM_CR, vm_cr);
	if (vm_cr & SVM_VM_CR_SVM_DIS_MASK) {
		pr_err("kvmod: AMD-V is disabled by firmware (VM_CR.SVMDIS)\n");
		return -EOPNOTSUPP;
	}
	svm_npt = boot_cpu_has(X86_FEATURE_NPT);
	return 0;
}

static int svm_cpu_enable(void)
{
	struct page **hsave = this_cpu_ptr(&svm_hsave_page);
	u64 efer;

	rdmsrl(MSR_EFER, efer);
	if (efer & EFER_SVME)
		return -EBUSY;

	if (!*hsave) {
		*hsave = alloc_page(GFP_KERNEL | __GFP_ZERO);
		if (!*hsave)
			return -ENOMEM;
	}
	wrmsrl(MSR_EFER, efer | EFER_SVME);
	wrmsrl(MSR_VM_HSAVE_PA, page_to_phys(*hsave));
	return 0;
}

static void svm_cpu_disable(void)
{
	struct page **hsave = this_cpu_ptr(&svm_hsave_page);
	u64 efer;

	wrmsrl(MSR_VM_HSAVE_PA, 0);
	rdmsrl(MSR_EFER, efer);
	wrmsrl(MSR_EFER, efer & ~EFER_SVME);
	__free_page(*hsave);
	*hsave = NULL;
}

static bool svm_tdp_enabled(void)
{
	return svm_npt;
}

const struct kvmod_x86_ops kvmod_svm_ops = {
	.name		= "AMD-V",
	.probe		= svm_probe,
	.cpu_enable	= svm_cpu_enable,
	.cpu_disable	= svm_cpu_disable,
	.tdp_enabled	= svm_tdp_enabled,
};
