// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the 8259A pair (arch/x86/io/pic_core.c): the
 * initialization sequence, edge and level triggering, masking, priority
 * and nesting, rotation, EOI forms, the cascade, spurious IRQ 7/15, poll
 * mode, special mask and special fully nested modes, ELCR and
 * KVM_SET_IRQCHIP's invariants.
 */
#include <kunit/test.h>

#include "../pic_core.h"

#define MBASE	0x08	/* the PC BIOS's vectors */
#define SBASE	0x70

#define CMD0	0x20
#define DATA0	0x21
#define CMD1	0xa0
#define DATA1	0xa1
#define ELCR0	0x4d0
#define ELCR1	0x4d1

#define OCW2_EOI		0x20
#define OCW2_SPECIFIC_EOI	0x60
#define OCW2_ROTATE_EOI		0xa0
#define OCW2_ROTATE_SPEC_EOI	0xe0
#define OCW2_SET_PRIORITY	0xc0
#define OCW2_ROTATE_AEOI_SET	0x80
#define OCW3_READ_IRR		0x0a
#define OCW3_READ_ISR		0x0b
#define OCW3_POLL		0x0c
#define OCW3_SMM_SET		0x68
#define OCW3_SMM_RESET		0x48

/* The cascade as a PC BIOS sets it up, with ICW4 @icw4 on both. */
static void pic_init(struct pic_core *p, u8 icw4)
{
	pic_core_reset(p);
	pic_core_write(p, CMD0, 0x11);
	pic_core_write(p, DATA0, MBASE);
	pic_core_write(p, DATA0, 0x04);
	pic_core_write(p, DATA0, icw4);
	pic_core_write(p, CMD1, 0x11);
	pic_core_write(p, DATA1, SBASE);
	pic_core_write(p, DATA1, 0x02);
	pic_core_write(p, DATA1, icw4);
}

static void pulse(struct pic_core *p, unsigned int pin)
{
	pic_core_set_irq(p, pin, true);
	pic_core_set_irq(p, pin, false);
}

static void pic_init_sequence(struct kunit *test)
{
	struct pic_core p;

	pic_core_reset(&p);
	KUNIT_EXPECT_EQ(test, p.chip[0].elcr_mask, 0xf8);
	KUNIT_EXPECT_EQ(test, p.chip[1].elcr_mask, 0xde);
	pic_core_write(&p, DATA0, 0x5a);
	KUNIT_EXPECT_EQ(test, pic_core_read(&p, DATA0), 0x5a);

	/* ICW1 clears IMR; ICW2 takes bits 7:3; ICW3 then ICW4 follow. */
	pic_core_write(&p, CMD0, 0x11);
	KUNIT_EXPECT_EQ(test, p.chip[0].imr, 0);
	KUNIT_EXPECT_EQ(test, p.chip[0].init_state, PIC_INIT_ICW2);
	KUNIT_EXPECT_EQ(test, p.chip[0].init4, 1);
	pic_core_write(&p, DATA0, 0x0f);
	KUNIT_EXPECT_EQ(test, p.chip[0].irq_base, 0x08);
	KUNIT_EXPECT_EQ(test, p.chip[0].init_state, PIC_INIT_ICW3);
	pic_core_write(&p, DATA0, 0x04);
	KUNIT_EXPECT_EQ(test, p.chip[0].init_state, PIC_INIT_ICW4);
	pic_core_write(&p, DATA0, 0x13);	/* 8086, AEOI, SFNM */
	KUNIT_EXPECT_EQ(test, p.chip[0].init_state, PIC_INIT_READY);
	KUNIT_EXPECT_EQ(test, p.chip[0].auto_eoi, 1);
	KUNIT_EXPECT_EQ(test, p.chip[0].special_fully_nested_mode, 1);
	KUNIT_EXPECT_EQ(test, p.chip[0].imr, 0);
	pic_core_write(&p, DATA0, 0xfb);	/* now OCW1 */
	KUNIT_EXPECT_EQ(test, p.chip[0].imr, 0xfb);

	/* Without IC4 the ICW4 modes are cleared and no ICW4 is taken. */
	pic_core_write(&p, CMD0, 0x10);
	KUNIT_EXPECT_EQ(test, p.chip[0].auto_eoi, 0);
	KUNIT_EXPECT_EQ(test, p.chip[0].special_fully_nested_mode, 0);
	KUNIT_EXPECT_EQ(test, p.chip[0].init4, 0);
	pic_core_write(&p, DATA0, 0x20);
	pic_core_write(&p, DATA0, 0x04);	/* ICW3 */
	KUNIT_EXPECT_EQ(test, p.chip[0].init_state, PIC_INIT_READY);
	pic_core_write(&p, DATA0, 0x03);	/* OCW1, not ICW4 */
	KUNIT_EXPECT_EQ(test, p.chip[0].imr, 0x03);
	KUNIT_EXPECT_EQ(test, p.chip[0].auto_eoi, 0);
	KUNIT_EXPECT_EQ(test, p.chip[0].irq_base, 0x20);
}

