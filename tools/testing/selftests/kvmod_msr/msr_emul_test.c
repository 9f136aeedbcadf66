// SPDX-License-Identifier: GPL-2.0
/*
 * MSRs KVM emulates whatever the host has: IA32_TSC_ADJUST (guest writes
 * to the TSC move it, host writes do not; guest writes to it move the
 * TSC; writes are ignored without the CPUID bit), MSR_PLATFORM_INFO
 * (KVM_CAP_MSR_PLATFORM_INFO: readable by the guest unless disabled,
 * written only by userspace), MSR_MISC_FEATURES_ENABLES (CPUID faulting
 * only when PLATFORM_INFO offers it), IA32_POWER_CTL; all of them in
 * KVM_GET_MSR_INDEX_LIST, TSC_ADJUST in KVM_GET_SUPPORTED_CPUID.
 */
#include <stdlib.h>
#include <sys/ioctl.h>

#include "../kvmod/test_harness.h"
#include "../kvmod/kvm_util.h"
#include "../kvmod_guest/guest_lib.h"

#define MSR_TSC			0x10
#define MSR_TSC_ADJUST		0x3b
#define MSR_PLATFORM_INFO	0xce
#define MSR_MISC_FEATURES	0x140
#define MSR_POWER_CTL		0x1fc

#define PLATFORM_CPUID_FAULT	(1ULL << 31)
#define CPUID_7_EBX_TSC_ADJUST	(1u << 1)

/* TSC values: far apart, compared to within SLACK (minutes, emulated). */
#define STEP			(1ULL << 44)
#define SLACK			(1ULL << 38)

static bool near(uint64_t v, uint64_t want)
{
	return v - want < SLACK || want - v < SLACK;
}

static int enable_cap(struct kvm_vm *vm, uint32_t cap, uint64_t arg)
{
	struct kvm_enable_cap ec = { .cap = cap, .args[0] = arg };

	return ioctl(vm->fd, KVM_ENABLE_CAP, &ec);
}

/* KVM_SET_MSRS of one MSR: how many entries were taken (0 or 1). */
static int try_set_msr(struct kvm_vcpu *vcpu, uint32_t index, uint64_t v)
{
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry e;
	} m = { .hdr.nmsrs = 1, .e = { .index = index, .data = v } };

	return ioctl(vcpu->fd, KVM_SET_MSRS, &m);
}

TEST(listed_and_offered)
{
	static const uint32_t want[] = {
		MSR_TSC_ADJUST, MSR_PLATFORM_INFO, MSR_MISC_FEATURES,
		MSR_POWER_CTL,
	};
	struct kvm_msr_list probe = { .nmsrs = 0 }, *list;
	struct kvm_vm *vm = vm_new(0);
	struct kvm_cpuid_entry2 *e;
	uint32_t i, j;

	ASSERT_ERRNO(ioctl(vm->kvm_fd, KVM_GET_MSR_INDEX_LIST, &probe), E2BIG);
	list = calloc(1, sizeof(*list) + probe.nmsrs * sizeof(uint32_t));
	ASSERT_TRUE(list);
	list->nmsrs = probe.nmsrs;
	ASSERT_OK(ioctl(vm->kvm_fd, KVM_GET_MSR_INDEX_LIST, list));
	for (i = 0; i < ARRAY_SIZE(want); i++) {
		for (j = 0; j < list->nmsrs && list->indices[j] != want[i]; j++)
			;
		if (j == list->nmsrs)
			TH_LOG("MSR 0x%x missing from the list", want[i]);
		EXPECT_TRUE(j < list->nmsrs);
	}
	free(list);

	e = cpuid_find(vm_supported_cpuid(vm), 7, 0);
	ASSERT_TRUE(e != NULL);
	EXPECT_TRUE(e->ebx & CPUID_7_EBX_TSC_ADJUST);
}

static GUEST_CODE void tsc_adjust_guest(uint64_t unused)
{
	(void)unused;
	GUEST_ASSERT_EQ(rdmsr(MSR_TSC_ADJUST), 0);
	/* A TSC write is a jump TSC_ADJUST records. */
	wrmsr(MSR_TSC, STEP);
	GUEST_ASSERT(near(rdmsr(MSR_TSC), STEP));
	GUEST_ASSERT(near(rdmsr(MSR_TSC_ADJUST), STEP));
	GUEST_SYNC(1);
	/* A TSC_ADJUST write moves the TSC by the difference. */
	wrmsr(MSR_TSC_ADJUST, rdmsr(MSR_TSC_ADJUST) + STEP);
	GUEST_ASSERT(near(rdmsr(MSR_TSC), 4 * STEP));
	GUEST_SYNC(2);
}

