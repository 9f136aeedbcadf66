// SPDX-License-Identifier: GPL-2.0
/*
 * Dirty page logging: KVM_MEM_LOG_DIRTY_PAGES, KVM_GET_DIRTY_LOG and,
 * with KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2, KVM_CLEAR_DIRTY_LOG.
 *
 * The guest runs commands the host leaves in a global of the binary:
 * write, read, INS or MOVS (from MMIO) to chosen pages of a second memslot
 * at LOG_GPA.  After each step the dirty bitmap must name exactly the
 * pages written since the last GET (or CLEAR): no page missing, no page
 * that was only read or not touched.  Pages the hypervisor writes for the
 * guest (string port input, an emulated MOVS from MMIO) count as written.
 */
#include <sys/ioctl.h>

#include "../kvmod/test_harness.h"
#include "../kvmod/kvm_util.h"
#include "../kvmod_guest/guest_lib.h"

#define LOG_SLOT	1
#define LOG_GPA		0x40000000UL
#define LOG_PAGES	200	/* not a multiple of 64: a partial last word */
#define LOG_WORDS	((LOG_PAGES + 63) / 64)
#define PAGE		4096UL
#define MMIO_GPA	0xc0000000UL
#define INS_PORT	0x1f0
#define STRING_LEN	16
#define STRING_OFF	0x100

#define OP_WRITE	1
#define OP_READ		2
#define OP_INS		3
#define OP_MOVS		4

struct guest_cmd {
	uint64_t op;
	uint64_t n;
	uint64_t arg;
	uint64_t page[LOG_PAGES];
};

volatile struct guest_cmd cmd;
volatile uint64_t sink;

static GUEST_CODE volatile uint64_t *page_va(uint64_t page)
{
	return (volatile uint64_t *)(LOG_GPA + page * PAGE);
}

static GUEST_CODE void guest_main(uint64_t unused)
{
	uint64_t seq = 0, i, cnt, dst, src;

	(void)unused;
	for (;;) {
		GUEST_SYNC(seq++);
		for (i = 0; i < cmd.n; i++) {
			dst = (uint64_t)page_va(cmd.page[i]) + STRING_OFF;
			cnt = STRING_LEN;
			switch (cmd.op) {
			case OP_WRITE:
				*page_va(cmd.page[i]) = cmd.arg << 16 |
							cmd.page[i];
				break;
			case OP_READ:
				sink += *page_va(cmd.page[i]);
				break;
			case OP_INS:
				asm volatile("rep insb"
					     : "+D"(dst), "+c"(cnt)
					     : "d"(INS_PORT) : "memory");
				break;
			case OP_MOVS:
				src = MMIO_GPA;
				asm volatile("rep movsb"
					     : "+D"(dst), "+S"(src), "+c"(cnt)
					     : : "memory");
				break;
			}
		}
	}
}

struct dvm {
	struct kvm_vm *vm;
	struct kvm_vcpu *vcpu;
	uint8_t *mem;		/* host view of the logging slot */
	uint64_t gen;		/* value the next OP_WRITE stores */
};

static int enable_dirty_caps(int vm_fd, uint64_t caps)
{
	struct kvm_enable_cap c = {
		.cap = KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2,
		.args = { caps },
	};

	return ioctl(vm_fd, KVM_ENABLE_CAP, &c);
}

static int set_log_slot(struct dvm *d, uint32_t flags)
{
	return memslot_set(d->vm->fd, LOG_SLOT, flags, LOG_GPA,
			   LOG_PAGES * PAGE, (uintptr_t)d->mem);
}

/* A VM with the logging slot (flags) and a vCPU waiting for commands. */
static void dvm_init(struct dvm *d, uint32_t flags, uint64_t caps)
{
	d->vm = vm_new(0);
	d->gen = 1;
	if (caps)
		ASSERT_OK(enable_dirty_caps(d->vm->fd, caps));
	d->mem = host_mem_alloc(LOG_PAGES * PAGE);
	ASSERT_OK(set_log_slot(d, flags));
	d->vcpu = vcpu_add(d->vm, 0);
	vcpu_setup_long(d->vcpu, guest_main, 0);
	ASSERT_EQ_U64(vcpu_run_sync(d->vcpu), 0);
}

