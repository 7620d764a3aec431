import Validation

/// One cell of a lesson notebook.
///
/// A lesson is a sequence of cells. The terminal renderer prints each cell as soon as the
/// lesson adds it; the Markdown renderer collects them into a page with SVG figures.

public enum Cell: Sendable {
    /// A numbered section heading.
    case heading(String)
    /// Paragraphs of prose; blank lines separate paragraphs.
    case prose(String)
    /// An equation block in readable Unicode, shown verbatim in a monospaced font.
    case equation(String)
    /// Verbatim results the code printed.
    case output(String)
    /// A table of labelled columns.
    case table(Table)
    /// A plot or image.
    case figure(Figure)
}

/// A table: a header row and rows of cells; numeric-looking cells are right-aligned.
public struct Table: Sendable {
    /// The column headings.
    public var headers: [String]
    /// The rows, each as many cells as there are headings.
    public var rows: [[String]]

    /// A table; a row whose length differs from the headings' stops naming it.
    public init(headers: [String], rows: [[String]]) {
        for (i, row) in rows.enumerated() {
            require(
                row.count == headers.count,
                "Table: \(headers.count) headers but row \(i) has \(row.count) cells")
        }
        self.headers = headers
        self.rows = rows
    }
}

/// The kinds of figures a lesson can draw.
public enum Figure: Sendable {
    /// Curves y(x) on shared axes.
    case line(LinePlot)
    /// Points in the plane, coloured by class.
    case scatter(ScatterPlot)
    /// A grid of values drawn as shades.
    case heatmap(Heatmap)

    var title: String {
        switch self {
        case .line(let plot): plot.title
        case .scatter(let plot): plot.title
        case .heatmap(let map): map.title
        }
    }
}
