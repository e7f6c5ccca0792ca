# shellcheck shell=bash
# The share of a JVM's CPU that went to its JIT compilers, for the warm-ups of bench/run.sh and
# bench/cpu-per-email.sh. The JVM starts and ends compiler threads as its compile queue grows and
# shrinks, so the ticks are read thread by thread: a thread that ended takes its ticks with it.

# jit_ticks pid -> one "tid:ticks" word per compiler thread ("C1 CompilerThre", "C2 CompilerThre").
jit_ticks() {
  cat /proc/"$1"/task/*/stat 2>/dev/null |
    awk '/\(C[12] CompilerThre/ { tid = $1; sub(/^.*\) /, ""); printf "%s:%d ", tid, $12 + $13 }'
}

# jit_percent ticks-before ticks-after jvm-before jvm-after -> the compilers' percent of the JVM's
# CPU in between; "n/a" when a compiler thread ended in between, since its work is then unknown. A
# thread that started in between counts with all its ticks.
jit_percent() {
  awk -v a="$1" -v b="$2" -v c0="$3" -v c1="$4" 'BEGIN {
    n = split(a, w, " "); for (i = 1; i <= n; i++) { split(w[i], p, ":"); before[p[1]] = p[2] }
    m = split(b, w, " "); for (i = 1; i <= m; i++) { split(w[i], p, ":"); after[p[1]] = p[2] }
    for (t in before) if (!(t in after)) { print "n/a"; exit }
    d = 0
    for (t in after) d += after[t] - ((t in before) ? before[t] : 0)
    printf "%.1f", (c1 > c0) ? 100 * d / (c1 - c0) : 0
  }'
}

# jit_settled percent limit -> true when the share is known and at most the limit.
jit_settled() { [[ $1 != n/a ]] && awk "BEGIN { exit !($1 <= $2) }"; }
