// The signal side of libzircon's fault-tolerant user copies (see usercopy_x86_64.S).
//
// zxn_user_copy_init installs one SIGSEGV and one SIGBUS handler for the process, once. A fault
// inside one of the two user-access ranges resumes at that routine's fixup (the call returns
// -1, which the export turns into ZX_ERR_INVALID_ARGS). Any other fault is not ours: it goes to
// the handler that was installed before (the .NET runtime's, which turns faults in managed code
// into exceptions, or the default action, which ends the process as it would have without us).
#define _GNU_SOURCE
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <ucontext.h>

int zxn_user_copy(void* dst, const void* src, size_t len);
int zxn_user_probe_write(void* ptr, size_t len);

#if defined(__x86_64__)
extern const char zxn_user_copy_begin[], zxn_user_copy_end[], zxn_user_copy_fixup[];
extern const char zxn_user_probe_begin[], zxn_user_probe_end[], zxn_user_probe_fixup[];
#define ZXN_USER_COPY_PROTECTED 1
#else
// Other architectures: plain copies, no fault recovery (a bad pointer ends the process there).
int zxn_user_copy(void* dst, const void* src, size_t len) {
  memcpy(dst, src, len);
  return 0;
}
int zxn_user_probe_write(void* ptr, size_t len) {
  (void)ptr;
  (void)len;
  return 0;
}
#define ZXN_USER_COPY_PROTECTED 0
#endif

static struct sigaction previous_segv, previous_bus;

static void chain(int sig, siginfo_t* info, void* context) {
  const struct sigaction* previous = sig == SIGBUS ? &previous_bus : &previous_segv;
  if (previous->sa_flags & SA_SIGINFO) {
    previous->sa_sigaction(sig, info, context);
  } else if (previous->sa_handler == SIG_IGN || previous->sa_handler == SIG_DFL) {
    // Ignoring a fault would re-run the instruction forever; take the default action instead:
    // returning re-executes the faulting instruction, which now ends the process as usual.
    signal(sig, SIG_DFL);
  } else {
    previous->sa_handler(sig);
  }
}

#if ZXN_USER_COPY_PROTECTED
static void on_fault(int sig, siginfo_t* info, void* context) {
  ucontext_t* uc = (ucontext_t*)context;
  greg_t* ip = &uc->uc_mcontext.gregs[REG_RIP];
  uintptr_t at = (uintptr_t)*ip;
  if (at >= (uintptr_t)zxn_user_copy_begin && at < (uintptr_t)zxn_user_copy_end) {
    *ip = (greg_t)(uintptr_t)zxn_user_copy_fixup;
    return;
  }
  if (at >= (uintptr_t)zxn_user_probe_begin && at < (uintptr_t)zxn_user_probe_end) {
    *ip = (greg_t)(uintptr_t)zxn_user_probe_fixup;
    return;
  }
  chain(sig, info, context);
}
#endif

// 1 when faults in user copies are recovered, 0 when this architecture has no recovery, -1 if
// installing the handlers failed. Idempotent and thread-safe (the first caller installs).
int zxn_user_copy_init(void) {
#if ZXN_USER_COPY_PROTECTED
  static int state;  // 0 not yet, 1 done, -1 failed
  static int lock;
  if (__atomic_load_n(&state, __ATOMIC_ACQUIRE) != 0)
    return state;
  while (__atomic_exchange_n(&lock, 1, __ATOMIC_ACQUIRE))
    ;
  if (state == 0) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = on_fault;
    action.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&action.sa_mask);
    int ok = sigaction(SIGSEGV, &action, &previous_segv) == 0 && sigaction(SIGBUS, &action, &previous_bus) == 0;
    __atomic_store_n(&state, ok ? 1 : -1, __ATOMIC_RELEASE);
  }
  __atomic_store_n(&lock, 0, __ATOMIC_RELEASE);
  return state;
#else
  (void)chain;
  return 0;
#endif
}
