/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The x86 layer's internal interface, and the one table of operations
 * through which it reaches a vendor backend (SVM or VMX).
 */
#ifndef KVMOD_X86_H
#define KVMOD_X86_H

#include <kvmod/kvmod_host.h>

/**
 * struct kvmod_x86_ops - what a vendor backend provides
 * @name: short name for log lines ("AMD-V", "VT-x").
 * @probe: check that this CPU model supports the backend and that firmware
 *	left it usable; logs one line saying why not and returns a negative
 *	errno otherwise.  Called once at module load.
 * @cpu_enable: turn virtualization on for the calling CPU (preemption
 *	disabled or pinned to that CPU); -EBUSY if someone else already has.
 * @cpu_disable: turn it off again, leaving the CPU as it was found.
 * @tdp_enabled: the backend maps guest memory with two-dimensional paging
 *	(NPT/EPT); decides the guest physical address width.
 */
struct kvmod_x86_ops {
	const char *name;
	int (*probe)(void);
	int (*cpu_enable)(void);
	void (*cpu_disable)(void);
	bool (*tdp_enabled)(void);
};

extern const struct kvmod_x86_ops *kvmod_x86;
extern const struct kvmod_x86_ops kvmod_svm_ops;
extern const struct kvmod_x86_ops kvmod_vmx_ops;

/* arch/x86/virt_enable.c: per-CPU virtualization, on while any VM exists. */
int kvmod_virt_get(void);
void kvmod_virt_put(void);

/* arch/x86/vcpu_state.c */
void kvmod_vcpu_reset(struct kvmod_vcpu *vcpu);
long kvmod_vcpu_state_ioctl(struct kvmod_vcpu *vcpu, unsigned int ioctl,
			    void __user *argp);

/* arch/x86/cpuid.c */
long kvmod_get_supported_cpuid(struct kvm_cpuid2 __user *argp);
long kvmod_vcpu_cpuid_ioctl(struct kvmod_vcpu *vcpu, unsigned int ioctl,
			    void __user *argp);
void kvmod_vcpu_cpuid_free(struct kvmod_vcpu *vcpu);
void kvmod_cpuid(struct kvmod_vcpu *vcpu, u32 *eax, u32 *ebx, u32 *ecx,
		 u32 *edx);

#endif /* KVMOD_X86_H */
