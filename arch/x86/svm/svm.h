/* SPDX-License-Identifier: GPL-2.0 */
/*
 * AMD-V backend internals, shared by the files of arch/x86/svm/ only.
 */
#ifndef KVMOD_SVM_H
#define KVMOD_SVM_H

#include <linux/percpu.h>
#include <asm/svm.h>

#include <kvmod_x86.h>

/**
 * struct svm_cpu - per-CPU AMD-V state
 * @hsave: where VMRUN saves host state (VM_HSAVE_PA).
 * @host_save: where we VMSAVE the host's FS/GS/TR/LDTR and syscall MSRs.
 * @asid_generation: bumped when ASIDs run out and the TLB is flushed.
 * @next_asid: next ASID to hand out on this CPU.
 * @flush_all: a new generation began: the next VMRUN that succeeds must
 *	flush every ASID first.
 * @last_vmcb: the VMCB that last ran here (IBPB between different ones).
 */
struct svm_cpu {
	struct page *hsave;
	struct page *host_save;
	u64 asid_generation;
	u32 next_asid;
	bool flush_all;
	struct vmcb *last_vmcb;
};

DECLARE_PER_CPU(struct svm_cpu, svm_cpus);

/* Architectural values after RESET (SDM Vol. 3 9.1.1, APM Vol. 2 14.1.3). */
#define DR6_RESET	0xffff0ff0ULL
#define DR7_RESET	0x400ULL
#define PAT_RESET	0x0007040600070406ULL

/**
 * struct svm_vcpu - per-vCPU AMD-V state
 * @vcpu: the generic vCPU.
 * @vmcb: the guest's VMCB; @vmcb_pa its physical address.
 * @asid: ASID on @asid_cpu, valid while @asid_generation matches the CPU's.
 * @asid_cpu: the CPU @asid belongs to.
 * @asid_generation: the CPU's generation when @asid was handed out.
 * @guest_owns_dr: DR accesses no longer exit; DR0-3 are switched on entry.
 * @dr: the guest's DR0-3.
 * @awaiting_iret: an IRET intercepted while NMIs were blocked has not
 *	completed yet; @iret_rip is where it was.
 * @hw_bp: userspace's hardware breakpoints are in force; the guest's DR7
 *	waits in @guest_dr7.
 */
struct svm_vcpu {
	struct kvmod_vcpu *vcpu;
	struct vmcb *vmcb;
	u64 vmcb_pa;
	u32 asid;
	int asid_cpu;
	u64 asid_generation;
	bool guest_owns_dr;
	unsigned long dr[4];
	bool awaiting_iret;
	u64 iret_rip;
	bool hw_bp;
	u64 guest_dr7;
};

static inline struct svm_vcpu *to_svm(struct kvmod_vcpu *vcpu)
{
	return vcpu->arch.vendor;
}

/* svm_cpu.c */
extern u32 svm_max_asid;
extern bool svm_nrips;
extern u64 svm_iopm_pa;
extern u64 svm_msrpm_pa;

/* svm.c */
int svm_vcpu_create(struct kvmod_vcpu *vcpu);
void svm_vcpu_free(struct kvmod_vcpu *vcpu);
void svm_vcpu_reset(struct kvmod_vcpu *vcpu);
void svm_get_sregs(struct kvmod_vcpu *vcpu, struct kvm_sregs *sregs);
void svm_set_sregs(struct kvmod_vcpu *vcpu, const struct kvm_sregs *sregs);
u64 svm_get_cr4(struct kvmod_vcpu *vcpu);
u64 svm_get_cr8(struct kvmod_vcpu *vcpu);
void svm_set_cr8(struct kvmod_vcpu *vcpu, u64 cr8);
void svm_update_guest_debug(struct kvmod_vcpu *vcpu);
u8 svm_get_interrupt_shadow(struct kvmod_vcpu *vcpu);
void svm_set_interrupt_shadow(struct kvmod_vcpu *vcpu, u8 shadow);
void svm_get_debugregs(struct kvmod_vcpu *vcpu, struct kvm_debugregs *dbg);
void svm_set_debugregs(struct kvmod_vcpu *vcpu,
		       const struct kvm_debugregs *dbg);
int svm_get_msr(struct kvmod_vcpu *vcpu, u32 index, u64 *data);
int svm_set_msr(struct kvmod_vcpu *vcpu, u32 index, u64 data);
void svm_run(struct kvmod_vcpu *vcpu, bool flush_tlb, int irq_window);
void set_intercept(struct vmcb *vmcb, unsigned int bit);
void clr_intercept(struct vmcb *vmcb, unsigned int bit);
u64 svm_next_rip(struct svm_vcpu *svm, unsigned int len);
void svm_skip_instruction(struct svm_vcpu *svm, unsigned int len);
void svm_dump_vmcb(struct svm_vcpu *svm);
void svm_intercept_dr(struct svm_vcpu *svm, bool on);

/* svm_exit.c */
int svm_handle_exit(struct kvmod_vcpu *vcpu);

/* svm_vmrun.S */
void kvmod_svm_vmrun(u64 vmcb_pa, struct kvm_regs *regs, u64 host_save_pa);

#endif /* KVMOD_SVM_H */
