# numa-check.awk PLAN CSV: checks each report row against its plan line.
#
# PLAN: `run --plan` lines (design=... key=value words). CSV: the report.
# A row matches the plan line of the same design, scenario, strategy,
# senders, vCPUs and placement; its sender/vCPU/host CPUs and nodes (as
# seen at the end of the run) must equal the plan's, and page_node the
# plan's mem_node. Every planned configuration must have a row.

# Splits one CSV line (RFC 4180 quoting, no line breaks inside fields) into
# out[1..n]; returns n.
function csv_split(line, out,    n, i, c, field, quoted) {
    n = 0; field = ""; quoted = 0
    for (i = 1; i <= length(line); i++) {
        c = substr(line, i, 1)
        if (quoted) {
            if (c == "\"") {
                if (substr(line, i + 1, 1) == "\"") { field = field "\""; i++ } else quoted = 0
            } else field = field c
        } else if (c == "\"") quoted = 1
        else if (c == ",") { out[++n] = field; field = "" }
        else field = field c
    }
    out[++n] = field
    return n
}

function key(design, scenario, strategy, senders, vcpus, placement) {
    return design "|" scenario "|" strategy "|" senders "|" vcpus "|" placement
}

FNR == NR {
    delete kv
    for (i = 1; i <= NF; i++) { split($i, pair, "="); kv[pair[1]] = substr($i, length(pair[1]) + 2) }
    k = key(kv["design"], kv["scenario"], kv["strategy"], kv["senders"], kv["vcpus"], kv["placement"])
    planned[k] = kv["sender_cpus"] " " kv["sender_nodes"] " " kv["vcpu_cpus"] " " kv["vcpu_nodes"] " " \
                 kv["host_cpus"] " " kv["host_nodes"] " " kv["mem_node"]
    plans++
    next
}

FNR == 1 {
    n = csv_split($0, header)
    for (i = 1; i <= n; i++) col[header[i]] = i
    next
}

{
    csv_split($0, f)
    k = key(f[col["design"]], f[col["scenario"]], f[col["strategy"]], f[col["senders"]], f[col["vcpus"]], f[col["placement"]])
    seen = f[col["sender_cpus"]] " " f[col["sender_nodes"]] " " f[col["vcpu_cpus"]] " " f[col["vcpu_nodes"]] " " \
           f[col["host_cpus"]] " " f[col["host_nodes"]] " " f[col["page_node"]]
    rows++
    if (!(k in planned)) { print "numa-check: row " FNR ": no plan line for " k > "/dev/stderr"; bad++; next }
    ran[k] = 1
    if (seen != planned[k]) {
        print "numa-check: row " FNR " " k ": planned (sender cpus, nodes, vcpu cpus, nodes, host cpu, node, memory node) " \
              planned[k] ", ran " seen > "/dev/stderr"
        bad++
    }
}

END {
    for (k in planned) if (!(k in ran)) { print "numa-check: no row for " k > "/dev/stderr"; bad++ }
    if (plans == 0 || rows == 0) { print "numa-check: empty plan or report" > "/dev/stderr"; bad++ }
    printf "numa-check: %d plan lines, %d rows checked, %d problems\n", plans, rows, bad
    exit bad > 0
}
