// LineEditor reads lines from a terminal in raw mode: left/right, home/end (ctrl-A/E), backspace and
// delete, ctrl-U/K/W, history with up/down, tab completion, ctrl-C to drop the line, ctrl-D to end.
// When standard input is not a terminal it reads plain lines, so the REPL also works from a pipe.

import Foundation

final class LineEditor {
    var history: [String] = []
    let complete: (String) -> [String]
    private var original = termios()
    let interactive = isatty(0) != 0 && isatty(1) != 0

    init(complete: @escaping (String) -> [String]) { self.complete = complete }

    /// One line, or nil at the end of input.
    func read(prompt: String) -> String? {
        guard interactive else {
            guard let line = readLine(strippingNewline: true) else { return nil }
            return line
        }
        print(prompt, terminator: "")
        fflush(stdout)
        enableRaw()
        defer { disableRaw() }
        var buffer: [Character] = []
        var cursor = 0
        var historyIndex = history.count
        var saved = ""
        func redraw() {
            let text = String(buffer)
            print("\r\u{1B}[K" + prompt + text, terminator: "")
            let back = buffer.count - cursor
            if back > 0 { print("\u{1B}[\(back)D", terminator: "") }
            fflush(stdout)
        }
        while true {
            guard let c = readByte() else { return buffer.isEmpty ? nil : String(buffer) }
            switch c {
            case 13, 10:  // enter
                print("\r\n", terminator: "")
                return String(buffer)
            case 4:  // ctrl-D
                if buffer.isEmpty { print("\r\n", terminator: ""); return nil }
                if cursor < buffer.count { buffer.remove(at: cursor); redraw() }
            case 3:  // ctrl-C
                print("^C\r\n", terminator: "")
                return ""
            case 127, 8:  // backspace
                if cursor > 0 { buffer.remove(at: cursor - 1); cursor -= 1; redraw() }
            case 1: cursor = 0; redraw()
            case 5: cursor = buffer.count; redraw()
            case 21: buffer.removeFirst(cursor); cursor = 0; redraw()
            case 11: buffer.removeLast(buffer.count - cursor); redraw()
            case 23:  // ctrl-W: delete the word before the cursor
                var i = cursor
                while i > 0 && buffer[i - 1] == " " { i -= 1 }
                while i > 0 && buffer[i - 1] != " " { i -= 1 }
                buffer.removeSubrange(i..<cursor); cursor = i; redraw()
            case 9:  // tab
                let prefix = String(buffer[..<cursor])
                let options = complete(prefix)
                if options.count == 1 {
                    let insert = Array(options[0])
                    buffer.insert(contentsOf: insert, at: cursor); cursor += insert.count; redraw()
                } else if options.count > 1 {
                    let common = options.dropFirst().reduce(options[0]) { $0.commonPrefix(with: $1) }
                    if !common.isEmpty {
                        buffer.insert(contentsOf: Array(common), at: cursor); cursor += common.count
                    } else {
                        print("\r\n" + options.prefix(40).joined(separator: "  ") + (options.count > 40 ? "  …" : "") + "\r\n", terminator: "")
                    }
                    redraw()
                }
            case 27:  // escape sequences: arrows, home, end, delete
                guard readByte() == 91, let code = readByte() else { continue }
                switch code {
                case 65:  // up
                    if historyIndex > 0 {
                        if historyIndex == history.count { saved = String(buffer) }
                        historyIndex -= 1
                        buffer = Array(history[historyIndex]); cursor = buffer.count; redraw()
                    }
                case 66:  // down
                    if historyIndex < history.count {
                        historyIndex += 1
                        buffer = Array(historyIndex == history.count ? saved : history[historyIndex]); cursor = buffer.count; redraw()
                    }
                case 67: if cursor < buffer.count { cursor += 1; redraw() }
                case 68: if cursor > 0 { cursor -= 1; redraw() }
                case 72: cursor = 0; redraw()
                case 70: cursor = buffer.count; redraw()
                case 51: if readByte() == 126, cursor < buffer.count { buffer.remove(at: cursor); redraw() }
                default: break
                }
            default:
                if c >= 32 {
                    // Gather a whole UTF-8 character.
                    var bytes = [c]
                    let extra = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0
                    for _ in 0..<extra { if let b = readByte() { bytes.append(b) } }
                    for ch in String(decoding: bytes, as: UTF8.self) { buffer.insert(ch, at: cursor); cursor += 1 }
                    redraw()
                }
            }
        }
    }

    private func readByte() -> UInt8? {
        var b: UInt8 = 0
        let n = Foundation.read(0, &b, 1)
        return n == 1 ? b : nil
    }

    private func enableRaw() {
        tcgetattr(0, &original)
        var raw = original
        raw.c_lflag &= ~tcflag_t(ECHO | ICANON | ISIG | IEXTEN)
        raw.c_iflag &= ~tcflag_t(IXON | ICRNL)
        // TCSADRAIN, not TCSAFLUSH: keys typed while a query ran (or pasted ahead) are kept, not dropped.
        tcsetattr(0, TCSADRAIN, &raw)
    }

    private func disableRaw() { tcsetattr(0, TCSADRAIN, &original) }
}
