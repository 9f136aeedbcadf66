// SPDX-License-Identifier: GPL-2.0
/*
 * The in-kernel local APIC: one per vCPU once KVM_CREATE_IRQCHIP ran.
 *
 * The register page (struct kvm_lapic_state's layout) belongs to the vCPU
 * thread.  Other threads (I/O APIC lines raised by userspace, IPIs from
 * other vCPUs, the timer's hrtimer) never touch it: they post into atomic
 * bitmaps (@pir and @pending) and kick the vCPU, which folds the posts
 * into IRR before it next decides what to inject.  The few fields other
 * threads need to route a message (IDs, modes) are mirrored in plain
 * words read with READ_ONCE.
 */
#include <linux/hrtimer.h>
#include <linux/slab.h>
#include <asm/apicdef.h>
#include <asm/msr-index.h>
#include <asm/tsc.h>

#include <kvmod_cpuid.h>
#include <kvmod_x86.h>

#include "lapic_timer.h"

#define LAPIC_VERSION		0x14
/* LVT entries beyond the first: timer, thermal, PMC, LINT0/1, error. */
#define LAPIC_MAX_LVT		5
#define LAPIC_LVR		(LAPIC_VERSION | (LAPIC_MAX_LVT << 16))
#define LAPIC_PAGE		0x1000

#define X2APIC_MSR_BASE		0x800
#define X2APIC_MSR_LAST		0x8ff

#define LVT_MASKED		BIT(16)
#define LVT_LEVEL		BIT(15)
#define LVT_VECTOR		0xff
#define LVT_DM			(7 << 8)
#define LVT_TIMER_MODE		(3 << 17)
#define LVT_TIMER_ONESHOT	(0 << 17)
#define LVT_TIMER_PERIODIC	(1 << 17)
#define LVT_TIMER_TSCDEADLINE	(2 << 17)

#define SVR_ENABLED		BIT(8)
#define ICR_LEVEL_ASSERT	BIT(14)
#define ICR_TRIGGER_LEVEL	BIT(15)
#define ICR_LOGICAL		BIT(11)

/* Bits in @pending: events posted from other threads. */
enum {
	POST_IRR,	/* @pir has vectors */
	POST_NMI,
	POST_INIT,
	POST_SIPI,
	POST_TIMER,
};

/**
 * struct kvmod_lapic - a vCPU's local APIC
 * @vcpu: its vCPU
 * @regs: the register page, xAPIC layout (owned by the vCPU thread)
 * @pir: vectors posted by other threads, not yet in IRR
 * @pir_level: which of them are level-triggered (TMR)
 * @pending: POST_* bits
 * @sipi_vector: the last STARTUP IPI's vector
 * @timer: the timer, armed while one is counting
 * @period_ns: periodic mode's period (0 otherwise)
 * @tsc_deadline: IA32_TSC_DEADLINE
 * @id: mirror of the APIC id (x2APIC id form)
 * @ldr: mirror of the logical destination (as read)
 * @dfr: mirror of DFR (xAPIC)
 * @x2apic: in x2APIC mode
 * @hw_enabled: IA32_APIC_BASE.EN
 */
struct kvmod_lapic {
	struct kvmod_vcpu *vcpu;
	u32 regs[KVM_APIC_REG_SIZE / 4];
	unsigned long pir[BITS_TO_LONGS(256)];
	unsigned long pir_level[BITS_TO_LONGS(256)];
	unsigned long pending;
	u8 sipi_vector;
	struct hrtimer timer;
	u64 period_ns;
	u64 tsc_deadline;
	u32 id;
	u32 ldr;
	u32 dfr;
	bool x2apic;
	bool hw_enabled;
};

static u32 reg(struct kvmod_lapic *l, u32 off)
{
	return l->regs[off >> 2];
}

static void set_reg(struct kvmod_lapic *l, u32 off, u32 val)
{
	l->regs[off >> 2] = val;
}

/* IRR, ISR and TMR: 8 words of 32 vectors, one per 16-byte register. */
static u32 *vec_word(struct kvmod_lapic *l, u32 base, u8 vec)
{
	return &l->regs[(base + (vec >> 5) * 0x10) >> 2];
}

static bool vec_test(struct kvmod_lapic *l, u32 base, u8 vec)
{
	return *vec_word(l, base, vec) & BIT(vec & 31);
}

static void vec_set(struct kvmod_lapic *l, u32 base, u8 vec, bool on)
{
	if (on)
		*vec_word(l, base, vec) |= BIT(vec & 31);
	else
		*vec_word(l, base, vec) &= ~BIT(vec & 31);
}

