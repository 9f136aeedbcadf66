// SPDX-License-Identifier: GPL-2.0
/*
 * kvmbench: micro-benchmarks of a /dev/kvm provider (kvmod or the real
 * KVM).  Not a test: it never judges a time.  For each benchmark it prints
 *
 *   bench <name> <ns_per_op> <ops>
 *
 * and, with -x, the number of VM exits per operation counted by a kprobe
 * the caller set up (see tools/bench/guest-bench.sh):
 *
 *   exits <name> <exits_per_op> <ops>
 *
 * Exit status: 0, or 1 when a benchmark could not run.
 *
 * usage: kvmbench [-s SCALE] [-x] [-l] [name...]
 *   -s SCALE  multiply every iteration count by SCALE (default 1)
 *   -x        count exits through the "bench_exit" kprobe
 *   -l        list the benchmarks
 */
#include <fcntl.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "../testing/selftests/kvmod/test_harness.h"
#include "../testing/selftests/kvmod/kvm_util.h"
#include "../testing/selftests/kvmod_guest/guest_lib.h"

KH_DEFINE_STATE;

#define BENCH_PORT	0x99		/* no device behind it on either */
#define MMIO_GPA	0xc0000000UL	/* identity-mapped, no memslot */
#define FAULT_GPA	0x40000000UL	/* the fault-in slot */
#define FAULT_SLOT	1
#define MSR_IA32_TSC	0x10		/* intercepted by both */
#define WARMUP		64

#define KPROBE_PROFILE	"/sys/kernel/debug/tracing/kprobe_profile"
#define KPROBE_NAME	"bench_exit"

static double scale = 1.0;
static int count_exits;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* Hits of the bench_exit kprobe so far, or -1 without it. */
static long long exit_hits(void)
{
	char name[128];
	long long hits, misses;
	FILE *f;

	if (!count_exits)
		return -1;
	f = fopen(KPROBE_PROFILE, "r");
	if (!f)
		return -1;
	while (fscanf(f, "%127s %lld %lld", name, &hits, &misses) == 3) {
		if (!strcmp(name, KPROBE_NAME)) {
			fclose(f);
			return hits;
		}
	}
	fclose(f);
	return -1;
}

struct span {
	uint64_t t0;
	long long x0;
};

static void span_begin(struct span *s)
{
	s->x0 = exit_hits();
	s->t0 = now_ns();
}

static void span_end(struct span *s, const char *name, uint64_t ops)
{
	uint64_t t = now_ns() - s->t0;
	long long x = exit_hits();

	printf("bench %s %.1f %llu\n", name, (double)t / ops,
	       (unsigned long long)ops);
	if (s->x0 >= 0 && x >= 0)
		printf("exits %s %.3f %llu\n", name,
		       (double)(x - s->x0) / ops, (unsigned long long)ops);
	fflush(stdout);
}

static uint64_t iters(uint64_t base)
{
	uint64_t n = (uint64_t)(base * scale);

	return n ? n : 1;
}

/* ---------------------------------------------------------------------
 * Guest code: a short warm-up, SYNC, the timed loop, then DONE (return).
 */

GUEST_CODE static void guest_loop_pio(uint64_t n)
{
	uint64_t i;

	for (i = 0; i < WARMUP; i++)
		asm volatile("outb %%al, %0" : : "i"(BENCH_PORT), "a"(0));
	GUEST_SYNC(0);
	for (i = 0; i < n; i++)
		asm volatile("outb %%al, %0" : : "i"(BENCH_PORT), "a"(0));
}

GUEST_CODE static void guest_loop_mmio(uint64_t n)
{
	volatile uint32_t *p = (volatile uint32_t *)MMIO_GPA;
	uint64_t i;

	for (i = 0; i < WARMUP; i++)
		*p = (uint32_t)i;
	GUEST_SYNC(0);
	for (i = 0; i < n; i++)
		*p = (uint32_t)i;
}

GUEST_CODE static void guest_loop_cpuid(uint64_t n)
{
	uint32_t a, b, c, d;
	uint64_t i;

	for (i = 0; i < WARMUP; i++)
		guest_cpuid(0, 0, &a, &b, &c, &d);
	GUEST_SYNC(0);
	for (i = 0; i < n; i++)
		guest_cpuid(0, 0, &a, &b, &c, &d);
}

