// SPDX-License-Identifier: GPL-2.0
/*
 * vCPU register state: the x86 reset state and KVM_GET/SET_REGS/SREGS.
 */
#include <linux/bitops.h>
#include <linux/uaccess.h>
#include <asm/msr-index.h>
#include <asm/fpu/xstate.h>
#include <asm/processor-flags.h>

#include <asm/apicdef.h>

#include <kvmod_cpuid.h>
#include <kvmod_x86.h>

/* RDX at reset holds the CPU signature; family 6 until CPUID is set. */
#define RESET_RDX		0x600


void kvmod_reset_segment(struct kvm_segment *seg, u16 selector, u64 base,
			 u8 type, bool system)
{
	*seg = (struct kvm_segment) {
		.selector = selector,
		.base = base,
		.limit = 0xffff,
		.type = type,
		.present = 1,
		.s = !system,
	};
}

/**
 * kvmod_vcpu_reset() - put a vCPU in the state the CPU has after RESET/INIT
 * @vcpu: the vCPU
 * @init: INIT rather than RESET: the APIC base, MTRRs and XCR0 survive
 *
 * Real mode at F000:FFF0 (linear 0xfffffff0), caches disabled, as the
 * Intel SDM (Table 9-1) and AMD APM (Table 14-1) describe.
 */
void kvmod_vcpu_reset(struct kvmod_vcpu *vcpu, bool init)
{
	struct kvm_regs *regs = &vcpu->arch.regs;
	struct kvm_sregs sregs = {};

	memset(regs, 0, sizeof(*regs));
	regs->rip = 0xfff0;
	regs->rflags = X86_EFLAGS_FIXED;
	regs->rdx = RESET_RDX;

	/* Code: execute/read, accessed; data: read/write, accessed. */
	kvmod_reset_segment(&sregs.cs, 0xf000, 0xffff0000, 0xb, false);
	kvmod_reset_segment(&sregs.ds, 0, 0, 0x3, false);
	kvmod_reset_segment(&sregs.es, 0, 0, 0x3, false);
	kvmod_reset_segment(&sregs.fs, 0, 0, 0x3, false);
	kvmod_reset_segment(&sregs.gs, 0, 0, 0x3, false);
	kvmod_reset_segment(&sregs.ss, 0, 0, 0x3, false);
	/* LDT type 2; TR a busy 32/64-bit TSS, which 64-bit entry needs. */
	kvmod_reset_segment(&sregs.ldt, 0, 0, 0x2, true);
	kvmod_reset_segment(&sregs.tr, 0, 0, 0xb, true);
	sregs.gdt.limit = 0xffff;
	sregs.idt.limit = 0xffff;
	sregs.cr0 = X86_CR0_ET | X86_CR0_NW | X86_CR0_CD;

	kvmod_x86->vcpu_reset(vcpu);
	kvmod_x86->set_sregs(vcpu, &sregs);
	vcpu->arch.pending_irq = -1;
	vcpu->arch.nmi_pending = false;
	vcpu->arch.nmi_injected = false;
	vcpu->arch.nmi_masked = false;
	memset(&vcpu->arch.exception, 0, sizeof(vcpu->arch.exception));
	memset(&vcpu->arch.pio, 0, sizeof(vcpu->arch.pio));
	memset(&vcpu->arch.msr_exit, 0, sizeof(vcpu->arch.msr_exit));
	if (init) {
		kvmod_lapic_reset(vcpu, true);
		return;
	}

	/* The APIC at its default address, enabled. */
	vcpu->arch.apic_base = APIC_DEFAULT_PHYS_BASE | MSR_IA32_APICBASE_ENABLE |
			       (kvmod_vcpu_is_bsp(vcpu) ? MSR_IA32_APICBASE_BSP : 0);
	vcpu->arch.xcr0 = XFEATURE_MASK_FP;
	kvmod_msr_reset(vcpu);
	kvmod_lapic_reset(vcpu, false);
}

static bool cr0_valid(u64 cr0)
{
	if (cr0 >> 32)
		return false;
	if ((cr0 & X86_CR0_NW) && !(cr0 & X86_CR0_CD))
		return false;
	if ((cr0 & X86_CR0_PG) && !(cr0 & X86_CR0_PE))
		return false;
	return true;
}

