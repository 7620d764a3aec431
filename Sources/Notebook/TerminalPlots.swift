import Foundation

/// Plots drawn with characters on a grid of cells.
///
/// The canvas is `columns × rows` characters. A data point (x, y) lands in column
/// `round((x − x₀)/(x₁ − x₀) · (columns − 1))` and in row counted from the top, so that
/// larger y is higher on the screen.
extension TerminalRenderer {
    static let seriesMarkers: [Character] = ["•", "+", "x", "o", "*", "#"]
    static let classMarkers: [Character] = ["o", "x", "+", "*", "#", "@"]
    /// Background characters for the predicted class of each region.
    static let regionShades: [Character] = ["·", " ", ":", "-", "=", "~"]
    /// From light to dark; a heatmap cell is two characters wide to look roughly square.
    static let ramp: [Character] = Array(" .:-=+*#%@")

    func render(_ plot: LinePlot) -> [String] {
        let columns = width - 20, rows = 14  // 60 at 80 columns: labels, axis and margin take 20
        let bounds = PlotBounds(plot)
        var canvas = [[(Character, Int?)]](repeating: Array(repeating: (" ", nil), count: columns), count: rows)

        func column(_ x: Double) -> Double {
            (x - bounds.x.lowerBound) / (bounds.x.upperBound - bounds.x.lowerBound) * Double(columns - 1)
        }
        func row(_ y: Double) -> Double {
            (bounds.y.upperBound - y) / (bounds.y.upperBound - bounds.y.lowerBound) * Double(rows - 1)
        }
        for (position, series) in plot.series.enumerated() {
            let s = series.style ?? position
            let marker = Self.seriesMarkers[s % Self.seriesMarkers.count]
            var previous: (Double, Double)?
            for (x, rawY) in zip(series.x, series.y) {
                guard let y = plot.logScaleY ? log10OrNil(rawY) : rawY, y.isFinite, x.isFinite else {
                    previous = nil
                    continue
                }
                let point = (column(x), row(y))
                // Join consecutive points with enough steps to leave no gaps.
                let from = previous ?? point
                let steps = Int(max(abs(point.0 - from.0), abs(point.1 - from.1)).rounded(.up)) + 1
                for k in 0...steps {
                    let t = Double(k) / Double(steps)
                    let c = Int((from.0 + t * (point.0 - from.0)).rounded())
                    let r = Int((from.1 + t * (point.1 - from.1)).rounded())
                    if (0..<columns).contains(c) && (0..<rows).contains(r) {
                        canvas[r][c] = (marker, s)
                    }
                }
                previous = point
            }
        }
        // y labels at nice ticks, written in the row each tick falls on
        var yLabels = [String](repeating: "", count: rows)
        for tick in niceTicks(bounds.y, target: 4) {
            let r = Int(row(tick).rounded())
            if (0..<rows).contains(r) {
                yLabels[r] = compact(plot.logScaleY ? pow10(tick) : tick)
            }
        }
        let labelWidth = max(6, yLabels.map(\.count).max() ?? 0)
        var lines: [String] = []
        for r in 0..<rows {
            let axis = yLabels[r].isEmpty ? "│" : "┤"
            let body = canvas[r].map { cell in
                cell.1.map { colored(String(cell.0), index: $0) } ?? String(cell.0)
            }.joined()
            lines.append(pad(yLabels[r], labelWidth, right: true) + " " + axis + body)
        }
        lines += xAxis(bounds.x, columns: columns, indent: labelWidth + 1, label: plot.xLabel)
        let legend = plot.series.enumerated().map { position, series in
            let s = series.style ?? position
            return (marker: colored(String(Self.seriesMarkers[s % Self.seriesMarkers.count]), index: s), name: series.name)
        }
        let scale = plot.logScaleY ? " (log scale)" : ""
        lines.append(pad("", labelWidth + 2) + "y: \(plot.yLabel)\(scale)")
        lines += legendLines(legend, indent: labelWidth + 2)
        return lines
    }

