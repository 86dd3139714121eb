// The FMA throughput of one core: 12 independent chains of 512-bit (then 256-bit) FMAs, enough
// to cover the FMA latency on Zen 4 and on Intel cores. Prints multiply-adds per second; the
// GEMM's GMAC/s in `detect bench --per-layer` is judged against this. Where the CPU has
// AVX512_BF16, also VDPBF16PS's (32 bfloat16 multiply-adds each), the bfloat16 kernels' ceiling.
//
//     clang -O2 -march=native Tools/bench/fma_peak.c -o /tmp/fma_peak && /tmp/fma_peak
//
// (-march=native: this standalone file may use global flags; the library's kernels do not.)

#include <immintrin.h>
#include <stdio.h>
#include <time.h>

#define CHAINS 12
#define ROUNDS 200000000L

static double seconds(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + (double)now.tv_nsec * 1e-9;
}

// Keeps every chain live in a register without a memory round trip.
#define KEEP(v) __asm__ volatile("" : "+v"(v))

int main(void) {
#if defined(__AVX512F__)
    __m512 z[CHAINS];
    const __m512 zb = _mm512_set1_ps(1.0000001f), zc = _mm512_set1_ps(1e-7f);
    for (int i = 0; i < CHAINS; i++) z[i] = _mm512_set1_ps((float)i);
    double start = seconds();
    for (long k = 0; k < ROUNDS; k++) {
        for (int i = 0; i < CHAINS; i++) {
            z[i] = _mm512_fmadd_ps(z[i], zb, zc);
            KEEP(z[i]);
        }
    }
    double elapsed = seconds() - start;
    float zsum = 0;
    for (int i = 0; i < CHAINS; i++) zsum += _mm512_reduce_add_ps(z[i]);
    printf("zmm: %.1f GMAC/s (%.2f FMA instructions/ns) [%g]\n", ROUNDS * CHAINS * 16 / elapsed / 1e9,
           ROUNDS * CHAINS / elapsed / 1e9, zsum);
#endif
#if defined(__AVX512BF16__)
    __m512 d[CHAINS];
    const __m512bh da = (__m512bh)_mm512_set1_epi32(0x3f803f80), db = (__m512bh)_mm512_set1_epi32(0x33d633d6);
    for (int i = 0; i < CHAINS; i++) d[i] = _mm512_set1_ps((float)i);
    double start_bf16 = seconds();
    for (long k = 0; k < ROUNDS; k++) {
        for (int i = 0; i < CHAINS; i++) {
            d[i] = _mm512_dpbf16_ps(d[i], da, db);
            KEEP(d[i]);
        }
    }
    double elapsed_bf16 = seconds() - start_bf16;
    float dsum = 0;
    for (int i = 0; i < CHAINS; i++) dsum += _mm512_reduce_add_ps(d[i]);
    printf("zmm VDPBF16PS: %.1f GMAC/s (%.2f instructions/ns) [%g]\n", ROUNDS * CHAINS * 32 / elapsed_bf16 / 1e9,
           ROUNDS * CHAINS / elapsed_bf16 / 1e9, dsum);
#endif
    __m256 y[CHAINS];
    const __m256 yb = _mm256_set1_ps(1.0000001f), yc = _mm256_set1_ps(1e-7f);
    for (int i = 0; i < CHAINS; i++) y[i] = _mm256_set1_ps((float)i);
    double start2 = seconds();
    for (long k = 0; k < ROUNDS; k++) {
        for (int i = 0; i < CHAINS; i++) {
            y[i] = _mm256_fmadd_ps(y[i], yb, yc);
            KEEP(y[i]);
        }
    }
    double elapsed2 = seconds() - start2;
    float ysum = 0;
    float lanes[8];
    for (int i = 0; i < CHAINS; i++) {
        _mm256_storeu_ps(lanes, y[i]);
        for (int j = 0; j < 8; j++) ysum += lanes[j];
    }
    printf("ymm: %.1f GMAC/s (%.2f FMA instructions/ns) [%g]\n", ROUNDS * CHAINS * 8 / elapsed2 / 1e9,
           ROUNDS * CHAINS / elapsed2 / 1e9, ysum);
    return 0;
}
