// SPDX-License-Identifier: GPL-2.0
/*
 * vCPU state ioctls without an in-kernel irqchip: round trips and
 * refused input for KVM_GET/SET_VCPU_EVENTS, KVM_GET/SET_MP_STATE,
 * KVM_GET/SET_FPU, KVM_GET/SET_XSAVE, KVM_GET/SET_XCRS,
 * KVM_GET/SET_DEBUGREGS (with the guest reading what was set),
 * KVM_GET/SET_TSC_KHZ, KVM_SET_SIGNAL_MASK (a blocked signal does not
 * end KVM_RUN, an unblocked one does), KVM_SET_TSS_ADDR and
 * KVM_SET_IDENTITY_MAP_ADDR.
 */
#include <pthread.h>
#include <stddef.h>
#include <signal.h>
#include <time.h>
#include <sys/ioctl.h>

#include "../kvmod/test_harness.h"
#include "../kvmod/kvm_util.h"
#include "../kvmod_guest/guest_lib.h"

static void get_events(struct kvm_vcpu *vcpu, struct kvm_vcpu_events *ev)
{
	memset(ev, 0xa5, sizeof(*ev));
	ASSERT_OK(ioctl(vcpu->fd, KVM_GET_VCPU_EVENTS, ev));
}

TEST(vcpu_events_round_trip)
{
	struct kvm_vm *vm = vm_new(0);
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	struct kvm_vcpu_events ev, got;

	ASSERT_GT(kvm_check_cap(vm->fd, KVM_CAP_VCPU_EVENTS), 0);
	vcpu_setup_long(vcpu, NULL, 0);

	/* A new vCPU has nothing pending. */
	get_events(vcpu, &ev);
	EXPECT_EQ(ev.exception.injected, 0);
	EXPECT_EQ(ev.exception.pending, 0);
	EXPECT_EQ(ev.interrupt.injected, 0);
	EXPECT_EQ(ev.interrupt.shadow, 0);
	EXPECT_EQ(ev.nmi.injected, 0);
	EXPECT_EQ(ev.nmi.pending, 0);
	EXPECT_EQ(ev.nmi.masked, 0);
	EXPECT_TRUE(ev.flags & KVM_VCPUEVENT_VALID_NMI_PENDING);
	EXPECT_TRUE(ev.flags & KVM_VCPUEVENT_VALID_SHADOW);
	EXPECT_EQ(ev.sipi_vector, 0);

	memset(&ev, 0, sizeof(ev));
	ev.flags = KVM_VCPUEVENT_VALID_NMI_PENDING | KVM_VCPUEVENT_VALID_SHADOW;
	ev.exception.injected = 1;
	ev.exception.nr = GP_VECTOR;
	ev.exception.has_error_code = 1;
	ev.exception.error_code = 0x18;
	ev.interrupt.injected = 1;
	ev.interrupt.nr = 0x41;
	ev.interrupt.shadow = KVM_X86_SHADOW_INT_MOV_SS;
	ev.nmi.pending = 1;
	ev.nmi.masked = 1;
	ASSERT_OK(ioctl(vcpu->fd, KVM_SET_VCPU_EVENTS, &ev));

	get_events(vcpu, &got);
	EXPECT_EQ(got.exception.injected, 1);
	EXPECT_EQ(got.exception.nr, GP_VECTOR);
	EXPECT_EQ(got.exception.has_error_code, 1);
	EXPECT_EQ(got.exception.error_code, 0x18);
	EXPECT_EQ(got.interrupt.injected, 1);
	EXPECT_EQ(got.interrupt.nr, 0x41);
	EXPECT_EQ(got.interrupt.soft, 0);
	/* SVM has one shadow bit: it reads back as STI | MOV_SS. */
	EXPECT_NE(got.interrupt.shadow, 0);
	EXPECT_EQ(got.nmi.injected, 0);
	EXPECT_EQ(got.nmi.pending, 1);
	EXPECT_EQ(got.nmi.masked, 1);

	/* Everything cleared again. */
	memset(&ev, 0, sizeof(ev));
	ev.flags = KVM_VCPUEVENT_VALID_NMI_PENDING | KVM_VCPUEVENT_VALID_SHADOW;
	ASSERT_OK(ioctl(vcpu->fd, KVM_SET_VCPU_EVENTS, &ev));
	get_events(vcpu, &got);
	EXPECT_EQ(got.exception.injected, 0);
	EXPECT_EQ(got.interrupt.injected, 0);
	EXPECT_EQ(got.interrupt.shadow, 0);
	EXPECT_EQ(got.nmi.pending, 0);
	EXPECT_EQ(got.nmi.masked, 0);

	/* Without VALID_NMI_PENDING/SHADOW those fields are left alone. */
	ev.flags = KVM_VCPUEVENT_VALID_NMI_PENDING | KVM_VCPUEVENT_VALID_SHADOW;
	ev.nmi.pending = 1;
	ev.interrupt.shadow = KVM_X86_SHADOW_INT_STI;
	ASSERT_OK(ioctl(vcpu->fd, KVM_SET_VCPU_EVENTS, &ev));
	memset(&ev, 0, sizeof(ev));
	ASSERT_OK(ioctl(vcpu->fd, KVM_SET_VCPU_EVENTS, &ev));
	get_events(vcpu, &got);
	EXPECT_EQ(got.nmi.pending, 1);
	EXPECT_NE(got.interrupt.shadow, 0);
}

