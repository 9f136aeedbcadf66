// SPDX-License-Identifier: GPL-2.0
/*
 * CPUID ioctls: KVM_GET_SUPPORTED_CPUID on /dev/kvm, KVM_SET_CPUID,
 * KVM_SET_CPUID2 and KVM_GET_CPUID2 on a vCPU.
 *
 * Everything asserted here holds on the real KVM (Linux 6.1) as well as on
 * kvmod; what kvmod deliberately reports differently (features it cannot
 * virtualize yet) is checked only when kvmod is the loaded hypervisor.
 * No guest runs: the guest's CPUID instruction is not exercised.
 */
#include <cpuid.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/ioctl.h>

#include "test_harness.h"
#include "kvm_util.h"

/* KVM's KVM_MAX_CPUID_ENTRIES; not part of the UAPI headers. */
#define MAX_CPUID_ENTRIES	256

#define SIG_INDEX		KVM_CPUID_FLAG_SIGNIFCANT_INDEX

/* Leaf 1 ECX */
#define F1C_MONITOR		(1u << 3)
#define F1C_DS_CPL		(1u << 4)
#define F1C_VMX			(1u << 5)
#define F1C_SMX			(1u << 6)
#define F1C_EST			(1u << 7)
#define F1C_TM2			(1u << 8)
#define F1C_XTPR		(1u << 14)
#define F1C_PDCM		(1u << 15)
#define F1C_PCID		(1u << 17)
#define F1C_DCA			(1u << 18)
#define F1C_X2APIC		(1u << 21)
#define F1C_TSC_DEADLINE	(1u << 24)
#define F1C_XSAVE		(1u << 26)
#define F1C_OSXSAVE		(1u << 27)
#define F1C_HYPERVISOR		(1u << 31)
#define F1C_DTES64		(1u << 2)
/* Leaf 1 EDX */
#define F1D_APIC		(1u << 9)
#define F1D_PSN			(1u << 18)
#define F1D_DS			(1u << 21)
#define F1D_ACPI		(1u << 22)
#define F1D_HTT			(1u << 28)
#define F1D_TM			(1u << 29)
#define F1D_PBE			(1u << 31)
/* Leaf 7.0 */
#define F7B_TSC_ADJUST		(1u << 1)
#define F7B_INVPCID		(1u << 10)
#define F7C_PKU			(1u << 3)
#define F7C_OSPKE		(1u << 4)
#define F7C_WAITPKG		(1u << 5)
#define F7C_RDPID		(1u << 22)
/* Leaf 0xD.1 EAX */
#define FD1A_XSAVEC		(1u << 1)
#define FD1A_XSAVES		(1u << 3)
/* Leaf 0x80000001 */
#define F81C_SVM		(1u << 2)
#define F81C_MWAITX		(1u << 29)
#define F81D_GBPAGES		(1u << 26)
#define F81D_RDTSCP		(1u << 27)

#define X86_CR4_OSXSAVE_BIT	(1ull << 18)
#define APIC_BASE_EN		(1ull << 11)
/* XCR0 bit of the AMX tile data, the one dynamic (XFD) state in 6.1. */
#define XFEATURE_XTILEDATA_BIT	(1u << 18)

/* The legacy XSAVE area plus header: the size for XCR0 = x87 (or x87|SSE). */
#define XSAVE_LEGACY_SIZE	576

static struct kvm_cpuid2 *cpuid2_alloc(uint32_t nent)
{
	struct kvm_cpuid2 *c;

	c = calloc(1, sizeof(*c) + nent * sizeof(c->entries[0]));
	ASSERT_TRUE(c != NULL);
	c->nent = nent;
	return c;
}

/* The whole supported table, asserting success. */
static struct kvm_cpuid2 *get_supported(int kvm)
{
	struct kvm_cpuid2 *c = cpuid2_alloc(MAX_CPUID_ENTRIES);

	ASSERT_OK(ioctl(kvm, KVM_GET_SUPPORTED_CPUID, c));
	ASSERT_GE(c->nent, 1);
	ASSERT_LE(c->nent, MAX_CPUID_ENTRIES);
	return c;
}

/* The entry for (function, index) the way a lookup by CPUID would see it. */
static struct kvm_cpuid_entry2 *find(struct kvm_cpuid2 *c, uint32_t fn,
				     uint32_t idx)
{
	uint32_t i;

	for (i = 0; i < c->nent; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[i];

		if (e->function != fn)
			continue;
		if (!(e->flags & SIG_INDEX) || e->index == idx)
			return e;
	}
	return NULL;
}

static void host_cpuid(uint32_t fn, uint32_t idx, uint32_t r[4])
{
	__cpuid_count(fn, idx, r[0], r[1], r[2], r[3]);
}

static uint64_t host_xcr0(void)
{
	uint32_t r[4], lo, hi;

	host_cpuid(1, 0, r);
	if (!(r[2] & F1C_OSXSAVE))
		return 0;
	asm volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return ((uint64_t)hi << 32) | lo;
}

static bool on_kvmod(void)
{
	return !access("/sys/module/kvmod", F_OK);
}

