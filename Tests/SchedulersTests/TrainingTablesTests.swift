import Foundation
import Schedulers
import Testing

/// Training tables against diffusers 0.42.1 / torch 2.13.0 (`betas`, `alphas_cumprod` of every
/// fixture configuration): bit for bit, all N entries.
struct TrainingTablesTests {
    @Test(arguments: SchedulerFixture.allNames)
    func tablesAreBitExact(name: String) throws {
        let fixture = try SchedulerFixture(name)
        let kind = try SchedulerKind(parsing: fixture.className)
        let tables = try TrainingNoiseTables(configuration: fixture.configuration.adapted(to: kind))
        let betas = Difference(tables.betas, try fixture.floats("betas"))
        let alphaBar = Difference(tables.alphaBar, try fixture.floats("alphas_cumprod"))
        #expect(tables.alphaBar.count == 1000)
        #expect(betas.isExact, "\(name) betas: \(betas)")
        #expect(alphaBar.isExact, "\(name) alphas_cumprod: \(alphaBar)")
    }

    @Test func float32RunningProductWouldDiffer() throws {
        // The reason alpha-bar accumulates in float64: a float32 running product differs from
        // torch.cumprod in most entries (docs/ALGORITHM.md §1 says 944 of 1000 for SD1.5).
        let fixture = try SchedulerFixture("lcm-sd15")
        let tables = try TrainingNoiseTables(configuration: fixture.configuration)
        var product: Float = 1
        let naive = tables.betas.map { beta -> Float in product *= 1 - beta; return product }
        let difference = Difference(naive, tables.alphaBar)
        #expect(difference.mismatches == 944, "\(difference)")
    }

    @Test func torchLinspaceEndsAndMidpoint() {
        let values = TrainingNoiseTables.torchLinspace(start: 0, end: 1, count: 5)
        #expect(values == [0, 0.25, 0.5, 0.75, 1])
        #expect(TrainingNoiseTables.torchLinspace(start: 3, end: 4, count: 1) == [3])
        #expect(TrainingNoiseTables.torchLinspace(start: 3, end: 4, count: 0).isEmpty)
    }

    /// The default 5-slot schedule against `default-schedule.json` (diffusers) and the table
    /// printed in docs/ALGORITHM.md §1 (5 decimals).
    @Test func defaultScheduleTable() throws {
        struct Table: Decodable { let timesteps: [Int]; let alpha_bar: [Float]; let a_t: [Float]; let b_t: [Float] }
        let data = try Data(contentsOf: URL(fileURLWithPath: SchedulerFixture.root + "/default-schedule.json"))
        let table = try JSONDecoder().decode(Table.self, from: data)
        let fixture = try SchedulerFixture("lcm-sd15")
        let scheduler = try LCMScheduler(configuration: fixture.configuration)
        #expect(scheduler.integerTimesteps == [999, 919, 759, 499, 259])
        #expect(scheduler.integerTimesteps == table.timesteps)
        #expect(scheduler.alphaBar == table.alpha_bar)
        // a_t and b_t: torch's float32 sqrt is not correctly rounded; IEEE sqrt is within 1 ulp.
        #expect(Difference(scheduler.signalLevel, table.a_t).maximumULP <= 1, "\(Difference(scheduler.signalLevel, table.a_t))")
        #expect(Difference(scheduler.noiseLevel, table.b_t).maximumULP <= 1, "\(Difference(scheduler.noiseLevel, table.b_t))")
        let documentedSignal: [Double] = [0.06826, 0.10763, 0.22850, 0.52694, 0.81177]
        let documentedNoise: [Double] = [0.99767, 0.99419, 0.97354, 0.84990, 0.58397]
        for slot in 0..<5 {
            #expect(abs(Double(scheduler.signalLevel[slot]) - documentedSignal[slot]) <= 0.000005)
            #expect(abs(Double(scheduler.noiseLevel[slot]) - documentedNoise[slot]) <= 0.000005)
        }
    }
}
