/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86 limits and state embedded in the generic VM and vCPU objects.
 */
#ifndef KVMOD_ARCH_H
#define KVMOD_ARCH_H

#include <linux/kvm.h>
#include <linux/mutex.h>
#include <linux/wait.h>
#include <linux/srcu.h>
#include <linux/types.h>
#include <asm/fpu/types.h>

#include <kvmod_irqchip.h>
#include "../emulate/x86_walk.h"
#include <kvmod_tdp_mmu.h>

struct kvmod_msr_filter;

/* The same limits as KVM on x86, so VMMs size things the same way. */
#define KVMOD_MAX_VCPUS		1024
#define KVMOD_MAX_VCPU_IDS	(KVMOD_MAX_VCPUS * 4)
#define KVMOD_USER_MEM_SLOTS	32764
/* No SMM yet: one address space. */
#define KVMOD_ADDRESS_SPACES	1

/*
 * The vCPU mmap area: page 0 is struct kvm_run, page KVM_PIO_PAGE_OFFSET
 * holds port I/O data.
 */
#define KVMOD_VCPU_MMAP_PAGES	(KVM_PIO_PAGE_OFFSET + 1)

/* KVM_SET_NR_MMU_PAGES refuses less, as KVM does. */
#define KVMOD_MIN_MMU_PAGES	64

/* Variable-range MTRR pairs offered to guests (MTRRcap.VCNT). */
#define KVMOD_NR_VAR_MTRR	8

/* Machine-check banks a vCPU may have (KVM_CAP_MCE). */
#define KVMOD_MAX_MCE_BANKS	32

/**
 * struct kvmod_vm_arch - x86 per-VM state
 * @virt_enabled: this VM holds a reference on per-CPU virtualization.
 * @mmu: the two-dimensional-paging MMU mapping guest-physical memory.
 * @tss_addr: KVM_SET_TSS_ADDR's address (needed only by VT-x without
 *	unrestricted guest; kept for compatibility).
 * @identity_map_addr: KVM_SET_IDENTITY_MAP_ADDR's address (likewise).
 * @irqchip: KVM_CREATE_IRQCHIP has run: every vCPU has a local APIC.
 * @pic: the 8259 pair (io/pic.c), with @irqchip.
 * @ioapic: the I/O APIC (io/ioapic.c), with @irqchip.
 * @pit: the i8254 PIT (io/pit.c), after KVM_CREATE_PIT2.
 * @routing: GSI routing (io/irq_route.c); RCU-published.
 * @buses: in-kernel devices on the MMIO and PIO buses (io/io_bus.c);
 *	SRCU-published under @bus_srcu, updated under @bus_lock.
 * @bus_srcu: readers of @buses.
 * @bus_lock: serializes bus updates.
 * @bsp_vcpu_id: the vCPU that starts running (KVM_SET_BOOT_CPU_ID).
 * @nr_mmu_pages: KVM_SET_NR_MMU_PAGES's bound (shadow paging only).
 * @user_space_msr: KVM_MSR_EXIT_REASON_* bits: guest RDMSR/WRMSR that fail
 *	for these reasons exit to userspace (KVM_CAP_X86_USER_SPACE_MSR).
 * @msr_filter: KVM_X86_SET_MSR_FILTER's filter (msr_filter.c), or NULL;
 *	RCU-published, replaced under vm->lock.
 * @disabled_quirks: KVM_X86_QUIRK_* bits userspace turned off
 *	(KVM_CAP_DISABLE_QUIRKS2).
 * @platform_info_readable: the guest may read MSR_PLATFORM_INFO
 *	(KVM_CAP_MSR_PLATFORM_INFO; on by default, as on KVM).
 */
struct kvmod_vm_arch {
	bool virt_enabled;
	struct kvmod_tdp_mmu mmu;
	u64 tss_addr;
	u64 identity_map_addr;
	bool irqchip;
	struct kvmod_pic *pic;
	struct kvmod_ioapic *ioapic;
	struct kvmod_pit *pit;
	struct kvmod_irq_routing __rcu *routing;
	struct kvmod_io_bus __rcu *buses[KVMOD_NR_BUSES];
	struct srcu_struct bus_srcu;
	struct mutex bus_lock;
	u32 bsp_vcpu_id;
	unsigned long nr_mmu_pages;
	u32 user_space_msr;
	struct kvmod_msr_filter __rcu *msr_filter;
	u64 disabled_quirks;
	bool platform_info_readable;
};

/**
 * struct kvmod_pio - a port I/O access waiting for userspace
 * @pending: set while userspace owns the kvm_run I/O fields.
 * @in: the guest executes IN; RAX gets userspace's data on completion.
 * @size: 1, 2 or 4 bytes.
 * @rip: RIP of the I/O instruction; if userspace moved RIP meanwhile the
 *	access is dropped instead of completed.
 * @next_rip: RIP after the instruction.
 * @string: INS/OUTS: @count elements moved, @rep prefixed, RSI/RDI/RCX
 *	of width @addr_mask, backwards if @down; an INS stores the data at
 *	linear address @la (the lowest element).
 */
