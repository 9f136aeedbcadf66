// SPDX-License-Identifier: GPL-2.0
/*
 * MMIO and the guest's paging: accesses that cross a page boundary
 * between RAM and MMIO (only the MMIO part exits), an MMIO instruction
 * whose bytes straddle two guest pages backed by non-contiguous RAM, an
 * instruction fetch from a page the guest does not map (#PF in the guest
 * with CR2 and the I/D error code bit), MMIO operands behind not-present
 * and read-only guest PTEs (#PF in the guest, no exit), read-only
 * memslots (reads see the memory; writes exit as MMIO and change
 * nothing), and new code at the RIP of an earlier MMIO instruction
 * (a hypervisor that remembers fetches or decodes must notice).
 */
#include <sys/ioctl.h>

#include "../kvmod/test_harness.h"
#include "../kvmod/kvm_util.h"
#include "mmio_lib.h"

#define MMIO_GPA	0xc0000000ULL	/* identity-mapped, no memslot */
#define ALIAS_VA	0x600000000000ULL	/* private mappings */
#define CODE_VA		0x610000000000ULL
#define PAGE_A_GPA	(SCRATCH_GPA + 0x10000)
#define PAGE_B_GPA	(SCRATCH_GPA + 0x30000)
#define RO_GPA		0x40000000ULL
#define RO_SIZE		0x2000ULL

static uint8_t dev_mem[0x2000];

static void expect_mmio(struct kvm_vcpu *vcpu, uint64_t gpa, uint32_t len,
			bool is_write)
{
	struct kvm_run *run = vcpu->run;

	vcpu_run_exit(vcpu, KVM_EXIT_MMIO);
	EXPECT_EQ_U64(run->mmio.phys_addr, gpa);
	EXPECT_EQ(run->mmio.len, len);
	EXPECT_EQ(run->mmio.is_write, is_write);
}

static uint64_t mmio_data(struct kvm_vcpu *vcpu)
{
	uint64_t v = 0;

	memcpy(&v, vcpu->run->mmio.data, vcpu->run->mmio.len);
	return v;
}

static GUEST_CODE void cross_guest(uint64_t end)
{
	volatile uint32_t *p32 = (volatile uint32_t *)(end - 2);
	volatile uint64_t *p64 = (volatile uint64_t *)(end - 3);
	volatile uint32_t *q32 = (volatile uint32_t *)(ALIAS_VA + 0xffe);

	*p32 = 0x11223344;
	GUEST_SYNC(*p32);
	*p64 = 0x0102030405060708ULL;
	GUEST_SYNC(*p64);
	/* MMIO first, then RAM. */
	*q32 = 0xa1b2c3d4;
	GUEST_SYNC(*q32);
}

/*
 * The last bytes of memslot 0 and the GPA right after it (no memslot);
 * then a page mapped to MMIO followed by one mapped to RAM.
 */
