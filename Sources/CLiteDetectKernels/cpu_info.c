// What the kernels need to know about the CPU beyond its instruction set: its name (for reports
// next to timings) and its data cache sizes (for the blocking of the GEMM). Read once, from
// CPUID and Linux's sysfs; a value that cannot be read is 0, and the users of each fall back to
// a conservative default.

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__x86_64__)
#include <cpuid.h>
#endif

#include "kernels_internal.h"

/// The size in bytes of the data (or unified) cache at `level` of CPU 0, from sysfs; 0 if unknown.
static long ldk_sysfs_cache_bytes(int level) {
    for (int index = 0; index < 8; index++) {
        char path[96], text[32];
        snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/level", index);
        FILE *file = fopen(path, "r");
        if (!file) return 0;
        const int read_level = fgets(text, sizeof text, file) ? atoi(text) : -1;
        fclose(file);
        if (read_level != level) continue;
        snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/type", index);
        if (!(file = fopen(path, "r"))) continue;
        const int is_instruction = fgets(text, sizeof text, file) && !strncmp(text, "Instruction", 11);
        fclose(file);
        if (is_instruction) continue;
        snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/size", index);
        if (!(file = fopen(path, "r"))) continue;
        long size = 0;
        char unit = 0;
        const int fields = fgets(text, sizeof text, file) ? sscanf(text, "%ld%c", &size, &unit) : 0;
        fclose(file);
        if (fields < 1 || size <= 0) return 0;
        if (unit == 'K')
            size *= 1024;
        else if (unit == 'M')
            size *= 1024 * 1024;
        return size;
    }
    return 0;
}

static ldk_cpu_info ldk_read_cpu_info(void) {
    ldk_cpu_info info;
    memset(&info, 0, sizeof info);
#if defined(__x86_64__)
    unsigned registers[12] = {0};
    unsigned highest = __get_cpuid_max(0x80000000u, NULL);
    if (highest >= 0x80000004u) {
        for (unsigned leaf = 0; leaf < 3; leaf++)
            __get_cpuid(0x80000002u + leaf, &registers[leaf * 4], &registers[leaf * 4 + 1], &registers[leaf * 4 + 2],
                        &registers[leaf * 4 + 3]);
        memcpy(info.model, registers, sizeof registers);
        info.model[sizeof registers] = 0;
    }
#endif
    // Trim the padding some vendors put around the brand string.
    char *start = info.model;
    while (*start == ' ') start++;
    memmove(info.model, start, strlen(start) + 1);
    for (size_t n = strlen(info.model); n > 0 && info.model[n - 1] == ' '; n--) info.model[n - 1] = 0;
    info.l1d_bytes = ldk_sysfs_cache_bytes(1);
    info.l2_bytes = ldk_sysfs_cache_bytes(2);
    info.l3_bytes = ldk_sysfs_cache_bytes(3);
    return info;
}

/// L2 bytes assumed where the system does not say: the smallest of the x86 server and desktop
/// cores this project meets (Skylake client, Zen 1–3 have 256–512 KiB).
#define LDK_DEFAULT_L2_BYTES (512 * 1024)

/// The GEMM keeps a quarter of L2 for its input chunk and an eighth for weights that stay put:
/// the rest holds the panels streaming through, the outputs and the other thread's data where
/// two hyperthreads share the core. (On a 1 MiB L2, 64 K and 32 K floats: the values that were
/// measured best on Zen 4 when these were constants.) Banded chains keep half of L2 in band
/// buffers and band maps larger than L2 (512 KiB and 1 MiB on Zen 4, likewise the measured
/// constants; docs/PERFORMANCE.md, "Bands"). Clamped so that odd reports (a shared L2 counted
/// whole) cannot push the chunks out of any real L2.
static ldk_blocking ldk_blocking_for(long l2_bytes) {
    if (l2_bytes <= 0) l2_bytes = LDK_DEFAULT_L2_BYTES;
    if (l2_bytes < 256 * 1024) l2_bytes = 256 * 1024;
    if (l2_bytes > 4 * 1024 * 1024) l2_bytes = 4 * 1024 * 1024;
    const ptrdiff_t floats = (ptrdiff_t)(l2_bytes / (long)sizeof(float));
    return (ldk_blocking){.chunk_floats = floats / 4,
                          .small_weight_floats = floats / 8,
                          .band_bytes = (ptrdiff_t)l2_bytes / 2,
                          .band_map_bytes = (ptrdiff_t)l2_bytes};
}

static ldk_cpu_info ldk_cpu_info_read;
static ldk_blocking ldk_blocking_read;
static pthread_once_t ldk_cpu_info_once = PTHREAD_ONCE_INIT;

static void ldk_cpu_info_initialize(void) {
    ldk_cpu_info_read = ldk_read_cpu_info();
    ldk_blocking_read = ldk_blocking_for(ldk_cpu_info_read.l2_bytes);
}

const ldk_cpu_info *ldk_cpu(void) {
    pthread_once(&ldk_cpu_info_once, ldk_cpu_info_initialize);
    return &ldk_cpu_info_read;
}

const ldk_blocking *ldk_cache_blocking(void) {
    pthread_once(&ldk_cpu_info_once, ldk_cpu_info_initialize);
    return &ldk_blocking_read;
}
