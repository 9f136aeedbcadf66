// SPDX-License-Identifier: GPL-2.0
/*
 * The i8254 as a pure state machine (see pit_core.h).
 *
 * A running counter is not stepped: its value and OUT are computed from
 * the CLK periods elapsed since count_load_time.  Modes 0, 1, 4 and 5
 * count down once from the initial count N and wrap; mode 2 counts N..1
 * and pulses OUT low at 1; mode 3 counts down by two through each half
 * of the period, OUT high for the first (N + 1) / 2 periods.  A stopped
 * counter (waiting for its count, or held by its gate) shows the value
 * and OUT it had when it stopped.
 */
#include "pit_core.h"

#define PIT_NO_MODE	8	/* eff_mode() of an unprogrammed counter */

/* The DRAM refresh request toggles port 0x61 bit 4 every 18 CLKs. */
#define PIT_REFRESH_NS	15086

/**
 * pit_ticks_to_ns() - how long @ticks CLK periods take
 * @ticks: CLK periods
 *
 * Rounded up: after this many ns at least @ticks periods have passed.
 */
u64 pit_ticks_to_ns(u64 ticks)
{
	return ticks / PIT_HZ * PIT_NS_PER_SEC +
	       (ticks % PIT_HZ * PIT_NS_PER_SEC + PIT_HZ - 1) / PIT_HZ;
}

/**
 * pit_ns_to_ticks() - whole CLK periods in @ns
 * @ns: nanoseconds
 */
u64 pit_ns_to_ticks(u64 ns)
{
	return ns / PIT_NS_PER_SEC * PIT_HZ +
	       ns % PIT_NS_PER_SEC * PIT_HZ / PIT_NS_PER_SEC;
}

static unsigned int eff_mode(const struct kvm_pit_channel_state *c)
{
	if (c->mode > 7)
		return PIT_NO_MODE;
	/* 110 and 111 are modes 2 and 3 with the don't-care bit set. */
	return c->mode >= 6 ? c->mode - 4 : c->mode;
}

/* Modes in which a low gate suspends counting. */
static bool gate_stops(unsigned int mode)
{
	return mode == 0 || mode == 2 || mode == 3 || mode == 4;
}

static u32 bcd_to_bin(u32 v)
{
	return (v & 0xf) + ((v >> 4) & 0xf) * 10 + ((v >> 8) & 0xf) * 100 +
	       ((v >> 12) & 0xf) * 1000;
}

static u16 bin_to_bcd(u32 v)
{
	return (v % 10) | (v / 10 % 10) << 4 | (v / 100 % 10) << 8 |
	       (v / 1000 % 10) << 12;
}

/* The counter's range: 65536 binary, 10000 BCD. */
static u32 modulus(const struct kvm_pit_channel_state *c)
{
	return c->bcd ? 10000 : 0x10000;
}

/* The initial count N in CLK periods: 1..modulus. */
static u32 initial(const struct kvm_pit_channel_state *c)
{
	u32 raw = c->count, n;

	if (!raw || raw >= 0x10000)
		return modulus(c);
	if (!c->bcd)
		return raw;
	/* Digits above 9 are not BCD; take them for what they weigh. */
	n = bcd_to_bin(raw) % 10000;
	return n ? n : 10000;
}

static u64 elapsed_ns(const struct kvm_pit_channel_state *c, s64 now)
{
	/* In u64: the difference of any two s64 fits when now is later. */
	return now > c->count_load_time ?
	       (u64)now - (u64)c->count_load_time : 0;
}

/* The counting element after @d CLK periods, in binary. */
static u32 value_at(const struct kvm_pit_channel_state *c, u64 d)
{
	u32 n = initial(c), m = modulus(c), p, q;

	switch (eff_mode(c)) {
	case 2:
		return (n - d % n) % m;
	case 3:
		p = d % n;
		q = p < (n + 1) / 2 ? p : p - (n + 1) / 2;
		return ((n & ~1u) - 2 * q) % m;
	default:
		return (n + m - d % m) % m;
	}
}

static bool out_at(const struct kvm_pit_channel_state *c, u64 d)
{
	u32 n = initial(c);

	switch (eff_mode(c)) {
	case 0:
	case 1:
		return d >= n;
	case 2:
		return d % n != n - 1;
	case 3:
		return d % n < (n + 1) / 2;
	case 4:
	case 5:
		return d != n;
	default:
		return false;
	}
}

/**
 * pit_core_count() - what counter @ch's counting element holds
 * @p: the PIT
 * @ch: 0-2
 * @now: the time
 *
 * Return: the value a latch would take (BCD digits in BCD mode).
 */
