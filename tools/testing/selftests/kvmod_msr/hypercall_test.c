// SPDX-License-Identifier: GPL-2.0
/*
 * KVM hypercalls and the x86 quirks (KVM_CAP_DISABLE_QUIRKS2): the
 * vendor's hypercall instruction answers KVM_HC_SCHED_YIELD and
 * KVM_HC_VAPIC_POLL_IRQ with 0 and unknown numbers (all 64 bits count in
 * 64-bit mode) with -KVM_ENOSYS; the other vendor's instruction is patched
 * in guest memory and run again (KVM_X86_QUIRK_FIX_HYPERCALL_INSN), #UD
 * once the quirk is off, #PF when its page is read-only; quirk masks
 * outside the reported set are EINVAL; KVM_X86_QUIRK_MISC_ENABLE_NO_MWAIT
 * off makes IA32_MISC_ENABLE.MWAIT set CPUID's MONITOR bit (SSE3
 * needed); MONITOR/MWAIT are NOPs unless KVM_X86_QUIRK_MWAIT_NEVER_UD_FAULTS
 * is off and CPUID lacks them (only where the host CPU has MONITOR).
 */
#include <cpuid.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/kvm_para.h>

#include "../kvmod/test_harness.h"
#include "../kvmod/kvm_util.h"
#include "../kvmod_guest/guest_lib.h"

#define MSR_MISC_ENABLE		0x1a0
#define MISC_ENABLE_MWAIT	(1ULL << 18)
#define CPUID_1_ECX_SSE3	(1u << 0)
#define CPUID_1_ECX_MONITOR	(1u << 3)

#define QUIRKS_MWAIT		(KVM_X86_QUIRK_MISC_ENABLE_NO_MWAIT | \
				 KVM_X86_QUIRK_MWAIT_NEVER_UD_FAULTS)

static const uint8_t insn_vmcall[3] = { 0x0f, 0x01, 0xc1 };
static const uint8_t insn_vmmcall[3] = { 0x0f, 0x01, 0xd9 };

static bool host_is_intel(void)
{
	unsigned int a, b, c, d;

	__cpuid(0, a, b, c, d);
	return b == 0x756e6547 && d == 0x49656e69 && c == 0x6c65746e;
}

static bool host_has_monitor(void)
{
	unsigned int a, b, c, d;

	__cpuid(1, a, b, c, d);
	return c & CPUID_1_ECX_MONITOR;
}

static int enable_cap(struct kvm_vm *vm, uint32_t cap, uint64_t arg)
{
	struct kvm_enable_cap ec = { .cap = cap, .args[0] = arg };

	return ioctl(vm->fd, KVM_ENABLE_CAP, &ec);
}

static GUEST_CODE uint64_t vmmcall(uint64_t nr, uint64_t a0)
{
	uint64_t ret;

	asm volatile("vmmcall" : "=a"(ret) : "a"(nr), "b"(a0), "c"(0UL),
		     "d"(0UL), "S"(0UL) : "memory");
	return ret;
}

static GUEST_CODE uint64_t vmcall(uint64_t nr, uint64_t a0)
{
	uint64_t ret;

	asm volatile("vmcall" : "=a"(ret) : "a"(nr), "b"(a0), "c"(0UL),
		     "d"(0UL), "S"(0UL) : "memory");
	return ret;
}

static GUEST_CODE void results_guest(uint64_t intel)
{
	uint64_t (*hc)(uint64_t, uint64_t) = intel ? vmcall : vmmcall;

	GUEST_ASSERT_EQ(hc(KVM_HC_SCHED_YIELD, 0), 0);
	GUEST_ASSERT_EQ(hc(KVM_HC_VAPIC_POLL_IRQ, 0), 0);
	GUEST_ASSERT_EQ(hc(0x12345, 0), (uint64_t)-KVM_ENOSYS);
	GUEST_ASSERT_EQ(hc(KVM_HC_MAP_GPA_RANGE, 0), (uint64_t)-KVM_ENOSYS);
	/* In 64-bit mode the upper half of RAX is part of the number. */
	GUEST_ASSERT_EQ(hc((1ULL << 32) | KVM_HC_SCHED_YIELD, 0),
			(uint64_t)-KVM_ENOSYS);
}

