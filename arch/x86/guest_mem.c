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
	void __user *hva;
	int idx, r = 0;

	idx = srcu_read_lock(&vm->srcu);
	slot = kvmod_gfn_to_memslot(vm, gpa >> PAGE_SHIFT);
	if (!slot || (write && (slot->flags & KVM_MEM_READONLY))) {
		r = KVMOD_GPA_MMIO;
		goto out;
	}
	hva = (void __user *)(unsigned long)(slot->userspace_addr +
		((gpa >> PAGE_SHIFT) - slot->base_gfn) * PAGE_SIZE +
		offset_in_page(gpa));
	if (write ? copy_to_user(hva, buf, len) : copy_from_user(buf, hva, len))
		r = -EFAULT;
out:
	srcu_read_unlock(&vm->srcu, idx);
	return r;
}

static int walk_read_pte(void *opaque, u64 gpa, u64 *pte, unsigned int size)
{
	*pte = 0;
	/* Page tables in MMIO or unbacked memory: fail the walk. */
	return kvmod_gpa_rw(opaque, gpa, pte, size, false) ? -EFAULT : 0;
}

/* Set Accessed/Dirty bits atomically: another vCPU may edit the entry. */
static int walk_write_pte(void *opaque, u64 gpa, u64 old, u64 new,
			  unsigned int size)
{
	struct kvmod_vcpu *vcpu = opaque;
	struct kvmod_vm *vm = vcpu->vm;
	struct kvmod_memslot *slot;
	unsigned long hva;
	int idx, r = -EFAULT;

	idx = srcu_read_lock(&vm->srcu);
	slot = kvmod_gfn_to_memslot(vm, gpa >> PAGE_SHIFT);
	if (!slot || (slot->flags & KVM_MEM_READONLY))
		goto out;
	hva = slot->userspace_addr +
	      ((gpa >> PAGE_SHIFT) - slot->base_gfn) * PAGE_SIZE +
	      offset_in_page(gpa);
	if (!access_ok((void __user *)hva, size))
		goto out;
	/* 0 when exchanged, 1 when the entry changed, or -EFAULT. */
	if (size == 8) {
		r = __try_cmpxchg_user((u64 __user *)hva, &old, new, fault64);
	} else {
		u32 old32 = old;

		r = __try_cmpxchg_user((u32 __user *)hva, &old32, (u32)new,
				       fault32);
	}
	BUILD_BUG_ON(X86_WALK_RETRY != 1);
out:
	srcu_read_unlock(&vm->srcu, idx);
	return r;
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
		.maxphyaddr = kvmod_guest_phys_bits(vcpu),
		.opaque = vcpu,
		.read_pte = walk_read_pte,
		.write_pte = walk_write_pte,
	};

	return x86_walk(&env, gva, access, gpa, pf_error);
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
