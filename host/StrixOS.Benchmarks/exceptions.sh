#!/usr/bin/env bash
# Throw + catch across 1 and 10 frames: ns per cycle in the kernel (QEMU, command line
# bench=exceptions, TSC) and for the same C# on the host as NativeAOT; prints both and the ratio.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

"$ROOT/strix" run --cmdline bench=exceptions >"$work/kernel.log" 2>&1 || { cat "$work/kernel.log" >&2; exit 1; }
dotnet publish -c Release -r linux-x64 -o "$work/host" "$ROOT/host/StrixOS.Benchmarks/ExceptionsHost/ExceptionsHost.csproj" >"$work/publish.log" 2>&1 \
  || { cat "$work/publish.log" >&2; exit 1; }
"$work/host/ExceptionsHost" >"$work/host.log"

value() { grep -o "$1 frames=$2 .*ns-per-cycle=[0-9.]*" "$3" | sed 's/.*=//'; }
# QEMU without KVM emulates every instruction: the plain call chain measures that slowdown, and the
# last column divides it out (kernel/host throw ratio over kernel/host call-chain ratio).
kc=$(value call-chain 10 "$work/kernel.log"); hc=$(value call-chain 10 "$work/host.log")
printf '%-22s %16s %16s %8s %14s\n' benchmark "kernel ns/cycle" "host ns/cycle" ratio "vs emulation"
printf '%-22s %16s %16s %8s %14s\n' "call chain, 10 frames" "$kc" "$hc" "$(awk -v k="$kc" -v h="$hc" 'BEGIN { printf "%.2fx", k / h }')" "1.00x"
for frames in 1 10; do
  k=$(value throw-catch $frames "$work/kernel.log"); h=$(value throw-catch $frames "$work/host.log")
  printf '%-22s %16s %16s %8s %14s\n' "throw+catch, $frames frame(s)" "$k" "$h" \
    "$(awk -v k="$k" -v h="$h" 'BEGIN { printf "%.2fx", k / h }')" \
    "$(awk -v k="$k" -v h="$h" -v kc="$kc" -v hc="$hc" 'BEGIN { printf "%.2fx", (k / h) / (kc / hc) }')"
done
# The kernel's own breakdown: the same cycles with the unwinder's decode cache off, and the share of
# a cycle spent in the stack-frame iterator and the EH clause enumeration (ThrowCatchProfile.cs).
grep -oE '(throw-catch-uncached|profile) frames=.*' "$work/kernel.log" || true