static void dump(const char *what, struct kvm_cpuid2 *c)
{
	uint32_t i;

	TH_LOG("%s: %u entries", what, c->nent);
	for (i = 0; i < c->nent; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[i];

		TH_LOG("  %08x.%-2u f%u: %08x %08x %08x %08x", e->function,
		       e->index, e->flags, e->eax, e->ebx, e->ecx, e->edx);
	}
}

/* A page followed by an unmapped one: structures that run off its end. */
static unsigned char *page_before_hole(void)
{
	long pg = getpagesize();
	unsigned char *p;

	p = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(p != MAP_FAILED);
	ASSERT_OK(munmap(p + pg, pg));
	return p;
}

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

static void set_cpuid2(int vcpu, struct kvm_cpuid2 *c)
{
	ASSERT_OK(ioctl(vcpu, KVM_SET_CPUID2, c));
}

/* The vCPU's table, sized exactly by a first failing call. */
static struct kvm_cpuid2 *get_cpuid2(int vcpu, uint32_t nent)
{
	struct kvm_cpuid2 *c = cpuid2_alloc(nent);

	ASSERT_OK(ioctl(vcpu, KVM_GET_CPUID2, c));
	return c;
}

/* A table of n arbitrary entries no CPUID rule of KVM looks at. */
static struct kvm_cpuid2 *opaque_table(uint32_t n)
{
	struct kvm_cpuid2 *c = cpuid2_alloc(n);
	uint32_t i;

	for (i = 0; i < n; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[i];

		e->function = 0x40000200 + i;
		e->index = i % 3;
		e->flags = i & 1 ? SIG_INDEX : 0;
		e->eax = 0x11110000 + i;
		e->ebx = 0x22220000 + i;
		e->ecx = 0x33330000 + i;
		e->edx = 0x44440000 + i;
	}
	return c;
}

TEST(supported_dump)
{
	struct kvm_cpuid2 *c = get_supported(kvm_open());

	dump(on_kvmod() ? "kvmod" : "kvm", c);
}

TEST(supported_nent_zero_e2big)
{
	struct kvm_cpuid2 *c = cpuid2_alloc(4);
	int kvm = kvm_open();

	c->nent = 0;
	ASSERT_ERRNO(ioctl(kvm, KVM_GET_SUPPORTED_CPUID, c), E2BIG);
	ASSERT_EQ(c->nent, 0);
}

TEST(supported_nent_too_small_e2big)
{
	int kvm = kvm_open();
	uint32_t n = get_supported(kvm)->nent, small[] = { 1, n / 2, n - 1 };
	struct kvm_cpuid2 *c = cpuid2_alloc(n);
	unsigned int i, j;

	ASSERT_GE(n, 2);
	for (i = 0; i < ARRAY_SIZE(small); i++) {
		if (!small[i])
			continue;
		TH_LOG("nent %u of %u", small[i], n);
		memset(c->entries, 0xa5, n * sizeof(c->entries[0]));
		c->nent = small[i];
		ASSERT_ERRNO(ioctl(kvm, KVM_GET_SUPPORTED_CPUID, c), E2BIG);
		/* Nothing is written back on failure, not even nent. */
		ASSERT_EQ(c->nent, small[i]);
		for (j = 0; j < n * sizeof(c->entries[0]); j++)
			ASSERT_EQ(((unsigned char *)c->entries)[j], 0xa5);
	}
}

TEST(supported_nent_exact_fit)
{
	int kvm = kvm_open();
	struct kvm_cpuid2 *all = get_supported(kvm);
	struct kvm_cpuid2 *c = cpuid2_alloc(all->nent + 8);
	uint32_t i;

	c->nent = all->nent;
	ASSERT_OK(ioctl(kvm, KVM_GET_SUPPORTED_CPUID, c));
	ASSERT_EQ(c->nent, all->nent);
	/* Same leaves in the same order (values may name the current CPU). */
	for (i = 0; i < c->nent; i++) {
		ASSERT_EQ(c->entries[i].function, all->entries[i].function);
		ASSERT_EQ(c->entries[i].index, all->entries[i].index);
		ASSERT_EQ(c->entries[i].flags, all->entries[i].flags);
	}
	/* A larger buffer is trimmed to what was written; the rest untouched. */
	memset(c->entries, 0x5a, (all->nent + 8) * sizeof(c->entries[0]));
	c->nent = all->nent + 8;
	ASSERT_OK(ioctl(kvm, KVM_GET_SUPPORTED_CPUID, c));
	ASSERT_EQ(c->nent, all->nent);
	ASSERT_EQ(c->entries[all->nent].function, 0x5a5a5a5a);
}

TEST(supported_nent_above_limit_clamped)
{
	uint32_t big[] = { MAX_CPUID_ENTRIES + 1, 100000, 0xffffffff };
	struct kvm_cpuid2 *c = cpuid2_alloc(MAX_CPUID_ENTRIES);
	int kvm = kvm_open();
	uint32_t n = get_supported(kvm)->nent;
	unsigned int i;

	/* More room than the limit is not an error: only the limit is used. */
	for (i = 0; i < ARRAY_SIZE(big); i++) {
		c->nent = big[i];
		ASSERT_OK(ioctl(kvm, KVM_GET_SUPPORTED_CPUID, c));
		ASSERT_EQ(c->nent, n);
	}
}

