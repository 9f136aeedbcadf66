// SPDX-License-Identifier: GPL-2.0
/*
 * Control registers written by the guest: CR0.WP and CD/NW, CR3 switching
 * between two page-table sets, CR4.PGE and refused CR4 values, EFER.NXE
 * turning bit 63 of a PTE from reserved to valid, and INVLPG after a PTE
 * change.  The guest checks what it sees; at each SYNC the host checks
 * the value in KVM_GET_SREGS.
 */
#include "../kvmod/test_harness.h"
#include "../kvmod/kvm_util.h"
#include "guest_lib.h"

#define TEST_VA		0x8000000000ULL	/* PML4 entry 1 */
#define PAGE_A		(SCRATCH_GPA + 0x1000)
#define PAGE_B		(SCRATCH_GPA + 0x2000)
#define MARK_A		0xaaaa0001ULL
#define MARK_B		0xbbbb0002ULL
#define CR4_BIT15	(1ULL << 15)	/* reserved */
#define PF_RSVD		(1ULL << 3)

static void get_sregs(struct kvm_vcpu *vcpu, struct kvm_sregs *sr)
{
	vcpu_get_sregs(vcpu->fd, sr);
}

static struct kvm_vm *vm_with_pages(void)
{
	struct kvm_vm *vm = vm_new(0);

	*(uint64_t *)gpa_ptr(vm, PAGE_A) = MARK_A;
	*(uint64_t *)gpa_ptr(vm, PAGE_B) = MARK_B;
	return vm;
}

static GUEST_CODE void wp_guest(uint64_t va)
{
	volatile uint64_t *p = (volatile uint64_t *)va;
	int v;

	write_cr0(read_cr0() & ~CR0_WP);
	GUEST_SYNC(read_cr0());
	/* Supervisor writes ignore read-only PTEs while WP is clear. */
	*p = 0x1234;
	write_cr0(read_cr0() | CR0_WP);
	GUEST_SYNC(read_cr0());
	v = GUEST_CATCH("movq $0x5678, (%0)", : : "r"(va) : "memory");
	GUEST_ASSERT_EQ(v, PF_VECTOR);
	GUEST_ASSERT_EQ(guest_caught.error_code, 0x3);
	GUEST_ASSERT_EQ(guest_caught.cr2, va);
	GUEST_ASSERT_EQ(*p, 0x1234);
}

TEST(cr0_wp)
{
	struct kvm_vm *vm = vm_with_pages();
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	struct kvm_sregs sr;

	vm_map_4k(vm, vm_identity_pml4(vm), TEST_VA, PAGE_A, PTE_P);
	vcpu_setup_long(vcpu, wp_guest, TEST_VA);
	EXPECT_EQ_U64(vcpu_run_sync(vcpu) & CR0_WP, 0);
	get_sregs(vcpu, &sr);
	EXPECT_EQ_U64(sr.cr0 & CR0_WP, 0);
	EXPECT_EQ_U64(*(uint64_t *)gpa_ptr(vm, PAGE_A), MARK_A);

	EXPECT_EQ_U64(vcpu_run_sync(vcpu) & CR0_WP, CR0_WP);
	get_sregs(vcpu, &sr);
	EXPECT_EQ_U64(sr.cr0 & CR0_WP, CR0_WP);
	EXPECT_EQ_U64(*(uint64_t *)gpa_ptr(vm, PAGE_A), 0x1234);
	vcpu_run_done(vcpu);
}

static GUEST_CODE void cd_nw_guest(uint64_t unused)
{
	uint64_t cr0 = read_cr0();
	int v;

	(void)unused;
	write_cr0(cr0 | CR0_CD);
	GUEST_SYNC(read_cr0());
	write_cr0(cr0 | CR0_CD | CR0_NW);
	GUEST_SYNC(read_cr0());
	write_cr0(cr0);
	/* NW without CD is invalid. */
	v = GUEST_CATCH("mov %0, %%cr0", : : "r"(cr0 | CR0_NW));
	GUEST_ASSERT_EQ(v, GP_VECTOR);
	GUEST_ASSERT_EQ(guest_caught.error_code, 0);
	GUEST_SYNC(read_cr0());
}

