// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the i8254 (arch/x86/io/pit_core.c): CLK/ns conversion,
 * the reset state, control words and the RW modes' byte order and
 * flip-flops, counting and OUT in modes 0-5, BCD, the counter latch and
 * read-back commands, the gate, port 0x61, the edges counter 0's
 * interrupt follows and KVM_SET_PIT2's interpretation.
 */
#include <kunit/test.h>

#include "../pit_core.h"

#define CH0	0x40
#define CH1	0x41
#define CH2	0x42
#define CTRL	0x43

/* A start time well away from 0 and from the refresh toggle's phase. */
#define T0	1000000000LL

/* The time @ticks CLK periods after @t. */
static s64 at(s64 t, u64 ticks)
{
	return t + (s64)pit_ticks_to_ns(ticks);
}

/* Control word: counter @ch, RW word, @mode, binary; then the count. */
static void program(struct pit_core *p, unsigned int ch, unsigned int mode,
		    u16 count, s64 now)
{
	pit_core_write(p, CTRL, ch << 6 | PIT_RW_WORD << 4 | mode << 1, now);
	pit_core_write(p, PIT_BASE + ch, count & 0xff, now);
	pit_core_write(p, PIT_BASE + ch, count >> 8, now);
}

static u16 read_word(struct pit_core *p, unsigned int ch, s64 now)
{
	u16 lo = pit_core_read(p, PIT_BASE + ch, now);

	return lo | pit_core_read(p, PIT_BASE + ch, now) << 8;
}

static void pit_conversions(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, pit_ticks_to_ns(PIT_HZ), 1000000000ULL);
	KUNIT_EXPECT_EQ(test, pit_ns_to_ticks(1000000000ULL), PIT_HZ);
	/* One CLK is 838.1 ns: rounded up one way, down the other. */
	KUNIT_EXPECT_EQ(test, pit_ticks_to_ns(1), 839ULL);
	KUNIT_EXPECT_EQ(test, pit_ns_to_ticks(838), 0ULL);
	KUNIT_EXPECT_EQ(test, pit_ns_to_ticks(839), 1ULL);
	KUNIT_EXPECT_EQ(test, pit_ns_to_ticks(pit_ticks_to_ns(11932)), 11932ULL);
	/* Days of uptime do not overflow. */
	KUNIT_EXPECT_EQ(test, pit_ns_to_ticks(86400ULL * 1000000000ULL),
			86400ULL * PIT_HZ);
	KUNIT_EXPECT_EQ(test, pit_ticks_to_ns(86400ULL * PIT_HZ),
			86400ULL * 1000000000ULL);
}

static void pit_reset_state(struct kunit *test)
{
	struct pit_core p;
	unsigned int i;

	pit_core_reset(&p, T0);
	for (i = 0; i < PIT_CHANNELS; i++) {
		KUNIT_EXPECT_EQ(test, p.s.channels[i].count, 0x10000);
		KUNIT_EXPECT_EQ(test, p.s.channels[i].mode, PIT_MODE_NONE);
		KUNIT_EXPECT_EQ(test, p.s.channels[i].rw_mode, 0);
		KUNIT_EXPECT_EQ(test, p.s.channels[i].gate, i != 2);
		KUNIT_EXPECT_EQ(test, p.s.channels[i].count_load_time, T0);
		KUNIT_EXPECT_EQ(test, pit_core_out(&p, i, at(T0, 100)), 0);
	}
	KUNIT_EXPECT_EQ(test, p.s.flags, 0);
	/* Not programmed: writes go nowhere; the control port reads 0xff. */
	pit_core_write(&p, CH1, 0x12, T0);
	KUNIT_EXPECT_EQ(test, p.s.channels[1].count, 0x10000);
	KUNIT_EXPECT_EQ(test, pit_core_read(&p, CTRL, T0), 0xff);
}

