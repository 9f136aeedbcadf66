// SPDX-License-Identifier: GPL-2.0
/*
 * A guest or a VMM doing awkward things: guest accesses to a GPA without
 * a memslot (KVM_EXIT_MMIO), MADV_DONTNEED on guest memory between runs,
 * munmap() of a slot's memory while the vCPU runs on it, fork() with the
 * guest's memory copy-on-write, and closing every fd while another thread
 * is inside KVM_RUN.  Beyond the asserted results, nothing may crash or
 * hang (the lane also checks the kernel log).
 */
#include <pthread.h>
#include <signal.h>
#include <sys/ioctl.h>

#include "../kvmod/test_harness.h"
#include "../kvmod/kvm_util.h"
#include "guest_lib.h"

#define MMIO_GPA	0x10000000ULL	/* mapped by the guest, no memslot */
#define DATA_GPA	(SCRATCH_GPA + 0x5000)

volatile uint64_t spin_counter;

asm(".pushsection .text\n"
	"spin_guest:\n"
	"  lock incq spin_counter(%rip)\n"
	"  jmp spin_guest\n"
	".popsection\n");

void spin_guest(uint64_t unused);

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

static GUEST_CODE void mmio_guest(uint64_t unused)
{
	(void)unused;
	*(volatile uint32_t *)MMIO_GPA = 0xabcd1234;
	GUEST_SYNC(*(volatile uint64_t *)(MMIO_GPA + 8));
	*(volatile uint8_t *)(MMIO_GPA + 3) = 0x5a;
}

TEST(mmio_exit_without_memslot)
{
	struct kvm_vm *vm = vm_new(0);
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	struct kvm_run *run = vcpu->run;
	uint64_t in = 0x0123456789abcdefULL;
	uint32_t out;

	vcpu_setup_long(vcpu, mmio_guest, 0);
	vcpu_run_exit(vcpu, KVM_EXIT_MMIO);
	EXPECT_EQ_U64(run->mmio.phys_addr, MMIO_GPA);
	EXPECT_EQ(run->mmio.len, 4);
	EXPECT_EQ(run->mmio.is_write, 1);
	memcpy(&out, run->mmio.data, 4);
	EXPECT_EQ_U64(out, 0xabcd1234);

	/* A read completes with userspace's data on the next KVM_RUN. */
	vcpu_run_exit(vcpu, KVM_EXIT_MMIO);
	EXPECT_EQ_U64(run->mmio.phys_addr, MMIO_GPA + 8);
	EXPECT_EQ(run->mmio.len, 8);
	EXPECT_EQ(run->mmio.is_write, 0);
	memcpy(run->mmio.data, &in, 8);
	EXPECT_EQ_U64(vcpu_run_sync(vcpu), in);

	vcpu_run_exit(vcpu, KVM_EXIT_MMIO);
	EXPECT_EQ_U64(run->mmio.phys_addr, MMIO_GPA + 3);
	EXPECT_EQ(run->mmio.len, 1);
	EXPECT_EQ(run->mmio.is_write, 1);
	EXPECT_EQ(run->mmio.data[0], 0x5a);
	vcpu_run_done(vcpu);
}

static GUEST_CODE void write_read_guest(uint64_t gpa)
{
	volatile uint64_t *p = (volatile uint64_t *)gpa;

	*p = 0x1234;
	p[1] = 0x5678;
	GUEST_SYNC(0);
	GUEST_SYNC(*p);
	*p = 0x9999;
	GUEST_SYNC(p[1]);
}

TEST(madvise_dontneed_between_runs)
{
	struct kvm_vm *vm = vm_new(0);
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	uint64_t *host = gpa_ptr(vm, DATA_GPA);

	vcpu_setup_long(vcpu, write_read_guest, DATA_GPA);
	EXPECT_EQ_U64(vcpu_run_sync(vcpu), 0);
	EXPECT_EQ_U64(host[0], 0x1234);
	/* Anonymous private memory: the page comes back zeroed. */
	ASSERT_OK(madvise(host, PAGE_SIZE_4K, MADV_DONTNEED));
	EXPECT_EQ_U64(host[0], 0);
	EXPECT_EQ_U64(vcpu_run_sync(vcpu), 0);
	EXPECT_EQ_U64(vcpu_run_sync(vcpu), 0);
	/* The guest's write after that reaches the new page. */
	EXPECT_EQ_U64(host[0], 0x9999);
	vcpu_run_done(vcpu);
}

struct runner {
	struct kvm_vcpu *vcpu;
	int fd;
	int ret;
	int err;
	volatile int done;
};

static void *run_thread(void *arg)
{
	struct runner *r = arg;

	r->ret = ioctl(r->fd, KVM_RUN, 0UL);
	r->err = errno;
	r->done = 1;
	return NULL;
}

static void wait_spinning(struct kvm_vm *vm)
{
	volatile uint64_t *c = GUEST_PTR(vm, spin_counter);
	int i;

	for (i = 0; i < 20000 && !*c; i++)
		usleep(1000);
	ASSERT_GT(*c, 0);
}

/* Wait up to ms for the runner; then kick it with a signal. */
static void stop_runner(pthread_t t, struct runner *r, int ms)
{
	int i;

	for (i = 0; i < ms && !r->done; i++)
		usleep(1000);
	if (!r->done)
		pthread_kill(t, SIGUSR1);
	pthread_join(t, NULL);
}

