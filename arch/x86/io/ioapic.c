// SPDX-License-Identifier: GPL-2.0
/*
 * The VM's I/O APIC (KVM_CREATE_IRQCHIP): the state machine of
 * ioapic_core.c behind a spinlock, on the MMIO bus at 0xfec00000,
 * sending its messages to the local APICs with kvmod_apic_deliver().
 *
 * Callers are process context only (vCPU threads, ioctls, the retry
 * work), so the lock is a plain spinlock; kvmod_apic_deliver() is called
 * with it held (it never sleeps nor comes back here).
 */
#include <linux/jiffies.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#include <kvmod_irqchip.h>
#include <kvmod_x86.h>

#include "ioapic_core.h"

/* The register window: IOREGSEL and IOWIN, the rest reads as 0. */
#define IOAPIC_MMIO_LEN		0x100

/* Delay of the retry of EOI re-deliveries beyond the limit. */
#define IOAPIC_RETRY_MS		10

/**
 * struct kvmod_ioapic - the VM's I/O APIC
 * @lock: protects @core
 * @vm: the VM, for deliveries
 * @core: the state
 * @retry_work: the deferred re-delivery (see ioapic_core_eoi())
 */
struct kvmod_ioapic {
	spinlock_t lock;
	struct kvmod_vm *vm;
	struct ioapic_core core;
	struct delayed_work retry_work;
};

static_assert(IOAPIC_CORE_BASE == KVMOD_IOAPIC_BASE);
static_assert(IOAPIC_CORE_PINS == KVMOD_IOAPIC_PINS);

/* A redirection entry as a message to the local APICs. */
static int ioapic_deliver(void *ctx, u64 e)
{
	struct kvmod_ioapic *io = ctx;
	struct kvmod_apic_irq irq = {
		.dest_id = e >> IOAPIC_RTE_DEST_SHIFT,
		.vector = e & IOAPIC_RTE_VECTOR,
		.delivery_mode = (e & IOAPIC_RTE_DELIVERY_MODE) >>
				 IOAPIC_RTE_DELIVERY_SHIFT,
		.dest_logical = e & IOAPIC_RTE_DEST_LOGICAL,
		.level = e & IOAPIC_RTE_LEVEL,
		.assert = true,
		.shorthand = KVMOD_SH_NONE,
		.source = NULL,
	};

	return kvmod_apic_deliver(io->vm, &irq);
}

static void ioapic_retry_work(struct work_struct *work)
{
	struct kvmod_ioapic *io = container_of(to_delayed_work(work),
					       struct kvmod_ioapic, retry_work);

	spin_lock(&io->lock);
	ioapic_core_retry(&io->core);
	spin_unlock(&io->lock);
}

/* Byte @off of the window as the 32-bit register it is in, and shift. */
static bool ioapic_reg(u64 off, unsigned int *reg, unsigned int *shift)
{
	*reg = off & ~3ULL;
	*shift = (off & 3) * 8;
	return *reg == IOAPIC_REG_SELECT || *reg == IOAPIC_REG_WINDOW;
}

/*
 * The registers are 32 bits wide.  Narrower reads see their bytes of it;
 * narrower writes merge into it (IOWIN reads have no side effect); bytes
 * beyond the register read as 0 and are not written.
 */
static int ioapic_mmio_read(void *dev, struct kvmod_vcpu *vcpu, u64 addr,
			    void *data, unsigned int len)
{
	struct kvmod_ioapic *io = dev;
	unsigned int reg, shift;
	u64 val = 0;

	if (len > sizeof(val))
		return -EOPNOTSUPP;
	if (ioapic_reg(addr - KVMOD_IOAPIC_BASE, &reg, &shift)) {
		spin_lock(&io->lock);
		val = ioapic_core_read(&io->core, reg);
		spin_unlock(&io->lock);
		val >>= shift;
	}
	memcpy(data, &val, len);
	return 0;
}

static int ioapic_mmio_write(void *dev, struct kvmod_vcpu *vcpu, u64 addr,
			     const void *data, unsigned int len)
{
	struct kvmod_ioapic *io = dev;
	unsigned int reg, shift, bytes;
	u64 val = 0, mask;
	u32 cur;

	if (len > sizeof(val))
		return -EOPNOTSUPP;
	if (!ioapic_reg(addr - KVMOD_IOAPIC_BASE, &reg, &shift))
		return 0;
	memcpy(&val, data, len);
	bytes = min_t(unsigned int, len, 4 - shift / 8);
	mask = (BIT_ULL(bytes * 8) - 1) << shift;
	spin_lock(&io->lock);
	cur = ioapic_core_read(&io->core, reg);
	ioapic_core_write(&io->core, reg,
			  (cur & ~mask) | ((val << shift) & mask));
	spin_unlock(&io->lock);
	return 0;
}

