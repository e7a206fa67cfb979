import Core
import Foundation
import Testing

@Suite struct IDXTests {
    static func idx(_ dims: [Int], data: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = [0, 0, 8, UInt8(dims.count)]
        for d in dims { bytes += [UInt8(d >> 24 & 255), UInt8(d >> 16 & 255), UInt8(d >> 8 & 255), UInt8(d & 255)] }
        return bytes + data
    }

    /// Writes a 3-image train and 2-image test set of 4×4 images; `gzip` compresses the files with gzip(1).
    static func writeDataset(in dir: URL, gzip: Bool, mutate: (inout [String: [UInt8]]) -> Void = { _ in })
        throws
    {
        var files: [String: [UInt8]] = [
            "train-images-idx3-ubyte": idx([3, 4, 4], data: (0..<48).map { UInt8($0 * 5) }),
            "train-labels-idx1-ubyte": idx([3], data: [1, 2, 3]),
            "t10k-images-idx3-ubyte": idx([2, 4, 4], data: (0..<32).map { UInt8($0) }),
            "t10k-labels-idx1-ubyte": idx([2], data: [9, 0]),
        ]
        mutate(&files)
        for (name, bytes) in files {
            let url = dir.appendingPathComponent(name)
            try Data(bytes).write(to: url)
            if gzip {
                let p = Process()
                p.executableURL = URL(fileURLWithPath: "/bin/gzip")
                p.arguments = ["-f", url.path]
                try p.run()
                p.waitUntilExit()
            }
        }
    }

    @Test(arguments: [false, true])
    func readsPlainAndGzippedFiles(gzip: Bool) throws {
        let dir = try Fixture.temporaryDirectory()
        try Self.writeDataset(in: dir, gzip: gzip)
        let ds = try Dataset(folder: dir.path)
        #expect(ds.train.count == 3 && ds.test.count == 2 && ds.train.height == 4 && ds.train.width == 4)
        #expect(ds.train.labels == [1, 2, 3] && ds.test.labels == [9, 0])
        #expect(ds.train.floats(of: 2)[15] == Float(235) / 255)
        #expect(ds.sha256.map(\.name) == Dataset.fileNames && ds.sha256.allSatisfy { $0.digest.count == 64 })
        let limited = try Dataset(folder: dir.path, trainLimit: 2, testLimit: 1)
        #expect(limited.train.count == 2 && limited.test.count == 1 && limited.train.pixels.rowCount == 2)
        // The digest is over the decompressed bytes: gzip or not, the same identity.
        let other = try Fixture.temporaryDirectory()
        try Self.writeDataset(in: other, gzip: !gzip)
        #expect(try Dataset(folder: other.path).sha256.map(\.digest) == ds.sha256.map(\.digest))
    }

    @Test func missingFileIsNamed() throws {
        let dir = try Fixture.temporaryDirectory()
        let error = #expect(throws: DatasetError.self) { try Dataset(folder: dir.path) }
        #expect(error?.path.hasSuffix("train-images-idx3-ubyte.gz") == true)
        #expect(error?.message.contains("missing") == true)
    }

    @Test(arguments: [
        ("truncated", "train-images-idx3-ubyte", "truncated"),
        ("magic", "train-labels-idx1-ubyte", "magic"),
        ("count", "t10k-labels-idx1-ubyte", "labels"),
        ("long", "t10k-images-idx3-ubyte", "longer"),
        ("type", "train-images-idx3-ubyte", "element type"),
        ("short", "train-images-idx3-ubyte", "too short"),
    ])
    func badFilesAreClearErrors(kind: String, file: String, phrase: String) throws {
        let dir = try Fixture.temporaryDirectory()
        try Self.writeDataset(in: dir, gzip: false) { files in
            switch kind {
            case "truncated": files[file]!.removeLast(5)
            case "magic": files[file]![0] = 0x1f; files[file]![1] = 0x00
            case "count": files[file] = Self.idx([3], data: [1, 2, 3])
            case "long": files[file]!.append(7)
            case "type": files[file]![2] = 0x0d
            default: files[file] = [0, 0]
            }
        }
        let error = #expect(throws: DatasetError.self) { try Dataset(folder: dir.path) }
        #expect(error?.path.hasSuffix(file) == true, "\(error?.description ?? "")")
        #expect(error?.message.contains(phrase) == true, "\(error?.description ?? "")")
    }

    @Test func truncatedGzipIsAClearError() throws {
        let dir = try Fixture.temporaryDirectory()
        try Self.writeDataset(in: dir, gzip: true)
        let url = dir.appendingPathComponent("train-labels-idx1-ubyte.gz")
        let data = try Data(contentsOf: url)
        try data.prefix(data.count - 6).write(to: url)
        let error = #expect(throws: DatasetError.self) { try Dataset(folder: dir.path) }
        #expect(error?.path == url.path)
        #expect(error?.message.contains("gzip") == true)
    }
}
