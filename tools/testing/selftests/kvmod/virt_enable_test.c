// SPDX-License-Identifier: GPL-2.0
/*
 * Per-CPU virtualization enable on AMD-V hosts: EFER.SVME must be set on
 * every online CPU while any VM exists and clear once the last one is
 * destroyed.  A VM lives until its last reference goes: the VM fd, any
 * vCPU fd, and any mapping of a vCPU.
 *
 * EFER is read through /dev/cpu/N/msr (the msr driver); without it, or on
 * a host that is not AMD-V, the tests skip.  They also skip when some
 * other process already holds a VM, as the state is system-wide.
 */
#include <cpuid.h>
#include <sys/ioctl.h>

#include "test_harness.h"
#include "kvm_util.h"

#define MSR_EFER	0xc0000080
#define EFER_SVME	(1ULL << 12)

enum { SVME_CLEAR, SVME_SET, SVME_MIXED };

static int host_has_svm(void)
{
	unsigned int eax, ebx, ecx, edx;

	if (!__get_cpuid(0x80000001, &eax, &ebx, &ecx, &edx))
		return 0;
	return !!(ecx & (1U << 2));
}

/* EFER.SVME across every CPU whose msr device can be read. */
static int svme_state(void)
{
	int cpu, n = nr_cpus_configured(), seen = 0, set = 0, r;
	uint64_t efer;

	for (cpu = 0; cpu < n; cpu++) {
		r = read_msr(cpu, MSR_EFER, &efer);
		if (r == -ENXIO || r == -ENOENT)	/* offline CPU */
			continue;
		if (r)
			FAIL("cpu %d: reading EFER: %s", cpu, strerror(-r));
		seen++;
		if (efer & EFER_SVME)
			set++;
	}
	ASSERT_GT(seen, 0);
	if (!set)
		return SVME_CLEAR;
	if (set == seen)
		return SVME_SET;
	TH_LOG("EFER.SVME set on %d of %d CPUs", set, seen);
	return SVME_MIXED;
}

/* Skips unless EFER is readable on an AMD-V host with no VM around. */
static void require_svme_probe(void)
{
	uint64_t efer;
	int r;

	if (!host_has_svm())
		SKIP("host CPU has no AMD-V (SVM)");
	r = read_msr(0, MSR_EFER, &efer);
	if (r == -ENOENT || r == -ENXIO || r == -ENODEV)
		SKIP("/dev/cpu/0/msr not available (modprobe msr)");
	if (r)
		FAIL("reading EFER on cpu 0: %s", strerror(-r));
	if (svme_state() != SVME_CLEAR)
		SKIP("EFER.SVME already set: another VM exists");
}

TEST(svme_follows_vm)
{
	int kvm, vm;

	require_svme_probe();
	/* Opening the device alone does not enable virtualization. */
	kvm = kvm_open();
	ASSERT_EQ(svme_state(), SVME_CLEAR);

	vm = vm_create(kvm);
	ASSERT_EQ(svme_state(), SVME_SET);
	close(vm);
	ASSERT_EQ(svme_state(), SVME_CLEAR);

	/* And again: the enable is not one-shot. */
	vm = vm_create(kvm);
	ASSERT_EQ(svme_state(), SVME_SET);
	close(vm);
	ASSERT_EQ(svme_state(), SVME_CLEAR);
	close(kvm);
}

TEST(svme_counts_vms)
{
	int kvm, a, b, c;

	require_svme_probe();
	kvm = kvm_open();
	a = vm_create(kvm);
	b = vm_create(kvm);
	c = vm_create(kvm);
	close(b);
	ASSERT_EQ(svme_state(), SVME_SET);
	close(a);
	ASSERT_EQ(svme_state(), SVME_SET);
	close(c);
	ASSERT_EQ(svme_state(), SVME_CLEAR);
	close(kvm);
}

TEST(svme_held_by_vcpu_fd)
{
	int kvm, vm, vcpu;

	require_svme_probe();
	kvm = kvm_open();
	vm = vm_create(kvm);
	vcpu = vcpu_create(vm, 0);
	close(vm);
	close(kvm);
	ASSERT_EQ(svme_state(), SVME_SET);
	close(vcpu);
	ASSERT_EQ(svme_state(), SVME_CLEAR);
}

TEST(svme_held_by_run_mapping)
{
	int kvm, vm, vcpu;
	struct kvm_run *run;
	size_t size;

	require_svme_probe();
	kvm = kvm_open();
	vm = vm_create(kvm);
	vcpu = vcpu_create(vm, 0);
	run = vcpu_map_run(kvm, vcpu, &size);
	close(vcpu);
	close(vm);
	close(kvm);
	ASSERT_EQ(svme_state(), SVME_SET);
	ASSERT_OK(munmap(run, size));
	ASSERT_EQ(svme_state(), SVME_CLEAR);
}

TEST(svme_not_leaked_by_failed_create)
{
	int kvm;

	require_svme_probe();
	kvm = kvm_open();
	ASSERT_ERRNO(ioctl(kvm, KVM_CREATE_VM, 1UL), EINVAL);
	ASSERT_EQ(svme_state(), SVME_CLEAR);
	close(kvm);
}

TEST(svme_cleared_on_process_exit)
{
	int status;
	pid_t pid;

	require_svme_probe();
	fflush(stdout);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		int kvm = kvm_open();
		int vm = vm_create(kvm);

		vcpu_map_run(kvm, vcpu_create(vm, 0), NULL);
		if (svme_state() != SVME_SET)
			_exit(2);
		_exit(0);
	}
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(WEXITSTATUS(status), 0);
	ASSERT_EQ(svme_state(), SVME_CLEAR);
}

TEST_HARNESS_MAIN
