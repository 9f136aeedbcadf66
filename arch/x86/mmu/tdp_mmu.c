// SPDX-License-Identifier: GPL-2.0
/*
 * Two-dimensional paging: guest-physical to host-physical tables, four
 * levels of 512 entries, 4 KiB leaves, built one fault at a time.
 *
 * Host pages are found with get_user_pages and not kept pinned: the
 * mmu_notifier (tdp_notifier.c) zaps a mapping before the host frees or
 * moves the page behind it.  A fault samples invalidate_seq before looking
 * up the page and installs its mapping only if no invalidation started or
 * ran meanwhile, all under mmu->lock; so a mapping never outlives the page.
 *
 * Dirty logging: a logging slot's pages are mapped without the writable
 * bit unless their dirty bit is already set, so the first write after a
 * KVM_GET_DIRTY_LOG or KVM_CLEAR_DIRTY_LOG faults; that fault sets the bit
 * and maps the page writable, both under mmu->lock.  Write-protection
 * clears the writable bit, also under mmu->lock, after the bits were
 * taken: so a writable leaf always has its dirty bit set or is about to be
 * write-protected, and no write escapes the log.
 */
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>

#include <kvmod_x86.h>

#define TDP_LEVELS		4
#define TDP_ENTRIES		512
#define TDP_ADDR_MASK		GENMASK_ULL(51, 12)

static u64 *entry_table(u64 entry)
{
	return __va(entry & TDP_ADDR_MASK);
}

/* Frame numbers one entry at @level covers (level 1 = leaves). */
static u64 level_span(int level)
{
	return 1ULL << (9 * (level - 1));
}

static unsigned int level_index(u64 gfn, int level)
{
	return (gfn >> (9 * (level - 1))) & (TDP_ENTRIES - 1);
}

void kvmod_mmu_cache_free(struct kvmod_mmu_cache *cache)
{
	while (cache->nr)
		free_page((unsigned long)cache->pages[--cache->nr]);
}

static int mmu_cache_topup(struct kvmod_mmu_cache *cache)
{
	while (cache->nr < KVMOD_MMU_CACHE_PAGES) {
		void *page = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);

		if (!page)
			return -ENOMEM;
		cache->pages[cache->nr++] = page;
	}
	return 0;
}

/* The leaf entry for @gfn, creating missing tables from @cache. */
static u64 *walk_create(struct kvmod_tdp_mmu *mmu, u64 gfn,
			struct kvmod_mmu_cache *cache)
{
	u64 *table = mmu->root;
	int level;

	lockdep_assert_held(&mmu->lock);
	for (level = TDP_LEVELS; level > 1; level--) {
		u64 *entry = &table[level_index(gfn, level)];

		if (!(*entry & mmu->fmt->present)) {
			void *page = cache->pages[--cache->nr];

			WRITE_ONCE(*entry, __pa(page) | mmu->fmt->table);
		}
		table = entry_table(*entry);
	}
	return &table[level_index(gfn, 1)];
}

/* The leaf entry for @gfn, or NULL when no table reaches it. */
static u64 *walk_find(struct kvmod_tdp_mmu *mmu, u64 gfn)
{
	u64 *table = mmu->root;
	int level;

	lockdep_assert_held(&mmu->lock);
	for (level = TDP_LEVELS; level > 1; level--) {
		u64 entry = table[level_index(gfn, level)];

		if (!(entry & mmu->fmt->present))
			return NULL;
		table = entry_table(entry);
	}
	return &table[level_index(gfn, 1)];
}

/* Clear the writable bit of a leaf; true if it was set. */
static bool write_protect_leaf(struct kvmod_tdp_mmu *mmu, u64 *leaf)
{
	u64 w = mmu->fmt->writable;

	/* Atomic: the hardware may be setting the dirty bit meanwhile. */
	if (!(READ_ONCE(*leaf) & w))
		return false;
	return atomic64_fetch_andnot(w, (atomic64_t *)leaf) & w;
}

static void release_leaf(struct kvmod_tdp_mmu *mmu, u64 leaf)
{
	/* Writes through the guest mapping never reached the host PTE. */
	if (mmu->fmt->dirty && (leaf & mmu->fmt->dirty))
		SetPageDirty(pfn_to_page((leaf & TDP_ADDR_MASK) >> PAGE_SHIFT));
}

/* Clear one present leaf; the hardware may be setting its dirty bit. */
static bool zap_leaf(struct kvmod_tdp_mmu *mmu, u64 *leaf)
{
	release_leaf(mmu, xchg(leaf, 0));
	return true;
}

/* Changes one present leaf; true if it changed. */
typedef bool (*leaf_fn)(struct kvmod_tdp_mmu *mmu, u64 *leaf);

/*
 * Apply @fn to every present leaf for [start, end) below @table (a table
 * of @level covering frames from @table_gfn).  True if any call was.
 */