/* Highest vector set in IRR/ISR/TMR at @base, or -1. */
static int vec_highest(struct kvmod_lapic *l, u32 base)
{
	int i;

	for (i = 7; i >= 0; i--) {
		u32 w = reg(l, base + i * 0x10);

		if (w)
			return i * 32 + fls(w) - 1;
	}
	return -1;
}

static bool sw_enabled(struct kvmod_lapic *l)
{
	return reg(l, APIC_SPIV) & SVR_ENABLED;
}

static void update_ppr(struct kvmod_lapic *l)
{
	u32 tpr = reg(l, APIC_TASKPRI) & 0xff;
	int isr = vec_highest(l, APIC_ISR);
	u32 isrv = isr < 0 ? 0 : isr & 0xf0;

	set_reg(l, APIC_PROCPRI, (tpr & 0xf0) >= isrv ? tpr : isrv);
}

/* x2APIC's logical id: cluster in 31:16, one bit of 16 in 15:0. */
static u32 x2apic_ldr(u32 id)
{
	return ((id >> 4) << 16) | BIT(id & 0xf);
}

/* Refresh what other threads read to route messages to this APIC. */
static void publish_ids(struct kvmod_lapic *l)
{
	WRITE_ONCE(l->id, l->x2apic ? reg(l, APIC_ID) : reg(l, APIC_ID) >> 24);
	WRITE_ONCE(l->ldr, reg(l, APIC_LDR));
	WRITE_ONCE(l->dfr, reg(l, APIC_DFR));
}

/* ---- Posting from any thread ---- */

static void post(struct kvmod_lapic *l, int what)
{
	set_bit(what, &l->pending);
	kvmod_vcpu_kick(l->vcpu);
}

static void post_vector(struct kvmod_lapic *l, u8 vec, bool level)
{
	if (level)
		set_bit(vec, l->pir_level);
	else
		clear_bit(vec, l->pir_level);
	set_bit(vec, l->pir);
	post(l, POST_IRR);
}

static bool dest_matches(struct kvmod_lapic *l, const struct kvmod_apic_irq *irq)
{
	u32 dest = irq->dest_id, ldr;

	if (l->x2apic) {
		if (dest == 0xffffffff)
			return true;
		if (!irq->dest_logical)
			return dest == READ_ONCE(l->id);
		ldr = READ_ONCE(l->ldr);
		return (dest >> 16) == (ldr >> 16) && (dest & ldr & 0xffff);
	}
	dest &= 0xff;
	if (dest == 0xff)
		return true;
	if (!irq->dest_logical)
		return dest == READ_ONCE(l->id);
	ldr = READ_ONCE(l->ldr) >> 24;
	if ((READ_ONCE(l->dfr) >> 28) == 0xf)	/* flat model */
		return dest & ldr;
	/* Cluster model: cluster in the high nibble, members in the low. */
	return (dest >> 4) == (ldr >> 4) && (dest & ldr & 0xf);
}

static bool addressed(struct kvmod_vcpu *vcpu, const struct kvmod_apic_irq *irq)
{
	struct kvmod_lapic *l = vcpu->arch.lapic;

	if (!l || !READ_ONCE(l->hw_enabled))
		return false;
	switch (irq->shorthand) {
	case KVMOD_SH_SELF:
		return vcpu == irq->source;
	case KVMOD_SH_ALL:
		return true;
	case KVMOD_SH_ALL_BUT_SELF:
		return vcpu != irq->source;
	default:
		return dest_matches(l, irq);
	}
}

/* One APIC accepts @irq.  Return: whether it took it. */
static bool accept(struct kvmod_lapic *l, const struct kvmod_apic_irq *irq)
{
	switch (irq->delivery_mode) {
	case KVMOD_DM_FIXED:
	case KVMOD_DM_LOWEST:
		post_vector(l, irq->vector, irq->level);
		return true;
	case KVMOD_DM_NMI:
		post(l, POST_NMI);
		return true;
	case KVMOD_DM_INIT:
		/* A level INIT de-assert is the old "INIT level de-assert". */
		if (irq->level && !irq->assert)
			return false;
		post(l, POST_INIT);
		return true;
	case KVMOD_DM_STARTUP:
		kvmod_lapic_post_sipi(l->vcpu, irq->vector);
		return true;
	default:
		/* SMI (no SMM) and ExtINT through an APIC message. */
		return false;
	}
}

