/* SPDX-License-Identifier: GPL-2.0 */
/*
 * CPUID: what kvmod virtualizes, and what a vCPU's CPUID table implies
 * for the rest of the vCPU state (arch/x86/cpuid.c).  The ioctl entry
 * points are declared in kvmod_x86.h.
 */
#ifndef KVMOD_CPUID_H
#define KVMOD_CPUID_H

#include <kvmod/kvmod_host.h>

/* KVM's limit on CPUID tables, for both directions. */
#define KVMOD_MAX_CPUID_ENTRIES	256

u64 kvmod_cr4_guest_reserved(struct kvmod_vcpu *vcpu);
unsigned int kvmod_guest_phys_bits(struct kvmod_vcpu *vcpu);
bool kvmod_guest_has_x2apic(struct kvmod_vcpu *vcpu);
bool kvmod_guest_has_tsc_deadline(struct kvmod_vcpu *vcpu);
bool kvmod_guest_has_tsc_adjust(struct kvmod_vcpu *vcpu);
bool kvmod_guest_has_mwait(struct kvmod_vcpu *vcpu);
bool kvmod_guest_has_sse3(struct kvmod_vcpu *vcpu);
void kvmod_cpuid_misc_enable_changed(struct kvmod_vcpu *vcpu);

#endif /* KVMOD_CPUID_H */
