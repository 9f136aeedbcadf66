// SPDX-License-Identifier: GPL-2.0
/*
 * Object lifetimes: /dev/kvm, VM and vCPU fds closed in any order, vCPU
 * mappings outliving their fds, use from another process, and many
 * objects at once.
 */
#include <fcntl.h>
#include <pthread.h>
#include <sys/ioctl.h>

#include "test_harness.h"
#include "kvm_util.h"

#define NR_VMS		32
#define VCPUS_PER_VM	4
#define NR_THREADS	8

TEST(vcpu_usable_after_vm_close)
{
	int kvm = kvm_open();
	int vm = vm_create(kvm);
	int vcpu = vcpu_create(vm, 0);
	struct kvm_regs r;
	struct kvm_sregs s;
	struct kvm_run *run;

	close(vm);
	close(kvm);
	/* The vCPU keeps its VM alive. */
	vcpu_get_regs(vcpu, &r);
	ASSERT_EQ_U64(r.rip, 0xfff0);
	r.rip = 0x1000;
	vcpu_set_regs(vcpu, &r);
	vcpu_get_regs(vcpu, &r);
	ASSERT_EQ_U64(r.rip, 0x1000);
	vcpu_get_sregs(vcpu, &s);
	vcpu_set_sregs(vcpu, &s);

	kvm = kvm_open();
	run = vcpu_map_run(kvm, vcpu, NULL);
	run->immediate_exit = 1;
	ASSERT_EQ(run->immediate_exit, 1);
	close(vcpu);
	close(kvm);
}

TEST(vm_usable_after_dev_close)
{
	int kvm = kvm_open();
	int vm = vm_create(kvm);
	void *mem = host_mem_alloc(0x10000);
	int vcpu;

	close(kvm);
	ASSERT_OK(memslot_set(vm, 0, 0, 0, 0x10000, (uintptr_t)mem));
	vcpu = vcpu_create(vm, 0);
	ASSERT_EQ(ioctl(vm, KVM_CHECK_EXTENSION, KVM_CAP_USER_MEMORY), 1);
	close(vm);
	close(vcpu);
}

TEST(close_orders)
{
	static const int orders[6][3] = {
		{ 0, 1, 2 }, { 0, 2, 1 }, { 1, 0, 2 },
		{ 1, 2, 0 }, { 2, 0, 1 }, { 2, 1, 0 },
	};
	int fds[3], i, j, n;

	for (i = 0; i < 6; i++) {
		for (n = 0; n < 3; n++) {
			fds[0] = kvm_open();
			fds[1] = vm_create(fds[0]);
			fds[2] = vcpu_create(fds[1], n);
			for (j = 0; j < 3; j++)
				ASSERT_OK(close(fds[orders[i][j]]));
		}
	}
}

TEST(vcpus_closed_before_vm)
{
	int kvm = kvm_open();
	int vm = vm_create(kvm);
	int i, fd;

	for (i = 0; i < 4; i++) {
		fd = vcpu_create(vm, i);
		close(fd);
	}
	/* The vCPUs are gone as fds but remain part of the VM. */
	ASSERT_ERRNO(ioctl(vm, KVM_CREATE_VCPU, 2UL), EEXIST);
	ASSERT_GE(ioctl(vm, KVM_CREATE_VCPU, 4UL), 0);
	close(vm);
	close(kvm);
}

TEST(run_mapping_outlives_fds)
{
	int kvm = kvm_open();
	int vm = vm_create(kvm);
	int vcpu = vcpu_create(vm, 0);
	uint8_t *p;
	long pg = getpagesize();
	size_t size, off;

	p = (uint8_t *)vcpu_map_run(kvm, vcpu, &size);
	close(vcpu);
	close(vm);
	close(kvm);
	/* The mapping holds the vCPU: its pages stay valid. */
	for (off = 0; off < size; off += pg) {
		poke8(p + off, 0x3c);
		ASSERT_EQ(peek8(p + off), 0x3c);
	}
	ASSERT_OK(munmap(p, size));
}

TEST(memslot_backing_unmapped)
{
	int kvm = kvm_open();
	int vm = vm_create(kvm);
	void *mem = host_mem_alloc(0x4000);

	ASSERT_OK(memslot_set(vm, 0, 0, 0x100000, 0x4000, (uintptr_t)mem));
	ASSERT_OK(memslot_set(vm, 1, 0, 0x200000, 0x4000, (uintptr_t)mem));
	/* Userspace may unmap the backing; the slot stays until deleted. */
	ASSERT_OK(munmap(mem, 0x4000));
	ASSERT_OK(memslot_set(vm, 0, 0, 0x100000, 0, (uintptr_t)mem));
	vcpu_create(vm, 0);
	close(vm);
	close(kvm);
}

static int child_status(pid_t pid)
{
	int status;

	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	ASSERT_TRUE(WIFEXITED(status));
	return WEXITSTATUS(status);
}

