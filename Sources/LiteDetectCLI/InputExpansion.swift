import Foundation

/// Turns the command's arguments (files, directories, glob patterns) into image paths, in the
/// order given (directories and globs sorted by name), each once.
struct InputExpansion {
    static let imageExtensions: Set<String> = ["jpg", "jpeg", "png", "jpe", "jfif"]

    private(set) var files: [String] = []
    /// Arguments that named nothing usable; reported, and they make the exit status non-zero.
    private(set) var failures: [String] = []

    init(_ arguments: [String]) {
        var seen: Set<String> = []
        func add(_ path: String) {
            if seen.insert(URL(fileURLWithPath: path).standardizedFileURL.path).inserted { files.append(path) }
        }
        let fm = FileManager.default
        for argument in arguments {
            var isDirectory: ObjCBool = false
            if fm.fileExists(atPath: argument, isDirectory: &isDirectory) {
                if isDirectory.boolValue {
                    let entries = ((try? fm.contentsOfDirectory(atPath: argument)) ?? []).sorted()
                    let images = entries.filter { Self.imageExtensions.contains(($0 as NSString).pathExtension.lowercased()) }
                        .map { (argument as NSString).appendingPathComponent($0) }
                    if images.isEmpty { failures.append("\(argument): directory holds no .jpg/.jpeg/.png images") }
                    images.forEach(add)
                } else {
                    add(argument)  // any file: the decoder decides by content, and says why if it can't
                }
            } else if argument.contains(where: { "*?[".contains($0) }) {
                let matches = Self.glob(argument)
                if matches.isEmpty { failures.append("\(argument): no file matches this pattern") }
                matches.forEach(add)
            } else {
                failures.append("\(argument): no such file or directory")
            }
        }
    }

    /// POSIX glob(3), for patterns the shell did not expand (quoted, or from scripts).
    static func glob(_ pattern: String) -> [String] {
        var result = glob_t()
        defer { globfree(&result) }
        guard Foundation.glob(pattern, 0, nil, &result) == 0 else { return [] }
        return (0..<Int(result.gl_pathc)).compactMap { result.gl_pathv[$0].map { String(cString: $0) } }.sorted()
    }
}