/* Run the guest through one command, serving its INs and MMIO reads. */
static void run_cmd(struct dvm *d, uint64_t op, const uint64_t *pages,
		    unsigned int n)
{
	volatile struct guest_cmd *c = GUEST_PTR(d->vm, cmd);
	struct kvm_run *run = d->vcpu->run;
	struct ucall uc;
	unsigned int i;

	c->op = op;
	c->n = n;
	c->arg = d->gen;
	for (i = 0; i < n; i++)
		c->page[i] = pages[i];
	for (;;) {
		vcpu_run_ok(d->vcpu);
		if (run->exit_reason == KVM_EXIT_IO &&
		    run->io.port == INS_PORT &&
		    run->io.direction == KVM_EXIT_IO_IN) {
			memset((uint8_t *)run + run->io.data_offset, 0xa5,
			       run->io.size * run->io.count);
			continue;
		}
		if (run->exit_reason == KVM_EXIT_MMIO && !run->mmio.is_write) {
			memset(run->mmio.data, 0x5a, sizeof(run->mmio.data));
			continue;
		}
		if (vcpu_get_ucall(d->vcpu, &uc) != UCALL_SYNC)
			vcpu_fail(d->vcpu, "expected a SYNC");
		break;
	}
	if (op == OP_WRITE)
		d->gen++;
}

#define RUN(d, op, ...) do {						\
	const uint64_t __p[] = { __VA_ARGS__ };				\
	run_cmd(d, op, __p, ARRAY_SIZE(__p));				\
} while (0)

static int get_log(int vm_fd, uint32_t slot, uint64_t *bitmap)
{
	struct kvm_dirty_log log = { .slot = slot, .dirty_bitmap = bitmap };

	return ioctl(vm_fd, KVM_GET_DIRTY_LOG, &log);
}

static int clear_log(int vm_fd, uint32_t slot, uint64_t first,
		     uint32_t num, uint64_t *bitmap)
{
	struct kvm_clear_dirty_log log = {
		.slot = slot,
		.num_pages = num,
		.first_page = first,
		.dirty_bitmap = bitmap,
	};

	return ioctl(vm_fd, KVM_CLEAR_DIRTY_LOG, &log);
}

/* GET_DIRTY_LOG must give exactly these n pages. */
static void expect_dirty_list(struct dvm *d, const int64_t *pages, size_t n)
{
	uint64_t want[LOG_WORDS] = { 0 }, got[LOG_WORDS + 1];
	unsigned int w, b;
	bool bad = false;

	for (; n; n--, pages++)
		want[*pages / 64] |= 1ULL << (*pages % 64);
	/* A canary after the bitmap: its size is whole longs, no more. */
	memset(got, 0xee, sizeof(got));
	ASSERT_OK(get_log(d->vm->fd, LOG_SLOT, got));
	ASSERT_EQ_U64(got[LOG_WORDS], 0xeeeeeeeeeeeeeeeeULL);
	for (w = 0; w < LOG_WORDS; w++) {
		for (b = 0; b < 64; b++) {
			uint64_t m = 1ULL << b;

			if ((want[w] & m) == (got[w] & m))
				continue;
			TH_LOG("page %u: %s", w * 64 + b,
			       want[w] & m ? "written but clean" :
					     "dirty but not written");
			bad = true;
		}
	}
	ASSERT_FALSE(bad);
}

/* The list after the first element, which is there for an empty one. */
#define EXPECT_DIRTY(d, ...) do {					\
	const int64_t __l[] = { -1, ##__VA_ARGS__ };			\
	expect_dirty_list(d, __l + 1, ARRAY_SIZE(__l) - 1);		\
} while (0)

/* What the guest's OP_WRITE with generation gen left in a page. */
static uint64_t page_word(struct dvm *d, uint64_t page)
{
	return *(volatile uint64_t *)(d->mem + page * PAGE);
}