static void pic_init_single_mode(struct kunit *test)
{
	struct pic_core p;

	pic_core_reset(&p);
	/* SNGL + IC4: ICW2 then ICW4, no ICW3. */
	pic_core_write(&p, CMD0, 0x13);
	pic_core_write(&p, DATA0, 0x40);
	KUNIT_EXPECT_EQ(test, p.chip[0].init_state & PIC_INIT_STEP,
			PIC_INIT_ICW4);
	pic_core_write(&p, DATA0, 0x03);
	KUNIT_EXPECT_EQ(test, p.chip[0].init_state & PIC_INIT_STEP,
			PIC_INIT_READY);
	KUNIT_EXPECT_EQ(test, p.chip[0].auto_eoi, 1);
	pic_core_write(&p, DATA0, 0x00);
	KUNIT_EXPECT_EQ(test, p.chip[0].imr, 0);

	/* Single master: IR2 is a plain input, the master's vector. */
	KUNIT_EXPECT_EQ(test, pic_core_set_irq(&p, 2, true), 1);
	KUNIT_EXPECT_EQ(test, pic_core_ack(&p), 0x42);

	/* SNGL without IC4: ICW2 ends the sequence. */
	pic_core_write(&p, CMD0, 0x12);
	pic_core_write(&p, DATA0, 0x48);
	KUNIT_EXPECT_EQ(test, p.chip[0].init_state & PIC_INIT_STEP,
			PIC_INIT_READY);
	pic_core_write(&p, DATA0, 0x81);
	KUNIT_EXPECT_EQ(test, p.chip[0].imr, 0x81);
	KUNIT_EXPECT_EQ(test, p.chip[0].irq_base, 0x48);
}

static void pic_edge(struct kunit *test)
{
	struct pic_core p;

	pic_init(&p, 0x01);
	KUNIT_EXPECT_TRUE(test, !pic_core_output(&p));
	KUNIT_EXPECT_EQ(test, pic_core_set_irq(&p, 1, true), 1);
	KUNIT_EXPECT_EQ(test, p.chip[0].irr, 0x02);
	KUNIT_EXPECT_TRUE(test, pic_core_output(&p));
	/* Still high: no edge, coalesced. */
	KUNIT_EXPECT_EQ(test, pic_core_set_irq(&p, 1, true), 0);
	KUNIT_EXPECT_EQ(test, pic_core_ack(&p), MBASE + 1);
	KUNIT_EXPECT_EQ(test, p.chip[0].irr, 0);
	KUNIT_EXPECT_EQ(test, p.chip[0].isr, 0x02);
	KUNIT_EXPECT_TRUE(test, !pic_core_output(&p));
	/* The held line does not request again after the EOI. */
	pic_core_write(&p, CMD0, OCW2_EOI);
	KUNIT_EXPECT_EQ(test, p.chip[0].isr, 0);
	KUNIT_EXPECT_TRUE(test, !pic_core_output(&p));
	KUNIT_EXPECT_EQ(test, pic_core_set_irq(&p, 1, true), 0);
	KUNIT_EXPECT_EQ(test, p.chip[0].irr, 0);

	/* A new edge while in service is latched and waits for the EOI. */
	KUNIT_EXPECT_EQ(test, pic_core_set_irq(&p, 1, false), 1);
	KUNIT_EXPECT_EQ(test, pic_core_set_irq(&p, 1, true), 1);
	KUNIT_EXPECT_EQ(test, pic_core_ack(&p), MBASE + 1);
	KUNIT_EXPECT_EQ(test, pic_core_set_irq(&p, 1, false), 1);
	KUNIT_EXPECT_EQ(test, pic_core_set_irq(&p, 1, true), 1);
	KUNIT_EXPECT_EQ(test, p.chip[0].irr, 0x02);
	KUNIT_EXPECT_TRUE(test, !pic_core_output(&p));
	pic_core_write(&p, CMD0, OCW2_EOI);
	KUNIT_EXPECT_TRUE(test, pic_core_output(&p));
	/* A pulse stays latched after the line drops. */
	pic_core_set_irq(&p, 1, false);
	KUNIT_EXPECT_TRUE(test, pic_core_output(&p));
	KUNIT_EXPECT_EQ(test, pic_core_ack(&p), MBASE + 1);
}

