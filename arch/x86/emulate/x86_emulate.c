// SPDX-License-Identifier: GPL-2.0
/*
 * x86 instruction emulator: executes a struct x86_insn against a struct
 * x86_emu_ctxt.
 *
 * Pure code: no kernel calls, no allocation.  Each instruction works on a
 * private copy of the registers and commits it only after its last memory
 * access has been accepted, which is what makes the STOP/restart contract
 * in x86_emulate.h hold.
 */
#include "x86_emulate.h"

/* Registers an instruction may change, committed all at once. */
struct emu_state {
	u64 regs[16];
	u64 rflags;
	u64 rip;
};

enum opnd_type { OT_NONE, OT_REG, OT_MEM, OT_IMM };

struct opnd {
	enum opnd_type type;
	unsigned int size;
	unsigned int reg;
	unsigned int seg;
	u64 ea;
	u64 lin;
	u64 val;
};

/* Internal: a STOP from the final write, after which we commit. */
#define EMU_STOP_DONE	100

static u64 size_mask(unsigned int size)
{
	return size >= 8 ? ~0ULL : (1ULL << (size * 8)) - 1;
}

static s64 sext(u64 v, unsigned int size)
{
	unsigned int shift = 64 - 8 * size;

	return (s64)(v << shift) >> shift;
}

static u64 le_load(const u8 *buf, unsigned int size)
{
	u64 v = 0;
	unsigned int i;

	for (i = 0; i < size && i < 8; i++)
		v |= (u64)buf[i] << (8 * i);
	return v;
}

static void le_store(u8 *buf, u64 v, unsigned int size)
{
	unsigned int i;

	for (i = 0; i < size && i < 8; i++)
		buf[i] = v >> (8 * i);
}

static void state_load(const struct x86_emu_ctxt *c, struct emu_state *st)
{
	memcpy(st->regs, c->regs, sizeof(st->regs));
	st->rflags = c->rflags;
	st->rip = c->rip;
}

static void state_commit(struct x86_emu_ctxt *c, const struct emu_state *st)
{
	memcpy(c->regs, st->regs, sizeof(c->regs));
	c->rflags = st->rflags;
	c->rip = st->rip;
}

static void advance_rip(struct emu_state *st, const struct x86_insn *insn)
{
	st->rip += insn->len;
	if (insn->mode != X86_MODE_LONG64)
		st->rip &= 0xffffffffULL;
}

static int emu_raise(struct x86_emu_ctxt *c, u8 vector, u32 error_code)
{
	c->exception.vector = vector;
	c->exception.error_code_valid = true;
	c->exception.error_code = error_code;
	c->exception.cr2 = 0;
	return X86_EMU_FAULT;
}

/* Without REX, byte registers 4-7 are AH, CH, DH, BH. */
static bool is_high_byte(const struct x86_insn *insn, unsigned int reg,
			 unsigned int size)
{
	return size == 1 && !insn->rex && reg >= 4 && reg < 8;
}

static u64 get_gpr(const struct emu_state *st, const struct x86_insn *insn,
		   unsigned int reg, unsigned int size)
{
	if (is_high_byte(insn, reg, size))
		return (st->regs[reg - 4] >> 8) & 0xff;
	return st->regs[reg] & size_mask(size);
}

static void set_gpr(struct emu_state *st, const struct x86_insn *insn,
		    unsigned int reg, unsigned int size, u64 val)
{
	u64 *r;

	if (is_high_byte(insn, reg, size)) {
		r = &st->regs[reg - 4];
		*r = (*r & ~0xff00ULL) | ((val & 0xff) << 8);
		return;
	}
	r = &st->regs[reg];
	/* 32-bit writes zero-extend; 8- and 16-bit writes merge. */
	if (size >= 4)
		*r = val & size_mask(size);
	else
		*r = (*r & ~size_mask(size)) | (val & size_mask(size));
}

/* Update a register used as an address (rSI, rDI) or count (rCX). */
static void set_addr_reg(struct emu_state *st, unsigned int reg,
			 unsigned int adsize, u64 val)
{
	if (adsize == 2)
		st->regs[reg] = (st->regs[reg] & ~0xffffULL) | (val & 0xffff);
	else
		st->regs[reg] = val & size_mask(adsize);
}