static void pit_rw_modes(struct kunit *test)
{
	struct pit_core p;

	pit_core_reset(&p, 0);
	/* Counter 0, word, mode 2, binary: both flip-flops at the LSB. */
	pit_core_write(&p, CTRL, 0x34, T0);
	KUNIT_EXPECT_EQ(test, p.s.channels[0].rw_mode, PIT_RW_WORD);
	KUNIT_EXPECT_EQ(test, p.s.channels[0].mode, 2);
	KUNIT_EXPECT_EQ(test, p.s.channels[0].bcd, 0);
	KUNIT_EXPECT_EQ(test, p.s.channels[0].read_state, PIT_RW_WORD0);
	KUNIT_EXPECT_EQ(test, p.s.channels[0].write_state, PIT_RW_WORD0);
	pit_core_write(&p, CH0, 0x9c, T0);
	KUNIT_EXPECT_EQ(test, p.s.channels[0].write_state, PIT_RW_WORD1);
	KUNIT_EXPECT_EQ(test, p.s.channels[0].write_latch, 0x9c);
	pit_core_write(&p, CH0, 0x2e, T0 + 5);
	KUNIT_EXPECT_EQ(test, p.s.channels[0].count, 11932);
	KUNIT_EXPECT_EQ(test, p.s.channels[0].count_load_time, T0 + 5);
	KUNIT_EXPECT_EQ(test, p.s.channels[0].write_state, PIT_RW_WORD0);

	/* The live word read alternates LSB and MSB. */
	KUNIT_EXPECT_EQ(test, pit_core_read(&p, CH0, at(T0 + 5, 2)), 0x9a);
	KUNIT_EXPECT_EQ(test, p.s.channels[0].read_state, PIT_RW_WORD1);
	KUNIT_EXPECT_EQ(test, pit_core_read(&p, CH0, at(T0 + 5, 2)), 0x2e);
	KUNIT_EXPECT_EQ(test, p.s.channels[0].read_state, PIT_RW_WORD0);

	/* LSB only, MSB only: one byte is the whole count. */
	pit_core_write(&p, CTRL, 0x50, T0);	/* counter 1, LSB, mode 0 */
	pit_core_write(&p, CH1, 0x20, T0);
	KUNIT_EXPECT_EQ(test, p.s.channels[1].count, 0x20);
	KUNIT_EXPECT_EQ(test, pit_core_read(&p, CH1, at(T0, 1)), 0x1f);
	KUNIT_EXPECT_EQ(test, pit_core_read(&p, CH1, at(T0, 2)), 0x1e);
	pit_core_write(&p, CTRL, 0x60, T0);	/* counter 1, MSB, mode 0 */
	pit_core_write(&p, CH1, 0x12, T0);
	KUNIT_EXPECT_EQ(test, p.s.channels[1].count, 0x1200);
	KUNIT_EXPECT_EQ(test, pit_core_read(&p, CH1, at(T0, 0x100)), 0x11);

	/* A count of 0 is 65536 and reads as 0 at the start. */
	program(&p, 1, 0, 0, T0);
	KUNIT_EXPECT_EQ(test, p.s.channels[1].count, 0x10000);
	KUNIT_EXPECT_EQ(test, read_word(&p, 1, T0), 0);
	KUNIT_EXPECT_EQ(test, read_word(&p, 1, at(T0, 1)), 0xffff);
}

static void pit_mode0(struct kunit *test)
{
	struct pit_core p;

	pit_core_reset(&p, 0);
	program(&p, 0, 0, 1000, T0);
	KUNIT_EXPECT_EQ(test, pit_core_out(&p, 0, T0), 0);
	KUNIT_EXPECT_EQ(test, pit_core_count(&p, 0, at(T0, 10)), 990);
	KUNIT_EXPECT_EQ(test, pit_core_out(&p, 0, at(T0, 999)), 0);
	KUNIT_EXPECT_EQ(test, pit_core_out(&p, 0, at(T0, 1000)), 1);
	KUNIT_EXPECT_EQ(test, pit_core_count(&p, 0, at(T0, 1000)), 0);
	/* Past terminal count: OUT stays high, the counter wraps. */
	KUNIT_EXPECT_EQ(test, pit_core_count(&p, 0, at(T0, 1001)), 0xffff);
	KUNIT_EXPECT_EQ(test, pit_core_out(&p, 0, at(T0, 70000)), 1);

	/* Mode 1 (triggered by the count write here) looks the same. */
	program(&p, 1, 1, 50, T0);
	KUNIT_EXPECT_EQ(test, pit_core_out(&p, 1, at(T0, 49)), 0);
	KUNIT_EXPECT_EQ(test, pit_core_out(&p, 1, at(T0, 50)), 1);
	KUNIT_EXPECT_EQ(test, pit_core_count(&p, 1, at(T0, 20)), 30);
}

