/// The command-line options every lesson accepts.
struct LessonOptions: Equatable {
    var seed: UInt64 = Lesson.defaultSeed
    var markdownDirectory: String?

    enum Parsed: Equatable {
        case help
        case run(LessonOptions)
    }

    struct ParseError: Error, Equatable {
        let message: String
    }

    /// Parses `--seed N`, `--seed=N`, `--markdown DIR`, `--markdown=DIR`, `-h` and `--help`.
    static func parse(_ arguments: [String]) -> Result<Parsed, ParseError> {
        var options = LessonOptions()
        var rest = arguments[...]
        while let argument = rest.popFirst() {
            var name = argument
            var inlineValue: String?
            if argument.hasPrefix("--"), let equals = argument.firstIndex(of: "=") {
                name = String(argument[..<equals])
                inlineValue = String(argument[argument.index(after: equals)...])
            }
            func value() -> String? { inlineValue ?? rest.popFirst() }
            switch name {
            case "-h", "--help":
                return .success(.help)
            case "--seed":
                guard let text = value() else { return .failure(ParseError(message: "--seed needs a value")) }
                guard let seed = UInt64(text) else {
                    return .failure(ParseError(message: "--seed expects a non-negative integer, got '\(text)'"))
                }
                options.seed = seed
            case "--markdown":
                guard let directory = value(), !directory.isEmpty else {
                    return .failure(ParseError(message: "--markdown needs a directory"))
                }
                options.markdownDirectory = directory
            default:
                let kind = argument.hasPrefix("-") ? "unknown option" : "unexpected argument"
                return .failure(ParseError(message: "\(kind) '\(argument)'"))
            }
        }
        return .success(.run(options))
    }
}