TEST(tsc_adjust)
{
	struct kvm_vm *vm = vm_new(0);
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	uint64_t adj;

	EXPECT_EQ_U64(vcpu_get_msr(vcpu, MSR_TSC_ADJUST), 0);
	vcpu_setup_long(vcpu, tsc_adjust_guest, 0);
	ASSERT_EQ_U64(vcpu_run_sync(vcpu), 1);
	adj = vcpu_get_msr(vcpu, MSR_TSC_ADJUST);
	EXPECT_TRUE(near(adj, STEP));

	/* The host's TSC write leaves TSC_ADJUST alone... */
	vcpu_set_msr(vcpu, MSR_TSC, 3 * STEP);
	EXPECT_TRUE(near(vcpu_get_msr(vcpu, MSR_TSC), 3 * STEP));
	EXPECT_EQ_U64(vcpu_get_msr(vcpu, MSR_TSC_ADJUST), adj);
	/* ... and its TSC_ADJUST write leaves the TSC alone. */
	vcpu_set_msr(vcpu, MSR_TSC_ADJUST, 12345);
	EXPECT_TRUE(near(vcpu_get_msr(vcpu, MSR_TSC), 3 * STEP));
	EXPECT_EQ_U64(vcpu_get_msr(vcpu, MSR_TSC_ADJUST), 12345);
	vcpu_set_msr(vcpu, MSR_TSC_ADJUST, adj);

	ASSERT_EQ_U64(vcpu_run_sync(vcpu), 2);
	EXPECT_TRUE(near(vcpu_get_msr(vcpu, MSR_TSC), 4 * STEP));
	EXPECT_EQ_U64(vcpu_get_msr(vcpu, MSR_TSC_ADJUST), adj + STEP);
	vcpu_run_done(vcpu);
}

static GUEST_CODE void tsc_adjust_off_guest(uint64_t unused)
{
	(void)unused;
	/* Accepted, and without effect. */
	GUEST_ASSERT_EQ(wrmsr_safe(MSR_TSC_ADJUST, STEP), -1);
	GUEST_ASSERT_EQ(rdmsr(MSR_TSC_ADJUST), 0);
	GUEST_ASSERT(rdmsr(MSR_TSC) < STEP);
}

TEST(tsc_adjust_without_cpuid)
{
	struct kvm_vm *vm = vm_new(0);
	struct kvm_vcpu *vcpu = vcpu_add_raw(vm, 0);
	struct kvm_cpuid2 *c = vm_supported_cpuid(vm);
	struct kvm_cpuid_entry2 *e = cpuid_find(c, 7, 0);

	ASSERT_TRUE(e != NULL);
	e->ebx &= ~CPUID_7_EBX_TSC_ADJUST;
	ASSERT_OK(ioctl(vcpu->fd, KVM_SET_CPUID2, c));
	e->ebx |= CPUID_7_EBX_TSC_ADJUST;

	EXPECT_EQ(try_set_msr(vcpu, MSR_TSC_ADJUST, 77), 1);
	EXPECT_EQ_U64(vcpu_get_msr(vcpu, MSR_TSC_ADJUST), 0);
	vcpu_setup_long(vcpu, tsc_adjust_off_guest, 0);
	vcpu_run_done(vcpu);
}

static GUEST_CODE void platform_info_guest(uint64_t want)
{
	uint64_t v = 0;

	GUEST_ASSERT_EQ(rdmsr(MSR_PLATFORM_INFO), want);
	/* Read-only for the guest. */
	GUEST_ASSERT_EQ(wrmsr_safe(MSR_PLATFORM_INFO, want), GP_VECTOR);
	GUEST_SYNC(0);
	/* KVM_CAP_MSR_PLATFORM_INFO disabled. */
	GUEST_ASSERT_EQ(rdmsr_safe(MSR_PLATFORM_INFO, &v), GP_VECTOR);
	GUEST_SYNC(1);
	GUEST_ASSERT_EQ(rdmsr(MSR_PLATFORM_INFO), want);
}

