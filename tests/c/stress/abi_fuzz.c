// The C ABI part of the reliability suite (./stress.sh): several threads call every exported
// syscall with random handles (valid, closed, forged) and random pointers (good, NULL, unmapped,
// PROT_NONE, read-only, kernel, running into a guard page) and sizes, for a number of seconds.
// The process must survive, and no call may answer ZX_ERR_INTERNAL (an exception inside the
// library) or a value that is not a Zircon status. Prints "abi_fuzz: calls=N bad=M" and exits
// non-zero if M > 0.
//
// Usage: abi_fuzz SECONDS [THREADS]

#define _DEFAULT_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include <zircon/platform/interrupt_lines.h>
#include <zircon/process.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/hypervisor.h>
#include <zircon/syscalls/port.h>

#define POOL 64
#define PAGE 4096u

static zx_handle_t pool[POOL];
static void* pointers[8];
static atomic_long calls, bad;
static time_t end_time;

static uint64_t next(uint64_t* s) {  // xorshift64*
  *s ^= *s >> 12;
  *s ^= *s << 25;
  *s ^= *s >> 27;
  return *s * 2685821657736338717ull;
}

static zx_handle_t any_handle(uint64_t* s) {
  switch (next(s) % 8) {
    case 0: return (zx_handle_t)next(s);
    case 1: return ZX_HANDLE_INVALID;
    default: return pool[next(s) % POOL];
  }
}

static void* any_pointer(uint64_t* s, void* good) { return next(s) % 3 == 0 ? good : pointers[next(s) % 8]; }

static void check(zx_status_t status) {
  atomic_fetch_add(&calls, 1);
  // Zircon's statuses are 0 and -1..-55 (and -97..-98 for interrupted retries), INTERNAL is -1.
  if (status == ZX_ERR_INTERNAL || status > 0 || status < -98) {
    if (atomic_fetch_add(&bad, 1) < 5) fprintf(stderr, "abi_fuzz: unexpected status %d\n", status);
  }
}

static void keep(uint64_t* s, zx_status_t status, zx_handle_t h) {
  if (status != ZX_OK) return;
  zx_handle_t old = __atomic_exchange_n(&pool[next(s) % POOL], h, __ATOMIC_RELAXED);
  zx_handle_close(old);
}

