// SPDX-License-Identifier: GPL-2.0
/*
 * The in-kernel irqchip (KVM_CREATE_IRQCHIP): its ioctl rules, the local
 * APIC seen from the guest (xAPIC MMIO, x2APIC MSRs, timer in one-shot,
 * periodic and TSC-deadline modes, self IPIs, TPR), HLT sleeping in the
 * kernel until an interrupt or a signal, INIT/STARTUP and fixed IPIs
 * between vCPU threads, the I/O APIC and the PIC driven by KVM_IRQ_LINE,
 * MSIs and GSI routing, and the state ioctls.
 */
#include <pthread.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "../kvmod/test_harness.h"
#include "../kvmod/kvm_util.h"
#include "../kvmod_guest/guest_lib.h"

#define APIC_BASE_GPA	0xfee00000UL
#define IOAPIC_GPA	0xfec00000UL

#define APIC_ID		0x20
#define APIC_LVR	0x30
#define APIC_TPR	0x80
#define APIC_PPR	0xa0
#define APIC_EOI	0xb0
#define APIC_SVR	0xf0
#define APIC_ISR	0x100
#define APIC_IRR	0x200
#define APIC_ICR	0x300
#define APIC_ICR2	0x310
#define APIC_LVTT	0x320
#define APIC_LVT0	0x350
#define APIC_TMICT	0x380
#define APIC_TMCCT	0x390
#define APIC_TDCR	0x3e0

#define MSR_APIC_BASE	0x1b
#define MSR_TSC_DEADLINE 0x6e0
#define X2APIC_MSR(off)	(0x800 + ((off) >> 4))

#define TIMER_VECTOR	0x30
#define IOAPIC_VECTOR	0x41
#define MSI_VECTOR	0x60
#define IPI_VECTOR	0x70
#define PIC_BASE	0x20

#define SIPI_PAGE	0x80	/* STARTUP vector: the AP starts at 0x80000 */

static GUEST_CODE uint32_t apic_read(uint32_t off)
{
	return *(volatile uint32_t *)(APIC_BASE_GPA + off);
}

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

static GUEST_CODE void sti_hlt(void)
{
	asm volatile("sti; hlt; cli" ::: "memory");
}

volatile uint64_t ticks, last_vector, eoi_in_handler = 1;

static GUEST_CODE void count_handler(struct ex_regs *regs)
{
	ticks++;
	last_vector = regs->vector;
	if (eoi_in_handler)
		apic_write(APIC_EOI, 0);
}

static struct kvm_vm *irqchip_vm(void)
{
	struct kvm_vm *vm = vm_new(0);

	if (ioctl(vm->fd, KVM_CREATE_IRQCHIP) < 0) {
		perror("KVM_CREATE_IRQCHIP");
		exit(1);
	}
	return vm;
}

static void get_lapic(struct kvm_vcpu *vcpu, struct kvm_lapic_state *s)
{
	if (ioctl(vcpu->fd, KVM_GET_LAPIC, s) < 0) {
		perror("KVM_GET_LAPIC");
		exit(1);
	}
}

static uint32_t lapic_reg(const struct kvm_lapic_state *s, uint32_t off)
{
	return *(const uint32_t *)&s->regs[off];
}

TEST(irqchip_ioctl_rules)
{
	struct kvm_vm *vm = vm_new(0), *vm2;
	struct kvm_vcpu *vcpu;
	struct kvm_irq_level line = { .irq = 4, .level = 1 };
	struct kvm_lapic_state ls;
	struct kvm_interrupt intr = { .irq = 0x40 };
	struct kvm_irqchip chip = { .chip_id = 3 };

	ASSERT_GT(kvm_check_cap(vm->fd, KVM_CAP_IRQCHIP), 0);
	/* Nothing to drive before the chip exists. */
	EXPECT_ERRNO(ioctl(vm->fd, KVM_IRQ_LINE, &line), ENXIO);
	ASSERT_OK(ioctl(vm->fd, KVM_CREATE_IRQCHIP));
	EXPECT_ERRNO(ioctl(vm->fd, KVM_CREATE_IRQCHIP), EEXIST);
	EXPECT_ERRNO(ioctl(vm->fd, KVM_GET_IRQCHIP, &chip), EINVAL);

	vcpu = vcpu_add(vm, 0);
	/* The in-kernel APIC decides what to inject. */
	EXPECT_ERRNO(ioctl(vcpu->fd, KVM_INTERRUPT, &intr), ENXIO);
	ASSERT_OK(ioctl(vcpu->fd, KVM_GET_LAPIC, &ls));

	/* Too late once a vCPU exists; no APIC without the chip. */
	vm2 = vm_new(0);
	vcpu = vcpu_add(vm2, 0);
	EXPECT_ERRNO(ioctl(vm2->fd, KVM_CREATE_IRQCHIP), EINVAL);
	EXPECT_ERRNO(ioctl(vcpu->fd, KVM_GET_LAPIC, &ls), EINVAL);
}