static bool canonical(const struct x86_emu_ctxt *c, u64 la)
{
	unsigned int shift = 64 - ((c->cr4 & X86_EMU_CR4_LA57) ? 57 : 48);

	return (u64)((s64)(la << shift) >> shift) == la;
}

/**
 * x86_emu_linear() - segment an effective address into a linear one
 * @c: context (mode, segment caches).
 * @seg: &enum x86_seg.
 * @ea: effective address, already truncated to the address size.
 * @size: access size in bytes.
 * @write: the access writes.
 * @linear: output.
 *
 * 64-bit mode: only FS/GS bases apply and both ends of the access must be
 * canonical.  Otherwise the limit (expand-up or expand-down) is checked
 * and, in protected mode, the segment type.  Violations raise #SS(0) for
 * SS and #GP(0) for the others.
 *
 * Return: X86_EMU_OK, X86_EMU_FAULT with &x86_emu_ctxt.exception set, or
 * X86_EMU_UNHANDLED for a segment number or size that makes no sense.
 */
int x86_emu_linear(struct x86_emu_ctxt *c, unsigned int seg, u64 ea,
		   unsigned int size, bool write, u64 *linear)
{
	u8 vec = seg == X86_SEG_SS ? X86_VEC_SS : X86_VEC_GP;
	const struct x86_emu_seg *s;
	u64 last = ea + size - 1;

	if (seg >= X86_NR_SEGS || !size)
		return X86_EMU_UNHANDLED;
	s = &c->seg[seg];
	if (c->mode == X86_MODE_LONG64) {
		u64 la = ea;

		if (seg == X86_SEG_FS || seg == X86_SEG_GS)
			la += s->base;
		if (!canonical(c, la) || !canonical(c, la + size - 1))
			return emu_raise(c, vec, 0);
		*linear = la;
		return X86_EMU_OK;
	}

	if (c->mode != X86_MODE_REAL) {
		if (s->unusable || !s->s)
			return emu_raise(c, vec, 0);
		if (s->type & 8) {
			/* Code: never writable, readable only if R is set. */
			if (write || !(s->type & 2))
				return emu_raise(c, vec, 0);
		} else if (write && !(s->type & 2)) {
			return emu_raise(c, vec, 0);
		}
	}

	if (c->mode != X86_MODE_REAL && !(s->type & 8) && (s->type & 4)) {
		u64 upper = s->db ? 0xffffffffULL : 0xffffULL;

		/* Expand-down: valid offsets are limit+1 .. upper. */
		if (ea <= s->limit || last > upper)
			return emu_raise(c, vec, 0);
	} else if (last > s->limit) {
		return emu_raise(c, vec, 0);
	}
	*linear = (s->base + ea) & 0xffffffffULL;
	return X86_EMU_OK;
}

static u64 modrm_ea(const struct emu_state *st, const struct x86_insn *insn)
{
	u64 ea = (u64)insn->disp;

	if (insn->base == X86_REG_RIP)
		ea += st->rip + insn->len;
	else if (insn->base != X86_REG_NONE)
		ea += st->regs[insn->base];
	if (insn->index != X86_REG_NONE)
		ea += st->regs[insn->index] << insn->scale;
	return ea & size_mask(insn->adsize);
}

static void opnd_setup(const struct emu_state *st, const struct x86_insn *insn,
		       unsigned int kind, unsigned int size, struct opnd *op)
{
	memset(op, 0, sizeof(*op));
	op->size = size;
	switch (kind) {
	case X86_OPND_E:
		if (insn->mod == 3) {
			op->type = OT_REG;
			op->reg = insn->rm;
		} else {
			op->type = OT_MEM;
			op->seg = insn->seg;
			op->ea = modrm_ea(st, insn);
		}
		break;
	case X86_OPND_G:
		op->type = OT_REG;
		op->reg = insn->reg;
		break;
	case X86_OPND_ACC:
		op->type = OT_REG;
		op->reg = X86_RAX;
		break;
	case X86_OPND_IMM:
		op->type = OT_IMM;
		op->val = insn->imm & size_mask(size);
		break;
	case X86_OPND_MOFFS:
		op->type = OT_MEM;
		op->seg = insn->seg;
		op->ea = (u64)insn->disp & size_mask(insn->adsize);
		break;
	default:
		op->type = OT_NONE;
		break;
	}
}

