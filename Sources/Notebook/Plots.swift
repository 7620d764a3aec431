import Foundation
import Validation

/// Line plots, scatter plots with decision regions, and heatmaps: the data of a figure,
/// independent of how it is drawn. `TerminalRenderer` draws them with characters and
/// `SVGRenderer` draws them as vector graphics.

/// One or more curves y(x) on shared axes.
public struct LinePlot: Sendable {
    /// A named curve: points (x, y) joined in order.
    public struct Series: Sendable {
        /// The series' name in the legend.
        public var name: String
        /// The x coordinates.
        public var x: [Double]
        /// The y coordinates, one per x.
        public var y: [Double]
        /// Which colour, dash pattern and terminal marker the series gets; by default its
        /// position in the plot. Give the same style to the same thing (say, Adam) in every
        /// figure of a lesson, so it keeps one colour throughout.
        public var style: Int?

        /// A series of points (x[i], y[i]); counts that differ stop with both named.
        public init(_ name: String, x: [Double], y: [Double], style: Int? = nil) {
            require(
                x.count == y.count, "LinePlot.Series \(name): \(x.count) x values but \(y.count) y values")
            self.name = name
            self.x = x
            self.y = y
            self.style = style
        }

        /// A series over x = 1, 2, 3, …: e.g. a loss per epoch.
        public init(_ name: String, y: [Double], style: Int? = nil) {
            self.init(name, x: (0..<y.count).map { Double($0 + 1) }, y: y, style: style)
        }
    }

    /// The figure's title.
    public var title: String
    /// The x axis's label.
    public var xLabel: String
    /// The y axis's label.
    public var yLabel: String
    /// The curves, drawn in order.
    public var series: [Series]
    /// Plot y on a logarithmic axis (non-positive values are dropped).
    public var logScaleY: Bool
    /// Fixed y range; by default the data's range.
    public var yRange: ClosedRange<Double>?

    /// A plot of `series` on shared axes.
    public init(
        title: String, xLabel: String, yLabel: String, series: [Series],
        logScaleY: Bool = false, yRange: ClosedRange<Double>? = nil
    ) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
        self.logScaleY = logScaleY
        self.yRange = yRange
    }
}

/// Labelled points in the plane, optionally over the regions a classifier assigns.
public struct ScatterPlot: Sendable {
    /// The figure's title.
    public var title: String
    /// The x axis's label.
    public var xLabel: String
    /// The y axis's label.
    public var yLabel: String
    /// The points, each (x, y).
    public var points: [[Double]]
    /// The class of each point, in `0..<classNames.count`.
    public var labels: [Int]
    /// The name of each class, for the legend.
    public var classNames: [String]
    /// The class a model predicts at (x, y), drawn as shaded regions behind the points.
    public var regions: (@Sendable (Double, Double) -> Int)?
    /// The range of the x axis.
    public var xRange: ClosedRange<Double>
    /// The range of the y axis.
    public var yRange: ClosedRange<Double>

    /// A scatter plot of 2-D `points`, each of class `labels[i]`; a count that differs or a
    /// point without two coordinates stops naming it.
    public init(
        title: String, xLabel: String = "x₁", yLabel: String = "x₂",
        points: [[Double]], labels: [Int], classNames: [String],
        xRange: ClosedRange<Double>, yRange: ClosedRange<Double>,
        regions: (@Sendable (Double, Double) -> Int)? = nil
    ) {
        require(
            points.count == labels.count, "ScatterPlot: \(points.count) points but \(labels.count) labels")
        for (i, p) in points.enumerated() {
            require(p.count == 2, "ScatterPlot: point \(i) has \(p.count) coordinates, expected 2")
        }
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.points = points
        self.labels = labels
        self.classNames = classNames
        self.regions = regions
        self.xRange = xRange
        self.yRange = yRange
    }
}

/// A grid of values drawn as shades: an image, a weight matrix, an attention map.
public struct Heatmap: Sendable {
    /// The figure's title.
    public var title: String
    /// Row-major values: `values[r * columns + c]`.
    public var values: [Double]
    /// The number of rows of the grid.
    public var rows: Int
    /// The number of columns of the grid.
    public var columns: Int
    /// A label for each row, or none.
    public var rowLabels: [String]?
    /// A label for each column, or none.
    public var columnLabels: [String]?
    /// The value range mapped to the lightest…darkest shade; by default the data's range.
    public var range: ClosedRange<Double>?

