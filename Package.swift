// swift-tools-version: 6.0
// SemanticDraw in Swift: real-time region-based text-to-image generation (paper: Lee et al.,
// "SemanticDraw", CVPR 2025). Targets are layered one way; see README.md and docs/.
import Foundation
import PackageDescription

// x86-64: build the C kernels for AVX2 + FMA (x86-64-v3: every x86 server CPU since 2015).
#if arch(x86_64)
let vectorFlags = ["-O3", "-march=x86-64-v3"]
#else
let vectorFlags = ["-O3"]
#endif

let package = Package(
    name: "SemanticDraw",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "TensorRuntime", targets: ["TensorRuntime"]),
        .library(name: "DiffusionModels", targets: ["DiffusionModels"]),
        .library(name: "Tokenizer", targets: ["Tokenizer"]),
        .library(name: "Schedulers", targets: ["Schedulers"]),
        .library(name: "SemanticDraw", targets: ["SemanticDraw"]),
        .library(name: "ImageCodecs", targets: ["ImageCodecs"]),
        .library(name: "Hub", targets: ["Hub"]),
        .library(name: "Captioning", targets: ["Captioning"]),
        .executable(name: "semantic-draw", targets: ["SemanticDrawCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.8.1"),
        // Already in the graph through Hummingbird; named for the WebSocket frame types the server's
        // oversized-frame handler writes.
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.83.0"),
    ],
    targets: [
        // BLAS (cblas_sgemm): OpenBLAS on Linux through pkg-config; Accelerate on macOS.
        .systemLibrary(
            name: "CBLAS",
            path: "Sources/CBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),
        // libpng, through pkg-config.
        .systemLibrary(
            name: "CPNG",
            path: "Sources/CPNG",
            pkgConfig: "libpng",
            providers: [.apt(["libpng-dev"])]
        ),
        // JPEG encoding (the live stream's frames) over libjpeg-turbo, with an error handler that
        // returns instead of exiting.
        .target(name: "CJPEG", linkerSettings: [.linkedLibrary("jpeg")]),
        // Vectorised C loops for softmax and activations (see its header for why they are C).
        .target(
            name: "CKernels",
            cSettings: [.unsafeFlags(vectorFlags)]
        ),
        // Tensors, CPU kernels and safetensors I/O.
        .target(
            name: "TensorRuntime",
            dependencies: ["CKernels", .target(name: "CBLAS", condition: .when(platforms: [.linux]))]
        ),
        // Stable Diffusion networks (CLIP text encoder, UNet, AutoencoderKL, AutoencoderTiny),
        // their configs and strict loading from diffusers folders.
        .target(
            name: "DiffusionModels",
            dependencies: ["TensorRuntime"]
        ),
        // CLIP byte-level BPE tokenizer (transformers' CLIPTokenizer).
        // (The CLIP ViT-L/14 tables ship as a resource: single-file checkpoints carry no tokenizer.)
        .target(name: "Tokenizer", resources: [.copy("Resources/clip-vit-large-patch14")]),
        // Noise schedules and split (denoise / noise) scheduler steps: LCM, DDIM, Euler.
        .target(name: "Schedulers", dependencies: ["TensorRuntime"]),
        // Hugging Face hub client: resolve, download (resume, verify) into the shared HF cache.
        .target(name: "Hub"),
        // PNG read/write (8-bit grey, RGB, RGBA; text chunks) over libpng.
        .target(name: "ImageCodecs", dependencies: ["CPNG", "CJPEG", "TensorRuntime"]),
        // BLIP-2 (OPT) image captioning: image processor, vision transformer, Q-Former, OPT decoder
        // with a key/value cache, greedy decoding (a background image without a prompt gets one).
        .target(name: "Captioning", dependencies: ["DiffusionModels", "TensorRuntime", "Tokenizer", "ImageCodecs"]),
        // The SemanticDraw library: model resolution, prompt conditioning, palette, masks, pipelines.
        .target(name: "SemanticDraw", dependencies: ["DiffusionModels", "Schedulers", "Tokenizer", "TensorRuntime", "ImageCodecs", "Hub", "Captioning"]),
        // `semantic-draw serve`: HTTP + WebSocket server, one model worker, the web app (resources).
        .target(
            name: "SemanticDrawServer",
            dependencies: [
                "SemanticDraw", "ImageCodecs", "DiffusionModels", "Schedulers", "TensorRuntime", "Captioning",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
            ],
            resources: [.copy("Resources/web")]
        ),
        // The `semantic-draw` command-line tool (thin: parses options, calls the libraries).
        .executableTarget(
            name: "SemanticDrawCLI",
            dependencies: [
                "DiffusionModels",
                "TensorRuntime",
                "Tokenizer",
                "Schedulers",
                "SemanticDraw",
                "ImageCodecs",
                "Hub",
                "SemanticDrawServer",
                "Captioning",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "TensorRuntimeTests", dependencies: ["TensorRuntime"]),
        .testTarget(name: "DiffusionModelsTests", dependencies: ["DiffusionModels", "TensorRuntime"]),
        .testTarget(name: "TokenizerTests", dependencies: ["Tokenizer"]),
        .testTarget(name: "CaptioningTests", dependencies: ["Captioning", "DiffusionModels", "TensorRuntime", "Tokenizer", "ImageCodecs"]),
        .testTarget(name: "SchedulersTests", dependencies: ["Schedulers", "TensorRuntime"]),
        .testTarget(name: "SemanticDrawTests", dependencies: ["SemanticDraw", "DiffusionModels", "Tokenizer", "TensorRuntime", "ImageCodecs"]),
        .testTarget(name: "ImageCodecsTests", dependencies: ["ImageCodecs", "TensorRuntime"]),
        .testTarget(name: "HubTests", dependencies: ["Hub", "SemanticDraw", "DiffusionModels", "TensorRuntime", "Captioning", "ImageCodecs"]),
        // Raw TCP exchanges for the server tests and the http-path fuzz target.
        .target(name: "RawSocketClient", path: "Tests/Support/RawSocketClient"),
        .testTarget(
            name: "SemanticDrawServerTests",
            dependencies: [
                "SemanticDrawServer", "SemanticDraw", "ImageCodecs", "DiffusionModels", "Captioning", "RawSocketClient",
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
            ]
        ),
        .testTarget(name: "SemanticDrawCLITests", dependencies: ["TensorRuntime", "ImageCodecs", "SemanticDraw"]),
    ]
)

// Fuzzing (Fuzz/, Tools/run-fuzzers.sh, docs/RELIABILITY.md): with SEMANTIC_DRAW_FUZZ=1 only, the
// project's Swift modules are instrumented for libFuzzer (coverage) and AddressSanitizer, and one
// more executable, `semantic-draw-fuzz`, holds the fuzz targets. Tools/run-fuzzers.sh builds it
// in its own scratch folder (.build-fuzz), so the ordinary build never sees either.
if ProcessInfo.processInfo.environment["SEMANTIC_DRAW_FUZZ"] == "1" {
    let instrumented = ["TensorRuntime", "DiffusionModels", "Tokenizer", "Schedulers", "Hub", "ImageCodecs", "SemanticDraw", "SemanticDrawServer"]
    for target in package.targets where instrumented.contains(target.name) {
        // -enable-testing: the fuzz targets reach internal parsers through @testable import.
        target.swiftSettings = (target.swiftSettings ?? []) + [.unsafeFlags(["-sanitize=fuzzer,address", "-enable-testing"])]
    }
    package.targets.append(.executableTarget(
        name: "SemanticDrawFuzz",
        dependencies: ["TensorRuntime", "DiffusionModels", "ImageCodecs", "SemanticDraw", "SemanticDrawServer", "RawSocketClient"],
        path: "Fuzz/SemanticDrawFuzz",
        swiftSettings: [.unsafeFlags(["-sanitize=fuzzer,address", "-parse-as-library"])],
        linkerSettings: [.unsafeFlags(["-sanitize=fuzzer,address"])]
    ))
    package.products.append(.executable(name: "semantic-draw-fuzz", targets: ["SemanticDrawFuzz"]))
}
