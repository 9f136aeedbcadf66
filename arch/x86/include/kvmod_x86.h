/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The x86 layer's internal interface, and the one table of operations
 * through which it reaches a vendor backend (SVM or VMX).
 */
#ifndef KVMOD_X86_H
#define KVMOD_X86_H

#include <asm/msr-index.h>

#include <kvmod/kvmod_host.h>

/**
 * struct kvmod_x86_ops - what a vendor backend provides
 * @name: short name for log lines ("AMD-V", "VT-x").
 * @probe: check that this CPU supports the backend and that firmware left
 *	it usable, and set up global resources; -ENODEV, silently, when the
 *	feature is absent; otherwise one log line and a negative errno.
 * @teardown: free what @probe set up (module unload).
 * @cpu_enable: turn virtualization on for the calling CPU (pinned to it);
 *	-EBUSY if someone else already has.
 * @cpu_disable: turn it off again, leaving the CPU as it was found.
 * @tdp_format: entry format of its two-dimensional page tables, or NULL
 *	when the CPU has none (guests cannot run yet then).
 * @vcpu_create: allocate per-vCPU state (vcpu->arch.vendor); the VM's MMU
 *	exists already.
 * @vcpu_free: free it.
 * @vcpu_reset: put the backend-held state in the RESET state.
 * @get_sregs: segments, descriptor tables, CR0/2/3/4/8 and EFER as KVM
 *	reports them (apic_base and interrupt_bitmap are not the backend's).
 * @set_sregs: load them; the x86 layer has validated them.
 * @get_cr4: the guest's CR4, cheaply.
 * @get_interrupt_shadow: KVM_X86_SHADOW_INT_* bits now in effect.
 * @set_interrupt_shadow: set them.
 * @get_debugregs: DR0-3, DR6, DR7 as the guest sees them.
 * @set_debugregs: load them (validated by the x86 layer).
 * @get_cr8: the task-priority register, for kvm_run on exit.
 * @set_cr8: set it, from kvm_run on entry.
 * @update_guest_debug: apply vcpu->arch.guest_debug (intercepts, DRs).
 * @get_msr: read an MSR the backend holds (0), or -ENOENT if not its.
 * @set_msr: write one (0), -ENOENT if not its, 1 if the value is invalid.
 * @run: enter the guest once.  Called with interrupts and preemption
 *	disabled and vcpu->arch.mode set; @flush_tlb asks to drop the guest's
 *	cached translations first.  Exchanges RAX/RSP/RIP/RFLAGS with
 *	vcpu->arch.regs, delivers one queued event (exception, NMI,
 *	interrupt: see kvmod_next_event()), asks for an exit when interrupts
 *	open as @irq_window says (KVMOD_IRQ_WINDOW_ANY: any interrupt; a
 *	priority class 0-15: one of that class, which the TPR may hold
 *	back), and queues back an event whose delivery the exit
 *	interrupted (kvmod_requeue_event()).
 * @handle_exit: handle the exit @run returned from, interrupts enabled.
 *	Returns 1 to re-enter the guest, 0 to return to userspace with
 *	vcpu->run filled, or a negative errno for KVM_RUN.
 */
struct kvmod_x86_ops {
	const char *name;
	int (*probe)(void);
	void (*teardown)(void);
	int (*cpu_enable)(void);
	void (*cpu_disable)(void);
	const struct kvmod_tdp_format *(*tdp_format)(void);

