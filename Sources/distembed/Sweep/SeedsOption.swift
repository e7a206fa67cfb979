import ArgumentParser
import Core

/// `--seeds 1-16` (or `1,3,5-8`): run the spec once per seed as a sweep, for `submit` and `run`.
struct SeedsOption: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Queue one experiment per seed as a sweep (the spec's seed set to each), e.g. 1-16 or 1,3,5-8.",
            valueName: "list"),
        transform: { text in
            do {
                return try SeedList.parse(text)
            } catch {
                throw ValidationError("--seeds: \(error)")
            }
        })
    var seeds: [UInt64]?
}
