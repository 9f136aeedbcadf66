/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An 82093AA-style I/O APIC (24 pins, version 0x11) as a pure state
 * machine over struct kvm_ioapic_state: no locking, no allocation, no
 * kernel calls, so the same source builds into kvmod.ko and into host
 * unit tests.  Interrupt messages leave through a callback; the glue
 * (ioapic.c) adds the lock, the MMIO bus, the local APICs and the
 * deferred retry timer.
 *
 * Interpretation of struct kvm_ioapic_state fields:
 *
 * - @irr: the level of each input line (1 = asserted; polarity is
 *   ignored, as KVM_CAP_X86_IOAPIC_POLARITY_IGNORED says).
 * - @id: the 4-bit I/O APIC id, unshifted (register 0 reads it in bits
 *   27:24).
 * - @ioregsel: IOREGSEL; bits 7:0 select the register.
 * - @redirtbl: the redirection entries; delivery status stays 0 (messages
 *   go out at once) and remote IRR is set when a local APIC accepts a
 *   level-triggered message, cleared by its EOI.
 */
#ifndef KVMOD_IOAPIC_CORE_H
#define KVMOD_IOAPIC_CORE_H

#include "io_types.h"
#include <linux/kvm.h>

#define IOAPIC_CORE_BASE	0xfec00000ULL
#define IOAPIC_CORE_PINS	KVM_IOAPIC_NUM_PINS

/* MMIO registers (offsets from the base) */
#define IOAPIC_REG_SELECT	0x00
#define IOAPIC_REG_WINDOW	0x10

/* Registers behind IOWIN */
#define IOAPIC_IND_ID		0x00
#define IOAPIC_IND_VERSION	0x01
#define IOAPIC_IND_ARB		0x02
#define IOAPIC_IND_REDIR	0x10	/* 2 per pin: low, high */

/* Version 0x11, maximum redirection entry 23 */
#define IOAPIC_VERSION_VALUE	(0x11 | ((IOAPIC_CORE_PINS - 1) << 16))

/* Redirection entry bits */
#define IOAPIC_RTE_VECTOR		0xffULL
#define IOAPIC_RTE_DELIVERY_SHIFT	8
#define IOAPIC_RTE_DELIVERY_MODE	(7ULL << 8)
#define IOAPIC_RTE_DEST_LOGICAL		(1ULL << 11)
#define IOAPIC_RTE_DELIVERY_STATUS	(1ULL << 12)
#define IOAPIC_RTE_POLARITY		(1ULL << 13)
#define IOAPIC_RTE_REMOTE_IRR		(1ULL << 14)
#define IOAPIC_RTE_LEVEL		(1ULL << 15)
#define IOAPIC_RTE_MASKED		(1ULL << 16)
#define IOAPIC_RTE_DEST_SHIFT		56
#define IOAPIC_RTE_READ_ONLY \
	(IOAPIC_RTE_DELIVERY_STATUS | IOAPIC_RTE_REMOTE_IRR)

/*
 * A level-triggered line stuck high is re-delivered at each EOI up to
 * this many times in a row; after that, EOIs only mark the pin for the
 * deferred retry (ioapic_core_retry()), so a guest that cannot quiet
 * its device still runs.  The count restarts when the line goes low.
 */
#define IOAPIC_EOI_REDELIVER_MAX	10000

/**
 * struct ioapic_core - one I/O APIC
 * @s: the state, in KVM_GET_IRQCHIP's format
 * @retry: pins whose EOI re-delivery was deferred
 * @redelivered: re-deliveries at EOI in a row, per pin, while the line
 *	stayed high
 * @deliver: sends one message built from redirection entry @entry;
 *	returns the number of local APICs that accepted it, or -1 if none
 * @ctx: passed to @deliver
 */
struct ioapic_core {
	struct kvm_ioapic_state s;
	u32 retry;
	u32 redelivered[IOAPIC_CORE_PINS];
	int (*deliver)(void *ctx, u64 entry);
	void *ctx;
};

void ioapic_core_reset(struct ioapic_core *io,
		       int (*deliver)(void *ctx, u64 entry), void *ctx);
int ioapic_core_set_irq(struct ioapic_core *io, unsigned int pin,
			bool level);
bool ioapic_core_eoi(struct ioapic_core *io, u8 vector);
void ioapic_core_retry(struct ioapic_core *io);
u32 ioapic_core_read(const struct ioapic_core *io, unsigned int reg);
void ioapic_core_write(struct ioapic_core *io, unsigned int reg, u32 val);
void ioapic_core_set_state(struct ioapic_core *io,
			   const struct kvm_ioapic_state *s);

#endif /* KVMOD_IOAPIC_CORE_H */