static void pit_mode2(struct kunit *test)
{
	struct pit_core p;

	pit_core_reset(&p, 0);
	program(&p, 0, 2, 100, T0);
	KUNIT_EXPECT_EQ(test, pit_core_count(&p, 0, T0), 100);
	KUNIT_EXPECT_EQ(test, pit_core_count(&p, 0, at(T0, 1)), 99);
	KUNIT_EXPECT_EQ(test, pit_core_count(&p, 0, at(T0, 99)), 1);
	KUNIT_EXPECT_EQ(test, pit_core_out(&p, 0, at(T0, 98)), 1);
	KUNIT_EXPECT_EQ(test, pit_core_out(&p, 0, at(T0, 99)), 0);
	KUNIT_EXPECT_EQ(test, pit_core_out(&p, 0, at(T0, 100)), 1);
	KUNIT_EXPECT_EQ(test, pit_core_count(&p, 0, at(T0, 100)), 100);
	KUNIT_EXPECT_EQ(test, pit_core_count(&p, 0, at(T0, 150)), 50);
	KUNIT_EXPECT_EQ(test, pit_core_out(&p, 0, at(T0, 100 * 1000 + 99)), 0);
	/* Mode 6 is mode 2. */
	program(&p, 1, 6, 100, T0);
	KUNIT_EXPECT_EQ(test, p.s.channels[1].mode, 6);
	KUNIT_EXPECT_EQ(test, pit_core_count(&p, 1, at(T0, 150)), 50);
}

static void pit_mode3(struct kunit *test)
{
	struct pit_core p;

	pit_core_reset(&p, 0);
	/* Even N: five periods high, five low, counting 10, 8, ... 2. */
	program(&p, 0, 3, 10, T0);
	KUNIT_EXPECT_EQ(test, pit_core_count(&p, 0, T0), 10);
	KUNIT_EXPECT_EQ(test, pit_core_count(&p, 0, at(T0, 1)), 8);
	KUNIT_EXPECT_EQ(test, pit_core_count(&p, 0, at(T0, 4)), 2);
	KUNIT_EXPECT_EQ(test, pit_core_out(&p, 0, at(T0, 4)), 1);
	KUNIT_EXPECT_EQ(test, pit_core_out(&p, 0, at(T0, 5)), 0);
	KUNIT_EXPECT_EQ(test, pit_core_count(&p, 0, at(T0, 5)), 10);
	KUNIT_EXPECT_EQ(test, pit_core_out(&p, 0, at(T0, 9)), 0);
	KUNIT_EXPECT_EQ(test, pit_core_out(&p, 0, at(T0, 10)), 1);
	/* Odd N: high one period longer than low. */
	program(&p, 1, 3, 9, T0);
	KUNIT_EXPECT_EQ(test, pit_core_count(&p, 1, T0), 8);
	KUNIT_EXPECT_EQ(test, pit_core_out(&p, 1, at(T0, 4)), 1);
	KUNIT_EXPECT_EQ(test, pit_core_out(&p, 1, at(T0, 5)), 0);
	KUNIT_EXPECT_EQ(test, pit_core_out(&p, 1, at(T0, 8)), 0);
	KUNIT_EXPECT_EQ(test, pit_core_out(&p, 1, at(T0, 9)), 1);
	/* 65536: the square wave of the PC's 18.2 Hz tick. */
	program(&p, 2, 3, 0, T0);
	pit_core_set_gate(&p, 2, true, T0);
	KUNIT_EXPECT_EQ(test, pit_core_count(&p, 2, at(T0, 1)), 0xfffe);
	KUNIT_EXPECT_EQ(test, pit_core_out(&p, 2, at(T0, 32767)), 1);
	KUNIT_EXPECT_EQ(test, pit_core_out(&p, 2, at(T0, 32768)), 0);
}