static const struct kvmod_io_ops ioapic_io_ops = {
	.read = ioapic_mmio_read,
	.write = ioapic_mmio_write,
};

/**
 * kvmod_ioapic_create() - create the VM's I/O APIC and claim its MMIO
 * @vm: the VM (KVM_CREATE_IRQCHIP)
 *
 * Stores it in @vm->arch.ioapic: id 0, every pin masked.
 *
 * Return: 0, -EEXIST if there is one already, -ENOMEM, or the MMIO bus's
 * error.
 */
int kvmod_ioapic_create(struct kvmod_vm *vm)
{
	struct kvmod_ioapic *io;
	int r;

	if (vm->arch.ioapic)
		return -EEXIST;
	io = kzalloc(sizeof(*io), GFP_KERNEL_ACCOUNT);
	if (!io)
		return -ENOMEM;
	spin_lock_init(&io->lock);
	io->vm = vm;
	INIT_DELAYED_WORK(&io->retry_work, ioapic_retry_work);
	ioapic_core_reset(&io->core, ioapic_deliver, io);
	r = kvmod_io_bus_register(vm, KVMOD_MMIO_BUS, KVMOD_IOAPIC_BASE,
				  IOAPIC_MMIO_LEN, &ioapic_io_ops, io);
	if (r) {
		kfree(io);
		return r;
	}
	vm->arch.ioapic = io;
	return 0;
}

/**
 * kvmod_ioapic_destroy() - release the MMIO range and free the I/O APIC
 * @vm: the VM; nothing may call the other kvmod_ioapic_*() any more
 */
void kvmod_ioapic_destroy(struct kvmod_vm *vm)
{
	struct kvmod_ioapic *io = vm->arch.ioapic;

	if (!io)
		return;
	kvmod_io_bus_unregister(vm, KVMOD_MMIO_BUS, io);
	cancel_delayed_work_sync(&io->retry_work);
	vm->arch.ioapic = NULL;
	kfree(io);
}

/**
 * kvmod_ioapic_set_irq() - drive I/O APIC input @pin
 * @vm: the VM
 * @pin: 0-23
 * @level: asserted (true) or not; polarity is ignored
 *
 * Return: as KVM_IRQ_LINE_STATUS: the number of local APICs that
 * accepted the message, 0 if coalesced, -1 if masked or not accepted
 * (see ioapic_core_set_irq()).
 */
int kvmod_ioapic_set_irq(struct kvmod_vm *vm, unsigned int pin, bool level)
{
	struct kvmod_ioapic *io = vm->arch.ioapic;
	int ret;

	spin_lock(&io->lock);
	ret = ioapic_core_set_irq(&io->core, pin, level);
	spin_unlock(&io->lock);
	return ret;
}

/**
 * kvmod_ioapic_eoi() - a local APIC's EOI of a level-triggered vector
 * @vm: the VM
 * @vector: the vector
 *
 * Clears remote IRR of the entries with @vector and re-sends those whose
 * line is still high; a line stuck high past the re-delivery limit is
 * retried after %IOAPIC_RETRY_MS instead.  The caller must not hold a
 * lock kvmod_apic_deliver() takes.
 */
void kvmod_ioapic_eoi(struct kvmod_vm *vm, u8 vector)
{
	struct kvmod_ioapic *io = vm->arch.ioapic;
	bool defer;

	if (!io)
		return;
	spin_lock(&io->lock);
	defer = ioapic_core_eoi(&io->core, vector);
	spin_unlock(&io->lock);
	if (defer)
		schedule_delayed_work(&io->retry_work,
				      msecs_to_jiffies(IOAPIC_RETRY_MS));
}

/**
 * kvmod_ioapic_get_state() - KVM_GET_IRQCHIP for the I/O APIC
 * @vm: the VM
 * @s: filled in; irr holds the line levels
 */
void kvmod_ioapic_get_state(struct kvmod_vm *vm, struct kvm_ioapic_state *s)
{
	struct kvmod_ioapic *io = vm->arch.ioapic;

	spin_lock(&io->lock);
	*s = io->core.s;
	spin_unlock(&io->lock);
}

/**
 * kvmod_ioapic_set_state() - KVM_SET_IRQCHIP for the I/O APIC
 * @vm: the VM
 * @s: the new state; any contents are accepted but the base address,
 *	which stays 0xfec00000
 *
 * Level-triggered pins whose line is high, unmasked with remote IRR
 * clear, are delivered at once (see ioapic_core_set_state()).
 *
 * Return: 0.
 */
int kvmod_ioapic_set_state(struct kvmod_vm *vm,
			   const struct kvm_ioapic_state *s)
{
	struct kvmod_ioapic *io = vm->arch.ioapic;

	spin_lock(&io->lock);
	ioapic_core_set_state(&io->core, s);
	spin_unlock(&io->lock);
	return 0;
}
