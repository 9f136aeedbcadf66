// SPDX-License-Identifier: GPL-2.0
/*
 * AMD-V exit handlers, one per exit code.
 *
 * A handler returns 1 to re-enter the guest, 0 to return to userspace
 * with vcpu->run filled in, or a negative errno for KVM_RUN.
 */
#include <linux/ratelimit.h>
#include <asm/svm.h>
#include <asm/traps.h>

#include <kvmod_cpuid.h>

#include "svm.h"

typedef int (*svm_exit_handler)(struct svm_vcpu *svm);

/* Instruction lengths, used when the CPU does not save the next RIP. */
#define LEN_HLT		1
#define LEN_TWO_BYTE	2	/* CPUID, RDMSR, WRMSR, INVD, WBINVD */
#define LEN_0F01_OP	3	/* VMMCALL, XSETBV, MONITOR, MWAIT */

static int exit_resume(struct svm_vcpu *svm)
{
	/* The host handled the interrupt, NMI or SMI once GIF was set. */
	return 1;
}

static int inject_ud(struct svm_vcpu *svm)
{
	kvmod_queue_exception(svm->vcpu, UD_VECTOR, false, 0);
	return 1;
}

static int inject_gp(struct svm_vcpu *svm)
{
	kvmod_queue_exception(svm->vcpu, GP_VECTOR, true, 0);
	return 1;
}

static int exit_skip(struct svm_vcpu *svm)
{
	/* INVD and WBINVD: guest caches are coherent, nothing to do. */
	svm_skip_instruction(svm, LEN_TWO_BYTE);
	return 1;
}

static int exit_cpuid(struct svm_vcpu *svm)
{
	struct kvm_regs *regs = &svm->vcpu->arch.regs;
	u32 eax = regs->rax, ebx, ecx = regs->rcx, edx;

	if (kvmod_cpuid_faulting(svm->vcpu) && svm->vmcb->save.cpl)
		return inject_gp(svm);

	kvmod_cpuid(svm->vcpu, &eax, &ebx, &ecx, &edx);
	regs->rax = eax;
	regs->rbx = ebx;
	regs->rcx = ecx;
	regs->rdx = edx;
	svm_skip_instruction(svm, LEN_TWO_BYTE);
	return 1;
}

static int exit_hlt(struct svm_vcpu *svm)
{
	svm_skip_instruction(svm, LEN_HLT);
	return kvmod_irqchip_halt(svm->vcpu);
}

static int exit_ioio(struct svm_vcpu *svm)
{
	u64 info = svm->vmcb->control.exit_info_1;
	u64 next_rip = svm->vmcb->control.exit_info_2;
	/* SZ8, SZ16 and SZ32 are one-hot bits: 1, 2, 4 bytes. */
	u8 size = (info & SVM_IOIO_SIZE_MASK) >> SVM_IOIO_SIZE_SHIFT;
	bool in = info & SVM_IOIO_TYPE_MASK;

	if (info & SVM_IOIO_STR_MASK)
		return kvmod_pio_string_exit(svm->vcpu, info >> 16, size, in,
					     next_rip);
	return kvmod_pio_exit(svm->vcpu, info >> 16, size, in, next_rip);
}

static int exit_msr(struct svm_vcpu *svm)
{
	u64 next_rip = svm_next_rip(svm, LEN_TWO_BYTE);

	if (svm->vmcb->control.exit_info_1)
		return kvmod_emulate_wrmsr(svm->vcpu, next_rip);
	return kvmod_emulate_rdmsr(svm->vcpu, next_rip);
}

static int exit_shutdown(struct svm_vcpu *svm)
{
	/* The VMCB is undefined after a shutdown: INIT the vCPU, as KVM does. */
	kvmod_vcpu_reset(svm->vcpu, true);
	svm->vcpu->run->exit_reason = KVM_EXIT_SHUTDOWN;
	return 0;
}

static int exit_vmmcall(struct svm_vcpu *svm)
{
	kvmod_emulate_hypercall(svm->vcpu);
	svm_skip_instruction(svm, LEN_0F01_OP);
	return 1;
}

static int exit_ud(struct svm_vcpu *svm)
{
	return kvmod_handle_ud(svm->vcpu, true);
}

