import NIOCore

/// What one client may cost the metrics endpoint. Prometheus and the kubelet send requests of a few hundred bytes
/// and get their answer in microseconds; anything far past that is a broken or hostile client, and it must not
/// keep `/healthz` from answering (a liveness probe that times out restarts a healthy coordinator).
enum MetricsHTTPLimits {
    /// The request line and headers, in bytes (names, values and the target; NIO's decoder counts them). Real
    /// clients send under 1 KiB. Past it the answer is 431 and the connection closes: the decoder stops at the
    /// limit, so a 1 MB header costs no more than a 16 KiB one.
    static let requestHeadBytes = 16 * 1024

    /// Bytes the decoder may hold for one request: the head's names and values plus the spaces and line breaks
    /// around them, which ``requestHeadBytes`` does not count. Past it the answer is also 431.
    static let bufferedBytes = 2 * requestHeadBytes

    /// A request body, in bytes. Every path is a `GET` and takes no input: a body is read and dropped, and past
    /// this the answer is 413 and the connection closes, so no client keeps the event loop reading.
    static let requestBodyBytes = 16 * 1024

    /// Connections open at once, each a file descriptor of the coordinator. One more closes the oldest (it has
    /// been open longest, and every idle or slow connection closes within ``exchangeTimeout`` anyway), rather
    /// than the new one: a client holding this many connections open must not lock the probes out.
    static let connections = 64

    /// Connections the kernel queues before the event loop accepts them (and closes the oldest open ones). Past a
    /// full queue the kernel drops handshakes, and a probe among them waits a second for its retry: NIO's default
    /// of 128 is too few for a client opening hundreds at once. A deeper queue is no better under a sustained
    /// flood: a probe waits behind every connection queued before it (4096 measured worse than 1024).
    static let acceptBacklog: Int32 = 1024

    /// Connections accepted at a time before the event loop reads from those it has. Far fewer than
    /// ``connections``: a probe's request, already waiting when its connection is accepted during a flood, is
    /// then read and answered before enough newer connections arrive to make it the oldest. (At 64 a batch, a
    /// flood closed one probe in five before reading it.) NIO's default, made explicit.
    static let acceptsPerWakeup: UInt = 4

    /// A connection must deliver a whole request and take its answer within this time of opening, or of its
    /// previous answer; otherwise it is closed. A client sending a byte a second (slowloris), an idle keep-alive
    /// connection and a client that stops reading each hold a connection this long at most. Well under the
    /// Kubernetes probes' 10 s period, well over a real request's milliseconds.
    static let exchangeTimeout: TimeAmount = .seconds(5)
}
