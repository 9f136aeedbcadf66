// SPDX-License-Identifier: GPL-2.0
/*
 * Fill every memslot KVM_CAP_NR_MEMSLOTS advertises, in both address
 * spaces when there are two.  Kept apart from memslot_test because tens
 * of thousands of slot updates are slow on an emulated host.
 */
#include <sys/ioctl.h>
#include <time.h>

#include "test_harness.h"
#include "kvm_util.h"

#define PG		PAGE_SIZE_4K
#define BASE_GPA	0x100000ULL

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void fill(int vm, uint32_t as, long nr, uint64_t mem)
{
	double t0 = now();
	long i;

	for (i = 0; i < nr; i++)
		if (memslot_set(vm, (as << 16) | i, 0, BASE_GPA + i * PG, PG,
				mem))
			FAIL("space %u slot %ld of %ld: %s", as, i, nr,
			     strerror(errno));
		else if (i && !(i % 4096))
			TH_LOG("space %u: %ld slots, %.1f s", as, i,
			       now() - t0);
	TH_LOG("space %u: %ld slots in %.1f s", as, nr, now() - t0);
}

TEST_TIMEOUT(all_slots, 900)
{
	int kvm = kvm_open();
	int vm = vm_create(kvm);
	uint64_t mem = (uintptr_t)host_mem_alloc(PG);
	long nr = kvm_check_cap(vm, KVM_CAP_NR_MEMSLOTS);
	int nr_as = nr_address_spaces(vm);
	double t0;

	if (nr > 0x10000)
		SKIP("KVM_CAP_NR_MEMSLOTS %ld", nr);
	fill(vm, 0, nr, mem);
	ASSERT_ERRNO(memslot_set(vm, nr, 0, BASE_GPA + nr * PG, PG, mem),
		     EINVAL);
	/* Full, but slots can still be moved and deleted. */
	ASSERT_ERRNO(memslot_set(vm, 0, 0, BASE_GPA + PG, PG, mem), EEXIST);
	ASSERT_OK(memslot_set(vm, 0, 0, BASE_GPA + nr * PG, PG, mem));
	ASSERT_OK(memslot_set(vm, nr - 1, 0, 0, 0, mem));
	ASSERT_OK(memslot_set(vm, nr - 1, 0, 0, PG, mem));

	/* The other address space has its own, independent set. */
	if (nr_as > 1)
		fill(vm, 1, nr, mem);

	t0 = now();
	close(vm);
	TH_LOG("VM destroyed in %.1f s", now() - t0);
	close(kvm);
}

TEST_HARNESS_MAIN