static int exit_monitor_mwait(struct svm_vcpu *svm)
{
	struct kvmod_vcpu *vcpu = svm->vcpu;

	/*
	 * NOPs, as on KVM; a #UD where guest CPUID has no MONITOR/MWAIT
	 * only once userspace disabled KVM_X86_QUIRK_MWAIT_NEVER_UD_FAULTS.
	 */
	if (!kvmod_has_quirk(vcpu->vm, KVM_X86_QUIRK_MWAIT_NEVER_UD_FAULTS) &&
	    !kvmod_guest_has_mwait(vcpu))
		return inject_ud(svm);
	svm_skip_instruction(svm, LEN_0F01_OP);
	return 1;
}

static int exit_xsetbv(struct svm_vcpu *svm)
{
	struct kvm_regs *regs = &svm->vcpu->arch.regs;
	u64 value = (regs->rdx << 32) | (u32)regs->rax;

	if (svm->vmcb->save.cpl || (u32)regs->rcx != 0 ||
	    kvmod_set_xcr0(svm->vcpu, value))
		return inject_gp(svm);
	svm_skip_instruction(svm, LEN_0F01_OP);
	return 1;
}

static int exit_cr_write(struct svm_vcpu *svm)
{
	return kvmod_emulate_cr_write(svm->vcpu);
}

static int exit_dr_access(struct svm_vcpu *svm)
{
	/* Userspace's breakpoints are in the DRs: show the guest its own. */
	if (svm->hw_bp)
		return kvmod_emulate_dr_access(svm->vcpu);
	/*
	 * Hand the debug registers to the guest and run the instruction
	 * again; from now on DR0-3 are switched around every VMRUN.
	 */
	svm->guest_owns_dr = true;
	svm_intercept_dr(svm, false);
	return 1;
}

static u64 linear_rip(struct svm_vcpu *svm)
{
	return svm->vmcb->save.cs.base + svm->vcpu->arch.regs.rip;
}

static int exit_db(struct svm_vcpu *svm)
{
	struct vmcb_save_area *save = &svm->vmcb->save;
	u64 dr6 = save->dr6;

	if (svm->vcpu->arch.guest_debug &
	    (KVM_GUESTDBG_SINGLESTEP | KVM_GUESTDBG_USE_HW_BP)) {
		/* The debugger's event: DR6 starts afresh for the next one. */
		save->dr6 = DR6_RESET;
		return kvmod_debug_exit(svm->vcpu, DB_VECTOR, linear_rip(svm),
					dr6, save->dr7);
	}
	kvmod_queue_exception(svm->vcpu, DB_VECTOR, false, 0);
	return 1;
}

static int exit_bp(struct svm_vcpu *svm)
{
	return kvmod_debug_exit(svm->vcpu, BP_VECTOR, linear_rip(svm),
				svm->vmcb->save.dr6, svm->vmcb->save.dr7);
}

static int exit_mc(struct svm_vcpu *svm)
{
	/* svm_run() gave it to the host's handler already. */
	return 1;
}

static int exit_ac(struct svm_vcpu *svm)
{
	kvmod_queue_exception(svm->vcpu, AC_VECTOR, true, 0);
	return 1;
}

static int exit_vintr(struct svm_vcpu *svm)
{
	/* The window is open; the run loop tells userspace if it asked. */
	return 1;
}

static int exit_iret(struct svm_vcpu *svm)
{
	/* NMIs unblock once this IRET has run (see svm_check_nmi_unmask). */
	clr_intercept(svm->vmcb, INTERCEPT_IRET);
	svm->awaiting_iret = true;
	svm->iret_rip = svm->vcpu->arch.regs.rip;
	return 1;
}

/* EXITINFO1 of a nested page fault: it hit the access's final GPA. */
#define NPF_FINAL_GPA	BIT_ULL(32)

/* What the fault tells the emulator about the access at its GPA. */
static int npf_gpa_access(u64 error)
{
	if (!(error & NPF_FINAL_GPA) || (error & X86_PF_INSTR))
		return KVMOD_MMIO_GPA_NONE;
	return error & X86_PF_WRITE ? KVMOD_MMIO_GPA_WRITE :
				      KVMOD_MMIO_GPA_READ;
}

static int exit_npf(struct svm_vcpu *svm)
{
	u64 gpa = svm->vmcb->control.exit_info_2;
	u64 error = svm->vmcb->control.exit_info_1;
	int r;

	r = kvmod_tdp_page_fault(svm->vcpu, gpa, error & X86_PF_WRITE);
	if (r == KVMOD_FAULT_MMIO) {
		u64 data[2] = { gpa, svm->vmcb->control.exit_int_info };

		/* MMIO while delivering an event (IDT, stack): not emulatable. */
		if (svm->vmcb->control.exit_int_info & SVM_EXITINTINFO_VALID)
			return kvmod_internal_error(svm->vcpu,
						    KVM_INTERNAL_ERROR_DELIVERY_EV,
						    ARRAY_SIZE(data), data);
		return kvmod_emulate_mmio(svm->vcpu, gpa,
					  npf_gpa_access(error));
	}
	if (r < 0)
		return r;
	return 1;
}

