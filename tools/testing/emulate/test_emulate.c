// SPDX-License-Identifier: GPL-2.0
/*
 * Emulator tests.  Each case gives the initial state and the expected
 * changes as "name=value" lists; every register, flag, byte of memory and
 * vector register not named must come out unchanged.  Each successful
 * case also runs a second time with every memory access going through
 * the STOP/restart path and must end in the same state.
 */
#include <stdlib.h>
#include "emu_env.h"

#define R	X86_MODE_REAL
#define P16	X86_MODE_PROT16
#define P32	X86_MODE_PROT32
#define L64	X86_MODE_LONG64

static const char *const gpr_names[16] = {
	"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
	"r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
};

static const struct { const char *n; u64 v; } flag_names[] = {
	{ "CF", X86_FLAG_CF }, { "PF", X86_FLAG_PF }, { "AF", X86_FLAG_AF },
	{ "ZF", X86_FLAG_ZF }, { "SF", X86_FLAG_SF }, { "OF", X86_FLAG_OF },
	{ "DF", X86_FLAG_DF },
};

struct expect {
	int ret;
	u8 vec;
	u32 err;
	bool rip_set;
};

static u64 parse_flags(const char *s)
{
	u64 v = 0;
	char buf[128], *tok, *save;
	unsigned int i;

	snprintf(buf, sizeof(buf), "%s", s);
	for (tok = strtok_r(buf, "|", &save); tok;
	     tok = strtok_r(NULL, "|", &save)) {
		for (i = 0; i < ARRAY_SIZE(flag_names); i++)
			if (!strcmp(tok, flag_names[i].n))
				break;
		v |= i < ARRAY_SIZE(flag_names) ? flag_names[i].v :
		     strtoull(tok, NULL, 0);
	}
	return v | 2;
}

/* Apply "k=v k=v" to @e; for expectations also fill @x. */
static void apply(struct emu_env *e, const char *spec, struct expect *x)
{
	char buf[512], *tok, *save;
	unsigned int i;

	snprintf(buf, sizeof(buf), "%s", spec ? spec : "");
	for (tok = strtok_r(buf, " ", &save); tok;
	     tok = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(tok, '=');
		const char *val;

		if (!eq)
			abort();
		*eq = 0;
		val = eq + 1;
		for (i = 0; i < 16; i++)
			if (!strcmp(tok, gpr_names[i]))
				break;
		if (i < 16) {
			e->c.regs[i] = strtoull(val, NULL, 0);
		} else if (!strcmp(tok, "rip")) {
			e->c.rip = strtoull(val, NULL, 0);
			if (x)
				x->rip_set = true;
		} else if (!strcmp(tok, "fl")) {
			e->c.rflags = parse_flags(val);
		} else if (tok[0] == 'm' && strchr(tok, '[')) {
			unsigned int bits = strtoul(tok + 1, NULL, 10);
			u64 addr = strtoull(strchr(tok, '[') + 1, NULL, 0);

			env_poke(e, addr, strtoull(val, NULL, 0), bits / 8);
		} else if (tok[0] == 'x' && strchr(tok, '.')) {
			/* xN.qK=value: quadword K of vector register N */
			unsigned int r = strtoul(tok + 1, NULL, 10);
			unsigned int q = strtoul(strchr(tok, '.') + 2, NULL, 10);
			u64 v = strtoull(val, NULL, 0);

			memcpy(&e->vec[r][8 * q], &v, 8);
		} else if (!strcmp(tok, "ret") && x) {
			if (!strcmp(val, "ok"))
				x->ret = X86_EMU_OK;
			else if (!strcmp(val, "stop"))
				x->ret = X86_EMU_STOP;
			else if (!strcmp(val, "unh"))
				x->ret = X86_EMU_UNHANDLED;
			else if (!strncmp(val, "gp", 2) || !strncmp(val, "ss", 2) ||
				 !strncmp(val, "pf", 2)) {
				x->ret = X86_EMU_FAULT;
				x->vec = val[0] == 'g' ? X86_VEC_GP :
					 val[0] == 's' ? X86_VEC_SS : X86_VEC_PF;
				x->err = strtoul(val + 2, NULL, 0);
			}
		} else if (!strcmp(tok, "fs") || !strcmp(tok, "gs") ||
			   !strcmp(tok, "ds") || !strcmp(tok, "es") ||
			   !strcmp(tok, "ss") || !strcmp(tok, "cs")) {
			/* seg=base,limit,type */
			static const char *const sn[] = { "es", "cs", "ss",
							  "ds", "fs", "gs" };
			struct x86_emu_seg *s;
			char *p;

			for (i = 0; i < 6; i++)
				if (!strcmp(tok, sn[i]))
					break;
			s = &e->c.seg[i];
			s->base = strtoull(val, &p, 0);
			if (*p == ',')
				s->limit = strtoull(p + 1, &p, 0);
			if (*p == ',')
				s->type = strtoul(p + 1, &p, 0);
			if (*p == ',')
				s->db = strtoul(p + 1, &p, 0);
			if (*p == ',')
				s->unusable = strtoul(p + 1, &p, 0);
		} else if (!strcmp(tok, "pin")) {
			u64 v = strtoull(val, NULL, 0);

			memcpy(e->port_in, &v, 8);
		} else if (!strcmp(tok, "pout")) {
			u64 v = strtoull(val, NULL, 0);

			memcpy(e->port_out, &v, 8);
		} else if (!strcmp(tok, "cr4")) {
			e->c.cr4 = strtoull(val, NULL, 0);
		} else if (!strcmp(tok, "replimit")) {
			e->c.rep_limit = strtoul(val, NULL, 0);
		} else if (!strcmp(tok, "mmio")) {
			char *p;

			e->mmio_lo = strtoull(val, &p, 0);
			e->mmio_hi = strtoull(p + 1, NULL, 0);
		} else {
			tap_diag("bad spec token %s", tok);
			abort();
		}
	}
}

static bool same_state(struct emu_env *a, struct emu_env *b, const char *what)
{
	bool ok = true;
	unsigned int i;

	for (i = 0; i < 16; i++)
		if (a->c.regs[i] != b->c.regs[i]) {
			tap_diag("  %s: %s = %#llx, expected %#llx", what,
				 gpr_names[i], (unsigned long long)a->c.regs[i],
				 (unsigned long long)b->c.regs[i]);
			ok = false;
		}
	if (a->c.rip != b->c.rip) {
		tap_diag("  %s: rip = %#llx, expected %#llx", what,
			 (unsigned long long)a->c.rip,
			 (unsigned long long)b->c.rip);
		ok = false;
	}
	if (a->c.rflags != b->c.rflags) {
		tap_diag("  %s: rflags = %#llx, expected %#llx", what,
			 (unsigned long long)a->c.rflags,
			 (unsigned long long)b->c.rflags);
		ok = false;
	}
	for (i = 0; i < ENV_MEM_SIZE; i++)
		if (a->mem[i] != b->mem[i]) {
			tap_diag("  %s: mem[%#x] = %#x, expected %#x", what, i,
				 a->mem[i], b->mem[i]);
			ok = false;
			break;
		}
	if (memcmp(a->vec, b->vec, sizeof(a->vec))) {
		tap_diag("  %s: vector registers differ", what);
		ok = false;
	}
	if (memcmp(a->port_out, b->port_out, sizeof(a->port_out))) {
		tap_diag("  %s: port output differs", what);
		ok = false;
	}
	return ok;
}

static struct emu_env env, want, env2;

/*
 * Run @hex in @mode from state @init; expect @exp (changes relative to
 * @init plus ret=...).  Default: ret=ok and RIP advanced by the length.
 */
static void t(enum x86_cpu_mode mode, const char *hex, const char *init,
	      const char *exp)
{
	static const char *const mn[] = { "real", "p16", "p32", "l64" };
	struct expect x = { .ret = X86_EMU_OK };
	struct x86_insn insn;
	int ret, loops;
	bool ok;

	env_init(&env, mode, 0);
	apply(&env, init, NULL);
	want = env;
	want.c.opaque = &want;
	apply(&want, exp, &x);
	if (env_decode(&insn, mode, hex)) {
		tap_ok(0, "emulate %s [%s]: decode failed", mn[mode], hex);
		return;
	}
	if (x.ret == X86_EMU_OK && !x.rip_set)
		want.c.rip = env.c.rip + insn.len;

	env2 = env;
	env2.c.opaque = &env2;

	{
		u8 b[32];
		int n = hex_bytes(hex, b), i;
		struct x86_insn tr;

		for (i = 0; i < n; i++)
			if (x86_decode(&tr, b, i, mode) !=
			    -X86_EMU_ERR_TRUNCATED)
				break;
		tap_ok(i == n, "decode %s [%s]: every prefix truncated",
		       mn[mode], hex);
	}

	ret = env_run(&env, hex);
	ok = ret == x.ret;
	if (!ok)
		tap_diag("  ret %d, expected %d", ret, x.ret);
	if (ret == X86_EMU_FAULT && x.ret == X86_EMU_FAULT &&
	    (env.c.exception.vector != x.vec ||
	     env.c.exception.error_code != x.err)) {
		tap_diag("  exception %u/%#x, expected %u/%#x",
			 env.c.exception.vector, env.c.exception.error_code,
			 x.vec, x.err);
		ok = false;
	}
	ok = same_state(&env, &want, "direct") && ok;
	tap_ok(ok, "emulate %s [%s] %s -> %s", mn[mode], hex,
	       init ? init : "", exp ? exp : "");

	if (x.ret != X86_EMU_OK)
		return;
	/* Same instruction with every access exiting to "userspace". */
	env2.stop_mmio = true;
	if (!env2.mmio_hi)
		env2.mmio_hi = ~0ULL;
	ret = env_run_restart(&env2, hex, &loops);
	env2.stop_mmio = false;
	ok = ret == X86_EMU_OK && same_state(&env2, &want, "restart");
	tap_ok(ok, "emulate %s [%s]: restarted run matches (%d runs)",
	       mn[mode], hex, loops);
}

