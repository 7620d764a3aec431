import Backprop
import Datasets
import Foundation
import Randomness

let experiment = DigitsExperiment(digits: try Digits.load())
var net = experiment.initialNetwork()
for (e, order) in experiment.epochOrders(30).enumerated() {
  let loss = trainEpoch(&net, on: experiment.training, order: order, batchSize: 32, learningRate: 0.1)
  if e == 0 || e == 29 { print(e+1, loss) }
}
print(net.accuracy(on: experiment.test), net.accuracy(on: experiment.test) * 360)