/**
 * kvmod_lapic_post_sipi() - a STARTUP IPI with @vector reaches @vcpu
 * @vcpu: the vCPU
 * @vector: its vector (the start page number)
 */
void kvmod_lapic_post_sipi(struct kvmod_vcpu *vcpu, u8 vector)
{
	struct kvmod_lapic *l = vcpu->arch.lapic;

	WRITE_ONCE(l->sipi_vector, vector);
	post(l, POST_SIPI);
}

int kvmod_apic_deliver(struct kvmod_vm *vm, const struct kvmod_apic_irq *irq)
{
	struct kvmod_vcpu *vcpu, *lowest = NULL;
	u32 lowest_ppr = U32_MAX;
	unsigned long i;
	int n = 0;

	xa_for_each(&vm->vcpus, i, vcpu) {
		if (!addressed(vcpu, irq))
			continue;
		if (irq->delivery_mode == KVMOD_DM_LOWEST) {
			/* Racy by nature: the priorities move as we look. */
			u32 ppr = READ_ONCE(vcpu->arch.lapic->regs[APIC_PROCPRI >> 2]);

			if (ppr < lowest_ppr) {
				lowest_ppr = ppr;
				lowest = vcpu;
			}
			continue;
		}
		n += accept(vcpu->arch.lapic, irq);
	}
	if (lowest)
		n += accept(lowest->arch.lapic, irq);
	return n ? n : -1;
}

/* ---- The timer ---- */

static enum hrtimer_restart timer_fired(struct hrtimer *t)
{
	struct kvmod_lapic *l = container_of(t, struct kvmod_lapic, timer);

	post(l, POST_TIMER);
	if (l->period_ns) {
		hrtimer_forward_now(t, ns_to_ktime(l->period_ns));
		return HRTIMER_RESTART;
	}
	return HRTIMER_NORESTART;
}

static u32 timer_mode(struct kvmod_lapic *l)
{
	return reg(l, APIC_LVTT) & LVT_TIMER_MODE;
}

static void timer_stop(struct kvmod_lapic *l)
{
	hrtimer_cancel(&l->timer);
	l->period_ns = 0;
	clear_bit(POST_TIMER, &l->pending);
}

/* Initial Count written (or restored): count down from it. */
static void timer_start_count(struct kvmod_lapic *l)
{
	u32 count = reg(l, APIC_TMICT);
	u64 ns;

	timer_stop(l);
	if (!count || timer_mode(l) == LVT_TIMER_TSCDEADLINE)
		return;
	ns = lapic_timer_ns(count, lapic_timer_divisor(reg(l, APIC_TDCR)));
	if (timer_mode(l) == LVT_TIMER_PERIODIC) {
		ns = max(ns, KVMOD_LAPIC_MIN_PERIOD_NS);
		l->period_ns = ns;
	}
	hrtimer_start(&l->timer, ns_to_ktime(ns), HRTIMER_MODE_REL_HARD);
}

static void timer_start_deadline(struct kvmod_lapic *l)
{
	u64 now, ns;

	timer_stop(l);
	if (!l->tsc_deadline || timer_mode(l) != LVT_TIMER_TSCDEADLINE)
		return;
	now = kvmod_read_guest_tsc(l->vcpu);
	if (l->tsc_deadline <= now) {
		post(l, POST_TIMER);
		return;
	}
	ns = lapic_tsc_delta_ns(l->tsc_deadline - now, tsc_khz);
	hrtimer_start(&l->timer, ns_to_ktime(min_t(u64, ns, KTIME_MAX)),
		      HRTIMER_MODE_REL_HARD);
}

static u32 timer_current_count(struct kvmod_lapic *l)
{
	if (timer_mode(l) == LVT_TIMER_TSCDEADLINE || !hrtimer_active(&l->timer))
		return 0;
	return lapic_timer_count_left(ktime_to_ns(hrtimer_get_remaining(&l->timer)),
				      lapic_timer_divisor(reg(l, APIC_TDCR)),
				      reg(l, APIC_TMICT));
}

/* ---- The vCPU thread's side ---- */

/* Raise a local vector (LVT or self IPI) straight into IRR. */
static void set_irr(struct kvmod_lapic *l, u8 vec, bool level)
{
	/* Vectors 0-15 are illegal: the APIC reports them in ESR. */
	if (vec < 16) {
		set_reg(l, APIC_ESR, reg(l, APIC_ESR) | APIC_ESR_RECVILL);
		return;
	}
	vec_set(l, APIC_IRR, vec, true);
	vec_set(l, APIC_TMR, vec, level);
}

