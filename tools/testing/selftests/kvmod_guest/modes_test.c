// SPDX-License-Identifier: GPL-2.0
/*
 * Guests in each x86 mode: real mode from the reset vector and from a
 * blob, 16- and 32-bit protected mode with and without paging, PAE, long
 * mode, and a guest that switches itself from real to long mode.  At each
 * SYNC the host checks the mode in KVM_GET_SREGS, and where paging is on
 * the guest reads a marker through a non-identity mapping, so a guest
 * running without the translation would exit to MMIO instead.
 */
#include <sys/ioctl.h>

#include "../kvmod/test_harness.h"
#include "../kvmod/kvm_util.h"
#include "guest_lib.h"

#define MARKER		0xcafe3232U
#define MARKER_GPA	(SCRATCH_GPA + 0x100)
#define HIGH_VA32	0xc0000000U
#define RM_SEG		0x9000	/* real-mode data segment, at LOWMEM_FREE */
#define PM16_DATA	0x7800	/* between the stack and the blob */

asm(GUEST_ASM_MACROS
	".pushsection .text\n"

	/* At F000:FFF0: report, then halt. */
	".code16\n"
	"reset_blob:\n"
	"  asm_sync 0x5a5a\n"
	"  hlt\n"
	"reset_blob_hlt_end:\n"
	"reset_blob_end:\n"

	/* Copied to BLOB_GPA: real-mode segmentation at work. */
	"rm_blob:\n"
	"  asm_sync 0x1111\n"
	"  mov $" STR(RM_SEG) ", %ax\n"
	"  mov %ax, %es\n"
	"  movw $0xbeef, %es:0x10\n"
	"  asm_done\n"
	"  hlt\n"
	"rm_blob_end:\n"

	/*
	 * Copied to BLOB_GPA, run with a 16-bit code segment: a store with
	 * 16-bit addressing, then the word at EBX through a flat DS.
	 */
	"pm16_blob:\n"
	"  asm_sync 0x1616\n"
	"  movw $0x1616, " STR(PM16_DATA) "\n"
	"  mov $" STR(SEL_DATA) ", %ax\n"
	"  mov %ax, %ds\n"
	"  movl (%ebx), %eax\n"
	"  asm_sync_reg %eax\n"
	"  asm_done\n"
	"  hlt\n"
	"pm16_blob_end:\n"

	/* 32-bit, in place: report, then the 32-bit word at EBX. */
	".code32\n"
	"pm32_code:\n"
	"  asm_sync 0x3232\n"
	"  mov (%ebx), %eax\n"
	"  asm_sync_reg %eax\n"
	"  asm_done\n"
	"  hlt\n"

	/*
	 * Real -> protected -> long mode.  The 16-bit part runs from
	 * BLOB_GPA; the 32- and 64-bit parts run in place.  EBX holds the
	 * PML4 the host built.
	 */
	".code16\n"
	"switch_blob:\n"
	"  asm_sync 1\n"
	"  cli\n"
	"  lgdtl (switch_gdtr - switch_blob + " STR(BLOB_GPA) ")\n"
	"  mov %cr0, %eax\n"
	"  or $1, %eax\n"
	"  mov %eax, %cr0\n"
	"  ljmpl $" STR(SEL_CODE32) ", $switch_pm32\n"
	"switch_gdtr:\n"
	"  .word 8 * 8 - 1\n"
	"  .long " STR(GDT_GPA) "\n"
	"switch_blob_end:\n"
	".code32\n"
	"switch_pm32:\n"
	"  mov $" STR(SEL_DATA) ", %ax\n"
	"  mov %ax, %ds\n"
	"  mov %ax, %es\n"
	"  mov %ax, %ss\n"
	"  asm_sync 2\n"
	"  mov %cr4, %eax\n"
	"  or $" STR(CR4_PAE) ", %eax\n"
	"  mov %eax, %cr4\n"
	"  mov %ebx, %cr3\n"
	"  mov $" STR(MSR_EFER) ", %ecx\n"
	"  rdmsr\n"
	"  or $" STR(EFER_LME) ", %eax\n"
	"  wrmsr\n"
	"  mov %cr0, %eax\n"
	"  or $0x80000000, %eax\n"
	"  mov %eax, %cr0\n"
	"  ljmp $" STR(SEL_CODE64) ", $switch_lm64\n"
	".code64\n"
	"switch_lm64:\n"
	"  asm_sync 3\n"
	"  asm_done\n"
	"  hlt\n"
	".popsection\n");

