// SPDX-License-Identifier: GPL-2.0
/*
 * Randomized property tests with a fixed seed (reproducible):
 * - decoder: never longer than 15 bytes, independent of trailing bytes,
 *   every proper prefix of a decoded instruction is truncated;
 * - emulator: a run where every access exits to userspace and restarts
 *   ends in exactly the state and result of a run without exits, and a
 *   fault commits nothing (beyond completed string iterations).
 */
#include "emu_env.h"

static u64 rng_state = 0x9e3779b97f4a7c15ULL;

static u64 rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static const u8 prefixes[] = { 0x66, 0x67, 0xf2, 0xf3, 0xf0, 0x26, 0x2e,
			       0x36, 0x3e, 0x64, 0x65 };

/* Opcodes with table entries (and some without, to hit the edges). */
static const u8 ops1[] = {
	0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x08, 0x09, 0x0a, 0x0b, 0x10,
	0x11, 0x18, 0x19, 0x20, 0x21, 0x28, 0x29, 0x30, 0x31, 0x38, 0x39,
	0x3a, 0x3b, 0x3c, 0x3d, 0x63, 0x6c, 0x6d, 0x6e, 0x6f, 0x80, 0x81,
	0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x8b, 0x8c,
	0x8e, 0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9,
	0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf, 0xc6, 0xc7, 0xf6, 0xf7, 0xfe,
	0xff, 0x90, 0xc4, 0xc5,
};

static const u8 ops2[] = {
	0x10, 0x11, 0x28, 0x29, 0x2b, 0x6e, 0x6f, 0x7e, 0x7f, 0xa3, 0xab,
	0xb3, 0xb6, 0xb7, 0xba, 0xbb, 0xbe, 0xbf, 0xc3, 0xd6, 0xe7, 0x0b,
};

static unsigned int gen(u8 *b, enum x86_cpu_mode mode)
{
	unsigned int n = 0, i, np = rnd() % 4;

	for (i = 0; i < np; i++)
		b[n++] = prefixes[rnd() % sizeof(prefixes)];
	if (mode == X86_MODE_LONG64 && rnd() % 2)
		b[n++] = 0x40 | (rnd() & 15);
	if (rnd() % 3 == 0) {
		b[n++] = 0x0f;
		b[n++] = ops2[rnd() % sizeof(ops2)];
	} else {
		b[n++] = ops1[rnd() % sizeof(ops1)];
		if (b[n - 1] == 0xc5 || b[n - 1] == 0xc4) {
			/* plausible VEX: R/X/B random, map 1, vvvv=1111 */
			if (b[n - 1] == 0xc4)
				b[n++] = (rnd() & 0xe0) | 1;
			b[n++] = 0x78 | (rnd() & 0x87);
			b[n++] = ops2[rnd() % 11];
		}
	}
	/* ModRM with mostly memory forms around [rBX]/[bx], then noise */
	b[n++] = rnd() % 4 == 0 ? 0xc0 | (rnd() & 0x3f) : (rnd() & 0xbf);
	while (n < 24)
		b[n++] = rnd();
	return n;
}

static struct emu_env ea, eb, e0;

static void init_state(struct emu_env *e, enum x86_cpu_mode mode)
{
	unsigned int i;

	env_init(e, mode, 0);
	for (i = 0; i < 16; i++)
		e->c.regs[i] = rnd() % 4 ? 0x1000 + (rnd() % 0xd000) : rnd();
	e->c.regs[X86_RCX] = rnd() % 8 ? rnd() % 6 : rnd() % 400;
	e->c.rflags = 2 | (rnd() & (X86_FLAGS_ARITH | X86_FLAG_DF));
	for (i = 0; i < ENV_MEM_SIZE; i++)
		e->mem[i] = rnd();
	for (i = 0; i < 16; i++)
		memset(e->vec[i], (int)rnd(), sizeof(e->vec[i]));
	for (i = 0; i < sizeof(e->port_in); i++)
		e->port_in[i] = rnd();
	e->c.rep_limit = 64;
}

static bool same(struct emu_env *a, struct emu_env *b)
{
	return !memcmp(a->c.regs, b->c.regs, sizeof(a->c.regs)) &&
	       a->c.rip == b->c.rip && a->c.rflags == b->c.rflags &&
	       !memcmp(a->mem, b->mem, sizeof(a->mem)) &&
	       !memcmp(a->vec, b->vec, sizeof(a->vec)) &&
	       !memcmp(a->port_out, b->port_out, sizeof(a->port_out));
}

