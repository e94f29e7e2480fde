// How well this machine runs two threads that share nothing (issue #12's two-thread goal is judged against it).
// Two loops, each timed on one thread and then on two threads at once:
//   arith  eight independent integer chains in registers: no memory at all, so it fills a core's ALUs;
//   chase  a dependent walk through the thread's own 32 KiB (fits one core's L1D alone, not two threads' together).
// A throughput ratio below 2 for either is the VM's doing: a vCPU descheduled, or two vCPUs on one physical core.
// Build and run: bench/scaling/run.sh [runs]
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ARITH_STEPS 300000000L
#define CHASE_LINES (32 * 1024 / 64)
#define CHASE_STEPS 200000000L

static volatile uint64_t sink[64];

static void *arith(void *arg) {
    long id = (long)arg;
    uint64_t a = 1 + id, b = 2, c = 3, d = 4, e = 5, f = 6, g = 7, h = 8;
    for (long i = 0; i < ARITH_STEPS; i++) {
        a = (a + i) ^ (a >> 3); b = (b + i) ^ (b >> 5); c = (c + i) ^ (c >> 7); d = (d + i) ^ (d >> 11);
        e = (e + i) ^ (e >> 13); f = (f + i) ^ (f >> 17); g = (g + i) ^ (g >> 19); h = (h + i) ^ (h >> 23);
        __asm__ volatile("" : "+r"(a), "+r"(b), "+r"(c), "+r"(d), "+r"(e), "+r"(f), "+r"(g), "+r"(h));
    }
    sink[(id * 16) % 64] = a ^ b ^ c ^ d ^ e ^ f ^ g ^ h;
    return 0;
}

static void *chase(void *arg) {
    long id = (long)arg;
    uint64_t *buf = aligned_alloc(64, CHASE_LINES * 64);
    int perm[CHASE_LINES];
    for (int i = 0; i < CHASE_LINES; i++) perm[i] = i;
    unsigned s = 12345 + (unsigned)id;
    for (int i = CHASE_LINES - 1; i > 0; i--) {
        s = s * 1103515245u + 12345u;
        int j = (int)(s % (unsigned)(i + 1)), t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
    for (int i = 0; i < CHASE_LINES; i++) buf[perm[i] * 8] = (uint64_t)(uintptr_t)&buf[perm[(i + 1) % CHASE_LINES] * 8];
    uint64_t *p = &buf[perm[0] * 8];
    for (long i = 0; i < CHASE_STEPS; i++) p = (uint64_t *)(uintptr_t)*p;
    sink[(id * 16) % 64] = (uint64_t)(uintptr_t)p;
    free(buf);
    return 0;
}

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

// Throughput of two threads at once over one thread alone.
static double scaling(void *(*loop)(void *)) {
    double t0 = now();
    loop((void *)0);
    double one = now() - t0;
    pthread_t a, b;
    t0 = now();
    pthread_create(&a, 0, loop, (void *)1);
    pthread_create(&b, 0, loop, (void *)2);
    pthread_join(a, 0);
    pthread_join(b, 0);
    return 2 * one / (now() - t0);
}

int main(void) {
    double a = scaling(arith), c = scaling(chase);
    printf("arith %.2fx  chase %.2fx\n", a, c);
    return 0;
}
