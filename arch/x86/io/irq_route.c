// SPDX-License-Identifier: GPL-2.0
/*
 * GSI routing: which interrupt-controller pins (or which MSI) a global
 * system interrupt number drives.  KVM_IRQ_LINE and KVM_SIGNAL_MSI enter
 * here; KVM_SET_GSI_ROUTING replaces the table, which is published with
 * RCU so raising a line never waits for a table update.
 */
#include <linux/rculist.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/uaccess.h>

#include <kvmod_x86.h>

struct kvmod_irq_route {
	u32 gsi;
	u32 type;
	union {
		struct kvm_irq_routing_irqchip irqchip;
		struct kvm_irq_routing_msi msi;
	};
};

/**
 * struct kvmod_irq_routing - one published routing table
 * @rcu: for freeing after readers are gone
 * @nr: entries
 * @routes: sorted by GSI; a GSI may have several (PIC and I/O APIC)
 */
struct kvmod_irq_routing {
	struct rcu_head rcu;
	u32 nr;
	struct kvmod_irq_route routes[];
};

static int cmp_gsi(const void *a, const void *b)
{
	const struct kvmod_irq_route *x = a, *y = b;

	return x->gsi < y->gsi ? -1 : x->gsi > y->gsi;
}

static bool route_valid(const struct kvm_irq_routing_entry *e)
{
	if (e->flags || e->gsi >= KVMOD_MAX_IRQ_ROUTES)
		return false;
	switch (e->type) {
	case KVM_IRQ_ROUTING_IRQCHIP:
		switch (e->u.irqchip.irqchip) {
		case KVM_IRQCHIP_PIC_MASTER:
		case KVM_IRQCHIP_PIC_SLAVE:
			return e->u.irqchip.pin < KVMOD_PIC_PINS / 2;
		case KVM_IRQCHIP_IOAPIC:
			return e->u.irqchip.pin < KVMOD_IOAPIC_PINS;
		default:
			return false;
		}
	case KVM_IRQ_ROUTING_MSI:
		/* No device ids here (KVM_MSI_VALID_DEVID is for ARM ITS). */
		return true;
	default:
		return false;
	}
}

static void publish(struct kvmod_vm *vm, struct kvmod_irq_routing *next)
{
	struct kvmod_irq_routing *old;

	old = rcu_replace_pointer(vm->arch.routing, next,
				  lockdep_is_held(&vm->lock));
	if (old)
		kfree_rcu(old, rcu);
}

/**
 * kvmod_irq_set_routing() - KVM_SET_GSI_ROUTING
 * @vm: the VM, with an irqchip
 * @argp: struct kvm_irq_routing in userspace
 *
 * Return: 0, -EINVAL for a bad entry or a duplicate, -EFAULT, -ENOMEM.
 */
int kvmod_irq_set_routing(struct kvmod_vm *vm, void __user *argp)
{
	struct kvm_irq_routing head;
	struct kvm_irq_routing_entry *ents = NULL;
	struct kvmod_irq_routing *next;
	u32 i;
	int r;

	if (copy_from_user(&head, argp, sizeof(head)))
		return -EFAULT;
	if (head.nr > KVMOD_MAX_IRQ_ROUTES || head.flags)
		return -EINVAL;
	if (head.nr) {
		ents = memdup_user(argp + sizeof(head),
				   array_size(head.nr, sizeof(*ents)));
		if (IS_ERR(ents))
			return PTR_ERR(ents);
	}
	next = kzalloc(struct_size(next, routes, head.nr), GFP_KERNEL_ACCOUNT);
	r = -ENOMEM;
	if (!next)
		goto out;
	r = -EINVAL;
	for (i = 0; i < head.nr; i++) {
		struct kvmod_irq_route *rt = &next->routes[i];

		if (!route_valid(&ents[i]))
			goto out;
		rt->gsi = ents[i].gsi;
		rt->type = ents[i].type;
		if (rt->type == KVM_IRQ_ROUTING_MSI)
			rt->msi = ents[i].u.msi;
		else
			rt->irqchip = ents[i].u.irqchip;
	}
	next->nr = head.nr;
	sort(next->routes, next->nr, sizeof(next->routes[0]), cmp_gsi, NULL);
	/* One pin of one chip per GSI; an MSI route stands alone. */
	for (i = 1; i < next->nr; i++) {
		const struct kvmod_irq_route *a = &next->routes[i - 1];
		const struct kvmod_irq_route *b = &next->routes[i];

		if (a->gsi != b->gsi)
			continue;
		if (a->type != KVM_IRQ_ROUTING_IRQCHIP ||
		    b->type != KVM_IRQ_ROUTING_IRQCHIP ||
		    a->irqchip.irqchip == b->irqchip.irqchip)
			goto out;
	}
	mutex_lock(&vm->lock);
	publish(vm, next);
	mutex_unlock(&vm->lock);
	next = NULL;
	r = 0;
out:
	kfree(next);
	kfree(ents);
	return r;
}