static void mov_tests(void)
{
	/* 88-8B in every mode */
	t(L64, "89 03", "rax=0x1122334455667788 rbx=0x1000",
	  "m32[0x1000]=0x55667788");
	t(L64, "48 89 03", "rax=0x1122334455667788 rbx=0x1000",
	  "m64[0x1000]=0x1122334455667788");
	t(L64, "66 89 03", "rax=0x1122334455667788 rbx=0x1000",
	  "m16[0x1000]=0x7788");
	t(L64, "88 03", "rax=0x1122334455667788 rbx=0x1000",
	  "m8[0x1000]=0x88");
	t(L64, "88 23", "rax=0x1122334455667788 rbx=0x1000",
	  "m8[0x1000]=0x77");
	t(L64, "40 88 23", "rsp=0x99 rbx=0x1000", "m8[0x1000]=0x99");
	t(L64, "44 88 03", "r8=0xabcd rbx=0x1000", "m8[0x1000]=0xcd");
	t(L64, "8b 03", "rax=0xffffffffffffffff rbx=0x1000 m32[0x1000]=0x89abcdef",
	  "rax=0x89abcdef");
	t(L64, "66 8b 03", "rax=0xffffffffffffffff rbx=0x1000 m32[0x1000]=0x89abcdef",
	  "rax=0xffffffffffffcdef");
	t(L64, "8a 03", "rax=0xffffffffffffffff rbx=0x1000 m8[0x1000]=0x42",
	  "rax=0xffffffffffffff42");
	t(L64, "8a 3b", "rbx=0x1010 m8[0x1010]=0x42", "rbx=0x4210");
	t(L64, "40 8a 3b", "rbx=0x1010 m8[0x1010]=0x42", "rdi=0x42");
	t(L64, "48 8b 44 8b 08", "rbx=0x1000 rcx=2 m64[0x1010]=0x123456789",
	  "rax=0x123456789");
	t(L64, "4c 8b 44 8d f0", "rbp=0x1020 rcx=1 m64[0x1014]=-2",
	  "r8=0xfffffffffffffffe");
	t(L64, "8b 05 00 0f 00 00", "rip=0x100 m32[0x1006]=0xfeedface",
	  "rax=0xfeedface");
	t(L64, "c7 05 f6 0e 00 00 01 00 00 00", "rip=0x100",
	  "m32[0x1000]=1");
	t(L64, "67 8b 03", "rbx=0xffffffff00001000 m32[0x1000]=7", "rax=7");
	t(L64, "8b 03", "rbx=0xffff800000001000", "ret=pf0");
	t(L64, "8b 03", "rbx=0x0000800000001000", "ret=gp0");
	t(L64, "8b 04 24", "rsp=0x0000800000001000", "ret=ss0");
	t(L64, "8b 43 fc", "rbx=0x0000800000000003", "ret=gp0");
	t(L64, "8b 03", "rbx=0x00007ffffffffffe", "ret=gp0");
	t(L64, "8b 03", "rbx=0x0100000000001000 cr4=0x1000", "ret=gp0");
	t(L64, "8b 03", "rbx=0xff00000000001000 cr4=0x1000", "ret=pf0");
	t(L64, "64 8b 03", "rbx=0x10 fs=0x2000 m32[0x2010]=9", "rax=9");
	t(L64, "65 8b 03", "rbx=0x10 gs=0x7ffffffffff0", "ret=gp0");
	t(L64, "3e 8b 03", "rbx=0x10 ds=0x2000 m32[0x10]=5", "rax=5");
	t(L64, "65 3e 8b 03", "rbx=0x10 gs=0x2000 m32[0x2010]=9", "rax=9");
	t(L64, "64 67 8b 03", "rbx=0xffffffff00000010 fs=0x3000 m32[0x3010]=3",
	  "rax=3");

	t(P32, "89 03", "rax=0x11223344 rbx=0x1000", "m32[0x1000]=0x11223344");
	t(P32, "66 89 03", "rax=0x11223344 rbx=0x1000", "m16[0x1000]=0x3344");
	t(P32, "88 23", "rax=0x11223344 rbx=0x1000", "m8[0x1000]=0x33");
	t(P32, "8b 03", "rax=0xffffffffffffffff rbx=0x1000 m32[0x1000]=5",
	  "rax=5");
	t(P32, "8a 23", "rax=0xffffffff rbx=0x1000 m8[0x1000]=5",
	  "rax=0xffff05ff");
	t(P32, "67 8b 07", "rbx=0x1000 rdi=0x12342000 m32[0x1000]=6", "rax=6");
	t(P32, "67 8b 05", "rbx=0x1000 rdi=0x12342000 m32[0x2000]=6", "rax=6");
	t(P32, "8b 05 00 10 00 00", "m32[0x1000]=0xabc", "rax=0xabc");
	t(P32, "8b 03", "rbx=0x100 ds=0x1000 m32[0x1100]=0x77", "rax=0x77");
	t(P32, "8b 03", "rbx=0xfffff000 ds=0x2000 m32[0x1000]=8", "rax=8");
	t(P32, "8b 03", "rbx=0x1000 ds=0,0xfff,3", "ret=gp0");
	t(P32, "8b 03", "rbx=0xffe ds=0,0xfff,3", "ret=gp0");
	t(P32, "8b 03", "rbx=0xffc ds=0,0xfff,3 m32[0xffc]=3", "rax=3");
	t(P32, "89 03", "rbx=0x1000 ds=0,0xffffffff,1", "ret=gp0");
	t(P32, "8b 03", "rbx=0x1000 ds=0,0xffffffff,1 m32[0x1000]=4", "rax=4");
	t(P32, "8b 03", "rbx=0x1000 ds=0,0xffffffff,3,1,1", "ret=gp0");
	t(P32, "2e 8b 03", "rbx=0x1000 m32[0x1000]=4", "rax=4");
	t(P32, "2e 89 03", "rbx=0x1000", "ret=gp0");
	t(P32, "2e 8b 03", "rbx=0x1000 cs=0,0xffffffff,9", "ret=gp0");
	t(P32, "89 04 24", "rsp=0x1000 ss=0,0xfff,3", "ret=ss0");
	t(P32, "89 45 00", "rbp=0x1000 ss=0,0xfff,3", "ret=ss0");
	t(P32, "3e 89 45 00", "rbp=0x1000 ss=0,0xfff,3 rax=1",
	  "m32[0x1000]=1");
	/* expand-down: valid offsets are limit+1 .. 0xffffffff (D=1) */
	t(P32, "8b 03", "rbx=0x1000 ds=0,0x1000,7,1", "ret=gp0");
	t(P32, "8b 03", "rbx=0x1001 ds=0,0x1000,7,1 m32[0x1001]=2", "rax=2");
	t(P16, "8b 07", "rbx=0xfffe ds=0,0x1000,7,0 m16[0xfffe]=2", "rax=2");
	t(P16, "66 8b 07", "rbx=0xfffe ds=0,0x1000,7,0", "ret=gp0");

	t(P16, "89 07", "rax=0x11223344 rbx=0x1000", "m16[0x1000]=0x3344");
	t(P16, "66 89 07", "rax=0x11223344 rbx=0x1000",
	  "m32[0x1000]=0x11223344");
	t(P16, "8b 46 02", "rbp=0x1000 m16[0x1002]=0x55 ss=0x100",
	  "ret=ok");
	t(P16, "8b 46 02", "rbp=0x1000 m16[0x1102]=0x55 ss=0x100",
	  "rax=0x55");
	t(P16, "8b 00", "rbx=0xffff rsi=0x1001 m16[0x1000]=0x66",
	  "rax=0x66");
	t(P16, "8b 07", "rbx=0xffff", "ret=gp0");
	t(P16, "8b 06 34 12", "m16[0x1234]=0x99", "rax=0x99");
	t(P16, "67 8b 03", "rbx=0x1000 m16[0x1000]=0x98", "rax=0x98");

	t(R, "89 07", "rax=0x1234 rbx=0x10 ds=0x1000", "m16[0x1010]=0x1234");
	t(R, "a1 10 00", "ds=0x1000 m16[0x1010]=0x4321", "rax=0x4321");
	t(R, "26 88 26 00 01", "rax=0xab00 es=0x2000", "m8[0x2100]=0xab");
	t(R, "8b 07", "rbx=0xffff ds=0x1000", "ret=gp0");
	t(R, "8b 46 00", "rbp=0xffff ss=0x1000", "ret=ss0");
	t(R, "66 67 8b 44 24 08", "rsp=0x100 ss=0x1000 m32[0x1108]=0xdeadbeef",
	  "rax=0xdeadbeef");
	/* unreal mode: the cached limit counts, not 64 KiB */
	t(R, "67 8b 03", "rbx=0x2000 ds=0,0xffffffff m16[0x2000]=0x11",
	  "rax=0x11");

	/* C6/C7 */
	t(L64, "c6 00 12", "rax=0x1000", "m8[0x1000]=0x12");
	t(L64, "c7 00 78 56 34 12", "rax=0x1000", "m32[0x1000]=0x12345678");
	t(L64, "48 c7 00 ff ff ff ff", "rax=0x1000",
	  "m64[0x1000]=0xffffffffffffffff");
	t(L64, "66 c7 00 34 12", "rax=0x1000", "m16[0x1000]=0x1234");
	t(L64, "48 c7 84 24 00 01 00 00 78 56 34 12", "rsp=0x1000",
	  "m64[0x1100]=0x12345678");
	t(L64, "c7 c0 01 00 00 00", "rax=0xffffffffffffffff", "rax=1");
	t(P32, "c7 05 00 10 00 00 78 56 34 12", "", "m32[0x1000]=0x12345678");
	t(P16, "c7 06 34 12 78 56", "", "m16[0x1234]=0x5678");
	t(P16, "66 c7 06 34 12 78 56 34 12", "", "m32[0x1234]=0x12345678");
	t(R, "c6 47 01 ff", "rbx=0x100", "m8[0x101]=0xff");

	/* moffs */
	t(L64, "a0 00 10 00 00 00 00 00 00", "m8[0x1000]=0x5a rax=0x100",
	  "rax=0x15a");
	t(L64, "48 a1 00 10 00 00 00 00 00 00", "m64[0x1000]=0x0102030405060708",
	  "rax=0x0102030405060708");
	t(L64, "a1 00 10 00 00 00 00 00 00", "m64[0x1000]=0x0102030405060708 rax=-1",
	  "rax=0x05060708");
	t(L64, "67 a1 00 10 00 00", "m32[0x1000]=0x31", "rax=0x31");
	t(L64, "a2 00 10 00 00 00 00 00 00", "rax=0x77", "m8[0x1000]=0x77");
	t(L64, "66 a3 00 10 00 00 00 00 00 00", "rax=0x7788",
	  "m16[0x1000]=0x7788");
	t(L64, "48 a3 00 00 00 00 00 80 00 00", "", "ret=gp0");
	t(L64, "64 a3 00 10 00 00 00 00 00 00", "rax=5 fs=0x1000",
	  "m32[0x2000]=5");
	t(P32, "a1 00 10 00 00", "m32[0x1000]=0x31", "rax=0x31");
	t(P32, "67 a3 00 10", "rax=0x31", "m32[0x1000]=0x31");
	t(P16, "a1 34 12", "m16[0x1234]=0x31", "rax=0x31");
	t(R, "67 a2 00 10 00 00", "rax=0x31", "m8[0x1000]=0x31");

	/* MOVZX/MOVSX/MOVSXD */
	t(L64, "0f b6 03", "rax=-1 rbx=0x1000 m8[0x1000]=0x80", "rax=0x80");
	t(L64, "66 0f b6 03", "rax=-1 rbx=0x1000 m8[0x1000]=0x80",
	  "rax=0xffffffffffff0080");
	t(L64, "48 0f b7 03", "rax=-1 rbx=0x1000 m16[0x1000]=0x8001",
	  "rax=0x8001");
	t(L64, "48 0f be 03", "rbx=0x1000 m8[0x1000]=0x80",
	  "rax=0xffffffffffffff80");
	t(L64, "0f be 03", "rbx=0x1000 m8[0x1000]=0x80", "rax=0xffffff80");
	t(L64, "0f bf 03", "rbx=0x1000 m16[0x1000]=0x8000", "rax=0xffff8000");
	t(L64, "48 63 03", "rbx=0x1000 m32[0x1000]=0x80000000",
	  "rax=0xffffffff80000000");
	t(L64, "63 03", "rax=-1 rbx=0x1000 m32[0x1000]=0x80000000",
	  "rax=0x80000000");
	t(L64, "0f b6 fc", "rsp=0x1234 rax=0x5678", "rdi=0x56");
	t(L64, "40 0f b6 fc", "rsp=0x1234", "rdi=0x34");
	t(P32, "0f b7 07", "rdi=0x1000 m16[0x1000]=0xfffe", "rax=0xfffe");
	t(P16, "0f be 07", "rbx=0x1000 m8[0x1000]=0xfe rax=0x12340000",
	  "rax=0x1234fffe");
	t(R, "66 0f bf 07", "rbx=0x10 m16[0x10]=0x8000", "rax=0xffff8000");
	t(L64, "8c 18", "rax=0x1000", "ret=unh rip=0x100");
}

