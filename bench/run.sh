#!/usr/bin/env bash
# Side-by-side benchmark: Postfix as a relay, raw SMTP, and Mailroom on the same machine, in one run.
# See "Performance" in the README. Run as root on Debian (it installs postfix, wrk, python3, jq
# and PostgreSQL from Debian packages when missing). Not part of ./mvnw verify.
#
#   bench/run.sh                      # everything, 12-25 minutes (the warm-ups wait for the JIT)
#   BENCH_SKIP_BUILD=1 bench/run.sh   # reuse target/mailroom-*.jar
#   BENCH_PHASES=b,d,e bench/run.sh   # only some phases (a..h); the others are reported "not run"
#   BENCH_JAVA_EXTRA_OPTS=-XX:NativeMemoryTracking=summary BENCH_PHASES=c bench/run.sh
#                                     # JVM options added to the image's; with NMT, (c) prints the
#                                     # JVM's native memory summary after the load
#
# (e) drains the backlog (d) leaves, so choosing e runs d as well, and (h) runs on the service (e)
# drained with, so choosing h runs d and e; (f) runs on the service (c) started, or on one of its
# own; ratios need (a) and (b) in the same run.
#
# Every Mailroom phase measures a warmed-up JVM: its load runs first in slices until the JIT
# compilers have settled (see warm_up), and the report gives each warm-up's length and pace. A
# freshly started JVM on two shared cores spends minutes compiling; measured straight away, a
# phase reports the compiler's pace, not the service's.
#
# Prints every figure with its target and writes them to bench/results/<date>-<commit>.md.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH="$ROOT/bench"
# shellcheck source=../scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib/common.sh"
# shellcheck source=lib/jit.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/jit.sh"
# shellcheck source=lib/batch-body.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/batch-body.sh"
WORK=${BENCH_WORK:-/var/tmp/mailroom-bench.$$}

# Sizes and durations (the issue's measurement; override for a quick try).
SMTP_MESSAGES=${BENCH_SMTP_MESSAGES:-10000}
SMTP_SIZE=${BENCH_SMTP_SIZE:-4096}
SMTP_SESSIONS=${BENCH_SMTP_SESSIONS:-32}
WRK_CONNECTIONS=${BENCH_CONNECTIONS:-32}
WRK_THREADS=${BENCH_WRK_THREADS:-2}
WARMUP_S=${BENCH_WARMUP_S:-20}          # the least warm-up; then on until the JIT has settled:
WARMUP_MAX_S=${BENCH_WARMUP_MAX_S:-300}  # at most this long,
WARMUP_SLICE_S=${BENCH_WARMUP_SLICE_S:-10} # in slices of load this long,
JIT_SETTLED_PCT=${BENCH_JIT_SETTLED_PCT:-5} # until a slice in which the JIT compilers used at most
                                          # this share of the JVM's CPU
DRAIN_WARM_ROWS=${BENCH_DRAIN_WARM_ROWS:-10000} # copies of the backlog (e) warms up on, per slice
MEASURE_S=${BENCH_MEASURE_S:-60}
BATCH_SIZE=${BENCH_BATCH_SIZE:-100}
BACKLOG=${BENCH_BACKLOG:-50000}
QUIET_BACKLOG=${BENCH_QUIET_BACKLOG:-20000} # emails (h) queues after the vacuum
BATCH_CLIENTS=${BENCH_BATCH_CLIENTS:-4}
LATENCY_EMAILS=${BENCH_LATENCY_EMAILS:-500}
LATENCY_WARMUP_CONNECTIONS=${BENCH_LATENCY_WARMUP_CONNECTIONS:-2}
CLAIM_SMALL=${BENCH_CLAIM_SMALL:-10000}
CLAIM_LARGE=${BENCH_CLAIM_LARGE:-1000000}
CLAIM_LIMIT=${BENCH_CLAIM_LIMIT:-50}   # mailroom.delivery.batch-size default
PHASES=${BENCH_PHASES:-a,b,c,d,e,f,g,h}

# Ports of our own, on loopback only.
POSTFIX_PORT=${BENCH_POSTFIX_PORT:-12525}
SINK_POSTFIX_PORT=${BENCH_SINK_POSTFIX_PORT:-12526}
SINK_RAW_PORT=${BENCH_SINK_RAW_PORT:-12527}
SINK_APP_PORT=${BENCH_SINK_APP_PORT:-12528}
APP_PORT=${BENCH_APP_PORT:-18480}
MGMT_PORT=${BENCH_MGMT_PORT:-18481}

DB_NAME=${BENCH_DB:-mailroom_bench}
DB_USER=${BENCH_DB_USER:-mailroom_bench}
DB_PASSWORD=${BENCH_DB_PASSWORD:-mailroom_bench}
DB_HOST=127.0.0.1
DB_PORT=

STARTED_PG=""
POSTFIX_CONF="$WORK/postfix/etc"
POSTFIX_RUNNING=""
JAR_PID=""
SINK_PIDS=()

die() { log "FATAL: $*"; exit 1; }
now() { date +%s.%N; }
# awk arithmetic: calc '<expr>' [vars...] prints the value with the given printf format.
calc() { awk "BEGIN { printf \"$1\", $2 }"; }

# Phases chosen with BENCH_PHASES, and those that failed: a target whose figure is missing is never
# reported as met.
selected() { [[ ,$PHASES, == *,$1,* ]]; }
FAILED_PHASES=","
failed() { FAILED_PHASES="$FAILED_PHASES$1,"; log "($1) FAILED"; }
# run_phase letter function: runs it when selected, records a failure.
run_phase() { selected "$1" || return 0; "$2" || failed "$1"; }

# ---------------------------------------------------------------- cleanup, even on failure
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  [[ -n ${WRK_PID:-} ]] && kill "$WRK_PID" 2>/dev/null # (d)'s wrk, run in the background
  stop_started "${BENCH_KEEP_DB:-}"
  [[ -z ${BENCH_KEEP_WORK:-} ]] && rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- prerequisites
