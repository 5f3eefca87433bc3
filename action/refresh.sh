#!/usr/bin/env bash
# The refresh step of action.yml (tested by tests/integration/action.rs):
# fresh release facts and advisories (the registry's index and release notes,
# OSV) before the audit. A refresh that fails is a warning: the audit still
# runs, on the facts at hand, and says how old they are.
set -uo pipefail

bin="${CARGO_WASMTIME_SUPPORT_BIN:-cargo-wasmtime-support}"
case "${INPUT_REFRESH:-true}" in
  true) ;;
  false)
    echo "Not refreshing (refresh: false): auditing with the facts at hand"
    exit 0
    ;;
  *)
    echo "::error title=wasmtime-support::input refresh: expected true or false, got '${INPUT_REFRESH}'"
    exit 2
    ;;
esac
args=(refresh)
if [[ -n "${INPUT_MANIFEST_PATH:-}" ]]; then
  args+=(--manifest-path "$INPUT_MANIFEST_PATH")
fi
if ! "$bin" "${args[@]}"; then
  echo "::warning title=wasmtime-support::refresh failed (see above); auditing with the facts at hand"
fi
exit 0
