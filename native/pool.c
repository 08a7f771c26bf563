/* The kernels' thread pool (see pool.h). Workers wait for a new job generation, spinning with a pause
 * instruction for up to SPIN_NS, then blocking; the caller takes tasks too and spins until all finish.
 * Spinning keeps the per-call cost of back-to-back kernel calls at a few microseconds. */
#define _GNU_SOURCE
#include "pool.h"
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <time.h>

#define MAX_THREADS 64
#define SPIN_NS 200000L

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define CPU_RELAX() _mm_pause()
#elif defined(__aarch64__)
#define CPU_RELAX() __asm__ __volatile__("yield")
#else
#define CPU_RELAX() ((void)0)
#endif

static struct {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  int nthreads;           /* threads in use, caller included */
  int started;            /* worker threads created so far */
  atomic_uint gen;        /* bumped once per job */
  atomic_int sleeping;
  atomic_size_t next;     /* next task index */
  atomic_int pending;     /* workers that have not finished the current job */
  pool_task_fn fn;
  void *ctx;
  size_t ntasks;
} P = { .mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER, .nthreads = 1 };

static long now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000000000L + ts.tv_nsec;
}

static void drain(void) {
  size_t i;
  while ((i = atomic_fetch_add_explicit(&P.next, 1, memory_order_relaxed)) < P.ntasks) P.fn(P.ctx, i);
}

static void *worker(void *arg) {
  int id = (int)(size_t)arg; /* 1 .. MAX_THREADS-1 */
  unsigned seen = atomic_load(&P.gen);
  for (;;) {
    unsigned g;
    long t0 = now_ns();
    int spins = 0;
    while ((g = atomic_load_explicit(&P.gen, memory_order_acquire)) == seen) {
      CPU_RELAX();
      if (++spins == 256) {
        spins = 0;
        if (now_ns() - t0 > SPIN_NS) {
          pthread_mutex_lock(&P.mu);
          atomic_fetch_add(&P.sleeping, 1);
          while ((g = atomic_load(&P.gen)) == seen) pthread_cond_wait(&P.cv, &P.mu);
          atomic_fetch_sub(&P.sleeping, 1);
          pthread_mutex_unlock(&P.mu);
          break;
        }
      }
    }
    seen = g;
    if (id < P.nthreads) drain();
    atomic_fetch_sub_explicit(&P.pending, 1, memory_order_release);
  }
  return NULL;
}

int pool_set_threads(int n) {
  if (n < 1) n = 1;
  if (n > MAX_THREADS) n = MAX_THREADS;
  while (P.started < n - 1) {
    pthread_t th;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    int rc = pthread_create(&th, &attr, worker, (void *)(size_t)(P.started + 1));
    pthread_attr_destroy(&attr);
    if (rc != 0) break;
    P.started++;
  }
  P.nthreads = P.started + 1 < n ? P.started + 1 : n;
  return P.nthreads;
}

int pool_threads(void) { return P.nthreads; }

void pool_run(pool_task_fn fn, void *ctx, size_t ntasks) {
  if (ntasks == 0) return;
  if (P.nthreads < 2 || ntasks < 2) {
    for (size_t i = 0; i < ntasks; i++) fn(ctx, i);
    return;
  }
  P.fn = fn;
  P.ctx = ctx;
  P.ntasks = ntasks;
  atomic_store(&P.next, 0);
  /* every started worker wakes for each generation and reports; only ids < nthreads take tasks */
  atomic_store(&P.pending, P.started);
  atomic_fetch_add_explicit(&P.gen, 1, memory_order_release);
  if (atomic_load(&P.sleeping) > 0) {
    pthread_mutex_lock(&P.mu);
    pthread_cond_broadcast(&P.cv);
    pthread_mutex_unlock(&P.mu);
  }
  drain();
  int spins = 0;
  while (atomic_load_explicit(&P.pending, memory_order_acquire) > 0) {
    CPU_RELAX();
    if (++spins == 4096) { spins = 0; sched_yield(); }
  }
}

typedef struct { pool_range_fn fn; void *ctx; size_t n, chunks; } range_job;

static void range_task(void *p, size_t i) {
  range_job *j = p;
  size_t b = j->n * i / j->chunks, e = j->n * (i + 1) / j->chunks;
  if (e > b) j->fn(j->ctx, b, e);
}

void pool_for(size_t n, size_t grain, pool_range_fn fn, void *ctx) {
  if (grain < 1) grain = 1;
  size_t chunks = n / grain, cap = (size_t)P.nthreads;
  if (chunks > cap) chunks = cap;
  if (chunks < 2 || P.nthreads < 2) {
    if (n > 0) fn(ctx, 0, n);
    return;
  }
  range_job j = { fn, ctx, n, chunks };
  pool_run(range_task, &j, chunks);
}