u16 pit_core_count(const struct pit_core *p, unsigned int ch, s64 now)
{
	const struct kvm_pit_channel_state *c = &p->s.channels[ch];
	u32 v;

	if (p->ch[ch].stopped)
		return p->ch[ch].hold;
	if (eff_mode(c) == PIT_NO_MODE)
		return c->count & 0xffff;
	v = value_at(c, pit_ns_to_ticks(elapsed_ns(c, now)));
	return c->bcd ? bin_to_bcd(v) : v;
}

/**
 * pit_core_out() - counter @ch's OUT pin
 * @p: the PIT
 * @ch: 0-2
 * @now: the time
 */
bool pit_core_out(const struct pit_core *p, unsigned int ch, s64 now)
{
	const struct kvm_pit_channel_state *c = &p->s.channels[ch];

	if (p->ch[ch].stopped)
		return p->ch[ch].hold_out;
	return out_at(c, pit_ns_to_ticks(elapsed_ns(c, now)));
}

/* Freeze counter @ch where it is now. */
static void stop(struct pit_core *p, unsigned int ch, s64 now)
{
	struct pit_core_chan *st = &p->ch[ch];

	if (st->stopped)
		return;
	st->hold = pit_core_count(p, ch, now);
	st->hold_out = pit_core_out(p, ch, now);
	st->stopped_ns = elapsed_ns(&p->s.channels[ch], now);
	st->stopped = true;
}

/* A new initial count: counting starts now, unless the gate holds it. */
static void load(struct pit_core *p, unsigned int ch, u32 raw, s64 now)
{
	struct kvm_pit_channel_state *c = &p->s.channels[ch];
	struct pit_core_chan *st = &p->ch[ch];
	unsigned int mode = eff_mode(c);

	c->count = raw ? raw : 0x10000;
	c->count_load_time = now;
	st->stopped = false;
	st->awaiting_count = false;
	if (!c->gate && gate_stops(mode)) {
		st->stopped = true;
		st->stopped_ns = 0;
		st->hold = raw;
		st->hold_out = mode != 0;
	}
}

static void latch_count(struct pit_core *p, unsigned int ch, s64 now)
{
	struct kvm_pit_channel_state *c = &p->s.channels[ch];

	/* A latched count stays until read; more latches are ignored. */
	if (c->count_latched)
		return;
	c->latched_count = pit_core_count(p, ch, now);
	c->count_latched = c->rw_mode >= PIT_RW_LSB && c->rw_mode <= PIT_RW_WORD ?
			   c->rw_mode : PIT_RW_WORD0;
}

static void latch_status(struct pit_core *p, unsigned int ch, s64 now)
{
	struct kvm_pit_channel_state *c = &p->s.channels[ch];

	if (c->status_latched)
		return;
	c->status = (pit_core_out(p, ch, now) ? PIT_STATUS_OUT : 0) |
		    (p->ch[ch].awaiting_count ? PIT_STATUS_NULL_COUNT : 0) |
		    (c->rw_mode & 3) << 4 | (c->mode & 7) << 1 | (c->bcd & 1);
	c->status_latched = 1;
}

static void control_word(struct pit_core *p, u8 val, s64 now)
{
	unsigned int ch = val >> 6, rw = (val >> 4) & 3, i;
	struct kvm_pit_channel_state *c;
	struct pit_core_chan *st;

	if (ch == 3) {
		/* Read-back: bits 3:1 select counters 2:0. */
		for (i = 0; i < PIT_CHANNELS; i++) {
			if (!(val & (2 << i)))
				continue;
			if (!(val & PIT_RB_NO_STATUS))
				latch_status(p, i, now);
			if (!(val & PIT_RB_NO_COUNT))
				latch_count(p, i, now);
		}
		return;
	}
	if (rw == PIT_RW_LATCH) {
		latch_count(p, ch, now);
		return;
	}
	/* A new mode: the counter stops until its count is written. */
	c = &p->s.channels[ch];
	st = &p->ch[ch];
	stop(p, ch, now);
	st->awaiting_count = true;
	c->rw_mode = rw;
	c->mode = (val >> 1) & 7;
	c->bcd = val & 1;
	c->read_state = rw;
	c->write_state = rw;
	c->count_latched = 0;
	c->status_latched = 0;
	st->hold_out = c->mode != 0;
}

/**
 * pit_core_read() - a guest read of port @port
 * @p: the PIT
 * @port: PIT_BASE + 0-2 (a counter) or PIT_CONTROL
 * @now: the time
 *
 * A latched status comes first, then a latched count, else the counting
 * element as it is, in the byte order of the counter's RW mode.  The
 * control port cannot be read (0xff, an idle bus).
 */