struct kvmod_pio {
	bool pending;
	bool in;
	u8 size;
	u64 rip;
	u64 next_rip;
	bool string;
	bool rep;
	bool down;
	u16 count;
	u64 addr_mask;
	u64 la;
};

/**
 * struct kvmod_msr_exit - a guest RDMSR/WRMSR waiting for userspace
 *	(KVM_EXIT_X86_RDMSR, KVM_EXIT_X86_WRMSR)
 * @pending: set while userspace owns kvm_run->msr.
 * @read: RDMSR: EDX:EAX get kvm_run->msr.data on completion.
 * @rip: RIP of the instruction; if userspace moved RIP meanwhile the
 *	access is dropped instead of completed.
 * @next_rip: RIP after the instruction.
 */
struct kvmod_msr_exit {
	bool pending;
	bool read;
	u64 rip;
	u64 next_rip;
};

/**
 * struct kvmod_exception - an exception to deliver at the next entry
 * @pending: there is one.
 * @vector: exception vector.
 * @has_error_code: @error_code is pushed.
 * @error_code: the error code.
 */
struct kvmod_exception {
	bool pending;
	u8 vector;
	bool has_error_code;
	u32 error_code;
};

/* MMIO write fragments one instruction may produce (32 bytes, 2 pages). */
#define KVMOD_MMIO_FRAGS	6

/**
 * struct kvmod_mmio_frag - part of an MMIO write still to go to userspace
 * @gpa: guest-physical address.
 * @len: 1..8 bytes.
 * @data: the bytes.
 */
struct kvmod_mmio_frag {
	u64 gpa;
	u8 len;
	u8 data[8];
};

/**
 * struct kvmod_emul - an instruction emulation spanning KVM_RUN calls
 * @rbuf: data of the reads done so far, in the order the emulator asked.
 * @rfill: bytes in @rbuf.
 * @rpos: bytes of @rbuf served in the current emulation pass.
 * @read_pending: an MMIO read of @read_len bytes is in kvm_run; its data
 *	is appended to @rbuf and the instruction emulated again.
 * @read_len: its size.
 * @frags: MMIO write fragments of a completed instruction; @nfrags of
 *	them, @next_frag the next to hand to userspace.
 * @insn: the decoded instruction (a struct x86_insn, private to emul.c)
 *	of the last pass; with @insn_valid, the one a pending read belongs
 *	to, fetched at @insn_cs_base + @insn_rip, so that the completion
 *	need not fetch and decode it again.
 * @insn_bytes: its bytes, @insn_nbytes of them, for failure reports.
 * @insn_decoded: @insn is what @insn_bytes (all 15) decode to in its mode,
 *	so the same bytes at the next fetch need no decoding.
 * @fetch_walk: the last instruction-fetch walk (x86_walk()'s memo).
 * @maxphyaddr: the guest's MAXPHYADDR for walks, once @maxphyaddr_known
 *	(CPUID is fixed once the vCPU has run).
 */
struct kvmod_emul {
	u8 rbuf[96];
	unsigned int rfill;
	unsigned int rpos;
	bool read_pending;
	u8 read_len;
	struct kvmod_mmio_frag frags[KVMOD_MMIO_FRAGS];
	u8 nfrags;
	u8 next_frag;
	u64 insn[10];
	bool insn_valid;
	u8 insn_nbytes;
	u8 insn_bytes[15];
	u64 insn_rip;
	u64 insn_cs_base;
	bool insn_decoded;
	struct x86_walk_memo fetch_walk;
	u8 maxphyaddr;
	bool maxphyaddr_known;
};

/**
 * struct kvmod_mtrr - guest MTRR state (kept, not enforced: NPT maps
 *	guest memory write-back and the guest's PAT applies on top)
 * @def_type: IA32_MTRR_DEF_TYPE.
 * @fixed: the eleven fixed-range MTRRs.
 * @var: base/mask pairs of the variable-range MTRRs.
 */
struct kvmod_mtrr {
	u64 def_type;
	u64 fixed[11];
	u64 var[KVMOD_NR_VAR_MTRR * 2];
};

/**
 * struct kvmod_mce - machine-check state of a vCPU
 * @mcg_cap: IA32_MCG_CAP (bank count in bits 7:0).
 * @mcg_status: IA32_MCG_STATUS.
 * @mcg_ctl: IA32_MCG_CTL, when MCG_CAP.CTL_P.
 * @banks: MCi_CTL, MCi_STATUS, MCi_ADDR, MCi_MISC per bank.
 */
struct kvmod_mce {
	u64 mcg_cap;
	u64 mcg_status;
	u64 mcg_ctl;
	u64 banks[KVMOD_MAX_MCE_BANKS * 4];
};