TEST(cross_page_ram_mmio)
{
	struct kvm_vm *vm = vm_new(0);
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	uint64_t end = vm->mem_size, pml4;
	uint8_t *ram_end = gpa_ptr(vm, end - 8);
	uint8_t *b = gpa_ptr(vm, PAGE_B_GPA);
	uint64_t v;

	vcpu_setup_long(vcpu, cross_guest, end);
	pml4 = vm_identity_pml4(vm);
	vm_map_4k(vm, pml4, ALIAS_VA, MMIO_GPA + 0xf000, PTE_P | PTE_RW);
	vm_map_4k(vm, pml4, ALIAS_VA + 0x1000, PAGE_B_GPA, PTE_P | PTE_RW);

	/* 4-byte write: 2 bytes to RAM, 2 to MMIO. */
	expect_mmio(vcpu, end, 2, true);
	EXPECT_EQ_U64(mmio_data(vcpu), 0x1122);
	/* 4-byte read: the MMIO half comes from userspace. */
	expect_mmio(vcpu, end, 2, false);
	v = 0xbbaa;
	memcpy(vcpu->run->mmio.data, &v, 2);
	EXPECT_EQ_U64(vcpu_run_sync(vcpu), 0xbbaa3344);
	EXPECT_EQ(ram_end[6], 0x44);
	EXPECT_EQ(ram_end[7], 0x33);

	/* 8 bytes at end - 3: 3 to RAM, 5 to MMIO. */
	expect_mmio(vcpu, end, 5, true);
	EXPECT_EQ_U64(mmio_data(vcpu), 0x0102030405ULL);
	expect_mmio(vcpu, end, 5, false);
	v = 0xf5f4f3f2f1ULL;
	memcpy(vcpu->run->mmio.data, &v, 5);
	EXPECT_EQ_U64(vcpu_run_sync(vcpu), 0xf5f4f3f2f1060708ULL);
	EXPECT_EQ(ram_end[5], 0x08);
	EXPECT_EQ(ram_end[6], 0x07);
	EXPECT_EQ(ram_end[7], 0x06);

	/* MMIO page, then RAM page. */
	expect_mmio(vcpu, MMIO_GPA + 0xfffe, 2, true);
	EXPECT_EQ_U64(mmio_data(vcpu), 0xc3d4);
	expect_mmio(vcpu, MMIO_GPA + 0xfffe, 2, false);
	v = 0x7766;
	memcpy(vcpu->run->mmio.data, &v, 2);
	EXPECT_EQ_U64(vcpu_run_sync(vcpu), 0xa1b27766);
	EXPECT_EQ(b[0], 0xb2);
	EXPECT_EQ(b[1], 0xa1);
	vcpu_run_done(vcpu);
}

/*
 * "movl $0xdeadbeef, 0x10(%rax); hlt" with its first 3 bytes at the end
 * of one guest page and the rest at the start of the next, the two pages
 * backed by RAM pages 128 KiB apart.
 */
TEST(mmio_insn_straddles_pages)
{
	static const uint8_t insn[] = { 0xc7, 0x40, 0x10, 0xef, 0xbe, 0xad,
					0xde, 0xf4 };
	struct kvm_vm *vm = vm_new(0);
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	struct kvm_regs regs;
	struct mmio_dev d;
	uint64_t pml4;

	vcpu_setup_long(vcpu, NULL, 0);
	pml4 = vm_identity_pml4(vm);
	vm_map_4k(vm, pml4, CODE_VA, PAGE_A_GPA, PTE_P | PTE_RW);
	vm_map_4k(vm, pml4, CODE_VA + 0x1000, PAGE_B_GPA, PTE_P | PTE_RW);
	memcpy(gpa_ptr(vm, PAGE_A_GPA + 0xffd), insn, 3);
	memcpy(gpa_ptr(vm, PAGE_B_GPA), insn + 3, sizeof(insn) - 3);
	/* What the identity map would fetch instead: a HLT. */
	*(uint8_t *)gpa_ptr(vm, PAGE_A_GPA + 0x1000) = 0xf4;

	vcpu_get_regs(vcpu->fd, &regs);
	regs.rip = CODE_VA + 0xffd;
	regs.rax = MMIO_GPA;
	vcpu_set_regs(vcpu->fd, &regs);
	memset(dev_mem, 0, sizeof(dev_mem));
	mmio_dev_init(&d, MMIO_GPA, sizeof(dev_mem), dev_mem);
	mmio_run_until(vcpu, &d, KVM_EXIT_HLT);
	EXPECT_TRUE(mmio_check_log(&d, "w4@10"));
	EXPECT_EQ_U64(*(uint32_t *)(dev_mem + 0x10), 0xdeadbeef);
	vcpu_get_regs(vcpu->fd, &regs);
	EXPECT_EQ_U64(regs.rip, CODE_VA + 0x1000 + 5);
}

static GUEST_CODE void fetch_guest(uint64_t va)
{
	int v;

	/* A jump, not a call: the handler resumes with the same RSP. */
	v = GUEST_CATCH("jmp *%0", : : "r"(va) : "memory");
	GUEST_ASSERT_EQ(v, PF_VECTOR);
	GUEST_ASSERT_EQ(guest_caught.rip, va);
	GUEST_ASSERT_EQ(guest_caught.cr2, va);
	GUEST_SYNC(guest_caught.error_code);
	v = GUEST_CATCH("jmp *%0", : : "r"(va + 0x1000) : "memory");
	GUEST_ASSERT_EQ(v, PF_VECTOR);
	GUEST_ASSERT_EQ(guest_caught.rip, va + 0x1000);
	GUEST_ASSERT_EQ(guest_caught.cr2, va + 0x1000);
	GUEST_SYNC(guest_caught.error_code);
}

