// SPDX-License-Identifier: GPL-2.0
/*
 * AMD-V: the VMCB of each vCPU and entering the guest.
 *
 * The VMCB is the one copy of the guest's segments, control registers,
 * EFER, PAT and syscall MSRs.  RAX, RSP, RIP and RFLAGS are copied between
 * it and vcpu->arch.regs around each VMRUN so that the x86 layer sees all
 * general registers in one place.
 */
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <asm/debugreg.h>
#include <asm/mce.h>
#include <asm/nospec-branch.h>
#include <asm/fpu/xcr.h>
#include <asm/msr-index.h>
#include <asm/page.h>
#include <asm/traps.h>

#include "svm.h"


/* VMCB segment attributes pack the descriptor's access bits. */
static u16 seg_to_attrib(const struct kvm_segment *s)
{
	if (s->unusable || !s->present)
		return 0;
	return (s->type & SVM_SELECTOR_TYPE_MASK) |
	       (s->s << SVM_SELECTOR_S_SHIFT) |
	       ((s->dpl & 3) << SVM_SELECTOR_DPL_SHIFT) |
	       (s->present << SVM_SELECTOR_P_SHIFT) |
	       (s->avl << SVM_SELECTOR_AVL_SHIFT) |
	       (s->l << SVM_SELECTOR_L_SHIFT) |
	       (s->db << SVM_SELECTOR_DB_SHIFT) |
	       (s->g << SVM_SELECTOR_G_SHIFT);
}

static void vmcb_to_seg(const struct vmcb_seg *v, struct kvm_segment *s)
{
	u16 a = v->attrib;

	*s = (struct kvm_segment) {
		.base = v->base,
		.limit = v->limit,
		.selector = v->selector,
		.type = a & SVM_SELECTOR_TYPE_MASK,
		.s = !!(a & SVM_SELECTOR_S_MASK),
		.dpl = (a & SVM_SELECTOR_DPL_MASK) >> SVM_SELECTOR_DPL_SHIFT,
		.present = !!(a & SVM_SELECTOR_P_MASK),
		.avl = !!(a & SVM_SELECTOR_AVL_MASK),
		.l = !!(a & SVM_SELECTOR_L_MASK),
		.db = !!(a & SVM_SELECTOR_DB_MASK),
		.g = !!(a & SVM_SELECTOR_G_MASK),
	};
	s->unusable = !s->present;
}

static void seg_to_vmcb(const struct kvm_segment *s, struct vmcb_seg *v)
{
	v->base = s->base;
	v->limit = s->limit;
	v->selector = s->selector;
	v->attrib = seg_to_attrib(s);
}

void set_intercept(struct vmcb *vmcb, unsigned int bit)
{
	vmcb->control.intercepts[bit / 32] |= BIT(bit % 32);
}

void clr_intercept(struct vmcb *vmcb, unsigned int bit)
{
	vmcb->control.intercepts[bit / 32] &= ~BIT(bit % 32);
}

/* DR accesses exit until the guest first touches a debug register. */
void svm_intercept_dr(struct svm_vcpu *svm, bool on)
{
	svm->vmcb->control.intercepts[INTERCEPT_DR] = on ? 0xffffffff : 0;
}

static const unsigned int exits_always[] = {
	INTERCEPT_CR0_WRITE, INTERCEPT_CR4_WRITE,
	INTERCEPT_INTR, INTERCEPT_NMI, INTERCEPT_SMI, INTERCEPT_CPUID,
	INTERCEPT_RDPMC, INTERCEPT_INVD, INTERCEPT_HLT, INTERCEPT_IOIO_PROT,
	INTERCEPT_MSR_PROT, INTERCEPT_TASK_SWITCH, INTERCEPT_SHUTDOWN,
	INTERCEPT_VMRUN, INTERCEPT_VMMCALL, INTERCEPT_VMLOAD, INTERCEPT_VMSAVE,
	INTERCEPT_STGI, INTERCEPT_CLGI, INTERCEPT_SKINIT, INTERCEPT_INVLPGA,
	INTERCEPT_RDTSCP, INTERCEPT_WBINVD, INTERCEPT_MONITOR,
	INTERCEPT_MWAIT, INTERCEPT_MWAIT_COND, INTERCEPT_XSETBV,
	INTERCEPT_RDPRU,
	/* Delivery loops of #DB and #AC could hold a CPU forever. */
	INTERCEPT_EXCEPTION_OFFSET + DB_VECTOR,
	INTERCEPT_EXCEPTION_OFFSET + AC_VECTOR,
	/* VMCALL is rewritten to VMMCALL (KVM_X86_QUIRK_FIX_HYPERCALL_INSN). */
	INTERCEPT_EXCEPTION_OFFSET + UD_VECTOR,
	/* Machine checks belong to the host. */
	INTERCEPT_EXCEPTION_OFFSET + MC_VECTOR,
};

