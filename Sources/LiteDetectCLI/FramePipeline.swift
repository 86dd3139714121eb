import Foundation
import LiteDetect

/// `detect video --threads N`: frames decoded on one thread, detected on N threads at once (one
/// session each), and handed back in stream order on the calling thread, which tracks, prints,
/// draws and encodes. Output order never changes; only throughput does.
///
/// Frames travel in a fixed ring of slots (RGB canvas, metadata, result) that are reused, so once
/// every slot has seen a frame nothing is allocated per frame. At most `slots` frames are in
/// flight, which bounds memory whatever the speed of each stage.
///
/// Errors keep the order too: a frame the reader cannot decode, or a detection that throws, is
/// reported after every frame before it was emitted; an emit error stops everything at once.
final class FramePipeline: @unchecked Sendable {  // all shared state is behind `lock`
    /// One frame in flight.
    struct Slot {
        var canvas: RGBImage
        var metadata = FrameMetadata(index: 0)
        var result = DetectionResult()
        /// Time spent converting the decoded frame to RGB (counted as preprocessing).
        var conversion: Duration = .zero
        /// Input frames read up to and including this one (for the progress line).
        var position = 0
    }

    private let lock = NSCondition()
    /// Raw storage rather than an array: threads work on different slots at once, which an
    /// array's exclusivity checks would refuse (the slot, not the array, is what is shared).
    private let slots: UnsafeMutablePointer<Slot>
    private let slotCount: Int
    private var free: [Int]
    /// Slots read and waiting for a worker, in stream order, with their sequence numbers.
    private var pending: [(sequence: Int, slot: Int)] = []
    /// Slots detected and waiting to be emitted, by sequence number.
    private var done: [Int: Int] = [:]
    /// Failures by the sequence number they belong to (reported once all before them were emitted).
    private var failures: [Int: any Error] = [:]
    /// Frames read so far; once `readerFinished`, the total.
    private var sequence = 0
    private var readerFinished = false
    private var stopped = false
    private let sessions: [DetectorSession]

    init(sessions: [DetectorSession], width: Int, height: Int) {
        precondition(!sessions.isEmpty)
        self.sessions = sessions
        // Two frames per worker keep every worker busy while the reader and the emitter work.
        let count = 2 * sessions.count + 2
        slotCount = count
        slots = .allocate(capacity: count)
        slots.initialize(from: (0..<count).map { _ in Slot(canvas: RGBImage(width: width, height: height)) }, count: count)
        free = Array((0..<count).reversed())
        pending.reserveCapacity(count)
        done.reserveCapacity(count)
    }

    deinit {
        slots.deinitialize(count: slotCount)
        slots.deallocate()
    }

    /// Runs the pipeline until `read` reports the end or something fails.
    /// - `read` (reader thread): fills the slot with the next frame to detect; `false` at the end.
    /// - `detect` (worker threads): detects in the slot's canvas into its result.
    /// - `emit` (calling thread, in stream order): everything after detection.
    func run(
        read: @escaping (inout Slot) throws -> Bool,
        detect: @escaping (DetectorSession, inout Slot) throws -> Void,
        emit: (inout Slot) throws -> Void
    ) throws {
        let finished = DispatchGroup()
        func start(_ body: UnsafeSendable<() -> Void>) {
            finished.enter()
            // The kernels' scratch lives on the stack of the thread that runs them (up to 144 KiB).
            let thread = Thread {
                body.value()
                finished.leave()
            }
            thread.stackSize = 4 << 20
            thread.start()
        }
        // The reader closure runs on the reader thread only and `detect` on one worker at a time
        // per slot: the pipeline's lock orders every hand-over between them.
        start(UnsafeSendable { [self] in readerLoop(read) })
        for session in sessions { start(UnsafeSendable { [self] in workerLoop(session, detect) }) }
        defer {
            stop()
            finished.wait()
        }
        var next = 0
        while true {
            lock.lock()
            while done[next] == nil && failures[next] == nil && !(readerFinished && next == sequence) {
                lock.wait()
            }
            if let error = failures[next] {
                lock.unlock()
                throw error
            }
            guard let index = done.removeValue(forKey: next) else {
                lock.unlock()
                return
            }
            lock.unlock()
            // The slot is this thread's alone until it goes back to `free`.
            try emit(&slots[index])
            lock.lock()
            free.append(index)
            lock.broadcast()
            lock.unlock()
            next += 1
        }
    }

    private func stop() {
        lock.lock()
        stopped = true
        lock.broadcast()
        lock.unlock()
    }

    private func readerLoop(_ read: (inout Slot) throws -> Bool) {
        while true {
            lock.lock()
            while free.isEmpty && !stopped { lock.wait() }
            if stopped {
                lock.unlock()
                return
            }
            let index = free.removeLast()
            let number = sequence
            lock.unlock()
            let outcome = Result { try read(&slots[index]) }
            lock.lock()
            switch outcome {
            case .success(true):
                pending.append((number, index))
                sequence += 1
            case .success(false):
                free.append(index)
                readerFinished = true
            case .failure(let error):
                free.append(index)
                failures[number] = error
                readerFinished = true
            }
            lock.broadcast()
            let end = readerFinished
            lock.unlock()
            if end { return }
        }
    }

    private func workerLoop(_ session: DetectorSession, _ detect: (DetectorSession, inout Slot) throws -> Void) {
        while true {
            lock.lock()
            while pending.isEmpty && !stopped && !readerFinished { lock.wait() }
            if stopped || pending.isEmpty {
                lock.unlock()
                return
            }
            let (number, index) = pending.removeFirst()
            lock.unlock()
            let outcome = Result { try detect(session, &slots[index]) }
            lock.lock()
            switch outcome {
            case .success: done[number] = index
            case .failure(let error): failures[number] = error
            }
            lock.broadcast()
            lock.unlock()
        }
    }
}
