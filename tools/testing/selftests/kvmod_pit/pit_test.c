// SPDX-License-Identifier: GPL-2.0
/*
 * The in-kernel i8254 PIT (KVM_CREATE_PIT2): its ioctl rules, the state
 * ioctls, counter 0 driving GSI 0 into the I/O APIC (KVM's default
 * routing and QEMU's) and the PIC, periodic and one-shot, programmed by
 * the guest or by KVM_SET_PIT2, the HPET legacy flag, the counter latch
 * and read-back commands, counter 2 with its gate on port 0x61
 * (KVM_PIT_SPEAKER_DUMMY), and teardown with the timer running.
 */
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "../kvmod/test_harness.h"
#include "../kvmod/kvm_util.h"
#include "../kvmod_guest/guest_lib.h"

#define APIC_BASE_GPA	0xfee00000UL
#define IOAPIC_GPA	0xfec00000UL

#define APIC_EOI	0xb0
#define APIC_SVR	0xf0
#define APIC_LVTT	0x320
#define APIC_LVT0	0x350
#define APIC_TMICT	0x380
#define APIC_TDCR	0x3e0

#define PIT_VECTOR	0x50
#define LAPIC_VECTOR	0x51
#define PIC_BASE	0x20

#define PIT_HZ		1193182
#define COUNT_10MS	11932		/* 100 Hz */

/* ---- Guest side ---- */

static GUEST_CODE void apic_write(uint32_t off, uint32_t val)
{
	*(volatile uint32_t *)(APIC_BASE_GPA + off) = val;
}

static GUEST_CODE void ioapic_write(uint32_t reg, uint32_t val)
{
	*(volatile uint32_t *)IOAPIC_GPA = reg;
	*(volatile uint32_t *)(IOAPIC_GPA + 0x10) = val;
}