extern char reset_blob[], reset_blob_end[], reset_blob_hlt_end[];
extern char rm_blob[], rm_blob_end[], pm16_blob[], pm16_blob_end[];
extern char pm32_code[], switch_blob[], switch_blob_end[];

static void set_rbx(struct kvm_vcpu *vcpu, uint64_t rbx)
{
	struct kvm_regs regs;

	vcpu_get_regs(vcpu->fd, &regs);
	regs.rbx = rbx;
	vcpu_set_regs(vcpu->fd, &regs);
}

static void get_sregs(struct kvm_vcpu *vcpu, struct kvm_sregs *sr)
{
	vcpu_get_sregs(vcpu->fd, sr);
}

TEST(real_mode_from_reset_vector)
{
	struct kvm_vm *vm = vm_new(0);
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	uint8_t *top = host_mem_alloc(PAGE_SIZE_4K);
	size_t len = reset_blob_end - reset_blob;
	struct kvm_sregs sr;
	struct kvm_regs regs;

	/* The last page below 4 GiB; the blob sits at 0xfffffff0. */
	memset(top, 0xf4, PAGE_SIZE_4K);
	ASSERT_LE(len, 16);
	memcpy(top + 0xff0, reset_blob, len);
	ASSERT_OK(memslot_set(vm->fd, 1, 0, 0xfffff000ULL, PAGE_SIZE_4K,
			      (uintptr_t)top));

	/* No KVM_SET_SREGS/REGS: the architectural reset state runs it. */
	ASSERT_EQ_U64(vcpu_run_sync(vcpu), 0x5a5a);
	get_sregs(vcpu, &sr);
	EXPECT_EQ(sr.cs.selector, 0xf000);
	EXPECT_EQ_U64(sr.cs.base, 0xffff0000ULL);
	EXPECT_EQ_U64(sr.cr0 & (CR0_PE | CR0_PG), 0);

	vcpu_run_exit(vcpu, KVM_EXIT_HLT);
	vcpu_get_regs(vcpu->fd, &regs);
	EXPECT_EQ_U64(regs.rip, 0xfff0 + (reset_blob_hlt_end - reset_blob));
}

TEST(real_mode_blob)
{
	struct kvm_vm *vm = vm_new(0);
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	struct kvm_sregs sr;

	vm_load_blob(vm, BLOB_GPA, rm_blob, rm_blob_end);
	vcpu_setup_real(vcpu, 0, BLOB_GPA);
	ASSERT_EQ_U64(vcpu_run_sync(vcpu), 0x1111);
	get_sregs(vcpu, &sr);
	EXPECT_EQ_U64(sr.cr0 & CR0_PE, 0);
	EXPECT_EQ(sr.cs.selector, 0);
	vcpu_run_done(vcpu);
	/* ES = 0x9000: the store lands at 0x90010. */
	EXPECT_EQ(*(uint16_t *)gpa_ptr(vm, RM_SEG * 16 + 0x10), 0xbeef);
	get_sregs(vcpu, &sr);
	EXPECT_EQ(sr.es.selector, RM_SEG);
	EXPECT_EQ_U64(sr.es.base, RM_SEG * 16);
}

