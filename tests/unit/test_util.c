// SPDX-License-Identifier: MIT
/*
 * test_util.c - the shared helpers of util/ that the other tests only use
 * in passing: the hash map (kx_map), which the preprocessor's variables,
 * the probe runner's memos, the git directory cache and the model cache
 * writer all stand on; the duration format of the build's messages.
 * (The process runner, util/proc.c, has its own test_proc.c.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"

/* Many keys through several growths: each is found with its own value,
 * a missing one is not, and every value is visited once. */
static void test_util__map_strings(void **state)
{
	struct kx_map m = KX_MAP_INIT;
	char key[32];
	size_t i, seen = 0, sum = 0;
	void *v;

	(void)state;
	assert_null(kx_map_gets(&m, "absent"));		/* empty map */
	for (i = 1; i <= 5000; i++) {
		snprintf(key, sizeof(key), "key-%zu", i);
		assert_null(kx_map_sets(&m, key, (void *)(uintptr_t)i));
	}
	assert_int_equal(m.n, 5000);
	assert_true(2 * m.n <= m.cap);			/* at most half full */
	for (i = 1; i <= 5000; i++) {
		snprintf(key, sizeof(key), "key-%zu", i);
		assert_int_equal((uintptr_t)kx_map_gets(&m, key), i);
	}
	assert_null(kx_map_gets(&m, "key-0"));
	assert_null(kx_map_gets(&m, "key-5001"));
	assert_null(kx_map_gets(&m, ""));
	/* replacing returns the old value and keeps the count */
	assert_int_equal((uintptr_t)kx_map_sets(&m, "key-7", (void *)(uintptr_t)70), 7);
	assert_int_equal((uintptr_t)kx_map_gets(&m, "key-7"), 70);
	assert_int_equal(m.n, 5000);
	for (i = 0; kx_map_next(&m, &i, &v);) {
		seen++;
		sum += (uintptr_t)v;
	}
	assert_int_equal(seen, 5000);
	assert_int_equal(sum, 5000 * 5001 / 2 - 7 + 70);
	kx_map_free(&m);
	assert_int_equal(m.n, 0);
	assert_null(kx_map_gets(&m, "key-1"));		/* usable again */
	assert_null(kx_map_sets(&m, "key-1", &m));
	assert_ptr_equal(kx_map_gets(&m, "key-1"), &m);
	kx_map_free(&m);
}

/* Keys are bytes: a pointer key, the empty key, keys with NUL bytes and
 * keys that are prefixes of each other are all distinct. */
static void test_util__map_bytes(void **state)
{
	struct kx_map m = KX_MAP_INIT;
	int objs[3];
	const int *p;
	char buf[8];

	(void)state;
	for (int i = 0; i < 3; i++) {
		p = &objs[i];
		kx_map_set(&m, &p, sizeof(p), (void *)(uintptr_t)(i + 1));
	}
	for (int i = 0; i < 3; i++) {
		p = &objs[i];
		assert_int_equal((uintptr_t)kx_map_get(&m, &p, sizeof(p)), i + 1);
	}
	kx_map_set(&m, "", 0, (void *)(uintptr_t)10);
	kx_map_set(&m, "a\0b", 3, (void *)(uintptr_t)11);
	kx_map_set(&m, "a\0c", 3, (void *)(uintptr_t)12);
	kx_map_set(&m, "a", 1, (void *)(uintptr_t)13);
	assert_int_equal((uintptr_t)kx_map_get(&m, "", 0), 10);
	assert_int_equal((uintptr_t)kx_map_get(&m, "a\0b", 3), 11);
	assert_int_equal((uintptr_t)kx_map_get(&m, "a\0c", 3), 12);
	assert_int_equal((uintptr_t)kx_map_gets(&m, "a"), 13);
	assert_null(kx_map_get(&m, "a\0", 2));
	/* the map keeps its own copy of a key */
	strcpy(buf, "temp");
	kx_map_sets(&m, buf, (void *)(uintptr_t)14);
	strcpy(buf, "gone");
	assert_int_equal((uintptr_t)kx_map_gets(&m, "temp"), 14);
	assert_null(kx_map_gets(&m, "gone"));
	assert_int_equal(m.n, 8);
	kx_map_free(&m);
}

/* Durations for people: rounded to the second, minutes and hours shown
 * only from 60 s and 3600 s. */
/* kx_binary_offset: the first NUL byte, or -1 for text (an empty file is text) */
static void test_util__binary_offset(void **state)
{
	(void)state;
	assert_int_equal(kx_binary_offset("CONFIG_A=y\n", 11), -1);
	assert_int_equal(kx_binary_offset("", 0), -1);
	assert_int_equal(kx_binary_offset("\x7f" "ELF\0\1", 6), 4);
	assert_int_equal(kx_binary_offset("\0", 1), 0);
}

static void test_util__fmt_duration(void **state)
{
	char buf[32];

	(void)state;
	assert_string_equal(kx_fmt_duration(buf, sizeof(buf), 0.0), "0s");
	assert_string_equal(kx_fmt_duration(buf, sizeof(buf), 0.49), "0s");
	assert_string_equal(kx_fmt_duration(buf, sizeof(buf), 42.5), "43s");
	assert_string_equal(kx_fmt_duration(buf, sizeof(buf), 59.6), "1m00s");
	assert_string_equal(kx_fmt_duration(buf, sizeof(buf), 187), "3m07s");
	assert_string_equal(kx_fmt_duration(buf, sizeof(buf), 3723), "1h02m03s");
	assert_string_equal(kx_fmt_duration(buf, 4, 3723), "1h0");	/* truncated */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_util__map_strings),
		cmocka_unit_test(test_util__map_bytes),
		cmocka_unit_test(test_util__fmt_duration),
		cmocka_unit_test(test_util__binary_offset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