/*
 * A jump to a page the guest's tables leave not present, then to a
 * present NX page: #PF with CR2 = RIP = the target and the I/D bit (EFER.NXE
 * is set), plus P for the NX page.
 */
TEST(fetch_from_unmapped_page)
{
	struct kvm_vm *vm = vm_new(0);
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	struct kvm_sregs sr;
	uint64_t pml4;

	vcpu_setup_long(vcpu, fetch_guest, CODE_VA);
	pml4 = vm_identity_pml4(vm);
	vm_map_4k(vm, pml4, CODE_VA, PAGE_A_GPA, 0);
	vm_map_4k(vm, pml4, CODE_VA + 0x1000, PAGE_B_GPA,
		  PTE_P | PTE_RW | PTE_NX);
	memset(gpa_ptr(vm, PAGE_A_GPA), 0xf4, 0x1000);
	memset(gpa_ptr(vm, PAGE_B_GPA), 0xf4, 0x1000);
	vcpu_get_sregs(vcpu->fd, &sr);
	sr.efer |= EFER_NX;
	vcpu_set_sregs(vcpu->fd, &sr);

	EXPECT_EQ_U64(vcpu_run_sync(vcpu), 0x10);
	EXPECT_EQ_U64(vcpu_run_sync(vcpu), 0x11);
	vcpu_run_done(vcpu);
}

static GUEST_CODE void pte_guest(uint64_t va)
{
	uint32_t val = 0;
	int v;

	v = GUEST_CATCH("movl $1, (%0)", : : "r"(va) : "memory");
	GUEST_ASSERT_EQ(v, PF_VECTOR);
	GUEST_ASSERT_EQ(guest_caught.cr2, va);
	GUEST_SYNC(guest_caught.error_code);
	v = GUEST_CATCH("movl 4(%1), %0", : "+r"(val) : "r"(va) : "memory");
	GUEST_ASSERT_EQ(v, PF_VECTOR);
	GUEST_ASSERT_EQ(guest_caught.cr2, va + 4);
	GUEST_SYNC(guest_caught.error_code);
	/* Read-only PTE, CR0.WP set: the read exits, the write faults. */
	v = GUEST_CATCH("movl 8(%1), %0", : "+r"(val) : "r"(va + 0x1000)
			: "memory");
	GUEST_ASSERT_EQ(v, -1);
	GUEST_SYNC(val);
	v = GUEST_CATCH("movl $1, 8(%0)", : : "r"(va + 0x1000) : "memory");
	GUEST_ASSERT_EQ(v, PF_VECTOR);
	GUEST_ASSERT_EQ(guest_caught.cr2, va + 0x1008);
	GUEST_SYNC(guest_caught.error_code);
}

/*
 * Guest PTEs in front of MMIO GPAs: not present gives #PF (error code 2
 * for the write, 0 for the read) without any exit; read-only gives an
 * MMIO read exit for a read and #PF (error code 3) for a write.
 */
TEST(mmio_behind_guest_pte)
{
	struct kvm_vm *vm = vm_new(0);
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	uint64_t pml4, v = 0x5566778899aabbccULL;

	vcpu_setup_long(vcpu, pte_guest, ALIAS_VA);
	pml4 = vm_identity_pml4(vm);
	vm_map_4k(vm, pml4, ALIAS_VA, MMIO_GPA, PTE_RW);
	vm_map_4k(vm, pml4, ALIAS_VA + 0x1000, MMIO_GPA + 0x1000, PTE_P);

	EXPECT_EQ_U64(vcpu_run_sync(vcpu), 2);
	EXPECT_EQ_U64(vcpu_run_sync(vcpu), 0);
	expect_mmio(vcpu, MMIO_GPA + 0x1008, 4, false);
	memcpy(vcpu->run->mmio.data, &v, 4);
	EXPECT_EQ_U64(vcpu_run_sync(vcpu), 0x99aabbccULL);
	EXPECT_EQ_U64(vcpu_run_sync(vcpu), 3);
	vcpu_run_done(vcpu);
}

