// SPDX-License-Identifier: GPL-2.0
/*
 * Exits other than port I/O: HLT (with RIP after the instruction), a
 * triple fault (KVM_EXIT_SHUTDOWN), and CPUID answered from the table
 * userspace gave to KVM_SET_CPUID2.
 */
#include <sys/ioctl.h>

#include "../kvmod/test_harness.h"
#include "../kvmod/kvm_util.h"
#include "guest_lib.h"

asm(".pushsection .text\n"
	"hlt_guest:\n"
	"  hlt\n"
	"hlt_guest_after:\n"
	"  hlt\n"
	"hlt_guest_after2:\n"
	"  ret\n"
	".popsection\n");

extern char hlt_guest[], hlt_guest_after[], hlt_guest_after2[];

TEST(hlt_exit)
{
	struct kvm_vm *vm = vm_new(0);
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	struct kvm_regs regs;

	vcpu_setup_long(vcpu, (void (*)(uint64_t))hlt_guest, 0);
	vcpu_run_exit(vcpu, KVM_EXIT_HLT);
	vcpu_get_regs(vcpu->fd, &regs);
	EXPECT_EQ_U64(regs.rip, (uintptr_t)hlt_guest_after);
	/* Running again resumes after the HLT, not on it. */
	vcpu_run_exit(vcpu, KVM_EXIT_HLT);
	vcpu_get_regs(vcpu->fd, &regs);
	EXPECT_EQ_U64(regs.rip, (uintptr_t)hlt_guest_after2);
	vcpu_run_done(vcpu);
}

struct __attribute__((packed)) dtr {
	uint16_t limit;
	uint64_t base;
};

static GUEST_CODE void triple_fault_guest(uint64_t unused)
{
	struct dtr idtr = { 0, 0 };

	(void)unused;
	/* #UD cannot be delivered, nor the #DF after it: shutdown. */
	asm volatile("lidt %0\n\tud2" : : "m"(idtr));
	GUEST_FAIL(0, 0);
}

TEST(triple_fault_shutdown)
{
	struct kvm_vm *vm = vm_new(0);
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);

	vcpu_setup_long(vcpu, triple_fault_guest, 0);
	vcpu_run_exit(vcpu, KVM_EXIT_SHUTDOWN);
}

/* A page fault with no IDT at all is a triple fault as well. */
static GUEST_CODE void triple_fault_pf_guest(uint64_t unused)
{
	struct dtr idtr = { 0, 0 };

	(void)unused;
	asm volatile("lidt %0\n\t"
		     "movq 0x7ff0000000, %%rax" : : "m"(idtr) : "rax");
	GUEST_FAIL(0, 0);
}

TEST(triple_fault_page_fault)
{
	struct kvm_vm *vm = vm_new(0);
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);

	vcpu_setup_long(vcpu, triple_fault_pf_guest, 0);
	vcpu_run_exit(vcpu, KVM_EXIT_SHUTDOWN);
}

#define HV_LEAF		0x40000000U
#define SIG_EBX		0x6f6d766bU	/* "kvmo" */
#define SIG_ECX		0x65756764U	/* "dgue" */
#define SIG_EDX		0x21217473U	/* "st!!" */
#define LEAF1_EAX	0x00a50f21U

static GUEST_CODE void cpuid_guest(uint64_t unused)
{
	uint32_t a, b, c, d;

	(void)unused;
	guest_cpuid(HV_LEAF, 0, &a, &b, &c, &d);
	GUEST_SYNC(a);
	GUEST_SYNC(b);
	GUEST_SYNC(c);
	GUEST_SYNC(d);
	guest_cpuid(1, 0, &a, &b, &c, &d);
	GUEST_SYNC(a);
}

TEST(cpuid_from_set_cpuid2)
{
	struct kvm_vm *vm = vm_new(0);
	struct kvm_vcpu *vcpu = vcpu_add_raw(vm, 0);
	struct kvm_cpuid2 *sup = vm_supported_cpuid(vm), *c;
	struct kvm_cpuid_entry2 *e;
	size_t sz;

	/* The supported table with leaf 1 EAX and leaf 0x40000000 changed. */
	sz = sizeof(*c) + (sup->nent + 1) * sizeof(c->entries[0]);
	c = calloc(1, sz);
	ASSERT_TRUE(c);
	memcpy(c, sup, sizeof(*c) + sup->nent * sizeof(c->entries[0]));
	e = cpuid_find(c, 1, 0);
	ASSERT_TRUE(e);
	e->eax = LEAF1_EAX;
	/* KVM offers its own 0x40000000 leaf: overwrite it, else add one. */
	e = cpuid_find(c, HV_LEAF, 0);
	if (!e) {
		e = &c->entries[c->nent++];
		e->function = HV_LEAF;
	}
	e->eax = HV_LEAF + 1;
	e->ebx = SIG_EBX;
	e->ecx = SIG_ECX;
	e->edx = SIG_EDX;
	ASSERT_OK(ioctl(vcpu->fd, KVM_SET_CPUID2, c));

	vcpu_setup_long(vcpu, cpuid_guest, 0);
	EXPECT_EQ_U64(vcpu_run_sync(vcpu), HV_LEAF + 1);
	EXPECT_EQ_U64(vcpu_run_sync(vcpu), SIG_EBX);
	EXPECT_EQ_U64(vcpu_run_sync(vcpu), SIG_ECX);
	EXPECT_EQ_U64(vcpu_run_sync(vcpu), SIG_EDX);
	EXPECT_EQ_U64(vcpu_run_sync(vcpu), LEAF1_EAX);
	vcpu_run_done(vcpu);
	free(c);
}

TEST_HARNESS_MAIN
