// Micro benchmark of the C ABI's hot paths, where every user pointer now goes through the
// fault-tolerant copy routines: zx_port_queue + zx_port_wait (a 48-byte packet in, one out),
// zx_object_get_info (a record and two counts out), zx_vmo_get_size (8 bytes out),
// zx_object_wait_one (4 bytes out). Prints thread CPU nanoseconds per call, median and best of 7
// rounds.
//
// Usage: abi_bench [ROUNDS_OF_ITERATIONS]   (built and run by bench/c/run.sh)

#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <zircon/syscalls.h>
#include <zircon/syscalls/port.h>

// CPU time of this thread, not wall time: on a shared, loaded machine being descheduled would
// otherwise dominate calls of tens of nanoseconds.
static double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int compare(const void* a, const void* b) {
  double x = *(const double*)a, y = *(const double*)b;
  return x < y ? -1 : x > y;
}

typedef void (*body_t)(long iterations);
static zx_handle_t port, event, vmo;

static void port_round_trip(long n) {
  zx_port_packet_t in = {.key = 1, .type = ZX_PKT_TYPE_USER}, out;
  for (long i = 0; i < n; i++) {
    if (zx_port_queue(port, &in) != ZX_OK || zx_port_wait(port, 0, &out) != ZX_OK) abort();
  }
}

static void get_info(long n) {
  zx_info_handle_basic_t info;
  size_t actual, avail;
  for (long i = 0; i < n; i++)
    if (zx_object_get_info(event, ZX_INFO_HANDLE_BASIC, &info, sizeof info, &actual, &avail) != ZX_OK) abort();
}

static void vmo_get_size(long n) {
  uint64_t size;
  for (long i = 0; i < n; i++)
    if (zx_vmo_get_size(vmo, &size) != ZX_OK) abort();
}

static void wait_one(long n) {
  zx_signals_t observed;
  for (long i = 0; i < n; i++)
    if (zx_object_wait_one(event, ZX_USER_SIGNAL_0, 0, &observed) != ZX_OK) abort();
}

static void measure(const char* name, body_t body, long n) {
  double rounds[7];
  body(n / 10);  // warm-up
  for (int r = 0; r < 7; r++) {
    double start = now_ns();
    body(n);
    rounds[r] = (now_ns() - start) / n;
  }
  qsort(rounds, 7, sizeof rounds[0], compare);
  printf("| %-44s | %8.1f | %8.1f |\n", name, rounds[3], rounds[0]);
}

int main(int argc, char** argv) {
  long n = argc > 1 ? atol(argv[1]) : 200000;
  if (zx_port_create(0, &port) != ZX_OK || zx_event_create(0, &event) != ZX_OK ||
      zx_vmo_create(4096, 0, &vmo) != ZX_OK || zx_object_signal(event, 0, ZX_USER_SIGNAL_0) != ZX_OK) {
    fprintf(stderr, "setup failed\n");
    return 1;
  }
  printf("| C ABI call (%ld iterations x 7 rounds, thread CPU time) | median ns | best ns |\n", n);
  printf("|---|---:|---:|\n");
  measure("zx_port_queue + zx_port_wait (one thread)", port_round_trip, n);
  measure("zx_object_get_info(HANDLE_BASIC)", get_info, n);
  measure("zx_vmo_get_size", vmo_get_size, n);
  measure("zx_object_wait_one (signalled)", wait_one, n);
  return 0;
}