TEST(supported_bad_pointer_efault)
{
	struct kvm_cpuid2 *c;
	unsigned char *p;
	int kvm = kvm_open();

	ASSERT_ERRNO(ioctl(kvm, KVM_GET_SUPPORTED_CPUID, NULL), EFAULT);
	ASSERT_ERRNO(ioctl(kvm, KVM_GET_SUPPORTED_CPUID, (void *)1), EFAULT);
	/* Header readable, entries in unmapped memory. */
	p = page_before_hole();
	c = (struct kvm_cpuid2 *)(p + getpagesize() - sizeof(*c));
	c->nent = MAX_CPUID_ENTRIES;
	ASSERT_ERRNO(ioctl(kvm, KVM_GET_SUPPORTED_CPUID, c), EFAULT);
	/* Too small is found before the entries are written. */
	c->nent = 1;
	ASSERT_ERRNO(ioctl(kvm, KVM_GET_SUPPORTED_CPUID, c), E2BIG);
}

TEST(supported_leaf_ranges)
{
	struct kvm_cpuid2 *c = get_supported(kvm_open());
	struct kvm_cpuid_entry2 *basic, *ext;
	uint32_t i, j;

	basic = find(c, 0, 0);
	ext = find(c, 0x80000000, 0);
	ASSERT_TRUE(basic != NULL);
	ASSERT_TRUE(ext != NULL);
	ASSERT_GE(basic->eax, 1);
	ASSERT_GE(ext->eax, 0x80000001);
	for (i = 0; i < c->nent; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[i];

		/* Every leaf is within the range its class announces. */
		if (e->function < 0x40000000)
			ASSERT_LE(e->function, basic->eax);
		else if (e->function >= 0x80000000 && e->function < 0xc0000000)
			ASSERT_LE(e->function, ext->eax);
		/* Sub-leaves only where the index matters, no duplicates. */
		if (e->index)
			ASSERT_TRUE(e->flags & SIG_INDEX);
		ASSERT_EQ(e->flags & ~SIG_INDEX, 0);
		ASSERT_EQ(e->padding[0] | e->padding[1] | e->padding[2], 0);
		for (j = i + 1; j < c->nent; j++)
			ASSERT_FALSE(c->entries[j].function == e->function &&
				     c->entries[j].index == e->index);
		if (e->function == 7 || e->function == 0xd || e->function == 4)
			ASSERT_TRUE(e->flags & SIG_INDEX);
	}
	/* Every basic leaf up to the maximum is described. */
	for (i = 0; i <= basic->eax && i < 0x20; i++)
		EXPECT_TRUE(find(c, i, 0) != NULL);
}

TEST(supported_identity_is_host)
{
	struct kvm_cpuid2 *c = get_supported(kvm_open());
	struct kvm_cpuid_entry2 *e;
	uint32_t r[4];

	host_cpuid(0, 0, r);
	e = find(c, 0, 0);
	ASSERT_TRUE(e != NULL);
	EXPECT_EQ(e->ebx, r[1]);
	EXPECT_EQ(e->ecx, r[2]);
	EXPECT_EQ(e->edx, r[3]);
	EXPECT_TRUE(e->eax <= r[0]);
	/* Family, model, stepping. */
	host_cpuid(1, 0, r);
	e = find(c, 1, 0);
	ASSERT_TRUE(e != NULL);
	EXPECT_EQ(e->eax, r[0]);
	host_cpuid(0x80000000, 0, r);
	e = find(c, 0x80000000, 0);
	ASSERT_TRUE(e != NULL);
	EXPECT_TRUE(e->eax <= r[0] || r[0] < 0x80000021);
}

TEST(supported_features_within_host)
{
	struct kvm_cpuid2 *c = get_supported(kvm_open());
	struct kvm_cpuid_entry2 *e;
	uint32_t r[4];

	/* Only what the host has, apart from what KVM emulates anyway. */
	host_cpuid(1, 0, r);
	e = find(c, 1, 0);
	ASSERT_TRUE(e != NULL);
	EXPECT_EQ(e->ecx & ~(r[2] | F1C_X2APIC | F1C_HYPERVISOR), 0);
	EXPECT_EQ(e->edx & ~r[3], 0);
	e = find(c, 7, 0);
	if (e) {
		host_cpuid(7, 0, r);
		EXPECT_EQ(e->ebx & ~(r[1] | F7B_TSC_ADJUST), 0);
		EXPECT_EQ(e->ecx & ~r[2], 0);
	}
	e = find(c, 0x80000001, 0);
	ASSERT_TRUE(e != NULL);
	host_cpuid(0x80000001, 0, r);
	EXPECT_EQ(e->ecx & ~r[2], 0);
	/* Shadow paging can offer 1 GiB pages the host lacks. */
	EXPECT_EQ(e->edx & ~(r[3] | F81D_GBPAGES), 0);
}