static int call_read(struct x86_emu_ctxt *c, u64 lin, void *buf,
		     unsigned int size)
{
	int ret = c->ops->read(c, lin, buf, size);

	if (ret == X86_EMU_OK || ret == X86_EMU_FAULT || ret == X86_EMU_STOP)
		return ret;
	return X86_EMU_UNHANDLED;
}

/* A STOP from the final write means "done": report it distinctly. */
static int call_write(struct x86_emu_ctxt *c, u64 lin, const void *buf,
		      unsigned int size)
{
	int ret = c->ops->write(c, lin, buf, size);

	if (ret == X86_EMU_STOP)
		return EMU_STOP_DONE;
	if (ret == X86_EMU_OK || ret == X86_EMU_FAULT)
		return ret;
	return X86_EMU_UNHANDLED;
}

static int opnd_read(struct x86_emu_ctxt *c, const struct emu_state *st,
		     const struct x86_insn *insn, struct opnd *op)
{
	u8 buf[8] = { 0 };
	int ret;

	switch (op->type) {
	case OT_REG:
		op->val = get_gpr(st, insn, op->reg, op->size);
		return X86_EMU_OK;
	case OT_MEM:
		ret = call_read(c, op->lin, buf, op->size);
		if (ret)
			return ret;
		op->val = le_load(buf, op->size);
		return X86_EMU_OK;
	default:
		return X86_EMU_OK;
	}
}

static int opnd_write(struct x86_emu_ctxt *c, struct emu_state *st,
		      const struct x86_insn *insn, struct opnd *op, u64 val)
{
	u8 buf[8];

	if (op->type == OT_REG) {
		set_gpr(st, insn, op->reg, op->size, val);
		return X86_EMU_OK;
	}
	le_store(buf, val, op->size);
	return call_write(c, op->lin, buf, op->size);
}

static bool parity_even(u64 v)
{
	u8 b = v;

	b ^= b >> 4;
	b ^= b >> 2;
	b ^= b >> 1;
	return !(b & 1);
}

static u64 flags_szp(u64 res, unsigned int size)
{
	u64 f = 0;

	res &= size_mask(size);
	if (!res)
		f |= X86_FLAG_ZF;
	if ((res >> (size * 8 - 1)) & 1)
		f |= X86_FLAG_SF;
	if (parity_even(res))
		f |= X86_FLAG_PF;
	return f;
}

static u64 do_add(u64 a, u64 b, u64 cin, unsigned int size, u64 *flags)
{
	u64 m = size_mask(size), res = (a + b + cin) & m;
	unsigned int top = size * 8 - 1;
	bool cf;

	a &= m;
	b &= m;
	if (size == 8)
		cf = res < a || (cin && res == a);
	else
		cf = ((a + b + cin) >> (size * 8)) & 1;
	*flags = flags_szp(res, size);
	if (cf)
		*flags |= X86_FLAG_CF;
	if ((((a ^ res) & (b ^ res)) >> top) & 1)
		*flags |= X86_FLAG_OF;
	if ((a ^ b ^ res) & 0x10)
		*flags |= X86_FLAG_AF;
	return res;
}

static u64 do_sub(u64 a, u64 b, u64 bin, unsigned int size, u64 *flags)
{
	u64 m = size_mask(size), res;
	unsigned int top = size * 8 - 1;
	bool cf;

	a &= m;
	b &= m;
	res = (a - b - bin) & m;
	cf = a < b || (bin && a == b);
	*flags = flags_szp(res, size);
	if (cf)
		*flags |= X86_FLAG_CF;
	if ((((a ^ b) & (a ^ res)) >> top) & 1)
		*flags |= X86_FLAG_OF;
	if ((a ^ b ^ res) & 0x10)
		*flags |= X86_FLAG_AF;
	return res;
}

/*
 * Two-operand arithmetic and logic.  Returns the result; *fl gets the new
 * flag values and *fmask the flags the operation defines.  AF after
 * AND/OR/XOR/TEST is architecturally undefined; it is cleared.
 */
