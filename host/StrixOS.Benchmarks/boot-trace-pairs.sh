#!/usr/bin/env bash
# Traced boots of two ISOs in pairs (the order swapped every pair), on the QEMU line of `./strix bench boot` with
# `strix.boottrace`: prints each boot's "firmware and GRUB" and "expander" phases (TSC time, microseconds) and QEMU's
# CPU time (perf task-clock), then per ISO the medians (fastest) and the paired medians of BEFORE minus AFTER.
# Usage: host/StrixOS.Benchmarks/boot-trace-pairs.sh PAIRS BEFORE_ISO AFTER_ISO
# Both ISOs must boot to a success exit (status 33), e.g. application images (StrixKernelTests=false).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
(( $# == 3 )) || { echo "usage: $0 PAIRS BEFORE_ISO AFTER_ISO" >&2; exit 2; }
PAIRS="$1" BEFORE="$2" AFTER="$3"
for iso in "$BEFORE" "$AFTER"; do [[ -f "$iso" ]] || { echo "$0: no ISO $iso" >&2; exit 2; }; done
perf stat -e task-clock -x, -o /dev/null -- true 2>/dev/null || { echo "$0: perf stat does not run here" >&2; exit 2; }
dotnet build "$ROOT/host/StrixOS.Tools/StrixOS.Tools.csproj" -c Release -nologo -v:q -tl:off >/dev/null
TOOLS="$ROOT/host/StrixOS.Tools/bin/Release/net10.0/StrixOS.Tools.dll"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

boot() { # label iso: one line "label grub_us expander_us cpu_ms load"
  local args status=0 grub expander cpu
  mapfile -t args < <(dotnet "$TOOLS" qemu-args "$2" --serial "file:$WORK/serial" --cmdline strix.boottrace)
  perf stat -e task-clock -x, -o "$WORK/perf" -- timeout 60 qemu-system-x86_64 "${args[@]}" >/dev/null 2>&1 || status=$?
  [[ "$status" -eq 33 ]] || { echo "$0: the boot of $2 ended with status $status, not 33" >&2; exit 1; }
  grub=$(awk '/boottrace:.*firmware and GRUB/ { print $3; exit }' "$WORK/serial")
  expander=$(awk '/boottrace:.*expander/ { print $3; exit }' "$WORK/serial")
  cpu=$(awk -F, '$3 == "task-clock" { printf "%d", $1 }' "$WORK/perf")
  [[ -n "$grub" ]] || { echo "$0: $2 printed no boottrace phases" >&2; exit 1; }
  echo "$1 ${grub} ${expander:-0} ${cpu} $(cut -d' ' -f1 /proc/loadavg)" | tee -a "$WORK/results"
}

for ((i = 0; i < PAIRS; i++)); do
  if (( i % 2 )); then boot before "$BEFORE"; boot after "$AFTER"; else boot after "$AFTER"; boot before "$BEFORE"; fi
done

median() { sort -n | awk '{ a[NR] = $1 } END { printf "%s (fastest %s)", (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2, a[1] }'; }
echo "medians of $PAIRS pairs (load $(awk '{ print $5 }' "$WORK/results" | sort -n | sed -n '1p;$p' | paste -sd-)):"
for label in before after; do
  printf '%-7s firmware and GRUB %s us, expander %s us, QEMU CPU %s ms\n' "$label" \
    "$(awk -v l=$label '$1 == l { print $2 }' "$WORK/results" | median)" \
    "$(awk -v l=$label '$1 == l { print $3 }' "$WORK/results" | median)" \
    "$(awk -v l=$label '$1 == l { print $4 }' "$WORK/results" | median)"
done
for column in 2:firmware-and-GRUB-us 4:QEMU-CPU-ms; do
  awk -v c="${column%%:*}" '$1 == "before" { b = $c } $1 == "after" { a = $c } NR % 2 == 0 { print b - a }' "$WORK/results" \
    | sort -n | awk -v name="${column#*:}" '{ a[NR] = $1; if ($1 > 0) p++ }
        END { printf "paired before minus after, %s: median %s (%d of %d pairs before > after)\n", name,
              (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2, p, NR }'
done