TEST(platform_info)
{
	struct kvm_vm *vm = vm_new(0);
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	uint64_t v;

	ASSERT_GT(kvm_check_cap(vm->fd, KVM_CAP_MSR_PLATFORM_INFO), 0);
	/* KVM offers CPUID faulting. */
	v = vcpu_get_msr(vcpu, MSR_PLATFORM_INFO);
	EXPECT_EQ_U64(v & PLATFORM_CPUID_FAULT, PLATFORM_CPUID_FAULT);
	v |= 0xff00;
	vcpu_set_msr(vcpu, MSR_PLATFORM_INFO, v);
	EXPECT_EQ_U64(vcpu_get_msr(vcpu, MSR_PLATFORM_INFO), v);

	vcpu_setup_long(vcpu, platform_info_guest, v);
	ASSERT_EQ_U64(vcpu_run_sync(vcpu), 0);
	ASSERT_OK(enable_cap(vm, KVM_CAP_MSR_PLATFORM_INFO, 0));
	/* Userspace still reads it. */
	EXPECT_EQ_U64(vcpu_get_msr(vcpu, MSR_PLATFORM_INFO), v);
	ASSERT_EQ_U64(vcpu_run_sync(vcpu), 1);
	ASSERT_OK(enable_cap(vm, KVM_CAP_MSR_PLATFORM_INFO, 1));
	vcpu_run_done(vcpu);
}

static GUEST_CODE void cpuid_fault_guest(uint64_t unused)
{
	uint32_t a, b, c, d;

	(void)unused;
	GUEST_ASSERT_EQ(rdmsr(MSR_MISC_FEATURES), 0);
	GUEST_ASSERT_EQ(wrmsr_safe(MSR_MISC_FEATURES, 2), GP_VECTOR);
	wrmsr(MSR_MISC_FEATURES, 1);
	GUEST_ASSERT_EQ(rdmsr(MSR_MISC_FEATURES), 1);
	/* Faulting is for CPL > 0: the kernel's CPUID still works. */
	guest_cpuid(0, 0, &a, &b, &c, &d);
	GUEST_ASSERT(a != 0);
	GUEST_SYNC(0);
	wrmsr(MSR_MISC_FEATURES, 0);
	GUEST_SYNC(1);
	/* Not offered any more: cannot be turned on. */
	GUEST_ASSERT_EQ(wrmsr_safe(MSR_MISC_FEATURES, 1), GP_VECTOR);
}

TEST(cpuid_faulting_control)
{
	struct kvm_vm *vm = vm_new(0);
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	uint64_t pi = vcpu_get_msr(vcpu, MSR_PLATFORM_INFO);

	ASSERT_TRUE(pi & PLATFORM_CPUID_FAULT);
	vcpu_setup_long(vcpu, cpuid_fault_guest, 0);
	ASSERT_EQ_U64(vcpu_run_sync(vcpu), 0);
	EXPECT_EQ_U64(vcpu_get_msr(vcpu, MSR_MISC_FEATURES), 1);
	/* Not while the guest has it on. */
	EXPECT_EQ(try_set_msr(vcpu, MSR_PLATFORM_INFO,
			      pi & ~PLATFORM_CPUID_FAULT), 0);
	ASSERT_EQ_U64(vcpu_run_sync(vcpu), 1);
	EXPECT_EQ(try_set_msr(vcpu, MSR_PLATFORM_INFO,
			      pi & ~PLATFORM_CPUID_FAULT), 1);
	vcpu_run_done(vcpu);
}

static GUEST_CODE void power_ctl_guest(uint64_t unused)
{
	(void)unused;
	wrmsr(MSR_POWER_CTL, 0x1234);
	GUEST_ASSERT_EQ(rdmsr(MSR_POWER_CTL), 0x1234);
}

TEST(power_ctl)
{
	struct kvm_vm *vm = vm_new(0);
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);

	EXPECT_EQ_U64(vcpu_get_msr(vcpu, MSR_POWER_CTL), 0);
	vcpu_setup_long(vcpu, power_ctl_guest, 0);
	vcpu_run_done(vcpu);
	EXPECT_EQ_U64(vcpu_get_msr(vcpu, MSR_POWER_CTL), 0x1234);
}

TEST_HARNESS_MAIN
