// SPDX-License-Identifier: GPL-2.0
/*
 * Exceptions delivered to the guest's own IDT handlers: #DE, #UD, #BP,
 * #PF (CR2 and error code) and #GP (with and without an error code).
 * The handler records the frame and resumes after the instruction; the
 * host then checks vector, error code, the RIP in the frame (the faulting
 * instruction for faults, the next one for the INT3 trap) and that the
 * guest ran on to the end.
 */
#include "../kvmod/test_harness.h"
#include "../kvmod/kvm_util.h"
#include "guest_lib.h"

#define UNMAPPED_VA	0x7f00000000ULL	/* PDPT entry 508: not present */
#define RO_VA		0x8000000000ULL	/* PML4 entry 1, mapped read-only */
#define RO_GPA		(SCRATCH_GPA + 0x1000)
#define BAD_SELECTOR	0x1238		/* far beyond the GDT limit */

/*
 * One snippet per exception, called from C with the address to use in
 * RDI.  *_insn is the instruction that raises it, *_after the next one.
 */
asm(".pushsection .text\n"
	"ex_de:\n"
	"  mov $1, %eax\n"
	"  xor %edx, %edx\n"
	"  xor %ecx, %ecx\n"
	"ex_de_insn:\n"
	"  div %ecx\n"
	"ex_de_after:\n"
	"  ret\n"
	"ex_ud:\n"
	"ex_ud_insn:\n"
	"  ud2\n"
	"ex_ud_after:\n"
	"  ret\n"
	"ex_bp:\n"
	"ex_bp_insn:\n"
	"  int3\n"
	"ex_bp_after:\n"
	"  ret\n"
	"ex_read:\n"
	"ex_read_insn:\n"
	"  mov (%rdi), %rax\n"
	"ex_read_after:\n"
	"  ret\n"
	"ex_write:\n"
	"ex_write_insn:\n"
	"  movq $1, (%rdi)\n"
	"ex_write_after:\n"
	"  ret\n"
	"ex_seg:\n"
	"ex_seg_insn:\n"
	"  mov %di, %fs\n"
	"ex_seg_after:\n"
	"  ret\n"
	".popsection\n");

void ex_de(uint64_t rdi);
extern char ex_de_insn[], ex_de_after[];
void ex_ud(uint64_t rdi);
extern char ex_ud_insn[], ex_ud_after[];
void ex_bp(uint64_t rdi);
extern char ex_bp_insn[], ex_bp_after[];
void ex_read(uint64_t rdi);
extern char ex_read_insn[], ex_read_after[];
void ex_write(uint64_t rdi);
extern char ex_write_insn[], ex_write_after[];
void ex_seg(uint64_t rdi);
extern char ex_seg_insn[], ex_seg_after[];

struct ex_case {
	void (*snippet)(uint64_t rdi);
	uint64_t rdi;
	uint64_t resume;	/* 0: leave RIP as the CPU pushed it */
	uint64_t vector;
};

struct seen {
	uint64_t count;
	uint64_t vector;
	uint64_t error_code;
	uint64_t rip;
	uint64_t cr2;
	uint64_t cs;
	uint64_t finished;
};

static volatile struct seen seen;
static volatile uint64_t resume_at;

static GUEST_CODE void record_handler(struct ex_regs *regs)
{
	seen.count++;
	seen.vector = regs->vector;
	seen.error_code = regs->error_code;
	seen.rip = regs->rip;
	seen.cs = regs->cs;
	seen.cr2 = read_cr2();
	if (resume_at)
		regs->rip = resume_at;
}

static GUEST_CODE void ex_guest(uint64_t arg)
{
	const struct ex_case *c = (const struct ex_case *)arg;

	guest_handlers[c->vector] = record_handler;
	resume_at = c->resume;
	c->snippet(c->rdi);
	seen.finished = 1;
}

/* Run one case; expect the handler to have seen exactly one exception. */
static void run_case(struct kvm_vm **vmp, const struct ex_case *c)
{
	struct kvm_vm *vm = vm_new(0);
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	struct seen *s = (struct seen *)GUEST_PTR(vm, seen);

	vm_map_4k(vm, vm_identity_pml4(vm), RO_VA, RO_GPA, PTE_P);
	vcpu_setup_long(vcpu, ex_guest, (uintptr_t)c);
	vcpu_run_done(vcpu);
	EXPECT_EQ(s->count, 1);
	EXPECT_EQ(s->vector, c->vector);
	EXPECT_EQ(s->cs, SEL_CODE64);
	EXPECT_EQ(s->finished, 1);
	*vmp = vm;
}

