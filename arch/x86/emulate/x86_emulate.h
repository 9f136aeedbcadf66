/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86 instruction emulator for decoded instructions (see x86_decode.h).
 *
 * The emulator owns no guest state: the caller fills a struct
 * x86_emu_ctxt with registers and segment caches, and memory is reached
 * only through callbacks taking linear addresses.
 *
 * Restart contract (X86_EMU_STOP)
 * ------------------------------
 * A memory callback may answer X86_EMU_STOP when the access needs
 * userspace (MMIO).  Every instruction performs its memory accesses in a
 * fixed order, reads first, and at most one memory write, always the last
 * access of the instruction (of the iteration, for string instructions).
 *
 * - STOP from a read: the emulator returns X86_EMU_STOP at once with
 *   nothing of the instruction (iteration) committed.  The caller
 *   completes the read in userspace and runs x86_emulate() again on the
 *   same instruction from the same state; the same reads are then
 *   repeated in the same order with the same addresses and sizes, and the
 *   callback must serve the completed ones from its own buffer (it must
 *   not repeat a side-effecting MMIO read).
 * - STOP from the write (the last access): the caller has taken the
 *   write (e.g. into kvm_run for KVM_EXIT_MMIO) and treats it as done.
 *   The emulator commits the instruction (registers, flags, RIP) exactly
 *   as for X86_EMU_OK and returns X86_EMU_STOP; the caller must NOT run
 *   the instruction again.  For a REP instruction this completes one
 *   iteration; while &x86_emu_ctxt.str_done is false RIP still points to
 *   the instruction, so resuming the guest simply continues it.
 * - X86_EMU_FAULT from any callback: nothing of the instruction
 *   (iteration) is committed and the fault is returned as is.
 *
 * REP string instructions commit iteration by iteration, as hardware
 * does: after a STOP or fault in iteration k, iterations before k are in
 * the registers, RIP still points to the instruction, and
 * &x86_emu_ctxt.str_iterations / &x86_emu_ctxt.str_done tell the caller
 * how far it got.  The restart then begins with iteration k, so reads of
 * the committed iterations must not be replayed: the first
 * &x86_emu_ctxt.str_read_bytes bytes read during the call (in the order
 * of the read callbacks, each of its full size) belonged to them and are
 * dropped from the caller's buffer; reads of iteration k that completed
 * before the STOP (CMPS reads twice) stay buffered, followed by the
 * pending one.  Port accesses (INS/OUTS) follow the same rules: a port
 * read is a read (and counts in str_read_bytes), a port write the final
 * write; no instruction reads both memory and ports.
 */
#ifndef KVMOD_X86_EMULATE_H
#define KVMOD_X86_EMULATE_H

#include "emu_types.h"
#include "x86_decode.h"

/* Results of x86_emulate() and of the memory callbacks. */
#define X86_EMU_OK		0
#define X86_EMU_FAULT		1
#define X86_EMU_STOP		2
#define X86_EMU_UNHANDLED	3

/* Exception vectors the emulator raises itself. */
#define X86_VEC_UD		6
#define X86_VEC_SS		12
#define X86_VEC_GP		13
#define X86_VEC_PF		14

/* RFLAGS bits. */
#define X86_FLAG_CF		(1ULL << 0)
#define X86_FLAG_PF		(1ULL << 2)
#define X86_FLAG_AF		(1ULL << 4)
#define X86_FLAG_ZF		(1ULL << 6)
#define X86_FLAG_SF		(1ULL << 7)
#define X86_FLAG_DF		(1ULL << 10)
#define X86_FLAG_OF		(1ULL << 11)
#define X86_FLAG_AC		(1ULL << 18)
#define X86_FLAGS_ARITH		(X86_FLAG_CF | X86_FLAG_PF | X86_FLAG_AF | \
				 X86_FLAG_ZF | X86_FLAG_SF | X86_FLAG_OF)

#define X86_EMU_CR4_LA57		(1ULL << 12)

/* Iterations of a REP instruction done per x86_emulate() call at most. */
#define X86_EMU_REP_DEFAULT	128

/* GPR numbers. */
enum x86_gpr {
	X86_RAX, X86_RCX, X86_RDX, X86_RBX, X86_RSP, X86_RBP, X86_RSI, X86_RDI,
	X86_R8, X86_R9, X86_R10, X86_R11, X86_R12, X86_R13, X86_R14, X86_R15,
};

