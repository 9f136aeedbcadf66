// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <ctype.h>
#include "emu_env.h"

static bool in_mem(struct emu_env *e, u64 lin, unsigned int size)
{
	return lin >= e->mem_base && lin - e->mem_base + size <= ENV_MEM_SIZE;
}

static bool in_mmio(struct emu_env *e, u64 lin)
{
	return e->stop_mmio && lin >= e->mmio_lo && lin < e->mmio_hi;
}

static int page_fault(struct emu_env *e, u64 lin, u32 err)
{
	e->c.exception.vector = X86_VEC_PF;
	e->c.exception.error_code_valid = true;
	e->c.exception.error_code = err;
	e->c.exception.cr2 = lin;
	return X86_EMU_FAULT;
}

/* Append a served read to the replay buffer. */
static void record(struct emu_env *e, u64 lin, const void *buf,
		   unsigned int size)
{
	struct cached_read *r;

	if (e->ncache == ENV_CACHE)
		abort();
	r = &e->cache[e->ncache++];
	r->lin = lin;
	r->size = size;
	memcpy(r->data, buf, size);
	e->cidx = e->ncache;
}

/*
 * After a read STOP: drop the reads of the string iterations the call
 * committed (the first str_read_bytes bytes), keep the rest.
 */
static void drop_committed(struct emu_env *e)
{
	u64 drop = e->c.str_read_bytes;
	unsigned int k = 0;

	while (drop && k < e->ncache) {
		if (e->cache[k].size > drop)
			abort();
		drop -= e->cache[k++].size;
	}
	if (drop)
		abort();
	memmove(e->cache, e->cache + k, (e->ncache - k) * sizeof(e->cache[0]));
	e->ncache -= k;
}

static int env_read(struct x86_emu_ctxt *c, u64 lin, void *buf,
		    unsigned int size)
{
	struct emu_env *e = c->opaque;

	e->nreads++;
	if (!in_mem(e, lin, size))
		return page_fault(e, lin, 0);
	if (e->cidx < e->ncache) {
		struct cached_read *r = &e->cache[e->cidx++];

		if (r->lin != lin || r->size != size) {
			tap_diag("replayed read differs: %#llx/%u vs %#llx/%u",
				 (unsigned long long)lin, size,
				 (unsigned long long)r->lin, r->size);
			abort();
		}
		memcpy(buf, r->data, size);
		return X86_EMU_OK;
	}
	if (in_mmio(e, lin)) {
		e->pending = true;
		e->pend.lin = lin;
		e->pend.size = size;
		e->nstops++;
		return X86_EMU_STOP;
	}
	memcpy(buf, &e->mem[lin - e->mem_base], size);
	record(e, lin, buf, size);
	return X86_EMU_OK;
}

static int env_write(struct x86_emu_ctxt *c, u64 lin, const void *buf,
		     unsigned int size)
{
	struct emu_env *e = c->opaque;

	e->nwrites++;
	if (!in_mem(e, lin, size))
		return page_fault(e, lin, X86_PFEC_W);
	/* Userspace performs the write either way; STOP only exits. */
	memcpy(&e->mem[lin - e->mem_base], buf, size);
	e->last_write_lin = lin;
	e->last_write_size = size;
	if (in_mmio(e, lin)) {
		e->nstops++;
		return X86_EMU_STOP;
	}
	return X86_EMU_OK;
}

static int env_get_vec(struct x86_emu_ctxt *c, unsigned int reg, void *buf,
		       unsigned int size)
{
	struct emu_env *e = c->opaque;

	memcpy(buf, e->vec[reg], size);
	return X86_EMU_OK;
}

static int env_set_vec(struct x86_emu_ctxt *c, unsigned int reg,
		       const void *buf, unsigned int size, bool zero_upper)
{
	struct emu_env *e = c->opaque;

	memcpy(e->vec[reg], buf, size);
	if (zero_upper)
		memset(e->vec[reg] + size, 0, 32 - size);
	return X86_EMU_OK;
}

/* The port streams wrap around their buffers. */
static void port_copy_in(struct emu_env *e, void *buf, unsigned int size)
{
	unsigned int i;

	for (i = 0; i < size; i++)
		((u8 *)buf)[i] = e->port_in[e->port_in_pos++ %
					    sizeof(e->port_in)];
}

/* Port reads are cached like memory reads, keyed by a marker address. */
#define PORT_KEY(port)	((1ULL << 63) | (port))

