import Core
import Testing

@Suite struct TrainingScheduleTests {
    let schedule = TrainingSchedule(sampleCount: 10_000, batchSize: 32, chunkSize: 8, epochs: 20, seed: 1,
                                    shuffle: true)

    @Test func exerciseHas313StepsWithAPartialLastBatch() {
        #expect(schedule.stepsPerEpoch == 313)
        #expect(schedule.batch(312) == 9984..<10_000)
        #expect(schedule.chunkCount(step: 312) == 2)
        #expect(schedule.chunkCount(step: 0) == 4)
        #expect(schedule.chunk(3, ofStep: 1) == 56..<64)
    }

    @Test func orderIsAPermutationThatChangesEachEpoch() {
        let e0 = schedule.order(epoch: 0)
        let e1 = schedule.order(epoch: 1)
        #expect(e0.sorted() == Array(0..<10_000))
        #expect(e1.sorted() == Array(0..<10_000))
        #expect(e0 != e1)
        #expect(e0 == schedule.order(epoch: 0))
    }

    @Test func noShuffleKeepsDatasetOrder() {
        let plain = TrainingSchedule(sampleCount: 100, batchSize: 32, chunkSize: 8, epochs: 1, seed: 1, shuffle: false)
        #expect(plain.order(epoch: 5) == Array(0..<100))
    }

    @Test func differentSeedsGiveDifferentOrders() {
        let other = TrainingSchedule(sampleCount: 10_000, batchSize: 32, chunkSize: 8, epochs: 20, seed: 2,
                                     shuffle: true)
        #expect(other.order(epoch: 0) != schedule.order(epoch: 0))
    }
}
