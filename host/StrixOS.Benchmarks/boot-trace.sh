#!/usr/bin/env bash
# Where the kernel's start-up goes, before and after a change: boots ISOs alternately under strix.boottrace
# (docs/benchmarks.md, "Boot start-up") on the QEMU line of `./strix bench boot` (128M, SeaBIOS, CD) with the
# serial port into a file, and prints every boot's phases, then per phase and ISO the median and the range in
# milliseconds, and "kernel": the kernel's first instruction to its last phase (the expander excluded), plus
# QEMU's CPU time (all threads, perf task-clock, when perf runs here). With two ISOs it also prints the
# paired differences (first minus second, per round) of GRUB's phase, the kernel and the CPU time.
# Usage: host/StrixOS.Benchmarks/boot-trace.sh ROUNDS NAME=ISO [NAME=ISO...]
#   e.g. boot-trace.sh 10 before=/tmp/main/strix.iso after=StrixOS/bin/Release/app/strix.iso
# The ISOs: application images (`dotnet build StrixOS/StrixOS.csproj -c Release -p:StrixKernelTests=false`,
# StrixOS/bin/Release/app/strix.iso); copy the "before" one away before building the "after" one.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
ROUNDS="${1:?usage: boot-trace.sh ROUNDS NAME=ISO [NAME=ISO...]}"
shift
[[ $# -gt 0 ]] || { echo "boot-trace.sh: name at least one NAME=ISO" >&2; exit 2; }
TOOLS="$ROOT/host/StrixOS.Tools/bin/Release/net10.0/StrixOS.Tools.dll"
[[ -f "$TOOLS" ]] || dotnet build "$ROOT/host/StrixOS.Tools" -c Release -v q >/dev/null
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
NAMES=(); ISOS=()
for pair in "$@"; do
  [[ "$pair" == *=* && -f "${pair#*=}" ]] || { echo "boot-trace.sh: '$pair' is not NAME=ISO with an existing ISO" >&2; exit 2; }
  NAMES+=("${pair%%=*}"); ISOS+=("${pair#*=}")
done

# QEMU under perf stat when perf runs here: its CPU time becomes one more line, "QEMU CPU time".
PERF=()
if perf stat -e task-clock -x, -o /dev/null -- true 2>/dev/null; then PERF=(perf stat -e task-clock -x, -o "$WORK/perf" --); fi

# One line per phase into $WORK/phases: name, round, microseconds, phase.
for ((round = 0; round < ROUNDS; round++)); do
  order=()
  for ((i = 0; i < ${#NAMES[@]}; i++)); do order+=("$i"); done
  if ((round % 2 == 1)); then order=($(printf '%s\n' "${order[@]}" | tac)); fi   # alternate the order
  for i in "${order[@]}"; do
    mapfile -t ARGS < <(dotnet "$TOOLS" qemu-args "${ISOS[$i]}" --serial "file:$WORK/serial.log" --cmdline strix.boottrace)
    status=0
    "${PERF[@]}" timeout 120 qemu-system-x86_64 "${ARGS[@]}" || status=$?
    if [[ $status -ne 33 ]]; then echo "boot-trace.sh: ${NAMES[$i]} round $round: QEMU exit status $status (33 expected)" >&2; exit 1; fi
    tr -d '\r' <"$WORK/serial.log" | awk -v name="${NAMES[$i]}" -v round="$round" '
      /boottrace: +[0-9]+ us +\(at/ { us = $3; sub(/.*us\)  /, ""); print name "\t" round "\t" us "\t" $0 }' >>"$WORK/phases"
    if [[ ${#PERF[@]} -gt 0 ]]; then
      awk -F, -v name="${NAMES[$i]}" -v round="$round" '$3 == "task-clock" { printf "%s\t%s\t%d\tQEMU CPU time (all threads)\n", name, round, $1 * 1000 }' "$WORK/perf" >>"$WORK/phases"
    fi
    printf '%s round %d:' "${NAMES[$i]}" "$round"
    awk -F'\t' -v n="${NAMES[$i]}" -v r="$round" '$1 == n && $2 == r { printf " %.1f", $3 / 1000 }' "$WORK/phases"
    echo
  done
done

# Medians and ranges per phase (in the order the first ISO printed them) and of the kernel's total.
awk -F'\t' -v names="${NAMES[*]}" '
  function median(list,   n, v, i, j, t) {
    n = split(list, v, " ")
    for (i = 2; i <= n; i++) for (j = i; j > 1 && v[j - 1] + 0 > v[j] + 0; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
    lo = v[1]; hi = v[n]
    return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
  }
  { if (!(($4) in seen)) { seen[$4] = 1; order[++phases] = $4 }
    values[$1, $4] = values[$1, $4] " " $3 / 1000
    if ($4 ~ /^firmware and GRUB/) grub[$1, $2] = $3 / 1000
    else if ($4 ~ /^QEMU CPU/) cpu[$1, $2] = $3 / 1000
    else if ($4 !~ /^expander/) kernel[$1, $2] += $3 / 1000
    if ($2 + 1 > rounds) rounds = $2 + 1 }
  END {
    n = split(names, name, " ")
    printf "%-58s", "phase (ms: median (min-max))"; for (i = 1; i <= n; i++) printf " %24s", name[i]; print ""
    for (p = 1; p <= phases; p++) {
      printf "%-58s", substr(order[p], 1, 58)
      for (i = 1; i <= n; i++) { m = median(values[name[i], order[p]]); printf " %24s", sprintf("%.2f (%.1f-%.1f)", m, lo, hi) }
      print ""
    }
    printf "%-58s", "kernel (first instruction to the last phase)"
    for (i = 1; i <= n; i++) {
      list = ""; for (key in kernel) { split(key, k, SUBSEP); if (k[1] == name[i]) list = list " " kernel[key] }
      m = median(list); printf " %24s", sprintf("%.2f (%.1f-%.1f)", m, lo, hi)
    }
    print ""
    if (n != 2) exit
    # Paired: the same round of the two ISOs (booted one after the other), first minus second.
    paired("firmware and GRUB", grub); paired("kernel", kernel); paired("QEMU CPU time", cpu)
  }
  function paired(what, table,   r, list, m, count, pos, d) {
    list = ""; count = 0; pos = 0
    for (r = 0; r < rounds; r++) {
      if (!((name[1], r) in table) || !((name[2], r) in table)) continue
      d = table[name[1], r] - table[name[2], r]; list = list " " d; count++; if (d > 0) pos++
    }
    if (count == 0) return
    m = median(list)
    printf "paired %s minus %s, %s: median %.2f ms (%d of %d rounds above 0)\n", name[1], name[2], what, m, pos, count
  }' "$WORK/phases"
