import Datasets
import Foundation
import Randomness
import Testing

@Suite("Datasets")
struct DatasetsTests {
    @Test("the bundled digits: 1,797 images of 64 pixels in 0…16, with the documented class counts")
    func digits() throws {
        let digits = try Digits.load()
        #expect(digits.count == 1797)
        #expect(digits.inputs.allSatisfy { $0.count == 64 && $0.allSatisfy { (0...16).contains($0) } })
        let counts = (0..<10).map { k in digits.labels.filter { $0 == k }.count }
        #expect(counts == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180])
        #expect(digits.inputs[0].prefix(8) == [0, 0, 5, 13, 9, 1, 0, 0])
        #expect(digits.labels[0] == 0)
    }

    func temporaryFile(_ contents: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("digits-test-\(UUID().uuidString).csv")
        try contents.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    @Test("a line with the wrong number of values is reported with file and line")
    func wrongColumnCount() throws {
        let good = Array(repeating: "0", count: 64).joined(separator: ",") + ",3"
        let url = try temporaryFile(good + "\n" + "1,2,3\n")
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(throws: DatasetError.malformed(file: url.path, line: 2, reason: "expected 65 comma-separated values (64 pixels and a label), found 3")) {
            try Digits.load(from: url)
        }
    }

    @Test("a bad pixel or label is reported with file, line and the offending text")
    func badValues() throws {
        let pixels = Array(repeating: "0", count: 63).joined(separator: ",")
        let url = try temporaryFile(pixels + ",x,3\n")
        defer { try? FileManager.default.removeItem(at: url) }
        do {
            _ = try Digits.load(from: url)
            Issue.record("a malformed pixel was accepted")
        } catch {
            #expect(error.description == "\(url.path):1: malformed data: pixel 63 is \"x\", expected an integer 0…16")
        }
        let badLabel = try temporaryFile(pixels + ",0,12\n")
        defer { try? FileManager.default.removeItem(at: badLabel) }
        #expect(throws: DatasetError.malformed(file: badLabel.path, line: 1, reason: "the label is \"12\", expected an integer 0…9")) {
            try Digits.load(from: badLabel)
        }
    }

    @Test("a missing file is reported by its path")
    func missingFile() {
        let url = URL(fileURLWithPath: "/nonexistent/digits.csv")
        #expect(throws: DatasetError.missingFile(path: "/nonexistent/digits.csv")) { try Digits.load(from: url) }
    }

    @Test("logic gates have the truth tables of AND, OR, NAND and XOR")
    func gates() {
        #expect(LogicGate.and.truthTable == [0, 0, 0, 1])
        #expect(LogicGate.or.truthTable == [0, 1, 1, 1])
        #expect(LogicGate.nand.truthTable == [1, 1, 1, 0])
        #expect(LogicGate.xor.truthTable == [0, 1, 1, 0])
    }

    @Test("spirals, blobs and function samples have the requested sizes and labels")
    func proceduralSets() {
        var rng = SeededGenerator(seed: 5)
        let s = spirals(pointsPerClass: 100, using: &rng)
        #expect(s.count == 200 && s.labels.filter { $0 == 1 }.count == 100)
        #expect(s.inputs.allSatisfy { $0.count == 2 && abs($0[0]) < 1.5 && abs($0[1]) < 1.5 })
        let b = blobs(centers: [[0, 0], [5, 5], [-5, 5]], pointsPerCenter: 30, standardDeviation: 0.1, using: &rng)
        #expect(b.count == 90 && b.classCount == 3)
        #expect(b.inputs[30][0] > 4)  // the first point of the second blob sits near (5, 5)
        let f = functionSamples({ $0 * $0 }, in: 0...2, count: 5, using: &rng)
        #expect(f.inputs.map { $0[0] } == [0, 0.5, 1, 1.5, 2])
        #expect(f.targets == [0, 0.25, 1, 2.25, 4])
    }
}