TEST(hypercall_results)
{
	struct kvm_vm *vm = vm_new(0);
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);

	vcpu_setup_long(vcpu, results_guest, host_is_intel());
	vcpu_run_done(vcpu);
}

/* hc_site holds the other vendor's hypercall, written by the host. */
static GUEST_CODE void patch_guest(uint64_t unused)
{
	uint64_t ret = KVM_HC_SCHED_YIELD;
	int v;

	(void)unused;
	v = GUEST_CATCH(".globl hc_site\n"
			"hc_site: .byte 0x90, 0x90, 0x90",
			: "+a"(ret) : "b"(0UL), "c"(0UL), "d"(0UL), "S"(0UL)
			: "memory");
	GUEST_SYNC(v);
	GUEST_SYNC(ret);
}

extern uint8_t hc_site[];

/* Run patch_guest; returns the vector it saw (-1: none) and the result. */
static int run_patch(struct kvm_vm *vm, struct kvm_vcpu *vcpu, uint64_t *ret)
{
	const uint8_t *other = host_is_intel() ? insn_vmmcall : insn_vmcall;
	int v;

	memcpy(GUEST_PTR(vm, hc_site[0]), other, 3);
	vcpu_setup_long(vcpu, patch_guest, 0);
	v = (int)vcpu_run_sync(vcpu);
	*ret = vcpu_run_sync(vcpu);
	vcpu_run_done(vcpu);
	return v;
}

TEST(fix_hypercall_quirk)
{
	struct kvm_vm *vm = vm_new(0);
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	const uint8_t *native = host_is_intel() ? insn_vmcall : insn_vmmcall;
	uint64_t ret;

	ASSERT_TRUE(kvm_check_cap(vm->fd, KVM_CAP_DISABLE_QUIRKS2) &
		    KVM_X86_QUIRK_FIX_HYPERCALL_INSN);
	/* On by default: patched, run again, answered. */
	EXPECT_EQ(run_patch(vm, vcpu, &ret), -1);
	EXPECT_EQ_U64(ret, 0);
	EXPECT_EQ(memcmp(GUEST_PTR(vm, hc_site[0]), native, 3), 0);
}

TEST(fix_hypercall_quirk_off)
{
	struct kvm_vm *vm = vm_new(0);
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	const uint8_t *other = host_is_intel() ? insn_vmmcall : insn_vmcall;
	uint64_t ret;

	ASSERT_OK(enable_cap(vm, KVM_CAP_DISABLE_QUIRKS2,
			     KVM_X86_QUIRK_FIX_HYPERCALL_INSN));
	EXPECT_EQ(run_patch(vm, vcpu, &ret), UD_VECTOR);
	EXPECT_EQ_U64(ret, KVM_HC_SCHED_YIELD);
	EXPECT_EQ(memcmp(GUEST_PTR(vm, hc_site[0]), other, 3), 0);
}

TEST(fix_hypercall_read_only_page)
{
	struct kvm_vm *vm = vm_new(0);
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	const uint8_t *other = host_is_intel() ? insn_vmmcall : insn_vmcall;
	uint64_t page = (uintptr_t)hc_site & ~0xfffUL, ret;

	/* The patch is the guest's own write: a #PF on a read-only page. */
	vm_map_4k(vm, vm_identity_pml4(vm), page, page, PTE_P);
	EXPECT_EQ(run_patch(vm, vcpu, &ret), PF_VECTOR);
	EXPECT_EQ_U64(ret, KVM_HC_SCHED_YIELD);
	EXPECT_EQ(memcmp(GUEST_PTR(vm, hc_site[0]), other, 3), 0);
}