TEST(vcpu_events_invalid)
{
	struct kvm_vm *vm = vm_new(0);
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	struct kvm_vcpu_events ev, before, got;
	static const uint32_t bad_nr[] = { 2, 32, 40, 255 };
	static const uint32_t bad_flags[] = { 0x40, 0x100, 0x80000000 };
	unsigned int i;

	vcpu_setup_long(vcpu, NULL, 0);
	memset(&ev, 0, sizeof(ev));
	ev.flags = KVM_VCPUEVENT_VALID_NMI_PENDING;
	ev.nmi.pending = 1;
	ev.interrupt.injected = 1;
	ev.interrupt.nr = 0x33;
	ASSERT_OK(ioctl(vcpu->fd, KVM_SET_VCPU_EVENTS, &ev));
	get_events(vcpu, &before);

	for (i = 0; i < ARRAY_SIZE(bad_flags); i++) {
		memset(&ev, 0, sizeof(ev));
		ev.flags = bad_flags[i];
		EXPECT_ERRNO(ioctl(vcpu->fd, KVM_SET_VCPU_EVENTS, &ev), EINVAL);
	}
	/* Payloads need KVM_CAP_EXCEPTION_PAYLOAD enabled first. */
	memset(&ev, 0, sizeof(ev));
	ev.flags = KVM_VCPUEVENT_VALID_PAYLOAD;
	EXPECT_ERRNO(ioctl(vcpu->fd, KVM_SET_VCPU_EVENTS, &ev), EINVAL);

	/* Injected exceptions must be a vector 0-31 other than NMI. */
	for (i = 0; i < ARRAY_SIZE(bad_nr); i++) {
		memset(&ev, 0, sizeof(ev));
		ev.exception.injected = 1;
		ev.exception.nr = bad_nr[i];
		EXPECT_ERRNO(ioctl(vcpu->fd, KVM_SET_VCPU_EVENTS, &ev), EINVAL);
	}

	/* None of that changed anything. */
	get_events(vcpu, &got);
	EXPECT_EQ(got.nmi.pending, before.nmi.pending);
	EXPECT_EQ(got.interrupt.injected, 1);
	EXPECT_EQ(got.interrupt.nr, 0x33);
	EXPECT_EQ(got.exception.injected, 0);

	/* The vector is only checked when an exception is there. */
	memset(&ev, 0, sizeof(ev));
	ev.exception.nr = 40;
	EXPECT_OK(ioctl(vcpu->fd, KVM_SET_VCPU_EVENTS, &ev));
	ev.exception.injected = 1;
	ev.exception.nr = 31;
	EXPECT_OK(ioctl(vcpu->fd, KVM_SET_VCPU_EVENTS, &ev));
	get_events(vcpu, &got);
	EXPECT_EQ(got.exception.injected, 1);
	EXPECT_EQ(got.exception.nr, 31);
}