static void pic_level(struct kunit *test)
{
	struct pic_core p;

	pic_init(&p, 0x01);
	pic_core_write(&p, ELCR0, 0x08);	/* IRQ3 level */
	KUNIT_EXPECT_EQ(test, pic_core_set_irq(&p, 3, true), 1);
	KUNIT_EXPECT_EQ(test, pic_core_set_irq(&p, 3, true), 0);
	KUNIT_EXPECT_EQ(test, pic_core_ack(&p), MBASE + 3);
	/* IRR follows the line: still set, blocked by ISR only. */
	KUNIT_EXPECT_EQ(test, p.chip[0].irr, 0x08);
	KUNIT_EXPECT_EQ(test, p.chip[0].isr, 0x08);
	KUNIT_EXPECT_TRUE(test, !pic_core_output(&p));
	pic_core_write(&p, CMD0, OCW2_EOI);
	KUNIT_EXPECT_TRUE(test, pic_core_output(&p));
	KUNIT_EXPECT_EQ(test, pic_core_ack(&p), MBASE + 3);
	KUNIT_EXPECT_EQ(test, pic_core_set_irq(&p, 3, false), 1);
	KUNIT_EXPECT_EQ(test, p.chip[0].irr, 0);
	pic_core_write(&p, CMD0, OCW2_EOI);
	KUNIT_EXPECT_TRUE(test, !pic_core_output(&p));

	/* Dropped before the acknowledge: spurious IRQ 7, ISR untouched. */
	pic_core_set_irq(&p, 3, true);
	KUNIT_EXPECT_TRUE(test, pic_core_output(&p));
	pic_core_set_irq(&p, 3, false);
	KUNIT_EXPECT_TRUE(test, !pic_core_output(&p));
	KUNIT_EXPECT_EQ(test, pic_core_ack(&p), MBASE + 7);
	KUNIT_EXPECT_EQ(test, p.chip[0].isr, 0);

	/* The same pulse on an edge pin is latched. */
	pulse(&p, 4);
	KUNIT_EXPECT_EQ(test, pic_core_ack(&p), MBASE + 4);
}

static void pic_elcr(struct kunit *test)
{
	struct pic_core p;

	pic_init(&p, 0x01);
	pic_core_write(&p, ELCR0, 0xff);
	pic_core_write(&p, ELCR1, 0xff);
	KUNIT_EXPECT_EQ(test, pic_core_read(&p, ELCR0), 0xf8);
	KUNIT_EXPECT_EQ(test, pic_core_read(&p, ELCR1), 0xde);
	/* IRQ0 stays edge, IRQ3 became level. */
	pulse(&p, 0);
	pulse(&p, 3);
	KUNIT_EXPECT_EQ(test, p.chip[0].irr, 0x01);
	/* IRQ8 (slave pin 0) stays edge, IRQ9 is level. */
	pulse(&p, 8);
	pulse(&p, 9);
	KUNIT_EXPECT_EQ(test, p.chip[1].irr, 0x01);
	/* Making a pin level drops a latched edge with its line low. */
	pic_core_write(&p, ELCR1, 0x00);
	pulse(&p, 9);
	KUNIT_EXPECT_EQ(test, p.chip[1].irr, 0x03);
	pic_core_write(&p, ELCR1, 0x02);
	KUNIT_EXPECT_EQ(test, p.chip[1].irr, 0x01);
}