/**
 * kvmod_irq_default_routing() - GSIs 0-15 to both the PIC and the
 *	I/O APIC, 16-23 to the I/O APIC, as KVM sets up at irqchip creation
 * @vm: the VM, with vm->lock held
 */
int kvmod_irq_default_routing(struct kvmod_vm *vm)
{
	struct kvmod_irq_routing *t;
	u32 gsi, n = 0;

	t = kzalloc(struct_size(t, routes, KVMOD_PIC_PINS + KVMOD_IOAPIC_PINS),
		    GFP_KERNEL_ACCOUNT);
	if (!t)
		return -ENOMEM;
	for (gsi = 0; gsi < KVMOD_IOAPIC_PINS; gsi++) {
		if (gsi < KVMOD_PIC_PINS)
			t->routes[n++] = (struct kvmod_irq_route) {
				.gsi = gsi,
				.type = KVM_IRQ_ROUTING_IRQCHIP,
				.irqchip.irqchip = gsi < 8 ? KVM_IRQCHIP_PIC_MASTER :
							     KVM_IRQCHIP_PIC_SLAVE,
				.irqchip.pin = gsi % 8,
			};
		t->routes[n++] = (struct kvmod_irq_route) {
			.gsi = gsi,
			.type = KVM_IRQ_ROUTING_IRQCHIP,
			.irqchip.irqchip = KVM_IRQCHIP_IOAPIC,
			.irqchip.pin = gsi,
		};
	}
	t->nr = n;
	publish(vm, t);
	return 0;
}

void kvmod_irq_routing_free(struct kvmod_vm *vm)
{
	kfree(rcu_dereference_protected(vm->arch.routing, true));
}

/* MSI address/data (Intel SDM format) as an APIC message. */
static int deliver_msi(struct kvmod_vm *vm, u32 addr_lo, u32 data)
{
	struct kvmod_apic_irq irq = {
		.dest_id = (addr_lo >> 12) & 0xff,
		.dest_logical = addr_lo & BIT(2),
		.vector = data & 0xff,
		.delivery_mode = (data >> 8) & 7,
		.level = data & BIT(15),
		.assert = true,
	};

	/* The redirection hint asks for lowest priority among the set. */
	if ((addr_lo & BIT(3)) && irq.delivery_mode == KVMOD_DM_FIXED)
		irq.delivery_mode = KVMOD_DM_LOWEST;
	return kvmod_apic_deliver(vm, &irq);
}

/**
 * kvmod_irq_signal_msi() - KVM_SIGNAL_MSI
 * @vm: the VM, with an irqchip
 * @msi: the message
 *
 * Return: as KVM: >0 delivered, 0 coalesced, -1 (as an int) not delivered,
 * or -EINVAL for flags.
 */
int kvmod_irq_signal_msi(struct kvmod_vm *vm, const struct kvm_msi *msi)
{
	if (msi->flags)
		return -EINVAL;
	return deliver_msi(vm, msi->address_lo, msi->data);
}

/**
 * kvmod_irq_set_line() - KVM_IRQ_LINE(_STATUS): drive @gsi to @level
 * @vm: the VM, with an irqchip
 * @gsi: the line
 * @level: high or low
 *
 * Return: the sum of what every route delivered, or -1 if none delivered
 * (masked or nowhere to go); 0 means coalesced.
 */
int kvmod_irq_set_line(struct kvmod_vm *vm, u32 gsi, bool level)
{
	struct kvmod_irq_routing *t;
	int total = -1, r;
	u32 i;

	rcu_read_lock();
	t = rcu_dereference(vm->arch.routing);
	for (i = 0; t && i < t->nr; i++) {
		const struct kvmod_irq_route *rt = &t->routes[i];

		if (rt->gsi != gsi)
			continue;
		if (rt->type == KVM_IRQ_ROUTING_MSI) {
			/* An MSI is an edge: only the rising level sends it. */
			r = level ? deliver_msi(vm, rt->msi.address_lo,
						rt->msi.data) : 0;
		} else if (rt->irqchip.irqchip == KVM_IRQCHIP_IOAPIC) {
			r = kvmod_ioapic_set_irq(vm, rt->irqchip.pin, level);
		} else {
			r = kvmod_pic_set_irq(vm, rt->irqchip.pin +
					      (rt->irqchip.irqchip ==
					       KVM_IRQCHIP_PIC_SLAVE ? 8 : 0),
					      level);
		}
		if (r >= 0)
			total = (total < 0 ? 0 : total) + r;
	}
	rcu_read_unlock();
	return total;
}
