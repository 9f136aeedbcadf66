// SPDX-License-Identifier: GPL-2.0
/*
 * VM fd ioctls other than memslots: capability queries, KVM_ENABLE_CAP,
 * and vCPU creation limits (ids, counts, KVM_CAP_MAX_VCPU_ID).
 */
#include <fcntl.h>
#include <sys/ioctl.h>

#include "test_harness.h"
#include "kvm_util.h"

#define KVM_UNKNOWN_IOCTL	_IO(KVMIO, 0xff)
#define FOREIGN_IOCTL		_IOR('Z', 0x42, int)

/* Highest capability number swept when comparing the two fds. */
#define CAP_SWEEP_MAX		512

static int enable_cap(int vm, uint32_t cap, uint32_t flags, uint64_t arg0)
{
	struct kvm_enable_cap ec = {
		.cap = cap,
		.flags = flags,
		.args = { arg0 },
	};

	return ioctl(vm, KVM_ENABLE_CAP, &ec);
}

TEST(vm_check_extension_matches_dev)
{
	int kvm = kvm_open();
	int vm = vm_create(kvm);
	long cap, a, b;

	/*
	 * With no per-VM configuration, both fds agree on every cap.
	 * KVM_CAP_X2APIC_API is left out: later KVMs answer it per VM.
	 */
	for (cap = 0; cap < CAP_SWEEP_MAX; cap++) {
		if (cap == KVM_CAP_X2APIC_API)
			continue;
		a = ioctl(kvm, KVM_CHECK_EXTENSION, cap);
		b = ioctl(vm, KVM_CHECK_EXTENSION, cap);
		if (a != b)
			FAIL("cap %ld: /dev/kvm says %ld, VM fd says %ld",
			     cap, a, b);
		ASSERT_GE(a, 0);
	}
	ASSERT_EQ(ioctl(vm, KVM_CHECK_EXTENSION, 0x7fffffffL), 0);
	ASSERT_EQ(ioctl(vm, KVM_CHECK_EXTENSION, -1L), 0);
	close(vm);
	close(kvm);
}

TEST(vm_unknown_ioctl_enotty)
{
	int kvm = kvm_open();
	int vm = vm_create(kvm);
	int arg = 0;

	ASSERT_ERRNO(ioctl(vm, KVM_UNKNOWN_IOCTL, 0UL), ENOTTY);
	ASSERT_ERRNO(ioctl(vm, FOREIGN_IOCTL, &arg), ENOTTY);
	/* System and vCPU requests are not VM requests. */
	ASSERT_ERRNO(ioctl(vm, KVM_GET_API_VERSION, 0UL), ENOTTY);
	ASSERT_ERRNO(ioctl(vm, KVM_CREATE_VM, 0UL), ENOTTY);
	ASSERT_ERRNO(ioctl(vm, KVM_RUN, 0UL), ENOTTY);
	close(vm);
	close(kvm);
}

TEST(vm_mmap_enodev)
{
	int kvm = kvm_open();
	int vm = vm_create(kvm);
	void *p;

	errno = 0;
	p = mmap(NULL, getpagesize(), PROT_READ, MAP_SHARED, vm, 0);
	ASSERT_TRUE(p == MAP_FAILED);
	ASSERT_EQ(errno, ENODEV);
	close(vm);
	close(kvm);
}

TEST(vm_bad_pointers_efault)
{
	int kvm = kvm_open();
	int vm = vm_create(kvm);
	void *bad[] = { NULL, (void *)1, (void *)0xffff888000000000UL };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		ASSERT_ERRNO(ioctl(vm, KVM_ENABLE_CAP, bad[i]), EFAULT);
		ASSERT_ERRNO(ioctl(vm, KVM_SET_USER_MEMORY_REGION, bad[i]),
			     EFAULT);
	}
	close(vm);
	close(kvm);
}

