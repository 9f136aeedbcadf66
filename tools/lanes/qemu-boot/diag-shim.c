// SPDX-License-Identifier: GPL-2.0
/*
 * Diagnosis only (build.sh --variant diag), never part of the pass/fail
 * test: preloaded into QEMU, it papers over what QEMU 7.2 is known to trip
 * over on kvmod so the boot can show what comes next.
 *
 * - KVM_CHECK_EXTENSION(KVM_CAP_IRQ_ROUTING) answers 1 if the kernel says 0
 *   (QEMU's x86 kvm_arch_init refuses to start without it, even with
 *   kernel-irqchip=off);
 * - KVM_GET/SET_MSRS: an MSR the kernel refuses is logged once and dropped
 *   from that and every later list; reads of it give 0;
 * - every other failing KVM ioctl is logged (KVM_RUN's EINTR/EAGAIN aside).
 *
 * QEMU passes the request as an int, so _IOWR numbers arrive sign-extended:
 * compare them as unsigned int.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/kvm.h>

static int (*real)(int, unsigned long, ...);

/* KVM_GET/SET_MSRS minus every MSR kvmod refuses: drop the entry where
 * the real ioctl stopped, log it once, retry.  Dropped reads give 0. */
static __u32 refused[256];
static int nrefused;

static int is_refused(__u32 i)
{
	int k;

	for (k = 0; k < nrefused; k++)
		if (refused[k] == i)
			return 1;
	return 0;
}

static int msrs(int fd, unsigned long req, struct kvm_msrs *m)
{
	struct kvm_msrs *c;
	__u32 i, n = 0, k;
	int ret;

	c = calloc(1, sizeof(*c) + m->nmsrs * sizeof(m->entries[0]));
	for (i = 0; i < m->nmsrs; i++)
		if (!is_refused(m->entries[i].index))
			c->entries[n++] = m->entries[i];
	for (;;) {
		c->nmsrs = n;
		ret = real(fd, req, c);
		if (ret < 0 || (__u32)ret >= n)
			break;
		fprintf(stderr, "shim: %s_MSRS refuses 0x%x (data 0x%llx)\n",
			(unsigned int)req == KVM_GET_MSRS ? "GET" : "SET", c->entries[ret].index,
			(unsigned long long)c->entries[ret].data);
		if (nrefused < 256)
			refused[nrefused++] = c->entries[ret].index;
		memmove(&c->entries[ret], &c->entries[ret + 1],
			(n - ret - 1) * sizeof(c->entries[0]));
		n--;
	}
	if (ret < 0) {
		free(c);
		return ret;
	}
	for (i = 0, k = 0; i < m->nmsrs; i++) {
		if (k < n && c->entries[k].index == m->entries[i].index)
			m->entries[i] = c->entries[k++];
		else if ((unsigned int)req == KVM_GET_MSRS)
			m->entries[i].data = 0;
	}
	free(c);
	return m->nmsrs;
}

/*
 * Watchdog: every 5 s, what the vCPU did since the last report (KVM_RUN
 * returns by exit reason, KVM_INTERRUPT calls) and the window fields of
 * kvm_run, so a stalled boot shows whether the vCPU is stuck in the kernel
 * (no returns), halted waiting for an interrupt, or spinning on exits.
 */
static int vcpu_fd = -1;
static struct kvm_run *vcpu_run;
static unsigned long nexits[64], nintr, nruns;

static void *watchdog(void *unused)
{
	unsigned long last[64] = { 0 }, lintr = 0, lruns = 0, now;
	int i, t = 0;
	char line[1024];
	int n;

	for (;;) {
		sleep(5);
		t += 5;
		n = snprintf(line, sizeof(line), "shim-wd t=%d runs=+%lu intr=+%lu", t,
			     (now = nruns) - lruns, nintr - lintr);
		lruns = now;
		lintr = nintr;
		for (i = 0; i < 64; i++) {
			if (nexits[i] != last[i])
				n += snprintf(line + n, sizeof(line) - n, " r%d=+%lu", i,
					      nexits[i] - last[i]);
			last[i] = nexits[i];
		}
		if (vcpu_run)
			n += snprintf(line + n, sizeof(line) - n,
				      " last=%u riw=%u ready=%u if=%u cr8=%llu",
				      vcpu_run->exit_reason,
				      vcpu_run->request_interrupt_window,
				      vcpu_run->ready_for_interrupt_injection,
				      vcpu_run->if_flag,
				      (unsigned long long)vcpu_run->cr8);
		fprintf(stderr, "%s\n", line);
	}
	return NULL;
}

