import Foundation

/// Seven plays of Shakespeare as one text, for character-level language models.
///
/// Hamlet, Macbeth, Romeo and Juliet, Julius Caesar, Othello, King Lear and The Tempest,
/// in that order, modern spelling: 940,237 ASCII characters, 76 distinct ones. Speakers'
/// names are abbreviated on their own line; stage directions are in brackets. "Texts via
/// Project Gutenberg, as redistributed in the Open Knowledge Foundation's `shakespeare`
/// Python package (CC BY 2.5)"; the plays themselves are in the public domain. Shipped
/// inside the package (see `ATTRIBUTION.md` beside it).
public enum Shakespeare {
    /// The plays, as shipped with the package.
    public static func plays() throws(DatasetError) -> String {
        try bundledText("shakespeare-plays")
    }
}

/// 5,163 US first names (1990 Census, public domain), lowercase a–z, most frequent first.
public enum FirstNames {
    /// The names, as shipped with the package.
    public static func load() throws(DatasetError) -> [String] {
        try load(text: bundledText("first-names"), file: "first-names.txt")
    }

    /// Names from a text of one name per line, each made of the letters a–z only.
    public static func load(text: String, file: String) throws(DatasetError) -> [String] {
        var names: [String] = []
        for (index, line) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            if line.isEmpty { continue }
            guard line.allSatisfy({ ("a"..."z").contains($0) }) else {
                throw .malformed(file: file, line: index + 1, reason: "\"\(line)\" is not lowercase letters a–z")
            }
            names.append(String(line))
        }
        guard !names.isEmpty else { throw .malformed(file: file, line: 1, reason: "no names in the file") }
        return names
    }
}

/// A text file shipped in the package's resources.
func bundledText(_ name: String) throws(DatasetError) -> String {
    guard let url = Bundle.module.url(forResource: name, withExtension: "txt") else {
        throw .missingFile(path: "\(name).txt (the package's bundled resource)")
    }
    return try readText(url)
}

/// The contents of a UTF-8 text file, or an error naming the file.
func readText(_ url: URL) throws(DatasetError) -> String {
    let data: Data
    do {
        data = try Data(contentsOf: url)
    } catch {
        throw .missingFile(path: url.path)
    }
    guard let text = String(data: data, encoding: .utf8) else { throw .notUTF8(path: url.path) }
    guard text.contains(where: { !$0.isWhitespace }) else { throw .malformed(file: url.path, line: 1, reason: "the file is empty") }
    return text
}
