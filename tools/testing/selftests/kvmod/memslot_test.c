// SPDX-License-Identifier: GPL-2.0
/*
 * KVM_SET_USER_MEMORY_REGION: validation of every field, overlap rules,
 * and the create / modify / move / delete transitions of a slot.
 */
#include <sys/ioctl.h>

#include "test_harness.h"
#include "kvm_util.h"

#define PG		PAGE_SIZE_4K
#define BASE_GPA	0x100000ULL
#define HOST_PAGES	64
#define FLAG_UNKNOWN_LOW	(1U << 2)
#define FLAG_UNKNOWN_HIGH	(1U << 31)

struct ctx {
	int kvm;
	int vm;
	uint64_t mem;	/* HOST_PAGES of anonymous memory */
};

static void setup(struct ctx *c)
{
	c->kvm = kvm_open();
	c->vm = vm_create(c->kvm);
	c->mem = (uint64_t)(uintptr_t)host_mem_alloc(HOST_PAGES * PG);
}

static int set(struct ctx *c, uint32_t slot, uint64_t gpa, uint64_t pages)
{
	return memslot_set(c->vm, slot, 0, gpa, pages * PG, c->mem);
}

TEST(create_delete)
{
	struct ctx c;

	setup(&c);
	ASSERT_OK(set(&c, 0, BASE_GPA, 2));
	/* A zero size deletes the slot; a second delete finds nothing. */
	ASSERT_OK(set(&c, 0, BASE_GPA, 0));
	ASSERT_ERRNO(set(&c, 0, BASE_GPA, 0), EINVAL);
	/* Deleting a slot that never existed. */
	ASSERT_ERRNO(set(&c, 5, BASE_GPA, 0), EINVAL);
	ASSERT_ERRNO(set(&c, 5, 0, 0), EINVAL);
}

TEST(delete_checks)
{
	struct ctx c;

	setup(&c);
	ASSERT_OK(set(&c, 0, BASE_GPA, 2));
	/* A delete is validated like any other request first... */
	ASSERT_ERRNO(memslot_set(c.vm, 0, 0, BASE_GPA + 0x800, 0, c.mem),
		     EINVAL);
	ASSERT_ERRNO(memslot_set(c.vm, 0, 0, BASE_GPA, 0, c.mem + 8),
		     EINVAL);
	ASSERT_ERRNO(memslot_set(c.vm, 0, FLAG_UNKNOWN_LOW, BASE_GPA, 0,
				 c.mem), EINVAL);
	ASSERT_ERRNO(set(&c, 1, BASE_GPA, 1), EEXIST);
	/* ...but then only the slot id matters, not GPA or address. */
	ASSERT_OK(memslot_set(c.vm, 0, 0, BASE_GPA + 0x10000000, 0,
			      c.mem + PG));
	ASSERT_OK(set(&c, 1, BASE_GPA, 1));
}

TEST(misaligned)
{
	struct ctx c;

	setup(&c);
	ASSERT_ERRNO(memslot_set(c.vm, 0, 0, BASE_GPA + 0x800, PG, c.mem),
		     EINVAL);
	ASSERT_ERRNO(memslot_set(c.vm, 0, 0, BASE_GPA + 1, PG, c.mem),
		     EINVAL);
	ASSERT_ERRNO(memslot_set(c.vm, 0, 0, BASE_GPA, PG + 0x800, c.mem),
		     EINVAL);
	ASSERT_ERRNO(memslot_set(c.vm, 0, 0, BASE_GPA, 0x800, c.mem),
		     EINVAL);
	ASSERT_ERRNO(memslot_set(c.vm, 0, 0, BASE_GPA, PG, c.mem + 0x800),
		     EINVAL);
	ASSERT_ERRNO(memslot_set(c.vm, 0, 0, BASE_GPA, PG, c.mem + 8),
		     EINVAL);
	/* Nothing was created by the refused calls. */
	ASSERT_ERRNO(set(&c, 0, BASE_GPA, 0), EINVAL);
	ASSERT_OK(set(&c, 0, BASE_GPA, 1));
}

TEST(gpa_plus_size_overflows)
{
	struct ctx c;

	setup(&c);
	ASSERT_ERRNO(memslot_set(c.vm, 0, 0, 0xfffffffffffff000ULL, 2 * PG,
				 c.mem), EINVAL);
	ASSERT_ERRNO(memslot_set(c.vm, 0, 0, 0xffffffffffff0000ULL,
				 0x20000, c.mem), EINVAL);
}

