// The benchmark: `swift run -c release bench`.
//
// Times named workloads and prints one line each: name, median seconds per call, GFLOP/s.
// With `--numpy DIR` (DIR holding the baseline scripts, e.g. ../shared/baselines) it also
// runs the NumPy versions of the same workloads in the same run, single-threaded, and
// prints the two side by side with the ratio.
//
// Method (the same as the baselines' `time_per_call`): warm up, then take `measurements`
// samples, each the mean time of a call repeated for at least `minimumTime` seconds, and
// report the median sample.

import Attention
import Autoencoders
import Backprop
import CNN
import Datasets
import Foundation
import GANs
import LSTM
import LinearAlgebra
import Optimizers
import Practice
import Randomness
import Regularization
import Validation

struct Workload {
    let name: String
    /// Floating-point operations per call (2 per multiply-add).
    let flop: Double
    let summary: String
    let call: () -> Void
}

struct Options {
    var numpyDirectory: String?
    var filter: String?
    var measurements = 7
    var minimumTime = 0.3

    static let usage = """
        usage: swift run -c release bench [--numpy DIR] [--filter TEXT] [--quick]

          --numpy DIR     also time the NumPy baselines in DIR (e.g. ../shared/baselines)
                          in this run, single-threaded, and print the ratios
          --filter TEXT   only the workloads whose name contains TEXT
          --quick         3 short measurements instead of 7 (for a smoke test)
          -h, --help      this help
        """

    init(_ arguments: [String]) {
        var rest = arguments[...]
        while let argument = rest.popFirst() {
            switch argument {
            case "--numpy":
                guard let value = rest.popFirst() else { Options.fail("--numpy needs a directory") }
                numpyDirectory = value
            case "--filter":
                guard let value = rest.popFirst() else { Options.fail("--filter needs a text") }
                filter = value
            case "--quick": (measurements, minimumTime) = (3, 0.05)
            case "-h", "--help":
                print(Options.usage)
                exit(0)
            default: Options.fail("unknown option '\(argument)'")
            }
        }
    }

    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("bench: \(message)\n\n\(usage)\n".utf8))
        exit(2)
    }
}

func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

/// The median over `measurements` samples of the mean time of one call.
func medianSeconds(_ call: () -> Void, measurements: Int, minimumTime: Double) -> Double {
    call()  // warm-up
    let start = now()
    call()
    let one = max(now() - start, 1e-9)
    let repetitions = max(1, Int(minimumTime / one))
    var samples: [Double] = []
    for _ in 0..<measurements {
        let start = now()
        for _ in 0..<repetitions { call() }
        samples.append((now() - start) / Double(repetitions))
    }
    return samples.sorted()[samples.count / 2]
}

// MARK: Workloads

/// One epoch of the digits network, exactly the baselines' setup, updated by `optimizer`.
func mlpEpoch(name: String, optimizer: any Optimizer, summary: String) throws -> Workload {
    let experiment = DigitsBaseline(digits: try Digits.load())
    let orders = experiment.epochOrders(DigitsBaseline.epochs)
    let start = Sequential(weights: experiment.initialWeights(), hidden: .relu)
    final class State: @unchecked Sendable {
        var network: Sequential
        var optimizer: any Optimizer
        var epoch = 0
        init(_ network: Sequential, _ optimizer: any Optimizer) {
            self.network = network
            self.optimizer = optimizer
        }
    }
    let state = State(start, optimizer)
    // Work per epoch: per sample, forward 64·64 + 64·10 and backward dW1, dW2, dA1.
    let macs = Double(experiment.training.count) * Double(64 * 64 + 64 * 10 + 64 * 64 + 64 * 10 + 10 * 64)
    return Workload(name: name, flop: 2 * macs, summary: "one epoch, 64-64-10 ReLU, batch 32, \(summary), 1437 samples") {
        // Training restarts from the initial weights (and a fresh optimizer) every 30 epochs,
        // like 30-epoch runs back to back.
        if state.epoch == DigitsBaseline.epochs {
            state.network = start
            state.optimizer = optimizer
            state.epoch = 0
        }
        _ = trainEpoch(
            &state.network, on: experiment.training, order: orders[state.epoch], batchSize: DigitsBaseline.batchSize,
            loss: SoftmaxCrossEntropy(), optimizer: &state.optimizer)
        state.epoch += 1
    }
}

