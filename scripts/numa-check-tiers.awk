# numa-check-tiers.awk: numa-check.sh's checks of what hwloc saw in a VM and,
# in an SMT layout, of the tier each placement policy gave (POSIX awk; mawk).
#
#   awk -v nodes=N -v cpn=C -v tpc=T -v distance=D [-v tiers=1] \
#       -f numa-check-tiers.awk TOPOLOGY.json [PLAN REPORT.csv]
#
# TOPOLOGY.json is `evtchn-bench topology --json` in the VM (one object a
# line). It must show N nodes, N*C/T cores, N*C PUs, each core holding T
# adjacent PUs (siblings 0,1 / 2,3 ... as run-in-numa-vm numbers them) and,
# with two nodes or more, distance D from node 0 to node 1.
# With tiers=1, PLAN and REPORT are the plan and report of a 1 sender + 1
# vCPU sweep over compact, smt and split, held to:
#   compact  sender and vCPU on two cores of one node; pair_tier=llc where
#            hwloc puts both under one last-level cache, else node
#   smt      sender and vCPU on PUs 0 and 1 (siblings); pair_tier=smt,
#            smt_shared=true
#   split    sender and vCPU on two nodes; pair_tier=remote, pair_distance D
# and every report row to its plan line's pair_tier and smt_shared.
# Prints one line per policy, one per problem; exits 1 on any problem.

function problem(text) { problems++; print "FAILED: " text }

# the numbers in `"key": [a, b]` as "a,b" ("?" if absent)
function list(key,   s) {
    if (!match($0, "\"" key "\": \\[[^]]*\\]")) return "?"
    s = substr($0, RSTART + length(key) + 5, RLENGTH - length(key) - 6)
    gsub(/ /, "", s)
    return s
}

# the value of `"key": 12` (or null, true, false)
function field(key,   s) {
    if (!match($0, "\"" key "\": [0-9a-z]+")) return "?"
    s = substr($0, RSTART, RLENGTH)
    sub(/.*: /, "", s)
    return s
}

# split an RFC 4180 line into f[1..n]
function csv(line, f,   n, i, c, value, quoted) {
    n = 0; value = ""; quoted = 0
    for (i = 1; i <= length(line); i++) {
        c = substr(line, i, 1)
        if (quoted) {
            if (c != "\"") value = value c
            else if (substr(line, i + 1, 1) == "\"") { value = value c; i++ }
            else quoted = 0
        } else if (c == "\"") quoted = 1
        else if (c == ",") { f[++n] = value; value = "" }
        else value = value c
    }
    f[++n] = value
    return n
}

# the PUs of core k as they must be: "kT,kT+1,..."
function group(p,   first, s, i) {
    first = p - p % tpc
    s = first
    for (i = 1; i < tpc; i++) s = s "," (first + i)
    return s
}

FNR == 1 { file++ }

