// SPDX-License-Identifier: GPL-2.0
/*
 * KVM hypercalls (Documentation/virt/kvm/x86/hypercalls.rst): VMMCALL on
 * AMD, VMCALL on Intel, the number in RAX, arguments in RBX, RCX, RDX and
 * RSI, the result in RAX.  Outside 64-bit mode all of them are 32 bits.
 *
 * kvmod offers no paravirtual feature in CPUID leaf 0x40000001, so a
 * guest has no reason to call more than the two hypercalls that need no
 * feature bit to be useful; every other number answers -KVM_ENOSYS, as
 * KVM answers numbers it does not know.
 *
 * The other vendor's hypercall instruction raises #UD.  While the VM has
 * KVM_X86_QUIRK_FIX_HYPERCALL_INSN (the default), kvmod rewrites it in
 * guest memory to the native one and lets the guest run it again, as KVM
 * does; without the quirk the guest gets its #UD.
 */
#include <linux/kvm_para.h>
#include <linux/sched.h>
#include <asm/traps.h>

#include <kvmod_x86.h>

#include "emulate/x86_emulate.h"
#include "emulate/x86_walk.h"

#define HYPERCALL_LEN	3

static const u8 insn_vmcall[HYPERCALL_LEN] = { 0x0f, 0x01, 0xc1 };
static const u8 insn_vmmcall[HYPERCALL_LEN] = { 0x0f, 0x01, 0xd9 };

/**
 * kvmod_emulate_hypercall() - the guest's hypercall instruction
 * @vcpu: the vCPU; the caller moves RIP past the instruction
 *
 * Sets RAX to the result: -KVM_EPERM above CPL 0, -KVM_ENOSYS for
 * hypercalls kvmod does not implement.
 *
 * Return: 1 (resume the guest).
 */
int kvmod_emulate_hypercall(struct kvmod_vcpu *vcpu)
{
	struct kvm_regs *regs = &vcpu->arch.regs;
	struct kvm_sregs s;
	u64 nr = regs->rax, ret;
	bool op64;

	kvmod_x86->get_sregs(vcpu, &s);
	op64 = (s.efer & EFER_LMA) && s.cs.l;
	if (!op64)
		nr = (u32)nr;

	if (s.ss.dpl) {
		/* The backends report the CPL as SS.DPL. */
		ret = -KVM_EPERM;
	} else {
		switch (nr) {
		case KVM_HC_VAPIC_POLL_IRQ:
			/* The exit itself was the point: interrupts are checked. */
			ret = 0;
			break;
		case KVM_HC_SCHED_YIELD:
			/*
			 * "The vCPU with APIC id RBX was preempted: let it
			 * run."  kvmod has no directed yield; it gives the
			 * host scheduler a chance instead.
			 */
			cond_resched();
			ret = 0;
			break;
		default:
			ret = -KVM_ENOSYS;
			break;
		}
	}
	regs->rax = op64 ? ret : (u32)ret;
	return 1;
}

/* Read @len instruction bytes at linear @la as the CPU fetched them. */
static int fetch_bytes(struct kvmod_vcpu *vcpu, const struct kvm_sregs *s,
		       const struct x86_emu_ctxt *c, u64 la, u8 *buf,
		       unsigned int len)
{
	unsigned int access = X86_WALK_FETCH | (c->cpl == 3 ? X86_WALK_USER : 0);
	unsigned int i;
	u32 error;
	u64 gpa;

	for (i = 0; i < len; i++) {
		u64 a = c->mode == X86_MODE_LONG64 ? la + i : (u32)(la + i);

		if (kvmod_gva_to_gpa(vcpu, s, c->rflags, a, access, &gpa,
				     &error) != X86_WALK_OK)
			return -EFAULT;
		if (kvmod_gpa_rw(vcpu, gpa, buf + i, 1, false))
			return -EFAULT;
	}
	return 0;
}

/**
 * kvmod_handle_ud() - a #UD the guest raised
 * @vcpu: the vCPU
 * @vmmcall_native: the host's hypercall instruction is VMMCALL (AMD-V);
 *	else VMCALL (VT-x)
 *
 * The other vendor's hypercall instruction is patched to the native one
 * and run again while KVM_X86_QUIRK_FIX_HYPERCALL_INSN is on; any other
 * #UD is the guest's.  The patch is written at the guest's CPL, so a
 * read-only code page gets the guest a #PF instead, as on KVM.
 *
 * Return: 1 (resume the guest).
 */
int kvmod_handle_ud(struct kvmod_vcpu *vcpu, bool vmmcall_native)
{
	const u8 *native = vmmcall_native ? insn_vmmcall : insn_vmcall;
	const u8 *other = vmmcall_native ? insn_vmcall : insn_vmmcall;
	struct x86_emu_ctxt c;
	struct kvm_sregs s;
	u8 bytes[HYPERCALL_LEN];
	u64 la;
	int r;

	if (!kvmod_has_quirk(vcpu->vm, KVM_X86_QUIRK_FIX_HYPERCALL_INSN))
		goto ud;
	kvmod_emul_ctxt_init(vcpu, &c, &s);
	la = c.mode == X86_MODE_LONG64 ? c.rip : (u32)(s.cs.base + c.rip);
	if (fetch_bytes(vcpu, &s, &c, la, bytes, HYPERCALL_LEN) ||
	    memcmp(bytes, other, HYPERCALL_LEN))
		goto ud;
	memcpy(bytes, native, HYPERCALL_LEN);
	r = kvmod_linear_rw(vcpu, &s, c.rflags, c.cpl, la, bytes,
			    HYPERCALL_LEN, true);
	if (!r || r == 1)
		return 1;	/* patched and run again, or #PF queued */
ud:
	kvmod_queue_exception(vcpu, UD_VECTOR, false, 0);
	return 1;
}