/// The test accuracy after the baselines' 30 epochs with `optimizer`.
func digitsAccuracy(_ optimizer: any Optimizer) throws -> Double {
    let experiment = DigitsBaseline(digits: try Digits.load())
    var network = Sequential(weights: experiment.initialWeights(), hidden: .relu)
    var optimizer = optimizer
    let run = train(
        &network, on: experiment.training, validation: experiment.test, loss: SoftmaxCrossEntropy(), optimizer: &optimizer,
        epochs: DigitsBaseline.epochs, batchSize: DigitsBaseline.batchSize, order: .perEpoch(experiment.epochOrders(DigitsBaseline.epochs)))
    return run.history.last!.validation!.accuracy!
}

func matmulWorkload(_ n: Int) -> Workload {
    var random = SeededGenerator(seed: UInt64(n))
    let a = Matrix(rows: n, columns: n, values: random.uniforms(n * n, in: 0..<1))
    let b = Matrix(rows: n, columns: n, values: random.uniforms(n * n, in: 0..<1))
    let checkSize = min(n, 256)  // within one k-slice the kernel equals the loop bit for bit
    let small = Matrix(rows: checkSize, columns: checkSize, values: Array(a.values.prefix(checkSize * checkSize)))
    require(matmul(small, small) == referenceMatmul(small, small), "bench: the matmul kernel disagrees with the reference loop")
    return Workload(name: "matmul-\(n)", flop: 2 * Double(n * n * n), summary: "C = A·B, \(n)×\(n) Double") {
        _ = matmul(a, b)
    }
}

/// The convolution forward pass of the baselines' cases: `batch`×1×`size`×`size` inputs, `filters` 3×3 filters,
/// stride 1, no padding. With `backward`, one call is a training-mode forward pass and the
/// backward pass of L = Σ g ⊙ y for a fixed g (∂L/∂x, ∂L/∂w, ∂L/∂b), as in `torch_more.py`.
func convolutionWorkload(name: String, input: Tensor, filters: Int, backward: Bool = false) -> Workload {
    var random = SeededGenerator(seed: 6)
    let layer = Conv2D(
        filters: Tensor(shape: [filters, 1, 3, 3], values: random.normals(filters * 9)), bias: random.normals(filters))
    let out = layer.outputShape(input.shape)
    require(layer.predict(input) == layer.referenceForward(input), "bench: the fast convolution disagrees with the reference loops")
    let g = Tensor(shape: out, values: random.normals(out.reduce(1, *)))
    final class State: @unchecked Sendable {
        var layer: Conv2D
        init(_ layer: Conv2D) { self.layer = layer }
    }
    let state = State(layer)
    let macs = Double(out.reduce(1, *) * 9)
    let shape = input.shape.map(String.init).joined(separator: "×")
    return Workload(
        name: name, flop: 2 * macs * (backward ? 3 : 1),
        summary: backward ? "forward + backward (dx, dw, db), \(shape), \(filters) filters 3×3" : "forward, \(shape), \(filters) filters 3×3"
    ) {
        if backward {
            state.layer.zeroGradients()
            _ = state.layer.forward(input, mode: .training)
            _ = state.layer.backward(g)
        } else {
            _ = state.layer.forward(input, mode: .inference)
        }
    }
}

// MARK: NumPy and PyTorch, in the same run

