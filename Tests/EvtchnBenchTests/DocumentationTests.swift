import Foundation
import Testing

/// The README stays a short introduction, and every relative link in it,
/// in docs/ and in results/README.md leads somewhere: a file that exists
/// and, for `#anchor` links, a heading with that GitHub-style slug.
@Suite("Documentation")
struct DocumentationTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static var documents: [URL] {
        let docs = (try? FileManager.default.contentsOfDirectory(at: root.appendingPathComponent("docs"),
                                                                 includingPropertiesForKeys: nil)) ?? []
        return [root.appendingPathComponent("README.md"), root.appendingPathComponent("results/README.md")]
            + docs.filter { $0.pathExtension == "md" }.sorted { $0.path < $1.path }
    }

    /// The text outside fenced code blocks.
    static func prose(_ url: URL) throws -> [String] {
        var inCode = false
        return try String(contentsOf: url, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
            .map(String.init).filter { line in
                if line.hasPrefix("```") { inCode.toggle(); return false }
                return !inCode
            }
    }

    /// GitHub's anchors of a document's headings (repeats get -1, -2, ...).
    static func anchors(_ url: URL) throws -> Set<String> {
        var seen: [String: Int] = [:]
        var anchors = Set<String>()
        for line in try prose(url) where line.hasPrefix("#") {
            let text = line.drop { $0 == "#" }.trimmingCharacters(in: .whitespaces).lowercased()
            let slug = String(text.unicodeScalars.filter { CharacterSet.alphanumerics.contains($0) || "-_ ".unicodeScalars.contains($0) })
                .replacingOccurrences(of: " ", with: "-")
            let count = seen[slug, default: 0]
            anchors.insert(count == 0 ? slug : "\(slug)-\(count)")
            seen[slug] = count + 1
        }
        return anchors
    }

    @Test("README.md is at most 220 lines and names no issue numbers")
    func readmeIsShort() throws {
        let lines = try String(contentsOf: Self.root.appendingPathComponent("README.md"), encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count <= 220, "README.md has \(lines.count) lines: move detail to docs/ and link it")
        #expect(!lines.contains { $0.lowercased().contains("issue ") || $0.contains("before this work") })
    }

    @Test("every relative link in README.md, results/README.md and docs/ resolves, anchors included")
    func linksResolve() throws {
        var checked = 0
        for document in Self.documents {
            let text = try Self.prose(document).joined(separator: "\n")
            let links = try Regex(#"\]\(([^)\s]+)\)"#)
            for match in text.matches(of: links) {
                let link = String(text[match.range]).dropFirst(2).dropLast()
                guard !link.contains(":") else { continue }
                checked += 1
                let parts = link.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)
                let target = parts[0].isEmpty ? document
                    : document.deletingLastPathComponent().appendingPathComponent(String(parts[0])).standardized
                #expect(FileManager.default.fileExists(atPath: target.path), "\(document.lastPathComponent): \(link)")
                if parts.count == 2, target.pathExtension == "md", FileManager.default.fileExists(atPath: target.path) {
                    #expect(try Self.anchors(target).contains(String(parts[1])), "\(document.lastPathComponent): \(link)")
                }
            }
        }
        #expect(checked > 50, "the links were found at all")
    }
}
