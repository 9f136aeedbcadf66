// SPDX-License-Identifier: GPL-2.0
/*
 * x86 instruction decoder: prefixes, REX/VEX, opcode tables, ModRM/SIB,
 * displacement and immediate.
 *
 * Pure code: no kernel calls, no allocation, no state beyond the caller's
 * struct x86_insn.  The tables describe only what the emulator executes;
 * any other opcode (and any opcode/prefix combination the tables do not
 * allow) is reported invalid rather than guessed at.
 */
#include "x86_decode.h"

#define D(n, o, d, s, i, f) {						\
	.name = n, .op = X86_OP_##o, .dst = X86_OPND_##d,		\
	.src = X86_OPND_##s, .imm = X86_IMM_##i, .flags = (f) }
#define DA(n, o, d, s, i, f, a) {					\
	.name = n, .op = X86_OP_##o, .dst = X86_OPND_##d,		\
	.src = X86_OPND_##s, .imm = X86_IMM_##i, .flags = (f), .aux = (a) }
#define GROUP(g)	{ .flags = X86_F_GROUP | X86_F_MODRM, .aux = (g) }
#define PFX(t)		{ .flags = X86_F_PFX | X86_F_MODRM, .aux = (t) }

#define M	X86_F_MODRM
#define B	X86_F_BYTE
#define L	X86_F_LOCK
#define S	X86_F_STRING

enum {
	GRP1_EB_IB,	/* 80, 82 */
	GRP1_EV_IZ,	/* 81 */
	GRP1_EV_IB,	/* 83 */
	GRP3_EB,	/* F6 */
	GRP3_EV,	/* F7 */
	GRP4,		/* FE */
	GRP5,		/* FF */
	GRP11_EB,	/* C6 */
	GRP11_EV,	/* C7 */
	GRP8,		/* 0F BA */
};

/* ADD..CMP: Eb,Gb  Ev,Gv  Gb,Eb  Gv,Ev  AL,Ib  rAX,Iz */
#define ALU(base, n, o, lk)						\
	[(base) + 0] = D(n, o, E, G, NONE, M | B | (lk)),		\
	[(base) + 1] = D(n, o, E, G, NONE, M | (lk)),			\
	[(base) + 2] = D(n, o, G, E, NONE, M | B),			\
	[(base) + 3] = D(n, o, G, E, NONE, M),				\
	[(base) + 4] = D(n, o, ACC, IMM, IB, B),				\
	[(base) + 5] = D(n, o, ACC, IMM, IZ, 0)

