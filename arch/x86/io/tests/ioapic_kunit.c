// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the I/O APIC (arch/x86/io/ioapic_core.c): registers,
 * edge and level delivery, remote IRR and EOI, masked-then-unmasked pins,
 * read-only bits, the re-delivery limit with its deferred retry, and
 * KVM_SET_IRQCHIP.  Messages go to a recording callback.
 */
#include <kunit/test.h>

#include "../ioapic_core.h"

/**
 * struct sink - records the messages the I/O APIC sends
 * @calls: messages sent
 * @last: the last one's redirection entry
 * @ret: what the "local APICs" answer (accepted count, or -1)
 */
struct sink {
	int calls;
	u64 last;
	int ret;
};

static int sink_deliver(void *ctx, u64 entry)
{
	struct sink *s = ctx;

	s->calls++;
	s->last = entry;
	return s->ret;
}

static void setup(struct ioapic_core *io, struct sink *s)
{
	*s = (struct sink) { .ret = 1 };
	ioapic_core_reset(io, sink_deliver, s);
}

static u32 rd(struct ioapic_core *io, u8 sel)
{
	ioapic_core_write(io, IOAPIC_REG_SELECT, sel);
	return ioapic_core_read(io, IOAPIC_REG_WINDOW);
}

static void wr(struct ioapic_core *io, u8 sel, u32 val)
{
	ioapic_core_write(io, IOAPIC_REG_SELECT, sel);
	ioapic_core_write(io, IOAPIC_REG_WINDOW, val);
}

/* As guests do it: the high half (destination) first. */
static void set_rte(struct ioapic_core *io, unsigned int pin, u32 lo, u32 hi)
{
	wr(io, IOAPIC_IND_REDIR + 2 * pin + 1, hi);
	wr(io, IOAPIC_IND_REDIR + 2 * pin, lo);
}

#define LEVEL	((u32)IOAPIC_RTE_LEVEL)
#define MASKED	((u32)IOAPIC_RTE_MASKED)
#define RIRR	((u32)IOAPIC_RTE_REMOTE_IRR)

static void ioapic_registers(struct kunit *test)
{
	struct ioapic_core io;
	struct sink s;
	unsigned int pin;

	setup(&io, &s);
	KUNIT_EXPECT_EQ(test, io.s.base_address, 0xfec00000ULL);
	KUNIT_EXPECT_EQ(test, rd(&io, IOAPIC_IND_VERSION), 0x00170011);
	KUNIT_EXPECT_EQ(test, rd(&io, IOAPIC_IND_ID), 0);
	wr(&io, IOAPIC_IND_ID, 0xff000000);
	KUNIT_EXPECT_EQ(test, rd(&io, IOAPIC_IND_ID), 0x0f000000);
	KUNIT_EXPECT_EQ(test, io.s.id, 0x0f);
	KUNIT_EXPECT_EQ(test, rd(&io, IOAPIC_IND_ARB), 0x0f000000);
	wr(&io, IOAPIC_IND_VERSION, 0);		/* read-only */
	KUNIT_EXPECT_EQ(test, rd(&io, IOAPIC_IND_VERSION), 0x00170011);
	ioapic_core_write(&io, IOAPIC_REG_SELECT, 0x1234);
	KUNIT_EXPECT_EQ(test, ioapic_core_read(&io, IOAPIC_REG_SELECT), 0x34);
	for (pin = 0; pin < IOAPIC_CORE_PINS; pin++) {
		KUNIT_EXPECT_EQ(test, rd(&io, 0x10 + 2 * pin), MASKED);
		KUNIT_EXPECT_EQ(test, rd(&io, 0x11 + 2 * pin), 0);
	}
	/* The entries hold both halves; unused indexes read 0. */
	set_rte(&io, 23, MASKED | 0x0a41, 0x03000000);
	KUNIT_EXPECT_EQ(test, rd(&io, 0x3e), MASKED | 0x0a41);
	KUNIT_EXPECT_EQ(test, rd(&io, 0x3f), 0x03000000);
	KUNIT_EXPECT_EQ(test, io.s.redirtbl[23].bits,
			0x0300000000010a41ULL);
	KUNIT_EXPECT_EQ(test, io.s.redirtbl[23].fields.dest_id, 3);
	KUNIT_EXPECT_EQ(test, io.s.redirtbl[23].fields.vector, 0x41);
	KUNIT_EXPECT_EQ(test, rd(&io, 0x40), 0);
	KUNIT_EXPECT_EQ(test, rd(&io, 0x03), 0);
	KUNIT_EXPECT_EQ(test, ioapic_core_read(&io, 0x20), 0);
	KUNIT_EXPECT_EQ(test, s.calls, 0);
}

