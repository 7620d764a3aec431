import Foundation

/// Draws figures as standalone SVG documents for the Markdown pages under `docs/`.
///
/// Coordinates are written with two decimals so that the same figure always produces
/// the same bytes: the docs are checked for staleness by regenerating and diffing.
public enum SVGRenderer {
    static let width = 640.0, height = 360.0
    /// The plot area inside the margins left for ticks, labels and the legend.
    static let left = 70.0, right = 620.0, top = 40.0, bottom = 300.0
    static let colors = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22"]
    static let regionColors = ["#dbe8f5", "#f8dcdc", "#dcf0dc", "#e8def2", "#fde9d5", "#d7f2f5"]

    /// The figure as a standalone SVG document, 640 units wide.
    public static func render(_ figure: Figure) -> String {
        switch figure {
        case .line(let plot): render(plot)
        case .scatter(let plot): render(plot)
        case .heatmap(let map): render(map)
        }
    }

    static func number(_ x: Double) -> String { decimal(x, 2) }

    /// Maps data coordinates to pixels in the plot area: x grows to the right from `left`,
    /// y grows upward from `bottom` (SVG's own y axis points down).
    struct PixelMap {
        let x: ClosedRange<Double>
        let y: ClosedRange<Double>

        func px(_ value: Double) -> Double {
            left + (value - x.lowerBound) / (x.upperBound - x.lowerBound) * (right - left)
        }

        func py(_ value: Double) -> Double {
            bottom - (value - y.lowerBound) / (y.upperBound - y.lowerBound) * (bottom - top)
        }
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }

    static func document(_ title: String, height h: Double = height, body: [String]) -> String {
        ([
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(number(width)) \(number(h))\" "
                + "width=\"\(Int(width))\" height=\"\(Int(h))\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">",
            "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>",
            text(escape(title), x: width / 2, y: 22, anchor: "middle", extra: " font-size=\"15\" font-weight=\"bold\""),
        ] + body + ["</svg>"]).joined(separator: "\n") + "\n"
    }

    static func text(_ s: String, x: Double, y: Double, anchor: String = "start", extra: String = "") -> String {
        "<text x=\"\(number(x))\" y=\"\(number(y))\" text-anchor=\"\(anchor)\"\(extra)>\(s)</text>"
    }

    /// Axes with ticks; `sx`/`sy` map data to pixels, `yTickLabel` formats a y tick.
    static func axes(
        x xRange: ClosedRange<Double>, y yRange: ClosedRange<Double>, xLabel: String, yLabel: String,
        yTicks: [Double]? = nil, yTickLabel: (Double) -> String = { compact($0) }
    ) -> [String] {
        let map = PixelMap(x: xRange, y: yRange)
        let sx = map.px, sy = map.py
        var parts = [
            "<rect x=\"\(number(left))\" y=\"\(number(top))\" width=\"\(number(right - left))\" height=\"\(number(bottom - top))\" fill=\"none\" stroke=\"#444\"/>"
        ]
        for t in niceTicks(xRange, target: 6) {
            parts.append("<line x1=\"\(number(sx(t)))\" y1=\"\(number(bottom))\" x2=\"\(number(sx(t)))\" y2=\"\(number(bottom + 5))\" stroke=\"#444\"/>")
            parts.append(text(compact(t), x: sx(t), y: bottom + 18, anchor: "middle"))
        }
        var widestTick = 0.0
        for t in yTicks ?? niceTicks(yRange, target: 5) {
            parts.append("<line x1=\"\(number(left - 5))\" y1=\"\(number(sy(t)))\" x2=\"\(number(left))\" y2=\"\(number(sy(t)))\" stroke=\"#444\"/>")
            parts.append("<line x1=\"\(number(left))\" y1=\"\(number(sy(t)))\" x2=\"\(number(right))\" y2=\"\(number(sy(t)))\" stroke=\"#eee\"/>")
            let label = yTickLabel(t)
            widestTick = max(widestTick, textWidth(label))
            parts.append(text(label, x: left - 8, y: sy(t) + 4, anchor: "end"))
        }
        parts.append(text(escape(xLabel), x: (left + right) / 2, y: bottom + 36, anchor: "middle"))
        // The rotated y label sits left of the widest tick label, never on it.
        let labelX = max(14, min(18, left - 8 - widestTick - 6))
        parts.append(
            "<text x=\"\(number(labelX))\" y=\"\(number((top + bottom) / 2))\" text-anchor=\"middle\" "
                + "transform=\"rotate(-90 \(number(labelX)) \(number((top + bottom) / 2)))\">\(escape(yLabel))</text>")
        return parts
    }