static void fire_lvt(struct kvmod_lapic *l, u32 lvt_off)
{
	u32 lvt = reg(l, lvt_off);

	if (!(lvt & LVT_MASKED) && sw_enabled(l))
		set_irr(l, lvt & LVT_VECTOR, false);
}

static void take_timer(struct kvmod_lapic *l)
{
	fire_lvt(l, APIC_LVTT);
	if (timer_mode(l) == LVT_TIMER_TSCDEADLINE)
		l->tsc_deadline = 0;
}

static void take_sipi(struct kvmod_vcpu *vcpu, u8 vector)
{
	struct kvm_sregs s;

	if (vcpu->arch.mp_state != KVM_MP_STATE_INIT_RECEIVED)
		return;
	kvmod_get_sregs(vcpu, &s);
	s.cs.selector = vector << 8;
	s.cs.base = (u64)vector << 12;
	kvmod_x86->set_sregs(vcpu, &s);
	vcpu->arch.regs.rip = 0;
	vcpu->arch.mp_state = KVM_MP_STATE_RUNNABLE;
}

/**
 * kvmod_lapic_sync() - fold what other threads posted into the APIC
 * @vcpu: the vCPU, on its own thread
 */
void kvmod_lapic_sync(struct kvmod_vcpu *vcpu)
{
	struct kvmod_lapic *l = vcpu->arch.lapic;
	int i;

	if (!READ_ONCE(l->pending))
		return;
	if (test_and_clear_bit(POST_INIT, &l->pending)) {
		kvmod_vcpu_reset(vcpu, true);
		vcpu->arch.mp_state = kvmod_vcpu_is_bsp(vcpu) ?
				      KVM_MP_STATE_RUNNABLE :
				      KVM_MP_STATE_INIT_RECEIVED;
	}
	if (test_and_clear_bit(POST_SIPI, &l->pending))
		take_sipi(vcpu, READ_ONCE(l->sipi_vector));
	if (test_and_clear_bit(POST_NMI, &l->pending))
		vcpu->arch.nmi_pending = true;
	if (test_and_clear_bit(POST_TIMER, &l->pending))
		take_timer(l);
	if (test_and_clear_bit(POST_IRR, &l->pending)) {
		for_each_set_bit(i, l->pir, 256)
			if (test_and_clear_bit(i, l->pir))
				set_irr(l, i, test_bit(i, l->pir_level));
	}
}

/**
 * kvmod_lapic_pending() - the interrupt the APIC would hand the CPU now
 * @vcpu: the vCPU
 * @prio: set to the vector's priority class when one is in IRR but
 *	held back by the TPR alone (so the CPU can watch CR8), else -1
 *
 * Return: the vector, or -1.
 */
int kvmod_lapic_pending(struct kvmod_vcpu *vcpu, int *prio)
{
	struct kvmod_lapic *l = vcpu->arch.lapic;
	int irr = vec_highest(l, APIC_IRR), isr;

	*prio = -1;
	if (irr < 0 || !l->hw_enabled)
		return -1;
	if ((irr & 0xf0) > (reg(l, APIC_PROCPRI) & 0xf0))
		return irr;
	isr = vec_highest(l, APIC_ISR);
	if (isr < 0 || (irr & 0xf0) > (isr & 0xf0))
		*prio = irr >> 4;
	return -1;
}

/**
 * kvmod_lapic_ack() - the CPU takes @vec: move it from IRR to ISR
 * @vcpu: the vCPU
 * @vec: kvmod_lapic_pending()'s vector
 */
void kvmod_lapic_ack(struct kvmod_vcpu *vcpu, u8 vec)
{
	struct kvmod_lapic *l = vcpu->arch.lapic;

	vec_set(l, APIC_IRR, vec, false);
	vec_set(l, APIC_ISR, vec, true);
	update_ppr(l);
}

/* LINT0 set to ExtINT (or the APIC off): the PIC's INTR reaches the CPU. */
bool kvmod_lapic_accepts_pic(struct kvmod_vcpu *vcpu)
{
	struct kvmod_lapic *l = vcpu->arch.lapic;
	u32 lvt0 = reg(l, APIC_LVT0);

	if (!l->hw_enabled)
		return true;
	return !(lvt0 & LVT_MASKED) &&
	       (lvt0 & LVT_DM) == (KVMOD_DM_EXTINT << 8);
}

u8 kvmod_lapic_get_cr8(struct kvmod_vcpu *vcpu)
{
	return (reg(vcpu->arch.lapic, APIC_TASKPRI) >> 4) & 0xf;
}