static bool sregs_valid(struct kvmod_vcpu *vcpu, const struct kvm_sregs *s)
{
	u64 gpa_rsvd = ~0ULL << kvmod_guest_phys_bits(vcpu);

	/* EFER bits kvmod's guests may have (no nested SVM, no FFXSR). */
	if (s->efer & ~(EFER_SCE | EFER_LME | EFER_LMA | EFER_NX))
		return false;
	if ((s->efer & EFER_LME) && (s->cr0 & X86_CR0_PG)) {
		/* Long mode active: needs PAE and LMA, and a sane CR3. */
		if (!(s->cr4 & X86_CR4_PAE) || !(s->efer & EFER_LMA))
			return false;
		if (s->cr3 & gpa_rsvd)
			return false;
	} else if ((s->efer & EFER_LMA) || s->cs.l) {
		return false;
	}
	if (s->cr4 & kvmod_cr4_guest_reserved(vcpu))
		return false;
	if (!cr0_valid(s->cr0))
		return false;

	return kvmod_apic_base_valid(vcpu, s->apic_base);
}

void kvmod_get_sregs(struct kvmod_vcpu *vcpu, struct kvm_sregs *s)
{
	memset(s, 0, sizeof(*s));
	kvmod_x86->get_sregs(vcpu, s);
	s->apic_base = vcpu->arch.apic_base;
	if (vcpu->arch.pending_irq >= 0)
		__set_bit(vcpu->arch.pending_irq,
			  (unsigned long *)s->interrupt_bitmap);
}

int kvmod_set_sregs(struct kvmod_vcpu *vcpu, struct kvm_sregs *s)
{
	unsigned long *pending = (unsigned long *)s->interrupt_bitmap;
	struct kvm_sregs old;
	unsigned int vec;

	if (!sregs_valid(vcpu, s))
		return -EINVAL;

	/* A CR8 with reserved bits is ignored, not refused, as on KVM. */
	if (s->cr8 & ~0xfULL) {
		kvmod_x86->get_sregs(vcpu, &old);
		s->cr8 = old.cr8;
	}
	kvmod_x86->set_sregs(vcpu, s);
	if (kvmod_lapic_set_base(vcpu, s->apic_base, true))
		return -EINVAL;
	if (vcpu->arch.lapic)
		kvmod_lapic_set_cr8(vcpu, s->cr8);

	vec = find_first_bit(pending, KVM_NR_INTERRUPTS);
	vcpu->arch.pending_irq = vec < KVM_NR_INTERRUPTS ? vec : -1;
	return 0;
}

/* KVM_SET_REGS, also through kvm_run's sync area. */
void kvmod_set_regs(struct kvmod_vcpu *vcpu, const struct kvm_regs *regs)
{
	vcpu->arch.regs = *regs;
	vcpu->arch.regs.rflags |= X86_EFLAGS_FIXED;
	/* As on KVM: new registers cancel an exception not yet delivered. */
	vcpu->arch.exception.pending = false;
}

/**
 * kvmod_vcpu_state_ioctl() - KVM_GET/SET_REGS and KVM_GET/SET_SREGS
 * @vcpu: the vCPU, with its mutex held
 * @ioctl: the ioctl number
 * @argp: the userspace argument
 */
long kvmod_vcpu_state_ioctl(struct kvmod_vcpu *vcpu, unsigned int ioctl,
			    void __user *argp)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;

	switch (ioctl) {
	case KVM_GET_REGS:
		if (copy_to_user(argp, &vcpu->arch.regs, sizeof(regs)))
			return -EFAULT;
		return 0;
	case KVM_SET_REGS:
		if (copy_from_user(&regs, argp, sizeof(regs)))
			return -EFAULT;
		kvmod_set_regs(vcpu, &regs);
		return 0;
	case KVM_GET_SREGS:
		kvmod_get_sregs(vcpu, &sregs);
		if (copy_to_user(argp, &sregs, sizeof(sregs)))
			return -EFAULT;
		return 0;
	case KVM_SET_SREGS:
		if (copy_from_user(&sregs, argp, sizeof(sregs)))
			return -EFAULT;
		return kvmod_set_sregs(vcpu, &sregs);
	default:
		return -EINVAL;
	}
}
