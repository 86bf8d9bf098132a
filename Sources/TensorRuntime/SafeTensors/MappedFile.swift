#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A whole file mapped copy-on-write into memory (pages load lazily, writes never reach the file).
public final class MappedFile: @unchecked Sendable {
    /// The file's path, for error messages.
    public let path: String
    /// The mapped bytes.
    public let bytes: UnsafeMutableRawPointer?
    /// The file's size in bytes.
    public let size: Int

    /// Maps the file at `path`.
    public init(path: String) throws {
        self.path = path
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else {
            throw SafeTensorsError.unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw SafeTensorsError.unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            throw SafeTensorsError.unreadable(path: path, reason: "not a regular file")
        }
        size = Int(status.st_size)
        if size == 0 {
            bytes = nil
            return
        }
        let address = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, descriptor, 0)
        guard let address, address != MAP_FAILED else {
            throw SafeTensorsError.unreadable(path: path, reason: "mmap failed: \(String(cString: strerror(errno)))")
        }
        bytes = address
    }

    /// Lets the kernel drop the resident pages lying wholly inside `range` (bytes of the file),
    /// once their data has been copied elsewhere (bf16 weights packed from the mapping). The
    /// mapping stays valid: a later read faults the pages in again from the file, unchanged,
    /// because nothing ever writes to a mapped checkpoint.
    public func releasePages(_ range: Range<Int>) {
        guard let bytes, !range.isEmpty else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let start = (range.lowerBound + page - 1) / page * page, end = range.upperBound / page * page
        guard end > start else { return }
        _ = madvise(bytes + start, end - start, MADV_DONTNEED)
    }

    deinit {
        if let bytes { munmap(bytes, size) }
    }
}
