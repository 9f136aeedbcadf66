// SPDX-License-Identifier: GPL-2.0
/*
 * Running the instruction emulator for the guest: MMIO (KVM_EXIT_MMIO)
 * and accesses to read-only memslots.
 *
 * An MMIO read needs userspace before the instruction can finish, so the
 * instruction is emulated again on the next KVM_RUN; the emulator repeats
 * its reads in the same order and we serve the completed ones from
 * emul->rbuf.  Writes are the last access of an instruction: it completes
 * at once and its MMIO fragments (8 bytes each) go to userspace one exit
 * at a time.
 *
 * An MMIO exit is the hot path: the emulation after a nested page fault
 * takes the operand's guest-physical address from the fault where that is
 * safe (see translate()) instead of walking the guest page tables again;
 * the fetch checks the last fetch walk instead of redoing it and does not
 * decode the same bytes twice (fetch_decode()); and the instruction of a
 * read that went to userspace is kept for its completion, which then
 * neither fetches nor decodes it again.
 */
#include <linux/mm.h>
#include <linux/uaccess.h>

#include <kvmod_x86.h>

#include "emulate/x86_emulate.h"
#include "emulate/x86_walk.h"

#define MMIO_FRAG	8	/* kvm_run->mmio.data */

/*
 * One emulation pass.  Not zero-initialized as a whole (it is large and
 * built on every MMIO exit): emulate_once() sets every field.
 */
struct emul_call {
	struct x86_emu_ctxt ctxt;
	struct kvmod_vcpu *vcpu;
	struct kvm_sregs sregs;
	u64 npf_gpa;		/* the nested page fault's GPA ... */
	u8 npf_access;		/* ... and the KVMOD_MMIO_GPA_* it may serve */
	bool failed;		/* an internal limit was hit */
};

/* The decoded instruction kept in vcpu->arch.emul between passes. */
static struct x86_insn *emul_insn(struct kvmod_emul *e)
{
	BUILD_BUG_ON(sizeof(struct x86_insn) > sizeof(e->insn));
	BUILD_BUG_ON(__alignof__(struct x86_insn) > __alignof__(e->insn));
	return (struct x86_insn *)e->insn;
}

static struct emul_call *to_call(struct x86_emu_ctxt *c)
{
	return container_of(c, struct emul_call, ctxt);
}

static void set_fault_pf(struct x86_emu_ctxt *c, u64 la, u32 error)
{
	c->exception = (struct x86_emu_exception) {
		.vector = X86_VEC_PF,
		.error_code_valid = true,
		.error_code = error,
		.cr2 = la,
	};
}

/*
 * Translate @la for a data access; X86_EMU_OK or X86_EMU_FAULT.
 *
 * After a nested page fault on the final guest-physical address of a
 * data access, the CPU has already walked the guest page tables for that
 * access, with its permission checks.  When the instruction accesses
 * memory at one linear address only (npf_access is set only then) and
 * this access is of the same kind, at the same offset in its page, it is
 * the access that faulted: use the fault's GPA instead of walking again.
 */
static int translate(struct emul_call *call, u64 la, bool write, u64 *gpa)
{
	unsigned int access = write ? X86_WALK_WRITE : 0;
	u32 error;
	int r;

	if (call->npf_access ==
	    (write ? KVMOD_MMIO_GPA_WRITE : KVMOD_MMIO_GPA_READ) &&
	    offset_in_page(la) == offset_in_page(call->npf_gpa)) {
		*gpa = call->npf_gpa;
		return X86_EMU_OK;
	}
	if (call->ctxt.cpl == 3)
		access |= X86_WALK_USER;
	r = kvmod_gva_to_gpa(call->vcpu, &call->sregs, call->ctxt.rflags, la,
			     access, gpa, &error);
	if (r == X86_WALK_PF) {
		set_fault_pf(&call->ctxt, la, error);
		return X86_EMU_FAULT;
	}
	if (r < 0) {
		call->failed = true;
		return X86_EMU_STOP;
	}
	return X86_EMU_OK;
}

