// A tiny test framework for the C ABI tests: checks count passes and failures, every test binary
// ends with a summary line run.sh adds up ("ztest-summary: passed=N failed=N") and a human one,
// and exits non-zero if anything failed.
//
// Usage:
//   ZT_TEST(name) { ZT_EXPECT_OK(zx_...(...)); ZT_EXPECT_EQ(a, b); ... }
//   int main(void) { ZT_RUN(name); ...; return zt_finish("suite"); }
//
// A test that runs longer than ZT_TEST_TIMEOUT_S seconds (a hang in a blocking call) is reported
// as failed together with the counts so far, and the binary exits. Needs POSIX
// (-D_POSIX_C_SOURCE=200809L, as run.sh compiles).

#ifndef ZTEST_H_
#define ZTEST_H_

#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zircon/syscalls.h>

static int zt_passed;
static int zt_failed;
static int zt_skipped;
static int zt_test_failed;
static int zt_test_skipped;
static const char* zt_current;

#ifndef ZT_TEST_TIMEOUT_S
#define ZT_TEST_TIMEOUT_S 30
#endif

// Appends `text` to buf at *len (async-signal-safe helpers for the watchdog).
static void zt_append(char* buf, size_t* len, size_t cap, const char* text) {
  while (*text && *len + 1 < cap) buf[(*len)++] = *text++;
}

static void zt_append_int(char* buf, size_t* len, size_t cap, int value) {
  char digits[16];
  int n = 0;
  unsigned v = value < 0 ? 0u : (unsigned)value;
  do {
    digits[n++] = (char)('0' + v % 10);
    v /= 10;
  } while (v && n < 15);
  while (n > 0 && *len + 1 < cap) buf[(*len)++] = digits[--n];
}

static void zt_on_timeout(int sig) {
  (void)sig;
  char buf[512];
  size_t len = 0;
  zt_append(buf, &len, sizeof(buf), "[FAIL] ");
  zt_append(buf, &len, sizeof(buf), zt_current ? zt_current : "?");
  zt_append(buf, &len, sizeof(buf), ": still running after the test timeout (hang?)\nztest-summary: passed=");
  zt_append_int(buf, &len, sizeof(buf), zt_passed);
  zt_append(buf, &len, sizeof(buf), " failed=");
  zt_append_int(buf, &len, sizeof(buf), zt_failed + 1);
  zt_append(buf, &len, sizeof(buf), "\n");
  ssize_t written = write(STDOUT_FILENO, buf, len);
  (void)written;
  _exit(1);
}

static inline void zt_arm_watchdog(void) {
  signal(SIGALRM, zt_on_timeout);
  alarm(ZT_TEST_TIMEOUT_S);
}

static inline void zt_fail_header(const char* file, int line) {
  fprintf(stderr, "  FAIL %s (%s:%d): ", zt_current, file, line);
  zt_failed++;
  zt_test_failed = 1;
}

#define ZT_TEST(name) static void name(void)

