import Foundation
import Testing
import TesseraGridProtocol
import TesseraWorld

/// Calls and answers end up in logs; passwords and session tokens must never do.
@Suite struct GridProtocolSecretTests {
    static let password = "hunter2-Pa55word-✓"
    static let token = "tok_9d8c7b6a5f4e3d2c1b0a"
    /// A viewer's password MD5 logs in as well as the password does: never printed either.
    static let md5 = "0123456789abcdef0123456789abcdef"

    /// Every way a value is commonly turned into text.
    private func renderings(_ value: Any) -> [String] {
        ["\(value)", String(describing: value), String(reflecting: value), "\([value])"]
    }

    @Test func gridCallDescriptionsNeverContainAPasswordOrToken() {
        let calls: [GridCall] = [
            .login(name: "Ada Lovelace", password: Self.password, address: "203.0.113.7:5000"),
            .resumeSession(token: Self.token),
            .endSession(token: Self.token),
            .viewerLogin(name: "Ada Lovelace", md5Hex: Self.md5, address: "203.0.113.7:5000"),
        ]
        for call in calls {
            for text in renderings(call) {
                #expect(!text.contains(Self.password), "\(call.code): \(text)")
                #expect(!text.contains(Self.token), "\(call.code): \(text)")
                #expect(!text.contains(Self.md5), "\(call.code): \(text)")
            }
        }
        #expect(calls[3].description == "viewerLogin(Ada Lovelace from 203.0.113.7:5000)")
        // What is printed is still useful: the name and address of a login, the call's kind.
        #expect(calls[0].description.contains("Ada Lovelace"))
        #expect(calls[0].description.contains("203.0.113.7:5000"))
        #expect(calls[1].description == "resumeSession")
        #expect(calls[2].description == "endSession")
    }

    @Test func noSampleCallPrintsItsSecrets() {
        // The samples' logins and sessions carry the sample password and token.
        for call in GridProtocolSamples.gridCalls {
            let secrets: [String]
            switch call {
            case .login(_, let password, _): secrets = [password]
            case .viewerLogin(_, let md5Hex, _): secrets = [md5Hex]
            case .resumeSession(let token), .endSession(let token): secrets = [token]
            default: secrets = []
            }
            for secret in secrets where !secret.isEmpty {
                for text in renderings(call) { #expect(!text.contains(secret), "\(call.code): \(text)") }
            }
        }
        // A password that happens to look like the rest of the description is still not printed.
        let sneaky = GridCall.login(name: "n", password: "login(", address: "a")
        #expect(sneaky.description == "login(n from a)")
    }

    @Test func sessionGrantsNeverPrintTheirToken() {
        let grant = SessionGrant(account: GridProtocolSamples.a, name: "Ada", token: Self.token, expiresMillis: 1)
        let answers: [GridAnswer] = [.session(grant), .sessions([grant, grant])]
        for value: Any in [grant, answers[0], answers[1], [grant]] {
            for text in renderings(value) { #expect(!text.contains(Self.token), "\(text)") }
        }
        #expect(grant.description.contains("Ada"))
    }
}