/// Runs the NumPy versions single-threaded and returns seconds per call by workload name.
func numpySeconds(directory: String, names: [String], measurements: Int) -> [String: Double] {
    let script = """
        import json, statistics, sys
        sys.path.insert(0, sys.argv[1])
        import numpy as np
        from common import load_digits_split, time_per_call
        names, measurements = sys.argv[2].split(","), int(sys.argv[3])
        out = {}
        if "mlp-digits-epoch" in names:
            import mlp_numpy
            data = load_digits_split(seed=0)
            runs = [mlp_numpy.train("sgd", *data) for _ in range(3)]
            out["mlp-digits-epoch"] = statistics.median(sum(r[1]) / len(r[1]) for r in runs)
            out["mlp-digits-epoch-accuracy"] = runs[0][0]
        if "mlp-digits-epoch-adam" in names:
            import mlp_numpy
            data = load_digits_split(seed=0)
            runs = [mlp_numpy.train("adam", *data) for _ in range(3)]
            out["mlp-digits-epoch-adam"] = statistics.median(sum(r[1]) / len(r[1]) for r in runs)
            out["mlp-digits-epoch-adam-accuracy"] = runs[0][0]
        conv_names = {"conv-28x28": "conv_32x1x28x28_8f3x3", "conv-digits": "conv_32x1x8x8_digits_16f3x3"}
        if any(name in names for name in conv_names):
            import conv_numpy
            cases = conv_numpy.cases()
            for name, case in conv_names.items():
                if name in names:
                    x, f, b = cases[case]
                    out[name] = time_per_call(lambda: conv_numpy.conv_forward_vectorized(x, f, b), min_time=0.3, measurements=measurements)[0]
                    out["loops:" + name] = time_per_call(lambda: conv_numpy.conv_forward_naive(x, f, b), min_time=0.3, measurements=measurements)[0]
        if "lstm-bptt" in names:
            import lstm_numpy
            P = lstm_numpy.init_params()
            inputs, targets = lstm_numpy.make_sequence()
            h0 = np.zeros((lstm_numpy.H, 1))
            out["lstm-bptt"] = time_per_call(lambda: lstm_numpy.loss_and_grads(inputs, targets, P, h0, h0), min_time=0.3, measurements=measurements)[0]
        try:
            import torch
            import torch.nn.functional as F
            torch.set_num_threads(1)
            out["torch-version"] = 0.0
            if "lstm-bptt" in names:
                # lstm_torch.py's workload: nn.LSTM(65, 128) + nn.Linear(128, 65), one-hot (25, 1, 65), summed cross-entropy
                import lstm_numpy
                V, H = lstm_numpy.V, lstm_numpy.H
                lstm, head = torch.nn.LSTM(V, H).double(), torch.nn.Linear(H, V).double()
                inputs, targets = lstm_numpy.make_sequence()
                x = F.one_hot(torch.from_numpy(inputs), V).double().unsqueeze(1)
                y = torch.from_numpy(targets)
                params = list(lstm.parameters()) + list(head.parameters())
                def lstm_call():
                    for p in params:
                        p.grad = None
                    out_, _ = lstm(x)
                    F.cross_entropy(head(out_[:, 0, :]), y, reduction="sum").backward()
                out["torch:lstm-bptt"] = time_per_call(lstm_call, min_time=0.3, measurements=measurements)[0]
            if any(name in names for name in conv_names):
                import conv_numpy
                cases = conv_numpy.cases()
                for name, case in conv_names.items():
                    if name in names:
                        x, f, b = cases[case]
                        xt, ft, bt = torch.from_numpy(x).unsqueeze(1).contiguous(), torch.from_numpy(f).unsqueeze(1).contiguous(), torch.from_numpy(b)
                        with torch.no_grad():
                            out["torch:" + name] = time_per_call(lambda: F.conv2d(xt, ft, bt), min_time=0.3, measurements=measurements)[0]
            if "transformer-block" in names:
                import torch_more
                out["torch:transformer-block"] = torch_more.transformer_block()["forward_backward_s"]
            if "conv-28x28-backward" in names:
                import torch_more
                out["torch:conv-28x28-backward"] = torch_more.conv_backward()["forward_backward_s"]
            if any(name in names for name in ("vae-mlp-step", "vae-conv-step", "gan-mlp-step", "dcgan-step")) or any(name.startswith("conv-transpose") for name in names):
                import torch_generative
                if "vae-mlp-step" in names:
                    out["torch:vae-mlp-step"] = torch_generative.vae_mlp()["step_s"]
                if "vae-conv-step" in names:
                    out["torch:vae-conv-step"] = torch_generative.vae_conv()["step_s"]
                if "gan-mlp-step" in names:
                    out["torch:gan-mlp-step"] = torch_generative.gan_mlp()["step_s"]
                if "dcgan-step" in names:
                    out["torch:dcgan-step"] = torch_generative.dcgan()["step_s"]
                if any(name.startswith("conv-transpose") for name in names):
                    transposed = torch_generative.conv_transpose()
                    out["torch:conv-transpose"] = transposed["forward_s"]
                    out["torch:conv-transpose-backward"] = transposed["forward_backward_s"]
        except ImportError:
            pass
        for n in (256, 512):
            if f"matmul-{n}" in names:
                rng = np.random.RandomState(0)
                A, B, C = rng.rand(n, n), rng.rand(n, n), np.empty((n, n))
                for _ in range(20):
                    np.matmul(A, B, out=C)
                out[f"matmul-{n}"] = time_per_call(lambda: np.matmul(A, B, out=C), min_time=0.3, measurements=measurements)[0]
        print(json.dumps(out))
        """
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", script, directory, names.joined(separator: ","), "\(measurements)"]
    var environment = ProcessInfo.processInfo.environment
    for variable in ["OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"] { environment[variable] = "1" }
    process.environment = environment
    let output = Pipe()
    process.standardOutput = output
    do {
        try process.run()
    } catch {
        Options.fail("could not start python3 for the NumPy baselines: \(error)")
    }
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0,
        let line = String(data: data, encoding: .utf8)?.split(separator: "\n").last,
        let json = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Double]
    else {
        Options.fail("the NumPy baselines in \(directory) did not run (python3 with numpy and the baseline scripts are needed)")
    }
    return json
}