static GUEST_CODE void outb(uint16_t port, uint8_t v)
{
	asm volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static GUEST_CODE uint8_t inb(uint16_t port)
{
	uint8_t v;

	asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static GUEST_CODE void sti_hlt(void)
{
	asm volatile("sti; hlt; cli" ::: "memory");
}

/* Counter @ch: RW word, @mode, binary, then @count. */
static GUEST_CODE void pit_program(unsigned int ch, unsigned int mode,
				   uint16_t count)
{
	outb(0x43, ch << 6 | 0x30 | mode << 1);
	outb(0x40 + ch, count & 0xff);
	outb(0x40 + ch, count >> 8);
}

static GUEST_CODE uint16_t pit_read_word(unsigned int ch)
{
	uint16_t lo = inb(0x40 + ch);

	return lo | inb(0x40 + ch) << 8;
}

volatile uint64_t ticks, lapic_fired, last_vector;

static GUEST_CODE void tick_handler(struct ex_regs *regs)
{
	ticks++;
	last_vector = regs->vector;
	apic_write(APIC_EOI, 0);
}

static GUEST_CODE void lapic_handler(struct ex_regs *regs)
{
	(void)regs;
	lapic_fired = 1;
	apic_write(APIC_EOI, 0);
}

static GUEST_CODE void pic_tick_handler(struct ex_regs *regs)
{
	ticks++;
	last_vector = regs->vector;
	outb(0x20, 0x20);			/* non-specific EOI */
}

/* The local APIC on, the PIC off LINT0, handlers in place. */
static GUEST_CODE void guest_apic_setup(void)
{
	guest_handlers[PIT_VECTOR] = tick_handler;
	guest_handlers[LAPIC_VECTOR] = lapic_handler;
	apic_write(APIC_SVR, 0x1ff);
	apic_write(APIC_LVT0, 1 << 16);
	apic_write(APIC_TDCR, 0xb);		/* divide by 1: 1 GHz */
}

/* I/O APIC @pin: edge, fixed, PIT_VECTOR to APIC 0. */
static GUEST_CODE void guest_route_pin(unsigned int pin)
{
	ioapic_write(0x10 + 2 * pin, PIT_VECTOR);
	ioapic_write(0x11 + 2 * pin, 0);
}

/* Sleep @ms on the local APIC timer (1 GHz on KVM and kvmod). */
static GUEST_CODE void lapic_sleep_ms(uint32_t ms)
{
	lapic_fired = 0;
	apic_write(APIC_LVTT, LAPIC_VECTOR);
	apic_write(APIC_TMICT, ms * 1000000);
	while (!lapic_fired)
		sti_hlt();
}

/* ---- Host side ---- */

static struct kvm_vm *pit_vm(uint32_t flags)
{
	struct kvm_vm *vm = vm_new(0);
	struct kvm_pit_config cfg = { .flags = flags };

	if (ioctl(vm->fd, KVM_CREATE_IRQCHIP) < 0) {
		perror("KVM_CREATE_IRQCHIP");
		exit(1);
	}
	if (ioctl(vm->fd, KVM_CREATE_PIT2, &cfg) < 0) {
		perror("KVM_CREATE_PIT2");
		exit(1);
	}
	return vm;
}

static void get_pit2(struct kvm_vm *vm, struct kvm_pit_state2 *s)
{
	if (ioctl(vm->fd, KVM_GET_PIT2, s) < 0) {
		perror("KVM_GET_PIT2");
		exit(1);
	}
}

static void set_pit2(struct kvm_vm *vm, const struct kvm_pit_state2 *s)
{
	if (ioctl(vm->fd, KVM_SET_PIT2, s) < 0) {
		perror("KVM_SET_PIT2");
		exit(1);
	}
}

static int64_t mono_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

TEST(pit_ioctl_rules)
{
	struct kvm_vm *vm = vm_new(0), *vm2, *vm3;
	struct kvm_pit_config cfg = { };
	struct kvm_reinject_control rc = { .pit_reinject = 0 };
	struct kvm_pit_state2 s2;
	struct kvm_pit_state s;

	EXPECT_GT(kvm_check_cap(vm->fd, KVM_CAP_PIT2), 0);
	EXPECT_GT(kvm_check_cap(vm->fd, KVM_CAP_PIT_STATE2), 0);
	EXPECT_GT(kvm_check_cap(vm->fd, KVM_CAP_REINJECT_CONTROL), 0);
	EXPECT_GT(kvm_check_cap(vm->fd, KVM_CAP_PIT), 0);

	/* Nothing to get, set or control before the PIT exists. */
	ASSERT_OK(ioctl(vm->fd, KVM_CREATE_IRQCHIP));
	EXPECT_ERRNO(ioctl(vm->fd, KVM_GET_PIT2, &s2), ENXIO);
	EXPECT_ERRNO(ioctl(vm->fd, KVM_SET_PIT2, &s2), ENXIO);
	EXPECT_ERRNO(ioctl(vm->fd, KVM_GET_PIT, &s), ENXIO);
	EXPECT_ERRNO(ioctl(vm->fd, KVM_SET_PIT, &s), ENXIO);
	EXPECT_ERRNO(ioctl(vm->fd, KVM_REINJECT_CONTROL, &rc), ENXIO);

	/* One PIT per VM, whichever ioctl made it. */
	ASSERT_OK(ioctl(vm->fd, KVM_CREATE_PIT2, &cfg));
	EXPECT_ERRNO(ioctl(vm->fd, KVM_CREATE_PIT2, &cfg), EEXIST);
	EXPECT_ERRNO(ioctl(vm->fd, KVM_CREATE_PIT), EEXIST);
	EXPECT_OK(ioctl(vm->fd, KVM_REINJECT_CONTROL, &rc));
	rc.pit_reinject = 1;
	EXPECT_OK(ioctl(vm->fd, KVM_REINJECT_CONTROL, &rc));
	EXPECT_OK(ioctl(vm->fd, KVM_GET_PIT2, &s2));
	EXPECT_OK(ioctl(vm->fd, KVM_GET_PIT, &s));

	vm2 = vm_new(0);
	ASSERT_OK(ioctl(vm2->fd, KVM_CREATE_IRQCHIP));
	ASSERT_OK(ioctl(vm2->fd, KVM_CREATE_PIT));
	EXPECT_ERRNO(ioctl(vm2->fd, KVM_CREATE_PIT2, &cfg), EEXIST);

	/*
	 * api.rst says "only valid after KVM_CREATE_IRQCHIP", yet KVM
	 * creates the PIT without one (its ticks go nowhere), and takes
	 * flags it does not know: so does kvmod.
	 */
	vm3 = vm_new(0);
	cfg.flags = 0x80000002;
	EXPECT_OK(ioctl(vm3->fd, KVM_CREATE_PIT2, &cfg));
	EXPECT_OK(ioctl(vm3->fd, KVM_GET_PIT2, &s2));
}

TEST(pit_state_reset_and_roundtrip)
{
	struct kvm_vm *vm = pit_vm(0);
	struct kvm_pit_state2 s, g;
	struct kvm_pit_state legacy;
	int i;

	memset(&s, 0x5a, sizeof(s));
	get_pit2(vm, &s);
	for (i = 0; i < 3; i++) {
		struct kvm_pit_channel_state *c = &s.channels[i];

		EXPECT_EQ(c->count, 0x10000);
		EXPECT_EQ(c->mode, 0xff);	/* not programmed */
		EXPECT_EQ(c->rw_mode, 0);
		EXPECT_EQ(c->count_latched, 0);
		EXPECT_EQ(c->status_latched, 0);
		EXPECT_EQ(c->read_state, 0);
		EXPECT_EQ(c->write_state, 0);
		EXPECT_EQ(c->bcd, 0);
		EXPECT_EQ(c->gate, i != 2);
	}
	EXPECT_EQ(s.flags, 0);
	EXPECT_EQ(s.reserved[0], 0);

	/* Whatever userspace sets comes back; count 0 is 65536. */
	for (i = 0; i < 3; i++) {
		s.channels[i] = (struct kvm_pit_channel_state) {
			.count = 0x1234 + i, .latched_count = 0x4321,
			.count_latched = 3, .status_latched = 1,
			.status = 0x36, .read_state = 4, .write_state = 4,
			.write_latch = 0x77, .rw_mode = 3, .mode = 2 + i,
			.bcd = i == 2, .gate = i != 1,
			.count_load_time = 12345,
		};
	}
	s.channels[1].count = 0;
	s.flags = KVM_PIT_FLAGS_HPET_LEGACY | KVM_PIT_FLAGS_SPEAKER_DATA_ON;
	s.reserved[0] = 0xdead;
	set_pit2(vm, &s);
	memset(&g, 0x5a, sizeof(g));
	get_pit2(vm, &g);
	s.channels[1].count = 0x10000;
	for (i = 0; i < 3; i++) {
		struct kvm_pit_channel_state *a = &g.channels[i];
		struct kvm_pit_channel_state *b = &s.channels[i];

		EXPECT_EQ(a->count, b->count);
		EXPECT_EQ(a->latched_count, b->latched_count);
		EXPECT_EQ(a->count_latched, b->count_latched);
		EXPECT_EQ(a->status_latched, b->status_latched);
		EXPECT_EQ(a->status, b->status);
		EXPECT_EQ(a->read_state, b->read_state);
		EXPECT_EQ(a->write_state, b->write_state);
		EXPECT_EQ(a->write_latch, b->write_latch);
		EXPECT_EQ(a->rw_mode, b->rw_mode);
		EXPECT_EQ(a->mode, b->mode);
		EXPECT_EQ(a->bcd, b->bcd);
		EXPECT_EQ(a->gate, b->gate);
	}
	/* Counter 0's load time is kept (KVM restarts 1 and 2 at once). */
	EXPECT_EQ(g.channels[0].count_load_time, 12345);
	EXPECT_EQ(g.flags, s.flags);
	EXPECT_EQ(g.reserved[0], 0);

	/* The legacy ioctls: the channels alone; the flags stay. */
	ASSERT_OK(ioctl(vm->fd, KVM_GET_PIT, &legacy));
	EXPECT_EQ(memcmp(legacy.channels, g.channels, sizeof(g.channels)), 0);
	legacy.channels[0].count = 0x555;
	legacy.channels[0].mode = 3;
	ASSERT_OK(ioctl(vm->fd, KVM_SET_PIT, &legacy));
	get_pit2(vm, &g);
	EXPECT_EQ(g.channels[0].count, 0x555);
	EXPECT_EQ(g.channels[0].mode, 3);
	EXPECT_EQ(g.flags, s.flags);
}

/* Counter 0 at 100 Hz in @mode; @n ticks on @pin of the I/O APIC. */
static GUEST_CODE void ioapic_ticks_guest(uint64_t arg)
{
	unsigned int pin = arg & 0xff, mode = (arg >> 8) & 7;
	uint64_t n = arg >> 16;

	guest_apic_setup();
	guest_route_pin(pin);
	pit_program(0, mode, COUNT_10MS);
	while (ticks < n)
		sti_hlt();
	GUEST_SYNC(last_vector);
}

static void check_ioapic_ticks(struct kvm_vm *vm, unsigned int pin,
			       unsigned int mode)
{
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	struct kvm_pit_state2 s;
	int64_t t0 = mono_ns(), ms;

	vcpu_setup_long(vcpu, ioapic_ticks_guest,
			pin | mode << 8 | (uint64_t)5 << 16);
	EXPECT_EQ_U64(vcpu_run_sync(vcpu), PIT_VECTOR);
	ms = (mono_ns() - t0) / 1000000;
	/* Five 10 ms ticks: not much less than 50 ms can have passed. */
	EXPECT_GE(ms, 40);
	get_pit2(vm, &s);
	EXPECT_EQ(s.channels[0].mode, mode);
	EXPECT_EQ(s.channels[0].count, COUNT_10MS);
	EXPECT_EQ(s.channels[0].rw_mode, 3);
	vcpu_run_done(vcpu);
}

/* KVM's default routing: GSI 0 is I/O APIC pin 0 (and PIC IRQ 0). */
TEST(ch0_rate_generator_ioapic)
{
	check_ioapic_ticks(pit_vm(0), 0, 2);
}

/* QEMU's routing: GSI 0 to I/O APIC pin 2 and PIC IRQ 0; square wave. */
TEST(ch0_square_wave_qemu_routing)
{
	struct kvm_vm *vm = pit_vm(0);
	struct {
		struct kvm_irq_routing r;
		struct kvm_irq_routing_entry e[2];
	} rt = { .r.nr = 2 };
	struct kvm_reinject_control rc = { .pit_reinject = 0 };

	rt.e[0] = (struct kvm_irq_routing_entry) {
		.gsi = 0, .type = KVM_IRQ_ROUTING_IRQCHIP,
		.u.irqchip = { .irqchip = KVM_IRQCHIP_IOAPIC, .pin = 2 },
	};
	rt.e[1] = (struct kvm_irq_routing_entry) {
		.gsi = 0, .type = KVM_IRQ_ROUTING_IRQCHIP,
		.u.irqchip = { .irqchip = KVM_IRQCHIP_PIC_MASTER, .pin = 0 },
	};
	ASSERT_OK(ioctl(vm->fd, KVM_SET_GSI_ROUTING, &rt));
	/* QEMU's lost_tick_policy=discard. */
	ASSERT_OK(ioctl(vm->fd, KVM_REINJECT_CONTROL, &rc));
	check_ioapic_ticks(vm, 2, 3);
}

static GUEST_CODE void pic_ticks_guest(uint64_t n)
{
	guest_handlers[PIC_BASE] = pic_tick_handler;
	apic_write(APIC_SVR, 0x1ff);
	apic_write(APIC_LVT0, 7 << 8);		/* ExtINT */
	outb(0x20, 0x11);			/* ICW1: edge, cascade, ICW4 */
	outb(0x21, PIC_BASE);
	outb(0x21, 0x04);
	outb(0x21, 0x01);
	outb(0xa0, 0x11);
	outb(0xa1, PIC_BASE + 8);
	outb(0xa1, 0x02);
	outb(0xa1, 0x01);
	outb(0x21, 0xfe);			/* IRQ 0 only */
	outb(0xa1, 0xff);
	pit_program(0, 2, COUNT_10MS);
	while (ticks < n)
		sti_hlt();
	GUEST_SYNC(last_vector);
}

TEST(ch0_through_pic)
{
	struct kvm_vm *vm = pit_vm(0);
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);

	vcpu_setup_long(vcpu, pic_ticks_guest, 5);
	EXPECT_EQ_U64(vcpu_run_sync(vcpu), PIC_BASE);
	vcpu_run_done(vcpu);
}

static GUEST_CODE void host_programmed_guest(uint64_t unused)
{
	uint64_t seen;

	(void)unused;
	guest_apic_setup();
	guest_route_pin(0);
	while (ticks < 3)
		sti_hlt();
	GUEST_SYNC(1);
	/* Now with KVM_PIT_FLAGS_HPET_LEGACY: counter 0 is cut off. */
	lapic_sleep_ms(20);
	seen = ticks;
	lapic_sleep_ms(100);
	GUEST_SYNC(ticks - seen);
	/* And back. */
	while (ticks < seen + 3)
		sti_hlt();
	GUEST_SYNC(3);
}

/* As QEMU runs it: KVM_SET_PIT2 programs counter 0, not the guest. */
TEST(ch0_programmed_by_set_pit2_and_hpet_legacy)
{
	struct kvm_vm *vm = pit_vm(0);
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	struct kvm_pit_state2 s;

	get_pit2(vm, &s);
	s.channels[0].mode = 2;
	s.channels[0].rw_mode = 3;
	s.channels[0].read_state = 3;
	s.channels[0].write_state = 3;
	s.channels[0].count = COUNT_10MS;
	s.channels[0].count_load_time = mono_ns();
	set_pit2(vm, &s);
	vcpu_setup_long(vcpu, host_programmed_guest, 0);
	ASSERT_EQ_U64(vcpu_run_sync(vcpu), 1);

	get_pit2(vm, &s);
	s.flags |= KVM_PIT_FLAGS_HPET_LEGACY;
	set_pit2(vm, &s);
	EXPECT_EQ_U64(vcpu_run_sync(vcpu), 0);

	get_pit2(vm, &s);
	s.flags &= ~KVM_PIT_FLAGS_HPET_LEGACY;
	set_pit2(vm, &s);
	EXPECT_EQ_U64(vcpu_run_sync(vcpu), 3);
	vcpu_run_done(vcpu);
}

static GUEST_CODE void one_shot_guest(uint64_t unused)
{
	uint8_t status;

	(void)unused;
	guest_apic_setup();
	guest_route_pin(0);
	pit_program(0, 0, COUNT_10MS);
	/* Mode 0: OUT low until terminal count. */
	outb(0x43, 0xe2);			/* read-back status, counter 0 */
	status = inb(0x40);
	GUEST_ASSERT_EQ(status & 0xbf, 0x30);
	while (!ticks)
		sti_hlt();
	/* Once: nothing more in the next 100 ms; OUT stays high. */
	lapic_sleep_ms(100);
	outb(0x43, 0xe2);
	status = inb(0x40);
	GUEST_SYNC(ticks << 8 | status);
}

TEST(ch0_one_shot_fires_once)
{
	struct kvm_vm *vm = pit_vm(0);
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);

	vcpu_setup_long(vcpu, one_shot_guest, 0);
	EXPECT_EQ_U64(vcpu_run_sync(vcpu), 1 << 8 | 0x80 | 0x30);
	vcpu_run_done(vcpu);
}