static GUEST_CODE void ud_handler(struct ex_regs *regs)
{
	GUEST_SYNC(0x100 + regs->vector);
	GUEST_SYNC(regs->rip);
}

static GUEST_CODE void events_guest(uint64_t unused)
{
	(void)unused;
	guest_handlers[UD_VECTOR] = ud_handler;
	guest_handlers[0x41] = ud_handler;
	GUEST_SYNC(1);
	GUEST_SYNC(2);
	GUEST_SYNC(3);
}

/*
 * An exception and an interrupt set with KVM_SET_VCPU_EVENTS reach the
 * guest's IDT handlers on the next KVM_RUN, at the RIP the vCPU had.
 */
TEST(vcpu_events_delivered)
{
	struct kvm_vm *vm = vm_new(0);
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	struct kvm_vcpu_events ev;
	struct kvm_regs regs;
	uint64_t rip;

	vcpu_setup_long(vcpu, events_guest, 0);
	ASSERT_EQ_U64(vcpu_run_sync(vcpu), 1);
	/* Complete the OUT first, so RIP is past it. */
	vcpu->run->immediate_exit = 1;
	ASSERT_ERRNO(vcpu_run(vcpu), EINTR);
	vcpu->run->immediate_exit = 0;
	vcpu_get_regs(vcpu->fd, &regs);
	rip = regs.rip;

	memset(&ev, 0, sizeof(ev));
	ev.exception.injected = 1;
	ev.exception.nr = UD_VECTOR;
	ASSERT_OK(ioctl(vcpu->fd, KVM_SET_VCPU_EVENTS, &ev));
	EXPECT_EQ_U64(vcpu_run_sync(vcpu), 0x100 + UD_VECTOR);
	EXPECT_EQ_U64(vcpu_run_sync(vcpu), rip);
	ASSERT_EQ_U64(vcpu_run_sync(vcpu), 2);

	/* An interrupt: the guest has IF=0, but an injected one goes in. */
	vcpu->run->immediate_exit = 1;
	ASSERT_ERRNO(vcpu_run(vcpu), EINTR);
	vcpu->run->immediate_exit = 0;
	vcpu_get_regs(vcpu->fd, &regs);
	rip = regs.rip;
	memset(&ev, 0, sizeof(ev));
	ev.interrupt.injected = 1;
	ev.interrupt.nr = 0x41;
	ASSERT_OK(ioctl(vcpu->fd, KVM_SET_VCPU_EVENTS, &ev));
	EXPECT_EQ_U64(vcpu_run_sync(vcpu), 0x141);
	EXPECT_EQ_U64(vcpu_run_sync(vcpu), rip);
	ASSERT_EQ_U64(vcpu_run_sync(vcpu), 3);
	vcpu_run_done(vcpu);
}