// MARK: Main

let options = Options(Array(CommandLine.arguments.dropFirst()))
#if DEBUG
    FileHandle.standardError.write(Data("bench: this is a debug build; its timings mean little. Run: swift run -c release bench\n".utf8))
#endif

let digitsOptimizers: [(name: String, optimizer: any Optimizer, summary: String)] = [
    ("mlp-digits-epoch", SGD(learningRate: 0.1), "SGD lr 0.1"), ("mlp-digits-epoch-adam", Adam(learningRate: 1e-3), "Adam lr 1e-3"),
]
var workloads =
    try digitsOptimizers.map { try mlpEpoch(name: $0.name, optimizer: $0.optimizer, summary: $0.summary) }
    + [matmulWorkload(256), matmulWorkload(512)] + convolutionWorkloads() + [lstmWorkload(), transformerWorkload()]
    + generativeWorkloads() + adversarialWorkloads() + practiceWorkloads()

/// `torch_generative.py`'s GAN steps: one discriminator step on a real and a generated
/// batch of 64 (BCE on logits), then one generator step with the non-saturating loss;
/// Adam η = 2e-4, β = (0.5, 0.999) for both. Dense: G 16 → 128 (LeakyReLU 0.2) → 64
/// (tanh), D 64 → 128 → 1. DCGAN: the seeds' DCGAN scaled to 8×8 (see the script).
func adversarialWorkloads() -> [Workload] {
    var random = SeededGenerator(seed: 12)
    final class Step: @unchecked Sendable {
        var step: GANStep<Adam, Adam>
        let real: Tensor
        init(_ step: GANStep<Adam, Adam>, _ real: Tensor) { (self.step, self.real) = (step, real) }
    }
    func dense(_ inputs: Int, _ outputs: Int) -> Dense { Dense(inputs: inputs, outputs: outputs, initialization: .he, using: &random) }
    func step(_ g: Sequential, _ d: Sequential, real: Tensor) -> Step {
        Step(
            GANStep(
                generator: g, discriminator: d, generatorOptimizer: Adam(learningRate: 2e-4, beta1: 0.5),
                discriminatorOptimizer: Adam(learningRate: 2e-4, beta1: 0.5), latentCount: 16, seed: 13), real)
    }
    let mlp = step(
        Sequential([dense(16, 128), LeakyReLU(slope: 0.2), dense(128, 64), ActivationLayer(.tanh)]),
        Sequential([dense(64, 128), LeakyReLU(slope: 0.2), dense(128, 1)]), real: Tensor(shape: [64, 64], values: random.uniforms(64 * 64, in: -1..<1)))
    func convT(_ c: Int, _ f: Int) -> ConvTranspose2D {
        ConvTranspose2D(inChannels: c, outChannels: f, kernel: 4, stride: 2, padding: 1, initialization: .he, using: &random)
    }
    func conv(_ c: Int, _ f: Int, stride: Int) -> Conv2D {
        Conv2D(inChannels: c, outChannels: f, kernel: 3, stride: stride, padding: 1, initialization: .he, using: &random)
    }
    let dcgan = step(
        Sequential([
            dense(16, 512), Reshape([128, 2, 2]), BatchNorm2D(channels: 128), LeakyReLU(slope: 0.2),
            convT(128, 64), BatchNorm2D(channels: 64), LeakyReLU(slope: 0.2), convT(64, 32), BatchNorm2D(channels: 32), LeakyReLU(slope: 0.2),
            conv(32, 1, stride: 1), ActivationLayer(.tanh),
        ]),
        Sequential([conv(1, 64, stride: 2), LeakyReLU(slope: 0.2), conv(64, 128, stride: 2), LeakyReLU(slope: 0.2), Reshape.flatten, dense(512, 1)]),
        real: Tensor(shape: [64, 1, 8, 8], values: random.uniforms(64 * 64, in: -1..<1)))
    func workload(_ name: String, _ state: Step, macs: Double, _ summary: String) -> Workload {
        Workload(name: name, flop: 2 * macs * 64, summary: summary) {
            var plugins = TrainingPlugins()
            _ = state.step.trainBatch(state.real, state.real, plugins: &plugins)
        }
    }
    // Per sample: the D step runs G forward and D forward + backward twice; the G step G and D
    // forward and backward: about G × 4 + D × 12 forward multiply-adds.
    let mlpG = Double(16 * 128 + 128 * 64), mlpD = Double(64 * 128 + 128)
    let dcG = Double(16 * 512 + 128 * 4 * 64 * 16 + 64 * 16 * 32 * 16 + 32 * 64 * 9), dcD = Double(64 * 16 * 9 + 128 * 4 * 64 * 9 + 512)
    return [
        workload("gan-mlp-step", mlp, macs: 4 * mlpG + 12 * mlpD, "GAN 16-128-64 / 64-128-1, batch 64, D step + G step"),
        workload("dcgan-step", dcgan, macs: 4 * dcG + 12 * dcD, "DCGAN 8×8 (BN, conv T ×2 / conv ×2), batch 64, D + G step"),
    ]
}

