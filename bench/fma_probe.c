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

/* One thread's kernel: twelve accumulators, each updated by ``op`` once per iteration. */
#define KERNEL(name, isa, vector, set1, op, add, reduce, a_value, b_value)         \
    __attribute__((target(isa))) static void *name(void *unused) {                 \
        a_value;                                                                   \
        b_value;                                                                   \
        vector c[12];                                                              \
        for (int i = 0; i < 12; i++) c[i] = set1((float)i * 1e-3f);                \
        for (long k = 0; k < iterations; k++) {                                    \
            _Pragma("GCC unroll 12") for (int i = 0; i < 12; i++) c[i] = op(c[i], a, b); \
        }                                                                          \
        for (int i = 1; i < 12; i++) c[0] = add(c[0], c[i]);                       \
        sink = reduce(c[0]);                                                       \
        return unused;                                                             \
    }

__attribute__((target("avx2"))) static float first_lane(__m256 v) { return _mm256_cvtss_f32(v); }

KERNEL(fp32_avx512, "avx512f", __m512, _mm512_set1_ps, _mm512_fmadd_ps, _mm512_add_ps, _mm512_reduce_add_ps,
       __m512 a = _mm512_set1_ps(0.999999f), __m512 b = _mm512_set1_ps(1e-7f))
KERNEL(fp32_avx2, "avx2,fma", __m256, _mm256_set1_ps, _mm256_fmadd_ps, _mm256_add_ps, first_lane,
       __m256 a = _mm256_set1_ps(0.999999f), __m256 b = _mm256_set1_ps(1e-7f))
KERNEL(bf16_avx512, "avx512f,avx512bf16", __m512, _mm512_set1_ps, _mm512_dpbf16_ps, _mm512_add_ps,
       _mm512_reduce_add_ps, __m512bh a = _mm512_cvtne2ps_pbh(_mm512_set1_ps(0.5f), _mm512_set1_ps(0.25f)),
       __m512bh b = _mm512_cvtne2ps_pbh(_mm512_set1_ps(1e-3f), _mm512_set1_ps(2e-3f)))

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
