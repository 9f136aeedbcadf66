// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for the pure x86 decoder, emulator and page walker: a
 * representative subset of tools/testing/emulate, run inside a kernel.
 */
#include <kunit/test.h>

#include "../x86_decode.h"
#include "../x86_emulate.h"
#include "../x86_walk.h"

#define KT_MEM_SIZE	0x4000

/* Flat guest memory at linear 0; the range [stop_lo, stop_hi) STOPs. */
struct kt_env {
	struct x86_emu_ctxt c;
	u8 mem[KT_MEM_SIZE];
	u8 vec[16][32];
	u64 stop_lo, stop_hi;
	bool replay;		/* serve the next stopped read from mem */
};

static int kt_read(struct x86_emu_ctxt *c, u64 lin, void *buf,
		   unsigned int size)
{
	struct kt_env *e = c->opaque;

	if (lin + size > KT_MEM_SIZE) {
		c->exception.vector = X86_VEC_PF;
		c->exception.error_code = 0;
		c->exception.cr2 = lin;
		return X86_EMU_FAULT;
	}
	if (lin >= e->stop_lo && lin < e->stop_hi && !e->replay)
		return X86_EMU_STOP;
	memcpy(buf, &e->mem[lin], size);
	return X86_EMU_OK;
}

static int kt_write(struct x86_emu_ctxt *c, u64 lin, const void *buf,
		    unsigned int size)
{
	struct kt_env *e = c->opaque;

	if (lin + size > KT_MEM_SIZE) {
		c->exception.vector = X86_VEC_PF;
		c->exception.error_code = X86_PFEC_W;
		c->exception.cr2 = lin;
		return X86_EMU_FAULT;
	}
	memcpy(&e->mem[lin], buf, size);
	return lin >= e->stop_lo && lin < e->stop_hi ? X86_EMU_STOP :
	       X86_EMU_OK;
}

static int kt_get_vec(struct x86_emu_ctxt *c, unsigned int reg, void *buf,
		      unsigned int size)
{
	struct kt_env *e = c->opaque;

	memcpy(buf, e->vec[reg], size);
	return X86_EMU_OK;
}

static int kt_set_vec(struct x86_emu_ctxt *c, unsigned int reg,
		      const void *buf, unsigned int size, bool zero_upper)
{
	struct kt_env *e = c->opaque;

	memcpy(e->vec[reg], buf, size);
	if (zero_upper)
		memset(e->vec[reg] + size, 0, sizeof(e->vec[reg]) - size);
	return X86_EMU_OK;
}

static const struct x86_emu_ops kt_ops = {
	.read = kt_read,
	.write = kt_write,
	.get_vec = kt_get_vec,
	.set_vec = kt_set_vec,
};

static struct kt_env *kt_env_new(struct kunit *test, enum x86_cpu_mode mode)
{
	struct kt_env *e = kunit_kzalloc(test, sizeof(*e), GFP_KERNEL);
	int i;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, e);
	e->c.mode = mode;
	e->c.ops = &kt_ops;
	e->c.opaque = e;
	e->c.rflags = 2;
	e->c.rip = 0x100;
	for (i = 0; i < X86_NR_SEGS; i++) {
		e->c.seg[i].limit = 0xffffffff;
		e->c.seg[i].type = i == X86_SEG_CS ? 0xb : 0x3;
		e->c.seg[i].s = true;
		e->c.seg[i].db = true;
	}
	return e;
}

static int kt_run(struct kt_env *e, const u8 *bytes, unsigned int len)
{
	struct x86_insn insn;
	int ret = x86_decode(&insn, bytes, len, e->c.mode);

	if (ret)
		return ret;
	return x86_emulate(&e->c, &insn);
}

