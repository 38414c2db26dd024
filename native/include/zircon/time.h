// Copyright the Zircon-on-Linux project authors.
//
// <zircon/time.h>: time and duration types (signed nanoseconds), the ZX_SEC/ZX_MSEC/... macros
// and saturating arithmetic helpers. Times are absolute points on the monotonic clock
// (zx_clock_get_monotonic); durations are differences between them.

#ifndef ZIRCON_TIME_H_
#define ZIRCON_TIME_H_

#include <stdint.h>
#include <time.h>

#include <zircon/compiler.h>

// An absolute time in nanoseconds (generally on the monotonic clock).
typedef int64_t zx_time_t;
// A duration in nanoseconds.
typedef int64_t zx_duration_t;
// A duration in hardware ticks.
typedef int64_t zx_ticks_t;

#define ZX_TIME_INFINITE INT64_MAX
#define ZX_TIME_INFINITE_PAST INT64_MIN

// Duration literals. Not saturating: use them with constants that fit.
#define ZX_NSEC(n) ((zx_duration_t)(1LL * (n)))
#define ZX_USEC(n) ((zx_duration_t)(1000LL * (n)))
#define ZX_MSEC(n) ((zx_duration_t)(1000000LL * (n)))
#define ZX_SEC(n) ((zx_duration_t)(1000000000LL * (n)))
#define ZX_MIN(n) (ZX_SEC(n) * 60LL)
#define ZX_HOUR(n) (ZX_MIN(n) * 60LL)

__BEGIN_CDECLS

// The saturating helpers below clamp to ZX_TIME_INFINITE / ZX_TIME_INFINITE_PAST instead of
// overflowing, so "now + a long timeout" stays a valid deadline.

static inline zx_time_t zx_time_add_duration(zx_time_t time, zx_duration_t duration) {
  zx_time_t result;
  if (__builtin_add_overflow(time, duration, &result)) {
    return duration > 0 ? ZX_TIME_INFINITE : ZX_TIME_INFINITE_PAST;
  }
  return result;
}

static inline zx_time_t zx_time_sub_duration(zx_time_t time, zx_duration_t duration) {
  zx_time_t result;
  if (__builtin_sub_overflow(time, duration, &result)) {
    return duration > 0 ? ZX_TIME_INFINITE_PAST : ZX_TIME_INFINITE;
  }
  return result;
}

static inline zx_duration_t zx_time_sub_time(zx_time_t time1, zx_time_t time2) {
  zx_duration_t result;
  if (__builtin_sub_overflow(time1, time2, &result)) {
    return time2 > 0 ? ZX_TIME_INFINITE_PAST : ZX_TIME_INFINITE;
  }
  return result;
}

static inline zx_duration_t zx_duration_add_duration(zx_duration_t dur1, zx_duration_t dur2) {
  zx_duration_t result;
  if (__builtin_add_overflow(dur1, dur2, &result)) {
    return dur2 > 0 ? ZX_TIME_INFINITE : ZX_TIME_INFINITE_PAST;
  }
  return result;
}

static inline zx_duration_t zx_duration_sub_duration(zx_duration_t dur1, zx_duration_t dur2) {
  zx_duration_t result;
  if (__builtin_sub_overflow(dur1, dur2, &result)) {
    return dur2 > 0 ? ZX_TIME_INFINITE_PAST : ZX_TIME_INFINITE;
  }
  return result;
}

static inline zx_duration_t zx_duration_mul_int64(zx_duration_t duration, int64_t multiplier) {
  zx_duration_t result;
  if (__builtin_mul_overflow(duration, multiplier, &result)) {
    // The true product is positive exactly when both factors have the same sign.
    return ((duration > 0) == (multiplier > 0)) ? ZX_TIME_INFINITE : ZX_TIME_INFINITE_PAST;
  }
  return result;
}

static inline int64_t zx_nsec_from_duration(zx_duration_t n) { return n; }

static inline zx_duration_t zx_duration_from_nsec(int64_t n) {
  return zx_duration_mul_int64(1, n);
}

static inline zx_duration_t zx_duration_from_usec(int64_t n) {
  return zx_duration_mul_int64(1000, n);
}

static inline zx_duration_t zx_duration_from_msec(int64_t n) {
  return zx_duration_mul_int64(1000000, n);
}

static inline zx_duration_t zx_duration_from_sec(int64_t n) {
  return zx_duration_mul_int64(1000000000, n);
}

static inline zx_duration_t zx_duration_from_min(int64_t n) {
  return zx_duration_mul_int64(60000000000LL, n);
}

static inline zx_duration_t zx_duration_from_hour(int64_t n) {
  return zx_duration_mul_int64(3600000000000LL, n);
}

// struct timespec exists in C11, C++ and POSIX, but not in strict C99 (-std=c99 without a POSIX
// feature macro): the helpers that use it are declared only where <time.h> provides it.
#if defined(__cplusplus) || (defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L) || \
    defined(TIME_UTC) || defined(CLOCK_REALTIME)

static inline zx_duration_t zx_duration_from_timespec(struct timespec ts) {
  return zx_duration_add_duration(zx_duration_from_sec(ts.tv_sec), ts.tv_nsec);
}

static inline struct timespec zx_timespec_from_duration(zx_duration_t duration) {
  struct timespec ts;
  ts.tv_sec = (time_t)(duration / 1000000000LL);
  ts.tv_nsec = (long)(duration % 1000000000LL);
  return ts;
}

static inline zx_time_t zx_time_from_timespec(struct timespec ts) {
  // A time is a duration since the clock's origin.
  return zx_duration_from_timespec(ts);
}

static inline struct timespec zx_timespec_from_time(zx_time_t time) {
  return zx_timespec_from_duration(time);
}

#endif  // struct timespec available

__END_CDECLS

#endif  // ZIRCON_TIME_H_