static void pit_mode4(struct kunit *test)
{
	struct pit_core p;

	pit_core_reset(&p, 0);
	program(&p, 0, 4, 30, T0);
	KUNIT_EXPECT_EQ(test, pit_core_out(&p, 0, at(T0, 29)), 1);
	KUNIT_EXPECT_EQ(test, pit_core_out(&p, 0, at(T0, 30)), 0);
	KUNIT_EXPECT_EQ(test, pit_core_out(&p, 0, at(T0, 31)), 1);
	KUNIT_EXPECT_EQ(test, pit_core_count(&p, 0, at(T0, 31)), 0xffff);
	program(&p, 1, 5, 30, T0);
	KUNIT_EXPECT_EQ(test, pit_core_out(&p, 1, at(T0, 30)), 0);
	KUNIT_EXPECT_EQ(test, pit_core_out(&p, 1, at(T0, 40)), 1);
}

static void pit_bcd(struct kunit *test)
{
	struct pit_core p;

	pit_core_reset(&p, 0);
	/* Counter 0, word, mode 0, BCD: 1000 decimal. */
	pit_core_write(&p, CTRL, 0x31, T0);
	KUNIT_EXPECT_EQ(test, p.s.channels[0].bcd, 1);
	pit_core_write(&p, CH0, 0x00, T0);
	pit_core_write(&p, CH0, 0x10, T0);
	KUNIT_EXPECT_EQ(test, p.s.channels[0].count, 0x1000);
	KUNIT_EXPECT_EQ(test, pit_core_count(&p, 0, at(T0, 1)), 0x0999);
	KUNIT_EXPECT_EQ(test, pit_core_count(&p, 0, at(T0, 999)), 0x0001);
	KUNIT_EXPECT_EQ(test, pit_core_out(&p, 0, at(T0, 1000)), 1);
	/* 0 is 10000, and the counter wraps at 10000. */
	pit_core_write(&p, CTRL, 0x31, T0);
	pit_core_write(&p, CH0, 0, T0);
	pit_core_write(&p, CH0, 0, T0);
	KUNIT_EXPECT_EQ(test, pit_core_count(&p, 0, at(T0, 1)), 0x9999);
	KUNIT_EXPECT_EQ(test, pit_core_out(&p, 0, at(T0, 9999)), 0);
	KUNIT_EXPECT_EQ(test, pit_core_out(&p, 0, at(T0, 10000)), 1);
	KUNIT_EXPECT_EQ(test, pit_core_count(&p, 0, at(T0, 10001)), 0x9999);
}

static void pit_counter_latch(struct kunit *test)
{
	struct pit_core p;

	pit_core_reset(&p, 0);
	program(&p, 0, 2, 1000, T0);
	pit_core_write(&p, CTRL, 0x00, at(T0, 100));	/* latch counter 0 */
	KUNIT_EXPECT_EQ(test, p.s.channels[0].count_latched, PIT_RW_WORD0);
	KUNIT_EXPECT_EQ(test, p.s.channels[0].latched_count, 900);
	/* A second latch before the reads changes nothing. */
	pit_core_write(&p, CTRL, 0x00, at(T0, 200));
	KUNIT_EXPECT_EQ(test, read_word(&p, 0, at(T0, 300)), 900);
	KUNIT_EXPECT_EQ(test, p.s.channels[0].count_latched, 0);
	/* Then the counter reads live again. */
	KUNIT_EXPECT_EQ(test, read_word(&p, 0, at(T0, 300)), 700);

	/* LSB-only counter: the latch is read in one byte. */
	pit_core_write(&p, CTRL, 0x54, T0);	/* counter 1, LSB, mode 2 */
	pit_core_write(&p, CH1, 0x80, T0);
	pit_core_write(&p, CTRL, 0x40, at(T0, 0x10));
	KUNIT_EXPECT_EQ(test, pit_core_read(&p, CH1, at(T0, 0x20)), 0x70);
	KUNIT_EXPECT_EQ(test, pit_core_read(&p, CH1, at(T0, 0x20)), 0x60);

	/* A latch between the bytes of a live read keeps its own order. */
	KUNIT_EXPECT_EQ(test, pit_core_read(&p, CH0, at(T0, 300)), 700 & 0xff);
	pit_core_write(&p, CTRL, 0x00, at(T0, 400));
	KUNIT_EXPECT_EQ(test, read_word(&p, 0, at(T0, 500)), 600);
	KUNIT_EXPECT_EQ(test, pit_core_read(&p, CH0, at(T0, 500)), 500 >> 8);
}

