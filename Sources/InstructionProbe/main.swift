// evtchn-probe DESIGN OPERATION ITERATIONS
// evtchn-probe list designs            the designs' names
// evtchn-probe list types              each design's lock type (codegen check)
//
// Runs one micro-operation of one design ITERATIONS times on one thread and
// exits: 0 if every iteration did what the operation says, 2 (with a line
// on standard error) if any did something else. Made to run under `valgrind --tool=callgrind` twice with different
// ITERATIONS: the difference of the two instruction totals, divided by the
// difference of the iteration counts, is the cost of one operation, with
// start-up and set-up cancelled out (scripts/instruction-counts.sh).
import LockDesigns
import PageCache
import Runner

#if canImport(Glibc)
import Glibc
#endif

/// Writes `message` and a newline to standard error and exits with 2.
func fail(_ message: String) -> Never {
    var line = message + "\n"
    line.withUTF8 { bytes in _ = write(2, bytes.baseAddress, bytes.count) }
    exit(2)
}

struct Probe: LockDesignVisitor {
    let operation: MicroOperation
    let iterations: Int

    func visit<Lock: ReadMostlyLock & ~Copyable>(_ lock: Lock.Type, design: LockDesign) -> Int {
        do {
            var fixture = try MicroFixture<Lock>(operation: operation)
            return fixture.run(operation, iterations: iterations)
        } catch {
            fail("evtchn-probe: \(error)")
        }
    }
}

let arguments = CommandLine.arguments
/// Each design's name and its lock type as Swift's demangler prints it.
struct TypeName: LockDesignVisitor {
    func visit<Lock: ReadMostlyLock & ~Copyable>(_ lock: Lock.Type, design: LockDesign) -> String {
        "\(design) \(String(reflecting: Lock.self))"
    }
}

if arguments.count == 3, arguments[1] == "list", arguments[2] == "designs" {
    print(LockDesign.allCases.map(\.rawValue).joined(separator: " "))
    exit(0)
}
if arguments.count == 3, arguments[1] == "list", arguments[2] == "types" {
    for design in LockDesign.allCases { print(design.visit(TypeName())) }
    exit(0)
}
guard arguments.count == 4, let design = LockDesign(rawValue: arguments[1]),
      let operation = MicroOperation(rawValue: arguments[2]),
      let iterations = Int(arguments[3]), iterations >= 0 else {
    fail("usage: evtchn-probe DESIGN OPERATION ITERATIONS (designs: "
        + LockDesign.allCases.map(\.rawValue).joined(separator: ", ") + "; operations: "
        + MicroOperation.allCases.map(\.rawValue).joined(separator: ", ") + ")")
}
let surprises = design.visit(Probe(operation: operation, iterations: iterations))
// Every iteration must have done what the operation says: a count of
// instructions of something else would be meaningless.
if surprises != 0 { fail("evtchn-probe: \(surprises) of \(iterations) iterations of \(operation) did something else") }
