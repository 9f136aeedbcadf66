// SPDX-License-Identifier: GPL-2.0
/*
 * Keeping guest mappings in step with the host address space.
 *
 * Whenever the kernel is about to unmap, move or write-protect part of the
 * VM process's memory (munmap, madvise, mremap, copy-on-write, reclaim,
 * migration, exit), it calls invalidate_range_start() first.  We drop the
 * guest mappings of every memslot page in the range and flush guest TLBs
 * before returning, and keep faults from installing new mappings until
 * invalidate_range_end().
 */
#include <linux/mmu_notifier.h>

#include <kvmod_x86.h>

static struct kvmod_vm *notifier_vm(struct mmu_notifier *mn)
{
	return container_of(mn, struct kvmod_tdp_mmu, notifier)->vm;
}

/* Zap every memslot page whose host address lies in [start, end). */
static bool zap_hva_range(struct kvmod_vm *vm, unsigned long start,
			  unsigned long end)
{
	struct kvmod_memslots *slots;
	bool flush = false;
	size_t i;
	int idx;

	idx = srcu_read_lock(&vm->srcu);
	slots = srcu_dereference(vm->memslots, &vm->srcu);
	for (i = 0; i < slots->count; i++) {
		struct kvmod_memslot *s = slots->slots[i];
		unsigned long s_start = s->userspace_addr;
		unsigned long s_end = s_start + (s->npages << PAGE_SHIFT);
		unsigned long lo = max(start, s_start), hi = min(end, s_end);

		if (lo >= hi)
			continue;
		flush |= kvmod_tdp_zap_locked(vm,
			s->base_gfn + ((lo - s_start) >> PAGE_SHIFT),
			s->base_gfn + ((hi - s_start + PAGE_SIZE - 1) >> PAGE_SHIFT));
	}
	srcu_read_unlock(&vm->srcu, idx);
	return flush;
}

static int tdp_invalidate_range_start(struct mmu_notifier *mn,
				      const struct mmu_notifier_range *range)
{
	struct kvmod_vm *vm = notifier_vm(mn);
	struct kvmod_tdp_mmu *mmu = &vm->arch.mmu;
	bool flush;

	spin_lock(&mmu->lock);
	mmu->invalidate_in_progress++;
	mmu->invalidate_seq++;
	flush = zap_hva_range(vm, range->start, range->end);
	spin_unlock(&mmu->lock);

	/* Nothing sleeps here: IPIs are waited for by spinning. */
	if (flush)
		kvmod_flush_remote_tlbs(vm);
	return 0;
}

static void tdp_invalidate_range_end(struct mmu_notifier *mn,
				     const struct mmu_notifier_range *range)
{
	struct kvmod_tdp_mmu *mmu = &notifier_vm(mn)->arch.mmu;

	spin_lock(&mmu->lock);
	mmu->invalidate_seq++;
	mmu->invalidate_in_progress--;
	spin_unlock(&mmu->lock);
}

/* The process is exiting: its memory is about to go. */
static void tdp_release(struct mmu_notifier *mn, struct mm_struct *mm)
{
	struct kvmod_vm *vm = notifier_vm(mn);
	struct kvmod_tdp_mmu *mmu = &vm->arch.mmu;
	bool flush;

	spin_lock(&mmu->lock);
	mmu->invalidate_seq++;
	flush = kvmod_tdp_zap_locked(vm, 0, ~0ULL);
	spin_unlock(&mmu->lock);
	if (flush)
		kvmod_flush_remote_tlbs(vm);
}

static const struct mmu_notifier_ops tdp_notifier_ops = {
	.invalidate_range_start	= tdp_invalidate_range_start,
	.invalidate_range_end	= tdp_invalidate_range_end,
	.release		= tdp_release,
};

int kvmod_tdp_notifier_register(struct kvmod_vm *vm)
{
	vm->arch.mmu.notifier.ops = &tdp_notifier_ops;
	return mmu_notifier_register(&vm->arch.mmu.notifier, vm->mm);
}

void kvmod_tdp_notifier_unregister(struct kvmod_vm *vm)
{
	mmu_notifier_unregister(&vm->arch.mmu.notifier, vm->mm);
}