TEST(munmap_while_running)
{
	struct kvm_vm *vm = vm_new(0);
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	struct runner r = { .vcpu = vcpu, .fd = vcpu->fd };
	pthread_t t;

	install_sigusr1();
	vcpu_setup_long(vcpu, spin_guest, 0);
	ASSERT_OK(pthread_create(&t, NULL, run_thread, &r));
	wait_spinning(vm);
	ASSERT_OK(munmap(vm->mem, vm->mem_size));
	vm->mem = NULL;
	stop_runner(t, &r, 3000);

	/*
	 * KVM fails the run with EFAULT once the guest touches memory
	 * without a backing; continuing on until the signal is allowed.
	 */
	TH_LOG("KVM_RUN after munmap: %d, errno %d (%s)", r.ret, r.err,
	       strerror(r.err));
	ASSERT_EQ(r.ret, -1);
	EXPECT_TRUE(r.err == EFAULT || r.err == EINTR);

	/* Again, with the memory gone for good: an error, no crash. */
	r.ret = vcpu_run(vcpu);
	r.err = errno;
	TH_LOG("KVM_RUN again: %d, errno %d (%s)", r.ret, r.err,
	       strerror(r.err));
	EXPECT_EQ(r.ret, -1);
	vcpu_free(vcpu);
	vm_free(vm);
}

static GUEST_CODE void fork_guest(uint64_t gpa)
{
	volatile uint64_t *p = (volatile uint64_t *)gpa;

	*p = 0x1111;
	GUEST_SYNC(0);
	GUEST_SYNC(*p);
	*p = 0x3333;
	GUEST_SYNC(0);
}

TEST(fork_copy_on_write)
{
	struct kvm_vm *vm = vm_new(0);
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	volatile uint64_t *host = gpa_ptr(vm, DATA_GPA);
	int status, r;
	pid_t pid;

	vcpu_setup_long(vcpu, fork_guest, DATA_GPA);
	EXPECT_EQ_U64(vcpu_run_sync(vcpu), 0);
	ASSERT_EQ_U64(*host, 0x1111);

	fflush(stdout);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		/* The child's copy only; and the VM is not the child's. */
		*host = 0x2222;
		r = ioctl(vcpu->fd, KVM_RUN, 0UL);
		if (r != -1) {
			TH_LOG("KVM_RUN in a forked child returned %d", r);
			_exit(1);
		}
		TH_LOG("KVM_RUN in a forked child: errno %d (%s)", errno,
		       strerror(errno));
		_exit(*host == 0x2222 ? 0 : 2);
	}
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(WEXITSTATUS(status), 0);

	EXPECT_EQ_U64(*host, 0x1111);
	EXPECT_EQ_U64(vcpu_run_sync(vcpu), 0x1111);
	/* The guest's write after the fork shows in the parent's mapping. */
	EXPECT_EQ_U64(vcpu_run_sync(vcpu), 0);
	EXPECT_EQ_U64(*host, 0x3333);
	vcpu_run_done(vcpu);
}

static GUEST_CODE void count_guest(uint64_t n)
{
	uint64_t i;

	for (i = 0; i < n; i++)
		GUEST_SYNC(i);
}

TEST(close_fds_during_run)
{
	struct kvm_vm *vm = vm_new(0);
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	struct runner r = { .vcpu = vcpu, .fd = vcpu->fd };
	struct kvm_vcpu *vcpu2;
	struct kvm_vm *vm2;
	struct kvm_regs regs;
	volatile uint64_t *c = GUEST_PTR(vm, spin_counter);
	uint64_t before;
	pthread_t t;
	int vm_fd = vm->fd, vcpu_fd = vcpu->fd;

	install_sigusr1();
	vcpu_setup_long(vcpu, spin_guest, 0);
	ASSERT_OK(pthread_create(&t, NULL, run_thread, &r));
	wait_spinning(vm);
	ASSERT_OK(close(vcpu_fd));
	ASSERT_OK(close(vm_fd));
	ASSERT_OK(close(vm->kvm_fd));
	/* The running ioctl holds its file: the guest goes on. */
	before = *c;
	usleep(200000);
	TH_LOG("guest counter %llu -> %llu after the closes",
	       (unsigned long long)before, (unsigned long long)*c);
	EXPECT_FALSE(r.done);
	ASSERT_ERRNO(ioctl(vcpu_fd, KVM_GET_REGS, &regs), EBADF);
	stop_runner(t, &r, 0);
	TH_LOG("KVM_RUN after the closes and a signal: %d, errno %d (%s)",
	       r.ret, r.err, strerror(r.err));
	EXPECT_EQ(r.ret, -1);
	EXPECT_EQ(r.err, EINTR);
	/* The last references: the run area and the memory. */
	ASSERT_OK(munmap(vcpu->run, vm->run_size));

	/* The host is still fine: a new VM runs a guest. */
	TH_LOG("old VM released; running a new one");
	vm2 = vm_new(0);
	vcpu2 = vcpu_add(vm2, 0);
	vcpu_setup_long(vcpu2, count_guest, 3);
	EXPECT_EQ_U64(vcpu_run_sync(vcpu2), 0);
	EXPECT_EQ_U64(vcpu_run_sync(vcpu2), 1);
	EXPECT_EQ_U64(vcpu_run_sync(vcpu2), 2);
	vcpu_run_done(vcpu2);
}

TEST_HARNESS_MAIN