static const struct x86_opcode_desc one_byte[256] = {
	ALU(0x00, "add", ADD, L),
	ALU(0x08, "or", OR, L),
	ALU(0x10, "adc", ADC, L),
	ALU(0x18, "sbb", SBB, L),
	ALU(0x20, "and", AND, L),
	ALU(0x28, "sub", SUB, L),
	ALU(0x30, "xor", XOR, L),
	ALU(0x38, "cmp", CMP, 0),
	[0x63] = D("movsxd", MOVSXD, G, E, NONE, M | X86_F_ONLY64),
	[0x6c] = D("insb", INS, STR_DST, DX, NONE, B | S),
	[0x6d] = D("ins", INS, STR_DST, DX, NONE, S | X86_F_MAX32),
	[0x6e] = D("outsb", OUTS, DX, STR_SRC, NONE, B | S),
	[0x6f] = D("outs", OUTS, DX, STR_SRC, NONE, S | X86_F_MAX32),
	[0x80] = GROUP(GRP1_EB_IB),
	[0x81] = GROUP(GRP1_EV_IZ),
	[0x82] = { .flags = X86_F_GROUP | X86_F_MODRM | X86_F_NO64,
		   .aux = GRP1_EB_IB },
	[0x83] = GROUP(GRP1_EV_IB),
	[0x84] = D("test", TEST, E, G, NONE, M | B),
	[0x85] = D("test", TEST, E, G, NONE, M),
	[0x86] = D("xchg", XCHG, E, G, NONE, M | B | L),
	[0x87] = D("xchg", XCHG, E, G, NONE, M | L),
	[0x88] = D("mov", MOV, E, G, NONE, M | B),
	[0x89] = D("mov", MOV, E, G, NONE, M),
	[0x8a] = D("mov", MOV, G, E, NONE, M | B),
	[0x8b] = D("mov", MOV, G, E, NONE, M),
	[0x8c] = D("mov", MOV_SREG, E, SREG, NONE, M),
	[0x8e] = D("mov", MOV_SREG, SREG, E, NONE, M),
	[0xa0] = D("mov", MOV, ACC, MOFFS, NONE, B),
	[0xa1] = D("mov", MOV, ACC, MOFFS, NONE, 0),
	[0xa2] = D("mov", MOV, MOFFS, ACC, NONE, B),
	[0xa3] = D("mov", MOV, MOFFS, ACC, NONE, 0),
	[0xa4] = D("movsb", MOVS, STR_DST, STR_SRC, NONE, B | S),
	[0xa5] = D("movs", MOVS, STR_DST, STR_SRC, NONE, S),
	[0xa6] = D("cmpsb", CMPS, STR_SRC, STR_DST, NONE, B | S),
	[0xa7] = D("cmps", CMPS, STR_SRC, STR_DST, NONE, S),
	[0xa8] = D("test", TEST, ACC, IMM, IB, B),
	[0xa9] = D("test", TEST, ACC, IMM, IZ, 0),
	[0xaa] = D("stosb", STOS, STR_DST, ACC, NONE, B | S),
	[0xab] = D("stos", STOS, STR_DST, ACC, NONE, S),
	[0xac] = D("lodsb", LODS, ACC, STR_SRC, NONE, B | S),
	[0xad] = D("lods", LODS, ACC, STR_SRC, NONE, S),
	[0xae] = D("scasb", SCAS, ACC, STR_DST, NONE, B | S),
	[0xaf] = D("scas", SCAS, ACC, STR_DST, NONE, S),
	[0xc6] = GROUP(GRP11_EB),
	[0xc7] = GROUP(GRP11_EV),
	[0xf6] = GROUP(GRP3_EB),
	[0xf7] = GROUP(GRP3_EV),
	[0xfe] = GROUP(GRP4),
	[0xff] = GROUP(GRP5),
};

#define GRP1(f, i) {							\
	D("add", ADD, E, IMM, i, M | L | (f)),				\
	D("or", OR, E, IMM, i, M | L | (f)),				\
	D("adc", ADC, E, IMM, i, M | L | (f)),				\
	D("sbb", SBB, E, IMM, i, M | L | (f)),				\
	D("and", AND, E, IMM, i, M | L | (f)),				\
	D("sub", SUB, E, IMM, i, M | L | (f)),				\
	D("xor", XOR, E, IMM, i, M | L | (f)),				\
	D("cmp", CMP, E, IMM, i, M | (f)) }

/* Reserved or unsupported group members stay zero (invalid). */
static const struct x86_opcode_desc groups[][8] = {
	[GRP1_EB_IB] = GRP1(B, IB),
	[GRP1_EV_IZ] = GRP1(0, IZ),
	[GRP1_EV_IB] = GRP1(0, IB),
	[GRP3_EB] = {
		[0] = D("test", TEST, E, IMM, IB, M | B),
		[2] = D("not", NOT, E, NONE, NONE, M | B | L),
		[3] = D("neg", NEG, E, NONE, NONE, M | B | L),
	},
	[GRP3_EV] = {
		[0] = D("test", TEST, E, IMM, IZ, M),
		[2] = D("not", NOT, E, NONE, NONE, M | L),
		[3] = D("neg", NEG, E, NONE, NONE, M | L),
	},
	[GRP4] = {
		[0] = D("inc", INC, E, NONE, NONE, M | B | L),
		[1] = D("dec", DEC, E, NONE, NONE, M | B | L),
	},
	[GRP5] = {
		[0] = D("inc", INC, E, NONE, NONE, M | L),
		[1] = D("dec", DEC, E, NONE, NONE, M | L),
	},
	[GRP11_EB] = { [0] = D("mov", MOV, E, IMM, IB, M | B) },
	[GRP11_EV] = { [0] = D("mov", MOV, E, IMM, IZ, M) },
	[GRP8] = {
		[4] = D("bt", BT, E, IMM, IB, M),
		[5] = D("bts", BTS, E, IMM, IB, M | L),
		[6] = D("btr", BTR, E, IMM, IB, M | L),
		[7] = D("btc", BTC, E, IMM, IB, M | L),
	},
};

