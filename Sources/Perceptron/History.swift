/// A milestone on the road from the first artificial neuron to today's networks.
public struct Milestone: Sendable {
    /// The year of the paper or event.
    public let year: Int
    /// What it is called.
    public let name: String
    /// What it brought, in a phrase.
    public let idea: String
}

/// The milestones the curriculum walks through, in order.
public let milestones: [Milestone] = [
    Milestone(year: 1943, name: "McCulloch–Pitts neuron", idea: "a threshold unit computes logic"),
    Milestone(year: 1958, name: "Rosenblatt's perceptron", idea: "weights learned from examples"),
    Milestone(year: 1969, name: "Minsky & Papert, Perceptrons", idea: "one unit cannot compute XOR"),
    Milestone(year: 1982, name: "Hopfield networks", idea: "memories as the stable states of an energy"),
    Milestone(year: 1986, name: "Backpropagation", idea: "train hidden layers by the chain rule"),
    Milestone(year: 1997, name: "LSTM", idea: "gated memory for long sequences"),
    Milestone(year: 2006, name: "Deep belief networks", idea: "deep networks trained layer by layer"),
    Milestone(year: 2012, name: "AlexNet", idea: "deep CNNs on GPUs win ImageNet"),
    Milestone(year: 2014, name: "GANs", idea: "two networks trained against each other"),
    Milestone(year: 2017, name: "Transformer", idea: "attention is all you need"),
    Milestone(year: 2018, name: "BERT", idea: "pretrain on raw text, fine-tune for tasks"),
    Milestone(year: 2020, name: "GPT-3", idea: "175 billion parameters learn from a prompt"),
    Milestone(year: 2022, name: "ChatGPT", idea: "a language model tuned to follow requests"),
]
