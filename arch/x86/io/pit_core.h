/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The i8254 programmable interval timer of a PC (three counters on a
 * 1193182 Hz clock, ports 0x40-0x43; counter 2's gate and output on port
 * 0x61) as a pure state machine over struct kvm_pit_state2: no locking,
 * no allocation, no kernel calls, and time passed in by the caller, so
 * the same source builds into kvmod.ko and into host unit tests.  The
 * glue (pit.c) adds the lock, the port bus, the host timer for counter 0
 * and the interrupt line.
 *
 * Time: @now is nanoseconds on the caller's clock (ktime_get() in the
 * kernel, as KVM_GET_PIT2 reports it); count_load_time is on the same
 * clock.  A counter's value and OUT are functions of its mode, its count
 * and the time since count_load_time.
 *
 * Interpretation of struct kvm_pit_channel_state fields:
 *
 * - @count: the initial count as written (the raw register value; BCD
 *   digits when @bcd is set); 0 is stored as 0x10000 (65536, or 10000 in
 *   BCD).
 * - @count_load_time: when counting from @count started (a count write,
 *   a gate trigger, a reload after the gate).
 * - @mode: the control word's mode bits 0-7 (6 and 7 act as 2 and 3);
 *   PIT_MODE_NONE after reset, until a control word selects a mode.
 * - @rw_mode: the control word's RW bits (PIT_RW_LSB, PIT_RW_MSB or
 *   PIT_RW_WORD); 0 until programmed.
 * - @read_state, @write_state: which byte the next read or write of the
 *   counter's port moves (PIT_RW_*; PIT_RW_WORD0/WORD1 are the two
 *   halves of a word, the flip-flops).
 * - @write_latch: the LSB of a word count until its MSB arrives.
 * - @count_latched: a latched count waits to be read: the PIT_RW_* state
 *   of its reads (0: none); @latched_count holds it.
 * - @status_latched, @status: a latched read-back status byte waits.
 * - @gate: the counter's GATE input (counters 0 and 1 are wired high on a
 *   PC; counter 2's is port 0x61 bit 0).
 *
 * struct kvm_pit_state2 @flags: PIT_FLAG_HPET_LEGACY (counter 0's OUT is
 * disconnected: the HPET drives IRQ 0) and PIT_FLAG_SPEAKER_DATA_ON
 * (port 0x61 bit 1); other bits are kept as given.
 *
 * What the state format cannot hold stays outside it (struct
 * pit_core_chan): a counter that waits for its count after a control
 * word, or whose counting the gate suspends, and the value it holds
 * meanwhile.  After pit_core_set_state() every programmed counter counts
 * from its count_load_time, except that a low gate stops modes 0, 2, 3
 * and 4 at the value they have at that moment.
 *
 * Simplifications, as in other PC emulations: a count is loaded the
 * moment it is written (no extra CLK; a new count in modes 2 and 3 does
 * not wait for the end of the current period); modes 1 and 5 start
 * counting at the count write, as if triggered, and again at each rising
 * edge of the gate; the null count status bit is set only while a
 * control word waits for its count.
 */
#ifndef KVMOD_PIT_CORE_H
#define KVMOD_PIT_CORE_H

#include "io_types.h"
#include <linux/kvm.h>

#define PIT_HZ			1193182ULL
#define PIT_NS_PER_SEC		1000000000ULL

/* Ports: counters 0-2, the control word; the PC's port B (speaker). */
#define PIT_BASE		0x40
#define PIT_CONTROL		0x43
#define PIT_NR_PORTS		4
#define PIT_SPEAKER_PORT	0x61

#define PIT_CHANNELS		3

/* struct kvm_pit_channel_state.rw_mode: the control word's bits 5:4. */
#define PIT_RW_LATCH		0	/* counter latch command */
#define PIT_RW_LSB		1
#define PIT_RW_MSB		2
#define PIT_RW_WORD		3
/* read_state, write_state, count_latched: also the word's two halves. */
#define PIT_RW_WORD0		3	/* the LSB of a word is next */
#define PIT_RW_WORD1		4	/* the MSB of a word is next */

/* struct kvm_pit_channel_state.mode before any control word. */
#define PIT_MODE_NONE		0xff

/* The control word: SC bits 7:6 == 3 is the read-back command. */
#define PIT_CW_READ_BACK	0xc0
#define PIT_RB_NO_COUNT		0x20	/* read-back: do not latch counts */
#define PIT_RB_NO_STATUS	0x10	/* read-back: do not latch status */

/* Status byte (read-back). */
#define PIT_STATUS_OUT		0x80
#define PIT_STATUS_NULL_COUNT	0x40

/* Port 0x61 bits the PIT side answers for. */
#define PIT_SPK_GATE2		0x01
#define PIT_SPK_DATA		0x02
#define PIT_SPK_REFRESH		0x10
#define PIT_SPK_OUT2		0x20

/* struct kvm_pit_state2.flags */
#define PIT_FLAG_HPET_LEGACY	0x1
#define PIT_FLAG_SPEAKER_DATA_ON 0x2

/**
 * struct pit_core_chan - what a counter knows beyond the state format
 * @stopped: not counting: a control word waits for its count, or the
 *	gate is low in mode 0, 2, 3 or 4
 * @awaiting_count: stopped by a control word (the gate cannot start it)
 * @hold: the counter's value while stopped
 * @hold_out: OUT while stopped
 * @stopped_ns: ns counted before the stop (mode 0 and 4 resume there)
 */
struct pit_core_chan {
	bool stopped;
	bool awaiting_count;
	u16 hold;
	bool hold_out;
	u64 stopped_ns;
};

/**
 * struct pit_core - the three counters
 * @s: the state in KVM_GET_PIT2's format
 * @ch: per counter, what that format does not hold
 */
struct pit_core {
	struct kvm_pit_state2 s;
	struct pit_core_chan ch[PIT_CHANNELS];
};

u64 pit_ticks_to_ns(u64 ticks);
u64 pit_ns_to_ticks(u64 ns);
void pit_core_reset(struct pit_core *p, s64 now);
u8 pit_core_read(struct pit_core *p, u16 port, s64 now);
void pit_core_write(struct pit_core *p, u16 port, u8 val, s64 now);
u16 pit_core_count(const struct pit_core *p, unsigned int ch, s64 now);
bool pit_core_out(const struct pit_core *p, unsigned int ch, s64 now);
void pit_core_set_gate(struct pit_core *p, unsigned int ch, bool gate,
		       s64 now);
u8 pit_core_speaker_read(const struct pit_core *p, s64 now);
void pit_core_speaker_write(struct pit_core *p, u8 val, s64 now);
void pit_core_set_state(struct pit_core *p, const struct kvm_pit_state2 *s,
			s64 now);
bool pit_core_edges(const struct pit_core *p, unsigned int ch, s64 now,
		    s64 *first, u64 *period);

#endif /* KVMOD_PIT_CORE_H */
