import ArgumentParser
import GuestMemory
import LockDesigns

// Options that `run` and `validate` both take, declared once. Each is a group
// of its own, so that it keeps its place in either command's help.

/// `--design`.
struct DesignOption: ParsableArguments {
    @Option(help: "Designs: a comma list, or all.", transform: ArgumentValue.names)
    var design: [LockDesign] = LockDesign.allCases
}

/// `--abi`.
struct ABIOption: ParsableArguments {
    @Option(help: "Guest ABI: 64 or 32.")
    var abi: GuestABI = .longMode
}