	int (*vcpu_create)(struct kvmod_vcpu *vcpu);
	void (*vcpu_free)(struct kvmod_vcpu *vcpu);
	void (*vcpu_reset)(struct kvmod_vcpu *vcpu);
	void (*get_sregs)(struct kvmod_vcpu *vcpu, struct kvm_sregs *sregs);
	void (*set_sregs)(struct kvmod_vcpu *vcpu,
			  const struct kvm_sregs *sregs);
	u64 (*get_cr4)(struct kvmod_vcpu *vcpu);
	u8 (*get_interrupt_shadow)(struct kvmod_vcpu *vcpu);
	void (*set_interrupt_shadow)(struct kvmod_vcpu *vcpu, u8 shadow);
	void (*get_debugregs)(struct kvmod_vcpu *vcpu,
			      struct kvm_debugregs *dbg);
	void (*set_debugregs)(struct kvmod_vcpu *vcpu,
			      const struct kvm_debugregs *dbg);
	u64 (*get_cr8)(struct kvmod_vcpu *vcpu);
	void (*set_cr8)(struct kvmod_vcpu *vcpu, u64 cr8);
	void (*update_guest_debug)(struct kvmod_vcpu *vcpu);
	int (*get_msr)(struct kvmod_vcpu *vcpu, u32 index, u64 *data);
	int (*set_msr)(struct kvmod_vcpu *vcpu, u32 index, u64 data);

	void (*run)(struct kvmod_vcpu *vcpu, bool flush_tlb, int irq_window);
	int (*handle_exit)(struct kvmod_vcpu *vcpu);
};

extern const struct kvmod_x86_ops *kvmod_x86;
extern const struct kvmod_x86_ops kvmod_svm_ops;
extern const struct kvmod_x86_ops kvmod_vmx_ops;

/* arch/x86/virt_enable.c: per-CPU virtualization, on while any VM exists. */
int kvmod_virt_get(void);
void kvmod_virt_put(void);

/* arch/x86/vcpu_state.c */
void kvmod_vcpu_reset(struct kvmod_vcpu *vcpu, bool init);
long kvmod_vcpu_state_ioctl(struct kvmod_vcpu *vcpu, unsigned int ioctl,
			    void __user *argp);
void kvmod_get_sregs(struct kvmod_vcpu *vcpu, struct kvm_sregs *s);
int kvmod_set_sregs(struct kvmod_vcpu *vcpu, struct kvm_sregs *s);
void kvmod_set_regs(struct kvmod_vcpu *vcpu, const struct kvm_regs *regs);
void kvmod_reset_segment(struct kvm_segment *seg, u16 selector, u64 base,
			 u8 type, bool system);

struct x86_emu_ctxt;
struct x86_emu_exception;
struct x86_insn;

/* arch/x86/run.c */
void kvmod_flush_remote_tlbs(struct kvmod_vm *vm);
void kvmod_queue_exception(struct kvmod_vcpu *vcpu, u8 vector,
			   bool has_error_code, u32 error_code);
void kvmod_queue_pf(struct kvmod_vcpu *vcpu, u64 cr2, u32 error_code);
void kvmod_queue_emul_exception(struct kvmod_vcpu *vcpu,
				const struct x86_emu_exception *ex);
int kvmod_internal_error(struct kvmod_vcpu *vcpu, u32 suberror, int ndata,
			 const u64 *data);

/* arch/x86/events.c */
enum kvmod_event_kind {
	KVMOD_EVENT_NONE,
	KVMOD_EVENT_EXCEPTION,
	KVMOD_EVENT_NMI,
	KVMOD_EVENT_INTR,
};

/**
 * struct kvmod_event - one event to deliver at the next entry
 * @kind: what it is.
 * @vector: its vector.
 * @has_error_code: an exception pushing @error_code.
 * @error_code: the error code.
 */
struct kvmod_event {
	enum kvmod_event_kind kind;
	u8 vector;
	bool has_error_code;
	u32 error_code;
};

bool kvmod_next_event(struct kvmod_vcpu *vcpu, bool shadow,
		      struct kvmod_event *ev);
void kvmod_requeue_event(struct kvmod_vcpu *vcpu,
			 const struct kvmod_event *ev);
int kvmod_irq_window_wanted(struct kvmod_vcpu *vcpu);
bool kvmod_ready_for_interrupt(struct kvmod_vcpu *vcpu);
void kvmod_post_run(struct kvmod_vcpu *vcpu);
void kvmod_get_events(struct kvmod_vcpu *vcpu, struct kvm_vcpu_events *e);
int kvmod_set_events(struct kvmod_vcpu *vcpu, const struct kvm_vcpu_events *e);
long kvmod_events_ioctl(struct kvmod_vcpu *vcpu, unsigned int ioctl,
			void __user *argp);

