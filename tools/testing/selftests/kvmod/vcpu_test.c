// SPDX-License-Identifier: GPL-2.0
/*
 * vCPU fd basics: the mmap area (struct kvm_run and the pages after it),
 * and refusal of unknown requests and bad pointers.
 */
#include <sys/ioctl.h>

#include "test_harness.h"
#include "kvm_util.h"

#define KVM_UNKNOWN_IOCTL	_IO(KVMIO, 0xff)
#define FOREIGN_IOCTL		_IOR('Z', 0x42, int)

struct ctx {
	int kvm;
	int vm;
	int vcpu;
};

static void setup(struct ctx *c)
{
	c->kvm = kvm_open();
	c->vm = vm_create(c->kvm);
	c->vcpu = vcpu_create(c->vm, 0);
}

TEST(mmap_every_page)
{
	long pg = getpagesize();
	uint8_t *p;
	size_t size, off;
	struct ctx c;

	setup(&c);
	p = (uint8_t *)vcpu_map_run(c.kvm, c.vcpu, &size);
	TH_LOG("mmap size %zu (%zu pages)", size, size / pg);
	/* Every advertised page must be backed: touching one must not fault. */
	for (off = 0; off < size; off += pg) {
		uint8_t v = peek8(p + off + pg - 1);

		poke8(p + off + pg - 1, v ^ 0x5a);
		ASSERT_EQ(peek8(p + off + pg - 1), v ^ 0x5a);
		poke8(p + off + pg - 1, v);
	}
	ASSERT_OK(munmap(p, size));
}

TEST(mmap_is_shared)
{
	struct kvm_run *a, *b;
	size_t size;
	struct ctx c;

	setup(&c);
	a = vcpu_map_run(c.kvm, c.vcpu, &size);
	b = vcpu_map_run(c.kvm, c.vcpu, NULL);
	ASSERT_TRUE(a != b);
	/* Two mappings of one vCPU see the same kvm_run. */
	a->immediate_exit = 1;
	ASSERT_EQ(b->immediate_exit, 1);
	b->immediate_exit = 0;
	ASSERT_EQ(a->immediate_exit, 0);
	a->kvm_valid_regs = 0x1234;
	ASSERT_EQ(b->kvm_valid_regs, 0x1234);
	a->kvm_valid_regs = 0;
}

TEST(mmap_page_offsets)
{
	long pg = getpagesize();
	unsigned char *all, *one;
	size_t size, i;
	struct ctx c;

	setup(&c);
	all = (unsigned char *)vcpu_map_run(c.kvm, c.vcpu, &size);
	/* Each page can also be mapped on its own, at its own offset. */
	for (i = 0; i < size / pg; i++) {
		one = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED,
			   c.vcpu, i * pg);
		ASSERT_TRUE(one != MAP_FAILED);
		all[i * pg + 8] = 0xa0 + i;
		ASSERT_EQ(one[8], 0xa0 + i);
		ASSERT_OK(munmap(one, pg));
	}
}

TEST(run_page_per_vcpu_ring_per_vm)
{
	long pg = getpagesize();
	unsigned char *m0, *m1;
	int vcpu1;
	long ring;
	size_t size;
	struct ctx c;

	setup(&c);
	vcpu1 = vcpu_create(c.vm, 1);
	m0 = (unsigned char *)vcpu_map_run(c.kvm, c.vcpu, &size);
	m1 = (unsigned char *)vcpu_map_run(c.kvm, vcpu1, NULL);

	/* kvm_run is private to its vCPU... */
	((struct kvm_run *)m0)->immediate_exit = 1;
	ASSERT_EQ(((struct kvm_run *)m1)->immediate_exit, 0);
	((struct kvm_run *)m0)->immediate_exit = 0;

	/* ...the coalesced MMIO ring is one per VM. */
	ring = kvm_check_cap(c.vm, KVM_CAP_COALESCED_MMIO);
	if (!ring)
		SKIP("no KVM_CAP_COALESCED_MMIO");
	ASSERT_LT(ring * pg, (long)size);
	m0[ring * pg + pg - 1] = 0x77;
	ASSERT_EQ(m1[ring * pg + pg - 1], 0x77);
	m0[ring * pg + pg - 1] = 0;
}

TEST(vcpu_unknown_ioctl_einval)
{
	struct kvm_userspace_memory_region mr = { 0 };
	struct ctx c;
	int arg = 0;

	setup(&c);
	ASSERT_ERRNO(ioctl(c.vcpu, KVM_UNKNOWN_IOCTL, 0UL), EINVAL);
	ASSERT_ERRNO(ioctl(c.vcpu, FOREIGN_IOCTL, &arg), EINVAL);
	/* System and VM requests are not vCPU requests. */
	ASSERT_ERRNO(ioctl(c.vcpu, KVM_GET_API_VERSION, 0UL), EINVAL);
	ASSERT_ERRNO(ioctl(c.vcpu, KVM_CREATE_VCPU, 1UL), EINVAL);
	ASSERT_ERRNO(ioctl(c.vcpu, KVM_SET_USER_MEMORY_REGION, &mr), EINVAL);
	/* The vCPU is still fine. */
	ASSERT_GE(ioctl(c.vm, KVM_CREATE_VCPU, 1UL), 0);
}

TEST(vcpu_bad_pointers_efault)
{
	void *bad[] = { NULL, (void *)1, (void *)0xffff888000000000UL };
	struct ctx c;
	unsigned int i;

	setup(&c);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		TH_LOG("pointer %p", bad[i]);
		ASSERT_ERRNO(ioctl(c.vcpu, KVM_GET_REGS, bad[i]), EFAULT);
		ASSERT_ERRNO(ioctl(c.vcpu, KVM_SET_REGS, bad[i]), EFAULT);
		ASSERT_ERRNO(ioctl(c.vcpu, KVM_GET_SREGS, bad[i]), EFAULT);
		ASSERT_ERRNO(ioctl(c.vcpu, KVM_SET_SREGS, bad[i]), EFAULT);
	}
}

TEST(vcpu_partial_pointer_efault)
{
	long pg = getpagesize();
	unsigned char *p;
	struct ctx c;

	setup(&c);
	/* A structure that runs off the end of mapped memory. */
	p = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(p != MAP_FAILED);
	ASSERT_OK(munmap(p + pg, pg));
	p += pg - sizeof(struct kvm_regs) / 2;
	ASSERT_ERRNO(ioctl(c.vcpu, KVM_GET_REGS, p), EFAULT);
	ASSERT_ERRNO(ioctl(c.vcpu, KVM_SET_REGS, p), EFAULT);
	ASSERT_ERRNO(ioctl(c.vcpu, KVM_GET_SREGS, p), EFAULT);
	ASSERT_ERRNO(ioctl(c.vcpu, KVM_SET_SREGS, p), EFAULT);
}

TEST_HARNESS_MAIN
