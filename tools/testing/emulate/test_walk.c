// SPDX-License-Identifier: GPL-2.0
/* Page walker tests: every paging mode, permissions, reserved bits, A/D. */
#include "emu_env.h"

#define PMEM_SIZE	0x100000

#define P	0x1ULL
#define RW	0x2ULL
#define US	0x4ULL
#define A	0x20ULL
#define D	0x40ULL
#define PS	0x80ULL
#define XD	(1ULL << 63)

#define CR0_PG_WP	(X86_WALK_CR0_PG | X86_WALK_CR0_WP)

static struct pmem {
	u8 m[PMEM_SIZE];
	unsigned int writes;
	int races;		/* write_pte answers RETRY this many times */
	bool read_error;
} pm;

static int read_pte(void *opaque, u64 gpa, u64 *pte, unsigned int size)
{
	struct pmem *p = opaque;

	if (p->read_error || gpa + size > PMEM_SIZE)
		return -5;
	*pte = 0;
	memcpy(pte, &p->m[gpa], size);
	return 0;
}

static int write_pte(void *opaque, u64 gpa, u64 old, u64 new,
		     unsigned int size)
{
	struct pmem *p = opaque;
	u64 cur = 0;

	memcpy(&cur, &p->m[gpa], size);
	if (p->races > 0) {
		p->races--;
		return X86_WALK_RETRY;
	}
	if (cur != old)
		return X86_WALK_RETRY;
	memcpy(&p->m[gpa], &new, size);
	p->writes++;
	return 0;
}

static void put(u64 gpa, u64 val, unsigned int size)
{
	memcpy(&pm.m[gpa], &val, size);
}

static u64 get(u64 gpa, unsigned int size)
{
	u64 v = 0;

	memcpy(&v, &pm.m[gpa], size);
	return v;
}

static struct x86_walk_env wenv;

static void reset(u64 cr0, u64 cr3, u64 cr4, u64 efer)
{
	memset(&pm, 0, sizeof(pm));
	memset(&wenv, 0, sizeof(wenv));
	wenv.cr0 = cr0;
	wenv.cr3 = cr3;
	wenv.cr4 = cr4;
	wenv.efer = efer;
	wenv.opaque = &pm;
	wenv.read_pte = read_pte;
	wenv.write_pte = write_pte;
}

/* Expect a translation to @gpa (err < 0) or a #PF with error code @err. */
static void w(const char *what, u64 gva, unsigned int acc, long long err,
	      u64 want_gpa)
{
	u64 gpa = 0;
	u32 pfe = 0;
	int ret = x86_walk(&wenv, gva, acc, &gpa, &pfe);

	if (err < 0) {
		tap_ok(ret == X86_WALK_OK && gpa == want_gpa,
		       "walk %s: %#llx -> %#llx", what,
		       (unsigned long long)gva, (unsigned long long)want_gpa);
		if (ret != X86_WALK_OK || gpa != want_gpa)
			tap_diag("  ret %d gpa %#llx pfe %#x", ret,
				 (unsigned long long)gpa, pfe);
	} else {
		tap_ok(ret == X86_WALK_PF && pfe == (u32)err,
		       "walk %s: %#llx faults with %#llx", what,
		       (unsigned long long)gva, err);
		if (ret != X86_WALK_PF || pfe != (u32)err)
			tap_diag("  ret %d gpa %#llx pfe %#x", ret,
				 (unsigned long long)gpa, pfe);
	}
}

#define OK	(-1LL)
#define WR	X86_WALK_WRITE
#define USR	X86_WALK_USER
#define FE	X86_WALK_FETCH
#define IMP	X86_WALK_IMPLICIT
#define EP	X86_PFEC_P
#define EW	X86_PFEC_W
#define EU	X86_PFEC_U
#define ER	X86_PFEC_RSVD
#define EI	X86_PFEC_ID
#define EK	X86_PFEC_PK

static void walk_nopaging(void)
{
	reset(0, 0x1000, 0, 0);
	w("paging off", 0x12345678, WR | USR, OK, 0x12345678);
}