/* Bytes from @la to the end of its page, at most @max. */
static unsigned int chunk_len(u64 la, unsigned int max)
{
	return min_t(u64, max, PAGE_SIZE - offset_in_page(la));
}

static void start_mmio_exit(struct kvmod_vcpu *vcpu, u64 gpa,
			    const void *data, unsigned int len, bool write)
{
	struct kvm_run *run = vcpu->run;

	run->exit_reason = KVM_EXIT_MMIO;
	run->mmio.phys_addr = gpa;
	run->mmio.len = len;
	run->mmio.is_write = write;
	memset(run->mmio.data, 0, sizeof(run->mmio.data));
	if (write)
		memcpy(run->mmio.data, data, len);
}

static int emul_read(struct x86_emu_ctxt *c, u64 la, void *buf,
		     unsigned int size)
{
	struct emul_call *call = to_call(c);
	struct kvmod_emul *e = &call->vcpu->arch.emul;
	unsigned int have;
	u64 gpa;
	int r;

	have = e->rfill - e->rpos;
	while (have < size) {
		unsigned int len = chunk_len(la + have, size - have);

		if (e->rfill + len > sizeof(e->rbuf)) {
			call->failed = true;
			return X86_EMU_STOP;
		}
		r = translate(call, la + have, false, &gpa);
		if (r != X86_EMU_OK)
			return r;
		r = kvmod_gpa_rw(call->vcpu, gpa, e->rbuf + e->rfill, len, false);
		if (r == KVMOD_GPA_MMIO && len <= MMIO_FRAG &&
		    !kvmod_io_bus_access(call->vcpu, KVMOD_MMIO_BUS, gpa,
					 e->rbuf + e->rfill, len, false))
			r = 0;
		if (r == KVMOD_GPA_MMIO) {
			/* Userspace reads it; we run the instruction again. */
			len = min_t(unsigned int, len, MMIO_FRAG);
			start_mmio_exit(call->vcpu, gpa, NULL, len, false);
			e->read_len = len;
			return X86_EMU_STOP;
		}
		if (r) {
			call->failed = true;
			return X86_EMU_STOP;
		}
		e->rfill += len;
		have += len;
	}
	memcpy(buf, e->rbuf + e->rpos, size);
	e->rpos += size;
	return X86_EMU_OK;
}

static int emul_write(struct x86_emu_ctxt *c, u64 la, const void *buf,
		      unsigned int size)
{
	struct emul_call *call = to_call(c);
	struct kvmod_emul *e = &call->vcpu->arch.emul;
	unsigned int off, len, n = 0;
	u64 gpa[2];
	int r;

	/* Translate every page first: a fault must leave memory untouched. */
	for (off = 0; off < size; off += len, n++) {
		len = chunk_len(la + off, size - off);
		r = translate(call, la + off, true, &gpa[n]);
		if (r != X86_EMU_OK)
			return r;
	}

	e->nfrags = 0;
	e->next_frag = 0;
	for (off = 0, n = 0; off < size; off += len, n++) {
		unsigned int o;

		len = chunk_len(la + off, size - off);
		r = kvmod_gpa_rw(call->vcpu, gpa[n], (void *)buf + off, len, true);
		if (!r)
			continue;
		if (r != KVMOD_GPA_MMIO) {
			call->failed = true;
			return X86_EMU_STOP;
		}
		for (o = 0; o < len; o += MMIO_FRAG) {
			unsigned int flen = min_t(unsigned int, MMIO_FRAG, len - o);
			struct kvmod_mmio_frag *f;

			if (!kvmod_io_bus_access(call->vcpu, KVMOD_MMIO_BUS,
						 gpa[n] + o, (void *)buf + off + o,
						 flen, true))
				continue;
			f = &e->frags[e->nfrags++];
			f->gpa = gpa[n] + o;
			f->len = flen;
			memcpy(f->data, buf + off + o, f->len);
		}
	}
	if (!e->nfrags)
		return X86_EMU_OK;
	start_mmio_exit(call->vcpu, e->frags[0].gpa, e->frags[0].data,
			e->frags[0].len, true);
	e->next_frag = 1;
	return X86_EMU_STOP;
}