static GUEST_CODE void quiet_guest(uint64_t n)
{
	uint64_t i;

	for (i = 0; i < n; i++)
		GUEST_SYNC(i);
}

/* Nothing raised, nothing delivered: plain exits stay plain. */
TEST(no_spurious_events)
{
	struct kvm_vm *vm = irqchip_vm();
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	uint64_t i;

	vcpu_setup_long(vcpu, quiet_guest, 2000);
	for (i = 0; i < 2000; i++)
		ASSERT_EQ_U64(vcpu_run_sync(vcpu), i);
	vcpu_run_done(vcpu);
}

static GUEST_CODE void in_guest(uint64_t n)
{
	uint64_t i;
	uint8_t v;

	for (i = 0; i < n; i++)
		asm volatile("inb $0x99, %0" : "=a"(v) : : "memory");
	GUEST_SYNC(n);
}

/* IN exits completed with immediate_exit, as the upstream selftests do. */
TEST(in_completed_by_immediate_exit)
{
	struct kvm_vm *vm = irqchip_vm();
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	struct kvm_run *run = vcpu->run;
	int i;

	vcpu_setup_long(vcpu, in_guest, 50);
	for (i = 0; i < 50; i++) {
		vcpu_run_exit(vcpu, KVM_EXIT_IO);
		ASSERT_EQ(run->io.port, 0x99);
		run->immediate_exit = 1;
		ASSERT_ERRNO(vcpu_run(vcpu), EINTR);
		run->immediate_exit = 0;
		/* The exit just handled still shows. */
		ASSERT_EQ(run->exit_reason, KVM_EXIT_IO);
	}
	EXPECT_EQ_U64(vcpu_run_sync(vcpu), 50);
}

TEST(lapic_reset_state_and_roundtrip)
{
	struct kvm_vm *vm = irqchip_vm();
	struct kvm_vcpu *bsp = vcpu_add(vm, 0), *ap = vcpu_add(vm, 3);
	struct kvm_lapic_state s;
	struct kvm_mp_state mp;

	get_lapic(ap, &s);
	EXPECT_EQ_U64(lapic_reg(&s, APIC_ID), 3U << 24);
	EXPECT_EQ_U64(lapic_reg(&s, APIC_LVR) & 0xff, 0x14);
	EXPECT_EQ_U64(lapic_reg(&s, APIC_SVR), 0xff);
	EXPECT_EQ_U64(lapic_reg(&s, APIC_LVTT), 1U << 16);
	EXPECT_EQ_U64(lapic_reg(&s, APIC_LVT0), 1U << 16);

	/* Only the BSP runs at first; APs wait for INIT and STARTUP. */
	ASSERT_OK(ioctl(bsp->fd, KVM_GET_MP_STATE, &mp));
	EXPECT_EQ(mp.mp_state, KVM_MP_STATE_RUNNABLE);
	ASSERT_OK(ioctl(ap->fd, KVM_GET_MP_STATE, &mp));
	EXPECT_EQ(mp.mp_state, KVM_MP_STATE_UNINITIALIZED);

	*(uint32_t *)&s.regs[APIC_TPR] = 0x50;
	*(uint32_t *)&s.regs[APIC_SVR] = 0x1ff;
	*(uint32_t *)&s.regs[APIC_TDCR] = 0xb;
	ASSERT_OK(ioctl(ap->fd, KVM_SET_LAPIC, &s));
	get_lapic(ap, &s);
	EXPECT_EQ_U64(lapic_reg(&s, APIC_TPR), 0x50);
	EXPECT_EQ_U64(lapic_reg(&s, APIC_PPR), 0x50);
	EXPECT_EQ_U64(lapic_reg(&s, APIC_SVR), 0x1ff);
	EXPECT_EQ_U64(lapic_reg(&s, APIC_TDCR), 0xb);
}

