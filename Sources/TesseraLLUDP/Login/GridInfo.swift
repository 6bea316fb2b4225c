/// The answer to `GET /get_grid_info`: what a viewer's grid manager reads to add a grid from its
/// login URI (docs/sl-protocol.md, "Grid info"). Served as `text/xml`.
public struct GridInfo: Sendable, Equatable {
    /// `gridname`: the grid's name as the viewer lists it.
    public var gridName: String
    /// `gridnick`: a short identifier without spaces (the viewer's key for the grid).
    public var gridNick: String
    /// `login`: the XML-RPC login URI, `http://host:port/`.
    public var login: String
    /// `welcome`: the page the viewer shows on its login screen, if any.
    public var welcome: String?
    /// `economy`: the base URI of the currency helper, if any.
    public var economy: String?
    /// `about`, `help`, `register`, `password`: web pages the viewer links to, if any.
    public var about: String?
    public var help: String?
    public var register: String?
    public var password: String?
    /// `platform`: anything but `SecondLife` makes viewers use their non-Second-Life grid
    /// behaviour, which is what this grid needs.
    public var platform: String

    public init(
        gridName: String, gridNick: String, login: String, welcome: String? = nil, economy: String? = nil,
        about: String? = nil, help: String? = nil, register: String? = nil, password: String? = nil,
        platform: String = "OpenSim"
    ) {
        self.gridName = gridName
        self.gridNick = gridNick
        self.login = login
        self.welcome = welcome
        self.economy = economy
        self.about = about
        self.help = help
        self.register = register
        self.password = password
        self.platform = platform
    }

    /// `<?xml version="1.0" encoding="UTF-8"?><gridinfo><gridname>…</gridname>…</gridinfo>`, one
    /// element per line, absent ones left out.
    public func xml() -> String {
        let entries: [(String, String?)] = [
            ("gridname", gridName), ("gridnick", gridNick), ("login", login), ("welcome", welcome),
            ("economy", economy), ("about", about), ("help", help), ("register", register),
            ("password", password), ("platform", platform),
        ]
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<gridinfo>\n"
        for case let (name, value?) in entries {
            out += "<\(name)>" + XMLEscape.text(value) + "</\(name)>\n"
        }
        return out + "</gridinfo>\n"
    }
}