static void pic_mask(struct kunit *test)
{
	struct pic_core p;

	pic_init(&p, 0x01);
	pic_core_write(&p, DATA0, 0x10);
	KUNIT_EXPECT_EQ(test, pic_core_set_irq(&p, 4, true), -1);
	KUNIT_EXPECT_EQ(test, p.chip[0].irr, 0x10);	/* still latched */
	KUNIT_EXPECT_TRUE(test, !pic_core_output(&p));
	KUNIT_EXPECT_EQ(test, pic_core_ack(&p), MBASE + 7);
	KUNIT_EXPECT_EQ(test, p.chip[0].isr, 0);
	pic_core_write(&p, DATA0, 0x00);
	KUNIT_EXPECT_TRUE(test, pic_core_output(&p));
	KUNIT_EXPECT_EQ(test, pic_core_ack(&p), MBASE + 4);

	/* Slave pin masked in the slave. */
	pic_core_write(&p, DATA1, 0x01);
	KUNIT_EXPECT_EQ(test, pic_core_set_irq(&p, 8, true), -1);
	KUNIT_EXPECT_EQ(test, p.chip[0].irr & 0x04, 0);
	/* Slave request masked at the master's IR2. */
	pic_core_write(&p, DATA1, 0x00);
	pic_core_write(&p, DATA0, 0x04);
	KUNIT_EXPECT_EQ(test, p.chip[0].irr & 0x04, 0x04);
	pic_core_write(&p, CMD0, OCW2_EOI);	/* IRQ4 done */
	KUNIT_EXPECT_TRUE(test, !pic_core_output(&p));
	pic_core_write(&p, DATA0, 0x00);
	KUNIT_EXPECT_TRUE(test, pic_core_output(&p));
	KUNIT_EXPECT_EQ(test, pic_core_ack(&p), SBASE + 0);

	KUNIT_EXPECT_EQ(test, pic_core_set_irq(&p, 16, true), -1);
}

static void pic_priority_nesting(struct kunit *test)
{
	struct pic_core p;

	pic_init(&p, 0x01);
	pic_core_set_irq(&p, 5, true);
	pic_core_set_irq(&p, 3, true);
	KUNIT_EXPECT_EQ(test, pic_core_ack(&p), MBASE + 3);
	KUNIT_EXPECT_TRUE(test, !pic_core_output(&p));	/* 5 < 3 */
	pic_core_set_irq(&p, 1, true);
	KUNIT_EXPECT_TRUE(test, pic_core_output(&p));	/* 1 > 3 */
	KUNIT_EXPECT_EQ(test, pic_core_ack(&p), MBASE + 1);
	KUNIT_EXPECT_EQ(test, p.chip[0].isr, 0x0a);
	/* Non-specific EOI ends the highest level in service. */
	pic_core_write(&p, CMD0, OCW2_EOI);
	KUNIT_EXPECT_EQ(test, p.chip[0].isr, 0x08);
	KUNIT_EXPECT_TRUE(test, !pic_core_output(&p));
	pic_core_write(&p, CMD0, OCW2_EOI);
	KUNIT_EXPECT_EQ(test, p.chip[0].isr, 0);
	KUNIT_EXPECT_EQ(test, pic_core_ack(&p), MBASE + 5);

	/* Specific EOI ends the named level only. */
	pic_core_set_irq(&p, 0, true);
	KUNIT_EXPECT_EQ(test, pic_core_ack(&p), MBASE + 0);
	KUNIT_EXPECT_EQ(test, p.chip[0].isr, 0x21);
	pic_core_write(&p, CMD0, OCW2_SPECIFIC_EOI | 5);
	KUNIT_EXPECT_EQ(test, p.chip[0].isr, 0x01);
	pic_core_write(&p, CMD0, OCW2_SPECIFIC_EOI | 0);
	KUNIT_EXPECT_EQ(test, p.chip[0].isr, 0);
}

