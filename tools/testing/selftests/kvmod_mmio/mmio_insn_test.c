// SPDX-License-Identifier: GPL-2.0
/*
 * Long-mode instructions with a memory operand at a GPA no memslot backs:
 * each becomes KVM_EXIT_MMIO exits (address, length, direction, data),
 * answered by a byte-array device on the host.  Each case is a single
 * instruction followed by HLT; the host sets every register, runs to the
 * HLT and compares the result with the same instruction executed natively
 * by this program on a page mapped at the same virtual address (and an
 * alias of it), so registers, RFLAGS (the defined flags), XMM registers,
 * the device's bytes and RAM must end exactly as the CPU leaves them, and
 * RIP must be right after the instruction.  The exits are checked against
 * what each case spells out (see mmio_check_log()).
 */
#include <cpuid.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "../kvmod/test_harness.h"
#include "../kvmod/kvm_util.h"
#include "mmio_lib.h"

#define MMIO_BASE	0xc0000000ULL	/* identity-mapped, no memslot */
#define HIGH_VA		0x500000000000ULL	/* alias of the first page */
#define DEV_SIZE	0x2000	/* two pages */

/* Flags compared: all status flags and DF, minus the undefined ones. */
#define F_ALL	(X86_CF | X86_PF | X86_AF | X86_ZF | X86_SF | X86_OF | X86_DF)
#define F_LOGIC	(F_ALL & ~X86_AF)
#define F_BT	(X86_CF | X86_DF)

/* RAM operand of the string cases; the guest has its own copy. */
static _Alignas(64) uint8_t ram_buf[256];

/*
 * X(name, instruction, exits, setup, flags): "setup" is applied to the
 * default registers (see default_regs()) and device bytes.
 */
#define MOV_CASES(X)							\
	X(mov_st8, "mov %bl, (%rax)", "w1@40", "", F_ALL)		\
	X(mov_st8_high, "mov %bh, 1(%rax)", "w1@41", "", F_ALL)	\
	X(mov_st8_rex, "mov %sil, 2(%rax)", "w1@42", "", F_ALL)	\
	X(mov_st8_r9b, "mov %r9b, -1(%rax)", "w1@3f", "", F_ALL)	\
	X(mov_st16, "mov %bx, (%rax)", "w2@40", "", F_ALL)		\
	X(mov_st32, "mov %ebx, (%rax)", "w4@40", "", F_ALL)		\
	X(mov_st64, "mov %rbx, (%rax)", "w8@40", "", F_ALL)		\
	X(mov_st64_sib, "mov %rdx, 0x10(%rax,%r8,4)", "w8@58", "", F_ALL) \
	X(mov_st32_r12, "mov %ecx, 0x7c(%r12)", "w4@bc", "r12=m+40", F_ALL) \
	X(mov_ld8, "mov (%rax), %bl", "r1@40", "", F_ALL)		\
	X(mov_ld8_high, "mov 3(%rax), %ch", "r1@43", "", F_ALL)	\
	X(mov_ld8_rex, "mov (%rax), %r10b", "r1@40", "", F_ALL)	\
	X(mov_ld16, "mov (%rax), %bx", "r2@40", "", F_ALL)		\
	X(mov_ld32, "mov (%rax), %ebx", "r4@40", "", F_ALL)		\
	X(mov_ld64, "mov (%rax), %r11", "r8@40", "", F_ALL)		\
	X(mov_ld64_self, "mov 8(%rax), %rax", "r8@48", "", F_ALL)	\
	X(mov_imm8, "movb $0xa5, (%rax)", "w1@40", "", F_ALL)		\
	X(mov_imm16, "movw $0xbeef, 6(%rax)", "w2@46", "", F_ALL)	\
	X(mov_imm32, "movl $0xdeadbeef, (%rax)", "w4@40", "", F_ALL)	\
	X(mov_imm64, "movq $-0x21524111, (%rax)", "w8@40", "", F_ALL)	\
	X(moffs_ld8, "movabs 0xc0000048, %al", "r1@48", "", F_ALL)	\
	X(moffs_ld16, "movabs 0xc0000048, %ax", "r2@48", "", F_ALL)	\
	X(moffs_ld32, "movabs 0xc0000048, %eax", "r4@48", "", F_ALL)	\
	X(moffs_ld64, "movabs 0xc0000048, %rax", "r8@48", "", F_ALL)	\
	X(moffs_st8, "movabs %al, 0xc0000050", "w1@50", "", F_ALL)	\
	X(moffs_st16, "movabs %ax, 0xc0000050", "w2@50", "", F_ALL)	\
	X(moffs_st32, "movabs %eax, 0xc0000050", "w4@50", "", F_ALL)	\
	X(moffs_st64, "movabs %rax, 0xc0000050", "w8@50", "", F_ALL)	\
	X(moffs_high_ld64, "movabs 0x500000000058, %rax", "r8@58", "", F_ALL) \
	X(moffs_high_st32, "movabs %eax, 0x500000000060", "w4@60", "", F_ALL) \
	X(moffs32_ld32, ".byte 0x67, 0xa1\n .long 0xc0000048", "r4@48", "", \
	  F_ALL)							\
	X(moffs32_st8, ".byte 0x67, 0xa2\n .long 0xc0000050", "w1@50", "", \
	  F_ALL)							\
	X(mov_high_alias, "mov %rbx, 0x10(%r13)", "w8@10", "r13=0x500000000000", \
	  F_ALL)

