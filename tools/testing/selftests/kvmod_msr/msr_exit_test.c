// SPDX-License-Identifier: GPL-2.0
/*
 * Guest RDMSR/WRMSR that userspace handles: KVM_CAP_X86_USER_SPACE_MSR
 * (KVM_EXIT_X86_RDMSR/WRMSR for the enabled reasons: UNKNOWN, INVAL,
 * FILTER; #GP for the others; completion on the next KVM_RUN, also with
 * immediate_exit) and KVM_X86_SET_MSR_FILTER (its validation, the first
 * range covering an access decides, the default for the rest, x2APIC MSRs
 * never filtered, KVM_GET/SET_MSRS never filtered, a filter replaced).
 */
#include <stdlib.h>
#include <sys/ioctl.h>

#include "../kvmod/test_harness.h"
#include "../kvmod/kvm_util.h"
#include "../kvmod_guest/guest_lib.h"

#define MSR_SYSENTER_CS		0x174
#define MSR_PAT			0x277
#define MSR_STAR		0xc0000081
#define MSR_LSTAR		0xc0000082
#define MSR_CSTAR		0xc0000083
#define MSR_X2APIC_ID		0x802
#define MSR_UNKNOWN		0xdead0000

#define ALL_REASONS	(KVM_MSR_EXIT_REASON_INVAL | \
			 KVM_MSR_EXIT_REASON_UNKNOWN | \
			 KVM_MSR_EXIT_REASON_FILTER)

static int enable_cap(struct kvm_vm *vm, uint32_t cap, uint64_t arg)
{
	struct kvm_enable_cap ec = { .cap = cap, .args[0] = arg };

	return ioctl(vm->fd, KVM_ENABLE_CAP, &ec);
}

static void user_space_msr(struct kvm_vm *vm, uint64_t reasons)
{
	ASSERT_GT(kvm_check_cap(vm->fd, KVM_CAP_X86_USER_SPACE_MSR), 0);
	ASSERT_OK(enable_cap(vm, KVM_CAP_X86_USER_SPACE_MSR, reasons));
}

static void set_filter(struct kvm_vm *vm, struct kvm_msr_filter *f)
{
	ASSERT_GT(kvm_check_cap(vm->fd, KVM_CAP_X86_MSR_FILTER), 0);
	ASSERT_OK(ioctl(vm->fd, KVM_X86_SET_MSR_FILTER, f));
}

/* Run to an MSR exit of @exit_reason for @index and @reason. */
static void run_to_msr_exit(struct kvm_vcpu *vcpu, uint32_t exit_reason,
			    uint32_t index, uint32_t reason)
{
	struct kvm_run *run = vcpu->run;

	vcpu_run_exit(vcpu, exit_reason);
	EXPECT_EQ(run->msr.index, index);
	EXPECT_EQ(run->msr.reason, reason);
	EXPECT_EQ(run->msr.error, 0);
}

TEST(caps_and_enable)
{
	struct kvm_vm *vm = vm_new(0);
	struct kvm_enable_cap ec = {
		.cap = KVM_CAP_X86_USER_SPACE_MSR,
		.flags = 1,
	};

	EXPECT_GT(kvm_check_cap(vm->kvm_fd, KVM_CAP_X86_USER_SPACE_MSR), 0);
	EXPECT_GT(kvm_check_cap(vm->kvm_fd, KVM_CAP_X86_MSR_FILTER), 0);
	EXPECT_ERRNO(enable_cap(vm, KVM_CAP_X86_USER_SPACE_MSR, 1 << 3),
		     EINVAL);
	EXPECT_ERRNO(ioctl(vm->fd, KVM_ENABLE_CAP, &ec), EINVAL);
	EXPECT_OK(enable_cap(vm, KVM_CAP_X86_USER_SPACE_MSR, ALL_REASONS));
	EXPECT_OK(enable_cap(vm, KVM_CAP_X86_USER_SPACE_MSR, 0));
}

static GUEST_CODE void unknown_guest(uint64_t unused)
{
	uint64_t v;

	(void)unused;
	GUEST_ASSERT_EQ(rdmsr(MSR_UNKNOWN), 0x1122334455667788ULL);
	wrmsr(MSR_UNKNOWN, 0xaabbccdd00112233ULL);
	/* Userspace says error: #GP at the instruction. */
	GUEST_ASSERT_EQ(rdmsr_safe(MSR_UNKNOWN, &v), GP_VECTOR);
	GUEST_ASSERT_EQ(wrmsr_safe(MSR_UNKNOWN, 5), GP_VECTOR);
}

