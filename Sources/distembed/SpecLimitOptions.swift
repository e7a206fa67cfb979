import ArgumentParser
import Core

/// The largest sizes a spec may ask for (``SpecLimits``), as options of `coordinator` and `train --local`.
struct SpecLimitOptions: ParsableArguments {
    @Option(help: "Most training epochs a spec may ask for (over all stages).")
    var maxEpochs = SpecLimits.defaults.epochs

    @Option(help: "Largest training.batchSize.")
    var maxBatchSize = SpecLimits.defaults.batchSize

    @Option(help: "Most units of a dense layer, and filters of a conv2d layer.")
    var maxLayerUnits = SpecLimits.defaults.layerUnits

    @Option(help: "Most weights and biases in a model (each is 4 bytes in every weights message).")
    var maxParameters = SpecLimits.defaults.parameters

    @Option(help: "Most floats of layer outputs and convolution patches in a chunk of determinism.chunkSize samples.")
    var maxActivations = SpecLimits.defaults.activations

    @Option(help: "Largest dataset.trainLimit.")
    var maxTrainSamples = SpecLimits.defaults.trainSamples

    @Option(help: "Largest dataset.testLimit.")
    var maxTestSamples = SpecLimits.defaults.testSamples

    @Option(help: "Largest evaluation.samples.")
    var maxEvaluationSamples = SpecLimits.defaults.evaluationSamples

    var limits: SpecLimits {
        var l = SpecLimits()
        l.epochs = maxEpochs
        l.batchSize = maxBatchSize
        l.layerUnits = maxLayerUnits
        l.parameters = maxParameters
        l.activations = maxActivations
        l.trainSamples = maxTrainSamples
        l.testSamples = maxTestSamples
        l.evaluationSamples = maxEvaluationSamples
        return l
    }

    func validate() throws {
        let limits = limits
        for kind in SpecLimits.Kind.allCases where !(1...SpecLimits.maximum[kind]).contains(limits[kind]) {
            throw ValidationError("\(kind.option) \(limits[kind]) is out of range: it must be in "
                + "1...\(SpecLimits.maximum[kind])")
        }
    }
}