static void decode_lengths(struct kunit *test)
{
	static const u8 mov_sib[] = { 0x48, 0xc7, 0x84, 0x24, 0x00, 0x01, 0x00,
				      0x00, 0x78, 0x56, 0x34, 0x12 };
	static const u8 moffs64[] = { 0x48, 0xa1, 1, 2, 3, 4, 5, 6, 7, 8 };
	static const u8 vmovdqu[] = { 0xc5, 0xfe, 0x6f, 0x03 };
	static const u8 lock_mov[] = { 0xf0, 0x89, 0x03 };
	static const u8 les[] = { 0xc4, 0x03 };
	struct x86_insn insn;
	unsigned int i;

	KUNIT_EXPECT_EQ(test, x86_decode(&insn, mov_sib, sizeof(mov_sib),
					 X86_MODE_LONG64), 0);
	KUNIT_EXPECT_EQ(test, insn.len, 12);
	KUNIT_EXPECT_EQ(test, insn.opsize, 8);
	for (i = 0; i < sizeof(mov_sib); i++)
		KUNIT_EXPECT_EQ(test, x86_decode(&insn, mov_sib, i,
						 X86_MODE_LONG64),
				-X86_EMU_ERR_TRUNCATED);
	KUNIT_EXPECT_EQ(test, x86_decode(&insn, moffs64, sizeof(moffs64),
					 X86_MODE_LONG64), 0);
	KUNIT_EXPECT_EQ(test, insn.len, 10);
	KUNIT_EXPECT_EQ(test, x86_decode(&insn, vmovdqu, sizeof(vmovdqu),
					 X86_MODE_LONG64), 0);
	KUNIT_EXPECT_EQ(test, insn.vlen, 32);
	KUNIT_EXPECT_EQ(test, x86_decode(&insn, lock_mov, sizeof(lock_mov),
					 X86_MODE_LONG64),
			-X86_EMU_ERR_INVALID);
	KUNIT_EXPECT_EQ(test, x86_decode(&insn, les, sizeof(les),
					 X86_MODE_PROT32),
			-X86_EMU_ERR_INVALID);
}

static void emulate_mov_and_add(struct kunit *test)
{
	static const u8 mov_store[] = { 0x48, 0x89, 0x03 };	/* mov [rbx],rax */
	static const u8 add_load[] = { 0x03, 0x03 };		/* add eax,[rbx] */
	struct kt_env *e = kt_env_new(test, X86_MODE_LONG64);
	u64 v;

	e->c.regs[X86_RAX] = 0x1122334455667788ULL;
	e->c.regs[X86_RBX] = 0x1000;
	KUNIT_EXPECT_EQ(test, kt_run(e, mov_store, sizeof(mov_store)),
			X86_EMU_OK);
	memcpy(&v, &e->mem[0x1000], 8);
	KUNIT_EXPECT_EQ(test, v, 0x1122334455667788ULL);
	KUNIT_EXPECT_EQ(test, e->c.rip, 0x103);

	e->c.regs[X86_RAX] = 1;
	memset(&e->mem[0x1000], 0xff, 4);
	KUNIT_EXPECT_EQ(test, kt_run(e, add_load, sizeof(add_load)),
			X86_EMU_OK);
	KUNIT_EXPECT_EQ(test, e->c.regs[X86_RAX], 0);
	KUNIT_EXPECT_EQ(test, e->c.rflags,
			2 | X86_FLAG_CF | X86_FLAG_ZF | X86_FLAG_PF |
			X86_FLAG_AF);
}

static void emulate_stop_restart(struct kunit *test)
{
	static const u8 add_rmw[] = { 0x01, 0x03 };		/* add [rbx],eax */
	struct kt_env *e = kt_env_new(test, X86_MODE_LONG64);

	e->c.regs[X86_RAX] = 2;
	e->c.regs[X86_RBX] = 0x1000;
	e->mem[0x1000] = 3;
	e->stop_lo = 0x1000;
	e->stop_hi = 0x2000;
	/* The read STOPs: nothing committed. */
	KUNIT_EXPECT_EQ(test, kt_run(e, add_rmw, sizeof(add_rmw)),
			X86_EMU_STOP);
	KUNIT_EXPECT_EQ(test, e->c.rip, 0x100);
	KUNIT_EXPECT_EQ(test, e->mem[0x1000], 3);
	/* Rerun with the read served: the final write STOP completes it. */
	e->replay = true;
	KUNIT_EXPECT_EQ(test, kt_run(e, add_rmw, sizeof(add_rmw)),
			X86_EMU_STOP);
	KUNIT_EXPECT_EQ(test, e->c.rip, 0x102);
	KUNIT_EXPECT_EQ(test, e->mem[0x1000], 5);
}

