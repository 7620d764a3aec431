// One way to reject invalid input, in every build mode.
//
// The standard library's precondition is the usual tool, but an optimized build (`-O`, the
// one `swift run -c release` makes) compiles its message out: a shape mismatch becomes a
// bare trap with no word of which shapes. `fatalError` keeps its message in every build
// mode except `-Ounchecked`, so these two helpers are built on it.

/// Stops the program with `message` unless `condition` holds, in debug and release builds.
///
/// ```swift
/// require(a.columns == b.rows, "matmul: \(a.shapeDescription) · \(b.shapeDescription): inner dimensions differ")
/// ```
/// The message is only built when the condition fails, so it may format values freely.
@inlinable @inline(__always)
public func require(
    _ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String, file: StaticString = #fileID,
    line: UInt = #line
) {
    if _slowPath(!condition()) { fatalError(message(), file: file, line: line) }
}

/// Stops the program with `message`, in debug and release builds: for a case that input
/// validation has already ruled out, or an invalid combination found midway.
public func requirementFailed(_ message: @autoclosure () -> String, file: StaticString = #fileID, line: UInt = #line) -> Never {
    fatalError(message(), file: file, line: line)
}
