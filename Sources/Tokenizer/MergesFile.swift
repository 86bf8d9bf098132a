/// Reads `merges.txt` as tokenizers' `BPE::read_file` does: lines split at `\n` (a `\r` before
/// it is dropped), lines starting with `#version` skipped, every other line — empty ones too —
/// exactly two tokens separated by one space. A merge's rank is its index among the kept lines.
enum MergesFile {
    /// The merge pairs of the file at `path`, in rank order, with their 1-based line numbers.
    static func read(_ path: String) throws(TokenizerError) -> [(left: String, right: String, line: Int)] {
        let data = try TokenizerFolder.contents(of: path)
        let bytes = [UInt8](data)
        var merges: [(left: String, right: String, line: Int)] = []
        merges.reserveCapacity(bytes.count / 10)
        var lineStart = 0
        var lineNumber = 0
        let versionPrefix = Array("#version".utf8)
        while lineStart < bytes.count {
            lineNumber += 1
            var lineEnd = lineStart
            while lineEnd < bytes.count && bytes[lineEnd] != 0x0A { lineEnd += 1 }
            let nextStart = lineEnd + 1
            if lineEnd < bytes.count && lineEnd > lineStart && bytes[lineEnd - 1] == 0x0D { lineEnd -= 1 }
            defer { lineStart = nextStart }
            let line = bytes[lineStart..<lineEnd]
            if line.starts(with: versionPrefix) { continue }
            let parts = line.split(separator: 0x20, omittingEmptySubsequences: false)
            guard parts.count == 2 else {
                throw .malformedMergesLine(file: path, line: lineNumber, content: String(decoding: line, as: UTF8.self))
            }
            merges.append((String(decoding: parts[0], as: UTF8.self), String(decoding: parts[1], as: UTF8.self), lineNumber))
        }
        return merges
    }
}
