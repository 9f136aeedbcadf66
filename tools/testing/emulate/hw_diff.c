// SPDX-License-Identifier: GPL-2.0
/*
 * Differential test against the host CPU (x86-64 hosts only): the same
 * encoded ALU, unary and bit-test instructions with a memory operand run
 * natively (from an executable page) and through the emulator; memory,
 * RAX and the six arithmetic flags must agree bit for bit.  Built and
 * run by "make hwcheck".
 */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include "../../../arch/x86/emulate/x86_emulate.h"

#define FLAGS	0x8d5ULL	/* CF PF AF ZF SF OF */
#define MEMSZ	128

static u8 mem[MEMSZ];

static int rd(struct x86_emu_ctxt *c, u64 lin, void *buf, unsigned int size)
{
	if (lin + size > MEMSZ)
		return X86_EMU_UNHANDLED;
	memcpy(buf, mem + lin, size);
	return X86_EMU_OK;
}

static int wr(struct x86_emu_ctxt *c, u64 lin, const void *buf,
	      unsigned int size)
{
	if (lin + size > MEMSZ)
		return X86_EMU_UNHANDLED;
	memcpy(mem + lin, buf, size);
	return X86_EMU_OK;
}

static const struct x86_emu_ops ops = { .read = rd, .write = wr };

static u64 rng = 88172645463325252ULL;

static u64 rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Random values, often the edges where flags change. */
static u64 pick(void)
{
	static const u64 edge[] = {
		0, 1, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff,
		0x80000000, 0xffffffff, 0x7fffffffffffffffULL,
		0x8000000000000000ULL, ~0ULL, 0xf, 0x10,
	};

	return rnd() % 3 ? rnd() : edge[rnd() % 16];
}

/*
 * Run @code (one instruction followed by RET) natively with RAX, RBX and
 * the arithmetic flags given; return the flags.  The stack pointer steps
 * over the red zone first, since CALL and PUSHF write below it.
 */
static u64 run_native(const u8 *code, u64 *rax, u64 rbx, u64 fin)
{
	u64 f;

	asm volatile("sub $128, %%rsp; pushfq; andq $~0x8d5, (%%rsp);"
		     "orq %[fin], (%%rsp); popfq; call *%[code]; pushfq;"
		     "popq %[f]; add $128, %%rsp"
		     : [f] "=&r"(f), "+a"(*rax), "+b"(rbx)
		     : [code] "r"(code), [fin] "r"(fin)
		     : "memory", "cc");
	return f;
}

struct hw_op {
	const char *name;
	u8 opc[2];
	int nopc;
	int ext;		/* ModRM.reg for group opcodes, else -1 */
	int imm;		/* immediate bytes: 0, 1, or 4 (2 if 16-bit) */
	bool bt;		/* register bit offset: may leave the operand */
	bool word;		/* no 8-bit form */
	bool reg_dst;		/* Gv,Ev form: the result goes to RAX */
};

static const struct hw_op hw_ops[] = {
	{ "add", { 0x00 }, 1, -1 }, { "or", { 0x08 }, 1, -1 },
	{ "adc", { 0x10 }, 1, -1 }, { "sbb", { 0x18 }, 1, -1 },
	{ "and", { 0x20 }, 1, -1 }, { "sub", { 0x28 }, 1, -1 },
	{ "xor", { 0x30 }, 1, -1 }, { "cmp", { 0x38 }, 1, -1 },
	{ "add r", { 0x02 }, 1, -1, .reg_dst = true },
	{ "adc r", { 0x12 }, 1, -1, .reg_dst = true },
	{ "sbb r", { 0x1a }, 1, -1, .reg_dst = true },
	{ "sub r", { 0x2a }, 1, -1, .reg_dst = true },
	{ "cmp r", { 0x3a }, 1, -1, .reg_dst = true },
	{ "adc imm", { 0x80 }, 1, 2, 4 }, { "sbb imm", { 0x80 }, 1, 3, 4 },
	{ "sub imm", { 0x80 }, 1, 5, 4 }, { "cmp imm", { 0x80 }, 1, 7, 4 },
	{ "add imm8", { 0x83 }, 1, 0, 1, .word = true },
	{ "sbb imm8", { 0x83 }, 1, 3, 1, .word = true },
	{ "test", { 0x84 }, 1, -1 }, { "xchg", { 0x86 }, 1, -1 },
	{ "test imm", { 0xf6 }, 1, 0, 4 },
	{ "not", { 0xf6 }, 1, 2 }, { "neg", { 0xf6 }, 1, 3 },
	{ "inc", { 0xfe }, 1, 0 }, { "dec", { 0xfe }, 1, 1 },
	{ "bt", { 0x0f, 0xa3 }, 2, -1, .bt = true, .word = true },
	{ "bts", { 0x0f, 0xab }, 2, -1, .bt = true, .word = true },
	{ "btr", { 0x0f, 0xb3 }, 2, -1, .bt = true, .word = true },
	{ "btc", { 0x0f, 0xbb }, 2, -1, .bt = true, .word = true },
	{ "bt imm", { 0x0f, 0xba }, 2, 4, 1, .word = true },
	{ "btc imm", { 0x0f, 0xba }, 2, 7, 1, .word = true },
};