TEST(mp_state_userspace_irqchip)
{
	struct kvm_vm *vm = vm_new(0);
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	static const uint32_t refused[] = {
		KVM_MP_STATE_UNINITIALIZED, KVM_MP_STATE_INIT_RECEIVED,
		KVM_MP_STATE_HALTED, KVM_MP_STATE_SIPI_RECEIVED,
		KVM_MP_STATE_STOPPED, KVM_MP_STATE_CHECK_STOP,
		KVM_MP_STATE_OPERATING, KVM_MP_STATE_LOAD,
		KVM_MP_STATE_AP_RESET_HOLD, 100, 0xffffffff,
	};
	struct kvm_mp_state mp;
	unsigned int i;

	ASSERT_GT(kvm_check_cap(vm->fd, KVM_CAP_MP_STATE), 0);
	mp.mp_state = 0xdead;
	ASSERT_OK(ioctl(vcpu->fd, KVM_GET_MP_STATE, &mp));
	EXPECT_EQ(mp.mp_state, KVM_MP_STATE_RUNNABLE);
	mp.mp_state = KVM_MP_STATE_RUNNABLE;
	EXPECT_OK(ioctl(vcpu->fd, KVM_SET_MP_STATE, &mp));

	/* Only RUNNABLE without an in-kernel local APIC. */
	for (i = 0; i < ARRAY_SIZE(refused); i++) {
		mp.mp_state = refused[i];
		EXPECT_ERRNO(ioctl(vcpu->fd, KVM_SET_MP_STATE, &mp), EINVAL);
	}
	ASSERT_OK(ioctl(vcpu->fd, KVM_GET_MP_STATE, &mp));
	EXPECT_EQ(mp.mp_state, KVM_MP_STATE_RUNNABLE);

	/* HLT exits to userspace and leaves the vCPU runnable. */
	vcpu_setup_long(vcpu, NULL, 0);
	*(uint8_t *)gpa_ptr(vm, SCRATCH_GPA) = 0xf4;
	{
		struct kvm_regs regs;

		vcpu_get_regs(vcpu->fd, &regs);
		regs.rip = SCRATCH_GPA;
		vcpu_set_regs(vcpu->fd, &regs);
	}
	vcpu_run_exit(vcpu, KVM_EXIT_HLT);
	ASSERT_OK(ioctl(vcpu->fd, KVM_GET_MP_STATE, &mp));
	EXPECT_EQ(mp.mp_state, KVM_MP_STATE_RUNNABLE);
}

TEST(fpu_round_trip)
{
	struct kvm_vm *vm = vm_new(0);
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	struct kvm_fpu fpu, got;
	unsigned int i, j;

	ASSERT_OK(ioctl(vcpu->fd, KVM_GET_FPU, &fpu));
	/*
	 * The reset state: FCW 0x37f, empty stack.  (KVM 6.1 neither
	 * reports nor takes MXCSR in struct kvm_fpu, so it is not checked.)
	 */
	EXPECT_EQ(fpu.fcw, 0x37f);
	EXPECT_EQ(fpu.fsw, 0);

	memset(&fpu, 0, sizeof(fpu));
	for (i = 0; i < 8; i++)
		for (j = 0; j < 10; j++)
			fpu.fpr[i][j] = (uint8_t)(i * 16 + j + 1);
	for (i = 0; i < 16; i++)
		for (j = 0; j < 16; j++)
			fpu.xmm[i][j] = (uint8_t)(0x80 + i * 7 + j);
	fpu.fcw = 0x27f;
	fpu.fsw = 0x3800 | 0x20;	/* TOP = 7, PE */
	fpu.ftwx = 0x81;
	fpu.last_opcode = 0x1d9;
	fpu.last_ip = 0x401234;
	fpu.last_dp = 0x405678;
	fpu.mxcsr = 0x1fa0;
	ASSERT_OK(ioctl(vcpu->fd, KVM_SET_FPU, &fpu));

	memset(&got, 0xcc, sizeof(got));
	ASSERT_OK(ioctl(vcpu->fd, KVM_GET_FPU, &got));
	EXPECT_EQ(got.fcw, fpu.fcw);
	EXPECT_EQ(got.fsw, fpu.fsw);
	EXPECT_EQ(got.ftwx, fpu.ftwx);
	EXPECT_EQ(got.last_opcode, fpu.last_opcode);
	EXPECT_EQ_U64(got.last_ip, fpu.last_ip);
	EXPECT_EQ_U64(got.last_dp, fpu.last_dp);
	for (i = 0; i < 8; i++)
		EXPECT_EQ(memcmp(got.fpr[i], fpu.fpr[i], 10), 0);
	EXPECT_EQ(memcmp(got.xmm, fpu.xmm, sizeof(fpu.xmm)), 0);
}