/* Some in-kernel exits, a few microseconds at least. */
static GUEST_CODE void delay(void)
{
	int i;

	for (i = 0; i < 20; i++)
		inb(0x43);
}

static GUEST_CODE void latch_guest(uint64_t unused)
{
	uint16_t a, b, c, d;
	uint8_t status;

	(void)unused;
	/* Counter 1 (no interrupt): mode 0 from 0xffff, 55 ms to go. */
	pit_program(1, 0, 0xffff);
	outb(0x43, 0x40);			/* counter latch, counter 1 */
	a = pit_read_word(1);
	/* Reads of the idle control port: time for the count to move. */
	delay();
	outb(0x43, 0x40);
	b = pit_read_word(1);
	GUEST_ASSERT(b < a);
	/* The live count, LSB then MSB, also goes down. */
	delay();
	c = pit_read_word(1);
	GUEST_ASSERT(c < b);

	/* Read-back of status and count: the status byte comes first. */
	delay();
	outb(0x43, 0xc4);
	status = inb(0x41);
	GUEST_ASSERT_EQ(status & 0xbf, 0x30);	/* OUT low, word, mode 0 */
	d = pit_read_word(1);
	GUEST_ASSERT(d < c);

	/* Counts of counters 0 and 1 latched at once. */
	pit_program(0, 2, 0xfff0);
	delay();
	outb(0x43, 0xd6);
	a = pit_read_word(0);
	b = pit_read_word(1);
	GUEST_ASSERT(a < 0xfff0 && a > 0);
	GUEST_ASSERT(b < d);
	/*
	 * Status of counter 0 alone: word, mode 2.  (OUT is high in mode 2
	 * but for one CLK a period; KVM shows it low but at the reload.)
	 */
	outb(0x43, 0xe2);
	status = inb(0x40);
	GUEST_ASSERT_EQ(status & 0x3f, 0x34);
	delay();
	c = pit_read_word(0);
	GUEST_ASSERT(c < a);
	GUEST_SYNC(1);
}

