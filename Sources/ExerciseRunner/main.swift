// The learner's runner: `swift run exercises`.
//
//   swift run exercises               every chapter: a progress table, your failures, the next exercise
//   swift run exercises optimizers    one chapter's exercises, in order
//   swift run exercises 4.3           one exercise (or its function name: adamStep)
//   swift run exercises --watch 4.3   check again whenever a file under Exercises/ changes
//
// It runs only your exercises' checks (not the library's own tests), through `swift test`
// with Swift Testing's event stream, and reads the results from that stream. Before that
// it compiles each chapter's exercise module on its own, so that a compile error is
// reported with its file and line, and the exercises it blocks are named.
//
// The runner depends on no module of this package: it builds even when an exercise does not.
import Foundation

/// Prints a line at once, also into a pipe or a file, so that progress shows as it happens.
func print(_ text: String = "") {
    Swift.print(text)
    fflush(nil)
}

/// `text` in lines of at most `width` characters, broken at spaces, the lines after the
/// first indented by `indent` spaces (a word longer than a line stays whole).
func wrapped(_ text: String, width: Int = 80, indent: Int = 6) -> String {
    var lines: [String] = []
    var line = ""
    for word in text.split(separator: " ", omittingEmptySubsequences: false) {
        let prefix = lines.isEmpty ? "" : String(repeating: " ", count: indent)
        if !line.isEmpty && (prefix + line + " " + word).count > width {
            lines.append(prefix + line)
            line = String(word)
        } else {
            line = line.isEmpty ? String(word) : line + " " + word
        }
    }
    lines.append((lines.isEmpty ? "" : String(repeating: " ", count: indent)) + line)
    return lines.joined(separator: "\n")
}

struct Options {
    var selection: String?
    var watch = false
    static let usage = """
        USAGE: swift run exercises [--watch] [CHAPTER | EXERCISE]

          (nothing)     check every exercise: progress by chapter, failures, what to do next
          CHAPTER       one chapter, by name or number: optimizers, 4
          EXERCISE      one exercise, by number or function name: 4.3, adamStep
          --watch       check again each time you save a file under Exercises/ (Ctrl-C ends)
          -h, --help    this help

        Your results are also kept in .build/exercises-progress.json.
        """

    init(_ arguments: [String]) {
        for argument in arguments {
            switch argument {
            case "--watch":
                watch = true
            case "-h", "--help":
                print(Options.usage)
                exit(0)
            case _ where argument.hasPrefix("-"):
                Options.fail("unknown option '\(argument)'")
            default:
                guard selection == nil else { Options.fail("give one chapter or exercise, not several") }
                selection = argument
            }
        }
    }

    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("exercises: \(message)\n\n\(usage)\n".utf8))
        exit(2)
    }
}

/// One chapter as `Package.swift` lists it.
struct Chapter {
    let number: Int
    let name: String
}

/// What became of one exercise.
enum Status: String, Codable {
    case passed, failed, notAttempted = "not attempted", notChecked = "not checked"
}

struct Result: Codable {
    var chapter: String
    var function: String
    var title: String
    var status: Status
    var messages: [String]
}

// MARK: Running commands

/// Runs `swift` with `arguments` in the package root; returns its exit status and output.
func swift(_ arguments: [String], leavingOut: [Chapter] = []) -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["swift"] + arguments
    // The Swift runtime's backtracer names the file and line of every frame of a crash, the
    // learner's included ("in your code at Exercises/…"); without it a test's child process
    // prints bare addresses. A learner's own setting wins.
    var environment = ProcessInfo.processInfo.environment
    if environment["SWIFT_BACKTRACE"] == nil { environment["SWIFT_BACKTRACE"] = "enable=yes,interactive=no,color=no" }
    // Chapters whose exercises do not compile are left out of the build (see Package.swift).
    environment["EXERCISES_LEFT_OUT"] = leavingOut.isEmpty ? nil : leavingOut.map(\.name).joined(separator: ",")
    process.environment = environment
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    do { try process.run() } catch { Options.fail("could not start swift: \(error)") }
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

