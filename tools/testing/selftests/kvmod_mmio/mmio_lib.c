// SPDX-License-Identifier: GPL-2.0
/*
 * MMIO selftest helpers: see mmio_lib.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "../kvmod/test_harness.h"
#include "../kvmod/kvm_util.h"
#include "mmio_lib.h"

void mmio_dev_init(struct mmio_dev *d, uint64_t base, uint64_t size,
		   uint8_t *mem)
{
	memset(d, 0, sizeof(*d));
	d->base = base;
	d->size = size;
	d->mem = mem;
}

void mmio_dev_serve(struct kvm_vcpu *vcpu, struct mmio_dev *d)
{
	struct kvm_run *run = vcpu->run;
	uint64_t gpa = run->mmio.phys_addr;
	uint32_t len = run->mmio.len;
	struct mmio_exit *e;

	if (gpa < d->base || len < 1 || len > 8 ||
	    gpa + len > d->base + d->size)
		vcpu_fail(vcpu, "MMIO exit outside the device");
	if (d->n >= MMIO_MAX_EXITS) {
		mmio_dump_log(d);
		vcpu_fail(vcpu, "too many MMIO exits");
	}
	e = &d->log[d->n++];
	e->gpa = gpa;
	e->len = len;
	e->is_write = run->mmio.is_write;
	if (e->is_write) {
		memcpy(e->data, run->mmio.data, len);
		memcpy(d->mem + (gpa - d->base), run->mmio.data, len);
	} else {
		memcpy(run->mmio.data, d->mem + (gpa - d->base), len);
		memcpy(e->data, run->mmio.data, len);
	}
}

uint32_t mmio_run(struct kvm_vcpu *vcpu, struct mmio_dev *d, uint32_t until)
{
	struct kvm_run *run = vcpu->run;
	int i;

	for (i = 0; i < 10000; i++) {
		vcpu_run_ok(vcpu);
		if (run->exit_reason == until)
			return until;
		if (run->exit_reason != KVM_EXIT_MMIO || !d ||
		    run->mmio.phys_addr < d->base ||
		    run->mmio.phys_addr >= d->base + d->size)
			return run->exit_reason;
		mmio_dev_serve(vcpu, d);
	}
	vcpu_fail(vcpu, "no end after 10000 exits");
}

void mmio_run_until(struct kvm_vcpu *vcpu, struct mmio_dev *d,
		    uint32_t until)
{
	struct ucall uc;

	if (mmio_run(vcpu, d, until) == until)
		return;
	if (vcpu_get_ucall(vcpu, &uc) != UCALL_NONE)
		TH_LOG("guest ucall %llu: 0x%llx 0x%llx 0x%llx",
		       (unsigned long long)uc.call,
		       (unsigned long long)uc.args[0],
		       (unsigned long long)uc.args[1],
		       (unsigned long long)uc.args[2]);
	if (d)
		mmio_dump_log(d);
	TH_LOG("expected exit %s", exit_reason_str(until));
	vcpu_fail(vcpu, "unexpected exit");
}

void mmio_dump_log(const struct mmio_dev *d)
{
	char buf[64];
	int i, j, n;

	for (i = 0; i < d->n; i++) {
		const struct mmio_exit *e = &d->log[i];

		n = 0;
		for (j = e->len - 1; j >= 0; j--)
			n += snprintf(buf + n, sizeof(buf) - n, "%02x",
				      e->data[j]);
		TH_LOG("  exit %d: %s len %u gpa 0x%llx (+0x%llx) data 0x%s", i,
		       e->is_write ? "write" : "read", e->len,
		       (unsigned long long)e->gpa,
		       (unsigned long long)(e->gpa - d->base), buf);
	}
}

bool mmio_check_log(const struct mmio_dev *d, const char *spec)
{
	const char *p = spec;
	unsigned long off;
	unsigned int len, done;
	char rw;
	int i = 0, used;

	while (*p) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		if (sscanf(p, "%c%u@%lx%n", &rw, &len, &off, &used) != 3)
			FAIL("bad exit spec '%s'", p);
		p += used;
		if (rw == 'r' || rw == 'w') {
			const struct mmio_exit *e = &d->log[i];

			if (i >= d->n || e->is_write != (rw == 'w') ||
			    e->len != len || e->gpa != d->base + off) {
				TH_LOG("exit %d: expected %c%u@%lx", i, rw, len,
				       off);
				goto bad;
			}
			i++;
			continue;
		}
		/* R/W: fragments of at most 8 bytes, ascending. */
		for (done = 0; done < len; done += d->log[i++].len) {
			const struct mmio_exit *e = &d->log[i];

			if (i >= d->n || e->is_write != (rw == 'W') ||
			    e->len > 8 || e->len > len - done ||
			    e->gpa != d->base + off + done) {
				TH_LOG("exit %d: expected a fragment of %c%u@%lx at +%u",
				       i, rw, len, off, done);
				goto bad;
			}
		}
	}
	if (i == d->n)
		return true;
	TH_LOG("%d exit(s) expected, %d seen", i, d->n);
bad:
	TH_LOG("expected exits: '%s'; seen:", spec);
	mmio_dump_log(d);
	return false;
}

static uint64_t parse_value(const char *v, uint64_t base, uint64_t ram)
{
	if (!strncmp(v, "m+", 2))
		return base + strtoull(v + 2, NULL, 16);
	if (!strncmp(v, "ram+", 4))
		return ram + strtoull(v + 4, NULL, 16);
	if (*v == '-')
		return (uint64_t)strtoll(v, NULL, 0);
	return strtoull(v, NULL, 0);
}

void setup_apply(const char *spec, struct kvm_regs *regs, uint8_t *devmem,
		 uint64_t base, uint64_t ram)
{
	static const char * const names[] = REG_NAMES;
	char tok[64], *eq;
	const char *p = spec;
	uint64_t v;
	int n, i;

	while (sscanf(p, " %63s%n", tok, &n) == 1) {
		p += n;
		eq = strchr(tok, '=');
		if (!eq)
			FAIL("bad setup token '%s'", tok);
		*eq = '\0';
		v = parse_value(eq + 1, base, ram);
		if (tok[0] == 'm') {
			memcpy(devmem + strtoul(tok + 1, NULL, 16), &v, 8);
			continue;
		}
		for (i = 0; i < NR_KVM_REGS; i++)
			if (!strcmp(tok, names[i]))
				break;
		if (i == NR_KVM_REGS)
			FAIL("unknown register '%s'", tok);
		reg_array(regs)[i] = v;
	}
}