install_packages() {
  local missing=()
  command -v smtp-sink >/dev/null && command -v postfix >/dev/null || missing+=(postfix)
  command -v wrk >/dev/null || missing+=(wrk)
  command -v jq >/dev/null || missing+=(jq)
  command -v curl >/dev/null || missing+=(curl)
  command -v python3 >/dev/null || missing+=(python3)
  command -v pg_lsclusters >/dev/null || missing+=(postgresql)
  apt_install "${missing[@]}"
}

check_ports() {
  require_free_ports BENCH "$POSTFIX_PORT" "$SINK_POSTFIX_PORT" "$SINK_RAW_PORT" "$SINK_APP_PORT" "$APP_PORT" "$MGMT_PORT"
}

build_jar() { extract_jar "${BENCH_SKIP_BUILD:-}"; }

# JVM options of the container: the Dockerfile's JAVA_TOOL_OPTIONS, and the chart's memory limit as
# the RAM the JVM sees (it sizes the heap from it, MaxRAMPercentage), since no cgroup limit is set here.
jvm_options() {
  local opts limit
  opts=$(image_java_options)
  [[ -n $opts ]] || opts="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError"
  limit=$(awk '/^resources:/ {r=1} r && /^  limits:/ {l=1} r && l && /memory:/ {print $2; exit}' \
    "$ROOT/helm/mailroom/values.yaml" 2>/dev/null)
  limit=${limit:-768Mi}
  CONTAINER_MEMORY=$limit
  limit=${limit/Mi/m}
  limit=${limit/Gi/g}
  JVM_OPTS="$opts -XX:MaxRAM=$limit${BENCH_JAVA_EXTRA_OPTS:+ $BENCH_JAVA_EXTRA_OPTS}"
  # glibc's malloc arenas, as the image sets them (empty: glibc's default).
  MALLOC_ARENAS=$(sed -n 's/^ENV MALLOC_ARENA_MAX=\([0-9]*\)$/\1/p' "$ROOT/Dockerfile" | head -1)
}

# ---------------------------------------------------------------- SMTP sinks and Postfix
# smtp-sink -c keeps "sess=N quit=N mesg=N" counters on stdout; the last mesg= is the count.
start_sink() { # name port
  start_smtp_sink "$WORK/sink-$1.out" -c -u nobody -h sink.bench "127.0.0.1:$2" 256
  wait_for_port "$2" 10 || die "smtp-sink on $2 did not start"
}

sink_count() { # name
  tail -c 400 "$WORK/sink-$1.out" 2>/dev/null | tr '\r' '\n' | grep -o 'mesg=[0-9]*' | tail -1 | cut -d= -f2 |
    grep . || echo 0
}

start_postfix() {
  {
    if [[ -n ${BENCH_POSTFIX_LOG:-} ]]; then
      printf 'maillog_file = %s/maillog\nmaillog_file_prefixes = %s\n' "$WORK/postfix" "$WORK/postfix"
    fi
  } | write_postfix_config postfix.bench.localdomain "$SINK_POSTFIX_PORT" \
    "A store-and-forward relay: everything from loopback is queued on disk, then relayed to smtp-sink."
  start_postfix_instance || return 1
  wait_for_port "$POSTFIX_PORT" 20
}

# (a) smtp-source -> postfix -> smtp-sink, until the sink has every message.
bench_postfix() {
  log "(a) Postfix relay: $SMTP_MESSAGES x $SMTP_SIZE bytes, $SMTP_SESSIONS sessions"
  start_sink postfix "$SINK_POSTFIX_PORT"
  start_postfix || { log "Postfix did not start; see $WORK/postfix-*.log"; return 1; }
  local t0 t1 t2 n i
  t0=$(now)
  timeout 600 smtp-source -s "$SMTP_SESSIONS" -l "$SMTP_SIZE" -m "$SMTP_MESSAGES" \
    -f source@bench.example -t rcpt@sink.example "127.0.0.1:$POSTFIX_PORT" || log "smtp-source exited $?"
  t1=$(now)
  for i in $(seq 6000); do # at most 600 s
    n=$(sink_count postfix)
    ((n >= SMTP_MESSAGES)) && break
    sleep 0.1
  done
  t2=$(now)
  R_POSTFIX_SINK=$n
  R_POSTFIX_ACCEPT=$(calc '%.0f' "$SMTP_MESSAGES / ($t1 - $t0)")
  R_POSTFIX=$(calc '%.0f' "$n / ($t2 - $t0)")
  log "    accepted in $(calc '%.1f' "$t1 - $t0") s, $n at the sink after $(calc '%.1f' "$t2 - $t0") s"
  stop_postfix
}

# (b) smtp-source -> smtp-sink.
bench_raw() {
  log "(b) raw SMTP: $SMTP_MESSAGES x $SMTP_SIZE bytes, $SMTP_SESSIONS sessions"
  start_sink raw "$SINK_RAW_PORT"
  local t0 t1 n i
  t0=$(now)
  timeout 600 smtp-source -s "$SMTP_SESSIONS" -l "$SMTP_SIZE" -m "$SMTP_MESSAGES" \
    -f source@bench.example -t rcpt@sink.example "127.0.0.1:$SINK_RAW_PORT" || log "smtp-source exited $?"
  for i in $(seq 100); do
    n=$(sink_count raw)
    ((n >= SMTP_MESSAGES)) && break
    sleep 0.1
  done
  t1=$(now)
  R_RAW_SINK=$n
  R_RAW=$(calc '%.0f' "$n / ($t1 - $t0)")
}

# ---------------------------------------------------------------- Mailroom
start_jar() { # name delivery-enabled
  log "    starting Mailroom ($1, delivery ${2})"
  launch_jar "$1" "$SINK_APP_PORT" ${MALLOC_ARENAS:+MALLOC_ARENA_MAX=$MALLOC_ARENAS} \
    MAILROOM_EMAIL_DEFAULTFROM="Bench <no-reply@bench.example>" \
    MAILROOM_SMTP_EHLONAME=mailroom.bench.example MAILROOM_SMTP_RELAYS_0_NAME=smtp-sink \
    MAILROOM_DELIVERY_ENABLED="$2" \
    MAILROOM_APIKEYS_0_NAME=bench MAILROOM_APIKEYS_0_HASH="$API_KEY_HASH" MAILROOM_APIKEYS_0_SCOPES=send,read
}