static void init_vmcb_control(struct svm_vcpu *svm)
{
	struct vmcb_control_area *c = &svm->vmcb->control;
	int i;

	for (i = 0; i < ARRAY_SIZE(exits_always); i++)
		set_intercept(svm->vmcb, exits_always[i]);
	svm_intercept_dr(svm, true);

	c->iopm_base_pa = svm_iopm_pa;
	c->msrpm_base_pa = svm_msrpm_pa;
	/* Physical interrupts exit whatever the guest's RFLAGS.IF says. */
	c->int_ctl = V_INTR_MASKING_MASK;
	if (svm->vcpu->vm->arch.mmu.root) {
		c->nested_ctl = SVM_NESTED_CTL_NP_ENABLE;
		c->nested_cr3 = kvmod_tdp_root_pa(svm->vcpu->vm);
	}
}

int svm_vcpu_create(struct kvmod_vcpu *vcpu)
{
	struct svm_vcpu *svm;
	struct page *page;

	/* kvmod_svm_vmrun() uses these offsets; keep them honest. */
	BUILD_BUG_ON(offsetof(struct kvm_regs, rbx) != 0x08);
	BUILD_BUG_ON(offsetof(struct kvm_regs, rbp) != 0x38);
	BUILD_BUG_ON(offsetof(struct kvm_regs, r8) != 0x40);
	BUILD_BUG_ON(offsetof(struct kvm_regs, r15) != 0x78);

	svm = kzalloc(sizeof(*svm), GFP_KERNEL_ACCOUNT);
	if (!svm)
		return -ENOMEM;
	page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!page) {
		kfree(svm);
		return -ENOMEM;
	}
	svm->vcpu = vcpu;
	svm->vmcb = page_address(page);
	svm->vmcb_pa = page_to_phys(page);
	vcpu->arch.vendor = svm;
	return 0;
}

void svm_vcpu_free(struct kvmod_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);

	free_page((unsigned long)svm->vmcb);
	kfree(svm);
	vcpu->arch.vendor = NULL;
}

/*
 * A fresh VMCB, for creation, RESET and INIT: the x86 layer then loads
 * the architectural register state through svm_set_sregs().
 */
void svm_vcpu_reset(struct kvmod_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct vmcb_save_area *save = &svm->vmcb->save;

	clear_page(svm->vmcb);
	init_vmcb_control(svm);
	save->efer = EFER_SVME;
	save->dr6 = DR6_RESET;
	save->dr7 = DR7_RESET;
	save->g_pat = PAT_RESET;
	/* The cleared VMCB has no ASID: pick one at the next entry. */
	svm->asid_cpu = -1;
	svm->awaiting_iret = false;
	memset(svm->dr, 0, sizeof(svm->dr));
	svm->guest_owns_dr = false;
	svm->hw_bp = false;
	svm_update_guest_debug(vcpu);
}