enum {
	PFX_0F10, PFX_0F11, PFX_0F28, PFX_0F29, PFX_0F2B, PFX_0F6E,
	PFX_0F6F, PFX_0F7E, PFX_0F7F, PFX_0FC3, PFX_0FD6, PFX_0FE7,
};

/* Column of the mandatory prefix: none, 66, F3, F2. */
enum { PP_NONE, PP_66, PP_F3, PP_F2 };

#define VX	(X86_F_VEX)
#define VY	(X86_F_VEX | X86_F_L256)
#define AL16	X86_F_ALIGN

static const struct x86_opcode_desc pfx_tables[][4] = {
	[PFX_0F10] = {
		[PP_NONE] = D("movups", VLOAD, V, W, NONE, M | VY),
		[PP_66] = D("movupd", VLOAD, V, W, NONE, M | VY),
	},
	[PFX_0F11] = {
		[PP_NONE] = D("movups", VSTORE, W, V, NONE, M | VY),
		[PP_66] = D("movupd", VSTORE, W, V, NONE, M | VY),
	},
	[PFX_0F28] = {
		[PP_NONE] = D("movaps", VLOAD, V, W, NONE, M | VY | AL16),
		[PP_66] = D("movapd", VLOAD, V, W, NONE, M | VY | AL16),
	},
	[PFX_0F29] = {
		[PP_NONE] = D("movaps", VSTORE, W, V, NONE, M | VY | AL16),
		[PP_66] = D("movapd", VSTORE, W, V, NONE, M | VY | AL16),
	},
	[PFX_0F2B] = {
		[PP_NONE] = D("movntps", VSTORE, W, V, NONE,
			      M | VY | AL16 | X86_F_MEM),
		[PP_66] = D("movntpd", VSTORE, W, V, NONE,
			    M | VY | AL16 | X86_F_MEM),
	},
	[PFX_0F6E] = {
		[PP_66] = DA("movd", VLOAD, V, E, NONE, M | VX | X86_F_W64, 4),
	},
	[PFX_0F6F] = {
		[PP_66] = D("movdqa", VLOAD, V, W, NONE, M | VY | AL16),
		[PP_F3] = D("movdqu", VLOAD, V, W, NONE, M | VY),
	},
	[PFX_0F7E] = {
		[PP_66] = DA("movd", VSTORE, E, V, NONE, M | VX | X86_F_W64, 4),
		[PP_F3] = DA("movq", VLOAD, V, W, NONE, M | VX, 8),
	},
	[PFX_0F7F] = {
		[PP_66] = D("movdqa", VSTORE, W, V, NONE, M | VY | AL16),
		[PP_F3] = D("movdqu", VSTORE, W, V, NONE, M | VY),
	},
	[PFX_0FC3] = {
		[PP_NONE] = D("movnti", MOVNTI, E, G, NONE, M | X86_F_MEM),
	},
	[PFX_0FD6] = {
		[PP_66] = DA("movq", VSTORE, W, V, NONE, M | VX, 8),
	},
	[PFX_0FE7] = {
		[PP_66] = D("movntdq", VSTORE, W, V, NONE,
			    M | VY | AL16 | X86_F_MEM),
	},
};

