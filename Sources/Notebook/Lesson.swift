import Foundation
import Validation

/// A lesson notebook being run: it reads the command line, then shows each cell the
/// lesson adds — on the terminal as it goes, or collected into a Markdown page with
/// SVG figures when run with `--markdown DIR`.
///
/// ```swift
/// let lesson = Lesson(command: "perceptron", title: "The perceptron", summary: "…")
/// var rng = SeededGenerator(seed: lesson.seed)
/// lesson.section("The artificial neuron")
/// lesson.prose("…")
/// lesson.finish()
/// ```
public final class Lesson {
    /// The executable's name, as typed after `swift run`.
    public let command: String
    /// The lesson's title ("Chapter 3 · Backprop").
    public let title: String
    /// The seed for every random number of the run (`--seed N`).
    public let seed: UInt64
    private let summary: String
    private let markdownDirectory: String?
    private let terminal: TerminalRenderer
    private var cells: [(cell: Cell, number: Int)] = []
    private var sectionNumber = 0

    /// A switch of one lesson's own, such as the performance appendix's `--measure`.
    public struct Flag: Sendable {
        /// The switch as typed, `--name`.
        public let name: String
        /// What `--help` prints for the switch.
        public let help: String
        /// A switch `--name` with the line `--help` prints for it; a name that is not `--…` or
        /// that shadows every lesson's options (`--seed`, `--markdown`, `--help`) stops naming it.
        public init(_ name: String, help: String) {
            require(
                name.count > 2 && name.hasPrefix("--") && !name.contains("=") && !["--seed", "--markdown", "--help"].contains(name),
                "Lesson.Flag: a lesson's own switch is --name, not one of every lesson's options, got '\(name)'")
            (self.name, self.help) = (name, help)
        }
    }
    /// The lesson's own switches that were given on the command line.
    private let flagsGiven: Set<String>

    /// Whether the lesson's own switch `name` (one of the `flags` it was made with) was given.
    public func isSet(_ name: String) -> Bool { flagsGiven.contains(name) }

    /// The seed used when `--seed` is not given.
    public static let defaultSeed: UInt64 = 42

    /// Parses the command line and starts the lesson. `--help` prints the usage and exits;
    /// an unknown or malformed option prints an error and the usage to standard error and
    /// exits with status 2.
    public convenience init(
        command: String, title: String, summary: String, flags: [Flag] = [],
        arguments: [String] = Array(CommandLine.arguments.dropFirst())
    ) {
        let usage = Lesson.usage(command: command, title: title, summary: summary, flags: flags)
        switch LessonOptions.parse(arguments, known: flags.map(\.name)) {
        case .success(.help):
            print(usage)
            exit(0)
        case .success(.run(let options)):
            self.init(command: command, title: title, summary: summary, options: options)
        case .failure(let error):
            FileHandle.standardError.write(Data("error: \(error.message)\n\n\(usage)\n".utf8))
            exit(2)
        }
    }

    init(command: String, title: String, summary: String, options: LessonOptions) {
        self.command = command
        self.title = title
        self.summary = summary
        self.seed = options.seed
        self.flagsGiven = options.flags
        self.markdownDirectory = options.markdownDirectory
        if let directory = options.markdownDirectory {
            do {
                try MarkdownPage.checkDestination(directory, command: command)
            } catch {
                FileHandle.standardError.write(
                    Data("error: --markdown \(directory): \((error as? MarkdownPage.DestinationError)?.message ?? "\(error)")\n".utf8))
                exit(1)
            }
        }
        self.terminal = TerminalRenderer(
            useColor: options.markdownDirectory == nil && TerminalRenderer.shouldUseColor(), width: TerminalRenderer.terminalWidth())
        if markdownDirectory == nil {
            emit(terminal.styled("\(title)", .bold) + "\n" + terminal.render(.prose(summary)))
        }
    }

    // MARK: Cells

    /// Starts a numbered section.
    public func section(_ title: String) {
        sectionNumber += 1
        add(.heading(title), number: sectionNumber)
    }

    /// Adds a paragraph, wrapped to 80 columns in the terminal.
    public func prose(_ text: String) { add(.prose(text)) }
    /// Adds an equation or a few lines of formulas, set apart as a block.
    public func equation(_ text: String) { add(.equation(text)) }
    /// Adds a block of program output, printed as it is (a code block on the page).
    public func output(_ text: String) { add(.output(text)) }
    /// Adds a table: a header row and rows of cells, printed with aligned columns.
    public func table(headers: [String], rows: [[String]]) { add(.table(Table(headers: headers, rows: rows))) }
    /// Adds a figure of any kind.
    public func figure(_ figure: Figure) { add(.figure(figure)) }
    /// Adds a figure (a line plot, a scatter plot or a heatmap) to the lesson: drawn in
    /// characters in the terminal, as SVG on the page.
    public func plot(_ plot: LinePlot) { add(.figure(.line(plot))) }
    /// Adds a figure (a line plot, a scatter plot or a heatmap) to the lesson: drawn in
    /// characters in the terminal, as SVG on the page.
    public func plot(_ plot: ScatterPlot) { add(.figure(.scatter(plot))) }
    /// Adds a figure (a line plot, a scatter plot or a heatmap) to the lesson: drawn in
    /// characters in the terminal, as SVG on the page.
    public func plot(_ map: Heatmap) { add(.figure(.heatmap(map))) }

    private func add(_ cell: Cell, number: Int = 0) {
        if markdownDirectory == nil {
            emit(terminal.render(cell, heading: number))
        } else {
            cells.append((cell, number))
        }
    }

    private func emit(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    /// A progress bar for a long loop; silent when writing a page.
    public func progress(_ label: String, total: Int) -> ProgressBar {
        ProgressBar(
            label: label, total: total,
            style: markdownDirectory != nil ? .silent : isatty(STDOUT_FILENO) == 1 ? .redraw : .milestones)
    }

    // MARK: Finishing

    /// Ends the lesson: on the terminal, a closing note; with `--markdown`, writes the page.
    public func finish() {
        if let directory = markdownDirectory {
            do {
                let page = try MarkdownPage(command: command, title: title, summary: summary, seed: seed, cells: cells)
                try page.write(to: directory)
                print("wrote \(directory)/\(command).md and \(page.figureCount) figures in \(directory)/\(command)/")
            } catch {
                FileHandle.standardError.write(Data("error: could not write the page into \(directory): \(error.localizedDescription)\n".utf8))
                exit(1)
            }
            return
        }
    }

    static func usage(command: String, title: String, summary: String, flags: [Flag] = []) -> String {
        let own = flags.map { flag in
            wrap(flag.help, width: 60).enumerated().map { index, line in
                (index == 0 ? "  " + flag.name.padding(toLength: 18, withPad: " ", startingAt: 0) : String(repeating: " ", count: 20)) + line
            }.joined(separator: "\n") + "\n"
        }.joined()
        return """
            \(command) — \(title)

            \(wrap(summary, width: 78).joined(separator: "\n"))

            USAGE: swift run \(command) [--seed N] [--markdown DIR]\(flags.map { " [\($0.name)]" }.joined())

            OPTIONS:
              --seed N          seed for every random number in the lesson (default \(defaultSeed));
                                the same seed prints the same output
              --markdown DIR    write the lesson as DIR/\(command).md with SVG figures in
                                DIR/\(command)/ instead of printing it
            \(own)  -h, --help        show this help

            Colour is used on a terminal unless NO_COLOR is set. Every build prints the same
            lesson: the chapter's code is compiled with optimization even in a debug build.
            """
    }
}
