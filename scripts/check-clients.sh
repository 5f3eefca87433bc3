#!/usr/bin/env bash
# Feeds what the tool writes to the real programs that read it, installed
# from their registries into a scratch directory (nothing global but
# Debian's chromium, which mermaid-cli drives). Today: every Mermaid chart the
# tool writes (the Markdown report and `calendar --format markdown`, for every
# fixture lockfile at three dates) must render in mermaid-cli.
# Usage: scripts/check-clients.sh [WORKDIR]   (needs network for the installs)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-$(mktemp -d)}
mkdir -p "$work"
bin="$root/target/release/cargo-wasmtime-support"
[[ -x "$bin" ]] || (cd "$root" && cargo build --release --locked)

if ! command -v chromium >/dev/null; then
  apt-get install -y chromium >/dev/null
fi
if [[ ! -x "$work/node_modules/.bin/mmdc" ]]; then
  (cd "$work" && PUPPETEER_SKIP_DOWNLOAD=1 npm install --no-fund --no-audit @mermaid-js/mermaid-cli@11 >/dev/null)
fi
cat >"$work/puppeteer.json" <<'JSON'
{"executablePath": "/usr/bin/chromium",
 "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
          "--disable-background-networking", "--disable-component-update", "--disable-sync"]}
JSON
echo "mermaid-cli $("$work/node_modules/.bin/mmdc" --version)"

failed=0
checked=0
while IFS= read -r lock; do
  for date in 2026-08-19 2026-08-20 2026-12-05; do
    for cmd in "--format markdown" "calendar --format markdown"; do
      # shellcheck disable=SC2086
      out=$("$bin" wasmtime-support $cmd --lockfile "$lock" --date "$date" 2>/dev/null || true)
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
done < <(cd "$root" && find fixtures -name Cargo.lock | sort)

echo "mermaid: $checked charts rendered, $failed failed"
[[ $failed -eq 0 ]]
