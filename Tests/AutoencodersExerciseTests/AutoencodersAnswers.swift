import Autoencoders
import AutoencodersExercises
import AutoencodersSolutions
import ExerciseSupport
import ExerciseTesting
import NumericChecks

/// The exercises of Chapter 9, in the order of the lesson's list.
enum AutoencodersExercise: String, ChapterExercise {
    case reparameterizeSample, reparameterizeSampleBackward, klToStandardNormal, elboTerms, transposedConvolution,
        transposedConvolutionBackward, importanceWeightedLogLikelihood

    /// The number and title the test report shows.
    var title: String {
        switch self {
        case .reparameterizeSample: "9.1 the reparameterization trick, forward"
        case .reparameterizeSampleBackward: "9.2 the reparameterization trick, backward"
        case .klToStandardNormal: "9.3 the KL term and its gradient"
        case .elboTerms: "9.4 the ELBO's two terms for a batch"
        case .transposedConvolution: "9.5 a transposed convolution, forward"
        case .transposedConvolutionBackward: "9.6 a transposed convolution, backward"
        case .importanceWeightedLogLikelihood: "9.7 the importance-weighted bound"
        }
    }
}

typealias ReparameterizeBackwardAnswer = @Sendable ([Double], [Double], [Double], [Double]) throws -> (mean: [Double], logVariance: [Double])
typealias KLAnswer = @Sendable ([Double], [Double]) throws -> (kl: Double, meanGradient: [Double], logVarianceGradient: [Double])
typealias ELBOAnswer = @Sendable ([Double], [Double], Int, [Double], [Double]) throws -> (reconstruction: Double, kl: Double)
typealias ConvTransposeAnswer = @Sendable ([Double], Int, Int, Int, [Double], [Double], Int, Int, Int, Int) throws -> [Double]
typealias ConvTransposeBackwardAnswer =
    @Sendable ([Double], [Double], Int, Int, Int, [Double], Int, Int, Int, Int) throws -> (
        input: [Double], weight: [Double], bias: [Double]
    )
typealias BoundAnswer = @Sendable ([Double], [[Double]], [[Double]], [Double]) throws -> Double

/// One implementation of every Chapter 9 exercise: the learner's, the worked solutions,
/// or (in the tests) a deliberately wrong one.
struct AutoencodersAnswers: ChapterAnswers {
    static let chapter = "Autoencoders"

    var reparameterizeSample: @Sendable ([Double], [Double], [Double]) throws -> [Double]
    var reparameterizeSampleBackward: ReparameterizeBackwardAnswer
    var klToStandardNormal: KLAnswer
    var elboTerms: ELBOAnswer
    var transposedConvolution: ConvTransposeAnswer
    var transposedConvolutionBackward: ConvTransposeBackwardAnswer
    var importanceWeightedLogLikelihood: BoundAnswer

    /// The learner's answers, from `Exercises/Autoencoders`.
    static let exercises = AutoencodersAnswers(
        reparameterizeSample: {
            CrashLog.noteCall("reparameterizeSample(mean: \(shortList($0)), logVariance: \(shortList($1)), noise: \(shortList($2)))")
            return try AutoencodersExercises.reparameterizeSample(mean: $0, logVariance: $1, noise: $2)
        },
        reparameterizeSampleBackward: {
            CrashLog.noteCall(
                "reparameterizeSampleBackward(mean: \(shortList($0)), logVariance: \(shortList($1)), noise: \(shortList($2)), zGradient: \(shortList($3)))")
            return try AutoencodersExercises.reparameterizeSampleBackward(mean: $0, logVariance: $1, noise: $2, zGradient: $3)
        },
        klToStandardNormal: {
            CrashLog.noteCall("klToStandardNormal(mean: \(shortList($0)), logVariance: \(shortList($1)))")
            return try AutoencodersExercises.klToStandardNormal(mean: $0, logVariance: $1)
        },
        elboTerms: {
            CrashLog.noteCall(
                "elboTerms(logits: \(shortList($0)), images: \(shortList($1)), pixels: \($2), mean: \(shortList($3)), logVariance: \(shortList($4)))")
            return try AutoencodersExercises.elboTerms(logits: $0, images: $1, pixels: $2, mean: $3, logVariance: $4)
        },
        transposedConvolution: {
            CrashLog.noteCall(
                "transposedConvolution(input: \(shortList($0)), channels: \($1), height: \($2), width: \($3), weight: \(shortList($4)), "
                    + "bias: \(shortList($5)), kernel: \($6), stride: \($7), padding: \($8), outputPadding: \($9))")
            return try AutoencodersExercises.transposedConvolution(
                input: $0, channels: $1, height: $2, width: $3, weight: $4, bias: $5, kernel: $6, stride: $7, padding: $8, outputPadding: $9)
        },
        transposedConvolutionBackward: {
            CrashLog.noteCall(
                "transposedConvolutionBackward(outputGradient: \(shortList($0)), input: \(shortList($1)), channels: \($2), height: \($3), "
                    + "width: \($4), weight: \(shortList($5)), kernel: \($6), stride: \($7), padding: \($8), outputPadding: \($9))")
            return try AutoencodersExercises.transposedConvolutionBackward(
                outputGradient: $0, input: $1, channels: $2, height: $3, width: $4, weight: $5, kernel: $6, stride: $7, padding: $8,
                outputPadding: $9)
        },
        importanceWeightedLogLikelihood: {
            CrashLog.noteCall(
                "importanceWeightedLogLikelihood(logLikelihoods: \(shortList($0)), latents: \($1.count) rows, noise: \($2.count) rows, "
                    + "logVariance: \(shortList($3)))")
            return try AutoencodersExercises.importanceWeightedLogLikelihood(logLikelihoods: $0, latents: $1, noise: $2, logVariance: $3)
        })

