// SPDX-License-Identifier: GPL-2.0
/*
 * The 8259A master/slave pair as a pure state machine (see pic_core.h).
 *
 * Each chip resolves priority among the requests in IRR that IMR lets
 * through, against the levels in service in ISR: the INT output is up
 * when the best request outranks the best level in service.  Ranks are
 * counted from priority_add (rank 0, the highest) round to
 * priority_add - 1 (rank 7), so rotation is a change of priority_add
 * only.  The slave's INT output is the master's IR2.
 */
#include "pic_core.h"

#define PIC_NO_RANK	8

static u8 pin_bit(unsigned int pin)
{
	return 1u << (pin & 7);
}

/* Rank of the highest-priority pin set in @mask, PIC_NO_RANK if none. */
static unsigned int best_rank(const struct kvm_pic_state *c, u8 mask)
{
	unsigned int rank;

	for (rank = 0; rank < PIC_NO_RANK; rank++)
		if (mask & pin_bit(rank + c->priority_add))
			return rank;
	return PIC_NO_RANK;
}

static unsigned int rank_pin(const struct kvm_pic_state *c, unsigned int rank)
{
	return (rank + c->priority_add) & 7;
}

static bool single_mode(const struct kvm_pic_state *c)
{
	return c->init_state & PIC_INIT_SINGLE;
}

/*
 * The pin a chip's INT output requests service for, or -1 if INT is low.
 * In special mask mode a masked level in service blocks nothing; in
 * special fully nested mode (master) the slave's level in service does
 * not block the slave itself, only lower levels.
 */
static int chip_request(const struct kvm_pic_state *c, bool master)
{
	u8 req = c->irr & ~c->imr;
	u8 blocking = c->isr;
	unsigned int rank, blocked_at;

	if (!req)
		return -1;
	if (c->special_mask)
		blocking &= ~c->imr;
	rank = best_rank(c, req);
	blocked_at = best_rank(c, blocking);
	if (rank < blocked_at)
		return rank_pin(c, rank);
	if (master && c->special_fully_nested_mode && rank == blocked_at &&
	    rank_pin(c, rank) == PIC_CASCADE_PIN)
		return PIC_CASCADE_PIN;
	return -1;
}

/* Master IR2 = the slave's INT output ORed with an external IR2 line. */
static void update_cascade(struct pic_core *p)
{
	struct kvm_pic_state *m = &p->chip[0];
	u8 b = pin_bit(PIC_CASCADE_PIN);

	if (chip_request(&p->chip[1], false) >= 0 || (m->last_irr & b))
		m->irr |= b;
	else
		m->irr &= ~b;
}

/* Level-triggered pins: IRR is the line. */
static void sync_level_irr(struct kvm_pic_state *c)
{
	c->irr = (c->irr & ~c->elcr) | (c->last_irr & c->elcr);
}

/* One input line of one chip changes; returns the line status. */
static int chip_set_line(struct kvm_pic_state *c, unsigned int pin,
			 bool level)
{
	u8 b = pin_bit(pin);
	int ret = 1;

	if (!level) {
		c->last_irr &= ~b;
		if (c->elcr & b)
			c->irr &= ~b;
	} else {
		/* Edge: only a rising edge latches. Level: IRR follows. */
		if (c->irr & b)
			ret = 0;
		else if (!(c->elcr & b) && (c->last_irr & b))
			ret = 0;
		else
			c->irr |= b;
		c->last_irr |= b;
	}
	return (c->imr & b) ? -1 : ret;
}

/**
 * pic_core_reset() - the pair as KVM_CREATE_IRQCHIP leaves it
 * @p: the pair
 *
 * Everything zero (so IMR clear, IR0 highest, vectors from 0) but for
 * the ELCR masks; the guest's BIOS initializes both chips.
 */