TEST(cr0_cd_nw)
{
	struct kvm_vm *vm = vm_new(0);
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	struct kvm_sregs sr;

	vcpu_setup_long(vcpu, cd_nw_guest, 0);
	EXPECT_EQ_U64(vcpu_run_sync(vcpu) & (CR0_CD | CR0_NW), CR0_CD);
	get_sregs(vcpu, &sr);
	EXPECT_EQ_U64(sr.cr0 & (CR0_CD | CR0_NW), CR0_CD);

	EXPECT_EQ_U64(vcpu_run_sync(vcpu) & (CR0_CD | CR0_NW),
		      CR0_CD | CR0_NW);
	get_sregs(vcpu, &sr);
	EXPECT_EQ_U64(sr.cr0 & (CR0_CD | CR0_NW), CR0_CD | CR0_NW);

	EXPECT_EQ_U64(vcpu_run_sync(vcpu) & (CR0_CD | CR0_NW), 0);
	get_sregs(vcpu, &sr);
	EXPECT_EQ_U64(sr.cr0 & (CR0_CD | CR0_NW), 0);
	vcpu_run_done(vcpu);
}

static GUEST_CODE void cr3_guest(uint64_t other)
{
	volatile uint64_t *p = (volatile uint64_t *)TEST_VA;
	uint64_t first = read_cr3();

	GUEST_SYNC(*p);
	write_cr3(other);
	GUEST_SYNC(*p);
	write_cr3(first);
	GUEST_SYNC(*p);
}

TEST(cr3_switch)
{
	struct kvm_vm *vm = vm_with_pages();
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	uint64_t pml4_a = vm_identity_pml4(vm), pml4_b = vm_clone_pml4(vm);
	struct kvm_sregs sr;

	/* Same VA, different page in each set; the code is mapped by both. */
	vm_map_4k(vm, pml4_a, TEST_VA, PAGE_A, PTE_P | PTE_RW);
	vm_map_4k(vm, pml4_b, TEST_VA, PAGE_B, PTE_P | PTE_RW);
	vcpu_setup_long(vcpu, cr3_guest, pml4_b);

	EXPECT_EQ_U64(vcpu_run_sync(vcpu), MARK_A);
	get_sregs(vcpu, &sr);
	EXPECT_EQ_U64(sr.cr3, pml4_a);
	EXPECT_EQ_U64(vcpu_run_sync(vcpu), MARK_B);
	get_sregs(vcpu, &sr);
	EXPECT_EQ_U64(sr.cr3, pml4_b);
	EXPECT_EQ_U64(vcpu_run_sync(vcpu), MARK_A);
	get_sregs(vcpu, &sr);
	EXPECT_EQ_U64(sr.cr3, pml4_a);
	vcpu_run_done(vcpu);
}

/* No SSE between the OSFXSR writes (checked in the disassembly). */
static GUEST_CODE void cr4_guest(uint64_t unused)
{
	uint64_t cr4 = read_cr4();
	int v;

	(void)unused;
	GUEST_ASSERT_EQ(cr4 & (CR4_OSFXSR | CR4_PAE), CR4_OSFXSR | CR4_PAE);
	write_cr4(cr4 | CR4_PGE);
	GUEST_SYNC(read_cr4());
	write_cr4(cr4 & ~CR4_PGE);
	GUEST_SYNC(read_cr4());
	/* Without OSFXSR, SSE instructions are undefined. */
	write_cr4(cr4 & ~CR4_OSFXSR);
	v = GUEST_CATCH("movaps %%xmm0, %%xmm1", : : : "xmm1");
	GUEST_SYNC(read_cr4());
	write_cr4(cr4);
	GUEST_ASSERT_EQ(v, UD_VECTOR);
	/* A reserved bit, and leaving PAE while in long mode: #GP. */
	v = GUEST_CATCH("mov %0, %%cr4", : : "r"(cr4 | CR4_BIT15));
	GUEST_ASSERT_EQ(v, GP_VECTOR);
	v = GUEST_CATCH("mov %0, %%cr4", : : "r"(cr4 & ~CR4_PAE));
	GUEST_ASSERT_EQ(v, GP_VECTOR);
	GUEST_SYNC(read_cr4());
}

