#!/usr/bin/env bash
# Allocation throughput and full-collection pause (10 MB and 100 MB live) in the kernel (QEMU, 1 GiB,
# command line bench=gc, TSC) and for the same C# on the host .NET runtime (workstation, non-concurrent
# GC); prints both, the ratio, and the ratio with QEMU's emulation slowdown divided out.
source "$(dirname "${BASH_SOURCE[0]}")/kernel-and-host.sh"
run_kernel_and_host gc GcHost

printf '%-26s %16s %16s %8s %14s\n' benchmark kernel host ratio "vs emulation"
printf '%-26s %16s %16s %8s %14s\n' "call chain, ns" "$kc" "$hc" "${slow}x" "1.00x"
ka=$(field gc-alloc objects-per-second "$work/kernel.log"); ha=$(field gc-alloc objects-per-second "$work/host.log")
# Throughput: host/kernel, so that above 1 means the kernel is slower, like the pauses.
printf '%-26s %16s %16s %8s %14s\n' "allocation, objects/s" "$ka" "$ha" \
  "$(awk -v k="$ka" -v h="$ha" 'BEGIN { printf "%.2fx", h / k }')" \
  "$(awk -v k="$ka" -v h="$ha" -v s="$slow" 'BEGIN { printf "%.2fx", (h / k) / s }')"
for mb in 10 100; do
  k=$(field "gc-pause live-mb=$mb" us "$work/kernel.log"); h=$(field "gc-pause live-mb=$mb" us "$work/host.log")
  printf '%-26s %16s %16s %8s %14s\n' "pause, $mb MB live, us" "$k" "$h" \
    "$(awk -v k="$k" -v h="$h" 'BEGIN { printf "%.2fx", k / h }')" \
    "$(awk -v k="$k" -v h="$h" -v s="$slow" 'BEGIN { printf "%.2fx", (k / h) / s }')"
done
