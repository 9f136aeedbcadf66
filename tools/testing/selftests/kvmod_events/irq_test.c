// SPDX-License-Identifier: GPL-2.0
/*
 * Interrupts with a userspace irqchip: the interrupt-window protocol
 * (request_interrupt_window, KVM_EXIT_IRQ_WINDOW_OPEN, if_flag and
 * ready_for_interrupt_injection), KVM_INTERRUPT reaching the guest's IDT
 * handler, readiness while an interrupt is pending and in an STI shadow,
 * CR8 through kvm_run, KVM_NMI delivery with NMIs blocked until the
 * handler's IRET, and FPU state moving between KVM_SET/GET_FPU and the
 * guest.
 */
#include <sys/ioctl.h>

#include "../kvmod/test_harness.h"
#include "../kvmod/kvm_util.h"
#include "../kvmod_guest/guest_lib.h"

#ifndef EXPECT_LT
#define EXPECT_LT(a, b)	KH_CMP("EXPECT_LT", a, b, <, 0)
#endif

#define IRQ_VECTOR	0x40
#define NMI_VECTOR	2

volatile uint64_t win_marker, win_counter, win_stop, irq_rip;

asm(GUEST_ASM_MACROS
	".pushsection .text\n"
	/* IF=0 for a while, then STI and spin until told to stop. */
	"win_guest:\n"
	"  cli\n"
	"  asm_sync 1\n"
	"  mov $200000, %ecx\n"
	"1: dec %ecx\n"
	"  jnz 1b\n"
	"  movq $1, win_marker(%rip)\n"
	"  sti\n"
	"win_after_sti:\n"
	"  nop\n"
	"2: incq win_counter(%rip)\n"
	"  cmpq $0, win_stop(%rip)\n"
	"  je 2b\n"
	"win_spin_end:\n"
	"  cli\n"
	"  asm_done\n"
	"  hlt\n"

	/* The OUT right after STI is in its interrupt shadow. */
	"shadow_guest:\n"
	"  cli\n"
	"  mov $" STR(UCALL_SYNC) ", %edi\n"
	"  mov $0x51, %esi\n"
	"  sti\n"
	"  outb %al, $" STR(UCALL_PORT) "\n"
	"  asm_sync 0x52\n"
	"  cli\n"
	"  asm_sync 0x53\n"
	"  asm_done\n"
	"  hlt\n"
	".popsection\n");

extern char win_guest[], win_after_sti[], win_spin_end[], shadow_guest[];

static GUEST_CODE void irq_handler(struct ex_regs *regs)
{
	irq_rip = regs->rip;
	GUEST_SYNC(0x1000 + regs->vector);
}

static void set_handler(struct kvm_vm *vm, int vector, guest_handler_t h)
{
	(*GUEST_PTR(vm, guest_handlers))[vector] = h;
}

TEST(interrupt_window_and_injection)
{
	struct kvm_vm *vm = vm_new(0);
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	struct kvm_run *run = vcpu->run;
	struct kvm_interrupt irq;
	struct kvm_regs regs;

	vcpu_setup_long(vcpu, (void (*)(uint64_t))win_guest, 0);
	set_handler(vm, IRQ_VECTOR, irq_handler);

	ASSERT_EQ_U64(vcpu_run_sync(vcpu), 1);
	EXPECT_EQ(run->if_flag, 0);
	EXPECT_EQ(run->ready_for_interrupt_injection, 0);

	/* No exit while IF=0: the first one comes after the STI. */
	run->request_interrupt_window = 1;
	vcpu_run_exit(vcpu, KVM_EXIT_IRQ_WINDOW_OPEN);
	EXPECT_EQ_U64(*GUEST_PTR(vm, win_marker), 1);
	EXPECT_EQ(run->if_flag, 1);
	EXPECT_EQ(run->ready_for_interrupt_injection, 1);
	vcpu_get_regs(vcpu->fd, &regs);
	EXPECT_TRUE(regs.rflags & 0x200);
	EXPECT_GE(regs.rip, (uintptr_t)win_after_sti);
	EXPECT_LT(regs.rip, (uintptr_t)win_spin_end);

	/* Refused vector; then the real one. */
	irq.irq = 256;
	EXPECT_ERRNO(ioctl(vcpu->fd, KVM_INTERRUPT, &irq), EINVAL);
	irq.irq = IRQ_VECTOR;
	ASSERT_OK(ioctl(vcpu->fd, KVM_INTERRUPT, &irq));

	/* Not ready while that interrupt is still pending. */
	run->request_interrupt_window = 0;
	run->immediate_exit = 1;
	ASSERT_ERRNO(vcpu_run(vcpu), EINTR);
	run->immediate_exit = 0;
	EXPECT_EQ(run->ready_for_interrupt_injection, 0);
	EXPECT_EQ(run->if_flag, 1);

	/* The guest's IDT handler for the vector runs. */
	EXPECT_EQ_U64(vcpu_run_sync(vcpu), 0x1000 + IRQ_VECTOR);
	EXPECT_GE(*GUEST_PTR(vm, irq_rip), (uintptr_t)win_after_sti);
	EXPECT_LT(*GUEST_PTR(vm, irq_rip), (uintptr_t)win_spin_end);
	/* In the handler (an interrupt gate): IF=0, not ready. */
	EXPECT_EQ(run->if_flag, 0);
	EXPECT_EQ(run->ready_for_interrupt_injection, 0);

	/* Back in the loop with IF=1: a window request exits at once. */
	run->request_interrupt_window = 1;
	vcpu_run_exit(vcpu, KVM_EXIT_IRQ_WINDOW_OPEN);
	EXPECT_EQ(run->ready_for_interrupt_injection, 1);
	EXPECT_EQ(run->if_flag, 1);
	run->request_interrupt_window = 0;
	*GUEST_PTR(vm, win_stop) = 1;
	vcpu_run_done(vcpu);
}