static GUEST_CODE void timer_guest(uint64_t unused)
{
	uint32_t c1, c2;

	(void)unused;
	guest_handlers[TIMER_VECTOR] = count_handler;
	apic_write(APIC_SVR, 0x1ff);
	apic_write(APIC_TDCR, 0xb);		/* divide by 1 */

	/* One-shot: the count runs down, one interrupt, then 0. */
	apic_write(APIC_LVTT, TIMER_VECTOR);
	apic_write(APIC_TMICT, 200000000);	/* 200 ms */
	c1 = apic_read(APIC_TMCCT);
	c2 = apic_read(APIC_TMCCT);
	GUEST_ASSERT(c1 <= 200000000 && c2 <= c1 && c2 > 0);
	while (!ticks)
		sti_hlt();
	GUEST_ASSERT_EQ(apic_read(APIC_TMCCT), 0);
	GUEST_ASSERT_EQ(last_vector, TIMER_VECTOR);
	GUEST_SYNC(ticks);

	/* Periodic: ticks keep coming while halted. */
	ticks = 0;
	apic_write(APIC_LVTT, TIMER_VECTOR | (1 << 17));
	apic_write(APIC_TMICT, 2000000);	/* 2 ms */
	while (ticks < 5)
		sti_hlt();
	apic_write(APIC_TMICT, 0);		/* stops it */
	GUEST_SYNC(ticks >= 5);

	/* Masked: the count runs out without an interrupt. */
	ticks = 0;
	apic_write(APIC_LVTT, TIMER_VECTOR | (1 << 16));
	apic_write(APIC_TMICT, 1000);
	while (apic_read(APIC_TMCCT))
		;
	asm volatile("sti; nop; nop; cli");
	GUEST_SYNC(0x100 + ticks);
}

TEST(lapic_timer_modes)
{
	struct kvm_vm *vm = irqchip_vm();
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);

	vcpu_setup_long(vcpu, timer_guest, 0);
	EXPECT_EQ_U64(vcpu_run_sync(vcpu), 1);
	EXPECT_EQ_U64(vcpu_run_sync(vcpu), 1);
	EXPECT_EQ_U64(vcpu_run_sync(vcpu), 0x100);
	vcpu_run_done(vcpu);
}

static GUEST_CODE uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static GUEST_CODE void deadline_guest(uint64_t unused)
{
	uint32_t a, b, c, d;

	(void)unused;
	guest_cpuid(1, 0, &a, &b, &c, &d);
	if (!(c & (1U << 24)))
		GUEST_SYNC(0xdead);
	guest_handlers[TIMER_VECTOR] = count_handler;
	apic_write(APIC_SVR, 0x1ff);
	apic_write(APIC_LVTT, TIMER_VECTOR | (2 << 17));
	wrmsr(MSR_TSC_DEADLINE, rdtsc() + 200000000);
	GUEST_ASSERT(rdmsr(MSR_TSC_DEADLINE) != 0);
	while (!ticks)
		sti_hlt();
	/* Fired: the deadline reads back as 0. */
	GUEST_SYNC(0x200 + ticks + (rdmsr(MSR_TSC_DEADLINE) ? 0x10 : 0));
	/* A deadline in the past fires at once. */
	wrmsr(MSR_TSC_DEADLINE, 1);
	while (ticks < 2)
		sti_hlt();
	GUEST_SYNC(0x200 + ticks);
}

TEST(lapic_tsc_deadline)
{
	struct kvm_vm *vm = irqchip_vm();
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	struct kvm_cpuid2 *c;

	ASSERT_GT(kvm_check_cap(vm->fd, KVM_CAP_TSC_DEADLINE_TIMER), 0);
	/* The capability says it works; the VMM's CPUID offers it. */
	c = vm_supported_cpuid(vm);
	cpuid_find(c, 1, 0)->ecx |= 1U << 24;
	ASSERT_OK(ioctl(vcpu->fd, KVM_SET_CPUID2, c));
	vcpu_setup_long(vcpu, deadline_guest, 0);
	EXPECT_EQ_U64(vcpu_run_sync(vcpu), 0x201);
	EXPECT_EQ_U64(vcpu_run_sync(vcpu), 0x202);
	vcpu_run_done(vcpu);
}

