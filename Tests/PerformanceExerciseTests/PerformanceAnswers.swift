import ExerciseSupport
import ExerciseTesting
import NumericChecks
import Performance
import PerformanceExercises
import PerformanceSolutions

/// The exercises of the appendix, in the order of the lesson's list.
enum PerformanceExercise: String, ChapterExercise {
    case matmulIKJ, matmulTiled2x2, dotSIMD4, transposeBlocked

    /// The number and title the test report shows.
    var title: String {
        switch self {
        case .matmulIKJ: "12.1 the loops turned: i, k, j"
        case .matmulTiled2x2: "12.2 a 2×2 register tile"
        case .dotSIMD4: "12.3 a dot product in four lanes"
        case .transposeBlocked: "12.4 transposing in blocks"
        }
    }
}

typealias ProductAnswer = @Sendable ([Double], [Double], Int, Int, Int) throws -> [Double]

/// One implementation of every exercise of the appendix: the learner's, the worked
/// solutions, or (in the tests) a deliberately wrong one.
struct PerformanceAnswers: ChapterAnswers {
    static let chapter = "Performance"

    var matmulIKJ: ProductAnswer
    var matmulTiled2x2: ProductAnswer
    var dotSIMD4: @Sendable ([Double], [Double]) throws -> Double
    var transposeBlocked: @Sendable ([Double], Int, Int, Int) throws -> [Double]

    /// The learner's answers, from `Exercises/Performance`.
    static let exercises = PerformanceAnswers(
        matmulIKJ: {
            CrashLog.noteCall("matmulIKJ(\(shortList($0)), \(shortList($1)), m: \($2), k: \($3), n: \($4))")
            return try PerformanceExercises.matmulIKJ($0, $1, m: $2, k: $3, n: $4)
        },
        matmulTiled2x2: {
            CrashLog.noteCall("matmulTiled2x2(\(shortList($0)), \(shortList($1)), m: \($2), k: \($3), n: \($4))")
            return try PerformanceExercises.matmulTiled2x2($0, $1, m: $2, k: $3, n: $4)
        },
        dotSIMD4: {
            CrashLog.noteCall("dotSIMD4(\(shortList($0)), \(shortList($1)))")
            return try PerformanceExercises.dotSIMD4($0, $1)
        },
        transposeBlocked: {
            CrashLog.noteCall("transposeBlocked(\(shortList($0)), rows: \($1), columns: \($2), block: \($3))")
            return try PerformanceExercises.transposeBlocked($0, rows: $1, columns: $2, block: $3)
        })

    /// The worked answers, from `Solutions/Performance`.
    static let solutions = PerformanceAnswers(
        matmulIKJ: { try PerformanceSolutions.matmulIKJ($0, $1, m: $2, k: $3, n: $4) },
        matmulTiled2x2: { try PerformanceSolutions.matmulTiled2x2($0, $1, m: $2, k: $3, n: $4) },
        dotSIMD4: { try PerformanceSolutions.dotSIMD4($0, $1) },
        transposeBlocked: { try PerformanceSolutions.transposeBlocked($0, rows: $1, columns: $2, block: $3) })

    /// Every exercise left as an untouched stub.
    static let allStubs = PerformanceAnswers(
        matmulIKJ: { _, _, _, _, _ in throw NotAttempted() }, matmulTiled2x2: { _, _, _, _, _ in throw NotAttempted() },
        dotSIMD4: { _, _ in throw NotAttempted() }, transposeBlocked: { _, _, _, _ in throw NotAttempted() })

    /// Checks one exercise of these answers.
    func check(_ exercise: PerformanceExercise) -> CheckOutcome {
        switch exercise {
        case .matmulIKJ: PerformanceExerciseChecks.matmulIKJ(matmulIKJ)
        case .matmulTiled2x2: PerformanceExerciseChecks.matmulTiled2x2(matmulTiled2x2)
        case .dotSIMD4: PerformanceExerciseChecks.dotSIMD4(dotSIMD4)
        case .transposeBlocked: PerformanceExerciseChecks.transposeBlocked(transposeBlocked)
        }
    }
}