TEST(counter_latch_and_read_back)
{
	struct kvm_vm *vm = pit_vm(0);
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);

	vcpu_setup_long(vcpu, latch_guest, 0);
	EXPECT_EQ_U64(vcpu_run_sync(vcpu), 1);
	vcpu_run_done(vcpu);
}

static GUEST_CODE void calibration_guest(uint64_t count)
{
	uint64_t loops = 0;
	uint16_t v16;
	uint8_t v;

	/* Gate on, speaker off: the kernel's PIT calibration loop. */
	v = inb(0x61);
	outb(0x61, (v & ~0x02) | 0x01);
	GUEST_ASSERT_EQ(inb(0x61) & 0x03, 0x01);
	outb(0x43, 0xb0);			/* counter 2, word, mode 0 */
	outb(0x42, count & 0xff);
	outb(0x42, count >> 8);
	GUEST_ASSERT_EQ(inb(0x61) & 0x20, 0);
	while (!(inb(0x61) & 0x20))
		loops++;
	GUEST_SYNC(loops > 0);

	/*
	 * Mode 1: a rising edge of the gate starts the count again.  (Only
	 * the count is checked: OUT is low while a mode 1 count runs, but
	 * KVM shows it high.)
	 */
	outb(0x43, 0xb2);
	outb(0x42, count & 0xff);
	outb(0x42, count >> 8);
	do {
		outb(0x43, 0x80);		/* latch counter 2 */
		v16 = pit_read_word(2);
	} while (v16 >= count / 2);
	outb(0x61, 0x00);
	outb(0x61, 0x01);
	outb(0x43, 0x80);
	v16 = pit_read_word(2);
	GUEST_ASSERT(v16 >= count / 2 && v16 <= count);
	/* Speaker data on: bit 1 reads back. */
	outb(0x61, 0x03);
	GUEST_SYNC(inb(0x61) & 0x03);
}