TEST(quirks_mask)
{
	struct kvm_vm *vm = vm_new(0);
	long quirks = kvm_check_cap(vm->kvm_fd, KVM_CAP_DISABLE_QUIRKS2);
	struct kvm_enable_cap ec = {
		.cap = KVM_CAP_DISABLE_QUIRKS2,
		.flags = 1,
	};

	TH_LOG("KVM_CAP_DISABLE_QUIRKS2: 0x%lx", quirks);
	EXPECT_EQ(kvm_check_cap(vm->fd, KVM_CAP_DISABLE_QUIRKS2), quirks);
	/* Bits 0-6 are the quirks KVM 6.1 has. */
	EXPECT_EQ(quirks & ~0x7fL, 0);
	EXPECT_EQ(quirks & KVM_X86_QUIRK_FIX_HYPERCALL_INSN,
		  KVM_X86_QUIRK_FIX_HYPERCALL_INSN);
	EXPECT_ERRNO(enable_cap(vm, KVM_CAP_DISABLE_QUIRKS2, 1UL << 20),
		     EINVAL);
	EXPECT_ERRNO(enable_cap(vm, KVM_CAP_DISABLE_QUIRKS2, ~quirks),
		     EINVAL);
	EXPECT_ERRNO(ioctl(vm->fd, KVM_ENABLE_CAP, &ec), EINVAL);
	EXPECT_OK(enable_cap(vm, KVM_CAP_DISABLE_QUIRKS2, quirks));
	EXPECT_OK(enable_cap(vm, KVM_CAP_DISABLE_QUIRKS2, 0));
}

static GUEST_CODE void cpuid_monitor_guest(uint64_t unused)
{
	uint32_t a, b, c, d;

	(void)unused;
	for (;;) {
		guest_cpuid(1, 0, &a, &b, &c, &d);
		GUEST_SYNC(c & CPUID_1_ECX_MONITOR);
	}
}

/* Set MISC_ENABLE.MWAIT (or clear it); returns the guest's CPUID bit. */
static uint64_t misc_mwait(struct kvm_vcpu *vcpu, bool on)
{
	uint64_t misc = vcpu_get_msr(vcpu, MSR_MISC_ENABLE);

	misc = on ? misc | MISC_ENABLE_MWAIT : misc & ~MISC_ENABLE_MWAIT;
	vcpu_set_msr(vcpu, MSR_MISC_ENABLE, misc);
	return vcpu_run_sync(vcpu);
}

TEST(misc_enable_no_mwait_quirk)
{
	struct kvm_vm *vm = vm_new(0);
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	struct kvm_cpuid_entry2 *e = cpuid_find(vm_supported_cpuid(vm), 1, 0);

	ASSERT_TRUE(e != NULL);
	if (!(kvm_check_cap(vm->fd, KVM_CAP_DISABLE_QUIRKS2) &
	      KVM_X86_QUIRK_MISC_ENABLE_NO_MWAIT))
		SKIP("KVM_X86_QUIRK_MISC_ENABLE_NO_MWAIT cannot be disabled");
	if (!(e->ecx & CPUID_1_ECX_SSE3))
		SKIP("no SSE3: MISC_ENABLE.MWAIT cannot change");
	ASSERT_EQ(e->ecx & CPUID_1_ECX_MONITOR, 0);
	vcpu_setup_long(vcpu, cpuid_monitor_guest, 0);

	/* The quirk: MISC_ENABLE.MWAIT is just a bit. */
	EXPECT_EQ_U64(misc_mwait(vcpu, true), 0);
	EXPECT_EQ_U64(misc_mwait(vcpu, false), 0);
	/* Without it, the bit sets CPUID. */
	ASSERT_OK(enable_cap(vm, KVM_CAP_DISABLE_QUIRKS2,
			     KVM_X86_QUIRK_MISC_ENABLE_NO_MWAIT));
	EXPECT_EQ_U64(misc_mwait(vcpu, true), CPUID_1_ECX_MONITOR);
	EXPECT_EQ_U64(misc_mwait(vcpu, false), 0);
}

