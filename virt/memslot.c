// SPDX-License-Identifier: GPL-2.0
/*
 * KVM_SET_USER_MEMORY_REGION: validation and publication of memslots.
 *
 * Writers hold vm->slots_lock, build a new sorted snapshot, publish it with
 * rcu_assign_pointer() and wait for SRCU readers before freeing what the
 * old snapshot referenced.  Readers only need srcu_read_lock(&vm->srcu).
 */
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <kvmod/kvmod_host.h>

/* Flags kvmod implements; anything else is refused (see check_extension). */
#define KVMOD_MEM_FLAGS_SUPPORTED	KVM_MEM_READONLY

/* KVM's bound on one slot's size, kept for ABI compatibility. */
#define KVMOD_MEM_MAX_NR_PAGES		((1ULL << 31) - 1)

static struct kvmod_memslots *memslots_alloc(size_t count)
{
	struct kvmod_memslots *s;

	s = kvzalloc(struct_size(s, slots, count), GFP_KERNEL_ACCOUNT);
	return s;
}

int kvmod_memslots_init(struct kvmod_vm *vm)
{
	struct kvmod_memslots *empty = memslots_alloc(0);

	if (!empty)
		return -ENOMEM;
	mutex_init(&vm->slots_lock);
	xa_init(&vm->slots_by_id);
	RCU_INIT_POINTER(vm->memslots, empty);
	return 0;
}

/* Called when the VM has no users left: nothing can read the slots. */
void kvmod_memslots_destroy(struct kvmod_vm *vm)
{
	struct kvmod_memslots *s = rcu_dereference_protected(vm->memslots, 1);
	size_t i;

	for (i = 0; i < s->count; i++)
		kfree(s->slots[i]);
	kvfree(s);
	xa_destroy(&vm->slots_by_id);
}

static struct kvmod_memslots *current_slots(struct kvmod_vm *vm)
{
	return rcu_dereference_protected(vm->memslots,
					 lockdep_is_held(&vm->slots_lock));
}

/**
 * kvmod_gfn_to_memslot() - the memslot covering a guest frame
 * @vm: the VM
 * @gfn: guest frame number
 *
 * The caller holds srcu_read_lock(&vm->srcu) for as long as it uses the
 * returned slot.
 */
struct kvmod_memslot *kvmod_gfn_to_memslot(struct kvmod_vm *vm, u64 gfn)
{
	struct kvmod_memslots *s = srcu_dereference(vm->memslots, &vm->srcu);

	return memslot_array_find(s->slots, s->count, gfn);
}

/**
 * kvmod_vcpu_gfn_to_memslot() - kvmod_gfn_to_memslot() for a vCPU's own
 *	accesses, through its one-entry cache
 * @vcpu: the vCPU, with its mutex held (the cache is not shared)
 * @gfn: guest frame number
 *
 * The caller holds srcu_read_lock(&vcpu->vm->srcu), as for
 * kvmod_gfn_to_memslot().
 */
struct kvmod_memslot *kvmod_vcpu_gfn_to_memslot(struct kvmod_vcpu *vcpu,
						u64 gfn)
{
	struct kvmod_vm *vm = vcpu->vm;

	return memslot_find_cached(srcu_dereference(vm->memslots, &vm->srcu),
				   &vcpu->slot_cache, gfn);
}

/*
 * Swap @old for @new (either may be NULL) in the published snapshot and
 * free @old once no reader can see it.
 */
static int memslots_commit(struct kvmod_vm *vm, struct kvmod_memslot *old,
			   struct kvmod_memslot *new)
{
	struct kvmod_memslots *cur = current_slots(vm), *next;
	void *xa_ret;
	bool unmap;

	next = memslots_alloc(cur->count + 1);
	if (!next)
		return -ENOMEM;

	if (new) {
		xa_ret = xa_store(&vm->slots_by_id, new->id, new,
				  GFP_KERNEL_ACCOUNT);
		if (xa_is_err(xa_ret)) {
			kvfree(next);
			return xa_err(xa_ret);
		}
	} else {
		xa_erase(&vm->slots_by_id, old->id);
	}

