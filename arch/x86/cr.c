// SPDX-License-Identifier: GPL-2.0
/*
 * Guest writes to CR0 and CR4 (MOV to CR, CLTS, LMSW), and debug-register
 * moves while userspace's hardware breakpoints own the real ones.
 *
 * They exit so that the checks depend on what the guest's CPUID offers,
 * not on what the host CPU would accept, and so that the combinations the
 * architecture forbids fault even where the CPU model (e.g. under
 * emulation) would let them through.  Entering and leaving long mode
 * through CR0.PG is done here, as the CPU would: EFER.LMA follows.
 */
#include <asm/processor-flags.h>
#include <asm/traps.h>

#include <kvmod_cpuid.h>
#include <kvmod_x86.h>

#include "emulate/x86_emulate.h"

/* CR4 bits whose change invalidates cached translations. */
#define CR4_PAGING_BITS (X86_CR4_PGE | X86_CR4_PAE | X86_CR4_PSE | \
			 X86_CR4_PCIDE | X86_CR4_SMEP | X86_CR4_SMAP | \
			 X86_CR4_LA57 | X86_CR4_PKE)

static void flush_own_tlb(struct kvmod_vcpu *vcpu)
{
	set_bit(KVMOD_REQ_TLB_FLUSH, &vcpu->arch.requests);
}

/**
 * kvmod_set_cr0() - the guest writes CR0
 * @vcpu: the vCPU
 * @s: its current sregs; updated and loaded on success
 * @val: the new value
 *
 * Return: 0, or 1 when the write must raise #GP.
 */
int kvmod_set_cr0(struct kvmod_vcpu *vcpu, struct kvm_sregs *s, u64 val)
{
	u64 old = s->cr0;

	val |= X86_CR0_ET;	/* hardwired to 1 */
	if ((val >> 32) || ((val & X86_CR0_NW) && !(val & X86_CR0_CD)) ||
	    ((val & X86_CR0_PG) && !(val & X86_CR0_PE)))
		return 1;

	if (!(old & X86_CR0_PG) && (val & X86_CR0_PG) &&
	    (s->efer & EFER_LME)) {
		/* Activating long mode needs PAE paging. */
		if (!(s->cr4 & X86_CR4_PAE))
			return 1;
		s->efer |= EFER_LMA;
	} else if ((old & X86_CR0_PG) && !(val & X86_CR0_PG) &&
		   (s->efer & EFER_LMA)) {
		/* Leaving it is only allowed from compatibility mode. */
		if (s->cs.l)
			return 1;
		s->efer &= ~EFER_LMA;
	}

	s->cr0 = val;
	kvmod_x86->set_sregs(vcpu, s);
	if ((old ^ val) & (X86_CR0_PG | X86_CR0_PE | X86_CR0_WP))
		flush_own_tlb(vcpu);
	return 0;
}

/**
 * kvmod_set_cr4() - the guest writes CR4
 * @vcpu: the vCPU
 * @s: its current sregs; updated and loaded on success
 * @val: the new value
 *
 * Return: 0, or 1 when the write must raise #GP.
 */
int kvmod_set_cr4(struct kvmod_vcpu *vcpu, struct kvm_sregs *s, u64 val)
{
	u64 old = s->cr4;

	if (val & kvmod_cr4_guest_reserved(vcpu))
		return 1;
	/* In long mode PAE stays on and the paging depth cannot change. */
	if ((s->efer & EFER_LMA) &&
	    (!(val & X86_CR4_PAE) || ((old ^ val) & X86_CR4_LA57)))
		return 1;

	s->cr4 = val;
	kvmod_x86->set_sregs(vcpu, s);
	if ((old ^ val) & CR4_PAGING_BITS)
		flush_own_tlb(vcpu);
	return 0;
}

static bool legacy_prefix(u8 b)
{
	switch (b) {
	case 0x26: case 0x2e: case 0x36: case 0x3e: case 0x64: case 0x65:
	case 0x66: case 0x67: case 0xf0: case 0xf2: case 0xf3:
		return true;
	default:
		return false;
	}
}

/*
 * Skip legacy prefixes and, in 64-bit mode, a REX prefix (returned in
 * @rex).  Returns the offset of the opcode.
 */
static unsigned int skip_prefixes(const u8 *b, unsigned int n, bool long_mode,
				  u8 *rex)
{
	unsigned int i = 0;

	*rex = 0;
	while (i < n && legacy_prefix(b[i]))
		i++;
	if (long_mode && i < n && (b[i] & 0xf0) == 0x40)
		*rex = b[i++];
	return i;
}

/*
 * Decode MOV CRn,reg (0F 22), CLTS (0F 06) or register-form LMSW
 * (0F 01 /6).  Returns the length, or 0 if it is none of them.
 */
static unsigned int decode_cr_write(struct kvmod_vcpu *vcpu, const u8 *b,
				    unsigned int n, bool long_mode,
				    unsigned int *cr, u64 *cr0_val, u64 *val)
{
	u8 rex, modrm;
	unsigned int i = skip_prefixes(b, n, long_mode, &rex);

	if (i + 2 > n || b[i] != 0x0f)
		return 0;

	switch (b[i + 1]) {
	case 0x06:				/* CLTS */
		*cr = 0;
		*val = *cr0_val & ~X86_CR0_TS;
		return i + 2;
	case 0x22:				/* MOV CRn, reg */
		if (i + 3 > n)
			return 0;
		modrm = b[i + 2];
		*cr = ((modrm >> 3) & 7) | (rex & 4 ? 8 : 0);
		*val = *kvmod_gpr(vcpu, (modrm & 7) | (rex & 1 ? 8 : 0));
		if (!long_mode)
			*val = (u32)*val;
		return i + 3;
	case 0x01:				/* LMSW reg: low 4 bits */
		if (i + 3 > n)
			return 0;
		modrm = b[i + 2];
		if (((modrm >> 3) & 7) != 6 || (modrm >> 6) != 3)
			return 0;
		*cr = 0;
		*val = *kvmod_gpr(vcpu, (modrm & 7) | (rex & 1 ? 8 : 0)) & 0xf;
		/* LMSW can set PE but never clear it. */
		*val = (*cr0_val & ~0xeULL) | *val | (*cr0_val & X86_CR0_PE);
		return i + 3;
	default:
		return 0;
	}
}

