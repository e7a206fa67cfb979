import Foundation
import Testing

/// CURVE between real processes, the safe default binding, the data directories and keygen.
@Suite(.serialized) struct SecurityTests {
    static let spec = DistributedTrainingTests.spec
    static let short = DistributedTrainingTests.short

    /// `distembed keygen --out FOLDER/name`; returns the folder.
    func keygen(_ cluster: TestCluster, _ name: String) throws -> String {
        let path = cluster.folder.appendingPathComponent("keys-\(name)").path
        let out = try Binary.run(["keygen", "--out", path])
        #expect(out.status == 0, "\(out.stderr)")
        return path
    }

    func contents(_ path: String) throws -> String {
        try String(contentsOfFile: path, encoding: .utf8)
    }

    @Test func keygenWritesAPublicKeyAndAnOwnerOnlySecretKey() throws {
        let cluster = try TestCluster()
        let folder = cluster.folder.appendingPathComponent("k").path
        let out = try Binary.run(["keygen", "--out", folder, "--json"])
        #expect(out.status == 0, "\(out.stderr)")
        let json = try Binary.json(out)
        let publicKey = try contents(folder + "/public.key")
        #expect(publicKey.utf8.count == 41 && publicKey.hasSuffix("\n"))
        #expect(json["publicKey"] as? String == String(publicKey.dropLast()))
        #expect(try contents(folder + "/secret.key").utf8.count == 41)
        let fm = FileManager.default
        #expect(try fm.attributesOfItem(atPath: folder + "/secret.key")[.posixPermissions] as? Int == 0o600)
        #expect(try fm.attributesOfItem(atPath: folder + "/public.key")[.posixPermissions] as? Int == 0o644)
        #expect(try fm.attributesOfItem(atPath: folder)[.posixPermissions] as? Int == 0o700)
        let again = try Binary.run(["keygen", "--out", folder])
        #expect(again.status != 0 && again.stderr.contains("already exists"))
        #expect(try contents(folder + "/public.key") == publicKey)
    }

    @Test func withCurveOnlyAuthorizedWorkersAndClientsGetThrough() throws {
        let local = try DistributedTrainingTests.localHash.get()
        let cluster = try TestCluster()
        let coordinator = try keygen(cluster, "coordinator")
        let worker = try keygen(cluster, "worker")
        let client = try keygen(cluster, "client")
        let stranger = try keygen(cluster, "stranger")
        let authorized = cluster.folder.appendingPathComponent("authorized").path
        try FileManager.default.createDirectory(atPath: authorized, withIntermediateDirectories: true)
        for name in ["worker", "client"] {
            try FileManager.default.copyItem(atPath: cluster.folder.appendingPathComponent("keys-\(name)/public.key").path,
                                             toPath: authorized + "/\(name).key")
        }
        try cluster.startCoordinator(tcp: true, extra: [
            "--curve-secret", coordinator + "/secret.key", "--authorized", authorized])
        let serverKey = ["--coordinator-key", coordinator + "/public.key"]
        try cluster.startWorker("w1", extra: ["--curve-secret", worker + "/secret.key"] + serverKey)
        try cluster.startWorker("stranger", extra: ["--curve-secret", stranger + "/secret.key"] + serverKey)
        try cluster.startWorker("plain")

        // A client without keys, or with unknown keys, gets no answer.
        let noKeys = try Binary.run(["list", "--coordinator", cluster.endpoint])
        #expect(noKeys.status != 0 && noKeys.stderr.contains("no answer"))
        let unknown = try Binary.run(["list", "--coordinator", cluster.endpoint, "--curve-secret",
                                      stranger + "/secret.key"] + serverKey)
        #expect(unknown.status != 0 && unknown.stderr.contains("no answer"))
        let wrongServerKey = try Binary.run(["list", "--coordinator", cluster.endpoint, "--curve-secret",
                                             client + "/secret.key", "--coordinator-key", stranger + "/public.key"])
        #expect(wrongServerKey.status != 0 && wrongServerKey.stderr.contains("no answer"))

        let out = try Binary.run(["submit", Self.spec, "--wait", "--json", "--coordinator", cluster.endpoint,
                                  "--curve-secret", client + "/secret.key"] + serverKey + Self.short)
        #expect(out.status == 0, "\(out.stderr)\n\(cluster.log("coordinator"))")
        let json = try Binary.json(out)
        #expect(json["weightsSha256"] as? String == local)
        #expect(json["workers"] as? Int == 1)

        #expect(cluster.log("w1").contains("joined the coordinator"))
        for name in ["stranger", "plain"] {
            #expect(!cluster.log(name).contains("joined the coordinator"), "\(name): \(cluster.log(name))")
        }
        let strangerKey = try contents(stranger + "/public.key").trimmingCharacters(in: .whitespacesAndNewlines)
        let refusals = cluster.log("coordinator").split(separator: "\n").filter {
            $0.contains("refused a connection from 127.0.0.1") && $0.contains(strangerKey)
        }
        #expect(refusals.count == 1, "\(cluster.log("coordinator"))")
        // The plain worker and `list` fail the handshake before ZAP, reconnecting all along: one line for their
        // address. So does the client that has the wrong coordinator key.
        let lines = cluster.log("coordinator").split(separator: "\n")
        for reason in ["it did not use CURVE", "its CURVE handshake did not decrypt"] {
            let refused = lines.filter { $0.contains("refused a connection from 127.0.0.1: \(reason)") }
            #expect(refused.count == 1, "\(reason): \(cluster.log("coordinator"))")
        }
    }

