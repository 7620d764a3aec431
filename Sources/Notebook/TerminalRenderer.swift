import Foundation

/// Renders cells as text for a terminal: wrapped prose, aligned tables, and plots drawn
/// with characters, all within `width` columns. Colour (ANSI escapes) only when asked
/// for; the caller decides (see `TerminalRenderer.shouldUseColor`).
public struct TerminalRenderer: Sendable {
    /// The columns everything fits in: 80 unless told otherwise (see ``terminalWidth()``).
    public let width: Int
    /// Whether headings and plot series are coloured with ANSI codes (on a terminal, not in a
    /// file).
    public let useColor: Bool
    /// Prose and headings stay within 80 columns even on a wider terminal, a comfortable
    /// line to read; tables and plots use the full width.
    var proseWidth: Int { min(width, 80) }

    /// A renderer for a terminal `width` columns wide (at least 40), with ANSI colours or
    /// without.
    public init(useColor: Bool, width: Int = 80) {
        self.useColor = useColor
        self.width = max(40, width)
    }

    /// The width of the terminal standard output is shown in, between 40 and 160 columns;
    /// 80 when the output goes to a file or a pipe, so that what is saved or compared is
    /// the same everywhere.
    public static func terminalWidth() -> Int {
        guard isatty(STDOUT_FILENO) == 1 else { return 80 }
        var size = winsize()
        guard ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return 80 }
        return min(160, max(40, Int(size.ws_col)))
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
            let rule = String(repeating: "━", count: max(3, proseWidth - label.count - 4))
            return "\n" + styled("━━ \(label) \(rule)", .bold) + "\n\n"
        case .prose(let text):
            return paragraphs(text).map { wrap($0, width: proseWidth).joined(separator: "\n") + "\n" }
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

    /// A table with aligned columns. One that would be wider than the terminal has its
    /// widest text columns wrapped onto continuation lines until it fits; numbers are
    /// never wrapped.
    func render(_ table: Table) -> String {
        let columnCount = table.headers.count
        var widths = table.headers.map(\.count)
        for row in table.rows {
            for c in 0..<columnCount { widths[c] = max(widths[c], row[c].count) }
        }
        let numeric = (0..<columnCount).map { c in
            !table.rows.isEmpty && table.rows.allSatisfy { looksNumeric($0[c]) || $0[c].isEmpty }
        }
        var wrapped = Set<Int>()
        func tableWidth() -> Int { 2 + widths.reduce(0, +) + 2 * (columnCount - 1) }
        // First, headers wider than their column's cells go onto several lines, the
        // widest first, until the table fits.
        var headerWrapped = false
        let cellWidths = (0..<columnCount).map { c in table.rows.map(\.[c].count).max() ?? 0 }
        var shrinkable = Set((0..<columnCount).filter { widths[$0] > cellWidths[$0] })
        while tableWidth() > width,
            let c = shrinkable.max(by: { widths[$0] - cellWidths[$0] < widths[$1] - cellWidths[$1] })
        {
            shrinkable.remove(c)
            headerWrapped = true
            let target = max(cellWidths[c], widths[c] - (tableWidth() - width), 1)
            widths[c] = max(cellWidths[c], wrap(table.headers[c], width: target).map(\.count).max() ?? 0)
        }
        while tableWidth() > width {
            // The widest text column not yet wrapped gives up what it can, down to 12.
            let candidates = (0..<columnCount).filter { !numeric[$0] && !wrapped.contains($0) && widths[$0] > 12 }
            guard let c = candidates.max(by: { widths[$0] < widths[$1] }) else { break }
            wrapped.insert(c)
            let target = max(12, widths[c] - (tableWidth() - width))
            var widest = 0
            for cells in [table.headers] + table.rows {
                for piece in wrap(cells[c], width: target) { widest = max(widest, piece.count) }
            }
            widths[c] = widest
        }
        func lines(_ cells: [String], header: Bool = false) -> [String] {
            let pieces: [[String]] = (0..<columnCount).map { c in
                wrapped.contains(c) || (header && headerWrapped) ? wrap(cells[c], width: widths[c]) : [cells[c]]
            }
            let height = pieces.map(\.count).max() ?? 1
            return (0..<max(height, 1)).map { k in
                let row: [String] = (0..<columnCount).map { c in
                    pad(k < pieces[c].count ? pieces[c][k] : "", widths[c], right: numeric[c])
                }
                return "  " + row.joined(separator: "  ").replacingTrailingSpaces()
            }
        }
        var output = lines(table.headers, header: true).map { styled($0, .bold) }
        output.append("  " + widths.map { String(repeating: "─", count: $0) }.joined(separator: "  "))
        output += table.rows.flatMap { lines($0) }
        return output.joined(separator: "\n") + "\n"
    }
}
