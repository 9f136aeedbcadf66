/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Small helpers shared by the kvmod selftests.  The helpers that create
 * objects assert success, so a test only spells out the calls whose
 * outcome it is about.
 */
#ifndef KVMOD_KVM_UTIL_H
#define KVMOD_KVM_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <linux/kvm.h>

#define KVM_DEV_PATH	"/dev/kvm"
#define PAGE_SIZE_4K	4096UL

/* Byte accesses the compiler cannot elide, to touch mapped pages. */
static inline uint8_t peek8(const uint8_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static inline void poke8(uint8_t *p, uint8_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELAXED);
}

/* Open /dev/kvm; skips the test when there is no KVM (module not loaded). */
int kvm_open(void);

/* KVM_CHECK_EXTENSION on any fd (/dev/kvm or a VM fd); asserts it is >= 0. */
long kvm_check_cap(int fd, long cap);

/* Same, but on a private /dev/kvm fd. */
long kvm_cap(long cap);

/* KVM_CREATE_VM with type 0; asserts success. */
int vm_create(int kvm_fd);

/* KVM_CREATE_VCPU; asserts success. */
int vcpu_create(int vm_fd, unsigned long id);

/* KVM_GET_VCPU_MMAP_SIZE; asserts it is at least one page. */
size_t vcpu_mmap_size(int kvm_fd);

/* mmap the vCPU's whole advertised area, shared read/write; asserts. */
struct kvm_run *vcpu_map_run(int kvm_fd, int vcpu_fd, size_t *size);

/*
 * KVM_SET_USER_MEMORY_REGION; returns the ioctl's result with errno
 * untouched so callers can assert either outcome.
 */
int memslot_set(int vm_fd, uint32_t slot, uint32_t flags, uint64_t gpa,
		uint64_t size, uint64_t uaddr);

/* Anonymous, page-aligned host memory for a memslot; asserts. */
void *host_mem_alloc(size_t size);

/* Number of slots KVM_CAP_MULTI_ADDRESS_SPACE allows (0 means 1). */
int nr_address_spaces(int fd);

/* Host MAXPHYADDR from CPUID 0x80000008 (36 if the leaf is missing). */
unsigned int host_phys_bits(void);

/*
 * Whether the loaded KVM uses two-dimensional paging (NPT/EPT), judged by
 * the modules' npt/ept parameters; assumed when none says otherwise.
 */
int kvm_uses_tdp(void);

/*
 * Number of GPA bits a memslot may reach: the host MAXPHYADDR with
 * two-dimensional paging, 52 with shadow paging.
 */
unsigned int memslot_gpa_bits(void);

/* Get/set helpers that assert success. */
void vcpu_get_regs(int vcpu_fd, struct kvm_regs *regs);
void vcpu_set_regs(int vcpu_fd, const struct kvm_regs *regs);
void vcpu_get_sregs(int vcpu_fd, struct kvm_sregs *sregs);
void vcpu_set_sregs(int vcpu_fd, const struct kvm_sregs *sregs);

/* Raise RLIMIT_NOFILE to at least n; returns 0 or -1 (errno set). */
int raise_fd_limit(unsigned long n);

/*
 * Read MSR msr on CPU cpu through /dev/cpu/N/msr.  Returns 0, or -errno
 * (-ENOENT when the msr driver is not available).
 */
int read_msr(int cpu, uint32_t msr, uint64_t *val);

/* Highest possible CPU number + 1 from sysconf. */
int nr_cpus_configured(void);

#endif /* KVMOD_KVM_UTIL_H */