TEST(enable_cap_bad_input)
{
	int kvm = kvm_open();
	int vm = vm_create(kvm);
	long max_id = kvm_check_cap(kvm, KVM_CAP_MAX_VCPU_ID);

	/* Unknown capability, and one that cannot be enabled. */
	ASSERT_ERRNO(enable_cap(vm, 0x7fffffff, 0, 0), EINVAL);
	ASSERT_ERRNO(enable_cap(vm, KVM_CAP_USER_MEMORY, 0, 0), EINVAL);
	/* Flags are reserved. */
	ASSERT_ERRNO(enable_cap(vm, KVM_CAP_MAX_VCPU_ID, 1, 1), EINVAL);
	/* Beyond what KVM_CHECK_EXTENSION advertises. */
	ASSERT_ERRNO(enable_cap(vm, KVM_CAP_MAX_VCPU_ID, 0, max_id + 1),
		     EINVAL);
	ASSERT_ERRNO(enable_cap(vm, KVM_CAP_MAX_VCPU_ID, 0, ~0ULL), EINVAL);
	/* None of the refusals latched a value: a new one is accepted. */
	ASSERT_OK(enable_cap(vm, KVM_CAP_MAX_VCPU_ID, 0, 4));
	close(vm);
	close(kvm);
}

TEST(enable_cap_max_vcpu_id)
{
	int kvm = kvm_open();
	int vm = vm_create(kvm);

	ASSERT_OK(enable_cap(vm, KVM_CAP_MAX_VCPU_ID, 0, 8));
	/* Setting the same value again is fine, a different one is not. */
	ASSERT_OK(enable_cap(vm, KVM_CAP_MAX_VCPU_ID, 0, 8));
	ASSERT_ERRNO(enable_cap(vm, KVM_CAP_MAX_VCPU_ID, 0, 16), EINVAL);
	ASSERT_ERRNO(enable_cap(vm, KVM_CAP_MAX_VCPU_ID, 0, 4), EINVAL);

	/* The limit is exclusive. */
	ASSERT_ERRNO(ioctl(vm, KVM_CREATE_VCPU, 8UL), EINVAL);
	ASSERT_ERRNO(ioctl(vm, KVM_CREATE_VCPU, 9UL), EINVAL);
	ASSERT_GE(ioctl(vm, KVM_CREATE_VCPU, 7UL), 0);
	ASSERT_GE(ioctl(vm, KVM_CREATE_VCPU, 0UL), 0);

	/* The VM-wide (not per-VM) query is unaffected. */
	ASSERT_EQ(ioctl(vm, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPU_ID),
		  kvm_check_cap(kvm, KVM_CAP_MAX_VCPU_ID));
	close(vm);
	close(kvm);
}

TEST(enable_cap_max_vcpu_id_zero)
{
	int kvm = kvm_open();
	int vm = vm_create(kvm);

	/* Zero asks for the default, so it does not fix the limit. */
	ASSERT_OK(enable_cap(vm, KVM_CAP_MAX_VCPU_ID, 0, 0));
	ASSERT_OK(enable_cap(vm, KVM_CAP_MAX_VCPU_ID, 0, 0));
	ASSERT_OK(enable_cap(vm, KVM_CAP_MAX_VCPU_ID, 0, 2));
	ASSERT_ERRNO(ioctl(vm, KVM_CREATE_VCPU, 2UL), EINVAL);
	ASSERT_GE(ioctl(vm, KVM_CREATE_VCPU, 1UL), 0);
	close(vm);
	close(kvm);
}

TEST(enable_cap_max_vcpu_id_after_vcpu)
{
	int kvm = kvm_open();
	int vm = vm_create(kvm);
	long max_id = kvm_check_cap(kvm, KVM_CAP_MAX_VCPU_ID);

	/* Creating a vCPU fixes the limit at its default, the maximum. */
	vcpu_create(vm, 0);
	ASSERT_ERRNO(enable_cap(vm, KVM_CAP_MAX_VCPU_ID, 0, 8), EINVAL);
	ASSERT_OK(enable_cap(vm, KVM_CAP_MAX_VCPU_ID, 0, max_id));
	ASSERT_GE(ioctl(vm, KVM_CREATE_VCPU, (unsigned long)max_id - 1), 0);
	close(vm);
	close(kvm);
}

