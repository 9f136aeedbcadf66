// SPDX-License-Identifier: GPL-2.0
/*
 * The VM's 8259A pair (KVM_CREATE_IRQCHIP): the state machine of
 * pic_core.c behind a spinlock, on the port bus at 0x20-0x21, 0xa0-0xa1
 * and 0x4d0-0x4d1 (ELCR), kicking the ExtINT vCPU when the master's INTR
 * output rises.
 *
 * Callers are process context only (vCPU threads, ioctls), so the lock
 * is a plain spinlock.  kvmod_irqchip_pic_kick() is called after it is
 * dropped.
 */
#include <linux/slab.h>
#include <linux/spinlock.h>

#include <kvmod_irqchip.h>
#include <kvmod_x86.h>

#include "pic_core.h"

/**
 * struct kvmod_pic - the VM's PIC pair
 * @lock: protects @core
 * @vm: the VM, for the kick
 * @core: master and slave state
 */
struct kvmod_pic {
	spinlock_t lock;
	struct kvmod_vm *vm;
	struct pic_core core;
};

/*
 * Port accesses are one byte per port; a wider one covers consecutive
 * ports (the bus only hands over accesses inside one range).
 */
static int pic_port_access(struct kvmod_pic *pic, u64 addr, u8 *buf,
			   unsigned int len, bool write)
{
	bool before, after;
	unsigned int i;

	spin_lock(&pic->lock);
	before = pic_core_output(&pic->core);
	for (i = 0; i < len; i++) {
		if (write)
			pic_core_write(&pic->core, addr + i, buf[i]);
		else
			buf[i] = pic_core_read(&pic->core, addr + i);
	}
	after = pic_core_output(&pic->core);
	spin_unlock(&pic->lock);
	if (after && !before)
		kvmod_irqchip_pic_kick(pic->vm);
	return 0;
}

static int pic_read(void *dev, struct kvmod_vcpu *vcpu, u64 addr,
		    void *data, unsigned int len)
{
	return pic_port_access(dev, addr, data, len, false);
}

static int pic_write(void *dev, struct kvmod_vcpu *vcpu, u64 addr,
		     const void *data, unsigned int len)
{
	u8 buf[8];

	len = min_t(unsigned int, len, sizeof(buf));
	memcpy(buf, data, len);
	return pic_port_access(dev, addr, buf, len, true);
}

static const struct kvmod_io_ops pic_io_ops = {
	.read = pic_read,
	.write = pic_write,
};

/**
 * kvmod_pic_create() - create the VM's PIC pair and claim its ports
 * @vm: the VM (KVM_CREATE_IRQCHIP)
 *
 * Stores the pair in @vm->arch.pic.
 *
 * Return: 0, -EEXIST if there is one already, -ENOMEM, or the port bus's
 * error.
 */
int kvmod_pic_create(struct kvmod_vm *vm)
{
	static const u16 bases[] = {
		PIC_MASTER_BASE, PIC_SLAVE_BASE, PIC_ELCR_BASE,
	};
	struct kvmod_pic *pic;
	unsigned int i;
	int r;

	if (vm->arch.pic)
		return -EEXIST;
	pic = kzalloc(sizeof(*pic), GFP_KERNEL_ACCOUNT);
	if (!pic)
		return -ENOMEM;
	spin_lock_init(&pic->lock);
	pic->vm = vm;
	pic_core_reset(&pic->core);
	for (i = 0; i < ARRAY_SIZE(bases); i++) {
		r = kvmod_io_bus_register(vm, KVMOD_PIO_BUS, bases[i], 2,
					  &pic_io_ops, pic);
		if (r) {
			kvmod_io_bus_unregister(vm, KVMOD_PIO_BUS, pic);
			kfree(pic);
			return r;
		}
	}
	vm->arch.pic = pic;
	return 0;
}

/**
 * kvmod_pic_destroy() - release the ports and free the pair
 * @vm: the VM; nothing may call the other kvmod_pic_*() any more
 */
