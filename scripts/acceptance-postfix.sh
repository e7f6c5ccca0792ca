#!/usr/bin/env bash
# Acceptance of sender domains (DKIM) and of bounces, suppressions and webhooks with a real Postfix
# as the relay, a real DNS server and an independent DKIM verifier. See "Acceptance with a real
# Postfix" in the README. Run as root on Debian: it installs postfix, dnsmasq-base, python3-dkim,
# python3-nacl, python3-dnspython, curl, jq and PostgreSQL from Debian packages when missing.
# Not part of ./mvnw verify.
#
#   scripts/acceptance-postfix.sh                        # builds the jar, then checks
#   ACCEPT_SKIP_BUILD=1 scripts/acceptance-postfix.sh    # reuse target/mailroom-*.jar
#
# Prints PASS or FAIL for every check and exits non-zero when any check fails. Everything it starts
# (a Postfix instance of its own under its work directory, smtp-sinks, dnsmasq, a webhook receiver,
# the service) listens on loopback ports of its own and is stopped on exit; its database is dropped.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LIB="$ROOT/scripts/lib"
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
WORK=${ACCEPT_WORK:-/var/tmp/mailroom-accept.$$}
PY=/usr/bin/python3 # Debian's, which has the python3-* packages

POSTFIX_PORT=${ACCEPT_POSTFIX_PORT:-12625}
SINK_PORT=${ACCEPT_SINK_PORT:-12626}
REJECT_PORT=${ACCEPT_REJECT_PORT:-12627}
INBOUND_PORT=${ACCEPT_INBOUND_PORT:-12628}
DNS_PORT=${ACCEPT_DNS_PORT:-12653}
HOOK_PORT=${ACCEPT_HOOK_PORT:-18590}
APP_PORT=${ACCEPT_APP_PORT:-18580}
MGMT_PORT=${ACCEPT_MGMT_PORT:-18581}
KILL_EMAILS=${ACCEPT_KILL_EMAILS:-200}

DB_NAME=${ACCEPT_DB:-mailroom_accept}
DB_USER=${ACCEPT_DB_USER:-mailroom_accept}
DB_PASSWORD=${ACCEPT_DB_PASSWORD:-mailroom_accept}
DB_HOST=127.0.0.1
DB_PORT=
SQL_TIMEOUT=60

DOMAIN=acme.test
BOUNCE_DOMAIN=bounces.acme.test
INBOUND_HOST=mx.acme.test
FROM="Someone <someone@acme.test>"

STARTED_PG=""
POSTFIX_CONF="$WORK/postfix/etc"
POSTFIX_RUNNING=""
JAR_PID=""
DNS_PID=""
HOOK_PID=""
SINK_PIDS=()
PASSED=0
FAILED=0
FAILURES=()

die() {
  log "FATAL: $*"
  fail "setup: $*"
  summary
  exit 1
}
pass() {
  PASSED=$((PASSED + 1))
  printf 'PASS  %s\n' "$1"
}
fail() {
  FAILED=$((FAILED + 1))
  FAILURES+=("$1")
  printf 'FAIL  %s%s\n' "$1" "${2:+ ($2)}"
}
# check <description> <command...>: PASS when the command succeeds.
check() {
  local what=$1
  shift
  if "$@"; then pass "$what"; else fail "$what"; fi
}
info() { # each line of each argument, indented
  local a line
  for a in "$@"; do while IFS= read -r line; do printf '      %s\n' "$line"; done <<<"$a"; done
}
summary() {
  printf '\n%d passed, %d failed\n' "$PASSED" "$FAILED"
  local f
  for f in "${FAILURES[@]}"; do printf '  failed: %s\n' "$f"; done
}

# ---------------------------------------------------------------- cleanup, even on failure
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  [[ -n $HOOK_PID ]] && kill "$HOOK_PID" 2>/dev/null
  [[ -n $DNS_PID ]] && kill "$DNS_PID" 2>/dev/null
  stop_started "${ACCEPT_KEEP_DB:-}"
  if [[ -z ${ACCEPT_KEEP_WORK:-} ]]; then rm -rf "$WORK"; else log "work directory kept: $WORK"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- prerequisites
install_packages() {
  local missing=()
  command -v smtp-sink >/dev/null && command -v postfix >/dev/null || missing+=(postfix)
  command -v dnsmasq >/dev/null || missing+=(dnsmasq-base) # the server alone, no system service
  [[ -x $PY ]] || missing+=(python3)
  $PY -c 'import dkim' 2>/dev/null || missing+=(python3-dkim)
  $PY -c 'import nacl' 2>/dev/null || missing+=(python3-nacl) # dkimpy's Ed25519
  $PY -c 'import dns.resolver' 2>/dev/null || missing+=(python3-dnspython)
  command -v jq >/dev/null || missing+=(jq)
  command -v curl >/dev/null || missing+=(curl)
  command -v pg_lsclusters >/dev/null || missing+=(postgresql)
  apt_install "${missing[@]}"
}