TEST(misc_enable_mwait_needs_sse3)
{
	struct kvm_vm *vm = vm_new(0);
	struct kvm_vcpu *vcpu = vcpu_add_raw(vm, 0);
	struct kvm_cpuid2 *c = vm_supported_cpuid(vm);
	struct kvm_cpuid_entry2 *e = cpuid_find(c, 1, 0);
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry e;
	} m = { .hdr.nmsrs = 1, .e.index = MSR_MISC_ENABLE };
	uint32_t ecx;

	if (!(kvm_check_cap(vm->fd, KVM_CAP_DISABLE_QUIRKS2) &
	      KVM_X86_QUIRK_MISC_ENABLE_NO_MWAIT))
		SKIP("KVM_X86_QUIRK_MISC_ENABLE_NO_MWAIT cannot be disabled");
	ASSERT_TRUE(e != NULL);
	ecx = e->ecx;
	e->ecx &= ~CPUID_1_ECX_SSE3;
	ASSERT_OK(ioctl(vcpu->fd, KVM_SET_CPUID2, c));
	e->ecx = ecx;
	ASSERT_OK(enable_cap(vm, KVM_CAP_DISABLE_QUIRKS2,
			     KVM_X86_QUIRK_MISC_ENABLE_NO_MWAIT));
	m.e.data = vcpu_get_msr(vcpu, MSR_MISC_ENABLE) | MISC_ENABLE_MWAIT;
	EXPECT_EQ(ioctl(vcpu->fd, KVM_SET_MSRS, &m), 0);
}

/* MONITOR then MWAIT; each vector (-1: none) reported. */
static GUEST_CODE void monitor_guest(uint64_t unused)
{
	(void)unused;
	for (;;) {
		GUEST_SYNC(GUEST_CATCH("monitor", : : "a"(&guest_caught),
				       "c"(0), "d"(0) : "memory"));
		GUEST_SYNC(GUEST_CATCH("mwait", : : "a"(0), "c"(0)
				       : "memory"));
	}
}

static void expect_monitor_mwait(struct kvm_vcpu *vcpu, int vector)
{
	EXPECT_EQ((int)vcpu_run_sync(vcpu), vector);
	EXPECT_EQ((int)vcpu_run_sync(vcpu), vector);
}

TEST(monitor_mwait_quirks)
{
	struct kvm_vm *vm;
	struct kvm_vcpu *vcpu;

	/* Without MONITOR in the CPU, it faults before any intercept. */
	if (!host_has_monitor())
		SKIP("the host CPU has no MONITOR/MWAIT");
	vm = vm_new(0);
	vcpu = vcpu_add(vm, 0);
	if ((kvm_check_cap(vm->fd, KVM_CAP_DISABLE_QUIRKS2) & QUIRKS_MWAIT) !=
	    QUIRKS_MWAIT)
		SKIP("the MWAIT quirks cannot be disabled");
	vcpu_setup_long(vcpu, monitor_guest, 0);

	/* Guest CPUID has no MONITOR: NOPs all the same. */
	expect_monitor_mwait(vcpu, -1);
	ASSERT_OK(enable_cap(vm, KVM_CAP_DISABLE_QUIRKS2,
			     KVM_X86_QUIRK_MWAIT_NEVER_UD_FAULTS));
	expect_monitor_mwait(vcpu, UD_VECTOR);
	/* MISC_ENABLE.MWAIT puts MONITOR in CPUID: NOPs again. */
	ASSERT_OK(enable_cap(vm, KVM_CAP_DISABLE_QUIRKS2, QUIRKS_MWAIT));
	vcpu_set_msr(vcpu, MSR_MISC_ENABLE,
		     vcpu_get_msr(vcpu, MSR_MISC_ENABLE) | MISC_ENABLE_MWAIT);
	expect_monitor_mwait(vcpu, -1);
}

TEST_HARNESS_MAIN