    /// A generous estimate of a 12-px text's width: wide enough for the wider fallback
    /// fonts a browser may use in place of Helvetica (`docs/check-figures.py` measures).
    static func textWidth(_ text: String) -> Double { Double(text.count) * 7.4 }

    /// Dash patterns by series: the first solid, the others broken, so a series drawn
    /// exactly over another still lets the one below show through its gaps.
    static let dashes = ["", "7 4", "2 3", "10 3 2 3", "4 4", "1 5"]

    static func dashAttribute(_ s: Int) -> String {
        let pattern = dashes[s % dashes.count]
        return pattern.isEmpty ? "" : " stroke-dasharray=\"\(pattern)\""
    }

    /// Legend entries in rows below the x axis label, a new row when the next entry would
    /// pass the right edge of the plot. Returns the drawing and the height it adds.
    /// How a legend entry is marked: a line (a series), a dot (a class's points), a
    /// shaded square (a region's background).
    enum Mark { case line, dot, swatch }

    static func legend(_ entries: [(name: String, color: String, mark: Mark, style: Int)]) -> (parts: [String], extraHeight: Double) {
        var parts: [String] = []
        var x = left, row = 0
        for entry in entries {
            let entryWidth = 20 + textWidth(entry.name)
            if x > left && x + entryWidth > right {
                row += 1
                x = left
            }
            let y = bottom + 52 + Double(row) * 18
            switch entry.mark {
            case .dot:
                parts.append("<circle cx=\"\(number(x + 6))\" cy=\"\(number(y))\" r=\"4\" fill=\"\(entry.color)\"/>")
            case .line:
                parts.append(
                    "<line x1=\"\(number(x))\" y1=\"\(number(y))\" x2=\"\(number(x + 14))\" y2=\"\(number(y))\" stroke=\"\(entry.color)\" stroke-width=\"2.5\"\(dashAttribute(entry.style))/>"
                )
            case .swatch:
                parts.append(
                    "<rect x=\"\(number(x))\" y=\"\(number(y - 6))\" width=\"14\" height=\"12\" fill=\"\(entry.color)\" stroke=\"#999\"/>")
            }
            parts.append(text(escape(entry.name), x: x + 20, y: y + 4))
            x += entryWidth + 14
        }
        return (parts, Double(row) * 18)
    }

    static func render(_ plot: LinePlot) -> String {
        let bounds = PlotBounds(plot)
        let map = PixelMap(x: bounds.x, y: bounds.y)
        let sx = map.px, sy = map.py
        var body = axes(
            x: bounds.x, y: bounds.y, xLabel: plot.xLabel,
            yLabel: plot.yLabel + (plot.logScaleY ? " (log scale)" : ""),
            yTicks: plot.logScaleY ? logTicks(bounds.y) : nil,
            yTickLabel: { plot.logScaleY ? compact(pow(10, $0), significant: 2) : compact($0) })
        for (position, series) in plot.series.enumerated() {
            let s = series.style ?? position
            // A point off the axis (or not positive on a log axis) breaks the line.
            var runs: [[String]] = [[]]
            for (x, rawY) in zip(series.x, series.y) {
                guard let y = plot.logScaleY ? log10OrNil(rawY) : rawY, y.isFinite, x.isFinite,
                    bounds.y.contains(y)
                else {
                    runs.append([])
                    continue
                }
                runs[runs.count - 1].append("\(number(sx(x))),\(number(sy(y)))")
            }
            for run in runs where !run.isEmpty {
                body.append(
                    "<polyline fill=\"none\" stroke=\"\(colors[s % colors.count])\" stroke-width=\"2\"\(dashAttribute(s)) points=\"\(run.joined(separator: " "))\"/>"
                )
            }
        }
        let key = legend(plot.series.enumerated().map { ($1.name, colors[($1.style ?? $0) % colors.count], .line, $1.style ?? $0) })
        return document(plot.title, height: height + key.extraHeight, body: body + key.parts)
    }