static int emul_get_vec(struct x86_emu_ctxt *c, unsigned int reg, void *buf,
			unsigned int size)
{
	return kvmod_guest_vec_reg(to_call(c)->vcpu, reg, buf, size, false,
				   false) ? X86_EMU_UNHANDLED : X86_EMU_OK;
}

static int emul_set_vec(struct x86_emu_ctxt *c, unsigned int reg,
			const void *buf, unsigned int size, bool zero_upper)
{
	return kvmod_guest_vec_reg(to_call(c)->vcpu, reg, (void *)buf, size,
				   true, zero_upper) ?
	       X86_EMU_UNHANDLED : X86_EMU_OK;
}

static const struct x86_emu_ops emul_ops = {
	.read = emul_read,
	.write = emul_write,
	.get_vec = emul_get_vec,
	.set_vec = emul_set_vec,
};

/* struct kvm_regs does not keep the hardware order; this maps it. */
#define GPR(name)	(offsetof(struct kvm_regs, name) / sizeof(u64))
static const u8 gpr_index[16] = {
	GPR(rax), GPR(rcx), GPR(rdx), GPR(rbx), GPR(rsp), GPR(rbp),
	GPR(rsi), GPR(rdi), GPR(r8), GPR(r9), GPR(r10), GPR(r11),
	GPR(r12), GPR(r13), GPR(r14), GPR(r15),
};

static inline u64 *gpr_slot(struct kvm_regs *r, unsigned int n)
{
	return (u64 *)r + gpr_index[n & 15];
}

/**
 * kvmod_gpr() - a general register by its hardware number (RAX=0..R15=15)
 * @vcpu: the vCPU
 * @n: register number
 */
u64 *kvmod_gpr(struct kvmod_vcpu *vcpu, unsigned int n)
{
	return gpr_slot(&vcpu->arch.regs, n);
}

/**
 * kvmod_advance_rip() - move RIP past an instruction kvmod carried out
 * @vcpu: the vCPU
 * @rip: the new RIP
 *
 * Completing an instruction ends an STI or MOV SS interrupt shadow.
 */
void kvmod_advance_rip(struct kvmod_vcpu *vcpu, u64 rip)
{
	vcpu->arch.regs.rip = rip;
	kvmod_x86->set_interrupt_shadow(vcpu, 0);
}

static void seg_to_emu(const struct kvm_segment *s, struct x86_emu_seg *e)
{
	*e = (struct x86_emu_seg) {
		.base = s->base,
		.limit = s->limit,
		.type = s->type,
		.s = s->s,
		.db = s->db,
		.unusable = s->unusable || !s->present,
	};
}

/**
 * kvmod_emul_ctxt_init() - the emulator's view of a vCPU
 * @vcpu: the vCPU
 * @c: context to fill; the caller sets ops and opaque
 * @s: filled with the vCPU's segment and control registers
 */
void kvmod_emul_ctxt_init(struct kvmod_vcpu *vcpu, struct x86_emu_ctxt *c,
			  struct kvm_sregs *s)
{
	const struct kvm_segment *segs[X86_NR_SEGS] = {
		[X86_SEG_ES] = &s->es, [X86_SEG_CS] = &s->cs,
		[X86_SEG_SS] = &s->ss, [X86_SEG_DS] = &s->ds,
		[X86_SEG_FS] = &s->fs, [X86_SEG_GS] = &s->gs,
	};
	struct kvm_regs *r = &vcpu->arch.regs;
	int i;

	kvmod_x86->get_sregs(vcpu, s);
	memset(c, 0, sizeof(*c));
	for (i = 0; i < 16; i++)
		c->regs[i] = *gpr_slot(r, i);
	c->rip = r->rip;
	c->rflags = r->rflags;
	for (i = 0; i < X86_NR_SEGS; i++)
		seg_to_emu(segs[i], &c->seg[i]);
	c->cpl = s->ss.dpl;
	c->cr0 = s->cr0;
	c->cr4 = s->cr4;
	c->efer = s->efer;
	c->mode = x86_cpu_mode_of(s->cr0, s->efer, r->rflags, s->cs.l,
				  s->cs.db);
}