TEST(too_many_pages)
{
	struct ctx c;
	/* 2^31 pages (8 TiB), in a user range that could hold it. */
	uint64_t size = (1ULL << 31) * PG;
	uint64_t uaddr = 1ULL << 44;

	setup(&c);
	ASSERT_ERRNO(memslot_set(c.vm, 0, 0, 0, size, uaddr), EINVAL);
}

TEST(gpa_beyond_maxphyaddr)
{
	unsigned int bits = memslot_gpa_bits();
	uint64_t limit = 1ULL << bits;
	struct ctx c;

	setup(&c);
	TH_LOG("host MAXPHYADDR %u, TDP %d: GPA limit %u bits",
	       host_phys_bits(), kvm_uses_tdp(), bits);
	/* Nothing may reach past the limit... */
	ASSERT_ERRNO(set(&c, 1, limit, 1), EINVAL);
	ASSERT_ERRNO(set(&c, 2, limit - PG, 2), EINVAL);
	ASSERT_ERRNO(set(&c, 2, limit - 4 * PG, 8), EINVAL);
	if (bits < 52)
		ASSERT_ERRNO(set(&c, 3, 1ULL << 52, 1), EINVAL);
	ASSERT_ERRNO(set(&c, 3, 1ULL << 63, 1), EINVAL);
	/* ...but the last page below it is addressable. */
	ASSERT_OK(set(&c, 0, limit - PG, 1));
	/* Moving a slot past the limit is refused the same way. */
	ASSERT_ERRNO(set(&c, 0, limit, 1), EINVAL);
	ASSERT_OK(set(&c, 0, limit - PG, 1));
}

TEST(kernel_uaddr)
{
	static const uint64_t bad[] = {
		0xffff800000000000ULL,	/* kernel half, 4- and 5-level */
		0xffffffff80000000ULL,	/* kernel text */
		0x8000000000000000ULL,	/* lowest address with bit 63 */
		0xfffffffffffff000ULL,	/* last page of the address space */
	};
	struct ctx c;
	unsigned int i;

	setup(&c);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		TH_LOG("uaddr 0x%llx", (unsigned long long)bad[i]);
		ASSERT_ERRNO(memslot_set(c.vm, 0, 0, BASE_GPA, PG, bad[i]),
			     EINVAL);
	}
	/* A user range running into the kernel half. */
	ASSERT_ERRNO(memslot_set(c.vm, 0, 0, BASE_GPA, 0x1000000000000000ULL,
				 0x7000000000000000ULL), EINVAL);
}

TEST(slot_id_limits)
{
	struct ctx c;
	long nr;

	setup(&c);
	nr = kvm_check_cap(c.vm, KVM_CAP_NR_MEMSLOTS);
	TH_LOG("KVM_CAP_NR_MEMSLOTS %ld", nr);
	ASSERT_GT(nr, 0);
	ASSERT_LE(nr, 0x10000);

	ASSERT_OK(set(&c, nr - 1, BASE_GPA, 1));
	ASSERT_ERRNO(set(&c, nr, BASE_GPA + 0x10000, 1), EINVAL);
	ASSERT_ERRNO(set(&c, 0xffff, BASE_GPA + 0x10000, 1), EINVAL);
	/* Deleting an out-of-range id is refused the same way. */
	ASSERT_ERRNO(set(&c, nr, BASE_GPA, 0), EINVAL);
	ASSERT_OK(set(&c, nr - 1, BASE_GPA, 0));
}

TEST(address_space_ids)
{
	struct ctx c;
	int nr_as;

	setup(&c);
	nr_as = nr_address_spaces(c.vm);
	TH_LOG("%d address space(s)", nr_as);

	ASSERT_ERRNO(set(&c, (uint32_t)nr_as << 16, BASE_GPA, 1), EINVAL);
	ASSERT_ERRNO(set(&c, 0xffffU << 16, BASE_GPA, 1), EINVAL);
	ASSERT_OK(set(&c, 0, BASE_GPA, 4));
	if (nr_as < 2)
		return;

	/* Address spaces are separate: the same GPA range is free there. */
	ASSERT_OK(set(&c, (1U << 16) | 0, BASE_GPA, 4));
	ASSERT_OK(set(&c, (1U << 16) | 1, BASE_GPA + 4 * PG, 4));
	/* Overlap is still detected within that space. */
	ASSERT_ERRNO(set(&c, (1U << 16) | 2, BASE_GPA + PG, 1), EEXIST);
	/* And deletes are per space: slot 0 of space 0 is untouched. */
	ASSERT_OK(set(&c, (1U << 16) | 0, BASE_GPA, 0));
	ASSERT_ERRNO(set(&c, 2, BASE_GPA + PG, 1), EEXIST);
	ASSERT_OK(set(&c, 0, BASE_GPA, 0));
}