void kvmod_pic_destroy(struct kvmod_vm *vm)
{
	struct kvmod_pic *pic = vm->arch.pic;

	if (!pic)
		return;
	kvmod_io_bus_unregister(vm, KVMOD_PIO_BUS, pic);
	vm->arch.pic = NULL;
	kfree(pic);
}

/**
 * kvmod_pic_set_irq() - drive PIC input @pin
 * @vm: the VM
 * @pin: 0-7 master, 8-15 slave
 * @level: asserted or not
 *
 * Kicks the ExtINT vCPU if the master's INTR output rises.
 *
 * Return: 1 if the request reached IRR, 0 if coalesced with a pending
 * one, -1 if masked (as KVM_IRQ_LINE_STATUS).
 */
int kvmod_pic_set_irq(struct kvmod_vm *vm, unsigned int pin, bool level)
{
	struct kvmod_pic *pic = vm->arch.pic;
	bool before, after;
	int ret;

	spin_lock(&pic->lock);
	before = pic_core_output(&pic->core);
	ret = pic_core_set_irq(&pic->core, pin, level);
	after = pic_core_output(&pic->core);
	spin_unlock(&pic->lock);
	if (after && !before)
		kvmod_irqchip_pic_kick(vm);
	return ret;
}

/**
 * kvmod_pic_intr_pending() - the master's INTR output
 * @vm: the VM
 *
 * Return: true if an interrupt acknowledge would find a request (false
 * without a PIC).
 */
bool kvmod_pic_intr_pending(struct kvmod_vm *vm)
{
	struct kvmod_pic *pic = vm->arch.pic;
	bool out;

	if (!pic)
		return false;
	spin_lock(&pic->lock);
	out = pic_core_output(&pic->core);
	spin_unlock(&pic->lock);
	return out;
}

/**
 * kvmod_pic_intr_ack() - the interrupt acknowledge cycle (ExtINT)
 * @vm: the VM
 *
 * Moves the best request to ISR (unless auto-EOI), through the slave for
 * IR2.  Does not kick: the caller is the vCPU taking the interrupt and
 * should look at kvmod_pic_intr_pending() again when it next can.
 *
 * Return: the vector; irq_base + 7 of the master (or of the slave) if
 * nothing was pending (spurious IRQ 7 or 15).
 */
int kvmod_pic_intr_ack(struct kvmod_vm *vm)
{
	struct kvmod_pic *pic = vm->arch.pic;
	int vec;

	spin_lock(&pic->lock);
	vec = pic_core_ack(&pic->core);
	spin_unlock(&pic->lock);
	return vec;
}

/**
 * kvmod_pic_get_state() - KVM_GET_IRQCHIP for a PIC chip
 * @vm: the VM
 * @chip: 0 master, 1 slave
 * @s: filled with the chip's state (zeroed for another @chip)
 */
void kvmod_pic_get_state(struct kvmod_vm *vm, unsigned int chip,
			 struct kvm_pic_state *s)
{
	struct kvmod_pic *pic = vm->arch.pic;

	if (chip > 1) {
		memset(s, 0, sizeof(*s));
		return;
	}
	spin_lock(&pic->lock);
	*s = pic->core.chip[chip];
	spin_unlock(&pic->lock);
}

/**
 * kvmod_pic_set_state() - KVM_SET_IRQCHIP for a PIC chip
 * @vm: the VM
 * @chip: 0 master, 1 slave
 * @s: the new state; any contents are accepted (see pic_core_set_chip())
 *
 * Kicks the ExtINT vCPU if the restored state requests an interrupt.
 *
 * Return: 0, or -EINVAL for another @chip.
 */
int kvmod_pic_set_state(struct kvmod_vm *vm, unsigned int chip,
			const struct kvm_pic_state *s)
{
	struct kvmod_pic *pic = vm->arch.pic;
	bool out;

	if (chip > 1)
		return -EINVAL;
	spin_lock(&pic->lock);
	pic_core_set_chip(&pic->core, chip, s);
	out = pic_core_output(&pic->core);
	spin_unlock(&pic->lock);
	if (out)
		kvmod_irqchip_pic_kick(vm);
	return 0;
}