u8 pit_core_read(struct pit_core *p, u16 port, s64 now)
{
	unsigned int ch = port - PIT_BASE;
	struct kvm_pit_channel_state *c;
	u16 v;

	if (ch >= PIT_CHANNELS)
		return 0xff;
	c = &p->s.channels[ch];
	if (c->status_latched) {
		c->status_latched = 0;
		return c->status;
	}
	if (c->count_latched) {
		v = c->latched_count;
		switch (c->count_latched) {
		case PIT_RW_LSB:
			c->count_latched = 0;
			return v & 0xff;
		case PIT_RW_WORD0:
			c->count_latched = PIT_RW_WORD1;
			return v & 0xff;
		default:
			c->count_latched = 0;
			return v >> 8;
		}
	}
	v = pit_core_count(p, ch, now);
	switch (c->read_state) {
	case PIT_RW_LSB:
		return v & 0xff;
	case PIT_RW_MSB:
		return v >> 8;
	case PIT_RW_WORD1:
		c->read_state = PIT_RW_WORD0;
		return v >> 8;
	default:
		/* WORD0, or a counter never programmed: a word, LSB first. */
		c->read_state = PIT_RW_WORD1;
		return v & 0xff;
	}
}

/**
 * pit_core_write() - a guest write of @val to port @port
 * @p: the PIT
 * @port: PIT_BASE + 0-2 (a count byte) or PIT_CONTROL (a control word,
 *	counter latch or read-back command)
 * @val: the byte
 * @now: the time
 */
void pit_core_write(struct pit_core *p, u16 port, u8 val, s64 now)
{
	unsigned int ch = port - PIT_BASE;
	struct kvm_pit_channel_state *c;

	if (port == PIT_CONTROL) {
		control_word(p, val, now);
		return;
	}
	if (ch >= PIT_CHANNELS)
		return;
	c = &p->s.channels[ch];
	switch (c->write_state) {
	case PIT_RW_LSB:
		load(p, ch, val, now);
		break;
	case PIT_RW_MSB:
		load(p, ch, val << 8, now);
		break;
	case PIT_RW_WORD0:
		c->write_latch = val;
		c->write_state = PIT_RW_WORD1;
		/* Mode 0: the first byte stops counting, OUT goes low. */
		if (eff_mode(c) == 0) {
			stop(p, ch, now);
			p->ch[ch].awaiting_count = true;
			p->ch[ch].hold_out = false;
		}
		break;
	case PIT_RW_WORD1:
		c->write_state = PIT_RW_WORD0;
		load(p, ch, c->write_latch | val << 8, now);
		break;
	default:
		/* No RW mode programmed: nowhere for the byte to go. */
		break;
	}
}

/**
 * pit_core_set_gate() - drive counter @ch's GATE input
 * @p: the PIT
 * @ch: 0-2
 * @gate: the new level
 * @now: the time
 *
 * A rising edge (re)starts modes 1, 2, 3 and 5 from the initial count and
 * resumes modes 0 and 4 where they stopped; a low gate stops modes 0, 2,
 * 3 and 4 (OUT high in 2 and 3).
 */
void pit_core_set_gate(struct pit_core *p, unsigned int ch, bool gate,
		       s64 now)
{
	struct kvm_pit_channel_state *c = &p->s.channels[ch];
	struct pit_core_chan *st = &p->ch[ch];
	unsigned int mode = eff_mode(c);
	bool was = c->gate;

	c->gate = gate;
	if (was == gate || mode == PIT_NO_MODE || st->awaiting_count)
		return;
	if (gate) {
		if (mode == 0 || mode == 4) {
			if (st->stopped)
				c->count_load_time = now - (s64)st->stopped_ns;
		} else {
			c->count_load_time = now;
		}
		st->stopped = false;
	} else if (gate_stops(mode)) {
		stop(p, ch, now);
		if (mode != 0 && mode != 4)
			st->hold_out = true;
	}
}

/**
 * pit_core_speaker_read() - the PIT's bits of port 0x61
 * @p: the PIT
 * @now: the time
 *
 * Return: counter 2's gate (bit 0), the speaker data enable (bit 1), the
 * refresh toggle (bit 4) and counter 2's OUT (bit 5); the rest read 0.
 */