static void ioapic_edge(struct kunit *test)
{
	struct ioapic_core io;
	struct sink s;

	setup(&io, &s);
	set_rte(&io, 4, 0x0830, 0x02000000);	/* logical, vector 0x30 */
	KUNIT_EXPECT_EQ(test, ioapic_core_set_irq(&io, 4, true), 1);
	KUNIT_EXPECT_EQ(test, s.calls, 1);
	KUNIT_EXPECT_EQ(test, s.last, 0x0200000000000830ULL);
	KUNIT_EXPECT_EQ(test, io.s.irr, 1u << 4);
	/* No edge while the line stays high. */
	KUNIT_EXPECT_EQ(test, ioapic_core_set_irq(&io, 4, true), 0);
	KUNIT_EXPECT_EQ(test, s.calls, 1);
	KUNIT_EXPECT_EQ(test, ioapic_core_set_irq(&io, 4, false), 1);
	KUNIT_EXPECT_EQ(test, io.s.irr, 0);
	KUNIT_EXPECT_EQ(test, s.calls, 1);
	/* Edge entries never get remote IRR; EOI does nothing. */
	KUNIT_EXPECT_EQ(test, rd(&io, 0x18) & RIRR, 0);
	KUNIT_EXPECT_TRUE(test, !ioapic_core_eoi(&io, 0x30));
	KUNIT_EXPECT_EQ(test, s.calls, 1);
	/* Every rising edge sends; the APICs' answer is returned. */
	s.ret = 2;
	KUNIT_EXPECT_EQ(test, ioapic_core_set_irq(&io, 4, true), 2);
	s.ret = 0;
	ioapic_core_set_irq(&io, 4, false);
	KUNIT_EXPECT_EQ(test, ioapic_core_set_irq(&io, 4, true), 0);
	s.ret = -1;
	ioapic_core_set_irq(&io, 4, false);
	KUNIT_EXPECT_EQ(test, ioapic_core_set_irq(&io, 4, true), -1);
	KUNIT_EXPECT_EQ(test, s.calls, 4);
	KUNIT_EXPECT_EQ(test, ioapic_core_set_irq(&io, 24, true), -1);
}

static void ioapic_level_remote_irr(struct kunit *test)
{
	struct ioapic_core io;
	struct sink s;

	setup(&io, &s);
	set_rte(&io, 9, LEVEL | 0x0141, 0xff000000);	/* lowest prio */
	KUNIT_EXPECT_EQ(test, ioapic_core_set_irq(&io, 9, true), 1);
	KUNIT_EXPECT_EQ(test, s.calls, 1);
	KUNIT_EXPECT_EQ(test, s.last, 0xff00000000008141ULL);
	KUNIT_EXPECT_EQ(test, rd(&io, 0x22) & RIRR, RIRR);
	/* Pending at the APIC: another assert is coalesced. */
	KUNIT_EXPECT_EQ(test, ioapic_core_set_irq(&io, 9, true), 0);
	KUNIT_EXPECT_EQ(test, s.calls, 1);
	/* EOI of another vector changes nothing. */
	KUNIT_EXPECT_TRUE(test, !ioapic_core_eoi(&io, 0x42));
	KUNIT_EXPECT_EQ(test, rd(&io, 0x22) & RIRR, RIRR);
	/* EOI with the line still high: sent again, remote IRR again. */
	KUNIT_EXPECT_TRUE(test, !ioapic_core_eoi(&io, 0x41));
	KUNIT_EXPECT_EQ(test, s.calls, 2);
	KUNIT_EXPECT_EQ(test, rd(&io, 0x22) & RIRR, RIRR);
	/* Line low, then EOI: remote IRR clears, nothing sent. */
	KUNIT_EXPECT_EQ(test, ioapic_core_set_irq(&io, 9, false), 1);
	KUNIT_EXPECT_TRUE(test, !ioapic_core_eoi(&io, 0x41));
	KUNIT_EXPECT_EQ(test, s.calls, 2);
	KUNIT_EXPECT_EQ(test, rd(&io, 0x22) & RIRR, 0);
	KUNIT_EXPECT_EQ(test, ioapic_core_set_irq(&io, 9, true), 1);
	KUNIT_EXPECT_EQ(test, s.calls, 3);
}