/* Run pm16_blob reading the marker at va; check the mode at the SYNC. */
static void run_pm16(struct kvm_vm *vm, struct kvm_vcpu *vcpu, uint32_t va,
		     uint64_t cr0)
{
	struct kvm_sregs sr;

	*(uint32_t *)gpa_ptr(vm, MARKER_GPA) = MARKER;
	set_rbx(vcpu, va);
	ASSERT_EQ_U64(vcpu_run_sync(vcpu), 0x1616);
	get_sregs(vcpu, &sr);
	EXPECT_EQ_U64(sr.cr0 & (CR0_PE | CR0_PG), cr0);
	EXPECT_EQ(sr.cs.selector, SEL_CODE16);
	EXPECT_EQ(sr.cs.db, 0);
	ASSERT_EQ_U64(vcpu_run_sync(vcpu), MARKER);
	vcpu_run_done(vcpu);
	EXPECT_EQ(*(uint16_t *)gpa_ptr(vm, PM16_DATA), 0x1616);
}

TEST(protected_mode_16bit)
{
	struct kvm_vm *vm = vm_new(0);
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);

	vm_load_blob(vm, BLOB_GPA, pm16_blob, pm16_blob_end);
	vcpu_setup_pm16(vcpu, BLOB_GPA, false);
	run_pm16(vm, vcpu, MARKER_GPA, CR0_PE);
}

TEST(protected_mode_16bit_paging)
{
	struct kvm_vm *vm = vm_new(0);
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	uint32_t *pd;

	vm_load_blob(vm, BLOB_GPA, pm16_blob, pm16_blob_end);
	vcpu_setup_pm16(vcpu, BLOB_GPA, true);
	/* 0xc0000000 -> GPA 0 with a 4 MiB page. */
	pd = gpa_ptr(vm, vm_identity_pd32(vm));
	pd[HIGH_VA32 >> 22] = PTE_P | PTE_RW | PTE_PS;
	run_pm16(vm, vcpu, HIGH_VA32 + MARKER_GPA, CR0_PE | CR0_PG);
}

/* Run pm32_code reading the marker at va; check the mode at the SYNC. */
static void run_pm32(struct kvm_vm *vm, struct kvm_vcpu *vcpu, uint32_t va,
		     uint64_t cr0, uint64_t cr4)
{
	struct kvm_sregs sr;

	*(uint32_t *)gpa_ptr(vm, MARKER_GPA) = MARKER;
	set_rbx(vcpu, va);
	ASSERT_EQ_U64(vcpu_run_sync(vcpu), 0x3232);
	get_sregs(vcpu, &sr);
	EXPECT_EQ_U64(sr.cr0 & (CR0_PE | CR0_PG), cr0);
	EXPECT_EQ_U64(sr.cr4 & (CR4_PAE | CR4_PSE), cr4);
	EXPECT_EQ_U64(sr.efer & (EFER_LME | EFER_LMA), 0);
	EXPECT_EQ(sr.cs.selector, SEL_CODE32);
	EXPECT_EQ(sr.cs.db, 1);
	ASSERT_EQ_U64(vcpu_run_sync(vcpu), MARKER);
	vcpu_run_done(vcpu);
}

TEST(protected_mode_32bit_flat)
{
	struct kvm_vm *vm = vm_new(0);
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);

	vcpu_setup_pm32(vcpu, pm32_code, false);
	run_pm32(vm, vcpu, MARKER_GPA, CR0_PE, 0);
}

TEST(protected_mode_32bit_paging)
{
	struct kvm_vm *vm = vm_new(0);
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	uint32_t *pd;

	vcpu_setup_pm32(vcpu, pm32_code, true);
	/* 0xc0000000 -> GPA 0 with a 4 MiB page. */
	pd = gpa_ptr(vm, vm_identity_pd32(vm));
	pd[HIGH_VA32 >> 22] = PTE_P | PTE_RW | PTE_PS;
	run_pm32(vm, vcpu, HIGH_VA32 + MARKER_GPA, CR0_PE | CR0_PG, CR4_PSE);
}

TEST(protected_mode_pae)
{
	struct kvm_vm *vm = vm_new(0);
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	uint64_t *pdpt, *pd;

	vcpu_setup_pae(vcpu, pm32_code);
	/* 0xc0000000 -> SCRATCH_GPA with a 2 MiB page. */
	pdpt = gpa_ptr(vm, vm_identity_pae(vm));
	pd = gpa_ptr(vm, pdpt[3] & PTE_ADDR);
	pd[0] = SCRATCH_GPA | PTE_P | PTE_RW | PTE_PS;
	run_pm32(vm, vcpu, HIGH_VA32 + (MARKER_GPA - SCRATCH_GPA),
		 CR0_PE | CR0_PG, CR4_PAE);
}

