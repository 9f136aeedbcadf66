// SPDX-License-Identifier: GPL-2.0
/*
 * The in-kernel irqchip's x86 side: its ioctls, kicking a vCPU when an
 * interrupt controller posts to it, and what the run loop does with an
 * in-kernel local APIC: pick the interrupt to inject before each entry,
 * and keep a halted (or not yet started) vCPU asleep in the kernel until
 * something can wake it.
 */
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/processor-flags.h>

#include <kvmod_x86.h>

/**
 * kvmod_vcpu_kick() - make @vcpu look at its interrupt controllers soon
 * @vcpu: the vCPU
 *
 * Wakes it if it sleeps, forces an exit if it is in the guest on another
 * CPU.  Any context, including hard interrupt (the APIC timer).
 */
void kvmod_vcpu_kick(struct kvmod_vcpu *vcpu)
{
	int me, cpu;

	set_bit(KVMOD_REQ_EVENT, &vcpu->arch.requests);
	/* Pairs with the barrier between setting mode and entry. */
	smp_mb__after_atomic();
	wake_up_interruptible(&vcpu->arch.wq);
	me = get_cpu();
	if (READ_ONCE(vcpu->arch.mode) == KVMOD_IN_GUEST) {
		cpu = READ_ONCE(vcpu->arch.cpu);
		if (cpu != me)
			smp_send_reschedule(cpu);
	}
	put_cpu();
}

bool kvmod_vcpu_is_bsp(struct kvmod_vcpu *vcpu)
{
	return vcpu->vcpu_id == vcpu->vm->arch.bsp_vcpu_id;
}

void kvmod_irqchip_pic_kick(struct kvmod_vm *vm)
{
	struct kvmod_vcpu *vcpu;
	unsigned long i;

	/* Whichever vCPU has LINT0 as ExtINT takes it: rare, kick them all. */
	xa_for_each(&vm->vcpus, i, vcpu)
		kvmod_vcpu_kick(vcpu);
}

static int create_irqchip(struct kvmod_vm *vm)
{
	int r;

	mutex_lock(&vm->lock);
	r = -EEXIST;
	if (vm->arch.irqchip)
		goto out;
	/* vCPUs made before have no local APIC. */
	r = -EINVAL;
	if (vm->created_vcpus)
		goto out;
	r = kvmod_pic_create(vm);
	if (r)
		goto out;
	r = kvmod_ioapic_create(vm);
	if (r)
		goto err_pic;
	r = kvmod_irq_default_routing(vm);
	if (r)
		goto err_ioapic;
	vm->arch.irqchip = true;
	mutex_unlock(&vm->lock);
	return 0;

err_ioapic:
	kvmod_ioapic_destroy(vm);
err_pic:
	kvmod_pic_destroy(vm);
out:
	mutex_unlock(&vm->lock);
	return r;
}

void kvmod_irqchip_destroy(struct kvmod_vm *vm)
{
	/* First: its worker drives the PIC and the I/O APIC. */
	kvmod_pit_destroy(vm);
	if (!vm->arch.irqchip)
		return;
	kvmod_ioapic_destroy(vm);
	kvmod_pic_destroy(vm);
	kvmod_irq_routing_free(vm);
}

static long irq_line(struct kvmod_vm *vm, unsigned int ioctl,
		     void __user *argp)
{
	struct kvm_irq_level line;
	int status;

	if (copy_from_user(&line, argp, sizeof(line)))
		return -EFAULT;
	status = kvmod_irq_set_line(vm, line.irq, line.level);
	if (ioctl == KVM_IRQ_LINE_STATUS) {
		line.status = status;
		if (copy_to_user(argp, &line, sizeof(line)))
			return -EFAULT;
	}
	return 0;
}

