// swift-tools-version: 6.2
// Deep learning from scratch in Swift: the map of the curriculum.
//
// Support modules come first; then the chapters, in the order they are taught. Each
// chapter is five targets with one name:
//
//   Sources/<Chapter>             the chapter's library: the ideas, as plain loops
//   Lessons/<Chapter>             the lesson executable: `swift run <lesson>`
//   Exercises/<Chapter>           stubs the learner fills in
//   Solutions/<Chapter>           worked answers with the same API
//   Tests/<Chapter>Tests          tests of the chapter's library (gradient checks included)
//   Tests/<Chapter>ExerciseTests  the exercise checks, run on Exercises and on Solutions
//
// Adding a chapter is one line in `chapters` below plus its folders.

import PackageDescription

// MARK: - One lesson in every build

// The libraries and the lessons are compiled with optimization in every configuration, so
// the default `swift run <lesson>` (a debug build) runs the full lesson in about the time
// of a release build and prints the same bytes (CI compares them). Only what a learner
// debugs stays unoptimized in a debug build: the exercises, the solutions and the tests.
// Argument checks use `require` (Validation), whose messages survive -O.
let optimizedAlways: [SwiftSetting] = [.unsafeFlags(["-O"], .when(configuration: .debug))]

// MARK: - The kernels, at every vector width

// One source file, Sources/Kernels/Kernels.swift, compiled three times: for the baseline
// processor (SSE2 on x86-64; arm64's baseline already has NEON), and on x86-64 also for
// AVX2 (`-target-cpu haswell`) and AVX-512 (`-target-cpu skylake-avx512`); the other two
// folders link to it. LinearAlgebra picks the widest level the processor has at run time
// (KernelLevel.swift); KERNEL_LEVEL=baseline|avx2|avx512 forces one. Every level computes
// the same sums in the same order, so the same bits (no fused multiply-add is asked for).
#if arch(x86_64)
let wider: [(name: String, define: String, cpu: String?)] = [
    ("KernelsAVX2", "KERNELS_AVX2", "haswell"), ("KernelsAVX512", "KERNELS_AVX512", "skylake-avx512"),
]
#else
let wider: [(name: String, define: String, cpu: String?)] = [  // built as the baseline, never chosen
    ("KernelsAVX2", "KERNELS_AVX2", nil), ("KernelsAVX512", "KERNELS_AVX512", nil),
]
#endif
let kernels: [Target] = [.target(name: "Kernels", swiftSettings: [.unsafeFlags(["-O"])])]
    + wider.map { level in
        .target(
            name: level.name,
            swiftSettings: [.define(level.define), .unsafeFlags(["-O"] + (level.cpu.map { ["-target-cpu", $0] } ?? []))])
    }

// MARK: - Support modules

let support: [Target] = kernels + [
    // require(_:_:): argument checks whose messages survive optimized builds.
    .target(name: "Validation", swiftSettings: optimizedAlways),
    .target(name: "Randomness", dependencies: ["Validation"], swiftSettings: optimizedAlways),
    .target(
        name: "LinearAlgebra", dependencies: ["Validation", "Kernels", "KernelsAVX2", "KernelsAVX512"],
        swiftSettings: optimizedAlways),
    .target(name: "NumericChecks", dependencies: ["Validation"], swiftSettings: optimizedAlways),
    .target(
        name: "Datasets", dependencies: ["Validation", "Randomness", "LinearAlgebra"],
        resources: [
            .copy("Resources/digits.csv"), .copy("Resources/LICENSE-scikit-learn.txt"), .copy("Resources/ATTRIBUTION.md"),
            .copy("Resources/shakespeare-plays.txt"), .copy("Resources/COPYING-shakespeare-package.txt"),
            .copy("Resources/first-names.txt"),
        ],
        swiftSettings: optimizedAlways),
    .target(name: "Notebook", dependencies: ["Validation"], swiftSettings: optimizedAlways),
    .target(name: "ExerciseSupport", dependencies: ["NumericChecks"]),
]

let supportTests: [Target] = [
    // Shared by every chapter's exercise tests: reports a check as passed, not attempted or failed.
    .target(name: "ExerciseTesting", dependencies: ["ExerciseSupport"], path: "Tests/ExerciseTesting"),
    .testTarget(
        name: "SupportTests",
        dependencies: ["Randomness", "LinearAlgebra", "NumericChecks", "Datasets", "Notebook", "ExerciseSupport"]),
]

// MARK: - Chapters, in teaching order

struct Chapter {
    /// The module name, also the folder name under Sources, Lessons, Exercises and Solutions.
    let name: String
    /// The lesson's executable name: `swift run <lesson>`.
    let lesson: String
    /// Earlier chapters this one builds on.
    let after: [String]
}