static void ioapic_level_not_accepted(struct kunit *test)
{
	struct ioapic_core io;
	struct sink s;

	setup(&io, &s);
	set_rte(&io, 5, LEVEL | 0x51, 0x07000000);
	s.ret = -1;
	KUNIT_EXPECT_EQ(test, ioapic_core_set_irq(&io, 5, true), -1);
	/* Nobody took it: no remote IRR, so it is tried again. */
	KUNIT_EXPECT_EQ(test, rd(&io, 0x1a) & RIRR, 0);
	s.ret = 1;
	KUNIT_EXPECT_EQ(test, ioapic_core_set_irq(&io, 5, true), 1);
	KUNIT_EXPECT_EQ(test, s.calls, 2);
	/* Retargeting a ready pin sends it. */
	s.ret = -1;
	ioapic_core_set_irq(&io, 5, false);
	ioapic_core_eoi(&io, 0x51);
	KUNIT_EXPECT_EQ(test, ioapic_core_set_irq(&io, 5, true), -1);
	s.ret = 1;
	wr(&io, 0x1b, 0x01000000);
	KUNIT_EXPECT_EQ(test, s.calls, 4);
	KUNIT_EXPECT_EQ(test, s.last >> 56, 1);
	KUNIT_EXPECT_EQ(test, rd(&io, 0x1a) & RIRR, RIRR);
}

static void ioapic_masked_then_unmasked(struct kunit *test)
{
	struct ioapic_core io;
	struct sink s;

	setup(&io, &s);
	set_rte(&io, 10, MASKED | LEVEL | 0x61, 0);
	set_rte(&io, 11, MASKED | 0x62, 0);
	KUNIT_EXPECT_EQ(test, ioapic_core_set_irq(&io, 10, true), -1);
	KUNIT_EXPECT_EQ(test, ioapic_core_set_irq(&io, 11, true), -1);
	KUNIT_EXPECT_EQ(test, s.calls, 0);
	KUNIT_EXPECT_EQ(test, io.s.irr, (1u << 10) | (1u << 11));
	/* Unmasking the asserted level pin sends it at once. */
	wr(&io, 0x24, LEVEL | 0x61);
	KUNIT_EXPECT_EQ(test, s.calls, 1);
	KUNIT_EXPECT_EQ(test, s.last & 0xff, 0x61);
	KUNIT_EXPECT_EQ(test, rd(&io, 0x24), LEVEL | RIRR | 0x61);
	/* Rewriting it with remote IRR set does not send again. */
	wr(&io, 0x24, LEVEL | 0x61);
	KUNIT_EXPECT_EQ(test, s.calls, 1);
	/* The edge pin's edge was lost while masked. */
	wr(&io, 0x26, 0x62);
	KUNIT_EXPECT_EQ(test, s.calls, 1);
	/* Masking a level pin: EOI clears remote IRR, sends nothing. */
	wr(&io, 0x24, MASKED | LEVEL | 0x61);
	KUNIT_EXPECT_TRUE(test, !ioapic_core_eoi(&io, 0x61));
	KUNIT_EXPECT_EQ(test, s.calls, 1);
	KUNIT_EXPECT_EQ(test, rd(&io, 0x24), MASKED | LEVEL | 0x61);
	KUNIT_EXPECT_EQ(test, ioapic_core_set_irq(&io, 10, false), -1);
	/* Unmasked with the line low: nothing. */
	wr(&io, 0x24, LEVEL | 0x61);
	KUNIT_EXPECT_EQ(test, s.calls, 1);
}

