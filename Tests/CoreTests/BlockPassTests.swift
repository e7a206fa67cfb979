import Core
import Foundation
import Synchronization
import Testing

/// The pass a caller and a helper thread share: every element in exactly one block, whoever runs it, and the
/// helper takes blocks while the caller is busy.
@Suite struct BlockPassTests {
    /// The ranges a pass handed out, from either thread, and how many ran off the caller's thread.
    final class Record: Sendable {
        let ranges = Mutex<[Range<Int>]>([])
        let elsewhere = Atomic<Int>(0)
    }

    @Test func everyElementIsInExactlyOneBlock() {
        let pass = BlockPass()
        for (count, blockSize) in [(0, 16), (1, 16), (16, 16), (17, 16), (5000, 2048), (72_842, 2048),
                                   (200_000, 1)] {
            let record = Record()
            pass.run(count: count, blockSize: blockSize) { range in
                record.ranges.withLock { $0.append(range) }
            }
            let ranges = record.ranges.withLock { $0 }.sorted { $0.lowerBound < $1.lowerBound }
            var covered = 0
            for range in ranges {
                #expect(range.lowerBound == covered && !range.isEmpty, "\(count) by \(blockSize): \(range)")
                covered = range.upperBound
            }
            #expect(covered == count, "\(count) by \(blockSize)")
            #expect(ranges.count <= 0xFFFF, "a pass has at most 65,535 blocks (\(ranges.count))")
        }
    }

    /// The caller holds its first block until another thread has run one: the helper, woken by the pass, must
    /// take it (the test gives up after 10 s a block, and then fails).
    @Test func theHelperTakesBlocksWhileTheCallerIsBusy() {
        let pass = BlockPass()
        for _ in 0..<3 {
            let record = Record()
            let caller = pthread_self()
            pass.run(count: 10 * 64, blockSize: 64) { range in
                if pthread_equal(pthread_self(), caller) != 0 {
                    let deadline = Date().addingTimeInterval(10)
                    while record.elsewhere.load(ordering: .acquiring) == 0 && Date() < deadline {
                        Thread.sleep(forTimeInterval: 0.001)
                    }
                } else {
                    record.elsewhere.add(1, ordering: .releasing)
                }
                record.ranges.withLock { $0.append(range) }
            }
            #expect(record.elsewhere.load(ordering: .acquiring) > 0, "the helper ran no block")
            #expect(record.ranges.withLock { $0.count } == 10)
        }
    }

    @Test func aPassOfOneBlockStaysOnTheCallersThread() {
        let pass = BlockPass()
        let record = Record()
        let caller = pthread_self()
        for count in [1, 64] {
            pass.run(count: count, blockSize: 64) { range in
                if pthread_equal(pthread_self(), caller) == 0 { record.elsewhere.add(1, ordering: .releasing) }
                record.ranges.withLock { $0.append(range) }
            }
        }
        #expect(record.elsewhere.load(ordering: .acquiring) == 0, "one block: no helper is woken")
        #expect(record.ranges.withLock { $0 } == [0..<1, 0..<64])
    }
}