    /// The worked answers, from `Solutions/Autoencoders`.
    static let solutions = AutoencodersAnswers(
        reparameterizeSample: { try AutoencodersSolutions.reparameterizeSample(mean: $0, logVariance: $1, noise: $2) },
        reparameterizeSampleBackward: { try AutoencodersSolutions.reparameterizeSampleBackward(mean: $0, logVariance: $1, noise: $2, zGradient: $3) },
        klToStandardNormal: { try AutoencodersSolutions.klToStandardNormal(mean: $0, logVariance: $1) },
        elboTerms: { try AutoencodersSolutions.elboTerms(logits: $0, images: $1, pixels: $2, mean: $3, logVariance: $4) },
        transposedConvolution: {
            try AutoencodersSolutions.transposedConvolution(
                input: $0, channels: $1, height: $2, width: $3, weight: $4, bias: $5, kernel: $6, stride: $7, padding: $8, outputPadding: $9)
        },
        transposedConvolutionBackward: {
            try AutoencodersSolutions.transposedConvolutionBackward(
                outputGradient: $0, input: $1, channels: $2, height: $3, width: $4, weight: $5, kernel: $6, stride: $7, padding: $8,
                outputPadding: $9)
        },
        importanceWeightedLogLikelihood: {
            try AutoencodersSolutions.importanceWeightedLogLikelihood(logLikelihoods: $0, latents: $1, noise: $2, logVariance: $3)
        })

    /// Every exercise left as an untouched stub.
    static let allStubs = AutoencodersAnswers(
        reparameterizeSample: { _, _, _ in throw NotAttempted() }, reparameterizeSampleBackward: { _, _, _, _ in throw NotAttempted() },
        klToStandardNormal: { _, _ in throw NotAttempted() }, elboTerms: { _, _, _, _, _ in throw NotAttempted() },
        transposedConvolution: { _, _, _, _, _, _, _, _, _, _ in throw NotAttempted() },
        transposedConvolutionBackward: { _, _, _, _, _, _, _, _, _, _ in throw NotAttempted() },
        importanceWeightedLogLikelihood: { _, _, _, _ in throw NotAttempted() })

    /// Checks one exercise of these answers.
    func check(_ exercise: AutoencodersExercise) -> CheckOutcome {
        switch exercise {
        case .reparameterizeSample: AutoencodersExerciseChecks.reparameterization(reparameterizeSample)
        case .reparameterizeSampleBackward: AutoencodersExerciseChecks.reparameterizationBackward(reparameterizeSampleBackward)
        case .klToStandardNormal: AutoencodersExerciseChecks.kl(klToStandardNormal)
        case .elboTerms: AutoencodersExerciseChecks.elbo(elboTerms)
        case .transposedConvolution: AutoencodersExerciseChecks.transposedForward(transposedConvolution)
        case .transposedConvolutionBackward: AutoencodersExerciseChecks.transposedBackward(transposedConvolutionBackward)
        case .importanceWeightedLogLikelihood: AutoencodersExerciseChecks.bound(importanceWeightedLogLikelihood)
        }
    }
}
