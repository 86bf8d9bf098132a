import Foundation

/// A command-line mistake, said in terms of the options.
struct GenerateArgumentError: Error, Equatable, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension GenerateArguments {
    /// The options of ``GenerateOption/all`` by every name they answer to.
    static let optionsByName: [String: GenerateOption] = {
        var table: [String: GenerateOption] = [:]
        for option in GenerateOption.all {
            for name in option.names { table[name] = option }
        }
        return table
    }()

    /// Reads `arguments` (without the subcommand name). `--option value` and `--option=value`;
    /// every option is looked up in ``GenerateOption/all``.
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
            guard let option = optionsByName[name] else {
                throw GenerateArgumentError(argument.hasPrefix("-")
                    ? "unknown option \(name) (see semantic-draw generate --help)"
                    : "unexpected argument '\(argument)': every value follows its option (see semantic-draw generate --help)")
            }
            var value = ""
            if option.takesValue {
                if let inlineValue {
                    value = inlineValue
                } else {
                    guard index < arguments.count else { throw GenerateArgumentError("\(name) needs a value") }
                    value = arguments[index]
                    index += 1
                }
            } else if inlineValue != nil {
                throw GenerateArgumentError("\(name) takes no value")
            }
            switch option.effect {
            case .flag(let apply):
                apply(&result)
            case .startsBrush:
                result.brushes.append(Brush(prompt: value))
            case .brush(let field, let defaultField):
                try result.applyBrushOption(name, value, field: field, defaultField: defaultField)
            case .global(let repeatable, let apply):
                guard repeatable || !seen.contains(option.name) else { throw GenerateArgumentError("\(name) is given twice") }
                seen.insert(option.name)
                try apply(&result, name, value)
            }
        }
        return result
    }

    /// A per-brush option: the last brush's, or before any `--prompt` every brush's default.
    private mutating func applyBrushOption(_ name: String, _ value: String, field: GenerateBrushField,
                                           defaultField: GenerateBrushField.Default?) throws(GenerateArgumentError) {
        guard let number = brushes.indices.last.map({ $0 + 1 }) else {
            guard let defaultField else {
                throw GenerateArgumentError("\(name) comes before any --prompt: it belongs to one brush, so give it after that brush's --prompt "
                    + "(only \(GenerateHelp.defaultableNames.joined(separator: ", ")) may come first, as defaults for every brush)")
            }
            guard !defaultField.isSet(defaults) else {
                throw GenerateArgumentError("the default \(name) is given twice before the first --prompt")
            }
            try defaultField.apply(&defaults, name, value)
            return
        }
        var brush = brushes[number - 1]
        guard !field.isSet(brush) else {
            let extra = name == "--negative-prompt" ? " (more negative prompts than prompts)" : ""
            throw GenerateArgumentError("brush \(number) ('\(brush.prompt)') has \(name) twice\(extra)")
        }
        try field.apply(&brush, name, value)
        brushes[number - 1] = brush
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
