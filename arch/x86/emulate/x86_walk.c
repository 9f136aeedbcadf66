// SPDX-License-Identifier: GPL-2.0
/*
 * Guest page-table walker for 32-bit (with PSE), PAE, 4-level and 5-level
 * paging.
 *
 * Pure code: guest memory is reached only through the env callbacks.
 * Accessed and Dirty bits are set only once the whole translation has
 * passed its permission checks, so a faulting access leaves the tables
 * untouched; the architecture allows this (the bits may be set only for
 * translations that are used).
 */
#include "x86_walk.h"

#define PTE_P		(1ULL << 0)
#define PTE_RW		(1ULL << 1)
#define PTE_US		(1ULL << 2)
#define PTE_A		(1ULL << 5)
#define PTE_D		(1ULL << 6)
#define PTE_PS		(1ULL << 7)
#define PTE_XD		(1ULL << 63)

#define WALK_MAX_LEVELS	X86_WALK_MAX_LEVELS
#define WALK_RETRIES	16
#define WALK_AGAIN	2	/* internal: an entry changed, walk again */

enum walk_kind { WALK_32, WALK_PAE, WALK_LONG4, WALK_LONG5 };

/* Bits [hi:lo]. */
static u64 bits(unsigned int hi, unsigned int lo)
{
	return (hi >= 63 ? ~0ULL : (1ULL << (hi + 1)) - 1) & ~((1ULL << lo) - 1);
}

struct walk {
	const struct x86_walk_env *env;
	enum walk_kind kind;
	unsigned int maxphy;
	bool nxe;
	u64 gpa_of[WALK_MAX_LEVELS + 1];
	u64 pte_of[WALK_MAX_LEVELS + 1];
	bool has_ad[WALK_MAX_LEVELS + 1];
	unsigned int top, leaf, size;	/* of the last walk_once() */
};

/* Reserved bits of an 8-byte entry at @level (1 = PTE); @leaf if PS. */
static u64 rsvd_bits64(const struct walk *w, unsigned int level, bool leaf)
{
	u64 r = 0;

	if (w->maxphy < 52)
		r |= bits(51, w->maxphy);
	if (!w->nxe)
		r |= PTE_XD;
	if (w->kind == WALK_PAE) {
		/* PAE entries have no ignored high bits. */
		r |= bits(62, 52);
		if (level == 3)
			return r | PTE_XD | bits(2, 1) | bits(8, 5);
	}
	if (level >= 4)
		r |= PTE_PS;
	else if (leaf && level == 3)
		r |= bits(29, 13);
	else if (leaf && level == 2)
		r |= bits(20, 13);
	return r;
}

/* Reserved bits of a 32-bit paging 4 MiB PDE (PSE-36 holds PA 39:32). */
static u64 rsvd_bits_pse(const struct walk *w)
{
	unsigned int pabits = w->maxphy < 40 ? w->maxphy : 40;

	return bits(21, 13 + pabits - 32);
}

static unsigned int index_of(const struct walk *w, u64 gva,
			     unsigned int level)
{
	if (w->kind == WALK_32)
		return (gva >> (12 + 10 * (level - 1))) & 1023;
	if (w->kind == WALK_PAE && level == 3)
		return (gva >> 30) & 3;
	return (gva >> (12 + 9 * (level - 1))) & 511;
}

static unsigned int page_shift(const struct walk *w, unsigned int level)
{
	if (w->kind == WALK_32)
		return level == 2 ? 22 : 12;
	return 12 + 9 * (level - 1);
}

