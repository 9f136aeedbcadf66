/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Minimal TAP 13 test harness for the kvmod selftests.
 *
 * Each TEST() runs in its own forked child, so a crash, a hang (cut by
 * alarm()) or a leaked fd in one case cannot affect the next one.
 *
 * Exit status follows the kselftest convention: 0 when every case passed
 * (skips allowed), 1 when any case failed, 4 when every case was skipped.
 */
#ifndef KVMOD_TEST_HARNESS_H
#define KVMOD_TEST_HARNESS_H

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define KH_EXIT_PASS	0
#define KH_EXIT_FAIL	1
#define KH_EXIT_SKIP	4

#define KH_DEFAULT_TIMEOUT	60
#define KH_REASON_LEN		256

struct kh_test {
	const char *name;
	void (*fn)(void);
	unsigned int timeout;
	struct kh_test *next;
};

/* Shared with the forked child so it can report a skip reason. */
struct kh_shared {
	char reason[KH_REASON_LEN];
};

#ifndef __printf
#define __printf(a, b)	__attribute__((format(printf, a, b)))
#endif
#ifndef __noreturn
#define __noreturn	__attribute__((noreturn))
#endif
#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

/*
 * Harness state is shared by every object file of a program (kvm_util.c
 * asserts too), so it is defined once, by TEST_HARNESS_MAIN or, in a
 * program without tests, by KH_DEFINE_STATE.
 */
extern struct kh_test *kh_head, *kh_tail;
extern struct kh_shared *kh_shared;
extern int kh_expect_failed;

#define KH_DEFINE_STATE						\
	struct kh_test *kh_head, *kh_tail;			\
	struct kh_shared *kh_shared;				\
	int kh_expect_failed

static inline void kh_register(struct kh_test *t)
{
	if (kh_tail)
		kh_tail->next = t;
	else
		kh_head = t;
	kh_tail = t;
}

#define TEST_TIMEOUT(name, secs)					\
	static void kh_fn_##name(void);					\
	static struct kh_test kh_test_##name = {			\
		#name, kh_fn_##name, secs, NULL				\
	};								\
	__attribute__((constructor)) static void kh_reg_##name(void)	\
	{								\
		kh_register(&kh_test_##name);				\
	}								\
	static void kh_fn_##name(void)

#define TEST(name) TEST_TIMEOUT(name, KH_DEFAULT_TIMEOUT)

/* Diagnostic line, TAP comment syntax. */
static inline void __printf(1, 2)
kh_diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
}

#define TH_LOG(fmt, ...) kh_diag(fmt, ##__VA_ARGS__)

static inline void __noreturn __printf(1, 2)
kh_skip(const char *fmt, ...)
{
	va_list ap;

	if (kh_shared) {
		va_start(ap, fmt);
		vsnprintf(kh_shared->reason, sizeof(kh_shared->reason), fmt, ap);
		va_end(ap);
	}
	fflush(stdout);
	exit(KH_EXIT_SKIP);
}

#define SKIP(fmt, ...) kh_skip(fmt, ##__VA_ARGS__)

static inline void kh_fail_report(const char *file, int line, int err,
				  const char *what, const char *a_txt,
				  const char *b_txt, long long a, long long b)
{
	kh_diag("%s:%d: %s(%s, %s) failed", file, line, what, a_txt, b_txt);
	kh_diag("    left  = %lld (0x%llx)", a, (unsigned long long)a);
	kh_diag("    right = %lld (0x%llx)", b, (unsigned long long)b);
	kh_diag("    errno = %d (%s), as left by the last call", err,
		strerror(err));
}

/*
 * Compare two integer expressions; both are evaluated exactly once and
 * errno is captured before anything is printed.
 */
#define KH_CMP(what, a, b, op, fatal) do {				\
	long long __a = (long long)(a);					\
	long long __b = (long long)(b);					\
	int __e = errno;						\
	if (!(__a op __b)) {						\
		kh_fail_report(__FILE__, __LINE__, __e, what, #a, #b,	\
			       __a, __b);				\
		if (fatal) {						\
			fflush(stdout);					\
			exit(KH_EXIT_FAIL);				\
		}							\
		kh_expect_failed = 1;					\
	}								\
} while (0)

