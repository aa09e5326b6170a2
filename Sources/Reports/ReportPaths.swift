#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Platform

/// results/<utc-timestamp>-<host>.csv, e.g. results/20261124T163000Z-box.csv;
/// the host name is reduced to [A-Za-z0-9._-].
public func defaultReportPath(directory: String = "results", secondsSinceEpoch: Int, host: String) -> String {
    let f = utcFields(secondsSinceEpoch)
    let safeHost = String(host.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "_" || $0 == "-") ? $0 : "_" })
    return "\(directory)/\(f[0])\(f[1])\(f[2])T\(f[3])\(f[4])\(f[5])Z-\(safeHost.isEmpty ? "host" : safeHost).csv"
}

/// ISO 8601 UTC time for the utc_time column, e.g. 2026-11-24T16:30:00Z.
public func utcTimestamp(secondsSinceEpoch: Int) -> String {
    let f = utcFields(secondsSinceEpoch)
    return "\(f[0])-\(f[1])-\(f[2])T\(f[3]):\(f[4]):\(f[5])Z"
}

/// Year, month, day, hour, minute, second in UTC, zero-padded.
private func utcFields(_ secondsSinceEpoch: Int) -> [String] {
    var time = time_t(secondsSinceEpoch)
    var parts = tm()
    gmtime_r(&time, &parts)
    func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
    return ["\(parts.tm_year + 1900)", two(parts.tm_mon + 1), two(parts.tm_mday),
            two(parts.tm_hour), two(parts.tm_min), two(parts.tm_sec)]
}

/// Seconds since the Unix epoch, now.
public func secondsSinceEpoch() -> Int {
    var ts = timespec()
    _ = clock_gettime(CLOCK_REALTIME, &ts)
    return Int(ts.tv_sec)
}
