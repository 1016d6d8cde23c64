#!/usr/bin/env bash
# Context switch (Thread.Yield between two threads), SemaphoreSlim ping-pong and `await Task.Yield()` round
# trip in the kernel (QEMU, 1 GiB, command line bench=threads, TSC) and for the same C# on the host .NET
# runtime pinned to one CPU; prints both, the ratio, and the ratio with QEMU's emulation slowdown divided out.
source "$(dirname "${BASH_SOURCE[0]}")/kernel-and-host.sh"
run_kernel_and_host threads ThreadsHost

printf '%-30s %12s %12s %8s %14s\n' benchmark kernel host ratio "vs emulation"
printf '%-30s %12s %12s %8s %14s\n' "call chain, ns" "$kc" "$hc" "${slow}x" "1.00x"
for row in "threads-yield:context switch (Yield), ns" "threads-semaphore:SemaphoreSlim ping-pong, ns" "threads-task-yield:await Task.Yield(), ns"; do
  key="${row%%:*}"; label="${row#*:}"
  k=$(field "$key " ns "$work/kernel.log"); h=$(field "$key " ns "$work/host.log")
  printf '%-30s %12s %12s %8s %14s\n' "$label" "$k" "$h" \
    "$(awk -v k="$k" -v h="$h" 'BEGIN { printf "%.2fx", k / h }')" \
    "$(awk -v k="$k" -v h="$h" -v s="$slow" 'BEGIN { printf "%.2fx", (k / h) / s }')"
done