TEST(supported_never_reported)
{
	struct kvm_cpuid2 *c = get_supported(kvm_open());
	struct kvm_cpuid_entry2 *e;

	/* Dynamic bits, and host-only facilities neither hypervisor offers. */
	e = find(c, 1, 0);
	ASSERT_TRUE(e != NULL);
	EXPECT_EQ(e->ecx & (F1C_OSXSAVE | F1C_MONITOR | F1C_DTES64 |
			    F1C_DS_CPL | F1C_SMX | F1C_EST | F1C_TM2 |
			    F1C_XTPR | F1C_DCA), 0);
	EXPECT_EQ(e->edx & (F1D_PSN | F1D_DS | F1D_ACPI | F1D_HTT | F1D_TM |
			    F1D_PBE), 0);
	e = find(c, 7, 0);
	if (e)
		EXPECT_EQ(e->ecx & F7C_OSPKE, 0);
	/* Leaf 5 (MONITOR/MWAIT) says nothing. */
	e = find(c, 5, 0);
	if (e)
		EXPECT_EQ(e->eax | e->ebx | e->ecx | e->edx, 0);
}

TEST(supported_xsave_layout)
{
	struct kvm_cpuid2 *c = get_supported(kvm_open());
	struct kvm_cpuid_entry2 *e, *d0, *di;
	uint64_t xcr0, host = host_xcr0();
	uint32_t r[4], max = XSAVE_LEGACY_SIZE;
	unsigned int i;

	e = find(c, 1, 0);
	ASSERT_TRUE(e != NULL);
	if (!(e->ecx & F1C_XSAVE))
		SKIP("XSAVE not supported");
	d0 = find(c, 0xd, 0);
	ASSERT_TRUE(d0 != NULL);
	xcr0 = ((uint64_t)d0->edx << 32) | d0->eax;
	TH_LOG("supported XCR0 %#llx, host XCR0 %#llx",
	       (unsigned long long)xcr0, (unsigned long long)host);
	ASSERT_EQ(xcr0 & 3, 3);
	EXPECT_EQ(xcr0 & ~host, 0);
	for (i = 2; i < 64; i++) {
		if (!(xcr0 & (1ull << i)))
			continue;
		di = find(c, 0xd, i);
		ASSERT_TRUE(di != NULL);
		ASSERT_EQ(di->index, i);
		/* Offsets and sizes are the host's; user states only. */
		host_cpuid(0xd, i, r);
		EXPECT_EQ(di->eax, r[0]);
		EXPECT_EQ(di->ebx, r[1]);
		EXPECT_EQ(di->ecx & 1, 0);
		ASSERT_GT(di->eax, 0);
		if (di->ebx + di->eax > max)
			max = di->ebx + di->eax;
	}
	/* ECX: the size needed for every supported state. */
	EXPECT_EQ(d0->ecx, max);
	/* No supervisor states. */
	di = find(c, 0xd, 1);
	if (di)
		EXPECT_EQ(di->ecx | di->edx, 0);
}

TEST(supported_address_widths)
{
	struct kvm_cpuid2 *c = get_supported(kvm_open());
	struct kvm_cpuid_entry2 *e;
	unsigned int vbits;

	e = find(c, 0x80000008, 0);
	if (find(c, 0x80000000, 0)->eax < 0x80000008 || !e)
		SKIP("no leaf 0x80000008");
	vbits = (e->eax >> 8) & 0xff;
	TH_LOG("phys %u, virt %u", e->eax & 0xff, vbits);
	ASSERT_TRUE(vbits == 48 || vbits == 57);
	if (kvm_uses_tdp())
		EXPECT_EQ(e->eax & 0xff, host_phys_bits());
	EXPECT_EQ(e->edx, 0);
}

TEST(supported_kvmod_leaves_out_what_it_cannot_virtualize)
{
	struct kvm_cpuid2 *c;
	struct kvm_cpuid_entry2 *e;
	uint32_t i;

	if (!on_kvmod())
		SKIP("the real KVM virtualizes these");
	c = get_supported(kvm_open());
	e = find(c, 1, 0);
	ASSERT_TRUE(e != NULL);
	/* x2APIC is emulated (with the in-kernel APIC), as on KVM. */
	EXPECT_EQ(e->ecx & (F1C_TSC_DEADLINE | F1C_PCID | F1C_VMX |
			    F1C_PDCM | F1C_MONITOR), 0);
	EXPECT_NE(e->ecx & F1C_X2APIC, 0);
	e = find(c, 7, 0);
	if (e) {
		EXPECT_EQ(e->ebx & F7B_INVPCID, 0);
		EXPECT_EQ(e->ecx & (F7C_PKU | F7C_RDPID | F7C_WAITPKG), 0);
	}
	e = find(c, 0xd, 1);
	if (e)
		EXPECT_EQ(e->eax & FD1A_XSAVES, 0);
	e = find(c, 0xa, 0);
	if (e)
		EXPECT_EQ(e->eax | e->ebx | e->ecx | e->edx, 0);
	e = find(c, 0x80000001, 0);
	ASSERT_TRUE(e != NULL);
	EXPECT_EQ(e->ecx & (F81C_SVM | F81C_MWAITX), 0);
	EXPECT_EQ(e->edx & F81D_RDTSCP, 0);
	/* The KVM signature, with no paravirtual feature behind it. */
	e = find(c, 0x40000000, 0);
	ASSERT_TRUE(e != NULL);
	EXPECT_EQ(e->eax, 0x40000001);
	EXPECT_EQ(e->ebx, 0x4b4d564b);
	EXPECT_EQ(e->ecx, 0x564b4d56);
	EXPECT_EQ(e->edx, 0x4d);
	e = find(c, 0x40000001, 0);
	ASSERT_TRUE(e != NULL);
	EXPECT_EQ(e->eax | e->ebx | e->ecx | e->edx, 0);
	/* And nothing else in the hypervisor range. */
	for (i = 0; i < c->nent; i++)
		EXPECT_TRUE(c->entries[i].function < 0x40000002 ||
			    c->entries[i].function >= 0x50000000);
}

