/* A small thread pool for the kernels: the calling thread plus (threads - 1) workers that spin briefly
 * after a job and then sleep on a condition variable. One pool per process, one job at a time (callers are
 * the JS thread). Not work-stealing, not nested: a task must not call pool_run. */
#ifndef R1_POOL_H
#define R1_POOL_H
#include <stddef.h>

/* Runs fn(ctx, i) for every i < ntasks, spread over the pool; returns when all are done. */
typedef void (*pool_task_fn)(void *ctx, size_t i);
void pool_run(pool_task_fn fn, void *ctx, size_t ntasks);

/* Sets the number of threads (caller included, clamped to 1..64); returns the number in effect. */
int pool_set_threads(int n);
int pool_threads(void);

/* Splits [0, n) into at most pool_threads() * per_thread chunks of at least `grain` items and runs
 * fn(ctx, begin, end) on each; runs inline when n < 2 * grain. */
typedef void (*pool_range_fn)(void *ctx, size_t begin, size_t end);
void pool_for(size_t n, size_t grain, pool_range_fn fn, void *ctx);

#endif
