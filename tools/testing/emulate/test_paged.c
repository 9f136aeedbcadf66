// SPDX-License-Identifier: GPL-2.0
/*
 * Emulator over the page walker, the way the module wires them: memory
 * callbacks translate each page of an access with x86_walk() (user or
 * supervisor by CPL, write, RFLAGS.AC for SMAP), check every page before
 * touching any, and turn a walker #PF into the emulator's exception.
 */
#include "emu_env.h"

#define PG_MEM	0x40000

struct paged_env {
	struct x86_emu_ctxt c;
	struct x86_walk_env w;
	u8 pmem[PG_MEM];
	u64 mmio_gpa;		/* this guest-physical page is MMIO */
	u64 mmio_last;		/* last MMIO write (value) */
	unsigned int mmio_writes;
};

static struct paged_env pe;

static int pg_read_pte(void *opaque, u64 gpa, u64 *pte, unsigned int size)
{
	struct paged_env *e = opaque;

	if (gpa + size > PG_MEM)
		return -1;
	*pte = 0;
	memcpy(pte, &e->pmem[gpa], size);
	return 0;
}

static int pg_write_pte(void *opaque, u64 gpa, u64 old, u64 new,
			unsigned int size)
{
	struct paged_env *e = opaque;

	memcpy(&e->pmem[gpa], &new, size);
	return 0;
}

/* Translate [lin, lin+size) page by page into @gpa[]; no side effects. */
static int pg_translate(struct paged_env *e, u64 lin, unsigned int size,
			bool write, u64 gpa[2], unsigned int len[2])
{
	unsigned int acc = write ? X86_WALK_WRITE : 0, i, done = 0;
	u32 pfe;
	int ret;

	if (e->c.cpl == 3)
		acc |= X86_WALK_USER;
	e->w.ac = e->c.rflags & X86_FLAG_AC;
	for (i = 0; done < size; i++) {
		u64 la = lin + done;

		len[i] = 4096 - (la & 4095);
		if (len[i] > size - done)
			len[i] = size - done;
		ret = x86_walk(&e->w, la, acc, &gpa[i], &pfe);
		if (ret == X86_WALK_PF) {
			e->c.exception.vector = X86_VEC_PF;
			e->c.exception.error_code_valid = true;
			e->c.exception.error_code = pfe;
			e->c.exception.cr2 = la;
			return X86_EMU_FAULT;
		}
		if (ret)
			return X86_EMU_UNHANDLED;
		done += len[i];
	}
	return X86_EMU_OK;
}

static int pg_read(struct x86_emu_ctxt *c, u64 lin, void *buf,
		   unsigned int size)
{
	struct paged_env *e = c->opaque;
	unsigned int len[2], off = 0, i;
	u64 gpa[2];
	int ret = pg_translate(e, lin, size, false, gpa, len);

	if (ret)
		return ret;
	for (i = 0; off < size; off += len[i], i++)
		memcpy((u8 *)buf + off, &e->pmem[gpa[i]], len[i]);
	return X86_EMU_OK;
}

static int pg_write(struct x86_emu_ctxt *c, u64 lin, const void *buf,
		    unsigned int size)
{
	struct paged_env *e = c->opaque;
	unsigned int len[2], off = 0, i;
	u64 gpa[2];
	int ret = pg_translate(e, lin, size, true, gpa, len);

	if (ret)
		return ret;
	for (i = 0; off < size; off += len[i], i++) {
		if ((gpa[i] & ~4095ULL) == e->mmio_gpa) {
			/* exit to userspace: the write is taken there */
			e->mmio_last = 0;
			memcpy(&e->mmio_last, (const u8 *)buf + off, len[i]);
			e->mmio_writes++;
			return X86_EMU_STOP;
		}
		memcpy(&e->pmem[gpa[i]], (const u8 *)buf + off, len[i]);
	}
	return X86_EMU_OK;
}

static const struct x86_emu_ops pg_ops = { .read = pg_read, .write = pg_write };

#define P	1ULL
#define RW	2ULL
#define US	4ULL

/*
 * 4-level tables at 0x1000..0x4000 mapping linear 0x400000 + n * 4K:
 * n=0: user RW -> 0x10000, n=1: user RO -> 0x11000, n=2: not present,
 * n=3: supervisor RW -> 0x12000, n=4: user RW -> MMIO page 0x30000.
 */
static void pg_setup(void)
{
	int i;

	memset(&pe, 0, sizeof(pe));
	pe.c.mode = X86_MODE_LONG64;
	pe.c.ops = &pg_ops;
	pe.c.opaque = &pe;
	pe.c.rflags = 2;
	pe.c.rip = 0x100;
	pe.c.cpl = 3;
	for (i = 0; i < X86_NR_SEGS; i++) {
		pe.c.seg[i].limit = 0xffffffff;
		pe.c.seg[i].type = 3;
		pe.c.seg[i].s = true;
	}
	pe.w.cr0 = X86_WALK_CR0_PG | X86_WALK_CR0_WP;
	pe.w.cr3 = 0x1000;
	pe.w.cr4 = X86_WALK_CR4_PAE | X86_WALK_CR4_SMAP;
	pe.w.efer = X86_WALK_EFER_LMA | X86_WALK_EFER_NXE;
	pe.w.opaque = &pe;
	pe.w.read_pte = pg_read_pte;
	pe.w.write_pte = pg_write_pte;
	pe.mmio_gpa = 0x30000;
	memcpy(&pe.pmem[0x1000], &(u64){ 0x2000 | P | RW | US }, 8);
	memcpy(&pe.pmem[0x2000], &(u64){ 0x3000 | P | RW | US }, 8);
	memcpy(&pe.pmem[0x3000 + 8 * 2], &(u64){ 0x4000 | P | RW | US }, 8);
	memcpy(&pe.pmem[0x4000 + 8 * 0], &(u64){ 0x10000 | P | RW | US }, 8);
	memcpy(&pe.pmem[0x4000 + 8 * 1], &(u64){ 0x11000 | P | US }, 8);
	memcpy(&pe.pmem[0x4000 + 8 * 3], &(u64){ 0x12000 | P | RW }, 8);
	memcpy(&pe.pmem[0x4000 + 8 * 4], &(u64){ 0x30000 | P | RW | US }, 8);
}