/* Write the emulator's registers back to the vCPU. */
void kvmod_emul_ctxt_commit(struct kvmod_vcpu *vcpu,
			    const struct x86_emu_ctxt *c)
{
	struct kvm_regs *r = &vcpu->arch.regs;
	int i;

	for (i = 0; i < 16; i++)
		*gpr_slot(r, i) = c->regs[i];
	r->rflags = c->rflags;
	if (c->rip != r->rip)
		kvmod_advance_rip(vcpu, c->rip);
}

/**
 * kvmod_fetch_insn() - read the instruction at CS:RIP and decode it
 * @vcpu: the vCPU
 * @c: its emulator context (kvmod_emul_ctxt_init())
 * @s: its sregs, as returned with @c
 * @insn: the decoded instruction
 * @bytes: at least 15 bytes, the raw instruction for error reports
 * @nbytes: bytes fetched
 *
 * Return: 0; 1 when fetching faulted (the fault is queued for the guest);
 * -EINVAL when the bytes are no instruction the decoder knows; -EFAULT
 * when the code is not in guest RAM.
 */
int kvmod_fetch_insn(struct kvmod_vcpu *vcpu, struct x86_emu_ctxt *c,
		     const struct kvm_sregs *s, struct x86_insn *insn,
		     u8 *bytes, unsigned int *nbytes)
{
	u64 la = c->mode == X86_MODE_LONG64 ? c->rip : s->cs.base + c->rip;
	unsigned int access = X86_WALK_FETCH | (c->cpl == 3 ? X86_WALK_USER : 0);
	unsigned int have = 0, len;
	u32 error;
	u64 gpa;
	int r;

	if (c->mode != X86_MODE_LONG64)
		la = (u32)la;
	for (;;) {
		len = chunk_len(la + have, X86_MAX_INSN_LEN - have);
		r = kvmod_gva_to_gpa(vcpu, s, c->rflags, la + have, access,
				     &gpa, &error);
		if (r == X86_WALK_PF) {
			kvmod_queue_pf(vcpu, la + have, error);
			return 1;
		}
		if (r < 0 || kvmod_gpa_rw(vcpu, gpa, bytes + have, len, false))
			return -EFAULT;
		have += len;
		*nbytes = have;
		r = x86_decode(insn, bytes, have, c->mode);
		if (r != -X86_EMU_ERR_TRUNCATED || have == X86_MAX_INSN_LEN)
			return r ? -EINVAL : 0;
	}
}

/**
 * kvmod_emulation_failed() - KVM_EXIT_INTERNAL_ERROR for an instruction
 *	kvmod cannot emulate, with RIP and its bytes
 * @vcpu: the vCPU
 * @bytes: the instruction bytes fetched
 * @nbytes: how many
 *
 * Return: 0, for exit handlers to return.
 */
int kvmod_emulation_failed(struct kvmod_vcpu *vcpu, const u8 *bytes,
			   unsigned int nbytes)
{
	u64 data[3] = { vcpu->arch.regs.rip, 0, 0 };

	memcpy(&data[1], bytes, min(nbytes, 16u));
	kvmod_emul_reset(vcpu);
	return kvmod_internal_error(vcpu, KVM_INTERNAL_ERROR_EMULATION,
				    ARRAY_SIZE(data), data);
}

/*
 * Whether a nested page fault's GPA can stand for the memory operand: the
 * instruction must access memory at one linear address only (read, write
 * or both), so that the access that faulted is the one being translated.
 * String instructions have two operands, possibly at the same offset in
 * different pages.
 */
static bool npf_gpa_usable(const struct x86_insn *insn)
{
	return insn->mem && !(insn->desc->flags & X86_F_STRING);
}

/*
 * The instruction kept from the pass before (a read went to userspace),
 * if userspace left RIP, the CS base and the mode alone: what was decoded
 * is still the instruction at CS:RIP as the guest executed it.
 */
