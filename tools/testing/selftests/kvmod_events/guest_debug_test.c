// SPDX-License-Identifier: GPL-2.0
/*
 * KVM_SET_GUEST_DEBUG and KVM_TRANSLATE, each case skipped unless
 * KVM_CHECK_EXTENSION(KVM_CAP_SET_GUEST_DEBUG) is non-zero: single-step
 * (KVM_EXIT_DEBUG after every instruction, run->debug.arch.pc the next
 * one, #DB with DR6.BS, TF hidden from KVM_GET_REGS), software
 * breakpoints (INT3 exits with #BP instead of reaching the guest, and
 * reaches the guest's handler again once disabled), and the translation
 * of a mapped and an unmapped address.
 */
#include <cpuid.h>
#include <sys/ioctl.h>

#include "../kvmod/test_harness.h"
#include "../kvmod/kvm_util.h"
#include "../kvmod_guest/guest_lib.h"

#define DR6_BS		(1ULL << 14)
#define X86_TF		0x100ULL
#define MAP_VA		0x620000000000ULL
#define MAP_GPA		(SCRATCH_GPA + 0x5000)

asm(".pushsection .text\n"
	"ss_guest:\n"
	"ss_0: mov $1, %eax\n"
	"ss_1: inc %eax\n"
	"ss_2: add $2, %eax\n"
	"ss_3: nop\n"
	"ss_4: hlt\n"
	".popsection\n");

extern char ss_guest[], ss_0[], ss_1[], ss_2[], ss_3[], ss_4[];

static void need_guest_debug(int fd)
{
	if (kvm_check_cap(fd, KVM_CAP_SET_GUEST_DEBUG) <= 0)
		SKIP("KVM_CAP_SET_GUEST_DEBUG is 0");
}

static void set_debug(struct kvm_vcpu *vcpu, uint32_t control)
{
	struct kvm_guest_debug dbg;

	memset(&dbg, 0, sizeof(dbg));
	dbg.control = control;
	ASSERT_OK(ioctl(vcpu->fd, KVM_SET_GUEST_DEBUG, &dbg));
}

TEST(single_step)
{
	struct kvm_vm *vm = vm_new(0);
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	struct kvm_run *run = vcpu->run;
	const char *next[] = { ss_1, ss_2, ss_3, ss_4 };
	static const uint64_t rax[] = { 1, 2, 4, 4 };
	struct kvm_regs regs;
	unsigned int i;

	need_guest_debug(vm->fd);
	vcpu_setup_long(vcpu, (void (*)(uint64_t))ss_guest, 0);
	set_debug(vcpu, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP);

	for (i = 0; i < ARRAY_SIZE(next); i++) {
		vcpu_run_exit(vcpu, KVM_EXIT_DEBUG);
		EXPECT_EQ(run->debug.arch.exception, 1);
		EXPECT_EQ_U64(run->debug.arch.pc, (uintptr_t)next[i]);
		EXPECT_TRUE(run->debug.arch.dr6 & DR6_BS);
		vcpu_get_regs(vcpu->fd, &regs);
		EXPECT_EQ_U64(regs.rip, (uintptr_t)next[i]);
		EXPECT_EQ_U64(regs.rax, rax[i]);
		EXPECT_EQ_U64(regs.rflags & X86_TF, 0);
	}

	/* Off again: straight to the HLT exit. */
	set_debug(vcpu, 0);
	vcpu_run_exit(vcpu, KVM_EXIT_HLT);
	vcpu_get_regs(vcpu->fd, &regs);
	EXPECT_EQ_U64(regs.rip, (uintptr_t)ss_4 + 1);
	EXPECT_EQ_U64(regs.rflags & X86_TF, 0);
}

static GUEST_CODE void bp_handler(struct ex_regs *regs)
{
	GUEST_SYNC(0x300 + regs->vector);
}

extern char bp_int3[], bp_after[];

static GUEST_CODE void bp_guest(uint64_t unused)
{
	(void)unused;
	guest_handlers[BP_VECTOR] = bp_handler;
	asm volatile("bp_int3: int3\n"
		     "bp_after:\n" ::: "memory");
	GUEST_SYNC(1);
	asm volatile("int3" ::: "memory");
	GUEST_SYNC(2);
}