static void ioapic_read_only_bits(struct kunit *test)
{
	struct ioapic_core io;
	struct sink s;

	setup(&io, &s);
	/* Delivery status and remote IRR cannot be written. */
	wr(&io, 0x10, 0xffffffff);
	KUNIT_EXPECT_EQ(test, rd(&io, 0x10), 0xffffffff & ~(u32)IOAPIC_RTE_READ_ONLY);
	set_rte(&io, 0, LEVEL | 0x71, 0);
	ioapic_core_set_irq(&io, 0, true);
	KUNIT_EXPECT_EQ(test, rd(&io, 0x10), LEVEL | RIRR | 0x71);
	wr(&io, 0x10, LEVEL | 0x72);
	KUNIT_EXPECT_EQ(test, rd(&io, 0x10), LEVEL | RIRR | 0x72);
	/* Switching to edge clears remote IRR (and sends nothing). */
	wr(&io, 0x10, 0x72);
	KUNIT_EXPECT_EQ(test, rd(&io, 0x10), 0x72);
	KUNIT_EXPECT_EQ(test, s.calls, 1);
	/* Back to level with the line high: sent. */
	wr(&io, 0x10, LEVEL | 0x72);
	KUNIT_EXPECT_EQ(test, s.calls, 2);
	KUNIT_EXPECT_EQ(test, rd(&io, 0x10), LEVEL | RIRR | 0x72);
}

static void ioapic_shared_vector_eoi(struct kunit *test)
{
	struct ioapic_core io;
	struct sink s;

	setup(&io, &s);
	set_rte(&io, 16, LEVEL | 0x90, 0);
	set_rte(&io, 17, LEVEL | 0x90, 0);
	ioapic_core_set_irq(&io, 16, true);
	ioapic_core_set_irq(&io, 17, true);
	KUNIT_EXPECT_EQ(test, s.calls, 2);
	ioapic_core_set_irq(&io, 16, false);
	ioapic_core_eoi(&io, 0x90);
	/* Both entries' remote IRR cleared; only 17 is still high. */
	KUNIT_EXPECT_EQ(test, s.calls, 3);
	KUNIT_EXPECT_EQ(test, rd(&io, 0x30) & RIRR, 0);
	KUNIT_EXPECT_EQ(test, rd(&io, 0x32) & RIRR, RIRR);
}

static void ioapic_storm_limit(struct kunit *test)
{
	struct ioapic_core io;
	struct sink s;
	unsigned int i;
	bool deferred = false;

	setup(&io, &s);
	set_rte(&io, 3, LEVEL | 0xa0, 0);
	ioapic_core_set_irq(&io, 3, true);
	KUNIT_EXPECT_EQ(test, s.calls, 1);
	for (i = 0; i < IOAPIC_EOI_REDELIVER_MAX; i++)
		deferred |= ioapic_core_eoi(&io, 0xa0);
	KUNIT_EXPECT_TRUE(test, !deferred);
	KUNIT_EXPECT_EQ(test, s.calls, 1 + IOAPIC_EOI_REDELIVER_MAX);
	/* One more: left for the retry, remote IRR clear. */
	KUNIT_EXPECT_TRUE(test, ioapic_core_eoi(&io, 0xa0));
	KUNIT_EXPECT_EQ(test, s.calls, 1 + IOAPIC_EOI_REDELIVER_MAX);
	KUNIT_EXPECT_EQ(test, io.retry, 1u << 3);
	KUNIT_EXPECT_EQ(test, rd(&io, 0x16) & RIRR, 0);
	ioapic_core_retry(&io);
	KUNIT_EXPECT_EQ(test, s.calls, 2 + IOAPIC_EOI_REDELIVER_MAX);
	KUNIT_EXPECT_EQ(test, io.retry, 0);
	KUNIT_EXPECT_EQ(test, rd(&io, 0x16) & RIRR, RIRR);
	/* Still stuck: the next EOI defers again. */
	KUNIT_EXPECT_TRUE(test, ioapic_core_eoi(&io, 0xa0));
	/* A retry for a line gone low sends nothing. */
	ioapic_core_set_irq(&io, 3, false);
	KUNIT_EXPECT_EQ(test, io.retry, 0);
	io.retry = 1u << 3;
	ioapic_core_retry(&io);
	KUNIT_EXPECT_EQ(test, s.calls, 2 + IOAPIC_EOI_REDELIVER_MAX);
	/* The line went low: the count restarts. */
	ioapic_core_set_irq(&io, 3, true);
	KUNIT_EXPECT_EQ(test, s.calls, 3 + IOAPIC_EOI_REDELIVER_MAX);
	KUNIT_EXPECT_TRUE(test, !ioapic_core_eoi(&io, 0xa0));
	KUNIT_EXPECT_EQ(test, s.calls, 4 + IOAPIC_EOI_REDELIVER_MAX);
}