static bool walk_leaves(struct kvmod_tdp_mmu *mmu, u64 *table, int level,
			u64 table_gfn, u64 start, u64 end, leaf_fn fn)
{
	u64 span = level_span(level);
	bool any = false;
	unsigned int i;

	for (i = 0; i < TDP_ENTRIES; i++) {
		u64 gfn = table_gfn + i * span, entry = table[i];

		if (gfn + span <= start)
			continue;
		if (gfn >= end)
			break;
		if (!(entry & mmu->fmt->present))
			continue;
		if (level > 1)
			any |= walk_leaves(mmu, entry_table(entry), level - 1,
					   gfn, start, end, fn);
		else
			any |= fn(mmu, &table[i]);
	}
	return any;
}

/*
 * Remove the mappings of guest frames [start, end).  Returns true when the
 * caller must flush guest TLBs.  Caller holds mmu->lock.
 */
static bool zap_gfn_range_locked(struct kvmod_tdp_mmu *mmu, u64 start,
				 u64 end)
{
	return walk_leaves(mmu, mmu->root, TDP_LEVELS, 0, start, end,
			   zap_leaf);
}

/**
 * kvmod_tdp_unmap_begin() - unmap guest frames [start, end) for good
 * @vm: the VM
 * @start: first frame
 * @end: frame after the last
 *
 * For a memslot about to be deleted or moved: zaps the range and keeps
 * every fault from installing a mapping until kvmod_tdp_unmap_end(), so
 * that nothing maps the old slot after the new memslots are published.
 */
void kvmod_tdp_unmap_begin(struct kvmod_vm *vm, u64 start, u64 end)
{
	struct kvmod_tdp_mmu *mmu = &vm->arch.mmu;
	bool flush;

	spin_lock(&mmu->lock);
	mmu->invalidate_in_progress++;
	mmu->invalidate_seq++;
	flush = zap_gfn_range_locked(mmu, start, end);
	spin_unlock(&mmu->lock);
	if (flush)
		kvmod_flush_remote_tlbs(vm);
}

void kvmod_tdp_unmap_end(struct kvmod_vm *vm)
{
	struct kvmod_tdp_mmu *mmu = &vm->arch.mmu;

	spin_lock(&mmu->lock);
	mmu->invalidate_seq++;
	mmu->invalidate_in_progress--;
	spin_unlock(&mmu->lock);
}

/* Pages write-protected per mmu->lock hold, so that others get a turn. */
#define PROTECT_BATCH		4096

/**
 * kvmod_arch_dirty_log_protect() - write-protect pages of a logging slot
 * @vm: the VM
 * @slot: the memslot, published; vm->slots_lock held
 * @bits: bit i set for page @first + i to be protected; NULL for all
 * @first: first page, as an offset in @slot (a multiple of BITS_PER_LONG
 *	when @bits is given)
 * @npages: pages from @first
 *
 * Guest TLBs are flushed before this returns, so every later guest write
 * to those pages faults (and marks the page dirty).
 */
void kvmod_arch_dirty_log_protect(struct kvmod_vm *vm,
				  const struct kvmod_memslot *slot,
				  const unsigned long *bits, u64 first,
				  u64 npages)
{
	struct kvmod_tdp_mmu *mmu = &vm->arch.mmu;
	u64 base = slot->base_gfn + first, i, end;
	bool flush = false;
	unsigned int b;

	if (!mmu->root)
		return;
	for (i = 0; i < npages; i = end) {
		end = min(i + PROTECT_BATCH, npages);
		spin_lock(&mmu->lock);
		if (!bits) {
			flush |= walk_leaves(mmu, mmu->root, TDP_LEVELS, 0,
					     base + i, base + end,
					     write_protect_leaf);
		} else {
			for_each_set_bit(b, bits + i / BITS_PER_LONG, end - i) {
				u64 *leaf = walk_find(mmu, base + i + b);

				if (leaf)
					flush |= write_protect_leaf(mmu, leaf);
			}
		}
		spin_unlock(&mmu->lock);
		cond_resched();
	}
	if (flush)
		kvmod_flush_remote_tlbs(vm);
}

static int fault_in_host_page(u64 hva, bool write, struct page **page,
			      bool *writable)
{
	/* Map writable when the host allows it, so writes do not fault again. */
	if (get_user_pages_unlocked(hva, 1, page, FOLL_WRITE) == 1) {
		*writable = true;
		return 0;
	}
	if (write)
		return -EFAULT;
	if (get_user_pages_unlocked(hva, 1, page, 0) == 1) {
		*writable = false;
		return 0;
	}
	return -EFAULT;
}

/**
 * kvmod_tdp_page_fault() - map the guest frame behind a nested page fault
 * @vcpu: the faulting vCPU
 * @gpa: the guest-physical address
 * @write: the access was a write
 *
 * Return: 0 when mapped, KVMOD_FAULT_RETRY when an invalidation raced (the
 * guest will fault again), KVMOD_FAULT_MMIO when no memslot backs @gpa (or
 * a read-only one is written), -EFAULT when the host memory behind the
 * slot is gone or not writable, -ENOMEM.
 */
