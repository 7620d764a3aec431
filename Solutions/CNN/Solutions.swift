import CNN

// Worked answers to the Chapter 6 exercises: the formulas of the exercise files as plain
// loops over flat buffers, index arithmetic written out.

/// 6.1
public func convolutionOutputSize(inputSize n: Int, filterSize f: Int, padding p: Int, stride s: Int) throws -> Int {
    (n + 2 * p - f) / s + 1
}

/// 6.2 (each answer stands alone, so that it can be pasted into its exercise file)
public func convolutionForward(input: [Double], filters: [Double], bias: [Double], shape: ConvolutionShape) throws -> [Double] {
    var y = [Double](repeating: 0, count: shape.outputCount)
    let (oh, ow) = (shape.outputHeight, shape.outputWidth)
    for n in 0..<shape.batch {
        for f in 0..<shape.filters {
            for i in 0..<oh {
                for j in 0..<ow {
                    let o = ((n * shape.filters + f) * oh + i) * ow + j  // y[n, f, i, j]
                    for c in 0..<shape.channels {
                        for u in 0..<shape.kernelHeight {
                            let r = i * shape.stride + u - shape.padding
                            guard r >= 0 && r < shape.height else { continue }  // a padding row
                            for v in 0..<shape.kernelWidth {
                                let q = j * shape.stride + v - shape.padding
                                guard q >= 0 && q < shape.width else { continue }
                                let w = ((f * shape.channels + c) * shape.kernelHeight + u) * shape.kernelWidth + v  // w[f, c, u, v]
                                let x = ((n * shape.channels + c) * shape.height + r) * shape.width + q  // x[n, c, r, q]
                                y[o] += filters[w] * input[x]
                            }
                        }
                    }
                }
            }
        }
    }
    let positions = shape.outputHeight * shape.outputWidth
    for o in y.indices { y[o] += bias[(o / positions) % shape.filters] }  // then the bias
    return y
}

/// 6.3
public func convolutionBackwardInput(upstream: [Double], filters: [Double], shape: ConvolutionShape) throws -> [Double] {
    var dx = [Double](repeating: 0, count: shape.inputCount)
    let (oh, ow) = (shape.outputHeight, shape.outputWidth)
    for n in 0..<shape.batch {
        for f in 0..<shape.filters {
            for i in 0..<oh {
                for j in 0..<ow {
                    let o = ((n * shape.filters + f) * oh + i) * ow + j  // y[n, f, i, j]
                    for c in 0..<shape.channels {
                        for u in 0..<shape.kernelHeight {
                            let r = i * shape.stride + u - shape.padding
                            guard r >= 0 && r < shape.height else { continue }  // a padding row
                            for v in 0..<shape.kernelWidth {
                                let q = j * shape.stride + v - shape.padding
                                guard q >= 0 && q < shape.width else { continue }
                                let w = ((f * shape.channels + c) * shape.kernelHeight + u) * shape.kernelWidth + v  // w[f, c, u, v]
                                let x = ((n * shape.channels + c) * shape.height + r) * shape.width + q  // x[n, c, r, q]
                                dx[x] += upstream[o] * filters[w]
                            }
                        }
                    }
                }
            }
        }
    }
    return dx
}

/// 6.4
public func convolutionBackwardFilters(upstream: [Double], input: [Double], shape: ConvolutionShape) throws -> (filters: [Double], bias: [Double]) {
    var dw = [Double](repeating: 0, count: shape.filterCount)
    let (oh, ow) = (shape.outputHeight, shape.outputWidth)
    for n in 0..<shape.batch {
        for f in 0..<shape.filters {
            for i in 0..<oh {
                for j in 0..<ow {
                    let o = ((n * shape.filters + f) * oh + i) * ow + j  // y[n, f, i, j]
                    for c in 0..<shape.channels {
                        for u in 0..<shape.kernelHeight {
                            let r = i * shape.stride + u - shape.padding
                            guard r >= 0 && r < shape.height else { continue }  // a padding row
                            for v in 0..<shape.kernelWidth {
                                let q = j * shape.stride + v - shape.padding
                                guard q >= 0 && q < shape.width else { continue }
                                let w = ((f * shape.channels + c) * shape.kernelHeight + u) * shape.kernelWidth + v  // w[f, c, u, v]
                                let x = ((n * shape.channels + c) * shape.height + r) * shape.width + q  // x[n, c, r, q]
                                dw[w] += upstream[o] * input[x]
                            }
                        }
                    }
                }
            }
        }
    }
    var db = [Double](repeating: 0, count: shape.filters)
    let positions = shape.outputHeight * shape.outputWidth
    for o in upstream.indices { db[(o / positions) % shape.filters] += upstream[o] }
    return (dw, db)
}

/// 6.5
public func maxPoolForward(input: [Double], batch: Int, channels: Int, height: Int, width: Int, size: Int) throws -> (output: [Double], argmax: [Int]) {
    let (oh, ow) = (height / size, width / size)
    var output: [Double] = [], argmax: [Int] = []
    for plane in 0..<(batch * channels) {
        for i in 0..<oh {
            for j in 0..<ow {
                var best = (plane * height + i * size) * width + j * size
                for u in 0..<size {
                    for v in 0..<size {
                        let index = (plane * height + i * size + u) * width + j * size + v
                        if input[index] > input[best] { best = index }  // strictly larger: the first maximum stays
                    }
                }
                output.append(input[best])
                argmax.append(best)
            }
        }
    }
    return (output, argmax)
}

public func maxPoolBackward(upstream: [Double], argmax: [Int], inputCount: Int) throws -> [Double] {
    var dx = [Double](repeating: 0, count: inputCount)
    for (o, index) in argmax.enumerated() { dx[index] += upstream[o] }
    return dx
}

/// 6.6
public func convolutionBlock(input: [Double], filters: [Double], bias: [Double], shape: ConvolutionShape, poolSize: Int) throws -> [Double] {
    let activated = try convolutionForward(input: input, filters: filters, bias: bias, shape: shape).map { max(0, $0) }
    return try maxPoolForward(
        input: activated, batch: shape.batch, channels: shape.filters, height: shape.outputHeight, width: shape.outputWidth, size: poolSize
    ).output
}
