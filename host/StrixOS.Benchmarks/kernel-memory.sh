#!/usr/bin/env bash
# The mapper workloads inside the kernel (QEMU, Release image, command line bench=memory, TSC): median ns
# per call of 101 runs of 512 calls each. The same workloads run on the host with
# `./strix bench memory` (BenchmarkDotNet, JIT and NativeAOT); docs/benchmarks.md puts them side by side.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
"$ROOT/strix" run --configuration Release --cmdline bench=memory >"$log" 2>&1 || { cat "$log" >&2; exit 1; }
grep -o 'mapper .*' "$log" | tr -d '\r'