static void walk_32bit(void)
{
	/* gva 0x00401234: PDE 1, PTE 1 */
	reset(CR0_PG_WP, 0x1000, 0, 0);
	put(0x1000 + 4, 0x2000 | P | RW | US, 4);
	put(0x2000 + 4, 0x5000 | P | RW | US, 4);
	w("32-bit 4K", 0x00401234, 0, OK, 0x5234);
	tap_ok(get(0x1004, 4) == (0x2000 | P | RW | US | A) &&
	       get(0x2004, 4) == (0x5000 | P | RW | US | A),
	       "walk 32-bit: read sets A on PDE and PTE, not D");
	w("32-bit 4K write", 0x00401234, WR | USR, OK, 0x5234);
	tap_ok(get(0x2004, 4) == (0x5000 | P | RW | US | A | D) &&
	       get(0x1004, 4) == (0x2000 | P | RW | US | A),
	       "walk 32-bit: write sets D on the PTE only");
	w("32-bit high gva bits ignored", 0xffffffff00401234ULL, 0, OK, 0x5234);
	w("32-bit PDE not present", 0x00801000, WR | USR, EW | EU, 0);
	w("32-bit PTE not present", 0x00402000, FE, 0, 0);
	/* supervisor-only page */
	put(0x2000 + 8, 0x6000 | P | RW, 4);
	w("32-bit user read of supervisor page", 0x00402000, USR, EP | EU, 0);
	tap_ok(!(get(0x2008, 4) & A), "walk 32-bit: faulting walk sets no A");
	w("32-bit supervisor read", 0x00402000, 0, OK, 0x6000);
	/* read-only page */
	put(0x2000 + 12, 0x7000 | P | US, 4);
	w("32-bit user write to RO page", 0x00403000, WR | USR, EP | EW | EU, 0);
	w("32-bit supervisor write to RO page, WP=1", 0x00403000, WR,
	  EP | EW, 0);
	wenv.cr0 = X86_WALK_CR0_PG;
	w("32-bit supervisor write to RO page, WP=0", 0x00403000, WR, OK,
	  0x7000);
	w("32-bit user write to RO page, WP=0", 0x00403000, WR | USR,
	  EP | EW | EU, 0);
	/* RW only in the PDE: combined rights */
	put(0x1000 + 8, 0x3000 | P | US, 4);
	put(0x3000, 0x8000 | P | RW | US, 4);
	wenv.cr0 = CR0_PG_WP;
	w("32-bit RO PDE over RW PTE", 0x00800000, WR | USR, EP | EW | EU, 0);
	/* fetch: no NX in 32-bit paging; I/D reported only with SMEP */
	w("32-bit user fetch", 0x00401000, FE | USR, OK, 0x5000);
	w("32-bit user fetch of supervisor page (no I/D)", 0x00402000,
	  FE | USR, EP | EU, 0);
	wenv.cr4 = X86_WALK_CR4_SMEP;
	w("32-bit SMEP supervisor fetch of user page", 0x00401000, FE,
	  EP | EI, 0);
	w("32-bit SMEP user fetch of user page", 0x00401000, FE | USR, OK,
	  0x5000);
	/* PSE 4 MiB pages */
	reset(CR0_PG_WP, 0x1000, X86_WALK_CR4_PSE, 0);
	put(0x1000 + 4 * 3, 0x00c00000 | PS | P | RW, 4);
	w("32-bit PSE 4M", 0x00c12345, 0, OK, 0x00c12345);
	tap_ok(get(0x100c, 4) == (0x00c00000 | PS | P | RW | A),
	       "walk 32-bit: 4M page gets A");
	put(0x1000 + 4 * 4, 0x01000000 | (0x3ULL << 13) | PS | P | RW, 4);
	w("32-bit PSE-36 high bits", 0x01012345, 0, OK, 0x301012345ULL);
	put(0x1000 + 4 * 5, 0x01400000 | (1ULL << 21) | PS | P | RW, 4);
	w("32-bit PSE bit 21 reserved", 0x01400000, WR, EP | EW | ER, 0);
	wenv.maxphyaddr = 36;
	put(0x1000 + 4 * 6, 0x01800000 | (1ULL << 17) | PS | P | RW, 4);
	w("32-bit PSE-36 above MAXPHYADDR reserved", 0x01800000, 0,
	  EP | ER, 0);
	/* CR4.PSE=0: the PS bit is ignored, the PDE points to a table */
	reset(CR0_PG_WP, 0x1000, 0, 0);
	put(0x1000 + 4 * 3, 0x00004000 | PS | P | RW, 4);
	put(0x4000 + 4 * 0x12, 0x9000 | P | RW, 4);
	w("32-bit PS ignored without CR4.PSE", 0x00c12345, 0, OK, 0x9345);
}

