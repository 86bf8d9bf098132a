import CKernels

/// A weight matrix W [rows x depth] (a linear layer's [out, in], a convolution's
/// [Cout, Cin*kh*kw]) rounded to bf16 and packed into the GEMM's panels of 16 rows with the
/// depth pairs interleaved (CKernelsBF16.h describes the layout). Packing reads float32,
/// bfloat16 or float16 storage; float32 and float16 elements are rounded to nearest even once.
final class PackedBFloat16Panels: @unchecked Sendable {
    /// Rows of W (output channels), the GEMM's N.
    let rows: Int
    /// Columns of W, the GEMM's K.
    let depth: Int
    /// The packed elements (64-byte aligned, owned).
    let elements: UnsafeMutablePointer<UInt16>
    private let elementCount: Int

    /// Number of 16-row panels.
    var panelCount: Int { (rows + Int(SD_BF16_PANEL_WIDTH) - 1) / Int(SD_BF16_PANEL_WIDTH) }

    /// Packs `storage` read as row-major [rows x depth].
    init(packing storage: TensorStorage, rows: Int, depth: Int) {
        precondition(storage.panelLayout == nil, "packing storage that is already panels")
        self.rows = rows
        self.depth = depth
        elementCount = max(1, sd_bf16_packed_count(rows, depth))
        elements = UnsafeMutableRawPointer.allocate(byteCount: elementCount * 2, alignment: 64)
            .bindMemory(to: UInt16.self, capacity: elementCount)
        let sourceType: Int32
        switch storage.dtype {
        case .float32: sourceType = Int32(SD_BF16_SOURCE_F32.rawValue)
        case .bfloat16: sourceType = Int32(SD_BF16_SOURCE_BF16.rawValue)
        case .float16: sourceType = Int32(SD_BF16_SOURCE_F16.rawValue)
        }
        let source = UncheckedSendable(UnsafeRawPointer(storage.rawPointer)), destination = UncheckedSendable(elements)
        parallelRanges(panelCount, minimumPerTask: 8) { panels in
            sd_bf16_pack(source.value, sourceType, rows, depth, destination.value, panels.lowerBound, panels.upperBound)
        }
    }

    /// Bytes held by the panels.
    var byteCount: Int { elementCount * 2 }

    /// The matrix widened to float32, row-major into `destination` (rows x depth elements).
    func unpack(into destination: UnsafeMutablePointer<Float>) {
        let source = UncheckedSendable(UnsafePointer(elements)), target = UncheckedSendable(destination)
        let (rows, depth) = (self.rows, self.depth)
        parallelRanges(rows, minimumPerTask: 64) { range in
            sd_bf16_unpack(source.value, rows, depth, target.value + range.lowerBound * depth, range.lowerBound, range.upperBound)
        }
    }

    deinit { UnsafeMutableRawPointer(elements).deallocate() }
}
