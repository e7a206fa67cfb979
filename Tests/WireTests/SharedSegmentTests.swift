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
        #expect(removed.contains(stale))
        #expect(!Self.exists("/" + stale))
        #expect(Self.exists(mine.name), "a segment of a running process stays")
        #expect(Self.exists("/" + notOurs), "a name without a process id is not a segment")
    }

    @Test func theMailboxHandsOverEachPostOnce() throws {
        let coordinator = try SharedSegment.create(parameterCount: 10, slotCount: 1)
        let worker = try SharedSegment.attach(coordinator.offer, parameterCount: 10)
        #expect(worker.postCount == 0)
        #expect(worker.nextPost(after: 0, timeout: .milliseconds(20)) == nil, "nothing posted yet")
        #expect(coordinator.post([1, 2, 3]))
        let first = try #require(worker.nextPost(after: 0, timeout: .milliseconds(20)))
        #expect(first.count == 1 && first.bytes == [1, 2, 3])
        #expect(worker.nextPost(after: 1, timeout: .milliseconds(20)) == nil, "a post is handed over once")
        #expect(coordinator.post(Array(repeating: 7, count: SharedSegment.mailboxCapacity)))
        let second = try #require(worker.nextPost(after: 1, timeout: .milliseconds(20)))
        #expect(second.count == 2 && second.bytes.count == SharedSegment.mailboxCapacity)
        #expect(!coordinator.post(Array(repeating: 0, count: SharedSegment.mailboxCapacity + 1)), "too big: a message")
        #expect(worker.postCount == 2)
    }

    @Test func aPostWakesAThreadWaitingOnTheMailbox() throws {
        let coordinator = try SharedSegment.create(parameterCount: 10, slotCount: 1)
        let worker = try SharedSegment.attach(coordinator.offer, parameterCount: 10)
        let started = ContinuousClock.now
        let poster = Thread {
            Thread.sleep(forTimeInterval: 0.05)
            _ = coordinator.post([42])
        }
        poster.start()
        let post = worker.nextPost(after: 0, timeout: .seconds(30))
        #expect(post?.bytes == [42])
        #expect(ContinuousClock.now - started < .seconds(20), "woken by the post, not by the 30 s timeout")
    }

    @Test func sizeCoversHeaderWeightsAndSlotsInWholePages() {
        #expect(SharedSegment.byteCount(parameterCount: 72_842, slotCount: 4) == 4096 + 5 * 294_912)
        #expect(SharedSegment.byteCount(parameterCount: 1, slotCount: 1) == 3 * 4096)
    }
}