static void pit_read_back(struct kunit *test)
{
	struct pit_core p;

	pit_core_reset(&p, 0);
	program(&p, 0, 2, 1000, T0);
	program(&p, 1, 0, 500, T0);
	pit_core_write(&p, CTRL, 0x94, T0);	/* counter 2, LSB, mode 2 */
	pit_core_write(&p, CH2, 50, T0);
	pit_core_set_gate(&p, 2, true, T0);

	/* Count and status of counter 0: status first, then the count. */
	pit_core_write(&p, CTRL, 0xc2, at(T0, 10));
	KUNIT_EXPECT_EQ(test, pit_core_read(&p, CH0, at(T0, 20)), 0xb4);
	KUNIT_EXPECT_EQ(test, read_word(&p, 0, at(T0, 30)), 990);

	/* Counts only, of all three; each keeps its own byte order. */
	pit_core_write(&p, CTRL, 0xde, at(T0, 40));
	KUNIT_EXPECT_EQ(test, read_word(&p, 1, at(T0, 60)), 460);
	KUNIT_EXPECT_EQ(test, pit_core_read(&p, CH2, at(T0, 60)), 10);
	KUNIT_EXPECT_EQ(test, read_word(&p, 0, at(T0, 60)), 960);

	/* Status only, counters 1 and 2: OUT, RW, mode, BCD. */
	pit_core_write(&p, CTRL, 0xec, at(T0, 600));
	KUNIT_EXPECT_EQ(test, pit_core_read(&p, CH1, at(T0, 600)), 0xb0);
	KUNIT_EXPECT_EQ(test, pit_core_read(&p, CH2, at(T0, 600)), 0x94);
	/* Nothing latched any more: live values. */
	KUNIT_EXPECT_EQ(test, pit_core_read(&p, CH2, at(T0, 610)), 40);

	/* Null count: a control word waits for its count. */
	pit_core_write(&p, CTRL, 0x34, at(T0, 700));
	pit_core_write(&p, CTRL, 0xe2, at(T0, 700));
	KUNIT_EXPECT_EQ(test, pit_core_read(&p, CH0, at(T0, 700)),
			PIT_STATUS_OUT | PIT_STATUS_NULL_COUNT | 0x34);
	/*
	 * A control word drops a latched status; a second latch waits for
	 * the first to be read.
	 */
	pit_core_write(&p, CTRL, 0xe2, at(T0, 700));
	pit_core_write(&p, CTRL, 0x30, at(T0, 700));	/* mode 0 now */
	pit_core_write(&p, CTRL, 0xe2, at(T0, 700));
	pit_core_write(&p, CTRL, 0xe2, at(T0, 700));
	KUNIT_EXPECT_EQ(test, pit_core_read(&p, CH0, at(T0, 700)),
			PIT_STATUS_NULL_COUNT | 0x30);
}

