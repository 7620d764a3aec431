import Foundation

/// The 8×8 handwritten digits: 1,797 images of the digits 0–9.
///
/// Each image is 64 pixel values in row-major order (pixel (r, c) is `inputs[i][r*8 + c]`),
/// each an integer 0…16 counting the "on" pixels in a 4×4 block of a 32×32 bitmap.
///
/// Source: "Optical Recognition of Handwritten Digits", E. Alpaydin and C. Kaynak (1998),
/// UCI Machine Learning Repository; the file as distributed with scikit-learn
/// (BSD-3-Clause, see `LICENSE-scikit-learn.txt` beside the data). Shipped inside the
/// package, so it loads without a network.
public enum Digits {
    /// Pixels per side.
    public static let side = 8
    /// The largest pixel value.
    public static let maxPixel = 16.0

    /// Loads the copy shipped with the package.
    public static func load() throws(DatasetError) -> ClassificationSet {
        guard let url = Bundle.module.url(forResource: "digits", withExtension: "csv") else {
            throw .missingFile(path: "digits.csv (the package's bundled resource)")
        }
        return try load(from: url)
    }

    /// Loads digits from a CSV file with 65 integer columns per line: 64 pixels, then the label.
    public static func load(from url: URL) throws(DatasetError) -> ClassificationSet {
        let text = try readText(url)
        var inputs: [[Double]] = []
        var labels: [Int] = []
        var lineNumber = 0
        // Split on any line break: "\r\n" (a file saved on Windows) is one Character in
        // Swift, so splitting on "\n" alone would see a single line.
        for line in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            lineNumber += 1
            if line.isEmpty { continue }  // the final newline leaves one empty piece
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count == 65 else {
                throw .malformed(
                    file: url.path, line: lineNumber,
                    reason: "expected 65 comma-separated values (64 pixels and a label), found \(fields.count)")
            }
            var pixels: [Double] = []
            pixels.reserveCapacity(64)
            for (column, field) in fields.prefix(64).enumerated() {
                guard let value = Int(field), (0...16).contains(value) else {
                    throw .malformed(
                        file: url.path, line: lineNumber,
                        reason: "pixel \(column) is \"\(field)\", expected an integer 0…16")
                }
                pixels.append(Double(value))
            }
            guard let label = Int(fields[64]), (0...9).contains(label) else {
                throw .malformed(
                    file: url.path, line: lineNumber,
                    reason: "the label is \"\(fields[64])\", expected an integer 0…9")
            }
            inputs.append(pixels)
            labels.append(label)
        }
        guard !inputs.isEmpty else {
            throw .malformed(file: url.path, line: 1, reason: "the file has no samples")
        }
        return ClassificationSet(inputs: inputs, labels: labels, classCount: 10)
    }
}

/// A data file that could not be read, naming the file (and the line, when malformed).
public enum DatasetError: Error, Equatable, CustomStringConvertible {
    /// The resource file is not where the package puts it.
    case missingFile(path: String)
    /// The file is not UTF-8 text.
    case notUTF8(path: String)
    /// A line of the file does not parse: the file, the line (from 1) and what is wrong.
    case malformed(file: String, line: Int, reason: String)

    public var description: String {
        switch self {
        case .missingFile(let path):
            "cannot read the data file \(path): it is missing or unreadable"
        case .notUTF8(let path):
            "cannot read the data file \(path): it is not UTF-8 text"
        case .malformed(let file, let line, let reason):
            "\(file):\(line): malformed data: \(reason)"
        }
    }
}