// ZT_ONLY=NAME in the environment runs only the tests whose name contains NAME (run.sh uses it to
// run a program's guest tests in the KVM rig; the others ran on the host already).
#define ZT_RUN(name)                                       \
  do {                                                     \
    if (getenv("ZT_ONLY") && !strstr(#name, getenv("ZT_ONLY"))) break; \
    zt_current = #name;                                    \
    zt_test_failed = 0;                                    \
    zt_test_skipped = 0;                                   \
    fflush(stdout);                                        \
    zt_arm_watchdog();                                     \
    name();                                                \
    alarm(0);                                              \
    printf("%s %s\n",                                      \
           zt_test_failed    ? "[FAIL]"                    \
           : zt_test_skipped ? "[SKIP]"                    \
                             : "[ OK ]",                   \
           #name);                                         \
    fflush(stdout);                                        \
  } while (0)

// Ends the current test as skipped, with the reason shown (e.g. no KVM on this host).
#define ZT_SKIP(reason)                       \
  do {                                        \
    zt_test_skipped = 1;                      \
    zt_skipped++;                             \
    printf("  skipped: %s\n", (reason));      \
    return;                                   \
  } while (0)

// A boolean check.
#define ZT_CHECK(cond)                                   \
  do {                                                   \
    if (cond) {                                          \
      zt_passed++;                                       \
    } else {                                             \
      zt_fail_header(__FILE__, __LINE__);                \
      fprintf(stderr, "expected %s\n", #cond);           \
    }                                                    \
  } while (0)

// Integers of any width (compared as signed 64-bit, which covers every value used here).
#define ZT_EXPECT_EQ(expected, actual)                                                 \
  do {                                                                                 \
    int64_t zt_e_ = (int64_t)(expected);                                               \
    int64_t zt_a_ = (int64_t)(actual);                                                 \
    if (zt_e_ == zt_a_) {                                                              \
      zt_passed++;                                                                     \
    } else {                                                                           \
      zt_fail_header(__FILE__, __LINE__);                                              \
      fprintf(stderr, "%s == %s: expected %" PRId64 " (0x%" PRIx64 "), got %" PRId64  \
                      " (0x%" PRIx64 ")\n",                                            \
              #expected, #actual, zt_e_, (uint64_t)zt_e_, zt_a_, (uint64_t)zt_a_);     \
    }                                                                                  \
  } while (0)

// Status codes, printed by name.
#define ZT_EXPECT_STATUS(expected, actual)                                                 \
  do {                                                                                     \
    zx_status_t zt_e_ = (expected);                                                        \
    zx_status_t zt_a_ = (actual);                                                          \
    if (zt_e_ == zt_a_) {                                                                  \
      zt_passed++;                                                                         \
    } else {                                                                               \
      zt_fail_header(__FILE__, __LINE__);                                                  \
      fprintf(stderr, "%s: expected %s, got %s (%d)\n", #actual, zt_status_name(zt_e_),   \
              zt_status_name(zt_a_), (int)zt_a_);                                          \
    }                                                                                      \
  } while (0)

#define ZT_EXPECT_OK(actual) ZT_EXPECT_STATUS(ZX_OK, (actual))

// Like ZT_EXPECT_OK but leaves the test at once on failure (for setup steps).
#define ZT_ASSERT_OK(actual)                     \
  do {                                           \
    int zt_before_ = zt_failed;                  \
    ZT_EXPECT_OK(actual);                        \
    if (zt_failed != zt_before_) return;         \
  } while (0)

#define ZT_ASSERT(cond)                          \
  do {                                           \
    int zt_before_ = zt_failed;                  \
    ZT_CHECK(cond);                              \
    if (zt_failed != zt_before_) return;         \
  } while (0)

static inline const char* zt_status_name(zx_status_t status) {
  const char* name = zx_status_get_string(status);
  return name ? name : "(null)";
}

static inline int zt_finish(const char* suite) {
  printf("ztest-summary: passed=%d failed=%d\n", zt_passed, zt_failed);
  if (zt_skipped > 0)
    printf("%s: %d checks passed, %d failed (%d tests skipped)\n", suite, zt_passed, zt_failed,
           zt_skipped);
  else
    printf("%s: %d checks passed, %d failed\n", suite, zt_passed, zt_failed);
  fflush(stdout);
  return zt_failed == 0 ? 0 : 1;
}

// Test helpers shared by several suites.

static inline zx_info_handle_basic_t zt_basic_info(zx_handle_t handle) {
  zx_info_handle_basic_t info;
  memset(&info, 0xAB, sizeof(info));
  zx_status_t status =
      zx_object_get_info(handle, ZX_INFO_HANDLE_BASIC, &info, sizeof(info), NULL, NULL);
  if (status != ZX_OK) memset(&info, 0, sizeof(info));
  return info;
}

static inline int zt_handle_valid(zx_handle_t handle) {
  return zx_object_get_info(handle, ZX_INFO_HANDLE_VALID, NULL, 0, NULL, NULL) == ZX_OK;
}

#endif  // ZTEST_H_