TEST(ready_flag_and_sti_shadow)
{
	struct kvm_vm *vm = vm_new(0);
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	struct kvm_run *run = vcpu->run;
	struct kvm_vcpu_events ev;

	vcpu_setup_long(vcpu, (void (*)(uint64_t))shadow_guest, 0);

	/* Exit on the instruction after STI: IF=1 but still blocked. */
	ASSERT_EQ_U64(vcpu_run_sync(vcpu), 0x51);
	EXPECT_EQ(run->if_flag, 1);
	EXPECT_EQ(run->ready_for_interrupt_injection, 0);
	ASSERT_OK(ioctl(vcpu->fd, KVM_GET_VCPU_EVENTS, &ev));
	EXPECT_NE(ev.interrupt.shadow, 0);

	ASSERT_EQ_U64(vcpu_run_sync(vcpu), 0x52);
	EXPECT_EQ(run->if_flag, 1);
	EXPECT_EQ(run->ready_for_interrupt_injection, 1);
	ASSERT_OK(ioctl(vcpu->fd, KVM_GET_VCPU_EVENTS, &ev));
	EXPECT_EQ(ev.interrupt.shadow, 0);

	ASSERT_EQ_U64(vcpu_run_sync(vcpu), 0x53);
	EXPECT_EQ(run->if_flag, 0);
	EXPECT_EQ(run->ready_for_interrupt_injection, 0);
	vcpu_run_done(vcpu);
}

static GUEST_CODE void cr8_guest(uint64_t unused)
{
	uint64_t v;

	(void)unused;
	asm volatile("mov %%cr8, %0" : "=r"(v));
	GUEST_SYNC(v);
	v = 9;
	asm volatile("mov %0, %%cr8" : : "r"(v));
	GUEST_SYNC(0x99);
	asm volatile("mov %%cr8, %0" : "=r"(v));
	GUEST_SYNC(v);
}

/* CR8 goes in with kvm_run->cr8 on each KVM_RUN and comes back out. */
TEST(cr8_through_kvm_run)
{
	struct kvm_vm *vm = vm_new(0);
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	struct kvm_run *run = vcpu->run;
	struct kvm_sregs sr;

	vcpu_setup_long(vcpu, cr8_guest, 0);
	run->cr8 = 5;
	EXPECT_EQ_U64(vcpu_run_sync(vcpu), 5);
	EXPECT_EQ_U64(run->cr8, 5);

	EXPECT_EQ_U64(vcpu_run_sync(vcpu), 0x99);
	EXPECT_EQ_U64(run->cr8, 9);
	vcpu_get_sregs(vcpu->fd, &sr);
	EXPECT_EQ_U64(sr.cr8, 9);

	/* Bits above 3:0 are refused. */
	run->cr8 = 16;
	EXPECT_ERRNO(vcpu_run(vcpu), EINVAL);

	run->cr8 = 3;
	EXPECT_EQ_U64(vcpu_run_sync(vcpu), 3);
	vcpu_run_done(vcpu);
}

volatile uint64_t nmi_count, nmi_depth, nmi_nested;

static GUEST_CODE void nmi_handler(struct ex_regs *regs)
{
	(void)regs;
	if (nmi_depth++)
		nmi_nested++;
	nmi_count++;
	GUEST_SYNC(0x200 + nmi_count);
	nmi_depth--;
}

static GUEST_CODE void nmi_guest(uint64_t unused)
{
	(void)unused;
	guest_handlers[NMI_VECTOR] = nmi_handler;
	GUEST_SYNC(1);
	while (nmi_count < 2)
		asm volatile("pause");
	GUEST_SYNC(0x300 + nmi_count + (nmi_nested << 8));
}

