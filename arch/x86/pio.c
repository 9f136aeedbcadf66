// SPDX-License-Identifier: GPL-2.0
/*
 * Port I/O exits to userspace (KVM_EXIT_IO).
 *
 * As on KVM, RIP stays on the IN/OUT instruction while userspace handles
 * the access; the next KVM_RUN completes it (an IN loads RAX from the data
 * page, an INS stores the data in guest memory) and moves RIP past it.  If
 * userspace changed RIP in between, the access is abandoned instead.
 */
#include <linux/mm.h>
#include <asm/processor-flags.h>

#include <kvmod_x86.h>

#include "emulate/x86_emulate.h"

static void *pio_data(struct kvmod_vcpu *vcpu)
{
	return page_address(vcpu->run_pages[KVM_PIO_PAGE_OFFSET]);
}

/**
 * kvmod_pio_exit() - hand a non-string IN or OUT to userspace
 * @vcpu: the vCPU
 * @port: I/O port
 * @size: access size: 1, 2 or 4
 * @in: IN (true) or OUT (false)
 * @next_rip: RIP after the instruction
 *
 * Return: 1 if an in-kernel device served it, else 0 (exit to userspace).
 */
int kvmod_pio_exit(struct kvmod_vcpu *vcpu, u16 port, u8 size, bool in,
		   u64 next_rip)
{
	struct kvm_run *run = vcpu->run;
	u64 *rax = &vcpu->arch.regs.rax;
	u32 val = *rax;

	/* An in-kernel device (the PIC) may own the port. */
	if (!kvmod_io_bus_access(vcpu, KVMOD_PIO_BUS, port, &val, size, !in)) {
		if (in && size == 4)
			*rax = val;
		else if (in)
			memcpy(rax, &val, size);
		kvmod_advance_rip(vcpu, next_rip);
		return 1;
	}

	run->exit_reason = KVM_EXIT_IO;
	run->io.direction = in ? KVM_EXIT_IO_IN : KVM_EXIT_IO_OUT;
	run->io.size = size;
	run->io.port = port;
	run->io.count = 1;
	run->io.data_offset = KVM_PIO_PAGE_OFFSET * PAGE_SIZE;
	if (!in)
		memcpy(pio_data(vcpu), &vcpu->arch.regs.rax, size);

	vcpu->arch.pio = (struct kvmod_pio) {
		.pending = true,
		.in = in,
		.size = size,
		.rip = vcpu->arch.regs.rip,
		.next_rip = next_rip,
	};
	return 0;
}

/* Write @val to a register used with address size @mask, as the CPU does. */
static void set_addr_reg(u64 *reg, u64 val, u64 mask)
{
	if (mask == U32_MAX)
		*reg = (u32)val;	/* 32-bit writes zero-extend */
	else
		*reg = (*reg & ~mask) | (val & mask);
}

/* Reverse the order of @count elements of @size bytes in @buf. */
static void reverse_elements(u8 *buf, unsigned int count, unsigned int size)
{
	unsigned int i, j;
	u8 tmp[4];

	for (i = 0, j = count - 1; i < j; i++, j--) {
		memcpy(tmp, buf + i * size, size);
		memcpy(buf + i * size, buf + j * size, size);
		memcpy(buf + j * size, tmp, size);
	}
}

/**
 * kvmod_pio_string_exit() - hand INS/OUTS (with or without REP) to
 *	userspace, as many iterations as fit in one exit
 * @vcpu: the vCPU
 * @port: I/O port
 * @size: element size: 1, 2 or 4
 * @in: INS (true) or OUTS (false)
 * @next_rip: RIP after the instruction
 *
 * The REP prefix, the address size and the segment come from decoding
 * the instruction: not every CPU reports them in the exit information.
 * One exit moves at most a page of data, and never crosses a guest page:
 * the instruction runs again for the rest, as after an interrupt.
 * Return: as exit handlers do.
 */
