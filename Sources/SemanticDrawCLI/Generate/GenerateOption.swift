/// One option of `semantic-draw generate`: its names, the value it takes, its help, and what it
/// does to ``GenerateArguments``. ``GenerateOption/all`` is the only list of options: the parser
/// looks names up in it and the help is printed from it, so an option cannot be accepted without
/// an effect, documented without being accepted, or fall into another option's branch.
struct GenerateOption: Sendable {
    /// Where an option belongs, and how it changes the arguments.
    enum Effect: Sendable {
        /// A switch without a value (`--baseline`).
        case flag(@Sendable (inout GenerateArguments) -> Void)
        /// `--prompt`: starts a brush.
        case startsBrush
        /// Belongs to the brush before it: `field` reads and writes that brush's value (set at
        /// most once per brush). With `defaultField`, the option may also come before the first
        /// `--prompt`, once, as every brush's default.
        case brush(field: GenerateBrushField, defaultField: GenerateBrushField.Default?)
        /// Belongs to the whole command; given at most once unless `repeatable`.
        case global(repeatable: Bool, apply: @Sendable (inout GenerateArguments, _ name: String, _ value: String) throws(GenerateArgumentError) -> Void)
    }

    /// Which part of the help lists an option.
    enum Section: String, CaseIterable, Sendable {
        case brushes = "Brushes"
        case canvas = "Canvas and schedule"
        case model = "Model"
        case output = "Output"
    }

    /// The option's names: the first is the one the help shows, the others are aliases.
    let names: [String]
    /// The placeholder of its value in the help (`FILE`, `N`); nil for a flag.
    let valueName: String?
    /// What it does, as the help says it (may span lines).
    let help: String
    let section: Section
    let effect: Effect

    /// The option's first name.
    var name: String { names[0] }

    /// Whether it takes a value.
    var takesValue: Bool {
        if case .flag = effect { return false }
        return true
    }
}

/// A brush field an option writes: read it to tell whether it is already set, write it from the
/// option's text value (parsing numbers).
struct GenerateBrushField: Sendable {
    let isSet: @Sendable (GenerateArguments.Brush) -> Bool
    let apply: @Sendable (inout GenerateArguments.Brush, _ name: String, _ value: String) throws(GenerateArgumentError) -> Void

    /// The same field in ``GenerateArguments/BrushDefaults``.
    struct Default: Sendable {
        let isSet: @Sendable (GenerateArguments.BrushDefaults) -> Bool
        let apply: @Sendable (inout GenerateArguments.BrushDefaults, _ name: String, _ value: String) throws(GenerateArgumentError) -> Void
    }

    /// A text field.
    static func text(_ keyPath: WritableKeyPath<GenerateArguments.Brush, String?> & Sendable) -> GenerateBrushField {
        GenerateBrushField(isSet: { $0[keyPath: keyPath] != nil }, apply: { brush, _, value in brush[keyPath: keyPath] = value })
    }

    /// A number field.
    static func number(_ keyPath: WritableKeyPath<GenerateArguments.Brush, Float?> & Sendable) -> GenerateBrushField {
        GenerateBrushField(isSet: { $0[keyPath: keyPath] != nil },
                           apply: { (brush, name, value) throws(GenerateArgumentError) in
                               brush[keyPath: keyPath] = try GenerateArguments.float(name, value)
                           })
    }
}

extension GenerateBrushField.Default {
    /// A text default.
    static func text(_ keyPath: WritableKeyPath<GenerateArguments.BrushDefaults, String?> & Sendable) -> Self {
        Self(isSet: { $0[keyPath: keyPath] != nil }, apply: { defaults, _, value in defaults[keyPath: keyPath] = value })
    }

    /// A number default.
    static func number(_ keyPath: WritableKeyPath<GenerateArguments.BrushDefaults, Float?> & Sendable) -> Self {
        Self(isSet: { $0[keyPath: keyPath] != nil },
             apply: { (defaults, name, value) throws(GenerateArgumentError) in
                 defaults[keyPath: keyPath] = try GenerateArguments.float(name, value)
             })
    }
}