static GUEST_CODE void ro_guest(uint64_t gpa)
{
	volatile uint64_t *p = (volatile uint64_t *)gpa;
	uint64_t di = gpa + 0x1000, n = 2;

	GUEST_SYNC(p[0]);
	*(volatile uint32_t *)(gpa + 8) = 0x12345678;
	GUEST_SYNC(p[1]);
	asm volatile("addl $1, 16(%0)" : : "r"(gpa) : "memory");
	GUEST_SYNC(p[2]);
	/* The second page, through a string store. */
	asm volatile("rep stosw" : "+D"(di), "+c"(n) : "a"(0xabcd) : "memory");
	GUEST_ASSERT_EQ(n, 0);
	GUEST_SYNC(di);
}

/*
 * KVM_MEM_READONLY: when KVM_CAP_READONLY_MEM says so, reads see the
 * memory and each write (plain, read-modify-write, string) exits as MMIO
 * with its data while the memory stays as it was; otherwise the flag is
 * refused with EINVAL.
 */
TEST(readonly_memslot)
{
	struct kvm_vm *vm = vm_new(0);
	struct kvm_vcpu *vcpu;
	uint64_t *ro = host_mem_alloc(RO_SIZE);
	uint64_t pattern[4] = { 0x1111222233334444ULL, 0x5555666677778888ULL,
				0x99990000aaaabbbbULL, 0 };
	int r;

	memcpy(ro, pattern, sizeof(pattern));
	ro[512] = 0xfedcba9876543210ULL;
	r = memslot_set(vm->fd, 1, KVM_MEM_READONLY, RO_GPA, RO_SIZE,
			(uintptr_t)ro);
	if (kvm_check_cap(vm->fd, KVM_CAP_READONLY_MEM) <= 0) {
		EXPECT_EQ(r, -1);
		EXPECT_EQ(errno, EINVAL);
		SKIP("no KVM_CAP_READONLY_MEM (the flag is refused)");
	}
	ASSERT_OK(r);
	vcpu = vcpu_add(vm, 0);
	vcpu_setup_long(vcpu, ro_guest, RO_GPA);

	EXPECT_EQ_U64(vcpu_run_sync(vcpu), pattern[0]);
	expect_mmio(vcpu, RO_GPA + 8, 4, true);
	EXPECT_EQ_U64(mmio_data(vcpu), 0x12345678);
	EXPECT_EQ_U64(vcpu_run_sync(vcpu), pattern[1]);
	/* Read from memory, write as MMIO. */
	expect_mmio(vcpu, RO_GPA + 16, 4, true);
	EXPECT_EQ_U64(mmio_data(vcpu), 0xaaaabbbcULL);
	EXPECT_EQ_U64(vcpu_run_sync(vcpu), pattern[2]);
	expect_mmio(vcpu, RO_GPA + 0x1000, 2, true);
	EXPECT_EQ_U64(mmio_data(vcpu), 0xabcd);
	expect_mmio(vcpu, RO_GPA + 0x1002, 2, true);
	EXPECT_EQ_U64(mmio_data(vcpu), 0xabcd);
	EXPECT_EQ_U64(vcpu_run_sync(vcpu), RO_GPA + 0x1004);
	vcpu_run_done(vcpu);
	EXPECT_EQ(memcmp(ro, pattern, sizeof(pattern)), 0);
	EXPECT_EQ_U64(ro[512], 0xfedcba9876543210ULL);
}

/* Call the code at CODE_VA with EAX and RDX = MMIO_GPA; returns EAX. */
static inline uint64_t call_code(uint64_t eax)
{
	/* Past the red zone: the compiler may keep locals there. */
	asm volatile("sub $128, %%rsp\n\tcall *%1\n\tadd $128, %%rsp"
		     : "+a"(eax) : "r"(CODE_VA), "d"(MMIO_GPA) : "memory", "cc");
	return eax;
}