static void* worker(void* arg) {
  uint64_t s = (uint64_t)(uintptr_t)arg * 0x9E3779B97F4A7C15ull + 1;
  uint8_t buffer[256];
  zx_port_packet_t packet;
  zx_handle_t out;
  while (time(NULL) < end_time) {
    zx_handle_t h = any_handle(&s), o = any_handle(&s);
    void* p = any_pointer(&s, buffer);
    size_t size = next(&s) % 2 ? next(&s) % sizeof buffer : next(&s);
    zx_status_t st;
    memset(&packet, 0, sizeof packet);
    switch (next(&s) % 26) {
      case 0: st = zx_event_create(0, p); keep(&s, st, st == ZX_OK && p == buffer ? *(zx_handle_t*)buffer : 0); check(st); break;
      case 1: st = zx_port_create(next(&s) % 2, p); keep(&s, st, st == ZX_OK && p == buffer ? *(zx_handle_t*)buffer : 0); check(st); break;
      case 2: st = zx_handle_duplicate(h, ZX_RIGHT_SAME_RIGHTS, p); keep(&s, st, st == ZX_OK && p == buffer ? *(zx_handle_t*)buffer : 0); check(st); break;
      case 3: check(zx_object_get_info(h, ZX_INFO_HANDLE_BASIC, p, size, any_pointer(&s, &out), any_pointer(&s, &out))); break;
      case 4: check(zx_object_wait_one(h, ZX_USER_SIGNAL_0, 0, any_pointer(&s, &out))); break;
      case 5: check(zx_object_signal(h, 0, ZX_USER_SIGNAL_0)); break;
      case 6: check(zx_port_queue(h, any_pointer(&s, &packet))); break;
      case 7: check(zx_port_wait(h, 0, any_pointer(&s, &packet))); break;
      case 8: check(zx_port_cancel(h, o, 0)); break;
      case 9: st = zx_interrupt_create(ZX_HANDLE_INVALID, 0, ZX_INTERRUPT_VIRTUAL, &out); check(st); keep(&s, st, out); break;
      case 10: check(zx_interrupt_trigger(h, 0, 1)); check(zx_interrupt_wait(h, any_pointer(&s, &out))); break;
      case 11: check(zx_interrupt_bind(h, o, 1, next(&s) % 2)); break;
      case 12: check(zx_interrupt_ack(h)); break;
      case 13: st = zx_vmo_create(next(&s) % 4 * PAGE, 0, &out); check(st); keep(&s, st, out); break;
      case 14: check(zx_vmo_read(h, p, next(&s) % 8192, size)); break;
      case 15: check(zx_vmo_write(h, p, next(&s) % 8192, size)); break;
      case 16: check(zx_vmo_get_size(h, p)); break;
      case 17: {
        zx_vaddr_t addr = 0;
        zx_vaddr_t* where = any_pointer(&s, &addr);
        st = zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ, 0, h, 0, PAGE, where);
        check(st);
        if (st == ZX_OK && where == &addr) check(zx_vmar_unmap(zx_vmar_root_self(), addr, PAGE));
        break;
      }
      case 18: check(zx_handle_close_many(p, size % 8)); break;
      case 19: check(zx_vcpu_read_state(h, ZX_VCPU_STATE, p, size)); break;
      case 20: check(zx_vcpu_write_state(h, ZX_VCPU_STATE, p, size)); break;
      case 21: check(zx_vcpu_resume(h, p)); break;
      case 22: check(zx_guest_set_trap(h, ZX_GUEST_TRAP_MEM, 0x100000, PAGE, ZX_HANDLE_INVALID, 0)); break;
      case 23: check(zx_platform_interrupt_line_eventfd(next(&s) % 300, p)); break;
      case 24: check(zx_interrupt_destroy(h)); break;
      default: if (h != get_root_resource()) check(zx_handle_close(h)); break;
    }
  }
  return NULL;
}

int main(int argc, char** argv) {
  int seconds = argc > 1 ? atoi(argv[1]) : 5;
  int threads = argc > 2 ? atoi(argv[2]) : 4;
  char* area = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (area == MAP_FAILED || mprotect(area, PAGE, PROT_NONE) || mprotect(area + PAGE, PAGE, PROT_READ) ||
      mprotect(area + 3 * PAGE, PAGE, PROT_NONE)) {
    perror("mmap");
    return 2;
  }
  void* p[8] = {NULL, (void*)(uintptr_t)0x1000, area, area + PAGE, (void*)(uintptr_t)0xffff800000000000ull,
                area + 3 * PAGE - 2, (void*)(uintptr_t)0xdeadbeef, area + 2 * PAGE};
  memcpy(pointers, p, sizeof p);
  for (int i = 0; i < POOL; i++) {
    switch (i % 4) {
      case 0: zx_event_create(0, &pool[i]); break;
      case 1: zx_port_create(0, &pool[i]); break;
      case 2: zx_interrupt_create(ZX_HANDLE_INVALID, 0, ZX_INTERRUPT_VIRTUAL, &pool[i]); break;
      default: zx_vmo_create(PAGE, 0, &pool[i]); break;
    }
  }
  end_time = time(NULL) + seconds;
  pthread_t t[64];
  if (threads > 64) threads = 64;
  for (int i = 0; i < threads; i++) pthread_create(&t[i], NULL, worker, (void*)(uintptr_t)(i + 1));
  // Interrupt waits block until a trigger or a destroy: once the time is up, destroy every
  // interrupt of the pool until each worker is back.
  while (time(NULL) < end_time) {
    struct timespec nap = {0, 50000000};
    nanosleep(&nap, NULL);
  }
  for (int i = 0; i < threads; i++) {
    for (int j = 0; j < POOL; j++) zx_interrupt_destroy(pool[j]);
    pthread_join(t[i], NULL);
  }
  printf("abi_fuzz: calls=%ld bad=%ld\n", atomic_load(&calls), atomic_load(&bad));
  return atomic_load(&bad) == 0 ? 0 : 1;
}