#define ASSERT_EQ(a, b) KH_CMP("ASSERT_EQ", a, b, ==, 1)
#define ASSERT_NE(a, b) KH_CMP("ASSERT_NE", a, b, !=, 1)
#define ASSERT_LT(a, b) KH_CMP("ASSERT_LT", a, b, <, 1)
#define ASSERT_LE(a, b) KH_CMP("ASSERT_LE", a, b, <=, 1)
#define ASSERT_GT(a, b) KH_CMP("ASSERT_GT", a, b, >, 1)
#define ASSERT_GE(a, b) KH_CMP("ASSERT_GE", a, b, >=, 1)
#define ASSERT_TRUE(c)  KH_CMP("ASSERT_TRUE", !!(c), 1, ==, 1)
#define ASSERT_FALSE(c) KH_CMP("ASSERT_FALSE", !!(c), 0, ==, 1)

#define EXPECT_EQ(a, b) KH_CMP("EXPECT_EQ", a, b, ==, 0)
#define EXPECT_NE(a, b) KH_CMP("EXPECT_NE", a, b, !=, 0)
#define EXPECT_GE(a, b) KH_CMP("EXPECT_GE", a, b, >=, 0)
#define EXPECT_TRUE(c)  KH_CMP("EXPECT_TRUE", !!(c), 1, ==, 0)

/* Unsigned 64-bit compare, for register values and addresses. */
#define KH_CMP_U64(what, a, b, fatal) do {				\
	unsigned long long __a = (unsigned long long)(a);		\
	unsigned long long __b = (unsigned long long)(b);		\
	int __e = errno;						\
	if (__a != __b) {						\
		kh_diag("%s:%d: %s(%s, %s) failed", __FILE__, __LINE__,	\
			what, #a, #b);					\
		kh_diag("    left  = 0x%llx", __a);			\
		kh_diag("    right = 0x%llx", __b);			\
		kh_diag("    errno = %d (%s), as left by the last call",	\
			__e, strerror(__e));				\
		if (fatal) {						\
			fflush(stdout);					\
			exit(KH_EXIT_FAIL);				\
		}							\
		kh_expect_failed = 1;					\
	}								\
} while (0)

#define ASSERT_EQ_U64(a, b) KH_CMP_U64("ASSERT_EQ_U64", a, b, 1)
#define EXPECT_EQ_U64(a, b) KH_CMP_U64("EXPECT_EQ_U64", a, b, 0)

/* A syscall-style expression that must return 0. */
#define KH_OK(what, expr, fatal) do {					\
	long long __r = (long long)(expr);				\
	int __e = errno;						\
	if (__r != 0) {							\
		kh_diag("%s:%d: %s(%s) failed: returned %lld, errno %d (%s)", \
			__FILE__, __LINE__, what, #expr, __r, __e,	\
			strerror(__e));					\
		if (fatal) {						\
			fflush(stdout);					\
			exit(KH_EXIT_FAIL);				\
		}							\
		kh_expect_failed = 1;					\
	}								\
} while (0)

#define ASSERT_OK(expr) KH_OK("ASSERT_OK", expr, 1)
#define EXPECT_OK(expr) KH_OK("EXPECT_OK", expr, 0)

/* A syscall-style expression that must fail with -1 and errno == err. */
#define KH_ERRNO(what, expr, err_txt, err, fatal) do {				\
	long long __r;							\
	int __e;							\
	errno = 0;							\
	__r = (long long)(expr);					\
	__e = errno;							\
	if (__r != -1 || __e != (err)) {				\
		kh_diag("%s:%d: %s(%s, %s) failed: returned %lld, errno %d (%s), wanted -1 with errno %d (%s)", \
			__FILE__, __LINE__, what, #expr, err_txt, __r, __e, \
			strerror(__e), (err), strerror(err));		\
		if (fatal) {						\
			fflush(stdout);					\
			exit(KH_EXIT_FAIL);				\
		}							\
		kh_expect_failed = 1;					\
	}								\
} while (0)

