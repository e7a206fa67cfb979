import ArgumentParser
import Coordinator
import Core
import Foundation
import Wire

/// `distembed`'s exit statuses: one per kind of failure, so a script can tell a mistake in the command line from a
/// broken spec, a coordinator that is down or an experiment that failed. README.md lists them; the values from 64
/// on are those of BSD's sysexits.h. A mistake in the command line exits with ArgumentParser's 64 (`EX_USAGE`), the
/// only status that comes with the usage text.
enum ExitStatus: Int32, Sendable {
    /// The experiment, or one of the sweep's, failed.
    case experimentFailed = 1
    /// The experiment, or the sweep, was cancelled.
    case experimentCancelled = 2
    /// The coordinator refused this worker (another dataset, other kernels or another release).
    case workerRefused = 3
    /// A spec or an input file that cannot be used (`EX_DATAERR`).
    case badData = 65
    /// What the command names does not exist: a spec file, an experiment or sweep id (`EX_NOINPUT`).
    case notFound = 66
    /// The coordinator did not answer, or gave up on (`EX_UNAVAILABLE`).
    case unavailable = 69
    /// Something that should not happen: an unexpected reply, a coordinator's internal error (`EX_SOFTWARE`).
    case internalError = 70
    /// A file that cannot be read or written, an endpoint that cannot be bound (`EX_IOERR`).
    case ioError = 74
    /// Not now: the experiment has not ended yet, or the coordinator's queue is full (`EX_TEMPFAIL`).
    case tryLater = 75
    /// The coordinator refused this client's key (`EX_NOPERM`).
    case notPermitted = 77
    /// Coordinator options that do not go together or are unsafe: listening off loopback without CURVE keys, keys
    /// without an authorized folder (`EX_CONFIG`).
    case badConfiguration = 78
    /// Interrupted (Ctrl-C) while `run` followed its experiment; what it started was cancelled.
    case interrupted = 130

    /// The status for a coordinator's error reply.
    init(_ code: ErrorCode) {
        switch code {
        case .invalidSpec, .tooLarge, .datasetMismatch: self = .badData
        case .notFound: self = .notFound
        case .busy: self = .tryLater
        case .unauthorized: self = .notPermitted
        default: self = .internalError
        }
    }

    /// The status of an experiment or sweep that ended in `state` other than done.
    init(ended state: Wire.ExperimentState) {
        self = state == .cancelled ? .experimentCancelled : .experimentFailed
    }

    /// Returns when `state` is done; otherwise ends the command with the status of how the experiment ended
    /// (its outcome was printed already).
    static func end(with state: Wire.ExperimentState) throws {
        guard state != .done else { return }
        throw ExitCode(ExitStatus(ended: state).rawValue)
    }
}

extension ExitStatus {
    /// The status for `error`, thrown while a command ran.
    init(of error: Error) {
        switch error {
        case let error as CLIError: self = error.status
        case is SpecError, is DatasetError: self = .badData
        case is DeliveryError: self = .ioError
        case is CoordinatorSecurityError: self = .badConfiguration
        // A store that is damaged or not ours is bad data; one that cannot be opened or written (a full disk, a
        // folder's permissions, another coordinator holding it) is an I/O error.
        case let error as StoreError: self = error.code == .corrupt ? .badData : .ioError
        case let error as WireError: self.init(error.code)
        case let error as ZMQError: self = error.isTimeout ? .unavailable : .ioError
        case is CocoaError, is POSIXError: self = .ioError
        default: self = .internalError
        }
    }
}