TEST(cr4_pge_and_refused_values)
{
	struct kvm_vm *vm = vm_new(0);
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	struct kvm_sregs sr;
	uint64_t v;

	vcpu_setup_long(vcpu, cr4_guest, 0);
	v = vcpu_run_sync(vcpu);
	EXPECT_EQ_U64(v & CR4_PGE, CR4_PGE);
	get_sregs(vcpu, &sr);
	EXPECT_EQ_U64(sr.cr4, v);

	v = vcpu_run_sync(vcpu);
	EXPECT_EQ_U64(v & CR4_PGE, 0);
	get_sregs(vcpu, &sr);
	EXPECT_EQ_U64(sr.cr4, v);

	v = vcpu_run_sync(vcpu);
	EXPECT_EQ_U64(v & CR4_OSFXSR, 0);
	get_sregs(vcpu, &sr);
	EXPECT_EQ_U64(sr.cr4, v);
	v |= CR4_OSFXSR;

	/* The refused writes changed nothing. */
	EXPECT_EQ_U64(vcpu_run_sync(vcpu), v);
	get_sregs(vcpu, &sr);
	EXPECT_EQ_U64(sr.cr4 & (CR4_BIT15 | CR4_PAE), CR4_PAE);
	vcpu_run_done(vcpu);
}

static GUEST_CODE void nxe_guest(uint64_t va)
{
	uint64_t val = 0;
	int v;

	GUEST_ASSERT_EQ(rdmsr(MSR_EFER) & EFER_NX, 0);
	/* Without NXE, bit 63 of the PTE is reserved. */
	v = GUEST_CATCH("mov (%1), %0", : "=r"(val) : "r"(va));
	GUEST_ASSERT_EQ(v, PF_VECTOR);
	/*
	 * Only RSVD is checked: the architecture also sets P here, but the
	 * lane's emulated host (QEMU TCG under KVM) reports 0x8 alone.
	 */
	GUEST_ASSERT_EQ(guest_caught.error_code & PF_RSVD, PF_RSVD);
	GUEST_ASSERT_EQ(guest_caught.cr2, va);
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NX);
	GUEST_SYNC(rdmsr(MSR_EFER));
	/* Now it only forbids execution: the read goes through. */
	GUEST_SYNC(*(volatile uint64_t *)va);
}

TEST(efer_nxe)
{
	struct kvm_vm *vm = vm_with_pages();
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	struct kvm_cpuid_entry2 *e;
	struct kvm_sregs sr;

	e = cpuid_find(vm_supported_cpuid(vm), 0x80000001, 0);
	if (!e || !(e->edx & (1U << 20)))
		SKIP("no NX in KVM_GET_SUPPORTED_CPUID");
	vm_map_4k(vm, vm_identity_pml4(vm), TEST_VA, PAGE_A,
		  PTE_P | PTE_RW | PTE_NX);
	vcpu_setup_long(vcpu, nxe_guest, TEST_VA);
	EXPECT_EQ_U64(vcpu_run_sync(vcpu) & EFER_NX, EFER_NX);
	get_sregs(vcpu, &sr);
	EXPECT_EQ_U64(sr.efer & (EFER_NX | EFER_LMA | EFER_LME),
		      EFER_NX | EFER_LMA | EFER_LME);
	EXPECT_EQ_U64(vcpu_run_sync(vcpu), MARK_A);
	vcpu_run_done(vcpu);
}

struct invlpg_args {
	uint64_t va;
	uint64_t pte_gpa;	/* identity-mapped, so also its address */
	uint64_t new_pte;
};

static GUEST_CODE void invlpg_guest(uint64_t arg)
{
	struct invlpg_args *a = (struct invlpg_args *)arg;
	volatile uint64_t *p = (volatile uint64_t *)a->va;

	GUEST_SYNC(*p);
	*(volatile uint64_t *)a->pte_gpa = a->new_pte;
	invlpg(a->va);
	GUEST_SYNC(*p);
}

TEST(invlpg_after_pte_change)
{
	struct kvm_vm *vm = vm_with_pages();
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	struct invlpg_args *a;
	uint64_t args_gpa = SCRATCH_GPA + 0x3000;

	a = gpa_ptr(vm, args_gpa);
	a->va = TEST_VA;
	a->pte_gpa = vm_map_4k(vm, vm_identity_pml4(vm), TEST_VA, PAGE_A,
			       PTE_P | PTE_RW);
	a->new_pte = PAGE_B | PTE_P | PTE_RW;
	vcpu_setup_long(vcpu, invlpg_guest, args_gpa);
	EXPECT_EQ_U64(vcpu_run_sync(vcpu), MARK_A);
	EXPECT_EQ_U64(vcpu_run_sync(vcpu), MARK_B);
	vcpu_run_done(vcpu);
	/* The CPU may have set the accessed and dirty bits since. */
	EXPECT_EQ_U64(*(uint64_t *)gpa_ptr(vm, a->pte_gpa) & ~0x60ULL,
		      a->new_pte);
}

TEST_HARNESS_MAIN
