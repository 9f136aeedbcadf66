/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Test environment for the emulator: a window of flat guest memory, an
 * optional MMIO range whose accesses STOP (as a VMM exit would), vector
 * registers and an I/O port model.
 */
#ifndef EMU_ENV_H
#define EMU_ENV_H

#include "../../../arch/x86/emulate/x86_emulate.h"
#include "../../../arch/x86/emulate/x86_walk.h"
#include "tap.h"

#define ENV_MEM_SIZE	0x10000
#define ENV_CACHE	512

struct cached_read {
	u64 lin;
	unsigned int size;
	u8 data[32];
};

struct emu_env {
	struct x86_emu_ctxt c;
	u64 mem_base;			/* linear address of mem[0] */
	u8 mem[ENV_MEM_SIZE];
	u64 mmio_lo, mmio_hi;		/* accesses here STOP if stop_mmio */
	bool stop_mmio;
	/*
	 * Every read of the current attempt, in order, as a VMM's replay
	 * buffer holds them: replayed on restart, RAM reads included.
	 */
	struct cached_read cache[ENV_CACHE];
	unsigned int ncache, cidx;
	bool pending;
	struct cached_read pend;
	unsigned int nreads, nwrites, nstops;
	u64 last_write_lin;
	unsigned int last_write_size;
	u8 vec[16][32];
	u8 port_in[64];
	unsigned int port_in_pos;
	u8 port_out[64];
	unsigned int port_out_pos;
	u16 last_port;
};

void env_init(struct emu_env *e, enum x86_cpu_mode mode, u64 mem_base);
int hex_bytes(const char *hex, u8 *out);
int env_decode(struct x86_insn *insn, enum x86_cpu_mode mode,
	       const char *hex);
int env_run(struct emu_env *e, const char *hex);
int env_run_restart(struct emu_env *e, const char *hex, int *loops);
u64 env_peek(struct emu_env *e, u64 lin, unsigned int size);
void env_poke(struct emu_env *e, u64 lin, u64 val, unsigned int size);

void test_decode(void);
void test_emulate(void);
void test_walk(void);
void test_fuzz(void);
void test_paged(void);

#endif