void pic_core_reset(struct pic_core *p)
{
	p->chip[0] = (struct kvm_pic_state) {
		.elcr_mask = PIC_MASTER_ELCR_MASK,
	};
	p->chip[1] = (struct kvm_pic_state) {
		.elcr_mask = PIC_SLAVE_ELCR_MASK,
	};
}

/**
 * pic_core_set_irq() - drive input line @pin (0-7 master, 8-15 slave)
 * @p: the pair
 * @pin: the line
 * @level: asserted (true) or not
 *
 * An edge-triggered pin latches its IRR bit on a rising edge; a
 * level-triggered one (ELCR) has its IRR bit follow the line.  Master pin
 * 2 is the cascade: a line driven there is ORed with the slave's output.
 *
 * Return: as KVM_IRQ_LINE_STATUS: -1 if the pin is masked in its chip's
 * IMR (or does not exist), 0 if an assert was coalesced with a request
 * already in IRR (or with a line already high on an edge pin), else 1.
 */
int pic_core_set_irq(struct pic_core *p, unsigned int pin, bool level)
{
	struct kvm_pic_state *m = &p->chip[0];
	u8 b = pin_bit(PIC_CASCADE_PIN);
	int ret;

	if (pin >= 16)
		return -1;
	if (pin == PIC_CASCADE_PIN) {
		ret = (level && (m->irr & b)) ? 0 : 1;
		if (level)
			m->last_irr |= b;
		else
			m->last_irr &= ~b;
		if (m->imr & b)
			ret = -1;
	} else {
		ret = chip_set_line(&p->chip[pin >> 3], pin & 7, level);
	}
	update_cascade(p);
	return ret;
}

/**
 * pic_core_output() - the master's INT output (the CPU's INTR line)
 * @p: the pair
 *
 * Return: true if the master requests an interrupt acknowledge.
 */
bool pic_core_output(const struct pic_core *p)
{
	return chip_request(&p->chip[0], true) >= 0;
}

/* The INTA cycle's effect on one chip for the pin it answers with. */
static void chip_ack(struct kvm_pic_state *c, unsigned int pin)
{
	u8 b = pin_bit(pin);

	if (c->auto_eoi) {
		if (c->rotate_on_auto_eoi)
			c->priority_add = (pin + 1) & 7;
	} else {
		c->isr |= b;
	}
	/* An edge request is consumed; a level one is the line itself. */
	c->irr &= ~b;
	c->irr |= c->last_irr & c->elcr & b;
}

/**
 * pic_core_ack() - the CPU's interrupt acknowledge cycle
 * @p: the pair
 *
 * The master answers with its best request: the pin moves from IRR to
 * ISR (only the rotation happens in auto-EOI mode).  For the cascade pin
 * the slave does the same and supplies the vector (the master supplies it
 * only in single mode).  A chip with nothing to answer (the request went
 * away before the acknowledge) supplies its IR7 vector, touching nothing:
 * the spurious IRQ 7 (master) or 15 (slave, after the master took IR2).
 *
 * Return: the vector, 0-255.
 */
int pic_core_ack(struct pic_core *p)
{
	struct kvm_pic_state *m = &p->chip[0], *s = &p->chip[1];
	int pin = chip_request(m, true);
	int spin;
	u8 vec;

	if (pin < 0)
		return (u8)(m->irq_base + PIC_SPURIOUS_PIN);
	chip_ack(m, pin);
	vec = m->irq_base + pin;
	if (pin == PIC_CASCADE_PIN && !single_mode(m)) {
		spin = chip_request(s, false);
		if (spin < 0) {
			vec = s->irq_base + PIC_SPURIOUS_PIN;
		} else {
			chip_ack(s, spin);
			vec = s->irq_base + spin;
		}
	}
	update_cascade(p);
	return vec;
}

/* Poll command: this read is the acknowledge; 0x80 | pin, or 0. */
static u8 chip_poll(struct pic_core *p, unsigned int idx)
{
	struct kvm_pic_state *c = &p->chip[idx];
	int pin = chip_request(c, idx == 0);

	c->poll = 0;
	if (pin < 0)
		return 0;
	chip_ack(c, pin);
	update_cascade(p);
	return 0x80 | pin;
}