/// `torch_generative.py`'s VAE steps and transposed convolution. A VAE step is one full
/// training step on a batch of 32 random 8×8 images: zero gradients, forward with a fresh
/// ε, both loss terms, backward, Adam (η = 1e-3); the models are the script's (dense:
/// 64 → 128 → μ, log σ² of 2 → 128 → 64; convolutional: the seeds' VAE scaled to 8×8).
func generativeWorkloads() -> [Workload] {
    var random = SeededGenerator(seed: 9)
    final class Step: @unchecked Sendable {
        var step: VAEStep<Adam>
        let x: Tensor
        init(_ step: VAEStep<Adam>, _ x: Tensor) { (self.step, self.x) = (step, x) }
    }
    func dense(_ inputs: Int, _ outputs: Int) -> Dense { Dense(inputs: inputs, outputs: outputs, initialization: .he, using: &random) }
    func conv(_ c: Int, _ f: Int) -> Conv2D {
        Conv2D(inChannels: c, outChannels: f, kernel: 3, stride: 2, padding: 1, initialization: .he, using: &random)
    }
    func convT(_ c: Int, _ f: Int) -> ConvTranspose2D {
        ConvTranspose2D(inChannels: c, outChannels: f, kernel: 3, stride: 2, padding: 1, outputPadding: 1, initialization: .he, using: &random)
    }
    let mlp = VAE(
        encoder: Sequential([dense(64, 128), ActivationLayer(.relu)]), meanHead: dense(128, 2), logVarianceHead: dense(128, 2),
        decoder: Sequential([dense(2, 128), ActivationLayer(.relu), dense(128, 64)]))
    let convolutional = VAE(
        encoder: Sequential([
            conv(1, 16), ActivationLayer(.relu), conv(16, 32), ActivationLayer(.relu), Reshape.flatten, dense(128, 16), ActivationLayer(.relu),
        ]),
        meanHead: dense(16, 2), logVarianceHead: dense(16, 2),
        decoder: Sequential([dense(2, 128), ActivationLayer(.relu), Reshape([32, 2, 2]), convT(32, 16), ActivationLayer(.relu), convT(16, 1)]))
    let mlpStep = Step(
        VAEStep(model: mlp, optimizer: Adam(learningRate: 1e-3), seed: 10), Tensor(shape: [32, 64], values: random.uniforms(32 * 64, in: 0..<1)))
    let convStep = Step(
        VAEStep(model: convolutional, optimizer: Adam(learningRate: 1e-3), seed: 11), Tensor(shape: [32, 1, 8, 8], values: random.uniforms(32 * 64, in: 0..<1)))
    // Multiply-adds of one forward pass per image; a step is about 3 forward passes.
    let mlpMacs = Double(64 * 128 + 128 * 4 + 2 * 128 + 128 * 64)
    let convMacs = Double(16 * 16 * 9 + 4 * 32 * 16 * 9 + 128 * 16 + 16 * 4 + 2 * 128 + 4 * 32 * 16 * 9 + 16 * 16 * 9)
    func stepWorkload(_ name: String, _ state: Step, macs: Double, _ summary: String) -> Workload {
        Workload(name: name, flop: 2 * macs * 32 * 3, summary: summary) {
            var plugins = TrainingPlugins()
            _ = state.step.trainBatch(state.x, state.x, plugins: &plugins)
        }
    }
    // F.conv_transpose2d's case: x (32, 16, 4, 4), w (16, 8, 4, 4), stride 2, padding 1 → (32, 8, 8, 8).
    final class Transposed: @unchecked Sendable {
        var layer: ConvTranspose2D
        init(_ layer: ConvTranspose2D) { self.layer = layer }
    }
    let x = Tensor(shape: [32, 16, 4, 4], values: random.normals(32 * 16 * 16))
    let transposed = Transposed(
        ConvTranspose2D(weight: Tensor(shape: [16, 8, 4, 4], values: random.normals(16 * 8 * 16)), bias: random.normals(8), stride: 2, padding: 1))
    let g = Tensor(shape: [32, 8, 8, 8], values: random.normals(32 * 8 * 64))
    let transposedMacs = Double(32 * 16 * 16 * 8 * 16)
    return [
        stepWorkload("vae-mlp-step", mlpStep, macs: mlpMacs, "VAE 64-128-2, batch 32, one Adam step"),
        stepWorkload("vae-conv-step", convStep, macs: convMacs, "conv VAE (2 conv, 2 conv T), batch 32, one Adam step"),
        Workload(name: "conv-transpose", flop: 2 * transposedMacs, summary: "forward, 32×16×4×4 → 32×8×8×8, 4×4 s2 p1") {
            _ = transposed.layer.forward(x, mode: .inference)
        },
        Workload(name: "conv-transpose-backward", flop: 2 * transposedMacs * 3, summary: "forward + backward (dx, dw, db), same") {
            transposed.layer.zeroGradients()
            _ = transposed.layer.forward(x, mode: .training)
            _ = transposed.layer.backward(g)
        },
    ]
}