TEST(flags)
{
	struct ctx c;
	long ro;

	setup(&c);
	ASSERT_ERRNO(memslot_set(c.vm, 0, FLAG_UNKNOWN_LOW, BASE_GPA, PG,
				 c.mem), EINVAL);
	ASSERT_ERRNO(memslot_set(c.vm, 0, FLAG_UNKNOWN_HIGH, BASE_GPA, PG,
				 c.mem), EINVAL);
	ASSERT_ERRNO(memslot_set(c.vm, 0, KVM_MEM_READONLY | FLAG_UNKNOWN_LOW,
				 BASE_GPA, PG, c.mem), EINVAL);

	ro = kvm_check_cap(c.vm, KVM_CAP_READONLY_MEM);
	TH_LOG("KVM_CAP_READONLY_MEM %ld", ro);
	if (!ro) {
		ASSERT_ERRNO(memslot_set(c.vm, 0, KVM_MEM_READONLY, BASE_GPA,
					 PG, c.mem), EINVAL);
		return;
	}
	ASSERT_OK(memslot_set(c.vm, 0, KVM_MEM_READONLY, BASE_GPA, PG,
			      c.mem));
	ASSERT_OK(memslot_set(c.vm, 0, KVM_MEM_READONLY, BASE_GPA, PG,
			      c.mem));
	/* Read-only is fixed for the life of the slot. */
	ASSERT_ERRNO(memslot_set(c.vm, 0, 0, BASE_GPA, PG, c.mem), EINVAL);
	ASSERT_OK(memslot_set(c.vm, 1, 0, BASE_GPA + PG, PG, c.mem));
	ASSERT_ERRNO(memslot_set(c.vm, 1, KVM_MEM_READONLY, BASE_GPA + PG,
				 PG, c.mem), EINVAL);
	/* Moving keeps the flag as long as it is passed again. */
	ASSERT_OK(memslot_set(c.vm, 0, KVM_MEM_READONLY, BASE_GPA + 8 * PG,
			      PG, c.mem));
}

TEST(overlap_eexist)
{
	static const struct { int64_t start, pages; } bad[] = {
		{ -2, 4 },	/* straddles the start */
		{ 14, 4 },	/* straddles the end */
		{ 4, 2 },	/* inside */
		{ -4, 24 },	/* contains */
		{ 0, 16 },	/* identical range */
		{ 15, 1 },	/* last page */
		{ 0, 1 },	/* first page */
	};
	struct ctx c;
	unsigned int i;

	setup(&c);
	ASSERT_OK(set(&c, 0, BASE_GPA, 16));
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		TH_LOG("pages [%lld, %lld)", (long long)bad[i].start,
		       (long long)(bad[i].start + bad[i].pages));
		ASSERT_ERRNO(set(&c, 1, BASE_GPA + bad[i].start * (int64_t)PG,
				 bad[i].pages), EEXIST);
	}
	/* Adjacent on either side is not an overlap. */
	ASSERT_OK(set(&c, 1, BASE_GPA - 4 * PG, 4));
	ASSERT_OK(set(&c, 2, BASE_GPA + 16 * PG, 4));
	/* After a delete the range is free again. */
	ASSERT_OK(set(&c, 0, BASE_GPA, 0));
	ASSERT_OK(set(&c, 3, BASE_GPA + 4 * PG, 2));
}

TEST(identical_reset_ok)
{
	struct ctx c;

	setup(&c);
	ASSERT_OK(set(&c, 0, BASE_GPA, 8));
	/* Re-setting a slot unchanged must not collide with itself. */
	ASSERT_OK(set(&c, 0, BASE_GPA, 8));
	ASSERT_OK(set(&c, 0, BASE_GPA, 8));
	/* The slot is still there and still owns its range. */
	ASSERT_ERRNO(set(&c, 1, BASE_GPA, 1), EEXIST);
}