void kvmod_lapic_set_cr8(struct kvmod_vcpu *vcpu, u8 cr8)
{
	struct kvmod_lapic *l = vcpu->arch.lapic;

	set_reg(l, APIC_TASKPRI, (cr8 & 0xf) << 4);
	update_ppr(l);
}

static void eoi(struct kvmod_lapic *l)
{
	int vec = vec_highest(l, APIC_ISR);

	if (vec < 0)
		return;
	vec_set(l, APIC_ISR, vec, false);
	update_ppr(l);
	if (vec_test(l, APIC_TMR, vec) && l->vcpu->vm->arch.ioapic)
		kvmod_ioapic_eoi(l->vcpu->vm, vec);
}

static void send_ipi(struct kvmod_lapic *l, u32 low, u32 dest)
{
	struct kvmod_apic_irq irq = {
		.dest_id = dest,
		.vector = low & 0xff,
		.delivery_mode = (low >> 8) & 7,
		.dest_logical = low & ICR_LOGICAL,
		.level = low & ICR_TRIGGER_LEVEL,
		.assert = low & ICR_LEVEL_ASSERT,
		.shorthand = (low >> 18) & 3,
		.source = l->vcpu,
	};

	/* Fixed IPIs with vectors 0-15 are illegal: reported, not sent. */
	if (irq.delivery_mode <= KVMOD_DM_LOWEST && irq.vector < 16) {
		set_reg(l, APIC_ESR, reg(l, APIC_ESR) | APIC_ESR_SENDILL);
		return;
	}
	kvmod_apic_deliver(l->vcpu->vm, &irq);
}

static const u32 lvt_regs[] = {
	APIC_LVTT, APIC_LVTTHMR, APIC_LVTPC, APIC_LVT0, APIC_LVT1, APIC_LVTERR,
};

static void mask_lvts(struct kvmod_lapic *l)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(lvt_regs); i++)
		set_reg(l, lvt_regs[i], reg(l, lvt_regs[i]) | LVT_MASKED);
}

/* Writable bits of each LVT entry. */
static u32 lvt_mask(u32 off)
{
	switch (off) {
	case APIC_LVTT:
		return LVT_MASKED | LVT_TIMER_MODE | LVT_VECTOR;
	case APIC_LVT0:
	case APIC_LVT1:
		return LVT_MASKED | LVT_LEVEL | BIT(13) | LVT_DM | LVT_VECTOR;
	case APIC_LVTERR:
		return LVT_MASKED | LVT_VECTOR;
	default:	/* thermal, PMC */
		return LVT_MASKED | LVT_DM | LVT_VECTOR;
	}
}

/*
 * A register write, xAPIC offsets.  Return: 0, or 1 if the register
 * cannot be written (x2APIC turns that into #GP).
 */
static int reg_write(struct kvmod_lapic *l, u32 off, u32 val)
{
	switch (off) {
	case APIC_ID:
		if (l->x2apic)
			return 1;
		set_reg(l, APIC_ID, val & 0xff000000);
		publish_ids(l);
		return 0;
	case APIC_TASKPRI:
		set_reg(l, APIC_TASKPRI, val & 0xff);
		update_ppr(l);
		return 0;
	case APIC_EOI:
		eoi(l);
		return 0;
	case APIC_LDR:
		if (l->x2apic)
			return 1;
		set_reg(l, APIC_LDR, val & 0xff000000);
		publish_ids(l);
		return 0;
	case APIC_DFR:
		if (l->x2apic)
			return 1;
		set_reg(l, APIC_DFR, val | 0x0fffffff);
		publish_ids(l);
		return 0;
	case APIC_SPIV:
		set_reg(l, APIC_SPIV, val & (0xff | SVR_ENABLED | BIT(9)));
		if (!(val & SVR_ENABLED))
			mask_lvts(l);
		return 0;
	case APIC_ESR:
		/* Writing latches new errors; kvmod's are recorded at once. */
		if (l->x2apic && val)
			return 1;
		set_reg(l, APIC_ESR, 0);
		return 0;
	case APIC_ICR:
		set_reg(l, APIC_ICR, val & ~APIC_ICR_BUSY);
		send_ipi(l, val, l->x2apic ? 0 : reg(l, APIC_ICR2) >> 24);
		return 0;
	case APIC_ICR2:
		if (l->x2apic)
			return 1;
		set_reg(l, APIC_ICR2, val & 0xff000000);
		return 0;
	case APIC_LVTT:
	case APIC_LVTTHMR:
	case APIC_LVTPC:
	case APIC_LVT0:
	case APIC_LVT1:
	case APIC_LVTERR: {
		u32 old_mode = timer_mode(l);

		if (!sw_enabled(l))
			val |= LVT_MASKED;
		/* TSC-deadline mode only if CPUID offers it; 3 is reserved. */
		if (off == APIC_LVTT &&
		    (!kvmod_guest_has_tsc_deadline(l->vcpu) ||
		     (val & LVT_TIMER_MODE) == LVT_TIMER_MODE))
			val &= ~LVT_TIMER_TSCDEADLINE;
		set_reg(l, off, val & lvt_mask(off));
		if (off == APIC_LVTT && timer_mode(l) != old_mode) {
			/* A mode switch stops the count, as on hardware. */
			timer_stop(l);
			set_reg(l, APIC_TMICT, 0);
			l->tsc_deadline = 0;
		}
		return 0;
	}
	case APIC_TMICT:
		if (timer_mode(l) == LVT_TIMER_TSCDEADLINE)
			return 0;
		set_reg(l, APIC_TMICT, val);
		timer_start_count(l);
		return 0;
	case APIC_TDCR:
		set_reg(l, APIC_TDCR, val & 0xb);
		return 0;
	case APIC_SELF_IPI:
		if (!l->x2apic)
			return 1;
		set_irr(l, val & 0xff, false);
		return 0;
	default:
		/* Read-only (LVR, PPR, ISR, TMR, IRR, TMCCT, ...) or reserved. */
		return 1;
	}
}