static void alu_tests(void)
{
	/* ADD: flags on carry, overflow, aux, zero, parity */
	t(L64, "01 03", "rax=1 rbx=0x1000 m32[0x1000]=0xffffffff",
	  "m32[0x1000]=0 fl=CF|ZF|PF|AF");
	t(L64, "01 03", "rax=1 rbx=0x1000 m32[0x1000]=0x7fffffff",
	  "m32[0x1000]=0x80000000 fl=OF|SF|AF|PF");
	t(L64, "00 03", "rax=0x80 rbx=0x1000 m8[0x1000]=0x80",
	  "m8[0x1000]=0 fl=CF|OF|ZF|PF");
	t(L64, "48 01 03", "rax=1 rbx=0x1000 m64[0x1000]=-1",
	  "m64[0x1000]=0 fl=CF|ZF|PF|AF");
	t(L64, "48 03 03", "rax=0x7fffffffffffffff rbx=0x1000 m64[0x1000]=1",
	  "rax=0x8000000000000000 fl=OF|SF|AF|PF");
	t(L64, "66 01 03", "rax=0x0f rbx=0x1000 m16[0x1000]=0x01",
	  "m16[0x1000]=0x10 fl=AF");
	t(L64, "04 7f", "rax=1", "rax=0x80 fl=OF|SF|AF");
	t(L64, "48 05 00 00 00 80", "rax=0",
	  "rax=0xffffffff80000000 fl=SF|PF");
	t(L64, "05 00 00 00 80", "rax=0xffffffff00000000",
	  "rax=0x80000000 fl=SF|PF");
	t(L64, "80 03 01", "rbx=0x1000 m8[0x1000]=0xfe", "m8[0x1000]=0xff fl=SF|PF");
	t(L64, "81 03 00 00 00 80", "rbx=0x1000 m32[0x1000]=0x80000000",
	  "m32[0x1000]=0 fl=CF|OF|ZF|PF");
	t(L64, "48 83 03 ff", "rbx=0x1000 m64[0x1000]=1",
	  "m64[0x1000]=0 fl=CF|ZF|PF|AF");
	t(L64, "f0 01 03", "rax=2 rbx=0x1000 m32[0x1000]=3", "m32[0x1000]=5 fl=PF");
	/* ADC/SBB with carry in */
	t(L64, "11 03", "rax=0xffffffff rbx=0x1000 m32[0x1000]=0 fl=CF",
	  "m32[0x1000]=0 fl=CF|ZF|PF|AF");
	t(L64, "48 11 03", "rax=-1 rbx=0x1000 m64[0x1000]=-1 fl=CF",
	  "m64[0x1000]=-1 fl=CF|SF|PF|AF");
	t(L64, "10 03", "rax=0x7f rbx=0x1000 m8[0x1000]=0 fl=CF",
	  "m8[0x1000]=0x80 fl=OF|SF|AF");
	t(L64, "19 03", "rax=0 rbx=0x1000 m32[0x1000]=0 fl=CF",
	  "m32[0x1000]=0xffffffff fl=CF|SF|PF|AF");
	t(L64, "48 19 03", "rax=-1 rbx=0x1000 m64[0x1000]=-1 fl=CF",
	  "m64[0x1000]=-1 fl=CF|SF|PF|AF");
	t(L64, "1a 03", "rax=0x80 rbx=0x1000 m8[0x1000]=0 fl=CF",
	  "rax=0x7f fl=OF|AF");
	t(L64, "83 13 00", "rbx=0x1000 m32[0x1000]=5 fl=CF", "m32[0x1000]=6 fl=PF");
	t(L64, "83 1b 00", "rbx=0x1000 m32[0x1000]=5 fl=CF", "m32[0x1000]=4 fl=0");
	/* SUB/CMP */
	t(L64, "29 03", "rax=1 rbx=0x1000 m32[0x1000]=0",
	  "m32[0x1000]=0xffffffff fl=CF|SF|PF|AF");
	t(L64, "28 03", "rax=1 rbx=0x1000 m8[0x1000]=0x80",
	  "m8[0x1000]=0x7f fl=OF|AF");
	t(L64, "48 2b 03", "rax=5 rbx=0x1000 m64[0x1000]=5", "rax=0 fl=ZF|PF");
	t(L64, "39 03", "rax=5 rbx=0x1000 m32[0x1000]=3",
	  "fl=CF|SF|AF");
	t(L64, "3b 03", "rax=5 rbx=0x1000 m32[0x1000]=3", "fl=0");
	t(L64, "3c 05", "rax=5", "fl=ZF|PF");
	t(L64, "80 3b 80", "rbx=0x1000 m8[0x1000]=0x7f", "fl=CF|PF|OF|SF");
	t(L64, "48 83 3b ff", "rbx=0x1000 m64[0x1000]=0", "fl=CF|AF");
	t(L64, "81 2b 01 00 00 00", "rbx=0x1000 m32[0x1000]=0x10",
	  "m32[0x1000]=0xf fl=AF|PF");
	/* AND/OR/XOR clear CF/OF, AF cleared */
	t(L64, "21 03", "rax=0xf0 rbx=0x1000 m32[0x1000]=0x0f fl=CF|OF|AF",
	  "m32[0x1000]=0 fl=ZF|PF");
	t(L64, "09 03", "rax=0x80000000 rbx=0x1000 m32[0x1000]=1",
	  "m32[0x1000]=0x80000001 fl=SF");
	t(L64, "31 03", "rax=3 rbx=0x1000 m32[0x1000]=1", "m32[0x1000]=2");
	t(L64, "32 03", "rax=0x103 rbx=0x1000 m8[0x1000]=0x03", "rax=0x100 fl=ZF|PF");
	t(L64, "66 81 23 00 ff", "rbx=0x1000 m16[0x1000]=0x1234",
	  "m16[0x1000]=0x1200 fl=PF");
	t(L64, "83 33 ff", "rbx=0x1000 m32[0x1000]=0x0f",
	  "m32[0x1000]=0xfffffff0 fl=SF|PF");
	t(L64, "48 0b 03", "rax=0 rbx=0x1000 m64[0x1000]=0x8000000000000000",
	  "rax=0x8000000000000000 fl=SF|PF");
	/* TEST */
	t(L64, "85 03", "rax=1 rbx=0x1000 m32[0x1000]=2 fl=CF", "fl=ZF|PF");
	t(L64, "84 03", "rax=0x80 rbx=0x1000 m8[0x1000]=0xff", "fl=SF");
	t(L64, "f6 03 01", "rbx=0x1000 m8[0x1000]=3", "fl=0");
	t(L64, "f7 03 00 00 00 80", "rbx=0x1000 m32[0x1000]=0x80000000",
	  "fl=SF|PF");
	t(L64, "48 f7 03 00 00 00 80", "rbx=0x1000 m64[0x1000]=0x8000000000000000",
	  "fl=SF|PF");
	t(L64, "a8 01", "rax=2", "fl=ZF|PF");
	/* NOT/NEG/INC/DEC */
	t(L64, "f6 13", "rbx=0x1000 m8[0x1000]=0x0f fl=CF|ZF", "m8[0x1000]=0xf0");
	t(L64, "48 f7 13", "rbx=0x1000 m64[0x1000]=0", "m64[0x1000]=-1");
	t(L64, "f7 1b", "rbx=0x1000 m32[0x1000]=1",
	  "m32[0x1000]=0xffffffff fl=CF|SF|PF|AF");
	t(L64, "f6 1b", "rbx=0x1000 m8[0x1000]=0x80", "fl=CF|OF|SF");
	t(L64, "f7 1b", "rbx=0x1000 m32[0x1000]=0 fl=CF", "fl=ZF|PF");
	t(L64, "fe 03", "rbx=0x1000 m8[0x1000]=0x7f fl=CF",
	  "m8[0x1000]=0x80 fl=CF|OF|SF|AF");
	t(L64, "ff 03", "rbx=0x1000 m32[0x1000]=0xffffffff",
	  "m32[0x1000]=0 fl=ZF|PF|AF");
	t(L64, "ff 0b", "rbx=0x1000 m32[0x1000]=0 fl=CF",
	  "m32[0x1000]=0xffffffff fl=CF|SF|PF|AF");
	t(L64, "66 ff 0b", "rbx=0x1000 m16[0x1000]=0x8000",
	  "m16[0x1000]=0x7fff fl=OF|AF|PF");
	t(L64, "f0 48 ff 03", "rbx=0x1000 m64[0x1000]=0x10", "m64[0x1000]=0x11 fl=PF");
	/* XCHG */
	t(L64, "87 03", "rax=0x1111111122222222 rbx=0x1000 m32[0x1000]=0x33",
	  "rax=0x33 m32[0x1000]=0x22222222");
	t(L64, "48 87 03", "rax=1 rbx=0x1000 m64[0x1000]=2",
	  "rax=2 m64[0x1000]=1");
	t(L64, "86 23", "rax=0x1234 rbx=0x1000 m8[0x1000]=0x56",
	  "rax=0x5634 m8[0x1000]=0x12");
	t(L64, "f0 66 87 03", "rax=0xaaaa rbx=0x1000 m16[0x1000]=0xbbbb",
	  "rax=0xbbbb m16[0x1000]=0xaaaa");
	/* BT family */
	t(L64, "0f a3 03", "rax=3 rbx=0x1000 m32[0x1000]=8", "fl=CF");
	t(L64, "0f a3 03", "rax=35 rbx=0x1000 m32[0x1004]=8", "fl=CF");
	t(L64, "0f a3 03", "rax=-1 rbx=0x1004 m32[0x1000]=0x80000000",
	  "fl=CF");
	t(L64, "48 0f a3 03", "rax=-65 rbx=0x1010 m64[0x1000]=0x8000000000000000",
	  "fl=CF");
	t(L64, "66 0f a3 03", "rax=17 rbx=0x1000 m16[0x1002]=2", "fl=CF");
	t(L64, "66 0f a3 03", "rax=0xffef rbx=0x1004 m16[0x1000]=0x8000", "fl=CF");
	t(L64, "0f ab 03", "rax=33 rbx=0x1000 m32[0x1004]=1 fl=CF|ZF",
	  "m32[0x1004]=3 fl=ZF");
	t(L64, "0f b3 03", "rax=0 rbx=0x1000 m32[0x1000]=1",
	  "m32[0x1000]=0 fl=CF");
	t(L64, "0f bb 03", "rax=1 rbx=0x1000 m32[0x1000]=1", "m32[0x1000]=3");
	t(L64, "0f ba 23 23", "rbx=0x1000 m32[0x1000]=8", "fl=CF");
	t(L64, "0f ba 2b 05", "rbx=0x1000 m32[0x1000]=0", "m32[0x1000]=0x20");
	t(L64, "f0 48 0f ba 33 3f", "rbx=0x1000 m64[0x1000]=0x8000000000000001",
	  "m64[0x1000]=1 fl=CF");
	t(L64, "0f ba 3b 00", "rbx=0x1000 m32[0x1000]=1", "m32[0x1000]=0 fl=CF");
	t(L64, "0f a3 d8", "rax=1 rbx=0x21", "ret=ok");
	t(L64, "0f ab d8", "rax=0x100 rbx=0x21", "rax=0x102");
	t(P16, "0f a3 07", "rax=0x10 rbx=0x1000 m16[0x1002]=1", "fl=CF");
	t(P32, "0f a3 03", "rax=0x20 rbx=0x1000 m32[0x1004]=1", "fl=CF");
	t(R, "0f ab 07", "rax=0xfff0 rbx=0x1002 m16[0x1000]=0",
	  "m16[0x1000]=1");
	/* MOVNTI */
	t(L64, "0f c3 03", "rax=0x1122334455667788 rbx=0x1000",
	  "m32[0x1000]=0x55667788");
	t(L64, "48 0f c3 03", "rax=0x1122334455667788 rbx=0x1000",
	  "m64[0x1000]=0x1122334455667788");
	t(P32, "0f c3 07", "rax=9 rdi=0x1000", "m32[0x1000]=9");
	/* other modes */
	t(P32, "01 03", "rax=1 rbx=0x1000 m32[0x1000]=0xffffffff",
	  "m32[0x1000]=0 fl=CF|ZF|PF|AF");
	t(P32, "82 03 01", "rbx=0x1000 m8[0x1000]=0xff",
	  "m8[0x1000]=0 fl=CF|ZF|PF|AF");
	t(P16, "83 47 02 80", "rbx=0x1000 m16[0x1002]=0x80",
	  "m16[0x1002]=0 fl=CF|ZF|PF");
	t(R, "81 0e 00 10 34 12", "m16[0x1000]=0x8000", "m16[0x1000]=0x9234 fl=SF");
	t(P32, "29 03", "rbx=0x1000 ds=0,0xfff,3", "ret=gp0");
	t(P32, "39 03", "rbx=0x1000 ds=0,0xffffffff,1 m32[0x1000]=0",
	  "fl=ZF|PF");
	t(P32, "01 03", "rbx=0x1000 ds=0,0xffffffff,1", "ret=gp0");
}

