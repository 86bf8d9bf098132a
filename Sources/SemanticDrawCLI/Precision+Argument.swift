import ArgumentParser
import TensorRuntime

/// `--precision fp32|bf16` on generate, panorama, serve, forward and bench.
extension Precision: ExpressibleByArgument {
    /// The option's help text, shared by the commands.
    static var help: ArgumentHelp { ArgumentHelp("Weight precision: fp32 (default; a seed reproduces the authors' images) or bf16 (linear and convolution weights in bfloat16, float32 accumulation; docs/PERFORMANCE.md).") }
}