TEST(ch2_gate_and_output_on_port_61)
{
	struct kvm_vm *vm = pit_vm(KVM_PIT_SPEAKER_DUMMY);
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	struct kvm_pit_state2 s;
	int64_t t0 = mono_ns();

	/* 10 ms: OUT goes high after at least that. */
	vcpu_setup_long(vcpu, calibration_guest, COUNT_10MS);
	EXPECT_EQ_U64(vcpu_run_sync(vcpu), 1);
	EXPECT_GE((mono_ns() - t0) / 1000000, 9);
	EXPECT_EQ_U64(vcpu_run_sync(vcpu), 3);
	get_pit2(vm, &s);
	EXPECT_EQ(s.channels[2].gate, 1);
	EXPECT_EQ(s.channels[2].mode, 1);
	EXPECT_EQ(s.flags & KVM_PIT_FLAGS_SPEAKER_DATA_ON,
		  KVM_PIT_FLAGS_SPEAKER_DATA_ON);
	vcpu_run_done(vcpu);
}

static GUEST_CODE void port61_guest(uint64_t unused)
{
	(void)unused;
	GUEST_SYNC(inb(0x61));
}

/* Without KVM_PIT_SPEAKER_DUMMY port 0x61 belongs to userspace. */
TEST(port_61_to_userspace_without_dummy)
{
	struct kvm_vm *vm = pit_vm(0);
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	struct kvm_run *run = vcpu->run;

	vcpu_setup_long(vcpu, port61_guest, 0);
	vcpu_run_exit(vcpu, KVM_EXIT_IO);
	EXPECT_EQ(run->io.port, 0x61);
	EXPECT_EQ(run->io.direction, KVM_EXIT_IO_IN);
	*((uint8_t *)run + run->io.data_offset) = 0x20;
	EXPECT_EQ_U64(vcpu_run_sync(vcpu), 0x20);
}

