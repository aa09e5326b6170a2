/// `evtchn-bench topology --json`: the model as JSON, written by hand so
/// that keys keep the model's order (a stable diff between machines) and
/// the Topology target stays free of Foundation.
extension Topology {
    public var json: String {
        let lists: [(String, [String])] = [
            ("packages", packages.map { JSONObject().field("id", $0.id).field("cpus", $0.cpus).text }),
            ("numa_nodes", nodes.map(Self.nodeObject)),
            ("llc_domains", llcDomains.map {
                JSONObject().field("id", $0.id).field("level", $0.level).field("size_bytes", $0.sizeBytes)
                    .field("cpus", $0.cpus).text
            }),
            ("cores", cores.map { JSONObject().field("id", $0.id).field("package", $0.package).field("cpus", $0.cpus).text }),
            ("pus", pus.map(puObject)),
        ]
        var lines = ["{", "  \"source\": \(JSONObject.string(source)),", "  \"libnuma_available\": \(libnumaAvailable),",
                     "  \"online_cpus\": \(JSONObject.list(onlineCPUs)),", "  \"allowed_cpus\": \(JSONObject.list(allowedCPUs)),"]
        for (index, (key, objects)) in lists.enumerated() {
            lines.append("  \"\(key)\": [")
            lines += objects.enumerated().map { "    " + $1 + ($0 + 1 < objects.count ? "," : "") }
            lines.append("  ]" + (index + 1 < lists.count ? "," : ""))
        }
        return (lines + ["}"]).joined(separator: "\n")
    }

    private static func nodeObject(_ node: NUMANode) -> String {
        JSONObject().field("id", node.id).field("cpus", node.cpus).field("memory_bytes", node.memoryBytes)
            .field("distances", node.distances).text
    }

    private func puObject(_ pu: ProcessingUnit) -> String {
        JSONObject().field("id", pu.id).field("core", pu.core).field("llc", pu.llc).field("package", pu.package)
            .field("node", pu.node).field("allowed", allowedCPUs.contains(pu.id)).text
    }
}

/// One JSON object on one line, fields in the order added; nil is null.
struct JSONObject {
    private var fields: [String] = []

    var text: String { "{" + fields.joined(separator: ", ") + "}" }

    func field(_ key: String, _ value: Int?) -> JSONObject { adding(key, value.map(String.init) ?? "null") }
    func field(_ key: String, _ value: UInt64?) -> JSONObject { adding(key, value.map(String.init) ?? "null") }
    func field(_ key: String, _ value: Bool) -> JSONObject { adding(key, "\(value)") }
    func field(_ key: String, _ value: [Int]) -> JSONObject { adding(key, Self.list(value)) }

    private func adding(_ key: String, _ value: String) -> JSONObject {
        var copy = self
        copy.fields.append("\"\(key)\": \(value)")
        return copy
    }

    static func list(_ values: [Int]) -> String { "[" + values.map(String.init).joined(separator: ", ") + "]" }

    /// A JSON string literal: quotes, backslashes and control characters escaped.
    static func string(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
