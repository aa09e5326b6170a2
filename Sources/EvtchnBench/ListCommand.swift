import ArgumentParser
import LockDesigns

struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List the locking designs, with what each does and where it comes from.")

    func run() {
        let width = LockDesign.allCases.map(\.rawValue.count).max() ?? 0
        for design in LockDesign.allCases {
            let name = design.rawValue + String(repeating: " ", count: width - design.rawValue.count)
            print("\(name)  \(design.summary)")
            print("\(String(repeating: " ", count: width))  origin: \(design.origin)")
        }
    }
}
