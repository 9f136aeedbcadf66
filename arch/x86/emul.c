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
 */
#include <linux/mm.h>
#include <linux/uaccess.h>

#include <kvmod_x86.h>

#include "emulate/x86_emulate.h"
#include "emulate/x86_walk.h"

#define MMIO_FRAG	8	/* kvm_run->mmio.data */

struct emul_call {
	struct x86_emu_ctxt ctxt;
	struct kvmod_vcpu *vcpu;
	struct kvm_sregs sregs;
	bool failed;		/* an internal limit was hit */
};

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

/* Translate @la for a data access; X86_EMU_OK or X86_EMU_FAULT. */
static int translate(struct emul_call *call, u64 la, bool write, u64 *gpa)
{
	unsigned int access = write ? X86_WALK_WRITE : 0;
	u32 error;
	int r;

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

/**
 * kvmod_gpr() - a general register by its hardware number (RAX=0..R15=15)
 * @vcpu: the vCPU
 * @n: register number
 */
u64 *kvmod_gpr(struct kvmod_vcpu *vcpu, unsigned int n)
{
	struct kvm_regs *r = &vcpu->arch.regs;
	u64 *const map[16] = {
		&r->rax, &r->rcx, &r->rdx, &r->rbx, &r->rsp, &r->rbp,
		&r->rsi, &r->rdi, &r->r8, &r->r9, &r->r10, &r->r11,
		&r->r12, &r->r13, &r->r14, &r->r15,
	};

	return map[n & 15];
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
		c->regs[i] = *kvmod_gpr(vcpu, i);
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
		*kvmod_gpr(vcpu, i) = c->regs[i];
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

/* Emulate the instruction at CS:RIP; returns as exit handlers do. */
static int emulate_once(struct kvmod_vcpu *vcpu)
{
	struct kvmod_emul *e = &vcpu->arch.emul;
	struct emul_call call = { .vcpu = vcpu };
	u8 bytes[X86_MAX_INSN_LEN] = {};
	unsigned int nbytes = 0;
	struct x86_insn insn;
	int r;

	kvmod_emul_ctxt_init(vcpu, &call.ctxt, &call.sregs);
	call.ctxt.ops = &emul_ops;
	call.ctxt.opaque = vcpu;
	r = kvmod_fetch_insn(vcpu, &call.ctxt, &call.sregs, &insn, bytes,
			     &nbytes);
	if (r == 1)
		return 1;
	if (r)
		return kvmod_emulation_failed(vcpu, bytes, nbytes);

	e->rpos = 0;
	r = x86_emulate(&call.ctxt, &insn);
	if (call.failed)
		return kvmod_emulation_failed(vcpu, bytes, nbytes);

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
			return 0;
		}
		/*
		 * A read waits for userspace.  String iterations done before it
		 * are committed; their reads leave the buffer, while reads of the
		 * unfinished iteration (CMPS reads twice) stay for the replay.
		 */
		if (call.ctxt.str_iterations) {
			unsigned int done = call.ctxt.str_read_bytes;

			kvmod_emul_ctxt_commit(vcpu, &call.ctxt);
			memmove(e->rbuf, e->rbuf + done, e->rfill - done);
			e->rfill -= done;
		}
		e->read_pending = true;
		return 0;
	default:
		return kvmod_emulation_failed(vcpu, bytes, nbytes);
	}
}

/**
 * kvmod_emulate_mmio() - a guest access hit no RAM: emulate it
 * @vcpu: the vCPU, at the faulting instruction
 *
 * Return: as exit handlers do.
 */
int kvmod_emulate_mmio(struct kvmod_vcpu *vcpu)
{
	kvmod_emul_reset(vcpu);
	return emulate_once(vcpu);
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
	return emulate_once(vcpu);
}

/* Forget any half-done emulation (new instruction, or vCPU reset). */
void kvmod_emul_reset(struct kvmod_vcpu *vcpu)
{
	struct kvmod_emul *e = &vcpu->arch.emul;

	e->rfill = 0;
	e->rpos = 0;
	e->read_pending = false;
}
