import Foundation
import Testing

@testable import Notebook

@Suite("Notebook: options, terminal rendering, pages")
struct NotebookTests {
    @Test("--seed N, --seed=N and --markdown DIR are understood")
    func options() throws {
        #expect(LessonOptions.parse([]) == .success(.run(LessonOptions(seed: 42, markdownDirectory: nil))))
        #expect(LessonOptions.parse(["--seed", "7"]) == .success(.run(LessonOptions(seed: 7, markdownDirectory: nil))))
        #expect(LessonOptions.parse(["--seed=9", "--markdown", "docs"]) == .success(.run(LessonOptions(seed: 9, markdownDirectory: "docs"))))
        #expect(LessonOptions.parse(["-h"]) == .success(.help))
        #expect(LessonOptions.parse(["--seed", "1", "--help"]) == .success(.help))
    }

    @Test("a lesson's own switch (the appendix's --measure) is understood by that lesson only, and its usage lists it")
    func lessonFlags() {
        #expect(
            LessonOptions.parse(["--measure", "--seed", "3"], known: ["--measure"])
                == .success(.run(LessonOptions(seed: 3, markdownDirectory: nil, flags: ["--measure"]))))
        #expect(LessonOptions.parse(["--measure"]) == .failure(LessonOptions.ParseError(message: "unknown option '--measure'")))
        #expect(
            LessonOptions.parse(["--measure=yes"], known: ["--measure"])
                == .failure(LessonOptions.ParseError(message: "unknown option '--measure=yes'")))
        let usage = Lesson.usage(
            command: "performance", title: "t", summary: "s", flags: [Lesson.Flag("--measure", help: "time each step")])
        #expect(usage.contains("USAGE: swift run performance [--seed N] [--markdown DIR] [--measure]"))
        #expect(usage.contains("\n  --measure         time each step\n  -h, --help"), "\(usage)")
    }

    @Test(
        "unknown or malformed options are errors that say what was wrong",
        arguments: [
            (["--sed", "3"], "unknown option '--sed'"),
            (["--seed"], "--seed needs a value"),
            (["--seed", "-4"], "--seed expects a non-negative integer, got '-4'"),
            (["--seed", "abc"], "--seed expects a non-negative integer, got 'abc'"),
            (["extra"], "unexpected argument 'extra'"),
            (["--markdown="], "--markdown needs a directory"),
            (["--markdown", "--seed", "3"], "--markdown needs a directory, got the option '--seed'"),
            (["--seed", "--markdown", "docs"], "--seed needs a value, got the option '--markdown'"),
        ])
    func badOptions(arguments: [String], message: String) {
        #expect(LessonOptions.parse(arguments) == .failure(LessonOptions.ParseError(message: message)))
    }

    @Test("colour only on a terminal, never with NO_COLOR set or TERM=dumb")
    func colourDecision() {
        #expect(!TerminalRenderer.shouldUseColor(environment: ["NO_COLOR": "1", "TERM": "xterm"]))
        #expect(!TerminalRenderer.shouldUseColor(environment: ["TERM": "dumb"]))
        // under `swift test` standard output is not a terminal
        #expect(TerminalRenderer.shouldUseColor(environment: ["TERM": "xterm"]) == (isatty(STDOUT_FILENO) == 1))
    }

    @Test("tables align columns and right-align numbers")
    func tableAlignment() {
        let text = TerminalRenderer(useColor: false).render(.table(Table(headers: ["name", "value"], rows: [["a", "1.5"], ["longer", "-10.25"]])))
        #expect(text == "  name     value\n  ──────  ──────\n  a          1.5\n  longer  -10.25\n\n")
    }

    @Test("a table wider than 80 columns wraps its headers, then its widest text column; numbers stay whole")
    func wideTable() {
        let renderer = TerminalRenderer(useColor: false)
        let rows = [
            ["a fairly long description of the first row, in words", "0.123456", "96.9%"],
            ["short", "12.5", "100.0%"],
        ]
        let text = renderer.render(.table(Table(headers: ["what", "a long header over a number", "accuracy on the test set"], rows: rows)))
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.allSatisfy { $0.count <= 80 }, "\(lines)")
        #expect(lines.contains { $0.contains("0.123456") && $0.contains("96.9%") })  // a number is never split
        // every word of the long cell is still there, in order
        #expect(text.split(whereSeparator: { $0 == " " || $0 == "\n" }).joined(separator: " ").contains("a fairly long description"))
        // a table that fits is left alone: one line per row, headers on one line
        let narrow = renderer.render(.table(Table(headers: ["a long header", "b"], rows: [["1", "x"]])))
        #expect(narrow.split(separator: "\n").count == 3)
    }

    @Test("a plot's legend wraps inside 80 columns")
    func legendWraps() {
        let series = (1...6).map { LinePlot.Series("series number \($0) with a long name", y: [1, 2]) }
        let lines = TerminalRenderer(useColor: false).render(LinePlot(title: "t", xLabel: "x", yLabel: "y", series: series))
        #expect(lines.allSatisfy { $0.count + 2 <= 80 }, "\(lines)")  // figures are indented by 2
        for k in 1...6 { #expect(lines.contains { $0.contains("series number \(k) with a long name") }) }
    }

    @Test("a wider terminal gets wider plots and tables; prose stays within 80 columns; piped output is 80")
    func terminalWidth() {
        let wide = TerminalRenderer(useColor: false, width: 120), standard = TerminalRenderer(useColor: false)
        let plot = LinePlot(title: "t", xLabel: "x", yLabel: "y", series: [.init("s", y: [3, 1, 2])])
        #expect(wide.render(plot).map(\.count).max()! > standard.render(plot).map(\.count).max()!)
        #expect(wide.render(plot).allSatisfy { $0.count + 2 <= 120 } && standard.render(plot).allSatisfy { $0.count + 2 <= 80 })
        let words = Array(repeating: "word", count: 60).joined(separator: " ")
        #expect(wide.render(.prose(words)) == standard.render(.prose(words)))
        // under `swift test` standard output is not a terminal: the width is the fixed 80
        if isatty(STDOUT_FILENO) != 1 { #expect(TerminalRenderer.terminalWidth() == 80) }
    }

    @Test("runs of equal counts are folded")
    func foldedRuns() {
        #expect(runs([8, 6, 4, 4, 4, 4]) == "8 6 4 (×4)")
        #expect(runs([3, 3, 2, 1, 1, 1, 0]) == "3 3 2 1 (×3) 0")
        #expect(runs([]) == "")
    }

    @Test("prose wraps at 80 columns and keeps paragraphs apart")
    func proseWrapping() {
        let words = Array(repeating: "word", count: 40).joined(separator: " ")
        let text = TerminalRenderer(useColor: false).render(.prose(words + "\n\nsecond"))
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.allSatisfy { $0.count <= 80 })
        #expect(text.hasSuffix("\n\nsecond\n\n"))
    }

    @Test("no escape codes without colour; plots have the requested size")
    func plainPlots() {
        let renderer = TerminalRenderer(useColor: false)
        let line = LinePlot(title: "t", xLabel: "x", yLabel: "y", series: [.init("s", y: [3, 1, 2])])
        let scatter = ScatterPlot(
            title: "s", points: [[0, 0], [1, 1]], labels: [0, 1], classNames: ["a", "b"], xRange: -1...2, yRange: -1...2,
            regions: { x, _ in x > 0.5 ? 1 : 0 })
        let heat = Heatmap(title: "h", values: [0, 1, 2, 3], rows: 2, columns: 2)
        for cell in [Cell.figure(.line(line)), .figure(.scatter(scatter)), .figure(.heatmap(heat))] {
            #expect(!renderer.render(cell).contains("\u{1B}"))
        }
        #expect(renderer.render(scatter).count == 24 + 3)  // canvas rows, axis, labels, legend
        // 0 is the lightest shade (' '), 1 is a third of the way up the ramp " .:-=+*#%@" ('-')
        #expect(renderer.render(heat).first == "  --")
    }

    @Test("tiled images: blank rows and columns between them; a map too wide for 2 characters a cell gets 1; single-character classes mark themselves")
    func tilesAndMarkers() {
        let tiles = Heatmap(title: "t", tiling: [[1, 2, 3, 4], [5, 6, 7, 8], [9, 9, 9, 9]], height: 2, width: 2, perRow: 2)
        #expect(tiles.rows == 5 && tiles.columns == 5)
        #expect(Array(tiles.values[0..<5]).map { $0.isNaN ? -1 : $0 } == [1, 2, -1, 5, 6])
        #expect(Array(tiles.values[10..<15]).map { $0.isNaN ? -1 : $0 } == [-1, -1, -1, -1, -1])
        #expect(tiles.values[15] == 9 && tiles.values[17].isNaN)
        let renderer = TerminalRenderer(useColor: false, width: 80)
        let narrow = Heatmap(title: "n", values: [Double](repeating: 1, count: 30), rows: 1, columns: 30)
        let wide = Heatmap(title: "w", values: [Double](repeating: 1, count: 60), rows: 1, columns: 60)
        #expect(renderer.render(narrow).first!.count == 60 && renderer.render(wide).first!.count == 60)
        let digits = ScatterPlot(
            title: "d", points: [[0, 0], [1, 1]], labels: [3, 7], classNames: (0..<10).map(String.init), xRange: -1...2, yRange: -1...2)
        let canvas = renderer.render(digits).joined()
        #expect(canvas.contains("3") && canvas.contains("7") && !canvas.contains("o"))
    }

    @Test("decimal never prints a negative zero")
    func formatting() {
        #expect(decimal(-0.00001, 4) == "0.0000")
        #expect(decimal(-0.5, 2) == "-0.50")
        #expect(percent(0.96944) == "96.9%")
        #expect(vector([0.5, -0.25], 2) == "[0.50, -0.25]")
    }

    @Test("piped progress prints one line per quarter")
    func progressMilestones() {
        nonisolated(unsafe) var text = ""
        let bar = ProgressBar(label: "epochs", total: 8, style: .milestones) { text += $0 }
        for epoch in 1...8 { bar.advance(note: "loss \(epoch)") }
        #expect(text == "  epochs: 2/8 loss 2\n  epochs: 4/8 loss 4\n  epochs: 6/8 loss 6\n  epochs: 8/8 loss 8\n")
        text = ""
        let silent = ProgressBar(label: "epochs", total: 8, style: .silent) { text += $0 }
        for _ in 1...8 { silent.advance() }
        #expect(text.isEmpty && silent.done == 8)
    }

    @Test("a terminal's progress bar redraws one line and ends with the seconds taken; piped lines carry no time")
    func progressRedraw() throws {
        nonisolated(unsafe) var text = ""
        let bar = ProgressBar(label: "epochs", total: 2, style: .redraw) { text += $0 }
        bar.advance(note: "loss 1")
        #expect(text.hasPrefix("\r  epochs [") && !text.contains(" s)") && !text.hasSuffix("\n"))
        bar.advance(note: "loss 2")
        let last = try #require(text.split(separator: "\r").last)
        #expect(last.contains("2/2 loss 2 (") && last.contains(" s)") && last.hasSuffix("\n"), "\(last)")
    }

    @Test("a Markdown page is written with its figures, and the same cells give the same bytes")
    func markdownPage() throws {
        let cells: [(cell: Cell, number: Int)] = [
            (.heading("Intro"), 1), (.prose("Some words."), 0), (.equation("z = w·x + b"), 0),
            (.table(Table(headers: ["a", "b"], rows: [["1", "x|y"]])), 0),
            (.figure(.line(LinePlot(title: "Loss", xLabel: "epoch", yLabel: "loss", series: [.init("train", y: [1, 0.5, 0.25])], logScaleY: true))), 0),
        ]
        let page = try MarkdownPage(command: "demo", title: "Demo", summary: "A demo.", seed: 42, cells: cells)
        #expect(page.markdown.contains("## 1. Intro"))
        #expect(page.markdown.contains("```text\nz = w·x + b\n```"))
        #expect(page.markdown.contains("| 1 | x\\|y |"))
        #expect(page.markdown.contains("![Loss](demo/figure-01.svg)"))
        let again = try MarkdownPage(command: "demo", title: "Demo", summary: "A demo.", seed: 42, cells: cells)
        #expect(again.markdown == page.markdown && again.figures.map(\.svg) == page.figures.map(\.svg))

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("page-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        try page.write(to: directory.path)
        let svg = try String(contentsOf: directory.appendingPathComponent("demo/figure-01.svg"), encoding: .utf8)
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
        #expect(svg.contains("<polyline"))
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("demo.md").path))
    }

    @Test("writing a page touches only its own files: a learner's files stay (figure-like names too), a figure our last run wrote goes")
    func markdownKeepsOtherFiles() throws {
        let figure: (cell: Cell, number: Int) = (
            .figure(.line(LinePlot(title: "Loss", xLabel: "epoch", yLabel: "loss", series: [.init("train", y: [1, 0.5])]))), 0
        )
        let page = try MarkdownPage(command: "demo", title: "Demo", summary: "A demo.", seed: 42, cells: [figure])
        let longer = try MarkdownPage(command: "demo", title: "Demo", summary: "A demo.", seed: 42, cells: [figure, figure, figure])
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("page-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let figures = directory.appendingPathComponent("demo")
        try FileManager.default.createDirectory(at: figures, withIntermediateDirectories: true)
        try Data("my notes".utf8).write(to: figures.appendingPathComponent("notes.txt"))
        try Data("mine".utf8).write(to: figures.appendingPathComponent("figure-07.svg"))  // a learner's, not ours
        try longer.write(to: directory.path)  // writes figures 01–03
        try page.write(to: directory.path)  // writes 01 only: 02 and 03 were ours and go
        let left = try FileManager.default.contentsOfDirectory(atPath: figures.path).sorted()
        #expect(left == [MarkdownPage.manifestName, "figure-01.svg", "figure-07.svg", "notes.txt"])
        #expect(try String(contentsOf: figures.appendingPathComponent("figure-07.svg"), encoding: .utf8) == "mine")
        #expect(try String(contentsOf: figures.appendingPathComponent("notes.txt"), encoding: .utf8) == "my notes")
        #expect(MarkdownPage.isFigureName("figure-12.svg") && !MarkdownPage.isFigureName("figure-notes.svg"))
        // A file where the directory should be is refused before any work.
        let file = directory.appendingPathComponent("a-file")
        try Data().write(to: file)
        #expect(throws: MarkdownPage.DestinationError.self) { try MarkdownPage.checkDestination(file.path) }
        // A file where the lesson's figure folder goes, or a folder where its page goes, too.
        try Data().write(to: directory.appendingPathComponent("other"))
        #expect(throws: MarkdownPage.DestinationError.self) { try MarkdownPage.checkDestination(directory.path, command: "other") }
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("third.md"), withIntermediateDirectories: false)
        #expect(throws: MarkdownPage.DestinationError.self) { try MarkdownPage.checkDestination(directory.path, command: "third") }
        try MarkdownPage.checkDestination(directory.path, command: "demo")
    }

    @Test("nice ticks fall on 1, 2 or 5 times a power of ten")
    func ticks() {
        #expect(niceTicks(0...1, target: 5) == [0, 0.2, 0.4, 0.6000000000000001, 0.8, 1])
        #expect(niceTicks(-6...6, target: 5) == [-6, -4, -2, 0, 2, 4, 6])  // 5 would give only 3
        #expect(niceTicks(0.0066...0.9933, target: 4) == [0.2, 0.4, 0.6000000000000001, 0.8])
    }
}