/*
 * KVM_NMI reaches the guest's NMI handler; a second one sent while the
 * handler runs stays pending (NMIs are blocked) and arrives after the
 * handler's IRET, without nesting.
 */
TEST(nmi_blocked_until_iret)
{
	struct kvm_vm *vm = vm_new(0);
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	struct kvm_vcpu_events ev;

	ASSERT_GT(kvm_check_cap(vm->fd, KVM_CAP_USER_NMI), 0);
	vcpu_setup_long(vcpu, nmi_guest, 0);
	ASSERT_EQ_U64(vcpu_run_sync(vcpu), 1);

	ASSERT_OK(ioctl(vcpu->fd, KVM_NMI));
	EXPECT_EQ_U64(vcpu_run_sync(vcpu), 0x201);
	ASSERT_OK(ioctl(vcpu->fd, KVM_GET_VCPU_EVENTS, &ev));
	EXPECT_EQ(ev.nmi.masked, 1);
	EXPECT_EQ(ev.nmi.pending, 0);

	ASSERT_OK(ioctl(vcpu->fd, KVM_NMI));
	ASSERT_OK(ioctl(vcpu->fd, KVM_GET_VCPU_EVENTS, &ev));
	EXPECT_EQ(ev.nmi.pending, 1);
	EXPECT_EQ(ev.nmi.masked, 1);

	EXPECT_EQ_U64(vcpu_run_sync(vcpu), 0x202);
	EXPECT_EQ_U64(vcpu_run_sync(vcpu), 0x302);
	vcpu_run_done(vcpu);
	ASSERT_OK(ioctl(vcpu->fd, KVM_GET_VCPU_EVENTS, &ev));
	EXPECT_EQ(ev.nmi.masked, 0);
	EXPECT_EQ(ev.nmi.pending, 0);
}

_Alignas(16) uint8_t fpu_seen[16], fpu_new[16];
uint16_t fpu_cw, fpu_newcw = 0x37f;
uint32_t fpu_mxcsr;

asm(".pushsection .text\n"
	"fpu_guest:\n"
	"  movdqu %xmm0, fpu_seen(%rip)\n"
	"  fnstcw fpu_cw(%rip)\n"
	"  stmxcsr fpu_mxcsr(%rip)\n"
	"  asm_sync 1\n"
	"  movdqu fpu_new(%rip), %xmm1\n"
	"  fldcw fpu_newcw(%rip)\n"
	"  asm_sync 2\n"
	"  asm_done\n"
	"  hlt\n"
	".popsection\n");

extern char fpu_guest[];

/*
 * XMM0 and FCW set by KVM_SET_FPU are the guest's, and the guest's XMM1
 * and FCW come back in KVM_GET_FPU.  (MXCSR is not in KVM 6.1's struct
 * kvm_fpu handling: the guest keeps its reset value 0x1f80.)
 */
TEST(fpu_state_seen_by_guest)
{
	struct kvm_vm *vm = vm_new(0);
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	struct kvm_fpu fpu;
	unsigned int i;

	vcpu_setup_long(vcpu, (void (*)(uint64_t))fpu_guest, 0);
	ASSERT_OK(ioctl(vcpu->fd, KVM_GET_FPU, &fpu));
	for (i = 0; i < 16; i++) {
		fpu.xmm[0][i] = (uint8_t)(0xa0 + i);
		GUEST_PTR(vm, fpu_new)[0][i] = (uint8_t)(0x30 + 3 * i);
	}
	fpu.fcw = 0x27f;
	ASSERT_OK(ioctl(vcpu->fd, KVM_SET_FPU, &fpu));

	ASSERT_EQ_U64(vcpu_run_sync(vcpu), 1);
	EXPECT_EQ(memcmp(GUEST_PTR(vm, fpu_seen), fpu.xmm[0], 16), 0);
	EXPECT_EQ(*GUEST_PTR(vm, fpu_cw), 0x27f);
	EXPECT_EQ(*GUEST_PTR(vm, fpu_mxcsr), 0x1f80);

	ASSERT_EQ_U64(vcpu_run_sync(vcpu), 2);
	ASSERT_OK(ioctl(vcpu->fd, KVM_GET_FPU, &fpu));
	EXPECT_EQ(memcmp(fpu.xmm[1], GUEST_PTR(vm, fpu_new), 16), 0);
	EXPECT_EQ(fpu.xmm[0][0], 0xa0);
	EXPECT_EQ(fpu.fcw, 0x37f);
	vcpu_run_done(vcpu);
}

TEST_HARNESS_MAIN