TEST(unknown_msr_to_userspace)
{
	struct kvm_vm *vm = vm_new(0);
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	struct kvm_run *run = vcpu->run;

	user_space_msr(vm, KVM_MSR_EXIT_REASON_UNKNOWN);
	vcpu_setup_long(vcpu, unknown_guest, 0);

	run_to_msr_exit(vcpu, KVM_EXIT_X86_RDMSR, MSR_UNKNOWN,
			KVM_MSR_EXIT_REASON_UNKNOWN);
	run->msr.data = 0x1122334455667788ULL;
	run_to_msr_exit(vcpu, KVM_EXIT_X86_WRMSR, MSR_UNKNOWN,
			KVM_MSR_EXIT_REASON_UNKNOWN);
	EXPECT_EQ_U64(run->msr.data, 0xaabbccdd00112233ULL);
	run_to_msr_exit(vcpu, KVM_EXIT_X86_RDMSR, MSR_UNKNOWN,
			KVM_MSR_EXIT_REASON_UNKNOWN);
	run->msr.error = 1;
	/* error is reset for the next exit. */
	run_to_msr_exit(vcpu, KVM_EXIT_X86_WRMSR, MSR_UNKNOWN,
			KVM_MSR_EXIT_REASON_UNKNOWN);
	EXPECT_EQ_U64(run->msr.data, 5);
	run->msr.error = 1;
	vcpu_run_done(vcpu);
}

static GUEST_CODE void gp_guest(uint64_t unused)
{
	uint64_t v;

	(void)unused;
	GUEST_ASSERT_EQ(rdmsr_safe(MSR_UNKNOWN, &v), GP_VECTOR);
	GUEST_ASSERT_EQ(wrmsr_safe(MSR_UNKNOWN, 1), GP_VECTOR);
	GUEST_SYNC(0);
	GUEST_ASSERT_EQ(rdmsr_safe(MSR_UNKNOWN, &v), GP_VECTOR);
	/* A known MSR refusing a value (PAT type 2) is INVAL, not UNKNOWN. */
	GUEST_ASSERT_EQ(wrmsr_safe(MSR_PAT, 0x02), GP_VECTOR);
}

TEST(no_exit_without_its_reason)
{
	struct kvm_vm *vm = vm_new(0);
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);

	vcpu_setup_long(vcpu, gp_guest, 0);
	ASSERT_EQ_U64(vcpu_run_sync(vcpu), 0);
	user_space_msr(vm, KVM_MSR_EXIT_REASON_FILTER);
	vcpu_run_done(vcpu);
}

static GUEST_CODE void inval_guest(uint64_t unused)
{
	uint64_t v;

	(void)unused;
	wrmsr(MSR_PAT, 0x02);
	GUEST_ASSERT(rdmsr(MSR_PAT) != 0x02);
	GUEST_ASSERT_EQ(rdmsr_safe(MSR_UNKNOWN, &v), GP_VECTOR);
}

TEST(invalid_value_to_userspace)
{
	struct kvm_vm *vm = vm_new(0);
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);

	user_space_msr(vm, KVM_MSR_EXIT_REASON_INVAL);
	vcpu_setup_long(vcpu, inval_guest, 0);
	/* Userspace takes the write: no #GP, and the MSR is unchanged. */
	run_to_msr_exit(vcpu, KVM_EXIT_X86_WRMSR, MSR_PAT,
			KVM_MSR_EXIT_REASON_INVAL);
	EXPECT_EQ_U64(vcpu->run->msr.data, 0x02);
	vcpu_run_done(vcpu);
}

static GUEST_CODE void immediate_guest(uint64_t unused)
{
	(void)unused;
	GUEST_ASSERT_EQ(rdmsr(MSR_UNKNOWN), 0x0123456789abcdefULL);
}

TEST(completion_before_immediate_exit)
{
	struct kvm_vm *vm = vm_new(0);
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	struct kvm_run *run = vcpu->run;
	struct kvm_regs regs;
	uint64_t rip;

	user_space_msr(vm, KVM_MSR_EXIT_REASON_UNKNOWN);
	vcpu_setup_long(vcpu, immediate_guest, 0);
	run_to_msr_exit(vcpu, KVM_EXIT_X86_RDMSR, MSR_UNKNOWN,
			KVM_MSR_EXIT_REASON_UNKNOWN);
	/* RIP stays on the RDMSR until userspace answered. */
	vcpu_get_regs(vcpu->fd, &regs);
	rip = regs.rip;
	EXPECT_EQ(((uint8_t *)gpa_ptr(vm, rip))[0], 0x0f);
	EXPECT_EQ(((uint8_t *)gpa_ptr(vm, rip))[1], 0x32);

	run->msr.data = 0x0123456789abcdefULL;
	run->immediate_exit = 1;
	EXPECT_ERRNO(vcpu_run(vcpu), EINTR);
	run->immediate_exit = 0;
	vcpu_get_regs(vcpu->fd, &regs);
	EXPECT_EQ_U64(regs.rip, rip + 2);
	EXPECT_EQ_U64(regs.rax, 0x89abcdefULL);
	EXPECT_EQ_U64(regs.rdx, 0x01234567ULL);
	vcpu_run_done(vcpu);
}