static GUEST_CODE void tpr_guest(uint64_t unused)
{
	uint64_t cr8;

	(void)unused;
	guest_handlers[IPI_VECTOR] = count_handler;
	apic_write(APIC_SVR, 0x1ff);
	/* TPR class 7 holds back vector 0x70: it stays in IRR. */
	apic_write(APIC_TPR, 0x70);
	asm volatile("mov %%cr8, %0" : "=r"(cr8));
	GUEST_ASSERT_EQ(cr8, 7);
	asm volatile("sti");
	apic_write(APIC_ICR, IPI_VECTOR | (1 << 18));	/* self */
	asm volatile("nop; nop; nop");
	GUEST_ASSERT_EQ(ticks, 0);
	GUEST_ASSERT(apic_read(APIC_IRR + 0x30) & (1 << (IPI_VECTOR & 31)));
	/* Lowering CR8 lets it in. */
	cr8 = 6;
	asm volatile("mov %0, %%cr8; nop; nop" : : "r"(cr8));
	asm volatile("cli");
	GUEST_ASSERT_EQ(ticks, 1);
	GUEST_ASSERT_EQ(apic_read(APIC_TPR), 0x60);
	GUEST_SYNC(apic_read(APIC_PPR));
}

TEST(lapic_tpr_and_self_ipi)
{
	struct kvm_vm *vm = irqchip_vm();
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);

	vcpu_setup_long(vcpu, tpr_guest, 0);
	EXPECT_EQ_U64(vcpu_run_sync(vcpu), 0x60);
	vcpu_run_done(vcpu);
}

static GUEST_CODE void x2apic_guest(uint64_t unused)
{
	uint64_t base = rdmsr(MSR_APIC_BASE);
	uint64_t v;

	(void)unused;
	guest_handlers[IPI_VECTOR] = count_handler;
	/* Straight from disabled to x2APIC is refused. */
	wrmsr(MSR_APIC_BASE, base & ~(3ULL << 10));
	GUEST_ASSERT(wrmsr_safe(MSR_APIC_BASE, base | (1 << 10)) == GP_VECTOR);
	wrmsr(MSR_APIC_BASE, base);
	wrmsr(MSR_APIC_BASE, base | (1 << 10));
	GUEST_ASSERT_EQ(rdmsr(X2APIC_MSR(APIC_ID)), 1);
	GUEST_ASSERT_EQ(rdmsr(0x80d), (0ULL << 16) | (1 << 1));	/* LDR */
	wrmsr(X2APIC_MSR(APIC_SVR), 0x1ff);
	wrmsr(X2APIC_MSR(APIC_TPR), 0x20);
	GUEST_ASSERT_EQ(rdmsr(X2APIC_MSR(APIC_PPR)), 0x20);
	/* Read-only, write-only and absent registers fault. */
	GUEST_ASSERT(wrmsr_safe(X2APIC_MSR(APIC_ID), 5) == GP_VECTOR);
	GUEST_ASSERT(rdmsr_safe(X2APIC_MSR(APIC_EOI), &v) == GP_VECTOR);
	GUEST_ASSERT(rdmsr_safe(0x80e, &v) == GP_VECTOR);	/* no DFR */
	/* SELF IPI register; the xAPIC page is gone: EOI by MSR. */
	eoi_in_handler = 0;
	asm volatile("sti");
	wrmsr(0x83f, IPI_VECTOR);
	asm volatile("nop; nop; cli");
	GUEST_ASSERT_EQ(ticks, 1);
	GUEST_ASSERT(rdmsr(X2APIC_MSR(APIC_ISR + 0x30)) & (1 << (IPI_VECTOR & 31)));
	wrmsr(X2APIC_MSR(APIC_EOI), 0);
	GUEST_ASSERT_EQ(rdmsr(X2APIC_MSR(APIC_ISR + 0x30)), 0);
	/* Leaving x2APIC for xAPIC directly is refused. */
	GUEST_ASSERT(wrmsr_safe(MSR_APIC_BASE, base) == GP_VECTOR);
	GUEST_SYNC(rdmsr(X2APIC_MSR(APIC_TPR)));
}

TEST(x2apic_mode)
{
	struct kvm_vm *vm = irqchip_vm();
	struct kvm_vcpu *vcpu;
	struct kvm_mp_state mp = { .mp_state = KVM_MP_STATE_RUNNABLE };
	struct kvm_lapic_state s;

	vcpu_add(vm, 0);
	vcpu = vcpu_add(vm, 1);
	ASSERT_OK(ioctl(vcpu->fd, KVM_SET_MP_STATE, &mp));
	vcpu_setup_long(vcpu, x2apic_guest, 0);
	EXPECT_EQ_U64(vcpu_run_sync(vcpu), 0x20);
	/* KVM_GET_LAPIC shows the x2APIC id in the xAPIC place. */
	get_lapic(vcpu, &s);
	EXPECT_EQ_U64(lapic_reg(&s, APIC_ID), 1U << 24);
	vcpu_run_done(vcpu);
}

