import Foundation

/// Renders cells as text for an 80-column terminal: wrapped prose, aligned tables, and
/// plots drawn with characters. Colour (ANSI escapes) only when asked for; the caller
/// decides (see `TerminalRenderer.shouldUseColor`).
public struct TerminalRenderer: Sendable {
    public let width = 80
    public let useColor: Bool

    public init(useColor: Bool) {
        self.useColor = useColor
    }

    /// Colour only on a terminal, and never when `NO_COLOR` is set to a non-empty value
    /// (https://no-color.org) or the terminal is "dumb".
    public static func shouldUseColor(environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        if let noColor = environment["NO_COLOR"], !noColor.isEmpty { return false }
        if environment["TERM"] == "dumb" { return false }
        return isatty(STDOUT_FILENO) == 1
    }

    // MARK: Styling

    enum Style: String {
        case bold = "1", dim = "2", cyan = "36"
    }

    func styled(_ text: String, _ style: Style) -> String {
        useColor ? "\u{1B}[\(style.rawValue)m\(text)\u{1B}[0m" : text
    }

    /// Foreground colours for series and classes, in order.
    static let palette = ["34", "31", "32", "35", "33", "36"]

    func colored(_ text: String, index: Int) -> String {
        useColor ? "\u{1B}[\(Self.palette[index % Self.palette.count])m\(text)\u{1B}[0m" : text
    }

    // MARK: Cells

    /// The text of one cell, ending with a newline.
    public func render(_ cell: Cell, heading number: Int = 0) -> String {
        switch cell {
        case .heading(let title):
            let label = number > 0 ? "\(number). \(title)" : title
            let rule = String(repeating: "━", count: max(3, width - label.count - 4))
            return "\n" + styled("━━ \(label) \(rule)", .bold) + "\n\n"
        case .prose(let text):
            return paragraphs(text).map { wrap($0, width: width).joined(separator: "\n") + "\n" }
                .joined(separator: "\n") + "\n"
        case .equation(let text):
            return text.split(separator: "\n", omittingEmptySubsequences: false)
                .map { styled("    " + $0, .cyan) }.joined(separator: "\n") + "\n\n"
        case .output(let text):
            return text.split(separator: "\n", omittingEmptySubsequences: false)
                .map { "  " + $0 }.joined(separator: "\n") + "\n\n"
        case .table(let table):
            return render(table) + "\n"
        case .figure(let figure):
            let body: [String]
            switch figure {
            case .line(let plot): body = render(plot)
            case .scatter(let plot): body = render(plot)
            case .heatmap(let map): body = render(map)
            }
            return "  " + styled(figure.title, .bold) + "\n" + body.map { "  " + $0 }.joined(separator: "\n") + "\n\n"
        }
    }

    /// The blank-line-separated paragraphs of `text`, each joined into one line.
    func paragraphs(_ text: String) -> [String] {
        text.components(separatedBy: "\n\n").map {
            $0.split(separator: "\n").joined(separator: " ")
        }.filter { !$0.isEmpty }
    }

    func render(_ table: Table) -> String {
        let columnCount = table.headers.count
        var widths = table.headers.map(\.count)
        for row in table.rows {
            for c in 0..<columnCount { widths[c] = max(widths[c], row[c].count) }
        }
        let numeric = (0..<columnCount).map { c in
            !table.rows.isEmpty && table.rows.allSatisfy { looksNumeric($0[c]) || $0[c].isEmpty }
        }
        func line(_ cells: [String]) -> String {
            "  " + (0..<columnCount).map { pad(cells[$0], widths[$0], right: numeric[$0]) }
                .joined(separator: "  ").replacingTrailingSpaces()
        }
        var lines = [styled(line(table.headers), .bold)]
        lines.append("  " + widths.map { String(repeating: "─", count: $0) }.joined(separator: "  "))
        lines += table.rows.map(line)
        return lines.joined(separator: "\n") + "\n"
    }
}