    /// A heatmap of `rows` × `columns` row-major values; a count that does not fit the shape
    /// stops naming both.
    public init(
        title: String, values: [Double], rows: Int, columns: Int,
        rowLabels: [String]? = nil, columnLabels: [String]? = nil,
        range: ClosedRange<Double>? = nil
    ) {
        require(
            values.count == rows * columns,
            "Heatmap \(title): shape (\(rows)×\(columns)) needs \(rows * columns) values, got \(values.count)")
        self.title = title
        self.values = values
        self.rows = rows
        self.columns = columns
        self.rowLabels = rowLabels
        self.columnLabels = columnLabels
        self.range = range
    }

    /// Small images side by side in one map, `perRow` to a row, one blank row and column
    /// between them (blank cells, NaN, shade lightest). Each image is `height` × `width`
    /// values, row-major: digits, filters, feature maps, generated samples.
    public init(
        title: String, tiling images: [[Double]], height: Int, width: Int, perRow: Int, range: ClosedRange<Double>? = nil
    ) {
        require(!images.isEmpty && height > 0 && width > 0 && perRow > 0, "Heatmap \(title): no images to tile, or a size of 0")
        for (k, image) in images.enumerated() {
            require(image.count == height * width, "Heatmap \(title): image \(k) has \(image.count) values, not \(height) × \(width)")
        }
        let gridRows = (images.count + perRow - 1) / perRow
        let (rows, columns) = (gridRows * (height + 1) - 1, min(perRow, images.count) * (width + 1) - 1)
        var values = [Double](repeating: .nan, count: rows * columns)
        for (k, image) in images.enumerated() {
            let (top, left) = (k / perRow * (height + 1), k % perRow * (width + 1))
            for r in 0..<height {
                for c in 0..<width { values[(top + r) * columns + left + c] = image[r * width + c] }
            }
        }
        self.init(title: title, values: values, rows: rows, columns: columns, range: range)
    }

    /// The range the shades span.
    var valueRange: ClosedRange<Double> {
        if let range { return range }
        let finite = values.filter(\.isFinite)
        let low = finite.min() ?? 0
        let high = finite.max() ?? 1
        return low < high ? low...high : (low - 1)...(high + 1)
    }
}

// MARK: - Axis helpers shared by both renderers

/// The data range of a line plot's axes, after the log transform when asked for.
struct PlotBounds {
    var x: ClosedRange<Double>
    var y: ClosedRange<Double>

    init(_ plot: LinePlot) {
        let xs = plot.series.flatMap(\.x).filter(\.isFinite)
        let ys = plot.series.flatMap { s in s.y.map { plot.logScaleY ? log10OrNil($0) : $0 } }
            .compactMap { $0 }.filter(\.isFinite)
        x = padded(xs.min() ?? 0, xs.max() ?? 1)
        if let range = plot.yRange {
            y = plot.logScaleY ? log10(range.lowerBound)...log10(range.upperBound) : range
        } else {
            y = padded(ys.min() ?? 0, ys.max() ?? 1)
        }
    }
}

func log10OrNil(_ v: Double) -> Double? { v > 0 ? log10(v) : nil }

/// A range that is never empty: a constant series gets a little room above and below.
func padded(_ low: Double, _ high: Double) -> ClosedRange<Double> {
    if low < high { return low...high }
    let pad = low == 0 ? 1 : abs(low) * 0.1
    return (low - pad)...(high + pad)
}

/// Tick positions at "nice" numbers (1, 2 or 5 times a power of ten) covering `range`:
/// the widest such spacing that still gives at least `target − 1` ticks.
func niceTicks(_ range: ClosedRange<Double>, target: Int = 5) -> [Double] {
    let span = range.upperBound - range.lowerBound
    guard span > 0, span.isFinite else { return [range.lowerBound] }
    let top = floor(log10(span))
    let steps = (-2...1).reversed().flatMap { k in [5.0, 2, 1].map { $0 * pow(10, top + Double(k)) } }
    func ticks(_ step: Double) -> [Double] {
        var result: [Double] = []
        var t = (range.lowerBound / step).rounded(.up) * step
        while t <= range.upperBound + step * 1e-9 {
            result.append(abs(t) < step * 1e-9 ? 0 : t)
            t += step
        }
        return result
    }
    for step in steps {
        let candidate = ticks(step)
        if candidate.count >= max(2, target - 1) { return candidate }
    }
    return ticks(steps.last!)
}
