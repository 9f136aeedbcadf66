// SPDX-License-Identifier: GPL-2.0
/*
 * Guest memory as the emulator sees it: guest-physical accesses through
 * memslots, and guest-linear ones through the guest's own page tables.
 */
#include <linux/mm.h>
#include <linux/uaccess.h>

#include <kvmod_cpuid.h>
#include <kvmod_x86.h>

#include "emulate/x86_walk.h"

/*
 * The host address of guest-physical @gpa, through the vCPU's memslot
 * cache.  Caller holds vm->srcu.  Returns the slot, or NULL when no slot
 * backs @gpa, or a read-only one would be written.
 */
static struct kvmod_memslot *gpa_to_hva(struct kvmod_vcpu *vcpu, u64 gpa,
					bool write, unsigned long *hva)
{
	u64 gfn = gpa >> PAGE_SHIFT;
	struct kvmod_memslot *slot = kvmod_vcpu_gfn_to_memslot(vcpu, gfn);

	if (!slot || (write && (slot->flags & KVM_MEM_READONLY)))
		return NULL;
	*hva = slot->userspace_addr + ((gfn - slot->base_gfn) << PAGE_SHIFT) +
	       offset_in_page(gpa);
	return slot;
}

/**
 * kvmod_gpa_rw() - copy to or from guest-physical memory
 * @vcpu: the vCPU
 * @gpa: guest-physical address; [@gpa, @gpa + @len) stays in one page
 * @buf: kernel buffer
 * @len: bytes
 * @write: copy @buf to the guest
 *
 * Return: 0, KVMOD_GPA_MMIO when no memslot backs @gpa (or a read-only
 * one is written), or -EFAULT when the host memory behind it is gone.
 */
int kvmod_gpa_rw(struct kvmod_vcpu *vcpu, u64 gpa, void *buf,
		 unsigned int len, bool write)
{
	struct kvmod_vm *vm = vcpu->vm;
	struct kvmod_memslot *slot;
	unsigned long hva;
	int idx, r = 0;

	idx = srcu_read_lock(&vm->srcu);
	slot = gpa_to_hva(vcpu, gpa, write, &hva);
	if (!slot)
		r = KVMOD_GPA_MMIO;
	else if (write ? copy_to_user((void __user *)hva, buf, len) :
			 copy_from_user(buf, (void __user *)hva, len))
		r = -EFAULT;
	else if (write)
		/* Every kernel write to guest RAM ends here or in the walker. */
		kvmod_memslot_mark_dirty(slot, gpa >> PAGE_SHIFT);
	srcu_read_unlock(&vm->srcu, idx);
	return r;
}

/**
 * kvmod_gpa_fetch() - read instruction bytes from guest-physical memory
 * @vcpu: the vCPU
 * @gpa: guest-physical address; [@gpa, @gpa + KVMOD_FETCH_BYTES) stays in
 *	one page
 * @buf: KVMOD_FETCH_BYTES bytes
 *
 * kvmod_gpa_rw() with the length fixed at compile time, for the fetch on
 * every MMIO exit: copy_from_user() then skips the hardened-usercopy
 * object check, which costs more than the copy itself.
 *
 * Return: as kvmod_gpa_rw().
 */
int kvmod_gpa_fetch(struct kvmod_vcpu *vcpu, u64 gpa, u8 *buf)
{
	struct kvmod_vm *vm = vcpu->vm;
	unsigned long hva;
	int idx, r = 0;

	idx = srcu_read_lock(&vm->srcu);
	if (!gpa_to_hva(vcpu, gpa, false, &hva))
		r = KVMOD_GPA_MMIO;
	else if (copy_from_user(buf, (void __user *)hva, KVMOD_FETCH_BYTES))
		r = -EFAULT;
	srcu_read_unlock(&vm->srcu, idx);
	return r;
}

/* Page-table entries: the walk runs under vm->srcu (kvmod_gva_to_gpa()). */
static int walk_read_pte(void *opaque, u64 gpa, u64 *pte, unsigned int size)
{
	unsigned long hva;
	u32 pte32;

	/* Page tables in MMIO or unbacked memory: fail the walk. */
	if (!gpa_to_hva(opaque, gpa, false, &hva))
		return -EFAULT;
	/* Entries are aligned to their size: one get_user, no page crossing. */
	if (size == 8)
		return get_user(*pte, (u64 __user *)hva) ? -EFAULT : 0;
	if (get_user(pte32, (u32 __user *)hva))
		return -EFAULT;
	*pte = pte32;
	return 0;
}