void svm_get_sregs(struct kvmod_vcpu *vcpu, struct kvm_sregs *s)
{
	struct vmcb_save_area *save = &to_svm(vcpu)->vmcb->save;

	vmcb_to_seg(&save->cs, &s->cs);
	vmcb_to_seg(&save->ds, &s->ds);
	vmcb_to_seg(&save->es, &s->es);
	vmcb_to_seg(&save->fs, &s->fs);
	vmcb_to_seg(&save->gs, &s->gs);
	vmcb_to_seg(&save->ss, &s->ss);
	vmcb_to_seg(&save->tr, &s->tr);
	vmcb_to_seg(&save->ldtr, &s->ldt);
	/* The VMCB keeps the CPL apart from SS. */
	s->ss.dpl = save->cpl;
	s->gdt.base = save->gdtr.base;
	s->gdt.limit = save->gdtr.limit;
	s->idt.base = save->idtr.base;
	s->idt.limit = save->idtr.limit;
	s->cr0 = save->cr0;
	s->cr2 = save->cr2;
	s->cr3 = save->cr3;
	s->cr4 = save->cr4;
	s->cr8 = to_svm(vcpu)->vmcb->control.int_ctl & V_TPR_MASK;
	s->efer = save->efer & ~EFER_SVME;
}

void svm_set_sregs(struct kvmod_vcpu *vcpu, const struct kvm_sregs *s)
{
	struct vmcb *vmcb = to_svm(vcpu)->vmcb;
	struct vmcb_save_area *save = &vmcb->save;

	seg_to_vmcb(&s->cs, &save->cs);
	seg_to_vmcb(&s->ds, &save->ds);
	seg_to_vmcb(&s->es, &save->es);
	seg_to_vmcb(&s->fs, &save->fs);
	seg_to_vmcb(&s->gs, &save->gs);
	seg_to_vmcb(&s->ss, &save->ss);
	seg_to_vmcb(&s->tr, &save->tr);
	seg_to_vmcb(&s->ldt, &save->ldtr);
	/* Real mode runs at CPL 0 whatever SS says. */
	save->cpl = (s->cr0 & X86_CR0_PE) ? s->ss.dpl & 3 : 0;
	save->gdtr.base = s->gdt.base;
	save->gdtr.limit = s->gdt.limit;
	save->idtr.base = s->idt.base;
	save->idtr.limit = s->idt.limit;
	save->cr0 = s->cr0;
	save->cr2 = s->cr2;
	save->cr3 = s->cr3;
	save->cr4 = s->cr4;
	vmcb->control.int_ctl = (vmcb->control.int_ctl & ~V_TPR_MASK) |
				(s->cr8 & V_TPR_MASK);
	save->efer = s->efer | EFER_SVME;
}

u64 svm_get_cr4(struct kvmod_vcpu *vcpu)
{
	return to_svm(vcpu)->vmcb->save.cr4;
}

u64 svm_get_cr8(struct kvmod_vcpu *vcpu)
{
	return to_svm(vcpu)->vmcb->control.int_ctl & V_TPR_MASK;
}

void svm_set_cr8(struct kvmod_vcpu *vcpu, u64 cr8)
{
	struct vmcb_control_area *c = &to_svm(vcpu)->vmcb->control;

	c->int_ctl = (c->int_ctl & ~V_TPR_MASK) | (cr8 & V_TPR_MASK);
}

/* AMD-V has one shadow bit for both STI and MOV SS; report it as both. */
u8 svm_get_interrupt_shadow(struct kvmod_vcpu *vcpu)
{
	if (to_svm(vcpu)->vmcb->control.int_state & SVM_INTERRUPT_SHADOW_MASK)
		return KVM_X86_SHADOW_INT_MOV_SS | KVM_X86_SHADOW_INT_STI;
	return 0;
}

void svm_set_interrupt_shadow(struct kvmod_vcpu *vcpu, u8 shadow)
{
	struct vmcb_control_area *c = &to_svm(vcpu)->vmcb->control;

	if (shadow)
		c->int_state |= SVM_INTERRUPT_SHADOW_MASK;
	else
		c->int_state &= ~SVM_INTERRUPT_SHADOW_MASK;
}

/* The guest's own view, even while userspace's breakpoints are loaded. */
void svm_get_debugregs(struct kvmod_vcpu *vcpu, struct kvm_debugregs *dbg)
{
	struct svm_vcpu *svm = to_svm(vcpu);

	memcpy(dbg->db, svm->dr, sizeof(dbg->db));
	dbg->dr6 = svm->vmcb->save.dr6;
	dbg->dr7 = svm->hw_bp ? svm->guest_dr7 : svm->vmcb->save.dr7;
}