TEST(modify_size_or_uaddr_einval)
{
	struct ctx c;

	setup(&c);
	ASSERT_OK(set(&c, 0, BASE_GPA, 8));
	ASSERT_ERRNO(set(&c, 0, BASE_GPA, 4), EINVAL);
	ASSERT_ERRNO(set(&c, 0, BASE_GPA, 16), EINVAL);
	ASSERT_ERRNO(memslot_set(c.vm, 0, 0, BASE_GPA, 8 * PG, c.mem + PG),
		     EINVAL);
	/* Even combined with a move. */
	ASSERT_ERRNO(memslot_set(c.vm, 0, 0, BASE_GPA + 64 * PG, 8 * PG,
				 c.mem + PG), EINVAL);
	/* The slot is unchanged. */
	ASSERT_OK(set(&c, 0, BASE_GPA, 8));
	ASSERT_ERRNO(set(&c, 1, BASE_GPA + 7 * PG, 1), EEXIST);
	ASSERT_OK(set(&c, 1, BASE_GPA + 8 * PG, 1));
}

TEST(move)
{
	struct ctx c;

	setup(&c);
	ASSERT_OK(set(&c, 0, BASE_GPA, 4));
	ASSERT_OK(set(&c, 1, BASE_GPA + 16 * PG, 4));

	/* Move slot 0 away: its old range is free, its new one is taken. */
	ASSERT_OK(set(&c, 0, BASE_GPA + 32 * PG, 4));
	ASSERT_OK(set(&c, 2, BASE_GPA, 4));
	ASSERT_ERRNO(set(&c, 3, BASE_GPA + 33 * PG, 1), EEXIST);

	/* Moving onto another slot is refused; the slot stays put. */
	ASSERT_ERRNO(set(&c, 0, BASE_GPA + 14 * PG, 4), EEXIST);
	ASSERT_ERRNO(set(&c, 3, BASE_GPA + 32 * PG, 1), EEXIST);

	/* A move that overlaps only the slot's own old range is fine. */
	ASSERT_OK(set(&c, 0, BASE_GPA + 34 * PG, 4));
	ASSERT_OK(set(&c, 3, BASE_GPA + 32 * PG, 2));
}

TEST(delete_then_recreate)
{
	struct ctx c;

	setup(&c);
	ASSERT_OK(set(&c, 0, BASE_GPA, 8));
	ASSERT_OK(set(&c, 0, BASE_GPA, 0));
	/* Size, address and backing may all change across a re-create. */
	ASSERT_OK(memslot_set(c.vm, 0, 0, BASE_GPA + 64 * PG, 16 * PG,
			      c.mem + 8 * PG));
	ASSERT_OK(set(&c, 1, BASE_GPA, 8));
	ASSERT_ERRNO(set(&c, 2, BASE_GPA + 70 * PG, 1), EEXIST);
}

TEST(many_slots)
{
	struct ctx c;
	long nr, n, i;

	setup(&c);
	nr = kvm_check_cap(c.vm, KVM_CAP_NR_MEMSLOTS);
	ASSERT_GE(nr, 2);
	/* Slot id n stays free to probe with. */
	n = nr - 1 < 512 ? nr - 1 : 512;
	/* Every other page, so that neighbours never touch. */
	for (i = 0; i < n; i++)
		if (memslot_set(c.vm, i, 0, BASE_GPA + 2 * i * PG, PG,
				c.mem + (i % HOST_PAGES) * PG))
			FAIL("slot %ld of %ld: %s", i, n, strerror(errno));
	/* Progress lines also keep a lane's no-output watchdog quiet. */
	TH_LOG("%ld slots created", n);
	for (i = 0; i < n; i++) {
		if (i && !(i % 128))
			TH_LOG("probed %ld of %ld", i, n);
		ASSERT_ERRNO(set(&c, n, BASE_GPA + 2 * i * PG, 1), EEXIST);
		ASSERT_OK(set(&c, n, BASE_GPA + (2 * i + 1) * PG, 1));
		ASSERT_OK(set(&c, n, 0, 0));
	}
	/* Delete every even slot; the odd ones keep their ranges. */
	for (i = 0; i < n; i += 2)
		ASSERT_OK(set(&c, i, 0, 0));
	for (i = 0; i < n; i++) {
		if (i & 1) {
			ASSERT_ERRNO(set(&c, n, BASE_GPA + 2 * i * PG, 1),
				     EEXIST);
		} else {
			ASSERT_ERRNO(set(&c, i, 0, 0), EINVAL);
			ASSERT_OK(set(&c, n, BASE_GPA + 2 * i * PG, 1));
			ASSERT_OK(set(&c, n, 0, 0));
		}
	}
}

TEST_HARNESS_MAIN