	next->count = memslot_array_replace(next->slots, cur->slots,
					    cur->count, old, new);
	next->generation = cur->generation + 1;

	unmap = old && (!new || new->base_gfn != old->base_gfn);
	if (unmap)
		kvmod_arch_memslot_unmap_begin(vm, old);
	rcu_assign_pointer(vm->memslots, next);
	synchronize_srcu_expedited(&vm->srcu);
	if (unmap)
		kvmod_arch_memslot_unmap_end(vm);

	if (old)
		vm->nr_memslot_pages -= old->npages;
	if (new)
		vm->nr_memslot_pages += new->npages;
	kvfree(cur);
	kfree(old);
	return 0;
}

static int check_region(const struct kvm_userspace_memory_region *mem)
{
	u16 id = (u16)mem->slot;

	if (mem->flags & ~KVMOD_MEM_FLAGS_SUPPORTED)
		return -EINVAL;
	if (id >= KVMOD_USER_MEM_SLOTS ||
	    (mem->slot >> 16) >= KVMOD_ADDRESS_SPACES)
		return -EINVAL;
	if (!PAGE_ALIGNED(mem->memory_size) ||
	    !PAGE_ALIGNED(mem->guest_phys_addr) ||
	    !PAGE_ALIGNED(mem->userspace_addr))
		return -EINVAL;
	if (!access_ok((void __user *)(unsigned long)mem->userspace_addr,
		       mem->memory_size))
		return -EINVAL;
	if (mem->guest_phys_addr + mem->memory_size < mem->guest_phys_addr)
		return -EINVAL;
	if ((mem->memory_size >> PAGE_SHIFT) > KVMOD_MEM_MAX_NR_PAGES)
		return -EINVAL;
	return 0;
}

static int set_region_locked(struct kvmod_vm *vm,
			     const struct kvm_userspace_memory_region *mem)
{
	u64 base_gfn = mem->guest_phys_addr >> PAGE_SHIFT;
	u64 npages = mem->memory_size >> PAGE_SHIFT;
	struct kvmod_memslots *cur = current_slots(vm);
	struct kvmod_memslot *old, *new;
	u16 id = (u16)mem->slot;
	int r;

	old = xa_load(&vm->slots_by_id, id);

	if (!npages) {
		if (!old)
			return -EINVAL;
		return memslots_commit(vm, old, NULL);
	}

	if (old) {
		/* Only the base address and the flags of a slot can change. */
		if (mem->userspace_addr != old->userspace_addr ||
		    npages != old->npages ||
		    ((mem->flags ^ old->flags) & KVM_MEM_READONLY))
			return -EINVAL;
		if (base_gfn == old->base_gfn && mem->flags == old->flags)
			return 0;
	} else if (vm->nr_memslot_pages + npages < vm->nr_memslot_pages) {
		return -EINVAL;
	}

	/* New placement: overlap is checked before the width, as KVM does. */
	if (!old || base_gfn != old->base_gfn) {
		if (memslot_array_overlaps(cur->slots, cur->count, base_gfn,
					   npages, id))
			return -EEXIST;
		if (base_gfn + npages - 1 > kvmod_arch_max_gfn())
			return -EINVAL;
	}

	new = kzalloc(sizeof(*new), GFP_KERNEL_ACCOUNT);
	if (!new)
		return -ENOMEM;
	new->base_gfn = base_gfn;
	new->npages = npages;
	new->userspace_addr = mem->userspace_addr;
	new->flags = mem->flags;
	new->id = id;
	new->as_id = mem->slot >> 16;

	r = memslots_commit(vm, old, new);
	if (r)
		kfree(new);
	return r;
}

/**
 * kvmod_set_memory_region() - create, move, change or delete a memslot
 * @vm: the VM
 * @mem: the request as userspace passed it
 *
 * Validation follows KVM's so that VMMs see the same errno for the same
 * request.
 */
int kvmod_set_memory_region(struct kvmod_vm *vm,
			    const struct kvm_userspace_memory_region *mem)
{
	int r = check_region(mem);

	if (r)
		return r;

	mutex_lock(&vm->slots_lock);
	r = set_region_locked(vm, mem);
	mutex_unlock(&vm->slots_lock);
	return r;
}
