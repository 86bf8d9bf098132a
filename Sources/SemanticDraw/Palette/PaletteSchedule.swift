extension Palette {
    /// The method a palette asks for, by the scheduler name it had in version 1.
    public enum Scheduler: String, Sendable, Equatable, CaseIterable, Codable {
        /// SemanticDraw (the default) with the palette's accelerator: LCM for `lcm` (the only
        /// accelerator of version 1), TCD / DDIM "trailing" for `hyper-sd`, the model's own
        /// scheduler for `none`.
        case lcm
        /// The baseline MultiDiffusion: DDIM, eta 0.
        case ddim
        /// Euler discrete, trailing spacing.
        case euler
    }

    /// The scheduler and the slots (steps actually run). `slots` index into a grid of `steps`
    /// timesteps (50 when `steps` is absent); with neither, the pipeline's default slots are
    /// used (LCM: [0, 4, 12, 25, 37] of 50, docs/ALGORITHM.md §1); with only `steps`, the model's
    /// own `steps`-step schedule.
    public struct Schedule: Sendable, Equatable, Codable {
        /// The grid size assumed when only `slots` are given.
        public static let defaultGridSteps = 50

        /// Scheduler family (default lcm).
        public var scheduler: Scheduler
        /// Number of steps of the grid, 1...1000; nil for the default.
        public var steps: Int?
        /// Strictly increasing indices into the grid, each in 0..<steps; nil for the default.
        public var slots: [Int]?
        /// eta of the stochastic schedulers (TCD for hyper-sd's one step); nil for the preset's (version 2).
        public var eta: Float?

        /// A schedule; defaults to LCM with the pipeline's default slots.
        public init(scheduler: Scheduler = .lcm, steps: Int? = nil, slots: [Int]? = nil, eta: Float? = nil) {
            self.scheduler = scheduler
            self.steps = steps
            self.slots = slots
            self.eta = eta
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case scheduler, steps, slots, eta
        }

        public init(from decoder: any Decoder) throws {
            try PaletteKeys.rejectUnknownKeys(in: decoder, known: CodingKeys.allCases.map(\.stringValue))
            let container = try decoder.container(keyedBy: CodingKeys.self)
            let name = try container.decodeIfPresent(String.self, forKey: .scheduler) ?? Scheduler.lcm.rawValue
            guard let scheduler = Scheduler(rawValue: name) else {
                throw DecodingError.dataCorruptedError(
                    forKey: .scheduler, in: container,
                    debugDescription: "\"\(name)\" is not one of \(Scheduler.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", "))")
            }
            self.scheduler = scheduler
            steps = try container.decodeIfPresent(Int.self, forKey: .steps)
            slots = try container.decodeIfPresent([Int].self, forKey: .slots)
            eta = try container.decodeIfPresent(Float.self, forKey: .eta)
        }
    }
}