static void walk_pae(void)
{
	u64 nxe = X86_WALK_EFER_NXE;

	/* gva 0x40201234: PDPTE 1, PDE 1, PTE 1 */
	reset(CR0_PG_WP, 0x1020, X86_WALK_CR4_PAE, nxe);
	put(0x1020 + 8, 0x2000 | P, 8);
	put(0x2000 + 8, 0x3000 | P | RW | US, 8);
	put(0x3000 + 8, 0x5000 | P | RW | US, 8);
	w("PAE 4K", 0x40201234, WR | USR, OK, 0x5234);
	tap_ok(get(0x1028, 8) == (0x2000 | P) &&
	       get(0x2008, 8) == (0x3000 | P | RW | US | A) &&
	       get(0x3008, 8) == (0x5000 | P | RW | US | A | D),
	       "walk PAE: A/D set, PDPTE untouched");
	w("PAE PDPTE not present", 0x80000000, 0, 0, 0);
	put(0x1020 + 16, 0x2000 | P | RW, 8);
	w("PAE PDPTE reserved bit", 0x80000000, 0, EP | ER, 0);
	put(0x1020 + 24, 0x2000 | P | XD, 8);
	w("PAE PDPTE bit 63 reserved", 0xc0000000, 0, EP | ER, 0);
	/* NX */
	put(0x3000 + 16, 0x6000 | P | RW | XD, 8);
	w("PAE NX fetch", 0x40202000, FE, EP | EI, 0);
	w("PAE NX read", 0x40202000, 0, OK, 0x6000);
	wenv.efer = 0;
	w("PAE XD reserved without NXE", 0x40202000, 0, EP | ER, 0);
	w("PAE fetch without NXE: no I/D", 0x40203000, FE, 0, 0);
	wenv.efer = nxe;
	/* 2 MiB page */
	put(0x2000 + 16, 0x00400000 | PS | P | RW, 8);
	w("PAE 2M", 0x40412345, 0, OK, 0x00412345);
	put(0x2000 + 24, 0x00600000 | (1ULL << 13) | PS | P | RW, 8);
	w("PAE 2M bit 13 reserved", 0x40600000, 0, EP | ER, 0);
	/* bits 62:52 reserved in PAE, and above MAXPHYADDR */
	put(0x3000 + 24, 0x7000 | (1ULL << 52) | P, 8);
	w("PAE bit 52 reserved", 0x40203000, 0, EP | ER, 0);
	wenv.maxphyaddr = 36;
	put(0x3000 + 32, 0x8000 | (1ULL << 40) | P, 8);
	w("PAE bit above MAXPHYADDR reserved", 0x40204000, USR,
	  EP | ER | EU, 0);
	wenv.maxphyaddr = 0;
	w("PAE bit 40 fine at MAXPHYADDR 52", 0x40204000, 0, OK,
	  0x10000008000ULL);
	/* A bits retried after a race */
	reset(CR0_PG_WP, 0x1020, X86_WALK_CR4_PAE, nxe);
	put(0x1020 + 8, 0x2000 | P, 8);
	put(0x2000 + 8, 0x3000 | P | RW | US, 8);
	put(0x3000 + 8, 0x5000 | P | RW | US, 8);
	pm.races = 2;
	w("PAE A/D update retried after a race", 0x40201234, WR, OK, 0x5234);
	tap_ok(get(0x3008, 8) == (0x5000 | P | RW | US | A | D),
	       "walk PAE: retried walk sets A/D");
	pm.races = 100;
	put(0x3008, 0x5000 | P | RW | US, 8);
	tap_ok(x86_walk(&wenv, 0x40201234, WR, &(u64){ 0 }, &(u32){ 0 }) < 0,
	       "walk PAE: endless races give up with an error");
	pm.races = 0;
	pm.read_error = true;
	tap_ok(x86_walk(&wenv, 0x40201234, 0, &(u64){ 0 }, &(u32){ 0 }) == -5,
	       "walk PAE: read_pte error is returned");
	pm.read_error = false;
	wenv.write_pte = NULL;
	put(0x3008, 0x5000 | P | RW | US, 8);
	w("PAE without write_pte", 0x40201234, WR, OK, 0x5234);
	tap_ok(get(0x3008, 8) == (0x5000 | P | RW | US),
	       "walk PAE: no write_pte, no A/D");
}

