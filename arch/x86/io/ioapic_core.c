// SPDX-License-Identifier: GPL-2.0
/*
 * The I/O APIC as a pure state machine (see ioapic_core.h).
 *
 * An edge-triggered pin sends one message per rising edge of its line.
 * A level-triggered pin sends a message whenever its line is high, the
 * entry is unmasked and remote IRR is clear; a local APIC accepting it
 * sets remote IRR, and the EOI of its vector clears remote IRR, which
 * sends the message again if the line is still high.  A masked pin sends
 * nothing, but its line level is kept, so unmasking a level pin whose
 * line is still high sends the message then.
 */
#include "ioapic_core.h"

static u64 *rte(struct ioapic_core *io, unsigned int pin)
{
	return &io->s.redirtbl[pin].bits;
}

static bool line_high(const struct ioapic_core *io, unsigned int pin)
{
	return io->s.irr & (1u << pin);
}

/* A level-triggered pin that should send its message now. */
static bool level_ready(struct ioapic_core *io, unsigned int pin)
{
	u64 e = *rte(io, pin);

	return (e & IOAPIC_RTE_LEVEL) &&
	       !(e & (IOAPIC_RTE_MASKED | IOAPIC_RTE_REMOTE_IRR)) &&
	       line_high(io, pin);
}

static int send(struct ioapic_core *io, unsigned int pin)
{
	u64 *e = rte(io, pin);
	int r = io->deliver(io->ctx, *e);

	if ((*e & IOAPIC_RTE_LEVEL) && r > 0)
		*e |= IOAPIC_RTE_REMOTE_IRR;
	return r;
}

/**
 * ioapic_core_reset() - the I/O APIC after reset
 * @io: the I/O APIC
 * @deliver: its message callback (see &struct ioapic_core)
 * @ctx: passed to @deliver
 *
 * Id 0, every redirection entry masked, every line low.
 */
void ioapic_core_reset(struct ioapic_core *io,
		       int (*deliver)(void *ctx, u64 entry), void *ctx)
{
	unsigned int pin;

	*io = (struct ioapic_core) {
		.s.base_address = IOAPIC_CORE_BASE,
		.deliver = deliver,
		.ctx = ctx,
	};
	for (pin = 0; pin < IOAPIC_CORE_PINS; pin++)
		*rte(io, pin) = IOAPIC_RTE_MASKED;
}

/**
 * ioapic_core_set_irq() - drive input line @pin
 * @io: the I/O APIC
 * @pin: 0-23
 * @level: asserted (true) or not
 *
 * Return: as KVM_IRQ_LINE_STATUS: -1 if the pin is masked (or does not
 * exist) or no local APIC took the message; 0 if the assert was
 * coalesced (edge pin whose line was already high, level pin with remote
 * IRR set) or every addressed APIC had it pending already; else the
 * number of local APICs that accepted the message.  A de-assert returns
 * 1 (-1 if masked).
 */
int ioapic_core_set_irq(struct ioapic_core *io, unsigned int pin,
			bool level)
{
	u32 bit;
	bool was_high;
	u64 e;

	if (pin >= IOAPIC_CORE_PINS)
		return -1;
	bit = 1u << pin;
	e = *rte(io, pin);
	was_high = line_high(io, pin);
	if (!level) {
		io->s.irr &= ~bit;
		io->retry &= ~bit;
		io->redelivered[pin] = 0;
		return (e & IOAPIC_RTE_MASKED) ? -1 : 1;
	}
	io->s.irr |= bit;
	if (e & IOAPIC_RTE_MASKED)
		return -1;
	if (e & IOAPIC_RTE_LEVEL)
		return (e & IOAPIC_RTE_REMOTE_IRR) ? 0 : send(io, pin);
	return was_high ? 0 : send(io, pin);
}

/**
 * ioapic_core_eoi() - a local APIC's EOI of a level-triggered @vector
 * @io: the I/O APIC
 * @vector: the vector
 *
 * Clears remote IRR of every level-triggered entry with @vector and sends
 * the message again where the line is still high and the entry unmasked
 * -- at most %IOAPIC_EOI_REDELIVER_MAX times in a row per pin; beyond
 * that the pin is left for ioapic_core_retry().
 *
 * Return: true if a pin was left for the retry, which the caller must
 * then schedule after a delay.
 */
bool ioapic_core_eoi(struct ioapic_core *io, u8 vector)
{
	bool defer = false;
	unsigned int pin;

	for (pin = 0; pin < IOAPIC_CORE_PINS; pin++) {
		u64 *e = rte(io, pin);

		if (!(*e & IOAPIC_RTE_LEVEL) ||
		    (*e & IOAPIC_RTE_VECTOR) != vector)
			continue;
		*e &= ~IOAPIC_RTE_REMOTE_IRR;
		if (!level_ready(io, pin))
			continue;
		if (io->redelivered[pin] >= IOAPIC_EOI_REDELIVER_MAX) {
			io->retry |= 1u << pin;
			defer = true;
			continue;
		}
		io->redelivered[pin]++;
		send(io, pin);
	}
	return defer;
}