TEST(writes_logged_exactly)
{
	struct dvm d;
	uint64_t p;

	dvm_init(&d, KVM_MEM_LOG_DIRTY_PAGES, 0);
	/* Nothing ran against the slot yet. */
	EXPECT_DIRTY(&d);

	RUN(&d, OP_WRITE, 0, 1, 5, 63, 64, 130, 199);
	EXPECT_DIRTY(&d, 0, 1, 5, 63, 64, 130, 199);
	EXPECT_EQ_U64(page_word(&d, 130), 1ULL << 16 | 130);
	/* Reported once: the next GET is empty. */
	EXPECT_DIRTY(&d);

	/*
	 * Reads dirty nothing, whether the page is mapped (write-protected)
	 * or not (here the host's zero page).  A read that maps a page the
	 * host has writable may log it on the real KVM: not tested.
	 */
	RUN(&d, OP_READ, 0, 1, 2, 3, 64, 100, 199);
	EXPECT_DIRTY(&d);

	/* Pages reported before are write-protected again. */
	RUN(&d, OP_WRITE, 1, 199, 150);
	RUN(&d, OP_WRITE, 1);
	EXPECT_DIRTY(&d, 1, 150, 199);
	EXPECT_EQ_U64(page_word(&d, 1), 3ULL << 16 | 1);

	/* Every page, twice over. */
	for (p = 0; p < LOG_PAGES; p++) {
		RUN(&d, OP_WRITE, p);
		if (p % 50 == 49) {
			int64_t l[50], i;

			for (i = 0; i < 50; i++)
				l[i] = p - 49 + i;
			expect_dirty_list(&d, l, 50);
		}
	}
	EXPECT_DIRTY(&d);
	vm_free(d.vm);
}

/* Pages the hypervisor writes for the guest are logged as well. */
TEST(hypervisor_writes_logged)
{
	struct dvm d;
	unsigned int i;

	dvm_init(&d, KVM_MEM_LOG_DIRTY_PAGES, 0);
	/* Map the pages read-only first, so only the string ops write. */
	RUN(&d, OP_READ, 10, 11, 20, 21);
	EXPECT_DIRTY(&d);

	RUN(&d, OP_INS, 10);
	EXPECT_DIRTY(&d, 10);
	RUN(&d, OP_MOVS, 20);
	EXPECT_DIRTY(&d, 20);
	for (i = 0; i < STRING_LEN; i++) {
		EXPECT_EQ(d.mem[10 * PAGE + STRING_OFF + i], 0xa5);
		EXPECT_EQ(d.mem[20 * PAGE + STRING_OFF + i], 0x5a);
	}

	/* Never mapped before, and after a GET. */
	RUN(&d, OP_INS, 10, 30);
	RUN(&d, OP_MOVS, 20, 40);
	EXPECT_DIRTY(&d, 10, 20, 30, 40);
	EXPECT_DIRTY(&d);
	vm_free(d.vm);
}

/* KVM_MEM_LOG_DIRTY_PAGES turned on and off on a slot in use. */
TEST(logging_toggled_on_live_slot)
{
	struct dvm d;
	uint64_t bm[LOG_WORDS], p;

	dvm_init(&d, 0, 0);
	EXPECT_ERRNO(get_log(d.vm->fd, LOG_SLOT, bm), ENOENT);
	/* Every page mapped writable before logging starts. */
	for (p = 0; p < LOG_PAGES; p++)
		RUN(&d, OP_WRITE, p);

	ASSERT_OK(set_log_slot(&d, KVM_MEM_LOG_DIRTY_PAGES));
	/* Writes from before logging are not reported. */
	EXPECT_DIRTY(&d);
	RUN(&d, OP_WRITE, 3, 100, 199);
	EXPECT_DIRTY(&d, 3, 100, 199);
	/* The slot's contents stayed. */
	EXPECT_EQ_U64(page_word(&d, 4), 5ULL << 16 | 4);
	EXPECT_EQ_U64(page_word(&d, 100), 201ULL << 16 | 100);

	/* Same flags again: nothing changes. */
	ASSERT_OK(set_log_slot(&d, KVM_MEM_LOG_DIRTY_PAGES));
	RUN(&d, OP_WRITE, 7);
	EXPECT_DIRTY(&d, 7);

	/* Off: no log to read; the guest keeps writing. */
	RUN(&d, OP_WRITE, 8);
	ASSERT_OK(set_log_slot(&d, 0));
	EXPECT_ERRNO(get_log(d.vm->fd, LOG_SLOT, bm), ENOENT);
	RUN(&d, OP_WRITE, 8, 9, 150);
	EXPECT_EQ_U64(page_word(&d, 9), (d.gen - 1) << 16 | 9);

	/* On again: a fresh, empty log that catches the next writes. */
	ASSERT_OK(set_log_slot(&d, KVM_MEM_LOG_DIRTY_PAGES));
	EXPECT_DIRTY(&d);
	RUN(&d, OP_WRITE, 9, 8);
	RUN(&d, OP_READ, 150, 151);
	EXPECT_DIRTY(&d, 8, 9);

	/* Deleting a logging slot, then using the range as plain RAM. */
	RUN(&d, OP_WRITE, 12);
	ASSERT_OK(memslot_set(d.vm->fd, LOG_SLOT, 0, LOG_GPA, 0, 0));
	EXPECT_ERRNO(get_log(d.vm->fd, LOG_SLOT, bm), ENOENT);
	ASSERT_OK(set_log_slot(&d, 0));
	RUN(&d, OP_WRITE, 12);
	EXPECT_EQ_U64(page_word(&d, 12), (d.gen - 1) << 16 | 12);
	vm_free(d.vm);
}

