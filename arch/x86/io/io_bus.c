// SPDX-License-Identifier: GPL-2.0
/*
 * The in-kernel device bus: guest MMIO and port I/O that an in-kernel
 * device (local APIC, I/O APIC, PIC) claims is served here, without a
 * trip to userspace.
 *
 * A bus is a small array of address ranges, replaced as a whole under
 * bus_lock and published with SRCU: devices come and go rarely (irqchip
 * creation, VM teardown) while every emulated access looks them up.
 */
#include <linux/slab.h>
#include <linux/srcu.h>

#include <kvmod_irqchip.h>
#include <kvmod_x86.h>

struct kvmod_io_range {
	u64 base;
	u64 len;
	const struct kvmod_io_ops *ops;
	void *dev;
};

struct kvmod_io_bus {
	unsigned int nr;
	struct kvmod_io_range ranges[];
};

/* More than the irqchip and a PIT need, with room to grow. */
#define KVMOD_IO_BUS_MAX	16

static struct kvmod_io_bus *bus_of(struct kvmod_vm *vm, enum kvmod_bus bus)
{
	return rcu_dereference_protected(vm->arch.buses[bus],
					 lockdep_is_held(&vm->arch.bus_lock));
}

static bool overlaps(const struct kvmod_io_range *r, u64 base, u64 len)
{
	return base < r->base + r->len && r->base < base + len;
}

/* Swap in @next for @bus and free what readers may still be using. */
static void publish(struct kvmod_vm *vm, enum kvmod_bus bus,
		    struct kvmod_io_bus *next)
{
	struct kvmod_io_bus *old = bus_of(vm, bus);

	rcu_assign_pointer(vm->arch.buses[bus], next);
	synchronize_srcu(&vm->arch.bus_srcu);
	kfree(old);
}

/**
 * kvmod_io_bus_register() - claim [@base, @base + @len) for a device
 * @vm: the VM
 * @bus: MMIO or PIO
 * @base: first address
 * @len: length in bytes
 * @ops: the device's accessors
 * @dev: passed back to them
 *
 * Return: 0, -EEXIST if the range overlaps another device's, -ENOSPC or
 * -ENOMEM.
 */
int kvmod_io_bus_register(struct kvmod_vm *vm, enum kvmod_bus bus, u64 base,
			  u64 len, const struct kvmod_io_ops *ops, void *dev)
{
	struct kvmod_io_bus *cur, *next;
	unsigned int i, nr;
	int r = 0;

	mutex_lock(&vm->arch.bus_lock);
	cur = bus_of(vm, bus);
	nr = cur ? cur->nr : 0;
	for (i = 0; i < nr; i++)
		if (overlaps(&cur->ranges[i], base, len))
			r = -EEXIST;
	if (!r && nr >= KVMOD_IO_BUS_MAX)
		r = -ENOSPC;
	if (r)
		goto out;
	next = kzalloc(struct_size(next, ranges, nr + 1), GFP_KERNEL_ACCOUNT);
	if (!next) {
		r = -ENOMEM;
		goto out;
	}
	if (nr)
		memcpy(next->ranges, cur->ranges, nr * sizeof(cur->ranges[0]));
	next->ranges[nr] = (struct kvmod_io_range) {
		.base = base, .len = len, .ops = ops, .dev = dev,
	};
	next->nr = nr + 1;
	publish(vm, bus, next);
out:
	mutex_unlock(&vm->arch.bus_lock);
	return r;
}

/**
 * kvmod_io_bus_unregister() - remove every range of @dev from @bus
 * @vm: the VM
 * @bus: MMIO or PIO
 * @dev: the device
 *
 * On return no access is still inside the device's accessors.
 */
void kvmod_io_bus_unregister(struct kvmod_vm *vm, enum kvmod_bus bus,
			     void *dev)
{
	struct kvmod_io_bus *cur, *next;
	unsigned int i, n = 0;

	mutex_lock(&vm->arch.bus_lock);
	cur = bus_of(vm, bus);
	if (!cur)
		goto out;
	/* Shrinking cannot fail: reuse a copy's worth of the old size. */
	next = kzalloc(struct_size(next, ranges, cur->nr),
		       GFP_KERNEL_ACCOUNT | __GFP_NOFAIL);
	for (i = 0; i < cur->nr; i++)
		if (cur->ranges[i].dev != dev)
			next->ranges[n++] = cur->ranges[i];
	next->nr = n;
	publish(vm, bus, next);
out:
	mutex_unlock(&vm->arch.bus_lock);
}

/**
 * kvmod_io_bus_access() - let an in-kernel device serve a guest access
 * @vcpu: the accessing vCPU
 * @bus: MMIO or PIO
 * @addr: guest-physical address or port
 * @data: @len bytes to write, or to fill on a read
 * @len: 1, 2, 4 or 8
 * @write: direction
 *
 * Return: 0 if a device served it, -EOPNOTSUPP if it goes to userspace.
 */
int kvmod_io_bus_access(struct kvmod_vcpu *vcpu, enum kvmod_bus bus,
			u64 addr, void *data, unsigned int len, bool write)
{
	struct kvmod_vm *vm = vcpu->vm;
	const struct kvmod_io_range *rg;
	struct kvmod_io_bus *b;
	int idx, r = -EOPNOTSUPP;
	unsigned int i;

	/* The local APIC: a per-vCPU page, wherever IA32_APIC_BASE puts it. */
	if (bus == KVMOD_MMIO_BUS && vcpu->arch.lapic &&
	    !kvmod_lapic_mmio(vcpu, addr, data, len, write))
		return 0;
	/* No devices (no irqchip): the common case costs one load. */
	if (!rcu_access_pointer(vm->arch.buses[bus]))
		return -EOPNOTSUPP;
	idx = srcu_read_lock(&vm->arch.bus_srcu);
	b = srcu_dereference(vm->arch.buses[bus], &vm->arch.bus_srcu);
	for (i = 0; b && i < b->nr; i++) {
		rg = &b->ranges[i];
		if (addr < rg->base || addr + len > rg->base + rg->len)
			continue;
		r = write ? rg->ops->write(rg->dev, vcpu, addr, data, len) :
			    rg->ops->read(rg->dev, vcpu, addr, data, len);
		break;
	}
	srcu_read_unlock(&vm->arch.bus_srcu, idx);
	return r;
}

/**
 * kvmod_io_bus_init() - empty buses for a new VM
 * @vm: the VM
 */
int kvmod_io_bus_init(struct kvmod_vm *vm)
{
	mutex_init(&vm->arch.bus_lock);
	return init_srcu_struct(&vm->arch.bus_srcu);
}

/**
 * kvmod_io_bus_destroy() - free the buses; devices are already gone
 * @vm: the VM, with no vCPU left
 */
void kvmod_io_bus_destroy(struct kvmod_vm *vm)
{
	int bus;

	for (bus = 0; bus < KVMOD_NR_BUSES; bus++)
		kfree(rcu_dereference_protected(vm->arch.buses[bus], true));
	cleanup_srcu_struct(&vm->arch.bus_srcu);
}