int kvmod_tdp_page_fault(struct kvmod_vcpu *vcpu, u64 gpa, bool write)
{
	struct kvmod_vm *vm = vcpu->vm;
	struct kvmod_tdp_mmu *mmu = &vm->arch.mmu;
	const struct kvmod_tdp_format *fmt = mmu->fmt;
	u64 gfn = gpa >> PAGE_SHIFT, hva, *leaf, new;
	struct kvmod_memslot *slot;
	unsigned long seq;
	struct page *page;
	bool writable;
	int idx, r;

	r = mmu_cache_topup(&vcpu->arch.mmu_cache);
	if (r)
		return r;

	idx = srcu_read_lock(&vm->srcu);
	slot = kvmod_vcpu_gfn_to_memslot(vcpu, gfn);
	if (!slot || (write && (slot->flags & KVM_MEM_READONLY))) {
		r = KVMOD_FAULT_MMIO;
		goto out;
	}
	hva = slot->userspace_addr + ((gfn - slot->base_gfn) << PAGE_SHIFT);

	seq = READ_ONCE(mmu->invalidate_seq);
	/* Sample before the lookup; an invalidation after it bumps the seq. */
	smp_rmb();
	r = fault_in_host_page(hva, write, &page, &writable);
	if (r)
		goto out;
	if (slot->flags & KVM_MEM_READONLY)
		writable = false;

	new = page_to_phys(page) | fmt->present | fmt->leaf;
	if (writable)
		new |= fmt->writable;

	spin_lock(&mmu->lock);
	if (mmu->invalidate_in_progress || mmu->invalidate_seq != seq) {
		r = KVMOD_FAULT_RETRY;
	} else {
		/*
		 * Logging: a read maps the page writable only if it is
		 * already dirty; a write marks it dirty (after the leaf is
		 * in, under the lock, so write protection cannot miss it).
		 */
		if (slot->dirty_bitmap && !write &&
		    !test_bit(gfn - slot->base_gfn, slot->dirty_bitmap))
			new &= ~fmt->writable;
		leaf = walk_create(mmu, gfn, &vcpu->arch.mmu_cache);
		if ((*leaf & TDP_ADDR_MASK) != (new & TDP_ADDR_MASK) &&
		    (*leaf & fmt->present)) {
			/* Cannot happen with working invalidation; stay safe. */
			WARN_ON_ONCE(1);
			zap_gfn_range_locked(mmu, gfn, gfn + 1);
			kvmod_flush_remote_tlbs(vm);
		}
		WRITE_ONCE(*leaf, new);
		if (write)
			kvmod_memslot_mark_dirty(slot, gfn);
	}
	spin_unlock(&mmu->lock);
	put_page(page);
out:
	srcu_read_unlock(&vm->srcu, idx);
	return r;
}

static void free_tables(u64 *table, int level, u64 present)
{
	unsigned int i;

	if (level > 1) {
		for (i = 0; i < TDP_ENTRIES; i++)
			if (table[i] & present)
				free_tables(entry_table(table[i]), level - 1,
					    present);
	}
	free_page((unsigned long)table);
}

u64 kvmod_tdp_root_pa(struct kvmod_vm *vm)
{
	return __pa(vm->arch.mmu.root);
}

/**
 * kvmod_tdp_mmu_init() - set up an empty MMU for a new VM
 * @vm: the VM, created by the current process
 * @fmt: the vendor's entry format
 */
int kvmod_tdp_mmu_init(struct kvmod_vm *vm, const struct kvmod_tdp_format *fmt)
{
	struct kvmod_tdp_mmu *mmu = &vm->arch.mmu;
	int r;

	spin_lock_init(&mmu->lock);
	mmu->fmt = fmt;
	mmu->vm = vm;
	mmu->root = (u64 *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!mmu->root)
		return -ENOMEM;
	r = kvmod_tdp_notifier_register(vm);
	if (r) {
		free_page((unsigned long)mmu->root);
		mmu->root = NULL;
	}
	return r;
}

/* The VM is dying: no vCPU runs and no fault is in progress. */
void kvmod_tdp_mmu_destroy(struct kvmod_vm *vm)
{
	struct kvmod_tdp_mmu *mmu = &vm->arch.mmu;

	if (!mmu->root)
		return;
	kvmod_tdp_notifier_unregister(vm);
	spin_lock(&mmu->lock);
	zap_gfn_range_locked(mmu, 0, ~0ULL);
	spin_unlock(&mmu->lock);
	free_tables(mmu->root, TDP_LEVELS, mmu->fmt->present);
	mmu->root = NULL;
}

/* For the notifier: zap under the lock the caller holds. */
bool kvmod_tdp_zap_locked(struct kvmod_vm *vm, u64 start, u64 end)
{
	return zap_gfn_range_locked(&vm->arch.mmu, start, end);
}