static void ioapic_set_state(struct kunit *test)
{
	struct kvm_ioapic_state st = {
		.base_address = 0x1000, .ioregsel = 0x12, .id = 2,
		.irr = (1u << 1) | (1u << 2) | (1u << 6) | (1u << 7),
	};
	struct ioapic_core io;
	struct sink s;
	unsigned int pin;

	setup(&io, &s);
	for (pin = 0; pin < IOAPIC_CORE_PINS; pin++)
		st.redirtbl[pin].bits = IOAPIC_RTE_MASKED;
	st.redirtbl[1].bits = 0x31;				/* edge */
	st.redirtbl[2].bits = IOAPIC_RTE_LEVEL | 0x32;		/* ready */
	st.redirtbl[6].bits = IOAPIC_RTE_LEVEL | IOAPIC_RTE_REMOTE_IRR | 0x36;
	st.redirtbl[7].bits = IOAPIC_RTE_LEVEL | IOAPIC_RTE_MASKED | 0x37;
	io.retry = 1;
	ioapic_core_set_state(&io, &st);
	KUNIT_EXPECT_EQ(test, io.s.base_address, 0xfec00000ULL);
	KUNIT_EXPECT_EQ(test, io.retry, 0);
	/* Only the ready level pin is sent. */
	KUNIT_EXPECT_EQ(test, s.calls, 1);
	KUNIT_EXPECT_EQ(test, s.last & 0xff, 0x32);
	KUNIT_EXPECT_EQ(test, io.s.redirtbl[2].bits & IOAPIC_RTE_REMOTE_IRR,
			IOAPIC_RTE_REMOTE_IRR);
	KUNIT_EXPECT_EQ(test, ioapic_core_read(&io, IOAPIC_REG_SELECT), 0x12);
	/* IOREGSEL 0x12: the low half of pin 1's entry. */
	KUNIT_EXPECT_EQ(test, ioapic_core_read(&io, IOAPIC_REG_WINDOW), 0x31);
	KUNIT_EXPECT_EQ(test, rd(&io, IOAPIC_IND_ID), 0x02000000);
	KUNIT_EXPECT_EQ(test, io.s.irr, st.irr);
	/* The restored remote IRR waits for its EOI. */
	ioapic_core_eoi(&io, 0x36);
	KUNIT_EXPECT_EQ(test, s.calls, 2);
	KUNIT_EXPECT_EQ(test, s.last & 0xff, 0x36);
	/* The edge pin needs a new edge. */
	KUNIT_EXPECT_EQ(test, ioapic_core_set_irq(&io, 1, true), 0);
	KUNIT_EXPECT_EQ(test, s.calls, 2);
}

static struct kunit_case ioapic_cases[] = {
	KUNIT_CASE(ioapic_registers),
	KUNIT_CASE(ioapic_edge),
	KUNIT_CASE(ioapic_level_remote_irr),
	KUNIT_CASE(ioapic_level_not_accepted),
	KUNIT_CASE(ioapic_masked_then_unmasked),
	KUNIT_CASE(ioapic_read_only_bits),
	KUNIT_CASE(ioapic_shared_vector_eoi),
	KUNIT_CASE(ioapic_storm_limit),
	KUNIT_CASE(ioapic_set_state),
	{}
};

static struct kunit_suite ioapic_suite = {
	.name = "kvmod_ioapic",
	.test_cases = ioapic_cases,
};

kunit_test_suites(&ioapic_suite);

MODULE_LICENSE("GPL");
