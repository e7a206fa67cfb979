import Foundation
import Testing
import Wire

/// The shared-memory segment: what one side writes the other reads, and a worker maps only the segment it was
/// offered.
@Suite struct SharedSegmentTests {
    static func exists(_ name: String) -> Bool {
        FileManager.default.fileExists(atPath: "/dev/shm" + name)
    }

    @Test func weightsAndSlotsCrossBetweenTheTwoMappings() throws {
        let created = try SharedSegment.create(parameterCount: 1000, slotCount: 3)
        let attached = try SharedSegment.attach(created.offer, parameterCount: 1000)
        let weights = (0..<1000).map { Float($0) * 0.5 - 7 }
        created.writeWeights(weights)
        #expect(attached.withWeights { Array(UnsafeBufferPointer(start: $0, count: 1000)) } == weights)
        attached.withMutableSlot(2) { slot in
            for i in 0..<1000 { slot[i] = Float(i) + 0.25 }
        }
        attached.withMutableSlot(0) { $0.update(repeating: -1, count: 1000) }
        #expect(created.withSlot(2) { Array(UnsafeBufferPointer(start: $0, count: 1000)) }
            == (0..<1000).map { Float($0) + 0.25 })
        #expect(created.withSlot(0) { $0[999] } == -1)
        #expect(created.withWeights { $0[3] } == weights[3], "a slot write does not touch the weights")
    }

    @Test func theNameGoesOnUnlinkAndWithItsCreatorButTheMappingsStay() throws {
        var created: SharedSegment? = try SharedSegment.create(parameterCount: 10, slotCount: 1)
        let name = created!.name
        #expect(name.hasPrefix("/distembed-\(getpid())-"))
        #expect(Self.exists(name))
        let attached = try SharedSegment.attach(created!.offer, parameterCount: 10)
        created!.unlink()
        #expect(!Self.exists(name))
        created!.writeWeights([Float](repeating: 3, count: 10))
        #expect(attached.withWeights { $0[9] } == 3)
        let offer = created!.offer
        #expect(throws: SharedSegmentError.self) { try SharedSegment.attach(offer, parameterCount: 10) }

        let second = try SharedSegment.create(parameterCount: 10, slotCount: 1)
        let secondName = second.name
        created = nil
        #expect(Self.exists(secondName), "releasing one segment leaves the others")
        _ = second
    }

    @Test func theSharedWeightsAreReadOnlyForWorkersAndUpdatedInPlace() throws {
        let created = try SharedSegment.create(parameterCount: 1000, slotCount: 0)
        #expect(created.offer.slotCount == 0 && created.writable)
        let worker = try SharedSegment.attachWeights(created.offer, parameterCount: 1000)
        #expect(!worker.writable)
        let weights = created.mutableWeights
        for i in weights.indices { weights[i] = Float(i) * 0.25 }
        #expect(worker.withWeights { Array(UnsafeBufferPointer(start: $0, count: 1000)) } == Array(weights))
        weights[999] = -1
        #expect(worker.withWeights { $0[999] } == -1, "the worker sees an update in place at once")

        let refused = #expect(throws: SharedSegmentError.self) {
            try SharedSegment.attach(created.offer, parameterCount: 1000)
        }
        #expect("\(refused!)".contains("offers no gradient slots"), "\(refused!)")
        let withSlots = try SharedSegment.create(parameterCount: 1000, slotCount: 1)
        let notWeights = #expect(throws: SharedSegmentError.self) {
            try SharedSegment.attachWeights(withSlots.offer, parameterCount: 1000)
        }
        #expect("\(notWeights!)".contains("has 1 gradient slots; shared weights have none"), "\(notWeights!)")
        var otherNonce = created.offer
        otherNonce.nonce[3] ^= 1
        #expect(throws: SharedSegmentError.self) { try SharedSegment.attachWeights(otherNonce, parameterCount: 1000) }
    }

    @Test func aReleasedCreatorRemovesItsName() throws {
        var created: SharedSegment? = try SharedSegment.create(parameterCount: 10, slotCount: 1)
        let name = created!.name
        #expect(Self.exists(name))
        created = nil
        #expect(!Self.exists(name), "no segment is left in /dev/shm")
    }

    @Test func aWorkerMapsOnlyTheSegmentItWasOffered() throws {
        let created = try SharedSegment.create(parameterCount: 100, slotCount: 2)
        var otherNonce = created.offer
        otherNonce.nonce[0] ^= 1
        var otherSlots = created.offer
        otherSlots.slotCount = 3
        var missing = created.offer
        missing.name = "/distembed-1-0000000000000000"
        var longNonce = created.offer
        longNonce.nonce += [UInt8](repeating: 0, count: 100_000)
        let refusals: [(SharedSegmentOffer, Int, String)] = [
            (otherNonce, 100, "not the segment"),
            (otherSlots, 100, "bytes"),
            (created.offer, 101, "not the segment"),
            (created.offer, 2000, "bytes"),
            (missing, 100, "No such file"),
            (longNonce, 100, "a nonce of 100016 bytes"),
        ]
        for (offer, parameters, phrase) in refusals {
            let error = #expect(throws: SharedSegmentError.self) {
                try SharedSegment.attach(offer, parameterCount: parameters)
            }
            #expect("\(error!)".contains(phrase), "\(error!)")
        }
    }

    @Test(arguments: ["/etc/passwd", "/distembed-../../etc/passwd", "distembed-1-00", "/distembed-", "/distembed-1/x",
                      "/dev/shm/distembed-1-00"])
    func namesOutsideTheSegmentFormAreNotOpened(name: String) throws {
        let offer = SharedSegmentOffer(name: name, nonce: [UInt8](repeating: 0, count: 16), slotCount: 1)
        let error = #expect(throws: SharedSegmentError.self) { try SharedSegment.attach(offer, parameterCount: 10) }
        #expect("\(error!)".contains("is not a distembed segment name"), "\(error!)")
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/dev/shm"), "needs /dev/shm"))
    func segmentsOfProcessesThatAreGoneAreRemovedAndOthersKept() throws {
        let exited = Process()
        exited.executableURL = URL(fileURLWithPath: "/bin/true")
        try exited.run()
        exited.waitUntilExit()
        let stale = "distembed-\(exited.processIdentifier)-00000000deadbeef"
        #expect(FileManager.default.createFile(atPath: "/dev/shm/" + stale, contents: Data([1, 2, 3])))
        let mine = try SharedSegment.create(parameterCount: 10, slotCount: 1)
        let notOurs = "distembed-notes.txt"
        #expect(FileManager.default.createFile(atPath: "/dev/shm/" + notOurs, contents: Data()))
        defer { try? FileManager.default.removeItem(atPath: "/dev/shm/" + notOurs) }

        let removed = SharedSegment.removeStale()
        // Gone, whoever removed it: a coordinator that a test running alongside starts removes stale segments too,
        // and may come first (then it is not in `removed`; seen in a full run).
        #expect(!Self.exists("/" + stale))
        #expect(!removed.contains(String(mine.name.dropFirst())))
        #expect(Self.exists(mine.name), "a segment of a running process stays")
        #expect(Self.exists("/" + notOurs), "a name without a process id is not a segment")
    }

    /// A coordinator killed under a parent that has not reaped it yet is a zombie: `kill(pid, 0)` still succeeds, but
    /// its segments are stale.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/dev/shm"), "needs /dev/shm"))
    func segmentsOfZombieProcessesAreRemoved() throws {
        var pid: pid_t = 0
        let arguments = ["/bin/true"]
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        #expect(posix_spawn(&pid, "/bin/true", nil, nil, &argv, environ) == 0)
        defer { waitpid(pid, nil, 0) }
        var waited = siginfo_t()
        #expect(waitid(P_PID, id_t(pid), &waited, WEXITED | WNOWAIT) == 0, "exited, and left unreaped")
        #expect(kill(pid, 0) == 0, "a zombie still answers kill(pid, 0)")
        let stale = "distembed-\(pid)-00000000feedface"
        #expect(FileManager.default.createFile(atPath: "/dev/shm/" + stale, contents: Data([1])))
        defer { try? FileManager.default.removeItem(atPath: "/dev/shm/" + stale) }

        #expect(SharedSegment.removeStale().contains(stale))
        #expect(!Self.exists("/" + stale))
    }

    @Test func theMailboxHandsOverEachPostOnce() throws {
        let coordinator = try SharedSegment.create(parameterCount: 10, slotCount: 1)
        let worker = try SharedSegment.attach(coordinator.offer, parameterCount: 10)
        #expect(worker.postCount() == 0)
        #expect(worker.nextPost(after: 0, timeout: .milliseconds(20)) == nil, "nothing posted yet")
        #expect(coordinator.post([1, 2, 3]))
        let first = try #require(worker.nextPost(after: 0, timeout: .milliseconds(20)))
        #expect(first.count == 1 && first.bytes == [1, 2, 3])
        #expect(worker.nextPost(after: 1, timeout: .milliseconds(20)) == nil, "a post is handed over once")
        #expect(coordinator.post(Array(repeating: 7, count: SharedSegment.mailboxCapacity)))
        let second = try #require(worker.nextPost(after: 1, timeout: .milliseconds(20)))
        #expect(second.count == 2 && second.bytes.count == SharedSegment.mailboxCapacity)
        #expect(!coordinator.post(Array(repeating: 0, count: SharedSegment.mailboxCapacity + 1)), "too big: a message")
        #expect(worker.postCount() == 2)
        #expect(coordinator.postCount(in: .results) == 0, "the result mailbox is another")
    }

    @Test func theResultMailboxCarriesTheWorkersPostsBack() throws {
        let coordinator = try SharedSegment.create(parameterCount: 10, slotCount: 1)
        let worker = try SharedSegment.attach(coordinator.offer, parameterCount: 10)
        #expect(coordinator.post([1, 2], in: .assignments))
        #expect(worker.post([9, 8, 7], in: .results))
        let result = try #require(coordinator.nextPost(after: 0, in: .results, timeout: .zero))
        #expect(result.count == 1 && result.bytes == [9, 8, 7])
        let assignment = try #require(worker.nextPost(after: 0, in: .assignments, timeout: .zero))
        #expect(assignment.bytes == [1, 2], "each mailbox keeps its own post")
        #expect(coordinator.nextPost(after: 1, in: .results, timeout: .zero) == nil)
    }

    @Test func aReaderWaitsForAPostInAnyOfSeveralSegments() throws {
        #if os(Linux)
        #expect(SharedSegment.canWaitForAnyPost, "futex_waitv needs Linux 5.16")
        #endif
        guard SharedSegment.canWaitForAnyPost else { return }
        let first = try SharedSegment.create(parameterCount: 10, slotCount: 1)
        let second = try SharedSegment.create(parameterCount: 10, slotCount: 1)
        let worker = try SharedSegment.attach(second.offer, parameterCount: 10)
        let watched: [(segment: SharedSegment, seen: UInt32)] = [(first, 0), (second, 0)]
        let started = ContinuousClock.now
        Self.afterAMoment { _ = worker.post([5], in: .results) }
        var woken = false
        while !woken && ContinuousClock.now - started < .seconds(20) {
            #expect(SharedSegment.waitForAnyPost(in: .results, of: watched, timeout: .seconds(30)))
            woken = second.postCount(in: .results) == 1
        }
        #expect(woken && ContinuousClock.now - started < .seconds(20), "woken by the post, not by the 30 s timeout")
        #expect(first.postCount(in: .results) == 0)
        let taken = Date()
        #expect(SharedSegment.waitForAnyPost(in: .results, of: watched, timeout: .seconds(30)))
        #expect(Date().timeIntervalSince(taken) < 20, "a post already there: no wait")
    }

    /// A post wakes the reader with its bytes; a nudge wakes it with none (it watches the mailbox for a moment,
    /// then returns).
    @Test(arguments: [true, false]) func aPostOrANudgeWakesAThreadWaitingOnTheMailbox(posts: Bool) throws {
        let coordinator = try SharedSegment.create(parameterCount: 10, slotCount: 1)
        let worker = try SharedSegment.attach(coordinator.offer, parameterCount: 10)
        let started = ContinuousClock.now
        Self.afterAMoment { if posts { _ = coordinator.post([42]) } else { coordinator.nudge() } }
        let post = worker.nextPost(after: 0, timeout: .seconds(30))
        #expect(post?.bytes == (posts ? [42] : nil))
        #expect(ContinuousClock.now - started < .seconds(20), "woken at once, not by the 30 s timeout")
    }

    /// Runs `body` on another thread 50 ms from now.
    static func afterAMoment(_ body: @escaping @Sendable () -> Void) {
        Thread {
            Thread.sleep(forTimeInterval: 0.05)
            body()
        }.start()
    }

    @Test func sizeCoversHeaderWeightsAndSlotsInWholePages() {
        #expect(SharedSegment.byteCount(parameterCount: 72_842, slotCount: 4) == 4096 + 5 * 294_912)
        #expect(SharedSegment.byteCount(parameterCount: 1, slotCount: 1) == 3 * 4096)
    }
}
