#!/usr/bin/env bash
# Measures the audit of large shipped artifacts: a 50 MB binary (the demo
# binary built with `cargo auditable`, grown to 50 MB: the whole file is read
# and its section table walked) and a CycloneDX SBOM of 10,000 components
# (10 of them Wasmtime's, the rest npm packages, as a container scanner
# lists them). Prints the mean wall time of 20 runs of each, and the peak
# memory of one.
# Usage: scripts/measure-shipped.sh [WORKDIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-$(mktemp -d)}
mkdir -p "$work"
bin="$root/target/release/cargo-wasmtime-support"
[[ -x "$bin" ]] || (cd "$root" && cargo build --release --locked)

cp "$root/fixtures/shipped/auditable-demo" "$work/big-binary"
size=$(stat -c %s "$work/big-binary")
head -c $((50 * 1000 * 1000 - size)) /dev/urandom >>"$work/big-binary"

python3 - "$work/big-sbom.json" <<'PY'
import json, sys
components = [{"bom-ref": f"npm-{i}", "type": "library", "name": f"package-{i}",
               "version": f"1.{i % 50}.{i % 7}", "purl": f"pkg:npm/package-{i}@1.{i % 50}.{i % 7}"}
              for i in range(9990)]
family = ["wasmtime", "wasmtime-wasi", "wasmtime-environ", "wasmtime-cranelift", "wasmtime-types",
          "wasmtime-runtime", "wasmtime-jit", "wasmtime-fiber", "wasmtime-asm-macros", "wasmtime-cache"]
components += [{"bom-ref": f"{n}@36.0.2", "type": "library", "name": n, "version": "36.0.2",
                "purl": f"pkg:cargo/{n}@36.0.2"} for n in family]
deps = [{"ref": c["bom-ref"], "dependsOn": [components[(i + 1) % len(components)]["bom-ref"]]}
        for i, c in enumerate(components)]
json.dump({"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
           "components": components, "dependencies": deps}, open(sys.argv[1], "w"), indent=2)
PY

measure() {
  local what=$1; shift
  local start end
  "$@" >/dev/null 2>&1 || true
  start=$(date +%s%N)
  for _ in $(seq 20); do "$@" >/dev/null 2>&1 || true; done
  end=$(date +%s%N)
  local rss
  rss=$(python3 -c 'import resource, subprocess, sys
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' "$@")
  printf '%-45s %6.1f ms mean, %s KiB peak RSS\n' "$what" "$(echo "($end - $start) / 20 / 1000000" | bc -l)" "$rss"
}
echo "binary: $(stat -c %s "$work/big-binary") bytes; SBOM: $(stat -c %s "$work/big-sbom.json") bytes"
measure "50 MB binary (--bin)" "$bin" wasmtime-support --bin "$work/big-binary" --date 2026-12-06 --format json
measure "10,000-component SBOM (--sbom)" "$bin" wasmtime-support --sbom "$work/big-sbom.json" --date 2026-12-06 --format json
measure "the demo binary (344 KB)" "$bin" wasmtime-support --bin "$root/fixtures/shipped/auditable-demo" --date 2026-12-06 --format json