static int walk_once(struct walk *w, u64 gva, unsigned int access,
		     u64 *gpa, u32 *pf_error)
{
	const struct x86_walk_env *env = w->env;
	bool implicit = access & X86_WALK_IMPLICIT;
	bool user = (access & X86_WALK_USER) && !implicit;
	bool write = access & X86_WALK_WRITE;
	bool fetch = access & X86_WALK_FETCH;
	bool uw = true, uu = true, nx = false, id;
	unsigned int level, top, size, lvl;
	u64 phys_mask = bits(w->maxphy - 1, 12), table, pte = 0, leaf_pa;
	u32 err;
	int ret;

	switch (w->kind) {
	case WALK_32:
		top = 2;
		size = 4;
		table = env->cr3 & bits(31, 12);
		break;
	case WALK_PAE:
		top = 3;
		size = 8;
		table = env->cr3 & bits(31, 5);
		break;
	case WALK_LONG4:
		top = 4;
		size = 8;
		table = env->cr3 & phys_mask;
		break;
	default:
		top = 5;
		size = 8;
		table = env->cr3 & phys_mask;
		break;
	}
	if (w->kind == WALK_32 || w->kind == WALK_PAE)
		gva &= 0xffffffffULL;

	/* The I/D bit is reported only where execute permission exists. */
	id = fetch && ((env->cr4 & X86_WALK_CR4_SMEP) ||
		       (w->kind != WALK_32 && w->nxe));
	err = (write ? X86_PFEC_W : 0) | (user ? X86_PFEC_U : 0) |
	      (id ? X86_PFEC_ID : 0);

	for (level = top; level >= 1; level--) {
		u64 addr = table + (u64)index_of(w, gva, level) * size;
		bool leaf, pdpte = w->kind == WALK_PAE && level == 3;

		ret = env->read_pte(env->opaque, addr, &pte, size);
		if (ret)
			return ret < 0 ? ret : -1;
		if (size == 4)
			pte &= 0xffffffffULL;
		w->gpa_of[level] = addr;
		w->pte_of[level] = pte;
		w->has_ad[level] = !pdpte;

		if (!(pte & PTE_P)) {
			*pf_error = err;
			return X86_WALK_PF;
		}

		if (w->kind == WALK_32) {
			leaf = level == 1 || (level == 2 && (pte & PTE_PS) &&
					      (env->cr4 & X86_WALK_CR4_PSE));
			if (leaf && level == 2 && (pte & rsvd_bits_pse(w))) {
				*pf_error = err | X86_PFEC_P | X86_PFEC_RSVD;
				return X86_WALK_PF;
			}
		} else {
			leaf = level == 1 ||
			       (!pdpte && level <= 3 && (pte & PTE_PS));
			if (pte & rsvd_bits64(w, level, leaf)) {
				*pf_error = err | X86_PFEC_P | X86_PFEC_RSVD;
				return X86_WALK_PF;
			}
		}

		if (!pdpte) {
			uw = uw && (pte & PTE_RW);
			uu = uu && (pte & PTE_US);
			nx = nx || (w->nxe && (pte & PTE_XD));
		}
		if (leaf)
			break;
		if (w->kind == WALK_32)
			table = pte & bits(31, 12);
		else
			table = pte & phys_mask;
	}

	/* Permission checks on the combined rights. */
	if (user && !uu)
		goto prot;
	if (!user && uu) {
		if (fetch && (env->cr4 & X86_WALK_CR4_SMEP))
			goto prot;
		if (!fetch && (env->cr4 & X86_WALK_CR4_SMAP) &&
		    (implicit || !env->ac))
			goto prot;
	}
	if (write && !uw && (user || (env->cr0 & X86_WALK_CR0_WP)))
		goto prot;
	if (fetch && nx)
		goto prot;
	if ((w->kind == WALK_LONG4 || w->kind == WALK_LONG5) &&
	    (env->cr4 & X86_WALK_CR4_PKE) && uu && !fetch) {
		unsigned int key = (pte >> 59) & 15;
		bool ad = (env->pkru >> (2 * key)) & 1;
		bool wd = (env->pkru >> (2 * key + 1)) & 1;

		if (ad || (write && wd && (user || (env->cr0 & X86_WALK_CR0_WP)))) {
			*pf_error = err | X86_PFEC_P | X86_PFEC_PK;
			return X86_WALK_PF;
		}
	}

	/* Translation: the leaf frame plus the offset within the page. */
	if (w->kind == WALK_32 && level == 2)
		leaf_pa = (pte & bits(31, 22)) | ((pte & bits(20, 13)) << 19);
	else if (w->kind == WALK_32)
		leaf_pa = pte & bits(31, 12);
	else
		leaf_pa = pte & phys_mask & ~bits(page_shift(w, level) - 1, 0);
	*gpa = leaf_pa | (gva & bits(page_shift(w, level) - 1, 0));
	w->top = top;
	w->leaf = level;
	w->size = size;

	/* Accessed on every entry used, Dirty on the leaf for writes. */
	if (!env->write_pte)
		return X86_WALK_OK;
	for (lvl = top; lvl >= level; lvl--) {
		u64 old = w->pte_of[lvl], new = old;

		if (!w->has_ad[lvl])
			continue;
		new |= PTE_A;
		if (lvl == level && write)
			new |= PTE_D;
		if (new == old)
			continue;
		ret = env->write_pte(env->opaque, w->gpa_of[lvl], old, new,
				     size);
		if (ret == X86_WALK_RETRY)
			return WALK_AGAIN;
		if (ret)
			return ret < 0 ? ret : -1;
		w->pte_of[lvl] = new;
	}
	return X86_WALK_OK;

prot:
	*pf_error = err | X86_PFEC_P;
	return X86_WALK_PF;
}