static const struct x86_opcode_desc two_byte[256] = {
	[0x10] = PFX(PFX_0F10),
	[0x11] = PFX(PFX_0F11),
	[0x28] = PFX(PFX_0F28),
	[0x29] = PFX(PFX_0F29),
	[0x2b] = PFX(PFX_0F2B),
	[0x6e] = PFX(PFX_0F6E),
	[0x6f] = PFX(PFX_0F6F),
	[0x7e] = PFX(PFX_0F7E),
	[0x7f] = PFX(PFX_0F7F),
	[0xa3] = D("bt", BT, E, G, NONE, M),
	[0xab] = D("bts", BTS, E, G, NONE, M | L),
	[0xb3] = D("btr", BTR, E, G, NONE, M | L),
	[0xb6] = D("movzx", MOVZX, G, E, NONE, M),
	[0xb7] = D("movzx", MOVZX, G, E, NONE, M | X86_F_SRC16),
	[0xba] = GROUP(GRP8),
	[0xbb] = D("btc", BTC, E, G, NONE, M | L),
	[0xbe] = D("movsx", MOVSX, G, E, NONE, M),
	[0xbf] = D("movsx", MOVSX, G, E, NONE, M | X86_F_SRC16),
	[0xc3] = PFX(PFX_0FC3),
	[0xd6] = PFX(PFX_0FD6),
	[0xe7] = PFX(PFX_0FE7),
};

/* Byte cursor over the caller's buffer, capped at the architectural 15. */
struct cursor {
	const u8 *bytes;
	unsigned int len;
	unsigned int pos;
};

static int fetch(struct cursor *cur, unsigned int n, u64 *val)
{
	unsigned int i;

	if (cur->pos + n > X86_MAX_INSN_LEN)
		return -X86_EMU_ERR_INVALID;
	if (cur->pos + n > cur->len)
		return -X86_EMU_ERR_TRUNCATED;
	*val = 0;
	for (i = 0; i < n; i++)
		*val |= (u64)cur->bytes[cur->pos + i] << (8 * i);
	cur->pos += n;
	return 0;
}

static int fetch_byte(struct cursor *cur, u8 *b)
{
	u64 v = 0;
	int ret = fetch(cur, 1, &v);

	*b = v;
	return ret;
}

static s64 sign_extend(u64 v, unsigned int bytes)
{
	unsigned int shift = 64 - 8 * bytes;

	return (s64)(v << shift) >> shift;
}

/* 16-bit ModRM forms: base and index registers per r/m value. */
static const s8 modrm16_base[8] = { 3, 3, 5, 5, X86_REG_NONE,
				    X86_REG_NONE, 5, 3 };
static const s8 modrm16_index[8] = { 6, 7, 6, 7, 6, 7,
				     X86_REG_NONE, X86_REG_NONE };

static int decode_modrm_mem16(struct x86_insn *insn, struct cursor *cur,
			      u8 *def_seg)
{
	unsigned int rm = insn->modrm & 7;
	unsigned int dsize = insn->mod == 1 ? 1 : insn->mod == 2 ? 2 : 0;
	u64 v;
	int ret;

	insn->base = modrm16_base[rm];
	insn->index = modrm16_index[rm];
	if (insn->mod == 0 && rm == 6) {
		insn->base = X86_REG_NONE;
		dsize = 2;
	}
	/* BP-based forms default to SS. */
	*def_seg = insn->base == 5 ? X86_SEG_SS : X86_SEG_DS;
	if (dsize) {
		ret = fetch(cur, dsize, &v);
		if (ret)
			return ret;
		insn->disp = sign_extend(v, dsize);
		insn->disp_size = dsize;
	}
	return 0;
}

static int decode_modrm_mem32(struct x86_insn *insn, struct cursor *cur,
			      u8 *def_seg)
{
	unsigned int rm = insn->modrm & 7;
	unsigned int dsize = insn->mod == 1 ? 1 : insn->mod == 2 ? 4 : 0;
	bool rex_x = insn->rex & 2, rex_b = insn->rex & 1;
	u64 v;
	int ret;

	if (rm == 4) {
		ret = fetch_byte(cur, &insn->sib);
		if (ret)
			return ret;
		insn->has_sib = true;
		insn->scale = insn->sib >> 6;
		insn->index = ((insn->sib >> 3) & 7) | (rex_x << 3);
		if (insn->index == 4)
			insn->index = X86_REG_NONE;
		insn->base = (insn->sib & 7) | (rex_b << 3);
		if ((insn->sib & 7) == 5 && insn->mod == 0) {
			insn->base = X86_REG_NONE;
			dsize = 4;
		}
	} else if (rm == 5 && insn->mod == 0) {
		insn->base = insn->mode == X86_MODE_LONG64 ? X86_REG_RIP :
			     X86_REG_NONE;
		dsize = 4;
	} else {
		insn->base = rm | (rex_b << 3);
	}
	/* rSP and rBP bases default to SS (R12/R13 do not). */
	*def_seg = (insn->base == 4 || insn->base == 5) ? X86_SEG_SS :
		   X86_SEG_DS;
	if (dsize) {
		ret = fetch(cur, dsize, &v);
		if (ret)
			return ret;
		insn->disp = sign_extend(v, dsize);
		insn->disp_size = dsize;
	}
	return 0;
}