static void fuzz_decode(void)
{
	static const enum x86_cpu_mode modes[] = {
		X86_MODE_REAL, X86_MODE_PROT16, X86_MODE_PROT32,
		X86_MODE_LONG64,
	};
	unsigned int iter, valid = 0, bad_len = 0, bad_tail = 0, bad_pfx = 0;
	struct x86_insn a, b2;
	u8 buf[32], buf2[32];

	for (iter = 0; iter < 200000; iter++) {
		enum x86_cpu_mode mode = modes[rnd() % 4];
		unsigned int n = iter % 2 ? gen(buf, mode) : 24, i;
		int ret;

		if (!(iter % 2))
			for (i = 0; i < n; i++)
				buf[i] = rnd();
		ret = x86_decode(&a, buf, n, mode);
		if (ret)
			continue;
		valid++;
		if (a.len > 15 || a.len == 0)
			bad_len++;
		memcpy(buf2, buf, a.len);
		for (i = a.len; i < sizeof(buf2); i++)
			buf2[i] = ~buf[i];
		if (x86_decode(&b2, buf2, sizeof(buf2), mode) ||
		    memcmp(&a, &b2, sizeof(a)))
			bad_tail++;
		for (i = 0; i < a.len; i++)
			if (x86_decode(&b2, buf, i, mode) !=
			    -X86_EMU_ERR_TRUNCATED)
				break;
		if (i != a.len)
			bad_pfx++;
	}
	tap_ok(valid > 20000, "fuzz decode: %u valid of 200000", valid);
	tap_ok(!bad_len, "fuzz decode: lengths within 1..15 (%u bad)", bad_len);
	tap_ok(!bad_tail, "fuzz decode: trailing bytes never matter (%u bad)",
	       bad_tail);
	tap_ok(!bad_pfx, "fuzz decode: every prefix truncated (%u bad)",
	       bad_pfx);
}

static void fuzz_emulate(void)
{
	static const enum x86_cpu_mode modes[] = {
		X86_MODE_REAL, X86_MODE_PROT16, X86_MODE_PROT32,
		X86_MODE_LONG64,
	};
	unsigned int iter, runs = 0, ok = 0, faults = 0, stops = 0;
	unsigned int mismatch = 0, dirty_fault = 0, unh = 0;
	struct x86_insn insn;
	u8 buf[32];
	char hex[100];

	for (iter = 0; iter < 60000 && runs < 20000; iter++) {
		enum x86_cpu_mode mode = modes[rnd() % 4];
		unsigned int n = gen(buf, mode), i;
		int ra, rb, loops;

		if (x86_decode(&insn, buf, n, mode))
			continue;
		runs++;
		for (i = 0; i < insn.len; i++)
			snprintf(hex + 3 * i, 4, "%02x ", buf[i]);
		init_state(&ea, mode);
		eb = ea;
		eb.c.opaque = &eb;
		e0 = ea;
		ra = env_run_restart(&ea, hex, &loops);
		/* Exits on everything, or on a random window mixing RAM in. */
		eb.stop_mmio = true;
		eb.mmio_lo = 0;
		eb.mmio_hi = ~0ULL;
		if (rnd() % 2) {
			eb.mmio_lo = rnd() % ENV_MEM_SIZE;
			eb.mmio_hi = eb.mmio_lo + rnd() % ENV_MEM_SIZE;
		}
		rb = env_run_restart(&eb, hex, &loops);
		eb.stop_mmio = false;
		if (eb.nstops)
			stops++;
		if (ra != rb || !same(&ea, &eb) ||
		    (ra == X86_EMU_FAULT &&
		     memcmp(&ea.c.exception, &eb.c.exception,
			    sizeof(ea.c.exception)))) {
			if (mismatch++ < 5)
				tap_diag("mismatch mode %d [%s] %d/%d", mode,
					 hex, ra, rb);
		}
		if (ra == X86_EMU_OK)
			ok++;
		else if (ra == X86_EMU_UNHANDLED)
			unh++;
		/* A fault commits nothing (string: only whole iterations). */
		if (ra == X86_EMU_FAULT) {
			faults++;
			if (!(insn.desc->flags & X86_F_STRING) &&
			    !same(&ea, &e0))
				dirty_fault++;
		}
	}
	tap_ok(runs >= 5000,
	       "fuzz emulate: %u run (%u ok, %u faults, %u unhandled, %u exited)",
	       runs, ok, faults, unh, stops);
	tap_ok(!mismatch,
	       "fuzz emulate: exits+restarts match plain runs (%u mismatches)",
	       mismatch);
	tap_ok(!dirty_fault, "fuzz emulate: faults commit nothing (%u bad)",
	       dirty_fault);
}

void test_fuzz(void)
{
	fuzz_decode();
	fuzz_emulate();
}
