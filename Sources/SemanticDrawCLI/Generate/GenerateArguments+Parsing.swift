import Foundation

/// A command-line mistake, said in terms of the options.
struct GenerateArgumentError: Error, Equatable, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension GenerateArguments {
    /// Reads `arguments` (without the subcommand name). `--option value` and `--option=value`.
    static func parse(_ arguments: [String]) throws(GenerateArgumentError) -> GenerateArguments {
        var result = GenerateArguments()
        var index = 0
        var seen: Set<String> = []
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            var name = argument, inlineValue: String?
            if argument.hasPrefix("--"), let equals = argument.firstIndex(of: "=") {
                name = String(argument[..<equals])
                inlineValue = String(argument[argument.index(after: equals)...])
            }
            if flags.contains(name) {
                guard inlineValue == nil else { throw GenerateArgumentError("\(name) takes no value") }
                switch name {
                case "--baseline": result.baseline = true
                case "--posterior-mean": result.posteriorMean = true
                default: result.help = true
                }
                continue
            }
            guard name == "--prompt" || perBrushOptions.contains(name) || globalOptions.contains(name) else {
                throw GenerateArgumentError(argument.hasPrefix("-")
                    ? "unknown option \(name) (see semantic-draw generate --help)"
                    : "unexpected argument '\(argument)': every value follows its option (see semantic-draw generate --help)")
            }
            let value: String
            if let inlineValue {
                value = inlineValue
            } else {
                guard index < arguments.count else { throw GenerateArgumentError("\(name) needs a value") }
                value = arguments[index]
                index += 1
            }
            if name == "--prompt" {
                result.brushes.append(Brush(prompt: value))
            } else if perBrushOptions.contains(name) {
                try result.applyBrushOption(name, value)
            } else {
                let repeatable = name == "--lora" || name == "--lora-scale"
                guard repeatable || !seen.contains(name) else { throw GenerateArgumentError("\(name) is given twice") }
                seen.insert(name)
                try result.applyGlobalOption(name, value)
            }
        }
        return result
    }

    private mutating func applyBrushOption(_ name: String, _ value: String) throws(GenerateArgumentError) {
        guard !brushes.isEmpty else {
            guard Self.defaultableOptions.contains(name) else {
                throw GenerateArgumentError("\(name) comes before any --prompt: it belongs to one brush, so give it after that brush's --prompt "
                    + "(only --negative-prompt, --mask-alpha, --mask-std and --prompt-strength may come first, as defaults for every brush)")
            }
            try Self.set(name, value, defaults: &defaults)
            return
        }
        let number = brushes.count
        var brush = brushes[number - 1]
        func once<Value>(_ current: Value?) throws(GenerateArgumentError) {
            guard current == nil else {
                let extra = name == "--negative-prompt" ? " (more negative prompts than prompts)" : ""
                throw GenerateArgumentError("brush \(number) ('\(brush.prompt)') has \(name) twice\(extra)")
            }
        }
        switch name {
        case "--negative-prompt": try once(brush.negativePrompt); brush.negativePrompt = value
        case "--mask": try once(brush.mask); brush.mask = value
        case "--mask-alpha": try once(brush.maskAlpha); brush.maskAlpha = try Self.float(name, value)
        case "--mask-std", "--mask-blur": try once(brush.maskBlur); brush.maskBlur = try Self.float(name, value)
        case "--prompt-strength": try once(brush.promptStrength); brush.promptStrength = try Self.float(name, value)
        case "--brush-name": try once(brush.name); brush.name = value
        default: try once(brush.color); brush.color = value
        }
        brushes[number - 1] = brush
    }

    private static func set(_ name: String, _ value: String, defaults: inout BrushDefaults) throws(GenerateArgumentError) {
        switch name {
        case "--negative-prompt":
            guard defaults.negativePrompt == nil else { throw GenerateArgumentError("the default \(name) is given twice before the first --prompt") }
            defaults.negativePrompt = value
        case "--mask-alpha": defaults.maskAlpha = try float(name, value)
        case "--prompt-strength": defaults.promptStrength = try float(name, value)
        default: defaults.maskBlur = try float(name, value)
        }
    }

    private mutating func applyGlobalOption(_ name: String, _ value: String) throws(GenerateArgumentError) {
        switch name {
        case "--palette": palette = value
        case "--background-image": backgroundImage = value
        case "--background-prompt": backgroundPrompt = value
        case "--background-negative-prompt": backgroundNegativePrompt = value
        case "--width": width = try Self.integer(name, value)
        case "--height": height = try Self.integer(name, value)
        case "--seed":
            guard let parsed = UInt64(value) else { throw GenerateArgumentError("--seed '\(value)' is not an integer in 0...\(UInt64.max)") }
            seed = parsed
        case "--steps": steps = try Self.integer(name, value)
        case "--slots":
            var parsed: [Int] = []
            for part in value.split(separator: ",", omittingEmptySubsequences: false) {
                guard let slot = Int(part.trimmingCharacters(in: .whitespaces)) else {
                    throw GenerateArgumentError("--slots '\(value)': '\(part)' is not an integer (expected e.g. 0,4,12,25,37)")
                }
                parsed.append(slot)
            }
            slots = parsed
        case "--guidance": guidance = try Self.float(name, value)
        case "--bootstrap-steps": bootstrapSteps = try Self.integer(name, value)
        case "--bootstrap-mix": bootstrapMix = try Self.float(name, value)
        case "--quantization": quantization = value
        case "--model": model = value
        case "--config": configurationFolder = value
        case "--lora": loras.append((value, nil))
        case "--lora-scale":
            guard let last = loras.last else { throw GenerateArgumentError("--lora-scale comes before any --lora (it sets the scale of the --lora before it)") }
            guard last.scale == nil else { throw GenerateArgumentError("--lora \(last.path) has --lora-scale twice") }
            loras[loras.count - 1].scale = try Self.float(name, value)
        case "--tiny-vae": tinyAutoencoder = value
        case "--accelerator": accelerator = value
        case "--accelerator-lora": acceleratorLoRA = value
        case "--eta": eta = try Self.float(name, value)
        case "--output": output = value
        default: savePalette = value
        }
    }

    static func float(_ name: String, _ value: String) throws(GenerateArgumentError) -> Float {
        guard let parsed = Float(value), parsed.isFinite else { throw GenerateArgumentError("\(name) '\(value)' is not a number") }
        return parsed
    }

    static func integer(_ name: String, _ value: String) throws(GenerateArgumentError) -> Int {
        guard let parsed = Int(value) else { throw GenerateArgumentError("\(name) '\(value)' is not an integer") }
        return parsed
    }
}