let chapters: [Chapter] = [
    Chapter(name: "Perceptron", lesson: "perceptron", after: []),
    Chapter(name: "Activations", lesson: "activations", after: ["Perceptron"]),
    Chapter(name: "Backprop", lesson: "backprop", after: ["Perceptron", "Activations"]),
    Chapter(name: "Optimizers", lesson: "optimizers", after: ["Perceptron", "Activations", "Backprop"]),
    Chapter(name: "Regularization", lesson: "regularization", after: ["Perceptron", "Activations", "Backprop", "Optimizers"]),
    Chapter(name: "CNN", lesson: "cnn", after: ["Perceptron", "Activations", "Backprop", "Optimizers", "Regularization"]),
    Chapter(name: "LSTM", lesson: "lstm", after: ["Perceptron", "Activations", "Backprop", "Optimizers", "Regularization"]),
    Chapter(name: "Attention", lesson: "attention", after: ["Perceptron", "Activations", "Backprop", "Optimizers", "Regularization", "LSTM"]),
    Chapter(name: "Autoencoders", lesson: "autoencoders", after: ["Perceptron", "Activations", "Backprop", "Optimizers", "Regularization", "CNN"]),
    Chapter(name: "GANs", lesson: "gans", after: ["Perceptron", "Activations", "Backprop", "Optimizers", "Regularization", "CNN", "Autoencoders"]),
    Chapter(name: "Practice", lesson: "practice", after: ["Perceptron", "Activations", "Backprop", "Optimizers", "Regularization", "CNN"]),
    // The appendix: how the kernels every chapter runs on are made fast.
    Chapter(name: "Performance", lesson: "performance", after: []),
]

// MARK: - Targets of one chapter

// A compile error in one chapter's exercises must not stop the others from being checked.
// When some chapters' exercise files do not compile, `swift run exercises` checks the rest
// with EXERCISES_LEFT_OUT=Optimizers,CNN (say) set: that one build leaves those chapters'
// exercise modules and their checks out. Unset, every chapter is built.
let leftOut = Set((Context.environment["EXERCISES_LEFT_OUT"] ?? "").split(separator: ",").map(String.init))

let supportModules: [Target.Dependency] = [
    "Validation", "Randomness", "LinearAlgebra", "NumericChecks", "Datasets", "Notebook",
]

func targets(of chapter: Chapter) -> [Target] {
    let name = chapter.name
    let library = Target.Dependency(stringLiteral: name)
    let earlier = chapter.after.map { Target.Dependency(stringLiteral: $0) }
    let exercises: [Target] = [
        .target(
            name: "\(name)Exercises", dependencies: [library, "ExerciseSupport"] + supportModules + earlier,
            path: "Exercises/\(name)"),
        .testTarget(
            name: "\(name)ExerciseTests",
            dependencies: [library, .target(name: "\(name)Exercises"), .target(name: "\(name)Solutions"), "ExerciseSupport", "ExerciseTesting"]
                + supportModules + earlier,
            path: "Tests/\(name)ExerciseTests"),
    ]
    return [
        .target(name: name, dependencies: supportModules + earlier, path: "Sources/\(name)", swiftSettings: optimizedAlways),
        .executableTarget(
            name: "\(name)Lesson", dependencies: [library] + supportModules + earlier, path: "Lessons/\(name)",
            swiftSettings: optimizedAlways),
        .target(
            name: "\(name)Solutions", dependencies: [library] + supportModules + earlier,
            path: "Solutions/\(name)"),
        .testTarget(name: "\(name)Tests", dependencies: [library] + supportModules + earlier, path: "Tests/\(name)Tests"),
    ] + (leftOut.contains(name) ? [] : exercises)
}

// MARK: - The benchmark

// `swift run -c release bench`: times the workloads of ../shared/baselines (see Sources/Bench).
let bench: Target = .executableTarget(
    name: "Bench",
    dependencies: [
        "Validation", "Attention", "Autoencoders", "Backprop", "CNN", "GANs", "LSTM", "Optimizers", "Practice", "Regularization", "LinearAlgebra", "Datasets",
        "Randomness",
    ],
    path: "Sources/Bench")

// MARK: - The learner's runner

// `swift run exercises`: progress by chapter, one chapter or exercise at a time (see Sources/ExerciseRunner).
let runner: Target = .executableTarget(name: "ExerciseRunner", path: "Sources/ExerciseRunner")

// MARK: - The package

// Every chapter and support module is also a library product, so a learner's own package
// can depend on this one and `import Backprop` (or any other chapter).
let libraries = ["Validation", "Randomness", "LinearAlgebra", "NumericChecks", "Datasets", "Notebook"] + chapters.map(\.name)

let package = Package(
    name: "DeepLearningFromScratch",
    products: libraries.map { .library(name: $0, targets: [$0]) }
        + chapters.map { .executable(name: $0.lesson, targets: ["\($0.name)Lesson"]) }
        + [.executable(name: "bench", targets: ["Bench"]), .executable(name: "exercises", targets: ["ExerciseRunner"])],
    targets: support + supportTests + chapters.flatMap(targets(of:)) + [bench, runner],
    swiftLanguageModes: [.v6]
)
