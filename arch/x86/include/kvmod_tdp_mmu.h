/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The two-dimensional-paging MMU: guest-physical -> host-physical tables
 * (AMD NPT, Intel EPT) built on demand from memslots.
 */
#ifndef KVMOD_TDP_MMU_H
#define KVMOD_TDP_MMU_H

#include <linux/mmu_notifier.h>
#include <linux/spinlock.h>
#include <linux/types.h>

struct kvmod_vm;
struct kvmod_vcpu;

/* Page-table pages a single fault may need: one per non-root level. */
#define KVMOD_MMU_CACHE_PAGES	3

/**
 * struct kvmod_mmu_cache - pages set aside for one fault
 * @nr: pages in @pages.
 * @pages: zeroed pages, kernel virtual addresses.
 */
struct kvmod_mmu_cache {
	int nr;
	void *pages[KVMOD_MMU_CACHE_PAGES];
};

/**
 * struct kvmod_tdp_format - how a vendor encodes its table entries
 * @present: bits that make an entry present (readable).
 * @writable: bit that allows writes.
 * @dirty: bit the hardware sets on a write through a leaf (0: none).
 * @table: bits for an entry pointing to a lower-level table.
 * @leaf: bits for a 4 KiB leaf besides @present and @writable.
 */
struct kvmod_tdp_format {
	u64 present;
	u64 writable;
	u64 dirty;
	u64 table;
	u64 leaf;
};

/**
 * struct kvmod_tdp_mmu - per-VM two-dimensional paging state
 * @lock: protects the tables and the invalidation counters.
 * @root: the top-level (PML4) table, kernel virtual address.
 * @fmt: the vendor's entry format.
 * @invalidate_seq: bumped by every mmu_notifier invalidation; a fault that
 *	saw another value before looking up the host page must retry.
 * @invalidate_in_progress: invalidations started and not yet ended.
 * @notifier: tracks changes to the VM process's address space.
 * @vm: back pointer for the notifier callbacks.
 */
struct kvmod_tdp_mmu {
	spinlock_t lock;
	u64 *root;
	const struct kvmod_tdp_format *fmt;
	unsigned long invalidate_seq;
	long invalidate_in_progress;
	struct mmu_notifier notifier;
	struct kvmod_vm *vm;
};

/* Results of kvmod_tdp_page_fault() besides 0 and negative errnos. */
#define KVMOD_FAULT_RETRY	1	/* re-enter: the guest faults again */
#define KVMOD_FAULT_MMIO	2	/* no RAM there: emulate the access */

int kvmod_tdp_mmu_init(struct kvmod_vm *vm, const struct kvmod_tdp_format *fmt);
void kvmod_tdp_mmu_destroy(struct kvmod_vm *vm);
u64 kvmod_tdp_root_pa(struct kvmod_vm *vm);
int kvmod_tdp_page_fault(struct kvmod_vcpu *vcpu, u64 gpa, bool write);
void kvmod_mmu_cache_free(struct kvmod_mmu_cache *cache);
bool kvmod_tdp_zap_locked(struct kvmod_vm *vm, u64 start, u64 end);
int kvmod_tdp_notifier_register(struct kvmod_vm *vm);
void kvmod_tdp_notifier_unregister(struct kvmod_vm *vm);
void kvmod_tdp_unmap_begin(struct kvmod_vm *vm, u64 start, u64 end);
void kvmod_tdp_unmap_end(struct kvmod_vm *vm);

#endif /* KVMOD_TDP_MMU_H */
