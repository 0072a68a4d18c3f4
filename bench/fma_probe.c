/* The CPU's arithmetic peak: independent fused multiply-adds on every thread at once.
 *
 *   fma_probe fp32|bf16 THREADS ITERATIONS   ->  "GFLOP/s SECONDS" on stdout
 *
 * fp32: 512-bit FMAs (32 FLOP each; 256-bit, 16 FLOP, without AVX-512). bf16: VDPBF16PS, the
 * AVX-512 bfloat16 dot product oneDNN uses (16 float32 lanes, each adding two bfloat16 products:
 * 64 FLOP). Twelve accumulators per thread hide the instructions' latency. Exit code 3: the
 * CPU lacks the instructions.
 */
#include <immintrin.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static long iterations;
static volatile float sink;

#define REPEAT12(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11)

__attribute__((target("avx512f"))) static void *fp32_avx512(void *unused) {
    __m512 a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-7f);
#define INIT(i) __m512 c##i = _mm512_set1_ps((float)(i) * 1e-3f);
#define STEP(i) c##i = _mm512_fmadd_ps(c##i, a, b);
#define SUM(i) total = _mm512_add_ps(total, c##i);
    REPEAT12(INIT)
    for (long k = 0; k < iterations; k++) { REPEAT12(STEP) }
    __m512 total = _mm512_setzero_ps();
    REPEAT12(SUM)
    sink = _mm512_reduce_add_ps(total);
    return unused;
#undef INIT
#undef STEP
#undef SUM
}

__attribute__((target("avx2,fma"))) static void *fp32_avx2(void *unused) {
    __m256 a = _mm256_set1_ps(0.999999f), b = _mm256_set1_ps(1e-7f);
#define INIT(i) __m256 c##i = _mm256_set1_ps((float)(i) * 1e-3f);
#define STEP(i) c##i = _mm256_fmadd_ps(c##i, a, b);
#define SUM(i) total = _mm256_add_ps(total, c##i);
    REPEAT12(INIT)
    for (long k = 0; k < iterations; k++) { REPEAT12(STEP) }
    __m256 total = _mm256_setzero_ps();
    REPEAT12(SUM)
    float lanes[8];
    _mm256_storeu_ps(lanes, total);
    sink = lanes[0];
    return unused;
#undef INIT
#undef STEP
#undef SUM
}

__attribute__((target("avx512f,avx512bf16"))) static void *bf16_avx512(void *unused) {
    __m512bh a = _mm512_cvtne2ps_pbh(_mm512_set1_ps(0.5f), _mm512_set1_ps(0.25f));
    __m512bh b = _mm512_cvtne2ps_pbh(_mm512_set1_ps(1e-3f), _mm512_set1_ps(2e-3f));
#define INIT(i) __m512 c##i = _mm512_set1_ps((float)(i) * 1e-3f);
#define STEP(i) c##i = _mm512_dpbf16_ps(c##i, a, b);
#define SUM(i) total = _mm512_add_ps(total, c##i);
    REPEAT12(INIT)
    for (long k = 0; k < iterations; k++) { REPEAT12(STEP) }
    __m512 total = _mm512_setzero_ps();
    REPEAT12(SUM)
    sink = _mm512_reduce_add_ps(total);
    return unused;
#undef INIT
#undef STEP
#undef SUM
}

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: fma_probe fp32|bf16 THREADS ITERATIONS\n");
        return 2;
    }
    int threads = atoi(argv[2]);
    iterations = atol(argv[3]);
    void *(*kernel)(void *);
    double flop_per_instruction;
    __builtin_cpu_init();
    if (strcmp(argv[1], "fp32") == 0 && __builtin_cpu_supports("avx512f")) {
        kernel = fp32_avx512, flop_per_instruction = 32;
    } else if (strcmp(argv[1], "fp32") == 0 && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
        kernel = fp32_avx2, flop_per_instruction = 16;
    } else if (strcmp(argv[1], "bf16") == 0 && __builtin_cpu_supports("avx512bf16")) {
        kernel = bf16_avx512, flop_per_instruction = 64;
    } else {
        fprintf(stderr, "this CPU lacks the %s instructions the probe needs\n", argv[1]);
        return 3;
    }
    pthread_t ids[256];
    if (threads < 1 || threads > 256) return 2;
    double start = now();
    for (int t = 0; t < threads; t++) pthread_create(&ids[t], NULL, kernel, NULL);
    for (int t = 0; t < threads; t++) pthread_join(ids[t], NULL);
    double seconds = now() - start;
    double flop = flop_per_instruction * 12.0 * (double)iterations * threads;
    printf("%.2f %.4f\n", flop / seconds / 1e9, seconds);
    return 0;
}