/**
 * struct x86_emu_seg - segment register cache
 * @base: segment base (in 64-bit mode only FS/GS bases are used).
 * @limit: limit in bytes, granularity already applied.
 * @type: descriptor type field (bits 3:0: accessed, W/R, E/C, code).
 * @s: code/data segment (descriptor S bit).
 * @db: D/B bit (expand-down upper bound is 4 GiB - 1 when set).
 * @unusable: null or unusable selector (protected mode accesses #GP).
 */
struct x86_emu_seg {
	u64 base;
	u32 limit;
	u8 type;
	bool s;
	bool db;
	bool unusable;
};

/**
 * struct x86_emu_exception - fault to inject into the guest
 * @vector: exception vector.
 * @error_code_valid: @error_code is pushed.
 * @error_code: error code.
 * @cr2: faulting linear address for #PF.
 */
struct x86_emu_exception {
	u8 vector;
	bool error_code_valid;
	u32 error_code;
	u64 cr2;
};

struct x86_emu_ctxt;

/**
 * struct x86_emu_ops - callbacks into the caller
 * @read: read @size bytes (1..32) at linear address @linear for a data
 *	access at the context's CPL.  Returns X86_EMU_OK, X86_EMU_FAULT
 *	(after filling &x86_emu_ctxt.exception) or X86_EMU_STOP.
 * @write: write @size bytes (1..32) at @linear; same returns.
 * @get_vec: optional; copy the low @size bytes of XMM/YMM register @reg
 *	into @buf.  Returns X86_EMU_OK or X86_EMU_UNHANDLED.
 * @set_vec: optional; store @size bytes (16 or 32) of @buf into the low
 *	part of vector register @reg.  If @zero_upper, every bit above
 *	@size bytes is cleared (VEX encoding); otherwise bits above the low
 *	16 bytes are preserved (legacy SSE).  Returns X86_EMU_OK or
 *	X86_EMU_UNHANDLED.
 * @pio_in: optional; read @size bytes from I/O port @port (INS).  Same
 *	returns as @read.  I/O permission (IOPL, TSS bitmap) is the
 *	caller's business.
 * @pio_out: optional; write @size bytes to @port (OUTS).  Same returns
 *	as @write: a STOP here completes the iteration.
 */
struct x86_emu_ops {
	int (*read)(struct x86_emu_ctxt *c, u64 linear, void *buf,
		    unsigned int size);
	int (*write)(struct x86_emu_ctxt *c, u64 linear, const void *buf,
		     unsigned int size);
	int (*get_vec)(struct x86_emu_ctxt *c, unsigned int reg, void *buf,
		       unsigned int size);
	int (*set_vec)(struct x86_emu_ctxt *c, unsigned int reg,
		       const void *buf, unsigned int size, bool zero_upper);
	int (*pio_in)(struct x86_emu_ctxt *c, u16 port, void *buf,
		      unsigned int size);
	int (*pio_out)(struct x86_emu_ctxt *c, u16 port, const void *buf,
		       unsigned int size);
};

/**
 * struct x86_emu_ctxt - guest state seen by the emulator
 * @mode: execution mode (same as used for decoding).
 * @regs: RAX..R15 in hardware order.
 * @rip: instruction pointer of the instruction being emulated.
 * @rflags: RFLAGS.
 * @seg: segment caches indexed by &enum x86_seg.
 * @cpl: current privilege level (for the callbacks' permission checks).
 * @cr0: CR0.
 * @cr4: CR4 (LA57 selects 57-bit canonical checks).
 * @efer: EFER.
 * @rep_limit: REP iterations per call at most; 0 means
 *	X86_EMU_REP_DEFAULT.
 * @opaque: caller's pointer.
 * @ops: callbacks.
 * @exception: set when X86_EMU_FAULT is returned.
 * @str_iterations: output: string iterations completed by the last call.
 * @str_read_bytes: output: bytes read (memory and port) by those
 *	iterations, to drop from a replay buffer (see above).
 * @str_done: output: the string instruction finished (RIP advanced).
 */
struct x86_emu_ctxt {
	enum x86_cpu_mode mode;
	u64 regs[16];
	u64 rip;
	u64 rflags;
	struct x86_emu_seg seg[X86_NR_SEGS];
	u8 cpl;
	u64 cr0;
	u64 cr4;
	u64 efer;
	unsigned int rep_limit;
	void *opaque;
	const struct x86_emu_ops *ops;
	struct x86_emu_exception exception;
	u64 str_iterations;
	u64 str_read_bytes;
	bool str_done;
};

int x86_emulate(struct x86_emu_ctxt *c, const struct x86_insn *insn);

int x86_emu_linear(struct x86_emu_ctxt *c, unsigned int seg, u64 ea,
		   unsigned int size, bool write, u64 *linear);

#endif /* KVMOD_X86_EMULATE_H */
