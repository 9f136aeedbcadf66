// SPDX-License-Identifier: GPL-2.0
/*
 * KVM_RUN: the loop around the backend's world switch.
 *
 * Each round enters the guest with interrupts off, so that a kick (an IPI,
 * or the reschedule IPI a signal sends) either is seen before entry or
 * forces an exit right after it.  The backend's exit handler decides
 * whether to go round again (1), return to userspace (0) or fail (<0).
 */
#include <linux/sched/signal.h>
#include <linux/smp.h>
#include <asm/fpu/api.h>
#include <asm/traps.h>

#include <kvmod_x86.h>

#include "emulate/x86_emulate.h"

void kvmod_queue_exception(struct kvmod_vcpu *vcpu, u8 vector,
			   bool has_error_code, u32 error_code)
{
	vcpu->arch.exception = (struct kvmod_exception) {
		.pending = true,
		.vector = vector,
		.has_error_code = has_error_code,
		.error_code = error_code,
	};
}

/*
 * A page fault found by kvmod's own page walk.  CR2 is set now, as the
 * CPU would on raising it, so that state saved before delivery has it.
 */
void kvmod_queue_pf(struct kvmod_vcpu *vcpu, u64 cr2, u32 error_code)
{
	struct kvm_sregs s;

	kvmod_x86->get_sregs(vcpu, &s);
	s.cr2 = cr2;
	kvmod_x86->set_sregs(vcpu, &s);
	kvmod_queue_exception(vcpu, PF_VECTOR, true, error_code);
}

void kvmod_queue_emul_exception(struct kvmod_vcpu *vcpu,
				const struct x86_emu_exception *ex)
{
	if (ex->vector == PF_VECTOR)
		kvmod_queue_pf(vcpu, ex->cr2, ex->error_code);
	else
		kvmod_queue_exception(vcpu, ex->vector, ex->error_code_valid,
				      ex->error_code);
}

/**
 * kvmod_internal_error() - exit to userspace with KVM_EXIT_INTERNAL_ERROR
 * @vcpu: the vCPU
 * @suberror: KVM_INTERNAL_ERROR_*
 * @ndata: words in @data (at most 15)
 * @data: details for userspace
 *
 * Return: 0, for exit handlers to return.
 */
int kvmod_internal_error(struct kvmod_vcpu *vcpu, u32 suberror, int ndata,
			 const u64 *data)
{
	struct kvm_run *run = vcpu->run;
	int i;

	ndata = min_t(int, ndata, ARRAY_SIZE(run->internal.data));
	run->exit_reason = KVM_EXIT_INTERNAL_ERROR;
	run->internal.suberror = suberror;
	run->internal.ndata = ndata;
	for (i = 0; i < ndata; i++)
		run->internal.data[i] = data[i];
	return 0;
}

static void kick_ack(void *unused)
{
}

/**
 * kvmod_flush_remote_tlbs() - make every vCPU drop cached translations
 * @vm: the VM
 *
 * Returns once no vCPU can use a translation cached before the call: each
 * flushes before its next entry, and those in the guest now are forced
 * out and waited for.  Does not sleep; call without spinlocks a vCPU could
 * take with interrupts off.
 */
void kvmod_flush_remote_tlbs(struct kvmod_vm *vm)
{
	struct kvmod_vcpu *vcpu;
	unsigned long i;
	int me = get_cpu();

	xa_for_each(&vm->vcpus, i, vcpu) {
		set_bit(KVMOD_REQ_TLB_FLUSH, &vcpu->arch.requests);
		/* Pairs with the barrier between setting mode and entry. */
		smp_mb__after_atomic();
		if (READ_ONCE(vcpu->arch.mode) == KVMOD_IN_GUEST) {
			int cpu = READ_ONCE(vcpu->arch.cpu);

			if (cpu != me)
				smp_call_function_single(cpu, kick_ack, NULL, 1);
		}
	}
	put_cpu();
}

/* One entry and exit.  Returns as the exit handlers do. */
static int vcpu_enter_guest(struct kvmod_vcpu *vcpu)
{
	bool flush;

	preempt_disable();
	local_irq_disable();
	vcpu->arch.cpu = smp_processor_id();
	WRITE_ONCE(vcpu->arch.mode, KVMOD_IN_GUEST);
	/* Pairs with kvmod_flush_remote_tlbs(): see a request or be kicked. */
	smp_mb();

	if (signal_pending(current) || need_resched() ||
	    test_bit(KVMOD_REQ_EVENT, &vcpu->arch.requests)) {
		WRITE_ONCE(vcpu->arch.mode, KVMOD_OUTSIDE_GUEST);
		local_irq_enable();
		preempt_enable();
		return 1;
	}

	/* Preemption or kernel FPU use may have left the guest's state saved. */
	if (test_thread_flag(TIF_NEED_FPU_LOAD))
		switch_fpu_return();

	flush = test_and_clear_bit(KVMOD_REQ_TLB_FLUSH, &vcpu->arch.requests);
	vcpu->arch.has_run = true;
	kvmod_debug_before_entry(vcpu);
	kvmod_x86->run(vcpu, flush, kvmod_irq_window_wanted(vcpu));
	kvmod_debug_after_exit(vcpu);

	WRITE_ONCE(vcpu->arch.mode, KVMOD_OUTSIDE_GUEST);
	/* Host interrupts that forced the exit are taken here. */
	local_irq_enable();
	preempt_enable();

	if (vcpu->arch.lapic)
		kvmod_irqchip_after_exit(vcpu);

	return kvmod_x86->handle_exit(vcpu);
}