#define XSAVE_MXCSR	24
#define XSAVE_XMM0	160
#define XSAVE_BV	512

TEST(xsave_round_trip)
{
	struct kvm_vm *vm = vm_new(0);
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	struct kvm_xsave *xs = calloc(1, sizeof(*xs));
	struct kvm_xsave *got = calloc(1, sizeof(*got));
	uint8_t *b = (uint8_t *)xs->region, *g = (uint8_t *)got->region;
	struct kvm_fpu fpu;
	uint64_t bv;
	uint32_t mxcsr;
	unsigned int i;

	if (kvm_check_cap(vm->fd, KVM_CAP_XSAVE) <= 0)
		SKIP("no KVM_CAP_XSAVE");
	ASSERT_OK(ioctl(vcpu->fd, KVM_GET_XSAVE, xs));
	memcpy(&mxcsr, b + XSAVE_MXCSR, 4);
	EXPECT_EQ(mxcsr, 0x1f80);

	for (i = 0; i < 16 * 16; i++)
		b[XSAVE_XMM0 + i] = (uint8_t)(i * 3 + 1);
	mxcsr = 0x1f80 | 0x8;	/* ZE flag */
	memcpy(b + XSAVE_MXCSR, &mxcsr, 4);
	memcpy(&bv, b + XSAVE_BV, 8);
	bv |= 3;		/* x87 and SSE state are present */
	memcpy(b + XSAVE_BV, &bv, 8);
	ASSERT_OK(ioctl(vcpu->fd, KVM_SET_XSAVE, xs));

	ASSERT_OK(ioctl(vcpu->fd, KVM_GET_XSAVE, got));
	EXPECT_EQ(memcmp(g + XSAVE_XMM0, b + XSAVE_XMM0, 256), 0);
	EXPECT_EQ(memcmp(g + XSAVE_MXCSR, b + XSAVE_MXCSR, 4), 0);
	memcpy(&bv, g + XSAVE_BV, 8);
	EXPECT_EQ_U64(bv & 2, 2);
	/* KVM_GET_FPU sees the same state. */
	ASSERT_OK(ioctl(vcpu->fd, KVM_GET_FPU, &fpu));
	EXPECT_EQ(memcmp(fpu.xmm, b + XSAVE_XMM0, 256), 0);

	/* A reserved MXCSR bit, an unknown state component: EINVAL. */
	memcpy(got, xs, sizeof(*xs));
	mxcsr = 0x1f80 | (1u << 31);
	memcpy(g + XSAVE_MXCSR, &mxcsr, 4);
	EXPECT_ERRNO(ioctl(vcpu->fd, KVM_SET_XSAVE, got), EINVAL);
	memcpy(got, xs, sizeof(*xs));
	bv = 3 | (1ULL << 62);
	memcpy(g + XSAVE_BV, &bv, 8);
	EXPECT_ERRNO(ioctl(vcpu->fd, KVM_SET_XSAVE, got), EINVAL);
	ASSERT_OK(ioctl(vcpu->fd, KVM_GET_XSAVE, got));
	EXPECT_EQ(memcmp(g + XSAVE_MXCSR, b + XSAVE_MXCSR, 4), 0);
	memcpy(&bv, g + XSAVE_BV, 8);
	EXPECT_EQ_U64(bv >> 62, 0);
}