void svm_set_debugregs(struct kvmod_vcpu *vcpu, const struct kvm_debugregs *dbg)
{
	struct svm_vcpu *svm = to_svm(vcpu);

	memcpy(svm->dr, dbg->db, sizeof(svm->dr));
	svm->vmcb->save.dr6 = dbg->dr6;
	if (svm->hw_bp)
		svm->guest_dr7 = dbg->dr7;
	else
		svm->vmcb->save.dr7 = dbg->dr7;
	/* DR0-3 must now be loaded on every entry. */
	svm->guest_owns_dr = true;
	svm_intercept_dr(svm, svm->hw_bp);
}

static bool pat_valid(u64 pat)
{
	int i;

	/* UC, WC, WT, WP, WB, UC-: 2 and 3 are reserved. */
	for (i = 0; i < 8; i++) {
		u8 type = pat >> (i * 8);

		if (type > 7 || type == 2 || type == 3)
			return false;
	}
	return true;
}

/* The MSRs whose guest values live in the VMCB save area. */
static u64 *vmcb_msr(struct vmcb_save_area *save, u32 index)
{
	switch (index) {
	case MSR_STAR:			return &save->star;
	case MSR_LSTAR:			return &save->lstar;
	case MSR_CSTAR:			return &save->cstar;
	case MSR_SYSCALL_MASK:		return &save->sfmask;
	case MSR_KERNEL_GS_BASE:	return &save->kernel_gs_base;
	case MSR_FS_BASE:		return &save->fs.base;
	case MSR_GS_BASE:		return &save->gs.base;
	case MSR_IA32_SYSENTER_CS:	return &save->sysenter_cs;
	case MSR_IA32_SYSENTER_ESP:	return &save->sysenter_esp;
	case MSR_IA32_SYSENTER_EIP:	return &save->sysenter_eip;
	case MSR_IA32_CR_PAT:		return &save->g_pat;
	default:			return NULL;
	}
}

int svm_get_msr(struct kvmod_vcpu *vcpu, u32 index, u64 *data)
{
	struct vmcb_save_area *save = &to_svm(vcpu)->vmcb->save;
	u64 *field = vmcb_msr(save, index);

	if (field) {
		*data = *field;
		return 0;
	}
	switch (index) {
	case MSR_EFER:
		*data = save->efer & ~EFER_SVME;
		return 0;
	case MSR_IA32_DEBUGCTLMSR:
		*data = 0;
		return 0;
	default:
		return -ENOENT;
	}
}

int svm_set_msr(struct kvmod_vcpu *vcpu, u32 index, u64 data)
{
	struct vmcb_save_area *save = &to_svm(vcpu)->vmcb->save;
	u64 *field = vmcb_msr(save, index);

	if (index == MSR_IA32_CR_PAT && !pat_valid(data))
		return 1;
	if (field) {
		*field = data;
		return 0;
	}
	switch (index) {
	case MSR_EFER:
		save->efer = data | EFER_SVME;
		return 0;
	case MSR_IA32_DEBUGCTLMSR:
		/* No branch-record virtualization: only "off" is accepted. */
		return data ? 1 : 0;
	default:
		return -ENOENT;
	}
}

/* RIP after the instruction that exited; @len on from RIP if no NRIP. */
u64 svm_next_rip(struct svm_vcpu *svm, unsigned int len)
{
	if (svm_nrips && svm->vmcb->control.next_rip)
		return svm->vmcb->control.next_rip;
	return svm->vcpu->arch.regs.rip + len;
}

/* Advance RIP past the instruction that exited; @len if no NRIP. */
void svm_skip_instruction(struct svm_vcpu *svm, unsigned int len)
{
	kvmod_advance_rip(svm->vcpu, svm_next_rip(svm, len));
}

/*
 * Pick this vCPU's ASID on this CPU.  ASIDs are handed out in order; when
 * they run out a new generation starts with the whole TLB flushed, so an
 * ASID is never reused while stale translations may be tagged with it.
 */
