import Foundation

/// The files `--out DIR` writes: the evaluated embeddings before and after training (float32 `.npy`), their
/// labels (int64 `.npy`) and the final weights (little-endian float32, canonical order, `weights.f32`).
public struct ExperimentArtifacts: Sendable {
    public var before: [Float] = []
    public var after: [Float] = []
    public var labels: [Int]
    public var width: Int
    public var weights: [Float] = []

    public init(before: [Float] = [], after: [Float] = [], labels: [Int], width: Int, weights: [Float] = []) {
        self.before = before
        self.after = after
        self.labels = labels
        self.width = width
        self.weights = weights
    }

    /// Writes the files into `folder`, created owner-only (0700) when missing (an existing folder keeps its mode).
    public func write(to folder: String) throws {
        let fm = FileManager.default
        try fm.createDirectory(atPath: folder, withIntermediateDirectories: true,
                               attributes: [.posixPermissions: 0o700])
        let url = URL(fileURLWithPath: folder)
        let rows = labels.count
        try NPYWriter.write(
            NPYArray(shape: [rows, width], contents: .float32(before)),
            toPath: url.appendingPathComponent("embeddings_before.npy").path)
        try NPYWriter.write(
            NPYArray(shape: [rows, width], contents: .float32(after)),
            toPath: url.appendingPathComponent("embeddings_after.npy").path)
        try NPYWriter.write(
            NPYArray(shape: [rows], contents: .int64(labels.map(Int64.init))),
            toPath: url.appendingPathComponent("labels.npy").path)
        try weights.withUnsafeBufferPointer {
            try Data(buffer: $0).write(to: url.appendingPathComponent("weights.f32"))
        }
    }
}