/*
 * Build a 4-level chain for @gva: PML4 0x1000, PDPT 0x2000, PD 0x3000,
 * PT 0x4000, with @flags on the non-leaf entries.
 */
static void chain4(u64 gva, u64 flags, u64 leaf)
{
	put(0x1000 + 8 * ((gva >> 39) & 511), 0x2000 | flags, 8);
	put(0x2000 + 8 * ((gva >> 30) & 511), 0x3000 | flags, 8);
	put(0x3000 + 8 * ((gva >> 21) & 511), 0x4000 | flags, 8);
	put(0x4000 + 8 * ((gva >> 12) & 511), leaf, 8);
}

static void walk_long(void)
{
	u64 efer = X86_WALK_EFER_LMA | X86_WALK_EFER_NXE;
	u64 cr4 = X86_WALK_CR4_PAE;
	u64 gk = 0xffff800000201000ULL, gu = 0x00007f0000403000ULL;

	reset(CR0_PG_WP, 0x1000, cr4, efer);
	chain4(gk, P | RW, 0x9000 | P | RW);
	w("4-level 4K supervisor", gk + 0x123, WR, OK, 0x9123);
	tap_ok(get(0x1000 + 8 * 256, 8) == (0x2000 | P | RW | A) &&
	       get(0x4000 + 8 * 1, 8) == (0x9000 | P | RW | A | D),
	       "walk 4-level: A on all levels, D on the leaf");
	w("4-level user access to supervisor page", gk, USR, EP | EU, 0);
	w("4-level user write to supervisor page", gk, USR | WR,
	  EP | EW | EU, 0);
	w("4-level not present PML4E", 0x0000100000000000ULL, USR | FE,
	  EU | EI, 0);

	/* user pages, SMAP and SMEP */
	chain4(gu, P | RW | US, 0xa000 | P | RW | US);
	w("4-level user read", gu, USR, OK, 0xa000);
	wenv.cr4 = cr4 | X86_WALK_CR4_SMAP;
	w("SMAP supervisor read of user page, AC=0", gu, 0, EP, 0);
	w("SMAP supervisor write of user page, AC=0", gu, WR, EP | EW, 0);
	wenv.ac = true;
	w("SMAP supervisor read of user page, AC=1", gu, 0, OK, 0xa000);
	w("SMAP implicit access ignores AC", gu, IMP, EP, 0);
	w("SMAP implicit wins over USER", gu, IMP | USR, EP, 0);
	w("SMAP does not apply to fetches", gu, FE, OK, 0xa000);
	w("SMAP user access fine", gu, USR | WR, OK, 0xa000);
	wenv.ac = false;
	wenv.cr4 = cr4 | X86_WALK_CR4_SMEP;
	w("SMEP supervisor fetch of user page", gu, FE, EP | EI, 0);
	w("SMEP supervisor read of user page", gu, 0, OK, 0xa000);
	w("no SMAP: implicit supervisor read of user page", gu, IMP, OK,
	  0xa000);
	wenv.cr4 = cr4;

	/* U/S must be set at every level */
	put(0x4000 + 8 * 4, 0xb000 | P | RW | US, 8);
	put(0x3000 + 8 * 5, 0x4000 | P | RW, 8);
	w("4-level user PTE under supervisor PDE", 0x00007f0000a04000ULL, USR,
	  EP | EU, 0);
	w("4-level supervisor access through it", 0x00007f0000a04000ULL, WR,
	  OK, 0xb000);

	/* NX at any level */
	reset(CR0_PG_WP, 0x1000, cr4, efer);
	chain4(gk, P | RW, 0x9000 | P | RW);
	put(0x2000, 0x3000 | P | RW | XD, 8);
	w("NX in the PDPTE", gk, FE, EP | EI, 0);
	w("NX page readable", gk, 0, OK, 0x9000);
	w("NX user fetch", gk, FE | USR, EP | EU | EI, 0);

	/* large pages */
	reset(CR0_PG_WP, 0x1000, cr4, efer);
	put(0x1000, 0x2000 | P | RW | US, 8);
	put(0x2000 + 8 * 1, 0x40000000 | PS | P | RW | US, 8);
	w("4-level 1G page", 0x4abcdef1, USR, OK, 0x4abcdef1);
	put(0x2000 + 8 * 2, 0x80000000 | (1ULL << 13) | PS | P | RW, 8);
	w("1G page bit 13 reserved", 0x80000000, 0, EP | ER, 0);
	put(0x2000 + 8 * 3, 0xc0000000ULL | (1ULL << 12) | PS | P | RW, 8);
	w("1G page PAT bit 12 is not reserved", 0xc0000010, 0, OK,
	  0xc0000010);
	put(0x2000, 0x3000 | P | RW | US, 8);
	put(0x3000 + 8 * 3, 0x00600000 | PS | P | RW | US, 8);
	w("4-level 2M page write", 0x00654321, WR | USR, OK, 0x00654321);
	tap_ok(get(0x3018, 8) == (0x00600000 | PS | P | RW | US | A | D),
	       "walk 4-level: 2M leaf gets A and D");
	put(0x3000 + 8 * 4, 0x00800000 | (1ULL << 20) | PS | P | RW, 8);
	w("2M page bit 20 reserved", 0x00800000, 0, EP | ER, 0);
	put(0x1000 + 8 * 1, 0x2000 | PS | P | RW, 8);
	w("PML4E PS reserved", 0x0000008000000000ULL, 0, EP | ER, 0);
	put(0x1000 + 8 * 2, 0x2000 | (1ULL << 51) | P | RW, 8);
	wenv.maxphyaddr = 48;
	w("PML4E address above MAXPHYADDR", 0x0000010000000000ULL, WR,
	  EP | EW | ER, 0);
	wenv.maxphyaddr = 0;
	put(0x1000 + 8 * 3, 0x2000 | (0x7ffULL << 52) | P | RW, 8);
	w("bits 62:52 ignored in 4-level paging", 0x0000018040000000ULL, 0,
	  OK, 0x40000000);
	wenv.efer = X86_WALK_EFER_LMA;
	put(0x1000 + 8 * 4, 0x2000 | XD | P | RW, 8);
	w("XD reserved without NXE", 0x0000020040000000ULL, 0, EP | ER, 0);
	w("fetch without NXE or SMEP: no I/D", 0x0000028000000000ULL, FE, 0,
	  0);

	/* protection keys */
	reset(CR0_PG_WP, 0x1000, cr4 | X86_WALK_CR4_PKE, efer);
	chain4(gu, P | RW | US, 0xa000 | (1ULL << 59) | P | RW | US);
	wenv.pkru = 1 << 2;	/* AD for key 1 */
	w("PK access disable", gu, USR, EP | EU | EK, 0);
	w("PK access disable, supervisor", gu, 0, EP | EK, 0);
	w("PK not for fetches", gu, USR | FE, OK, 0xa000);
	wenv.pkru = 2 << 2;	/* WD for key 1 */
	w("PK write disable: read ok", gu, USR, OK, 0xa000);
	w("PK write disable", gu, USR | WR, EP | EW | EU | EK, 0);
	wenv.cr0 = X86_WALK_CR0_PG;
	w("PK write disable, supervisor, WP=0", gu, WR, OK, 0xa000);
	wenv.cr0 = CR0_PG_WP;
	w("PK write disable, supervisor, WP=1", gu, WR, EP | EW | EK, 0);
	wenv.pkru = 3;		/* key 0 disabled, key 1 fine */
	w("PK other key", gu, USR | WR, OK, 0xa000);

	/* 5-level */
	reset(CR0_PG_WP, 0x5000, cr4 | X86_WALK_CR4_LA57, efer);
	put(0x5000 + 8 * 0x1ff, 0x1000 | P | RW, 8);
	chain4(0xffff800000201000ULL, P | RW, 0x9000 | P | RW);
	w("5-level 4K", 0xffff800000201abcULL, WR, OK, 0x9abc);
	tap_ok(get(0x5000 + 8 * 0x1ff, 8) == (0x1000 | P | RW | A),
	       "walk 5-level: PML5E gets A");
	w("5-level PML5E not present", 0x0000800000201000ULL, 0, 0, 0);
	put(0x5000 + 8 * 2, 0x1000 | PS | P | RW, 8);
	w("5-level PML5E PS reserved", 0x0002000000000000ULL, 0, EP | ER, 0);
}