static struct seen *seen_of(struct kvm_vm *vm)
{
	return (struct seen *)GUEST_PTR(vm, seen);
}

/* The case tables live in the binary, so the guest sees them too. */
static const struct ex_case de_case = {
	ex_de, 0, (uintptr_t)ex_de_after, DE_VECTOR
};

TEST(divide_error)
{
	struct kvm_vm *vm;

	run_case(&vm, &de_case);
	EXPECT_EQ_U64(seen_of(vm)->rip, (uintptr_t)ex_de_insn);
}

static const struct ex_case ud_case = {
	ex_ud, 0, (uintptr_t)ex_ud_after, UD_VECTOR
};

TEST(invalid_opcode)
{
	struct kvm_vm *vm;

	run_case(&vm, &ud_case);
	EXPECT_EQ_U64(seen_of(vm)->rip, (uintptr_t)ex_ud_insn);
}

/* INT3 is a trap: the frame already points past it. */
static const struct ex_case bp_case = {
	ex_bp, 0, 0, BP_VECTOR
};

TEST(breakpoint)
{
	struct kvm_vm *vm;

	run_case(&vm, &bp_case);
	EXPECT_EQ_U64(seen_of(vm)->rip, (uintptr_t)ex_bp_after);
}

static const struct ex_case pf_read_case = {
	ex_read, UNMAPPED_VA + 0x18, (uintptr_t)ex_read_after,
	PF_VECTOR
};

TEST(page_fault_not_present_read)
{
	struct kvm_vm *vm;

	run_case(&vm, &pf_read_case);
	EXPECT_EQ_U64(seen_of(vm)->rip, (uintptr_t)ex_read_insn);
	EXPECT_EQ_U64(seen_of(vm)->cr2, UNMAPPED_VA + 0x18);
	EXPECT_EQ_U64(seen_of(vm)->error_code, 0);
}

static const struct ex_case pf_write_ro_case = {
	ex_write, RO_VA + 0x20, (uintptr_t)ex_write_after, PF_VECTOR
};

TEST(page_fault_write_read_only)
{
	struct kvm_vm *vm;

	run_case(&vm, &pf_write_ro_case);
	EXPECT_EQ_U64(seen_of(vm)->rip, (uintptr_t)ex_write_insn);
	EXPECT_EQ_U64(seen_of(vm)->cr2, RO_VA + 0x20);
	/* Present | write, supervisor, CR0.WP is set. */
	EXPECT_EQ_U64(seen_of(vm)->error_code, 0x3);
	EXPECT_EQ(*(uint64_t *)gpa_ptr(vm, RO_GPA + 0x20), 0);
}

static const struct ex_case pf_write_np_case = {
	ex_write, UNMAPPED_VA + 0x1000, (uintptr_t)ex_write_after,
	PF_VECTOR
};

TEST(page_fault_not_present_write)
{
	struct kvm_vm *vm;

	run_case(&vm, &pf_write_np_case);
	EXPECT_EQ_U64(seen_of(vm)->cr2, UNMAPPED_VA + 0x1000);
	EXPECT_EQ_U64(seen_of(vm)->error_code, 0x2);
}

static const struct ex_case gp_case = {
	ex_read, 0x8000000000000000ULL, (uintptr_t)ex_read_after,
	GP_VECTOR
};

TEST(general_protection_noncanonical)
{
	struct kvm_vm *vm;

	run_case(&vm, &gp_case);
	EXPECT_EQ_U64(seen_of(vm)->rip, (uintptr_t)ex_read_insn);
	EXPECT_EQ_U64(seen_of(vm)->error_code, 0);
}

static const struct ex_case gp_sel_case = {
	ex_seg, BAD_SELECTOR, (uintptr_t)ex_seg_after, GP_VECTOR
};

TEST(general_protection_selector)
{
	struct kvm_vm *vm;

	run_case(&vm, &gp_sel_case);
	EXPECT_EQ_U64(seen_of(vm)->rip, (uintptr_t)ex_seg_insn);
	/* The error code names the selector beyond the GDT limit. */
	EXPECT_EQ_U64(seen_of(vm)->error_code, BAD_SELECTOR);
}

TEST_HARNESS_MAIN