TEST(other_process_eio)
{
	int kvm = kvm_open();
	int vm = vm_create(kvm);
	int vcpu = vcpu_create(vm, 0);
	struct kvm_regs r;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		int vm2;

		/* A VM and its vCPUs belong to the creating mm. */
		ASSERT_ERRNO(ioctl(vm, KVM_CHECK_EXTENSION,
				   KVM_CAP_USER_MEMORY), EIO);
		ASSERT_ERRNO(ioctl(vm, KVM_CREATE_VCPU, 1UL), EIO);
		ASSERT_ERRNO(memslot_set(vm, 0, 0, 0, 0x1000, 0x10000000),
			     EIO);
		ASSERT_ERRNO(ioctl(vcpu, KVM_GET_REGS, &r), EIO);
		ASSERT_ERRNO(ioctl(vcpu, KVM_SET_REGS, &r), EIO);
		/* /dev/kvm is not tied to a process. */
		ASSERT_EQ(ioctl(kvm, KVM_GET_API_VERSION, 0UL), 12);
		vm2 = vm_create(kvm);
		close(vcpu_create(vm2, 0));
		close(vm2);
		exit(0);
	}
	ASSERT_EQ(child_status(pid), 0);
	/* The parent's objects are unaffected. */
	vcpu_get_regs(vcpu, &r);
	ASSERT_GE(ioctl(vm, KVM_CREATE_VCPU, 1UL), 0);
	close(vcpu);
	close(vm);
	close(kvm);
}

TEST(child_exit_without_close)
{
	int i, kvm = kvm_open();
	pid_t pid;

	for (i = 0; i < 4; i++) {
		fflush(stdout);
		pid = fork();
		ASSERT_GE(pid, 0);
		if (pid == 0) {
			int vm = vm_create(kvm);

			vcpu_map_run(kvm, vcpu_create(vm, 0), NULL);
			vcpu_create(vm, 1);
			/* Exit with everything open and mapped. */
			_exit(0);
		}
		ASSERT_EQ(child_status(pid), 0);
	}
	close(vm_create(kvm));
	close(kvm);
}

struct thread_arg {
	int fd;
	int index;
	pthread_barrier_t *barrier;
	int ret;
	int err;
};

static void *get_regs_thread(void *p)
{
	struct thread_arg *a = p;
	struct kvm_regs r;

	a->ret = ioctl(a->fd, KVM_GET_REGS, &r);
	a->err = errno;
	if (!a->ret && r.rip != 0xfff0)
		a->ret = -2;
	return NULL;
}

TEST(other_thread_ok)
{
	int kvm = kvm_open();
	int vm = vm_create(kvm);
	struct thread_arg a = { .fd = vcpu_create(vm, 0) };
	pthread_t t;

	/* Ownership is per process (mm), not per thread. */
	ASSERT_OK(pthread_create(&t, NULL, get_regs_thread, &a));
	ASSERT_OK(pthread_join(t, NULL));
	errno = a.err;
	ASSERT_EQ(a.ret, 0);
	close(a.fd);
	close(vm);
	close(kvm);
}

static void *create_vcpu_thread(void *p)
{
	struct thread_arg *a = p;

	pthread_barrier_wait(a->barrier);
	a->ret = ioctl(a->fd, KVM_CREATE_VCPU, (unsigned long)a->index);
	a->err = errno;
	return NULL;
}

static void race_create(int vm, int same_id, struct thread_arg *a)
{
	pthread_barrier_t barrier;
	pthread_t t[NR_THREADS];
	int i;

	ASSERT_OK(pthread_barrier_init(&barrier, NULL, NR_THREADS));
	for (i = 0; i < NR_THREADS; i++) {
		a[i] = (struct thread_arg) {
			.fd = vm,
			.index = same_id ? 100 : i,
			.barrier = &barrier,
		};
		ASSERT_OK(pthread_create(&t[i], NULL, create_vcpu_thread,
					 &a[i]));
	}
	for (i = 0; i < NR_THREADS; i++)
		ASSERT_OK(pthread_join(t[i], NULL));
	pthread_barrier_destroy(&barrier);
}

TEST(concurrent_vcpu_create)
{
	struct thread_arg a[NR_THREADS];
	int kvm = kvm_open();
	int vm = vm_create(kvm);
	int i, winners = 0;

	/* Distinct ids: all succeed. */
	race_create(vm, 0, a);
	for (i = 0; i < NR_THREADS; i++) {
		errno = a[i].err;
		ASSERT_GE(a[i].ret, 0);
	}
	/* One id: exactly one succeeds, the rest see EEXIST. */
	race_create(vm, 1, a);
	for (i = 0; i < NR_THREADS; i++) {
		if (a[i].ret >= 0) {
			winners++;
			continue;
		}
		errno = a[i].err;
		ASSERT_EQ(a[i].err, EEXIST);
	}
	ASSERT_EQ(winners, 1);
	/* The losers did not use up vCPUs or ids. */
	ASSERT_GE(ioctl(vm, KVM_CREATE_VCPU, 101UL), 0);
	close(vm);
	close(kvm);
}

