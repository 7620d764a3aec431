import Foundation

/// Progress through a long loop, such as training epochs.
///
/// On a terminal the bar redraws itself on one line and ends with the seconds the loop
/// took; when the output is piped to a file it degrades to a plain line at each quarter,
/// without times, so logs stay readable and the output of a run stays the same from run
/// to run.
public final class ProgressBar {
    enum Style { case redraw, milestones, silent }

    let label: String
    let total: Int
    let style: Style
    private(set) var done = 0
    private var nextMilestone = 1
    private let start = Date()

    /// Where the bar's text goes: standard output, or a test's buffer.
    private let write: (String) -> Void

    init(
        label: String, total: Int, style: Style,
        write: @escaping (String) -> Void = { FileHandle.standardOutput.write(Data($0.utf8)) }
    ) {
        self.label = label
        self.total = max(total, 1)
        self.style = style
        self.write = write
    }

    /// Marks one more step done; `note` (e.g. "loss 0.123") is shown beside the bar.
    public func advance(note: String = "") {
        done = min(done + 1, total)
        switch style {
        case .silent:
            return
        case .redraw:
            let width = 30
            let filled = done * width / total
            let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
            let elapsed = done == total ? String(format: " (%.1f s)", Date().timeIntervalSince(start)) : ""
            write("\r  \(label) [\(bar)] \(done)/\(total) \(note)\(elapsed)\u{1B}[K" + (done == total ? "\n" : ""))
        case .milestones:
            // one line at 25%, 50%, 75% and 100%; a step that passes several quarters
            // at once (a loop of 3 steps) still prints a single line
            guard nextMilestone <= 4 && done * 4 >= nextMilestone * total else { return }
            write("  \(label): \(done)/\(total) \(note)\n")
            while nextMilestone <= 4 && done * 4 >= nextMilestone * total { nextMilestone += 1 }
        }
    }
}
