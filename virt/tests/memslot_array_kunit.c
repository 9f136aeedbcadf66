// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the sorted memslot array (virt/memslot_array.c): lookup
 * at slot edges and in holes, overlap with and without the slot being
 * moved, copy-with-replacement keeping the order, and the one-entry
 * lookup cache.
 */
#include <kunit/test.h>

#include <kvmod/memslot.h>

/* Slots: [0x10, 0x20) id 1, [0x20, 0x21) id 2, [0x100, 0x300) id 3. */
static struct kvmod_memslot s1 = { .base_gfn = 0x10, .npages = 0x10, .id = 1 };
static struct kvmod_memslot s2 = { .base_gfn = 0x20, .npages = 0x1, .id = 2 };
static struct kvmod_memslot s3 = { .base_gfn = 0x100, .npages = 0x200, .id = 3 };
static struct kvmod_memslot *const three[] = { &s1, &s2, &s3 };

static void memslot_find_edges(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, !memslot_array_find(three, 3, 0x0));
	KUNIT_EXPECT_TRUE(test, !memslot_array_find(three, 3, 0xf));
	KUNIT_EXPECT_TRUE(test, memslot_array_find(three, 3, 0x10) == &s1);
	KUNIT_EXPECT_TRUE(test, memslot_array_find(three, 3, 0x1f) == &s1);
	KUNIT_EXPECT_TRUE(test, memslot_array_find(three, 3, 0x20) == &s2);
	KUNIT_EXPECT_TRUE(test, !memslot_array_find(three, 3, 0x21));
	KUNIT_EXPECT_TRUE(test, !memslot_array_find(three, 3, 0xff));
	KUNIT_EXPECT_TRUE(test, memslot_array_find(three, 3, 0x100) == &s3);
	KUNIT_EXPECT_TRUE(test, memslot_array_find(three, 3, 0x2ff) == &s3);
	KUNIT_EXPECT_TRUE(test, !memslot_array_find(three, 3, 0x300));
	KUNIT_EXPECT_TRUE(test, !memslot_array_find(three, 3, ~0ULL));
}

static void memslot_find_empty(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, !memslot_array_find(three, 0, 0x10));
	KUNIT_EXPECT_EQ(test, memslot_array_lower_bound(three, 0, 0x10), 0);
}

static void memslot_lower_bound(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, memslot_array_lower_bound(three, 3, 0), 0);
	KUNIT_EXPECT_EQ(test, memslot_array_lower_bound(three, 3, 0x1f), 0);
	KUNIT_EXPECT_EQ(test, memslot_array_lower_bound(three, 3, 0x20), 1);
	KUNIT_EXPECT_EQ(test, memslot_array_lower_bound(three, 3, 0x21), 2);
	KUNIT_EXPECT_EQ(test, memslot_array_lower_bound(three, 3, 0x300), 3);
}

static void memslot_overlap(struct kunit *test)
{
	/* Touching neighbours do not overlap; one shared frame does. */
	KUNIT_EXPECT_TRUE(test, !memslot_array_overlaps(three, 3, 0x0, 0x10, 9));
	KUNIT_EXPECT_TRUE(test, memslot_array_overlaps(three, 3, 0x0, 0x11, 9));
	KUNIT_EXPECT_TRUE(test, !memslot_array_overlaps(three, 3, 0x21, 0xdf, 9));
	KUNIT_EXPECT_TRUE(test, memslot_array_overlaps(three, 3, 0x21, 0xe0, 9));
	KUNIT_EXPECT_TRUE(test, memslot_array_overlaps(three, 3, 0x2ff, 1, 9));
	KUNIT_EXPECT_TRUE(test, !memslot_array_overlaps(three, 3, 0x300, 1, 9));
	/* A range covering several slots. */
	KUNIT_EXPECT_TRUE(test, memslot_array_overlaps(three, 3, 0, 0x1000, 9));
}

static void memslot_overlap_ignores_moved_slot(struct kunit *test)
{
	/* Moving slot 1 by one frame overlaps only itself. */
	KUNIT_EXPECT_TRUE(test, !memslot_array_overlaps(three, 3, 0x11, 0xf, 1));
	/* ... but moving it onto slot 2 does not pass. */
	KUNIT_EXPECT_TRUE(test, memslot_array_overlaps(three, 3, 0x12, 0x10, 1));
	/* A range covering slots 1 and 2, ignoring 1, still hits 2. */
	KUNIT_EXPECT_TRUE(test, memslot_array_overlaps(three, 3, 0x10, 0x11, 1));
}