func chapters() -> [Chapter] {
    guard let manifest = try? String(contentsOfFile: "Package.swift", encoding: .utf8) else {
        Options.fail("run this from the package's folder (the one with Package.swift)")
    }
    let names = manifest.split(separator: "\n").compactMap { line -> String? in
        // A chapter's line in the list, not a mention in a comment.
        guard !line.trimmingCharacters(in: .whitespaces).hasPrefix("//"),
            let range = line.range(of: #"Chapter\(name: "([A-Za-z]+)""#, options: .regularExpression)
        else { return nil }
        return String(line[range].dropFirst(#"Chapter(name: ""#.count).dropLast())
    }
    return names.enumerated().map { Chapter(number: $0.offset + 1, name: $0.element) }
}

/// The compile errors of one chapter's exercise module ("file:line:column: error: …").
func compileErrors(_ chapter: Chapter) -> [String] {
    let (status, output) = swift(["build", "--target", "\(chapter.name)Exercises"])
    guard status != 0 else { return [] }
    let errors = output.split(separator: "\n").filter { $0.contains(": error:") }.map { line -> String in
        let text = String(line)
        guard let range = text.range(of: "Exercises/") else { return text }
        return String(text[range.lowerBound...])  // the path from the package root
    }
    var unique: [String] = []
    for error in errors where !unique.contains(error) { unique.append(error) }
    return unique.isEmpty ? ["the build failed:\n" + output.suffix(1500)] : unique
}

// MARK: Reading the event stream

/// Runs the exercise tests matched by `filter` and reads their results from the event stream.
func runTests(filter: String, chapters: [Chapter], leavingOut: [Chapter]) -> [Result] {
    // A new directory of our own for the stream: only it (and what swift test wrote in it) is removed.
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("exercises-\(UUID().uuidString)")
    do {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: false)
    } catch {
        Options.fail("cannot create a temporary directory \(folder.path): \(error.localizedDescription)")
    }
    defer { try? FileManager.default.removeItem(at: folder) }
    let stream = folder.appendingPathComponent("events.jsonl")
    let (_, output) = swift(
        [
            "test", "--filter", filter, "--experimental-event-stream-output", stream.path, "--experimental-event-stream-version",
            "0",
        ], leavingOut: leavingOut)
    guard let text = try? String(contentsOf: stream, encoding: .utf8) else {
        print(output.suffix(3000))
        Options.fail("swift test produced no results (its output is above)")
    }
    var results: [String: Result] = [:]
    var order: [String] = []
    for line in text.split(separator: "\n") {
        guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
            let payload = object["payload"] as? [String: Any]
        else { continue }
        if object["kind"] as? String == "test", payload["kind"] as? String == "function",
            let id = payload["id"] as? String, let name = payload["name"] as? String,
            let title = payload["displayName"] as? String,
            let chapter = chapters.first(where: { id.hasPrefix("\($0.name)ExerciseTests.") })
        {
            results[id] = Result(
                chapter: chapter.name, function: String(name.dropLast(2)), title: title, status: .passed, messages: [])
            order.append(id)
            continue
        }
        guard let id = payload["testID"] as? String, results[id] != nil else { continue }
        let comments = payload["_comments"] as? [String] ?? []
        switch payload["kind"] as? String {
        case "testCancelled":
            results[id]!.status = .notAttempted
            results[id]!.messages += comments
        case "issueRecorded":
            // The check's own report ("4.1 …: expected …, hint …"), not the exit test's bare expectation.
            let ours = comments.filter { $0.hasPrefix(results[id]!.title) }
            results[id]!.status = .failed
            results[id]!.messages += ours.map { String($0.dropFirst(results[id]!.title.count + 2)) }
        default:
            break
        }
    }
    return order.compactMap { results[$0] }.sorted { $0.title.localizedStandardCompare($1.title) == .orderedAscending }
}

// MARK: Main

let options = Options(Array(CommandLine.arguments.dropFirst()))
let all = chapters()
guard !all.isEmpty else { Options.fail("found no chapters in Package.swift") }

// Which chapters and which exercise the learner asked for.
var selected = all
var onlyFunction: String?
var onlyTitle: String?
if let selection = options.selection {
    if let chapter = all.first(where: { $0.name.lowercased() == selection.lowercased() || "\($0.number)" == selection }) {
        selected = [chapter]
    } else if selection.contains("."), let number = Int(selection.split(separator: ".")[0]),
        let chapter = all.first(where: { $0.number == number })
    {
        selected = [chapter]
        onlyTitle = selection + " "
    } else {
        onlyFunction = selection  // a function name; the test filter finds its chapter
    }
}

/// One check of the selected exercises, printed; returns whether everything compiled and nothing failed.
@MainActor func checkOnce() -> Bool {
    print("Compiling your exercises…")
    var blocked: [(Chapter, [String])] = []
    for chapter in all {
        let errors = compileErrors(chapter)
        if !errors.isEmpty { blocked.append((chapter, errors)) }
    }
    let progressFile = URL(fileURLWithPath: ".build/exercises-progress.json")
    let saved = (try? JSONDecoder().decode([Result].self, from: Data(contentsOf: progressFile))) ?? []
    if !blocked.isEmpty {
        print("\nThese exercise files do not compile; their chapters cannot be checked until they do:\n")
        for (chapter, errors) in blocked {
            print("Chapter \(chapter.number) · \(chapter.name):")
            for error in errors.prefix(5) { print("  " + error) }
        }
    }
    // The chapters that compile are checked in a build that leaves the others out (see
    // EXERCISES_LEFT_OUT in Package.swift).
    let checkable = selected.filter { chapter in !blocked.contains { $0.0.name == chapter.name } }
    var results: [Result] = []
    if !checkable.isEmpty {
        let suites = checkable.map { "\($0.name)ExerciseTests\\.\($0.name)ExerciseTests/" }.joined(separator: "|")
        let filter = onlyFunction.map { "ExerciseTests\\.[A-Za-z]+ExerciseTests/\($0)\\(\\)" } ?? "(\(suites))"
        print(blocked.isEmpty ? "Checking…" : "\nChecking the chapters that compile…")
        results = runTests(filter: filter, chapters: all, leavingOut: blocked.map(\.0))
        if let onlyTitle { results = results.filter { $0.title.hasPrefix(onlyTitle) } }
        // Remember the results, so that a later run blocked by a compile error can still show them.
        var kept = saved
        kept.removeAll { old in results.contains { $0.chapter == old.chapter && $0.function == old.function } }
        if let data = try? JSONEncoder().encode(kept + results) { try? data.write(to: progressFile) }
    }
    // A blocked chapter shows the results of its last run that compiled, as not checked now.
    let stale = saved.filter { old in
        blocked.contains { $0.0.name == old.chapter } && selected.contains { $0.name == old.chapter }
            && (onlyFunction == nil || old.function == onlyFunction) && (onlyTitle == nil || old.title.hasPrefix(onlyTitle!))
    }.map { result in
        var result = result
        result.status = .notChecked
        result.messages = ["its chapter does not compile"]
        return result
    }
    if !stale.isEmpty { print("\nChapters that do not compile show the results of their last run that compiled.") }
    results = (results + stale).sorted { $0.title.localizedStandardCompare($1.title) == .orderedAscending }
    let blockedHere = blocked.filter { pair in selected.contains { $0.name == pair.0.name } }
    if results.isEmpty && blockedHere.isEmpty { Options.fail("no exercise matches '\(options.selection ?? "")'") }

    // The progress table, chapter by chapter.
    print("")
    let width = max(12, all.map(\.name.count).max()! + 14)
    func pad(_ text: String, _ n: Int) -> String { text.count >= n ? text : text + String(repeating: " ", count: n - text.count) }
    print(pad("chapter", width) + "done   failed   not attempted")
    for chapter in all {
        let mine = results.filter { $0.chapter == chapter.name }
        if mine.isEmpty && blockedHere.contains(where: { $0.0.name == chapter.name }) {
            print(pad("\(chapter.number) \(chapter.name)", width) + "(does not compile; no earlier results)")
        }
        guard !mine.isEmpty else { continue }
        let done = mine.filter { $0.status == .passed }.count
        let failed = mine.filter { $0.status == .failed }.count
        let open = mine.filter { $0.status == .notAttempted }.count
        let unchecked = mine.filter { $0.status == .notChecked }.count
        print(
            pad("\(chapter.number) \(chapter.name)", width) + pad("\(done) of \(mine.count)", 7) + pad("\(failed)", 9) + "\(open)"
                + (unchecked > 0 ? "   (\(unchecked) not checked: compile error)" : ""))
    }
    let total = results.filter { $0.status == .passed }.count
    if !results.isEmpty { print("\(total) of \(results.count) exercises done.") }

    // What went wrong, in exercise order, with the checks' hints.
    for result in results where result.status == .failed {
        print("\n✘ \(result.title)")
        for message in result.messages.prefix(3) {
            print(message.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))
        }
    }

    // What to do next.
    // A compile error in the chapters asked for comes first, one elsewhere last.
    if let (chapter, errors) = blockedHere.first ?? (results.contains { $0.status != .passed } ? nil : blocked.first) {
        // "Exercises/…/File.swift:12:5: error: …" names its place; a failure without one names the chapter.
        let first = errors[0].split(separator: " ").first.map(String.init) ?? ""
        let place = first.contains(".swift:") ? "the compile error at \(first.dropLast())" : "the build of Chapter \(chapter.number) (its output is above)"
        print("\n" + wrapped("Next: fix \(place), then run: swift run exercises"))
    } else if let next = results.first(where: { $0.status == .failed }) {
        print("\n" + wrapped("Next: fix \(next.title) (above), then run: swift run exercises \(next.title.split(separator: " ")[0])"))
    } else if let next = results.first(where: { $0.status == .notAttempted }) {
        let message = next.messages.first ?? ""
        print("\n" + wrapped("Next: \(next.title) — \(message.replacingOccurrences(of: "not attempted — ", with: ""))"))
        print("Then run: swift run exercises \(next.title.split(separator: " ")[0])")
    } else if blocked.isEmpty {
        print("\nEverything here is done.")
    }
    return blocked.isEmpty && !results.contains { $0.status == .failed }
}

/// The newest modification time of any Swift file under Exercises/.
func exercisesStamp() -> Date {
    let files = FileManager.default.enumerator(atPath: "Exercises")?.compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") } ?? []
    return files.compactMap { try? FileManager.default.attributesOfItem(atPath: "Exercises/" + $0)[.modificationDate] as? Date }.max()
        ?? .distantPast
}

if options.watch {
    while true {
        _ = checkOnce()
        print("\nWatching Exercises/ for changes (Ctrl-C ends)…")
        let stamp = exercisesStamp()
        while exercisesStamp() == stamp { Thread.sleep(forTimeInterval: 1) }
        print("\n" + String(repeating: "─", count: 60))
    }
}
exit(checkOnce() ? 0 : 1)