static void string_tests(void)
{
	/* MOVS/STOS/LODS, with and without REP, both directions */
	t(L64, "a4", "rsi=0x1000 rdi=0x2000 m8[0x1000]=0x42",
	  "m8[0x2000]=0x42 rsi=0x1001 rdi=0x2001");
	t(L64, "48 a5", "rsi=0x1000 rdi=0x2000 m64[0x1000]=0x4243",
	  "m64[0x2000]=0x4243 rsi=0x1008 rdi=0x2008");
	t(L64, "a5", "rsi=0x1000 rdi=0x2000 m32[0x1000]=0x4243 fl=DF",
	  "m32[0x2000]=0x4243 rsi=0xffc rdi=0x1ffc");
	t(L64, "f3 a4", "rcx=3 rsi=0x1000 rdi=0x2000 m32[0x1000]=0x00332211",
	  "m32[0x2000]=0x332211 rsi=0x1003 rdi=0x2003 rcx=0");
	t(L64, "f3 48 a5", "rcx=2 rsi=0x1000 rdi=0x2000 m64[0x1000]=1 m64[0x1008]=2",
	  "m64[0x2000]=1 m64[0x2008]=2 rsi=0x1010 rdi=0x2010 rcx=0");
	t(L64, "f3 a4", "rcx=0 rsi=0x1000 rdi=0x2000 m8[0x1000]=1", "ret=ok");
	/* zero count with 67h: ECX, and ESI/EDI of MOVS/STOS, written back */
	t(L64, "67 f3 a4", "rcx=0x100000000 rsi=0x100001000 rdi=0x100002000",
	  "rcx=0 rsi=0x1000 rdi=0x2000");
	t(L64, "67 f3 aa", "rcx=0x100000000 rsi=0x100001000 rdi=0x100002000",
	  "rcx=0 rdi=0x2000");
	t(L64, "67 f3 a6", "rcx=0x100000000 rsi=0x100001000 rdi=0x100002000",
	  "rcx=0");
	t(L64, "67 f2 ae", "rcx=0x100000000 rdi=0x100002000", "rcx=0");
	t(L64, "f2 a4", "rcx=1 rsi=0x1000 rdi=0x2000 m8[0x1000]=1",
	  "m8[0x2000]=1 rsi=0x1001 rdi=0x2001 rcx=0");
	t(L64, "f3 66 a5", "rcx=2 rsi=0x1002 rdi=0x2002 fl=DF m32[0x1000]=0x12345678",
	  "m32[0x2000]=0x12345678 rsi=0xffe rdi=0x1ffe rcx=0");
	t(L64, "67 f3 a4",
	  "rcx=0xffffffff00000001 rsi=0xffffffff00001000 rdi=0x1234567800002000 m8[0x1000]=7",
	  "m8[0x2000]=7 rsi=0x1001 rdi=0x2001 rcx=0");
	t(L64, "f3 a4", "rcx=200 rsi=0x1000 rdi=0x2000 m8[0x10c7]=9 replimit=1000",
	  "m8[0x20c7]=9 rsi=0x10c8 rdi=0x20c8 rcx=0");
	t(L64, "64 a4", "rsi=0x10 rdi=0x2000 fs=0x1000 m8[0x1010]=5",
	  "m8[0x2000]=5 rsi=0x11 rdi=0x2001");
	t(L64, "aa", "rax=0x77 rdi=0x2000", "m8[0x2000]=0x77 rdi=0x2001");
	t(L64, "f3 ab", "rax=0x11223344 rcx=2 rdi=0x2000",
	  "m32[0x2000]=0x11223344 m32[0x2004]=0x11223344 rdi=0x2008 rcx=0");
	t(L64, "f3 48 ab", "rax=-1 rcx=1 rdi=0x2008 fl=DF",
	  "m64[0x2008]=-1 rdi=0x2000 rcx=0");
	t(L64, "ac", "rax=-1 rsi=0x1000 m8[0x1000]=0x12",
	  "rax=0xffffffffffffff12 rsi=0x1001");
	t(L64, "ad", "rax=-1 rsi=0x1000 m32[0x1000]=0x12", "rax=0x12 rsi=0x1004");
	t(L64, "f3 66 ad", "rax=0 rcx=2 rsi=0x1000 m16[0x1000]=1 m16[0x1002]=2",
	  "rax=2 rsi=0x1004 rcx=0");
	/* CMPS/SCAS with REPE/REPNE termination */
	t(L64, "a6", "rsi=0x1000 rdi=0x2000 m8[0x1000]=1 m8[0x2000]=2",
	  "rsi=0x1001 rdi=0x2001 fl=CF|SF|PF|AF");
	t(L64, "f3 a6",
	  "rcx=4 rsi=0x1000 rdi=0x2000 m32[0x1000]=0x04030201 m32[0x2000]=0x05030201",
	  "rcx=0 rsi=0x1004 rdi=0x2004 fl=CF|SF|PF|AF");
	t(L64, "f3 a6",
	  "rcx=2 rsi=0x1000 rdi=0x2000 m16[0x1000]=0x0201 m16[0x2000]=0x0201",
	  "rcx=0 rsi=0x1002 rdi=0x2002 fl=ZF|PF");
	t(L64, "f2 ae", "rax=3 rcx=8 rdi=0x2000 m32[0x2000]=0x04030201",
	  "rcx=5 rdi=0x2003 fl=ZF|PF");
	t(L64, "f2 ae", "rax=9 rcx=2 rdi=0x2000 m32[0x2000]=0x04030201",
	  "rcx=0 rdi=0x2002 fl=0");
	t(L64, "f3 af", "rax=5 rcx=3 rdi=0x2000 m32[0x2000]=5 m32[0x2004]=6",
	  "rcx=1 rdi=0x2008 fl=CF|SF|PF|AF");
	t(L64, "48 af", "rax=5 rdi=0x2000 m64[0x2000]=5", "rdi=0x2008 fl=ZF|PF");
	/* Mixed RAM and MMIO operands: the restarted run exits only on MMIO. */
	t(L64, "f3 a6",
	  "rcx=4 rsi=0x1000 rdi=0x2000 m32[0x1000]=0x04030201 m32[0x2000]=0x04030201 mmio=0x2000,0x3000",
	  "rcx=0 rsi=0x1004 rdi=0x2004 fl=ZF|PF");
	t(L64, "f3 a6",
	  "rcx=4 rsi=0x2000 rdi=0x1000 m32[0x1000]=0x04030201 m32[0x2000]=0x04030201 mmio=0x2000,0x3000",
	  "rcx=0 rsi=0x2004 rdi=0x1004 fl=ZF|PF");
	t(L64, "f3 a4",
	  "rcx=3 rsi=0x1000 rdi=0x2000 m32[0x1000]=0x030201 mmio=0x2000,0x3000",
	  "rcx=0 rsi=0x1003 rdi=0x2003 m32[0x2000]=0x030201");
	t(L64, "f3 a4",
	  "rcx=3 rsi=0x2000 rdi=0x1000 m32[0x2000]=0x030201 mmio=0x2000,0x3000",
	  "rcx=0 rsi=0x2003 rdi=0x1003 m32[0x1000]=0x030201");
	/* INS/OUTS */
	t(L64, "6c", "rdx=0x3f8 rdi=0x2000 pin=0x5a", "m8[0x2000]=0x5a rdi=0x2001");
	t(L64, "f3 66 6d", "rdx=0x3f8 rcx=2 rdi=0x2000 pin=0x44332211",
	  "m32[0x2000]=0x44332211 rdi=0x2004 rcx=0");
	t(L64, "f3 6e", "rdx=0x3f8 rcx=2 rsi=0x1000 m16[0x1000]=0x4241",
	  "rsi=0x1002 rcx=0 pout=0x4241");
	t(P32, "f3 66 6f", "rdx=0x3f8 rcx=2 rsi=0x1000 m32[0x1000]=0x44434241",
	  "rsi=0x1004 rcx=0 pout=0x44434241");
	t(R, "26 6e", "rdx=0x1f0 rsi=0x10 es=0x1000 m8[0x1010]=0x41",
	  "rsi=0x11 pout=0x41");
	t(P16, "f3 6d", "rdx=0x1f0 rcx=2 rdi=0x1000 pin=0x44332211",
	  "rdi=0x1004 rcx=0 m32[0x1000]=0x44332211");
	/* segmentation of string operands */
	t(P32, "a4", "rsi=0x10 rdi=0x20 ds=0x1000 es=0x2000 m8[0x1010]=3",
	  "m8[0x2020]=3 rsi=0x11 rdi=0x21");
	t(P32, "26 a4", "rsi=0x10 rdi=0x20 ds=0x1000 es=0x2000 m8[0x2010]=3",
	  "m8[0x2020]=3 rsi=0x11 rdi=0x21");
	t(P32, "aa", "rdi=0x20 es=0x2000,0xffffffff,1", "ret=gp0");
	t(P32, "f3 aa", "rax=1 rcx=3 rdi=0xffe es=0,0xfff,3",
	  "ret=gp0 m16[0xffe]=0x0101 rdi=0x1000 rcx=1");
	t(P16, "f3 a5",
	  "rcx=2 rsi=0xfffe rdi=0x2000 ds=0,0xffffffff,3 m16[0xfffe]=0x1234 m16[0]=0x5678",
	  "m32[0x2000]=0x56781234 rsi=0x2 rdi=0x2004 rcx=0");
	t(R, "f3 a4",
	  "rcx=0x10002 rsi=0x10 rdi=0x20 ds=0x1000 es=0x2000 m16[0x1010]=0x0201",
	  "m16[0x2020]=0x0201 rsi=0x12 rdi=0x22 rcx=0x10000");
	t(R, "ab", "rax=0x1234 rdi=0xffff es=0x2000", "ret=gp0");
	t(L64, "a4", "rsi=0x0000800000000000 rdi=0x2000", "ret=gp0");
	t(L64, "a4", "rsi=0x1000 rdi=0x0000800000000000", "ret=gp0");
}

