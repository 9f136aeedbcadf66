/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86 limits and state embedded in the generic VM and vCPU objects.
 */
#ifndef KVMOD_ARCH_H
#define KVMOD_ARCH_H

#include <linux/kvm.h>
#include <linux/types.h>

/* The same limits as KVM on x86, so VMMs size things the same way. */
#define KVMOD_MAX_VCPUS		1024
#define KVMOD_MAX_VCPU_IDS	(KVMOD_MAX_VCPUS * 4)
#define KVMOD_USER_MEM_SLOTS	32764
/* No SMM yet: one address space. */
#define KVMOD_ADDRESS_SPACES	1

/*
 * The vCPU mmap area: page 0 is struct kvm_run, page KVM_PIO_PAGE_OFFSET
 * holds port I/O data.
 */
#define KVMOD_VCPU_MMAP_PAGES	(KVM_PIO_PAGE_OFFSET + 1)

/**
 * struct kvmod_vm_arch - x86 per-VM state
 * @virt_enabled: this VM holds a reference on per-CPU virtualization.
 */
struct kvmod_vm_arch {
	bool virt_enabled;
};

/**
 * struct kvmod_vcpu_arch - x86 architectural register state of a vCPU
 * @regs: general registers, RIP and RFLAGS as KVM_GET_REGS reports them.
 * @sregs: segments, descriptor tables, control registers, EFER and the
 *	APIC base as KVM_GET_SREGS reports them; @sregs.interrupt_bitmap is
 *	not kept here (see @pending_irq).
 * @pending_irq: an external interrupt vector queued by KVM_SET_SREGS and
 *	not yet delivered, or -1.
 * @cpuid: the guest's CPUID table from KVM_SET_CPUID2 (kmalloc'ed), or
 *	NULL; @cpuid_nent entries.
 */
struct kvmod_vcpu_arch {
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	int pending_irq;
	struct kvm_cpuid_entry2 *cpuid;
	int cpuid_nent;
};

#endif /* KVMOD_ARCH_H */