u8 pit_core_speaker_read(const struct pit_core *p, s64 now)
{
	u8 v = 0;

	if (p->s.channels[2].gate)
		v |= PIT_SPK_GATE2;
	if (p->s.flags & PIT_FLAG_SPEAKER_DATA_ON)
		v |= PIT_SPK_DATA;
	if (((u64)now / PIT_REFRESH_NS) & 1)
		v |= PIT_SPK_REFRESH;
	if (pit_core_out(p, 2, now))
		v |= PIT_SPK_OUT2;
	return v;
}

/**
 * pit_core_speaker_write() - a guest write of port 0x61
 * @p: the PIT
 * @val: bit 0 is counter 2's gate, bit 1 the speaker data enable
 * @now: the time
 */
void pit_core_speaker_write(struct pit_core *p, u8 val, s64 now)
{
	if (val & PIT_SPK_DATA)
		p->s.flags |= PIT_FLAG_SPEAKER_DATA_ON;
	else
		p->s.flags &= ~PIT_FLAG_SPEAKER_DATA_ON;
	pit_core_set_gate(p, 2, val & PIT_SPK_GATE2, now);
}

/**
 * pit_core_reset() - the PIT after KVM_CREATE_PIT2
 * @p: the PIT
 * @now: the time
 *
 * No counter is programmed (mode PIT_MODE_NONE, count 65536); the gates
 * of counters 0 and 1 are high, counter 2's low.
 */
void pit_core_reset(struct pit_core *p, s64 now)
{
	unsigned int i;

	*p = (struct pit_core) { };
	for (i = 0; i < PIT_CHANNELS; i++) {
		p->s.channels[i].count = 0x10000;
		p->s.channels[i].mode = PIT_MODE_NONE;
		p->s.channels[i].gate = i != 2;
		p->s.channels[i].count_load_time = now;
	}
}

/**
 * pit_core_set_state() - KVM_SET_PIT2
 * @p: the PIT
 * @s: the new state; any contents are accepted
 * @now: the time
 *
 * Fields are taken as they are (a count of 0 is 65536; reserved words are
 * dropped).  Each programmed counter counts from its count_load_time;
 * one whose gate is low in mode 0, 2, 3 or 4 stops where it is @now.
 */
void pit_core_set_state(struct pit_core *p, const struct kvm_pit_state2 *s,
			s64 now)
{
	unsigned int i, mode;

	p->s = (struct kvm_pit_state2) { .flags = s->flags };
	for (i = 0; i < PIT_CHANNELS; i++) {
		struct kvm_pit_channel_state *c = &p->s.channels[i];

		*c = s->channels[i];
		p->ch[i] = (struct pit_core_chan) { };
		if (!c->count)
			c->count = 0x10000;
		mode = eff_mode(c);
		if (mode == PIT_NO_MODE || c->gate || !gate_stops(mode))
			continue;
		stop(p, i, now);
		if (mode != 0 && mode != 4)
			p->ch[i].hold_out = true;
	}
}

static s64 add_ns(s64 t, u64 ns)
{
	u64 room = (u64)0x7fffffffffffffffLL - (u64)t;

	/* t may be negative: room is then above S64_MAX, which is fine. */
	return ns >= room ? 0x7fffffffffffffffLL : (s64)((u64)t + ns);
}

/**
 * pit_core_edges() - when counter @ch's OUT rises next (the interrupt
 *	of counter 0)
 * @p: the PIT
 * @ch: 0-2
 * @now: the time
 * @first: the time of the next rising edge after @now
 * @period: ns between the edges that follow, 0 if there are no more
 *
 * Modes 2 and 3 rise every N periods; modes 0 and 1 once, N periods after
 * the load; modes 4 and 5 once, after the one-period strobe at N.
 *
 * Return: false if no edge is coming (unprogrammed, stopped, or a one-shot
 * already past).
 */
bool pit_core_edges(const struct pit_core *p, unsigned int ch, s64 now,
		    s64 *first, u64 *period)
{
	const struct kvm_pit_channel_state *c = &p->s.channels[ch];
	u64 n = initial(c), d, at;

	if (p->ch[ch].stopped)
		return false;
	d = pit_ns_to_ticks(elapsed_ns(c, now));
	switch (eff_mode(c)) {
	case 2:
	case 3:
		at = (d / n + 1) * n;
		*period = pit_ticks_to_ns(n);
		break;
	case 0:
	case 1:
		if (d >= n)
			return false;
		at = n;
		*period = 0;
		break;
	case 4:
	case 5:
		if (d > n)
			return false;
		at = n + 1;
		*period = 0;
		break;
	default:
		return false;
	}
	*first = add_ns(c->count_load_time, pit_ticks_to_ns(at));
	return true;
}
