import Crypto
import Foundation

/// The secret a Second Life viewer sends instead of a password: the MD5 of the password's
/// UTF-8, as 32 lowercase hex digits (on the wire "$1$" and those digits). Whoever knows it can
/// log in through a viewer, so it is stored only behind the slow KDF (`PasswordHasher`), as a
/// second verifier beside the password's own (docs/sl-protocol.md, "Login: the MD5 pre-hash").
public enum ViewerPassword {
    /// What a viewer sends for `password`: its MD5, 32 lowercase hex digits.
    public static func md5Hex(of password: String) -> String {
        Insecure.MD5.hash(data: Array(password.utf8)).map { byte in
            let digits = Array("0123456789abcdef")
            return String([digits[Int(byte >> 4)], digits[Int(byte & 15)]])
        }.joined()
    }

    /// `text` lowercased when it is exactly 32 hex digits (either case), else nil.
    public static func normalized(_ text: String) -> String? {
        problem(text) == nil ? text.lowercased() : nil
    }

    /// Why `text` is not an MD5 hex digest, or nil when it is one.
    public static func problem(_ text: String) -> String? {
        let bytes = Array(text.utf8)
        guard bytes.count == 32 else { return "it has \(bytes.count) bytes, not 32 hex digits" }
        guard bytes.allSatisfy({ (0x30...0x39).contains($0) || (0x41...0x46).contains($0) || (0x61...0x66).contains($0) }) else {
            return "it has characters other than the hex digits 0-9 and a-f"
        }
        return nil
    }
}