static long get_set_irqchip(struct kvmod_vm *vm, unsigned int ioctl,
			    void __user *argp)
{
	struct kvm_irqchip *chip;
	long r = 0;

	chip = memdup_user(argp, sizeof(*chip));
	if (IS_ERR(chip))
		return PTR_ERR(chip);
	switch (chip->chip_id) {
	case KVM_IRQCHIP_PIC_MASTER:
	case KVM_IRQCHIP_PIC_SLAVE:
		if (ioctl == KVM_GET_IRQCHIP)
			kvmod_pic_get_state(vm, chip->chip_id, &chip->chip.pic);
		else
			r = kvmod_pic_set_state(vm, chip->chip_id,
						&chip->chip.pic);
		break;
	case KVM_IRQCHIP_IOAPIC:
		if (ioctl == KVM_GET_IRQCHIP)
			kvmod_ioapic_get_state(vm, &chip->chip.ioapic);
		else
			r = kvmod_ioapic_set_state(vm, &chip->chip.ioapic);
		break;
	default:
		r = -EINVAL;
	}
	if (!r && ioctl == KVM_GET_IRQCHIP &&
	    copy_to_user(argp, chip, sizeof(*chip)))
		r = -EFAULT;
	kfree(chip);
	return r;
}

static long set_boot_cpu_id(struct kvmod_vm *vm, unsigned long id)
{
	long r = 0;

	mutex_lock(&vm->lock);
	if (vm->created_vcpus)
		r = -EBUSY;
	else if (id >= (vm->max_vcpu_ids ?: KVMOD_MAX_VCPU_IDS))
		r = -EINVAL;
	else
		vm->arch.bsp_vcpu_id = id;
	mutex_unlock(&vm->lock);
	return r;
}

/**
 * kvmod_irqchip_vm_ioctl() - the VM ioctls of the in-kernel irqchip
 * @vm: the VM
 * @ioctl: KVM_CREATE_IRQCHIP, KVM_IRQ_LINE(_STATUS), KVM_GET/SET_IRQCHIP,
 *	KVM_SET_GSI_ROUTING, KVM_SIGNAL_MSI or KVM_SET_BOOT_CPU_ID
 * @argp: its argument
 */
long kvmod_irqchip_vm_ioctl(struct kvmod_vm *vm, unsigned int ioctl,
			    void __user *argp)
{
	struct kvm_msi msi;

	if (ioctl == KVM_CREATE_IRQCHIP)
		return create_irqchip(vm);
	if (ioctl == KVM_SET_BOOT_CPU_ID)
		return set_boot_cpu_id(vm, (unsigned long)argp);
	/* Pairs with create_irqchip(): its devices exist once this is seen. */
	if (!smp_load_acquire(&vm->arch.irqchip))
		return ioctl == KVM_SET_GSI_ROUTING ||
		       ioctl == KVM_SIGNAL_MSI ? -EINVAL : -ENXIO;

	switch (ioctl) {
	case KVM_IRQ_LINE:
	case KVM_IRQ_LINE_STATUS:
		return irq_line(vm, ioctl, argp);
	case KVM_GET_IRQCHIP:
	case KVM_SET_IRQCHIP:
		return get_set_irqchip(vm, ioctl, argp);
	case KVM_SET_GSI_ROUTING:
		return kvmod_irq_set_routing(vm, argp);
	case KVM_SIGNAL_MSI:
		if (copy_from_user(&msi, argp, sizeof(msi)))
			return -EFAULT;
		return kvmod_irq_signal_msi(vm, &msi);
	default:
		return -ENOTTY;
	}
}

/**
 * kvmod_irqchip_vcpu_ioctl() - KVM_GET_LAPIC and KVM_SET_LAPIC
 * @vcpu: the vCPU, with its mutex held
 * @ioctl: the ioctl
 * @argp: struct kvm_lapic_state in userspace
 */
long kvmod_irqchip_vcpu_ioctl(struct kvmod_vcpu *vcpu, unsigned int ioctl,
			      void __user *argp)
{
	struct kvm_lapic_state *s;
	long r;

	if (!vcpu->arch.lapic)
		return -EINVAL;
	if (ioctl == KVM_GET_LAPIC) {
		s = kzalloc(sizeof(*s), GFP_KERNEL);
		if (!s)
			return -ENOMEM;
		kvmod_lapic_get_state(vcpu, s);
		r = copy_to_user(argp, s, sizeof(*s)) ? -EFAULT : 0;
	} else {
		s = memdup_user(argp, sizeof(*s));
		if (IS_ERR(s))
			return PTR_ERR(s);
		r = kvmod_lapic_set_state(vcpu, s);
	}
	kfree(s);
	return r;
}

static bool interrupts_open(struct kvmod_vcpu *vcpu)
{
	return (vcpu->arch.regs.rflags & X86_EFLAGS_IF) &&
	       !kvmod_x86->get_interrupt_shadow(vcpu);
}

