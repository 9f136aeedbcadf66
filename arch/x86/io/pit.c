// SPDX-License-Identifier: GPL-2.0
/*
 * The VM's i8254 PIT (KVM_CREATE_PIT2): the state machine of pit_core.c
 * behind a spinlock, on the port bus at 0x40-0x43 (and 0x61 with
 * KVM_PIT_SPEAKER_DUMMY), with counter 0's OUT driving GSI 0.
 *
 * Counter 0's rising edges are timed by a hard hrtimer (no more often
 * than every KVMOD_PIT_MIN_PERIOD_NS).  The callback runs in hard
 * interrupt context, where kvmod_irq_set_line() may not be called, so it
 * only counts the tick and wakes the PIT's kthread worker
 * ("kvm-pit/<pid>", the name KVM documents), which pulses GSI 0: high,
 * then low, an edge for the PIC and the I/O APIC.
 *
 * Lost ticks (KVM_REINJECT_CONTROL): with reinjection (the default, as on
 * KVM) the ticks the worker has not delivered yet are counted, up to
 * KVMOD_PIT_MAX_PENDING, and each is delivered as an edge of its own.  A
 * tick the PIC reports coalesced (IRQ 0 still requested from the last
 * one: the guest has not taken it) stays pending, and the next is tried
 * a jiffy later; a tick no controller accepts (masked) is dropped.  kvmod
 * does not watch the guest's EOI as KVM does: through the I/O APIC the
 * local APIC takes every edge, so catch-up edges are only spaced by that
 * jiffy and merge if the guest does not run meanwhile.  Without
 * reinjection, ticks that pile up before the worker runs are one edge.
 *
 * Locking: pit->lock (plain spinlock: vCPU threads and ioctls only)
 * protects the core and arming the timer; the callback takes no lock.
 * The worker runs kvmod_irq_set_line() with no PIT lock held.
 */
#include <linux/hrtimer.h>
#include <linux/kthread.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>

#include <kvmod_irqchip.h>
#include <kvmod_x86.h>

#include "pit_core.h"

/* Shortest period of counter 0's interrupt: bounds host timer load. */
#define KVMOD_PIT_MIN_PERIOD_NS	100000ULL
/* Ticks kept for reinjection at most. */
#define KVMOD_PIT_MAX_PENDING	64
/* The PIT's interrupt line. */
#define KVMOD_PIT_GSI		0

/**
 * struct kvmod_pit - the VM's PIT
 * @lock: protects @core and arming @timer
 * @vm: the VM
 * @core: the counters
 * @speaker_dummy: port 0x61 is served here (KVM_PIT_SPEAKER_DUMMY)
 * @timer: counter 0's next rising edge
 * @period_ns: @timer's period, 0 for a one-shot (read by the callback)
 * @pending: ticks not delivered yet
 * @reinject: KVM_REINJECT_CONTROL's pit_reinject
 * @worker: the kthread that pulses GSI 0
 * @pulse: its work
 */
struct kvmod_pit {
	spinlock_t lock;
	struct kvmod_vm *vm;
	struct pit_core core;
	bool speaker_dummy;
	struct hrtimer timer;
	u64 period_ns;
	atomic_t pending;
	bool reinject;
	struct kthread_worker *worker;
	struct kthread_delayed_work pulse;
};

static s64 pit_now(void)
{
	return ktime_get_ns();
}

/* Follow counter 0 after a change: when does GSI 0 rise next? */
static void pit_arm(struct kvmod_pit *pit, s64 now)
{
	u64 period;
	s64 first;

	lockdep_assert_held(&pit->lock);
	/* The callback takes no lock, so waiting for it here is safe. */
	hrtimer_cancel(&pit->timer);
	if (pit->core.s.flags & PIT_FLAG_HPET_LEGACY)
		return;
	if (!pit_core_edges(&pit->core, 0, now, &first, &period))
		return;
	if (period)
		period = max(period, KVMOD_PIT_MIN_PERIOD_NS);
	WRITE_ONCE(pit->period_ns, period);
	hrtimer_start(&pit->timer, ns_to_ktime(first), HRTIMER_MODE_ABS_HARD);
}

static enum hrtimer_restart pit_timer_fired(struct hrtimer *t)
{
	struct kvmod_pit *pit = container_of(t, struct kvmod_pit, timer);
	u64 period = READ_ONCE(pit->period_ns);
	u64 ticks = 1;
	int have;

