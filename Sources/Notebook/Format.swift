import Foundation

/// `x` with a fixed number of decimal places: `decimal(0.880797, 4)` is "0.8808".
///
/// A value that rounds to zero prints without a minus sign ("0.0000", not "-0.0000"),
/// so that tables do not flicker between runs that differ by round-off.
public func decimal(_ x: Double, _ places: Int) -> String {
    let text = String(format: "%.\(places)f", x)
    if text.hasPrefix("-"), text.dropFirst().allSatisfy({ $0 == "0" || $0 == "." }) {
        return String(text.dropFirst())
    }
    return text
}

/// `x` in the shortest of plain or scientific notation with up to `significant` digits,
/// for axis ticks and compact results: 0.25, 1200, 1e-06.
public func compact(_ x: Double, significant: Int = 4) -> String {
    if x == 0 { return "0" }
    return String(format: "%.\(significant)g", x)
}

/// `x` as a percentage with one decimal: `percent(0.9694)` is "96.9%".
public func percent(_ x: Double) -> String {
    decimal(100 * x, 1) + "%"
}

/// A vector written like `[0.5000, -0.3000]`, each entry with `places` decimals.
public func vector(_ values: [Double], _ places: Int = 4) -> String {
    "[" + values.map { decimal($0, places) }.joined(separator: ", ") + "]"
}

/// Splits `text` into lines of at most `width` characters at spaces.
/// Counts written with their repeats folded: [8, 6, 4, 4, 4, 4] → "8 6 4 (×4)". A run of
/// three or more equal values is one entry, so a long record fits on a line.
public func runs(_ values: [Int]) -> String {
    var parts: [String] = []
    var i = 0
    while i < values.count {
        var j = i
        while j + 1 < values.count && values[j + 1] == values[i] { j += 1 }
        let length = j - i + 1
        if length >= 3 {
            parts.append("\(values[i]) (×\(length))")
        } else {
            parts += Array(repeating: "\(values[i])", count: length)
        }
        i = j + 1
    }
    return parts.joined(separator: " ")
}

func wrap(_ text: String, width: Int) -> [String] {
    var lines: [String] = []
    var line = ""
    for word in text.split(separator: " ", omittingEmptySubsequences: true) {
        if line.isEmpty {
            line = String(word)
        } else if line.count + 1 + word.count <= width {
            line += " " + word
        } else {
            lines.append(line)
            line = String(word)
        }
    }
    if !line.isEmpty { lines.append(line) }
    return lines
}

/// Whether a table cell holds a number (and so is right-aligned): "0.25", "-1e-06",
/// "−3", "96.9%".
func looksNumeric(_ cell: String) -> Bool {
    var text = cell.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "−", with: "-")
    if text.hasSuffix("%") { text.removeLast() }
    return Double(text) != nil
}

/// `text` padded with spaces to `width` characters, on the left or the right.
func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
    let fill = String(repeating: " ", count: max(0, width - text.count))
    return right ? fill + text : text + fill
}
