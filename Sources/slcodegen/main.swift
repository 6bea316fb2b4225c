import Foundation
import TesseraLLUDP

// slcodegen <message_template.msg> <output.swift>
// Writes the typed codecs of the selected messages (docs/sl-protocol.md, "Codecs"). The output
// is checked in; the file is rewritten only when its content changes.
let arguments = CommandLine.arguments
guard arguments.count == 3 else {
    FileHandle.standardError.write(Data("usage: slcodegen <message_template.msg> <output.swift>\n".utf8))
    exit(2)
}
do {
    let text = try String(contentsOfFile: arguments[1], encoding: .utf8)
    let template = try SLTemplate.parse(text)
    let source = try SLCodeGenerator.generate(template: template)
    let existing = try? String(contentsOfFile: arguments[2], encoding: .utf8)
    if existing != source {
        try source.write(toFile: arguments[2], atomically: true, encoding: .utf8)
        print("slcodegen: wrote \(arguments[2]) (\(SLSelection.messages.count) messages)")
    } else {
        print("slcodegen: \(arguments[2]) is up to date")
    }
} catch {
    FileHandle.standardError.write(Data("slcodegen: \(error)\n".utf8))
    exit(1)
}