static int decode_vex(struct x86_insn *insn, struct cursor *cur, u8 first,
		      u8 *pp, u8 *vvvv)
{
	bool mode64 = insn->mode == X86_MODE_LONG64;
	u8 b1, b2;
	int ret;

	ret = fetch_byte(cur, &b1);
	if (ret)
		return ret;
	insn->rex = 0x40;
	if (first == 0xc5) {
		insn->vex = 2;
		if (mode64 && !(b1 & 0x80))
			insn->rex |= 4;
		b2 = b1;
		insn->map = 1;
	} else {
		insn->vex = 3;
		ret = fetch_byte(cur, &b2);
		if (ret)
			return ret;
		if (mode64) {
			insn->rex |= (b1 & 0x80) ? 0 : 4;
			insn->rex |= (b1 & 0x40) ? 0 : 2;
			insn->rex |= (b1 & 0x20) ? 0 : 1;
		}
		insn->map = b1 & 0x1f;
		insn->vex_w = b2 >> 7;
	}
	*vvvv = (~b2 >> 3) & (mode64 ? 15 : 7);
	insn->vex_l = (b2 >> 2) & 1;
	*pp = b2 & 3;
	return 0;
}

/* VEX.pp and legacy mandatory prefixes to table columns. */
static const u8 pp_to_col[4] = { PP_NONE, PP_66, PP_F3, PP_F2 };
static const u8 col_to_prefix[4] = { 0, 0x66, 0xf3, 0xf2 };

/**
 * x86_decode() - decode one instruction
 * @insn: output; fully overwritten.
 * @bytes: instruction bytes starting at the first prefix.
 * @len: bytes available at @bytes (more than 15 are never looked at).
 * @mode: execution mode.
 *
 * Return: 0 on success, -X86_EMU_ERR_TRUNCATED if @len bytes end before
 * the instruction does, -X86_EMU_ERR_INVALID for an undefined or
 * unsupported instruction, a prefix it does not allow (LOCK on anything
 * but a memory read-modify-write form, a legacy prefix or REX before VEX)
 * or one longer than 15 bytes.
 */
int x86_decode(struct x86_insn *insn, const u8 *bytes, unsigned int len,
	       enum x86_cpu_mode mode)
{
	struct cursor cur = { .bytes = bytes, .len = len };
	bool mode64 = mode == X86_MODE_LONG64;
	const struct x86_opcode_desc *desc;
	u8 b, last_rep = 0, pp = 0, vvvv = 0, def_seg = X86_SEG_DS;
	unsigned int flags, imm_size;
	u64 v;
	int ret;

	memset(insn, 0, sizeof(*insn));
	insn->mode = mode;
	insn->seg_override = -1;
	insn->base = X86_REG_NONE;
	insn->index = X86_REG_NONE;