    /// Legend entries "marker name", as many to a line as fit in the terminal's width
    /// (the figure is indented by 2 more), in order.
    func legendLines(_ entries: [(marker: String, name: String)], indent: Int) -> [String] {
        let available = width - 2 - indent
        var lines: [String] = [], line = "", used = 0
        for entry in entries {
            let length = visibleWidth(entry.marker) + 1 + entry.name.count
            if used > 0 && used + 3 + length > available {
                lines.append(line)
                (line, used) = ("", 0)
            }
            line += (used > 0 ? "   " : "") + entry.marker + " " + entry.name
            used += (used > 0 ? 3 : 0) + length
        }
        if used > 0 { lines.append(line) }
        return lines.map { pad("", indent) + $0 }
    }

    /// The x axis line, tick labels below it, and the axis label.
    func xAxis(_ range: ClosedRange<Double>, columns: Int, indent: Int, label: String) -> [String] {
        var axis = Array(String(repeating: "─", count: columns))
        var labels = [Character](repeating: " ", count: columns + 8)
        for tick in niceTicks(range, target: 5) {
            let c = Int(((tick - range.lowerBound) / (range.upperBound - range.lowerBound) * Double(columns - 1)).rounded())
            guard (0..<columns).contains(c) else { continue }
            axis[c] = "┬"
            let text = Array(compact(tick))
            let start = max(0, min(c - text.count / 2, labels.count - text.count))
            // skip a label that would run into the previous one
            if labels[max(0, start - 1)..<min(labels.count, start + text.count + 1)].allSatisfy({ $0 == " " }) {
                for (i, ch) in text.enumerated() { labels[start + i] = ch }
            }
        }
        let labelLine = String(labels).replacingTrailingSpaces()
        return [
            pad("", indent) + "└" + String(axis),
            pad("", indent + 1) + labelLine,
            pad("", indent + 1 + max(0, (columns - label.count) / 2)) + label,
        ]
    }

    func render(_ plot: ScatterPlot) -> [String] {
        let columns = width - 20, rows = 24
        let xSpan = plot.xRange.upperBound - plot.xRange.lowerBound
        let ySpan = plot.yRange.upperBound - plot.yRange.lowerBound
        var canvas = [[String]](repeating: Array(repeating: " ", count: columns), count: rows)
        if let regions = plot.regions {
            for r in 0..<rows {
                for c in 0..<columns {
                    // the centre of the character cell, in data coordinates
                    let x = plot.xRange.lowerBound + (Double(c) + 0.5) / Double(columns) * xSpan
                    let y = plot.yRange.upperBound - (Double(r) + 0.5) / Double(rows) * ySpan
                    let k = regions(x, y)
                    canvas[r][c] = styledShade(k)
                }
            }
        }
        for (point, label) in zip(plot.points, plot.labels) {
            let c = Int(((point[0] - plot.xRange.lowerBound) / xSpan * Double(columns)).rounded(.down))
            let r = Int(((plot.yRange.upperBound - point[1]) / ySpan * Double(rows)).rounded(.down))
            guard (0..<columns).contains(c), (0..<rows).contains(r) else { continue }
            let marker = marker(plot, label)
            canvas[r][c] = useColor ? "\u{1B}[1;\(Self.palette[label % Self.palette.count])m\(marker)\u{1B}[0m" : marker
        }
        let top = compact(plot.yRange.upperBound), bottom = compact(plot.yRange.lowerBound)
        let labelWidth = max(top.count, bottom.count, plot.yLabel.count)
        var lines: [String] = []
        for r in 0..<rows {
            let label = r == 0 ? top : r == rows - 1 ? bottom : r == rows / 2 ? plot.yLabel : ""
            lines.append(pad(label, labelWidth, right: true) + " │" + canvas[r].joined() + "│")
        }
        let left = compact(plot.xRange.lowerBound), right = compact(plot.xRange.upperBound)
        lines.append(pad("", labelWidth + 1) + "└" + String(repeating: "─", count: columns) + "┘")
        let inner = max(0, columns + 2 - left.count - right.count)
        let labelStart = max(1, (inner - plot.xLabel.count) / 2)
        let labelEnd = max(0, inner - labelStart - plot.xLabel.count)
        lines.append(pad("", labelWidth + 1) + left + pad("", labelStart) + plot.xLabel + pad("", labelEnd) + right)
        var legend = plot.classNames.enumerated().map { k, name in
            (marker: colored(marker(plot, k), index: k), name: name)
        }
        if plot.regions != nil {
            legend += plot.classNames.indices.map { k in
                (marker: "'\(Self.regionShades[k % Self.regionShades.count])'", name: "region → \(plot.classNames[k])")
            }
        }
        lines += legendLines(legend, indent: labelWidth + 2)
        return lines
    }

