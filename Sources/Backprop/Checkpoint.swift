import Foundation
import LinearAlgebra
import Randomness
import Validation

/// Everything a training run needs to go on later, by name: a model's parameters and
/// buffers, an optimizer's state, generators, counters (the epoch). Saved to one file and
/// read back bit for bit, so training resumed from a checkpoint equals training never
/// interrupted.
///
/// ```swift
/// var checkpoint = Checkpoint()
/// checkpoint.store(model)                          // "model.0.W1", "model.1.runningMean1", …
/// checkpoint.store(adam, of: model)                // "optimizer.0.W1.m", "optimizer.learningRate", …
/// checkpoint.store(5, as: "epoch")
/// try checkpoint.write(to: url)
///
/// var saved = try Checkpoint(contentsOf: url)
/// try saved.restore(&freshModel)
/// try saved.restore(&freshAdam, of: freshModel)
/// let epoch = try saved.integer("epoch")
/// try saved.requireAllRestored()                   // an entry nobody asked for is an error
/// ```
///
/// The file (version 1, all numbers little-endian):
///
/// ```
/// "DLSWCKPT"                    8 bytes, the magic
/// version                       UInt32 (1)
/// entry count                   UInt32
/// each entry:  name length      UInt32, then the name in UTF-8
///              rank             UInt32, then each size as UInt64
///              values           one UInt64 each: a Double's bit pattern
/// "END."                        4 bytes: a file cut short never ends with it
/// ```
/// Doubles are stored as their bit patterns, never as text, so every value (−0, NaN,
/// subnormals, the last digit) comes back exactly.
public struct Checkpoint: Sendable {
    /// The format this build writes and reads.
    public static let version: UInt32 = 1
    static let magic = Array("DLSWCKPT".utf8)
    static let endMarker = Array("END.".utf8)

    /// One named array and its shape.
    public struct Entry: Sendable, Equatable {
        /// The array's name: a parameter's full name ("0.W1"), or an optimizer state's under it.
        public var name: String
        /// The array's shape (its values are row-major under it).
        public var shape: [Int]
        /// The array's values.
        public var values: [Double]
    }

    /// The entries, in the order they were stored (or read).
    public private(set) var entries: [Entry] = []
    /// The file the checkpoint was read from, for error messages.
    public let source: String?
    /// The names a `restore` or a read has used.
    private var used = Set<String>()

    /// An empty checkpoint, to store into.
    public init() {
        source = nil
    }

    // MARK: Storing

    /// Adds one named array; the name must be new.
    public mutating func store(_ values: [Double], shape: [Int]? = nil, as name: String) {
        let shape = shape ?? [values.count]
        require(!name.isEmpty, "Checkpoint: an entry needs a name")
        require(
            shape.allSatisfy { $0 >= 0 } && shape.reduce(1, *) == values.count,
            "Checkpoint: entry \"\(name)\" has \(values.count) values for the shape \(shape)")
        require(!entries.contains { $0.name == name }, "Checkpoint: an entry called \"\(name)\" is already stored")
        entries.append(Entry(name: name, shape: shape, values: values))
    }

    /// Every parameter (its value) and buffer of `model`, under `prefix` + its full name.
    public mutating func store<Model: Layer>(_ model: Model, as prefix: String = "model.") {
        requireUniqueNames(model, context: "Checkpoint.store")
        for (name, parameter) in model.namedParameters { store(parameter.value, shape: parameter.shape, as: prefix + name) }
        for (name, values) in model.namedBuffers { store(values, as: prefix + name) }
    }

    /// The optimizer's learning rate and, for each parameter of `model`, every array the
    /// rule keeps for it (``Optimizer/savedState(of:)``), under `prefix` + the parameter's
    /// full name + the array's name: "optimizer.0.W1.m".
    public mutating func store<Rule: Optimizer, Model: Layer>(_ optimizer: Rule, of model: Model, as prefix: String = "optimizer.") {
        requireUniqueNames(model, context: "Checkpoint.store")
        store([optimizer.learningRate], as: prefix + "learningRate")
        for (name, parameter) in model.namedParameters {
            let state = optimizer.savedState(of: parameter)
            for key in state.keys.sorted() { store(state[key]!, as: "\(prefix)\(name).\(key)") }
        }
    }

    /// A generator's state (4 words, as 8 exact halves).
    public mutating func store(_ generator: SeededGenerator, as name: String) {
        store(generator.stateAsDoubles, as: name)
    }

    /// A whole number (an epoch, a step count), exact below 2⁵³.
    public mutating func store(_ value: Int, as name: String) {
        require(abs(value) < 1 << 53, "Checkpoint: \(value) is too large to store exactly")
        store([Double(value)], as: name)
    }