/* A logging slot moved elsewhere keeps logging and its bitmap. */
TEST(logging_slot_moved)
{
	struct dvm d;

	dvm_init(&d, KVM_MEM_LOG_DIRTY_PAGES, 0);
	RUN(&d, OP_WRITE, 2, 60);
	EXPECT_DIRTY(&d, 2, 60);
	RUN(&d, OP_WRITE, 70);
	/* Away and back: the guest sees the same memory afterwards. */
	ASSERT_OK(memslot_set(d.vm->fd, LOG_SLOT, KVM_MEM_LOG_DIRTY_PAGES,
			      LOG_GPA + 0x10000000UL, LOG_PAGES * PAGE,
			      (uintptr_t)d.mem));
	ASSERT_OK(set_log_slot(&d, KVM_MEM_LOG_DIRTY_PAGES));
	RUN(&d, OP_WRITE, 71);
	EXPECT_DIRTY(&d, 70, 71);
	EXPECT_EQ_U64(page_word(&d, 71), 3ULL << 16 | 71);
	vm_free(d.vm);
}

TEST(errnos)
{
	struct dvm d;
	uint64_t bm[LOG_WORDS + 1] = { 0 };
	struct kvm_dirty_log bad_ptr = { .slot = LOG_SLOT,
					 .dirty_bitmap = (void *)8 };
	long caps;

	dvm_init(&d, KVM_MEM_LOG_DIRTY_PAGES, 0);
	caps = kvm_check_cap(d.vm->fd, KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2);
	EXPECT_TRUE(caps & KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE);
	/* Only flags the API defines. */
	EXPECT_EQ(caps & ~3L, 0);

	/* A slot without logging, one that does not exist, bad ids. */
	EXPECT_ERRNO(get_log(d.vm->fd, 0, bm), ENOENT);
	EXPECT_ERRNO(get_log(d.vm->fd, 5, bm), ENOENT);
	EXPECT_ERRNO(get_log(d.vm->fd, 32764, bm), EINVAL);
	EXPECT_ERRNO(get_log(d.vm->fd, 0xffff, bm), EINVAL);
	EXPECT_ERRNO(get_log(d.vm->fd, 2 << 16 | LOG_SLOT, bm), EINVAL);
	EXPECT_ERRNO(ioctl(d.vm->fd, KVM_GET_DIRTY_LOG, &bad_ptr), EFAULT);
	EXPECT_ERRNO(ioctl(d.vm->fd, KVM_GET_DIRTY_LOG, (void *)8), EFAULT);

	/* Unknown memslot flags are still refused. */
	EXPECT_ERRNO(memslot_set(d.vm->fd, 3, 1 << 5, 0x50000000UL, PAGE,
				 (uintptr_t)d.mem), EINVAL);
	/* Logging cannot make a slot read-only or writable. */
	EXPECT_ERRNO(set_log_slot(&d, KVM_MEM_LOG_DIRTY_PAGES |
				  KVM_MEM_READONLY), EINVAL);

	/* CLEAR: alignment and range, checked as for GET otherwise. */
	EXPECT_OK(clear_log(d.vm->fd, LOG_SLOT, 0, 64, bm));
	EXPECT_OK(clear_log(d.vm->fd, LOG_SLOT, 192, 8, bm));
	EXPECT_OK(clear_log(d.vm->fd, LOG_SLOT, 0, LOG_PAGES, bm));
	EXPECT_OK(clear_log(d.vm->fd, LOG_SLOT, 64, 0, bm));
	EXPECT_ERRNO(clear_log(d.vm->fd, LOG_SLOT, 1, 64, bm), EINVAL);
	EXPECT_ERRNO(clear_log(d.vm->fd, LOG_SLOT, 32, 64, bm), EINVAL);
	EXPECT_ERRNO(clear_log(d.vm->fd, LOG_SLOT, 0, 65, bm), EINVAL);
	EXPECT_ERRNO(clear_log(d.vm->fd, LOG_SLOT, 128, 8, bm), EINVAL);
	EXPECT_ERRNO(clear_log(d.vm->fd, LOG_SLOT, 192, 9, bm), EINVAL);
	EXPECT_ERRNO(clear_log(d.vm->fd, LOG_SLOT, 128, 128, bm), EINVAL);
	EXPECT_ERRNO(clear_log(d.vm->fd, LOG_SLOT, 256, 0, bm), EINVAL);
	EXPECT_ERRNO(clear_log(d.vm->fd, LOG_SLOT, 0, 64, (void *)8), EFAULT);
	EXPECT_ERRNO(clear_log(d.vm->fd, 0, 0, 64, bm), ENOENT);
	EXPECT_ERRNO(clear_log(d.vm->fd, 5, 0, 64, bm), ENOENT);
	EXPECT_ERRNO(clear_log(d.vm->fd, 32764, 0, 64, bm), EINVAL);
	EXPECT_ERRNO(clear_log(d.vm->fd, 2 << 16 | LOG_SLOT, 0, 64, bm),
		     EINVAL);

	/* KVM_ENABLE_CAP takes the flags the capability reports. */
	EXPECT_ERRNO(enable_dirty_caps(d.vm->fd, 4), EINVAL);
	EXPECT_ERRNO(enable_dirty_caps(d.vm->fd, caps | 1ULL << 32), EINVAL);
	EXPECT_OK(enable_dirty_caps(d.vm->fd, caps));
	EXPECT_OK(enable_dirty_caps(d.vm->fd, 0));
	vm_free(d.vm);
}

