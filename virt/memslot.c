// SPDX-License-Identifier: GPL-2.0
/*
 * KVM_SET_USER_MEMORY_REGION: validation and publication of memslots.
 *
 * Writers hold vm->slots_lock, build a new sorted snapshot, publish it with
 * rcu_assign_pointer() and wait for SRCU readers before freeing what the
 * old snapshot referenced.  Readers only need srcu_read_lock(&vm->srcu).
 */
#include <linux/bitmap.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <kvmod/kvmod_host.h>

/* Flags kvmod implements; anything else is refused (see check_extension). */
#define KVMOD_MEM_FLAGS_SUPPORTED	(KVM_MEM_READONLY | KVM_MEM_LOG_DIRTY_PAGES)

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

	for (i = 0; i < s->count; i++) {
		kvfree(s->slots[i]->dirty_bitmap);
		kfree(s->slots[i]);
	}
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

	/*
	 * Logging turned on for a slot whose pages stay mapped: no fault sees
	 * the old slot any more, so write-protecting now catches every later
	 * write.  A bitmap that starts all set needs none until it is cleared.
	 */
	if (old && !unmap && !old->dirty_bitmap && new->dirty_bitmap &&
	    !(vm->dirty_log_caps & KVM_DIRTY_LOG_INITIALLY_SET))
		kvmod_arch_dirty_log_protect(vm, new, NULL, 0, new->npages);

	if (old)
		vm->nr_memslot_pages -= old->npages;
	if (new)
		vm->nr_memslot_pages += new->npages;
	kvfree(cur);
	/* Nothing can set a bit in it now: readers of @old are gone. */
	if (old && (!new || new->dirty_bitmap != old->dirty_bitmap))
		kvfree(old->dirty_bitmap);
	kfree(old);
	return 0;
}