/* arch/x86/fpu.c */
long kvmod_fpu_ioctl(struct kvmod_vcpu *vcpu, unsigned int ioctl,
		     void __user *argp);


/* arch/x86/guest_mem.c */
#define KVMOD_GPA_MMIO	1
int kvmod_gpa_rw(struct kvmod_vcpu *vcpu, u64 gpa, void *buf,
		 unsigned int len, bool write);
#define KVMOD_FETCH_BYTES	16
int kvmod_gpa_fetch(struct kvmod_vcpu *vcpu, u64 gpa, u8 *buf);
int kvmod_gva_to_gpa(struct kvmod_vcpu *vcpu, const struct kvm_sregs *s,
		     u64 rflags, u64 gva, unsigned int access, u64 *gpa,
		     u32 *pf_error);
int kvmod_linear_rw(struct kvmod_vcpu *vcpu, const struct kvm_sregs *s,
		    u64 rflags, u8 cpl, u64 la, void *buf, unsigned int len,
		    bool write);

/* arch/x86/emul.c */
void kvmod_emul_ctxt_init(struct kvmod_vcpu *vcpu, struct x86_emu_ctxt *c,
			  struct kvm_sregs *s);
void kvmod_emul_ctxt_commit(struct kvmod_vcpu *vcpu,
			    const struct x86_emu_ctxt *c);
int kvmod_fetch_insn(struct kvmod_vcpu *vcpu, struct x86_emu_ctxt *c,
		     const struct kvm_sregs *s, struct x86_insn *insn,
		     u8 *bytes, unsigned int *nbytes);
/* What a nested page fault says about the access at its GPA. */
#define KVMOD_MMIO_GPA_NONE	0
#define KVMOD_MMIO_GPA_READ	1
#define KVMOD_MMIO_GPA_WRITE	2
int kvmod_emulate_mmio(struct kvmod_vcpu *vcpu, u64 gpa, int access);
int kvmod_emulation_failed(struct kvmod_vcpu *vcpu, const u8 *bytes,
			   unsigned int nbytes);
u64 *kvmod_gpr(struct kvmod_vcpu *vcpu, unsigned int n);
void kvmod_advance_rip(struct kvmod_vcpu *vcpu, u64 rip);
int kvmod_emul_complete(struct kvmod_vcpu *vcpu);
void kvmod_emul_reset(struct kvmod_vcpu *vcpu);

/* arch/x86/cr.c */
int kvmod_set_cr0(struct kvmod_vcpu *vcpu, struct kvm_sregs *s, u64 val);
int kvmod_set_cr4(struct kvmod_vcpu *vcpu, struct kvm_sregs *s, u64 val);
int kvmod_emulate_cr_write(struct kvmod_vcpu *vcpu);
int kvmod_emulate_dr_access(struct kvmod_vcpu *vcpu);

/* arch/x86/debug.c */
u32 kvmod_guest_debug_supported(void);
long kvmod_debug_ioctl(struct kvmod_vcpu *vcpu, unsigned int ioctl,
		       void __user *argp);
int kvmod_debug_exit(struct kvmod_vcpu *vcpu, u8 vector, u64 pc, u64 dr6,
		     u64 dr7);
void kvmod_debug_before_entry(struct kvmod_vcpu *vcpu);
void kvmod_debug_after_exit(struct kvmod_vcpu *vcpu);

/* arch/x86/vec_regs.c */
int kvmod_guest_vec_reg(struct kvmod_vcpu *vcpu, unsigned int reg,
			void *data, unsigned int size, bool set,
			bool zero_upper);

/* arch/x86/pio.c */
int kvmod_pio_exit(struct kvmod_vcpu *vcpu, u16 port, u8 size, bool in,
		   u64 next_rip);
int kvmod_pio_string_exit(struct kvmod_vcpu *vcpu, u16 port, u8 size,
			  bool in, u64 next_rip);
int kvmod_pio_complete(struct kvmod_vcpu *vcpu);

