// SPDX-License-Identifier: GPL-2.0
/*
 * Differential test against the host CPU (x86-64 hosts with AVX only):
 * the same encoded instruction runs natively (from an executable page)
 * and through the emulator.  MOV, MOVZX/MOVSX/MOVSXD, MOVNTI, ALU, unary
 * and bit-test instructions with a memory operand: memory, RAX and the six
 * arithmetic flags must agree bit for bit.  SSE and VEX moves (loads, stores, register forms, 128 and 256
 * bits): memory, RAX and all of YMM0-15 must agree, which checks the
 * legacy-SSE-preserves / VEX-zeroes upper-half rules.  MOVS, CMPS, STOS,
 * LODS, SCAS with REP/REPE/REPNE, both directions, 16/32/64-bit data and
 * 32/64-bit addresses: memory, RAX, RCX, RSI, RDI and flags.  Built and
 * run by "make hwcheck".
 */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include "../../../arch/x86/emulate/x86_emulate.h"

#define ARRAY_SIZE(x)	(sizeof(x) / sizeof((x)[0]))
#define FLAGS	0x8d5ULL	/* CF PF AF ZF SF OF */
#define MEMSZ	128

static u8 mem[MEMSZ];
static u8 vec[16][32];

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

static int get_vec(struct x86_emu_ctxt *c, unsigned int reg, void *buf,
		   unsigned int size)
{
	memcpy(buf, vec[reg], size);
	return X86_EMU_OK;
}

static int set_vec(struct x86_emu_ctxt *c, unsigned int reg, const void *buf,
		   unsigned int size, bool zero_upper)
{
	memcpy(vec[reg], buf, size);
	if (zero_upper)
		memset(vec[reg] + size, 0, 32 - size);
	return X86_EMU_OK;
}

static const struct x86_emu_ops ops = {
	.read = rd, .write = wr, .get_vec = get_vec, .set_vec = set_vec,
};

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
	bool dword;		/* 32/64-bit forms only */
	bool byte_only;		/* 8-bit form only (AH as register) */
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
	{ "mov store", { 0x88 }, 1, -1 }, { "mov load", { 0x8a }, 1, -1 },
	{ "mov store ah", { 0x88 }, 1, 4, .byte_only = true },
	{ "mov load ah", { 0x8a }, 1, 4, .byte_only = true },
	{ "add ah", { 0x00 }, 1, 4, .byte_only = true },
	{ "mov imm", { 0xc6 }, 1, 0, 4 },
	{ "movzx b", { 0x0f, 0xb6 }, 2, -1, .word = true },
	{ "movzx w", { 0x0f, 0xb7 }, 2, -1, .word = true },
	{ "movsx b", { 0x0f, 0xbe }, 2, -1, .word = true },
	{ "movsx w", { 0x0f, 0xbf }, 2, -1, .word = true },
	{ "movsxd", { 0x63 }, 1, -1, .word = true },
	{ "movnti", { 0x0f, 0xc3 }, 2, -1, .dword = true },
};

