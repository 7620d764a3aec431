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

    @Test("a file with Windows line endings (CRLF) loads like one with LF; a file that is not UTF-8 says so")
    func lineEndingsAndEncoding() throws {
        let row = { (label: Int) in Array(repeating: "1", count: 64).joined(separator: ",") + ",\(label)" }
        let url = try temporaryFile(row(3) + "\r\n" + row(7) + "\r\n")
        defer { try? FileManager.default.removeItem(at: url) }
        let digits = try Digits.load(from: url)
        #expect(digits.count == 2 && digits.labels == [3, 7] && digits.inputs[1].count == 64)
        let latin1 = FileManager.default.temporaryDirectory.appendingPathComponent("digits-test-\(UUID().uuidString).csv")
        try Data([0x30, 0x2C, 0xE9, 0xFF, 0x0A]).write(to: latin1)  // "0,é" in Latin-1 plus an invalid byte
        defer { try? FileManager.default.removeItem(at: latin1) }
        #expect(throws: DatasetError.notUTF8(path: latin1.path)) { try Digits.load(from: latin1) }
        #expect(DatasetError.notUTF8(path: "/x.csv").description == "cannot read the data file /x.csv: it is not UTF-8 text")
    }

    @Test("a missing file is reported by its path")
    func missingFile() {
        let url = URL(fileURLWithPath: "/nonexistent/digits.csv")
        #expect(throws: DatasetError.missingFile(path: "/nonexistent/digits.csv")) { try Digits.load(from: url) }
    }

    @Test("the bundled Shakespeare: 940,237 ASCII characters, 76 distinct, Hamlet first")
    func shakespeare() throws {
        let text = try Shakespeare.plays()
        #expect(text.utf8.count == 940_237)
        #expect(Set(text).count == 76)
        #expect(text.utf8.allSatisfy { $0 < 128 })
        #expect(text.prefix(3000).contains("Who's there?"))  // Hamlet's first line
    }

    @Test("the bundled first names: 5,163 of them, lowercase, unique, most frequent first")
    func firstNames() throws {
        let names = try FirstNames.load()
        #expect(names.count == 5163 && Set(names).count == 5163)
        #expect(Array(names.prefix(5)) == ["james", "john", "robert", "michael", "mary"])
        #expect(names.allSatisfy { (2...11).contains($0.count) })
    }

    @Test("an empty data file is refused with its name, not read as no data")
    func emptyFiles() throws {
        #expect(throws: DatasetError.malformed(file: "names.txt", line: 1, reason: "no names in the file")) {
            try FirstNames.load(text: "\n", file: "names.txt")
        }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("empty-\(UUID().uuidString).csv")
        try Data().write(to: url, options: .withoutOverwriting)
        defer { try? FileManager.default.removeItem(at: url) }  // the file this test wrote
        #expect(throws: DatasetError.malformed(file: url.path, line: 1, reason: "the file is empty")) { try Digits.load(from: url) }
    }

    @Test("a name that is not lowercase a–z is reported with file and line")
    func badName() {
        #expect(throws: DatasetError.malformed(file: "names.txt", line: 2, reason: "\"Anna\" is not lowercase letters a–z")) {
            try FirstNames.load(text: "james\nAnna\n", file: "names.txt")
        }
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

@Suite("Dataset preparation")
struct PreparationTests {
    @Test("the 80/20 split of the digits: 1437 train and 360 test, disjoint, covering all, seeded")
    func split() throws {
        let digits = try Digits.load()
        var random = SeededGenerator(seed: 7)
        let (train, test) = digits.split(testFraction: 0.2, using: &random)
        #expect(train.count == 1437 && test.count == 360)
        #expect(train.classCounts.enumerated().allSatisfy { $0.element + test.classCounts[$0.offset] == digits.classCounts[$0.offset] })
        var again = SeededGenerator(seed: 7)
        #expect(digits.split(testFraction: 0.2, using: &again).test.inputs == test.inputs)
        // Together the two halves are exactly the original samples, each used once.
        let key = { (x: [Double], y: Int) in x.description + " \(y)" }
        let halves = zip(train.inputs + test.inputs, train.labels + test.labels).map(key).sorted()
        #expect(halves == zip(digits.inputs, digits.labels).map(key).sorted())
    }

    @Test("standardizing: training features get mean 0 and deviation 1; a constant feature stays 0")
    func standardize() {
        let inputs: [[Double]] = [[1, 5, 2], [3, 5, 4], [5, 5, 9]]
        let standardizer = Standardizer(fitting: inputs)
        #expect(standardizer.means == [3, 5, 5])
        // population deviation of [1, 3, 5] is √(8/3); the constant column gets 1, not 0
        #expect(abs(standardizer.standardDeviations[0] - (8.0 / 3).squareRoot()) < 1e-15)
        #expect(standardizer.standardDeviations[1] == 1)
        let out = inputs.map(standardizer.apply)
        for j in 0..<3 {
            let column = out.map { $0[j] }
            let mean = column.reduce(0, +) / 3
            let variance = column.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 3
            #expect(abs(mean) < 1e-15)
            #expect(j == 1 ? column == [0, 0, 0] : abs(variance - 1) < 1e-12)
        }
    }
}
