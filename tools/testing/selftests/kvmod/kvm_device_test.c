// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/kvm system ioctls: API version, VM creation, capability queries,
 * vCPU mmap size, and how unknown or malformed requests are refused.
 */
#include <fcntl.h>
#include <sys/ioctl.h>

#include "test_harness.h"
#include "kvm_util.h"

/* Not assigned to any KVM ioctl. */
#define KVM_UNKNOWN_IOCTL	_IO(KVMIO, 0xff)
#define FOREIGN_IOCTL		_IOR('Z', 0x42, int)

TEST(api_version_is_12)
{
	int kvm = kvm_open();

	ASSERT_EQ(ioctl(kvm, KVM_GET_API_VERSION, 0UL), 12);
	/* The request takes no argument; anything else is refused. */
	ASSERT_ERRNO(ioctl(kvm, KVM_GET_API_VERSION, 1UL), EINVAL);
	close(kvm);
}

TEST(create_vm_type0)
{
	char path[64], link[128];
	int kvm = kvm_open();
	int vm, flags;
	ssize_t n;

	vm = ioctl(kvm, KVM_CREATE_VM, 0UL);
	ASSERT_GE(vm, 0);

	/* VMMs rely on the VM fd not leaking into exec'd children. */
	flags = fcntl(vm, F_GETFD);
	ASSERT_GE(flags, 0);
	ASSERT_TRUE(flags & FD_CLOEXEC);

	snprintf(path, sizeof(path), "/proc/self/fd/%d", vm);
	n = readlink(path, link, sizeof(link) - 1);
	ASSERT_GT(n, 0);
	link[n] = '\0';
	if (strcmp(link, "anon_inode:kvm-vm"))
		FAIL("VM fd is '%s', expected 'anon_inode:kvm-vm'", link);

	/* A second VM from the same /dev/kvm fd is independent. */
	ASSERT_GE(ioctl(kvm, KVM_CREATE_VM, 0UL), 0);
	close(vm);
	close(kvm);
}

TEST(create_vm_bad_type)
{
	static const unsigned long types[] = {
		1, 2, 0x80000000UL, 0x100000000UL, ~0UL,
	};
	int kvm = kvm_open();
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(types); i++) {
		TH_LOG("type 0x%lx", types[i]);
		ASSERT_ERRNO(ioctl(kvm, KVM_CREATE_VM, types[i]), EINVAL);
	}
	/* A refused type leaves the device usable. */
	close(vm_create(kvm));
	close(kvm);
}

TEST(check_extension_basic)
{
	int kvm = kvm_open();
	long nr_vcpus, max_vcpus, max_id;

	ASSERT_EQ(kvm_check_cap(kvm, KVM_CAP_USER_MEMORY), 1);
	ASSERT_EQ(kvm_check_cap(kvm, KVM_CAP_CHECK_EXTENSION_VM), 1);
	ASSERT_EQ(kvm_check_cap(kvm, KVM_CAP_ENABLE_CAP_VM), 1);
	ASSERT_GT(kvm_check_cap(kvm, KVM_CAP_NR_MEMSLOTS), 0);

	nr_vcpus = kvm_check_cap(kvm, KVM_CAP_NR_VCPUS);
	max_vcpus = kvm_check_cap(kvm, KVM_CAP_MAX_VCPUS);
	max_id = kvm_check_cap(kvm, KVM_CAP_MAX_VCPU_ID);
	TH_LOG("NR_VCPUS %ld MAX_VCPUS %ld MAX_VCPU_ID %ld",
	       nr_vcpus, max_vcpus, max_id);
	ASSERT_GT(nr_vcpus, 0);
	ASSERT_GE(max_vcpus, nr_vcpus);
	ASSERT_GE(max_id, max_vcpus);

	/* At most as many recommended vCPUs as the host has CPUs. */
	ASSERT_LE(nr_vcpus, nr_cpus_configured());
	close(kvm);
}

TEST(check_extension_unknown_is_zero)
{
	static const long caps[] = { 0x7fffffffL, 100000L, -1L, -100L };
	int kvm = kvm_open();
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(caps); i++) {
		TH_LOG("cap %ld", caps[i]);
		ASSERT_EQ(ioctl(kvm, KVM_CHECK_EXTENSION, caps[i]), 0);
	}
	close(kvm);
}

TEST(vcpu_mmap_size)
{
	int kvm = kvm_open();
	long size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0UL);
	long coalesced;

	ASSERT_GE(size, (long)sizeof(struct kvm_run));
	ASSERT_EQ(size % getpagesize(), 0);

	/*
	 * The coalesced MMIO ring, when offered, lives at the page offset
	 * the capability names, which must be inside the mapping.
	 */
	coalesced = kvm_check_cap(kvm, KVM_CAP_COALESCED_MMIO);
	if (coalesced)
		ASSERT_LT(coalesced * getpagesize(), size);

	ASSERT_ERRNO(ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 1UL), EINVAL);
	close(kvm);
}

TEST(unknown_ioctl_einval)
{
	int kvm = kvm_open();
	int arg = 0;

	ASSERT_ERRNO(ioctl(kvm, KVM_UNKNOWN_IOCTL, 0UL), EINVAL);
	ASSERT_ERRNO(ioctl(kvm, FOREIGN_IOCTL, &arg), EINVAL);
	/* VM and vCPU requests are not system requests. */
	ASSERT_ERRNO(ioctl(kvm, KVM_CREATE_VCPU, 0UL), EINVAL);
	ASSERT_ERRNO(ioctl(kvm, KVM_RUN, 0UL), EINVAL);
	close(kvm);
}

TEST(mmap_dev_kvm_enodev)
{
	int kvm = kvm_open();
	void *p;

	errno = 0;
	p = mmap(NULL, getpagesize(), PROT_READ, MAP_SHARED, kvm, 0);
	ASSERT_TRUE(p == MAP_FAILED);
	ASSERT_EQ(errno, ENODEV);
	close(kvm);
}

TEST(many_opens)
{
	int kvm[8], vm[8];
	int i;

	for (i = 0; i < 8; i++) {
		kvm[i] = kvm_open();
		vm[i] = vm_create(kvm[i]);
	}
	/* Close the device fds first: VMs do not depend on them. */
	for (i = 0; i < 8; i++)
		close(kvm[i]);
	for (i = 0; i < 8; i++)
		ASSERT_EQ(ioctl(vm[i], KVM_CHECK_EXTENSION, KVM_CAP_USER_MEMORY),
			  1);
	for (i = 0; i < 8; i++)
		close(vm[i]);
}

TEST_HARNESS_MAIN