static void pit_control_word_stops(struct kunit *test)
{
	struct pit_core p;
	s64 t1, t2;

	pit_core_reset(&p, 0);
	program(&p, 0, 2, 1000, T0);
	/* A new mode: the counter keeps its value, OUT high (low in 0). */
	pit_core_write(&p, CTRL, 0x34, at(T0, 100));
	KUNIT_EXPECT_EQ(test, read_word(&p, 0, at(T0, 500)), 900);
	KUNIT_EXPECT_EQ(test, pit_core_out(&p, 0, at(T0, 999)), 1);
	pit_core_write(&p, CTRL, 0x30, at(T0, 600));
	KUNIT_EXPECT_EQ(test, pit_core_out(&p, 0, at(T0, 5000)), 0);
	/* The count starts it again. */
	t1 = at(T0, 6000);
	pit_core_write(&p, CH0, 10, t1);
	pit_core_write(&p, CH0, 0, t1);
	KUNIT_EXPECT_EQ(test, pit_core_out(&p, 0, at(t1, 9)), 0);
	KUNIT_EXPECT_EQ(test, pit_core_out(&p, 0, at(t1, 10)), 1);

	/* Mode 0: the first byte of a new count stops it with OUT low. */
	pit_core_write(&p, CH0, 0x40, at(t1, 1000));
	KUNIT_EXPECT_EQ(test, pit_core_out(&p, 0, at(t1, 1000)), 0);
	KUNIT_EXPECT_EQ(test, read_word(&p, 0, at(t1, 1100)), 0x10000 - 990);
	t2 = at(t1, 2000);
	pit_core_write(&p, CH0, 0x00, t2);
	KUNIT_EXPECT_EQ(test, read_word(&p, 0, at(t2, 1)), 0x3f);
}

static void pit_gate(struct kunit *test)
{
	struct pit_core p;
	s64 t1, t2, t3;

	pit_core_reset(&p, 0);
	/* Mode 0 with the gate low: loaded, not counting. */
	program(&p, 2, 0, 1000, T0);
	KUNIT_EXPECT_EQ(test, read_word(&p, 2, at(T0, 300)), 1000);
	KUNIT_EXPECT_EQ(test, pit_core_out(&p, 2, at(T0, 3000)), 0);
	t1 = at(T0, 400);
	pit_core_set_gate(&p, 2, true, t1);
	KUNIT_EXPECT_EQ(test, read_word(&p, 2, at(t1, 100)), 900);
	/* Low again: it holds; high: it goes on from there. */
	pit_core_set_gate(&p, 2, false, at(t1, 200));
	KUNIT_EXPECT_EQ(test, read_word(&p, 2, at(t1, 5000)), 800);
	t2 = at(t1, 10000);
	pit_core_set_gate(&p, 2, true, t2);
	KUNIT_EXPECT_EQ(test, read_word(&p, 2, at(t2, 100)), 700);
	KUNIT_EXPECT_EQ(test, pit_core_out(&p, 2, at(t2, 799)), 0);
	KUNIT_EXPECT_EQ(test, pit_core_out(&p, 2, at(t2, 800)), 1);

	/* Mode 2: a low gate holds OUT high; the rising edge reloads. */
	program(&p, 2, 2, 100, T0);
	pit_core_set_gate(&p, 2, false, at(T0, 99));
	KUNIT_EXPECT_EQ(test, pit_core_out(&p, 2, at(T0, 99)), 1);
	KUNIT_EXPECT_EQ(test, read_word(&p, 2, at(T0, 200)), 1);
	t3 = at(T0, 300);
	pit_core_set_gate(&p, 2, true, t3);
	KUNIT_EXPECT_EQ(test, read_word(&p, 2, t3), 100);
	KUNIT_EXPECT_EQ(test, pit_core_out(&p, 2, at(t3, 99)), 0);

	/* Mode 1: each rising edge triggers the one-shot again. */
	program(&p, 2, 1, 100, T0);
	KUNIT_EXPECT_EQ(test, pit_core_out(&p, 2, at(T0, 150)), 1);
	pit_core_set_gate(&p, 2, false, at(T0, 160));
	KUNIT_EXPECT_EQ(test, pit_core_out(&p, 2, at(T0, 170)), 1);
	t1 = at(T0, 200);
	pit_core_set_gate(&p, 2, true, t1);
	KUNIT_EXPECT_EQ(test, pit_core_out(&p, 2, at(t1, 50)), 0);
	KUNIT_EXPECT_EQ(test, read_word(&p, 2, at(t1, 50)), 50);
	KUNIT_EXPECT_EQ(test, pit_core_out(&p, 2, at(t1, 100)), 1);

	/* A control word's counter does not start on the gate. */
	pit_core_write(&p, CTRL, 0xb0, at(T0, 400));
	pit_core_set_gate(&p, 2, false, at(T0, 400));
	pit_core_set_gate(&p, 2, true, at(T0, 410));
	KUNIT_EXPECT_EQ(test, pit_core_out(&p, 2, at(T0, 5000)), 0);
}

