import ArgumentParser
import Reports

struct SchemaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "Print the report's columns as a markdown table: name, role, type or unit, meaning.",
        discussion: """
            Roles: key columns identify a configuration (rows equal in all of them are repetitions of one \
            configuration; compare, plot, check-placement and the summary group by them), measurements are what \
            a run measured, provenance says where and how the row was made, run says which run of its \
            configuration it was. results/README.md holds this table; a test keeps the two equal.
            """)

    func run() {
        Column.markdownTable.forEach { print($0) }
    }
}