static inline void poke64(uint64_t *p, uint64_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELAXED);
}

static GUEST_CODE void same_rip_guest(uint64_t pte)
{
	uint8_t *code = (uint8_t *)CODE_VA;

	call_code(1);
	/* New bytes at the same RIP: mov %eax, 8(%rdx). */
	poke8(code + 1, 0x42);
	poke8(code + 2, 0x08);
	poke8(code + 3, 0xc3);
	call_code(2);
	/* The same RIP in another page: page B's mov %eax, 16(%rdx). */
	poke64((uint64_t *)pte, PAGE_B_GPA | PTE_P | PTE_RW);
	invlpg(CODE_VA);
	call_code(3);
	/* Back to page A. */
	poke64((uint64_t *)pte, PAGE_A_GPA | PTE_P | PTE_RW);
	invlpg(CODE_VA);
	call_code(4);
}

/*
 * The same RIP runs an MMIO store four times: as written, after the
 * guest rewrote the instruction, and after it remapped the code page
 * twice.  Every exit must come from the instruction the guest sees then.
 */
TEST(new_code_at_same_rip)
{
	static const uint8_t a[] = { 0x89, 0x02, 0xc3 };	/* mov %eax, (%rdx) */
	static const uint8_t b[] = { 0x89, 0x42, 0x10, 0xc3 };
	struct kvm_vm *vm = vm_new(0);
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	uint64_t pml4, pte;

	pml4 = vm_identity_pml4(vm);
	pte = vm_map_4k(vm, pml4, CODE_VA, PAGE_A_GPA, PTE_P | PTE_RW);
	memcpy(gpa_ptr(vm, PAGE_A_GPA), a, sizeof(a));
	memcpy(gpa_ptr(vm, PAGE_B_GPA), b, sizeof(b));
	vcpu_setup_long(vcpu, same_rip_guest, pte);

	expect_mmio(vcpu, MMIO_GPA, 4, true);
	EXPECT_EQ_U64(mmio_data(vcpu), 1);
	expect_mmio(vcpu, MMIO_GPA + 8, 4, true);
	EXPECT_EQ_U64(mmio_data(vcpu), 2);
	expect_mmio(vcpu, MMIO_GPA + 16, 4, true);
	EXPECT_EQ_U64(mmio_data(vcpu), 3);
	expect_mmio(vcpu, MMIO_GPA + 8, 4, true);
	EXPECT_EQ_U64(mmio_data(vcpu), 4);
	vcpu_run_done(vcpu);
}

static GUEST_CODE void in_flight_guest(uint64_t unused)
{
	(void)unused;
	GUEST_SYNC(call_code(0));
}

/*
 * An MMIO load waits for userspace, which rewrites the instruction
 * (a 4-byte load into a 1-byte one) before completing it: the load
 * completes as the guest fetched it, all four bytes.
 */
TEST(mmio_read_completes_as_fetched)
{
	static const uint8_t ld4[] = { 0x8b, 0x02, 0xc3 };	/* mov (%rdx), %eax */
	static const uint8_t ld1[] = { 0x8a, 0x02, 0xc3 };	/* mov (%rdx), %al */
	struct kvm_vm *vm = vm_new(0);
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	uint32_t v = 0x11223344;
	uint64_t pml4;

	pml4 = vm_identity_pml4(vm);
	vm_map_4k(vm, pml4, CODE_VA, PAGE_A_GPA, PTE_P | PTE_RW);
	memcpy(gpa_ptr(vm, PAGE_A_GPA), ld4, sizeof(ld4));
	vcpu_setup_long(vcpu, in_flight_guest, 0);

	expect_mmio(vcpu, MMIO_GPA, 4, false);
	memcpy(gpa_ptr(vm, PAGE_A_GPA), ld1, sizeof(ld1));
	memcpy(vcpu->run->mmio.data, &v, sizeof(v));
	EXPECT_EQ_U64(vcpu_run_sync(vcpu), 0x11223344);
	vcpu_run_done(vcpu);
}

TEST_HARNESS_MAIN
