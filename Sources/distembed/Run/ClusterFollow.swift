import ArgumentParser
import Wire

/// Follows what `run` submitted to its own cluster. Following stops when a child process dies (its failure is
/// the error reported) or on Ctrl-C (the submission is cancelled and the exit status is 130).
enum ClusterFollow {
    static func follow<T>(
        cluster: LocalCluster, client: CoordinatorClient, id: String,
        _ body: (_ shouldAbort: @escaping () -> Bool) throws -> T
    ) throws -> T {
        var failure: String?
        let shouldAbort = {
            if ShutdownSignal.isRequested { return true }
            failure = cluster.failedChild()
            return failure != nil
        }
        do {
            return try body(shouldAbort)
        } catch {
            if let failure { throw CLIError(.internalError, failure) }
            if ShutdownSignal.isRequested {
                _ = try? client.request(.cancelRequest(.init(experimentId: id)))
                throw ExitCode(ExitStatus.interrupted.rawValue)
            }
            throw error
        }
    }
}
