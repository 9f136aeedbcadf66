/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest page-table walker: translates a guest linear address to a
 * guest-physical one as the guest's MMU would, with its permission checks
 * and page-fault error codes, reading and updating guest page tables only
 * through callbacks.
 */
#ifndef KVMOD_X86_WALK_H
#define KVMOD_X86_WALK_H

#include "emu_types.h"

/* Access flags for x86_walk(). */
#define X86_WALK_WRITE		(1U << 0)	/* data write */
#define X86_WALK_USER		(1U << 1)	/* CPL 3 access */
#define X86_WALK_FETCH		(1U << 2)	/* instruction fetch */
#define X86_WALK_IMPLICIT	(1U << 3)	/* implicit supervisor access */

/* Page-fault error code bits. */
#define X86_PFEC_P		(1U << 0)
#define X86_PFEC_W		(1U << 1)
#define X86_PFEC_U		(1U << 2)
#define X86_PFEC_RSVD		(1U << 3)
#define X86_PFEC_ID		(1U << 4)
#define X86_PFEC_PK		(1U << 5)

/* x86_walk() results (negative values come from the callbacks). */
#define X86_WALK_OK		0
#define X86_WALK_PF		1
/* write_pte(): the entry changed under us, walk again. */
#define X86_WALK_RETRY		1

/* Control register bits the walker reads. */
#define X86_WALK_CR0_WP		(1ULL << 16)
#define X86_WALK_CR0_PG		(1ULL << 31)
#define X86_WALK_CR4_PSE		(1ULL << 4)
#define X86_WALK_CR4_PAE		(1ULL << 5)
#define X86_WALK_CR4_LA57	(1ULL << 12)
#define X86_WALK_CR4_SMEP		(1ULL << 20)
#define X86_WALK_CR4_SMAP		(1ULL << 21)
#define X86_WALK_CR4_PKE		(1ULL << 22)
#define X86_WALK_EFER_LMA		(1ULL << 10)
#define X86_WALK_EFER_NXE		(1ULL << 11)

#define X86_WALK_MAX_LEVELS	5

/**
 * struct x86_walk_memo - the last successful walk, kept by the caller
 * @cr0: env->cr0 of the walk.
 * @cr3: env->cr3.
 * @cr4: env->cr4.
 * @efer: env->efer.
 * @page: the linear page it translated (gva >> 12).
 * @access: its X86_WALK_* flags.
 * @gpa_page: the result for that page.
 * @gpa_of: the guest-physical address of each entry it read, top first.
 * @pte_of: the value of each, as the walk left it (Accessed/Dirty set).
 * @pkru: env->pkru.
 * @maxphyaddr: env->maxphyaddr.
 * @ac: env->ac.
 * @nr: entries read; 0 when nothing is kept.
 * @size: entry size (4 or 8).
 *
 * A walk is a function of its env, its address and access, and the
 * entries it reads.  With the same inputs, x86_walk() reads the kept
 * entries again in the same order, and if every one still holds the kept
 * value it answers the kept result: exactly what walking again would do
 * (it would read the same entries, pass the same checks and find nothing
 * to update), without the checks and the bookkeeping.
 */
struct x86_walk_memo {
	u64 cr0, cr3, cr4, efer;
	u64 page;
	u64 gpa_page;
	u64 gpa_of[X86_WALK_MAX_LEVELS];
	u64 pte_of[X86_WALK_MAX_LEVELS];
	u32 pkru;
	unsigned int access;
	u8 maxphyaddr;
	bool ac;
	u8 nr;
	u8 size;
};

/**
 * struct x86_walk_env - paging state and guest-memory callbacks
 * @cr0: guest CR0 (PG, WP).
 * @cr3: guest CR3.
 * @cr4: guest CR4 (PSE, PAE, LA57, SMEP, SMAP, PKE).
 * @efer: guest EFER (LMA, NXE).
 * @ac: RFLAGS.AC of the access (SMAP override for explicit accesses).
 * @pkru: PKRU, used when CR4.PKE is set in 4/5-level paging.
 * @maxphyaddr: guest physical address width; 0 means 52.  Entry bits at
 *	or above it (below 52) are reserved.
 * @opaque: passed to the callbacks.
 * @read_pte: read a @size (4 or 8) byte entry at guest-physical @gpa.
 *	Returns 0 or a negative error that aborts the walk.
 * @write_pte: optional; replace the entry at @gpa by @new if it still
 *	holds @old (an atomic compare-exchange on guest memory).  Returns 0,
 *	X86_WALK_RETRY if it no longer held @old (the walk restarts), or a
 *	negative error.  When NULL, Accessed/Dirty bits are not updated.
 * @memo: optional; the walk of the same page before (see above), updated
 *	by every successful walk.
 */
struct x86_walk_env {
	u64 cr0, cr3, cr4, efer;
	bool ac;
	u32 pkru;
	u8 maxphyaddr;
	void *opaque;
	int (*read_pte)(void *opaque, u64 gpa, u64 *pte, unsigned int size);
	int (*write_pte)(void *opaque, u64 gpa, u64 old, u64 new,
			 unsigned int size);
	struct x86_walk_memo *memo;
};

int x86_walk(const struct x86_walk_env *env, u64 gva, unsigned int access,
	     u64 *gpa, u32 *pf_error);

#endif /* KVMOD_X86_WALK_H */
