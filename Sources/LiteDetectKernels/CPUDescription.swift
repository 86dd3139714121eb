internal import CLiteDetectKernels

/// The CPU the kernels run on, as far as they know it: its name and cache sizes (read once, from
/// CPUID and sysfs) and the kernel variants it selects. Timings are worth little without it.
package struct CPUDescription: Sendable, Hashable {
    /// The brand string, or "unknown CPU".
    package let model: String
    /// Bytes of level-1 data, level-2 and level-3 cache; `nil` where the system does not say.
    package let l1DataCacheBytes: Int?
    package let l2CacheBytes: Int?
    package let l3CacheBytes: Int?

    /// The GEMM's blocking derived from the L2 size: input floats per chunk, and the weight floats
    /// below which the weights stay in L2 instead.
    package var gemmChunkFloats: Int { ldk_cache_blocking()!.pointee.chunk_floats }
    package var gemmSmallWeightFloats: Int { ldk_cache_blocking()!.pointee.small_weight_floats }
    /// Banded execution's budgets derived from the L2 size: band buffer bytes per thread, and the
    /// map size from which a chain of layers runs band by band.
    package var bandBytes: Int { ldk_cache_blocking()!.pointee.band_bytes }
    package var bandMapBytes: Int { ldk_cache_blocking()!.pointee.band_map_bytes }

    /// This machine's CPU.
    package static let current: CPUDescription = {
        let info = ldk_cpu()!.pointee
        let model = withUnsafeBytes(of: info.model) { bytes in
            String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
        }
        func size(_ bytes: Int) -> Int? { bytes > 0 ? bytes : nil }
        return CPUDescription(
            model: model.isEmpty ? "unknown CPU" : model, l1DataCacheBytes: size(info.l1d_bytes),
            l2CacheBytes: size(info.l2_bytes), l3CacheBytes: size(info.l3_bytes))
    }()

    /// "AMD EPYC 9R14 (L1d 32 KiB, L2 1 MiB, L3 32 MiB)", sizes left out where unknown.
    package var summary: String {
        let caches = [("L1d", l1DataCacheBytes), ("L2", l2CacheBytes), ("L3", l3CacheBytes)].compactMap { name, bytes in
            bytes.map { "\(name) \(Self.size($0))" }
        }
        return caches.isEmpty ? model : "\(model) (\(caches.joined(separator: ", ")))"
    }

    private static func size(_ bytes: Int) -> String {
        bytes >= 1 << 20 && bytes % (1 << 20) == 0 ? "\(bytes >> 20) MiB" : "\(bytes >> 10) KiB"
    }
}