static void pit_speaker_port(struct kunit *test)
{
	struct pit_core p;
	s64 t = 1000 * 15086LL;		/* refresh bit low */

	pit_core_reset(&p, 0);
	KUNIT_EXPECT_EQ(test, pit_core_speaker_read(&p, t), 0);
	KUNIT_EXPECT_EQ(test, pit_core_speaker_read(&p, t + 15086), 0x10);
	/* The classic calibration: gate on, speaker off, mode 0. */
	pit_core_speaker_write(&p, 0x01, t);
	KUNIT_EXPECT_EQ(test, p.s.channels[2].gate, 1);
	KUNIT_EXPECT_EQ(test, p.s.flags, 0);
	pit_core_write(&p, CTRL, 0xb0, t);
	pit_core_write(&p, CH2, 0x9c, t);
	pit_core_write(&p, CH2, 0x2e, t);
	KUNIT_EXPECT_EQ(test, pit_core_speaker_read(&p, t) & 0x21, 0x01);
	KUNIT_EXPECT_EQ(test, pit_core_speaker_read(&p, at(t, 11931)) & 0x20, 0);
	KUNIT_EXPECT_EQ(test, pit_core_speaker_read(&p, at(t, 11932)) & 0x20, 0x20);
	/* Speaker data on: a flag of the state. */
	pit_core_speaker_write(&p, 0x03, t);
	KUNIT_EXPECT_EQ(test, p.s.flags, PIT_FLAG_SPEAKER_DATA_ON);
	KUNIT_EXPECT_EQ(test, pit_core_speaker_read(&p, t) & 0x03, 0x03);
	pit_core_speaker_write(&p, 0x00, t);
	KUNIT_EXPECT_EQ(test, p.s.flags, 0);
	KUNIT_EXPECT_EQ(test, p.s.channels[2].gate, 0);
}

static void pit_edges(struct kunit *test)
{
	struct pit_core p;
	s64 first;
	u64 period;

	pit_core_reset(&p, 0);
	KUNIT_EXPECT_EQ(test, pit_core_edges(&p, 0, T0, &first, &period), 0);
	/* Mode 2: every N periods from the load. */
	program(&p, 0, 2, 100, T0);
	KUNIT_EXPECT_EQ(test, pit_core_edges(&p, 0, T0, &first, &period), 1);
	KUNIT_EXPECT_EQ(test, first, at(T0, 100));
	KUNIT_EXPECT_EQ(test, period, pit_ticks_to_ns(100));
	KUNIT_EXPECT_EQ(test, pit_core_edges(&p, 0, at(T0, 250), &first,
					     &period), 1);
	KUNIT_EXPECT_EQ(test, first, at(T0, 300));
	/* Mode 3 rises at the same points. */
	program(&p, 0, 3, 100, T0);
	KUNIT_EXPECT_EQ(test, pit_core_edges(&p, 0, at(T0, 50), &first,
					     &period), 1);
	KUNIT_EXPECT_EQ(test, first, at(T0, 100));
	/* Mode 0: once, at terminal count. */
	program(&p, 0, 0, 100, T0);
	KUNIT_EXPECT_EQ(test, pit_core_edges(&p, 0, at(T0, 50), &first,
					     &period), 1);
	KUNIT_EXPECT_EQ(test, first, at(T0, 100));
	KUNIT_EXPECT_EQ(test, period, 0ULL);
	KUNIT_EXPECT_EQ(test, pit_core_edges(&p, 0, at(T0, 100), &first,
					     &period), 0);
	/* Mode 4: once, at the end of the strobe. */
	program(&p, 0, 4, 100, T0);
	KUNIT_EXPECT_EQ(test, pit_core_edges(&p, 0, T0, &first, &period), 1);
	KUNIT_EXPECT_EQ(test, first, at(T0, 101));
	/* Stopped by a control word: nothing. */
	pit_core_write(&p, CTRL, 0x34, T0);
	KUNIT_EXPECT_EQ(test, pit_core_edges(&p, 0, T0, &first, &period), 0);
}