static u64 alu(unsigned int op, u64 a, u64 b, unsigned int size,
	       u64 rflags, u64 *fl, u64 *fmask)
{
	u64 cf = rflags & X86_FLAG_CF ? 1 : 0, res;

	*fmask = X86_FLAGS_ARITH;
	switch (op) {
	case X86_OP_ADD:
		return do_add(a, b, 0, size, fl);
	case X86_OP_ADC:
		return do_add(a, b, cf, size, fl);
	case X86_OP_SUB:
	case X86_OP_CMP:
		return do_sub(a, b, 0, size, fl);
	case X86_OP_SBB:
		return do_sub(a, b, cf, size, fl);
	case X86_OP_NEG:
		return do_sub(0, a, 0, size, fl);
	case X86_OP_INC:
		*fmask &= ~X86_FLAG_CF;
		return do_add(a, 1, 0, size, fl);
	case X86_OP_DEC:
		*fmask &= ~X86_FLAG_CF;
		return do_sub(a, 1, 0, size, fl);
	case X86_OP_AND:
	case X86_OP_TEST:
		res = a & b;
		break;
	case X86_OP_OR:
		res = a | b;
		break;
	case X86_OP_XOR:
		res = a ^ b;
		break;
	default:
		*fmask = 0;
		return 0;
	}
	res &= size_mask(size);
	*fl = flags_szp(res, size);
	return res;
}

static bool op_reads_dst(unsigned int op)
{
	switch (op) {
	case X86_OP_MOV:
	case X86_OP_MOVZX:
	case X86_OP_MOVSX:
	case X86_OP_MOVSXD:
	case X86_OP_MOVNTI:
		return false;
	default:
		return true;
	}
}

static bool op_writes_dst(unsigned int op)
{
	return op != X86_OP_CMP && op != X86_OP_TEST && op != X86_OP_BT;
}

static bool op_is_bt(unsigned int op)
{
	return op == X86_OP_BT || op == X86_OP_BTS || op == X86_OP_BTR ||
	       op == X86_OP_BTC;
}

static unsigned int log2_size(unsigned int size)
{
	return size == 8 ? 3 : size == 4 ? 2 : size == 2 ? 1 : 0;
}

/* Non-string, non-vector instructions: at most one memory operand. */
static int emulate_int(struct x86_emu_ctxt *c, const struct x86_insn *insn)
{
	const struct x86_opcode_desc *d = insn->desc;
	unsigned int op = d->op, size = insn->opsize, ssize = size;
	bool rd_dst = op_reads_dst(op), wr_dst = op_writes_dst(op);
	u64 res = 0, fl = 0, fmask = 0;
	struct emu_state st;
	struct opnd dst, src;
	int ret;

	state_load(c, &st);
	if (op == X86_OP_MOVZX || op == X86_OP_MOVSX)
		ssize = (d->flags & X86_F_SRC16) ? 2 : 1;
	else if (op == X86_OP_MOVSXD)
		ssize = size == 8 ? 4 : size;

	opnd_setup(&st, insn, d->dst, size, &dst);
	opnd_setup(&st, insn, d->src, ssize, &src);
	/* A register bit offset may address outside the operand (BT m,r). */
	if (op_is_bt(op) && dst.type == OT_MEM && src.type == OT_REG) {
		s64 off = sext(get_gpr(&st, insn, src.reg, size), size);

		dst.ea += (u64)((off >> (3 + log2_size(size))) * (s64)size);
		dst.ea &= size_mask(insn->adsize);
	}

	/* All segmentation checks first: a fault must precede any access. */
	if (src.type == OT_MEM) {
		ret = x86_emu_linear(c, src.seg, src.ea, src.size, false,
				     &src.lin);
		if (ret)
			return ret;
	}
	if (dst.type == OT_MEM) {
		ret = x86_emu_linear(c, dst.seg, dst.ea, dst.size, wr_dst,
				     &dst.lin);
		if (ret)
			return ret;
	}

	ret = opnd_read(c, &st, insn, &src);
	if (ret)
		return ret;
	if (rd_dst) {
		ret = opnd_read(c, &st, insn, &dst);
		if (ret)
			return ret;
	}

	switch (op) {
	case X86_OP_MOV:
	case X86_OP_MOVNTI:
	case X86_OP_MOVZX:
		res = src.val;
		break;
	case X86_OP_MOVSX:
	case X86_OP_MOVSXD:
		res = (u64)sext(src.val, ssize);
		break;
	case X86_OP_NOT:
		res = ~dst.val;
		break;
	case X86_OP_XCHG:
		res = src.val;
		break;
	case X86_OP_BT:
	case X86_OP_BTS:
	case X86_OP_BTR:
	case X86_OP_BTC: {
		unsigned int bit = src.val & (size * 8 - 1);
		u64 m = 1ULL << bit;

		fmask = X86_FLAG_CF;
		fl = (dst.val & m) ? X86_FLAG_CF : 0;
		if (op == X86_OP_BTS)
			res = dst.val | m;
		else if (op == X86_OP_BTR)
			res = dst.val & ~m;
		else
			res = dst.val ^ m;
		break;
	}
	case X86_OP_ADD: case X86_OP_OR: case X86_OP_ADC: case X86_OP_SBB:
	case X86_OP_AND: case X86_OP_SUB: case X86_OP_XOR: case X86_OP_CMP:
	case X86_OP_TEST: case X86_OP_NEG: case X86_OP_INC: case X86_OP_DEC:
		res = alu(op, dst.val, src.val, size, st.rflags, &fl, &fmask);
		break;
	default:
		return X86_EMU_UNHANDLED;
	}
	st.rflags = (st.rflags & ~fmask) | (fl & fmask);

	if (op == X86_OP_XCHG)
		set_gpr(&st, insn, src.reg, size, dst.val);
	advance_rip(&st, insn);
	ret = X86_EMU_OK;
	if (wr_dst) {
		ret = opnd_write(c, &st, insn, &dst, res);
		if (ret != X86_EMU_OK && ret != EMU_STOP_DONE)
			return ret;
	}
	state_commit(c, &st);
	return ret == EMU_STOP_DONE ? X86_EMU_STOP : X86_EMU_OK;
}

