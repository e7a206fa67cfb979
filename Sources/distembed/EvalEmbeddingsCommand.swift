import ArgumentParser

struct EvalEmbeddings: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "eval-embeddings")
    func run() throws { throw ValidationError("not built yet") }
}