static void svm_assign_asid(struct svm_vcpu *svm, int cpu, bool flush)
{
	struct svm_cpu *sc = per_cpu_ptr(&svm_cpus, cpu);
	struct vmcb_control_area *c = &svm->vmcb->control;

	if (flush || svm->asid_cpu != cpu ||
	    svm->asid_generation != sc->asid_generation) {
		if (sc->next_asid >= svm_max_asid) {
			sc->asid_generation++;
			sc->next_asid = 1;
			sc->flush_all = true;
		}
		svm->asid = sc->next_asid++;
		svm->asid_cpu = cpu;
		svm->asid_generation = sc->asid_generation;
		c->asid = svm->asid;
	}
	/* Until a VMRUN has really happened, the flush is still owed. */
	if (sc->flush_all)
		c->tlb_ctl = TLB_CONTROL_FLUSH_ALL_ASID;
}

static const u32 evtinj_type[] = {
	[KVMOD_EVENT_EXCEPTION]	= SVM_EVTINJ_TYPE_EXEPT,
	[KVMOD_EVENT_NMI]	= SVM_EVTINJ_TYPE_NMI,
	[KVMOD_EVENT_INTR]	= SVM_EVTINJ_TYPE_INTR,
};

/*
 * Ask for an exit as soon as the guest can take an interrupt: for any
 * interrupt (KVMOD_IRQ_WINDOW_ANY) a virtual one whose delivery exits
 * (VINTR); for one the TPR holds back (a priority class), the guest's
 * next CR8 write.  CR8 writes also exit while a virtual interrupt is
 * pending: QEMU's emulated AMD-V aborts on a guest CR8 write then, and a
 * real CPU loses nothing but an exit that is rare anyway.
 */
static void svm_set_irq_window(struct svm_vcpu *svm, int window)
{
	struct vmcb_control_area *c = &svm->vmcb->control;

	c->int_ctl &= ~(V_IRQ_MASK | V_IGN_TPR_MASK | V_INTR_PRIO_MASK);
	if (window == KVMOD_IRQ_WINDOW_ANY) {
		c->int_ctl |= V_IRQ_MASK | V_IGN_TPR_MASK |
			      (0xf << V_INTR_PRIO_SHIFT);
		set_intercept(svm->vmcb, INTERCEPT_VINTR);
	} else {
		clr_intercept(svm->vmcb, INTERCEPT_VINTR);
	}
	if (window == KVMOD_IRQ_WINDOW_NONE)
		clr_intercept(svm->vmcb, INTERCEPT_CR8_WRITE);
	else
		set_intercept(svm->vmcb, INTERCEPT_CR8_WRITE);
}

static void svm_inject_event(struct svm_vcpu *svm, int irq_window)
{
	struct vmcb_control_area *c = &svm->vmcb->control;
	bool shadow = c->int_state & SVM_INTERRUPT_SHADOW_MASK;
	struct kvmod_event ev;

	if (kvmod_next_event(svm->vcpu, shadow, &ev)) {
		c->event_inj = SVM_EVTINJ_VALID | evtinj_type[ev.kind] |
			       ev.vector |
			       (ev.has_error_code ? SVM_EVTINJ_VALID_ERR : 0);
		c->event_inj_err = ev.error_code;
	}
	/* NMIs stay blocked until the handler's IRET (also after a restore). */
	if (svm->vcpu->arch.nmi_masked && !svm->awaiting_iret)
		set_intercept(svm->vmcb, INTERCEPT_IRET);
	svm_set_irq_window(svm, irq_window);
}

/*
 * An exit in the middle of delivering an event (e.g. a nested page fault
 * on the IDT or stack) must deliver it again.  Exceptions, INT3/INTO
 * included (RIP is already past them), are delivered again as exceptions;
 * software interrupts (INTn) are re-executed: RIP is still on them.
 */
