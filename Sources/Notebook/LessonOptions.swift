/// The command-line options every lesson accepts.
struct LessonOptions: Equatable {
    var seed: UInt64 = Lesson.defaultSeed
    var markdownDirectory: String?
    /// The lesson's own switches that were given (see ``Lesson/Flag``).
    var flags: Set<String> = []

    enum Parsed: Equatable {
        case help
        case run(LessonOptions)
    }

    struct ParseError: Error, Equatable {
        let message: String
    }

    /// Parses `--seed N`, `--seed=N`, `--markdown DIR`, `--markdown=DIR`, `-h` and `--help`.
    /// A lesson's own switches (`known`, e.g. "--measure") are accepted too; any other
    /// option is refused.
    static func parse(_ arguments: [String], known: [String] = []) -> Result<Parsed, ParseError> {
        var options = LessonOptions()
        var rest = arguments[...]
        while let argument = rest.popFirst() {
            var name = argument
            var inlineValue: String?
            if argument.hasPrefix("--"), let equals = argument.firstIndex(of: "=") {
                name = String(argument[..<equals])
                inlineValue = String(argument[argument.index(after: equals)...])
            }
            /// The option's value; a separate value that looks like another option is refused
            /// (`--markdown --seed 3` must not write into a folder named "--seed").
            func value() -> String? {
                if let inlineValue { return inlineValue }
                guard let next = rest.first, !next.hasPrefix("-") || Double(next) != nil else { return nil }
                return rest.popFirst()
            }
            switch name {
            case "-h", "--help":
                return .success(.help)
            case "--seed":
                guard let text = value() else {
                    return .failure(ParseError(message: "--seed needs a value" + (rest.first.map { ", got the option '\($0)'" } ?? "")))
                }
                guard let seed = UInt64(text) else {
                    return .failure(ParseError(message: "--seed expects a non-negative integer, got '\(text)'"))
                }
                options.seed = seed
            case "--markdown":
                guard let directory = value(), !directory.isEmpty else {
                    return .failure(ParseError(message: "--markdown needs a directory" + (rest.first.map { ", got the option '\($0)'" } ?? "")))
                }
                options.markdownDirectory = directory
            case _ where known.contains(name) && inlineValue == nil:
                options.flags.insert(name)
            default:
                let kind = argument.hasPrefix("-") ? "unknown option" : "unexpected argument"
                return .failure(ParseError(message: "\(kind) '\(argument)'"))
            }
        }
        return .success(.run(options))
    }
}