# A few requests one at a time first: a cold JVM on a busy machine can take seconds for the first
# ones, which would otherwise eat the whole warm-up.
prime() {
  local i body='{"to":["bench@sink.example"],"template":"welcome","variables":{"name":"Ada","productName":"Acme","actionUrl":"https://acme.example/start"}}'
  for i in $(seq 20); do
    curl -s -o /dev/null --max-time 30 -H "Authorization: Bearer $API_KEY" -H 'Content-Type: application/json' \
      -d "$body" "http://127.0.0.1:$APP_PORT/emails"
  done
}

# The JVM's peak RSS in KiB, as /proc gives it; the report shows it in MB (10^6 bytes, as the target
# reads) and in MiB (as the chart's limits).
vm_hwm_kib() { awk '/^VmHWM:/ { print $2 }' "/proc/$JAR_PID/status" 2>/dev/null; }

# CPU ticks of the JVM; those of its JIT compilers come from bench/lib/jit.sh.
jvm_ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$JAR_PID/stat" 2>/dev/null || echo 0; }
jit_share() { # jit0 jvm0 -> percent of the JVM's CPU since then that went to the JIT compilers
  local j c
  j=$(jit_ticks "$JAR_PID") c=$(jvm_ticks)
  jit_percent "$1" "$j" "$2" "$c"
}

# warm_up prefix slice-function: runs the slice (one WARMUP_SLICE_S of load, which sets SLICE_RATE)
# for at least WARMUP_S seconds, then until a slice in which the JIT compilers used at most
# JIT_SETTLED_PCT % of the JVM's CPU, or WARMUP_MAX_S has passed; a failed slice fails it. Sets
# <prefix>_WARM_S (seconds), <prefix>_WARM_JIT (the last slice's share) and <prefix>_WARM_PACE
# (each slice's rate).
warm_up() {
  local prefix=$1 slice=$2 start j0 c0 pct elapsed pace=""
  start=$(now)
  while :; do
    j0=$(jit_ticks "$JAR_PID") c0=$(jvm_ticks)
    SLICE_RATE="?"
    "$slice" || { log "    warm-up slice failed"; return 1; }
    pct=$(jit_share "$j0" "$c0")
    elapsed=$(calc '%.0f' "$(now) - $start")
    pace="${pace:+$pace, }$SLICE_RATE"
    log "    warm-up ${elapsed} s: $SLICE_RATE, JIT compilers $pct % of the JVM's CPU"
    if ((elapsed >= WARMUP_S)) && jit_settled "$pct" "$JIT_SETTLED_PCT"; then
      break
    fi
    ((elapsed >= WARMUP_MAX_S)) && break
  done
  printf -v "${prefix}_WARM_S" '%s' "$elapsed"
  printf -v "${prefix}_WARM_JIT" '%s' "$pct"
  printf -v "${prefix}_WARM_PACE" '%s' "$pace"
}

# Waits until nothing is left to deliver (bounded); prints how many are still waiting.
wait_drained() { # seconds
  local i left
  for i in $(seq "$1"); do
    left=$(sql -c "SELECT count(*) FROM emails WHERE status IN ('QUEUED','SENDING','DEFERRED','SCHEDULED')")
    [[ $left == 0 ]] && break
    sleep 1
  done
  echo "${left:-?}"
}

wrk_value() { # file key -> value of "key=value" in the BENCH lines
  grep '^BENCH' "$1" | grep -o "$2=[0-9.]*" | head -1 | cut -d= -f2
}