__attribute__((constructor)) static void start_watchdog(void)
{
	pthread_t t;

	pthread_create(&t, NULL, watchdog, NULL);
}

static void *shim_mmap(const char *name, void *addr, size_t len, int prot,
		       int flags, int fd, off_t off)
{
	void *(*real_mmap)(void *, size_t, int, int, int, off_t);
	void *p;

	real_mmap = dlsym(RTLD_NEXT, name);
	p = real_mmap(addr, len, prot, flags, fd, off);
	if (fd >= 0 && fd == vcpu_fd && p != MAP_FAILED && !vcpu_run)
		vcpu_run = p;
	return p;
}

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	return shim_mmap("mmap", addr, len, prot, flags, fd, off);
}

void *mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	return shim_mmap("mmap64", addr, len, prot, flags, fd, off);
}

/* Guest RAM as QEMU registered it, to show the code and stack. */
static struct kvm_userspace_memory_region slots[32];
static int nslots;

static void *gpa_to_hva(__u64 gpa)
{
	int i;

	for (i = 0; i < nslots; i++)
		if (slots[i].memory_size && gpa >= slots[i].guest_phys_addr &&
		    gpa < slots[i].guest_phys_addr + slots[i].memory_size)
			return (void *)(unsigned long)(slots[i].userspace_addr +
						       gpa - slots[i].guest_phys_addr);
	return NULL;
}

static void *gva_to_hva(int fd, __u64 gva)
{
	struct kvm_translation t = { .linear_address = gva };

	if (real(fd, KVM_TRANSLATE, &t) || !t.valid)
		return NULL;
	return gpa_to_hva(t.physical_address);
}

static void dump_guest(int fd, struct kvm_regs *r)
{
	unsigned char *code = gva_to_hva(fd, r->rip);
	unsigned long long *stk = gva_to_hva(fd, r->rsp);
	struct {
		struct kvm_msrs h;
		struct kvm_msr_entry e;
	} m = { .h.nmsrs = 1, .e.index = 0x10 };
	int i;

	real(fd, KVM_GET_MSRS, &m);
	if (gva_to_hva(fd, r->rbx))
		fprintf(stderr, "shim-lockword %x\n", *(unsigned int *)gva_to_hva(fd, r->rbx));
	fprintf(stderr, "shim-regs rax=%llx rbx=%llx rcx=%llx rdx=%llx rsi=%llx rdi=%llx rbp=%llx rsp=%llx r8=%llx tsc=%llx\n",
		r->rax, r->rbx, r->rcx, r->rdx, r->rsi, r->rdi, r->rbp, r->rsp,
		r->r8, m.e.data);
	if (code) {
		fprintf(stderr, "shim-code");
		for (i = -16; i < 16; i++)
			fprintf(stderr, "%s%02x", i == 0 ? " | " : " ", code[i]);
		fprintf(stderr, "\n");
	}
	if (stk) {
		fprintf(stderr, "shim-stack");
		for (i = 0; i < 160 && (i == 0 || ((unsigned long)(stk + i) & 4095) != 0); i++)
			fprintf(stderr, " %llx", stk[i]);
		fprintf(stderr, "\n");
	}
}