TEST(xcrs_round_trip)
{
	struct kvm_vm *vm = vm_new(0);
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	struct kvm_cpuid_entry2 *e = cpuid_find(vm_supported_cpuid(vm), 0xd, 0);
	static const uint64_t bad_xcr0[] = { 0, 2, 1 | 4, 1ULL << 63 };
	struct kvm_xcrs x, got;
	unsigned int i;

	if (kvm_check_cap(vm->fd, KVM_CAP_XCRS) <= 0)
		SKIP("no KVM_CAP_XCRS");
	ASSERT_TRUE(e);
	memset(&got, 0, sizeof(got));
	ASSERT_OK(ioctl(vcpu->fd, KVM_GET_XCRS, &got));
	EXPECT_EQ(got.nr_xcrs, 1);
	EXPECT_EQ(got.xcrs[0].xcr, 0);
	EXPECT_EQ_U64(got.xcrs[0].value, 1);

	memset(&x, 0, sizeof(x));
	x.nr_xcrs = 1;
	x.xcrs[0].xcr = 0;
	x.xcrs[0].value = 3 & e->eax;
	ASSERT_OK(ioctl(vcpu->fd, KVM_SET_XCRS, &x));
	memset(&got, 0, sizeof(got));
	ASSERT_OK(ioctl(vcpu->fd, KVM_GET_XCRS, &got));
	EXPECT_EQ_U64(got.xcrs[0].value, 3 & e->eax);

	for (i = 0; i < ARRAY_SIZE(bad_xcr0); i++) {
		x.xcrs[0].value = bad_xcr0[i];
		EXPECT_ERRNO(ioctl(vcpu->fd, KVM_SET_XCRS, &x), EINVAL);
	}
	x.xcrs[0].value = 1;
	x.flags = 1;
	EXPECT_ERRNO(ioctl(vcpu->fd, KVM_SET_XCRS, &x), EINVAL);
	x.flags = 0;
	x.nr_xcrs = KVM_MAX_XCRS + 1;
	EXPECT_ERRNO(ioctl(vcpu->fd, KVM_SET_XCRS, &x), EINVAL);
	ASSERT_OK(ioctl(vcpu->fd, KVM_GET_XCRS, &got));
	EXPECT_EQ_U64(got.xcrs[0].value, 3 & e->eax);
}

static GUEST_CODE void dr_guest(uint64_t unused)
{
	uint64_t v;

	(void)unused;
	asm volatile("mov %%dr0, %0" : "=r"(v));
	GUEST_SYNC(v);
	asm volatile("mov %%dr3, %0" : "=r"(v));
	GUEST_SYNC(v);
	asm volatile("mov %%dr7, %0" : "=r"(v));
	GUEST_SYNC(v);
	v = 0x7000;
	asm volatile("mov %0, %%dr1" : : "r"(v));
}

TEST(debugregs)
{
	struct kvm_vm *vm = vm_new(0);
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	struct kvm_debugregs dr, got;
	unsigned int i;

	ASSERT_GT(kvm_check_cap(vm->fd, KVM_CAP_DEBUGREGS), 0);
	memset(&got, 0xcc, sizeof(got));
	ASSERT_OK(ioctl(vcpu->fd, KVM_GET_DEBUGREGS, &got));
	for (i = 0; i < 4; i++)
		EXPECT_EQ_U64(got.db[i], 0);
	EXPECT_EQ_U64(got.dr6, 0xffff0ff0);
	EXPECT_EQ_U64(got.dr7, 0x400);
	EXPECT_EQ(got.flags, 0);

	memset(&dr, 0, sizeof(dr));
	for (i = 0; i < 4; i++)
		dr.db[i] = 0x1000 * (i + 1);
	dr.dr6 = 0xffff0ff1;
	dr.dr7 = 0x400 | 0x2;	/* G0, but DR0 is never hit */
	ASSERT_OK(ioctl(vcpu->fd, KVM_SET_DEBUGREGS, &dr));
	memset(&got, 0xcc, sizeof(got));
	ASSERT_OK(ioctl(vcpu->fd, KVM_GET_DEBUGREGS, &got));
	for (i = 0; i < 4; i++)
		EXPECT_EQ_U64(got.db[i], dr.db[i]);
	EXPECT_EQ_U64(got.dr6, dr.dr6);
	EXPECT_EQ_U64(got.dr7, dr.dr7);

	/* Upper halves of DR6/DR7 and any flag: EINVAL, nothing changes. */
	got = dr;
	got.dr6 |= 1ULL << 32;
	EXPECT_ERRNO(ioctl(vcpu->fd, KVM_SET_DEBUGREGS, &got), EINVAL);
	got = dr;
	got.dr7 |= 1ULL << 40;
	EXPECT_ERRNO(ioctl(vcpu->fd, KVM_SET_DEBUGREGS, &got), EINVAL);
	got = dr;
	got.flags = 1;
	got.db[0] = 0x9999;
	EXPECT_ERRNO(ioctl(vcpu->fd, KVM_SET_DEBUGREGS, &got), EINVAL);
	ASSERT_OK(ioctl(vcpu->fd, KVM_GET_DEBUGREGS, &got));
	EXPECT_EQ_U64(got.db[0], 0x1000);
	EXPECT_EQ_U64(got.dr7, dr.dr7);

	/* The guest reads them; its own write shows in the next GET. */
	vcpu_setup_long(vcpu, dr_guest, 0);
	EXPECT_EQ_U64(vcpu_run_sync(vcpu), 0x1000);
	EXPECT_EQ_U64(vcpu_run_sync(vcpu), 0x4000);
	EXPECT_EQ_U64(vcpu_run_sync(vcpu), dr.dr7);
	vcpu_run_done(vcpu);
	ASSERT_OK(ioctl(vcpu->fd, KVM_GET_DEBUGREGS, &got));
	EXPECT_EQ_U64(got.db[1], 0x7000);
}

