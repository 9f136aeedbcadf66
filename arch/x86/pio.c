// SPDX-License-Identifier: GPL-2.0
/*
 * Port I/O exits to userspace (KVM_EXIT_IO).
 *
 * As on KVM, RIP stays on the IN/OUT instruction while userspace handles
 * the access; the next KVM_RUN completes it (an IN loads RAX from the data
 * page) and moves RIP past it.  If userspace changed RIP in between, the
 * access is abandoned instead.
 */
#include <linux/mm.h>

#include <kvmod_x86.h>

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
 * Return: 0, for exit handlers to return.
 */
int kvmod_pio_exit(struct kvmod_vcpu *vcpu, u16 port, u8 size, bool in,
		   u64 next_rip)
{
	struct kvm_run *run = vcpu->run;

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

/**
 * kvmod_pio_complete() - finish the access userspace has handled
 * @vcpu: the vCPU, at the start of KVM_RUN
 */
void kvmod_pio_complete(struct kvmod_vcpu *vcpu)
{
	struct kvmod_pio *pio = &vcpu->arch.pio;
	u64 *rax = &vcpu->arch.regs.rax;
	u32 val = 0;

	if (!pio->pending)
		return;
	pio->pending = false;
	if (vcpu->arch.regs.rip != pio->rip)
		return;

	if (pio->in) {
		memcpy(&val, pio_data(vcpu), pio->size);
		if (pio->size == 4)
			*rax = val;	/* 32-bit results zero-extend */
		else
			*rax = (*rax & ~GENMASK_ULL(pio->size * 8 - 1, 0)) | val;
	}
	vcpu->arch.regs.rip = pio->next_rip;
}