static bool memo_inputs_match(const struct x86_walk_env *env,
			      const struct x86_walk_memo *m, u64 gva,
			      unsigned int access)
{
	return m->nr && m->page == gva >> 12 && m->access == access &&
	       m->cr3 == env->cr3 && m->cr0 == env->cr0 &&
	       m->cr4 == env->cr4 && m->efer == env->efer &&
	       m->pkru == env->pkru && m->maxphyaddr == env->maxphyaddr &&
	       m->ac == env->ac;
}

/* The kept walk, if every entry it read still holds what it read. */
static int memo_lookup(const struct x86_walk_env *env, u64 gva,
		       unsigned int access, u64 *gpa)
{
	const struct x86_walk_memo *m = env->memo;
	unsigned int i;
	u64 pte;

	if (!memo_inputs_match(env, m, gva, access))
		return -1;
	for (i = 0; i < m->nr; i++) {
		pte = 0;
		if (env->read_pte(env->opaque, m->gpa_of[i], &pte, m->size))
			return -1;
		if (m->size == 4)
			pte &= 0xffffffffULL;
		if (pte != m->pte_of[i])
			return -1;
	}
	*gpa = m->gpa_page | (gva & 0xfff);
	return X86_WALK_OK;
}

static void memo_keep(const struct x86_walk_env *env, const struct walk *w,
		      u64 gva, unsigned int access, u64 gpa)
{
	struct x86_walk_memo *m = env->memo;
	unsigned int lvl, i = 0;

	for (lvl = w->top; lvl >= w->leaf; lvl--, i++) {
		m->gpa_of[i] = w->gpa_of[lvl];
		m->pte_of[i] = w->pte_of[lvl];
	}
	m->cr0 = env->cr0;
	m->cr3 = env->cr3;
	m->cr4 = env->cr4;
	m->efer = env->efer;
	m->pkru = env->pkru;
	m->maxphyaddr = env->maxphyaddr;
	m->ac = env->ac;
	m->page = gva >> 12;
	m->access = access;
	m->gpa_page = gpa & ~0xfffULL;
	m->size = w->size;
	m->nr = i;
}

/**
 * x86_walk() - translate a guest linear address
 * @env: paging state and callbacks.
 * @gva: linear address (truncated to 32 bits outside long mode).
 * @access: X86_WALK_* flags.  X86_WALK_IMPLICIT makes the access
 *	supervisor whatever X86_WALK_USER says and subjects it to SMAP
 *	regardless of @env->ac.
 * @gpa: output: the guest-physical address.
 * @pf_error: output on X86_WALK_PF: the #PF error code (P, W, U, RSVD,
 *	I/D, PK) as hardware would push it; CR2 is @gva.
 *
 * Canonical-address checks belong to segmentation (x86_emu_linear()); the
 * walker uses only the bits its paging mode translates.
 *
 * With CR0.PG clear the address is returned unchanged.  PAE PDPTEs are
 * read from the table at CR3 during the walk rather than from a cache
 * loaded at MOV CR3; a reserved PDPTE is reported as a #PF with RSVD.
 * 1 GiB pages are assumed supported.
 *
 * With @env->memo, a walk that repeats the kept one is answered from it
 * (see struct x86_walk_memo) and a successful walk replaces it.
 *
 * Return: X86_WALK_OK, X86_WALK_PF, or a negative value from a callback.
 */
int x86_walk(const struct x86_walk_env *env, u64 gva, unsigned int access,
	     u64 *gpa, u32 *pf_error)
{
	struct walk w;
	unsigned int tries;
	int ret;

	if (!(env->cr0 & X86_WALK_CR0_PG)) {
		*gpa = gva;
		return X86_WALK_OK;
	}
	if (env->memo) {
		if (memo_lookup(env, gva, access, gpa) == X86_WALK_OK)
			return X86_WALK_OK;
		env->memo->nr = 0;
	}
	/* Only these are read before walk_once() writes them. */
	w.env = env;
	w.nxe = false;
	w.maxphy = env->maxphyaddr && env->maxphyaddr < 52 ?
		   env->maxphyaddr : 52;
	if (!(env->cr4 & X86_WALK_CR4_PAE)) {
		w.kind = WALK_32;
	} else {
		w.nxe = env->efer & X86_WALK_EFER_NXE;
		if (!(env->efer & X86_WALK_EFER_LMA))
			w.kind = WALK_PAE;
		else if (env->cr4 & X86_WALK_CR4_LA57)
			w.kind = WALK_LONG5;
		else
			w.kind = WALK_LONG4;
	}

	for (tries = 0; tries < WALK_RETRIES; tries++) {
		ret = walk_once(&w, gva, access, gpa, pf_error);
		if (ret == X86_WALK_OK && env->memo)
			memo_keep(env, &w, gva, access, *gpa);
		if (ret != WALK_AGAIN)
			return ret;
	}
	/* The tables keep changing under us: let the caller retry later. */
	return -1;
}
