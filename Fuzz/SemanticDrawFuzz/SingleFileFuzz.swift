import Foundation
@testable import DiffusionModels

/// Single-file checkpoint detection (`SingleFileLayout`, what `SingleFileCheckpoint(path:)` runs
/// on the header's names and shapes): the input is one `key dim,dim,...` per line (at most 4096).
/// Detection must answer an architecture or a typed error, never trap on odd shapes.
enum SingleFileFuzz {
    static let target = FuzzTarget(name: "single-file", prepare: {}, run: { data in
        var shapes: [String: [Int]] = [:]
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n").prefix(4096) {
            let parts = line.split(separator: " ", maxSplits: 1)
            guard let key = parts.first else { continue }
            let dimensions = parts.count > 1 ? parts[1].split(separator: ",").compactMap { Int($0) } : []
            shapes[String(key)] = dimensions
        }
        _ = try? SingleFileLayout(shapes: shapes, path: "fuzz.safetensors")
    })
}