#define ASSERT_ERRNO(expr, err) KH_ERRNO("ASSERT_ERRNO", expr, #err, err, 1)
#define EXPECT_ERRNO(expr, err) KH_ERRNO("EXPECT_ERRNO", expr, #err, err, 0)

#define FAIL(fmt, ...) do {						\
	kh_diag("%s:%d: " fmt, __FILE__, __LINE__, ##__VA_ARGS__);	\
	fflush(stdout);							\
	exit(KH_EXIT_FAIL);						\
} while (0)

static inline int kh_selected(const char *name, int argc, char **argv)
{
	int i;

	if (argc <= 1)
		return 1;
	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], name))
			return 1;
	return 0;
}

static inline int kh_run_one(struct kh_test *t, int num)
{
	int status, sig;
	pid_t pid;

	memset(kh_shared->reason, 0, sizeof(kh_shared->reason));
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		kh_diag("fork: %s", strerror(errno));
		printf("not ok %d %s\n", num, t->name);
		return KH_EXIT_FAIL;
	}
	if (pid == 0) {
		alarm(t->timeout);
		kh_expect_failed = 0;
		t->fn();
		fflush(stdout);
		exit(kh_expect_failed ? KH_EXIT_FAIL : KH_EXIT_PASS);
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			kh_diag("waitpid: %s", strerror(errno));
			printf("not ok %d %s\n", num, t->name);
			return KH_EXIT_FAIL;
		}
	}
	if (WIFSIGNALED(status)) {
		sig = WTERMSIG(status);
		if (sig == SIGALRM)
			kh_diag("%s: timed out after %u s", t->name,
				t->timeout);
		else
			kh_diag("%s: killed by signal %d (%s)", t->name, sig,
				strsignal(sig));
		printf("not ok %d %s\n", num, t->name);
		return KH_EXIT_FAIL;
	}
	switch (WEXITSTATUS(status)) {
	case KH_EXIT_PASS:
		printf("ok %d %s\n", num, t->name);
		return KH_EXIT_PASS;
	case KH_EXIT_SKIP:
		kh_shared->reason[KH_REASON_LEN - 1] = '\0';
		printf("ok %d %s # SKIP %s\n", num, t->name,
		       kh_shared->reason[0] ? kh_shared->reason : "skipped");
		return KH_EXIT_SKIP;
	default:
		printf("not ok %d %s\n", num, t->name);
		return KH_EXIT_FAIL;
	}
}

/*
 * Run every registered test, or only those named on the command line.
 * "-l" lists the test names.
 */
static inline int kh_main(int argc, char **argv)
{
	int total = 0, pass = 0, fail = 0, skip = 0, num = 0;
	struct kh_test *t;

	if (argc == 2 && !strcmp(argv[1], "-l")) {
		for (t = kh_head; t; t = t->next)
			printf("%s\n", t->name);
		return 0;
	}

	kh_shared = mmap(NULL, sizeof(*kh_shared), PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (kh_shared == MAP_FAILED) {
		perror("mmap");
		return KH_EXIT_FAIL;
	}

	for (t = kh_head; t; t = t->next)
		total += kh_selected(t->name, argc, argv);

	printf("TAP version 13\n");
	printf("1..%d\n", total);
	for (t = kh_head; t; t = t->next) {
		if (!kh_selected(t->name, argc, argv))
			continue;
		switch (kh_run_one(t, ++num)) {
		case KH_EXIT_PASS:
			pass++;
			break;
		case KH_EXIT_SKIP:
			skip++;
			break;
		default:
			fail++;
		}
		fflush(stdout);
	}
	printf("# Totals: pass:%d fail:%d xfail:0 xpass:0 skip:%d error:0\n",
	       pass, fail, skip);
	fflush(stdout);

	if (fail)
		return KH_EXIT_FAIL;
	if (!pass)
		return KH_EXIT_SKIP;
	return KH_EXIT_PASS;
}

#define TEST_HARNESS_MAIN					\
	KH_DEFINE_STATE;					\
	int main(int argc, char **argv)				\
	{							\
		return kh_main(argc, argv);			\
	}

#endif /* KVMOD_TEST_HARNESS_H */
