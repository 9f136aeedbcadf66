// SPDX-License-Identifier: GPL-2.0
/*
 * MSRs: the guest writes and reads back the SYSCALL/SYSENTER MSRs, the
 * segment bases, PAT, MTRRs, MISC_ENABLE, EFER, TSC and (with RDTSCP)
 * TSC_AUX; the host reads the same values with KVM_GET_MSRS, sets others
 * with KVM_SET_MSRS for the guest to read; an unknown MSR raises #GP in
 * the guest; KVM_GET_MSR_INDEX_LIST follows its E2BIG protocol and lists
 * the MSRs a VMM must save.
 */
#include <sys/ioctl.h>

#include "../kvmod/test_harness.h"
#include "../kvmod/kvm_util.h"
#include "guest_lib.h"

#define MSR_TSC			0x10
#define MSR_SYSENTER_CS		0x174
#define MSR_SYSENTER_ESP	0x175
#define MSR_SYSENTER_EIP	0x176
#define MSR_MISC_ENABLE		0x1a0
#define MSR_MTRR_BASE0		0x200
#define MSR_MTRR_MASK0		0x201
#define MSR_PAT			0x277
#define MSR_MTRR_DEF_TYPE	0x2ff
#define MSR_STAR		0xc0000081
#define MSR_LSTAR		0xc0000082
#define MSR_CSTAR		0xc0000083
#define MSR_SFMASK		0xc0000084
#define MSR_FS_BASE		0xc0000100
#define MSR_GS_BASE		0xc0000101
#define MSR_KERNEL_GS_BASE	0xc0000102
#define MSR_TSC_AUX		0xc0000103
#define MSR_UNKNOWN		0xdead0000

#define TSC_START		(1ULL << 40)
#define TSC_SLACK		(1ULL << 38)	/* minutes, even emulated */

struct msr_val {
	uint32_t index;
	uint64_t value;
};

/* Written by the guest, then checked by both sides. */
static const struct msr_val guest_set[] = {
	{ MSR_STAR, 0x0023001000000000ULL },
	{ MSR_LSTAR, 0xffffffff81000000ULL },
	{ MSR_CSTAR, 0xffffffff81000100ULL },
	{ MSR_SFMASK, 0x47700 },
	{ MSR_FS_BASE, 0x00007f0000001000ULL },
	{ MSR_GS_BASE, 0x00007f0000002000ULL },
	{ MSR_KERNEL_GS_BASE, 0xffff888000000000ULL },
	/* 32-bit values: AMD keeps only the low half for SYSENTER. */
	{ MSR_SYSENTER_CS, 0x10 },
	{ MSR_SYSENTER_ESP, 0x12345678 },
	{ MSR_SYSENTER_EIP, 0x87654321 },
	{ MSR_PAT, 0x0007050600070106ULL },
	{ MSR_MTRR_DEF_TYPE, 0xc06 },		/* enabled, fixed on, WB */
	{ MSR_MTRR_BASE0, 0x80000006 },		/* 2 GiB, WB */
	{ MSR_MTRR_MASK0, 0xf80000800ULL },	/* 2 GiB, valid */
};

/* Set by the host with KVM_SET_MSRS, then read by the guest. */
static const struct msr_val host_set[] = {
	{ MSR_LSTAR, 0xffffffff82000000ULL },
	{ MSR_KERNEL_GS_BASE, 0xffff888000123000ULL },
	{ MSR_SYSENTER_EIP, 0x11223344 },
	{ MSR_PAT, 0x0006040600070406ULL },
	{ MSR_STAR, 0x0033002000000000ULL },
};

#define SYNC_GUEST_SET	1
#define SYNC_HOST_SET	2

static GUEST_CODE void rw_guest(uint64_t unused)
{
	uint64_t v;
	size_t i;

	(void)unused;
	for (i = 0; i < ARRAY_SIZE(guest_set); i++) {
		wrmsr(guest_set[i].index, guest_set[i].value);
		v = rdmsr(guest_set[i].index);
		if (v != guest_set[i].value)
			GUEST_FAIL(guest_set[i].index, v);
	}
	GUEST_SYNC(SYNC_GUEST_SET);
	for (i = 0; i < ARRAY_SIZE(host_set); i++) {
		v = rdmsr(host_set[i].index);
		if (v != host_set[i].value)
			GUEST_FAIL(host_set[i].index, v);
	}
	GUEST_SYNC(SYNC_HOST_SET);
}