#define MOVX_CASES(X)							\
	X(movzx_b32, "movzbl (%rax), %ebx", "r1@40", "m40=0xf1", F_ALL)	\
	X(movzx_b64, "movzbq 1(%rax), %rbx", "r1@41", "m40=0x9300", F_ALL) \
	X(movzx_b16, "movzbw (%rax), %bx", "r1@40", "m40=0x80", F_ALL)	\
	X(movzx_w32, "movzwl (%rax), %ebx", "r2@40", "m40=0x8001", F_ALL) \
	X(movzx_w64, "movzwq (%rax), %r14", "r2@40", "m40=0xfffe", F_ALL) \
	X(movsx_b64, "movsbq (%rax), %rbx", "r1@40", "m40=0x80", F_ALL)	\
	X(movsx_b32_pos, "movsbl (%rax), %ebx", "r1@40", "m40=0x7f", F_ALL) \
	X(movsx_b16, "movsbw (%rax), %bx", "r1@40", "m40=0xff", F_ALL)	\
	X(movsx_w32, "movswl (%rax), %ebx", "r2@40", "m40=0x8001", F_ALL) \
	X(movsx_w64, "movswq (%rax), %rbx", "r2@40", "m40=0xfffe", F_ALL) \
	X(movsx_d64, "movslq (%rax), %rbx", "r4@40", "m40=0x80000000", F_ALL)

#define ALU_CASES(X)							\
	X(add_st64, "add %rbx, (%rax)", "r8@40 w8@40", "", F_ALL)	\
	X(add_ld32, "add (%rax), %ebx", "r4@40", "", F_ALL)		\
	X(add_imm32_of, "addl $1, (%rax)", "r4@40 w4@40", "m40=0x7fffffff", \
	  F_ALL)							\
	X(add_imm8_cf, "addb $1, (%rax)", "r1@40 w1@40", "m40=0xff", F_ALL) \
	X(adc_st16, "adc %bx, 2(%rax)", "r2@42 w2@42", "", F_ALL)	\
	X(sub_st64, "sub %rbx, (%rax)", "r8@40 w8@40", "", F_ALL)	\
	X(sub_imm16, "subw $5, (%rax)", "r2@40 w2@40", "m40=3", F_ALL)	\
	X(sub_ld8, "sub (%rax), %cl", "r1@40", "", F_ALL)		\
	X(and_st32, "and %ebx, (%rax)", "r4@40 w4@40", "", F_LOGIC)	\
	X(and_imm64, "andq $-16, (%rax)", "r8@40 w8@40", "", F_LOGIC)	\
	X(and_zero, "andb $0, (%rax)", "r1@40 w1@40", "", F_LOGIC)	\
	X(or_ld8, "or (%rax), %bl", "r1@40", "", F_LOGIC)		\
	X(or_imm32, "orl $0x80000000, (%rax)", "r4@40 w4@40", "", F_LOGIC) \
	X(xor_st64, "xor %rbx, (%rax)", "r8@40 w8@40", "", F_LOGIC)	\
	X(xor_zero, "xor %rbx, (%rax)", "r8@40 w8@40",			\
	  "m40=0x8899aabbccddeeff", F_LOGIC)				\
	X(cmp_st64, "cmp %rbx, (%rax)", "r8@40", "", F_ALL)		\
	X(cmp_imm8, "cmpb $0x80, (%rax)", "r1@40", "", F_ALL)		\
	X(cmp_ld32, "cmp (%rax), %ecx", "r4@40", "", F_ALL)		\
	X(cmp_eq16, "cmpw $0x1234, (%rax)", "r2@40", "m40=0x1234", F_ALL) \
	X(test_st32, "test %ebx, (%rax)", "r4@40", "", F_LOGIC)	\
	X(test_imm8, "testb $0x80, (%rax)", "r1@40", "", F_LOGIC)	\
	X(test_imm64, "testq $0x7fffffff, (%rax)", "r8@40", "", F_LOGIC)