TEST(vcpu_id_limits)
{
	int kvm = kvm_open();
	int vm = vm_create(kvm);
	long max_id = kvm_check_cap(kvm, KVM_CAP_MAX_VCPU_ID);

	ASSERT_ERRNO(ioctl(vm, KVM_CREATE_VCPU, (unsigned long)max_id),
		     EINVAL);
	ASSERT_ERRNO(ioctl(vm, KVM_CREATE_VCPU, (unsigned long)max_id + 1),
		     EINVAL);
	ASSERT_ERRNO(ioctl(vm, KVM_CREATE_VCPU, 0xffffffffUL), EINVAL);
	ASSERT_GE(ioctl(vm, KVM_CREATE_VCPU, (unsigned long)max_id - 1), 0);

	/* Ids need not be dense or start at 0. */
	ASSERT_GE(ioctl(vm, KVM_CREATE_VCPU, 5UL), 0);
	ASSERT_GE(ioctl(vm, KVM_CREATE_VCPU, 0UL), 0);
	close(vm);
	close(kvm);
}

TEST(vcpu_duplicate_id_eexist)
{
	int kvm = kvm_open();
	int vm = vm_create(kvm);
	int fd;

	fd = vcpu_create(vm, 3);
	ASSERT_ERRNO(ioctl(vm, KVM_CREATE_VCPU, 3UL), EEXIST);
	/* Closing the fd does not free the id: the vCPU lives with the VM. */
	close(fd);
	ASSERT_ERRNO(ioctl(vm, KVM_CREATE_VCPU, 3UL), EEXIST);
	/* The failed attempts did not use up a vCPU. */
	ASSERT_GE(ioctl(vm, KVM_CREATE_VCPU, 4UL), 0);
	close(vm);
	close(kvm);
}

TEST(vcpu_fd_properties)
{
	char path[64], link[128], want[64];
	int kvm = kvm_open();
	int vm = vm_create(kvm);
	int fd = vcpu_create(vm, 7);
	int flags;
	ssize_t n;

	flags = fcntl(fd, F_GETFD);
	ASSERT_GE(flags, 0);
	ASSERT_TRUE(flags & FD_CLOEXEC);

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, link, sizeof(link) - 1);
	ASSERT_GT(n, 0);
	link[n] = '\0';
	snprintf(want, sizeof(want), "anon_inode:kvm-vcpu:%d", 7);
	if (strcmp(link, want))
		FAIL("vCPU fd is '%s', expected '%s'", link, want);
	close(fd);
	close(vm);
	close(kvm);
}

TEST_TIMEOUT(max_vcpus, 600)
{
	int kvm = kvm_open();
	int vm = vm_create(kvm);
	long max_vcpus = kvm_check_cap(kvm, KVM_CAP_MAX_VCPUS);
	long max_id = kvm_check_cap(kvm, KVM_CAP_MAX_VCPU_ID);
	long i;

	if (max_vcpus > 8192)
		SKIP("KVM_CAP_MAX_VCPUS %ld is too many to create", max_vcpus);
	if (raise_fd_limit(max_vcpus + 64))
		SKIP("cannot raise RLIMIT_NOFILE to %ld", max_vcpus + 64);

	/* Spread the ids to show the count, not the id, is what is limited. */
	for (i = 0; i < max_vcpus; i++) {
		long id = max_id >= 2 * max_vcpus ? 2 * i : i;
		int fd = ioctl(vm, KVM_CREATE_VCPU, (unsigned long)id);

		if (fd < 0)
			FAIL("vCPU %ld (id %ld) of %ld: %s", i, id, max_vcpus,
			     strerror(errno));
		if (i && !(i % 256))
			TH_LOG("%ld vCPUs so far", i);
	}
	TH_LOG("created %ld vCPUs", max_vcpus);
	ASSERT_ERRNO(ioctl(vm, KVM_CREATE_VCPU, (unsigned long)max_id - 1),
		     EINVAL);
	close(vm);
	close(kvm);
}

TEST_HARNESS_MAIN