int main(void)
{
	unsigned int it, n = 0, bad = 0;
	u8 *page;

	page = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (page == MAP_FAILED) {
		perror("mmap");
		return 2;
	}
	for (it = 0; it < 300000; it++) {
		const struct hw_op *o = &hw_ops[rnd() % (sizeof(hw_ops) /
							  sizeof(hw_ops[0]))];
		unsigned int sl = rnd() % 4, size = 1U << sl, k = 0, i, isz;
		u64 a = pick(), b = pick(), fin = rnd() & FLAGS, hf, hrax;
		struct x86_emu_ctxt c = { .mode = X86_MODE_LONG64, .ops = &ops };
		struct x86_insn insn;
		u8 hm[MEMSZ];

		if (o->word && size == 1)
			continue;
		/* Bit offsets within +-200 bits of the middle of the buffer. */
		if (o->bt)
			b = (u64)((s64)(rnd() % 400) - 200);
		for (i = 0; i < MEMSZ; i++)
			hm[i] = rnd();
		memcpy(hm + 64, &a, size);
		memcpy(mem, hm, MEMSZ);

		/* op [rbx], rAX  /  op rAX, [rbx]  /  op [rbx], imm */
		if (size == 2)
			page[k++] = 0x66;
		if (size == 8)
			page[k++] = 0x48;
		for (i = 0; i < (unsigned int)o->nopc; i++)
			page[k++] = o->opc[i];
		if (o->nopc == 1 && size > 1)
			page[k - 1] |= 1;
		page[k++] = (o->ext >= 0 ? o->ext << 3 : 0) | 3;
		isz = o->imm == 4 ? (size == 1 ? 1 : size == 2 ? 2 : 4) :
		      o->imm;
		for (i = 0; i < isz; i++)
			page[k++] = b >> (8 * i);
		page[k] = 0xc3;	/* RET */

		hrax = b;
		hf = run_native(page, &hrax, (u64)(hm + 64), fin) & FLAGS;

		c.rflags = 2 | fin;
		c.regs[X86_RBX] = 64;
		c.regs[X86_RAX] = b;
		if (x86_decode(&insn, page, k, X86_MODE_LONG64) ||
		    x86_emulate(&c, &insn) != X86_EMU_OK) {
			printf("not emulated: %s%u\n", o->name, size * 8);
			bad++;
			continue;
		}
		n++;
		if (memcmp(mem, hm, MEMSZ) || (c.rflags & FLAGS) != hf ||
		    c.regs[X86_RAX] != hrax) {
			if (bad++ < 20)
				printf("%s%u a=%#llx b=%#llx flags in %#llx: cpu %#llx/%#llx emulator %#llx/%#llx%s\n",
				       o->name, size * 8, (unsigned long long)a,
				       (unsigned long long)b,
				       (unsigned long long)fin,
				       (unsigned long long)hf,
				       (unsigned long long)hrax,
				       (unsigned long long)(c.rflags & FLAGS),
				       (unsigned long long)c.regs[X86_RAX],
				       memcmp(mem, hm, MEMSZ) ?
				       ", memory differs" : "");
		}
	}
	printf("%u instructions compared with the CPU, %u differ\n", n, bad);
	return bad ? 1 : 0;
}