static void pic_rotation(struct kunit *test)
{
	struct pic_core p;

	pic_init(&p, 0x01);
	/* Rotate on non-specific EOI: IR0 becomes the lowest. */
	pic_core_set_irq(&p, 0, true);
	KUNIT_EXPECT_EQ(test, pic_core_ack(&p), MBASE + 0);
	pic_core_write(&p, CMD0, OCW2_ROTATE_EOI);
	KUNIT_EXPECT_EQ(test, p.chip[0].isr, 0);
	KUNIT_EXPECT_EQ(test, p.chip[0].priority_add, 1);
	pic_core_set_irq(&p, 0, false);
	pic_core_set_irq(&p, 0, true);
	pic_core_set_irq(&p, 7, true);
	KUNIT_EXPECT_EQ(test, pic_core_ack(&p), MBASE + 7);
	/* IR0 (lowest) is blocked by IR7 in service. */
	KUNIT_EXPECT_TRUE(test, !pic_core_output(&p));
	pic_core_write(&p, CMD0, OCW2_EOI);
	KUNIT_EXPECT_EQ(test, pic_core_ack(&p), MBASE + 0);
	pic_core_write(&p, CMD0, OCW2_EOI);

	/* Set priority: IR4 lowest, so IR5 highest. */
	pic_core_write(&p, CMD0, OCW2_SET_PRIORITY | 4);
	KUNIT_EXPECT_EQ(test, p.chip[0].priority_add, 5);
	pic_core_set_irq(&p, 4, true);
	pic_core_set_irq(&p, 3, true);
	pic_core_set_irq(&p, 6, true);
	KUNIT_EXPECT_EQ(test, pic_core_ack(&p), MBASE + 6);
	/* Rotate on specific EOI: IR6 lowest, IR7 highest. */
	pic_core_write(&p, CMD0, OCW2_ROTATE_SPEC_EOI | 6);
	KUNIT_EXPECT_EQ(test, p.chip[0].isr, 0);
	KUNIT_EXPECT_EQ(test, p.chip[0].priority_add, 7);
	KUNIT_EXPECT_EQ(test, pic_core_ack(&p), MBASE + 3);
	KUNIT_EXPECT_EQ(test, p.chip[0].isr, 0x08);
	/* IR4 ranks below IR3 now. */
	KUNIT_EXPECT_TRUE(test, !pic_core_output(&p));
}

static void pic_auto_eoi(struct kunit *test)
{
	struct pic_core p;

	pic_init(&p, 0x03);
	pic_core_set_irq(&p, 2 + 1, true);
	pic_core_set_irq(&p, 5, true);
	KUNIT_EXPECT_EQ(test, pic_core_ack(&p), MBASE + 3);
	KUNIT_EXPECT_EQ(test, p.chip[0].isr, 0);
	KUNIT_EXPECT_EQ(test, p.chip[0].priority_add, 0);
	KUNIT_EXPECT_TRUE(test, pic_core_output(&p));
	/* Rotate in auto-EOI mode. */
	pic_core_write(&p, CMD0, OCW2_ROTATE_AEOI_SET);
	KUNIT_EXPECT_EQ(test, p.chip[0].rotate_on_auto_eoi, 1);
	KUNIT_EXPECT_EQ(test, pic_core_ack(&p), MBASE + 5);
	KUNIT_EXPECT_EQ(test, p.chip[0].isr, 0);
	KUNIT_EXPECT_EQ(test, p.chip[0].priority_add, 6);
	pic_core_write(&p, CMD0, 0x00);	/* rotate in AEOI: clear */
	KUNIT_EXPECT_EQ(test, p.chip[0].rotate_on_auto_eoi, 0);
}

static void pic_cascade(struct kunit *test)
{
	struct pic_core p;

	pic_init(&p, 0x01);
	KUNIT_EXPECT_EQ(test, pic_core_set_irq(&p, 10, true), 1);
	KUNIT_EXPECT_EQ(test, p.chip[1].irr, 0x04);
	KUNIT_EXPECT_EQ(test, p.chip[0].irr, 0x04);
	KUNIT_EXPECT_TRUE(test, pic_core_output(&p));
	KUNIT_EXPECT_EQ(test, pic_core_ack(&p), SBASE + 2);
	KUNIT_EXPECT_EQ(test, p.chip[0].isr, 0x04);
	KUNIT_EXPECT_EQ(test, p.chip[1].isr, 0x04);
	KUNIT_EXPECT_EQ(test, p.chip[1].irr, 0);
	KUNIT_EXPECT_EQ(test, p.chip[0].irr, 0);

	/* IRQ1 outranks the slave on the master; IRQ3 does not. */
	pic_core_set_irq(&p, 3, true);
	KUNIT_EXPECT_TRUE(test, !pic_core_output(&p));
	pic_core_set_irq(&p, 1, true);
	KUNIT_EXPECT_EQ(test, pic_core_ack(&p), MBASE + 1);
	pic_core_write(&p, CMD0, OCW2_EOI);

	/* A second slave request waits for both EOIs. */
	pic_core_set_irq(&p, 8, true);
	KUNIT_EXPECT_TRUE(test, !pic_core_output(&p));
	pic_core_write(&p, CMD1, OCW2_EOI);
	KUNIT_EXPECT_EQ(test, p.chip[1].isr, 0);
	KUNIT_EXPECT_EQ(test, p.chip[0].irr & 0x04, 0x04);
	KUNIT_EXPECT_TRUE(test, !pic_core_output(&p));
	pic_core_write(&p, CMD0, OCW2_EOI);
	KUNIT_EXPECT_EQ(test, p.chip[0].isr, 0);
	KUNIT_EXPECT_EQ(test, pic_core_ack(&p), SBASE + 0);
	pic_core_write(&p, CMD1, OCW2_EOI);
	pic_core_write(&p, CMD0, OCW2_EOI);
	KUNIT_EXPECT_EQ(test, pic_core_ack(&p), MBASE + 3);
}