TEST(tsc_khz)
{
	struct kvm_vm *vm = vm_new(0);
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	long khz, r;

	if (kvm_check_cap(vm->fd, KVM_CAP_GET_TSC_KHZ) <= 0)
		SKIP("no KVM_CAP_GET_TSC_KHZ");
	khz = ioctl(vcpu->fd, KVM_GET_TSC_KHZ, 0);
	TH_LOG("vCPU TSC: %ld kHz", khz);
	ASSERT_GT(khz, 0);
	EXPECT_OK(ioctl(vcpu->fd, KVM_SET_TSC_KHZ, khz));
	EXPECT_EQ(ioctl(vcpu->fd, KVM_GET_TSC_KHZ, 0), khz);
	/* 0 means the host's rate. */
	EXPECT_OK(ioctl(vcpu->fd, KVM_SET_TSC_KHZ, 0));
	EXPECT_EQ(ioctl(vcpu->fd, KVM_GET_TSC_KHZ, 0), khz);

	/* A slower TSC needs TSC scaling. */
	r = ioctl(vcpu->fd, KVM_SET_TSC_KHZ, khz / 2);
	if (kvm_check_cap(vm->fd, KVM_CAP_TSC_CONTROL) > 0) {
		EXPECT_EQ(r, 0);
		EXPECT_EQ(ioctl(vcpu->fd, KVM_GET_TSC_KHZ, 0), khz / 2);
	} else {
		EXPECT_EQ(r, -1);
		EXPECT_EQ(errno, EINVAL);
	}
}

/* ---- KVM_SET_SIGNAL_MASK */

volatile uint64_t spin_go;

static GUEST_CODE void spin_guest(uint64_t unused)
{
	(void)unused;
	GUEST_SYNC(1);
	while (!spin_go)
		asm volatile("pause");
	GUEST_SYNC(2);
	for (;;)
		asm volatile("pause");
}

static volatile int sig_count;

static void on_sigusr1(int sig)
{
	(void)sig;
	sig_count++;
}

struct kicker {
	pthread_t target;
	volatile uint64_t *go;	/* host view of spin_go, or NULL */
};

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* SIGUSR1 to the vCPU thread after 100 ms, then release the guest. */
static void *kick(void *arg)
{
	struct kicker *k = arg;

	sleep_ms(100);
	pthread_kill(k->target, SIGUSR1);
	if (k->go) {
		sleep_ms(300);
		*k->go = 1;
	}
	return NULL;
}

