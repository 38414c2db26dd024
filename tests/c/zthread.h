// Threads for the C ABI tests: run a function on a pthread after a delay, and join it.

#ifndef ZTHREAD_H_
#define ZTHREAD_H_

#include <pthread.h>

#include <zircon/syscalls.h>

typedef struct zt_thread {
  pthread_t thread;
  void (*fn)(void* arg);
  void* arg;
  zx_duration_t delay;
} zt_thread_t;

static void* zt_thread_main(void* raw) {
  zt_thread_t* t = (zt_thread_t*)raw;
  if (t->delay > 0) zx_nanosleep(zx_deadline_after(t->delay));
  t->fn(t->arg);
  return NULL;
}

// Starts fn(arg) on a new thread after `delay`. Returns 0 on success.
static inline int zt_thread_start(zt_thread_t* t, zx_duration_t delay, void (*fn)(void*), void* arg) {
  t->fn = fn;
  t->arg = arg;
  t->delay = delay;
  return pthread_create(&t->thread, NULL, zt_thread_main, t);
}

static inline void zt_thread_join(zt_thread_t* t) { pthread_join(t->thread, NULL); }

#endif  // ZTHREAD_H_
