// SPDX-License-Identifier: GPL-2.0
/*
 * Getting out of KVM_RUN while the guest spins forever: a signal (from
 * another thread or a POSIX timer) makes it return -1/EINTR with
 * KVM_EXIT_INTR and the guest resumes where it was on the next run;
 * immediate_exit returns EINTR without running the guest; KVM_GET_REGS
 * from another thread during KVM_RUN returns sane registers (KVM makes it
 * wait for KVM_RUN to return).  Once the guest has run, KVM_SET_CPUID2
 * takes only the table the vCPU already has.
 */
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <sys/ioctl.h>

#include "../kvmod/test_harness.h"
#include "../kvmod/kvm_util.h"
#include "guest_lib.h"

volatile uint64_t spin_counter;

asm(".pushsection .text\n"
	"spin_guest:\n"
	"  lock incq spin_counter(%rip)\n"
	"  jmp spin_guest\n"
	"spin_guest_end:\n"
	".popsection\n");

void spin_guest(uint64_t unused);
extern char spin_guest_end[];

static void noop_handler(int sig)
{
	(void)sig;
}

static void install_sigusr1(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = noop_handler;
	ASSERT_OK(sigaction(SIGUSR1, &sa, NULL));
}

static uint64_t counter(struct kvm_vm *vm)
{
	return *(volatile uint64_t *)GUEST_PTR(vm, spin_counter);
}

/* Wait (up to 20 s) until the guest's counter passes min. */
static void wait_counter(struct kvm_vm *vm, uint64_t min)
{
	int i;

	for (i = 0; i < 20000 && counter(vm) <= min; i++)
		usleep(1000);
	ASSERT_GT(counter(vm), min);
}

static void check_rip_in_spin(struct kvm_vcpu *vcpu)
{
	struct kvm_regs regs;

	vcpu_get_regs(vcpu->fd, &regs);
	EXPECT_GE(regs.rip, (uintptr_t)spin_guest);
	EXPECT_TRUE(regs.rip < (uintptr_t)spin_guest_end);
}

struct kicker {
	pthread_t target;
	struct kvm_vm *vm;
	uint64_t min;
	useconds_t delay;
};

/* Signal the target once the guest is seen running, then again later. */
static void *kick_thread(void *arg)
{
	struct kicker *k = arg;
	int i;

	for (i = 0; i < 20000 && counter(k->vm) <= k->min; i++)
		usleep(1000);
	usleep(k->delay);
	pthread_kill(k->target, SIGUSR1);
	return NULL;
}

static void run_until_kicked(struct kvm_vcpu *vcpu, uint64_t min)
{
	struct kicker k = { pthread_self(), vcpu->vm, min, 50000 };
	pthread_t t;
	int r, e;

	ASSERT_OK(pthread_create(&t, NULL, kick_thread, &k));
	r = vcpu_run(vcpu);
	e = errno;
	pthread_join(t, NULL);
	ASSERT_EQ(r, -1);
	ASSERT_EQ(e, EINTR);
	EXPECT_EQ(vcpu->run->exit_reason, KVM_EXIT_INTR);
}

TEST(signal_interrupts_run)
{
	struct kvm_vm *vm = vm_new(0);
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	uint64_t c1, c2;

	install_sigusr1();
	vcpu_setup_long(vcpu, spin_guest, 0);
	run_until_kicked(vcpu, 0);
	c1 = counter(vm);
	EXPECT_GT(c1, 0);
	check_rip_in_spin(vcpu);

	/* The guest carries on where it was: the count goes on up. */
	run_until_kicked(vcpu, c1);
	c2 = counter(vm);
	EXPECT_GT(c2, c1);
	check_rip_in_spin(vcpu);
}

TEST(timer_signal_interrupts_run)
{
	struct kvm_vm *vm = vm_new(0);
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	struct sigevent sev;
	struct itimerspec its;
	timer_t timer;
	int r, e, i;

	install_sigusr1();
	vcpu_setup_long(vcpu, spin_guest, 0);
	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_SIGNAL;
	sev.sigev_signo = SIGUSR1;
	ASSERT_OK(timer_create(CLOCK_MONOTONIC, &sev, &timer));
	/* 300 ms, then every 300 ms: a signal before entry is no proof. */
	memset(&its, 0, sizeof(its));
	its.it_value.tv_nsec = 300000000;
	its.it_interval.tv_nsec = 300000000;
	ASSERT_OK(timer_settime(timer, 0, &its, NULL));
	for (i = 0; i < 50; i++) {
		r = vcpu_run(vcpu);
		e = errno;
		ASSERT_EQ(r, -1);
		ASSERT_EQ(e, EINTR);
		EXPECT_EQ(vcpu->run->exit_reason, KVM_EXIT_INTR);
		if (counter(vm))
			break;
	}
	timer_delete(timer);
	EXPECT_GT(counter(vm), 0);
	check_rip_in_spin(vcpu);
}