GUEST_CODE static void guest_loop_rdmsr(uint64_t n)
{
	uint64_t i;

	for (i = 0; i < WARMUP; i++)
		rdmsr(MSR_IA32_TSC);
	GUEST_SYNC(0);
	for (i = 0; i < n; i++)
		rdmsr(MSR_IA32_TSC);
}

/* Touch one byte in each of n fresh 4 KiB pages of the fault-in slot. */
GUEST_CODE static void guest_loop_fault(uint64_t n)
{
	uint64_t i;

	GUEST_SYNC(0);
	for (i = 0; i < n; i++)
		*(volatile uint8_t *)(FAULT_GPA + i * 4096) = 1;
}

/* ---------------------------------------------------------------------
 * Host side.
 */

static struct kvm_vcpu *bench_vcpu(struct kvm_vm **vmp, void (*fn)(uint64_t),
				   uint64_t n)
{
	struct kvm_vcpu *vcpu;

	*vmp = vm_new(0);
	vcpu = vcpu_add(*vmp, 0);
	vcpu_setup_long(vcpu, fn, n);
	return vcpu;
}

/*
 * Run until the guest's SYNC, re-entering on every exit of the expected
 * kind; with stop_at_sync clear, run until DONE instead.  Returns the
 * number of expected exits seen.
 */
static uint64_t run_loop(struct kvm_vcpu *vcpu, uint32_t reason,
			 int stop_at_sync)
{
	struct kvm_run *run = vcpu->run;
	uint64_t seen = 0;
	struct ucall uc;

	for (;;) {
		if (vcpu_run(vcpu))
			vcpu_fail(vcpu, "KVM_RUN failed");
		if (run->exit_reason == reason && reason == KVM_EXIT_IO &&
		    run->io.port == BENCH_PORT) {
			seen++;
			continue;
		}
		if (run->exit_reason == reason && reason == KVM_EXIT_MMIO &&
		    run->mmio.phys_addr == MMIO_GPA && run->mmio.is_write) {
			seen++;
			continue;
		}
		switch (vcpu_get_ucall(vcpu, &uc)) {
		case UCALL_SYNC:
			if (stop_at_sync)
				return seen;
			break;
		case UCALL_DONE:
			if (!stop_at_sync)
				return seen;
			break;
		default:
			break;
		}
		vcpu_fail(vcpu, "unexpected exit");
	}
}

/* A guest loop of n exits that each return to this loop. */
static void bench_user_exit(const char *name, void (*fn)(uint64_t),
			    uint32_t reason, uint64_t base)
{
	uint64_t n = iters(base), seen;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	struct span s;

	vcpu = bench_vcpu(&vm, fn, n);
	run_loop(vcpu, reason, 1);
	span_begin(&s);
	seen = run_loop(vcpu, reason, 0);
	span_end(&s, name, n);
	if (seen != n) {
		fprintf(stderr, "%s: %llu exits, expected %llu\n", name,
			(unsigned long long)seen, (unsigned long long)n);
		exit(1);
	}
	vcpu_free(vcpu);
	vm_free(vm);
}

/* A guest loop that needs no userspace: one KVM_RUN from SYNC to DONE. */
static void bench_kernel_exit(const char *name, void (*fn)(uint64_t),
			      uint64_t base)
{
	uint64_t n = iters(base);
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	struct span s;

	vcpu = bench_vcpu(&vm, fn, n);
	run_loop(vcpu, KVM_EXIT_UNKNOWN, 1);
	span_begin(&s);
	run_loop(vcpu, KVM_EXIT_UNKNOWN, 0);
	span_end(&s, name, n);
	vcpu_free(vcpu);
	vm_free(vm);
}

static void bench_pio(void)
{
	bench_user_exit("pio_exit", guest_loop_pio, KVM_EXIT_IO, 4000);
}

static void bench_mmio(void)
{
	bench_user_exit("mmio_exit", guest_loop_mmio, KVM_EXIT_MMIO, 4000);
}

