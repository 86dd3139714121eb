import LiteDetectKernels

/// The instruction sets a kernel test runs: every one this CPU supports. The others are named as
/// skipped in the test log, not silently left out, so a run on a narrower CPU says what it did
/// not cover. Call it from a test, never while a test case is created: `swift test` lists the
/// tests by reading the test binary's standard output as JSON.
func testedInstructionSets(by suite: String) -> [KernelInstructionSet] {
    for isa in KernelInstructionSet.allCases where !isa.isSupported {
        print("\(suite): \(isa) kernels skipped: this CPU (or LITEDETECT_ISA) does not run them")
    }
    return KernelInstructionSet.allCases.filter(\.isSupported)
}