    // MARK: Restoring

    /// The entry called `name`, marked as used; an error naming the file if there is none.
    public mutating func values(_ name: String, shape: [Int]? = nil) throws -> [Double] {
        guard let entry = entries.first(where: { $0.name == name }) else {
            throw CheckpointError(file: source, "has no entry \"\(name)\"")
        }
        if let shape, entry.shape != shape {
            throw CheckpointError(
                file: source, "entry \"\(name)\" has the shape \(Tensor.describe(entry.shape)) but \(Tensor.describe(shape)) is needed here")
        }
        used.insert(name)
        return entry.values
    }

    /// Sets every parameter and buffer of `model` from the entries under `prefix`. Stops
    /// at the first missing or mis-shaped entry with an error naming it; `model` is
    /// changed only when every entry fits.
    public mutating func restore<Model: Layer>(_ model: inout Model, from prefix: String = "model.") throws {
        requireUniqueNames(model, context: "Checkpoint.restore")
        var parameterValues: [String: [Double]] = [:], bufferValues: [String: [Double]] = [:]
        for (name, parameter) in model.namedParameters {
            parameterValues[name] = try values(prefix + name, shape: parameter.shape)
        }
        for (name, buffer) in model.namedBuffers {
            bufferValues[name] = try values(prefix + name, shape: [buffer.count])
        }
        model.visitNamedParameters(prefix: "") { name, parameter in parameter.value = parameterValues[name]! }
        model.visitBuffers(prefix: "") { name, values in values = bufferValues[name]! }
    }

    /// Sets the optimizer's learning rate and its state for each parameter of `model` (a
    /// copy of the model it was saved with, restored first) from the entries under `prefix`.
    public mutating func restore<Rule: Optimizer, Model: Layer>(
        _ optimizer: inout Rule, of model: Model, from prefix: String = "optimizer."
    ) throws {
        requireUniqueNames(model, context: "Checkpoint.restore")
        let rate = try values(prefix + "learningRate", shape: [1])[0]
        var restored = optimizer
        restored.learningRate = rate
        for (name, parameter) in model.namedParameters {
            let head = "\(prefix)\(name)."
            var state: [String: [Double]] = [:]
            for entry in entries where entry.name.hasPrefix(head) {
                let key = String(entry.name.dropFirst(head.count))
                guard !key.contains(".") else { continue }  // a deeper name belongs to another parameter
                state[key] = try values(entry.name)
            }
            do {
                try restored.restoreState(state, of: parameter)
            } catch let error as OptimizerStateError {
                throw CheckpointError(file: source, "entries \"\(head)…\": \(error.description)")
            }
        }
        optimizer = restored
    }

    /// A generator stored with ``store(_:as:)-(SeededGenerator,_)``.
    public mutating func generator(_ name: String) throws -> SeededGenerator {
        let halves = try values(name, shape: [8])
        guard halves.allSatisfy({ $0 >= 0 && $0 <= 4_294_967_295 && $0 == $0.rounded() }), halves.contains(where: { $0 != 0 }) else {
            throw CheckpointError(file: source, "entry \"\(name)\" is not a generator's state")
        }
        var generator = SeededGenerator(seed: 0)
        generator.stateAsDoubles = halves
        return generator
    }

    /// A whole number stored with ``store(_:as:)-(Int,_)``.
    public mutating func integer(_ name: String) throws -> Int {
        let value = try values(name, shape: [1])[0]
        guard value == value.rounded(), abs(value) < 0x1p53 else {
            throw CheckpointError(file: source, "entry \"\(name)\" is \(value), not a whole number")
        }
        return Int(value)
    }

    /// An error naming every entry no `restore` or read has used: a checkpoint of another
    /// model, or of a model with an extra layer, is refused rather than half-loaded.
    public func requireAllRestored() throws {
        let unused = entries.map(\.name).filter { !used.contains($0) }
        guard unused.isEmpty else {
            throw CheckpointError(file: source, "has entries this model and optimizer do not have: \(describeNames(unused))")
        }
    }

    // MARK: The file