/*
 * The memo answers a repeated walk only while every entry it read holds
 * the same value: a planted result shows when it answered, and any
 * change to an entry, the env or the access must walk again.
 */
static void walk_memo(void)
{
	u64 efer = X86_WALK_EFER_LMA | X86_WALK_EFER_NXE;
	u64 gk = 0xffff800000201000ULL, plant = 0x7777000;
	struct x86_walk_memo memo = { 0 };

	reset(CR0_PG_WP, 0x1000, X86_WALK_CR4_PAE, efer);
	wenv.memo = &memo;
	chain4(gk, P | RW, 0x9000 | P | RW);
	w("memo: first walk", gk + 0x10, 0, OK, 0x9010);
	tap_ok(memo.nr == 4 && memo.pte_of[3] == (0x9000 | P | RW | A),
	       "walk memo: kept 4 entries as the walk left them");
	memo.gpa_page = plant;
	w("memo: same page answered from the memo", gk + 0x20, 0, OK,
	  plant + 0x20);
	w("memo: another access walks", gk, WR, OK, 0x9000);
	tap_ok(get(0x4008, 8) == (0x9000 | P | RW | A | D),
	       "walk memo: the write walk set D");
	memo.gpa_page = plant;
	w("memo: the write walk was kept", gk + 1, WR, OK, plant + 1);

	memo.gpa_page = plant;
	put(0x4008, 0xa000 | P | RW | A | D, 8);
	w("memo: a changed leaf walks again", gk, WR, OK, 0xa000);
	memo.gpa_page = plant;
	put(0x3008, 0x5000 | P | RW | A, 8);
	put(0x5008, 0xb000 | P | RW | A | D, 8);
	w("memo: a changed upper entry walks again", gk, WR, OK, 0xb000);
	memo.gpa_page = plant;
	put(0x5008, 0xb000 | P | A | D, 8);
	w("memo: a permission taken away faults", gk, WR, EP | EW, 0);
	tap_ok(memo.nr == 0, "walk memo: a fault keeps nothing");
	w("memo: read of the read-only page", gk, 0, OK, 0xb000);
	memo.gpa_page = plant;
	wenv.cr4 |= X86_WALK_CR4_SMEP;
	w("memo: another CR4 walks again", gk, 0, OK, 0xb000);
	memo.gpa_page = plant;
	w("memo: another page walks again", gk + 0x1000, 0, 0, 0);
	wenv.memo = NULL;
}