static void vector_tests(void)
{
	t(L64, "66 0f 6e 03",
	  "rbx=0x1000 m32[0x1000]=0x11223344 x0.q0=-1 x0.q1=-1 x0.q2=-1 x0.q3=-1",
	  "x0.q0=0x11223344 x0.q1=0");
	t(L64, "66 48 0f 6e 03",
	  "rbx=0x1000 m64[0x1000]=0x1122334455667788 x0.q1=-1",
	  "x0.q0=0x1122334455667788 x0.q1=0");
	t(L64, "66 0f 6e c3", "rbx=0xaabbccdd11223344", "x0.q0=0x11223344");
	t(L64, "66 0f 7e 03", "rbx=0x1000 x0.q0=0x1122334455667788",
	  "m32[0x1000]=0x55667788");
	t(L64, "66 48 0f 7e 03", "rbx=0x1000 x0.q0=0x1122334455667788",
	  "m64[0x1000]=0x1122334455667788");
	t(L64, "66 0f 7e c3", "rbx=-1 x0.q0=0x1122334455667788",
	  "rbx=0x55667788");
	t(L64, "66 0f d6 03", "rbx=0x1000 x0.q0=0x1122334455667788 x0.q1=5",
	  "m64[0x1000]=0x1122334455667788");
	t(L64, "66 0f d6 c1", "x0.q0=7 x0.q1=5 x1.q1=9 x1.q2=9", "x1.q0=7 x1.q1=0");
	t(L64, "f3 0f 7e 03", "rbx=0x1000 m64[0x1000]=0x1234 x0.q1=3 x0.q2=3",
	  "x0.q0=0x1234 x0.q1=0");
	t(L64, "66 0f 6f 03", "rbx=0x1000 m64[0x1000]=1 m64[0x1008]=2 x0.q2=3",
	  "x0.q0=1 x0.q1=2");
	t(L64, "66 0f 6f 03", "rbx=0x1008", "ret=gp0");
	t(L64, "f3 0f 6f 03", "rbx=0x1008 m64[0x1008]=1 m64[0x1010]=2",
	  "x0.q0=1 x0.q1=2");
	t(L64, "66 44 0f 7f 03", "rbx=0x1000 x8.q0=1 x8.q1=2",
	  "m64[0x1000]=1 m64[0x1008]=2");
	t(L64, "f3 0f 7f 0b", "rbx=0x1001 x1.q0=1 x1.q1=2",
	  "m64[0x1001]=1 m64[0x1009]=2");
	t(L64, "0f 28 03", "rbx=0x1000 m64[0x1000]=1 m64[0x1008]=2",
	  "x0.q0=1 x0.q1=2");
	t(L64, "0f 29 03", "rbx=0x1004", "ret=gp0");
	t(L64, "0f 10 03", "rbx=0x1004 m64[0x1004]=1 m64[0x100c]=2",
	  "x0.q0=1 x0.q1=2");
	t(L64, "0f 11 03", "rbx=0x1004 x0.q0=3 x0.q1=4",
	  "m64[0x1004]=3 m64[0x100c]=4");
	t(L64, "66 0f e7 03", "rbx=0x1000 x0.q0=3 x0.q1=4",
	  "m64[0x1000]=3 m64[0x1008]=4");
	t(L64, "0f 11 c1", "x0.q0=3 x0.q1=4 x1.q2=5", "x1.q0=3 x1.q1=4");
	/* VEX */
	t(L64, "c5 f9 6f 03",
	  "rbx=0x1000 m64[0x1000]=1 m64[0x1008]=2 x0.q2=7 x0.q3=7",
	  "x0.q0=1 x0.q1=2 x0.q2=0 x0.q3=0");
	t(L64, "c5 fd 6f 03",
	  "rbx=0x1000 m64[0x1000]=1 m64[0x1008]=2 m64[0x1010]=3 m64[0x1018]=4",
	  "x0.q0=1 x0.q1=2 x0.q2=3 x0.q3=4");
	t(L64, "c5 fd 6f 03", "rbx=0x1010", "ret=gp0");
	t(L64, "c5 fe 6f 03",
	  "rbx=0x1010 m64[0x1010]=1 m64[0x1018]=2 m64[0x1020]=3 m64[0x1028]=4",
	  "x0.q0=1 x0.q1=2 x0.q2=3 x0.q3=4");
	t(L64, "c5 fe 7f 03", "rbx=0x1000 x0.q0=1 x0.q1=2 x0.q2=3 x0.q3=4",
	  "m64[0x1000]=1 m64[0x1008]=2 m64[0x1010]=3 m64[0x1018]=4");
	t(L64, "c4 41 7d 6f 00", "r8=0x1000 m64[0x1000]=1 m64[0x1018]=4",
	  "x8.q0=1 x8.q3=4");
	t(L64, "c4 e1 7d 7f 43 20", "rbx=0x1000 x0.q0=9",
	  "m64[0x1020]=9");
	t(L64, "c5 f8 28 03", "rbx=0x1000 m64[0x1000]=1 x0.q3=1",
	  "x0.q0=1 x0.q3=0");
	t(L64, "c5 f8 11 03", "rbx=0x1001 x0.q0=1 x0.q1=2",
	  "m64[0x1001]=1 m64[0x1009]=2");
	t(L64, "c5 f9 7e 03", "rbx=0x1000 x0.q0=0x1122334455667788",
	  "m32[0x1000]=0x55667788");
	t(L64, "c4 e1 f9 7e 03", "rbx=0x1000 x0.q0=0x1122334455667788",
	  "m64[0x1000]=0x1122334455667788");
	t(L64, "c5 f9 6e 03", "rbx=0x1000 m32[0x1000]=5 x0.q2=1", "x0.q0=5 x0.q2=0");
	t(L64, "c5 fa 7e 03", "rbx=0x1000 m64[0x1000]=5 x0.q1=1 x0.q2=1",
	  "x0.q0=5 x0.q1=0 x0.q2=0");
	t(L64, "c5 f9 d6 03", "rbx=0x1000 x0.q0=6", "m64[0x1000]=6");
	t(P32, "66 0f 6f 07", "rdi=0x1000 m64[0x1000]=1", "x0.q0=1");
	t(P32, "c5 fc 11 47 04", "rdi=0x1000 x0.q3=5", "m64[0x101c]=5");
	t(P16, "f3 0f 7f 07", "rbx=0x1000 x0.q0=1", "m64[0x1000]=1");
	t(R, "0f 11 07", "rbx=0x10 ds=0x100 x0.q1=2", "m64[0x118]=2");
}