/* Manual protection: GET only reads, CLEAR re-arms chosen pages. */
TEST(manual_protect_clear)
{
	uint64_t bm[LOG_WORDS] = { 0 };
	struct dvm d;

	dvm_init(&d, KVM_MEM_LOG_DIRTY_PAGES,
		 KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE);
	RUN(&d, OP_WRITE, 0, 2, 64, 70, 199);
	EXPECT_DIRTY(&d, 0, 2, 64, 70, 199);
	/* Not cleared by GET. */
	EXPECT_DIRTY(&d, 0, 2, 64, 70, 199);
	RUN(&d, OP_WRITE, 3, 0);
	RUN(&d, OP_READ, 4, 5);
	EXPECT_DIRTY(&d, 0, 2, 3, 64, 70, 199);

	/* Clear pages 0 and 3 (and 1, which is clean anyway). */
	bm[0] = 1 << 0 | 1 << 1 | 1 << 3;
	ASSERT_OK(clear_log(d.vm->fd, LOG_SLOT, 0, 64, bm));
	EXPECT_DIRTY(&d, 2, 64, 70, 199);
	/* Page 0 is write-protected again; page 2 was never cleared. */
	RUN(&d, OP_WRITE, 0, 2);
	EXPECT_DIRTY(&d, 0, 2, 64, 70, 199);

	/* The tail (not a multiple of 64, reaching the slot's end). */
	bm[0] = ~0ULL;
	ASSERT_OK(clear_log(d.vm->fd, LOG_SLOT, 192, 8, bm));
	EXPECT_DIRTY(&d, 0, 2, 64, 70);
	RUN(&d, OP_WRITE, 199, 198);
	EXPECT_DIRTY(&d, 0, 2, 64, 70, 198, 199);

	/* Bits past num_pages in the user's bitmap are ignored. */
	bm[0] = ~0ULL;
	bm[1] = ~0ULL;
	ASSERT_OK(clear_log(d.vm->fd, LOG_SLOT, 64, 64, bm));
	EXPECT_DIRTY(&d, 0, 2, 198, 199);
	RUN(&d, OP_WRITE, 70);
	EXPECT_DIRTY(&d, 0, 2, 70, 198, 199);

	/* Everything, from page 0 to the end. */
	bm[2] = ~0ULL;
	bm[3] = ~0ULL;
	ASSERT_OK(clear_log(d.vm->fd, LOG_SLOT, 0, LOG_PAGES, bm));
	EXPECT_DIRTY(&d);
	RUN(&d, OP_INS, 64);
	RUN(&d, OP_WRITE, 2, 199);
	EXPECT_DIRTY(&d, 2, 64, 199);

	/* Manual protection off again: GET clears once more. */
	ASSERT_OK(enable_dirty_caps(d.vm->fd, 0));
	EXPECT_DIRTY(&d, 2, 64, 199);
	EXPECT_DIRTY(&d);
	RUN(&d, OP_WRITE, 64);
	EXPECT_DIRTY(&d, 64);
	vm_free(d.vm);
}

