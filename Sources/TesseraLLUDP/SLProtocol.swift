/// The Second Life protocol as the client manager speaks it: see docs/sl-protocol.md.
public enum SLProtocol {
    /// The largest datagram the client manager sends or accepts (the viewer's MTU).
    public static let maxDatagramBytes = 1500
}