/* Load YMM0-15 from @in, run @code, store them to @out. */
static void run_native_vec(const u8 *code, u8 in[16][32], u8 out[16][32],
			   u64 *rax, u64 rbx)
{
	asm volatile("vmovdqu 0(%[in]), %%ymm0; vmovdqu 32(%[in]), %%ymm1;"
		     "vmovdqu 64(%[in]), %%ymm2; vmovdqu 96(%[in]), %%ymm3;"
		     "vmovdqu 128(%[in]), %%ymm4; vmovdqu 160(%[in]), %%ymm5;"
		     "vmovdqu 192(%[in]), %%ymm6; vmovdqu 224(%[in]), %%ymm7;"
		     "vmovdqu 256(%[in]), %%ymm8; vmovdqu 288(%[in]), %%ymm9;"
		     "vmovdqu 320(%[in]), %%ymm10; vmovdqu 352(%[in]), %%ymm11;"
		     "vmovdqu 384(%[in]), %%ymm12; vmovdqu 416(%[in]), %%ymm13;"
		     "vmovdqu 448(%[in]), %%ymm14; vmovdqu 480(%[in]), %%ymm15;"
		     "sub $128, %%rsp; call *%[code]; add $128, %%rsp;"
		     "vmovdqu %%ymm0, 0(%[out]); vmovdqu %%ymm1, 32(%[out]);"
		     "vmovdqu %%ymm2, 64(%[out]); vmovdqu %%ymm3, 96(%[out]);"
		     "vmovdqu %%ymm4, 128(%[out]); vmovdqu %%ymm5, 160(%[out]);"
		     "vmovdqu %%ymm6, 192(%[out]); vmovdqu %%ymm7, 224(%[out]);"
		     "vmovdqu %%ymm8, 256(%[out]); vmovdqu %%ymm9, 288(%[out]);"
		     "vmovdqu %%ymm10, 320(%[out]); vmovdqu %%ymm11, 352(%[out]);"
		     "vmovdqu %%ymm12, 384(%[out]); vmovdqu %%ymm13, 416(%[out]);"
		     "vmovdqu %%ymm14, 448(%[out]); vmovdqu %%ymm15, 480(%[out]);"
		     "vzeroupper"
		     : "+a"(*rax), "+b"(rbx)
		     : [in] "r"(in), [out] "r"(out), [code] "r"(code)
		     : "memory", "cc", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4",
		       "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10",
		       "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
}

struct vec_form {
	const char *name;
	u8 pp;			/* 0, 0x66, 0xf3 */
	u8 opc;			/* 0F xx */
	bool vex_ok, l256, aligned, mem_only, gpr, w;
};

static const struct vec_form vec_forms[] = {
	{ "movd load", 0x66, 0x6e, true, false, false, false, true },
	{ "movq load", 0x66, 0x6e, true, false, false, false, true, true },
	{ "movd store", 0x66, 0x7e, true, false, false, false, true },
	{ "movq store", 0x66, 0x7e, true, false, false, false, true, true },
	{ "movq xmm load", 0xf3, 0x7e, true },
	{ "movq xmm store", 0x66, 0xd6, true },
	{ "movdqa load", 0x66, 0x6f, true, true, true },
	{ "movdqu load", 0xf3, 0x6f, true, true },
	{ "movdqa store", 0x66, 0x7f, true, true, true },
	{ "movdqu store", 0xf3, 0x7f, true, true },
	{ "movaps load", 0, 0x28, true, true, true },
	{ "movaps store", 0, 0x29, true, true, true },
	{ "movapd load", 0x66, 0x28, true, true, true },
	{ "movups load", 0, 0x10, true, true },
	{ "movups store", 0, 0x11, true, true },
	{ "movupd store", 0x66, 0x11, true, true },
	{ "movntdq", 0x66, 0xe7, true, true, true, true },
	{ "movntps", 0, 0x2b, true, true, true, true },
};

static unsigned int vec_diff(u8 *page)
{
	static u8 vin[16][32], vout[16][32];
	unsigned int it, n = 0, bad = 0;

	for (it = 0; it < 100000; it++) {
		const struct vec_form *f = &vec_forms[rnd() %
						      ARRAY_SIZE(vec_forms)];
		bool vex = f->vex_ok && rnd() % 2, l = vex && f->l256 && rnd() % 2;
		bool regform = !f->mem_only && rnd() % 4 == 0;
		unsigned int r = rnd() % 16, rm = regform ? rnd() % 16 : 3;
		unsigned int k = 0, i, off = f->aligned ? 32 : rnd() % 64;
		struct x86_emu_ctxt c = { .mode = X86_MODE_LONG64, .ops = &ops };
		u64 rax = rnd(), hrax = rax;
		struct x86_insn insn;
		/* Aligned so that native and emulated alignment agree. */
		static _Alignas(64) u8 hm[MEMSZ];

		if (regform && f->gpr)
			rm = 0;	/* RAX */
		for (i = 0; i < MEMSZ; i++)
			hm[i] = rnd();
		for (i = 0; i < sizeof(vin); i++)
			((u8 *)vin)[i] = rnd();
		memcpy(mem, hm, MEMSZ);
		memcpy(vec, vin, sizeof(vec));

		if (vex) {
			u8 pp = f->pp == 0x66 ? 1 : f->pp == 0xf3 ? 2 : 0;

			page[k++] = 0xc4;
			page[k++] = ((r & 8) ? 0 : 0x80) | 0x40 |
				    ((rm & 8) ? 0 : 0x20) | 1;
			page[k++] = (f->w ? 0x80 : 0) | 0x78 | (l ? 4 : 0) | pp;
		} else {
			if (f->pp)
				page[k++] = f->pp;
			if (f->w || (r & 8) || (rm & 8))
				page[k++] = 0x40 | (f->w ? 8 : 0) |
					    ((r & 8) ? 4 : 0) | ((rm & 8) ? 1 : 0);
			page[k++] = 0x0f;
		}
		page[k++] = f->opc;
		page[k++] = (regform ? 0xc0 : 0) | ((r & 7) << 3) | (rm & 7);
		page[k] = 0xc3;

		run_native_vec(page, vin, vout, &hrax, (u64)(hm + off));

		c.regs[X86_RBX] = off;
		c.regs[X86_RAX] = rax;
		c.rflags = 2;
		if (x86_decode(&insn, page, k, X86_MODE_LONG64) ||
		    x86_emulate(&c, &insn) != X86_EMU_OK) {
			printf("not emulated: %s\n", f->name);
			bad++;
			continue;
		}
		n++;
		if (memcmp(mem, hm, MEMSZ) || memcmp(vec, vout, sizeof(vec)) ||
		    c.regs[X86_RAX] != hrax) {
			if (bad++ < 20)
				printf("%s%s%s r%u rm%u%s: %s differs\n",
				       vex ? "v" : "", f->name, l ? " ymm" : "",
				       r, rm, regform ? " (reg)" : "",
				       memcmp(mem, hm, MEMSZ) ? "memory" :
				       c.regs[X86_RAX] != hrax ? "rax" :
				       "vector state");
		}
	}
	printf("%u vector moves compared with the CPU, %u differ\n", n, bad);
	return bad;
}

/*
 * String instructions: both copies of the buffer live below 4 GiB
 * (MAP_32BIT) so that RSI/RDI hold the same values natively and in the
 * emulator, whose callbacks map those addresses onto its own copy.
 */
#define STRSZ	4096
static u8 *str_nat, *str_emu;

static int str_rd(struct x86_emu_ctxt *c, u64 lin, void *buf,
		  unsigned int size)
{
	u64 off = lin - (u64)str_nat;

	if (off >= STRSZ || off + size > STRSZ)
		return X86_EMU_UNHANDLED;
	memcpy(buf, str_emu + off, size);
	return X86_EMU_OK;
}

static int str_wr(struct x86_emu_ctxt *c, u64 lin, const void *buf,
		  unsigned int size)
{
	u64 off = lin - (u64)str_nat;

	if (off >= STRSZ || off + size > STRSZ)
		return X86_EMU_UNHANDLED;
	memcpy(str_emu + off, buf, size);
	return X86_EMU_OK;
}

static const struct x86_emu_ops str_ops = { .read = str_rd, .write = str_wr };

struct str_regs {
	u64 rax, rcx, rsi, rdi, flags;
};

static void run_native_str(const u8 *code, struct str_regs *r)
{
	asm volatile("sub $128, %%rsp; pushq %[fl]; popfq; call *%[code];"
		     "pushfq; popq %[fl]; cld; add $128, %%rsp"
		     : "+a"(r->rax), "+c"(r->rcx), "+S"(r->rsi), "+D"(r->rdi),
		       [fl] "+r"(r->flags)
		     : [code] "r"(code)
		     : "memory", "cc");
}

static unsigned int string_diff(u8 *page)
{
	static const u8 ops1[] = { 0xa4, 0xa5, 0xa6, 0xa7, 0xaa, 0xab, 0xac,
				   0xad, 0xae, 0xaf };
	static const u8 reps[] = { 0, 0xf3, 0xf2 };
	unsigned int it, n = 0, bad = 0;

	str_nat = mmap(NULL, 2 * STRSZ, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	if (str_nat == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	str_emu = str_nat + STRSZ;
	for (it = 0; it < 100000; it++) {
		struct x86_emu_ctxt c = { .mode = X86_MODE_LONG64,
					  .ops = &str_ops, .rep_limit = 1000 };
		u8 op = ops1[rnd() % sizeof(ops1)];
		unsigned int k = 0, i, sz = 1;
		struct str_regs r, e;
		struct x86_insn insn;
		bool a32 = rnd() % 4 == 0;
		u8 rep = reps[rnd() % sizeof(reps)];

		if (a32)
			page[k++] = 0x67;
		if (rep)
			page[k++] = rep;
		if (op & 1) {
			switch (rnd() % 3) {
			case 0:
				page[k++] = 0x66;
				sz = 2;
				break;
			case 1:
				sz = 4;
				break;
			default:
				page[k++] = 0x48;
				sz = 8;
			}
		}
		page[k++] = op;
		page[k] = 0xc3;

		/* A small alphabet makes REPE/REPNE stop early sometimes. */
		for (i = 0; i < STRSZ; i++)
			str_nat[i] = rnd() % 3;
		memcpy(str_emu, str_nat, STRSZ);
		r.rax = rnd() % 3 | (rnd() << 8 & ~0xffULL);
		r.rcx = rnd() % 12 | (a32 ? rnd() << 32 : 0);
		r.rsi = (u64)str_nat + 1024 + rnd() % 2048;
		r.rdi = (u64)str_nat + 1024 + rnd() % 2048;
		if (a32) {
			/* The upper halves must not matter with 67h. */
			r.rsi |= rnd() << 32;
			r.rdi |= rnd() << 32;
		}
		r.flags = 2 | (rnd() & FLAGS) | (rnd() % 2 ? 0x400 : 0);
		e = r;

		run_native_str(page, &r);

		c.regs[X86_RAX] = e.rax;
		c.regs[X86_RCX] = e.rcx;
		c.regs[X86_RSI] = e.rsi;
		c.regs[X86_RDI] = e.rdi;
		c.rflags = e.flags;
		if (x86_decode(&insn, page, k, X86_MODE_LONG64) ||
		    x86_emulate(&c, &insn) != X86_EMU_OK || !c.str_done) {
			printf("not emulated: string %02x\n", op);
			bad++;
			continue;
		}
		n++;
		if (memcmp(str_nat, str_emu, STRSZ) ||
		    c.regs[X86_RAX] != r.rax || c.regs[X86_RCX] != r.rcx ||
		    c.regs[X86_RSI] != r.rsi || c.regs[X86_RDI] != r.rdi ||
		    (c.rflags & (FLAGS | 0x400)) != (r.flags & (FLAGS | 0x400))) {
			if (bad++ < 20)
				printf("string %02x%s%s size %u: cpu rcx %#llx rsi %#llx flags %#llx, emulator rcx %#llx rsi %#llx flags %#llx%s\n",
				       op, rep ? " rep" : "", a32 ? " a32" : "",
				       sz, (unsigned long long)r.rcx,
				       (unsigned long long)r.rsi,
				       (unsigned long long)r.flags,
				       (unsigned long long)c.regs[X86_RCX],
				       (unsigned long long)c.regs[X86_RSI],
				       (unsigned long long)c.rflags,
				       memcmp(str_nat, str_emu, STRSZ) ?
				       ", memory differs" : "");
		}
	}
	printf("%u string instructions compared with the CPU, %u differ\n", n,
	       bad);
	return bad;
}

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
		const struct hw_op *o = &hw_ops[rnd() % ARRAY_SIZE(hw_ops)];
		unsigned int sl = rnd() % 4, size = 1U << sl, k = 0, i, isz;
		u64 a = pick(), b = pick(), fin = rnd() & FLAGS, hf, hrax;
		struct x86_emu_ctxt c = { .mode = X86_MODE_LONG64, .ops = &ops };
		struct x86_insn insn;
		u8 hm[MEMSZ];

		if ((o->word && size == 1) || (o->dword && size < 4) ||
		    (o->byte_only && size != 1))
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
	bad += vec_diff(page);
	bad += string_diff(page);
	return bad ? 1 : 0;
}