# wait_until <seconds> <command...>: runs the command every half second until it succeeds.
wait_until() {
  local deadline=$((SECONDS + $1))
  shift
  while ((SECONDS < deadline)); do
    "$@" && return 0
    sleep 0.5
  done
  "$@"
}

check_ports() {
  require_free_ports ACCEPT "$POSTFIX_PORT" "$SINK_PORT" "$REJECT_PORT" "$INBOUND_PORT" "$HOOK_PORT" "$APP_PORT" "$MGMT_PORT"
  # DNS is UDP: a server there would answer instead of ours.
  if ss -Hlun "sport = :$DNS_PORT" 2>/dev/null | grep -q .; then die "UDP port $DNS_PORT is in use; set ACCEPT_DNS_PORT"; fi
}

build_jar() {
  extract_jar "${ACCEPT_SKIP_BUILD:-}"
  JVM_OPTS=$(image_java_options)
  JVM_OPTS="${JVM_OPTS:--XX:+ExitOnOutOfMemoryError} -XX:MaxRAM=768m"
}

# ---------------------------------------------------------------- SMTP sinks, Postfix, DNS
start_sinks() {
  mkdir -p "$WORK/dump"
  chown nobody "$WORK/dump"
  # Every message Postfix relays to the internet (its relayhost) lands here, one file each, with
  # the sink's envelope lines (X-Rcpt-Args, ...) before the message as received.
  start_smtp_sink "$WORK/sink.log" -u nobody -h sink.test -d "$WORK/dump/%H%M%S." "127.0.0.1:$SINK_PORT" 64
  # The next hop of reject.test: a hard 5xx to every RCPT, after Postfix accepted the message.
  start_smtp_sink "$WORK/sink-reject.log" -u nobody -h reject.test -f RCPT "127.0.0.1:$REJECT_PORT" 64
  wait_for_port "$SINK_PORT" 10 && wait_for_port "$REJECT_PORT" 10 || die "smtp-sink did not start"
}

start_postfix() {
  local d="$WORK/postfix"
  write_postfix_config postfix.acme.test "$SINK_PORT" "A relay of its own: mail from loopback is queued, then relayed to smtp-sink, except the domains
of transport_maps. Bounce and notice settings are Postfix's defaults, so DSNs are its own." <<EOF
smtpd_recipient_restrictions = check_recipient_access texthash:$d/etc/recipient_access
transport_maps = texthash:$d/etc/transport
maillog_file = $d/maillog
maillog_file_prefixes = $d
EOF
  cat >"$d/etc/transport" <<EOF
$BOUNCE_DOMAIN smtp:[127.0.0.1]:$INBOUND_PORT
reject.test smtp:[127.0.0.1]:$REJECT_PORT
EOF
  cat >"$d/etc/recipient_access" <<EOF
later@defer.test 450 4.2.1 Mailbox busy, try again later
nobody@gone.test 550 5.1.1 User unknown
EOF
  start_postfix_instance || die "Postfix did not start; see $WORK/postfix-start.log"
  wait_for_port "$POSTFIX_PORT" 20 || die "Postfix smtpd is not listening on $POSTFIX_PORT"
}

maillog() { cat "$WORK/postfix/maillog" 2>/dev/null; }

# dnsmasq answers only from $WORK/dns.conf (no system files, no upstream), for the .test names.
start_dns() {
  [[ -n $DNS_PID ]] && { kill "$DNS_PID" 2>/dev/null; wait "$DNS_PID" 2>/dev/null; DNS_PID=""; }
  [[ -f $WORK/dns.conf ]] || : >"$WORK/dns.conf"
  dnsmasq --keep-in-foreground --conf-file="$WORK/dns.conf" --no-resolv --no-hosts --no-poll \
    --listen-address=127.0.0.1 --bind-interfaces --port="$DNS_PORT" --local=/test/ --user=nobody \
    --pid-file="$WORK/dnsmasq.pid" --log-queries --log-facility=- >>"$WORK/dnsmasq.log" 2>&1 &
  DNS_PID=$!
  wait_until 10 dig_txt probe.acme.test >/dev/null 2>&1 || die "dnsmasq did not answer on $DNS_PORT"
}

# TXT strings of a name, as dnsmasq answers them (an independent client: dnspython).
dig_txt() {
  $PY - "$DNS_PORT" "$1" <<'PY'
import sys, dns.resolver
r = dns.resolver.Resolver(configure=False); r.nameservers = ["127.0.0.1"]; r.port = int(sys.argv[1])
try:
    for rr in r.resolve(sys.argv[2], "TXT", lifetime=2):
        print(b"".join(rr.strings).decode())
except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
    pass
except Exception as e:
    sys.exit(f"no answer: {e}")
PY
}

