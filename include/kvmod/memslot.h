/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Memslots: guest-physical ranges backed by userspace memory.
 *
 * The lookup structure is an immutable snapshot: an array of slot
 * pointers sorted by guest frame number.  Updates build a new snapshot and
 * publish it under SRCU, so readers (vCPU faults) never take a lock.  The
 * array helpers (virt/memslot_array.c) are pure code with no kernel
 * dependency so that unit tests can run them anywhere.
 */
#ifndef KVMOD_MEMSLOT_H
#define KVMOD_MEMSLOT_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
typedef uint64_t u64;
typedef uint32_t u32;
typedef uint16_t u16;
#endif

/**
 * struct kvmod_memslot - one memory slot; never changed once published
 * @base_gfn: first guest frame number covered.
 * @npages: number of 4 KiB pages covered (non-zero).
 * @userspace_addr: host virtual address of the first page.
 * @flags: KVM_MEM_* flags.
 * @dirty_bitmap: with KVM_MEM_LOG_DIRTY_PAGES, one bit per page set when
 *	the page is written (atomic bit operations, any context holding the
 *	SRCU read lock); then a second bitmap of the same size follows, a
 *	buffer for KVM_GET_DIRTY_LOG and KVM_CLEAR_DIRTY_LOG under
 *	slots_lock.  NULL without logging.  The only field that changes
 *	after publication is the bits; a flags-only or move update hands the
 *	bitmap on to the new slot object.
 * @id: slot id within its address space.
 * @as_id: address space id.
 */
struct kvmod_memslot {
	u64 base_gfn;
	u64 npages;
	u64 userspace_addr;
	u32 flags;
	unsigned long *dirty_bitmap;
	u16 id;
	u16 as_id;
};

/**
 * struct kvmod_memslots - a published, read-only memslot snapshot
 * @generation: bumped on every update; lets caches notice changes.
 * @count: number of slots in @slots.
 * @slots: slot pointers sorted by @base_gfn; slots never overlap.
 */
struct kvmod_memslots {
	u64 generation;
	size_t count;
	struct kvmod_memslot *slots[];
};

/**
 * struct kvmod_memslot_cache - the slot a lookup found last (one per vCPU)
 * @generation: generation of the snapshot @slot was found in.
 * @slot: the slot, or NULL; only valid while that snapshot is current.
 *
 * Guest accesses cluster (page-table walks, the same MMIO register), so a
 * one-entry cache answers most lookups without the binary search.
 */
struct kvmod_memslot_cache {
	u64 generation;
	struct kvmod_memslot *slot;
};

size_t memslot_array_lower_bound(struct kvmod_memslot *const *slots,
				 size_t count, u64 gfn);
struct kvmod_memslot *memslot_array_find(struct kvmod_memslot *const *slots,
					 size_t count, u64 gfn);
struct kvmod_memslot *memslot_find_cached(const struct kvmod_memslots *s,
					  struct kvmod_memslot_cache *cache,
					  u64 gfn);
bool memslot_array_overlaps(struct kvmod_memslot *const *slots, size_t count,
			    u64 base_gfn, u64 npages, u16 ignore_id);
size_t memslot_array_replace(struct kvmod_memslot **dst,
			     struct kvmod_memslot *const *src, size_t count,
			     const struct kvmod_memslot *remove,
			     struct kvmod_memslot *insert);

#endif /* KVMOD_MEMSLOT_H */