TEST(guest_and_host_values)
{
	struct kvm_vm *vm = vm_new(0);
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	size_t i;

	vcpu_setup_long(vcpu, rw_guest, 0);
	ASSERT_EQ_U64(vcpu_run_sync(vcpu), SYNC_GUEST_SET);
	for (i = 0; i < ARRAY_SIZE(guest_set); i++) {
		uint64_t v = vcpu_get_msr(vcpu, guest_set[i].index);

		if (v != guest_set[i].value)
			TH_LOG("MSR 0x%x: host reads 0x%llx, guest wrote 0x%llx",
			       guest_set[i].index, (unsigned long long)v,
			       (unsigned long long)guest_set[i].value);
		EXPECT_EQ_U64(v, guest_set[i].value);
	}
	for (i = 0; i < ARRAY_SIZE(host_set); i++)
		vcpu_set_msr(vcpu, host_set[i].index, host_set[i].value);
	ASSERT_EQ_U64(vcpu_run_sync(vcpu), SYNC_HOST_SET);
	vcpu_run_done(vcpu);
}

/* FS/GS base MSRs and the segment bases are one and the same. */
static GUEST_CODE void segbase_guest(uint64_t unused)
{
	(void)unused;
	wrmsr(MSR_FS_BASE, 0x1000);
	wrmsr(MSR_GS_BASE, 0x2000);
	GUEST_SYNC(0);
}

TEST(fs_gs_base_in_sregs)
{
	struct kvm_vm *vm = vm_new(0);
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	struct kvm_sregs sr;

	vcpu_setup_long(vcpu, segbase_guest, 0);
	vcpu_run_sync(vcpu);
	vcpu_get_sregs(vcpu->fd, &sr);
	EXPECT_EQ_U64(sr.fs.base, 0x1000);
	EXPECT_EQ_U64(sr.gs.base, 0x2000);
	vcpu_run_done(vcpu);
}

static GUEST_CODE void misc_efer_guest(uint64_t unused)
{
	uint64_t misc = rdmsr(MSR_MISC_ENABLE), efer = rdmsr(MSR_EFER);

	(void)unused;
	GUEST_SYNC(misc);
	/* Bit 0, fast strings, is writable. */
	wrmsr(MSR_MISC_ENABLE, misc ^ 1);
	GUEST_ASSERT_EQ(rdmsr(MSR_MISC_ENABLE), misc ^ 1);
	GUEST_ASSERT_EQ(efer & (EFER_LME | EFER_LMA), EFER_LME | EFER_LMA);
	wrmsr(MSR_EFER, efer | EFER_SCE);
	GUEST_ASSERT_EQ(rdmsr(MSR_EFER), efer | EFER_SCE);
	GUEST_SYNC(efer | EFER_SCE);
}

TEST(misc_enable_and_efer)
{
	struct kvm_vm *vm = vm_new(0);
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	struct kvm_sregs sr;
	uint64_t misc, efer;

	vcpu_setup_long(vcpu, misc_efer_guest, 0);
	misc = vcpu_run_sync(vcpu);
	EXPECT_EQ_U64(vcpu_get_msr(vcpu, MSR_MISC_ENABLE), misc);
	efer = vcpu_run_sync(vcpu);
	EXPECT_EQ_U64(vcpu_get_msr(vcpu, MSR_MISC_ENABLE), misc ^ 1);
	EXPECT_EQ_U64(vcpu_get_msr(vcpu, MSR_EFER), efer);
	vcpu_get_sregs(vcpu->fd, &sr);
	EXPECT_EQ_U64(sr.efer, efer);
	vcpu_run_done(vcpu);
}

static GUEST_CODE void tsc_guest(uint64_t unused)
{
	uint64_t t;

	(void)unused;
	wrmsr(MSR_TSC, TSC_START);
	t = rdmsr(MSR_TSC);
	GUEST_ASSERT(t >= TSC_START && t < TSC_START + TSC_SLACK);
	GUEST_SYNC(t);
}

TEST(tsc)
{
	struct kvm_vm *vm = vm_new(0);
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	uint64_t seen, t;

	vcpu_setup_long(vcpu, tsc_guest, 0);
	seen = vcpu_run_sync(vcpu);
	/* The host's view keeps counting from where the guest saw it. */
	t = vcpu_get_msr(vcpu, MSR_TSC);
	EXPECT_GE(t, seen);
	EXPECT_TRUE(t < TSC_START + TSC_SLACK);
	vcpu_run_done(vcpu);
}

static GUEST_CODE void tsc_aux_guest(uint64_t unused)
{
	uint32_t lo, hi, aux;

	(void)unused;
	wrmsr(MSR_TSC_AUX, 0x55);
	GUEST_ASSERT_EQ(rdmsr(MSR_TSC_AUX), 0x55);
	asm volatile("rdtscp" : "=a"(lo), "=d"(hi), "=c"(aux));
	GUEST_ASSERT_EQ(aux, 0x55);
	GUEST_SYNC(0);
	GUEST_SYNC(rdmsr(MSR_TSC_AUX));
}