	for (;;) {
		ret = fetch_byte(&cur, &b);
		if (ret)
			return ret;
		switch (b) {
		case 0xf0:
			insn->lock = true;
			break;
		case 0xf2:
		case 0xf3:
			last_rep = b;
			break;
		case 0x66:
			insn->pfx_66 = true;
			break;
		case 0x67:
			insn->pfx_67 = true;
			break;
		case 0x26: case 0x2e: case 0x36: case 0x3e:
			/*
			 * ES, CS, SS, DS have no effect at all in 64-bit mode:
			 * they do not even cancel an earlier FS/GS prefix.
			 */
			if (!mode64)
				insn->seg_override = (b >> 3) & 3;
			break;
		case 0x64:
		case 0x65:
			insn->seg_override = X86_SEG_FS + (b & 1);
			break;
		default:
			if (mode64 && (b & 0xf0) == 0x40) {
				insn->rex = b;
				continue;
			}
			goto opcode;
		}
		/* A REX prefix only counts right before the opcode. */
		insn->rex = 0;
	}

opcode:
	if ((b == 0xc4 || b == 0xc5) && mode != X86_MODE_REAL) {
		u8 next;

		/* Outside 64-bit mode these are LES/LDS unless ModRM.mod=3. */
		if (!mode64) {
			if (cur.pos >= cur.len)
				return cur.pos >= X86_MAX_INSN_LEN ?
				       -X86_EMU_ERR_INVALID :
				       -X86_EMU_ERR_TRUNCATED;
			next = bytes[cur.pos];
			if ((next & 0xc0) != 0xc0)
				return -X86_EMU_ERR_INVALID;
		}
		if (insn->lock || insn->pfx_66 || last_rep || insn->rex)
			return -X86_EMU_ERR_INVALID;
		ret = decode_vex(insn, &cur, b, &pp, &vvvv);
		if (ret)
			return ret;
		if (insn->map != 1)
			return -X86_EMU_ERR_INVALID;
		ret = fetch_byte(&cur, &b);
		if (ret)
			return ret;
		desc = &two_byte[b];
	} else if (b == 0x0f) {
		ret = fetch_byte(&cur, &b);
		if (ret)
			return ret;
		insn->map = 1;
		desc = &two_byte[b];
	} else {
		desc = &one_byte[b];
	}
	insn->opcode = b;

	flags = desc->flags;
	if ((flags & X86_F_NO64) && mode64)
		return -X86_EMU_ERR_INVALID;
	if ((flags & X86_F_ONLY64) && !mode64)
		return -X86_EMU_ERR_INVALID;

	if (flags & X86_F_PFX) {
		unsigned int col;

		if (insn->vex)
			col = pp_to_col[pp];
		else if (last_rep)
			col = last_rep == 0xf3 ? PP_F3 : PP_F2;
		else
			col = insn->pfx_66 ? PP_66 : PP_NONE;
		desc = &pfx_tables[desc->aux][col];
		insn->mandatory = col_to_prefix[col];
		/* F2/F3 consumed as a mandatory prefix, not a REP. */
		last_rep = 0;
		if (insn->vex && !(desc->flags & X86_F_VEX))
			return -X86_EMU_ERR_INVALID;
		if (!insn->vex && (desc->flags & X86_F_NOLEGACY))
			return -X86_EMU_ERR_INVALID;
	} else if (insn->vex) {
		return -X86_EMU_ERR_INVALID;
	}
	/* Fail fast: no point asking for more bytes of an invalid opcode. */
	if (!(flags & X86_F_GROUP) && desc->op == X86_OP_NONE)
		return -X86_EMU_ERR_INVALID;

	if (flags & X86_F_MODRM) {
		ret = fetch_byte(&cur, &insn->modrm);
		if (ret)
			return ret;
		insn->has_modrm = true;
		insn->mod = insn->modrm >> 6;
		insn->reg = ((insn->modrm >> 3) & 7) | ((insn->rex & 4) << 1);
		insn->rm = (insn->modrm & 7) | ((insn->rex & 1) << 3);
		if (flags & X86_F_GROUP)
			desc = &groups[desc->aux][(insn->modrm >> 3) & 7];
	}
	if (desc->op == X86_OP_NONE)
		return -X86_EMU_ERR_INVALID;
	flags = desc->flags;
	insn->desc = desc;

	if ((flags & X86_F_MEM) && insn->mod == 3)
		return -X86_EMU_ERR_INVALID;
	/* Only ES..GS exist, and MOV to CS is undefined. */
	if (desc->op == X86_OP_MOV_SREG &&
	    (((insn->modrm >> 3) & 7) > 5 ||
	     (desc->dst == X86_OPND_SREG && ((insn->modrm >> 3) & 7) == 1)))
		return -X86_EMU_ERR_INVALID;
	if (insn->lock && (!(flags & X86_F_LOCK) || insn->mod == 3))
		return -X86_EMU_ERR_INVALID;
	if (insn->vex) {
		/* None of the VEX moves has a second source. */
		if (vvvv)
			return -X86_EMU_ERR_INVALID;
		if (insn->vex_l && !(flags & X86_F_L256))
			return -X86_EMU_ERR_INVALID;
	}