static void emulate_faults(struct kunit *test)
{
	static const u8 mov_load[] = { 0x8b, 0x03 };		/* mov eax,[rbx] */
	struct kt_env *e = kt_env_new(test, X86_MODE_LONG64);

	e->c.regs[X86_RBX] = 0x0000800000000000ULL;
	KUNIT_EXPECT_EQ(test, kt_run(e, mov_load, sizeof(mov_load)),
			X86_EMU_FAULT);
	KUNIT_EXPECT_EQ(test, e->c.exception.vector, X86_VEC_GP);

	e = kt_env_new(test, X86_MODE_PROT32);
	e->c.seg[X86_SEG_DS].limit = 0xfff;
	e->c.regs[X86_RBX] = 0xffe;
	KUNIT_EXPECT_EQ(test, kt_run(e, mov_load, sizeof(mov_load)),
			X86_EMU_FAULT);
	KUNIT_EXPECT_EQ(test, e->c.exception.vector, X86_VEC_GP);
	KUNIT_EXPECT_EQ(test, e->c.rip, 0x100);
}

static void emulate_rep_stos(struct kunit *test)
{
	static const u8 rep_stosd[] = { 0xf3, 0xab };
	struct kt_env *e = kt_env_new(test, X86_MODE_PROT32);

	e->c.regs[X86_RAX] = 0xaabbccdd;
	e->c.regs[X86_RCX] = 3;
	e->c.regs[X86_RDI] = 0x2000;
	KUNIT_EXPECT_EQ(test, kt_run(e, rep_stosd, sizeof(rep_stosd)),
			X86_EMU_OK);
	KUNIT_EXPECT_TRUE(test, e->c.str_done);
	KUNIT_EXPECT_EQ(test, e->c.regs[X86_RCX], 0);
	KUNIT_EXPECT_EQ(test, e->c.regs[X86_RDI], 0x200c);
	KUNIT_EXPECT_EQ(test, e->mem[0x200b], 0xaa);
	KUNIT_EXPECT_EQ(test, e->c.rip, 0x102);
}

static void emulate_vector_moves(struct kunit *test)
{
	static const u8 movdqu_load[] = { 0xf3, 0x0f, 0x6f, 0x03 };
	static const u8 vmovdqa_load[] = { 0xc5, 0xf9, 0x6f, 0x03 };
	static const u8 movdqa_store[] = { 0x66, 0x0f, 0x7f, 0x03 };
	struct kt_env *e = kt_env_new(test, X86_MODE_LONG64);
	unsigned int i;

	for (i = 0; i < 16; i++)
		e->mem[0x1000 + i] = i + 1;
	memset(e->vec[0], 0xee, sizeof(e->vec[0]));
	e->c.regs[X86_RBX] = 0x1000;
	/* Legacy SSE keeps the upper YMM half; VEX.128 clears it. */
	KUNIT_EXPECT_EQ(test, kt_run(e, movdqu_load, sizeof(movdqu_load)),
			X86_EMU_OK);
	KUNIT_EXPECT_EQ(test, e->vec[0][15], 16);
	KUNIT_EXPECT_EQ(test, e->vec[0][16], 0xee);
	KUNIT_EXPECT_EQ(test, kt_run(e, vmovdqa_load, sizeof(vmovdqa_load)),
			X86_EMU_OK);
	KUNIT_EXPECT_EQ(test, e->vec[0][16], 0);
	/* MOVDQA to a misaligned address: #GP(0), RIP unchanged. */
	e->c.regs[X86_RBX] = 0x1004;
	KUNIT_EXPECT_EQ(test, kt_run(e, movdqa_store, sizeof(movdqa_store)),
			X86_EMU_FAULT);
	KUNIT_EXPECT_EQ(test, e->c.exception.vector, X86_VEC_GP);
	KUNIT_EXPECT_EQ(test, e->c.rip, 0x108);
}

