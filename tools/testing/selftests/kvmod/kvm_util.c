// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers shared by the kvmod selftests.
 */
#include <cpuid.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/resource.h>

#include "test_harness.h"
#include "kvm_util.h"

int kvm_open(void)
{
	int fd = open(KVM_DEV_PATH, O_RDWR | O_CLOEXEC);

	if (fd < 0 && (errno == ENOENT || errno == ENODEV || errno == ENXIO))
		SKIP("%s not available: %s", KVM_DEV_PATH, strerror(errno));
	ASSERT_GE(fd, 0);
	return fd;
}

long kvm_check_cap(int fd, long cap)
{
	long r = ioctl(fd, KVM_CHECK_EXTENSION, cap);

	ASSERT_GE(r, 0);
	return r;
}

long kvm_cap(long cap)
{
	int fd = kvm_open();
	long r = kvm_check_cap(fd, cap);

	close(fd);
	return r;
}

int vm_create(int kvm_fd)
{
	int fd = ioctl(kvm_fd, KVM_CREATE_VM, 0UL);

	ASSERT_GE(fd, 0);
	return fd;
}

int vcpu_create(int vm_fd, unsigned long id)
{
	int fd = ioctl(vm_fd, KVM_CREATE_VCPU, id);

	ASSERT_GE(fd, 0);
	return fd;
}

size_t vcpu_mmap_size(int kvm_fd)
{
	long r = ioctl(kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0UL);

	ASSERT_GE(r, (long)sizeof(struct kvm_run));
	return r;
}

struct kvm_run *vcpu_map_run(int kvm_fd, int vcpu_fd, size_t *size)
{
	size_t sz = vcpu_mmap_size(kvm_fd);
	void *p = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_SHARED,
		       vcpu_fd, 0);

	ASSERT_TRUE(p != MAP_FAILED);
	if (size)
		*size = sz;
	return p;
}

int memslot_set(int vm_fd, uint32_t slot, uint32_t flags, uint64_t gpa,
		uint64_t size, uint64_t uaddr)
{
	struct kvm_userspace_memory_region r = {
		.slot = slot,
		.flags = flags,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = uaddr,
	};

	return ioctl(vm_fd, KVM_SET_USER_MEMORY_REGION, &r);
}

void *host_mem_alloc(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	ASSERT_TRUE(p != MAP_FAILED);
	return p;
}

int nr_address_spaces(int fd)
{
	long n = kvm_check_cap(fd, KVM_CAP_MULTI_ADDRESS_SPACE);

	return n ? n : 1;
}

unsigned int host_phys_bits(void)
{
	unsigned int eax, ebx, ecx, edx;

	if (!__get_cpuid(0x80000000, &eax, &ebx, &ecx, &edx) ||
	    eax < 0x80000008)
		return 36;
	__cpuid(0x80000008, eax, ebx, ecx, edx);
	return eax & 0xff;
}

/* Returns 1 for Y, 0 for N, -1 when the parameter does not exist. */
static int read_bool_param(const char *path)
{
	char buf[8] = "";
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	return buf[0] == 'Y' || buf[0] == 'y' || buf[0] == '1';
}

int kvm_uses_tdp(void)
{
	static const char * const params[] = {
		"/sys/module/kvm_amd/parameters/npt",
		"/sys/module/kvm_intel/parameters/ept",
		"/sys/module/kvmod/parameters/npt",
		"/sys/module/kvmod/parameters/ept",
	};
	unsigned int i;

	/* PVM always shadows the guest's page tables. */
	if (!access("/sys/module/kvm_pvm", F_OK))
		return 0;
	for (i = 0; i < ARRAY_SIZE(params); i++)
		if (read_bool_param(params[i]) == 0)
			return 0;
	return 1;
}

unsigned int memslot_gpa_bits(void)
{
	return kvm_uses_tdp() ? host_phys_bits() : 52;
}

void vcpu_get_regs(int vcpu_fd, struct kvm_regs *regs)
{
	ASSERT_OK(ioctl(vcpu_fd, KVM_GET_REGS, regs));
}

void vcpu_set_regs(int vcpu_fd, const struct kvm_regs *regs)
{
	ASSERT_OK(ioctl(vcpu_fd, KVM_SET_REGS, regs));
}

void vcpu_get_sregs(int vcpu_fd, struct kvm_sregs *sregs)
{
	ASSERT_OK(ioctl(vcpu_fd, KVM_GET_SREGS, sregs));
}

void vcpu_set_sregs(int vcpu_fd, const struct kvm_sregs *sregs)
{
	ASSERT_OK(ioctl(vcpu_fd, KVM_SET_SREGS, sregs));
}

int raise_fd_limit(unsigned long n)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return -1;
	if (rl.rlim_cur >= n)
		return 0;
	if (rl.rlim_max < n)
		rl.rlim_max = n;
	rl.rlim_cur = n;
	return setrlimit(RLIMIT_NOFILE, &rl);
}

int read_msr(int cpu, uint32_t msr, uint64_t *val)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/dev/cpu/%d/msr", cpu);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = pread(fd, val, sizeof(*val), msr);
	if (n != sizeof(*val)) {
		int e = n < 0 ? errno : EIO;

		close(fd);
		return -e;
	}
	close(fd);
	return 0;
}

int nr_cpus_configured(void)
{
	long n = sysconf(_SC_NPROCESSORS_CONF);

	return n > 0 ? (int)n : 1;
}
