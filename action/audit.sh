#!/usr/bin/env bash
# The audit step of action.yml (tested by tests/integration/action.rs). Inputs come as
# INPUT_* environment variables; the report goes to the log, the Markdown
# report to the job summary, and `exit-code` / `report` to the step outputs.
set -uo pipefail

bin="${CARGO_WASMTIME_SUPPORT_BIN:-cargo-wasmtime-support}"
format="${INPUT_FORMAT:-github}"
args=(--format "$format")

case "${INPUT_DENY_EOL:-false}" in
  true) args+=(--deny-eol) ;;
  false | "") ;;
  *)
    echo "::error title=wasmtime-support::input deny-eol: expected true or false, got '${INPUT_DENY_EOL}'"
    exit 2
    ;;
esac
if [[ -n "${INPUT_SUPPORTED_THROUGH:-}" ]]; then
  args+=(--supported-through "$INPUT_SUPPORTED_THROUGH")
fi
if [[ -n "${INPUT_MANIFEST_PATH:-}" ]]; then
  args+=(--manifest-path "$INPUT_MANIFEST_PATH")
fi
# Extra arguments are split at whitespace, never glob-expanded or evaluated.
read -r -a extra <<<"${INPUT_ARGS:-}"
args+=("${extra[@]}")

report="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/wasmtime-support-report.${format}"
"$bin" "${args[@]}" >"$report"
code=$?
cat "$report"

# `--format github` appends the Markdown report to the summary itself; for
# the other formats it is produced here (exit 2 means there is no report).
if [[ -n "${GITHUB_STEP_SUMMARY:-}" && $code -ne 2 ]]; then
  case "$format" in
    github) ;;
    markdown) cat "$report" >>"$GITHUB_STEP_SUMMARY" ;;
    *) "$bin" "${args[@]}" --format markdown >>"$GITHUB_STEP_SUMMARY" ;;
  esac
fi
if [[ -n "${GITHUB_OUTPUT:-}" ]]; then
  {
    echo "exit-code=$code"
    echo "report=$report"
  } >>"$GITHUB_OUTPUT"
fi
exit "$code"