TEST(get_cpuid2_before_set)
{
	struct kvm_cpuid2 *c = cpuid2_alloc(4);
	struct ctx x;

	setup(&x);
	/* No table yet: any room is enough and nothing is written. */
	c->nent = 0;
	ASSERT_OK(ioctl(x.vcpu, KVM_GET_CPUID2, c));
	ASSERT_EQ(c->nent, 0);
	c->nent = 4;
	c->entries[0].function = 0x12345678;
	ASSERT_OK(ioctl(x.vcpu, KVM_GET_CPUID2, c));
	TH_LOG("nent after GET_CPUID2 of an empty table: %u", c->nent);
	ASSERT_EQ(c->entries[0].function, 0x12345678);
}

TEST(set_get_round_trip_opaque)
{
	struct kvm_cpuid2 *in = opaque_table(40), *out;
	struct ctx x;
	uint32_t i;

	setup(&x);
	in->entries[5].padding[0] = 0xdead;
	in->entries[6].padding[2] = 0xbeef;
	in->entries[7].flags = 0x6;
	set_cpuid2(x.vcpu, in);
	out = get_cpuid2(x.vcpu, 40);
	/* Entries no CPUID rule touches come back byte for byte. */
	ASSERT_EQ(memcmp(in->entries, out->entries, 40 * sizeof(in->entries[0])), 0);
	/* A second SET replaces the table. */
	in->nent = 3;
	for (i = 0; i < 3; i++)
		in->entries[i].eax = ~in->entries[i].eax;
	set_cpuid2(x.vcpu, in);
	out = get_cpuid2(x.vcpu, 3);
	ASSERT_EQ(memcmp(in->entries, out->entries, 3 * sizeof(in->entries[0])), 0);
}

TEST(set_get_round_trip_supported)
{
	struct ctx x;
	struct kvm_cpuid2 *sup, *out;
	struct kvm_cpuid_entry2 *a, *b;
	uint32_t i, r[4];

	setup(&x);
	sup = get_supported(x.kvm);
	set_cpuid2(x.vcpu, sup);
	out = get_cpuid2(x.vcpu, sup->nent);
	ASSERT_EQ(out->nent, sup->nent);
	host_cpuid(1, 0, r);
	for (i = 0; i < sup->nent; i++) {
		uint32_t ecx_mask = ~0u, edx_mask = ~0u, ebx_mask = ~0u;

		a = &sup->entries[i];
		b = &out->entries[i];
		ASSERT_EQ(b->function, a->function);
		ASSERT_EQ(b->index, a->index);
		ASSERT_EQ(b->flags, a->flags);
		/* What KVM keeps live follows the vCPU, not the table. */
		if (a->function == 1) {
			ecx_mask = ~F1C_OSXSAVE;
			edx_mask = ~F1D_APIC;
		}
		if (a->function == 7 && a->index == 0)
			ecx_mask = ~F7C_OSPKE;
		if (a->function == 0xd && a->index <= 1)
			ebx_mask = 0;
		EXPECT_EQ(b->eax, a->eax);
		EXPECT_EQ(b->ebx & ebx_mask, a->ebx & ebx_mask);
		EXPECT_EQ(b->ecx & ecx_mask, a->ecx & ecx_mask);
		EXPECT_EQ(b->edx & edx_mask, a->edx & edx_mask);
	}
	/* After reset: CR4.OSXSAVE clear, the APIC enabled, XCR0 = x87. */
	b = find(out, 1, 0);
	ASSERT_TRUE(b != NULL);
	EXPECT_EQ(b->ecx & F1C_OSXSAVE, 0);
	EXPECT_EQ(b->edx & F1D_APIC, F1D_APIC);
	b = find(out, 0xd, 0);
	if (b)
		EXPECT_EQ(b->ebx, XSAVE_LEGACY_SIZE);
}

