// SPDX-License-Identifier: GPL-2.0
/*
 * Sorted memslot arrays: lookup, overlap test and copy-with-replacement.
 *
 * Pure code: no locking, no allocation, no kernel calls.  Slots in an
 * array are sorted by base_gfn and never overlap, so their end frames are
 * sorted too, which is what makes one binary search enough.
 */
#include <kvmod/memslot.h>

static u64 slot_end(const struct kvmod_memslot *slot)
{
	return slot->base_gfn + slot->npages;
}

/**
 * memslot_array_lower_bound() - index of the first slot ending after @gfn
 * @slots: sorted slot array
 * @count: entries in @slots
 * @gfn: guest frame number
 *
 * Return: the index of the first slot whose last frame is >= @gfn, or
 * @count if there is none.
 */
size_t memslot_array_lower_bound(struct kvmod_memslot *const *slots,
				 size_t count, u64 gfn)
{
	size_t lo = 0, hi = count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (slot_end(slots[mid]) <= gfn)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/**
 * memslot_array_find() - the slot covering @gfn
 * @slots: sorted slot array
 * @count: entries in @slots
 * @gfn: guest frame number
 *
 * Return: the slot, or NULL if no slot covers @gfn.
 */
struct kvmod_memslot *memslot_array_find(struct kvmod_memslot *const *slots,
					 size_t count, u64 gfn)
{
	size_t i = memslot_array_lower_bound(slots, count, gfn);

	if (i < count && slots[i]->base_gfn <= gfn)
		return slots[i];
	return NULL;
}

/**
 * memslot_find_cached() - memslot_array_find() on a snapshot, through a cache
 * @s: the current snapshot
 * @cache: the caller's cache; updated on a hit in @s
 * @gfn: guest frame number
 *
 * A cached slot is used only while its snapshot is the current one: slots
 * of an older snapshot may be freed already, and generations never repeat
 * within a VM, so the generation check comes before touching the slot.
 *
 * Return: the slot covering @gfn, or NULL.
 */
struct kvmod_memslot *memslot_find_cached(const struct kvmod_memslots *s,
					  struct kvmod_memslot_cache *cache,
					  u64 gfn)
{
	struct kvmod_memslot *slot = cache->slot;

	if (slot && cache->generation == s->generation &&
	    gfn - slot->base_gfn < slot->npages)
		return slot;
	slot = memslot_array_find(s->slots, s->count, gfn);
	if (slot) {
		cache->generation = s->generation;
		cache->slot = slot;
	}
	return slot;
}

/**
 * memslot_array_overlaps() - does [@base_gfn, +@npages) hit another slot?
 * @slots: sorted slot array
 * @count: entries in @slots
 * @base_gfn: first frame of the range
 * @npages: frames in the range; base_gfn + npages must not wrap
 * @ignore_id: a slot with this id is not counted (the slot being moved)
 */
bool memslot_array_overlaps(struct kvmod_memslot *const *slots, size_t count,
			    u64 base_gfn, u64 npages, u16 ignore_id)
{
	u64 end = base_gfn + npages;
	size_t i;

	for (i = memslot_array_lower_bound(slots, count, base_gfn);
	     i < count && slots[i]->base_gfn < end; i++) {
		if (slots[i]->id != ignore_id)
			return true;
	}
	return false;
}

/**
 * memslot_array_replace() - copy @src into @dst, swapping one slot
 * @dst: room for @count + 1 entries
 * @src: sorted slot array
 * @count: entries in @src
 * @remove: slot to leave out (NULL for none); must be in @src
 * @insert: slot to add at its sorted place (NULL for none); must not
 *	overlap any slot of @src other than @remove
 *
 * Return: the number of entries written to @dst.
 */
size_t memslot_array_replace(struct kvmod_memslot **dst,
			     struct kvmod_memslot *const *src, size_t count,
			     const struct kvmod_memslot *remove,
			     struct kvmod_memslot *insert)
{
	size_t i, n = 0;

	for (i = 0; i < count; i++) {
		if (src[i] == remove)
			continue;
		if (insert && insert->base_gfn < src[i]->base_gfn) {
			dst[n++] = insert;
			insert = NULL;
		}
		dst[n++] = src[i];
	}
	if (insert)
		dst[n++] = insert;
	return n;
}