    static func render(_ plot: ScatterPlot) -> String {
        let map = PixelMap(x: plot.xRange, y: plot.yRange)
        let sx = map.px, sy = map.py
        var body: [String] = []
        if let regions = plot.regions {
            // Shade a grid of small rectangles by the class predicted at each centre.
            let nx = 110, ny = 52
            let w = (right - left) / Double(nx), h = (bottom - top) / Double(ny)
            for j in 0..<ny {
                for i in 0..<nx {
                    let x = plot.xRange.lowerBound + (Double(i) + 0.5) / Double(nx) * (plot.xRange.upperBound - plot.xRange.lowerBound)
                    let y = plot.yRange.upperBound - (Double(j) + 0.5) / Double(ny) * (plot.yRange.upperBound - plot.yRange.lowerBound)
                    let k = regions(x, y)
                    body.append(
                        "<rect x=\"\(number(left + Double(i) * w))\" y=\"\(number(top + Double(j) * h))\" width=\"\(number(w + 0.3))\" height=\"\(number(h + 0.3))\" fill=\"\(regionColors[k % regionColors.count])\"/>"
                    )
                }
            }
        }
        body += axes(x: plot.xRange, y: plot.yRange, xLabel: plot.xLabel, yLabel: plot.yLabel)
        for (point, label) in zip(plot.points, plot.labels)
        where plot.xRange.contains(point[0]) && plot.yRange.contains(point[1]) {
            body.append(
                "<circle cx=\"\(number(sx(point[0])))\" cy=\"\(number(sy(point[1])))\" r=\"4\" fill=\"\(colors[label % colors.count])\" stroke=\"white\" stroke-width=\"0.8\"/>"
            )
        }
        var entries = plot.classNames.enumerated().map { (name: $1, color: colors[$0 % colors.count], mark: Mark.dot, style: $0) }
        if plot.regions != nil {
            entries += plot.classNames.enumerated().map { (name: "region → \($1)", color: regionColors[$0 % regionColors.count], mark: Mark.swatch, style: $0) }
        }
        let key = legend(entries)
        return document(plot.title, height: height + key.extraHeight, body: body + key.parts)
    }

    static func render(_ map: Heatmap) -> String {
        let range = map.valueRange
        let labelSpace = map.rowLabels == nil ? 0.0 : 50.0
        let cell = min((right - left - labelSpace) / Double(map.columns), (bottom - top) / Double(map.rows))
        let x0 = left + labelSpace, y0 = top + (map.columnLabels == nil ? 0 : 16)
        var body: [String] = []
        for r in 0..<map.rows {
            for c in 0..<map.columns {
                let v = map.values[r * map.columns + c]
                let t = v.isFinite ? min(1, max(0, (v - range.lowerBound) / (range.upperBound - range.lowerBound))) : 0
                let grey = Int((255 * (1 - t)).rounded())
                let hex = String(format: "#%02x%02x%02x", grey, grey, grey)
                body.append(
                    "<rect x=\"\(number(x0 + Double(c) * cell))\" y=\"\(number(y0 + Double(r) * cell))\" width=\"\(number(cell))\" height=\"\(number(cell))\" fill=\"\(hex)\"/>"
                )
            }
            if let labels = map.rowLabels {
                body.append(text(escape(labels[r]), x: x0 - 6, y: y0 + (Double(r) + 0.6) * cell, anchor: "end"))
            }
        }
        if let labels = map.columnLabels {
            for (c, label) in labels.enumerated() {
                body.append(text(escape(label), x: x0 + (Double(c) + 0.5) * cell, y: y0 - 4, anchor: "middle"))
            }
        }
        body.append(
            text(
                "light = \(compact(range.lowerBound)), dark = \(compact(range.upperBound))",
                x: x0, y: y0 + Double(map.rows) * cell + 18))
        return document(map.title, height: max(height, y0 + Double(map.rows) * cell + 30), body: body)
    }
}

/// Ticks for a log axis, as exponents: whole powers of ten (every second or third when
/// there are many), or 1, 2 and 5 times them when the range spans less than two decades.
func logTicks(_ exponents: ClosedRange<Double>) -> [Double] {
    let low = Int(exponents.lowerBound.rounded(.up)), high = Int(exponents.upperBound.rounded(.down))
    if high - low >= 1 {
        let step = max(1, (high - low + 5) / 6)
        return stride(from: low, through: high, by: step).map(Double.init)
    }
    let decades = Int(exponents.lowerBound.rounded(.down))...Int(exponents.upperBound.rounded(.up))
    return decades.flatMap { d in [1.0, 2, 5].map { log10($0) + Double(d) } }.filter { exponents.contains($0) }
}