static bool string_uses_si(unsigned int op)
{
	return op == X86_OP_MOVS || op == X86_OP_CMPS || op == X86_OP_LODS ||
	       op == X86_OP_OUTS;
}

static bool string_uses_di(unsigned int op)
{
	return op == X86_OP_MOVS || op == X86_OP_CMPS || op == X86_OP_STOS ||
	       op == X86_OP_INS || op == X86_OP_SCAS;
}

/* Bytes one iteration reads (memory or port): what a caller buffered. */
static unsigned int string_read_bytes(const struct x86_insn *insn)
{
	switch (insn->desc->op) {
	case X86_OP_CMPS:
		return 2 * insn->opsize;
	case X86_OP_STOS:
		return 0;
	default:
		return insn->opsize;
	}
}

/*
 * One iteration of a string instruction on *st.  Returns X86_EMU_OK,
 * EMU_STOP_DONE (final access taken by the caller), or X86_EMU_STOP /
 * X86_EMU_FAULT / X86_EMU_UNHANDLED with the iteration not done.
 */
static int string_iteration(struct x86_emu_ctxt *c,
			    const struct x86_insn *insn, struct emu_state *st)
{
	unsigned int op = insn->desc->op, size = insn->opsize;
	unsigned int ad = insn->adsize;
	u64 am = size_mask(ad), si = st->regs[X86_RSI] & am;
	u64 di = st->regs[X86_RDI] & am, si_lin = 0, di_lin = 0;
	u64 delta = (st->rflags & X86_FLAG_DF) ? -(u64)size : size;
	bool use_si = string_uses_si(op), use_di = string_uses_di(op);
	bool wr_di = op == X86_OP_MOVS || op == X86_OP_STOS || op == X86_OP_INS;
	u8 a[8] = { 0 }, b[8] = { 0 };
	u64 fl, fmask;
	int ret;

	if ((op == X86_OP_INS && !c->ops->pio_in) ||
	    (op == X86_OP_OUTS && !c->ops->pio_out))
		return X86_EMU_UNHANDLED;

	if (use_si) {
		ret = x86_emu_linear(c, insn->seg, si, size, false, &si_lin);
		if (ret)
			return ret;
	}
	if (use_di) {
		/* The destination segment is always ES. */
		ret = x86_emu_linear(c, X86_SEG_ES, di, size, wr_di, &di_lin);
		if (ret)
			return ret;
	}

	switch (op) {
	case X86_OP_MOVS:
		ret = call_read(c, si_lin, a, size);
		if (ret)
			return ret;
		ret = call_write(c, di_lin, a, size);
		break;
	case X86_OP_STOS:
		le_store(a, st->regs[X86_RAX], size);
		ret = call_write(c, di_lin, a, size);
		break;
	case X86_OP_LODS:
		ret = call_read(c, si_lin, a, size);
		if (ret)
			return ret;
		set_gpr(st, insn, X86_RAX, size, le_load(a, size));
		break;
	case X86_OP_CMPS:
		ret = call_read(c, si_lin, a, size);
		if (ret)
			return ret;
		ret = call_read(c, di_lin, b, size);
		if (ret)
			return ret;
		alu(X86_OP_CMP, le_load(a, size), le_load(b, size), size,
		    st->rflags, &fl, &fmask);
		st->rflags = (st->rflags & ~fmask) | (fl & fmask);
		break;
	case X86_OP_SCAS:
		ret = call_read(c, di_lin, b, size);
		if (ret)
			return ret;
		alu(X86_OP_CMP, st->regs[X86_RAX], le_load(b, size), size,
		    st->rflags, &fl, &fmask);
		st->rflags = (st->rflags & ~fmask) | (fl & fmask);
		break;
	case X86_OP_INS:
		ret = c->ops->pio_in(c, st->regs[X86_RDX] & 0xffff, a, size);
		if (ret)
			return ret == X86_EMU_FAULT || ret == X86_EMU_STOP ?
			       ret : X86_EMU_UNHANDLED;
		ret = call_write(c, di_lin, a, size);
		break;
	case X86_OP_OUTS:
		ret = call_read(c, si_lin, a, size);
		if (ret)
			return ret;
		ret = c->ops->pio_out(c, st->regs[X86_RDX] & 0xffff, a, size);
		if (ret == X86_EMU_STOP)
			ret = EMU_STOP_DONE;
		else if (ret != X86_EMU_OK && ret != X86_EMU_FAULT)
			ret = X86_EMU_UNHANDLED;
		break;
	default:
		return X86_EMU_UNHANDLED;
	}
	if (ret != X86_EMU_OK && ret != EMU_STOP_DONE)
		return ret;

	if (use_si)
		set_addr_reg(st, X86_RSI, ad, si + delta);
	if (use_di)
		set_addr_reg(st, X86_RDI, ad, di + delta);
	return ret;
}