# (c) wrk POSTing `welcome`; only emails accepted and SENT inside the measured window count.
bench_end_to_end() {
  log "(c) Mailroom end to end: wrk -c$WRK_CONNECTIONS, warm-up until the JIT settles, ${MEASURE_S}s measured"
  fresh_db
  start_jar e2e true || return 1
  local lua="$BENCH/lib/post-email.lua" url="http://127.0.0.1:$APP_PORT"
  prime
  warm_up R_E2E e2e_slice || return 1
  local t0 t1 s0 j0 c0 hwm
  s0=$(sink_count app)
  t0=$(sql -c "SELECT now()")
  j0=$(jit_ticks "$JAR_PID") c0=$(jvm_ticks)
  BENCH_API_KEY=$API_KEY timeout $((MEASURE_S + 60)) wrk -t"$WRK_THREADS" -c"$WRK_CONNECTIONS" \
    -d"${MEASURE_S}s" --timeout 10s --latency -s "$lua" "$url" >"$WORK/wrk-e2e.txt" 2>&1
  R_E2E_JIT=$(jit_share "$j0" "$c0")
  t1=$(sql -c "SELECT now()")
  hwm=$(vm_hwm_kib)
  if [[ -n $hwm ]]; then
    R_RSS_MB=$(calc '%.0f' "$hwm * 1024 / 1e6") R_RSS_MIB=$(calc '%.0f' "$hwm / 1024")
  fi
  if [[ $JVM_OPTS == *NativeMemoryTracking* ]]; then
    # Where the memory is: BENCH_JAVA_EXTRA_OPTS=-XX:NativeMemoryTracking=summary
    timeout 60 jcmd "$JAR_PID" VM.native_memory summary >"$WORK/nmt.txt" 2>&1
    timeout 60 jcmd "$JAR_PID" GC.heap_info >>"$WORK/nmt.txt" 2>&1
    grep -E '^(Total|-|  \(|Native)|committed|garbage|heap|used' "$WORK/nmt.txt" | head -80 >&2
  fi
  cat "$WORK/wrk-e2e.txt" >&2
  local counts window
  window=$(sql -c "SELECT extract(epoch FROM timestamptz '$t1' - timestamptz '$t0')")
  counts=$(sql -F ' ' -c "SELECT count(*), count(*) FILTER (WHERE status = 'SENT' AND sent_at < '$t1')
                             FROM emails WHERE created_at >= '$t0' AND created_at < '$t1'")
  read -r R_E2E_ACCEPTED R_E2E_SENT <<<"$counts"
  R_E2E_DELIVERED=$(sql -c "SELECT count(*) FROM emails WHERE status = 'SENT' AND sent_at >= '$t0' AND sent_at < '$t1'")
  R_E2E=$(calc '%.0f' "$R_E2E_SENT / $window")
  R_DELIVERY_IN_WINDOW=$(calc '%.0f' "$R_E2E_DELIVERED / $window")
  R_INTAKE=$(calc '%.0f' "$(wrk_value "$WORK/wrk-e2e.txt" accepted) / $(wrk_value "$WORK/wrk-e2e.txt" duration_s)")
  R_INTAKE_REFUSED=$(wrk_value "$WORK/wrk-e2e.txt" refused)
  R_INTAKE_P50=$(wrk_value "$WORK/wrk-e2e.txt" p50)
  R_INTAKE_P99=$(wrk_value "$WORK/wrk-e2e.txt" p99)
  R_E2E_WINDOW=$(calc '%.1f' "$window")
  R_E2E_SINK=$(($(sink_count app) - s0))
  log "    waiting for the rest to be delivered before the light-load run"
  R_E2E_LEFT=$(wait_drained 300)
}

# One slice of (c)'s load, for its warm-up (the emails it sends are delivered like any other).
e2e_slice() {
  BENCH_API_KEY=$API_KEY timeout $((WARMUP_SLICE_S + 60)) wrk -t"$WRK_THREADS" -c"$WRK_CONNECTIONS" \
    -d"${WARMUP_SLICE_S}s" --timeout 10s -s "$lua" "$url" >"$WORK/wrk-warmup.txt" 2>&1
  SLICE_RATE="$(calc '%.0f' "$(wrk_value "$WORK/wrk-warmup.txt" accepted) / $(wrk_value "$WORK/wrk-warmup.txt" duration_s)") req/s"
}

# One slice of (f)'s warm-up: its POST-then-GET requests from LATENCY_WARMUP_CONNECTIONS at once,
# one connection per wrk thread (each follows its own email).
latency_slice() {
  BENCH_API_KEY=$API_KEY timeout $((WARMUP_SLICE_S + 60)) wrk -t"$LATENCY_WARMUP_CONNECTIONS" \
    -c"$LATENCY_WARMUP_CONNECTIONS" -d"${WARMUP_SLICE_S}s" --timeout 10s -s "$BENCH/lib/post-then-get.lua" \
    "http://127.0.0.1:$APP_PORT" >"$WORK/wrk-warmup.txt" 2>&1
  local d
  d=$(wrk_value "$WORK/wrk-warmup.txt" duration_s)
  SLICE_RATE="$(calc '%.0f' "$(wrk_value "$WORK/wrk-warmup.txt" accepted) / $d") POST/s + $(calc '%.0f' "$(wrk_value "$WORK/wrk-warmup.txt" gets) / $d") GET/s"
}

# (f) one email at a time, POST then GET until SENT (the same service, after the load). The GET
# path is warmed up as every phase's path is: (c) POSTs but hardly GETs.
bench_latency() {
  log "(f) light-load latency: $LATENCY_EMAILS emails one at a time"
  if [[ -z $JAR_PID ]]; then
    fresh_db
    start_jar latency true || return 1
    prime
  fi
  warm_up R_LAT latency_slice || return 1
  [[ $(wait_drained 120) == 0 ]] || log "    (f) warm-up: emails still waiting to be sent"
  timeout 900 python3 "$BENCH/lib/latency.py" 127.0.0.1 "$APP_PORT" "$API_KEY" "$LATENCY_EMAILS" 50 \
    >"$WORK/latency.json" || return 1
  R_LAT_P50=$(jq -r '.client_p50_ms | . * 10 | round / 10' "$WORK/latency.json")
  R_LAT_P99=$(jq -r '.client_p99_ms | . * 10 | round / 10' "$WORK/latency.json")
  R_LAT_STORED_P50=$(jq -r '.stored_p50_ms | . * 10 | round / 10' "$WORK/latency.json")
  R_LAT_STORED_P99=$(jq -r '.stored_p99_ms | . * 10 | round / 10' "$WORK/latency.json")
  R_LAT_N=$(jq -r '.emails' "$WORK/latency.json")
  R_LAT_POST_P50=$(jq -r '.post_p50_ms | . * 10 | round / 10' "$WORK/latency.json")
  R_LAT_RELAYED_P50=$(jq -r '.relayed_p50_ms | . * 10 | round / 10' "$WORK/latency.json")
  R_LAT_RELAYED_P99=$(jq -r '.relayed_p99_ms | . * 10 | round / 10' "$WORK/latency.json")
  R_LAT_GET_P50=$(jq -r '.get_p50_ms | . * 10 | round / 10' "$WORK/latency.json")
}

# (d) POST /emails/batch with delivery off, which also leaves the backlog for (e).
bench_batch() {
  local batches=$(((BACKLOG + BATCH_SIZE - 1) / BATCH_SIZE))
  log "(d) batch intake: $batches batches of $BATCH_SIZE from $BATCH_CLIENTS clients, delivery off"
  fresh_db
  start_jar batch false || return 1
  batch_body "$BATCH_SIZE" "$WORK/batch.json"
  warm_up R_BATCH batch_slice || return 1 # the outbox is emptied after each slice
  # wrk with one connection per client, each thread stopping once it has had the answers to its
  # share; wrk is interrupted (it then reports) once every thread has stopped
  : >"$WORK/batch-done.txt"
  BENCH_API_KEY=$API_KEY BENCH_BATCH_FILE="$WORK/batch.json" BENCH_BATCH_COUNT=$batches \
    BENCH_BATCH_THREADS=$BATCH_CLIENTS BENCH_BATCH_DONE="$WORK/batch-done.txt" \
    wrk -t"$BATCH_CLIENTS" -c"$BATCH_CLIENTS" -d1500s --timeout 60s --latency \
    -s "$BENCH/lib/post-batch.lua" "http://127.0.0.1:$APP_PORT/emails/batch" >"$WORK/wrk-batch.txt" 2>&1 &
  WRK_PID=$!
  local i
  for i in $(seq 15000); do # at most 1,500 s, as wrk's own duration
    (($(wc -l <"$WORK/batch-done.txt") >= BATCH_CLIENTS)) && break
    kill -0 "$WRK_PID" 2>/dev/null || break
    sleep 0.1
  done
  kill -INT "$WRK_PID" 2>/dev/null
  wait "$WRK_PID"
  WRK_PID=""
  local ok duration
  ok=$(wrk_value "$WORK/wrk-batch.txt" accepted)
  duration=$(wrk_value "$WORK/wrk-batch.txt" duration_s)
  [[ -n $ok && -n $duration ]] || { log "    wrk failed: $(tail -3 "$WORK/wrk-batch.txt")"; return 1; }
  R_BATCH_REFUSED=$((batches - ok))
  R_BATCH=$(calc '%.0f' "$ok * $BATCH_SIZE / $duration")
  R_BATCH_P50=$(wrk_value "$WORK/wrk-batch.txt" p50)
  R_BATCH_P99=$(wrk_value "$WORK/wrk-batch.txt" p99)
  R_BACKLOG=$(sql -c "SELECT count(*) FROM emails WHERE status = 'QUEUED'")
  stop_jar
}

# One slice of (d)'s load: batches for WARMUP_SLICE_S seconds, then the outbox emptied again.
batch_slice() {
  BENCH_API_KEY=$API_KEY BENCH_BATCH_FILE="$WORK/batch.json" timeout $((WARMUP_SLICE_S + 120)) \
    wrk -t"$BATCH_CLIENTS" -c"$BATCH_CLIENTS" -d"${WARMUP_SLICE_S}s" --timeout 60s \
    -s "$BENCH/lib/post-batch.lua" "http://127.0.0.1:$APP_PORT/emails/batch" >"$WORK/wrk-batch-warmup.txt" 2>&1
  local ok duration
  ok=$(wrk_value "$WORK/wrk-batch-warmup.txt" accepted)
  duration=$(wrk_value "$WORK/wrk-batch-warmup.txt" duration_s)
  [[ -n $ok && -n $duration ]] || { log "    wrk failed: $(tail -3 "$WORK/wrk-batch-warmup.txt")"; return 1; }
  SLICE_RATE="$(calc '%.0f' "$ok * $BATCH_SIZE / $duration") emails/s"
  sql -c "TRUNCATE emails CASCADE" >/dev/null
}

# (e) the backlog left by (d), drained by a dispatcher with production defaults. The backlog is
# set aside first, and the dispatcher warms up on copies of it (new ids, DRAIN_WARM_ROWS a slice);
# then the backlog goes back into the outbox in one transaction, and is drained.
bench_drain() {
  log "(e) draining a backlog of ${R_BACKLOG:-?} emails"
  [[ ${R_BACKLOG:-0} -gt 0 ]] || return 1
  local s0
  SQL_TIMEOUT=600 sql >/dev/null <<'SQL' || return 1
BEGIN;
CREATE TABLE bench_backlog_emails AS SELECT * FROM emails;
CREATE TABLE bench_backlog_recipients AS SELECT * FROM email_recipients;
TRUNCATE emails CASCADE;
COMMIT;
SQL
  start_jar drain true || return 1
  warm_up R_DRAIN drain_slice || return 1
  s0=$(sink_count app)
  SQL_TIMEOUT=600 sql >/dev/null <<'SQL' || return 1
BEGIN;
INSERT INTO emails SELECT * FROM bench_backlog_emails;
INSERT INTO email_recipients SELECT * FROM bench_backlog_recipients;
COMMIT;
DROP TABLE bench_backlog_emails, bench_backlog_recipients;
SQL
  R_DRAIN_LEFT=$(wait_drained 900)
  local row
  row=$(sql -F ' ' -c "SELECT count(*), extract(epoch FROM max(sent_at) - min(sent_at)) FROM emails WHERE status = 'SENT'")
  read -r R_DRAIN_SENT secs <<<"$row"
  R_DRAIN=$(calc '%.0f' "$R_DRAIN_SENT / $secs")
  R_DRAIN_SINK=$(($(sink_count app) - s0))
  if selected h; then
    bench_quiet_drain || failed h
  fi
  stop_jar
}

# (h) a backlog queued after a vacuum that found nothing due, on (e)'s warmed-up service. (e)
# drains into an outbox truncated just before; a production outbox is mostly settled mail, often
# with nothing due when autovacuum visits it, and PostgreSQL then counts the due index as empty
# until its next visit. On a table of production size that visit is millions of row changes away
# (autovacuum waits for a fifth of the table to change); this table holds only (e)'s backlog, so
# autovacuum is switched off for it during the phase to stand for that. QUIET_BACKLOG copies of
# (e)'s settled emails are then queued in one transaction and drained (first to last sent_at).
bench_quiet_drain() {
  log "(h) draining $QUIET_BACKLOG emails queued after a vacuum found nothing due"
  local row
  sql >/dev/null <<'SQL' || return 1
ALTER TABLE emails SET (autovacuum_enabled = false);
VACUUM ANALYZE emails;
SQL
  queue_copies "(SELECT * FROM emails WHERE status = 'SENT')" email_recipients "$QUIET_BACKLOG" quiet- ||
    return 1
  R_QUIET_LEFT=$(wait_drained 900)
  row=$(sql -F ' ' -c "SELECT count(*), extract(epoch FROM max(sent_at) - min(sent_at)) FROM emails WHERE status = 'SENT' AND message_id LIKE 'quiet-%'")
  read -r R_QUIET_SENT secs <<<"$row"
  R_QUIET=$(calc '%.0f' "$R_QUIET_SENT / $secs")
  sql -c "ALTER TABLE emails RESET (autovacuum_enabled)" >/dev/null
}

# Queues n copies of emails (a table, or a subquery in parentheses) and their recipients, in one
# transaction: new ids, Message-IDs starting with prefix, QUEUED and due at once, never tried, every
# recipient PENDING.
queue_copies() { # emails recipients n prefix
  SQL_TIMEOUT=300 sql -v n="$3" -v prefix="$4" >/dev/null <<SQL
CREATE TEMP TABLE copy_ids AS SELECT id AS old_id, gen_random_uuid() AS new_id FROM $1 AS source LIMIT :n;
CREATE TEMP TABLE copy_emails AS SELECT e.* FROM $1 AS e JOIN copy_ids ON e.id = old_id;
UPDATE copy_emails
   SET id = new_id, message_id = :'prefix' || new_id, status = 'QUEUED', attempts = 0,
       claim_token = 0, locked_by = NULL, due_at = now(), sent_at = NULL, created_at = now(),
       updated_at = now()
  FROM copy_ids WHERE id = old_id;
CREATE TEMP TABLE copy_recipients AS SELECT r.* FROM $2 AS r JOIN copy_ids ON r.email_id = old_id;
UPDATE copy_recipients
   SET email_id = new_id, status = 'PENDING', reply_code = NULL, enhanced_code = NULL,
       reply_text = NULL
  FROM copy_ids WHERE email_id = old_id;
BEGIN;
INSERT INTO emails SELECT * FROM copy_emails;
INSERT INTO email_recipients SELECT * FROM copy_recipients;
COMMIT;
SQL
}

# One slice of (e)'s warm-up: DRAIN_WARM_ROWS copies of backlog emails, due at once, until sent.
drain_slice() {
  local t0 left
  t0=$(now)
  queue_copies bench_backlog_emails bench_backlog_recipients "$DRAIN_WARM_ROWS" warm- || return 1
  left=$(wait_drained 300)
  SLICE_RATE="$(calc '%.0f' "$DRAIN_WARM_ROWS / ($(now) - $t0)") emails/s (copy included)"
  [[ $left == 0 ]] || { log "    $left warm-up emails not sent"; return 1; }
  sql -c "TRUNCATE emails CASCADE" >/dev/null
}

# The claim statement, exactly as delivery/EmailClaims holds it, with its parameters filled in.
claim_statement() {
  awk '/static final String CLAIM =/ {f = 1; next} f && /"""/ {n++; if (n == 2) exit; next} f && n == 1 {print}' \
    "$ROOT/src/main/java/dev/mailroom/delivery/EmailClaims.java" |
    sed -e "s/:dispatcher/'bench-claim'/g" -e 's/:lease/300000/g' -e "s/:limit/$CLAIM_LIMIT/g" \
      -e 's/:maxBytes/16777216/g'
}

# Execution time of the claim over 11 runs, each rolled back so nothing stays claimed: prints the
# fastest and the median (ms), and keeps the plan of the fastest. On a shared machine the fastest
# run is the closest to the statement's own cost.
claim_ms() { # label
  local stmt i t
  stmt=$(claim_statement)
  : >"$WORK/claim-$1-times.txt"
  for i in $(seq 11); do
    sql >"$WORK/claim-$1-$i.txt" <<SQL || return 1
BEGIN;
EXPLAIN (ANALYZE, BUFFERS) $stmt;
ROLLBACK;
SQL
    t=$(grep -o 'Execution Time: [0-9.]*' "$WORK/claim-$1-$i.txt" | awk '{print $3}')
    echo "$t $i" >>"$WORK/claim-$1-times.txt"
  done
  sort -n "$WORK/claim-$1-times.txt" >"$WORK/claim-$1-sorted.txt"
  cp "$WORK/claim-$1-$(awk 'NR == 1 {print $2}' "$WORK/claim-$1-sorted.txt").txt" "$WORK/claim-$1-best.txt"
  awk 'NR == 1 {min = $1} NR == 6 {med = $1} END {print min, med}' "$WORK/claim-$1-sorted.txt"
}

# (g) the claim at CLAIM_SMALL and CLAIM_LARGE due rows.
bench_claim() {
  log "(g) claim query at $CLAIM_SMALL and $CLAIM_LARGE due rows"
  [[ -n $(claim_statement) ]] || { log "no CLAIM statement found in EmailClaims"; return 1; }
  if [[ $(sql -c "SELECT count(*) FROM emails WHERE mime IS NOT NULL" 2>/dev/null || echo 0) == 0 ]]; then
    # Run on its own: a schema and one real stored message, from the service itself.
    fresh_db
    start_jar claim false || return 1
    prime
    stop_jar
  fi
  sql -f "$BENCH/sql/sample.sql" >/dev/null || return 1
  [[ $(sql -c "SELECT count(*) FROM bench_sample") == 1 ]] || { log "no stored message to copy"; return 1; }
  SQL_TIMEOUT=600 sql -v first=1 -v last="$CLAIM_SMALL" -f "$BENCH/sql/claim-rows.sql" || return 1
  sql -c "VACUUM ANALYZE emails"
  read -r R_CLAIM_SMALL R_CLAIM_SMALL_MED <<<"$(claim_ms small)"
  log "    inserting up to $CLAIM_LARGE rows"
  SQL_TIMEOUT=1800 sql -v first=$((CLAIM_SMALL + 1)) -v last="$CLAIM_LARGE" -f "$BENCH/sql/claim-rows.sql" || return 1
  SQL_TIMEOUT=900 sql -c "VACUUM ANALYZE emails"
  read -r R_CLAIM_LARGE R_CLAIM_LARGE_MED <<<"$(claim_ms large)"
  R_CLAIM_PLAN=$(grep -v -e '^BEGIN' -e '^ROLLBACK' "$WORK/claim-large-best.txt")
  # Pages touched: the same work at both sizes is the same count, whatever the machine's load.
  R_CLAIM_SMALL_BUF=$(grep -m1 -o 'shared hit=[0-9]*' "$WORK/claim-small-best.txt" | cut -d= -f2)
  R_CLAIM_LARGE_BUF=$(grep -m1 -o 'shared hit=[0-9]*' "$WORK/claim-large-best.txt" | cut -d= -f2)
}

# ---------------------------------------------------------------- report
# target lines: figure, target description, met (1/0)
# verdict phase met figure...: "not run" when the phase was not chosen, "FAILED" when it failed,
# "not measured" when a figure it needs is missing (a ratio to a phase not run), else met or MISSED.
verdict() {
  local phase=$1 met=$2 f
  shift 2
  selected "$phase" || { echo "not run"; return; }
  [[ $FAILED_PHASES == *,$phase,* ]] && { echo "FAILED"; return; }
  for f in "$@"; do [[ -z $f || $f == n/a || $f == "?" ]] && { echo "not measured"; return; }; done
  [[ $met == 1 ]] && echo "met" || echo "MISSED"
}
isnum() { [[ ${1:-} =~ ^[0-9]+([.][0-9]+)?$ ]]; }
ge() { isnum "${1:-}" && isnum "${2:-}" && awk "BEGIN { exit !($1 >= $2) }" && echo 1 || echo 0; }
le() { isnum "${1:-}" && isnum "${2:-}" && awk "BEGIN { exit !($1 <= $2) }" && echo 1 || echo 0; }
ratio() { isnum "${1:-}" && isnum "${2:-}" && [[ ${2:-0} != 0 ]] && calc '%.2f' "$1 / $2" || echo "n/a"; }

report() {
  local p=${R_POSTFIX:-} r=${R_RAW:-}
  local e2e_p=$(ratio "${R_E2E:-}" "$p") e2e_r=$(ratio "${R_E2E:-}" "$r")
  local in_p=$(ratio "${R_INTAKE:-}" "$p") in_r=$(ratio "${R_INTAKE:-}" "$r")
  local b_p=$(ratio "${R_BATCH:-}" "$p") b_r=$(ratio "${R_BATCH:-}" "$r")
  local d_p=$(ratio "${R_DRAIN:-}" "$p") d_r=$(ratio "${R_DRAIN:-}" "$r")
  local q_p=$(ratio "${R_QUIET:-}" "$p") q_r=$(ratio "${R_QUIET:-}" "$r")
  local c_ratio=$(ratio "${R_CLAIM_LARGE:-}" "${R_CLAIM_SMALL:-}")
  cat <<EOF
# Mailroom benchmark, $RUN_DATE, commit $COMMIT

Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo), load average before the run $LOAD_BEFORE, after $(cut -d' ' -f1-3 /proc/loadavg).
$(java -version 2>&1 | head -1), PostgreSQL ${PG_VERSION:-?}, $(postconf -d mail_version 2>/dev/null | sed 's/mail_version = /Postfix /'), $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2).
Mailroom: production configuration (environment variables), relay = smtp-sink, JVM options of the image
and chart: \`$JVM_OPTS\`${MALLOC_ARENAS:+, MALLOC_ARENA_MAX=$MALLOC_ARENAS} (chart memory limit $CONTAINER_MEMORY as the RAM the JVM sees), delivery defaults.
Everything (service, PostgreSQL, load generators, sinks) shares the same cores; other work on the
machine makes the figures noisy.

| # | measure | result | vs Postfix | vs raw SMTP | target | |
|---|---|---|---|---|---|---|
| a | Postfix relay, smtp-source → postfix (queue on disk) → smtp-sink, $SMTP_MESSAGES × $SMTP_SIZE B, $SMTP_SESSIONS sessions | ${p:-n/a} msg/s (accepted ${R_POSTFIX_ACCEPT:-n/a} msg/s; ${R_POSTFIX_SINK:-?} at the sink) | 1.00 | $(ratio "$p" "$r") | | |
| b | raw SMTP, smtp-source → smtp-sink | ${r:-n/a} msg/s (${R_RAW_SINK:-?} at the sink) | $(ratio "$r" "$p") | 1.00 | | |
| c | Mailroom end to end, POST \`welcome\` → SENT, wrk $WRK_CONNECTIONS connections, ${R_E2E_WINDOW:-?} s after a ${R_E2E_WARM_S:-?} s warm-up (accepted and SENT inside the window; JIT compilers ${R_E2E_JIT:-?} % of the JVM's CPU in it) | ${R_E2E:-n/a} emails/s (${R_E2E_SENT:-?} of ${R_E2E_ACCEPTED:-?} accepted; ${R_E2E_SINK:-?} at the sink; SENT in the window regardless of intake time: ${R_DELIVERY_IN_WINDOW:-?}/s) | $e2e_p | $e2e_r | ≥ 2.0× Postfix | $(verdict c "$(ge "$e2e_p" 2.0)" "$e2e_p") |
| c | single-email intake, \`POST /emails\` → 202, same run | ${R_INTAKE:-n/a} req/s, p50 ${R_INTAKE_P50:-?} ms, p99 ${R_INTAKE_P99:-?} ms (${R_INTAKE_REFUSED:-?} not 202) | $in_p | $in_r | ≥ 2,000 req/s, p99 ≤ 50 ms | $(verdict c "$(($(ge "${R_INTAKE:-}" 2000) & $(le "${R_INTAKE_P99:-}" 50)))" "${R_INTAKE:-}" "${R_INTAKE_P99:-}") |
| c | peak RSS of the JVM (VmHWM) under that load | ${R_RSS_MB:-n/a} MB (${R_RSS_MIB:-n/a} MiB) | | | ≤ 350 MB | $(verdict c "$(le "${R_RSS_MB:-}" 350)" "${R_RSS_MB:-}") |
| d | batch intake, \`POST /emails/batch\` of $BATCH_SIZE, wrk $BATCH_CLIENTS connections, delivery off, after a ${R_BATCH_WARM_S:-?} s warm-up | ${R_BATCH:-n/a} emails/s (${R_BATCH_REFUSED:-?} batches not 202; per batch p50 ${R_BATCH_P50:-?} ms, p99 ${R_BATCH_P99:-?} ms) | $b_p | $b_r | ≥ 5,000 emails/s | $(verdict d "$(ge "${R_BATCH:-}" 5000)" "${R_BATCH:-}") |
| e | backlog of ${R_BACKLOG:-?} drained to smtp-sink (first to last sent_at), after a ${R_DRAIN_WARM_S:-?} s warm-up on copies | ${R_DRAIN:-n/a} emails/s (${R_DRAIN_SENT:-?} SENT, ${R_DRAIN_LEFT:-?} left; ${R_DRAIN_SINK:-?} at the sink) | $d_p | $d_r | ≥ 0.3× raw SMTP | $(verdict e "$(ge "$d_r" 0.3)" "$d_r") |
| h | backlog of $QUIET_BACKLOG queued at once after a vacuum found nothing due (autovacuum off for the table meanwhile), drained by (e)'s service (first to last sent_at) | ${R_QUIET:-n/a} emails/s (${R_QUIET_SENT:-?} SENT, ${R_QUIET_LEFT:-?} left) | $q_p | $q_r | ≥ 0.3× raw SMTP, as (e) | $(verdict h "$(ge "$q_r" 0.3)" "$q_r") |
| f | light load, POST → SENT seen by GET, one at a time, after a ${R_LAT_WARM_S:-?} s warm-up (POST then GET until SENT, $LATENCY_WARMUP_CONNECTIONS connections) | p50 ${R_LAT_P50:-n/a} ms, p99 ${R_LAT_P99:-n/a} ms over ${R_LAT_N:-?} emails, polling GET every 1 ms (POST start → sentAt, same clock, no polling: p50 ${R_LAT_RELAYED_P50:-?} ms, p99 ${R_LAT_RELAYED_P99:-?} ms; createdAt → sentAt: p50 ${R_LAT_STORED_P50:-?} ms, p99 ${R_LAT_STORED_P99:-?} ms; the POST alone: p50 ${R_LAT_POST_P50:-?} ms; each GET: p50 ${R_LAT_GET_P50:-?} ms) | | | p50 ≤ 10 ms, p99 ≤ 30 ms | $(verdict f "$(($(le "${R_LAT_P50:-}" 10) & $(le "${R_LAT_P99:-}" 30)))" "${R_LAT_P50:-}" "${R_LAT_P99:-}") |
| g | claim statement from EmailClaims (EXPLAIN ANALYZE, LIMIT $CLAIM_LIMIT, fastest of 11, rolled back) | ${R_CLAIM_SMALL:-n/a} ms at $CLAIM_SMALL due rows, ${R_CLAIM_LARGE:-n/a} ms at $CLAIM_LARGE (${c_ratio}×; medians ${R_CLAIM_SMALL_MED:-?} and ${R_CLAIM_LARGE_MED:-?} ms; buffers hit ${R_CLAIM_SMALL_BUF:-?} and ${R_CLAIM_LARGE_BUF:-?}) | | | 1M within 2× of 10k | $(verdict g "$(le "$c_ratio" 2.0)" "${R_CLAIM_SMALL:-}" "${R_CLAIM_LARGE:-}" "$c_ratio") |

Warm-ups: the load of each phase in slices of ${WARMUP_SLICE_S} s, for at least ${WARMUP_S} s, then until a slice in
which the JIT compilers used at most ${JIT_SETTLED_PCT} % of the JVM's CPU (at most ${WARMUP_MAX_S} s). The pace of
each slice shows how far a freshly started JVM is from its settled pace:

- (c) ${R_E2E_WARM_S:-?} s, last slice ${R_E2E_WARM_JIT:-?} % JIT: ${R_E2E_WARM_PACE:-n/a}
- (d) ${R_BATCH_WARM_S:-?} s, last slice ${R_BATCH_WARM_JIT:-?} % JIT: ${R_BATCH_WARM_PACE:-n/a}
- (e) ${R_DRAIN_WARM_S:-?} s, last slice ${R_DRAIN_WARM_JIT:-?} % JIT: ${R_DRAIN_WARM_PACE:-n/a}
- (f) ${R_LAT_WARM_S:-?} s, last slice ${R_LAT_WARM_JIT:-?} % JIT: ${R_LAT_WARM_PACE:-n/a}

Claim plan at $CLAIM_LARGE due rows (fastest run):

\`\`\`
${R_CLAIM_PLAN:-n/a}
\`\`\`

wrk, measured window:

\`\`\`
$(grep -v '^BENCH' "$WORK/wrk-e2e.txt" 2>/dev/null)
\`\`\`
EOF
}

# ---------------------------------------------------------------- main
# All in a function, so that bash has read the whole file before anything runs.
main() {
  mkdir -p "$WORK" || die "cannot create $WORK"
  cd "$ROOT" || exit 1
  LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
  RUN_DATE=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  COMMIT=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
  [[ -n $(git -C "$ROOT" status --porcelain -- src pom.xml 2>/dev/null) ]] && COMMIT="$COMMIT-dirty"
  RESULT="$BENCH/results/$(date -u +%Y-%m-%d)-$COMMIT.md"
  if selected h && ! selected e; then
    log "(h) runs on the service (e) drains with: running (e) too"
    PHASES="$PHASES,e"
  fi
  if selected e && ! selected d; then
    log "(e) drains the backlog (d) leaves: running (d) too"
    PHASES="$PHASES,d"
  fi
  # A run of some phases only does not replace the full run's report.
  [[ $PHASES != a,b,c,d,e,f,g,h ]] && RESULT="${RESULT%.md}-phases-${PHASES//,/}.md"

  install_packages
  check_ports
  setup_postgres
  jvm_options
  build_jar
  API_KEY=$(new_api_key)
  API_KEY_HASH=$(key_hash "$API_KEY")

  log "phases: $PHASES"
  run_phase a bench_postfix
  run_phase b bench_raw
  start_sink app "$SINK_APP_PORT"
  run_phase c bench_end_to_end
  run_phase f bench_latency
  stop_jar
  run_phase d bench_batch
  run_phase e bench_drain
  run_phase g bench_claim

  mkdir -p "$BENCH/results"
  report | tee "$RESULT"
  log "written to $RESULT"
  exit 0
}

main "$@"