	/* Periods the host let pass count as ticks too. */
	if (period)
		ticks = hrtimer_forward_now(t, ns_to_ktime(period));
	if (READ_ONCE(pit->reinject)) {
		/* Only this callback adds, so the bound holds. */
		have = atomic_read(&pit->pending);
		if (have < KVMOD_PIT_MAX_PENDING)
			atomic_add(min_t(u64, ticks, KVMOD_PIT_MAX_PENDING - have),
				   &pit->pending);
	} else {
		atomic_set(&pit->pending, 1);
	}
	kthread_mod_delayed_work(pit->worker, &pit->pulse, 0);
	return period ? HRTIMER_RESTART : HRTIMER_NORESTART;
}

static void pit_pulse(struct kthread_work *work)
{
	struct kvmod_pit *pit = container_of(work, struct kvmod_pit,
					     pulse.work);
	int status;

	if (atomic_read(&pit->pending) <= 0)
		return;
	status = kvmod_irq_set_line(pit->vm, KVMOD_PIT_GSI, true);
	kvmod_irq_set_line(pit->vm, KVMOD_PIT_GSI, false);
	/* Coalesced: the guest has not taken the last one yet. */
	if (status || !READ_ONCE(pit->reinject))
		atomic_dec_if_positive(&pit->pending);
	if (atomic_read(&pit->pending) > 0)
		kthread_queue_delayed_work(pit->worker, &pit->pulse, 1);
}

/*
 * Port accesses are one byte per port; a wider one covers consecutive
 * ports (the bus only hands over accesses inside one range).
 */
static int pit_port_access(struct kvmod_pit *pit, u64 addr, u8 *buf,
			   unsigned int len, bool write)
{
	s64 now = pit_now();
	bool rearm = false;
	unsigned int i;
	u16 port;

	spin_lock(&pit->lock);
	for (i = 0; i < len; i++) {
		port = addr + i;
		if (port == PIT_SPEAKER_PORT) {
			if (write)
				pit_core_speaker_write(&pit->core, buf[i], now);
			else
				buf[i] = pit_core_speaker_read(&pit->core, now);
			continue;
		}
		if (!write) {
			buf[i] = pit_core_read(&pit->core, port, now);
			continue;
		}
		pit_core_write(&pit->core, port, buf[i], now);
		/* A count for counter 0, or a new mode (not a latch). */
		if (port == PIT_BASE ||
		    (port == PIT_CONTROL && !(buf[i] & 0xc0) && (buf[i] & 0x30)))
			rearm = true;
	}
	if (rearm)
		pit_arm(pit, now);
	spin_unlock(&pit->lock);
	return 0;
}

static int pit_read(void *dev, struct kvmod_vcpu *vcpu, u64 addr,
		    void *data, unsigned int len)
{
	return pit_port_access(dev, addr, data, len, false);
}

static int pit_write(void *dev, struct kvmod_vcpu *vcpu, u64 addr,
		     const void *data, unsigned int len)
{
	u8 buf[8];

	len = min_t(unsigned int, len, sizeof(buf));
	memcpy(buf, data, len);
	return pit_port_access(dev, addr, buf, len, true);
}

static const struct kvmod_io_ops pit_io_ops = {
	.read = pit_read,
	.write = pit_write,
};

static void pit_free(struct kvmod_vm *vm, struct kvmod_pit *pit)
{
	kvmod_io_bus_unregister(vm, KVMOD_PIO_BUS, pit);
	hrtimer_cancel(&pit->timer);
	kthread_cancel_delayed_work_sync(&pit->pulse);
	kthread_destroy_worker(pit->worker);
	kfree(pit);
}

/*
 * KVM_CREATE_PIT2 (KVM_CREATE_PIT: @flags 0).  As on KVM, no irqchip is
 * needed (ticks go nowhere until there is one) and flags other than
 * KVM_PIT_SPEAKER_DUMMY are ignored.
 */
static int pit_create(struct kvmod_vm *vm, u32 flags)
{
	struct kvmod_pit *pit;
	int r;

	mutex_lock(&vm->lock);
	r = -EEXIST;
	if (vm->arch.pit)
		goto out;
	r = -ENOMEM;
	pit = kzalloc(sizeof(*pit), GFP_KERNEL_ACCOUNT);
	if (!pit)
		goto out;
	spin_lock_init(&pit->lock);
	pit->vm = vm;
	pit->speaker_dummy = flags & KVM_PIT_SPEAKER_DUMMY;
	pit->reinject = true;
	pit_core_reset(&pit->core, pit_now());
	hrtimer_init(&pit->timer, CLOCK_MONOTONIC, HRTIMER_MODE_ABS_HARD);
	pit->timer.function = pit_timer_fired;
	kthread_init_delayed_work(&pit->pulse, pit_pulse);
	pit->worker = kthread_create_worker(0, "kvm-pit/%d", current->pid);
	if (IS_ERR(pit->worker)) {
		r = PTR_ERR(pit->worker);
		kfree(pit);
		goto out;
	}
	r = kvmod_io_bus_register(vm, KVMOD_PIO_BUS, PIT_BASE, PIT_NR_PORTS,
				  &pit_io_ops, pit);
	if (!r && pit->speaker_dummy)
		r = kvmod_io_bus_register(vm, KVMOD_PIO_BUS, PIT_SPEAKER_PORT,
					  1, &pit_io_ops, pit);
	if (r) {
		pit_free(vm, pit);
		goto out;
	}
	/* Pairs with kvmod_pit_vm_ioctl(): the PIT is whole once seen. */
	smp_store_release(&vm->arch.pit, pit);
out:
	mutex_unlock(&vm->lock);
	return r;
}