int kvmod_pio_string_exit(struct kvmod_vcpu *vcpu, u16 port, u8 size,
			  bool in, u64 next_rip)
{
	struct kvm_regs *regs = &vcpu->arch.regs;
	bool down = regs->rflags & X86_EFLAGS_DF;
	struct kvm_run *run = vcpu->run;
	u8 bytes[X86_MAX_INSN_LEN] = {};
	struct x86_emu_ctxt c;
	struct x86_insn insn;
	struct kvm_sregs s;
	unsigned int nbytes = 0, len;
	u64 la, first, mask, ea, count;
	bool rep;
	int r;

	kvmod_emul_ctxt_init(vcpu, &c, &s);
	r = kvmod_fetch_insn(vcpu, &c, &s, &insn, bytes, &nbytes);
	if (r == 1)
		return 1;
	if (r)
		goto fail;

	rep = insn.rep;
	mask = insn.adsize == 8 ? U64_MAX : (1ULL << (insn.adsize * 8)) - 1;
	ea = (in ? regs->rdi : regs->rsi) & mask;
	count = rep ? regs->rcx & mask : 1;
	if (!count) {
		kvmod_advance_rip(vcpu, next_rip);
		return 1;
	}
	/* INS writes ES:rDI; OUTS reads DS:rSI unless a prefix says else. */
	if (x86_emu_linear(&c, in ? X86_SEG_ES : insn.seg, ea, size, in,
			   &la) != X86_EMU_OK) {
		kvmod_queue_emul_exception(vcpu, &c.exception);
		return 1;
	}

	/* Elements within this page, in the direction of travel. */
	count = min_t(u64, count, PAGE_SIZE / size);
	if (!down)
		count = min_t(u64, count, (PAGE_SIZE - offset_in_page(la)) / size);
	else
		count = min_t(u64, count, offset_in_page(la) / size + 1);
	/* An element straddling a page, or an address that would wrap. */
	if (!count || (!down && ea + (count - 1) * size > mask) ||
	    (down && ea < (count - 1) * size))
		count = 1;
	first = down ? la - (count - 1) * size : la;
	len = count * size;

	r = kvmod_linear_rw(vcpu, &s, regs->rflags, c.cpl, first,
			    pio_data(vcpu), len, in);
	if (r == 1)
		return 1;
	if (r)
		goto fail;
	if (!in && down)
		reverse_elements(pio_data(vcpu), count, size);

	run->exit_reason = KVM_EXIT_IO;
	run->io.direction = in ? KVM_EXIT_IO_IN : KVM_EXIT_IO_OUT;
	run->io.size = size;
	run->io.port = port;
	run->io.count = count;
	run->io.data_offset = KVM_PIO_PAGE_OFFSET * PAGE_SIZE;
	vcpu->arch.pio = (struct kvmod_pio) {
		.pending = true,
		.in = in,
		.size = size,
		.rip = regs->rip,
		.next_rip = next_rip,
		.string = true,
		.rep = rep,
		.down = down,
		.count = count,
		.addr_mask = mask,
		.la = first,
	};
	return 0;
fail:
	return kvmod_emulation_failed(vcpu, bytes, nbytes);
}

static int string_complete(struct kvmod_vcpu *vcpu)
{
	struct kvmod_pio *pio = &vcpu->arch.pio;
	struct kvm_regs *regs = &vcpu->arch.regs;
	u64 *reg = pio->in ? &regs->rdi : &regs->rsi;
	u64 n = pio->count, step, skip;
	struct x86_emu_ctxt c;
	struct kvm_sregs s;
	int r;

	/*
	 * Userspace may have lowered rCX meanwhile: do no more elements than
	 * it now asks for (the rest of the data is dropped), as KVM does.
	 */
	if (pio->rep)
		n = min_t(u64, n, regs->rcx & pio->addr_mask);
	step = n * pio->size;
	if (pio->in && n) {
		/* Going down, the first n elements are the highest addresses. */
		skip = pio->down ? (pio->count - n) * pio->size : 0;
		if (pio->down)
			reverse_elements(pio_data(vcpu), pio->count, pio->size);
		kvmod_emul_ctxt_init(vcpu, &c, &s);
		r = kvmod_linear_rw(vcpu, &s, regs->rflags, c.cpl,
				    pio->la + skip, pio_data(vcpu) + skip, step,
				    true);
		if (r == 1)
			return 1;
		if (r)
			return -EFAULT;
	}
	set_addr_reg(reg, pio->down ? *reg - step : *reg + step,
		     pio->addr_mask);
	if (pio->rep)
		set_addr_reg(&regs->rcx, regs->rcx - n, pio->addr_mask);
	if (!pio->rep || !(regs->rcx & pio->addr_mask))
		kvmod_advance_rip(vcpu, pio->next_rip);
	return 1;
}

/**
 * kvmod_pio_complete() - finish the access userspace has handled
 * @vcpu: the vCPU, at the start of KVM_RUN
 *
 * Return: 1, or a negative errno when an INS cannot store its data.
 */
int kvmod_pio_complete(struct kvmod_vcpu *vcpu)
{
	struct kvmod_pio *pio = &vcpu->arch.pio;
	u64 *rax = &vcpu->arch.regs.rax;
	u32 val = 0;

	if (!pio->pending)
		return 1;
	pio->pending = false;
	if (vcpu->arch.regs.rip != pio->rip)
		return 1;
	if (pio->string)
		return string_complete(vcpu);

	if (pio->in) {
		memcpy(&val, pio_data(vcpu), pio->size);
		if (pio->size == 4)
			*rax = val;	/* 32-bit results zero-extend */
		else
			*rax = (*rax & ~GENMASK_ULL(pio->size * 8 - 1, 0)) | val;
	}
	kvmod_advance_rip(vcpu, pio->next_rip);
	return 1;
}
