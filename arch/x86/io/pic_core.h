/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The 8259A pair of a PC (master at 0x20, slave at 0xa0 on master pin 2,
 * PIIX ELCR at 0x4d0/0x4d1) as a pure state machine over two
 * struct kvm_pic_state: no locking, no allocation, no kernel calls, so
 * the same source builds into kvmod.ko and into host unit tests.  The
 * glue (pic.c) adds the lock, the port bus and the vCPU kick.
 *
 * Interpretation of struct kvm_pic_state fields:
 *
 * - @last_irr: the level of each input line.  For an edge-triggered pin a
 *   rising edge (line low -> high) latches the IRR bit; a level-triggered
 *   pin (ELCR bit set) has its IRR bit follow the line.  The master's bit
 *   2 is the line of an external source on IR2, if any; the master's IRR
 *   bit 2 is that line ORed with the slave's INT output (the cascade).
 * - @priority_add: the pin with the highest priority; the others follow
 *   in circular order (0 after reset: IR0 highest, IR7 lowest).
 * - @init_state: the initialization sequence step in bits 1:0
 *   (PIC_INIT_*), and PIC_INIT_SINGLE when ICW1 selected single mode
 *   (no ICW3 follows ICW2).
 * - @init4: ICW1 announced an ICW4.
 * - @elcr_mask: the ELCR bits that exist (0xf8 master, 0xde slave).
 */
#ifndef KVMOD_PIC_CORE_H
#define KVMOD_PIC_CORE_H

#include "io_types.h"
#include <linux/kvm.h>

/* Ports: command (A0 = 0) and data (A0 = 1) of each chip, and ELCR. */
#define PIC_MASTER_BASE		0x20
#define PIC_SLAVE_BASE		0xa0
#define PIC_ELCR_BASE		0x4d0

#define PIC_CASCADE_PIN		2
#define PIC_SPURIOUS_PIN	7

/* ELCR bits that exist: IRQ0-2 (master) and IRQ8, IRQ13 are edge only. */
#define PIC_MASTER_ELCR_MASK	0xf8
#define PIC_SLAVE_ELCR_MASK	0xde

/* struct kvm_pic_state.init_state */
#define PIC_INIT_READY		0	/* initialized: data port is OCW1 */
#define PIC_INIT_ICW2		1	/* ICW1 written, ICW2 next */
#define PIC_INIT_ICW3		2
#define PIC_INIT_ICW4		3
#define PIC_INIT_STEP		0x3
#define PIC_INIT_SINGLE		0x4

/**
 * struct pic_core - the master/slave pair
 * @chip: [0] the master, [1] the slave, in KVM_GET_IRQCHIP's format
 */
struct pic_core {
	struct kvm_pic_state chip[2];
};

void pic_core_reset(struct pic_core *p);
int pic_core_set_irq(struct pic_core *p, unsigned int pin, bool level);
bool pic_core_output(const struct pic_core *p);
int pic_core_ack(struct pic_core *p);
u8 pic_core_read(struct pic_core *p, u16 port);
void pic_core_write(struct pic_core *p, u16 port, u8 val);
void pic_core_set_chip(struct pic_core *p, unsigned int chip,
		       const struct kvm_pic_state *s);

#endif /* KVMOD_PIC_CORE_H */