static void pic_spurious(struct kunit *test)
{
	struct pic_core p;

	pic_init(&p, 0x01);
	/* Nothing pending: the master's IR7, nothing in service. */
	KUNIT_EXPECT_EQ(test, pic_core_ack(&p), MBASE + 7);
	KUNIT_EXPECT_EQ(test, p.chip[0].isr, 0);
	KUNIT_EXPECT_EQ(test, p.chip[1].isr, 0);

	/* Master takes IR2 with the slave idle: the slave's IR7 (IRQ 15). */
	KUNIT_EXPECT_EQ(test, pic_core_set_irq(&p, 2, true), 1);
	KUNIT_EXPECT_EQ(test, pic_core_ack(&p), SBASE + 7);
	KUNIT_EXPECT_EQ(test, p.chip[0].isr, 0x04);
	KUNIT_EXPECT_EQ(test, p.chip[1].isr, 0);
	pic_core_set_irq(&p, 2, false);
	pic_core_write(&p, CMD0, OCW2_EOI);
	KUNIT_EXPECT_EQ(test, p.chip[0].isr, 0);

	/* A slave level request gone before the acknowledge: IRQ 7. */
	pic_core_write(&p, ELCR1, 0x08);
	pic_core_set_irq(&p, 11, true);
	KUNIT_EXPECT_TRUE(test, pic_core_output(&p));
	pic_core_set_irq(&p, 11, false);
	KUNIT_EXPECT_EQ(test, p.chip[0].irr, 0);
	KUNIT_EXPECT_EQ(test, pic_core_ack(&p), MBASE + 7);
}

static void pic_poll(struct kunit *test)
{
	struct pic_core p;

	pic_init(&p, 0x01);
	pic_core_write(&p, CMD0, OCW3_POLL);
	KUNIT_EXPECT_EQ(test, p.chip[0].poll, 1);
	KUNIT_EXPECT_EQ(test, pic_core_read(&p, CMD0), 0);
	KUNIT_EXPECT_EQ(test, p.chip[0].poll, 0);

	pic_core_set_irq(&p, 6, true);
	pic_core_set_irq(&p, 4, true);
	pic_core_write(&p, CMD0, OCW3_POLL);
	KUNIT_EXPECT_EQ(test, pic_core_read(&p, CMD0), 0x84);
	KUNIT_EXPECT_EQ(test, p.chip[0].isr, 0x10);
	KUNIT_EXPECT_EQ(test, p.chip[0].irr, 0x40);
	/* Poll over: the command port reads IRR again. */
	KUNIT_EXPECT_EQ(test, pic_core_read(&p, CMD0), 0x40);
	pic_core_write(&p, CMD0, OCW2_EOI);

	/* Slave: the master polls IR2, then the slave its pin. */
	pic_core_set_irq(&p, 13, true);
	pic_core_write(&p, CMD0, OCW3_POLL);
	KUNIT_EXPECT_EQ(test, pic_core_read(&p, DATA0), 0x82);
	pic_core_write(&p, CMD1, OCW3_POLL);
	KUNIT_EXPECT_EQ(test, pic_core_read(&p, CMD1), 0x85);
	KUNIT_EXPECT_EQ(test, p.chip[1].isr, 0x20);
	KUNIT_EXPECT_EQ(test, p.chip[0].isr, 0x04);
}