/* The host CPU is QEMU's TCG (hypervisor CPUID leaf "TCGTCGTCGTCG"). */
static bool host_is_tcg(void)
{
	unsigned int a, sig[3];

	__cpuid(1, a, sig[0], sig[1], sig[2]);
	if (!(sig[1] & (1u << 31)))
		return false;
	__cpuid(0x40000000, a, sig[0], sig[1], sig[2]);
	return !memcmp(sig, "TCGTCGTCGTCG", 12);
}

TEST(software_breakpoint)
{
	struct kvm_vm *vm = vm_new(0);
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	struct kvm_run *run = vcpu->run;
	struct kvm_regs regs;

	need_guest_debug(vm->fd);
	/*
	 * QEMU's TCG checks only the software-interrupt intercept for INT3,
	 * never the #BP exception intercept KVM_GUESTDBG_USE_SW_BP relies
	 * on: INT3 reaches the guest under the real KVM too.
	 */
	if (host_is_tcg())
		SKIP("the emulated AMD-V (QEMU TCG) does not intercept INT3 as #BP");
	vcpu_setup_long(vcpu, bp_guest, 0);
	set_debug(vcpu, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_SW_BP);

	/* The INT3 exits to userspace, at the INT3. */
	vcpu_run_exit(vcpu, KVM_EXIT_DEBUG);
	EXPECT_EQ(run->debug.arch.exception, BP_VECTOR);
	EXPECT_EQ_U64(run->debug.arch.pc, (uintptr_t)bp_int3);
	vcpu_get_regs(vcpu->fd, &regs);
	EXPECT_EQ_U64(regs.rip, (uintptr_t)bp_int3);

	/* The debugger steps over it. */
	regs.rip = (uintptr_t)bp_after;
	vcpu_set_regs(vcpu->fd, &regs);
	set_debug(vcpu, 0);
	EXPECT_EQ_U64(vcpu_run_sync(vcpu), 1);
	/* Without USE_SW_BP the guest's own #BP handler runs. */
	EXPECT_EQ_U64(vcpu_run_sync(vcpu), 0x300 + BP_VECTOR);
	EXPECT_EQ_U64(vcpu_run_sync(vcpu), 2);
	vcpu_run_done(vcpu);
}

static int translate(struct kvm_vcpu *vcpu, uint64_t va,
		     struct kvm_translation *tr)
{
	memset(tr, 0, sizeof(*tr));
	tr->linear_address = va;
	return ioctl(vcpu->fd, KVM_TRANSLATE, tr);
}

TEST(translate)
{
	struct kvm_vm *vm = vm_new(0);
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	struct kvm_translation tr;

	need_guest_debug(vm->fd);
	vcpu_setup_long(vcpu, NULL, 0);
	vm_map_4k(vm, vm_identity_pml4(vm), MAP_VA, MAP_GPA, PTE_P | PTE_RW);

	/* Through the 4 KiB mapping. */
	ASSERT_OK(translate(vcpu, MAP_VA + 0x123, &tr));
	EXPECT_EQ(tr.valid, 1);
	EXPECT_EQ_U64(tr.physical_address, MAP_GPA + 0x123);
	EXPECT_EQ(tr.writeable, 1);
	EXPECT_EQ(tr.usermode, 0);

	/* Through the identity map's 2 MiB pages. */
	ASSERT_OK(translate(vcpu, 0x3fe008, &tr));
	EXPECT_EQ(tr.valid, 1);
	EXPECT_EQ_U64(tr.physical_address, 0x3fe008);

	/* Not mapped: the next page, and a PML4 slot never filled. */
	ASSERT_OK(translate(vcpu, MAP_VA + 0x1000, &tr));
	EXPECT_EQ(tr.valid, 0);
	ASSERT_OK(translate(vcpu, 0x7f0000000000ULL, &tr));
	EXPECT_EQ(tr.valid, 0);
}

TEST_HARNESS_MAIN