static int emulate_string(struct x86_emu_ctxt *c, const struct x86_insn *insn)
{
	unsigned int op = insn->desc->op, ad = insn->adsize;
	unsigned int limit = c->rep_limit ? c->rep_limit : X86_EMU_REP_DEFAULT;
	bool cond = op == X86_OP_CMPS || op == X86_OP_SCAS;
	struct emu_state st;
	u64 count;
	int ret;

	for (;;) {
		bool finished;

		state_load(c, &st);
		count = st.regs[X86_RCX] & size_mask(ad);
		if (insn->rep && !count) {
			/*
			 * Even with no iteration, a 32-bit address size writes
			 * ECX back (clearing its upper half), and MOVS/STOS
			 * their ESI/EDI too, as measured on Intel hardware; the
			 * architecture leaves this open.
			 */
			if (ad == 4) {
				set_addr_reg(&st, X86_RCX, ad, 0);
				if (op == X86_OP_MOVS)
					set_addr_reg(&st, X86_RSI, ad,
						     st.regs[X86_RSI]);
				if (op == X86_OP_MOVS || op == X86_OP_STOS)
					set_addr_reg(&st, X86_RDI, ad,
						     st.regs[X86_RDI]);
			}
			advance_rip(&st, insn);
			state_commit(c, &st);
			c->str_done = true;
			return X86_EMU_OK;
		}
		if (c->str_iterations >= limit)
			return X86_EMU_OK;

		ret = string_iteration(c, insn, &st);
		if (ret != X86_EMU_OK && ret != EMU_STOP_DONE)
			return ret;

		finished = !insn->rep;
		if (insn->rep) {
			count--;
			set_addr_reg(&st, X86_RCX, ad, count);
			if (!count)
				finished = true;
			else if (cond && insn->rep == X86_REP_REPE &&
				 !(st.rflags & X86_FLAG_ZF))
				finished = true;
			else if (cond && insn->rep == X86_REP_REPNE &&
				 (st.rflags & X86_FLAG_ZF))
				finished = true;
		}
		if (finished)
			advance_rip(&st, insn);
		state_commit(c, &st);
		c->str_iterations++;
		c->str_read_bytes += string_read_bytes(insn);
		c->str_done = finished;
		if (ret == EMU_STOP_DONE)
			return X86_EMU_STOP;
		if (finished)
			return X86_EMU_OK;
	}
}

