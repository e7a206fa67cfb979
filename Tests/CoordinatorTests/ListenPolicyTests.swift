import Coordinator
import Testing

@Suite struct ListenPolicyTests {
    @Test(arguments: [
        "tcp://127.0.0.1:5555", "tcp://127.0.0.1:*", "tcp://127.1.2.3:80", "tcp://localhost:5555",
        "tcp://LOCALHOST:*", "tcp://[::1]:5555", "tcp://[::1]:*", "ipc:///tmp/x.sock", "ipc://relative.sock",
        "inproc://a",
    ])
    func localEndpointsNeedNoKeys(endpoint: String) {
        #expect(ListenPolicy.isLocal(endpoint))
        #expect(ListenPolicy.check([endpoint], curve: false, insecure: false) == .allowed)
    }

    @Test(arguments: [
        "tcp://0.0.0.0:5555", "tcp://*:5555", "tcp://0.0.0.0:*", "tcp://10.0.0.5:5555", "tcp://eth0:5555",
        "tcp://[::]:5555", "tcp://[::1]", "tcp://127.0.0.1", "tcp://127.0.0.1.evil.com:5555", "tcp://128.0.0.1:1",
        "tcp://127.0.0.256:1", "tcp://localhost.evil.com:1", "tcp://127.0.0.1;10.0.0.1:5555", "ws://127.0.0.1:1",
        "udp://127.0.0.1:1", "",
    ])
    func otherEndpointsAreRefusedWithoutKeys(endpoint: String) {
        #expect(!ListenPolicy.isLocal(endpoint))
        guard case .refused(let message) = ListenPolicy.check([endpoint], curve: false, insecure: false) else {
            Issue.record("\(endpoint) was not refused")
            return
        }
        #expect(message.contains("distembed keygen --out DIR"))
        #expect(message.contains("--insecure"))
    }

    @Test func oneExposedEndpointAmongLocalOnesIsEnough() {
        let decision = ListenPolicy.check(["ipc:///tmp/a", "tcp://0.0.0.0:1"], curve: false, insecure: false)
        guard case .refused(let message) = decision else {
            Issue.record("not refused: \(decision)")
            return
        }
        #expect(message.contains("tcp://0.0.0.0:1") && !message.contains("ipc:///tmp/a"))
    }

    @Test func curveAllowsAnyEndpointAndInsecureWarns() {
        #expect(ListenPolicy.check(["tcp://0.0.0.0:5555"], curve: true, insecure: false) == .allowed)
        guard case .insecure(let warning) = ListenPolicy.check(["tcp://*:5555"], curve: false, insecure: true) else {
            Issue.record("--insecure did not allow with a warning")
            return
        }
        #expect(warning.contains("WITHOUT CURVE") && warning.contains("tcp://*:5555"))
        #expect(ListenPolicy.check(["tcp://127.0.0.1:1"], curve: false, insecure: true) == .allowed)
    }
}
