import Core
import Testing

@Suite struct SeedListTests {
    @Test(arguments: [
        ("1-16", Array(UInt64(1)...16)),
        ("1,3,5-8", [1, 3, 5, 6, 7, 8]),
        (" 7 ", [7]),
        ("0", [0]),
        ("10, 2 ,4-5", [10, 2, 4, 5]),
        ("5-5", [5]),
    ] as [(String, [UInt64])])
    func goodListsGiveTheirSeedsInOrder(text: String, seeds: [UInt64]) throws {
        #expect(try SeedList.parse(text) == seeds)
    }

    @Test(arguments: [
        ("", "is empty"),
        ("1,,3", "empty item"),
        ("1,", "empty item"),
        ("a", "\"a\" is neither a seed"),
        ("-3", "\"-3\" is neither a seed"),
        ("1-2-3", "\"1-2-3\" is neither a seed"),
        ("1.5", "\"1.5\" is neither a seed"),
        ("8-5", "runs backwards; write 5-8"),
        ("1-3,2", "lists seed 2 twice"),
        ("1-1000", "more than 256 seeds"),
        ("9007199254740992", "above the largest"),
    ])
    func badListsSayWhatIsWrongAndHowToWriteOne(text: String, problem: String) {
        do {
            let seeds = try SeedList.parse(text)
            Issue.record("\"\(text)\" parsed as \(seeds)")
        } catch {
            #expect(error.description.contains(problem), "\(error)")
            #expect(error.description.contains("1-16 or 1,3,5-8"), "\(error)")
        }
    }
}
