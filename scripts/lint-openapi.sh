#!/usr/bin/env bash
# Lints the OpenAPI document with two standard linters; any error or warning fails:
#   Redocly CLI, recommended rules with warnings raised to errors (recommended-strict),
#   Spectral, its OpenAPI rules (spectral:oas), failing on warnings.
#
#   scripts/lint-openapi.sh                 writes the document with OpenApiTest, lints it
#   scripts/lint-openapi.sh URL             lints what a running service serves, such as
#                                           http://localhost:8080/v3/api-docs
#   scripts/lint-openapi.sh FILE            lints a document on disk
#
# Needs node/npm; npx fetches the pinned linter versions on first use.
set -euo pipefail
cd "$(dirname "$0")/.."

REDOCLY_CLI=@redocly/cli@2.77.0
SPECTRAL_CLI=@stoplight/spectral-cli@6.16.3

source="${1:-}"
mkdir -p target
if [[ -z "$source" ]]; then
  ./mvnw -B -q test -Dtest=OpenApiTest -Dsurefire.failIfNoSpecifiedTests=false
  document=target/openapi.json
elif [[ "$source" == http://* || "$source" == https://* ]]; then
  document=target/openapi-served.json
  curl -fsS --max-time 30 "$source" -o "$document"
else
  document="$source"
fi

echo "== Redocly CLI (recommended-strict): $document"
npx --yes "$REDOCLY_CLI" lint --extends recommended-strict "$document"

echo "== Spectral (spectral:oas): $document"
npx --yes "$SPECTRAL_CLI" lint --fail-severity warn --ruleset scripts/openapi-spectral.yaml \
  "$document"