/* Restart semantics beyond "same final state". */
static void restart_tests(void)
{
	struct x86_insn insn;
	int ret;

	/* A read that STOPs commits nothing. */
	env_init(&env, L64, 0);
	env.c.regs[X86_RBX] = 0x1000;
	env.c.regs[X86_RAX] = 0x5;
	env_poke(&env, 0x1000, 7, 4);
	env.stop_mmio = true;
	env.mmio_lo = 0x1000;
	env.mmio_hi = 0x2000;
	ret = env_run(&env, "01 03");
	tap_ok(ret == X86_EMU_STOP && env.c.rip == 0x100 &&
	       env.c.rflags == 2 && env_peek(&env, 0x1000, 4) == 7 &&
	       env.nwrites == 0, "restart: read STOP commits nothing");
	/* The final write STOPping completes the instruction. */
	env_init(&env, L64, 0);
	env.c.regs[X86_RBX] = 0x1000;
	env.c.regs[X86_RAX] = 0x5;
	env.stop_mmio = true;
	env.mmio_lo = 0x1000;
	env.mmio_hi = 0x2000;
	ret = env_run(&env, "89 03");
	tap_ok(ret == X86_EMU_STOP && env.c.rip == 0x102 &&
	       env_peek(&env, 0x1000, 4) == 5,
	       "restart: write STOP completes the instruction");
	/* XCHG: register committed only with the write. */
	env_init(&env, L64, 0);
	env.c.regs[X86_RBX] = 0x1000;
	env.c.regs[X86_RAX] = 0x5;
	env_poke(&env, 0x1000, 9, 4);
	env.stop_mmio = true;
	env.mmio_lo = 0x1000;
	env.mmio_hi = 0x2000;
	ret = env_run(&env, "87 03");
	tap_ok(ret == X86_EMU_STOP && env.c.regs[X86_RAX] == 5 &&
	       env.c.rip == 0x100 && env.nwrites == 0,
	       "restart: xchg read STOP leaves rax");
	/* A write that faults commits nothing. */
	env_init(&env, L64, 0);
	env.c.regs[X86_RBX] = 0x20000;
	env.c.regs[X86_RAX] = 0x5;
	ret = env_run(&env, "87 03");
	tap_ok(ret == X86_EMU_FAULT && env.c.exception.vector == X86_VEC_PF &&
	       env.c.exception.cr2 == 0x20000 && env.c.regs[X86_RAX] == 5 &&
	       env.c.rip == 0x100, "restart: faulting access commits nothing");
	/* REP MOVS from MMIO: one exit per iteration, progress reported. */
	env_init(&env, L64, 0);
	env.c.regs[X86_RCX] = 4;
	env.c.regs[X86_RSI] = 0x1000;
	env.c.regs[X86_RDI] = 0x3000;
	env.stop_mmio = true;
	env.mmio_lo = 0x1000;
	env.mmio_hi = 0x2000;
	ret = env_run(&env, "f3 a4");
	tap_ok(ret == X86_EMU_STOP && env.c.str_iterations == 0 &&
	       env.c.regs[X86_RCX] == 4, "restart: rep movs first read STOPs");
	/* REP STOS to MMIO: each write STOP completes one iteration. */
	env_init(&env, L64, 0);
	env.c.regs[X86_RCX] = 3;
	env.c.regs[X86_RDI] = 0x1000;
	env.c.regs[X86_RAX] = 0xab;
	env.stop_mmio = true;
	env.mmio_lo = 0x1000;
	env.mmio_hi = 0x2000;
	ret = env_run(&env, "f3 aa");
	tap_ok(ret == X86_EMU_STOP && env.c.str_iterations == 1 &&
	       !env.c.str_done && env.c.regs[X86_RCX] == 2 &&
	       env.c.regs[X86_RDI] == 0x1001 && env.c.rip == 0x100,
	       "restart: rep stos write STOP = one iteration done");
	env.c.regs[X86_RCX] = 1;
	ret = env_run(&env, "f3 aa");
	tap_ok(ret == X86_EMU_STOP && env.c.str_done && env.c.rip == 0x102 &&
	       env.c.regs[X86_RCX] == 0, "restart: last iteration advances RIP");
	/* The iteration limit returns OK without advancing RIP. */
	env_init(&env, L64, 0);
	env.c.regs[X86_RCX] = 10;
	env.c.regs[X86_RDI] = 0x1000;
	env.c.rep_limit = 4;
	ret = env_run(&env, "f3 aa");
	tap_ok(ret == X86_EMU_OK && env.c.str_iterations == 4 &&
	       !env.c.str_done && env.c.rip == 0x100 &&
	       env.c.regs[X86_RCX] == 6 && env.c.regs[X86_RDI] == 0x1004,
	       "restart: rep limit leaves RIP on the instruction");
	/* Fault in a later iteration keeps earlier ones. */
	env_init(&env, L64, 0);
	env.c.regs[X86_RCX] = 4;
	env.c.regs[X86_RDI] = 0xfffe;
	ret = env_run(&env, "f3 aa");
	tap_ok(ret == X86_EMU_FAULT && env.c.str_iterations == 2 &&
	       env.c.regs[X86_RCX] == 2 && env.c.regs[X86_RDI] == 0x10000 &&
	       env.c.exception.vector == X86_VEC_PF,
	       "restart: fault mid-REP keeps completed iterations");
	/* Missing vector callbacks: unhandled, not approximated. */
	{
		static const struct x86_emu_ops noveco = { 0 };
		struct x86_emu_ops ops = *env.c.ops;

		(void)noveco;
		env_init(&env, L64, 0);
		ops.get_vec = NULL;
		env.c.ops = &ops;
		env.c.regs[X86_RBX] = 0x1000;
		ret = env_run(&env, "66 0f 6f 03");
		tap_ok(ret == X86_EMU_UNHANDLED && env.nreads == 0,
		       "vector move without callbacks is unhandled");
		ops.pio_in = NULL;
		ret = env_run(&env, "6c");
		tap_ok(ret == X86_EMU_UNHANDLED, "ins without pio_in is unhandled");
	}
	/* Mode mismatch between insn and context. */
	env_init(&env, L64, 0);
	env_decode(&insn, P32, "89 03");
	tap_ok(x86_emulate(&env.c, &insn) == X86_EMU_UNHANDLED,
	       "mode mismatch is unhandled");
}