/* Clear the highest-priority level in service; optionally rotate. */
static void chip_nonspecific_eoi(struct kvm_pic_state *c, bool rotate)
{
	unsigned int rank = best_rank(c, c->isr);
	unsigned int pin;

	if (rank == PIC_NO_RANK)
		return;
	pin = rank_pin(c, rank);
	c->isr &= ~pin_bit(pin);
	if (rotate)
		c->priority_add = (pin + 1) & 7;
}

/* OCW2: R, SL, EOI in bits 7:5, the level in bits 2:0. */
static void chip_ocw2(struct kvm_pic_state *c, u8 val)
{
	unsigned int level = val & 7;

	switch (val >> 5) {
	case 0:	/* rotate in auto-EOI mode: clear */
		c->rotate_on_auto_eoi = 0;
		break;
	case 1:	/* non-specific EOI */
		chip_nonspecific_eoi(c, false);
		break;
	case 2:	/* no operation */
		break;
	case 3:	/* specific EOI */
		c->isr &= ~pin_bit(level);
		break;
	case 4:	/* rotate in auto-EOI mode: set */
		c->rotate_on_auto_eoi = 1;
		break;
	case 5:	/* rotate on non-specific EOI */
		chip_nonspecific_eoi(c, true);
		break;
	case 6:	/* set priority: @level becomes the lowest */
		c->priority_add = (level + 1) & 7;
		break;
	case 7:	/* rotate on specific EOI */
		c->isr &= ~pin_bit(level);
		c->priority_add = (level + 1) & 7;
		break;
	}
}

/* OCW3: ESMM/SMM bits 6:5, poll bit 2, RR/RIS bits 1:0. */
static void chip_ocw3(struct kvm_pic_state *c, u8 val)
{
	if (val & 0x40)
		c->special_mask = (val >> 5) & 1;
	if (val & 0x04)
		c->poll = 1;
	if (val & 0x02)
		c->read_reg_select = val & 1;
}

/*
 * ICW1: start initialization.  IMR and ISR are cleared, IR0 gets the
 * highest priority, special mask mode ends, reads select IRR, and the
 * edge sense is reset: latched edges are forgotten and a line already
 * high must go low and high again.  LTIM (bit 3) is ignored, as on the
 * PIIX: ELCR selects the trigger mode.  The ICW4 modes are cleared until
 * an ICW4 sets them.
 */
static void chip_icw1(struct kvm_pic_state *c, u8 val)
{
	c->init_state = PIC_INIT_ICW2 | ((val & 0x02) ? PIC_INIT_SINGLE : 0);
	c->init4 = val & 0x01;
	c->imr = 0;
	c->isr = 0;
	c->irr = c->last_irr & c->elcr;
	c->priority_add = 0;
	c->special_mask = 0;
	c->read_reg_select = 0;
	c->poll = 0;
	c->auto_eoi = 0;
	c->rotate_on_auto_eoi = 0;
	c->special_fully_nested_mode = 0;
}

/* A write to the data port: ICW2-4 during initialization, else OCW1. */
static void chip_data_write(struct kvm_pic_state *c, u8 val)
{
	u8 single = c->init_state & PIC_INIT_SINGLE;
	u8 next;

	switch (c->init_state & PIC_INIT_STEP) {
	case PIC_INIT_READY:
		c->imr = val;
		return;
	case PIC_INIT_ICW2:
		c->irq_base = val & 0xf8;
		if (!single)
			next = PIC_INIT_ICW3;
		else
			next = c->init4 ? PIC_INIT_ICW4 : PIC_INIT_READY;
		break;
	case PIC_INIT_ICW3:
		/* The cascade wiring is fixed: nothing to record. */
		next = c->init4 ? PIC_INIT_ICW4 : PIC_INIT_READY;
		break;
	default:
		/* ICW4: uPM (8086 mode assumed), AEOI, M/S, BUF, SFNM. */
		c->auto_eoi = (val >> 1) & 1;
		c->special_fully_nested_mode = (val >> 4) & 1;
		next = PIC_INIT_READY;
		break;
	}
	c->init_state = next | single;
}