static bool insn_kept(struct kvmod_emul *e, const struct emul_call *call)
{
	return e->insn_valid && e->insn_rip == call->ctxt.rip &&
	       e->insn_cs_base == call->sregs.cs.base &&
	       emul_insn(e)->mode == call->ctxt.mode;
}

/*
 * kvmod_fetch_insn() for emulate_once(), into vcpu->arch.emul.  The 15
 * bytes at RIP are read in one go when they are in one page (the common
 * case) and not decoded again when they are the bytes decoded last time,
 * in the same mode: decoding depends on nothing else.
 */
static int fetch_decode(struct kvmod_vcpu *vcpu, struct emul_call *call)
{
	struct kvmod_emul *e = &vcpu->arch.emul;
	struct x86_emu_ctxt *c = &call->ctxt;
	struct x86_insn *insn = emul_insn(e);
	unsigned int access = X86_WALK_FETCH | (c->cpl == 3 ? X86_WALK_USER : 0);
	u8 buf[KVMOD_FETCH_BYTES];
	unsigned int nbytes = 0;
	u32 error;
	u64 la, gpa;
	int r;

	la = c->mode == X86_MODE_LONG64 ? c->rip :
	     (u32)(call->sregs.cs.base + c->rip);
	e->insn_nbytes = 0;
	if (offset_in_page(la) > PAGE_SIZE - sizeof(buf)) {
		e->insn_decoded = false;
		r = kvmod_fetch_insn(vcpu, c, &call->sregs, insn, e->insn_bytes,
				     &nbytes);
		e->insn_nbytes = nbytes;
		return r;
	}

	r = kvmod_gva_to_gpa(vcpu, &call->sregs, c->rflags, la, access, &gpa,
			     &error);
	if (r == X86_WALK_PF) {
		kvmod_queue_pf(vcpu, la, error);
		return 1;
	}
	if (r < 0 || kvmod_gpa_fetch(vcpu, gpa, buf))
		return -EFAULT;
	if (e->insn_decoded && insn->mode == c->mode &&
	    !memcmp(buf, e->insn_bytes, X86_MAX_INSN_LEN)) {
		e->insn_nbytes = X86_MAX_INSN_LEN;
		return 0;
	}
	memcpy(e->insn_bytes, buf, X86_MAX_INSN_LEN);
	e->insn_nbytes = X86_MAX_INSN_LEN;
	e->insn_decoded = !x86_decode(insn, e->insn_bytes, X86_MAX_INSN_LEN,
				      c->mode);
	return e->insn_decoded ? 0 : -EINVAL;
}

/*
 * Emulate the instruction at CS:RIP; returns as exit handlers do.
 * @npf_gpa/@npf_access: what a nested page fault said (KVMOD_MMIO_GPA_*),
 * or KVMOD_MMIO_GPA_NONE.
 */