static int env_pio_in(struct x86_emu_ctxt *c, u16 port, void *buf,
		      unsigned int size)
{
	struct emu_env *e = c->opaque;

	e->last_port = port;
	if (e->cidx < e->ncache) {
		struct cached_read *r = &e->cache[e->cidx++];

		if (r->lin != PORT_KEY(port) || r->size != size)
			abort();
		memcpy(buf, r->data, size);
		return X86_EMU_OK;
	}
	if (e->stop_mmio) {
		e->pending = true;
		e->pend.lin = PORT_KEY(port);
		e->pend.size = size;
		e->nstops++;
		return X86_EMU_STOP;
	}
	port_copy_in(e, buf, size);
	record(e, PORT_KEY(port), buf, size);
	return X86_EMU_OK;
}

static int env_pio_out(struct x86_emu_ctxt *c, u16 port, const void *buf,
		       unsigned int size)
{
	struct emu_env *e = c->opaque;
	unsigned int i;

	e->last_port = port;
	for (i = 0; i < size; i++)
		e->port_out[e->port_out_pos++ % sizeof(e->port_out)] =
			((const u8 *)buf)[i];
	if (e->stop_mmio) {
		e->nstops++;
		return X86_EMU_STOP;
	}
	return X86_EMU_OK;
}

static const struct x86_emu_ops env_ops = {
	.read = env_read,
	.write = env_write,
	.get_vec = env_get_vec,
	.set_vec = env_set_vec,
	.pio_in = env_pio_in,
	.pio_out = env_pio_out,
};

void env_init(struct emu_env *e, enum x86_cpu_mode mode, u64 mem_base)
{
	int i;

	memset(e, 0, sizeof(*e));
	e->c.mode = mode;
	e->c.ops = &env_ops;
	e->c.opaque = e;
	e->c.rflags = 0x2;
	e->mem_base = mem_base;
	for (i = 0; i < X86_NR_SEGS; i++) {
		e->c.seg[i].base = 0;
		e->c.seg[i].limit = mode == X86_MODE_REAL ? 0xffff :
				    0xffffffff;
		e->c.seg[i].type = i == X86_SEG_CS ? 0xb : 0x3;
		e->c.seg[i].s = true;
		e->c.seg[i].db = mode == X86_MODE_PROT32;
	}
	if (mode == X86_MODE_PROT16)
		for (i = 0; i < X86_NR_SEGS; i++)
			e->c.seg[i].limit = 0xffff;
	e->c.rip = 0x100;
}

int hex_bytes(const char *hex, u8 *out)
{
	int n = 0;

	while (*hex) {
		if (isspace((unsigned char)*hex)) {
			hex++;
			continue;
		}
		out[n++] = strtoul((char[]){ hex[0], hex[1], 0 }, NULL, 16);
		hex += 2;
	}
	return n;
}

int env_decode(struct x86_insn *insn, enum x86_cpu_mode mode,
	       const char *hex)
{
	u8 b[64];
	int n = hex_bytes(hex, b);

	return x86_decode(insn, b, n, mode);
}

/* Decode and run once; returns the emulator's result or 100+decode error. */
int env_run(struct emu_env *e, const char *hex)
{
	struct x86_insn insn;
	int ret = env_decode(&insn, e->c.mode, hex);

	if (ret)
		return 100 - ret;
	e->ncache = e->cidx = 0;
	return x86_emulate(&e->c, &insn);
}

/*
 * Run like a VMM would: on a STOP from a read, complete it "in userspace"
 * into the read cache and run the instruction again; on a STOP from the
 * final write (or completion), the instruction is done.  REP
 * instructions run until they finish.
 */
int env_run_restart(struct emu_env *e, const char *hex, int *loops)
{
	struct x86_insn insn;
	int ret = env_decode(&insn, e->c.mode, hex);

	if (ret)
		return 100 - ret;
	*loops = 0;
	e->ncache = 0;
	for (;;) {
		e->cidx = 0;
		e->pending = false;
		ret = x86_emulate(&e->c, &insn);
		(*loops)++;
		if (*loops > 10000)
			return -1;
		if (ret == X86_EMU_STOP && e->pending) {
			struct cached_read *r;

			drop_committed(e);
			r = &e->cache[e->ncache++];

			*r = e->pend;
			if (r->lin == PORT_KEY(e->last_port)) {
				port_copy_in(e, r->data, r->size);
			} else {
				memcpy(r->data, &e->mem[r->lin - e->mem_base],
				       r->size);
			}
			continue;
		}
		e->ncache = 0;
		if (ret != X86_EMU_OK && ret != X86_EMU_STOP)
			return ret;
		/* A string instruction not finished is re-executed. */
		if ((insn.desc->flags & X86_F_STRING) && !e->c.str_done)
			continue;
		return X86_EMU_OK;
	}
}

u64 env_peek(struct emu_env *e, u64 lin, unsigned int size)
{
	u64 v = 0;

	memcpy(&v, &e->mem[lin - e->mem_base], size);
	return v;
}

void env_poke(struct emu_env *e, u64 lin, u64 val, unsigned int size)
{
	memcpy(&e->mem[lin - e->mem_base], &val, size);
}
