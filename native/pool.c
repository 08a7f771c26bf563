/* The kernels' thread pool (see pool.h). Workers wait for a new job generation, spinning with a pause
 * instruction for up to SPIN_NS, then blocking. Each worker has a slot the caller arms per job; a worker
 * claims its slot before taking tasks, and the caller cancels unclaimed slots once it has drained the task
 * queue itself, so a worker the OS has not scheduled yet never delays the caller (the machine is shared). */
#define _GNU_SOURCE
#include "pool.h"
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <time.h>

#define MAX_THREADS 64
#define SPIN_NS 50000L

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define CPU_RELAX() _mm_pause()
#elif defined(__aarch64__)
#define CPU_RELAX() __asm__ __volatile__("yield")
#else
#define CPU_RELAX() ((void)0)
#endif

enum { IDLE = 0, ARMED = 1, RUNNING = 2 };

static struct {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  int nthreads;           /* threads in use, caller included */
  int started;            /* worker threads created so far */
  atomic_uint gen;        /* bumped once per job */
  atomic_int sleeping;
  atomic_size_t next;     /* next task index */
  atomic_int slot[MAX_THREADS];
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
  size_t i, n = P.ntasks;
  while ((i = atomic_fetch_add_explicit(&P.next, 1, memory_order_relaxed)) < n) P.fn(P.ctx, i);
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
    int armed = ARMED;
    /* the job fields are stable while the slot is RUNNING: the caller waits for IDLE before returning */
    if (atomic_compare_exchange_strong_explicit(&P.slot[id], &armed, RUNNING, memory_order_acq_rel, memory_order_relaxed)) {
      drain();
      atomic_store_explicit(&P.slot[id], IDLE, memory_order_release);
    }
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
  int workers = P.nthreads - 1;
  if ((size_t)workers > ntasks - 1) workers = (int)(ntasks - 1);
  if (workers <= 0) {
    for (size_t i = 0; i < ntasks; i++) fn(ctx, i);
    return;
  }
  P.fn = fn;
  P.ctx = ctx;
  P.ntasks = ntasks;
  atomic_store_explicit(&P.next, 0, memory_order_relaxed);
  for (int w = 1; w <= workers; w++) atomic_store_explicit(&P.slot[w], ARMED, memory_order_release);
  atomic_fetch_add_explicit(&P.gen, 1, memory_order_seq_cst);
  if (atomic_load(&P.sleeping) > 0) {
    pthread_mutex_lock(&P.mu);
    pthread_cond_broadcast(&P.cv);
    pthread_mutex_unlock(&P.mu);
  }
  drain();
  for (int w = 1; w <= workers; w++) {
    int armed = ARMED;
    if (atomic_compare_exchange_strong(&P.slot[w], &armed, IDLE)) continue; /* never started: cancelled */
    int spins = 0;
    while (atomic_load_explicit(&P.slot[w], memory_order_acquire) != IDLE) {
      CPU_RELAX();
      if (++spins == 4096) { spins = 0; sched_yield(); }
    }
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
  /* a few chunks per thread, so the caller can take over a share a busy worker has not claimed */
  size_t chunks = n / grain, cap = (size_t)P.nthreads * 4;
  if (chunks > cap) chunks = cap;
  if (chunks < 2 || P.nthreads < 2) {
    if (n > 0) fn(ctx, 0, n);
    return;
  }
  range_job j = { fn, ctx, n, chunks };
  pool_run(range_task, &j, chunks);
}