static int emulate_once(struct kvmod_vcpu *vcpu, u64 npf_gpa, int npf_access)
{
	struct kvmod_emul *e = &vcpu->arch.emul;
	struct x86_insn *insn = emul_insn(e);
	struct emul_call call;
	int r;

	call.vcpu = vcpu;
	call.failed = false;
	call.npf_gpa = npf_gpa;
	call.npf_access = KVMOD_MMIO_GPA_NONE;
	kvmod_emul_ctxt_init(vcpu, &call.ctxt, &call.sregs);
	call.ctxt.ops = &emul_ops;
	call.ctxt.opaque = vcpu;
	if (!insn_kept(e, &call)) {
		e->insn_valid = false;
		r = fetch_decode(vcpu, &call);
		if (r == 1)
			return 1;
		if (r)
			return kvmod_emulation_failed(vcpu, e->insn_bytes,
						      e->insn_nbytes);
	}
	if (npf_access != KVMOD_MMIO_GPA_NONE && npf_gpa_usable(insn))
		call.npf_access = npf_access;

	e->rpos = 0;
	r = x86_emulate(&call.ctxt, insn);
	if (call.failed)
		return kvmod_emulation_failed(vcpu, e->insn_bytes,
					      e->insn_nbytes);

	switch (r) {
	case X86_EMU_OK:
		kvmod_emul_ctxt_commit(vcpu, &call.ctxt);
		kvmod_emul_reset(vcpu);
		return 1;
	case X86_EMU_FAULT:
		/* Completed string iterations stay done. */
		if (call.ctxt.str_iterations)
			kvmod_emul_ctxt_commit(vcpu, &call.ctxt);
		kvmod_emul_reset(vcpu);
		kvmod_queue_emul_exception(vcpu, &call.ctxt.exception);
		return 1;
	case X86_EMU_STOP:
		if (e->next_frag) {
			/* The final write went out: the instruction is done. */
			kvmod_emul_ctxt_commit(vcpu, &call.ctxt);
			e->rfill = 0;
			e->insn_valid = false;
			return 0;
		}
		/*
		 * A read waits for userspace.  String iterations done before it
		 * are committed; their reads leave the buffer, while reads of the
		 * unfinished iteration (CMPS reads twice) stay for the replay.
		 * RIP stays on the instruction either way.
		 */
		if (call.ctxt.str_iterations) {
			unsigned int done = call.ctxt.str_read_bytes;

			kvmod_emul_ctxt_commit(vcpu, &call.ctxt);
			memmove(e->rbuf, e->rbuf + done, e->rfill - done);
			e->rfill -= done;
		}
		e->read_pending = true;
		e->insn_valid = true;
		e->insn_rip = vcpu->arch.regs.rip;
		e->insn_cs_base = call.sregs.cs.base;
		return 0;
	default:
		return kvmod_emulation_failed(vcpu, e->insn_bytes,
					      e->insn_nbytes);
	}
}

/**
 * kvmod_emulate_mmio() - a guest access hit no RAM: emulate it
 * @vcpu: the vCPU, at the faulting instruction
 * @gpa: the guest-physical address that faulted
 * @access: KVMOD_MMIO_GPA_READ or _WRITE when @gpa is the final
 *	translation of a data access of that kind (the guest's own page
 *	tables were walked, and allowed it); KVMOD_MMIO_GPA_NONE when the
 *	fault says less (a page-table or instruction fetch access, or no
 *	nested fault at all)
 *
 * Return: as exit handlers do.
 */
int kvmod_emulate_mmio(struct kvmod_vcpu *vcpu, u64 gpa, int access)
{
	kvmod_emul_reset(vcpu);
	return emulate_once(vcpu, gpa, access);
}

/**
 * kvmod_emul_complete() - continue after userspace handled an MMIO exit
 * @vcpu: the vCPU, at the start of KVM_RUN
 *
 * Return: 1 to enter the guest, 0 to return to userspace at once (another
 * MMIO exit is in vcpu->run), or a negative errno.
 */
int kvmod_emul_complete(struct kvmod_vcpu *vcpu)
{
	struct kvmod_emul *e = &vcpu->arch.emul;
	struct kvm_run *run = vcpu->run;
	struct kvmod_mmio_frag *f;

	if (e->next_frag && e->next_frag < e->nfrags) {
		f = &e->frags[e->next_frag++];
		start_mmio_exit(vcpu, f->gpa, f->data, f->len, true);
		return 0;
	}
	e->nfrags = 0;
	e->next_frag = 0;
	if (!e->read_pending)
		return 1;

	e->read_pending = false;
	memcpy(e->rbuf + e->rfill, run->mmio.data, e->read_len);
	e->rfill += e->read_len;
	/* The fault's GPA is not trusted here: userspace ran meanwhile. */
	return emulate_once(vcpu, 0, KVMOD_MMIO_GPA_NONE);
}

/* Forget any half-done emulation (new instruction, or vCPU reset). */
void kvmod_emul_reset(struct kvmod_vcpu *vcpu)
{
	struct kvmod_emul *e = &vcpu->arch.emul;

	e->rfill = 0;
	e->rpos = 0;
	e->read_pending = false;
	e->insn_valid = false;
}
