// SPDX-License-Identifier: GPL-2.0
/*
 * Events for the guest: exceptions, NMIs and external interrupts from a
 * userspace interrupt controller, the interrupt-window protocol of
 * struct kvm_run, and their ioctls.
 *
 * The queued events live here, not in the backend: an event whose
 * delivery an exit interrupted is queued back (kvmod_requeue_event()), so
 * KVM_GET_VCPU_EVENTS always sees everything that is still to happen.
 */
#include <linux/uaccess.h>
#include <asm/processor-flags.h>
#include <asm/traps.h>

#include <kvmod_x86.h>

/**
 * kvmod_next_event() - take the event to deliver at this entry
 * @vcpu: the vCPU
 * @shadow: an STI/MOV SS shadow blocks new NMIs
 * @ev: filled with the event
 *
 * Events already in delivery come first (exceptions, re-delivered NMIs,
 * interrupts userspace injected); a new NMI only when NMIs are unmasked.
 * Return: false if there is nothing to deliver now.
 */
bool kvmod_next_event(struct kvmod_vcpu *vcpu, bool shadow,
		      struct kvmod_event *ev)
{
	struct kvmod_vcpu_arch *a = &vcpu->arch;

	memset(ev, 0, sizeof(*ev));
	if (a->exception.pending) {
		ev->kind = KVMOD_EVENT_EXCEPTION;
		ev->vector = a->exception.vector;
		ev->has_error_code = a->exception.has_error_code;
		ev->error_code = a->exception.error_code;
		a->exception.pending = false;
	} else if (a->nmi_injected) {
		ev->kind = KVMOD_EVENT_NMI;
		a->nmi_injected = false;
	} else if (a->pending_irq >= 0) {
		/* Userspace checked ready_for_interrupt_injection first. */
		ev->kind = KVMOD_EVENT_INTR;
		ev->vector = a->pending_irq;
		a->pending_irq = -1;
	} else if (a->nmi_pending && !a->nmi_masked && !shadow) {
		ev->kind = KVMOD_EVENT_NMI;
		a->nmi_pending = false;
		a->nmi_masked = true;
	} else {
		return false;
	}
	if (ev->kind == KVMOD_EVENT_NMI)
		ev->vector = NMI_VECTOR;
	return true;
}

/**
 * kvmod_requeue_event() - an exit interrupted the delivery of @ev
 * @vcpu: the vCPU
 * @ev: the event, which the next entry delivers again
 */
void kvmod_requeue_event(struct kvmod_vcpu *vcpu, const struct kvmod_event *ev)
{
	switch (ev->kind) {
	case KVMOD_EVENT_EXCEPTION:
		kvmod_queue_exception(vcpu, ev->vector, ev->has_error_code,
				      ev->error_code);
		break;
	case KVMOD_EVENT_NMI:
		vcpu->arch.nmi_injected = true;
		break;
	case KVMOD_EVENT_INTR:
		vcpu->arch.pending_irq = ev->vector;
		break;
	case KVMOD_EVENT_NONE:
		break;
	}
}

/**
 * kvmod_ready_for_interrupt() - could userspace inject an interrupt now?
 * @vcpu: the vCPU, outside the guest
 */
bool kvmod_ready_for_interrupt(struct kvmod_vcpu *vcpu)
{
	/* An exception still to deliver would run first and may clear IF. */
	return (vcpu->arch.regs.rflags & X86_EFLAGS_IF) &&
	       !kvmod_x86->get_interrupt_shadow(vcpu) &&
	       vcpu->arch.pending_irq < 0 && !vcpu->arch.exception.pending;
}

/*
 * What the next entry should exit for: with an in-kernel APIC, what
 * kvmod_irqchip_prepare_entry() found; otherwise userspace's request, as
 * soon as the guest could take any interrupt.
 */
int kvmod_irq_window_wanted(struct kvmod_vcpu *vcpu)
{
	if (vcpu->arch.lapic)
		return vcpu->arch.irq_window;
	return vcpu->run->request_interrupt_window &&
	       vcpu->arch.pending_irq < 0 ?
	       KVMOD_IRQ_WINDOW_ANY : KVMOD_IRQ_WINDOW_NONE;
}

/**
 * kvmod_post_run() - fill the kvm_run fields every KVM_RUN return reports
 * @vcpu: the vCPU
 */
void kvmod_post_run(struct kvmod_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;

	run->if_flag = !!(vcpu->arch.regs.rflags & X86_EFLAGS_IF);
	run->cr8 = kvmod_x86->get_cr8(vcpu);
	run->apic_base = vcpu->arch.apic_base;
	run->ready_for_interrupt_injection = kvmod_ready_for_interrupt(vcpu);
}

void kvmod_get_events(struct kvmod_vcpu *vcpu, struct kvm_vcpu_events *e)
{
	struct kvmod_vcpu_arch *a = &vcpu->arch;

	memset(e, 0, sizeof(*e));
	/* Without KVM_CAP_EXCEPTION_PAYLOAD, queued exceptions are "injected". */
	e->exception.injected = a->exception.pending;
	e->exception.nr = a->exception.vector;
	e->exception.has_error_code = a->exception.has_error_code;
	e->exception.error_code = a->exception.error_code;
	e->interrupt.injected = a->pending_irq >= 0;
	e->interrupt.nr = a->pending_irq >= 0 ? a->pending_irq : 0;
	e->interrupt.shadow = kvmod_x86->get_interrupt_shadow(vcpu);
	e->nmi.injected = a->nmi_injected;
	e->nmi.pending = a->nmi_pending;
	e->nmi.masked = a->nmi_masked;
	e->sipi_vector = a->sipi_vector;
	e->flags = KVM_VCPUEVENT_VALID_NMI_PENDING | KVM_VCPUEVENT_VALID_SHADOW;
}