TEST(get_cpuid2_e2big)
{
	struct kvm_cpuid2 *in = opaque_table(10), *c = cpuid2_alloc(10);
	struct ctx x;
	uint32_t small[] = { 0, 1, 9 };
	unsigned int i;

	setup(&x);
	set_cpuid2(x.vcpu, in);
	for (i = 0; i < ARRAY_SIZE(small); i++) {
		memset(c->entries, 0xa5, 10 * sizeof(c->entries[0]));
		c->nent = small[i];
		ASSERT_ERRNO(ioctl(x.vcpu, KVM_GET_CPUID2, c), E2BIG);
		TH_LOG("nent %u: E2BIG, nent now %u", small[i], c->nent);
		ASSERT_EQ(c->nent, small[i]);
		ASSERT_EQ(c->entries[0].function, 0xa5a5a5a5);
	}
	/* Enough room: the table, and nent as the caller left it. */
	c->nent = 10;
	ASSERT_OK(ioctl(x.vcpu, KVM_GET_CPUID2, c));
	ASSERT_EQ(c->nent, 10);
	ASSERT_EQ(memcmp(in->entries, c->entries, 10 * sizeof(c->entries[0])), 0);
	free(c);
	c = cpuid2_alloc(20);
	ASSERT_OK(ioctl(x.vcpu, KVM_GET_CPUID2, c));
	TH_LOG("nent after GET_CPUID2 of 10 entries into 20: %u", c->nent);
	ASSERT_EQ(memcmp(in->entries, c->entries, 10 * sizeof(c->entries[0])), 0);
}

TEST(set_cpuid2_too_many_e2big)
{
	struct kvm_cpuid2 *in = opaque_table(MAX_CPUID_ENTRIES + 1), *out;
	uint32_t big[] = { MAX_CPUID_ENTRIES + 1, 0x10000, 0xffffffff };
	struct ctx x;
	unsigned int i;

	setup(&x);
	in->nent = 4;
	set_cpuid2(x.vcpu, in);
	for (i = 0; i < ARRAY_SIZE(big); i++) {
		in->nent = big[i];
		ASSERT_ERRNO(ioctl(x.vcpu, KVM_SET_CPUID2, in), E2BIG);
	}
	/* The table set before is still there. */
	out = get_cpuid2(x.vcpu, 4);
	ASSERT_EQ(memcmp(in->entries, out->entries, 4 * sizeof(in->entries[0])), 0);
	out->nent = 3;
	ASSERT_ERRNO(ioctl(x.vcpu, KVM_GET_CPUID2, out), E2BIG);
	/* The limit itself is fine. */
	in->nent = MAX_CPUID_ENTRIES;
	set_cpuid2(x.vcpu, in);
	out = get_cpuid2(x.vcpu, MAX_CPUID_ENTRIES);
	ASSERT_EQ(memcmp(in->entries, out->entries,
			 MAX_CPUID_ENTRIES * sizeof(in->entries[0])), 0);
}

TEST(set_cpuid2_empty_table)
{
	struct kvm_cpuid2 *in = opaque_table(4), *c;
	struct ctx x;

	setup(&x);
	set_cpuid2(x.vcpu, in);
	/* nent 0 clears the table; the entries are not even read. */
	c = (struct kvm_cpuid2 *)(page_before_hole() + getpagesize() -
				  sizeof(*c));
	c->nent = 0;
	ASSERT_OK(ioctl(x.vcpu, KVM_SET_CPUID2, c));
	ASSERT_OK(ioctl(x.vcpu, KVM_GET_CPUID2, c));
	ASSERT_EQ(c->nent, 0);
}

TEST(set_cpuid_legacy)
{
	struct kvm_cpuid *in;
	struct kvm_cpuid2 *out;
	struct ctx x;
	uint32_t i, n = 6;

	setup(&x);
	in = calloc(1, sizeof(*in) + (MAX_CPUID_ENTRIES + 1) *
		    sizeof(in->entries[0]));
	ASSERT_TRUE(in != NULL);
	for (i = 0; i < n; i++) {
		in->entries[i].function = 0x40000300 + i;
		in->entries[i].eax = 0xa0 + i;
		in->entries[i].ebx = 0xb0 + i;
		in->entries[i].ecx = 0xc0 + i;
		in->entries[i].edx = 0xd0 + i;
		in->entries[i].padding = 0x77;
	}
	in->nent = n;
	ASSERT_OK(ioctl(x.vcpu, KVM_SET_CPUID, in));
	out = get_cpuid2(x.vcpu, n);
	/* Index, flags and padding come back zero. */
	for (i = 0; i < n; i++) {
		struct kvm_cpuid_entry2 *e = &out->entries[i];

		EXPECT_EQ(e->function, 0x40000300 + i);
		EXPECT_EQ(e->index, 0);
		EXPECT_EQ(e->flags, 0);
		EXPECT_EQ(e->eax, 0xa0 + i);
		EXPECT_EQ(e->ebx, 0xb0 + i);
		EXPECT_EQ(e->ecx, 0xc0 + i);
		EXPECT_EQ(e->edx, 0xd0 + i);
		EXPECT_EQ(e->padding[0] | e->padding[1] | e->padding[2], 0);
	}
	in->nent = MAX_CPUID_ENTRIES + 1;
	ASSERT_ERRNO(ioctl(x.vcpu, KVM_SET_CPUID, in), E2BIG);
	in->nent = MAX_CPUID_ENTRIES;
	ASSERT_OK(ioctl(x.vcpu, KVM_SET_CPUID, in));
	ASSERT_ERRNO(ioctl(x.vcpu, KVM_SET_CPUID, NULL), EFAULT);
}