static void pic_read_registers(struct kunit *test)
{
	struct pic_core p;

	pic_init(&p, 0x01);
	pic_core_set_irq(&p, 0, true);
	pic_core_set_irq(&p, 5, true);
	pic_core_ack(&p);
	KUNIT_EXPECT_EQ(test, pic_core_read(&p, CMD0), 0x20);	/* IRR */
	pic_core_write(&p, CMD0, OCW3_READ_ISR);
	KUNIT_EXPECT_EQ(test, pic_core_read(&p, CMD0), 0x01);
	KUNIT_EXPECT_EQ(test, pic_core_read(&p, CMD0), 0x01);
	/* OCW3 without RR keeps the selection. */
	pic_core_write(&p, CMD0, 0x08);
	KUNIT_EXPECT_EQ(test, pic_core_read(&p, CMD0), 0x01);
	pic_core_write(&p, CMD0, OCW3_READ_IRR);
	KUNIT_EXPECT_EQ(test, pic_core_read(&p, CMD0), 0x20);
	pic_core_write(&p, DATA0, 0xa5);
	KUNIT_EXPECT_EQ(test, pic_core_read(&p, DATA0), 0xa5);
	KUNIT_EXPECT_EQ(test, pic_core_read(&p, 0x22), 0xff);
}

static void pic_special_mask(struct kunit *test)
{
	struct pic_core p;

	pic_init(&p, 0x01);
	pic_core_set_irq(&p, 3, true);
	KUNIT_EXPECT_EQ(test, pic_core_ack(&p), MBASE + 3);
	pic_core_set_irq(&p, 5, true);
	KUNIT_EXPECT_TRUE(test, !pic_core_output(&p));
	/* The IR3 handler masks itself and enters special mask mode. */
	pic_core_write(&p, DATA0, 0x08);
	KUNIT_EXPECT_TRUE(test, !pic_core_output(&p));
	pic_core_write(&p, CMD0, OCW3_SMM_SET);
	KUNIT_EXPECT_EQ(test, p.chip[0].special_mask, 1);
	KUNIT_EXPECT_TRUE(test, pic_core_output(&p));
	KUNIT_EXPECT_EQ(test, pic_core_ack(&p), MBASE + 5);
	KUNIT_EXPECT_EQ(test, p.chip[0].isr, 0x28);
	pic_core_write(&p, CMD0, OCW2_SPECIFIC_EOI | 5);
	pic_core_write(&p, CMD0, OCW3_SMM_RESET);
	KUNIT_EXPECT_EQ(test, p.chip[0].special_mask, 0);
	pic_core_set_irq(&p, 5, false);
	pic_core_set_irq(&p, 5, true);
	KUNIT_EXPECT_TRUE(test, !pic_core_output(&p));
}

static void pic_special_fully_nested(struct kunit *test)
{
	struct pic_core p;

	/* Without SFNM a higher slave request waits for the master EOI. */
	pic_init(&p, 0x01);
	pic_core_set_irq(&p, 12, true);
	KUNIT_EXPECT_EQ(test, pic_core_ack(&p), SBASE + 4);
	pic_core_set_irq(&p, 9, true);
	KUNIT_EXPECT_EQ(test, p.chip[0].irr & 0x04, 0x04);
	KUNIT_EXPECT_TRUE(test, !pic_core_output(&p));

	/* With SFNM on the master it nests. */
	pic_init(&p, 0x01);
	pic_core_write(&p, CMD0, 0x11);
	pic_core_write(&p, DATA0, MBASE);
	pic_core_write(&p, DATA0, 0x04);
	pic_core_write(&p, DATA0, 0x11);
	KUNIT_EXPECT_EQ(test, p.chip[0].special_fully_nested_mode, 1);
	pic_core_set_irq(&p, 12, true);
	KUNIT_EXPECT_EQ(test, pic_core_ack(&p), SBASE + 4);
	KUNIT_EXPECT_TRUE(test, !pic_core_output(&p));
	pic_core_set_irq(&p, 9, true);
	KUNIT_EXPECT_TRUE(test, pic_core_output(&p));
	KUNIT_EXPECT_EQ(test, pic_core_ack(&p), SBASE + 1);
	KUNIT_EXPECT_EQ(test, p.chip[1].isr, 0x12);
	/* ... but a lower slave request still does not. */
	pic_core_set_irq(&p, 15, true);
	KUNIT_EXPECT_TRUE(test, !pic_core_output(&p));
	/* Nor does a master pin below IR2. */
	pic_core_set_irq(&p, 4, true);
	KUNIT_EXPECT_TRUE(test, !pic_core_output(&p));
}