static void pit_set_state(struct kunit *test)
{
	struct pit_core p;
	struct kvm_pit_state2 s = { };
	s64 first;
	u64 period;

	pit_core_reset(&p, 0);
	s.channels[0] = (struct kvm_pit_channel_state) {
		.count = 0, .mode = 2, .rw_mode = 3, .read_state = 3,
		.write_state = 3, .gate = 1, .count_load_time = T0,
	};
	s.channels[2] = (struct kvm_pit_channel_state) {
		.count = 1000, .mode = 3, .rw_mode = 3, .read_state = 3,
		.write_state = 3, .gate = 0, .count_load_time = T0,
	};
	s.channels[1].mode = PIT_MODE_NONE;
	s.flags = PIT_FLAG_HPET_LEGACY | 0x100;
	s.reserved[3] = 7;
	pit_core_set_state(&p, &s, at(T0, 10));
	KUNIT_EXPECT_EQ(test, p.s.channels[0].count, 0x10000);
	KUNIT_EXPECT_EQ(test, p.s.channels[0].count_load_time, T0);
	KUNIT_EXPECT_EQ(test, p.s.flags, PIT_FLAG_HPET_LEGACY | 0x100);
	KUNIT_EXPECT_EQ(test, p.s.reserved[3], 0);
	/* Counting goes on from count_load_time. */
	KUNIT_EXPECT_EQ(test, read_word(&p, 0, at(T0, 20)), 0x10000 - 20);
	KUNIT_EXPECT_EQ(test, pit_core_edges(&p, 0, at(T0, 20), &first,
					     &period), 1);
	KUNIT_EXPECT_EQ(test, first, at(T0, 0x10000));
	/* Gate low in mode 3: held where it was, OUT high. */
	KUNIT_EXPECT_EQ(test, read_word(&p, 2, at(T0, 400)), 980);
	KUNIT_EXPECT_EQ(test, pit_core_out(&p, 2, at(T0, 700)), 1);
	KUNIT_EXPECT_EQ(test, pit_core_edges(&p, 2, at(T0, 20), &first,
					     &period), 0);
	pit_core_set_gate(&p, 2, true, at(T0, 800));
	KUNIT_EXPECT_EQ(test, read_word(&p, 2, at(T0, 800)), 1000);
}

static struct kunit_case pit_cases[] = {
	KUNIT_CASE(pit_conversions),
	KUNIT_CASE(pit_reset_state),
	KUNIT_CASE(pit_rw_modes),
	KUNIT_CASE(pit_mode0),
	KUNIT_CASE(pit_mode2),
	KUNIT_CASE(pit_mode3),
	KUNIT_CASE(pit_mode4),
	KUNIT_CASE(pit_bcd),
	KUNIT_CASE(pit_counter_latch),
	KUNIT_CASE(pit_read_back),
	KUNIT_CASE(pit_control_word_stops),
	KUNIT_CASE(pit_gate),
	KUNIT_CASE(pit_speaker_port),
	KUNIT_CASE(pit_edges),
	KUNIT_CASE(pit_set_state),
	{}
};

static struct kunit_suite pit_suite = {
	.name = "kvmod_pit",
	.test_cases = pit_cases,
};

kunit_test_suites(&pit_suite);

MODULE_LICENSE("GPL");
