// SPDX-License-Identifier: GPL-2.0
/*
 * AMD-V: detection, global resources and per-CPU enable/disable.
 *
 * Turning SVM on for a CPU means setting EFER.SVME and telling the CPU
 * where VMRUN may save host state (VM_HSAVE_PA).  Each CPU also gets a
 * page for the host state VMSAVE/VMLOAD move around each VMRUN, and its
 * own ASID allocator.
 */
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <asm/cpufeature.h>
#include <asm/msr.h>
#include <asm/mem_encrypt.h>
#include <asm/pgtable_types.h>

#include "svm.h"

DEFINE_PER_CPU(struct svm_cpu, svm_cpus);

u32 svm_max_asid;
bool svm_nrips;
u64 svm_iopm_pa;
u64 svm_msrpm_pa;

static bool svm_npt;
static struct page *iopm_pages;
static struct page *msrpm_pages;

/* Permission maps: every bit set, so every port and MSR access exits. */
#define IOPM_ORDER	2	/* 12 KiB used */
#define MSRPM_ORDER	1	/* 8 KiB */

static struct page *alloc_intercept_all(unsigned int order)
{
	struct page *pages = alloc_pages(GFP_KERNEL, order);

	if (pages)
		memset(page_address(pages), 0xff, PAGE_SIZE << order);
	return pages;
}

static int svm_probe(void)
{
	u64 vm_cr;

	if (!(cpuid_ecx(0x80000001) & BIT(X86_FEATURE_SVM & 31)))
		return -ENODEV;
	/* Every address given to the hardware would need the C-bit. */
	if (sme_me_mask) {
		pr_err("kvmod: AMD-V with memory encryption (SME) is not supported\n");
		return -EOPNOTSUPP;
	}
	rdmsrl(MSR_VM_CR, vm_cr);
	if (vm_cr & SVM_VM_CR_SVM_DIS_MASK) {
		pr_err("kvmod: AMD-V is disabled by firmware (VM_CR.SVMDIS)\n");
		return -EOPNOTSUPP;
	}

	svm_npt = boot_cpu_has(X86_FEATURE_NPT) && !pgtable_l5_enabled();
	svm_nrips = boot_cpu_has(X86_FEATURE_NRIPS);
	svm_max_asid = cpuid_ebx(SVM_CPUID_FUNC);
	if (svm_max_asid < 2) {
		pr_err("kvmod: AMD-V reports no usable ASIDs\n");
		return -EOPNOTSUPP;
	}

	iopm_pages = alloc_intercept_all(IOPM_ORDER);
	msrpm_pages = alloc_intercept_all(MSRPM_ORDER);
	if (!iopm_pages || !msrpm_pages) {
		if (iopm_pages)
			__free_pages(iopm_pages, IOPM_ORDER);
		if (msrpm_pages)
			__free_pages(msrpm_pages, MSRPM_ORDER);
		return -ENOMEM;
	}
	svm_iopm_pa = page_to_phys(iopm_pages);
	svm_msrpm_pa = page_to_phys(msrpm_pages);
	return 0;
}

static void svm_teardown(void)
{
	__free_pages(iopm_pages, IOPM_ORDER);
	__free_pages(msrpm_pages, MSRPM_ORDER);
}

static int svm_cpu_enable(void)
{
	struct svm_cpu *sc = this_cpu_ptr(&svm_cpus);
	u64 efer;

	rdmsrl(MSR_EFER, efer);
	if (efer & EFER_SVME)
		return -EBUSY;

	sc->hsave = alloc_page(GFP_KERNEL | __GFP_ZERO);
	sc->host_save = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!sc->hsave || !sc->host_save) {
		if (sc->hsave)
			__free_page(sc->hsave);
		if (sc->host_save)
			__free_page(sc->host_save);
		sc->hsave = sc->host_save = NULL;
		return -ENOMEM;
	}
	/* A new generation: ASIDs handed out before mean nothing now. */
	sc->asid_generation++;
	sc->next_asid = 1;
	sc->flush_all = true;
	sc->last_vmcb = NULL;

	wrmsrl(MSR_EFER, efer | EFER_SVME);
	wrmsrl(MSR_VM_HSAVE_PA, page_to_phys(sc->hsave));
	return 0;
}

static void svm_cpu_disable(void)
{
	struct svm_cpu *sc = this_cpu_ptr(&svm_cpus);
	u64 efer;

	wrmsrl(MSR_VM_HSAVE_PA, 0);
	rdmsrl(MSR_EFER, efer);
	wrmsrl(MSR_EFER, efer & ~EFER_SVME);
	__free_page(sc->hsave);
	__free_page(sc->host_save);
	sc->hsave = sc->host_save = NULL;
}

/* NPT entries are long-mode page-table entries; walks count as user. */
static const struct kvmod_tdp_format npt_format = {
	.present	= _PAGE_PRESENT,
	.writable	= _PAGE_RW,
	.dirty		= _PAGE_DIRTY,
	.table		= _PAGE_PRESENT | _PAGE_RW | _PAGE_USER,
	.leaf		= _PAGE_USER,
};

static const struct kvmod_tdp_format *svm_tdp_format(void)
{
	return svm_npt ? &npt_format : NULL;
}

const struct kvmod_x86_ops kvmod_svm_ops = {
	.name		= "AMD-V",
	.probe		= svm_probe,
	.teardown	= svm_teardown,
	.cpu_enable	= svm_cpu_enable,
	.cpu_disable	= svm_cpu_disable,
	.tdp_format	= svm_tdp_format,
	.vcpu_create	= svm_vcpu_create,
	.vcpu_free	= svm_vcpu_free,
	.vcpu_reset	= svm_vcpu_reset,
	.get_sregs	= svm_get_sregs,
	.set_sregs	= svm_set_sregs,
	.get_cr4	= svm_get_cr4,
	.get_interrupt_shadow = svm_get_interrupt_shadow,
	.set_interrupt_shadow = svm_set_interrupt_shadow,
	.get_debugregs	= svm_get_debugregs,
	.set_debugregs	= svm_set_debugregs,
	.get_cr8	= svm_get_cr8,
	.set_cr8	= svm_set_cr8,
	.update_guest_debug = svm_update_guest_debug,
	.get_msr	= svm_get_msr,
	.set_msr	= svm_set_msr,
	.run		= svm_run,
	.handle_exit	= svm_handle_exit,
};