static void memslot_replace_keeps_order(struct kunit *test)
{
	struct kvmod_memslot n0 = { .base_gfn = 0x0, .npages = 1, .id = 4 };
	struct kvmod_memslot n9 = { .base_gfn = 0x900, .npages = 1, .id = 5 };
	struct kvmod_memslot mv = { .base_gfn = 0x400, .npages = 0x10, .id = 1 };
	struct kvmod_memslot *out[4];
	size_t n;

	n = memslot_array_replace(out, three, 3, NULL, &n0);
	KUNIT_EXPECT_EQ(test, n, 4);
	KUNIT_EXPECT_TRUE(test, out[0] == &n0 && out[1] == &s1 &&
			  out[2] == &s2 && out[3] == &s3);

	n = memslot_array_replace(out, three, 3, NULL, &n9);
	KUNIT_EXPECT_EQ(test, n, 4);
	KUNIT_EXPECT_TRUE(test, out[3] == &n9);

	/* A move: remove the old slot, insert its successor elsewhere. */
	n = memslot_array_replace(out, three, 3, &s1, &mv);
	KUNIT_EXPECT_EQ(test, n, 3);
	KUNIT_EXPECT_TRUE(test, out[0] == &s2 && out[1] == &s3 && out[2] == &mv);

	/* A delete. */
	n = memslot_array_replace(out, three, 3, &s2, NULL);
	KUNIT_EXPECT_EQ(test, n, 2);
	KUNIT_EXPECT_TRUE(test, out[0] == &s1 && out[1] == &s3);
}

static struct kvmod_memslots *snapshot(struct kunit *test, u64 generation)
{
	struct kvmod_memslots *s;
	size_t i;

	s = kunit_kzalloc(test, sizeof(*s) + sizeof(three), GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, s);
	s->generation = generation;
	s->count = 3;
	for (i = 0; i < 3; i++)
		s->slots[i] = three[i];
	return s;
}

static void memslot_cache(struct kunit *test)
{
	struct kvmod_memslots *g1 = snapshot(test, 1), *g2 = snapshot(test, 2);
	struct kvmod_memslot_cache c = {};
	struct kvmod_memslot other = { .base_gfn = 0x10, .npages = 1 };

	/* A miss leaves the cache alone; a hit fills it. */
	KUNIT_EXPECT_TRUE(test, !memslot_find_cached(g1, &c, 0x0));
	KUNIT_EXPECT_TRUE(test, !c.slot);
	KUNIT_EXPECT_TRUE(test, memslot_find_cached(g1, &c, 0x100) == &s3);
	KUNIT_EXPECT_TRUE(test, c.slot == &s3 && c.generation == 1);
	/* Other frames of the cached slot, its edges, and past them. */
	KUNIT_EXPECT_TRUE(test, memslot_find_cached(g1, &c, 0x2ff) == &s3);
	KUNIT_EXPECT_TRUE(test, memslot_find_cached(g1, &c, 0x10) == &s1);
	KUNIT_EXPECT_TRUE(test, c.slot == &s1);
	KUNIT_EXPECT_TRUE(test, !memslot_find_cached(g1, &c, 0xf));
	KUNIT_EXPECT_TRUE(test, memslot_find_cached(g1, &c, 0x20) == &s2);
	KUNIT_EXPECT_TRUE(test, !memslot_find_cached(g1, &c, 0x21));
	/* A new generation never trusts the cached slot. */
	c.slot = &other;
	KUNIT_EXPECT_TRUE(test, memslot_find_cached(g2, &c, 0x10) == &s1);
	KUNIT_EXPECT_TRUE(test, c.slot == &s1 && c.generation == 2);
}

static struct kunit_case memslot_array_cases[] = {
	KUNIT_CASE(memslot_find_edges),
	KUNIT_CASE(memslot_find_empty),
	KUNIT_CASE(memslot_lower_bound),
	KUNIT_CASE(memslot_overlap),
	KUNIT_CASE(memslot_overlap_ignores_moved_slot),
	KUNIT_CASE(memslot_replace_keeps_order),
	KUNIT_CASE(memslot_cache),
	{}
};

static struct kunit_suite memslot_array_suite = {
	.name = "kvmod_memslot_array",
	.test_cases = memslot_array_cases,
};

kunit_test_suites(&memslot_array_suite);

MODULE_LICENSE("GPL");