    /// The checkpoint in the file format above.
    public var bytes: [UInt8] {
        var out = Checkpoint.magic
        func put32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { out += $0 } }
        func put64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { out += $0 } }
        put32(Checkpoint.version)
        put32(UInt32(entries.count))
        for entry in entries {
            let name = Array(entry.name.utf8)
            put32(UInt32(name.count))
            out += name
            put32(UInt32(entry.shape.count))
            for size in entry.shape { put64(UInt64(size)) }
            for value in entry.values { put64(value.bitPattern) }
        }
        return out + Checkpoint.endMarker
    }

    /// Reads a checkpoint from `bytes`; `source` names them in errors.
    public init(bytes: [UInt8], source: String) throws {
        self.source = source
        var reader = ByteReader(bytes: bytes, source: source)
        guard bytes.count >= 8, Array(bytes[0..<8]) == Checkpoint.magic else {
            throw CheckpointError(file: source, "is not a checkpoint (it does not start with \"DLSWCKPT\")")
        }
        reader.offset = 8
        let version = try reader.uint32(context: "the header")
        guard version == Checkpoint.version else {
            throw CheckpointError(file: source, "is format version \(version); this build reads version \(Checkpoint.version)")
        }
        let count = try reader.uint32(context: "the header")
        for index in 0..<Int(count) {
            let context = "entry \(index + 1) of \(count)"
            let nameLength = try reader.uint32(context: context)
            let nameBytes = try reader.take(Int(nameLength), context: context)
            guard let name = String(validating: nameBytes, as: UTF8.self), !name.isEmpty else {
                throw CheckpointError(file: source, "\(context) has a name that is not UTF-8 text")
            }
            let named = "\(context) (\"\(name)\")"
            let rank = try reader.uint32(context: named)
            var shape: [Int] = []
            var total = 1
            for _ in 0..<rank {
                let size = try reader.uint64(context: named)
                let (product, overflow) = total.multipliedReportingOverflow(by: Int(clamping: size))
                guard size <= UInt64(Int.max), !overflow, product <= bytes.count / 8 else {
                    throw CheckpointError(file: source, "\(named) declares more values than the file holds")
                }
                shape.append(Int(size))
                total = product
            }
            let raw = try reader.take(8 * total, context: named)
            var values = [Double](repeating: 0, count: total)
            for i in 0..<total {
                var bits: UInt64 = 0
                for b in (0..<8).reversed() { bits = bits << 8 | UInt64(raw[8 * i + b]) }
                values[i] = Double(bitPattern: bits)
            }
            guard !entries.contains(where: { $0.name == name }) else {
                throw CheckpointError(file: source, "has two entries called \"\(name)\"")
            }
            entries.append(Entry(name: name, shape: shape, values: values))
        }
        let end = try reader.take(4, context: "the end marker after \(count) entries")
        guard end == Checkpoint.endMarker, reader.offset == bytes.count else {
            throw CheckpointError(file: source, "does not end after its \(count) entries (\(bytes.count - reader.offset + 4) bytes left)")
        }
    }

    /// Reads the checkpoint in `url`.
    public init(contentsOf url: URL) throws {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw CheckpointError(file: url.path, "cannot be read: \(error.localizedDescription)")
        }
        try self.init(bytes: [UInt8](data), source: url.path)
    }

    /// Writes the checkpoint to `url`: first to a new temporary file beside it, then
    /// renamed over `url` in one step, so a crash midway never leaves a half-written file
    /// under the real name. The temporary file is removed if anything fails (it is ours).
    public func write(to url: URL) throws {
        let directory = url.deletingLastPathComponent()
        let temporary = directory.appendingPathComponent(
            ".\(url.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).\(UInt32.random(in: 0...UInt32.max)).partial")
        do {
            try Data(bytes).write(to: temporary, options: .withoutOverwriting)  // refuses to replace an existing file
        } catch {
            throw CheckpointError(file: url.path, "cannot be written: \(error.localizedDescription)")
        }
        guard rename(temporary.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)  // the temporary file we just wrote
            throw CheckpointError(file: url.path, "cannot be written: \(reason)")
        }
    }
}

/// A checkpoint that cannot be read, written or restored: the message names the file and
/// the entry.
public struct CheckpointError: Error, CustomStringConvertible {
    public let description: String

    /// "checkpoint <file> <problem>".
    public init(file: String?, _ problem: String) {
        description = "checkpoint \(file ?? "(in memory)") \(problem)"
    }
}

/// Reads little-endian numbers off a byte array, naming what it was reading when the bytes run out.
struct ByteReader {
    let bytes: [UInt8]
    let source: String
    var offset = 0

    mutating func take(_ count: Int, context: String) throws -> [UInt8] {
        guard count >= 0, bytes.count - offset >= count else {
            throw CheckpointError(file: source, "is cut short: it ends inside \(context) (at byte \(bytes.count))")
        }
        defer { offset += count }
        return Array(bytes[offset..<(offset + count)])
    }

    mutating func uint32(context: String) throws -> UInt32 {
        try take(4, context: context).reversed().reduce(0) { $0 << 8 | UInt32($1) }
    }

    mutating func uint64(context: String) throws -> UInt64 {
        try take(8, context: context).reversed().reduce(0) { $0 << 8 | UInt64($1) }
    }
}