    /// A point's character: its class name when every name is one character (the digits
    /// 0–9 mark themselves), else the class's marker.
    func marker(_ plot: ScatterPlot, _ label: Int) -> String {
        if plot.classNames.allSatisfy({ $0.count == 1 }) { return plot.classNames[label] }
        return String(Self.classMarkers[label % Self.classMarkers.count])
    }

    /// The background of a region cell: its shade character, on a faint tint when colour is on.
    func styledShade(_ k: Int) -> String {
        let shade = String(Self.regionShades[k % Self.regionShades.count])
        guard useColor else { return shade }
        let tints = ["48;5;189", "48;5;224", "48;5;194", "48;5;225", "48;5;230", "48;5;195"]
        return "\u{1B}[\(tints[k % tints.count]);38;5;245m\(shade)\u{1B}[0m"
    }

    func render(_ map: Heatmap) -> [String] {
        let range = map.valueRange
        let labelWidth = map.rowLabels?.map(\.count).max() ?? 0
        var lines: [String] = []
        // Two characters per cell keep a square cell square; a map too wide for that gets one.
        let cell = labelWidth + 1 + 2 * map.columns <= width - 2 ? 2 : 1
        if let columnLabels = map.columnLabels {
            let header = columnLabels.map { pad(String($0.prefix(cell)), cell, right: true) }.joined()
            lines.append(pad("", labelWidth + 1) + header)
        }
        for r in 0..<map.rows {
            var line = labelWidth > 0 ? pad(map.rowLabels?[r] ?? "", labelWidth, right: true) + " " : ""
            for c in 0..<map.columns {
                let v = map.values[r * map.columns + c]
                let t = v.isFinite ? min(1, max(0, (v - range.lowerBound) / (range.upperBound - range.lowerBound))) : 0
                if useColor {
                    // 256-colour greys run from 255 (light) down to 232 (dark)
                    let grey = 255 - Int((t * 23).rounded())
                    line += "\u{1B}[48;5;\(grey)m\(String(repeating: " ", count: cell))\u{1B}[0m"
                } else {
                    let ch = Self.ramp[Int((t * Double(Self.ramp.count - 1)).rounded())]
                    line += String(repeating: ch, count: cell)
                }
            }
            lines.append(line)
        }
        lines.append("scale: \(compact(range.lowerBound)) '\(Self.ramp.first!)' … '\(Self.ramp.last!)' \(compact(range.upperBound))")
        return lines
    }
}

func pow10(_ x: Double) -> Double { pow(10, x) }

/// The characters of `text` a terminal shows: colour escapes (ESC [ … m) take no columns.
func visibleWidth(_ text: String) -> Int {
    var count = 0, inEscape = false
    for ch in text {
        if ch == "\u{1B}" {
            inEscape = true
        } else if inEscape {
            if ch == "m" { inEscape = false }
        } else {
            count += 1
        }
    }
    return count
}

extension String {
    func replacingTrailingSpaces() -> String {
        var s = self
        while s.last == " " { s.removeLast() }
        return s
    }
}