/**
 * kvmod_pit_destroy() - stop the PIT's timer and worker, free it
 * @vm: the VM, going away; nothing may use the PIT any more
 *
 * Before the interrupt controllers go: the worker drives them.
 */
void kvmod_pit_destroy(struct kvmod_vm *vm)
{
	struct kvmod_pit *pit = vm->arch.pit;

	if (!pit)
		return;
	vm->arch.pit = NULL;
	pit_free(vm, pit);
}

static void get_state(struct kvmod_pit *pit, struct kvm_pit_state2 *s)
{
	spin_lock(&pit->lock);
	*s = pit->core.s;
	spin_unlock(&pit->lock);
}

static void set_state(struct kvmod_pit *pit, const struct kvm_pit_state2 *s)
{
	s64 now = pit_now();

	spin_lock(&pit->lock);
	pit_core_set_state(&pit->core, s, now);
	pit_arm(pit, now);
	spin_unlock(&pit->lock);
}

static long pit_state_ioctl(struct kvmod_pit *pit, unsigned int ioctl,
			    void __user *argp)
{
	struct kvm_pit_state2 s;
	struct kvm_pit_state legacy;

	switch (ioctl) {
	case KVM_GET_PIT2:
		get_state(pit, &s);
		return copy_to_user(argp, &s, sizeof(s)) ? -EFAULT : 0;
	case KVM_SET_PIT2:
		if (copy_from_user(&s, argp, sizeof(s)))
			return -EFAULT;
		set_state(pit, &s);
		return 0;
	case KVM_GET_PIT:
		get_state(pit, &s);
		memcpy(legacy.channels, s.channels, sizeof(legacy.channels));
		return copy_to_user(argp, &legacy, sizeof(legacy)) ? -EFAULT : 0;
	default:	/* KVM_SET_PIT: the channels; the flags stay. */
		if (copy_from_user(&legacy, argp, sizeof(legacy)))
			return -EFAULT;
		get_state(pit, &s);
		memcpy(s.channels, legacy.channels, sizeof(s.channels));
		set_state(pit, &s);
		return 0;
	}
}

/**
 * kvmod_pit_vm_ioctl() - the VM ioctls of the in-kernel PIT
 * @vm: the VM
 * @ioctl: KVM_CREATE_PIT(2), KVM_GET/SET_PIT(2) or KVM_REINJECT_CONTROL
 * @argp: its argument
 *
 * Return: 0, or as KVM: -EEXIST for a second PIT, -ENXIO for the others
 * without a PIT, -EFAULT, -ENOMEM.
 */
long kvmod_pit_vm_ioctl(struct kvmod_vm *vm, unsigned int ioctl,
			void __user *argp)
{
	struct kvm_reinject_control rc;
	struct kvm_pit_config cfg;
	struct kvmod_pit *pit;

	switch (ioctl) {
	case KVM_CREATE_PIT:
		return pit_create(vm, 0);
	case KVM_CREATE_PIT2:
		if (copy_from_user(&cfg, argp, sizeof(cfg)))
			return -EFAULT;
		return pit_create(vm, cfg.flags);
	case KVM_REINJECT_CONTROL:
		if (copy_from_user(&rc, argp, sizeof(rc)))
			return -EFAULT;
		/* Pairs with pit_create(). */
		pit = smp_load_acquire(&vm->arch.pit);
		if (!pit)
			return -ENXIO;
		WRITE_ONCE(pit->reinject, rc.pit_reinject);
		/* Switched off: what piled up is one tick. */
		if (!rc.pit_reinject && atomic_read(&pit->pending) > 1)
			atomic_set(&pit->pending, 1);
		return 0;
	case KVM_GET_PIT2:
	case KVM_SET_PIT2:
	case KVM_GET_PIT:
	case KVM_SET_PIT:
		/* Pairs with pit_create(). */
		pit = smp_load_acquire(&vm->arch.pit);
		if (!pit)
			return -ENXIO;
		return pit_state_ioctl(pit, ioctl, argp);
	default:
		return -ENOTTY;
	}
}
