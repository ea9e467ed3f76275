// Byte counts as people read them, in messages and summaries.

import Foundation

public enum ByteCount {
    /// 1536 -> "1.5 KiB"; below a KiB, "N bytes".
    public static func text(_ n: Int) -> String {
        if n >= 1 << 30 { return String(format: "%.1f GiB", Double(n) / Double(1 << 30)) }
        if n >= 1 << 20 { return String(format: "%.1f MiB", Double(n) / Double(1 << 20)) }
        if n >= 1 << 10 { return String(format: "%.1f KiB", Double(n) / Double(1 << 10)) }
        return "\(n) bytes"
    }
}
