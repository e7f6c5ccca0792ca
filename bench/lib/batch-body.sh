# shellcheck shell=bash
# The body of bench/run.sh's and bench/cpu-per-email.sh's POST /emails/batch: `size` emails of the
# shipped `welcome` template, one recipient each.

# batch_body size file
batch_body() {
  jq -nc --argjson n "$1" '{emails: [range($n) | {to: ["bench\(.)@sink.example"], template: "welcome",
      variables: {name: "Ada", productName: "Acme", actionUrl: "https://acme.example/start"}}]}' >"$2"
}