TEST(immediate_exit)
{
	struct kvm_vm *vm = vm_new(0);
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	struct kvm_regs regs;
	int i;

	install_sigusr1();
	vcpu_setup_long(vcpu, spin_guest, 0);
	vcpu->run->immediate_exit = 1;
	for (i = 0; i < 3; i++)
		ASSERT_ERRNO(vcpu_run(vcpu), EINTR);
	/* Not a single guest instruction ran. */
	EXPECT_EQ(counter(vm), 0);
	vcpu_get_regs(vcpu->fd, &regs);
	EXPECT_EQ_U64(regs.rip, (uintptr_t)spin_guest);

	vcpu->run->immediate_exit = 0;
	run_until_kicked(vcpu, 0);
	EXPECT_GT(counter(vm), 0);

	/* And once more after the guest has run. */
	vcpu->run->immediate_exit = 1;
	ASSERT_ERRNO(vcpu_run(vcpu), EINTR);
}

struct runner {
	struct kvm_vcpu *vcpu;
	int ret;
	int err;
	volatile int done;
};

static void *run_thread(void *arg)
{
	struct runner *r = arg;

	r->ret = vcpu_run(r->vcpu);
	r->err = errno;
	r->done = 1;
	return NULL;
}

struct getter {
	struct kvm_vcpu *vcpu;
	struct kvm_regs regs;
	int ret;
	volatile int done;
};

static void *get_regs_thread(void *arg)
{
	struct getter *g = arg;

	g->ret = ioctl(g->vcpu->fd, KVM_GET_REGS, &g->regs);
	g->done = 1;
	return NULL;
}

TEST(get_regs_from_other_thread)
{
	struct kvm_vm *vm = vm_new(0);
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	struct runner r = { vcpu, 0, 0, 0 };
	struct getter g = { .vcpu = vcpu };
	pthread_t rt, gt;

	install_sigusr1();
	vcpu_setup_long(vcpu, spin_guest, 0);
	ASSERT_OK(pthread_create(&rt, NULL, run_thread, &r));
	wait_counter(vm, 0);
	ASSERT_OK(pthread_create(&gt, NULL, get_regs_thread, &g));
	usleep(300000);
	TH_LOG("KVM_GET_REGS during KVM_RUN %s", g.done ?
	       "returned at once" : "waits for KVM_RUN");
	EXPECT_FALSE(r.done);
	pthread_kill(rt, SIGUSR1);
	pthread_join(rt, NULL);
	pthread_join(gt, NULL);
	ASSERT_EQ(r.ret, -1);
	EXPECT_EQ(r.err, EINTR);
	ASSERT_EQ(g.ret, 0);
	EXPECT_GE(g.regs.rip, (uintptr_t)spin_guest);
	EXPECT_TRUE(g.regs.rip < (uintptr_t)spin_guest_end);
	check_rip_in_spin(vcpu);
}

TEST(cpuid_fixed_after_run)
{
	struct kvm_vm *vm = vm_new(0);
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	struct kvm_cpuid2 *c = vm_supported_cpuid(vm);
	struct kvm_cpuid_entry2 *e;

	/* Before the first run any table goes. */
	e = cpuid_find(c, 7, 0);
	ASSERT_TRUE(e != NULL);
	e->ebx ^= 1U << 3;	/* BMI1 */
	ASSERT_OK(ioctl(vcpu->fd, KVM_SET_CPUID2, c));
	e->ebx ^= 1U << 3;
	ASSERT_OK(ioctl(vcpu->fd, KVM_SET_CPUID2, c));

	install_sigusr1();
	vcpu_setup_long(vcpu, spin_guest, 0);
	run_until_kicked(vcpu, 0);

	/* The same table again is fine; another one is not. */
	ASSERT_OK(ioctl(vcpu->fd, KVM_SET_CPUID2, c));
	e->ebx ^= 1U << 3;
	EXPECT_ERRNO(ioctl(vcpu->fd, KVM_SET_CPUID2, c), EINVAL);
	e->ebx ^= 1U << 3;
	e = cpuid_find(c, 0x80000008, 0);
	ASSERT_TRUE(e != NULL);
	e->eax--;		/* MAXPHYADDR */
	EXPECT_ERRNO(ioctl(vcpu->fd, KVM_SET_CPUID2, c), EINVAL);
}

TEST_HARNESS_MAIN