/*
 * Expand a mode-independent template: "M<d>" is a ModRM byte for [rBX]
 * with reg field d (rm=7 under 16-bit addressing, rm=3 otherwise),
 * "O32" the prefix giving 32-bit operands, "O16" the one giving 16-bit.
 */
static void expand(enum x86_cpu_mode mode, const char *tmpl, char *out,
		   size_t outlen)
{
	bool a16 = mode == X86_MODE_REAL || mode == X86_MODE_PROT16;
	char buf[256], *tok, *save;
	size_t n = 0;

	snprintf(buf, sizeof(buf), "%s", tmpl);
	out[0] = 0;
	for (tok = strtok_r(buf, " ", &save); tok;
	     tok = strtok_r(NULL, " ", &save)) {
		char piece[8];

		if (tok[0] == 'M' && tok[1] >= '0' && tok[1] <= '7')
			snprintf(piece, sizeof(piece), "%02x",
				 ((tok[1] - '0') << 3) | (a16 ? 7 : 3));
		else if (!strcmp(tok, "O32"))
			snprintf(piece, sizeof(piece), "%s", a16 ? "66" : "");
		else if (!strcmp(tok, "O16"))
			snprintf(piece, sizeof(piece), "%s", a16 ? "" : "66");
		else
			snprintf(piece, sizeof(piece), "%s", tok);
		if (piece[0])
			n += snprintf(out + n, outlen - n, "%s%s",
				      n ? " " : "", piece);
	}
}

/* Run a template in all four modes. */
static void tm(const char *tmpl, const char *init, const char *exp)
{
	static const enum x86_cpu_mode modes[] = { R, P16, P32, L64 };
	char hex[128];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(modes); i++) {
		expand(modes[i], tmpl, hex, sizeof(hex));
		t(modes[i], hex, init, exp);
	}
}

struct alu_row {
	const char *name;
	u8 base;
	const char *eg_res, *eg_fl;	/* mem = mem op reg, 32-bit */
	const char *ge_res, *ge_fl;	/* reg = reg op mem, 32-bit */
	const char *eg_res8, *eg_fl8;	/* the same, 8-bit */
	const char *ge_res8, *ge_fl8;
	bool writes;
};

/* mem 0x80000001 / 0x81, reg 0x80000003 / 0x83, CF clear on entry. */
static const struct alu_row alu_rows[] = {
	{ "add", 0x00, "0x00000004", "CF|OF", "0x00000004", "CF|OF",
	  "0x04", "CF|OF", "0x04", "CF|OF", 1 },
	{ "or", 0x08, "0x80000003", "SF|PF", "0x80000003", "SF|PF",
	  "0x83", "SF", "0x83", "SF", 1 },
	{ "adc", 0x10, "0x00000004", "CF|OF", "0x00000004", "CF|OF",
	  "0x04", "CF|OF", "0x04", "CF|OF", 1 },
	{ "sbb", 0x18, "0xfffffffe", "CF|SF|AF", "0x00000002", "0",
	  "0xfe", "CF|SF|AF", "0x02", "0", 1 },
	{ "and", 0x20, "0x80000001", "SF", "0x80000001", "SF",
	  "0x81", "SF|PF", "0x81", "SF|PF", 1 },
	{ "sub", 0x28, "0xfffffffe", "CF|SF|AF", "0x00000002", "0",
	  "0xfe", "CF|SF|AF", "0x02", "0", 1 },
	{ "xor", 0x30, "0x00000002", "0", "0x00000002", "0",
	  "0x02", "0", "0x02", "0", 1 },
	{ "cmp", 0x38, "0x80000001", "CF|SF|AF", "0x80000003", "0",
	  "0x81", "CF|SF|AF", "0x83", "0", 0 },
};

