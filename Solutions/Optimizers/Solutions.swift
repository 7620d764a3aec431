import Foundation

// Solutions 4.1–4.5. Each function matches its exercise in Exercises/Optimizers.

/// 4.1 One momentum step, velocity form: v ← βv − ηg, θ ← θ + v.
public func momentumStep(
    parameters: [Double], gradient: [Double], velocity: [Double], learningRate: Double, beta: Double
) throws -> (parameters: [Double], velocity: [Double]) {
    var theta = parameters, v = velocity
    for i in theta.indices {
        v[i] = beta * v[i] - learningRate * gradient[i]
        theta[i] += v[i]
    }
    return (theta, v)
}

/// 4.2 One RMSprop step: s ← ρs + (1 − ρ)g², θ ← θ − ηg/(√s + ε).
public func rmspropStep(
    parameters: [Double], gradient: [Double], squareAverage: [Double], learningRate: Double, rho: Double, epsilon: Double
) throws -> (parameters: [Double], squareAverage: [Double]) {
    var theta = parameters, s = squareAverage
    for i in theta.indices {
        s[i] = rho * s[i] + (1 - rho) * gradient[i] * gradient[i]
        theta[i] -= learningRate * gradient[i] / (s[i].squareRoot() + epsilon)
    }
    return (theta, s)
}

/// 4.3 One Adam step with bias correction; `t` counts from 1.
public func adamStep(
    parameters: [Double], gradient: [Double], m: [Double], v: [Double], t: Int,
    learningRate: Double, beta1: Double, beta2: Double, epsilon: Double
) throws -> (parameters: [Double], m: [Double], v: [Double]) {
    var theta = parameters, m = m, v = v
    let c1 = 1 - pow(beta1, Double(t)), c2 = 1 - pow(beta2, Double(t))
    for i in theta.indices {
        m[i] = beta1 * m[i] + (1 - beta1) * gradient[i]
        v[i] = beta2 * v[i] + (1 - beta2) * gradient[i] * gradient[i]
        theta[i] -= learningRate * (m[i] / c1) / ((v[i] / c2).squareRoot() + epsilon)
    }
    return (theta, m, v)
}

/// 4.4 Cosine annealing from `initial` to `minimum` over `period` epochs, then held.
public func cosineAnnealing(initial: Double, minimum: Double, epoch: Int, period: Int) throws -> Double {
    let progress = Double(min(epoch, period)) / Double(period)
    return minimum + 0.5 * (initial - minimum) * (1 + cos(Double.pi * progress))
}

/// 4.5 Scales all gradients by one factor so that their global norm is at most `maxNorm`.
public func clipByGlobalNorm(gradients: [[Double]], maxNorm: Double) throws -> [[Double]] {
    var sum = 0.0
    for array in gradients { for g in array { sum += g * g } }
    let norm = sum.squareRoot()
    guard norm > maxNorm else { return gradients }
    return gradients.map { array in array.map { $0 * maxNorm / norm } }
}

/// 4.6
public func reduceOnPlateau(losses: [Double], initialRate: Double, factor: Double, patience: Int, threshold: Double) throws -> [Double] {
    var rates: [Double] = []
    var rate = initialRate
    var best: Double? = nil
    var bad = 0
    for loss in losses {
        rates.append(rate)  // this epoch trained with the current rate
        if let b = best, !(loss < b * (1 - threshold)) {
            bad += 1
        } else {
            best = loss
            bad = 0
        }
        if bad > patience {  // more than `patience` epochs in a row without improvement
            rate *= factor
            bad = 0
        }
    }
    return rates
}