static bool reg_readable(struct kvmod_lapic *l, u32 off)
{
	switch (off) {
	case APIC_ID:
	case APIC_LVR:
	case APIC_TASKPRI:
	case APIC_PROCPRI:
	case APIC_LDR:
	case APIC_SPIV:
	case APIC_ISR ... APIC_ISR + 0x70:
	case APIC_TMR ... APIC_TMR + 0x70:
	case APIC_IRR ... APIC_IRR + 0x70:
	case APIC_ESR:
	case APIC_ICR:
	case APIC_LVTT ... APIC_LVTERR:
	case APIC_TMICT:
	case APIC_TMCCT:
	case APIC_TDCR:
		return !(off & 0xf);
	case APIC_ARBPRI:
	case APIC_DFR:
	case APIC_ICR2:
		return !l->x2apic;
	default:
		return false;
	}
}

static u32 reg_read(struct kvmod_lapic *l, u32 off)
{
	switch (off) {
	case APIC_TMCCT:
		return timer_current_count(l);
	case APIC_ARBPRI:
		return 0;
	default:
		return reg(l, off);
	}
}

/* ---- xAPIC MMIO ---- */

/**
 * kvmod_lapic_mmio() - a guest access to its own APIC's page, if it is one
 * @vcpu: the vCPU
 * @gpa: address
 * @data: bytes to write or to fill
 * @len: access length
 * @write: direction
 *
 * Return: 0 if the APIC page took it, -EOPNOTSUPP if @gpa is elsewhere.
 */
int kvmod_lapic_mmio(struct kvmod_vcpu *vcpu, u64 gpa, void *data,
		     unsigned int len, bool write)
{
	struct kvmod_lapic *l = vcpu->arch.lapic;
	u32 off = gpa & (LAPIC_PAGE - 1), val;

	if (!l || !l->hw_enabled || l->x2apic ||
	    (gpa & ~(u64)(LAPIC_PAGE - 1)) !=
	    (vcpu->arch.apic_base & MSR_IA32_APICBASE_BASE))
		return -EOPNOTSUPP;
	/* Registers are 32 bits at 16-byte steps; other accesses are lost. */
	if (write) {
		if (len == 4 && !(off & 0xf)) {
			memcpy(&val, data, 4);
			reg_write(l, off, val);
		}
		return 0;
	}
	memset(data, 0, len);
	if ((off & 0xf) + len <= 4 && reg_readable(l, off & ~0xf)) {
		val = reg_read(l, off & ~0xf) >> ((off & 3) * 8);
		memcpy(data, &val, len);
	}
	return 0;
}

/* ---- MSRs: x2APIC registers and TSC deadline ---- */

bool kvmod_lapic_msr(u32 msr)
{
	return (msr >= X2APIC_MSR_BASE && msr <= X2APIC_MSR_LAST) ||
	       msr == MSR_IA32_TSC_DEADLINE;
}