/*
 * Not the PIT's, but QEMU's next step with the in-kernel irqchip: at each
 * reset it clears the vAPIC address and aborts if that fails.
 */
TEST(vapic_addr_cleared_as_qemu_does)
{
	struct kvm_vm *vm = pit_vm(0), *plain = vm_new(0);
	struct kvm_vapic_addr va = { .vapic_addr = 0 };
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);

	EXPECT_OK(ioctl(vcpu->fd, KVM_SET_VAPIC_ADDR, &va));
	/* No in-kernel local APIC, no vAPIC. */
	vcpu = vcpu_add(plain, 0);
	EXPECT_ERRNO(ioctl(vcpu->fd, KVM_SET_VAPIC_ADDR, &va), EINVAL);
}

/* The timer at its fastest, then the VM goes away under it. */
TEST(teardown_with_timer_running)
{
	int i;

	for (i = 0; i < 3; i++) {
		struct kvm_vm *vm = pit_vm(0);
		struct kvm_pit_state2 s;

		get_pit2(vm, &s);
		s.channels[0].mode = 2;
		s.channels[0].count = 2;
		set_pit2(vm, &s);
		vcpu_add(vm, 0);
		usleep(20000);
		vm_free(vm);
	}
	/* And without an irqchip: the ticks go nowhere. */
	for (i = 0; i < 2; i++) {
		struct kvm_vm *vm = vm_new(0);
		struct kvm_pit_config cfg = { };
		struct kvm_pit_state2 s;

		ASSERT_OK(ioctl(vm->fd, KVM_CREATE_PIT2, &cfg));
		get_pit2(vm, &s);
		s.channels[0].mode = 3;
		s.channels[0].count = 100;
		set_pit2(vm, &s);
		usleep(20000);
		vm_free(vm);
	}
}

TEST_HARNESS_MAIN
