import Daemon
import Foundation
import Testing

@Suite struct EnvExampleTests {
    /// The repository's `.env.example`, two directories above this file.
    static let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent(".env.example").path

    @Test func listsEverySettingWithItsDefault() throws {
        let file = try #require(try DotEnvFile.load(path: Self.path), "missing \(Self.path)")
        let values = file.values
        for key in SettingKey.allCases {
            #expect(values[key.rawValue]?.value == key.defaultValue, "\(key) in .env.example")
        }
        #expect(Set(values.keys) == Set(SettingKey.allCases.map(\.rawValue)))
    }

    @Test func loadingItGivesTheDefaults() throws {
        let fromExample = try Configuration.load(environment: [:], dotEnvPath: Self.path)
        var defaults = try Configuration.load(environment: [:], dotEnvPath: nil)
        defaults.sources = fromExample.sources
        #expect(fromExample == defaults)
        #expect(fromExample.warnings.isEmpty)
    }
}
