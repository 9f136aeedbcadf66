// SPDX-License-Identifier: GPL-2.0
/*
 * Debugging the guest from userspace (KVM_SET_GUEST_DEBUG, KVM_EXIT_DEBUG)
 * and translating guest addresses for it (KVM_TRANSLATE).
 *
 * Single-stepping sets RFLAGS.TF for the guest's instructions and takes
 * it away again, so the guest's own TF survives; the #DB it raises exits
 * instead of reaching the guest.  Software breakpoints are the guest's
 * INT3s; hardware breakpoints use userspace's DR0-3/DR7 in place of the
 * guest's while they are enabled.
 */
#include <linux/uaccess.h>
#include <asm/processor-flags.h>
#include <asm/traps.h>

#include <kvmod_x86.h>

#include "emulate/x86_walk.h"

/* What kvmod implements of KVM_SET_GUEST_DEBUG (KVM_CAP_SET_GUEST_DEBUG2). */
#define GUESTDBG_SUPPORTED (KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP | \
			    KVM_GUESTDBG_USE_SW_BP | KVM_GUESTDBG_USE_HW_BP | \
			    KVM_GUESTDBG_INJECT_DB | KVM_GUESTDBG_INJECT_BP)

u32 kvmod_guest_debug_supported(void)
{
	return GUESTDBG_SUPPORTED;
}

static long set_guest_debug(struct kvmod_vcpu *vcpu,
			    const struct kvm_guest_debug *dbg)
{
	u32 control = dbg->control;

	if (control & ~GUESTDBG_SUPPORTED)
		return -EINVAL;
	if (control & (KVM_GUESTDBG_INJECT_DB | KVM_GUESTDBG_INJECT_BP)) {
		if (vcpu->arch.exception.pending)
			return -EBUSY;
		kvmod_queue_exception(vcpu, control & KVM_GUESTDBG_INJECT_DB ?
				      DB_VECTOR : BP_VECTOR, false, 0);
	}
	if (!(control & KVM_GUESTDBG_ENABLE))
		control = 0;
	/* DR6/DR7 are 32-bit; refuse what could not be loaded. */
	if ((control & KVM_GUESTDBG_USE_HW_BP) &&
	    ((dbg->arch.debugreg[6] | dbg->arch.debugreg[7]) >> 32))
		return -EINVAL;

	vcpu->arch.guest_debug = control & ~(KVM_GUESTDBG_INJECT_DB |
					     KVM_GUESTDBG_INJECT_BP);
	memcpy(vcpu->arch.guest_debug_regs, dbg->arch.debugreg,
	       sizeof(vcpu->arch.guest_debug_regs));
	kvmod_x86->update_guest_debug(vcpu);
	return 0;
}

/* KVM_TRANSLATE: a supervisor walk, as the guest's kernel would see it. */
static long translate(struct kvmod_vcpu *vcpu, struct kvm_translation *tr)
{
	struct kvm_sregs s;
	u32 error;
	u64 gpa;
	int r;

	kvmod_x86->get_sregs(vcpu, &s);
	r = kvmod_gva_to_gpa(vcpu, &s, vcpu->arch.regs.rflags,
			     tr->linear_address, X86_WALK_IMPLICIT, &gpa, &error);
	tr->valid = r == X86_WALK_OK;
	tr->physical_address = tr->valid ? gpa : ~0ULL;
	tr->writeable = 1;
	tr->usermode = 0;
	return 0;
}

/**
 * kvmod_debug_ioctl() - KVM_SET_GUEST_DEBUG and KVM_TRANSLATE
 * @vcpu: the vCPU, with its mutex held
 * @ioctl: the ioctl
 * @argp: its argument
 */
long kvmod_debug_ioctl(struct kvmod_vcpu *vcpu, unsigned int ioctl,
		       void __user *argp)
{
	struct kvm_guest_debug dbg;
	struct kvm_translation tr;
	long r;

	if (ioctl == KVM_SET_GUEST_DEBUG) {
		if (copy_from_user(&dbg, argp, sizeof(dbg)))
			return -EFAULT;
		return set_guest_debug(vcpu, &dbg);
	}
	if (copy_from_user(&tr, argp, sizeof(tr)))
		return -EFAULT;
	r = translate(vcpu, &tr);
	if (!r && copy_to_user(argp, &tr, sizeof(tr)))
		r = -EFAULT;
	return r;
}

/**
 * kvmod_debug_exit() - report a debug event to userspace
 * @vcpu: the vCPU
 * @vector: DB_VECTOR or BP_VECTOR
 * @pc: linear address of the instruction (CS base + RIP)
 * @dr6: DR6 as the event left it
 * @dr7: the DR7 in effect
 *
 * Return: 0, for exit handlers to return.
 */
int kvmod_debug_exit(struct kvmod_vcpu *vcpu, u8 vector, u64 pc, u64 dr6,
		     u64 dr7)
{
	struct kvm_run *run = vcpu->run;

	run->exit_reason = KVM_EXIT_DEBUG;
	run->debug.arch.exception = vector;
	run->debug.arch.pc = pc;
	run->debug.arch.dr6 = dr6;
	run->debug.arch.dr7 = dr7;
	return 0;
}

/* Around each entry: single-stepping owns TF while the guest runs. */
void kvmod_debug_before_entry(struct kvmod_vcpu *vcpu)
{
	u64 *rflags = &vcpu->arch.regs.rflags;

	vcpu->arch.tf_added = (vcpu->arch.guest_debug & KVM_GUESTDBG_SINGLESTEP) &&
			      !(*rflags & X86_EFLAGS_TF);
	if (vcpu->arch.tf_added)
		*rflags |= X86_EFLAGS_TF;
}

void kvmod_debug_after_exit(struct kvmod_vcpu *vcpu)
{
	if (vcpu->arch.tf_added)
		vcpu->arch.regs.rflags &= ~X86_EFLAGS_TF;
	vcpu->arch.tf_added = false;
}