# ---------------------------------------------------------------- the webhook receiver
start_receiver() { # delay-ms
  [[ -n $HOOK_PID ]] && { kill "$HOOK_PID" 2>/dev/null; wait "$HOOK_PID" 2>/dev/null; HOOK_PID=""; }
  mkdir -p "$WORK/hooks"
  $PY "$LIB/webhook-receiver.py" "$HOOK_PORT" "$WORK/hooks" "$WORK/hooks/received.jsonl" "${1:-0}" \
    >>"$WORK/hooks/receiver.log" 2>&1 &
  HOOK_PID=$!
  wait_for_port "$HOOK_PORT" 10 || die "the webhook receiver did not start"
}

received() { cat "$WORK/hooks/received.jsonl" 2>/dev/null; }

# received_event <type> <emailId>: a verified delivery of that event to endpoint /a.
received_event() {
  received | jq -e -s --arg t "$1" --arg e "$2" \
    'any(.[]; .path == "/a" and .type == $t and .emailId == $e and .verified)' >/dev/null
}

# ---------------------------------------------------------------- the service
start_jar() { # log-name
  log "starting Mailroom ($1)"
  launch_jar "$1" "$POSTFIX_PORT" \
    MAILROOM_EMAIL_DEFAULTFROM="Acme <no-reply@acme.test>" \
    MAILROOM_SMTP_EHLONAME=mailroom.acme.test MAILROOM_SMTP_RELAYS_0_NAME=postfix \
    MAILROOM_DOMAINS_ENCRYPTIONKEY="$ENCRYPTION_KEY" \
    MAILROOM_DOMAINS_DNSRESOLVER="127.0.0.1:$DNS_PORT" \
    MAILROOM_DOMAINS_INBOUNDHOST="$INBOUND_HOST" \
    MAILROOM_DOMAINS_SPFINCLUDE=ip4:127.0.0.1 \
    MAILROOM_BOUNCES_DOMAIN="$BOUNCE_DOMAIN" MAILROOM_BOUNCES_SECRET="$BOUNCE_SECRET" \
    MAILROOM_INBOUND_PORT="$INBOUND_PORT" MAILROOM_INBOUND_BINDADDRESS=127.0.0.1 \
    MAILROOM_INBOUND_HOSTNAME="$INBOUND_HOST" \
    MAILROOM_WEBHOOKS_ALLOWPRIVATENETWORKS=true \
    MAILROOM_DELIVERY_LEASEDURATION=15s MAILROOM_WEBHOOKS_LEASEDURATION=15s \
    MAILROOM_APIKEYS_0_NAME=acme-app MAILROOM_APIKEYS_0_PROJECT=acme MAILROOM_APIKEYS_0_HASH="$KEY_A_HASH" \
    MAILROOM_APIKEYS_0_SCOPES=send,read,domains,webhooks,suppressions \
    MAILROOM_APIKEYS_1_NAME=other-app MAILROOM_APIKEYS_1_PROJECT=other MAILROOM_APIKEYS_1_HASH="$KEY_B_HASH" \
    MAILROOM_APIKEYS_1_SCOPES=send,read,domains,webhooks,suppressions
}

# api <method> <path> [json body] [key]: prints the HTTP status; the body is in $WORK/resp.json.
api() {
  local args=(-s -o "$WORK/resp.json" -w '%{http_code}' --max-time 30 -X "$1" -H "Authorization: Bearer ${4:-$KEY_A}")
  [[ -n ${3:-} ]] && args+=(-H 'Content-Type: application/json' --data-binary "$3")
  curl "${args[@]}" "http://127.0.0.1:$APP_PORT$2"
}
resp() { cat "$WORK/resp.json"; }

# send <to> <subject>: POST /emails from $FROM; prints the id (the 202 body is in $WORK/resp.json).
send() {
  local body code
  body=$(jq -nc --arg from "$FROM" --arg to "$1" --arg s "$2" \
    '{from: $from, to: [$to], subject: $s, text: "Hello,\n\nthis is \($s).\n\n-- \nAcme",
      html: "<p>Hello,</p><p>this is \($s).</p>"}')
  code=$(api POST /emails "$body")
  [[ $code == 202 ]] || { log "POST /emails to $1: $code $(resp)"; return 1; }
  jq -r .id "$WORK/resp.json"
}

email_json() { api GET "/emails/$1" >/dev/null && resp; }
email_status() { email_json "$1" | jq -r .status; }
recipient_status() { email_json "$1" | jq -r --arg a "$2" '.recipients[] | select(.email == $a) | .status'; }
has_status() { [[ $(email_status "$1") == "$2" ]]; }
recipient_has() { [[ $(recipient_status "$1" "$2") == "$3" ]]; }