TEST(tsc_aux)
{
	struct kvm_vm *vm = vm_new(0);
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	struct kvm_cpuid_entry2 *e;

	e = cpuid_find(vm_supported_cpuid(vm), 0x80000001, 0);
	if (!e || !(e->edx & (1U << 27)))
		SKIP("no RDTSCP in KVM_GET_SUPPORTED_CPUID");
	vcpu_setup_long(vcpu, tsc_aux_guest, 0);
	vcpu_run_sync(vcpu);
	EXPECT_EQ_U64(vcpu_get_msr(vcpu, MSR_TSC_AUX), 0x55);
	vcpu_set_msr(vcpu, MSR_TSC_AUX, 0x66);
	EXPECT_EQ_U64(vcpu_run_sync(vcpu), 0x66);
	vcpu_run_done(vcpu);
}

static GUEST_CODE void unknown_guest(uint64_t unused)
{
	uint64_t v = 0;

	(void)unused;
	GUEST_ASSERT_EQ(rdmsr_safe(MSR_UNKNOWN, &v), GP_VECTOR);
	GUEST_ASSERT_EQ(guest_caught.error_code, 0);
	GUEST_ASSERT_EQ(wrmsr_safe(MSR_UNKNOWN, 1), GP_VECTOR);
	GUEST_ASSERT_EQ(rdmsr_safe(MSR_UNKNOWN + 0x1234, &v), GP_VECTOR);
	/* A known MSR still works after the faults. */
	GUEST_ASSERT_EQ(rdmsr_safe(MSR_LSTAR, &v), -1);
	/* SYSCFG, which Linux reads on AMD, reads as 0 (as on KVM). */
	v = 1;
	GUEST_ASSERT_EQ(rdmsr_safe(0xc0010010, &v), -1);
	GUEST_ASSERT_EQ(v, 0);
	GUEST_SYNC(guest_caught.count);
}

TEST(unknown_msr_gp)
{
	struct kvm_vm *vm = vm_new(0);
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry e[2];
	} m;

	vcpu_setup_long(vcpu, unknown_guest, 0);
	EXPECT_EQ_U64(vcpu_run_sync(vcpu), 3);
	vcpu_run_done(vcpu);

	/* KVM_GET_MSRS stops at the unknown one: one entry done. */
	memset(&m, 0, sizeof(m));
	m.hdr.nmsrs = 2;
	m.e[0].index = MSR_LSTAR;
	m.e[1].index = MSR_UNKNOWN;
	EXPECT_EQ(ioctl(vcpu->fd, KVM_GET_MSRS, &m), 1);
	m.e[0].data = 0xffffffff81000000ULL;
	EXPECT_EQ(ioctl(vcpu->fd, KVM_SET_MSRS, &m), 1);
	EXPECT_EQ_U64(vcpu_get_msr(vcpu, MSR_LSTAR), 0xffffffff81000000ULL);
}

TEST(msr_index_list)
{
	static const uint32_t must[] = {
		MSR_SYSENTER_CS, MSR_SYSENTER_ESP, MSR_SYSENTER_EIP,
		MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_SFMASK,
		MSR_KERNEL_GS_BASE, MSR_TSC, MSR_PAT, MSR_MISC_ENABLE,
	};
	struct kvm_msr_list probe = { .nmsrs = 0 }, *list;
	int kvm = kvm_open();
	uint32_t i, j, n;

	/* Too small: E2BIG, and nmsrs says how many there are. */
	ASSERT_ERRNO(ioctl(kvm, KVM_GET_MSR_INDEX_LIST, &probe), E2BIG);
	n = probe.nmsrs;
	ASSERT_GE(n, ARRAY_SIZE(must));
	list = calloc(1, sizeof(*list) + (n + 1) * sizeof(uint32_t));
	ASSERT_TRUE(list);

	list->nmsrs = n - 1;
	ASSERT_ERRNO(ioctl(kvm, KVM_GET_MSR_INDEX_LIST, list), E2BIG);
	EXPECT_EQ(list->nmsrs, n);

	list->nmsrs = n + 1;
	list->indices[n] = 0xfeedbeef;
	ASSERT_OK(ioctl(kvm, KVM_GET_MSR_INDEX_LIST, list));
	EXPECT_EQ(list->nmsrs, n);
	EXPECT_EQ(list->indices[n], 0xfeedbeef);
	for (i = 0; i < ARRAY_SIZE(must); i++) {
		for (j = 0; j < n && list->indices[j] != must[i]; j++)
			;
		if (j == n)
			TH_LOG("MSR 0x%x missing from the list", must[i]);
		EXPECT_TRUE(j < n);
	}
	/* The unknown MSR is not there. */
	for (j = 0; j < n; j++)
		EXPECT_NE(list->indices[j], MSR_UNKNOWN);
	free(list);
	close(kvm);
}

TEST_HARNESS_MAIN
