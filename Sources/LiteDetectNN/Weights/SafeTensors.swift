import Foundation
import LiteDetectSupport

/// Reader and writer for the safetensors format (an 8-byte little-endian header length, a JSON
/// header mapping names to `{dtype, shape, data_offsets}`, then the raw little-endian bytes).
///
/// The reader trusts nothing: header size, JSON structure, dtypes, shapes, offsets inside the
/// data, offsets that overlap or leave holes, and byte lengths that disagree with the shape are
/// all errors naming the file and tensor.
package enum SafeTensors {
    /// Limits checked before anything is allocated.
    package struct Limits: Sendable {
        package var maxFileBytes: Int
        package var maxHeaderBytes: Int
        package init(maxFileBytes: Int = 2 << 30, maxHeaderBytes: Int = 100 << 20) {
            self.maxFileBytes = maxFileBytes
            self.maxHeaderBytes = maxHeaderBytes
        }
    }

    /// The tensors of a file plus its `__metadata__` strings.
    package struct File: Sendable {
        package var tensors: NamedTensors
        package var metadata: [String: String]
    }

    /// Reads and parses the file at `path`. Only regular files are read (a FIFO would block until
    /// a writer appears, `/dev/zero` never ends), and the size limit is checked before reading.
    package static func read(contentsOf path: String, limits: Limits = Limits()) throws(WeightError) -> File {
        let data: Data
        do { data = try RegularFile.contents(of: path, maxBytes: limits.maxFileBytes, as: Data.self) } catch {
            if let size = error.size { throw .tooLarge(file: path, what: "the file", size: size, limit: limits.maxFileBytes) }
            throw .unreadable(file: path, reason: error.reason)
        }
        return try parse(data, name: path, limits: limits)
    }

    package static func parse(_ data: Data, name: String, limits: Limits = Limits()) throws(WeightError) -> File {
        func fail(_ reason: String) -> WeightError { .malformed(file: name, reason: reason) }
        guard data.count >= 8 else { throw fail("\(data.count) bytes is too short for the 8-byte header length") }
        var headerLength: UInt64 = 0
        for i in (0..<8).reversed() { headerLength = headerLength << 8 | UInt64(data[data.startIndex + i]) }
        guard headerLength <= UInt64(limits.maxHeaderBytes) else {
            throw .tooLarge(file: name, what: "the JSON header", size: Int(clamping: headerLength), limit: limits.maxHeaderBytes)
        }
        guard Int(headerLength) <= data.count - 8 else {
            throw fail("header claims \(headerLength) bytes but only \(data.count - 8) follow")
        }
        let headerStart = data.startIndex + 8
        let dataStart = headerStart + Int(headerLength)
        // Parsed once, strictly (a repeated tensor name is an error), then mapped onto the entries.
        let headerValue: JSONValue
        do { headerValue = try JSONParser.parse(data[headerStart..<dataStart]) } catch {
            throw fail(error.isRepeatedKey ? "header names '\(error.path)' twice" : "header is not valid JSON: \(error)")
        }
        let header: [String: HeaderItem]
        do { header = try JSONValueDecoder().decode([String: HeaderItem].self, from: headerValue) } catch {
            throw fail("header is not a JSON object of tensor entries (\(describe(error)))")
        }

        var metadata: [String: String] = [:]
        var entries: [(name: String, dtype: String, shape: [Int], begin: Int, end: Int)] = []
        for (key, item) in header {
            let entry: HeaderEntry
            switch item {
            case let .metadata(map):
                guard key == "__metadata__" else { throw fail("entry '\(key)' lacks dtype, shape or data_offsets") }
                metadata = map
                continue
            case let .tensor(tensor):
                guard key != "__metadata__" else { throw fail("__metadata__ must map strings to strings") }
                entry = tensor
            }
            let (dtype, shape) = (entry.dtype, entry.shape)
            guard shape.allSatisfy({ $0 >= 0 }) else { throw fail("entry '\(key)' has a negative dimension in \(shape)") }
            guard entry.data_offsets.count == 2, entry.data_offsets[0] >= 0, entry.data_offsets[0] <= entry.data_offsets[1] else {
                throw fail("entry '\(key)' has bad data_offsets \(entry.data_offsets)")
            }
            let (begin, end) = (entry.data_offsets[0], entry.data_offsets[1])
            guard let elementSize = elementSize(of: dtype) else { throw .unsupportedDType(name: key, dtype: dtype) }
            var count = 1
            for dimension in shape {
                let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
                guard !overflow else { throw fail("entry '\(key)' shape \(shape) overflows") }
                count = product
            }
            // The byte count is formed only once it cannot overflow (the message needs it too).
            guard count <= Int.max / 8 else {
                throw fail("entry '\(key)' of shape \(shape) and dtype \(dtype) has \(count) elements, more than any file can hold")
            }
            guard end - begin == count * elementSize else {
                throw fail("entry '\(key)' of shape \(shape) and dtype \(dtype) needs \(count * elementSize) bytes, offsets give \(end - begin)")
            }
            guard end <= data.count - 8 - Int(headerLength) else {
                throw fail("entry '\(key)' ends at byte \(end), past the \(data.count - 8 - Int(headerLength)) data bytes")
            }
            entries.append((key, dtype, shape, begin, end))
        }
        // The data region must be exactly tiled: no overlap (two tensors aliasing), no holes.
        entries.sort { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }
        var cursor = 0
        for entry in entries where entry.end > entry.begin {
            if entry.begin < cursor { throw fail("entry '\(entry.name)' overlaps the tensor before it") }
            if entry.begin > cursor { throw fail("bytes \(cursor)..<\(entry.begin) before '\(entry.name)' belong to no tensor") }
            cursor = entry.end
        }

        var tensors: [String: NamedTensors.Tensor] = [:]
        for entry in entries {
            let bytes = data[(dataStart + entry.begin)..<(dataStart + entry.end)]
            tensors[entry.name] = NamedTensors.Tensor(shape: entry.shape, values: decode(bytes, dtype: entry.dtype))
        }
        return File(tensors: NamedTensors(tensors, sourceName: name), metadata: metadata)
    }

    /// How `serialize` stores values.
    package enum StorageType: String, Sendable, CaseIterable {
        /// IEEE float32, exact.
        case float32 = "F32"
        /// IEEE float16, rounded to nearest even: half the bytes, a relative error up to 2⁻¹¹
        /// (values beyond ±65504 would become infinities, which `serialize` refuses).
        case float16 = "F16"
    }

    /// Serialises tensors (names sorted, so output is deterministic). Returns `nil` when a value
    /// cannot be stored in `storage` (not finite after rounding).
    package static func serialize(
        _ tensors: [String: NamedTensors.Tensor], metadata: [String: String] = [:], storage: StorageType = .float32
    ) -> Data? {
        serialize(tensors, metadata: metadata, storageFor: { _ in storage })
    }

    /// Serialises tensors, each in the storage `storageFor(name)` picks.
    package static func serialize(
        _ tensors: [String: NamedTensors.Tensor], metadata: [String: String] = [:], storageFor: (String) -> StorageType
    ) -> Data? {
        var header: [String: Any] = [:]
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var offset = 0
        let names = tensors.keys.sorted()
        for name in names {
            let storage = storageFor(name)
            let bytes = tensors[name]!.values.count * (storage == .float32 ? 4 : 2)
            header[name] = ["dtype": storage.rawValue, "shape": tensors[name]!.shape, "data_offsets": [offset, offset + bytes]] as [String: Any]
            offset += bytes
        }
        // JSONSerialization writes integers as integers; sorted keys keep files byte-identical.
        var json = (try? JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])) ?? Data("{}".utf8)
        while (json.count + 8) % 8 != 0 { json.append(0x20) }  // pad with spaces so data is 8-byte aligned
        var out = Data()
        out.reserveCapacity(8 + json.count + offset)
        var length = UInt64(json.count).littleEndian
        withUnsafeBytes(of: &length) { out.append(contentsOf: $0) }
        out.append(json)
        for name in names {
            let storage = storageFor(name)
            let representable = tensors[name]!.values.withUnsafeBufferPointer { buffer -> Bool in
                for value in buffer {
                    switch storage {
                    case .float32:
                        var bits = value.bitPattern.littleEndian
                        withUnsafeBytes(of: &bits) { out.append(contentsOf: $0) }
                    case .float16:
                        let half = Float16(value)
                        guard half.isFinite || !value.isFinite else { return false }
                        var bits = half.bitPattern.littleEndian
                        withUnsafeBytes(of: &bits) { out.append(contentsOf: $0) }
                    }
                }
                return true
            }
            guard representable else { return nil }
        }
        return out
    }

    /// One value of the JSON header: a tensor entry, or the `__metadata__` string map.
    private enum HeaderItem: Decodable {
        case tensor(HeaderEntry)
        case metadata([String: String])

        init(from decoder: any Decoder) throws {
            if let entry = try? HeaderEntry(from: decoder) {
                self = .tensor(entry)
            } else {
                self = .metadata(try [String: String](from: decoder))
            }
        }
    }

    private struct HeaderEntry: Decodable {
        var dtype: String
        var shape: [Int]
        var data_offsets: [Int]
    }

    private static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.dataCorrupted(let context): return context.debugDescription
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            return "\(context.codingPath.map(\.stringValue).joined(separator: ".")): \(context.debugDescription)"
        default: return "\(error)"
        }
    }

    private static func elementSize(of dtype: String) -> Int? {
        switch dtype {
        case "F32": return 4
        case "F16", "BF16": return 2
        case "F64": return 8
        default: return nil
        }
    }

    private static func decode(_ bytes: Data, dtype: String) -> [Float] {
        bytes.withUnsafeBytes { raw -> [Float] in
            switch dtype {
            case "F32":
                return (0..<raw.count / 4).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
            case "F64":
                return (0..<raw.count / 8).map {
                    Float(Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 8, as: UInt64.self))))
                }
            case "BF16":
                return (0..<raw.count / 2).map {
                    Float(bitPattern: UInt32(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 2, as: UInt16.self))) << 16)
                }
            default:  // F16
                return (0..<raw.count / 2).map {
                    Float(Float16(bitPattern: UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 2, as: UInt16.self))))
                }
            }
        }
    }
}