/* Which chip a port belongs to: 0 master, 1 slave, -1 none. */
static int port_chip(u16 port)
{
	switch (port) {
	case PIC_MASTER_BASE:
	case PIC_MASTER_BASE + 1:
	case PIC_ELCR_BASE:
		return 0;
	case PIC_SLAVE_BASE:
	case PIC_SLAVE_BASE + 1:
	case PIC_ELCR_BASE + 1:
		return 1;
	}
	return -1;
}

/**
 * pic_core_read() - a guest read of one PIC or ELCR port
 * @p: the pair
 * @port: 0x20, 0x21, 0xa0, 0xa1, 0x4d0 or 0x4d1
 *
 * After a poll command (OCW3 P) the read of either port of that chip
 * returns the poll word (0x80 | pin of the best request, acknowledging
 * it, or 0) and ends the poll.  Otherwise the command port reads IRR or
 * ISR as OCW3 selected and the data port reads IMR.
 *
 * Return: the byte read; 0xff for a port not of the pair.
 */
u8 pic_core_read(struct pic_core *p, u16 port)
{
	int idx = port_chip(port);
	struct kvm_pic_state *c;

	if (idx < 0)
		return 0xff;
	c = &p->chip[idx];
	if (port >= PIC_ELCR_BASE)
		return c->elcr;
	if (c->poll)
		return chip_poll(p, idx);
	if (port & 1)
		return c->imr;
	return c->read_reg_select ? c->isr : c->irr;
}

/**
 * pic_core_write() - a guest write of one PIC or ELCR port
 * @p: the pair
 * @port: 0x20, 0x21, 0xa0, 0xa1, 0x4d0 or 0x4d1; others are ignored
 * @val: the byte
 *
 * The command port takes ICW1 (bit 4 set), OCW3 (bit 3 set) or OCW2; the
 * data port takes ICW2-ICW4 while initializing and OCW1 (IMR) otherwise.
 * ELCR bits that do not exist stay clear.
 */
void pic_core_write(struct pic_core *p, u16 port, u8 val)
{
	int idx = port_chip(port);
	struct kvm_pic_state *c;

	if (idx < 0)
		return;
	c = &p->chip[idx];
	if (port >= PIC_ELCR_BASE) {
		c->elcr = val & c->elcr_mask;
		sync_level_irr(c);
	} else if (port & 1) {
		chip_data_write(c, val);
	} else if (val & 0x10) {
		chip_icw1(c, val);
	} else if (val & 0x08) {
		chip_ocw3(c, val);
	} else {
		chip_ocw2(c, val);
	}
	update_cascade(p);
}

/**
 * pic_core_set_chip() - KVM_SET_IRQCHIP for one chip
 * @p: the pair
 * @chip: 0 master, 1 slave (others are ignored)
 * @s: the new state
 *
 * Any contents are taken, but the model's invariants are restored: the
 * ELCR mask is the chip's, priority_add and init_state keep to their
 * ranges, level-triggered IRR bits follow the lines, and the master's IR2
 * follows the slave.
 */
void pic_core_set_chip(struct pic_core *p, unsigned int chip,
		       const struct kvm_pic_state *s)
{
	struct kvm_pic_state *c;

	if (chip > 1)
		return;
	c = &p->chip[chip];
	*c = *s;
	c->elcr_mask = chip ? PIC_SLAVE_ELCR_MASK : PIC_MASTER_ELCR_MASK;
	c->elcr &= c->elcr_mask;
	c->priority_add &= 7;
	c->init_state &= PIC_INIT_STEP | PIC_INIT_SINGLE;
	sync_level_irr(c);
	update_cascade(p);
}