int kvmod_set_events(struct kvmod_vcpu *vcpu, const struct kvm_vcpu_events *e)
{
	struct kvmod_vcpu_arch *a = &vcpu->arch;
	bool exception = e->exception.injected;

	if (e->flags & ~(KVM_VCPUEVENT_VALID_NMI_PENDING |
			 KVM_VCPUEVENT_VALID_SIPI_VECTOR |
			 KVM_VCPUEVENT_VALID_SHADOW |
			 KVM_VCPUEVENT_VALID_SMM))
		return -EINVAL;
	/* No SMM: only "not in SMM, nothing pending" can be restored. */
	if ((e->flags & KVM_VCPUEVENT_VALID_SMM) &&
	    (e->smi.smm || e->smi.pending))
		return -EINVAL;
	if (exception && (e->exception.nr > 31 || e->exception.nr == NMI_VECTOR))
		return -EINVAL;

	a->exception = (struct kvmod_exception) {
		.pending = exception,
		.vector = e->exception.nr,
		.has_error_code = e->exception.has_error_code,
		.error_code = e->exception.error_code,
	};
	a->pending_irq = e->interrupt.injected ? e->interrupt.nr : -1;
	if (e->flags & KVM_VCPUEVENT_VALID_SHADOW)
		kvmod_x86->set_interrupt_shadow(vcpu, e->interrupt.shadow);
	a->nmi_injected = e->nmi.injected;
	a->nmi_masked = e->nmi.masked;
	if (e->flags & KVM_VCPUEVENT_VALID_NMI_PENDING)
		a->nmi_pending = e->nmi.pending;
	if (e->flags & KVM_VCPUEVENT_VALID_SIPI_VECTOR)
		a->sipi_vector = e->sipi_vector;
	return 0;
}

static int set_mp_state(struct kvmod_vcpu *vcpu, u32 state)
{
	if (!vcpu->arch.lapic)
		return state == KVM_MP_STATE_RUNNABLE ? 0 : -EINVAL;
	switch (state) {
	case KVM_MP_STATE_SIPI_RECEIVED:
		/* Its STARTUP vector came with KVM_SET_VCPU_EVENTS. */
		vcpu->arch.mp_state = KVM_MP_STATE_INIT_RECEIVED;
		kvmod_lapic_post_sipi(vcpu, vcpu->arch.sipi_vector);
		return 0;
	case KVM_MP_STATE_RUNNABLE:
	case KVM_MP_STATE_UNINITIALIZED:
	case KVM_MP_STATE_INIT_RECEIVED:
	case KVM_MP_STATE_HALTED:
		break;
	default:
		return -EINVAL;
	}
	vcpu->arch.mp_state = state;
	kvmod_vcpu_kick(vcpu);
	return 0;
}

/**
 * kvmod_events_ioctl() - KVM_INTERRUPT, KVM_NMI, KVM_GET/SET_VCPU_EVENTS,
 *	KVM_GET/SET_MP_STATE
 * @vcpu: the vCPU, with its mutex held
 * @ioctl: the ioctl
 * @argp: its argument
 */
long kvmod_events_ioctl(struct kvmod_vcpu *vcpu, unsigned int ioctl,
			void __user *argp)
{
	struct kvm_vcpu_events events;
	struct kvm_mp_state mp;
	struct kvm_interrupt irq;

	switch (ioctl) {
	case KVM_INTERRUPT:
		/* The in-kernel APIC decides what to inject. */
		if (vcpu->arch.lapic)
			return -ENXIO;
		if (copy_from_user(&irq, argp, sizeof(irq)))
			return -EFAULT;
		if (irq.irq >= KVM_NR_INTERRUPTS)
			return -EINVAL;
		vcpu->arch.pending_irq = irq.irq;
		return 0;
	case KVM_NMI:
		vcpu->arch.nmi_pending = true;
		return 0;
	case KVM_GET_VCPU_EVENTS:
		kvmod_get_events(vcpu, &events);
		return copy_to_user(argp, &events, sizeof(events)) ? -EFAULT : 0;
	case KVM_SET_VCPU_EVENTS:
		if (copy_from_user(&events, argp, sizeof(events)))
			return -EFAULT;
		return kvmod_set_events(vcpu, &events);
	case KVM_GET_MP_STATE:
		/* Without an in-kernel APIC a vCPU is always runnable. */
		if (vcpu->arch.lapic)
			kvmod_lapic_sync(vcpu);
		mp.mp_state = vcpu->arch.mp_state;
		return copy_to_user(argp, &mp, sizeof(mp)) ? -EFAULT : 0;
	case KVM_SET_MP_STATE:
		if (copy_from_user(&mp, argp, sizeof(mp)))
			return -EFAULT;
		return set_mp_state(vcpu, mp.mp_state);
	default:
		return -EINVAL;
	}
}