/* The dirty bitmap and its buffer: two bitmaps of @npages bits. */
static unsigned long *dirty_bitmap_alloc(u64 npages)
{
	return kvcalloc(2 * BITS_TO_LONGS(npages), sizeof(long),
			GFP_KERNEL_ACCOUNT);
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

	if (!(new->flags & KVM_MEM_LOG_DIRTY_PAGES)) {
		new->dirty_bitmap = NULL;
	} else if (old && old->dirty_bitmap) {
		/* Still logging (a move): what was dirty stays dirty. */
		new->dirty_bitmap = old->dirty_bitmap;
	} else {
		new->dirty_bitmap = dirty_bitmap_alloc(npages);
		if (!new->dirty_bitmap) {
			kfree(new);
			return -ENOMEM;
		}
		if (vm->dirty_log_caps & KVM_DIRTY_LOG_INITIALLY_SET)
			bitmap_set(new->dirty_bitmap, 0, npages);
	}

	r = memslots_commit(vm, old, new);
	if (r) {
		if (!old || new->dirty_bitmap != old->dirty_bitmap)
			kvfree(new->dirty_bitmap);
		kfree(new);
	}
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

/**
 * kvmod_memslot_mark_dirty() - record a write to a guest page
 * @slot: the memslot covering @gfn, or NULL
 * @gfn: the guest frame written
 *
 * For every write to guest RAM that does not go through a writable nested
 * mapping (the kernel writing on the guest's behalf), after the write.
 * The caller holds the SRCU read lock under which it found @slot, so the
 * bitmap cannot be freed meanwhile.
 */
void kvmod_memslot_mark_dirty(const struct kvmod_memslot *slot, u64 gfn)
{
	if (slot && slot->dirty_bitmap)
		set_bit(gfn - slot->base_gfn, slot->dirty_bitmap);
}

/**
 * kvmod_enable_dirty_log_caps() - KVM_ENABLE_CAP(KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2)
 * @vm: the VM
 * @caps: KVM_DIRTY_LOG_* flags; 0 turns manual protection off again
 *
 * Return: 0, or -EINVAL for a flag kvmod does not implement.
 */
int kvmod_enable_dirty_log_caps(struct kvmod_vm *vm, u64 caps)
{
	if (caps & ~(u64)KVMOD_DIRTY_LOG_CAPS)
		return -EINVAL;
	mutex_lock(&vm->slots_lock);
	vm->dirty_log_caps = caps;
	mutex_unlock(&vm->slots_lock);
	return 0;
}

/* The logging slot @slot names (id and address space), or an errno. */
static struct kvmod_memslot *dirty_log_slot(struct kvmod_vm *vm, u32 slot)
{
	struct kvmod_memslot *s;

	if ((u16)slot >= KVMOD_USER_MEM_SLOTS ||
	    (slot >> 16) >= KVMOD_ADDRESS_SPACES)
		return ERR_PTR(-EINVAL);
	s = xa_load(&vm->slots_by_id, (u16)slot);
	if (!s || !s->dirty_bitmap)
		return ERR_PTR(-ENOENT);
	return s;
}

/* The buffer behind @slot's dirty bitmap; used under slots_lock. */
static unsigned long *dirty_log_buffer(const struct kvmod_memslot *slot)
{
	return slot->dirty_bitmap + BITS_TO_LONGS(slot->npages);
}

/**
 * kvmod_get_dirty_log() - KVM_GET_DIRTY_LOG
 * @vm: the VM
 * @log: the request as userspace passed it
 *
 * Copies the slot's dirty bitmap out.  Unless manual protection is on, the
 * pages reported are also marked clean and write-protected, with guest
 * TLBs flushed, before the copy: a write racing with this call is either
 * in the page as userspace reads it afterwards or reported next time.
 *
 * Return: 0; -EINVAL for a slot id out of range, -ENOENT for a slot that
 * does not exist or does not log, -EFAULT.
 */
int kvmod_get_dirty_log(struct kvmod_vm *vm, const struct kvm_dirty_log *log)
{
	struct kvmod_memslot *slot;
	unsigned long *buf;
	bool any = false;
	size_t i, n;
	int r;

	mutex_lock(&vm->slots_lock);
	slot = dirty_log_slot(vm, log->slot);
	if (IS_ERR(slot)) {
		r = PTR_ERR(slot);
		goto out;
	}
	n = BITS_TO_LONGS(slot->npages);
	buf = dirty_log_buffer(slot);
	for (i = 0; i < n; i++) {
		unsigned long *word = &slot->dirty_bitmap[i];

		if (vm->dirty_log_caps & KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE)
			buf[i] = READ_ONCE(*word);
		else
			buf[i] = READ_ONCE(*word) ? xchg(word, 0) : 0;
		any |= buf[i] != 0;
	}
	if (any && !(vm->dirty_log_caps & KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE))
		kvmod_arch_dirty_log_protect(vm, slot, buf, 0, slot->npages);
	r = copy_to_user(log->dirty_bitmap, buf, n * sizeof(long)) ?
	    -EFAULT : 0;
out:
	mutex_unlock(&vm->slots_lock);
	return r;
}

/**
 * kvmod_clear_dirty_log() - KVM_CLEAR_DIRTY_LOG
 * @vm: the VM
 * @log: the request as userspace passed it
 *
 * Marks clean the pages whose bit is set in the user's bitmap and
 * write-protects those that were dirty, flushing guest TLBs, so that
 * their next write is seen.
 *
 * Return: 0; -EINVAL for a slot id out of range, a @first_page that is not
 * a multiple of 64, a range outside the slot or a @num_pages that is not
 * a multiple of 64 and does not reach the slot's end; -ENOENT for a slot
 * that does not exist or does not log; -EFAULT.
 */
int kvmod_clear_dirty_log(struct kvmod_vm *vm,
			  const struct kvm_clear_dirty_log *log)
{
	struct kvmod_memslot *slot;
	unsigned long *buf, *bitmap;
	bool any = false;
	size_t i, n;
	int r = 0;

	if (log->first_page % 64)
		return -EINVAL;

	mutex_lock(&vm->slots_lock);
	slot = dirty_log_slot(vm, log->slot);
	if (IS_ERR(slot)) {
		r = PTR_ERR(slot);
		goto out;
	}
	if (log->first_page > slot->npages ||
	    log->num_pages > slot->npages - log->first_page ||
	    (log->num_pages % 64 &&
	     log->num_pages != slot->npages - log->first_page)) {
		r = -EINVAL;
		goto out;
	}
	if (!log->num_pages)
		goto out;

	n = BITS_TO_LONGS(log->num_pages);
	buf = dirty_log_buffer(slot);
	if (copy_from_user(buf, log->dirty_bitmap, n * sizeof(long))) {
		r = -EFAULT;
		goto out;
	}
	buf[n - 1] &= BITMAP_LAST_WORD_MASK(log->num_pages);

	bitmap = slot->dirty_bitmap + log->first_page / BITS_PER_LONG;
	for (i = 0; i < n; i++) {
		if (!buf[i])
			continue;
		/* Only the pages that were dirty can be mapped writable. */
		buf[i] &= atomic_long_fetch_andnot(buf[i],
						   (atomic_long_t *)&bitmap[i]);
		any |= buf[i] != 0;
	}
	if (any)
		kvmod_arch_dirty_log_protect(vm, slot, buf, log->first_page,
					     log->num_pages);
out:
	mutex_unlock(&vm->slots_lock);
	return r;
}
