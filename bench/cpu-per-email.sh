#!/usr/bin/env bash
# CPU time per accepted email: far less sensitive to the machine's load than throughput.
# Starts the jar against the machine's PostgreSQL (database mailroom_cpu, dropped and created) and
# an smtp-sink, warms it up with wrk until the JIT has settled, then prints the JVM's CPU time and
# its request threads' CPU time over a measured wrk run, divided by the emails accepted. Run as
# root, after bench/run.sh has installed wrk and postfix (for smtp-sink) and PostgreSQL is
# running. See "Where the time goes".
#
#   bench/cpu-per-email.sh [jar]               # default: target/mailroom-*.jar
#   PROFILE=1 bench/cpu-per-email.sh           # also an async-profiler CPU profile, collapsed
#                                              # stacks per thread, of the measured run only
#                                              # (loaded with jcmd after the warm-up)
#   PROFILE=whole bench/cpu-per-email.sh       # the same from the JVM's start: startup and the
#                                              # warm-up's interpreted code included
#   BENCH_ASPROF_LIB=/path/libasyncProfiler.so # from tools.profiler:async-profiler's jar
#   PERF=1 bench/cpu-per-email.sh              # also perf record -a -g over the measured run:
#                                              # every process on the machine, PostgreSQL's
#                                              # functions included; prints each one's share
#   BENCH_PROFILE_EVENT=event=alloc,total     # another async-profiler event for PROFILE=1
#   BENCH_LOAD=batch bench/cpu-per-email.sh    # POST /emails/batch of BENCH_BATCH_SIZE (100)
#                                              # from 4 connections with delivery off, as
#                                              # bench/run.sh's (d); the outbox is emptied after
#                                              # each warm-up slice
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=lib/jit.sh
source "$ROOT/bench/lib/jit.sh"
# shellcheck source=lib/batch-body.sh
source "$ROOT/bench/lib/batch-body.sh"
JAR=${1:-$(ls "$ROOT"/target/mailroom-*.jar | grep -v -- -plain.jar | head -1)}
W=${BENCH_WORK:-/var/tmp/mailroom-cpu.$$}
APP=${BENCH_APP_PORT:-18630} MGMT=${BENCH_MGMT_PORT:-18631} SINK=${BENCH_SINK_PORT:-18632}
DBP=${BENCH_PG_PORT:-5432} DB=${BENCH_DB:-mailroom_cpu}
# Warm-up as in bench/run.sh: at least WARM seconds, then on in slices until one in which the JIT
# compilers used at most JIT_SETTLED_PCT % of the JVM's CPU (at most WARM_MAX seconds).
WARM=${BENCH_WARMUP_S:-20} WARM_MAX=${BENCH_WARMUP_MAX_S:-300} SLICE=${BENCH_WARMUP_SLICE_S:-10}
JIT_SETTLED_PCT=${BENCH_JIT_SETTLED_PCT:-5} MEASURE=${BENCH_MEASURE_S:-40}
AP=${BENCH_ASPROF_LIB:-}
LOAD=${BENCH_LOAD:-single} BATCH=${BENCH_BATCH_SIZE:-100} DELIVERY=${BENCH_DELIVERY:-true}
[[ $LOAD == batch ]] && DELIVERY=${BENCH_DELIVERY:-false}
PID="" SINKPID="" PERFPID=""
cleanup() {
  [[ -n $PID ]] && kill "$PID" 2>/dev/null
  for _ in $(seq 40); do [[ -n $PID ]] && kill -0 "$PID" 2>/dev/null || break; sleep 1; done
  [[ -n $PID ]] && kill -9 "$PID" 2>/dev/null
  [[ -n $SINKPID ]] && kill "$SINKPID" 2>/dev/null
  [[ -n $PERFPID ]] && kill "$PERFPID" 2>/dev/null
  [[ -z ${BENCH_KEEP_WORK:-} && -z ${PROFILE:-} && -z ${PERF:-} ]] && rm -rf "$W"
}
trap cleanup EXIT
pg() { (cd / && runuser -u postgres -- "$@"); }
mkdir -p "$W/tmp"
pg psql -p "$DBP" -qAtX -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1
pg psql -p "$DBP" -qAtX -c "DO \$\$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$DB')
  THEN CREATE ROLE $DB LOGIN PASSWORD '$DB'; END IF; END \$\$" >/dev/null || exit 1
pg createdb -p "$DBP" -O "$DB" "$DB" || exit 1
(cd "$W" && timeout 120 java -Djarmode=tools -jar "$JAR" extract --launcher --destination "$W/app" >/dev/null) || exit 1
KEY="mr_$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
HASH=$(printf '%s' "$KEY" | sha256sum | cut -d' ' -f1)
smtp-sink -c -u nobody -h sink.cpu "127.0.0.1:$SINK" 256 >"$W/sink.out" 2>&1 &
SINKPID=$!
AGENT=""
PROFILE_OPTS="${BENCH_PROFILE_EVENT:-event=cpu,interval=1ms},threads"
if [[ ${PROFILE:-} == whole && -n $AP ]]; then
  AGENT="-agentpath:$AP=start,$PROFILE_OPTS,collapsed,file=$W/profile.collapsed"