TEST(set_cpuid2_bad_pointer_efault)
{
	struct kvm_cpuid2 *c, *in = opaque_table(4), *out;
	unsigned char *p;
	struct ctx x;

	setup(&x);
	set_cpuid2(x.vcpu, in);
	ASSERT_ERRNO(ioctl(x.vcpu, KVM_SET_CPUID2, NULL), EFAULT);
	ASSERT_ERRNO(ioctl(x.vcpu, KVM_GET_CPUID2, NULL), EFAULT);
	ASSERT_ERRNO(ioctl(x.vcpu, KVM_SET_CPUID2, (void *)1), EFAULT);
	/* Header readable, entries in unmapped memory. */
	p = page_before_hole();
	c = (struct kvm_cpuid2 *)(p + getpagesize() - sizeof(*c));
	c->nent = 2;
	ASSERT_ERRNO(ioctl(x.vcpu, KVM_SET_CPUID2, c), EFAULT);
	c->nent = 4;
	ASSERT_ERRNO(ioctl(x.vcpu, KVM_GET_CPUID2, c), EFAULT);
	/* Too small is found before the entries are written. */
	c->nent = 3;
	ASSERT_ERRNO(ioctl(x.vcpu, KVM_GET_CPUID2, c), E2BIG);
	/* A failed SET left the old table. */
	out = get_cpuid2(x.vcpu, 4);
	ASSERT_EQ(memcmp(in->entries, out->entries, 4 * sizeof(in->entries[0])), 0);
}

TEST(set_cpuid2_virtual_address_width)
{
	struct kvm_cpuid2 *in = opaque_table(2), *out;
	uint32_t ok[] = { 0, 48, 57 }, bad[] = { 32, 39, 47, 52, 64, 255 };
	struct ctx x;
	unsigned int i;

	setup(&x);
	in->entries[1].function = 0x80000008;
	in->entries[1].flags = 0;
	for (i = 0; i < ARRAY_SIZE(ok); i++) {
		in->entries[1].eax = 40 | ok[i] << 8;
		set_cpuid2(x.vcpu, in);
	}
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		in->entries[1].eax = 40 | bad[i] << 8;
		ASSERT_ERRNO(ioctl(x.vcpu, KVM_SET_CPUID2, in), EINVAL);
	}
	/* The last good table stays. */
	out = get_cpuid2(x.vcpu, 2);
	ASSERT_EQ(out->entries[1].eax, 40 | 57 << 8);
}

TEST(set_cpuid2_dynamic_xstate_needs_permission)
{
	struct kvm_cpuid2 *in = opaque_table(1);
	struct ctx x;

	setup(&x);
	/* AMX tile data without ARCH_REQ_XCOMP_GUEST_PERM. */
	in->entries[0].function = 0xd;
	in->entries[0].index = 0;
	in->entries[0].flags = SIG_INDEX;
	in->entries[0].eax = 3 | XFEATURE_XTILEDATA_BIT;
	in->entries[0].edx = 0;
	ASSERT_ERRNO(ioctl(x.vcpu, KVM_SET_CPUID2, in), EPERM);
	in->entries[0].eax = 3;
	set_cpuid2(x.vcpu, in);
}

TEST(xsave_size_follows_xcr0)
{
	struct kvm_cpuid2 *in = opaque_table(3), *out;
	struct ctx x;

	setup(&x);
	in->entries[0].function = 0xd;
	in->entries[0].index = 0;
	in->entries[0].flags = SIG_INDEX;
	in->entries[0].eax = 7;
	in->entries[0].ebx = 0x1234;
	in->entries[1].function = 0xd;
	in->entries[1].index = 1;
	in->entries[1].flags = SIG_INDEX;
	in->entries[1].eax = FD1A_XSAVEC;
	in->entries[1].ebx = 0x999;
	in->entries[2].function = 0xd;
	in->entries[2].index = 2;
	in->entries[2].flags = SIG_INDEX;
	in->entries[2].ebx = 0x888;
	set_cpuid2(x.vcpu, in);
	out = get_cpuid2(x.vcpu, 3);
	/* Sizes for the current XCR0 (x87 after reset), not the table's. */
	EXPECT_EQ(out->entries[0].ebx, XSAVE_LEGACY_SIZE);
	EXPECT_EQ(out->entries[1].ebx, XSAVE_LEGACY_SIZE);
	EXPECT_EQ(out->entries[2].ebx, 0x888);
	/* Without XSAVEC/XSAVES sub-leaf 1 EBX is left alone. */
	in->entries[1].eax = 0;
	set_cpuid2(x.vcpu, in);
	out = get_cpuid2(x.vcpu, 3);
	EXPECT_EQ(out->entries[1].ebx, 0x999);
}