static void svm_requeue_interrupted_event(struct svm_vcpu *svm)
{
	u32 info = svm->vmcb->control.exit_int_info;
	u32 type = info & SVM_EXITINTINFO_TYPE_MASK;
	struct kvmod_event ev = {
		.vector = info & SVM_EXITINTINFO_VEC_MASK,
		.has_error_code = !!(info & SVM_EXITINTINFO_VALID_ERR),
		.error_code = svm->vmcb->control.exit_int_info_err,
	};

	if (!(info & SVM_EXITINTINFO_VALID))
		return;
	if (type == SVM_EXITINTINFO_TYPE_EXEPT)
		ev.kind = KVMOD_EVENT_EXCEPTION;
	else if (type == SVM_EXITINTINFO_TYPE_NMI)
		ev.kind = KVMOD_EVENT_NMI;
	else if (type == SVM_EXITINTINFO_TYPE_INTR)
		ev.kind = KVMOD_EVENT_INTR;
	kvmod_requeue_event(svm->vcpu, &ev);
}

/* After the guest's IRET has executed, NMIs are unblocked again. */
static void svm_check_nmi_unmask(struct svm_vcpu *svm)
{
	if (svm->awaiting_iret && svm->vcpu->arch.regs.rip != svm->iret_rip) {
		svm->awaiting_iret = false;
		svm->vcpu->arch.nmi_masked = false;
	}
}

/*
 * KVM_SET_GUEST_DEBUG: #BP exits for software breakpoints; for hardware
 * ones, userspace's DR7 replaces the guest's and DR accesses exit so the
 * guest cannot disturb them.
 */
void svm_update_guest_debug(struct kvmod_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	u32 dbg = vcpu->arch.guest_debug;
	bool hw = dbg & KVM_GUESTDBG_USE_HW_BP;

	if (dbg & KVM_GUESTDBG_USE_SW_BP)
		set_intercept(svm->vmcb, INTERCEPT_EXCEPTION_OFFSET + BP_VECTOR);
	else
		clr_intercept(svm->vmcb, INTERCEPT_EXCEPTION_OFFSET + BP_VECTOR);

	if (hw && !svm->hw_bp)
		svm->guest_dr7 = svm->vmcb->save.dr7;
	else if (!hw && svm->hw_bp)
		svm->vmcb->save.dr7 = svm->guest_dr7;
	svm->hw_bp = hw;
	if (hw)
		svm->vmcb->save.dr7 = vcpu->arch.guest_debug_regs[7];
	svm_intercept_dr(svm, hw || !svm->guest_owns_dr);
}

static void load_guest_debug(struct svm_vcpu *svm)
{
	const u64 *dbg = svm->vcpu->arch.guest_debug_regs;

	/* Host breakpoints must not fire on guest addresses. */
	if (hw_breakpoint_active())
		set_debugreg(0, 7);
	if (svm->hw_bp) {
		set_debugreg(dbg[0], 0);
		set_debugreg(dbg[1], 1);
		set_debugreg(dbg[2], 2);
		set_debugreg(dbg[3], 3);
	} else if (svm->guest_owns_dr) {
		set_debugreg(svm->dr[0], 0);
		set_debugreg(svm->dr[1], 1);
		set_debugreg(svm->dr[2], 2);
		set_debugreg(svm->dr[3], 3);
	}
}

static void save_guest_debug(struct svm_vcpu *svm)
{
	if (svm->guest_owns_dr && !svm->hw_bp) {
		get_debugreg(svm->dr[0], 0);
		get_debugreg(svm->dr[1], 1);
		get_debugreg(svm->dr[2], 2);
		get_debugreg(svm->dr[3], 3);
	}
	if (hw_breakpoint_active())
		hw_breakpoint_restore();
}

/* What the host's #MC handler would have seen, had the guest not run. */
static void svm_host_machine_check(void)
{
#ifdef CONFIG_X86_MCE
	struct pt_regs regs = {
		.cs = 3,	/* as if from user mode: no kernel context to kill */
		.flags = X86_EFLAGS_IF,
	};

	do_machine_check(&regs);
#endif
}

/**
 * svm_run() - one VMRUN
 * @vcpu: the vCPU
 * @flush_tlb: drop the guest's cached translations first
 * @irq_window: exit as soon as the guest can take such an interrupt
 *
 * Interrupts and preemption are off; GIF is cleared around the switch so
 * nothing runs while guest FS/GS/TR are loaded.
 */