/* Set Accessed/Dirty bits atomically: another vCPU may edit the entry. */
static int walk_write_pte(void *opaque, u64 gpa, u64 old, u64 new,
			  unsigned int size)
{
	struct kvmod_memslot *slot;
	unsigned long hva;
	int r;

	slot = gpa_to_hva(opaque, gpa, true, &hva);
	if (!slot || !access_ok((void __user *)hva, size))
		return -EFAULT;
	/* 0 when exchanged, 1 when the entry changed, or -EFAULT. */
	if (size == 8) {
		r = __try_cmpxchg_user((u64 __user *)hva, &old, new, fault64);
	} else {
		u32 old32 = old;

		r = __try_cmpxchg_user((u32 __user *)hva, &old32, (u32)new,
				       fault32);
	}
	BUILD_BUG_ON(X86_WALK_RETRY != 1);
	/* The A/D bits the walker sets are guest memory written too. */
	if (!r)
		kvmod_memslot_mark_dirty(slot, gpa >> PAGE_SHIFT);
	return r;
}

/*
 * The guest's MAXPHYADDR.  Looking it up scans the CPUID table; once the
 * vCPU has run its CPUID cannot change (cpuid.c), so remember it then.
 */
static u8 walk_maxphyaddr(struct kvmod_vcpu *vcpu)
{
	struct kvmod_emul *e = &vcpu->arch.emul;
	u8 bits;

	if (e->maxphyaddr_known)
		return e->maxphyaddr;
	bits = kvmod_guest_phys_bits(vcpu);
	if (vcpu->arch.has_run) {
		e->maxphyaddr = bits;
		e->maxphyaddr_known = true;
	}
	return bits;
}

/**
 * kvmod_gva_to_gpa() - translate a guest-linear address
 * @vcpu: the vCPU
 * @s: its current control registers and RFLAGS (cr0, cr3, cr4, efer)
 * @rflags: its RFLAGS (for SMAP's AC override)
 * @gva: linear address
 * @access: X86_WALK_* flags
 * @gpa: the result
 * @pf_error: the page-fault error code when the walk faults
 *
 * Instruction fetches go through the vCPU's fetch-walk memo: the emulator
 * fetches at the same RIP exit after exit.
 *
 * Return: X86_WALK_OK, X86_WALK_PF, or a negative errno when the guest's
 * page tables are not in guest RAM.
 */
int kvmod_gva_to_gpa(struct kvmod_vcpu *vcpu, const struct kvm_sregs *s,
		     u64 rflags, u64 gva, unsigned int access, u64 *gpa,
		     u32 *pf_error)
{
	struct x86_walk_env env = {
		.cr0 = s->cr0,
		.cr3 = s->cr3,
		.cr4 = s->cr4,
		.efer = s->efer,
		.ac = !!(rflags & X86_EFLAGS_AC),
		.maxphyaddr = walk_maxphyaddr(vcpu),
		.opaque = vcpu,
		.read_pte = walk_read_pte,
		.write_pte = walk_write_pte,
		.memo = (access & X86_WALK_FETCH) ?
			&vcpu->arch.emul.fetch_walk : NULL,
	};
	int idx, r;

	/* One SRCU section for the whole walk, not one per entry. */
	idx = srcu_read_lock(&vcpu->vm->srcu);
	r = x86_walk(&env, gva, access, gpa, pf_error);
	srcu_read_unlock(&vcpu->vm->srcu, idx);
	return r;
}

/**
 * kvmod_linear_rw() - copy to or from guest-linear memory (RAM only)
 * @vcpu: the vCPU
 * @s: its segment and control registers
 * @rflags: its RFLAGS
 * @cpl: the privilege level of the access
 * @la: linear address
 * @buf: kernel buffer
 * @len: bytes; the range may cross pages
 * @write: copy @buf to the guest
 *
 * Every page is translated before anything is copied.
 * Return: 0; 1 when the walk faulted (the #PF is queued for the guest);
 * KVMOD_GPA_MMIO when part of it is not RAM; -EFAULT.
 */
int kvmod_linear_rw(struct kvmod_vcpu *vcpu, const struct kvm_sregs *s,
		    u64 rflags, u8 cpl, u64 la, void *buf, unsigned int len,
		    bool write)
{
	unsigned int access = (write ? X86_WALK_WRITE : 0) |
			      (cpl == 3 ? X86_WALK_USER : 0);
	unsigned int off, chunk, n = 0;
	u64 gpa[2];
	u32 error;
	int r;

	if (len > PAGE_SIZE)
		return -EINVAL;
	for (off = 0; off < len; off += chunk, n++) {
		chunk = min_t(u64, len - off, PAGE_SIZE - offset_in_page(la + off));
		r = kvmod_gva_to_gpa(vcpu, s, rflags, la + off, access, &gpa[n],
				     &error);
		if (r == X86_WALK_PF) {
			kvmod_queue_pf(vcpu, la + off, error);
			return 1;
		}
		if (r < 0)
			return -EFAULT;
	}
	for (off = 0, n = 0; off < len; off += chunk, n++) {
		chunk = min_t(u64, len - off, PAGE_SIZE - offset_in_page(la + off));
		r = kvmod_gpa_rw(vcpu, gpa[n], buf + off, chunk, write);
		if (r)
			return r;
	}
	return 0;
}