# ---------------------------------------------------------------- issue 11: DKIM
check_dkim() {
  printf '\n== Sender domain %s and DKIM (issue 11)\n' "$DOMAIN"
  local code
  code=$(api POST /domains "{\"name\": \"$DOMAIN\", \"algorithms\": [\"rsa-sha256\", \"ed25519-sha256\"]}")
  if [[ $code == 201 ]]; then pass "POST /domains $DOMAIN with rsa-sha256 and ed25519-sha256: 201"; else
    fail "POST /domains $DOMAIN" "$code $(resp)"
    return
  fi
  resp >"$WORK/domain.json"
  info "keys: $(jq -c '[.keys[] | {selector, algorithm, state}]' "$WORK/domain.json")"
  info "records to publish:"
  jq -r '.records[] | "  \(.purpose) \(.type) \(.name) \(.value | if length > 70 then .[0:70] + "…" else . end) [\(.state)]"' \
    "$WORK/domain.json" | while read -r l; do info "$l"; done
  if jq -e '[.records[] | .value] | any(test("PRIVATE"; "i"))' "$WORK/domain.json" >/dev/null ||
    grep -q -i 'private' <(jq -c '.keys' "$WORK/domain.json"); then
    fail "the answer holds no private key"
  else pass "the answer holds no private key"; fi

  # Publish every record the answer lists, as a DNS provider would (TXT strings of at most 255).
  jq -r '.records[] | [.type, .name, .value] | @tsv' "$WORK/domain.json" | while IFS=$'\t' read -r type name value; do
    case $type in
    TXT)
      local chunks="" i
      for ((i = 0; i < ${#value}; i += 255)); do chunks+=",\"${value:i:255}\""; done
      echo "txt-record=$name$chunks"
      ;;
    MX)
      read -r pref target <<<"$value"
      echo "mx-host=$name,${target%.},$pref"
      ;;
    esac
  done >"$WORK/dns.conf"
  start_dns
  local dkim_name
  dkim_name=$(jq -r '[.records[] | select(.purpose == "dkim")][0].name' "$WORK/domain.json")
  info "dnsmasq now answers TXT $dkim_name: $(dig_txt "$dkim_name" | cut -c1-60)…"

  code=$(api POST "/domains/$DOMAIN/verify")
  resp >"$WORK/verified.json"
  info "POST /domains/$DOMAIN/verify: $code, domain $(jq -r .state "$WORK/verified.json")"
  jq -r '.records[] | "  \(.purpose) \(.type) \(.name): \(.state)\(if .found then " found " + .found else "" end)"' \
    "$WORK/verified.json" | while read -r l; do info "$l"; done
  if [[ $code == 200 ]] && jq -e '(.records | length > 0) and all(.records[]; .state == "verified") and .state == "verified"' \
    "$WORK/verified.json" >/dev/null; then
    pass "every record verified once published in dnsmasq"
  else fail "every record verified once published in dnsmasq" "$code"; fi

  local rcpt="dkim-$RUN@inbox.test" id file
  id=$(send "$rcpt" "DKIM check $RUN") || { fail "POST /emails from $FROM"; return; }
  if wait_until 60 has_status "$id" SENT; then pass "email from $FROM is SENT through Postfix"; else
    fail "email from $FROM is SENT through Postfix" "status $(email_status "$id")"
    return
  fi
  find_dump() { file=$(grep -l -F "X-Rcpt-Args: <$rcpt>" "$WORK"/dump/* 2>/dev/null | head -1); [[ -n $file ]]; }
  if wait_until 30 find_dump; then pass "the message reached the sink behind Postfix"; else
    fail "the message reached the sink behind Postfix"
    return
  fi
  cp "$file" "$WORK/dkim-message.eml"
  if grep -q 'by postfix.acme.test (Postfix)' "$file"; then pass "it carries Postfix's Received header"; else
    fail "it carries Postfix's Received header"
  fi
  info "signature headers as received:"
  grep -A3 '^DKIM-Signature:' "$file" | cut -c1-100 | while read -r l; do info "  $l"; done

  local out rc
  out=$($PY "$LIB/dkim-verify.py" 127.0.0.1 "$DNS_PORT" "$file" as-is 2>&1)
  rc=$?
  info "$out"
  if [[ $rc == 0 ]] && [[ $(grep -c ': pass$' <<<"$out") == 2 ]]; then
    pass "dkimpy verifies both signatures (rsa-sha256, ed25519-sha256) with the keys published in dnsmasq"
  else fail "dkimpy verifies both signatures with the published keys" "exit $rc"; fi
  out=$($PY "$LIB/dkim-verify.py" 127.0.0.1 "$DNS_PORT" "$file" body 2>&1)
  rc=$?
  info "$out"
  if [[ $rc == 1 ]] && ! grep -q ': pass$' <<<"$out"; then pass "one byte of the body changed: every signature fails"; else
    fail "one byte of the body changed: every signature fails" "exit $rc"
  fi
  out=$($PY "$LIB/dkim-verify.py" 127.0.0.1 "$DNS_PORT" "$file" subject 2>&1)
  rc=$?
  info "$out"
  if [[ $rc == 1 ]] && ! grep -q ': pass$' <<<"$out"; then pass "the Subject changed: every signature fails"; else
    fail "the Subject changed: every signature fails" "exit $rc"
  fi
}

# ---------------------------------------------------------------- issue 12: bounces and webhooks
check_bounces() {
  printf '\n== Bounces through Postfix, suppressions and webhooks (issue 12)\n'
  local code
  code=$(api POST /webhooks "{\"url\": \"http://127.0.0.1:$HOOK_PORT/a\", \"description\": \"acceptance\"}")
  if [[ $code == 201 ]] && jq -r .secret "$WORK/resp.json" | grep -q '^whsec_'; then
    pass "POST /webhooks: 201 with a whsec_ secret"
  else
    fail "POST /webhooks" "$code $(resp)"
    return
  fi
  jq -r .secret "$WORK/resp.json" >"$WORK/hooks/a.secret"
  HOOK_A=$(jq -r .id "$WORK/resp.json")

  # A recipient whose next hop refuses it after Postfix took the message: Postfix's own DSN.
  local e1 before after
  e1=$(send user@reject.test "a message for reject.test $RUN") || { fail "POST /emails to user@reject.test"; return; }
  E1=$e1
  if wait_until 90 recipient_has "$e1" user@reject.test BOUNCED; then
    pass "user@reject.test turns BOUNCED once Postfix's DSN reaches the inbound listener"
  else
    fail "user@reject.test turns BOUNCED" "$(recipient_status "$e1" user@reject.test)"
    info "Postfix: $(maillog | grep -F 'user@reject.test' | tail -3)"
    info "inbound: $(sql -c "SELECT outcome, left(detail, 200) FROM inbound_messages ORDER BY received_at DESC LIMIT 3" 2>&1)"
  fi
  email_json "$e1" >"$WORK/e1.json"
  info "GET /emails/$e1: status $(jq -r .status "$WORK/e1.json"), recipient $(jq -c '.recipients[0] | {email, status, bounce}' "$WORK/e1.json")"
  local said
  said=$(maillog | grep -F 'to=<user@reject.test>' | grep -o 'said: [^)]*' | head -1 | sed 's/^said: //; s/ (in reply to.*//')
  info "Postfix's log: the next hop said: $said"
  info "Postfix's DSN to the listener: $(maillog | grep -F "@$BOUNCE_DOMAIN>" | grep -F 'relay=127.0.0.1' | grep -o 'status=.*' | tail -1)"
  info "the listener recorded it as: $(sql -F ' ' -c "SELECT CASE envelope_from WHEN '' THEN 'from <>,' ELSE 'from ' || envelope_from || ',' END,
                                                            'format', format, 'outcome', outcome, 'kind', kind FROM inbound_messages
                                                     WHERE email_id = '$e1' ORDER BY id LIMIT 1")"
  if [[ $(sql -c "SELECT format || ' ' || outcome FROM inbound_messages WHERE email_id = '$e1' ORDER BY id LIMIT 1") == "DSN MATCHED" ]]; then
    pass "Postfix's DSN is read as an RFC 3464 report and matched by its VERP token"
  else fail "Postfix's DSN is read as an RFC 3464 report and matched"; fi
  if jq -e --arg said "${said%% (in reply*}" '.recipients[0].bounce as $b | $b.kind == "HARD" and ($b.status | test("^5\\.")) and
      ($b.diagnostic | contains($said[0:20]))' "$WORK/e1.json" >/dev/null 2>&1; then
    pass "GET /emails/{id} shows the bounce with Postfix's status code and diagnostic"
  else fail "GET /emails/{id} shows the bounce with Postfix's status code and diagnostic"; fi
  [[ $(jq -r .status "$WORK/e1.json") == SENT ]] && pass "the email itself stays SENT" || fail "the email itself stays SENT"

  code=$(api GET /suppressions/user@reject.test)
  info "GET /suppressions/user@reject.test: $code $(resp | jq -c '{address, reason, emailId}' 2>/dev/null)"
  if [[ $code == 200 ]] && jq -e --arg e "$e1" '.reason == "HARD_BOUNCE" and .emailId == $e' "$WORK/resp.json" >/dev/null; then
    pass "user@reject.test is suppressed (HARD_BOUNCE, caused by that email)"
  else fail "user@reject.test is suppressed"; fi
  check "the receiver got a verified email.bounced for it" wait_until 60 received_event email.bounced "$e1"
  received | jq -c --arg e "$e1" 'select(.emailId == $e and .type == "email.bounced")' | head -1 | while read -r l; do info "$l"; done

  before=$(maillog | grep -c -F 'to=<user@reject.test>')
  local dumps_before
  dumps_before=$(grep -l -F 'user@reject.test' "$WORK"/dump/* 2>/dev/null | wc -l)
  local e2
  e2=$(send user@reject.test "a second message for reject.test $RUN")
  resp >"$WORK/e2-202.json"
  info "202 body of the next email to user@reject.test: $(jq -c . "$WORK/e2-202.json")"
  if jq -e '.status == "FAILED" and .failureReason == "SUPPRESSED"' "$WORK/e2-202.json" >/dev/null &&
    [[ $(recipient_status "$e2" user@reject.test) == SUPPRESSED ]]; then
    pass "the next email to user@reject.test is FAILED/SUPPRESSED at intake"
  else fail "the next email to user@reject.test is FAILED/SUPPRESSED at intake"; fi
  check "the receiver got a verified email.suppressed for it" wait_until 60 received_event email.suppressed "$e2"
  sleep 3
  after=$(maillog | grep -c -F 'to=<user@reject.test>')
  if [[ $before == "$after" && $(grep -l -F 'user@reject.test' "$WORK"/dump/* 2>/dev/null | wc -l) == "$dumps_before" &&
    $(email_json "$e2" | jq '.attempts | length') == 0 ]]; then
    pass "nothing reached Postfix or a sink for it (no attempt; Postfix's log lines for the address: $before before, $after after)"
  else fail "nothing reached Postfix or a sink for it" "log lines $before -> $after"; fi

  local e3 e4 e5 e6
  e3=$(send later@defer.test "a message for defer.test $RUN")
  if wait_until 60 has_status "$e3" DEFERRED; then pass "later@defer.test (450 4.2.1 at RCPT in Postfix): DEFERRED"; else
    fail "later@defer.test: DEFERRED" "$(email_status "$e3")"
  fi
  check "the receiver got a verified email.deferred" wait_until 60 received_event email.deferred "$e3"

  e4=$(send nobody@gone.test "a message for gone.test $RUN")
  if wait_until 60 has_status "$e4" FAILED; then pass "nobody@gone.test (550 5.1.1 at RCPT in Postfix): FAILED"; else
    fail "nobody@gone.test: FAILED" "$(email_status "$e4")"
  fi
  info "recipient: $(email_json "$e4" | jq -c '.recipients[0] | {email, status, lastReply}' 2>/dev/null)"
  check "the receiver got a verified email.failed" wait_until 60 received_event email.failed "$e4"
  code=$(api GET /suppressions/nobody@gone.test)
  if [[ $code == 200 ]] && jq -e '.reason == "MAILBOX_UNKNOWN"' "$WORK/resp.json" >/dev/null; then
    pass "nobody@gone.test is suppressed (MAILBOX_UNKNOWN)"
  else fail "nobody@gone.test is suppressed" "$code $(resp)"; fi
  e5=$(send nobody@gone.test "a second message for gone.test $RUN")
  if [[ $(jq -r .failureReason "$WORK/resp.json") == SUPPRESSED ]]; then pass "the next email to nobody@gone.test is SUPPRESSED"; else
    fail "the next email to nobody@gone.test is SUPPRESSED" "$(resp)"
  fi
  check "the receiver got a verified email.suppressed for it" wait_until 60 received_event email.suppressed "$e5"

  e6=$(send ada@inbox.test "a message for inbox.test $RUN")
  if wait_until 60 has_status "$e6" SENT; then pass "ada@inbox.test: SENT"; else fail "ada@inbox.test: SENT" "$(email_status "$e6")"; fi
  check "the receiver got a verified email.sent" wait_until 60 received_event email.sent "$e6"

  info "events of the email to user@reject.test: $(email_json "$e1" | jq -c '[.events[].type]')"
  local unverified
  unverified=$(received | jq -s '[.[] | select(.verified | not)] | length')
  if [[ $unverified == 0 ]]; then pass "every one of the $(received | wc -l) webhook requests so far is correctly signed (Standard Webhooks)"; else
    fail "every webhook request is correctly signed" "$unverified not"
  fi
}

# ---------------------------------------------------------------- kill -9 during webhook deliveries
kill_counts() {
  sql -F ' ' -c "SELECT count(*) FILTER (WHERE d.status = 'DELIVERED'), count(*) FILTER (WHERE d.status IN ('PENDING','SENDING'))
                 FROM webhook_deliveries d JOIN email_events e ON e.id = d.event_id
                 WHERE e.email_id = ANY('{$KILL_IDS}'::uuid[])"
}
in_flight() {
  local delivered pending
  read -r delivered pending <<<"$(kill_counts)"
  ((delivered >= 20 && pending >= 20))
}
settled() {
  local left
  left=$(sql -c "SELECT (SELECT count(*) FROM emails WHERE id = ANY('{$KILL_IDS}'::uuid[]) AND status IN ('QUEUED','SENDING','DEFERRED'))
                      + (SELECT count(*) FROM webhook_deliveries d JOIN email_events e ON e.id = d.event_id
                         WHERE e.email_id = ANY('{$KILL_IDS}'::uuid[]) AND d.status <> 'DELIVERED')")
  [[ $left == 0 ]]
}

check_kill() {
  printf '\n== kill -9 of the service while webhook deliveries are in flight\n'
  start_receiver 150 # a slow receiver, so that deliveries are still queued when the service dies
  local body code
  body=$(jq -nc --arg from "$FROM" --argjson n "$KILL_EMAILS" --arg run "$RUN" \
    '{emails: [range($n) | {from: $from, to: ["kill-\(.)@inbox.test"], subject: "kill test \(.) \($run)", text: "Hello \(.)"}]}')
  code=$(api POST /emails/batch "$body")
  [[ $code == 202 ]] || { fail "POST /emails/batch of $KILL_EMAILS" "$code $(resp)"; return; }
  KILL_IDS=$(jq -r '[.emails[].id] | join(",")' "$WORK/resp.json")
  if wait_until 120 in_flight; then :; else log "deliveries: $(kill_counts)"; fi
  local at_kill
  at_kill=$(kill_counts)
  kill -9 "$JAR_PID"
  wait "$JAR_PID" 2>/dev/null
  JAR_PID=""
  read -r d p <<<"$at_kill"
  info "SIGKILL with $d deliveries DELIVERED and $p PENDING/SENDING for the $KILL_EMAILS emails; $(sql -c "SELECT count(*) FROM emails WHERE id = ANY('{$KILL_IDS}'::uuid[]) AND status <> 'SENT'") emails not yet SENT"
  ((p > 0)) && pass "killed with webhook deliveries in flight ($p)" || fail "killed with webhook deliveries in flight" "$at_kill"
  start_receiver 0
  start_jar restarted || { fail "the service starts again after kill -9"; return; }
  pass "the service starts again after kill -9"
  if wait_until 240 settled; then pass "every email SENT and every delivery DELIVERED after the restart"; else
    fail "every email and delivery settled after the restart" "$(kill_counts)"
  fi
  # Every event recorded for those emails, with the webhook-id its delivery row says.
  sql -F $'\t' -c "SELECT e.id, e.type, e.email_id, coalesce('msg_' || d.id::text, '')
                   FROM email_events e LEFT JOIN webhook_deliveries d ON d.event_id = e.id AND d.endpoint_id = '$HOOK_A'
                   WHERE e.email_id = ANY('{$KILL_IDS}'::uuid[]) ORDER BY e.id" >"$WORK/kill-events.tsv"
  local events no_row
  events=$(wc -l <"$WORK/kill-events.tsv")
  no_row=$(awk -F'\t' '$4 == ""' "$WORK/kill-events.tsv" | wc -l)
  cut -f4 "$WORK/kill-events.tsv" | grep . | sort -u >"$WORK/kill-expected.txt"
  received | jq -r --arg ids "$KILL_IDS" '($ids | split(",")) as $k | select(.path == "/a" and (.emailId as $e | $k | index($e))) |
      [.id, (.verified | tostring), .type] | @tsv' >"$WORK/kill-received.tsv"
  local got dups missing unexpected bad types
  got=$(wc -l <"$WORK/kill-received.tsv")
  cut -f1 "$WORK/kill-received.tsv" | sort -u >"$WORK/kill-got.txt"
  dups=$((got - $(wc -l <"$WORK/kill-got.txt")))
  missing=$(comm -23 "$WORK/kill-expected.txt" "$WORK/kill-got.txt" | wc -l)
  unexpected=$(comm -13 "$WORK/kill-expected.txt" "$WORK/kill-got.txt" | wc -l)
  bad=$(awk -F'\t' '$2 != "true"' "$WORK/kill-received.tsv" | wc -l)
  types=$(cut -f2 "$WORK/kill-events.tsv" | sort | uniq -c | awk '{printf "%s %s, ", $1, $2}')
  info "events recorded for the $KILL_EMAILS emails: $events (${types%, }); without a delivery row: $no_row"
  info "requests received for them: $got; distinct webhook-ids: $(wc -l <"$WORK/kill-got.txt"); duplicates: $dups; missing: $missing; ids not in the outbox: $unexpected; unverified: $bad"
  ((events >= 2 * KILL_EMAILS)) && pass "each email recorded email.accepted and email.sent ($events events)" ||
    fail "each email recorded its events" "$events"
  ((no_row == 0 && missing == 0)) && pass "every recorded event was delivered at least once (missing: 0, duplicates: $dups)" ||
    fail "every recorded event was delivered at least once" "missing $missing, without a row $no_row"
  ((unexpected == 0)) && pass "retries kept the webhook-id (no id outside the outbox)" || fail "retries kept the webhook-id" "$unexpected"
  ((bad == 0)) && pass "every one of them is correctly signed" || fail "every one of them is correctly signed" "$bad"
}

# ---------------------------------------------------------------- projects
check_projects() {
  printf '\n== Another project\n'
  local code
  code=$(api GET "/domains/$DOMAIN" "" "$KEY_B")
  [[ $code == 404 ]] && pass "project B: GET /domains/$DOMAIN is 404" || fail "project B: GET /domains/$DOMAIN" "$code"
  code=$(api GET /domains "" "$KEY_B")
  [[ $code == 200 ]] && ! grep -q "$DOMAIN" "$WORK/resp.json" && pass "project B: GET /domains does not list it" ||
    fail "project B: GET /domains does not list it" "$code $(resp)"
  code=$(api GET /suppressions/user@reject.test "" "$KEY_B")
  [[ $code == 404 ]] && pass "project B: GET /suppressions/user@reject.test is 404" || fail "project B: GET /suppressions/user@reject.test" "$code"
  code=$(api GET /suppressions "" "$KEY_B")
  [[ $code == 200 ]] && ! grep -q 'reject.test' "$WORK/resp.json" && pass "project B: GET /suppressions lists none of A's" ||
    fail "project B: GET /suppressions lists none of A's" "$code $(resp)"
  code=$(api GET "/webhooks/$HOOK_A" "" "$KEY_B")
  [[ $code == 404 ]] && pass "project B: GET /webhooks/{A's endpoint} is 404" || fail "project B: GET /webhooks/{A's endpoint}" "$code"
  code=$(api GET "/emails/$E1" "" "$KEY_B")
  [[ $code == 404 ]] && pass "project B: GET /emails/{A's email} is 404" || fail "project B: GET /emails/{A's email}" "$code"
  local b
  b=$(jq -nc '{to: ["user@reject.test"], subject: "from project B", text: "Hello"}')
  code=$(api POST /emails "$b" "$KEY_B")
  [[ $code == 202 ]] && jq -e '.status == "QUEUED"' "$WORK/resp.json" >/dev/null &&
    pass "project B's email to user@reject.test is QUEUED: A's suppression does not block it" ||
    fail "project B's email to user@reject.test is not suppressed" "$code $(resp)"
  code=$(api GET /domains/$DOMAIN)
  [[ $code == 200 ]] && pass "project A still reads its domain (200)" || fail "project A reads its domain" "$code"
}

# ---------------------------------------------------------------- main
main() {
  mkdir -p "$WORK" || die "cannot create $WORK"
  cd "$ROOT" || exit 1
  RUN=$(date -u +%H%M%S)
  local commit
  commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
  [[ -n $(git -C "$ROOT" status --porcelain -- src pom.xml 2>/dev/null) ]] && commit="$commit-dirty"
  printf 'Mailroom acceptance with a real Postfix, %s, commit %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$commit"

  install_packages
  printf '%s; dnsmasq %s; dkimpy %s; dnspython %s\n' "$(postconf -d mail_version 2>/dev/null | sed 's/mail_version = /Postfix /')" \
    "$(dnsmasq --version | head -1 | awk '{print $3}')" "$(dpkg-query -W -f '${Version}' python3-dkim 2>/dev/null)" \
    "$($PY -c 'import dns.version; print(dns.version.version)')"
  check_ports
  setup_postgres
  fresh_db
  build_jar
  KEY_A=$(new_api_key)
  KEY_B=$(new_api_key)
  KEY_A_HASH=$(key_hash "$KEY_A")
  KEY_B_HASH=$(key_hash "$KEY_B")
  ENCRYPTION_KEY=$(head -c 32 /dev/urandom | base64)
  BOUNCE_SECRET=$(head -c 32 /dev/urandom | base64)

  start_sinks
  start_postfix
  start_dns
  start_receiver 0
  start_jar first || die "the service did not start; see $WORK/mailroom-first.log"

  check_dkim
  check_bounces
  check_kill
  check_projects

  if grep -q -E 'PRIVATE KEY|MIIE[A-Za-z0-9+/]{40}' "$WORK"/mailroom-*.log; then
    fail "no private key in the service's log"
  else pass "no private key in the service's log"; fi

  summary
  ((FAILED == 0))
}

main "$@"