/* Random entry flips: with or without the memo, every walk agrees. */
static void walk_memo_random(void)
{
	static const u64 flip[] = { P, RW, US, A, D, PS, XD, 0x1000, 0x2000,
				    1ULL << 13, 1ULL << 45 };
	static const u64 ent[] = { 0x1000, 0x2000, 0x3000, 0x4000 };
	u64 efer = X86_WALK_EFER_LMA | X86_WALK_EFER_NXE;
	struct x86_walk_memo memo = { 0 };
	unsigned int i, bad = 0, seed = 12345;

	reset(CR0_PG_WP, 0x1000, X86_WALK_CR4_PAE, efer);
	chain4(0, P | RW | US, 0x9000 | P | RW | US);
	put(0x4008, 0xa000 | P | RW | US, 8);
	for (i = 0; i < 20000; i++) {
		struct x86_walk_env plain = wenv;
		unsigned int acc, r1, r2;
		u64 gva, g1 = 0, g2 = 0;
		u32 e1 = 0, e2 = 0;

		seed = seed * 1103515245 + 12345;
		if (seed & 0x10000) {
			u64 at = ent[(seed >> 17) & 3];

			put(at, get(at, 8) ^ flip[(seed >> 19) % 11], 8);
		}
		/* Mostly plain reads and writes, so that walks repeat. */
		acc = (seed >> 24) & ((seed >> 30) ? WR : WR | USR | FE);
		gva = ((seed >> 27) & 1) * 0x1000 + ((seed >> 8) & 0xff);
		wenv.memo = &memo;
		r1 = x86_walk(&wenv, gva, acc, &g1, &e1);
		plain.memo = NULL;
		r2 = x86_walk(&plain, gva, acc, &g2, &e2);
		if (r1 != r2 || (r1 == X86_WALK_OK && g1 != g2) ||
		    (r1 == X86_WALK_PF && e1 != e2))
			bad++;
	}
	wenv.memo = NULL;
	tap_ok(!bad, "walk memo: 20000 random walks agree with plain ones");
}

void test_walk(void)
{
	walk_nopaging();
	walk_32bit();
	walk_pae();
	walk_long();
	walk_memo();
	walk_memo_random();
}