static void emulate_real_mode(struct kunit *test)
{
	static const u8 mov_bp[] = { 0x89, 0x46, 0x02 };	/* mov [bp+2],ax */
	struct kt_env *e = kt_env_new(test, X86_MODE_REAL);
	int i;

	for (i = 0; i < X86_NR_SEGS; i++)
		e->c.seg[i].limit = 0xffff;
	e->c.seg[X86_SEG_SS].base = 0x2000;
	e->c.regs[X86_RAX] = 0xbeef;
	e->c.regs[X86_RBP] = 0x10;
	KUNIT_EXPECT_EQ(test, kt_run(e, mov_bp, sizeof(mov_bp)), X86_EMU_OK);
	KUNIT_EXPECT_EQ(test, e->mem[0x2012], 0xef);
	KUNIT_EXPECT_EQ(test, e->mem[0x2013], 0xbe);
	/* A word at offset 0xffff crosses the limit: #SS(0), BP selects SS. */
	e->c.regs[X86_RBP] = 0xfffd;
	KUNIT_EXPECT_EQ(test, kt_run(e, mov_bp, sizeof(mov_bp)),
			X86_EMU_FAULT);
	KUNIT_EXPECT_EQ(test, e->c.exception.vector, X86_VEC_SS);
}

struct kt_pmem {
	u8 m[0x8000];
};

static int kt_read_pte(void *opaque, u64 gpa, u64 *pte, unsigned int size)
{
	struct kt_pmem *p = opaque;

	if (gpa + size > sizeof(p->m))
		return -EFAULT;
	*pte = 0;
	memcpy(pte, &p->m[gpa], size);
	return 0;
}

static int kt_write_pte(void *opaque, u64 gpa, u64 old, u64 new,
			unsigned int size)
{
	struct kt_pmem *p = opaque;

	memcpy(&p->m[gpa], &new, size);
	return 0;
}

static void walk_long_mode(struct kunit *test)
{
	struct kt_pmem *p = kunit_kzalloc(test, sizeof(*p), GFP_KERNEL);
	struct x86_walk_env env = {
		.cr0 = X86_WALK_CR0_PG | X86_WALK_CR0_WP,
		.cr3 = 0x1000,
		.cr4 = X86_WALK_CR4_PAE | X86_WALK_CR4_SMAP,
		.efer = X86_WALK_EFER_LMA | X86_WALK_EFER_NXE,
		.opaque = p,
		.read_pte = kt_read_pte,
		.write_pte = kt_write_pte,
	};
	u64 e, gpa = 0;
	u32 pfe = 0;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, p);
	/* gva 0x201000 -> 0x7000 through PML4 0x1000 .. PT 0x4000, user */
	e = 0x2000 | 7;
	memcpy(&p->m[0x1000], &e, 8);
	e = 0x3000 | 7;
	memcpy(&p->m[0x2000], &e, 8);
	e = 0x4000 | 7;
	memcpy(&p->m[0x3008], &e, 8);
	e = 0x7000 | 5;		/* read-only user page */
	memcpy(&p->m[0x4008], &e, 8);

	KUNIT_EXPECT_EQ(test, x86_walk(&env, 0x201234, X86_WALK_USER, &gpa,
				       &pfe), X86_WALK_OK);
	KUNIT_EXPECT_EQ(test, gpa, 0x7234);
	KUNIT_EXPECT_EQ(test, x86_walk(&env, 0x201234,
				       X86_WALK_USER | X86_WALK_WRITE, &gpa,
				       &pfe), X86_WALK_PF);
	KUNIT_EXPECT_EQ(test, pfe, X86_PFEC_P | X86_PFEC_W | X86_PFEC_U);
	KUNIT_EXPECT_EQ(test, x86_walk(&env, 0x201234, 0, &gpa, &pfe),
			X86_WALK_PF);
	KUNIT_EXPECT_EQ(test, pfe, X86_PFEC_P);
	KUNIT_EXPECT_EQ(test, x86_walk(&env, 0x401234, X86_WALK_FETCH, &gpa,
				       &pfe), X86_WALK_PF);
	KUNIT_EXPECT_EQ(test, pfe, X86_PFEC_ID);
}

static struct kunit_case x86_emulate_cases[] = {
	KUNIT_CASE(decode_lengths),
	KUNIT_CASE(emulate_mov_and_add),
	KUNIT_CASE(emulate_stop_restart),
	KUNIT_CASE(emulate_faults),
	KUNIT_CASE(emulate_rep_stos),
	KUNIT_CASE(emulate_vector_moves),
	KUNIT_CASE(emulate_real_mode),
	KUNIT_CASE(walk_long_mode),
	{}
};

static struct kunit_suite x86_emulate_suite = {
	.name = "kvmod_x86_emulate",
	.test_cases = x86_emulate_cases,
};
kunit_test_suites(&x86_emulate_suite);