TEST(filter_validation)
{
	static uint8_t big[KVM_MSR_FILTER_MAX_BITMAP_SIZE];
	struct kvm_vm *vm = vm_new(0);
	uint64_t bits = ~0ULL;
	struct kvm_msr_filter f;

	ASSERT_GT(kvm_check_cap(vm->fd, KVM_CAP_X86_MSR_FILTER), 0);

	memset(&f, 0, sizeof(f));
	f.flags = 2;
	EXPECT_ERRNO(ioctl(vm->fd, KVM_X86_SET_MSR_FILTER, &f), EINVAL);
	/* No range at all: allow is "no filter", deny is refused. */
	f.flags = KVM_MSR_FILTER_DEFAULT_DENY;
	EXPECT_ERRNO(ioctl(vm->fd, KVM_X86_SET_MSR_FILTER, &f), EINVAL);
	f.flags = KVM_MSR_FILTER_DEFAULT_ALLOW;
	EXPECT_OK(ioctl(vm->fd, KVM_X86_SET_MSR_FILTER, &f));

	/* A range must say which accesses it filters, and only those. */
	f.ranges[0] = (struct kvm_msr_filter_range) {
		.flags = 0, .nmsrs = 1, .base = 0, .bitmap = (uint8_t *)&bits,
	};
	EXPECT_ERRNO(ioctl(vm->fd, KVM_X86_SET_MSR_FILTER, &f), EINVAL);
	f.ranges[0].flags = 1 << 2;
	EXPECT_ERRNO(ioctl(vm->fd, KVM_X86_SET_MSR_FILTER, &f), EINVAL);
	/* ... unless it is empty: then it is ignored. */
	f.ranges[0].nmsrs = 0;
	EXPECT_OK(ioctl(vm->fd, KVM_X86_SET_MSR_FILTER, &f));

	/* At most KVM_MSR_FILTER_MAX_BITMAP_SIZE bytes of bitmap. */
	f.ranges[0] = (struct kvm_msr_filter_range) {
		.flags = KVM_MSR_FILTER_READ,
		.nmsrs = KVM_MSR_FILTER_MAX_BITMAP_SIZE * 8,
		.base = 0x1000,
		.bitmap = big,
	};
	EXPECT_OK(ioctl(vm->fd, KVM_X86_SET_MSR_FILTER, &f));
	f.ranges[0].nmsrs = KVM_MSR_FILTER_MAX_BITMAP_SIZE * 8 + 1;
	EXPECT_ERRNO(ioctl(vm->fd, KVM_X86_SET_MSR_FILTER, &f), EINVAL);

	f.ranges[0].nmsrs = 1;
	f.ranges[0].bitmap = NULL;
	EXPECT_ERRNO(ioctl(vm->fd, KVM_X86_SET_MSR_FILTER, &f), EFAULT);
	EXPECT_ERRNO(ioctl(vm->fd, KVM_X86_SET_MSR_FILTER, NULL), EFAULT);
}

/*
 * STAR: read allowed by range 0, write by range 1.  LSTAR: read denied by
 * range 0 although range 1 allows it; write allowed by range 1.  CSTAR:
 * write denied by range 1.  SYSENTER_CS: in no range, default deny.
 */
static uint8_t bm_read_star = 0x1;	/* STAR yes, LSTAR no */
static uint8_t bm_write_efer_up = 0xf7;	/* 0xc0000080..87 but CSTAR */

static GUEST_CODE void filter_guest(uint64_t unused)
{
	uint64_t v;

	(void)unused;
	wrmsr(MSR_STAR, 0x0023001000000000ULL);
	GUEST_ASSERT_EQ(rdmsr(MSR_STAR), 0x0023001000000000ULL);
	GUEST_ASSERT_EQ(rdmsr(MSR_LSTAR), 0x1111);		/* exit */
	wrmsr(MSR_LSTAR, 0xffffffff81000000ULL);
	wrmsr(MSR_CSTAR, 0xffffffff81000100ULL);		/* exit */
	GUEST_ASSERT_EQ(rdmsr(MSR_SYSENTER_CS), 0x2222);	/* exit */
	wrmsr(MSR_SYSENTER_CS, 0x10);				/* exit */
	/* Not filtered: refused by the (absent) APIC, an INVAL exit. */
	GUEST_ASSERT_EQ(rdmsr_safe(MSR_X2APIC_ID, &v), GP_VECTOR);
	GUEST_SYNC(0);
	/* The filter is gone: all of it in the kernel again. */
	wrmsr(MSR_SYSENTER_CS, 0x10);
	GUEST_ASSERT_EQ(rdmsr(MSR_SYSENTER_CS), 0x10);
	GUEST_ASSERT_EQ(rdmsr(MSR_LSTAR), 0xffffffff81000000ULL);
}