/* kvm_run->s.regs: state userspace changed there goes in before running. */
static int sync_regs_in(struct kvmod_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	struct kvm_sync_regs *sync = &run->s.regs;
	struct kvm_vcpu_events events;
	struct kvm_sregs sregs;
	struct kvm_regs regs;

	/* Copy before checking: userspace may change the shared page. */
	if (run->kvm_dirty_regs & KVM_SYNC_X86_REGS) {
		memcpy(&regs, &sync->regs, sizeof(regs));
		kvmod_set_regs(vcpu, &regs);
		run->kvm_dirty_regs &= ~KVM_SYNC_X86_REGS;
	}
	if (run->kvm_dirty_regs & KVM_SYNC_X86_SREGS) {
		memcpy(&sregs, &sync->sregs, sizeof(sregs));
		if (kvmod_set_sregs(vcpu, &sregs))
			return -EINVAL;
		run->kvm_dirty_regs &= ~KVM_SYNC_X86_SREGS;
	}
	if (run->kvm_dirty_regs & KVM_SYNC_X86_EVENTS) {
		memcpy(&events, &sync->events, sizeof(events));
		if (kvmod_set_events(vcpu, &events))
			return -EINVAL;
		run->kvm_dirty_regs &= ~KVM_SYNC_X86_EVENTS;
	}
	return 0;
}

/* ... and the state userspace asked to see comes out on every return. */
static void sync_regs_out(struct kvmod_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	struct kvm_sync_regs *sync = &run->s.regs;

	if (run->kvm_valid_regs & KVM_SYNC_X86_REGS)
		sync->regs = vcpu->arch.regs;
	if (run->kvm_valid_regs & KVM_SYNC_X86_SREGS)
		kvmod_get_sregs(vcpu, &sync->sregs);
	if (run->kvm_valid_regs & KVM_SYNC_X86_EVENTS)
		kvmod_get_events(vcpu, &sync->events);
}

/**
 * kvmod_arch_vcpu_run() - KVM_RUN
 * @vcpu: the vCPU, with its mutex held
 *
 * Return: 0 with vcpu->run describing the exit, or a negative errno
 * (-EINTR with KVM_EXIT_INTR when a signal is pending).
 */
int kvmod_arch_vcpu_run(struct kvmod_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	int r;

	if (!kvmod_x86->tdp_format())
		return -EOPNOTSUPP;

	run->flags = 0;
	if ((run->kvm_valid_regs | run->kvm_dirty_regs) &
	    ~KVM_SYNC_X86_VALID_FIELDS) {
		r = -EINVAL;
		goto out;
	}
	r = sync_regs_in(vcpu);
	if (r)
		goto out;
	/* Without an in-kernel APIC, userspace owns the TPR through cr8. */
	if (!vcpu->arch.lapic) {
		if (run->cr8 & ~0xfULL) {
			r = -EINVAL;
			goto out;
		}
		kvmod_x86->set_cr8(vcpu, run->cr8);
	}

	/* Completing an emulated instruction may touch guest XMM registers. */
	fpu_swap_kvm_fpstate(&vcpu->arch.guest_fpu, true);
	r = kvmod_pio_complete(vcpu);
	if (r > 0)
		r = kvmod_msr_exit_complete(vcpu);
	if (r > 0)
		r = kvmod_emul_complete(vcpu);
	/*
	 * As on KVM, exit_reason is left alone: userspace completing an
	 * exit this way reads the exit it has just handled once more.
	 */
	if (r > 0 && run->immediate_exit)
		r = -EINTR;
	while (r > 0) {
		if (vcpu->arch.lapic) {
			r = kvmod_irqchip_prepare_entry(vcpu);
			if (r <= 0)
				break;
		}
		r = vcpu_enter_guest(vcpu);
		if (r <= 0)
			break;
		if (run->request_interrupt_window && !vcpu->arch.lapic &&
		    kvmod_ready_for_interrupt(vcpu)) {
			run->exit_reason = KVM_EXIT_IRQ_WINDOW_OPEN;
			r = 0;
		} else if (signal_pending(current)) {
			run->exit_reason = KVM_EXIT_INTR;
			r = -EINTR;
		} else {
			cond_resched();
		}
	}
	fpu_swap_kvm_fpstate(&vcpu->arch.guest_fpu, false);
out:
	if (run->kvm_valid_regs)
		sync_regs_out(vcpu);
	kvmod_post_run(vcpu);
	return r;
}