/* MOV DRn,reg (0F 23) or MOV reg,DRn (0F 21): the length, or 0. */
static unsigned int decode_dr_move(const u8 *b, unsigned int n, bool long_mode,
				   unsigned int *dr, unsigned int *reg,
				   bool *write)
{
	u8 rex;
	unsigned int i = skip_prefixes(b, n, long_mode, &rex);

	if (i + 3 > n || b[i] != 0x0f || (b[i + 1] != 0x21 && b[i + 1] != 0x23))
		return 0;
	*write = b[i + 1] == 0x23;
	*dr = (b[i + 2] >> 3) & 7;
	*reg = (b[i + 2] & 7) | (rex & 1 ? 8 : 0);
	return i + 3;
}

/**
 * kvmod_emulate_dr_access() - the guest moves to or from a debug register
 *	while the hardware ones hold userspace's breakpoints
 * @vcpu: the vCPU, at the instruction
 *
 * Return: as exit handlers do.
 */
int kvmod_emulate_dr_access(struct kvmod_vcpu *vcpu)
{
	u8 bytes[X86_MAX_INSN_LEN] = {};
	struct kvm_debugregs dbg = {};
	struct x86_emu_ctxt c;
	struct x86_insn insn;
	struct kvm_sregs s;
	unsigned int nbytes = 0, len, dr, reg;
	bool write;
	u64 *val;

	kvmod_emul_ctxt_init(vcpu, &c, &s);
	if (kvmod_fetch_insn(vcpu, &c, &s, &insn, bytes, &nbytes) == 1)
		return 1;
	len = decode_dr_move(bytes, nbytes, c.mode == X86_MODE_LONG64, &dr,
			     &reg, &write);
	if (!len)
		return kvmod_emulation_failed(vcpu, bytes, nbytes);
	if (c.cpl) {
		kvmod_queue_exception(vcpu, GP_VECTOR, true, 0);
		return 1;
	}
	/* DR4/DR5 alias DR6/DR7 unless CR4.DE makes them reserved. */
	if (dr == 4 || dr == 5) {
		if (s.cr4 & X86_CR4_DE) {
			kvmod_queue_exception(vcpu, UD_VECTOR, false, 0);
			return 1;
		}
		dr += 2;
	}

	kvmod_x86->get_debugregs(vcpu, &dbg);
	val = dr < 4 ? &dbg.db[dr] : dr == 6 ? &dbg.dr6 : &dbg.dr7;
	if (write) {
		u64 v = *kvmod_gpr(vcpu, reg);

		if (c.mode != X86_MODE_LONG64)
			v = (u32)v;
		if (dr >= 6 && (v >> 32)) {
			kvmod_queue_exception(vcpu, GP_VECTOR, true, 0);
			return 1;
		}
		*val = v;
		kvmod_x86->set_debugregs(vcpu, &dbg);
	} else {
		*kvmod_gpr(vcpu, reg) = c.mode == X86_MODE_LONG64 ? *val : (u32)*val;
	}
	kvmod_advance_rip(vcpu, vcpu->arch.regs.rip + len);
	return 1;
}

/* CR8 is the TPR's priority class: the APIC's, if it is in the kernel. */
static int set_cr8(struct kvmod_vcpu *vcpu, u64 val)
{
	if (val & ~0xfULL)
		return 1;
	kvmod_x86->set_cr8(vcpu, val);
	if (vcpu->arch.lapic)
		kvmod_lapic_set_cr8(vcpu, val);
	return 0;
}

/**
 * kvmod_emulate_cr_write() - a CR0, CR4 or CR8 write exited: perform it
 * @vcpu: the vCPU, at the instruction
 *
 * Return: as exit handlers do.
 */
int kvmod_emulate_cr_write(struct kvmod_vcpu *vcpu)
{
	u8 bytes[X86_MAX_INSN_LEN] = {};
	struct x86_emu_ctxt c;
	struct x86_insn insn;
	struct kvm_sregs s;
	unsigned int nbytes = 0, len, cr;
	u64 val;
	int r;

	kvmod_emul_ctxt_init(vcpu, &c, &s);
	r = kvmod_fetch_insn(vcpu, &c, &s, &insn, bytes, &nbytes);
	if (r == 1)
		return 1;
	/* The decoder need not know these opcodes: the bytes are enough. */
	len = decode_cr_write(vcpu, bytes, nbytes, c.mode == X86_MODE_LONG64,
			      &cr, &s.cr0, &val);
	if (!len || (cr != 0 && cr != 4 && cr != 8))
		return kvmod_emulation_failed(vcpu, bytes, nbytes);

	if (c.cpl)
		r = 1;
	else if (cr == 0)
		r = kvmod_set_cr0(vcpu, &s, val);
	else if (cr == 4)
		r = kvmod_set_cr4(vcpu, &s, val);
	else
		r = set_cr8(vcpu, val);
	if (r)
		kvmod_queue_exception(vcpu, GP_VECTOR, true, 0);
	else
		kvmod_advance_rip(vcpu, vcpu->arch.regs.rip + len);
	return 1;
}