#define HIGH_VA64	0x8000000000ULL	/* PML4 entry 1 */

static GUEST_CODE void long_mode_guest(uint64_t va)
{
	GUEST_ASSERT_EQ(rdmsr(MSR_EFER) & (EFER_LME | EFER_LMA),
			EFER_LME | EFER_LMA);
	GUEST_ASSERT(read_cr0() & CR0_PG);
	GUEST_ASSERT(read_cr4() & CR4_PAE);
	GUEST_SYNC(*(volatile uint32_t *)va);
}

TEST(long_mode)
{
	struct kvm_vm *vm = vm_new(0);
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	struct kvm_sregs sr;

	*(uint32_t *)gpa_ptr(vm, MARKER_GPA) = MARKER;
	vm_map_4k(vm, vm_identity_pml4(vm), HIGH_VA64, SCRATCH_GPA,
		  PTE_P | PTE_RW);
	vcpu_setup_long(vcpu, long_mode_guest,
			HIGH_VA64 + (MARKER_GPA - SCRATCH_GPA));
	ASSERT_EQ_U64(vcpu_run_sync(vcpu), MARKER);
	get_sregs(vcpu, &sr);
	EXPECT_EQ_U64(sr.efer & (EFER_LME | EFER_LMA), EFER_LME | EFER_LMA);
	EXPECT_EQ_U64(sr.cr0 & (CR0_PE | CR0_PG), CR0_PE | CR0_PG);
	EXPECT_EQ_U64(sr.cr4 & CR4_PAE, CR4_PAE);
	EXPECT_EQ(sr.cs.l, 1);
	EXPECT_EQ(sr.cs.selector, SEL_CODE64);
	vcpu_run_done(vcpu);
}

TEST(switch_real_to_long)
{
	struct kvm_vm *vm = vm_new(0);
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	struct kvm_sregs sr;

	vm_load_blob(vm, BLOB_GPA, switch_blob, switch_blob_end);
	vcpu_setup_real(vcpu, 0, BLOB_GPA);
	set_rbx(vcpu, vm_identity_pml4(vm));

	ASSERT_EQ_U64(vcpu_run_sync(vcpu), 1);
	get_sregs(vcpu, &sr);
	EXPECT_EQ_U64(sr.cr0 & (CR0_PE | CR0_PG), 0);
	EXPECT_EQ_U64(sr.efer & (EFER_LME | EFER_LMA), 0);

	ASSERT_EQ_U64(vcpu_run_sync(vcpu), 2);
	get_sregs(vcpu, &sr);
	EXPECT_EQ_U64(sr.cr0 & (CR0_PE | CR0_PG), CR0_PE);
	EXPECT_EQ_U64(sr.efer & (EFER_LME | EFER_LMA), 0);
	EXPECT_EQ(sr.cs.selector, SEL_CODE32);
	EXPECT_EQ(sr.cs.db, 1);
	EXPECT_EQ_U64(sr.gdt.base, GDT_GPA);

	ASSERT_EQ_U64(vcpu_run_sync(vcpu), 3);
	get_sregs(vcpu, &sr);
	EXPECT_EQ_U64(sr.cr0 & (CR0_PE | CR0_PG), CR0_PE | CR0_PG);
	EXPECT_EQ_U64(sr.cr4 & CR4_PAE, CR4_PAE);
	EXPECT_EQ_U64(sr.efer & (EFER_LME | EFER_LMA), EFER_LME | EFER_LMA);
	EXPECT_EQ_U64(sr.cr3, vm_identity_pml4(vm));
	EXPECT_EQ(sr.cs.selector, SEL_CODE64);
	EXPECT_EQ(sr.cs.l, 1);
	vcpu_run_done(vcpu);
}

TEST_HARNESS_MAIN