static void matrix_tests(void)
{
	const char *in32 = "rax=0x80000003 rbx=0x1000 m32[0x1000]=0x80000001";
	const char *in8 = "rax=0x83 rbx=0x1000 m8[0x1000]=0x81";
	char tmpl[64], exp[128];
	unsigned int i, r;

	for (i = 0; i < ARRAY_SIZE(alu_rows); i++) {
		const struct alu_row *a = &alu_rows[i];

		/* Eb,Gb  Ev,Gv  Gb,Eb  Gv,Ev */
		snprintf(tmpl, sizeof(tmpl), "%02x M0", a->base);
		snprintf(exp, sizeof(exp), "m8[0x1000]=%s fl=%s",
			 a->eg_res8, a->eg_fl8);
		tm(tmpl, in8, exp);
		snprintf(tmpl, sizeof(tmpl), "O32 %02x M0", a->base + 1);
		snprintf(exp, sizeof(exp), "m32[0x1000]=%s fl=%s",
			 a->eg_res, a->eg_fl);
		tm(tmpl, in32, exp);
		snprintf(tmpl, sizeof(tmpl), "%02x M0", a->base + 2);
		snprintf(exp, sizeof(exp), "rax=%s fl=%s", a->ge_res8,
			 a->ge_fl8);
		tm(tmpl, in8, exp);
		snprintf(tmpl, sizeof(tmpl), "O32 %02x M0", a->base + 3);
		snprintf(exp, sizeof(exp), "rax=%s fl=%s", a->ge_res,
			 a->ge_fl);
		tm(tmpl, in32, exp);
		/* 80 /r ib and 81 /r id: same operands as Eb,Gb / Ev,Gv */
		snprintf(tmpl, sizeof(tmpl), "80 M%u 83", i);
		snprintf(exp, sizeof(exp), "m8[0x1000]=%s fl=%s",
			 a->eg_res8, a->eg_fl8);
		tm(tmpl, in8, exp);
		snprintf(tmpl, sizeof(tmpl), "O32 81 M%u 03 00 00 80", i);
		snprintf(exp, sizeof(exp), "m32[0x1000]=%s fl=%s",
			 a->eg_res, a->eg_fl);
		tm(tmpl, in32, exp);
		/* LOCK on the read-modify-write forms */
		if (a->writes) {
			snprintf(tmpl, sizeof(tmpl), "f0 O32 %02x M0",
				 a->base + 1);
			snprintf(exp, sizeof(exp), "m32[0x1000]=%s fl=%s",
				 a->eg_res, a->eg_fl);
			tm(tmpl, in32, exp);
		}
	}
	/* 83 /r ib sign-extends: -3 */
	tm("O32 83 M0 fd", "rbx=0x1000 m32[0x1000]=3", "m32[0x1000]=0 fl=CF|ZF|PF|AF");
	tm("O32 83 M7 fd", "rbx=0x1000 m32[0x1000]=-3", "fl=ZF|PF");
	tm("O16 83 M5 01", "rbx=0x1000 m16[0x1000]=0x8000",
	   "m16[0x1000]=0x7fff fl=OF|PF|AF");

	/* MOV forms */
	tm("88 M0", "rax=0x11223344 rbx=0x1000", "m8[0x1000]=0x44");
	tm("88 M4", "rax=0x11223344 rbx=0x1000", "m8[0x1000]=0x33");
	tm("O32 89 M0", "rax=0x11223344 rbx=0x1000", "m32[0x1000]=0x11223344");
	tm("O16 89 M1", "rcx=0x11223344 rbx=0x1000", "m16[0x1000]=0x3344");
	tm("8a M2", "rdx=0xffff rbx=0x1000 m8[0x1000]=0x5a", "rdx=0xff5a");
	tm("8a M6", "rdx=0xffff rbx=0x1000 m8[0x1000]=0x5a", "rdx=0x5aff");
	tm("O32 8b M0", "rax=-1 rbx=0x1000 m32[0x1000]=0x87654321",
	   "rax=0x87654321");
	tm("O16 8b M0", "rax=0x12345678 rbx=0x1000 m32[0x1000]=0x87654321",
	   "rax=0x12344321");
	tm("c6 M0 a5", "rbx=0x1000", "m8[0x1000]=0xa5");
	tm("O32 c7 M0 78 56 34 12", "rbx=0x1000", "m32[0x1000]=0x12345678");
	tm("O16 c7 M0 34 12", "rbx=0x1000 m32[0x1000]=0xffffffff",
	   "m32[0x1000]=0xffff1234");
	tm("O32 0f b6 M0", "rax=-1 rbx=0x1000 m8[0x1000]=0x80", "rax=0x80");
	tm("O32 0f b7 M0", "rax=-1 rbx=0x1000 m16[0x1000]=0x8000",
	   "rax=0x8000");
	tm("O32 0f be M0", "rbx=0x1000 m8[0x1000]=0x80", "rax=0xffffff80");
	tm("O32 0f bf M0", "rbx=0x1000 m16[0x1000]=0x8000", "rax=0xffff8000");
	tm("O16 0f be M0", "rax=0x12345678 rbx=0x1000 m8[0x1000]=0x80",
	   "rax=0x1234ff80");

	/* TEST, NOT, NEG, INC, DEC, XCHG, BT*, MOVNTI */
	tm("84 M0", "rax=0x80 rbx=0x1000 m8[0x1000]=0x81", "fl=SF");
	tm("O32 85 M0", in32, "fl=SF");
	tm("f6 M0 01", "rbx=0x1000 m8[0x1000]=0x81", "fl=0");
	tm("O32 f7 M0 00 00 00 80", in32, "fl=SF|PF");
	tm("f6 M2", "rbx=0x1000 m8[0x1000]=0x81", "m8[0x1000]=0x7e");
	tm("O32 f7 M2", in32, "m32[0x1000]=0x7ffffffe");
	tm("f0 O32 f7 M2", in32, "m32[0x1000]=0x7ffffffe");
	tm("f6 M3", "rbx=0x1000 m8[0x1000]=0x81", "m8[0x1000]=0x7f fl=CF|AF");
	tm("O32 f7 M3", in32, "m32[0x1000]=0x7fffffff fl=CF|PF|AF");
	tm("fe M0", "rbx=0x1000 m8[0x1000]=0xff fl=CF",
	   "m8[0x1000]=0 fl=CF|ZF|PF|AF");
	tm("fe M1", "rbx=0x1000 m8[0x1000]=0x80", "m8[0x1000]=0x7f fl=OF|AF");
	tm("O32 ff M0", in32, "m32[0x1000]=0x80000002 fl=SF");
	tm("f0 O32 ff M1", in32, "m32[0x1000]=0x80000000 fl=SF|PF");
	tm("86 M0", "rax=0x83 rbx=0x1000 m8[0x1000]=0x81",
	   "rax=0x81 m8[0x1000]=0x83");
	tm("O32 87 M0", in32, "rax=0x80000001 m32[0x1000]=0x80000003");
	tm("f0 O32 87 M0", in32, "rax=0x80000001 m32[0x1000]=0x80000003");
	tm("O32 0f a3 M0", "rax=31 rbx=0x1000 m32[0x1000]=0x80000000",
	   "fl=CF");
	tm("O32 0f ab M0", "rax=32 rbx=0x1000", "m32[0x1004]=1");
	tm("O32 0f b3 M0", "rax=-1 rbx=0x1004 m32[0x1000]=0x80000001",
	   "m32[0x1000]=1 fl=CF");
	tm("O32 0f bb M0", "rax=0 rbx=0x1000 m32[0x1000]=1",
	   "m32[0x1000]=0 fl=CF");
	tm("O16 0f ab M0", "rax=16 rbx=0x1000", "m16[0x1002]=1");
	tm("O32 0f ba M4 1f", "rbx=0x1000 m32[0x1000]=0x80000000", "fl=CF");
	tm("f0 O32 0f ba M5 21", "rbx=0x1000", "m32[0x1000]=2");
	tm("O32 0f ba M6 00", "rbx=0x1000 m32[0x1000]=1", "m32[0x1000]=0 fl=CF");
	tm("O32 0f ba M7 00", "rbx=0x1000", "m32[0x1000]=1");
	tm("0f c3 M0", "rax=0x12345678 rbx=0x1000", "m32[0x1000]=0x12345678");

	/* moffs with 16-bit and 32-bit address sizes */
	t(R, "a0 00 10", "m8[0x1000]=7", "rax=7");
	t(P16, "a1 00 10", "m16[0x1000]=7", "rax=7");
	t(P32, "66 a3 00 10 00 00", "rax=0x1234", "m16[0x1000]=0x1234");
	t(L64, "a2 00 10 00 00 00 00 00 00", "rax=0x12", "m8[0x1000]=0x12");

	/* strings */
	for (r = 0; r < 2; r++) {
		bool rep = r;

		tm(rep ? "f3 a4" : "a4",
		   "rcx=1 rsi=0x1000 rdi=0x2000 m8[0x1000]=9",
		   rep ? "rcx=0 rsi=0x1001 rdi=0x2001 m8[0x2000]=9" :
			 "rsi=0x1001 rdi=0x2001 m8[0x2000]=9");
		tm(rep ? "f3 O32 a5" : "O32 a5",
		   "rcx=1 rsi=0x1000 rdi=0x2000 m32[0x1000]=9",
		   rep ? "rcx=0 rsi=0x1004 rdi=0x2004 m32[0x2000]=9" :
			 "rsi=0x1004 rdi=0x2004 m32[0x2000]=9");
		tm(rep ? "f3 O16 ab" : "O16 ab",
		   "rcx=1 rax=0x1234 rdi=0x2000",
		   rep ? "rcx=0 rdi=0x2002 m16[0x2000]=0x1234" :
			 "rdi=0x2002 m16[0x2000]=0x1234");
		tm(rep ? "f3 ac" : "ac", "rcx=1 rsi=0x1000 m8[0x1000]=9",
		   rep ? "rcx=0 rsi=0x1001 rax=9" : "rsi=0x1001 rax=9");
		tm(rep ? "f3 a6" : "a6",
		   "rcx=1 rsi=0x1000 rdi=0x2000 m8[0x1000]=9 m8[0x2000]=9",
		   rep ? "rcx=0 rsi=0x1001 rdi=0x2001 fl=ZF|PF" :
			 "rsi=0x1001 rdi=0x2001 fl=ZF|PF");
		tm(rep ? "f2 O32 af" : "O32 af",
		   "rcx=1 rax=8 rdi=0x2000 m32[0x2000]=9",
		   rep ? "rcx=0 rdi=0x2004 fl=CF|SF|PF|AF" :
			 "rdi=0x2004 fl=CF|SF|PF|AF");
	}
	tm("f3 a4", "rcx=3 rsi=0x1002 rdi=0x2002 fl=DF m32[0x1000]=0x332211",
	   "rcx=0 rsi=0xfff rdi=0x1fff m32[0x2000]=0x332211");

	/* vector moves */
	tm("66 0f 6e M0", "rbx=0x1000 m32[0x1000]=5 x0.q1=1", "x0.q0=5 x0.q1=0");
	tm("66 0f 7e M1", "rbx=0x1000 x1.q0=0x1122334455667788",
	   "m32[0x1000]=0x55667788");
	tm("66 0f d6 M2", "rbx=0x1000 x2.q0=0x1122334455667788",
	   "m64[0x1000]=0x1122334455667788");
	tm("f3 0f 7e M3", "rbx=0x1000 m64[0x1000]=3 x3.q1=1", "x3.q0=3 x3.q1=0");
	tm("66 0f 6f M4", "rbx=0x1000 m64[0x1000]=1 m64[0x1008]=2",
	   "x4.q0=1 x4.q1=2");
	tm("f3 0f 6f M5", "rbx=0x1000 m64[0x1000]=1 m64[0x1008]=2",
	   "x5.q0=1 x5.q1=2");
	tm("66 0f 7f M6", "rbx=0x1000 x6.q0=1 x6.q1=2",
	   "m64[0x1000]=1 m64[0x1008]=2");
	tm("f3 0f 7f M7", "rbx=0x1000 x7.q0=1 x7.q1=2",
	   "m64[0x1000]=1 m64[0x1008]=2");
	tm("0f 28 M0", "rbx=0x1000 m64[0x1008]=2", "x0.q1=2");
	tm("0f 29 M0", "rbx=0x1000 x0.q1=2", "m64[0x1008]=2");
	tm("0f 10 M0", "rbx=0x1000 m64[0x1008]=2", "x0.q1=2");
	tm("0f 11 M0", "rbx=0x1000 x0.q1=2", "m64[0x1008]=2");
	tm("0f 29 M0", "rbx=0x1008", "ret=gp0");
}

void test_emulate(void)
{
	matrix_tests();
	mov_tests();
	alu_tests();
	string_tests();
	vector_tests();
	restart_tests();
}
