// SPDX-License-Identifier: GPL-2.0
/*
 * Several VMs with several vCPUs each, every vCPU in its own thread: each
 * guest reports a numbered sequence of SYNCs tagged with its VM and vCPU,
 * keeps a private count and adds to a count shared by its VM with LOCK
 * INCQ.  Every sequence must arrive whole and in order, and every count
 * must be exact: no exit is lost or delivered to the wrong vCPU, and
 * guest memory stays coherent between vCPUs.
 */
#include <pthread.h>

#include "../kvmod/test_harness.h"
#include "../kvmod/kvm_util.h"
#include "guest_lib.h"

#define NR_VMS		2
#define NR_VCPUS	3
#define NR_SYNCS	100
#define NR_INCS		20000

struct counts {
	uint64_t shared;
	uint64_t priv[NR_VCPUS];
};

static volatile struct counts counts;

/* arg: VM number << 8 | vCPU id. */
static GUEST_CODE void count_guest(uint64_t arg)
{
	uint64_t id = arg & 0xff, i;

	for (i = 0; i < NR_SYNCS; i++) {
		GUEST_SYNC(arg << 32 | i);
		counts.priv[id]++;
	}
	for (i = 0; i < NR_INCS; i++)
		asm volatile("lock incq %0" : "+m"(counts.shared));
}

struct worker {
	struct kvm_vcpu *vcpu;
	uint64_t tag;
	int syncs;
};

static void *vcpu_thread(void *arg)
{
	struct worker *w = arg;
	uint64_t v;
	int i;

	for (i = 0; i < NR_SYNCS; i++) {
		v = vcpu_run_sync(w->vcpu);
		if (v != (w->tag << 32 | i)) {
			TH_LOG("vCPU tag 0x%llx: SYNC 0x%llx, expected 0x%llx",
			       (unsigned long long)w->tag,
			       (unsigned long long)v,
			       (unsigned long long)(w->tag << 32 | i));
			FAIL("wrong SYNC");
		}
		w->syncs++;
	}
	vcpu_run_done(w->vcpu);
	return NULL;
}

TEST_TIMEOUT(vms_and_vcpus_in_threads, 120)
{
	struct worker w[NR_VMS][NR_VCPUS];
	pthread_t t[NR_VMS][NR_VCPUS];
	struct kvm_vm *vm[NR_VMS];
	struct counts *c;
	int i, j;

	for (i = 0; i < NR_VMS; i++) {
		vm[i] = vm_new(0);
		for (j = 0; j < NR_VCPUS; j++) {
			w[i][j].vcpu = vcpu_add(vm[i], j);
			w[i][j].tag = (uint64_t)i << 8 | j;
			w[i][j].syncs = 0;
			vcpu_setup_long(w[i][j].vcpu, count_guest, w[i][j].tag);
		}
	}
	for (i = 0; i < NR_VMS; i++)
		for (j = 0; j < NR_VCPUS; j++)
			ASSERT_OK(pthread_create(&t[i][j], NULL, vcpu_thread,
						 &w[i][j]));
	for (i = 0; i < NR_VMS; i++)
		for (j = 0; j < NR_VCPUS; j++)
			pthread_join(t[i][j], NULL);

	for (i = 0; i < NR_VMS; i++) {
		c = (struct counts *)GUEST_PTR(vm[i], counts);
		EXPECT_EQ_U64(c->shared, (uint64_t)NR_VCPUS * NR_INCS);
		for (j = 0; j < NR_VCPUS; j++) {
			EXPECT_EQ(w[i][j].syncs, NR_SYNCS);
			EXPECT_EQ_U64(c->priv[j], NR_SYNCS);
		}
	}
}

/* vCPUs of one VM created while others of it already run. */
TEST_TIMEOUT(vcpu_added_while_others_run, 120)
{
	struct kvm_vm *vm = vm_new(0);
	struct worker w[NR_VCPUS];
	pthread_t t[NR_VCPUS];
	struct counts *c;
	int j;

	for (j = 0; j < NR_VCPUS; j++) {
		w[j].vcpu = vcpu_add(vm, j);
		w[j].tag = j;
		w[j].syncs = 0;
		vcpu_setup_long(w[j].vcpu, count_guest, j);
		ASSERT_OK(pthread_create(&t[j], NULL, vcpu_thread, &w[j]));
	}
	for (j = 0; j < NR_VCPUS; j++)
		pthread_join(t[j], NULL);
	c = (struct counts *)GUEST_PTR(vm, counts);
	EXPECT_EQ_U64(c->shared, (uint64_t)NR_VCPUS * NR_INCS);
	for (j = 0; j < NR_VCPUS; j++)
		EXPECT_EQ_U64(c->priv[j], NR_SYNCS);
}

TEST_HARNESS_MAIN