static int set_sigmask(struct kvm_vcpu *vcpu, uint32_t len,
		       const sigset_t *blocked)
{
	/* struct kvm_signal_mask: len, then the set right after it. */
	uint8_t buf[sizeof(struct kvm_signal_mask) + 8];
	uint64_t set = 0;

	/* The kernel's sigset_t: one 64-bit word, bit n-1 for signal n. */
	if (blocked && sigismember(blocked, SIGUSR1))
		set |= 1ULL << (SIGUSR1 - 1);
	memcpy(buf, &len, 4);
	memcpy(buf + offsetof(struct kvm_signal_mask, sigset), &set, 8);
	return ioctl(vcpu->fd, KVM_SET_SIGNAL_MASK, buf);
}

TEST(signal_mask)
{
	struct kvm_vm *vm = vm_new(0);
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	struct kicker k = { pthread_self(), GUEST_PTR(vm, spin_go) };
	struct sigaction sa;
	sigset_t set;
	pthread_t t;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigusr1;
	ASSERT_OK(sigaction(SIGUSR1, &sa, NULL));
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);

	/* The length must be the kernel's sigset_t: 8 bytes. */
	EXPECT_ERRNO(set_sigmask(vcpu, 4, &set), EINVAL);
	EXPECT_ERRNO(set_sigmask(vcpu, 16, &set), EINVAL);
	EXPECT_ERRNO(set_sigmask(vcpu, 0, &set), EINVAL);
	ASSERT_OK(set_sigmask(vcpu, 8, &set));

	vcpu_setup_long(vcpu, spin_guest, 0);
	ASSERT_EQ_U64(vcpu_run_sync(vcpu), 1);

	/* Blocked in KVM_RUN: the guest runs on until it is released. */
	ASSERT_OK(pthread_create(&t, NULL, kick, &k));
	EXPECT_EQ_U64(vcpu_run_sync(vcpu), 2);
	pthread_join(t, NULL);
	/* Delivered once KVM_RUN restored this thread's mask. */
	EXPECT_EQ(sig_count, 1);

	/* Not blocked (mask cleared with a NULL argument): EINTR. */
	ASSERT_OK(ioctl(vcpu->fd, KVM_SET_SIGNAL_MASK, NULL));
	k.go = NULL;
	ASSERT_OK(pthread_create(&t, NULL, kick, &k));
	EXPECT_ERRNO(vcpu_run(vcpu), EINTR);
	EXPECT_EQ(vcpu->run->exit_reason, KVM_EXIT_INTR);
	pthread_join(t, NULL);
	EXPECT_EQ(sig_count, 2);

	/* An empty 8-byte mask does not block it either. */
	sigemptyset(&set);
	ASSERT_OK(set_sigmask(vcpu, 8, &set));
	ASSERT_OK(pthread_create(&t, NULL, kick, &k));
	EXPECT_ERRNO(vcpu_run(vcpu), EINTR);
	EXPECT_EQ(vcpu->run->exit_reason, KVM_EXIT_INTR);
	pthread_join(t, NULL);
	EXPECT_EQ(sig_count, 3);
}

TEST(tss_and_identity_map_addr)
{
	int kvm_fd = kvm_open();
	int vm_fd = vm_create(kvm_fd);
	uint64_t addr = 0xfeffc000;

	ASSERT_GT(kvm_check_cap(vm_fd, KVM_CAP_SET_TSS_ADDR), 0);
	ASSERT_GT(kvm_check_cap(vm_fd, KVM_CAP_SET_IDENTITY_MAP_ADDR), 0);
	EXPECT_OK(ioctl(vm_fd, KVM_SET_TSS_ADDR, 0xfeffd000UL));
	EXPECT_OK(ioctl(vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &addr));
	EXPECT_ERRNO(ioctl(vm_fd, KVM_SET_IDENTITY_MAP_ADDR, (void *)8),
		     EFAULT);
	/* Only before the first vCPU. */
	close(vcpu_create(vm_fd, 0));
	EXPECT_ERRNO(ioctl(vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &addr), EINVAL);
	close(vm_fd);
	close(kvm_fd);
}

TEST_HARNESS_MAIN