static int pg_run(const char *hex)
{
	struct x86_insn insn;
	int ret = env_decode(&insn, pe.c.mode, hex);

	return ret ? 100 - ret : x86_emulate(&pe.c, &insn);
}

static bool pg_fault(int ret, u32 err, u64 cr2)
{
	return ret == X86_EMU_FAULT && pe.c.exception.vector == X86_VEC_PF &&
	       pe.c.exception.error_code == err && pe.c.exception.cr2 == cr2 &&
	       pe.c.rip == 0x100;
}

void test_paged(void)
{
	int ret;

	pg_setup();
	pe.c.regs[X86_RBX] = 0x400010;
	pe.c.regs[X86_RAX] = 0x12345678;
	ret = pg_run("89 03");
	tap_ok(ret == X86_EMU_OK && pe.pmem[0x10010] == 0x78 &&
	       pe.c.rip == 0x102, "paged: user write to a user RW page");

	pe.c.rip = 0x100;
	pe.c.regs[X86_RBX] = 0x401010;
	ret = pg_run("89 03");
	tap_ok(pg_fault(ret, X86_PFEC_P | X86_PFEC_W | X86_PFEC_U, 0x401010),
	       "paged: user write to a read-only page: #PF 0x7, CR2");
	ret = pg_run("8b 03");
	tap_ok(ret == X86_EMU_OK && pe.c.rip == 0x102,
	       "paged: user read of the read-only page");

	pe.c.rip = 0x100;
	pe.c.regs[X86_RBX] = 0x402000;
	ret = pg_run("8b 03");
	tap_ok(pg_fault(ret, X86_PFEC_U, 0x402000),
	       "paged: not-present page: #PF 0x4");
	pe.c.regs[X86_RBX] = 0x403000;
	ret = pg_run("8b 03");
	tap_ok(pg_fault(ret, X86_PFEC_P | X86_PFEC_U, 0x403000),
	       "paged: user read of a supervisor page: #PF 0x5");

	/* Supervisor with SMAP: AC decides for the user page. */
	pe.c.cpl = 0;
	pe.c.regs[X86_RBX] = 0x400000;
	ret = pg_run("8b 03");
	tap_ok(pg_fault(ret, X86_PFEC_P, 0x400000),
	       "paged: SMAP blocks a supervisor read with AC=0");
	pe.c.rflags |= X86_FLAG_AC;
	ret = pg_run("8b 03");
	tap_ok(ret == X86_EMU_OK, "paged: SMAP allows it with AC=1");
	pe.c.rflags &= ~X86_FLAG_AC;
	pe.c.rip = 0x100;

	/* Page-crossing writes into the read-only page: nothing written. */
	pe.c.cpl = 3;
	pe.c.regs[X86_RBX] = 0x401ffe;
	pe.c.regs[X86_RAX] = ~0ULL;
	memset(&pe.pmem[0x11ffe], 0, 2);
	ret = pg_run("48 89 03");
	tap_ok(pg_fault(ret, X86_PFEC_P | X86_PFEC_W | X86_PFEC_U, 0x401ffe),
	       "paged: crossing write faults on the read-only first page");
	pe.c.regs[X86_RBX] = 0x400ffc;
	memset(&pe.pmem[0x10ffc], 0, 4);
	ret = pg_run("48 89 03");
	tap_ok(pg_fault(ret, X86_PFEC_P | X86_PFEC_W | X86_PFEC_U, 0x401000) &&
	       !pe.pmem[0x10ffc] && !pe.pmem[0x10fff],
	       "paged: crossing write: #PF at the second page, first untouched");

	/* MMIO write through the tables: STOP completes the instruction. */
	pe.c.regs[X86_RBX] = 0x404008;
	pe.c.regs[X86_RAX] = 0xabcd;
	ret = pg_run("66 89 03");
	tap_ok(ret == X86_EMU_STOP && pe.mmio_last == 0xabcd &&
	       pe.mmio_writes == 1 && pe.c.rip == 0x103,
	       "paged: MMIO write exits with the instruction complete");

	/* REP STOSD running into a not-present page: progress is kept. */
	pe.c.rip = 0x100;
	pe.c.regs[X86_RDI] = 0x400ff8;
	pe.c.regs[X86_RCX] = 4;
	pe.c.regs[X86_RAX] = 0x11111111;
	pe.c.cpl = 0;
	pe.w.cr4 &= ~X86_WALK_CR4_SMAP;
	memset(&pe.pmem[0x4000 + 8 * 1], 0, 8);
	ret = pg_run("f3 ab");
	tap_ok(pg_fault(ret, X86_PFEC_W, 0x401000) &&
	       pe.c.regs[X86_RCX] == 2 && pe.c.regs[X86_RDI] == 0x401000 &&
	       pe.pmem[0x10ffc] == 0x11,
	       "paged: REP STOS faults at the next page after 2 iterations");
	tap_ok((pe.pmem[0x4000] & 0x60) == 0x60 && (pe.pmem[0x3010] & 0x20),
	       "paged: walks set Accessed and Dirty");
}