#define XCHG_BT_CASES(X)						\
	X(xchg64, "xchg %rbx, (%rax)", "r8@40 w8@40", "", F_ALL)	\
	X(xchg8, "xchg %bl, 1(%rax)", "r1@41 w1@41", "", F_ALL)	\
	X(xchg16, "xchg 2(%rax), %cx", "r2@42 w2@42", "", F_ALL)	\
	X(xchg32, "xchg %edx, (%rax)", "r4@40 w4@40", "", F_ALL)	\
	X(bt_reg64, "bt %rbx, (%rax)", "r8@40", "rbx=5", F_BT)		\
	X(bt_reg64_neg, "bt %rbx, (%rax)", "r8@38", "rbx=-1", F_BT)	\
	X(bt_imm32, "btl $31, (%rax)", "r4@40", "", F_BT)		\
	X(bts_reg64_far, "bts %rcx, (%rax)", "r8@48 w8@48", "rcx=70", F_BT) \
	X(bts_imm32, "btsl $3, (%rax)", "r4@40 w4@40", "", F_BT)	\
	X(btr_reg32_far, "btr %ebx, (%rax)", "r4@48 w4@48", "rbx=70", F_BT) \
	X(btr_imm64, "btrq $63, (%rax)", "r8@40 w8@40", "", F_BT)	\
	X(btc_reg16, "btc %bx, (%rax)", "r2@42 w2@42", "rbx=17", F_BT)	\
	X(btc_imm16, "btcw $15, (%rax)", "r2@40 w2@40", "", F_BT)	\
	X(movnti32, "movnti %ebx, (%rax)", "w4@40", "", F_ALL)		\
	X(movnti64, "movnti %rdx, 8(%rax)", "w8@48", "", F_ALL)

#define STRING_CASES(X)							\
	X(rep_movsb_to_mmio, "rep movsb", "w1@40 w1@41 w1@42 w1@43 w1@44", \
	  "rcx=5 rsi=ram+0 rdi=m+40", F_ALL)				\
	X(rep_movsq_from_mmio, "rep movsq", "r8@40 r8@48 r8@50",	\
	  "rcx=3 rsi=m+40 rdi=ram+0", F_ALL)				\
	X(rep_movsw_df, "rep movsw", "w2@46 w2@44 w2@42 w2@40",	\
	  "rcx=4 rsi=ram+6 rdi=m+46 rflags=0x403", F_ALL)		\
	X(rep_movsl_df_from_mmio, "rep movsl", "r4@4c r4@48 r4@44 r4@40", \
	  "rcx=4 rsi=m+4c rdi=ram+c rflags=0x482", F_ALL)		\
	X(rep_stosl, "rep stosl", "w4@40 w4@44 w4@48",			\
	  "rcx=3 rdi=m+40 rax=0x11223344aabbccdd", F_ALL)		\
	X(rep_stosb_df, "rep stosb", "w1@43 w1@42 w1@41 w1@40",		\
	  "rcx=4 rdi=m+43 rflags=0x402", F_ALL)				\
	X(movsq_mmio_mmio, "movsq", "r8@40 w8@80", "rsi=m+40 rdi=m+80", F_ALL) \
	X(rep_movsb_zero, "rep movsb", "", "rcx=0 rsi=ram+0 rdi=m+40", F_ALL) \
	X(rep_stosb_a32, ".byte 0x67\n rep stosb", "w1@40 w1@41 w1@42",	\
	  "rcx=0xffffffff00000003 rdi=0xdead0000c0000040", F_ALL)	\
	X(rep_movsw_a32, ".byte 0x67\n rep movsw", "w2@40 w2@42",	\
	  "rcx=0x100000002 rsi=ram+10 rdi=0xffffffffc0000040", F_ALL)

