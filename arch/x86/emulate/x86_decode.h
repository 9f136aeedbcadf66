/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Table-driven x86 instruction decoder for the instructions guests use on
 * emulated memory (MMIO) and for string port I/O.
 *
 * Only what the emulator can execute is decoded; everything else is
 * reported invalid, so a caller never runs an approximation.
 */
#ifndef KVMOD_X86_DECODE_H
#define KVMOD_X86_DECODE_H

#include "emu_types.h"

/* Decoder errors, returned negated. */
#define X86_EMU_ERR_TRUNCATED	1	/* more bytes needed */
#define X86_EMU_ERR_INVALID	2	/* undefined, unsupported or too long */

#define X86_MAX_INSN_LEN	15

/**
 * enum x86_cpu_mode - execution mode that drives default sizes
 * @X86_MODE_REAL: real mode, also used for virtual-8086 mode.
 * @X86_MODE_PROT16: protected (or compatibility) mode, CS.D = 0.
 * @X86_MODE_PROT32: protected (or compatibility) mode, CS.D = 1.
 * @X86_MODE_LONG64: 64-bit mode (EFER.LMA = 1, CS.L = 1).
 */
enum x86_cpu_mode {
	X86_MODE_REAL,
	X86_MODE_PROT16,
	X86_MODE_PROT32,
	X86_MODE_LONG64,
};

/* Segment registers in hardware encoding order. */
enum x86_seg {
	X86_SEG_ES,
	X86_SEG_CS,
	X86_SEG_SS,
	X86_SEG_DS,
	X86_SEG_FS,
	X86_SEG_GS,
	X86_NR_SEGS,
};

/* Operations the emulator knows. */
enum x86_op {
	X86_OP_NONE,
	X86_OP_MOV,
	X86_OP_MOVZX,
	X86_OP_MOVSX,
	X86_OP_MOVSXD,
	X86_OP_MOV_SREG,	/* 8C/8E: decoded, never emulated */
	X86_OP_ADD,
	X86_OP_OR,
	X86_OP_ADC,
	X86_OP_SBB,
	X86_OP_AND,
	X86_OP_SUB,
	X86_OP_XOR,
	X86_OP_CMP,
	X86_OP_TEST,
	X86_OP_NOT,
	X86_OP_NEG,
	X86_OP_INC,
	X86_OP_DEC,
	X86_OP_XCHG,
	X86_OP_BT,
	X86_OP_BTS,
	X86_OP_BTR,
	X86_OP_BTC,
	X86_OP_MOVNTI,
	X86_OP_MOVS,
	X86_OP_CMPS,
	X86_OP_STOS,
	X86_OP_LODS,
	X86_OP_SCAS,
	X86_OP_INS,
	X86_OP_OUTS,
	X86_OP_VLOAD,		/* vector register <- xmm/ymm/gpr/memory */
	X86_OP_VSTORE,		/* xmm/ymm/gpr/memory <- vector register */
	X86_NR_OPS,
};

/* Operand kinds of an opcode descriptor. */
enum x86_opnd {
	X86_OPND_NONE,
	X86_OPND_E,		/* ModRM r/m: GPR or memory */
	X86_OPND_G,		/* ModRM reg: GPR */
	X86_OPND_IMM,		/* immediate */
	X86_OPND_ACC,		/* AL/AX/EAX/RAX */
	X86_OPND_MOFFS,		/* memory at an absolute offset */
	X86_OPND_STR_SRC,	/* seg:rSI (segment overridable) */
	X86_OPND_STR_DST,	/* ES:rDI */
	X86_OPND_DX,		/* I/O port in DX */
	X86_OPND_SREG,		/* ModRM reg: segment register */
	X86_OPND_V,		/* ModRM reg: vector register */
	X86_OPND_W,		/* ModRM r/m: vector register or memory */
};

/* Immediate kinds. */
enum x86_imm {
	X86_IMM_NONE,
	X86_IMM_IB,		/* 8 bits, sign-extended */
	X86_IMM_IZ,		/* 16 or 32 bits (by operand size), sign-extended */
};

/* Descriptor flags. */
#define X86_F_MODRM	0x0001	/* has a ModRM byte */
#define X86_F_BYTE	0x0002	/* operand size is 8 bits */
#define X86_F_LOCK	0x0004	/* LOCK allowed when r/m is memory */
#define X86_F_GROUP	0x0008	/* ModRM.reg selects: aux = group */
#define X86_F_PFX	0x0010	/* mandatory prefix selects: aux = table */
#define X86_F_MEM	0x0020	/* r/m must be memory */
#define X86_F_NO64	0x0040	/* invalid in 64-bit mode */
#define X86_F_ONLY64	0x0080	/* valid only in 64-bit mode */
#define X86_F_STRING	0x0100	/* string instruction: REP applies */
#define X86_F_ALIGN	0x0200	/* memory operand must be vector aligned */
#define X86_F_VEX	0x0400	/* also valid VEX-encoded */
#define X86_F_L256	0x0800	/* VEX.L = 1 (256 bits) allowed */
#define X86_F_NOLEGACY	0x1000	/* only valid VEX-encoded */
#define X86_F_W64	0x2000	/* REX.W/VEX.W doubles aux (MOVD->MOVQ) */
#define X86_F_MAX32	0x4000	/* operand size at most 32 bits (INS/OUTS) */
#define X86_F_SRC16	0x8000	/* source is 16 bits (MOVZX/MOVSX Ew) */