static void *memslot_thread(void *p)
{
	struct thread_arg *a = p;
	uint64_t mem = (uintptr_t)host_mem_alloc(0x4000);
	uint64_t gpa = 0x100000ULL * (a->index + 1);
	int i;

	pthread_barrier_wait(a->barrier);
	a->ret = 0;
	/* Create, move, delete, over and over, in this thread's range. */
	for (i = 0; i < 50 && !a->ret; i++) {
		a->ret = memslot_set(a->fd, a->index, 0, gpa, 0x4000, mem) ||
			 memslot_set(a->fd, a->index, 0, gpa + 0x4000, 0x4000,
				     mem) ||
			 memslot_set(a->fd, a->index, 0, gpa, 0, mem);
		a->err = errno;
	}
	return NULL;
}

TEST(concurrent_memslots)
{
	struct thread_arg a[NR_THREADS];
	pthread_barrier_t barrier;
	pthread_t t[NR_THREADS];
	int kvm = kvm_open();
	int vm = vm_create(kvm);
	int i;

	vcpu_create(vm, 0);
	ASSERT_OK(pthread_barrier_init(&barrier, NULL, NR_THREADS));
	for (i = 0; i < NR_THREADS; i++) {
		a[i] = (struct thread_arg) {
			.fd = vm, .index = i, .barrier = &barrier,
		};
		ASSERT_OK(pthread_create(&t[i], NULL, memslot_thread, &a[i]));
	}
	for (i = 0; i < NR_THREADS; i++)
		ASSERT_OK(pthread_join(t[i], NULL));
	for (i = 0; i < NR_THREADS; i++) {
		errno = a[i].err;
		ASSERT_EQ(a[i].ret, 0);
		/* Every thread deleted its slot last. */
		ASSERT_ERRNO(memslot_set(vm, i, 0, 0, 0, 0), EINVAL);
	}
	pthread_barrier_destroy(&barrier);
	close(vm);
	close(kvm);
}

TEST_TIMEOUT(many_vms_and_vcpus, 300)
{
	int vm[NR_VMS], vcpu[NR_VMS][VCPUS_PER_VM];
	struct kvm_run *run[NR_VMS][VCPUS_PER_VM];
	int kvm = kvm_open();
	struct kvm_regs r;
	void *mem;
	int i, j;

	ASSERT_OK(raise_fd_limit(NR_VMS * (VCPUS_PER_VM + 1) + 64));
	mem = host_mem_alloc(0x10000);
	for (i = 0; i < NR_VMS; i++) {
		vm[i] = vm_create(kvm);
		ASSERT_OK(memslot_set(vm[i], 0, 0, 0, 0x10000,
				      (uintptr_t)mem));
		for (j = 0; j < VCPUS_PER_VM; j++) {
			vcpu[i][j] = vcpu_create(vm[i], j);
			run[i][j] = vcpu_map_run(kvm, vcpu[i][j], NULL);
		}
	}
	/* Tag every vCPU, then check no state leaked between them. */
	for (i = 0; i < NR_VMS; i++)
		for (j = 0; j < VCPUS_PER_VM; j++) {
			vcpu_get_regs(vcpu[i][j], &r);
			r.rax = i * 100 + j;
			vcpu_set_regs(vcpu[i][j], &r);
			run[i][j]->immediate_exit = (i + j) & 1;
		}
	for (i = 0; i < NR_VMS; i++)
		for (j = 0; j < VCPUS_PER_VM; j++) {
			vcpu_get_regs(vcpu[i][j], &r);
			ASSERT_EQ_U64(r.rax, i * 100 + j);
			ASSERT_EQ(run[i][j]->immediate_exit, (i + j) & 1);
		}
	/* Tear down in a mixed order: VMs first for even i. */
	for (i = 0; i < NR_VMS; i++) {
		if (!(i & 1))
			ASSERT_OK(close(vm[i]));
		for (j = 0; j < VCPUS_PER_VM; j++)
			ASSERT_OK(close(vcpu[i][j]));
		if (i & 1)
			ASSERT_OK(close(vm[i]));
		for (j = 0; j < VCPUS_PER_VM; j++)
			ASSERT_OK(munmap(run[i][j], vcpu_mmap_size(kvm)));
	}
	close(kvm);
}

TEST_TIMEOUT(create_destroy_loop, 300)
{
	int kvm = kvm_open();
	void *mem = host_mem_alloc(0x10000);
	int i, vm, vcpu;

	for (i = 0; i < 200; i++) {
		vm = vm_create(kvm);
		ASSERT_OK(memslot_set(vm, i % 8, 0, 0x100000, 0x10000,
				      (uintptr_t)mem));
		vcpu = vcpu_create(vm, i % 4);
		vcpu_map_run(kvm, vcpu, NULL);
		ASSERT_OK(munmap(vcpu_map_run(kvm, vcpu, NULL),
				 vcpu_mmap_size(kvm)));
		if (i & 1) {
			close(vcpu);
			close(vm);
		} else {
			close(vm);
			close(vcpu);
		}
	}
}

TEST_HARNESS_MAIN
