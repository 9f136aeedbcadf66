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
