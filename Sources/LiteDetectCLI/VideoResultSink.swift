import Foundation
import LiteDetect
import LiteDetectJSONOutput

/// Writes each detected frame's result: text or JSON lines to standard output, JSON lines to a file.
///
/// Writes go straight to their descriptor (nothing is buffered), so whatever was emitted before
/// an error is already out. Write errors (a closed pipe) are thrown, not fatal.
final class VideoResultSink {
    private let detector: Detector
    private let standardOutput: VideoOutputFormat?
    private let jsonFile: (descriptor: Int32, path: String)?

    /// Creates the JSON file now (an existing one is an error unless `overwrite`), before any frame.
    init(detector: Detector, standardOutput: VideoOutputFormat?, jsonPath: String?, overwrite: Bool) throws {
        self.detector = detector
        self.standardOutput = standardOutput
        if let jsonPath {
            let descriptor = open(jsonPath, O_WRONLY | O_CREAT | O_CLOEXEC | (overwrite ? O_TRUNC : O_EXCL), 0o644)
            guard descriptor >= 0 else {
                if errno == EEXIST { throw VideoError.fileExists(path: jsonPath) }
                throw VideoError.writeFailed(destination: jsonPath, reason: String(cString: strerror(errno)))
            }
            jsonFile = (descriptor, jsonPath)
        } else {
            jsonFile = nil
        }
    }

    deinit {
        if let jsonFile { Foundation.close(jsonFile.descriptor) }
    }

    func emit(_ result: DetectionResult, tracks: [TrackedObject]?) throws {
        switch standardOutput {
        case .text?: try Self.write(Self.text(result, tracks: tracks, detector: detector), to: 1, name: "standard output")
        case .json?: try Self.write(Self.json(result, tracks: tracks, detector: detector) + "\n", to: 1, name: "standard output")
        case nil: break
        }
        if let jsonFile {
            try Self.write(Self.json(result, tracks: tracks, detector: detector) + "\n", to: jsonFile.descriptor, name: jsonFile.path)
        }
    }

    /// Every byte of `text`, with the system's reason on failure (e.g. "Broken pipe").
    private static func write(_ text: String, to descriptor: Int32, name: String) throws {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let count = bytes.withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress!, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw VideoError.writeFailed(destination: name, reason: String(cString: strerror(errno)))
            }
            bytes = bytes.dropFirst(count)
        }
    }

    // MARK: Formats

    /// `{"frame": n, "timestamp": seconds|null, ["random_weights": true,] "timing_ms": {...},
    /// "detections": [...], ["tracks": [...]]}`; detections exactly as in the images JSON.
    static func json(_ result: DetectionResult, tracks: [TrackedObject]?, detector: Detector) -> String {
        let timestamp = result.frame?.timestamp.map { JSONText.number(seconds($0)) } ?? "null"
        var fields: [(String, String)] = [("frame", "\(result.frame?.index ?? 0)"), ("timestamp", timestamp)]
        if detector.isRandomlyInitialised { fields.append(("random_weights", "true")) }
        fields.append(("timing_ms", DetectionJSON.timing(result.timing)))
        fields.append(("detections", JSONText.array(result.detections.map(DetectionJSON.detection))))
        if let tracks {
            fields.append(
                (
                    "tracks",
                    JSONText.array(
                        tracks.map { track in
                            JSONText.object([
                                ("id", "\(track.id)"), ("class_id", "\(track.classID)"), ("label", JSONText.string(track.label)),
                                ("score", JSONText.number(track.score)), ("box", DetectionJSON.box(track.box)),
                            ])
                        })
                ))
        }
        return JSONText.object(fields)
    }

    static func text(_ result: DetectionResult, tracks: [TrackedObject]?, detector: Detector) -> String {
        let time = result.frame?.timestamp.map { String(format: " at %.3f s", seconds($0)) } ?? ""
        let count = result.detections.count
        var out =
            "frame \(result.frame?.index ?? 0)\(time): \(count) detection\(count == 1 ? "" : "s")"
            + String(format: ", %.1f ms", result.timing.total / .milliseconds(1)) + (detector.isRandomlyInitialised ? " (RANDOM WEIGHTS)" : "") + "\n"
        for d in result.detections {
            out += String(format: "  %-14@ %.3f  [%7.1f %7.1f %7.1f %7.1f]\n", d.label as NSString, d.score, d.box.x1, d.box.y1, d.box.x2, d.box.y2)
        }
        for t in tracks ?? [] {
            out += String(
                format: "  track #%-6d %-14@ [%7.1f %7.1f %7.1f %7.1f]\n", t.id, t.label as NSString, t.box.x1, t.box.y1, t.box.x2, t.box.y2)
        }
        return out
    }

    static func seconds(_ duration: Duration) -> Double {
        // Divided, not multiplied by 1e-18: 0.3 s prints as 0.3, not 0.30000000000000004.
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