static void bench_cpuid(void)
{
	bench_kernel_exit("cpuid_exit", guest_loop_cpuid, 10000);
}

static void bench_msr(void)
{
	bench_kernel_exit("rdmsr_exit", guest_loop_rdmsr, 10000);
}

/*
 * First touch of n pages of a slot whose host memory was never touched
 * either, with 4 KiB host pages (no THP): the host page fault and the
 * nested page table fill, per page.
 */
static void bench_fault(void)
{
	uint64_t n = iters(2048), size = n * 4096;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	struct span s;
	void *mem;

	vcpu = bench_vcpu(&vm, guest_loop_fault, n);
	mem = mmap(NULL, size, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	ASSERT_TRUE(mem != MAP_FAILED);
	/* Not fatal: a kernel without THP has nothing to turn off. */
	madvise(mem, size, MADV_NOHUGEPAGE);
	ASSERT_OK(memslot_set(vm->fd, FAULT_SLOT, 0, FAULT_GPA, size,
			      (uintptr_t)mem));
	run_loop(vcpu, KVM_EXIT_UNKNOWN, 1);
	span_begin(&s);
	run_loop(vcpu, KVM_EXIT_UNKNOWN, 0);
	span_end(&s, "fault_4k", n);
	vcpu_free(vcpu);
	vm_free(vm);
	munmap(mem, size);
}

/* KVM_CREATE_VM, KVM_CREATE_VCPU, close both: the whole lifetime. */
static void bench_vm_create(void)
{
	uint64_t n = iters(20), i;
	int kvm_fd = kvm_open();
	struct span s;
	int vm_fd, vcpu_fd;

	/* Warm-up: the first VM may allocate once-only state. */
	vm_fd = vm_create(kvm_fd);
	close(vcpu_create(vm_fd, 0));
	close(vm_fd);
	span_begin(&s);
	for (i = 0; i < n; i++) {
		vm_fd = vm_create(kvm_fd);
		vcpu_fd = vcpu_create(vm_fd, 0);
		close(vcpu_fd);
		close(vm_fd);
	}
	span_end(&s, "vm_create", n);
	close(kvm_fd);
}

static const struct {
	const char *name;
	void (*fn)(void);
} benches[] = {
	{ "pio_exit", bench_pio },
	{ "mmio_exit", bench_mmio },
	{ "cpuid_exit", bench_cpuid },
	{ "rdmsr_exit", bench_msr },
	{ "fault_4k", bench_fault },
	{ "vm_create", bench_vm_create },
};

/* Each benchmark in a child, so that one that breaks cannot stop the rest. */
static int run_one(unsigned int i)
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		perror("fork");
		return 1;
	}
	if (pid == 0) {
		benches[i].fn();
		fflush(stdout);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) < 0) {
		perror("waitpid");
		return 1;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	printf("broken %s status 0x%x\n", benches[i].name, status);
	fflush(stdout);
	return 1;
}

static void usage(void)
{
	fprintf(stderr, "usage: kvmbench [-s SCALE] [-x] [-l] [name...]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned int i;
	int opt, j, rc = 0, found;

	while ((opt = getopt(argc, argv, "s:xl")) != -1) {
		switch (opt) {
		case 's':
			scale = atof(optarg);
			if (scale <= 0)
				usage();
			break;
		case 'x':
			count_exits = 1;
			break;
		case 'l':
			for (i = 0; i < ARRAY_SIZE(benches); i++)
				printf("%s\n", benches[i].name);
			return 0;
		default:
			usage();
		}
	}
	for (j = optind; j < argc; j++) {
		found = 0;
		for (i = 0; i < ARRAY_SIZE(benches); i++)
			found |= !strcmp(argv[j], benches[i].name);
		if (!found) {
			fprintf(stderr, "kvmbench: no benchmark %s\n", argv[j]);
			return 2;
		}
	}
	for (i = 0; i < ARRAY_SIZE(benches); i++) {
		found = optind == argc;
		for (j = optind; j < argc; j++)
			found |= !strcmp(argv[j], benches[i].name);
		if (found)
			rc |= run_one(i);
	}
	return rc;
}