/* Every 2000th KVM_RUN return, from the vCPU thread: where is the guest? */
static void dump_vcpu(int fd, int ret, int err)
{
	struct kvm_regs r;
	struct kvm_sregs s;
	struct kvm_vcpu_events e;

	if (real(fd, KVM_GET_REGS, &r) || real(fd, KVM_GET_SREGS, &s) ||
	    real(fd, KVM_GET_VCPU_EVENTS, &e))
		return;
	fprintf(stderr, "shim-vcpu ret=%d errno=%d exit=%u rip=%llx rflags=%llx cr0=%llx "
		"irq.inj=%u/%u shadow=%u nmi=%u/%u/%u exc=%u/%u riw=%u ready=%u ie=%u\n",
		ret, err, vcpu_run ? vcpu_run->exit_reason : 999,
		(unsigned long long)r.rip, (unsigned long long)r.rflags,
		(unsigned long long)s.cr0, e.interrupt.injected, e.interrupt.nr,
		e.interrupt.shadow, e.nmi.injected, e.nmi.pending, e.nmi.masked,
		e.exception.injected, e.exception.nr,
		vcpu_run ? vcpu_run->request_interrupt_window : 9,
		vcpu_run ? vcpu_run->ready_for_interrupt_injection : 9,
		vcpu_run ? vcpu_run->immediate_exit : 9);
	if (ret < 0)
		dump_guest(fd, &r);
}

int ioctl(int fd, unsigned long req, ...)
{
	va_list ap;
	void *arg;
	int ret, e;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (!real)
		real = dlsym(RTLD_NEXT, "ioctl");
	if ((unsigned int)req == KVM_GET_MSRS || (unsigned int)req == KVM_SET_MSRS)
		ret = msrs(fd, req, arg);
	else
		ret = real(fd, req, arg);
	e = errno;
	if ((unsigned int)req == KVM_SET_USER_MEMORY_REGION && ret == 0) {
		struct kvm_userspace_memory_region *mr = arg;

		fprintf(stderr, "shim-slot %u flags %x gpa %llx size %llx\n",
			mr->slot, mr->flags, (unsigned long long)mr->guest_phys_addr,
			(unsigned long long)mr->memory_size);

		if (mr->slot < 32) {
			slots[mr->slot] = *mr;
			if ((int)mr->slot >= nslots)
				nslots = mr->slot + 1;
		}
	}
	if ((unsigned int)req == KVM_CREATE_VCPU && ret >= 0 && vcpu_fd < 0)
		vcpu_fd = ret;
	if ((unsigned int)req == KVM_INTERRUPT && ret == 0)
		nintr++;
	if ((unsigned int)req == KVM_RUN) {
		nruns++;
		if (ret == 0 && vcpu_run && vcpu_run->exit_reason < 63)
			nexits[vcpu_run->exit_reason]++;
		else if (ret < 0)
			nexits[63]++;
		if (nruns % 2000 == 0)
			dump_vcpu(fd, ret, e);
		/* RAM is below 256 MiB here: MMIO there means a lost memslot. */
		if (ret == 0 && vcpu_run && vcpu_run->exit_reason == KVM_EXIT_MMIO &&
		    vcpu_run->mmio.phys_addr < 0x10000000 &&
		    (vcpu_run->mmio.phys_addr < 0xa0000 ||
		     vcpu_run->mmio.phys_addr >= 0x100000)) {
			static int nlow;

			if (nlow++ < 40)
				fprintf(stderr, "shim-lowmmio gpa=%llx len=%u write=%u\n",
					(unsigned long long)vcpu_run->mmio.phys_addr,
					vcpu_run->mmio.len, vcpu_run->mmio.is_write);
		}
	}
	if (req == KVM_CHECK_EXTENSION) {
		if ((long)arg == KVM_CAP_IRQ_ROUTING && ret == 0) {
			fprintf(stderr, "shim: faking KVM_CAP_IRQ_ROUTING=1\n");
			ret = 1;
		}
	} else if (ret < 0 && ((req >> 8) & 0xff) == KVMIO &&
		   !((unsigned int)req == KVM_RUN && (e == EINTR || e == EAGAIN))) {
		fprintf(stderr, "shim: ioctl fd %d req 0x%lx (nr 0x%lx) -> %d errno %d\n",
			fd, req, req & 0xff, ret, e);
	}
	errno = e;
	return ret;
}