/* ---- HLT in the kernel ---- */

static GUEST_CODE void hlt_guest(uint64_t unused)
{
	(void)unused;
	asm volatile("cli; hlt");
	GUEST_SYNC(0xbad);
}

static void nop_signal(int sig)
{
	(void)sig;
}

struct kicker {
	pthread_t target;
	int delay_ms;
};

static void *kick_later(void *arg)
{
	struct kicker *k = arg;

	usleep(k->delay_ms * 1000);
	pthread_kill(k->target, SIGUSR1);
	return NULL;
}

TEST(halt_sleeps_until_signal)
{
	struct kvm_vm *vm = irqchip_vm();
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	struct kicker k = { .target = pthread_self(), .delay_ms = 300 };
	struct kvm_mp_state mp;
	struct timespec t0, t1;
	pthread_t t;

	signal(SIGUSR1, nop_signal);
	vcpu_setup_long(vcpu, hlt_guest, 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ASSERT_OK(pthread_create(&t, NULL, kick_later, &k));
	/* HLT with IF=0: nothing but the signal ends KVM_RUN. */
	EXPECT_ERRNO(vcpu_run(vcpu), EINTR);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	pthread_join(t, NULL);
	EXPECT_EQ(vcpu->run->exit_reason, KVM_EXIT_INTR);
	EXPECT_GE((t1.tv_sec - t0.tv_sec) * 1000 +
		  (t1.tv_nsec - t0.tv_nsec) / 1000000, 250);
	ASSERT_OK(ioctl(vcpu->fd, KVM_GET_MP_STATE, &mp));
	EXPECT_EQ(mp.mp_state, KVM_MP_STATE_HALTED);
}

/* ---- Two vCPUs: INIT/STARTUP and fixed IPIs ---- */

asm(GUEST_ASM_MACROS
	".pushsection .text\n"
	".code16\n"
	"ap_blob:\n"
	"  mov %cs, %si\n"
	"  asm_sync_reg %esi\n"
	"  hlt\n"
	"ap_blob_end:\n"
	".code64\n"
	".popsection\n");
extern char ap_blob[], ap_blob_end[];

static GUEST_CODE void bsp_start_ap(uint64_t unused)
{
	(void)unused;
	apic_write(APIC_SVR, 0x1ff);
	apic_write(APIC_ICR2, 1U << 24);
	apic_write(APIC_ICR, (5 << 8) | (1 << 14));		/* INIT */
	apic_write(APIC_ICR2, 1U << 24);
	apic_write(APIC_ICR, (6 << 8) | SIPI_PAGE);		/* STARTUP */
	GUEST_SYNC(1);
}

struct ap_run {
	struct kvm_vcpu *vcpu;
	int ret;
	int err;
	uint64_t sync;
};

static void *run_ap(void *arg)
{
	struct ap_run *a = arg;
	struct ucall uc;

	/* KVM answers the wake-up of a vCPU waiting for SIPI with EAGAIN. */
	do {
		a->ret = vcpu_run(a->vcpu);
		a->err = errno;
	} while (a->ret < 0 && a->err == EAGAIN);
	if (!a->ret && vcpu_get_ucall(a->vcpu, &uc) == UCALL_SYNC)
		a->sync = uc.args[0];
	return NULL;
}

TEST(init_sipi_starts_ap)
{
	struct kvm_vm *vm = irqchip_vm();
	struct kvm_vcpu *bsp = vcpu_add(vm, 0), *ap = vcpu_add(vm, 1);
	struct ap_run a = { .vcpu = ap };
	struct kvm_mp_state mp;
	pthread_t t;

	vm_load_blob(vm, SIPI_PAGE << 12, ap_blob, ap_blob_end);
	vcpu_setup_long(bsp, bsp_start_ap, 0);
	/* The AP's KVM_RUN sleeps until the BSP wakes it. */
	ASSERT_OK(pthread_create(&t, NULL, run_ap, &a));
	usleep(100000);
	EXPECT_EQ_U64(vcpu_run_sync(bsp), 1);
	pthread_join(t, NULL);
	ASSERT_EQ(a.ret, 0);
	EXPECT_EQ_U64(a.sync, SIPI_PAGE << 8);
	ASSERT_OK(ioctl(ap->fd, KVM_GET_MP_STATE, &mp));
	EXPECT_EQ(mp.mp_state, KVM_MP_STATE_RUNNABLE);
}

volatile uint64_t ap_ready;

static GUEST_CODE void ipi_target(uint64_t unused)
{
	(void)unused;
	guest_handlers[IPI_VECTOR] = count_handler;
	apic_write(APIC_SVR, 0x1ff);
	ap_ready = 1;
	while (ticks < 3)
		sti_hlt();
	GUEST_SYNC(0x300 + ticks);
}

static GUEST_CODE void ipi_sender(uint64_t unused)
{
	int i;

	(void)unused;
	apic_write(APIC_SVR, 0x1ff);
	while (!ap_ready)
		asm volatile("pause");
	for (i = 0; i < 3; i++) {
		apic_write(APIC_ICR2, 1U << 24);
		apic_write(APIC_ICR, IPI_VECTOR);		/* fixed */
		/* One at a time: a second in IRR would merge with it. */
		while (ticks < (uint64_t)i + 1)
			asm volatile("pause");
	}
	GUEST_SYNC(2);
}

TEST(fixed_ipi_wakes_halted_vcpu)
{
	struct kvm_vm *vm = irqchip_vm();
	struct kvm_vcpu *bsp = vcpu_add(vm, 0), *ap = vcpu_add(vm, 1);
	struct kvm_mp_state mp = { .mp_state = KVM_MP_STATE_RUNNABLE };
	struct ap_run a = { .vcpu = ap };
	pthread_t t;

	ASSERT_OK(ioctl(ap->fd, KVM_SET_MP_STATE, &mp));
	vcpu_setup_long(ap, ipi_target, 0);
	vcpu_setup_long(bsp, ipi_sender, 0);
	ASSERT_OK(pthread_create(&t, NULL, run_ap, &a));
	EXPECT_EQ_U64(vcpu_run_sync(bsp), 2);
	pthread_join(t, NULL);
	ASSERT_EQ(a.ret, 0);
	EXPECT_EQ_U64(a.sync, 0x303);
}

/* ---- I/O APIC, MSI and routing from userspace ---- */

static GUEST_CODE void wait_irqs_guest(uint64_t n)
{
	guest_handlers[IOAPIC_VECTOR] = count_handler;
	guest_handlers[MSI_VECTOR] = count_handler;
	apic_write(APIC_SVR, 0x1ff);
	/* The BSP starts in virtual wire mode: keep the PIC out of this. */
	apic_write(APIC_LVT0, 1 << 16);
	/* Pin 5: edge, fixed, to APIC 0. Pin 9: level. */
	ioapic_write(0x10 + 2 * 5, IOAPIC_VECTOR);
	ioapic_write(0x11 + 2 * 5, 0);
	ioapic_write(0x10 + 2 * 9, IOAPIC_VECTOR | (1 << 15));
	ioapic_write(0x11 + 2 * 9, 0);
	GUEST_SYNC(0);
	/* One report per interrupt: the host sends the next after it. */
	while (ticks < n) {
		uint64_t seen = ticks;

		while (ticks == seen)
			sti_hlt();
		GUEST_SYNC(0x400 + last_vector);
	}
}

static int irq_line_status(struct kvm_vm *vm, uint32_t gsi, uint32_t level)
{
	struct kvm_irq_level l = { .irq = gsi, .level = level };

	if (ioctl(vm->fd, KVM_IRQ_LINE_STATUS, &l) < 0)
		return -1000;
	return l.status;
}

TEST(ioapic_edge_and_level)
{
	struct kvm_vm *vm = irqchip_vm();
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	struct kvm_irqchip chip = { .chip_id = KVM_IRQCHIP_IOAPIC };

	vcpu_setup_long(vcpu, wait_irqs_guest, 1);
	ASSERT_EQ_U64(vcpu_run_sync(vcpu), 0);
	/* Also reaches the (unprogrammed) PIC's pin 5: at least 1. */
	EXPECT_GE(irq_line_status(vm, 5, 1), 1);
	irq_line_status(vm, 5, 0);
	EXPECT_EQ_U64(vcpu_run_sync(vcpu), 0x400 + IOAPIC_VECTOR);

	/* Level: delivered, remote IRR set until the guest's EOI. */
	vcpu_setup_long(vcpu, wait_irqs_guest, 2);
	*GUEST_PTR(vm, ticks) = 1;
	*GUEST_PTR(vm, eoi_in_handler) = 0;
	ASSERT_EQ_U64(vcpu_run_sync(vcpu), 0);
	EXPECT_GE(irq_line_status(vm, 9, 1), 1);
	ASSERT_EQ_U64(vcpu_run_sync(vcpu), 0x400 + IOAPIC_VECTOR);
	ASSERT_OK(ioctl(vm->fd, KVM_GET_IRQCHIP, &chip));
	EXPECT_NE(chip.chip.ioapic.redirtbl[9].fields.remote_irr, 0);
	EXPECT_EQ_U64(chip.chip.ioapic.base_address, IOAPIC_GPA);
}

static GUEST_CODE void eoi_guest(uint64_t unused)
{
	(void)unused;
	apic_write(APIC_EOI, 0);
	GUEST_SYNC(0x500);
	/* Take what the EOI brought back, then EOI that one too. */
	asm volatile("sti; nop; nop; cli");
	apic_write(APIC_EOI, 0);
	GUEST_SYNC(0x500 + ticks);
}

static uint32_t lapic_irr_has(struct kvm_vcpu *vcpu, uint8_t vec)
{
	struct kvm_lapic_state s;

	get_lapic(vcpu, &s);
	return lapic_reg(&s, APIC_IRR + (vec >> 5) * 0x10) & (1U << (vec & 31));
}

/* The EOI of a level interrupt whose line is still high delivers again. */
TEST(ioapic_level_redelivers_after_eoi)
{
	struct kvm_vm *vm = irqchip_vm();
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	struct kvm_irqchip chip = { .chip_id = KVM_IRQCHIP_IOAPIC };

	*GUEST_PTR(vm, eoi_in_handler) = 0;
	vcpu_setup_long(vcpu, wait_irqs_guest, 1);
	ASSERT_EQ_U64(vcpu_run_sync(vcpu), 0);
	EXPECT_GE(irq_line_status(vm, 9, 1), 1);
	ASSERT_EQ_U64(vcpu_run_sync(vcpu), 0x400 + IOAPIC_VECTOR);
	EXPECT_EQ(lapic_irr_has(vcpu, IOAPIC_VECTOR), 0);

	/* EOI with the line still high: in IRR again, remote IRR set. */
	vcpu_setup_long(vcpu, eoi_guest, 0);
	ASSERT_EQ_U64(vcpu_run_sync(vcpu), 0x500);
	EXPECT_NE(lapic_irr_has(vcpu, IOAPIC_VECTOR), 0);
	ASSERT_OK(ioctl(vm->fd, KVM_GET_IRQCHIP, &chip));
	EXPECT_NE(chip.chip.ioapic.redirtbl[9].fields.remote_irr, 0);

	/* Lowered, the second EOI ends it: nothing pending, IRR clear. */
	irq_line_status(vm, 9, 0);
	EXPECT_EQ_U64(vcpu_run_sync(vcpu), 0x502);
	ASSERT_OK(ioctl(vm->fd, KVM_GET_IRQCHIP, &chip));
	EXPECT_EQ(chip.chip.ioapic.redirtbl[9].fields.remote_irr, 0);
	EXPECT_EQ(lapic_irr_has(vcpu, IOAPIC_VECTOR), 0);
}

TEST(msi_and_gsi_routing)
{
	struct kvm_vm *vm = irqchip_vm();
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	struct kvm_msi msi = {
		.address_lo = APIC_BASE_GPA, .data = MSI_VECTOR,
	};
	struct {
		struct kvm_irq_routing r;
		struct kvm_irq_routing_entry e[2];
	} rt = { .r.nr = 2 };

	ASSERT_GT(kvm_check_cap(vm->fd, KVM_CAP_SIGNAL_MSI), 0);
	vcpu_setup_long(vcpu, wait_irqs_guest, 2);
	ASSERT_EQ_U64(vcpu_run_sync(vcpu), 0);
	EXPECT_EQ(ioctl(vm->fd, KVM_SIGNAL_MSI, &msi), 1);
	EXPECT_EQ_U64(vcpu_run_sync(vcpu), 0x400 + MSI_VECTOR);

	/* GSI 30 as an MSI; GSI 5 keeps its I/O APIC pin. */
	rt.e[0] = (struct kvm_irq_routing_entry) {
		.gsi = 30, .type = KVM_IRQ_ROUTING_MSI,
		.u.msi = { .address_lo = APIC_BASE_GPA, .data = MSI_VECTOR },
	};
	rt.e[1] = (struct kvm_irq_routing_entry) {
		.gsi = 5, .type = KVM_IRQ_ROUTING_IRQCHIP,
		.u.irqchip = { .irqchip = KVM_IRQCHIP_IOAPIC, .pin = 5 },
	};
	ASSERT_OK(ioctl(vm->fd, KVM_SET_GSI_ROUTING, &rt));
	EXPECT_EQ(irq_line_status(vm, 30, 1), 1);
	irq_line_status(vm, 30, 0);
	EXPECT_EQ_U64(vcpu_run_sync(vcpu), 0x400 + MSI_VECTOR);
	EXPECT_EQ_U64(*GUEST_PTR(vm, ticks), 2);

	/* Bad entries: pin out of range, unknown type, flags. */
	rt.e[1].u.irqchip.pin = 24;
	EXPECT_ERRNO(ioctl(vm->fd, KVM_SET_GSI_ROUTING, &rt), EINVAL);
	rt.e[1].u.irqchip.pin = 5;
	rt.e[1].type = 77;
	EXPECT_ERRNO(ioctl(vm->fd, KVM_SET_GSI_ROUTING, &rt), EINVAL);
	rt.e[1].type = KVM_IRQ_ROUTING_IRQCHIP;
	rt.r.flags = 1;
	EXPECT_ERRNO(ioctl(vm->fd, KVM_SET_GSI_ROUTING, &rt), EINVAL);
}

/* ---- The PIC through LINT0 ---- */

static GUEST_CODE void pic_handler(struct ex_regs *regs)
{
	ticks++;
	last_vector = regs->vector;
	outb(0x20, 0x20);			/* non-specific EOI */
}

static GUEST_CODE void pic_guest(uint64_t unused)
{
	(void)unused;
	guest_handlers[PIC_BASE + 3] = pic_handler;
	apic_write(APIC_SVR, 0x1ff);
	apic_write(APIC_LVT0, 7 << 8);		/* ExtINT */
	outb(0x20, 0x11);			/* ICW1: edge, cascade, ICW4 */
	outb(0x21, PIC_BASE);			/* ICW2 */
	outb(0x21, 0x04);			/* ICW3: slave on IR2 */
	outb(0x21, 0x01);			/* ICW4: 8086 mode */
	outb(0xa0, 0x11);
	outb(0xa1, PIC_BASE + 8);
	outb(0xa1, 0x02);
	outb(0xa1, 0x01);
	outb(0x21, ~(1 << 3) & 0xff);		/* unmask IRQ 3 only */
	outb(0xa1, 0xff);
	GUEST_SYNC(0);
	while (!ticks)
		sti_hlt();
	GUEST_SYNC(0x600 + last_vector);
}

TEST(pic_extint_through_lint0)
{
	struct kvm_vm *vm = irqchip_vm();
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	struct kvm_irqchip chip = { .chip_id = KVM_IRQCHIP_PIC_MASTER };

	vcpu_setup_long(vcpu, pic_guest, 0);
	ASSERT_EQ_U64(vcpu_run_sync(vcpu), 0);
	ASSERT_OK(ioctl(vm->fd, KVM_GET_IRQCHIP, &chip));
	EXPECT_EQ(chip.chip.pic.irq_base, PIC_BASE);
	EXPECT_EQ(chip.chip.pic.imr, (uint8_t)~(1 << 3));
	EXPECT_GE(irq_line_status(vm, 3, 1), 1);
	irq_line_status(vm, 3, 0);
	EXPECT_EQ_U64(vcpu_run_sync(vcpu), 0x600 + PIC_BASE + 3);
	ASSERT_OK(ioctl(vm->fd, KVM_GET_IRQCHIP, &chip));
	EXPECT_EQ(chip.chip.pic.isr, 0);

	/* SET_IRQCHIP takes back what GET gave. */
	chip.chip.pic.imr = 0xf0;
	ASSERT_OK(ioctl(vm->fd, KVM_SET_IRQCHIP, &chip));
	ASSERT_OK(ioctl(vm->fd, KVM_GET_IRQCHIP, &chip));
	EXPECT_EQ(chip.chip.pic.imr, 0xf0);
}

TEST_HARNESS_MAIN