/**
 * struct x86_opcode_desc - one table entry
 * @name: mnemonic, for diagnostics.
 * @op: &enum x86_op.
 * @dst: &enum x86_opnd of the destination (first) operand.
 * @src: &enum x86_opnd of the source (second) operand.
 * @imm: &enum x86_imm.
 * @flags: X86_F_* flags.
 * @aux: group or prefix-table index (X86_F_GROUP, X86_F_PFX), else the
 *	vector memory access size in bytes (0: the full vector length).
 */
struct x86_opcode_desc {
	const char *name;
	u8 op;
	u8 dst;
	u8 src;
	u8 imm;
	u16 flags;
	u8 aux;
};

#define X86_REG_NONE	(-1)
#define X86_REG_RIP	16

/* Values of &struct x86_insn.rep. */
#define X86_REP_NONE	0
#define X86_REP_REPE	0xf3	/* REP / REPE / REPZ */
#define X86_REP_REPNE	0xf2

/**
 * struct x86_insn - a decoded instruction
 * @mode: mode it was decoded for.
 * @len: total length in bytes.
 * @lock: LOCK prefix present (and allowed).
 * @rep: last of F2/F3 when it acts as a REP prefix (string instructions
 *	only), else X86_REP_NONE.
 * @pfx_66: operand-size prefix present.
 * @pfx_67: address-size prefix present.
 * @seg_override: segment override prefix (&enum x86_seg) or -1.  In 64-bit
 *	mode ES/CS/SS/DS overrides are dropped here, as hardware ignores them.
 * @mandatory: mandatory prefix that selected the entry: 0, 0x66, 0xf3 or
 *	0xf2 (legacy SSE or VEX.pp).
 * @rex: the REX byte (0x40-0x4f), or 0 if none took effect.
 * @vex: 0, or 2/3 for a C5/C4 VEX prefix.
 * @vex_l: VEX.L (vector length 256).
 * @vex_w: VEX.W.
 * @map: opcode map: 0 one-byte, 1 0F, 2 0F38, 3 0F3A.
 * @opcode: the opcode byte within @map.
 * @opsize: operand size in bytes (1, 2, 4, 8).
 * @adsize: address size in bytes (2, 4, 8).
 * @vlen: vector memory access size in bytes for vector moves, else 0.
 * @has_modrm: a ModRM byte was decoded.
 * @modrm: the ModRM byte.
 * @mod: ModRM.mod.
 * @reg: ModRM.reg extended by REX.R/VEX.R.
 * @rm: ModRM.rm extended by REX.B/VEX.B (register forms only).
 * @has_sib: a SIB byte was decoded.
 * @sib: the SIB byte.
 * @mem: true if the instruction has a ModRM memory operand or moffs.
 * @base: base register of the memory operand, X86_REG_NONE, or
 *	X86_REG_RIP for RIP-relative addressing.
 * @index: index register or X86_REG_NONE.
 * @scale: index shift (0..3).
 * @disp: displacement, sign-extended.
 * @disp_size: displacement bytes (0, 1, 2, 4; 8 for a 64-bit moffs).
 * @seg: effective segment of the memory operand (default or override;
 *	for string instructions, the source segment).
 * @imm: immediate, sign-extended to 64 bits.
 * @imm_size: immediate bytes.
 * @desc: the table entry that describes the operation.
 */
struct x86_insn {
	enum x86_cpu_mode mode;
	u8 len;
	bool lock;
	u8 rep;
	bool pfx_66;
	bool pfx_67;
	s8 seg_override;
	u8 mandatory;
	u8 rex;
	u8 vex;
	bool vex_l;
	bool vex_w;
	u8 map;
	u8 opcode;
	u8 opsize;
	u8 adsize;
	u8 vlen;
	bool has_modrm;
	u8 modrm;
	u8 mod;
	u8 reg;
	u8 rm;
	bool has_sib;
	u8 sib;
	bool mem;
	s8 base;
	s8 index;
	u8 scale;
	s64 disp;
	u8 disp_size;
	u8 seg;
	u64 imm;
	u8 imm_size;
	const struct x86_opcode_desc *desc;
};

int x86_decode(struct x86_insn *insn, const u8 *bytes, unsigned int len,
	       enum x86_cpu_mode mode);
enum x86_cpu_mode x86_cpu_mode_of(u64 cr0, u64 efer, u64 rflags, bool cs_l,
				  bool cs_db);

#endif /* KVMOD_X86_DECODE_H */