fi
# The image's JVM options (as bench/run.sh reads them), or BENCH_JAVA_OPTS to compare others.
OPTS=${BENCH_JAVA_OPTS:-$(sed -n 's/^ENV JAVA_TOOL_OPTIONS="\(.*\)"$/\1/p' "$ROOT/Dockerfile" | head -1)}
OPTS=${OPTS//-Djava.io.tmpdir=\/tmp/}
ARENAS=${BENCH_MALLOC_ARENAS-$(sed -n 's/^ENV MALLOC_ARENA_MAX=\([0-9]*\)$/\1/p' "$ROOT/Dockerfile" | head -1)}
(cd "$W/app" && exec env JAVA_TOOL_OPTIONS="$OPTS -XX:MaxRAM=768m -Djava.io.tmpdir=$W/tmp $AGENT" ${ARENAS:+MALLOC_ARENA_MAX=$ARENAS} \
  SPRING_DATASOURCE_URL="jdbc:postgresql://127.0.0.1:$DBP/$DB" SPRING_DATASOURCE_USERNAME=$DB SPRING_DATASOURCE_PASSWORD=$DB \
  SERVER_PORT=$APP MANAGEMENT_SERVER_PORT=$MGMT MAILROOM_EMAIL_DEFAULTFROM="Bench <no-reply@bench.example>" \
  MAILROOM_SMTP_EHLONAME=mailroom.bench.example MAILROOM_SMTP_RELAYS_0_NAME=smtp-sink MAILROOM_SMTP_RELAYS_0_HOST=127.0.0.1 \
  MAILROOM_SMTP_RELAYS_0_PORT=$SINK MAILROOM_SMTP_RELAYS_0_TLSMODE=NONE MAILROOM_DELIVERY_ENABLED=$DELIVERY \
  MAILROOM_APIKEYS_0_NAME=bench MAILROOM_APIKEYS_0_HASH=$HASH MAILROOM_APIKEYS_0_SCOPES=send,read \
  LOGGING_STRUCTURED_FORMAT_CONSOLE=ecs java org.springframework.boot.loader.launch.JarLauncher) >"$W/app.log" 2>&1 &
PID=$!
for _ in $(seq 400); do
  curl -fsS --max-time 2 "http://127.0.0.1:$MGMT/actuator/health/readiness" 2>/dev/null | grep -q UP && break
  kill -0 "$PID" 2>/dev/null || { tail -20 "$W/app.log"; exit 1; }
  sleep 1
done
PER_REQUEST=1
if [[ $LOAD == batch ]]; then
  PER_REQUEST=$BATCH
  batch_body "$BATCH" "$W/batch.json"
  wrk_run() {
    BENCH_API_KEY=$KEY BENCH_BATCH_FILE="$W/batch.json" timeout $(($1 + 120)) wrk -t4 -c4 -d"$1s" \
      --timeout 60s --latency -s "$ROOT/bench/lib/post-batch.lua" "http://127.0.0.1:$APP/emails/batch"
  }
else
  wrk_run() { BENCH_API_KEY=$KEY timeout $(($1 + 60)) wrk -t2 -c32 -d"$1s" --timeout 10s -s "$ROOT/bench/lib/post-email.lua" "http://127.0.0.1:$APP"; }
fi
# The outbox emptied (batch load, delivery off: nothing else would take the rows away).
empty_outbox() { [[ $LOAD == batch ]] && pg psql -p "$DBP" -d "$DB" -qAtX -c "SET client_min_messages = warning; TRUNCATE emails CASCADE" >/dev/null; }
ticks() { awk '{ print $14 + $15 }' "/proc/$PID/stat"; }
# Thread names are cut at 15 characters: the request threads are "http-nio-<port>-".
request_ticks() { cat /proc/"$PID"/task/*/stat 2>/dev/null | awk '/\(http-nio-/ { sub(/^.*\) /, ""); t += $12 + $13 } END { print t + 0 }'; }
dispatcher_ticks() { cat /proc/"$PID"/task/*/stat 2>/dev/null | awk '/\(dispatcher-/ { sub(/^.*\) /, ""); t += $12 + $13 } END { print t + 0 }'; }
# PostgreSQL's processes, backends and background workers alike (the machine's whole cluster).
pg_ticks() { cat /proc/[0-9]*/stat 2>/dev/null | awk '/^[0-9]+ \(postgres\) / { t += $14 + $15 } END { print t + 0 }'; }
# The cluster's write-ahead log so far: bytes and full-page images.
pg_wal() { pg psql -p "$DBP" -qAtX -F' ' -c "SELECT wal_bytes, wal_fpi FROM pg_stat_wal"; }
warm_start=$(date +%s)
while :; do
  j0=$(jit_ticks "$PID") c0=$(ticks)
  wrk_run "$SLICE" >"$W/wrk-warmup.txt" 2>&1
  j1=$(jit_ticks "$PID") c1=$(ticks)
  empty_outbox
  jit=$(jit_percent "$j0" "$j1" "$c0" "$c1")
  warmed=$(($(date +%s) - warm_start))
  ((warmed >= WARM)) && jit_settled "$jit" "$JIT_SETTLED_PCT" && break
  ((warmed >= WARM_MAX)) && break
done
if [[ -n ${PERF:-} ]]; then
  perf record -a -g -F 299 -o "$W/perf.data" -- sleep "$MEASURE" >"$W/perf.log" 2>&1 &
  PERFPID=$!
fi
# jcmd reads an argument with "=" as a name and value of its own: the options go quoted.
profiling() { [[ -n ${PROFILE:-} && ${PROFILE:-} != whole && -n $AP ]]; }
profiling && { timeout 60 jcmd "$PID" JVMTI.agent_load "$AP" "\"start,$PROFILE_OPTS\"" >"$W/profile.log" 2>&1 || cat "$W/profile.log"; }
read -r wb0 wf0 <<<"$(pg_wal)"
c0=$(ticks) r0=$(request_ticks) d0=$(dispatcher_ticks) p0=$(pg_ticks)
wrk_run "$MEASURE" >"$W/wrk.txt" 2>&1
c1=$(ticks) r1=$(request_ticks) d1=$(dispatcher_ticks) p1=$(pg_ticks)
read -r wb1 wf1 <<<"$(pg_wal)"
profiling && { timeout 60 jcmd "$PID" JVMTI.agent_load "$AP" "\"stop,collapsed,file=$W/profile.collapsed\"" >>"$W/profile.log" 2>&1 || cat "$W/profile.log"; }
if [[ -n $PERFPID ]]; then
  timeout 60 tail --pid="$PERFPID" -f /dev/null
  PERFPID=""
fi
hz=$(getconf CLK_TCK)
accepted=$(($(grep -o 'accepted=[0-9]*' "$W/wrk.txt" | cut -d= -f2) * PER_REQUEST))
((accepted > 0)) || { cat "$W/wrk.txt"; exit 1; }
printf 'warmup_s=%d warmup_last_jit_pct=%s\n' "$warmed" "$jit"
printf 'accepted=%d jvm_cpu_ms_per_email=%.2f request_threads_cpu_ms_per_email=%.2f dispatcher_cpu_ms_per_email=%.2f postgres_cpu_ms_per_email=%.2f vm_hwm_mb=%s load=%s\n' "$accepted" \
  "$(awk "BEGIN { print ($c1 - $c0) * 1000 / $hz / $accepted }")" \
  "$(awk "BEGIN { print ($r1 - $r0) * 1000 / $hz / $accepted }")" \
  "$(awk "BEGIN { print ($d1 - $d0) * 1000 / $hz / $accepted }")" \
  "$(awk "BEGIN { print ($p1 - $p0) * 1000 / $hz / $accepted }")" \
  "$(awk '/^VmHWM:/ { printf "%.0f", $2 / 1024 }' "/proc/$PID/status")" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf 'wal_bytes_per_email=%.0f wal_full_page_images_per_email=%.2f\n' \
  "$(awk "BEGIN { print (${wb1:-0} - ${wb0:-0}) / $accepted }")" "$(awk "BEGIN { print (${wf1:-0} - ${wf0:-0}) / $accepted }")"
grep '^BENCH' "$W/wrk.txt"
[[ ${PROFILE:-} == whole ]] && echo "profile (written when the JVM exits): $W/profile.collapsed"
profiling && echo "profile of the measured run: $W/profile.collapsed"
if [[ -n ${PERF:-} && -s $W/perf.data ]]; then
  # Threads of one pool together (http-nio-18630-, dispatcher-3 → dispatcher-).
  echo "share of the machine's CPU by process or thread pool (perf, $W/perf.data):"
  perf report -i "$W/perf.data" --no-children --sort comm --stdio -g none 2>/dev/null |
    awk '/^ *[0-9.]+%/ { sub(/%/, "", $1); name = $2; for (i = 3; i <= NF; i++) name = name " " $i
      sub(/[0-9]+$/, "", name); share[name] += $1 }
      END { for (n in share) if (share[n] >= 0.5) printf "%6.1f%%  %s\n", share[n], n }' | sort -rn
fi