/// The baselines' LSTM: one-hot characters (V = 65), hidden 128, T = 25, batch 1, a dense
/// layer 128 → 65 on every step, softmax cross-entropy summed over the steps; one call =
/// zero gradients, forward, backward through time (no optimizer step), as in
/// `lstm_numpy.py` and `lstm_torch.py`.
func lstmWorkload() -> Workload {
    let (v, h, t) = (65, 128, 25)
    var random = SeededGenerator(seed: 7)
    let tokens = (0...t).map { _ in random.int(below: v) }
    let x = oneHotSequence(tokens.dropLast().map { [$0] }, vocabulary: v)
    let targets = Array(tokens.dropFirst())
    final class State: @unchecked Sendable {
        var model: Sequential
        init(_ model: Sequential) { self.model = model }
    }
    let state = State(
        Sequential([
            LSTMLayer(inputs: v, hidden: h, using: &random), SequenceRows(),
            Dense(inputs: h, outputs: v, initialization: .xavier, using: &random),
        ]))
    // forward: 25 × (W_x x 33,280 + W_h h 65,536 + W_y h 8,320) multiply-adds; backward twice that
    let macs = Double(t * (4 * h * v + 4 * h * h + v * h))
    return Workload(name: "lstm-bptt", flop: 2 * macs * 3, summary: "LSTM 65 → 128, T = 25, batch 1, forward + BPTT") {
        state.model.zeroGradients()
        let logits = state.model.forward(x, mode: .training)
        var (_, gradient) = SoftmaxCrossEntropy().evaluate(logits, targets)
        gradient = Tensor(shape: gradient.shape, values: gradient.values.map { $0 * Double(t) })  // the sum over steps, not the mean
        _ = state.model.backward(gradient)
    }
}

/// The baselines' transformer block (`torch_more.py`): post-LN encoder block, batch 8,
/// T = 64, d = 64, 4 heads, feed-forward 256, ReLU, no dropout; one call = zero gradients,
/// forward, backward of L = Σ g ⊙ y for a fixed g (every parameter and ∂L/∂x).
func transformerWorkload() -> Workload {
    let (b, t, d, ff) = (8, 64, 64, 256)
    var random = SeededGenerator(seed: 8)
    let x = Tensor(shape: [b, t, d], values: random.normals(b * t * d))
    let g = Tensor(shape: [b, t, d], values: random.normals(b * t * d))
    final class State: @unchecked Sendable {
        var block: EncoderBlock
        init(_ block: EncoderBlock) { self.block = block }
    }
    let state = State(EncoderBlock(features: d, heads: 4, feedForward: ff, using: &random))
    // forward: 4 projections 4·B·T·d², scores and mix 2·B·T²·d, feed-forward 2·B·T·d·ff; backward twice that
    let macs = Double(4 * b * t * d * d + 2 * b * t * t * d + 2 * b * t * d * ff)
    return Workload(name: "transformer-block", flop: 2 * macs * 3, summary: "post-LN encoder block, 8×64×64, 4 heads, ff 256, fwd + bwd") {
        state.block.zeroGradients()
        _ = state.block.forward(x, mode: .training)
        _ = state.block.backward(g)
    }
}