/**
 * kvmod_lapic_get_msr() - RDMSR of an x2APIC register or TSC deadline
 * @vcpu: the vCPU
 * @msr: kvmod_lapic_msr() is true for it
 * @data: the value
 *
 * Return: 0, or 1 for #GP.
 */
int kvmod_lapic_get_msr(struct kvmod_vcpu *vcpu, u32 msr, u64 *data)
{
	struct kvmod_lapic *l = vcpu->arch.lapic;
	u32 off = (msr - X2APIC_MSR_BASE) << 4;

	/* Listed for saving, so it reads as 0 even without an APIC. */
	if (msr == MSR_IA32_TSC_DEADLINE) {
		*data = l && timer_mode(l) == LVT_TIMER_TSCDEADLINE ?
			l->tsc_deadline : 0;
		return 0;
	}
	if (!l)
		return 1;
	if (!l->x2apic || !reg_readable(l, off) || off == APIC_EOI)
		return 1;
	*data = reg_read(l, off);
	if (off == APIC_ICR)
		*data |= (u64)reg(l, APIC_ICR2) << 32;
	return 0;
}

/**
 * kvmod_lapic_set_msr() - WRMSR of an x2APIC register or TSC deadline
 * @vcpu: the vCPU
 * @msr: kvmod_lapic_msr() is true for it
 * @data: the value
 *
 * Return: 0, or 1 for #GP.
 */
int kvmod_lapic_set_msr(struct kvmod_vcpu *vcpu, u32 msr, u64 data)
{
	struct kvmod_lapic *l = vcpu->arch.lapic;
	u32 off = (msr - X2APIC_MSR_BASE) << 4;

	if (msr == MSR_IA32_TSC_DEADLINE) {
		if (l && timer_mode(l) == LVT_TIMER_TSCDEADLINE) {
			l->tsc_deadline = data;
			timer_start_deadline(l);
		}
		return 0;
	}
	if (!l || !l->x2apic)
		return 1;
	/* Reserved bits: everything above 31 but the ICR's destination. */
	if (off == APIC_ICR) {
		set_reg(l, APIC_ICR2, data >> 32);
		set_reg(l, APIC_ICR, (u32)data);
		send_ipi(l, (u32)data, data >> 32);
		return 0;
	}
	if (data >> 32)
		return 1;
	return reg_write(l, off, data);
}

/* ---- IA32_APIC_BASE ---- */

static void enter_x2apic(struct kvmod_lapic *l)
{
	u32 id = l->vcpu->vcpu_id;

	l->x2apic = true;
	set_reg(l, APIC_ID, id);
	set_reg(l, APIC_LDR, x2apic_ldr(id));
	publish_ids(l);
}

/**
 * kvmod_lapic_set_base() - write IA32_APIC_BASE
 * @vcpu: the vCPU
 * @data: the new value, already accepted by kvmod_apic_base_valid() (which
 *	refuses x2APIC without the enable bit, an in-kernel APIC or CPUID)
 * @host: from KVM_SET_MSRS (any transition) rather than the guest
 *
 * Return: 0, or 1 for a transition the architecture forbids (#GP).
 */
int kvmod_lapic_set_base(struct kvmod_vcpu *vcpu, u64 data, bool host)
{
	struct kvmod_lapic *l = vcpu->arch.lapic;
	u64 old = vcpu->arch.apic_base;
	bool en = data & MSR_IA32_APICBASE_ENABLE, x2 = data & X2APIC_ENABLE;
	bool was_x2 = old & X2APIC_ENABLE;

	/* x2APIC is left only through disabled, and entered only from xAPIC. */
	if (!host && ((was_x2 && en && !x2) ||
		      (x2 && !(old & MSR_IA32_APICBASE_ENABLE))))
		return 1;
	vcpu->arch.apic_base = data;
	if (!l)
		return 0;
	if (!en) {
		l->x2apic = false;
		WRITE_ONCE(l->hw_enabled, false);
		timer_stop(l);
		return 0;
	}
	if (!(old & MSR_IA32_APICBASE_ENABLE))
		kvmod_lapic_reset(vcpu, true);
	WRITE_ONCE(l->hw_enabled, true);
	if (x2 && !l->x2apic)
		enter_x2apic(l);
	else if (!x2 && l->x2apic) {
		l->x2apic = false;
		set_reg(l, APIC_ID, vcpu->vcpu_id << 24);
		set_reg(l, APIC_LDR, 0);
		publish_ids(l);
	}
	return 0;
}

/* ---- Lifetime and state ---- */