	/* Operand and address size. */
	if (flags & X86_F_BYTE)
		insn->opsize = 1;
	else if (mode64 && (insn->rex & 8))
		insn->opsize = 8;
	else if (mode == X86_MODE_PROT32 || mode64)
		insn->opsize = insn->pfx_66 ? 2 : 4;
	else
		insn->opsize = insn->pfx_66 ? 4 : 2;
	if ((flags & X86_F_MAX32) && insn->opsize == 8)
		insn->opsize = 4;
	if (mode64)
		insn->adsize = insn->pfx_67 ? 4 : 8;
	else if (mode == X86_MODE_PROT32)
		insn->adsize = insn->pfx_67 ? 2 : 4;
	else
		insn->adsize = insn->pfx_67 ? 4 : 2;

	if (desc->op == X86_OP_VLOAD || desc->op == X86_OP_VSTORE) {
		bool w = insn->vex ? insn->vex_w : insn->rex & 8;

		if (desc->aux)
			insn->vlen = desc->aux;
		else
			insn->vlen = insn->vex_l ? 32 : 16;
		if ((flags & X86_F_W64) && w) {
			/* VEX.W1 MOVQ exists only in 64-bit mode. */
			if (!mode64)
				return -X86_EMU_ERR_INVALID;
			insn->vlen = 8;
		}
		/* The GPR side of MOVD/MOVQ uses the vector access size. */
		insn->opsize = insn->vlen <= 8 ? insn->vlen : insn->opsize;
	} else if (desc->op == X86_OP_MOVNTI) {
		/* 32 bits in every mode unless REX.W (66 is refused: NP). */
		insn->opsize = insn->opsize == 8 ? 8 : 4;
	}

	if (insn->has_modrm && insn->mod != 3) {
		insn->mem = true;
		if (insn->adsize == 2)
			ret = decode_modrm_mem16(insn, &cur, &def_seg);
		else
			ret = decode_modrm_mem32(insn, &cur, &def_seg);
		if (ret)
			return ret;
	} else if (desc->dst == X86_OPND_MOFFS ||
		   desc->src == X86_OPND_MOFFS) {
		ret = fetch(&cur, insn->adsize, &v);
		if (ret)
			return ret;
		insn->mem = true;
		insn->disp = (s64)v;
		insn->disp_size = insn->adsize;
	}
	insn->seg = insn->seg_override >= 0 ? insn->seg_override : def_seg;

	if (flags & X86_F_STRING)
		insn->rep = last_rep;

	imm_size = 0;
	if (desc->imm == X86_IMM_IB)
		imm_size = 1;
	else if (desc->imm == X86_IMM_IZ)
		imm_size = insn->opsize == 2 ? 2 : insn->opsize == 1 ? 1 : 4;
	if (imm_size) {
		ret = fetch(&cur, imm_size, &v);
		if (ret)
			return ret;
		insn->imm = (u64)sign_extend(v, imm_size);
		insn->imm_size = imm_size;
	}

	insn->len = cur.pos;
	return 0;
}

/**
 * x86_cpu_mode_of() - the decoding mode of a vCPU
 * @cr0: CR0 (PE).
 * @efer: EFER (LMA).
 * @rflags: RFLAGS (VM).
 * @cs_l: CS.L from the code segment cache.
 * @cs_db: CS.D from the code segment cache.
 *
 * Real and virtual-8086 mode decode alike; compatibility mode decodes as
 * protected mode with its CS.D.
 *
 * Return: the &enum x86_cpu_mode to pass to x86_decode() and to store in
 * &x86_emu_ctxt.mode.
 */
enum x86_cpu_mode x86_cpu_mode_of(u64 cr0, u64 efer, u64 rflags, bool cs_l,
				  bool cs_db)
{
	if (!(cr0 & 1) || (rflags & (1ULL << 17)))
		return X86_MODE_REAL;
	if ((efer & (1ULL << 10)) && cs_l)
		return X86_MODE_LONG64;
	return cs_db ? X86_MODE_PROT32 : X86_MODE_PROT16;
}