/* vcpu->arch.mode: whether the vCPU may be in guest mode (IPI to kick). */
enum kvmod_vcpu_mode {
	KVMOD_OUTSIDE_GUEST,
	KVMOD_IN_GUEST,
};

/* Bits in vcpu->arch.requests, serviced before the next entry. */
enum kvmod_vcpu_request {
	KVMOD_REQ_TLB_FLUSH,
	KVMOD_REQ_EVENT,	/* an interrupt controller posted something */
};

/**
 * struct kvmod_vcpu_arch - x86 state of a vCPU
 * @regs: general registers; RAX, RSP, RIP and RFLAGS are exchanged with
 *	the backend around each entry, so all of it is current outside
 *	KVM_RUN's inner loop.
 * @apic_base: IA32_APIC_BASE.
 * @pending_irq: an external interrupt vector queued by KVM_INTERRUPT,
 *	KVM_SET_SREGS or KVM_SET_VCPU_EVENTS, or whose delivery an exit
 *	interrupted, and not yet delivered; -1 if none.
 * @nmi_pending: an NMI waits to be delivered (KVM_NMI).
 * @nmi_injected: an NMI whose delivery an exit interrupted.
 * @nmi_masked: NMIs are blocked until the guest's next IRET.
 * @sipi_vector: the last SIPI vector (kept for KVM_GET_VCPU_EVENTS).
 * @cpuid: the guest's CPUID table from KVM_SET_CPUID2 (kmalloc'ed), or
 *	NULL; @cpuid_nent entries.
 * @guest_fpu: FPU/XSAVE state, swapped with the thread's around KVM_RUN.
 * @xcr0: the guest's XCR0.
 * @tsc_offset: guest TSC = host TSC + @tsc_offset.
 * @tsc_aux: IA32_TSC_AUX.
 * @misc_enable: IA32_MISC_ENABLE.
 * @ucode_rev: the microcode revision the guest reads (set by userspace).
 * @tsc_adjust: IA32_TSC_ADJUST.
 * @platform_info: MSR_PLATFORM_INFO (set by userspace).
 * @misc_features_enables: MSR_MISC_FEATURES_ENABLES (CPUID faulting).
 * @power_ctl: MSR_IA32_POWER_CTL (kept, no effect).
 * @mtrr: MTRR state.
 * @mce: machine-check state.
 * @pio: port I/O in flight to userspace.
 * @msr_exit: RDMSR/WRMSR in flight to userspace.
 * @emul: instruction emulation in flight (MMIO).
 * @exception: exception queued for the guest.
 * @guest_debug: KVM_GUESTDBG_* flags in force (KVM_SET_GUEST_DEBUG).
 * @guest_debug_regs: userspace's DR0-3, DR6, DR7 for hardware breakpoints.
 * @tf_added: single-stepping set RFLAGS.TF for this entry.
 * @has_run: the vCPU has entered the guest (its CPUID is then fixed).
 * @mmu_cache: page-table pages allocated before taking the MMU lock.
 * @requests: KVMOD_REQ_* bits.
 * @mode: enum kvmod_vcpu_mode.
 * @cpu: CPU the vCPU last entered the guest on.
 * @lapic: the in-kernel local APIC (io/lapic.c), with an irqchip.
 * @mp_state: KVM_MP_STATE_*; only RUNNABLE without an irqchip.
 * @irq_window: what the next entry should exit for once the guest can
 *	take it: KVMOD_IRQ_WINDOW_NONE, a priority class 0-15 that must
 *	also beat the TPR, or KVMOD_IRQ_WINDOW_ANY.
 * @wq: a halted or waiting vCPU sleeps here until kicked.
 * @vendor: the backend's per-vCPU state.
 */
struct kvmod_vcpu_arch {
	struct kvm_regs regs;
	u64 apic_base;
	int pending_irq;
	bool nmi_pending;
	bool nmi_injected;
	bool nmi_masked;
	u8 sipi_vector;
	struct kvm_cpuid_entry2 *cpuid;
	int cpuid_nent;
	struct fpu_guest guest_fpu;
	u64 xcr0;
	s64 tsc_offset;
	u64 tsc_aux;
	u64 misc_enable;
	u64 ucode_rev;
	s64 tsc_adjust;
	u64 platform_info;
	u64 misc_features_enables;
	u64 power_ctl;
	struct kvmod_mtrr mtrr;
	struct kvmod_mce mce;
	struct kvmod_pio pio;
	struct kvmod_msr_exit msr_exit;
	struct kvmod_emul emul;
	struct kvmod_exception exception;
	u32 guest_debug;
	u64 guest_debug_regs[8];
	bool tf_added;
	bool has_run;
	struct kvmod_mmu_cache mmu_cache;
	unsigned long requests;
	int mode;
	int cpu;
	struct kvmod_lapic *lapic;
	u32 mp_state;
	int irq_window;
	wait_queue_head_t wq;
	void *vendor;
};

#endif /* KVMOD_ARCH_H */
