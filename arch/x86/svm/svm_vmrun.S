/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The world switch: host -> guest -> host on AMD-V.
 *
 * VMRUN itself switches RAX, RSP, RIP, RFLAGS, segment registers CS/SS/DS/
 * ES, descriptor tables, control registers and EFER.  Everything else is
 * ours to move: the other general registers (kept in a struct kvm_regs),
 * and the state VMLOAD/VMSAVE handle (FS, GS, TR, LDTR with their hidden
 * parts, KernelGSBase, STAR/LSTAR/CSTAR/SFMASK, SYSENTER_*).
 *
 * Called with GIF clear (CLGI) and interrupts disabled, so no interrupt,
 * NMI or #DB can observe the guest's GS base in the host.
 */
#include <linux/linkage.h>
#include <asm/asm.h>
#include <asm/nospec-branch.h>

/* Offsets in struct kvm_regs; checked by BUILD_BUG_ON in svm.c. */
#define REGS_RBX	0x08
#define REGS_RCX	0x10
#define REGS_RDX	0x18
#define REGS_RSI	0x20
#define REGS_RDI	0x28
#define REGS_RBP	0x38
#define REGS_R8		0x40
#define REGS_R9		0x48
#define REGS_R10	0x50
#define REGS_R11	0x58
#define REGS_R12	0x60
#define REGS_R13	0x68
#define REGS_R14	0x70
#define REGS_R15	0x78

/* Stack slots below the callee-saved registers. */
#define SLOT_VMCB	0
#define SLOT_REGS	8
#define SLOT_HOST	16

/*
 * void kvmod_svm_vmrun(u64 vmcb_pa, struct kvm_regs *regs, u64 host_save_pa)
 */
SYM_FUNC_START(kvmod_svm_vmrun)
	push	%rbp
	mov	%rsp, %rbp
	push	%r15
	push	%r14
	push	%r13
	push	%r12
	push	%rbx
	push	%rdx
	push	%rsi
	push	%rdi

	/* Host FS/GS/TR/LDTR and syscall MSRs out, the guest's in. */
	mov	%rdx, %rax
	vmsave	%rax
	mov	SLOT_VMCB(%rsp), %rax
	vmload	%rax

	mov	REGS_RBX(%rsi), %rbx
	mov	REGS_RCX(%rsi), %rcx
	mov	REGS_RDX(%rsi), %rdx
	mov	REGS_RDI(%rsi), %rdi
	mov	REGS_RBP(%rsi), %rbp
	mov	REGS_R8(%rsi),  %r8
	mov	REGS_R9(%rsi),  %r9
	mov	REGS_R10(%rsi), %r10
	mov	REGS_R11(%rsi), %r11
	mov	REGS_R12(%rsi), %r12
	mov	REGS_R13(%rsi), %r13
	mov	REGS_R14(%rsi), %r14
	mov	REGS_R15(%rsi), %r15
	mov	REGS_RSI(%rsi), %rsi

	/* Flush CPU buffers where the host asked for it (MDS/TSA). */
	VM_CLEAR_CPU_BUFFERS

	/*
	 * VMRUN saves the host's RFLAGS.IF, and with V_INTR_MASKING that
	 * saved IF decides whether host interrupts force a #VMEXIT.  Set it
	 * now: GIF is still clear, so nothing is taken here.
	 * RAX holds the VMCB address; the guest's RAX comes from the VMCB.
	 */
	sti
	vmrun	%rax
	cli

	/* #VMEXIT: RAX and RSP are the host's again, all else is guest. */
	mov	SLOT_REGS(%rsp), %rax
	mov	%rbx, REGS_RBX(%rax)
	mov	%rcx, REGS_RCX(%rax)
	mov	%rdx, REGS_RDX(%rax)
	mov	%rsi, REGS_RSI(%rax)
	mov	%rdi, REGS_RDI(%rax)
	mov	%rbp, REGS_RBP(%rax)
	mov	%r8,  REGS_R8(%rax)
	mov	%r9,  REGS_R9(%rax)
	mov	%r10, REGS_R10(%rax)
	mov	%r11, REGS_R11(%rax)
	mov	%r12, REGS_R12(%rax)
	mov	%r13, REGS_R13(%rax)
	mov	%r14, REGS_R14(%rax)
	mov	%r15, REGS_R15(%rax)

	mov	SLOT_VMCB(%rsp), %rax
	vmsave	%rax
	mov	SLOT_HOST(%rsp), %rax
	vmload	%rax

	/* Guest-controlled return predictions must not reach host RETs. */
	FILL_RETURN_BUFFER %rax, RSB_CLEAR_LOOPS, X86_FEATURE_RSB_VMEXIT

	/* Leave no guest value in a register speculation could use. */
	xor	%ecx, %ecx
	xor	%edx, %edx
	xor	%esi, %esi
	xor	%edi, %edi
	xor	%r8d, %r8d
	xor	%r9d, %r9d
	xor	%r10d, %r10d
	xor	%r11d, %r11d

	UNTRAIN_RET
	/* srso=ibpb-vmexit: a barrier on every exit instead. */
	ALTERNATIVE "", "call entry_ibpb", X86_FEATURE_IBPB_ON_VMEXIT

	add	$24, %rsp
	pop	%rbx
	pop	%r12
	pop	%r13
	pop	%r14
	pop	%r15
	pop	%rbp
	RET
SYM_FUNC_END(kvmod_svm_vmrun)