/*
 * The moves KVM's emulator implements: MOVUPS/MOVAPS, MOVNTPS,
 * MOVDQU/MOVDQA, MOVNTDQ (and the MMX MOVQ, below).  Accesses of 16
 * bytes come in fragments of at most 8 (also across a page boundary).
 */
#define SSE_CASES(X)							\
	X(movdqu_st, "movdqu %xmm0, (%rax)", "W16@40", "", F_ALL)	\
	X(movdqu_ld, "movdqu 8(%rax), %xmm1", "R16@48", "", F_ALL)	\
	X(movdqa_st, "movdqa %xmm1, 0x20(%rax)", "W16@60", "", F_ALL)	\
	X(movdqa_ld, "movdqa (%rax), %xmm0", "R16@40", "", F_ALL)	\
	X(movaps_st, "movaps %xmm0, 0x10(%rax)", "W16@50", "", F_ALL)	\
	X(movups_ld, "movups 0x3(%rax), %xmm0", "R16@43", "", F_ALL)	\
	X(movups_st, "movups %xmm1, 0x5(%rax)", "W16@45", "", F_ALL)	\
	X(movntps_st, "movntps %xmm1, (%rax)", "W16@40", "", F_ALL)	\
	X(movntdq_st, "movntdq %xmm0, 0x30(%rax)", "W16@70", "", F_ALL) \
	X(movdqu_st_cross, "movdqu %xmm0, 0xfbc(%rax)", "W16@ffc", "", F_ALL) \
	X(movups_ld_cross, "movups 0xfb8(%rax), %xmm1", "R16@ff8", "", F_ALL)

/*
 * MMX MOVQ to MMIO: KVM emulates it, kvmod does not yet (a known gap:
 * no Linux MMIO accessor emits it).  Built only into mmio_gap_test.
 */
#define MMX_CASES(X)							\
	X(mmx_movq_st, "movq %mm0, (%rax)", "w8@40", "", F_ALL)	\
	X(mmx_movq_ld, "movq 8(%rax), %mm1", "r8@48", "", F_ALL)

#define AVX_CASES(X)							\
	X(vmovdqu_st, "vmovdqu %xmm0, (%rax)", "W16@40", "", F_ALL)	\
	X(vmovdqu_ld, "vmovdqu 8(%rax), %xmm1", "R16@48", "", F_ALL)	\
	X(vmovd_st, "vmovd %xmm1, (%rax)", "w4@40", "", F_ALL)

#define ASM_X(name, insn, exits, setup, flags)				\
	".globl c_" #name "\nc_" #name ":\n" insn "\nc_" #name "_end:\n  hlt\n"
#define DECL_X(name, insn, exits, setup, flags)			\
	extern char c_##name[], c_##name##_end[];