/// The baselines' convolution cases: random 28×28 images, and the first 32 digits (pixels / 16).
func convolutionWorkloads() throws -> [Workload] {
    var random = SeededGenerator(seed: 5)
    let images = Tensor(shape: [32, 1, 28, 28], values: random.uniforms(32 * 28 * 28, in: 0..<1))
    let digits = Tensor(shape: [32, 1, 8, 8], values: try Digits.load().inputs.prefix(32).flatMap { $0.map { $0 / 16 } })
    return [
        convolutionWorkload(name: "conv-28x28", input: images, filters: 8),
        convolutionWorkload(name: "conv-digits", input: digits, filters: 16),
        convolutionWorkload(name: "conv-28x28-backward", input: images, filters: 8, backward: true),
    ]
}
if let filter = options.filter { workloads = workloads.filter { $0.name.contains(filter) } }
guard !workloads.isEmpty else { Options.fail("no workload matches '\(options.filter ?? "")'") }

func pad(_ text: String, _ width: Int) -> String { text.padding(toLength: max(width, text.count), withPad: " ", startingAt: 0) }
func formatted(_ value: Double, _ places: Int) -> String { String(format: "%.\(places)f", value) }

print("Swift, one thread, Double, median of \(options.measurements) samples:")
var swiftSeconds: [String: Double] = [:]
for workload in workloads {
    let seconds = medianSeconds(workload.call, measurements: options.measurements, minimumTime: options.minimumTime)
    swiftSeconds[workload.name] = seconds
    print("\(pad(workload.name, 22)) \(formatted(seconds, 6)) s  \(pad(formatted(workload.flop / seconds / 1e9, 2), 6)) GFLOP/s   \(workload.summary)")
}

if let directory = options.numpyDirectory {
    print("\nNumPy from \(directory), one thread (OMP/OPENBLAS/MKL_NUM_THREADS=1), same run:")
    let numpy = numpySeconds(directory: directory, names: workloads.map(\.name), measurements: options.measurements)
    print("\(pad("workload", 22)) \(pad("Swift", 11)) \(pad("NumPy", 11)) Swift time / NumPy time")
    for workload in workloads {
        guard let theirs = numpy[workload.name], let ours = swiftSeconds[workload.name] else { continue }
        let verdict = ours < theirs ? "Swift \(formatted(theirs / ours, 2))× faster" : "Swift \(formatted(ours / theirs, 2))× slower"
        print(
            "\(pad(workload.name, 22)) \(pad(formatted(ours * 1000, 3) + " ms", 11)) \(pad(formatted(theirs * 1000, 3) + " ms", 11)) \(formatted(ours / theirs, 2))  (\(verdict))"
        )
    }
    let loops = workloads.filter { numpy["loops:" + $0.name] != nil }
    if !loops.isEmpty {
        print("NumPy with Python loops over (i, j, f), the tutorial's convolution:")
        for workload in loops {
            let (theirs, ours) = (numpy["loops:" + workload.name]!, swiftSeconds[workload.name]!)
            print(
                "\(pad(workload.name, 22)) \(pad(formatted(ours * 1000, 3) + " ms", 11)) \(pad(formatted(theirs * 1000, 3) + " ms", 11)) \(formatted(ours / theirs, 3))"
            )
        }
    }
    if numpy["torch-version"] == nil {
        print("\nPyTorch: not installed here (pip install torch==2.13.0), so no PyTorch figures.")
    } else {
        print("\nPyTorch, one thread, float64, same run:")
        print("\(pad("workload", 22)) \(pad("Swift", 11)) \(pad("PyTorch", 11)) Swift time / PyTorch time")
        for workload in workloads {
            guard let theirs = numpy["torch:" + workload.name], let ours = swiftSeconds[workload.name] else { continue }
            let verdict = ours < theirs ? "Swift \(formatted(theirs / ours, 2))× faster" : "Swift \(formatted(ours / theirs, 2))× slower"
            print(
                "\(pad(workload.name, 22)) \(pad(formatted(ours * 1000, 3) + " ms", 11)) \(pad(formatted(theirs * 1000, 3) + " ms", 11)) \(formatted(ours / theirs, 2))  (\(verdict))"
            )
        }
    }
    for run in digitsOptimizers {
        guard let accuracy = numpy[run.name + "-accuracy"] else { continue }
        // The same 30 epochs from the same weights in the same batch order: the accuracies must agree.
        let ours = try digitsAccuracy(run.optimizer)
        print("digits test accuracy after 30 epochs, \(run.summary): Swift \(formatted(ours * 100, 2))%, NumPy \(formatted(accuracy * 100, 2))%")
    }
}

