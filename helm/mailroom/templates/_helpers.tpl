{{/* Chart name, overridable. */}}
{{- define "mailroom.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Fully qualified name of the release's resources (63 characters at most). */}}
{{- define "mailroom.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "mailroom.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels on every resource. */}}
{{- define "mailroom.labels" -}}
helm.sh/chart: {{ include "mailroom.chart" . }}
{{ include "mailroom.selectorLabels" . }}
app.kubernetes.io/version: {{ include "mailroom.imageTag" . | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: mailroom
{{- end }}

{{/* Labels that identify the pods; never change them after an install (selectors are immutable). */}}
{{- define "mailroom.selectorLabels" -}}
app.kubernetes.io/name: {{ include "mailroom.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "mailroom.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "mailroom.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "mailroom.imageTag" -}}
{{- default .Chart.AppVersion .Values.image.tag }}
{{- end }}

{{/* Secret holding the credentials: the user's existingSecret or the chart's own. */}}
{{- define "mailroom.secretName" -}}
{{- default (include "mailroom.fullname" .) .Values.existingSecret }}
{{- end }}

{{- define "mailroom.configMapName" -}}
{{- printf "%s-config" (include "mailroom.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "mailroom.templatesConfigMapName" -}}
{{- default (printf "%s-templates" (include "mailroom.fullname" . | trunc 53 | trimSuffix "-")) .Values.templates.existingConfigMap }}
{{- end }}

{{/* Key of a relay's password in the Secret. Argument: the relay. */}}
{{- define "mailroom.relayPasswordKey" -}}
{{- default (printf "smtp-relay-%s-password" .name) .passwordKey }}
{{- end }}

{{/*
Environment variable that carries relay N's password. The password reaches the relay list
through a placeholder in application.yaml rather than as MAILROOM_SMTP_RELAYS_N_PASSWORD:
Spring Boot binds a list from a single property source, so one relay property set in the
environment would replace the whole list defined in application.yaml.
*/}}
{{- define "mailroom.relayPasswordEnv" -}}
{{- printf "SMTP_RELAY_%d_PASSWORD" (int .) }}
{{- end }}

{{/* Directory the relays' CA bundles are mounted in, one <relay name>.pem each. */}}
{{- define "mailroom.caBundleDir" -}}
/etc/mailroom/ca
{{- end }}

{{/* Path of a relay's CA bundle in the pod. Argument: the relay. */}}
{{- define "mailroom.caBundlePath" -}}
{{- printf "/etc/mailroom/ca/%s.pem" .name }}
{{- end }}

{{/* Directory the API keys file is mounted in, and the file the service loads. */}}
{{- define "mailroom.apiKeysDir" -}}
/etc/mailroom/api-keys
{{- end }}

{{- define "mailroom.apiKeysPath" -}}
/etc/mailroom/api-keys/api-keys.yaml
{{- end }}

{{/*
Whether the pods mount the API keys file: always from an existingSecret (optionally when
apiKeys.allowNone), from the chart's Secret when apiKeys.keys has an entry.
*/}}
{{- define "mailroom.apiKeysMounted" -}}
{{- if or .Values.existingSecret .Values.apiKeys.keys }}true{{ end }}
{{- end }}

{{/* The file may be missing only from an existingSecret, and only with apiKeys.allowNone. */}}
{{- define "mailroom.apiKeysOptional" -}}
{{- if and .Values.existingSecret .Values.apiKeys.allowNone }}true{{ end }}
{{- end }}

{{/*
spring.config.additional-location: the chart's application.yaml, then the API keys file, which
holds the whole mailroom.api-keys list (a list binds from one property source).
*/}}
{{- define "mailroom.configLocations" -}}
{{- $locations := list "file:/config/" }}
{{- if include "mailroom.apiKeysMounted" . }}
{{- $locations = append $locations (printf "%sfile:%s" (ternary "optional:" "" (eq (include "mailroom.apiKeysOptional" .) "true")) (include "mailroom.apiKeysPath" .)) }}
{{- end }}
{{- join "," $locations }}
{{- end }}

{{/*
The API keys file rendered into the chart's Secret: apiKeys.keys as mailroom.api-keys, holding
each key's SHA-256, never the key.
*/}}
{{- define "mailroom.apiKeysFile" -}}
{{- $keys := list }}
{{- range .Values.apiKeys.keys }}
{{- $k := dict "name" .name "hash" .hash "scopes" .scopes }}
{{- with .project }}
{{- $_ := set $k "project" . }}
{{- end }}
{{- with .allowedSenderDomains }}
{{- $_ := set $k "allowed-sender-domains" . }}
{{- end }}
{{- with .rateLimit }}
{{- $limit := include "mailroom.rateLimit" . | fromJson }}
{{- if $limit }}
{{- $_ := set $k "rate-limit" $limit }}
{{- end }}
{{- end }}
{{- $keys = append $keys $k }}
{{- end }}
# API keys (mailroom.api-keys), rendered by the chart from apiKeys.keys: the SHA-256 of each
# key, never the key. Loaded through spring.config.additional-location.
{{ toYaml (dict "mailroom" (dict "api-keys" $keys)) }}
{{- end }}

{{/* A rate limit ({perSecond, burst}) as JSON with the service's names, null values left out. */}}
{{- define "mailroom.rateLimit" -}}
{{- $limit := dict }}
{{- range $key, $value := . }}
{{- if not (kindIs "invalid" $value) }}
{{- $_ := set $limit (kebabcase $key) $value }}
{{- end }}
{{- end }}
{{- toJson $limit }}
{{- end }}

{{/*
Bytes in a Spring-style data size ("512KB", "15MB", "1GB"; a bare number is bytes), with
Spring's binary multiples.
*/}}
{{- define "mailroom.dataSizeBytes" -}}
{{- $s := toString . | trim }}
{{- if not (regexMatch "^[0-9]+(B|KB|MB|GB)?$" $s) }}
{{- fail (printf "%q is not a data size such as 512KB, 15MB or 1GB" $s) }}
{{- end }}
{{- $n := regexFind "^[0-9]+" $s | int64 }}
{{- $unit := regexReplaceAll "^[0-9]+" $s "" }}
{{- if eq $unit "KB" }}{{ mul $n 1024 }}
{{- else if eq $unit "MB" }}{{ mul $n 1048576 }}
{{- else if eq $unit "GB" }}{{ mul $n 1073741824 }}
{{- else }}{{ $n }}
{{- end }}
{{- end }}

{{/*
Whole seconds in a Spring-style duration ("500ms", "20s", "15m", "1h", "1d"), rounded up.
*/}}
{{- define "mailroom.durationSeconds" -}}
{{- $d := toString . | trim }}
{{- if not (regexMatch "^[0-9]+(ms|s|m|h|d)$" $d) }}
{{- fail (printf "%q is not a duration such as 500ms, 20s, 15m, 1h or 1d" $d) }}
{{- end }}
{{- $n := regexFind "^[0-9]+" $d | int }}
{{- $unit := regexReplaceAll "^[0-9]+" $d "" }}
{{- if eq $unit "ms" }}{{ div (add $n 999) 1000 }}
{{- else if eq $unit "s" }}{{ $n }}
{{- else if eq $unit "m" }}{{ mul $n 60 }}
{{- else if eq $unit "h" }}{{ mul $n 3600 }}
{{- else }}{{ mul $n 86400 }}
{{- end }}
{{- end }}

{{/*
Shortest grace period that lets a pod stop cleanly: the preStop sleep, then Spring's graceful
shutdown of HTTP (one lifecycle phase), then the dispatcher's drain of in-flight sends.
*/}}
{{- define "mailroom.minimumGracePeriodSeconds" -}}
{{- $preStop := include "mailroom.durationSeconds" .Values.shutdown.preStopSleep | int }}
{{- $phase := include "mailroom.durationSeconds" .Values.shutdown.timeoutPerShutdownPhase | int }}
{{- $drain := include "mailroom.durationSeconds" .Values.delivery.drainTimeout | int }}
{{- add $preStop $phase $drain }}
{{- end }}

{{/* terminationGracePeriodSeconds: derived with a 10s margin, or the user's value once checked. */}}
{{- define "mailroom.terminationGracePeriodSeconds" -}}
{{- $minimum := include "mailroom.minimumGracePeriodSeconds" . | int }}
{{- $explicit := .Values.shutdown.terminationGracePeriodSeconds }}
{{- if kindIs "invalid" $explicit }}
{{- add $minimum 10 }}
{{- else if le (int $explicit) $minimum }}
{{- fail (printf "shutdown.terminationGracePeriodSeconds (%d) must exceed preStopSleep + timeoutPerShutdownPhase + delivery.drainTimeout (%ds), or pods are killed while sends drain" (int $explicit) $minimum) }}
{{- else }}
{{- int $explicit }}
{{- end }}
{{- end }}

{{/* Flat ConfigMap key for a template path: welcome/fr/body.html -> welcome__fr__body.html */}}
{{- define "mailroom.templateKey" -}}
{{- if or (not (regexMatch "^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$" .)) (regexMatch "(^|/)\\.\\.?(/|$)" .) (contains "__" .) }}
{{- fail (printf "templates.files: %q is not a relative path of letters, digits, '.', '_' and '-' (no '..' and no '__')" .) }}
{{- end }}
{{- replace "/" "__" . }}
{{- end }}

{{/* Fails with a message naming the missing setting instead of letting pods crash-loop. */}}
{{- define "mailroom.validate" -}}
{{- if not .Values.database.url }}
{{- fail "database.url is required, e.g. --set database.url=jdbc:postgresql://postgres:5432/mailroom" }}
{{- end }}
{{- if not (hasPrefix "jdbc:postgresql:" .Values.database.url) }}
{{- fail (printf "database.url must be a PostgreSQL JDBC URL (jdbc:postgresql://host:5432/db), not %q" .Values.database.url) }}
{{- end }}
{{- if not .Values.database.username }}
{{- fail "database.username is required" }}
{{- end }}
{{- if and (not .Values.existingSecret) (not .Values.database.password) }}
{{- fail "database.password is required unless existingSecret names a Secret holding it" }}
{{- end }}
{{- if not .Values.email.defaultFrom }}
{{- fail "email.defaultFrom is required, e.g. --set email.defaultFrom=no-reply@example.com" }}
{{- end }}
{{- if not .Values.smtp.relays }}
{{- fail "smtp.relays needs at least one relay (name, host, port, tlsMode)" }}
{{- end }}
{{- $names := list }}
{{- range $i, $relay := .Values.smtp.relays }}
{{- if has $relay.name $names }}
{{- fail (printf "smtp.relays: the name %q is used twice" $relay.name) }}
{{- end }}
{{- $names = append $names $relay.name }}
{{- if and $relay.username (not $.Values.existingSecret) (not $relay.password) }}
{{- fail (printf "smtp.relays[%d] (%s) has a username but no password; set password or existingSecret" $i $relay.name) }}
{{- end }}
{{- end }}
{{- /* Defaults are the service's (EmailSettings: 15MB and 10MB). */}}
{{- $requestSize := default "15MB" .Values.email.maxRequestSize }}
{{- $attachmentSize := default "10MB" .Values.email.maxAttachmentSize }}
{{- if lt (mul (include "mailroom.dataSizeBytes" $requestSize | int64) 3) (mul (include "mailroom.dataSizeBytes" $attachmentSize | int64) 4) }}
{{- fail (printf "email.maxRequestSize (%s) must be at least 4/3 of email.maxAttachmentSize (%s): attachments arrive in base64, which is 4/3 of their size" $requestSize $attachmentSize) }}
{{- end }}
{{- if and .Values.existingSecret .Values.apiKeys.keys }}
{{- fail (printf "apiKeys.keys is not used with existingSecret: put the keys in the Secret %s as %s (see the chart README), or drop existingSecret" .Values.existingSecret .Values.apiKeys.secretKey) }}
{{- end }}
{{- if and (not .Values.existingSecret) (not .Values.apiKeys.keys) (not .Values.apiKeys.allowNone) }}
{{- fail "apiKeys.keys is empty, so every API request would be refused with 401. Add a key (generate one with: java -jar mailroom.jar generate-api-key --name=NAME --scopes=send,read), or set apiKeys.allowNone=true" }}
{{- end }}
{{- $keyNames := list }}
{{- $keyHashes := list }}
{{- range $i, $key := .Values.apiKeys.keys }}
{{- if has $key.name $keyNames }}
{{- fail (printf "apiKeys.keys: the name %q is used twice" $key.name) }}
{{- end }}
{{- if has (lower $key.hash) $keyHashes }}
{{- fail (printf "apiKeys.keys[%d] (%s) has the same hash as another key" $i $key.name) }}
{{- end }}
{{- $keyNames = append $keyNames $key.name }}
{{- $keyHashes = append $keyHashes (lower $key.hash) }}
{{- end }}
{{- if and .Values.templates.enabled (not .Values.templates.existingConfigMap) (not .Values.templates.files) }}
{{- fail "templates.enabled needs templates.files or templates.existingConfigMap" }}
{{- end }}
{{- if and .Values.templates.existingConfigMap (not .Values.templates.existingConfigMapKeys) }}
{{- fail "templates.existingConfigMap needs templates.existingConfigMapKeys to mount its keys as folders" }}
{{- end }}
{{- /* An unset age is the service's default (RetentionSettings: 30d and 90d). */}}
{{- $bodyAge := default "30d" .Values.retention.bodyAge }}
{{- $deleteAge := default "90d" .Values.retention.deleteAge }}
{{- if lt (include "mailroom.durationSeconds" $deleteAge | int) (include "mailroom.durationSeconds" $bodyAge | int) }}
{{- fail (printf "retention.deleteAge (%s) must be at least retention.bodyAge (%s): deleting an email removes its message too" $deleteAge $bodyAge) }}
{{- end }}
{{- end }}

{{/*
Spring Boot settings rendered into application.yaml. Optional settings left null in values keep
the service's own defaults.
*/}}
{{- define "mailroom.applicationConfig" -}}
{{- $delivery := dict }}
{{- range $key, $value := omit .Values.delivery "retry" }}
{{- if not (kindIs "invalid" $value) }}
{{- $_ := set $delivery (kebabcase $key) $value }}
{{- end }}
{{- end }}
{{- $retry := dict }}
{{- range $key, $value := .Values.delivery.retry }}
{{- if not (kindIs "invalid" $value) }}
{{- $_ := set $retry (kebabcase $key) $value }}
{{- end }}
{{- end }}
{{- if $retry }}
{{- $_ := set $delivery "retry" $retry }}
{{- end }}
{{- $retention := dict }}
{{- range $key, $value := .Values.retention }}
{{- if not (kindIs "invalid" $value) }}
{{- $_ := set $retention (kebabcase $key) $value }}
{{- end }}
{{- end }}
{{- $relays := list }}
{{- range $i, $relay := .Values.smtp.relays }}
{{- $r := dict }}
{{- range $key, $value := omit $relay "password" "passwordKey" "caBundle" }}
{{- if not (kindIs "invalid" $value) }}
{{- $_ := set $r (kebabcase $key) $value }}
{{- end }}
{{- end }}
{{- if $relay.username }}
{{- $_ := set $r "password" (printf "${%s}" (include "mailroom.relayPasswordEnv" $i)) }}
{{- end }}
{{- if $relay.caBundle }}
{{- $_ := set $r "ca-bundle" (include "mailroom.caBundlePath" $relay) }}
{{- end }}
{{- $relays = append $relays $r }}
{{- end }}
{{- $email := dict "default-from" .Values.email.defaultFrom }}
{{- with .Values.email.messageIdDomain }}
{{- $_ := set $email "message-id-domain" . }}
{{- end }}
{{- if not (kindIs "invalid" .Values.email.maxRecipients) }}
{{- $_ := set $email "max-recipients" .Values.email.maxRecipients }}
{{- end }}
{{- with .Values.email.maxRequestSize }}
{{- $_ := set $email "max-request-size" . }}
{{- end }}
{{- if not (kindIs "invalid" .Values.email.maxAttachments) }}
{{- $_ := set $email "max-attachments" .Values.email.maxAttachments }}
{{- end }}
{{- with .Values.email.maxAttachmentSize }}
{{- $_ := set $email "max-attachment-size" . }}
{{- end }}
{{- if not (kindIs "invalid" .Values.email.maxBatchSize) }}
{{- $_ := set $email "max-batch-size" .Values.email.maxBatchSize }}
{{- end }}
{{- with .Values.email.maxBatchRequestSize }}
{{- $_ := set $email "max-batch-request-size" . }}
{{- end }}
{{- with .Values.email.maxScheduleAhead }}
{{- $_ := set $email "max-schedule-ahead" . }}
{{- end }}
{{- $smtp := dict "relays" $relays }}
{{- with .Values.smtp.ehloName }}
{{- $_ := set $smtp "ehlo-name" . }}
{{- end }}
{{- $circuitBreaker := dict }}
{{- range $key, $value := .Values.smtp.circuitBreaker }}
{{- if not (kindIs "invalid" $value) }}
{{- $_ := set $circuitBreaker (kebabcase $key) $value }}
{{- end }}
{{- end }}
{{- if $circuitBreaker }}
{{- $_ := set $smtp "circuit-breaker" $circuitBreaker }}
{{- end }}
{{- $mailroom := dict "email" $email "delivery" $delivery "smtp" $smtp }}
{{- $rateLimit := include "mailroom.rateLimit" .Values.apiKeys.rateLimit | fromJson }}
{{- if $rateLimit }}
{{- $_ := set $mailroom "rate-limit" $rateLimit }}
{{- end }}
{{- if .Values.templates.enabled }}
{{- $_ := set $mailroom "templates" (dict "directory" .Values.templates.mountPath) }}
{{- end }}
{{- if $retention }}
{{- $_ := set $mailroom "retention" $retention }}
{{- end }}
{{- $domains := dict }}
{{- range $key, $value := omit .Values.domains "encryptionKey" "encryptionKeyKey" }}
{{- if not (kindIs "invalid" $value) }}
{{- $_ := set $domains (kebabcase $key) $value }}
{{- end }}
{{- end }}
{{- if or .Values.domains.encryptionKey .Values.existingSecret }}
{{- $_ := set $domains "encryption-key" "${DKIM_ENCRYPTION_KEY:}" }}
{{- end }}
{{- if $domains }}
{{- $_ := set $mailroom "domains" $domains }}
{{- end }}
{{- if .Values.bounces.domain }}
{{- /* The secrets come from the Secret through the environment, never the ConfigMap. */}}
{{- $bounces := dict "domain" .Values.bounces.domain "secret" "${MAILROOM_BOUNCES_SECRET}" }}
{{- if include "mailroom.previousBounceSecrets" . }}
{{- $_ := set $bounces "previous-secrets" "${BOUNCES_PREVIOUS_SECRETS:}" }}
{{- end }}
{{- $_ := set $mailroom "bounces" $bounces }}
{{- end }}
{{- if .Values.inbound.port }}
{{- $inbound := dict }}
{{- range $key, $value := omit .Values.inbound "tls" }}
{{- if not (kindIs "invalid" $value) }}
{{- $_ := set $inbound (kebabcase $key) $value }}
{{- end }}
{{- end }}
{{- if .Values.inbound.tls.secretName }}
{{- $_ := set $inbound "tls" (dict "certificate" (printf "%s/tls.crt" (include "mailroom.inboundTlsDir" .)) "private-key" (printf "%s/tls.key" (include "mailroom.inboundTlsDir" .))) }}
{{- end }}
{{- $_ := set $mailroom "inbound" $inbound }}
{{- end }}
{{- $webhooks := dict }}
{{- range $key, $value := omit .Values.webhooks "retry" }}
{{- if not (kindIs "invalid" $value) }}
{{- $_ := set $webhooks (kebabcase $key) $value }}
{{- end }}
{{- end }}
{{- $webhookRetry := dict }}
{{- range $key, $value := .Values.webhooks.retry }}
{{- if not (kindIs "invalid" $value) }}
{{- $_ := set $webhookRetry (kebabcase $key) $value }}
{{- end }}
{{- end }}
{{- if $webhookRetry }}
{{- $_ := set $webhooks "retry" $webhookRetry }}
{{- end }}
{{- if $webhooks }}
{{- $_ := set $mailroom "webhooks" $webhooks }}
{{- end }}
server:
  port: {{ .Values.ports.http }}
  shutdown: graceful
management:
  server:
    port: {{ .Values.ports.management }}
spring:
  lifecycle:
    timeout-per-shutdown-phase: {{ .Values.shutdown.timeoutPerShutdownPhase }}
  datasource:
    url: {{ .Values.database.url | quote }}
    username: {{ .Values.database.username | quote }}
  flyway:
    lock-retry-count: {{ .Values.migrations.lockRetryCount }}
{{- with .Values.logging.structuredFormat }}
logging:
  structured:
    format:
      console: {{ . }}
{{- end }}
mailroom: {{ toJson $mailroom }}
{{- end }}

{{/*
Where the inbound listener's STARTTLS certificate and key (inbound.tls.secretName) are mounted.
*/}}
{{- define "mailroom.inboundTlsDir" -}}
/etc/mailroom/inbound-tls
{{- end }}

{{/*
Non-empty when previous bounce secrets reach the pod: listed in bounces.previousSecrets (the
chart's Secret), or possibly in an existingSecret, where their key is optional.
*/}}
{{- define "mailroom.previousBounceSecrets" -}}
{{- if and .Values.bounces.domain (or .Values.bounces.previousSecrets .Values.existingSecret) -}}
true
{{- end }}
{{- end }}