static bool pic_pending(struct kvmod_vcpu *vcpu)
{
	return vcpu->vm->arch.pic && kvmod_lapic_accepts_pic(vcpu) &&
	       kvmod_pic_intr_pending(vcpu->vm);
}

/* May a halted vCPU go on? */
static bool halt_ends(struct kvmod_vcpu *vcpu)
{
	struct kvmod_vcpu_arch *a = &vcpu->arch;
	int prio;

	if (a->nmi_pending || a->nmi_injected || a->exception.pending ||
	    a->pending_irq >= 0)
		return true;
	if (!interrupts_open(vcpu))
		return false;
	return kvmod_lapic_pending(vcpu, &prio) >= 0 || pic_pending(vcpu);
}

/* Take the next interrupt from the APIC or the PIC if the guest can. */
static void pick_interrupt(struct kvmod_vcpu *vcpu)
{
	struct kvmod_vcpu_arch *a = &vcpu->arch;
	bool from_pic;
	int vec, prio;

	a->irq_window = KVMOD_IRQ_WINDOW_NONE;
	/* Something is already on its way in; come back after it. */
	if (a->pending_irq >= 0 || a->exception.pending)
		return;
	vec = kvmod_lapic_pending(vcpu, &prio);
	from_pic = vec < 0 && pic_pending(vcpu);
	if (vec < 0 && !from_pic) {
		/* Held back by the TPR: exit when the guest lowers CR8. */
		a->irq_window = prio;
		return;
	}
	if (!interrupts_open(vcpu)) {
		a->irq_window = KVMOD_IRQ_WINDOW_ANY;
		return;
	}
	if (from_pic)
		vec = kvmod_pic_intr_ack(vcpu->vm);
	else
		kvmod_lapic_ack(vcpu, vec);
	a->pending_irq = vec;
}

/**
 * kvmod_irqchip_prepare_entry() - before each entry with a local APIC
 * @vcpu: the vCPU, interrupts and preemption on
 *
 * Sleeps while the vCPU is halted or waits for INIT/SIPI.
 * Return: 1 to enter the guest, or -EINTR with KVM_EXIT_INTR set when a
 * signal ends the wait.
 */
int kvmod_irqchip_prepare_entry(struct kvmod_vcpu *vcpu)
{
	struct kvmod_vcpu_arch *a = &vcpu->arch;

	for (;;) {
		clear_bit(KVMOD_REQ_EVENT, &a->requests);
		kvmod_lapic_sync(vcpu);
		if (a->mp_state == KVM_MP_STATE_HALTED && halt_ends(vcpu))
			a->mp_state = KVM_MP_STATE_RUNNABLE;
		if (a->mp_state == KVM_MP_STATE_RUNNABLE)
			break;
		if (signal_pending(current)) {
			vcpu->run->exit_reason = KVM_EXIT_INTR;
			return -EINTR;
		}
		wait_event_interruptible(a->wq,
					 test_bit(KVMOD_REQ_EVENT, &a->requests));
	}
	pick_interrupt(vcpu);
	kvmod_x86->set_cr8(vcpu, kvmod_lapic_get_cr8(vcpu));
	return 1;
}

/**
 * kvmod_irqchip_after_exit() - the guest may have written CR8: to the TPR
 * @vcpu: the vCPU, before its exit is handled
 */
void kvmod_irqchip_after_exit(struct kvmod_vcpu *vcpu)
{
	u8 cr8 = kvmod_x86->get_cr8(vcpu);

	if (cr8 != kvmod_lapic_get_cr8(vcpu))
		kvmod_lapic_set_cr8(vcpu, cr8);
}

/**
 * kvmod_irqchip_halt() - HLT, RIP already past it
 * @vcpu: the vCPU
 *
 * Return: 1 to halt in the kernel (in-kernel APIC), else 0 with
 * KVM_EXIT_HLT for userspace, as exit handlers return.
 */
int kvmod_irqchip_halt(struct kvmod_vcpu *vcpu)
{
	if (vcpu->arch.lapic) {
		vcpu->arch.mp_state = KVM_MP_STATE_HALTED;
		return 1;
	}
	vcpu->run->exit_reason = KVM_EXIT_HLT;
	return 0;
}