static void expect_all_dirty(struct dvm *d)
{
	int64_t l[LOG_PAGES];
	int i;

	for (i = 0; i < LOG_PAGES; i++)
		l[i] = i;
	expect_dirty_list(d, l, LOG_PAGES);
}

/* KVM_DIRTY_LOG_INITIALLY_SET, when the capability offers it. */
TEST(initially_set)
{
	uint64_t bm[LOG_WORDS], caps = KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE |
				       KVM_DIRTY_LOG_INITIALLY_SET;
	struct dvm d;
	uint64_t p;
	int fd = kvm_open();

	if (!(kvm_check_cap(fd, KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2) &
	      KVM_DIRTY_LOG_INITIALLY_SET))
		SKIP("KVM_DIRTY_LOG_INITIALLY_SET not offered");
	close(fd);
	memset(bm, 0xff, sizeof(bm));

	/* A new logging slot starts all dirty. */
	dvm_init(&d, KVM_MEM_LOG_DIRTY_PAGES, caps);
	expect_all_dirty(&d);
	RUN(&d, OP_WRITE, 5, 6);
	expect_all_dirty(&d);
	ASSERT_OK(clear_log(d.vm->fd, LOG_SLOT, 0, LOG_PAGES, bm));
	EXPECT_DIRTY(&d);
	RUN(&d, OP_WRITE, 5, 150);
	RUN(&d, OP_READ, 6, 151);
	EXPECT_DIRTY(&d, 5, 150);
	vm_free(d.vm);

	/* Logging turned on for pages mapped writable: CLEAR protects them. */
	dvm_init(&d, 0, caps);
	for (p = 0; p < LOG_PAGES; p++)
		RUN(&d, OP_WRITE, p);
	ASSERT_OK(set_log_slot(&d, KVM_MEM_LOG_DIRTY_PAGES));
	expect_all_dirty(&d);
	ASSERT_OK(clear_log(d.vm->fd, LOG_SLOT, 0, 128, bm));
	RUN(&d, OP_WRITE, 9, 127, 128);
	{
		int64_t l[LOG_PAGES], n = 0;

		l[n++] = 9;
		l[n++] = 127;
		for (p = 128; p < LOG_PAGES; p++)
			l[n++] = p;
		expect_dirty_list(&d, l, n);
	}
	ASSERT_OK(clear_log(d.vm->fd, LOG_SLOT, 0, LOG_PAGES, bm));
	EXPECT_DIRTY(&d);
	RUN(&d, OP_WRITE, 199);
	EXPECT_DIRTY(&d, 199);
	vm_free(d.vm);
}

TEST_HARNESS_MAIN
