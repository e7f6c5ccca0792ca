# Shell helpers shared by scripts/acceptance-postfix.sh and bench/run.sh: a private Postfix
# instance, smtp-sinks, Debian packages, PostgreSQL, and the service started from its jar as the
# image starts it. Sourced, not run.
#
# The sourcing script defines die (each reports a fatal error its own way) and these variables:
#   WORK                       its work directory
#   ROOT                       the checkout
#   DB_HOST DB_PORT DB_NAME DB_USER DB_PASSWORD
#   APP_PORT MGMT_PORT         the service's ports
#   POSTFIX_PORT POSTFIX_CONF  the Postfix instance's smtpd port and configuration directory
#   STARTED_PG POSTFIX_RUNNING JAR_PID SINK_PIDS    what it started, for stop_started
# shellcheck shell=bash

log() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

as_postgres() { (cd / && runuser -u postgres -- "$@"); }

# ---------------------------------------------------------------- packages and ports
# apt_install <package...>: installs the missing packages from Debian's archive (none: nothing).
apt_install() {
  (($# == 0)) && return 0
  [[ $(id -u) == 0 ]] || die "missing $*: run as root, or install them first"
  log "installing $* from Debian packages"
  # Postfix: no system mail configuration; the scripts run an instance of their own.
  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
  export DEBIAN_FRONTEND=noninteractive
  timeout 300 apt-get update -q >/dev/null || log "apt-get update failed; trying the install anyway"
  timeout 600 apt-get install -y -q --no-install-recommends "$@" >"$WORK/apt.log" 2>&1 ||
    die "apt-get install $* failed; see $WORK/apt.log"
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# require_free_ports <variable prefix> <port...>: dies naming the first port in use.
require_free_ports() {
  local prefix=$1 p
  shift
  for p in "$@"; do
    port_free "$p" || die "port $p is in use; set ${prefix}_*_PORT"
  done
}

wait_for_port() { # port seconds
  local i
  for i in $(seq $(($2 * 10))); do port_free "$1" || return 0; sleep 0.1; done
  return 1
}

# ---------------------------------------------------------------- PostgreSQL
# The first local cluster (created, or started, when needed) and the login role DB_USER; sets
# DB_PORT and PG_VERSION, and STARTED_PG when it started the cluster.
setup_postgres() {
  local line ver cluster port status
  line=$(pg_lsclusters -h 2>/dev/null | head -1)
  if [[ -z $line ]]; then
    ver=$(ls /usr/lib/postgresql | sort -n | tail -1)
    log "creating PostgreSQL cluster $ver/main"
    timeout 120 pg_createcluster "$ver" main >/dev/null || die "pg_createcluster failed"
    line=$(pg_lsclusters -h | head -1)
  fi
  read -r ver cluster port status _ <<<"$line"
  if [[ $status != online* ]]; then
    log "starting PostgreSQL $ver/$cluster"
    timeout 120 pg_ctlcluster "$ver" "$cluster" start || die "PostgreSQL $ver/$cluster did not start"
    STARTED_PG="$ver $cluster"
  fi
  DB_PORT=$port
  PG_VERSION=$ver
  local i
  for i in $(seq 60); do as_postgres pg_isready -q -p "$DB_PORT" && break; sleep 1; done
  as_postgres psql -p "$DB_PORT" -qAtX -v ON_ERROR_STOP=1 >/dev/null <<SQL || die "creating role $DB_USER failed"
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$DB_USER') THEN
    CREATE ROLE $DB_USER LOGIN PASSWORD '$DB_PASSWORD';
  END IF;
END \$\$;
SQL
}

fresh_db() {
  as_postgres dropdb --if-exists -p "$DB_PORT" "$DB_NAME" >/dev/null 2>&1
  as_postgres createdb -p "$DB_PORT" -O "$DB_USER" "$DB_NAME" || die "createdb $DB_NAME failed"
}

# sql <psql arguments...>: as DB_USER on DB_NAME, bounded by SQL_TIMEOUT seconds.
sql() {
  PGPASSWORD=$DB_PASSWORD PGOPTIONS="-c client_min_messages=warning" timeout "${SQL_TIMEOUT:-120}" psql -h "$DB_HOST" -p "$DB_PORT" \
    -U "$DB_USER" -d "$DB_NAME" -qAtX -v ON_ERROR_STOP=1 "$@"
}

# ---------------------------------------------------------------- smtp-sink and Postfix
# start_smtp_sink <output file> <smtp-sink arguments...>: in the background, stopped by stop_started.
start_smtp_sink() {
  local out=$1
  shift
  smtp-sink "$@" >"$out" 2>&1 &
  SINK_PIDS+=($!)
}

# write_postfix_config <myhostname> <relayhost port> <comment>: master.cf and main.cf of a relay of
# its own under $WORK/postfix: the stock services without chroot, smtpd on POSTFIX_PORT only, mail
# from loopback relayed to 127.0.0.1:<relayhost port>. Lines on stdin are added to main.cf.
write_postfix_config() {
  local d="$WORK/postfix"
  mkdir -p "$d/etc" "$d/spool" "$d/data"
  chown postfix "$d/data"
  awk -v listen="127.0.0.1:$POSTFIX_PORT" \
    '/^[a-z0-9]/ && NF >= 8 { $5 = "n"; if ($1 == "smtp" && $2 == "inet") $1 = listen } { print }' \
    /etc/postfix/master.cf >"$d/etc/master.cf"
  {
    printf '%s\n' "$3" | sed 's/^/# /'
    cat <<EOF
compatibility_level = 3.6
queue_directory = $d/spool
data_directory = $d/data
mail_owner = postfix
setgid_group = postdrop
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
myhostname = $1
mydestination =
local_recipient_maps =
relay_domains =
alias_maps =
alias_database =
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject
relayhost = [127.0.0.1]:$2
smtp_dns_support_level = disabled
EOF
    cat
  } >"$d/etc/main.cf"
}

# Starts the instance written by write_postfix_config; fails when postfix start does.
start_postfix_instance() {
  timeout 60 postfix -c "$POSTFIX_CONF" check >"$WORK/postfix-check.log" 2>&1 || true
  timeout 60 postfix -c "$POSTFIX_CONF" start >"$WORK/postfix-start.log" 2>&1 || return 1
  POSTFIX_RUNNING=1
}

stop_postfix() {
  [[ -n $POSTFIX_RUNNING ]] || return 0
  timeout 30 postfix -c "$POSTFIX_CONF" stop >/dev/null 2>&1 || true
  POSTFIX_RUNNING=""
}

# ---------------------------------------------------------------- the service
# extract_jar <skip build>: builds the jar unless told to skip, then extracts it to $WORK/app, the
# layout the image starts with JarLauncher. Sets JAR.
extract_jar() {
  if [[ -z $1 ]]; then
    log "building the jar (./mvnw -B -q -DskipTests package)"
    (cd "$ROOT" && timeout 900 ./mvnw -B -q -DskipTests -Dspotless.check.skip=true package) >"$WORK/build.log" 2>&1 ||
      die "build failed; see $WORK/build.log"
  fi
  JAR=$(ls "$ROOT"/target/mailroom-*.jar 2>/dev/null | grep -v -- '-plain.jar' | head -1)
  [[ -n $JAR ]] || die "no target/mailroom-*.jar"
  rm -rf "$WORK/app"
  (cd "$WORK" && timeout 120 java -Djarmode=tools -jar "$JAR" extract --launcher --destination "$WORK/app") \
    >"$WORK/extract.log" 2>&1 || die "extracting the jar failed; see $WORK/extract.log"
}

# The Dockerfile's JAVA_TOOL_OPTIONS, with the temporary directory under $WORK (empty: none there).
image_java_options() {
  local opts
  opts=$(sed -n 's/^ENV JAVA_TOOL_OPTIONS="\(.*\)"$/\1/p' "$ROOT/Dockerfile" | head -1)
  printf '%s' "${opts//-Djava.io.tmpdir=\/tmp/-Djava.io.tmpdir=$WORK/tmp}"
}

# launch_jar <log name> <relay port> <NAME=value...>: starts the extracted service with the
# production configuration (environment variables) on APP_PORT and MGMT_PORT, the database, and
# one relay on 127.0.0.1 without TLS, plus the given variables; waits until it is ready (bounded).
launch_jar() {
  local logfile="$WORK/mailroom-$1.log" relay_port=$2
  shift 2
  mkdir -p "$WORK/tmp"
  (
    cd "$WORK/app" &&
      exec env JAVA_TOOL_OPTIONS="$JVM_OPTS" \
        SPRING_DATASOURCE_URL="jdbc:postgresql://$DB_HOST:$DB_PORT/$DB_NAME" \
        SPRING_DATASOURCE_USERNAME="$DB_USER" SPRING_DATASOURCE_PASSWORD="$DB_PASSWORD" \
        SERVER_PORT="$APP_PORT" MANAGEMENT_SERVER_PORT="$MGMT_PORT" \
        MAILROOM_SMTP_RELAYS_0_HOST=127.0.0.1 MAILROOM_SMTP_RELAYS_0_PORT="$relay_port" \
        MAILROOM_SMTP_RELAYS_0_TLSMODE=NONE \
        LOGGING_STRUCTURED_FORMAT_CONSOLE=ecs \
        "$@" \
        java org.springframework.boot.loader.launch.JarLauncher
  ) >>"$logfile" 2>&1 &
  JAR_PID=$!
  local i
  for i in $(seq 300); do
    if ! kill -0 "$JAR_PID" 2>/dev/null; then
      tail -30 "$logfile" >&2
      JAR_PID=""
      return 1
    fi
    curl -fsS --max-time 2 "http://127.0.0.1:$MGMT_PORT/actuator/health/readiness" 2>/dev/null | grep -q UP && return 0
    sleep 1
  done
  log "Mailroom did not become ready in 300 s; see $logfile"
  return 1
}

stop_jar() {
  [[ -n $JAR_PID ]] || return 0
  kill "$JAR_PID" 2>/dev/null
  local i
  for i in $(seq 60); do kill -0 "$JAR_PID" 2>/dev/null || break; sleep 1; done
  kill -9 "$JAR_PID" 2>/dev/null
  JAR_PID=""
}

# A key as the service's clients hold it: mr_ and 32 random bytes, base64url.
new_api_key() { printf 'mr_%s' "$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"; }
key_hash() { printf '%s' "$1" | sha256sum | cut -d' ' -f1; }

# ---------------------------------------------------------------- cleanup
# stop_started <keep database>: stops what the script started (the service, Postfix, the sinks,
# PostgreSQL when it was not running before) and drops the database unless told to keep it.
stop_started() {
  stop_jar
  stop_postfix
  local pid
  for pid in "${SINK_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  if [[ -n $DB_PORT && -z $1 ]]; then
    as_postgres dropdb --if-exists -p "$DB_PORT" "$DB_NAME" >/dev/null 2>&1 || true
  fi
  if [[ -n $STARTED_PG ]]; then
    log "stopping PostgreSQL $STARTED_PG (it was not running before)"
    # shellcheck disable=SC2086
    timeout 60 pg_ctlcluster $STARTED_PG stop >/dev/null 2>&1 || true
  fi
}