static int exit_unexpected(struct svm_vcpu *svm)
{
	u64 data[2] = { svm->vmcb->control.exit_code, svm->vcpu->arch.cpu };

	pr_warn_ratelimited("kvmod: unexpected AMD-V exit %#x\n",
			    svm->vmcb->control.exit_code);
	return kvmod_internal_error(svm->vcpu,
				    KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON,
				    ARRAY_SIZE(data), data);
}

static int exit_invalid_state(struct svm_vcpu *svm)
{
	struct kvm_run *run = svm->vcpu->run;

	static DEFINE_RATELIMIT_STATE(dump_rs, 5 * HZ, 3);

	if (__ratelimit(&dump_rs))
		svm_dump_vmcb(svm);
	run->exit_reason = KVM_EXIT_FAIL_ENTRY;
	run->fail_entry.hardware_entry_failure_reason =
		svm->vmcb->control.exit_code;
	run->fail_entry.cpu = svm->vcpu->arch.cpu;
	return 0;
}

static const svm_exit_handler exit_handlers[] = {
	[SVM_EXIT_WRITE_CR0]		= exit_cr_write,
	[SVM_EXIT_WRITE_CR4]		= exit_cr_write,
	[SVM_EXIT_WRITE_CR8]		= exit_cr_write,
	[SVM_EXIT_READ_DR0 ... SVM_EXIT_WRITE_DR7]	= exit_dr_access,
	[SVM_EXIT_EXCP_BASE + DB_VECTOR]	= exit_db,
	[SVM_EXIT_EXCP_BASE + BP_VECTOR]	= exit_bp,
	[SVM_EXIT_EXCP_BASE + UD_VECTOR]	= exit_ud,
	[SVM_EXIT_EXCP_BASE + AC_VECTOR]	= exit_ac,
	[SVM_EXIT_EXCP_BASE + MC_VECTOR]	= exit_mc,
	[SVM_EXIT_INTR]			= exit_resume,
	[SVM_EXIT_NMI]			= exit_resume,
	[SVM_EXIT_SMI]			= exit_resume,
	[SVM_EXIT_VINTR]		= exit_vintr,
	[SVM_EXIT_CPUID]		= exit_cpuid,
	[SVM_EXIT_IRET]			= exit_iret,
	[SVM_EXIT_RDPMC]		= inject_gp,
	[SVM_EXIT_INVD]			= exit_skip,
	[SVM_EXIT_HLT]			= exit_hlt,
	[SVM_EXIT_IOIO]			= exit_ioio,
	[SVM_EXIT_MSR]			= exit_msr,
	[SVM_EXIT_SHUTDOWN]		= exit_shutdown,
	[SVM_EXIT_VMRUN]		= inject_ud,
	[SVM_EXIT_VMMCALL]		= exit_vmmcall,
	[SVM_EXIT_VMLOAD]		= inject_ud,
	[SVM_EXIT_VMSAVE]		= inject_ud,
	[SVM_EXIT_STGI]			= inject_ud,
	[SVM_EXIT_CLGI]			= inject_ud,
	[SVM_EXIT_SKINIT]		= inject_ud,
	[SVM_EXIT_INVLPGA]		= inject_ud,
	[SVM_EXIT_RDTSCP]		= inject_ud,
	[SVM_EXIT_WBINVD]		= exit_skip,
	[SVM_EXIT_MONITOR]		= exit_monitor_mwait,
	[SVM_EXIT_MWAIT]		= exit_monitor_mwait,
	[SVM_EXIT_MWAIT_COND]		= exit_monitor_mwait,
	[SVM_EXIT_XSETBV]		= exit_xsetbv,
	[SVM_EXIT_RDPRU]		= inject_ud,
};

int svm_handle_exit(struct kvmod_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	u32 code = svm->vmcb->control.exit_code;

	if (code < ARRAY_SIZE(exit_handlers) && exit_handlers[code])
		return exit_handlers[code](svm);
	if (code == SVM_EXIT_NPF)
		return exit_npf(svm);
	if (code == (u32)SVM_EXIT_ERR)
		return exit_invalid_state(svm);
	return exit_unexpected(svm);
}
