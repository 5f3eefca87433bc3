#!/usr/bin/env bash
# Feeds what the tool writes to the real programs that read it, installed
# from their registries into a scratch directory (nothing global but
# Debian's chromium, which mermaid-cli drives), for every fixture lockfile at
# three dates:
# - mermaid: every Mermaid chart the tool writes (the Markdown report and
#   `calendar --format markdown`) must render in mermaid-cli;
# - sarif: every SARIF report must pass Sarif.Multitool's validation with
#   GitHub code scanning's rules (`--rule-kind Sarif;Gh`), with no result.
# Usage: scripts/check-clients.sh [WORKDIR] [mermaid|sarif|all]
# (needs the network for the installs)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-$(mktemp -d)}
what=${2:-all}
mkdir -p "$work"
bin="$root/target/release/cargo-wasmtime-support"
[[ -x "$bin" ]] || (cd "$root" && cargo build --release --locked)

lockfiles() { (cd "$root" && find fixtures -name Cargo.lock | sort); }
dates=(2026-08-19 2026-08-20 2026-12-05)
status=0

check_mermaid() {
  if ! command -v chromium >/dev/null; then
    apt-get install -y chromium >/dev/null
  fi
  if [[ ! -x "$work/node_modules/.bin/mmdc" ]]; then
    (cd "$work" && PUPPETEER_SKIP_DOWNLOAD=1 npm install --no-fund --no-audit @mermaid-js/mermaid-cli@11 >/dev/null)
  fi
  printf '%s\n' '{"executablePath": "/usr/bin/chromium", "args": ["--headless",' \
    '"--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",' \
    '"--disable-background-networking", "--disable-component-update", "--disable-sync"]}' \
    >"$work/puppeteer.json"
  echo "mermaid-cli $("$work/node_modules/.bin/mmdc" --version)"

  failed=0
  checked=0
  while IFS= read -r lock; do
    for date in "${dates[@]}"; do
      for cmd in "--format markdown" "calendar --format markdown"; do
        # shellcheck disable=SC2086
        out=$("$bin" wasmtime-support $cmd --lockfile "$root/$lock" --date "$date" 2>/dev/null || true)
        chart=$(printf '%s\n' "$out" | sed -n '/^```mermaid$/,/^```$/p' | sed '1d;$d')
        [[ -z "$chart" ]] && continue
        printf '%s\n' "$chart" >"$work/chart.mmd"
        checked=$((checked + 1))
        if ! "$work/node_modules/.bin/mmdc" -q -p "$work/puppeteer.json" \
          -i "$work/chart.mmd" -o "$work/chart.svg" >"$work/mmdc.log" 2>&1; then
          echo "FAIL: $cmd --lockfile $lock --date $date: $(grep -m1 -i error "$work/mmdc.log")"
          failed=$((failed + 1))
        fi
      done
    done
  done < <(lockfiles)

  echo "mermaid: $checked charts rendered, $failed failed"
  [[ $failed -eq 0 ]] || status=1
}

check_sarif() {
  if [[ ! -x "$work/node_modules/.bin/sarif-multitool" ]]; then
    (cd "$work" && npm install --no-fund --no-audit @microsoft/sarif-multitool@5 >/dev/null)
  fi
  local tool="$work/node_modules/.bin/sarif-multitool"
  echo "$("$tool" --version 2>&1 | head -n 1)"
  local failed=0 checked=0 lock date
  while IFS= read -r lock; do
    for date in "${dates[@]}"; do
      "$bin" wasmtime-support --format sarif --lockfile "$root/$lock" --date "$date" \
        >"$work/report.sarif" 2>/dev/null || true
      checked=$((checked + 1))
      # The npm wrapper hands its arguments to a shell: the `;` is quoted twice.
      "$tool" validate --rule-kind '"Sarif;Gh"' --log ForceOverwrite \
        -o "$work/validation.sarif" "$work/report.sarif" >"$work/validate.log" 2>&1 || true
      local problems
      problems=$(node -e '
        const fs = require("fs");
        const r = JSON.parse(fs.readFileSync(process.argv[1], "utf8")).runs[0].results || [];
        for (const x of r) console.log(x.ruleId + " " + (x.message.text || "").slice(0, 120));
      ' "$work/validation.sarif" 2>&1 || echo "no validation output")
      if [[ -n "$problems" ]]; then
        echo "FAIL: --lockfile $lock --date $date:"
        printf '  %s\n' "$problems" | head -n 5
        failed=$((failed + 1))
      fi
    done
  done < <(lockfiles)
  echo "sarif: $checked reports validated, $failed failed"
  [[ $failed -eq 0 ]] || status=1
}

case "$what" in
  mermaid) check_mermaid ;;
  sarif) check_sarif ;;
  all) check_mermaid; check_sarif ;;
  *) echo "usage: $0 [WORKDIR] [mermaid|sarif|all]" >&2; exit 2 ;;
esac
exit "$status"