/* SSE/AVX moves: bytes are copied, never interpreted. */
static int emulate_vector(struct x86_emu_ctxt *c, const struct x86_insn *insn)
{
	const struct x86_opcode_desc *d = insn->desc;
	unsigned int vlen = insn->vlen, full = insn->vex_l ? 32 : 16;
	u8 buf[32] = { 0 };
	struct emu_state st;
	u64 lin = 0;
	int ret;

	if (!c->ops->get_vec || !c->ops->set_vec)
		return X86_EMU_UNHANDLED;
	state_load(c, &st);

	if (insn->mem) {
		ret = x86_emu_linear(c, insn->seg, modrm_ea(&st, insn), vlen,
				     d->op == X86_OP_VSTORE, &lin);
		if (ret)
			return ret;
		if ((d->flags & X86_F_ALIGN) && (lin & (vlen - 1)))
			return emu_raise(c, X86_VEC_GP, 0);
	}

	if (d->op == X86_OP_VLOAD) {
		if (insn->mem) {
			ret = call_read(c, lin, buf, vlen);
			if (ret)
				return ret;
		} else if (d->src == X86_OPND_E) {
			le_store(buf, get_gpr(&st, insn, insn->rm, vlen), vlen);
		} else if (c->ops->get_vec(c, insn->rm, buf, vlen)) {
			return X86_EMU_UNHANDLED;
		}
		if (c->ops->set_vec(c, insn->reg, buf, full, insn->vex))
			return X86_EMU_UNHANDLED;
		advance_rip(&st, insn);
		state_commit(c, &st);
		return X86_EMU_OK;
	}

	if (c->ops->get_vec(c, insn->reg, buf, vlen))
		return X86_EMU_UNHANDLED;
	advance_rip(&st, insn);
	if (insn->mem) {
		ret = call_write(c, lin, buf, vlen);
		if (ret != X86_EMU_OK && ret != EMU_STOP_DONE)
			return ret;
		state_commit(c, &st);
		return ret == EMU_STOP_DONE ? X86_EMU_STOP : X86_EMU_OK;
	}
	if (d->dst == X86_OPND_E) {
		set_gpr(&st, insn, insn->rm, vlen, le_load(buf, vlen));
	} else {
		/* Register destination: zero-extended to the full width. */
		memset(buf + vlen, 0, sizeof(buf) - vlen);
		if (c->ops->set_vec(c, insn->rm, buf, full, insn->vex))
			return X86_EMU_UNHANDLED;
	}
	state_commit(c, &st);
	return X86_EMU_OK;
}

/**
 * x86_emulate() - execute one decoded instruction
 * @c: guest state and callbacks; @c->mode must match @insn->mode.
 * @insn: instruction from x86_decode().
 *
 * See x86_emulate.h for the restart contract.  Not emulated (returns
 * X86_EMU_UNHANDLED): MOV to/from segment registers, vector moves
 * without the vector callbacks, INS/OUTS without the port callbacks.
 * Alignment checking (#AC) is not performed.
 *
 * Return: X86_EMU_OK (registers, RFLAGS and RIP updated; for a REP
 * instruction that hit the iteration limit RIP is unchanged and
 * @c->str_done is false), X86_EMU_FAULT (@c->exception set),
 * X86_EMU_STOP or X86_EMU_UNHANDLED.
 */
int x86_emulate(struct x86_emu_ctxt *c, const struct x86_insn *insn)
{
	const struct x86_opcode_desc *d = insn->desc;

	c->str_iterations = 0;
	c->str_read_bytes = 0;
	c->str_done = false;
	if (!d || insn->mode != c->mode || !c->ops || !c->ops->read ||
	    !c->ops->write)
		return X86_EMU_UNHANDLED;

	switch (d->op) {
	case X86_OP_MOVS:
	case X86_OP_CMPS:
	case X86_OP_STOS:
	case X86_OP_LODS:
	case X86_OP_SCAS:
	case X86_OP_INS:
	case X86_OP_OUTS:
		return emulate_string(c, insn);
	case X86_OP_VLOAD:
	case X86_OP_VSTORE:
		return emulate_vector(c, insn);
	case X86_OP_NONE:
	case X86_OP_MOV_SREG:
		return X86_EMU_UNHANDLED;
	default:
		return emulate_int(c, insn);
	}
}