/* arch/x86/msr.c */
int kvmod_get_msr(struct kvmod_vcpu *vcpu, u32 index, u64 *data, bool host);
int kvmod_set_msr(struct kvmod_vcpu *vcpu, u32 index, u64 data, bool host);
long kvmod_msr_dev_ioctl(unsigned int ioctl, void __user *argp);
long kvmod_msr_vcpu_ioctl(struct kvmod_vcpu *vcpu, unsigned int ioctl,
			  void __user *argp);
void kvmod_msr_reset(struct kvmod_vcpu *vcpu);
u64 kvmod_read_guest_tsc(struct kvmod_vcpu *vcpu);
bool kvmod_apic_base_valid(struct kvmod_vcpu *vcpu, u64 data);

/* CPUID faulting is on: CPUID above CPL 0 raises #GP. */
static inline bool kvmod_cpuid_faulting(struct kvmod_vcpu *vcpu)
{
	return vcpu->arch.misc_features_enables &
	       MSR_MISC_FEATURES_ENABLES_CPUID_FAULT;
}

/* arch/x86/msr_filter.c */
/* kvmod_get_msr()/kvmod_set_msr(): an MSR kvmod does not know at all. */
#define KVMOD_MSR_UNKNOWN	2
int kvmod_emulate_rdmsr(struct kvmod_vcpu *vcpu, u64 next_rip);
int kvmod_emulate_wrmsr(struct kvmod_vcpu *vcpu, u64 next_rip);
int kvmod_msr_exit_complete(struct kvmod_vcpu *vcpu);
int kvmod_enable_user_space_msr(struct kvmod_vm *vm, u64 reasons);
long kvmod_set_msr_filter(struct kvmod_vm *vm,
			  struct kvm_msr_filter __user *argp);
void kvmod_msr_filter_free(struct kvmod_vm *vm);

/* arch/x86/hypercall.c */
int kvmod_emulate_hypercall(struct kvmod_vcpu *vcpu);
int kvmod_handle_ud(struct kvmod_vcpu *vcpu, bool vmmcall_native);

/* The KVM_X86_QUIRK_* bits kvmod implements (KVM_CAP_DISABLE_QUIRKS2). */
#define KVMOD_QUIRKS		(KVM_X86_QUIRK_MISC_ENABLE_NO_MWAIT | \
				 KVM_X86_QUIRK_FIX_HYPERCALL_INSN | \
				 KVM_X86_QUIRK_MWAIT_NEVER_UD_FAULTS)

/* Whether KVM's quirky default behaviour @quirk is still on for @vm. */
static inline bool kvmod_has_quirk(struct kvmod_vm *vm, u64 quirk)
{
	return !(READ_ONCE(vm->arch.disabled_quirks) & quirk);
}

/* arch/x86/mce.c */
u64 kvmod_mce_cap_supported(void);
void kvmod_mce_reset(struct kvmod_vcpu *vcpu);
int kvmod_mce_setup(struct kvmod_vcpu *vcpu, u64 mcg_cap);
int kvmod_mce_get_msr(struct kvmod_vcpu *vcpu, u32 msr, u64 *data,
		      bool host);
int kvmod_mce_set_msr(struct kvmod_vcpu *vcpu, u32 msr, u64 data, bool host);

/* arch/x86/xcr.c */
int kvmod_set_xcr0(struct kvmod_vcpu *vcpu, u64 xcr0);
u64 kvmod_supported_xcr0(void);

/* arch/x86/cpuid.c */
long kvmod_get_supported_cpuid(struct kvm_cpuid2 __user *argp);
long kvmod_vcpu_cpuid_ioctl(struct kvmod_vcpu *vcpu, unsigned int ioctl,
			    void __user *argp);
void kvmod_vcpu_cpuid_free(struct kvmod_vcpu *vcpu);
void kvmod_cpuid(struct kvmod_vcpu *vcpu, u32 *eax, u32 *ebx, u32 *ecx,
		 u32 *edx);

#endif /* KVMOD_X86_H */