file == 1 && /^  "[a-z_]+": \[/ { section = $1; gsub(/[":]/, "", section); next }
file == 1 && /^    \{/ {
    count[section]++
    id = field("id")
    if (section == "numa_nodes") nodeDistances[id] = list("distances")
    if (section == "cores") coreCPUs[id] = list("cpus")
    if (section == "llc_domains") llcLevel[id] = "L" field("level")
    if (section == "pus") { puCore[id] = field("core"); puLLC[id] = field("llc"); puNode[id] = field("node") }
    next
}

file == 2 && /^design=/ {
    for (i = 1; i <= NF; i++) {
        eq = index($i, "=")
        words[substr($i, 1, eq - 1)] = substr($i, eq + 1)
    }
    policy = words["placement"]
    planned[policy] = 1
    for (w in words) plan[policy, w] = words[w]
    delete words
    next
}

file == 3 && FNR == 1 { n = csv($0, header); for (i = 1; i <= n; i++) column[header[i]] = i; next }
file == 3 && NF > 0 {
    csv($0, row)
    policy = row[column["placement"]]
    rows[policy]++
    ran[policy, "pair_tier"] = ran[policy, "pair_tier"] " " row[column["pair_tier"]]
    ran[policy, "pair_distance"] = ran[policy, "pair_distance"] " " row[column["pair_distance"]]
    ran[policy, "smt_shared"] = ran[policy, "smt_shared"] " " row[column["smt_shared"]]
    if (row[column["pair_tier"]] != plan[policy, "pair_tier"] || row[column["smt_shared"]] != plan[policy, "smt_shared"])
        problem(policy ": report row " FNR " has pair_tier=" row[column["pair_tier"]] " smt_shared=" row[column["smt_shared"]] \
                ", its plan line pair_tier=" plan[policy, "pair_tier"] " smt_shared=" plan[policy, "smt_shared"])
    want = policy == "split" ? distance : 10
    if (row[column["pair_distance"]] != want)
        problem(policy ": report row " FNR " has pair_distance=" row[column["pair_distance"]] ", expected " want)
    next
}

END {
    # what hwloc saw
    siblings = (0 in puCore) ? coreCPUs[puCore[0]] : "?"
    grouped = 1
    for (p in puCore) if (coreCPUs[puCore[p]] != group(p)) { grouped = 0; bad = p }
    levels = ""
    for (l in llcLevel) if (index(levels, llcLevel[l]) == 0) levels = levels (levels == "" ? "" : ",") llcLevel[l]
    split(nodeDistances[0], d0, ",")
    seen = (count["numa_nodes"] + 0) " nodes, " (count["cores"] + 0) " cores, " (count["pus"] + 0) " PUs, " \
           (count["llc_domains"] + 0) " LLC domains" (levels == "" ? "" : " (" levels ")") ", PU 0's core " siblings \
           ", node 0 distances " (nodeDistances[0] == "" ? "none" : nodeDistances[0])
    print "hwloc in the VM sees " seen
    if (count["numa_nodes"] != nodes || count["cores"] != nodes * cpn / tpc || count["pus"] != nodes * cpn || !grouped \
        || (nodes > 1 && d0[2] != distance))
        problem("hwloc in the VM sees " seen "; expected " nodes " nodes, " nodes * cpn / tpc " cores, " nodes * cpn \
                " PUs, every core holding " tpc " adjacent PU(s) (PU 0's core " group(0) ")" \
                (nodes > 1 ? ", distance " distance " from node 0 to node 1" : "") \
                (grouped ? "" : "; PU " bad "'s core holds " coreCPUs[puCore[bad]]))

    if (tiers) {
        for (k = 1; k <= 3; k++) {
            policy = k == 1 ? "compact" : k == 2 ? "smt" : "split"
            if (!(policy in planned)) { problem(policy ": no plan line"); continue }
            if (!rows[policy]) problem(policy ": no report row")
            s = plan[policy, "sender_cpus"]; v = plan[policy, "vcpu_cpus"]
            tier = plan[policy, "pair_tier"]; shared = plan[policy, "smt_shared"]
            print policy ": plan sender_cpus=" s " vcpu_cpus=" v " (cores " puCore[s] " and " puCore[v] ", nodes " \
                  puNode[s] " and " puNode[v] ", LLCs " puLLC[s] " and " puLLC[v] ") pair_tier=" tier " smt_shared=" shared \
                  "; report pair_tier" ran[policy, "pair_tier"] ", pair_distance" ran[policy, "pair_distance"] \
                  ", smt_shared" ran[policy, "smt_shared"]
            if (!(s in puCore) || !(v in puCore)) { problem(policy ": the plan's CPUs " s " and " v " are not single PUs of the VM"); continue }
            if (policy == "compact") {
                want = puLLC[s] != "null" && puLLC[s] == puLLC[v] ? "llc" : "node"
                if (puCore[s] == puCore[v] || puNode[s] != puNode[v] || tier != want || shared != "false")
                    problem("compact: expected the sender and vCPU on two cores of one node, pair_tier=" want \
                            " smt_shared=false")
            } else if (policy == "smt") {
                if (((s "," v) != "0,1" && (s "," v) != "1,0") || tier != "smt" || shared != "true")
                    problem("smt: expected the sender and vCPU on sibling PUs 0 and 1, pair_tier=smt smt_shared=true")
            } else if (puNode[s] == puNode[v] || tier != "remote" || shared != "false")
                problem("split: expected the sender and vCPU on two nodes, pair_tier=remote smt_shared=false")
        }
    }
    exit problems > 0
}
