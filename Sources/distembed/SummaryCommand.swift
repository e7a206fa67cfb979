import ArgumentParser
import Core

/// `distembed summary SPEC`: the model as Keras prints it.
struct Summary: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the spec's model as a Keras-style table of layers, output shapes and parameters.")

    @OptionGroup var specOptions: SpecOptions

    func run() throws {
        let spec = try specOptions.load()
        let model = try Model(spec.model)
        Console.out(ModelSummary.table(model))
    }
}