#define TAB_X(name, insn, exits, setup, flags)				\
	{ #name, insn, c_##name, c_##name##_end, exits, setup, flags },

asm(".pushsection .text\n"
	MOV_CASES(ASM_X) MOVX_CASES(ASM_X) ALU_CASES(ASM_X)
	XCHG_BT_CASES(ASM_X) STRING_CASES(ASM_X) SSE_CASES(ASM_X)
	MMX_CASES(ASM_X) AVX_CASES(ASM_X)
	".popsection\n");

MOV_CASES(DECL_X)
MOVX_CASES(DECL_X)
ALU_CASES(DECL_X)
XCHG_BT_CASES(DECL_X)
STRING_CASES(DECL_X)
SSE_CASES(DECL_X)
MMX_CASES(DECL_X)
AVX_CASES(DECL_X)

struct insn_case {
	const char *name;
	const char *text;
	const char *start, *end;
	const char *exits;
	const char *setup;
	uint64_t flags;
};

/*
 * Native execution: load every GPR (not RSP), RFLAGS, XMM0/XMM1 and
 * MM0/MM1 from the struct kvm_regs at RDI, native_xmm and native_mm, call
 * the code at RSI, store them back.
 */
uint64_t native_regs, native_code;
_Alignas(16) uint8_t native_xmm[32];
uint64_t native_mm[2];
void native_exec(struct kvm_regs *regs, const void *code);

asm(".pushsection .text\n"
	"native_exec:\n"
	"  push %rbp\n push %rbx\n push %r12\n push %r13\n"
	"  push %r14\n push %r15\n"
	"  mov %rdi, native_regs(%rip)\n"
	"  mov %rsi, native_code(%rip)\n"
	"  movdqu native_xmm(%rip), %xmm0\n"
	"  movdqu native_xmm+16(%rip), %xmm1\n"
	"  movq native_mm(%rip), %mm0\n"
	"  movq native_mm+8(%rip), %mm1\n"
	"  mov 0(%rdi), %rax\n mov 8(%rdi), %rbx\n mov 16(%rdi), %rcx\n"
	"  mov 24(%rdi), %rdx\n mov 32(%rdi), %rsi\n mov 56(%rdi), %rbp\n"
	"  mov 64(%rdi), %r8\n mov 72(%rdi), %r9\n mov 80(%rdi), %r10\n"
	"  mov 88(%rdi), %r11\n mov 96(%rdi), %r12\n mov 104(%rdi), %r13\n"
	"  mov 112(%rdi), %r14\n mov 120(%rdi), %r15\n"
	"  pushq 136(%rdi)\n"
	"  mov 40(%rdi), %rdi\n"
	"  popfq\n"
	"  call *native_code(%rip)\n"
	"  pushfq\n"
	"  push %rdi\n"
	"  mov native_regs(%rip), %rdi\n"
	"  mov %rax, 0(%rdi)\n mov %rbx, 8(%rdi)\n mov %rcx, 16(%rdi)\n"
	"  mov %rdx, 24(%rdi)\n mov %rsi, 32(%rdi)\n mov %rbp, 56(%rdi)\n"
	"  mov %r8, 64(%rdi)\n mov %r9, 72(%rdi)\n mov %r10, 80(%rdi)\n"
	"  mov %r11, 88(%rdi)\n mov %r12, 96(%rdi)\n mov %r13, 104(%rdi)\n"
	"  mov %r14, 112(%rdi)\n mov %r15, 120(%rdi)\n"
	"  popq 40(%rdi)\n"
	"  popq 136(%rdi)\n"
	"  cld\n"
	"  movdqu %xmm0, native_xmm(%rip)\n"
	"  movdqu %xmm1, native_xmm+16(%rip)\n"
	"  movq %mm0, native_mm(%rip)\n"
	"  movq %mm1, native_mm+8(%rip)\n"
	"  emms\n"
	"  pop %r15\n pop %r14\n pop %r13\n pop %r12\n"
	"  pop %rbx\n pop %rbp\n"
	"  ret\n"
	".popsection\n");

struct ctx {
	struct kvm_vm *vm;
	struct kvm_vcpu *vcpu;
	uint64_t rsp;
	uint8_t *native_dev;	/* at MMIO_BASE (and HIGH_VA) here */
	uint8_t *code;		/* RWX page for the native copy */
	uint8_t dev[DEV_SIZE];	/* the guest's device */
};

static void dev_pattern(uint8_t *p)
{
	int i;

	for (i = 0; i < DEV_SIZE; i++)
		p[i] = (uint8_t)(i * 0x9d + 0x3b);
}

static void ram_pattern(uint8_t *p)
{
	unsigned int i;

	for (i = 0; i < sizeof(ram_buf); i++)
		p[i] = (uint8_t)(i * 0x45 + 0xc1);
}

static const uint8_t xmm_init[32] = {
	0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
	0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff,
	0xf0, 0xe1, 0xd2, 0xc3, 0xb4, 0xa5, 0x96, 0x87,
	0x78, 0x69, 0x5a, 0x4b, 0x3c, 0x2d, 0x1e, 0x0f,
};

static void default_regs(struct kvm_regs *r)
{
	memset(r, 0, sizeof(*r));
	r->rax = MMIO_BASE + 0x40;
	r->rbx = 0x8899aabbccddeeffULL;
	r->rcx = 0x0123456789abcdefULL;
	r->rdx = 0xfedcba9876543210ULL;
	r->rsi = 0x1111111111111191ULL;
	r->rdi = 0x2222222222222222ULL;
	r->rbp = 0x3333333333333333ULL;
	r->r8 = 2;
	r->r9 = 0x9999999999999999ULL;
	r->r10 = 0xa0a0a0a0a0a0a0a0ULL;
	r->r11 = 0xb1b1b1b1b1b1b1b1ULL;
	r->r12 = 0xc2c2c2c2c2c2c2c2ULL;
	r->r13 = 0xd3d3d3d3d3d3d3d3ULL;
	r->r14 = 0xe4e4e4e4e4e4e4e4ULL;
	r->r15 = 0xf5f5f5f5f5f5f5f5ULL;
	/* CF, AF, SF and OF set: instructions must clear or keep them. */
	r->rflags = 0x2 | X86_CF | X86_AF | X86_SF | X86_OF;
}

static void ctx_init(struct ctx *c)
{
	int fd = memfd_create("mmio", 0);
	void *p;

	ASSERT_GE(fd, 0);
	ASSERT_OK(ftruncate(fd, DEV_SIZE));
	p = mmap((void *)MMIO_BASE, DEV_SIZE, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_FIXED_NOREPLACE, fd, 0);
	ASSERT_TRUE(p == (void *)MMIO_BASE);
	p = mmap((void *)HIGH_VA, DEV_SIZE, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_FIXED_NOREPLACE, fd, 0);
	ASSERT_TRUE(p == (void *)HIGH_VA);
	close(fd);
	c->native_dev = (uint8_t *)MMIO_BASE;
	c->code = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(c->code != MAP_FAILED);

	c->vm = vm_new(0);
	c->vcpu = vcpu_add(c->vm, 0);
	vcpu_setup_long(c->vcpu, NULL, 0);
	/* The guest sees the device at both addresses too. */
	vm_map_4k(c->vm, vm_identity_pml4(c->vm), HIGH_VA, MMIO_BASE,
		  PTE_P | PTE_RW);
	c->rsp = STACK_GPA + STACK_SIZE - 64;
}

static const uint64_t mm_init[2] = {
	0x0102030405060708ULL, 0xf0e0d0c0b0a09080ULL
};

/* XMM0/1 and MM0/1 (ST0/1 with TOP = 0) through KVM_SET_FPU. */
static void set_vec(struct kvm_vcpu *vcpu, const uint8_t *x,
		    const uint64_t *mm)
{
	struct kvm_fpu fpu;

	ASSERT_OK(ioctl(vcpu->fd, KVM_GET_FPU, &fpu));
	memcpy(fpu.xmm[0], x, 16);
	memcpy(fpu.xmm[1], x + 16, 16);
	memset(fpu.fpr, 0, sizeof(fpu.fpr));
	memcpy(fpu.fpr[0], &mm[0], 8);
	memcpy(fpu.fpr[1], &mm[1], 8);
	fpu.fsw &= ~0x3800;	/* TOP = 0 */
	ASSERT_OK(ioctl(vcpu->fd, KVM_SET_FPU, &fpu));
}

static void get_vec(struct kvm_vcpu *vcpu, uint8_t *x, uint64_t *mm)
{
	struct kvm_fpu fpu;

	ASSERT_OK(ioctl(vcpu->fd, KVM_GET_FPU, &fpu));
	memcpy(x, fpu.xmm[0], 16);
	memcpy(x + 16, fpu.xmm[1], 16);
	memcpy(&mm[0], fpu.fpr[0], 8);
	memcpy(&mm[1], fpu.fpr[1], 8);
}

static void dump_diff(const char *what, const uint8_t *got,
		      const uint8_t *want, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (got[i] != want[i]) {
			TH_LOG("  %s +0x%zx: 0x%02x, native 0x%02x", what, i,
			       got[i], want[i]);
			return;
		}
}

/*
 * Run one case in the guest and natively; returns true if they agree.
 * With not_emulated_ok, an emulation failure before any MMIO exit with
 * RIP still at the instruction is accepted too (KVM 6.1 does not emulate
 * VEX instructions).
 */
static bool run_case(struct ctx *c, const struct insn_case *k,
		     bool not_emulated_ok)
{
	static const char * const names[] = REG_NAMES;
	struct kvm_vcpu *vcpu = c->vcpu;
	uint8_t *gram = gpa_ptr(c->vm, (uintptr_t)ram_buf);
	uint8_t native_dev[DEV_SIZE], native_ram[sizeof(ram_buf)];
	uint8_t gxmm[32];
	uint64_t gmm[2];
	uint32_t reason;
	struct kvm_regs init, want, got;
	size_t len = k->end - k->start;
	struct mmio_dev d;
	bool ok = true;
	int i;

	/* Native run. */
	default_regs(&init);
	dev_pattern(c->native_dev);
	setup_apply(k->setup, &init, c->native_dev, MMIO_BASE,
		    (uintptr_t)ram_buf);
	memcpy(c->dev, c->native_dev, DEV_SIZE);
	ram_pattern(ram_buf);
	memcpy(gram, ram_buf, sizeof(ram_buf));
	memcpy(native_xmm, xmm_init, sizeof(xmm_init));
	memcpy(native_mm, mm_init, sizeof(mm_init));
	memcpy(c->code, k->start, len);
	c->code[len] = 0xc3;	/* ret */
	want = init;
	native_exec(&want, c->code);
	memcpy(native_dev, c->native_dev, DEV_SIZE);
	memcpy(native_ram, ram_buf, sizeof(ram_buf));

	/* Guest run. */
	set_vec(vcpu, xmm_init, mm_init);
	init.rip = (uintptr_t)k->start;
	init.rsp = c->rsp;
	vcpu_set_regs(vcpu->fd, &init);
	mmio_dev_init(&d, MMIO_BASE, DEV_SIZE, c->dev);
	reason = mmio_run(vcpu, &d, KVM_EXIT_HLT);
	vcpu_get_regs(vcpu->fd, &got);
	if (reason == KVM_EXIT_INTERNAL_ERROR && not_emulated_ok && !d.n &&
	    got.rip == (uintptr_t)k->start &&
	    vcpu->run->internal.suberror == KVM_INTERNAL_ERROR_EMULATION) {
		TH_LOG("case %s: not emulated (emulation failure exit)",
		       k->name);
		return true;
	}
	if (reason != KVM_EXIT_HLT) {
		TH_LOG("case %s ('%s'): exit %u (%s) instead of HLT, rip 0x%llx",
		       k->name, k->text, reason, exit_reason_str(reason),
		       got.rip);
		if (reason == KVM_EXIT_INTERNAL_ERROR)
			TH_LOG("  suberror %u", vcpu->run->internal.suberror);
		mmio_dump_log(&d);
		return false;
	}
	get_vec(vcpu, gxmm, gmm);

	if (!mmio_check_log(&d, k->exits))
		ok = false;
	if (got.rip != (uintptr_t)k->end + 1) {
		TH_LOG("  rip 0x%llx, expected 0x%llx (after the HLT)",
		       got.rip, (unsigned long long)(uintptr_t)k->end + 1);
		ok = false;
	}
	if (got.rsp != c->rsp) {
		TH_LOG("  rsp 0x%llx, expected 0x%llx", got.rsp,
		       (unsigned long long)c->rsp);
		ok = false;
	}
	for (i = 0; i < NR_KVM_REGS; i++) {
		uint64_t g = reg_array(&got)[i], w = reg_array(&want)[i];

		if (i == KREG_RSP || i == KREG_RIP)
			continue;
		if (i == KREG_RFLAGS) {
			g &= k->flags | 0x2;
			w &= k->flags | 0x2;
		}
		if (g != w) {
			TH_LOG("  %s 0x%llx, native 0x%llx (initial 0x%llx)",
			       names[i], (unsigned long long)g,
			       (unsigned long long)w,
			       (unsigned long long)reg_array(&init)[i]);
			ok = false;
		}
	}
	if (memcmp(gxmm, native_xmm, 32)) {
		dump_diff("xmm0/1", gxmm, native_xmm, 32);
		ok = false;
	}
	if (memcmp(gmm, native_mm, sizeof(gmm))) {
		TH_LOG("  mm0 0x%llx mm1 0x%llx, native 0x%llx 0x%llx",
		       (unsigned long long)gmm[0], (unsigned long long)gmm[1],
		       (unsigned long long)native_mm[0],
		       (unsigned long long)native_mm[1]);
		ok = false;
	}
	if (memcmp(c->dev, native_dev, DEV_SIZE)) {
		dump_diff("device", c->dev, native_dev, DEV_SIZE);
		ok = false;
	}
	if (memcmp(gram, native_ram, sizeof(ram_buf))) {
		dump_diff("ram", gram, native_ram, sizeof(ram_buf));
		ok = false;
	}
	if (!ok)
		TH_LOG("case %s ('%s', setup '%s') FAILED", k->name, k->text,
		       k->setup);
	return ok;
}

static void run_cases(const struct insn_case *k, size_t n)
{
	struct ctx *c = calloc(1, sizeof(*c));
	size_t i, failed = 0;

	ASSERT_TRUE(c);
	ctx_init(c);
	for (i = 0; i < n; i++)
		failed += !run_case(c, &k[i], false);
	TH_LOG("%zu case(s), %zu failed", n, failed);
	EXPECT_EQ(failed, 0);
}

#define DEFINE_CASE_TEST(test, LIST)					\
	static const struct insn_case test##_cases[] = { LIST(TAB_X) };	\
	TEST(test)							\
	{								\
		run_cases(test##_cases, ARRAY_SIZE(test##_cases));	\
	}

DEFINE_CASE_TEST(mov_forms, MOV_CASES)
DEFINE_CASE_TEST(movzx_movsx, MOVX_CASES)
DEFINE_CASE_TEST(alu_flags, ALU_CASES)
DEFINE_CASE_TEST(xchg_bt_movnti, XCHG_BT_CASES)
DEFINE_CASE_TEST(string_ram_mmio, STRING_CASES)
DEFINE_CASE_TEST(sse_moves, SSE_CASES)
#ifdef MMIO_KNOWN_GAPS
DEFINE_CASE_TEST(mmx_moves, MMX_CASES)
#endif

static const struct insn_case avx_cases[] = { AVX_CASES(TAB_X) };

/*
 * VEX moves: only when both this CPU and the guest's CPUID have AVX.
 * KVM 6.1's emulator has no VEX support and ends KVM_RUN with an
 * emulation failure; that is accepted, a wrong result is not.
 */
TEST(avx_moves)
{
	struct kvm_vm *vm = vm_new(0);
	struct kvm_cpuid_entry2 *e = cpuid_find(vm_supported_cpuid(vm), 1, 0);
	unsigned int a, b, cx, dx;
	struct kvm_xcrs xcrs;
	struct kvm_sregs sr;
	struct ctx *c;
	size_t i, failed = 0;

	__cpuid(1, a, b, cx, dx);
	if (!(cx & (1u << 28)) || !(cx & (1u << 27)))
		SKIP("no AVX/OSXSAVE on this CPU");
	if (!e || !(e->ecx & (1u << 28)) || !(e->ecx & (1u << 26)))
		SKIP("no AVX/XSAVE in KVM_GET_SUPPORTED_CPUID");
	if (kvm_check_cap(vm->kvm_fd, KVM_CAP_XCRS) <= 0)
		SKIP("no KVM_CAP_XCRS");
	vm_free(vm);

	c = calloc(1, sizeof(*c));
	ASSERT_TRUE(c);
	ctx_init(c);
	vcpu_get_sregs(c->vcpu->fd, &sr);
	sr.cr4 |= 1ULL << 18;	/* OSXSAVE */
	vcpu_set_sregs(c->vcpu->fd, &sr);
	memset(&xcrs, 0, sizeof(xcrs));
	xcrs.nr_xcrs = 1;
	xcrs.xcrs[0].xcr = 0;
	xcrs.xcrs[0].value = 7;	/* x87, SSE, AVX */
	ASSERT_OK(ioctl(c->vcpu->fd, KVM_SET_XCRS, &xcrs));
	for (i = 0; i < ARRAY_SIZE(avx_cases); i++)
		failed += !run_case(c, &avx_cases[i], true);
	EXPECT_EQ(failed, 0);
}

TEST_HARNESS_MAIN