void svm_run(struct kvmod_vcpu *vcpu, bool flush_tlb, int irq_window)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct vmcb *vmcb = svm->vmcb;
	struct kvm_regs *regs = &vcpu->arch.regs;
	int cpu = smp_processor_id();
	struct svm_cpu *sc = per_cpu_ptr(&svm_cpus, cpu);
	u64 host_xcr0 = 0;
	bool swap_xcr0;

	svm_assign_asid(svm, cpu, flush_tlb);
	svm_inject_event(svm, irq_window);

	vmcb->save.rax = regs->rax;
	vmcb->save.rsp = regs->rsp;
	vmcb->save.rip = regs->rip;
	vmcb->save.rflags = regs->rflags;
	vmcb->control.tsc_offset = vcpu->arch.tsc_offset;
	/* kvmod edits the VMCB freely: let the CPU cache nothing. */
	vmcb->control.clean = 0;

	swap_xcr0 = (vmcb->save.cr4 & X86_CR4_OSXSAVE) &&
		    boot_cpu_has(X86_FEATURE_XSAVE);
	if (swap_xcr0) {
		host_xcr0 = xgetbv(XCR_XFEATURE_ENABLED_MASK);
		if (vcpu->arch.xcr0 != host_xcr0)
			xsetbv(XCR_XFEATURE_ENABLED_MASK, vcpu->arch.xcr0);
	}
	load_guest_debug(svm);

	/* Another VM's predictions must not steer this one. */
	if (sc->last_vmcb != vmcb) {
		sc->last_vmcb = vmcb;
		indirect_branch_prediction_barrier();
	}

	asm volatile("clgi" ::: "memory");
	kvmod_svm_vmrun(svm->vmcb_pa, regs, page_to_phys(sc->host_save));
	/* A machine check in the guest is the host's: handle it here. */
	if (vmcb->control.exit_code == SVM_EXIT_EXCP_BASE + MC_VECTOR)
		svm_host_machine_check();
	asm volatile("stgi" ::: "memory");
	if (vmcb->control.exit_code != (u32)SVM_EXIT_ERR)
		sc->flush_all = false;

	save_guest_debug(svm);
	if (swap_xcr0 && vcpu->arch.xcr0 != host_xcr0)
		xsetbv(XCR_XFEATURE_ENABLED_MASK, host_xcr0);

	regs->rax = vmcb->save.rax;
	regs->rsp = vmcb->save.rsp;
	regs->rip = vmcb->save.rip;
	regs->rflags = vmcb->save.rflags;
	vmcb->control.tlb_ctl = TLB_CONTROL_DO_NOTHING;
	vmcb->control.event_inj = 0;
	svm_requeue_interrupted_event(svm);
	svm_check_nmi_unmask(svm);
}

void svm_dump_vmcb(struct svm_vcpu *svm)
{
	struct vmcb_control_area *c = &svm->vmcb->control;
	struct vmcb_save_area *s = &svm->vmcb->save;

	pr_err("kvmod: VMCB of vCPU %u: exit %#x info1 %#llx info2 %#llx intinfo %#x asid %u int_ctl %#x event_inj %#x\n",
	       svm->vcpu->vcpu_id, c->exit_code, c->exit_info_1,
	       c->exit_info_2, c->exit_int_info, c->asid, c->int_ctl,
	       c->event_inj);
	pr_err("kvmod:   cr0 %#llx cr3 %#llx cr4 %#llx efer %#llx rip %#llx rflags %#llx cpl %u\n",
	       s->cr0, s->cr3, s->cr4, s->efer, s->rip, s->rflags, s->cpl);
	pr_err("kvmod:   cs %#x/%#x/%#llx/%#x ss %#x/%#x/%#llx/%#x tr %#x/%#x gdt %#llx/%#x idt %#llx/%#x\n",
	       s->cs.selector, s->cs.attrib, s->cs.base, s->cs.limit,
	       s->ss.selector, s->ss.attrib, s->ss.base, s->ss.limit,
	       s->tr.selector, s->tr.attrib, s->gdtr.base, s->gdtr.limit,
	       s->idtr.base, s->idtr.limit);
}