TEST(filter_decides)
{
	struct kvm_vm *vm = vm_new(0);
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	struct kvm_run *run = vcpu->run;
	struct kvm_msr_filter f = {
		.flags = KVM_MSR_FILTER_DEFAULT_DENY,
		.ranges = {
			{
				.flags = KVM_MSR_FILTER_READ,
				.base = MSR_STAR,
				.nmsrs = 2,
				.bitmap = &bm_read_star,
			}, {
				/* An empty range in between is skipped. */
				.flags = KVM_MSR_FILTER_READ,
			}, {
				.flags = KVM_MSR_FILTER_READ |
					 KVM_MSR_FILTER_WRITE,
				.base = 0xc0000080,
				.nmsrs = 8,
				.bitmap = &bm_write_efer_up,
			},
		},
	};
	struct kvm_msr_filter none = { .flags = KVM_MSR_FILTER_DEFAULT_ALLOW };

	/* The guest's own stack and code need no MSR: deny-all is fine. */
	user_space_msr(vm, ALL_REASONS);
	set_filter(vm, &f);
	vcpu_setup_long(vcpu, filter_guest, 0);

	run_to_msr_exit(vcpu, KVM_EXIT_X86_RDMSR, MSR_LSTAR,
			KVM_MSR_EXIT_REASON_FILTER);
	run->msr.data = 0x1111;
	run_to_msr_exit(vcpu, KVM_EXIT_X86_WRMSR, MSR_CSTAR,
			KVM_MSR_EXIT_REASON_FILTER);
	EXPECT_EQ_U64(run->msr.data, 0xffffffff81000100ULL);
	run_to_msr_exit(vcpu, KVM_EXIT_X86_RDMSR, MSR_SYSENTER_CS,
			KVM_MSR_EXIT_REASON_FILTER);
	run->msr.data = 0x2222;
	run_to_msr_exit(vcpu, KVM_EXIT_X86_WRMSR, MSR_SYSENTER_CS,
			KVM_MSR_EXIT_REASON_FILTER);
	EXPECT_EQ_U64(run->msr.data, 0x10);
	run_to_msr_exit(vcpu, KVM_EXIT_X86_RDMSR, MSR_X2APIC_ID,
			KVM_MSR_EXIT_REASON_INVAL);
	run->msr.error = 1;
	ASSERT_EQ_U64(vcpu_run_sync(vcpu), 0);

	/* Userspace's own accesses are never filtered. */
	EXPECT_EQ_U64(vcpu_get_msr(vcpu, MSR_LSTAR), 0xffffffff81000000ULL);
	EXPECT_EQ_U64(vcpu_get_msr(vcpu, MSR_CSTAR), 0);
	vcpu_set_msr(vcpu, MSR_SYSENTER_CS, 0x8);
	EXPECT_EQ_U64(vcpu_get_msr(vcpu, MSR_SYSENTER_CS), 0x8);

	set_filter(vm, &none);
	vcpu_run_done(vcpu);
}

static GUEST_CODE void filtered_gp_guest(uint64_t unused)
{
	uint64_t v;

	(void)unused;
	GUEST_ASSERT_EQ(rdmsr_safe(MSR_LSTAR, &v), GP_VECTOR);
	wrmsr(MSR_LSTAR, 0xffffffff82000000ULL);
	GUEST_ASSERT_EQ(rdmsr_safe(MSR_LSTAR, &v), GP_VECTOR);
}

TEST(filtered_without_exit_is_gp)
{
	static uint8_t deny;
	struct kvm_vm *vm = vm_new(0);
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	struct kvm_msr_filter f = {
		.flags = KVM_MSR_FILTER_DEFAULT_ALLOW,
		.ranges[0] = {
			.flags = KVM_MSR_FILTER_READ,
			.base = MSR_LSTAR,
			.nmsrs = 1,
			.bitmap = &deny,
		},
	};

	/* Exits for unknown MSRs only: the filter's refusals are #GP. */
	user_space_msr(vm, KVM_MSR_EXIT_REASON_UNKNOWN |
			   KVM_MSR_EXIT_REASON_INVAL);
	set_filter(vm, &f);
	vcpu_setup_long(vcpu, filtered_gp_guest, 0);
	vcpu_run_done(vcpu);
	EXPECT_EQ_U64(vcpu_get_msr(vcpu, MSR_LSTAR), 0xffffffff82000000ULL);
}

TEST_HARNESS_MAIN