/// Chapter 11's costs, against the training they watch (no peer: the ratios are to our own
/// step). The step: the chapter's CNN (conv 1→8 3×3, ReLU, max pool, dense 128→32, ReLU,
/// dense 32→10) on a batch of 32 digits, Adam. Watched: the same step with the non-finite
/// watch on every parameter after every backward pass. Layer statistics: one call (a
/// forward and backward pass on a copy, per-layer spreads and update ratios), run every so
/// many steps. Search trial: one grid-search trial of the lesson (a 64–32–10 MLP, SGD, 2
/// epochs of the digits) beside the same training called directly.
func practiceWorkloads() throws -> [Workload] {
    var random = SeededGenerator(seed: 11)
    let digits = try Digits.load()
    let set = ClassificationSet(inputs: digits.inputs.map { $0.map { $0 / 16 } }, labels: digits.labels, classCount: 10)
    let x = Tensor(shape: [32, 64], values: set.inputs.prefix(32).flatMap { $0 })
    let labels = Array(set.labels.prefix(32))
    let model = digitsCNN(using: &random)
    final class State: @unchecked Sendable {
        var step: SupervisedStep<Sequential, SoftmaxCrossEntropy, Adam>
        var plugins: TrainingPlugins
        init(_ step: SupervisedStep<Sequential, SoftmaxCrossEntropy, Adam>, _ plugins: TrainingPlugins) { (self.step, self.plugins) = (step, plugins) }
    }
    let plain = State(SupervisedStep(model: model, loss: SoftmaxCrossEntropy(), optimizer: Adam(learningRate: 1e-3)), TrainingPlugins())
    let watched = State(SupervisedStep(model: model, loss: SoftmaxCrossEntropy(), optimizer: Adam(learningRate: 1e-3)), TrainingPlugins([NonFiniteWatch()]))
    let macs = Double(8 * 9 * 64 + 128 * 32 + 32 * 10) * 32 * 3
    func mlpTraining(seed: UInt64) -> Double {
        var rng = SeededGenerator(seed: seed)
        var mlp = Sequential(sizes: [64, 32, 10], hidden: .relu, initialization: .he, using: &rng)
        var sgd = SGD(learningRate: 0.1)
        return train(&mlp, on: set, loss: SoftmaxCrossEntropy(), optimizer: &sgd, epochs: 2, batchSize: 32, evaluatesTrainingSet: false).history.last!
            .trainingLoss
    }
    let trialMacs = Double(64 * 32 + 32 * 10) * Double(set.count) * 2 * 3
    return [
        Workload(name: "practice-step", flop: 2 * macs, summary: "the chapter's CNN, batch 32, Adam step") {
            _ = plain.step.trainBatch(x, labels, plugins: &plain.plugins)
        },
        Workload(name: "practice-step-watched", flop: 2 * macs, summary: "the same step with the non-finite watch") {
            _ = watched.step.trainBatch(x, labels, plugins: &watched.plugins)
        },
        Workload(name: "practice-layer-statistics", flop: 2 * macs * 2 / 3, summary: "one layerStatistics call on the batch") {
            _ = layerStatistics(model, inputs: x, targets: labels, loss: SoftmaxCrossEntropy(), learningRate: 1e-3)
        },
        Workload(name: "practice-mlp-training", flop: 2 * trialMacs, summary: "64-32-10 MLP, SGD, 2 epochs of 1797 digits") {
            _ = mlpTraining(seed: 1)
        },
        Workload(name: "practice-search-trial", flop: 2 * trialMacs, summary: "the same training as one grid-search trial") {
            _ = gridSearch(["learning rate": [0.1]], seed: 1) { _, seed in mlpTraining(seed: seed) }
        },
    ]
}