    /// With CURVE the members of a sharded group talk over CURVE too (each message's sender proven by its key,
    /// `PeerLinksTests`): the group forms once, never rolls back, and the run ends with the local weights.
    @Test func withCurveAShardedGroupTrainsOverCurveLinks() throws {
        let local = try DistributedTrainingTests.localHash.get()
        let cluster = try TestCluster()
        let coordinator = try keygen(cluster, "coordinator")
        let members = try ["w1", "w2"].map { try keygen(cluster, $0) }
        let client = try keygen(cluster, "client")
        let authorized = cluster.folder.appendingPathComponent("authorized").path
        try FileManager.default.createDirectory(atPath: authorized, withIntermediateDirectories: true)
        for (name, folder) in zip(["w1", "w2", "client"], members + [client]) {
            try FileManager.default.copyItem(atPath: folder + "/public.key", toPath: authorized + "/\(name).key")
        }
        try cluster.startCoordinator(tcp: true, extra: [
            "--curve-secret", coordinator + "/secret.key", "--authorized", authorized])
        let serverKey = ["--coordinator-key", coordinator + "/public.key"]
        for (name, folder) in zip(["w1", "w2"], members) {
            try cluster.startWorker(name, extra: ["--curve-secret", folder + "/secret.key"] + serverKey
                + ShardedPeerTests.sharded)
        }
        let out = try Binary.run(["submit", Self.spec, "--wait", "--json", "--min-workers", "2", "--coordinator",
                                  cluster.endpoint, "--curve-secret", client + "/secret.key"] + serverKey + Self.short)
        #expect(out.status == 0, "\(out.stderr)\n\(cluster.log("coordinator"))")
        let json = try Binary.json(out)
        #expect(json["weightsSha256"] as? String == local)
        let events = try #require(json["events"] as? [String: Any])
        #expect(events["shardedGroups"] as? Int == 1 && events["shardedRollbacks"] as? Int == 0,
                "\(events)\n\(cluster.log("coordinator"))")
    }

    @Test func withoutKeysTheCoordinatorListensOnlyOnLoopback() throws {
        let cluster = try TestCluster()
        let refused = try Binary.run(["coordinator", "--listen", "tcp://0.0.0.0:*", "--store", cluster.store.path])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("refusing to listen on tcp://0.0.0.0:*"), "\(refused.stderr)")
        #expect(refused.stderr.contains("distembed keygen --out DIR"))
        #expect(!FileManager.default.fileExists(atPath: cluster.store.path))

        try cluster.startCoordinator(tcp: true, extra: ["--listen", "tcp://0.0.0.0:*", "--insecure"])
        #expect(cluster.log("coordinator").contains("WITHOUT CURVE (--insecure)"))
        let list = try Binary.run(["list", "--coordinator", cluster.endpoint, "--json"])
        #expect(list.status == 0, "\(list.stderr)")
    }

    @Test func curveNeedsItsAuthorizedKeysAndValidKeyFiles() throws {
        let cluster = try TestCluster()
        let coordinator = try keygen(cluster, "coordinator")
        let store = ["--store", cluster.store.path]
        let noAuthorized = try Binary.run(["coordinator", "--curve-secret", coordinator + "/secret.key"] + store)
        #expect(noAuthorized.status != 0 && noAuthorized.stderr.contains("--authorized"))
        let badKey = cluster.folder.appendingPathComponent("bad.key").path
        try "nonsense".write(toFile: badKey, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: badKey)
        let bad = try Binary.run(["coordinator", "--curve-secret", badKey, "--authorized", coordinator] + store)
        #expect(bad.status != 0 && bad.stderr.contains(badKey), "\(bad.stderr)")
        let worker = try Binary.run(["worker", "--connect", "tcp://127.0.0.1:1", "--curve-secret",
                                     coordinator + "/secret.key"])
        #expect(worker.status != 0 && worker.stderr.contains("--coordinator-key"))
    }

    @Test func aSubmitOverASpecLimitIsRefusedNamingTheOptionThatRaisesIt() throws {
        let cluster = try TestCluster()
        try cluster.startCoordinator(extra: ["--max-epochs", "1"])
        func submit(_ extra: [String]) throws -> Binary.Output {
            try Binary.run(["submit", Self.spec, "--json", "--coordinator", cluster.endpoint] + Self.short + extra)
        }
        let over = try submit([])
        #expect(over.status != 0)
        #expect(over.stderr.contains("training.epochs: is 2, over the limit of 1 (raise it with --max-epochs"),
                "\(over.stderr)")
        let within = try submit(["--set", "training.epochs=1"])
        #expect(within.status == 0, "\(within.stderr)")

        // `train --local` takes the same limits, from the environment too.
        let local = try Binary.run(["train", Self.spec, "--local"] + Self.short,
                                   environment: ["DISTEMBED_MAX_TRAIN_SAMPLES": "299"])
        #expect(local.status != 0)
        #expect(local.stderr.contains("dataset.trainLimit: is 300, over the limit of 299 (raise it with "
            + "--max-train-samples"), "\(local.stderr)")
        let zero = try Binary.run(["coordinator", "--max-epochs", "0", "--store", cluster.store.path])
        #expect(zero.status != 0 && zero.stderr.contains("--max-epochs 0 is out of range"), "\(zero.stderr)")
    }

    @Test func specsMustReadDataFromTheAllowedDirectories() throws {
        let cluster = try TestCluster()
        let allowed = cluster.folder.appendingPathComponent("allowed").path
        try FileManager.default.createDirectory(atPath: allowed, withIntermediateDirectories: true)
        // A link into the dataset is fine; a link out of the allowed folder is not.
        try FileManager.default.createSymbolicLink(atPath: allowed + "/fmnist",
                                                   withDestinationPath: "/usr/share/datasets/fashion-mnist")
        try FileManager.default.createSymbolicLink(atPath: allowed + "/escape", withDestinationPath: "/etc")
        try cluster.startCoordinator(extra: ["--data-dir", allowed])
        func submit(_ path: String) throws -> Binary.Output {
            try Binary.run(["submit", Self.spec, "--json", "--coordinator", cluster.endpoint, "--set",
                            "dataset.path=\(path)"] + Self.short)
        }
        for path in ["/etc", allowed + "/escape", allowed + "/../.."] {
            let out = try submit(path)
            #expect(out.status == 65, "a bad spec: \(out.stderr)")
            #expect(out.stderr.contains("dataset.path: \(path) is not a folder inside the allowed data directories"),
                    "\(out.stderr)")
            #expect(out.stderr.contains(allowed))
        }
        let ok = try submit(allowed + "/fmnist")
        #expect(ok.status == 0, "\(ok.stderr)")
        // The coordinator's own --data folder is always allowed.
        let own = try submit("/usr/share/datasets/fashion-mnist")
        #expect(own.status == 0, "\(own.stderr)")
    }
}