/**
 * kvmod_lapic_reset() - power-up (or INIT) state of the registers
 * @vcpu: the vCPU
 * @init: an INIT: the APIC id and base are kept
 */
void kvmod_lapic_reset(struct kvmod_vcpu *vcpu, bool init)
{
	struct kvmod_lapic *l = vcpu->arch.lapic;
	int i;

	if (!l)
		return;
	timer_stop(l);
	memset(l->regs, 0, sizeof(l->regs));
	set_reg(l, APIC_ID, vcpu->vcpu_id << 24);
	set_reg(l, APIC_LVR, LAPIC_LVR);
	set_reg(l, APIC_DFR, 0xffffffff);
	set_reg(l, APIC_SPIV, 0xff);
	for (i = 0; i < ARRAY_SIZE(lvt_regs); i++)
		set_reg(l, lvt_regs[i], LVT_MASKED);
	/* The BSP starts in virtual-wire mode: the PIC reaches it (as KVM). */
	if (vcpu->arch.apic_base & MSR_IA32_APICBASE_BSP)
		set_reg(l, APIC_LVT0, KVMOD_DM_EXTINT << 8);
	l->tsc_deadline = 0;
	l->x2apic = false;
	if (vcpu->arch.apic_base & X2APIC_ENABLE)
		enter_x2apic(l);
	WRITE_ONCE(l->hw_enabled,
		   !!(vcpu->arch.apic_base & MSR_IA32_APICBASE_ENABLE));
	publish_ids(l);
	/* A STARTUP IPI may already follow the INIT being handled. */
	if (!init)
		l->pending = 0;
	bitmap_zero(l->pir, 256);
}

int kvmod_lapic_create(struct kvmod_vcpu *vcpu)
{
	struct kvmod_lapic *l = kzalloc(sizeof(*l), GFP_KERNEL_ACCOUNT);

	if (!l)
		return -ENOMEM;
	l->vcpu = vcpu;
	hrtimer_init(&l->timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_HARD);
	l->timer.function = timer_fired;
	vcpu->arch.lapic = l;
	return 0;
}

void kvmod_lapic_free(struct kvmod_vcpu *vcpu)
{
	struct kvmod_lapic *l = vcpu->arch.lapic;

	if (!l)
		return;
	hrtimer_cancel(&l->timer);
	kfree(l);
	vcpu->arch.lapic = NULL;
}

/**
 * kvmod_lapic_get_state() - KVM_GET_LAPIC
 * @vcpu: the vCPU
 * @s: filled with the register page
 *
 * The x2APIC id is shown in the xAPIC position, as KVM does without
 * KVM_CAP_X2APIC_API.
 */
void kvmod_lapic_get_state(struct kvmod_vcpu *vcpu, struct kvm_lapic_state *s)
{
	struct kvmod_lapic *l = vcpu->arch.lapic;
	u32 *regs = (u32 *)s->regs;

	kvmod_lapic_sync(vcpu);
	memcpy(s->regs, l->regs, sizeof(s->regs));
	regs[APIC_TMCCT >> 2] = timer_current_count(l);
	if (l->x2apic)
		regs[APIC_ID >> 2] = reg(l, APIC_ID) << 24;
}

/**
 * kvmod_lapic_set_state() - KVM_SET_LAPIC
 * @vcpu: the vCPU
 * @s: the register page
 *
 * Return: 0, or -EINVAL if the x2APIC id is not the vCPU's.
 */
int kvmod_lapic_set_state(struct kvmod_vcpu *vcpu,
			  const struct kvm_lapic_state *s)
{
	struct kvmod_lapic *l = vcpu->arch.lapic;
	const u32 *regs = (const u32 *)s->regs;
	u32 id = regs[APIC_ID >> 2] >> 24;

	if (l->x2apic && id != (vcpu->vcpu_id & 0xff))
		return -EINVAL;
	timer_stop(l);
	memcpy(l->regs, s->regs, sizeof(l->regs));
	set_reg(l, APIC_LVR, LAPIC_LVR);
	if (l->x2apic) {
		set_reg(l, APIC_ID, vcpu->vcpu_id);
		set_reg(l, APIC_LDR, x2apic_ldr(vcpu->vcpu_id));
	}
	set_reg(l, APIC_ICR, reg(l, APIC_ICR) & ~APIC_ICR_BUSY);
	set_reg(l, APIC_TMCCT, 0);
	update_ppr(l);
	publish_ids(l);
	timer_start_count(l);
	kvmod_vcpu_kick(vcpu);
	return 0;
}