/**
 * ioapic_core_retry() - the deferred re-delivery
 * @io: the I/O APIC
 *
 * Sends the message of every pin ioapic_core_eoi() left for the retry
 * that is still ready (level-triggered, unmasked, line high, remote IRR
 * clear).
 */
void ioapic_core_retry(struct ioapic_core *io)
{
	u32 pending = io->retry;
	unsigned int pin;

	io->retry = 0;
	for (pin = 0; pin < IOAPIC_CORE_PINS; pin++)
		if ((pending & (1u << pin)) && level_ready(io, pin))
			send(io, pin);
}

static u32 read_indirect(const struct ioapic_core *io, u8 sel)
{
	unsigned int pin;
	u64 e;

	switch (sel) {
	case IOAPIC_IND_ID:
	case IOAPIC_IND_ARB:
		return (io->s.id & 0xf) << 24;
	case IOAPIC_IND_VERSION:
		return IOAPIC_VERSION_VALUE;
	}
	if (sel < IOAPIC_IND_REDIR ||
	    sel >= IOAPIC_IND_REDIR + 2 * IOAPIC_CORE_PINS)
		return 0;
	pin = (sel - IOAPIC_IND_REDIR) / 2;
	e = io->s.redirtbl[pin].bits;
	return (sel & 1) ? e >> 32 : (u32)e;
}

/**
 * ioapic_core_read() - a 32-bit read of IOREGSEL or IOWIN
 * @io: the I/O APIC
 * @reg: %IOAPIC_REG_SELECT or %IOAPIC_REG_WINDOW
 *
 * IOWIN reads the register IOREGSEL selects: the id (bits 27:24), the
 * version (0x00170011), the arbitration id (the id, bits 27:24) or a half
 * of a redirection entry.  Reads have no side effect.
 *
 * Return: the value; 0 for another register or an unused index.
 */
u32 ioapic_core_read(const struct ioapic_core *io, unsigned int reg)
{
	switch (reg) {
	case IOAPIC_REG_SELECT:
		return io->s.ioregsel;
	case IOAPIC_REG_WINDOW:
		return read_indirect(io, io->s.ioregsel & 0xff);
	}
	return 0;
}

static void write_indirect(struct ioapic_core *io, u8 sel, u32 val)
{
	unsigned int pin;
	u64 *e;

	if (sel == IOAPIC_IND_ID) {
		io->s.id = (val >> 24) & 0xf;
		return;
	}
	if (sel < IOAPIC_IND_REDIR ||
	    sel >= IOAPIC_IND_REDIR + 2 * IOAPIC_CORE_PINS)
		return;
	pin = (sel - IOAPIC_IND_REDIR) / 2;
	e = rte(io, pin);
	if (sel & 1) {
		*e = (*e & 0xffffffffULL) | ((u64)val << 32);
	} else {
		*e = (*e & ~0xffffffffULL) | (val & ~IOAPIC_RTE_READ_ONLY) |
		     (*e & IOAPIC_RTE_READ_ONLY);
		/*
		 * Remote IRR means nothing for an edge-triggered entry;
		 * switching to edge clears it (guests use this to unstick
		 * a pin whose EOI was lost).
		 */
		if (!(*e & IOAPIC_RTE_LEVEL))
			*e &= ~IOAPIC_RTE_REMOTE_IRR;
	}
	if (level_ready(io, pin))
		send(io, pin);
}

/**
 * ioapic_core_write() - a 32-bit write of IOREGSEL or IOWIN
 * @io: the I/O APIC
 * @reg: %IOAPIC_REG_SELECT or %IOAPIC_REG_WINDOW; others are ignored
 * @val: the value
 *
 * IOREGSEL keeps bits 7:0.  Through IOWIN the id and the redirection
 * entries are writable, but for delivery status and remote IRR.  An
 * entry written so that its level-triggered pin is ready (unmasked, line
 * high, remote IRR clear) sends its message at once.
 */
void ioapic_core_write(struct ioapic_core *io, unsigned int reg, u32 val)
{
	switch (reg) {
	case IOAPIC_REG_SELECT:
		io->s.ioregsel = val & 0xff;
		break;
	case IOAPIC_REG_WINDOW:
		write_indirect(io, io->s.ioregsel & 0xff, val);
		break;
	}
}

/**
 * ioapic_core_set_state() - KVM_SET_IRQCHIP for the I/O APIC
 * @io: the I/O APIC
 * @s: the new state; any contents are taken, but the base stays
 *	%IOAPIC_CORE_BASE
 *
 * Ends any deferred retry and restarts the re-delivery counts, then sends
 * the message of every level-triggered pin that is ready: its line is
 * high and nothing has it pending.  Edge-triggered lines that are high
 * are taken to have been delivered already.
 */
void ioapic_core_set_state(struct ioapic_core *io,
			   const struct kvm_ioapic_state *s)
{
	unsigned int pin;

	io->s = *s;
	io->s.base_address = IOAPIC_CORE_BASE;
	io->retry = 0;
	for (pin = 0; pin < IOAPIC_CORE_PINS; pin++) {
		io->redelivered[pin] = 0;
		if (level_ready(io, pin))
			send(io, pin);
	}
}