static void pic_icw1_resets(struct kunit *test)
{
	struct pic_core p;

	pic_init(&p, 0x01);
	pic_core_write(&p, ELCR0, 0x20);	/* IRQ5 level */
	pic_core_set_irq(&p, 1, true);
	pic_core_set_irq(&p, 3, true);
	pic_core_set_irq(&p, 5, true);
	pic_core_ack(&p);
	pic_core_write(&p, DATA0, 0xf0);
	pic_core_write(&p, CMD0, OCW3_READ_ISR);
	pic_core_write(&p, CMD0, OCW2_SET_PRIORITY | 2);
	pic_core_write(&p, CMD0, 0x11);
	KUNIT_EXPECT_EQ(test, p.chip[0].isr, 0);
	KUNIT_EXPECT_EQ(test, p.chip[0].imr, 0);
	KUNIT_EXPECT_EQ(test, p.chip[0].priority_add, 0);
	KUNIT_EXPECT_EQ(test, p.chip[0].read_reg_select, 0);
	/* Edges forgotten, the level line still requests. */
	KUNIT_EXPECT_EQ(test, p.chip[0].irr, 0x20);
	KUNIT_EXPECT_EQ(test, p.chip[0].elcr, 0x20);
	pic_core_write(&p, DATA0, MBASE);
	pic_core_write(&p, DATA0, 0x04);
	pic_core_write(&p, DATA0, 0x01);
	/* IRQ1's line is still high: it needs a new edge. */
	KUNIT_EXPECT_EQ(test, pic_core_set_irq(&p, 1, true), 0);
	KUNIT_EXPECT_EQ(test, pic_core_ack(&p), MBASE + 5);
}

static void pic_set_chip_invariants(struct kunit *test)
{
	struct kvm_pic_state s = {
		.irr = 0x08, .irq_base = 0x70, .elcr = 0xff, .elcr_mask = 0,
		.priority_add = 0xf9, .init_state = 0xff,
	};
	struct pic_core p;

	pic_init(&p, 0x01);
	KUNIT_EXPECT_TRUE(test, !pic_core_output(&p));
	pic_core_set_chip(&p, 1, &s);
	KUNIT_EXPECT_EQ(test, p.chip[1].elcr_mask, 0xde);
	KUNIT_EXPECT_EQ(test, p.chip[1].elcr, 0xde);
	KUNIT_EXPECT_EQ(test, p.chip[1].priority_add, 1);
	KUNIT_EXPECT_EQ(test, p.chip[1].init_state,
			PIC_INIT_STEP | PIC_INIT_SINGLE);
	/* IRQ11 is level with its line low: no request. */
	KUNIT_EXPECT_EQ(test, p.chip[1].irr, 0);
	s.elcr = 0;
	s.init_state = 0;
	pic_core_set_chip(&p, 1, &s);
	KUNIT_EXPECT_EQ(test, p.chip[1].irr, 0x08);
	KUNIT_EXPECT_EQ(test, p.chip[0].irr, 0x04);
	KUNIT_EXPECT_TRUE(test, pic_core_output(&p));
	KUNIT_EXPECT_EQ(test, pic_core_ack(&p), 0x73);
	pic_core_set_chip(&p, 2, &s);	/* ignored */
	KUNIT_EXPECT_EQ(test, p.chip[0].irq_base, MBASE);
}

static struct kunit_case pic_cases[] = {
	KUNIT_CASE(pic_init_sequence),
	KUNIT_CASE(pic_init_single_mode),
	KUNIT_CASE(pic_edge),
	KUNIT_CASE(pic_level),
	KUNIT_CASE(pic_elcr),
	KUNIT_CASE(pic_mask),
	KUNIT_CASE(pic_priority_nesting),
	KUNIT_CASE(pic_rotation),
	KUNIT_CASE(pic_auto_eoi),
	KUNIT_CASE(pic_cascade),
	KUNIT_CASE(pic_spurious),
	KUNIT_CASE(pic_poll),
	KUNIT_CASE(pic_read_registers),
	KUNIT_CASE(pic_special_mask),
	KUNIT_CASE(pic_special_fully_nested),
	KUNIT_CASE(pic_icw1_resets),
	KUNIT_CASE(pic_set_chip_invariants),
	{}
};

static struct kunit_suite pic_suite = {
	.name = "kvmod_pic",
	.test_cases = pic_cases,
};

kunit_test_suites(&pic_suite);

MODULE_LICENSE("GPL");
