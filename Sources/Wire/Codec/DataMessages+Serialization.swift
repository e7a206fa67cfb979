import CDistEmbedProto

extension DataManifest {
    func proto(in context: PackContext) -> UnsafeMutablePointer<Distembed__DataManifest> {
        let message: UnsafeMutablePointer<Distembed__DataManifest> = context.make {
            distembed__data_manifest__init($0)
        }
        message.pointee.digest = context.string(digest)
        message.pointee.piece_size = pieceSize
        message.pointee.n_files = files.count
        message.pointee.files = context.messages(files) { $0.proto(in: context) }
        return message
    }

    init(proto message: UnsafePointer<Distembed__DataManifest>) throws(WireError) {
        let c = message.pointee
        self.init(
            digest: String(protobuf: c.digest), pieceSize: c.piece_size,
            files: try repeatedMessages(c.files, count: c.n_files, field: "DataManifest.files")
                .map { DataFile(proto: $0) })
    }
}

extension DataFile {
    func proto(in context: PackContext) -> UnsafeMutablePointer<Distembed__DataFile> {
        let message: UnsafeMutablePointer<Distembed__DataFile> = context.make { distembed__data_file__init($0) }
        message.pointee.name = context.string(name)
        message.pointee.size = size
        message.pointee.sha256 = context.string(sha256)
        message.pointee.n_piece_sha256 = pieceSHA256.count
        message.pointee.piece_sha256 = context.array(count: pieceSHA256.count) {
            Optional(context.string(pieceSHA256[$0]))
        }
        return message
    }

    init(proto message: UnsafePointer<Distembed__DataFile>) {
        let c = message.pointee
        self.init(
            name: String(protobuf: c.name), size: c.size, sha256: String(protobuf: c.sha256),
            pieceSHA256: repeated(c.piece_sha256, count: c.n_piece_sha256).map { String(protobuf: $0) })
    }
}

extension DataPieceRequest {
    func proto(in context: PackContext) -> UnsafeMutablePointer<Distembed__DataPieceRequest> {
        let message: UnsafeMutablePointer<Distembed__DataPieceRequest> = context.make {
            distembed__data_piece_request__init($0)
        }
        message.pointee.manifest_digest = context.string(manifestDigest)
        message.pointee.file = file
        message.pointee.piece = piece
        return message
    }

    init(proto message: UnsafePointer<Distembed__DataPieceRequest>) {
        let c = message.pointee
        self.init(manifestDigest: String(protobuf: c.manifest_digest), file: c.file, piece: c.piece)
    }
}

extension DataPiece {
    func proto(in context: PackContext) -> UnsafeMutablePointer<Distembed__DataPiece> {
        let message: UnsafeMutablePointer<Distembed__DataPiece> = context.make { distembed__data_piece__init($0) }
        message.pointee.manifest_digest = context.string(manifestDigest)
        message.pointee.file = file
        message.pointee.piece = piece
        message.pointee.data = context.bytes(data)
        message.pointee.retry_after_ms = retryAfterMs
        return message
    }

    init(proto message: UnsafePointer<Distembed__DataPiece>) {
        let c = message.pointee
        self.init(
            manifestDigest: String(protobuf: c.manifest_digest), file: c.file, piece: c.piece,
            data: Array(repeated(c.data.data, count: c.data.len)), retryAfterMs: c.retry_after_ms)
    }
}