TEST(apic_bit_follows_apic_base)
{
	struct kvm_cpuid2 *in = opaque_table(1), *out;
	struct kvm_sregs s;
	struct ctx x;

	setup(&x);
	in->entries[0].function = 1;
	in->entries[0].flags = 0;
	in->entries[0].index = 0;
	in->entries[0].edx = 0;
	set_cpuid2(x.vcpu, in);
	/* The APIC is enabled after reset: the bit is set whatever we say. */
	out = get_cpuid2(x.vcpu, 1);
	EXPECT_EQ(out->entries[0].edx, F1D_APIC);
	vcpu_get_sregs(x.vcpu, &s);
	s.apic_base &= ~APIC_BASE_EN;
	vcpu_set_sregs(x.vcpu, &s);
	out = get_cpuid2(x.vcpu, 1);
	EXPECT_EQ(out->entries[0].edx, 0);
	/* Set in the table, but the APIC is now off. */
	in->entries[0].edx = F1D_APIC | 1;
	set_cpuid2(x.vcpu, in);
	out = get_cpuid2(x.vcpu, 1);
	EXPECT_EQ(out->entries[0].edx, 1);
	s.apic_base |= APIC_BASE_EN;
	vcpu_set_sregs(x.vcpu, &s);
	out = get_cpuid2(x.vcpu, 1);
	EXPECT_EQ(out->entries[0].edx, F1D_APIC | 1);
}

TEST(osxsave_bit_follows_cr4)
{
	struct kvm_cpuid2 *in = opaque_table(1), *out;
	struct kvm_sregs s;
	struct ctx x;
	uint32_t r[4];

	setup(&x);
	host_cpuid(1, 0, r);
	in->entries[0].function = 1;
	in->entries[0].flags = 0;
	in->entries[0].index = 0;
	in->entries[0].ecx = F1C_XSAVE | F1C_OSXSAVE;
	set_cpuid2(x.vcpu, in);
	out = get_cpuid2(x.vcpu, 1);
	if (!(r[2] & F1C_XSAVE)) {
		/* Without host XSAVE the bit is not managed at all. */
		EXPECT_EQ(out->entries[0].ecx, F1C_XSAVE | F1C_OSXSAVE);
		SKIP("host has no XSAVE");
	}
	/* CR4.OSXSAVE is clear after reset. */
	EXPECT_EQ(out->entries[0].ecx, F1C_XSAVE);
	vcpu_get_sregs(x.vcpu, &s);
	s.cr4 |= X86_CR4_OSXSAVE_BIT;
	vcpu_set_sregs(x.vcpu, &s);
	out = get_cpuid2(x.vcpu, 1);
	EXPECT_EQ(out->entries[0].ecx, F1C_XSAVE | F1C_OSXSAVE);
}

TEST(cr4_osxsave_needs_guest_xsave)
{
	struct kvm_cpuid2 *in = opaque_table(1);
	struct kvm_sregs s;
	struct ctx x;
	uint32_t r[4];

	setup(&x);
	host_cpuid(1, 0, r);
	in->entries[0].function = 1;
	in->entries[0].flags = 0;
	in->entries[0].index = 0;
	in->entries[0].ecx = 0;
	set_cpuid2(x.vcpu, in);
	vcpu_get_sregs(x.vcpu, &s);
	s.cr4 |= X86_CR4_OSXSAVE_BIT;
	ASSERT_ERRNO(ioctl(x.vcpu, KVM_SET_SREGS, &s), EINVAL);
	if (!(r[2] & F1C_XSAVE))
		SKIP("host has no XSAVE");
	in->entries[0].ecx = F1C_XSAVE;
	set_cpuid2(x.vcpu, in);
	ASSERT_OK(ioctl(x.vcpu, KVM_SET_SREGS, &s));
}

TEST(tables_are_per_vcpu)
{
	struct kvm_cpuid2 *a = opaque_table(3), *b = opaque_table(5), *out;
	struct ctx x;
	int vcpu1;

	setup(&x);
	vcpu1 = vcpu_create(x.vm, 1);
	b->entries[0].eax = 0xb0b0b0b0;
	set_cpuid2(x.vcpu, a);
	set_cpuid2(vcpu1, b);
	out = get_cpuid2(x.vcpu, 3);
	ASSERT_EQ(memcmp(a->entries, out->entries, 3 * sizeof(a->entries[0])), 0);
	out = get_cpuid2(vcpu1, 5);
	ASSERT_EQ(memcmp(b->entries, out->entries, 5 * sizeof(b->entries[0])), 0);
	/* vCPU 1's table does not fit where vCPU 0's does. */
	out->nent = 3;
	ASSERT_ERRNO(ioctl(vcpu1, KVM_GET_CPUID2, out), E2BIG);
	ASSERT_OK(ioctl(x.vcpu, KVM_GET_CPUID2, out));
}

TEST(cpuid_ioctls_on_the_wrong_fd)
{
	struct kvm_cpuid2 *c = opaque_table(2);
	struct ctx x;

	setup(&x);
	/* System ioctl on a VM or vCPU fd, vCPU ioctls on the others. */
	ASSERT_ERRNO(ioctl(x.vm, KVM_GET_SUPPORTED_CPUID, c), ENOTTY);
	ASSERT_ERRNO(ioctl(x.vcpu, KVM_GET_SUPPORTED_CPUID, c), EINVAL);
	ASSERT_ERRNO(ioctl(x.vm, KVM_SET_CPUID2, c), ENOTTY);
	ASSERT_ERRNO(ioctl(x.vm, KVM_GET_CPUID2, c), ENOTTY);
	ASSERT_ERRNO(ioctl(x.kvm, KVM_SET_CPUID2, c), EINVAL);
	ASSERT_ERRNO(ioctl(x.kvm, KVM_GET_CPUID2, c), EINVAL);
}

TEST_HARNESS_MAIN
