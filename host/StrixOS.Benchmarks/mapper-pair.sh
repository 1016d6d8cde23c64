#!/usr/bin/env bash
# Per-call mapper costs under NativeAOT (kernel ILC settings), two versions of StrixOS.Core side by side:
#   host/StrixOS.Benchmarks/mapper-pair.sh [BEFORE-REV] [PAIRS] [RUNS] [two-hardware]
# "before" is BEFORE-REV (default main, extracted with git archive), "after" this working tree; both run
# the same MapperWorkloads through MapperPair/ (Stopwatch, best of 41 rounds of RUNS workloads, default
# 300). The two programs alternate PAIRS times (default 3); printed: per workload, the median of each
# side's figures in ns per call and before / after. Quieter than BenchmarkDotNet on a shared machine
# (seconds per run, and alternating cancels slow drifts in load); docs/benchmarks.md has the figures.
# "two-hardware": both programs built with a second IPagingHardware implementation in use, as in the
# BenchmarkDotNet program (ILC then guards FlushPage with a type test; the kernel has one implementation).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
rev="${1:-main}"; pairs="${2:-3}"; runs="${3:-300}"
two=false; [[ "${4:-}" == two-hardware ]] && two=true
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

mkdir -p "$work/before-src"
git -C "$ROOT" archive "$rev" | tar -x -C "$work/before-src"
for side in before after; do
  src="$ROOT"; [[ $side == before ]] && src="$work/before-src"
  mkdir -p "$work/$side"
  cp "$ROOT/host/StrixOS.Benchmarks/MapperPair/MapperPair.csproj" "$ROOT/host/StrixOS.Benchmarks/MapperPair/Program.cs" "$work/$side/"
  dotnet publish -c Release -r linux-x64 -p:SRC="$src" -p:TwoHardware=$two -o "$work/$side/out" "$work/$side/MapperPair.csproj" \
    >"$work/$side/publish.log" 2>&1 || { cat "$work/$side/publish.log" >&2; exit 1; }
done
for i in $(seq "$pairs"); do
  "$work/before/out/MapperPair" "$runs" >"$work/before.$i"
  "$work/after/out/MapperPair" "$runs" >"$work/after.$i"
done

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
printf '%-20s %8s %8s %14s\n' workload before after "before/after"
lines=$(wc -l <"$work/before.1")
for k in $(seq "$lines"); do
  name=$(sed -n "${k}p" "$work/before.1" | cut -c1-20 | sed 's/ *$//')
  b=$(for i in $(seq "$pairs"); do sed -n "${k}p" "$work/before.$i" | awk '{ print $NF }'; done | median)
  a=$(for i in $(seq "$pairs"); do sed -n "${k}p" "$work/after.$i" | awk '{ print $NF }'; done | median)
  printf '%-20s %8.2f %8.2f %13.2fx\n' "$name" "$b" "$a" "$(awk -v b="$b" -v a="$a" 'BEGIN { print b / a }')"
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
