#!/usr/bin/env bash
# Boot-time benchmark: QEMU start to exit for StrixOS (the application ISO `strix run` boots) against a
# NASM-only multiboot2 kernel that exits at once, booted through the same kind of GRUB ISO,
# alternating the two, N runs each (default 5). Prints each run, the medians and the ratio.
# Usage: host/StrixOS.Benchmarks/boot-time.sh [runs]   (or ./strix bench boot)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
RUNS="${1:-5}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
# Builds both ISOs (the application image's $STRIX_ISO, the floor's $WORK/floor.iso), their QEMU lines
# (FLOOR_ARGS, STRIX_ARGS: the test engine's machine, QemuConfiguration) and the tools ($TOOLS).
source "$ROOT/host/StrixOS.Benchmarks/BootFloor/prepare.sh"

boot_ms() {
  local iso="$1" start end status=0 args
  if [[ "$iso" == "$STRIX_ISO" ]]; then args=("${STRIX_ARGS[@]}"); else args=("${FLOOR_ARGS[@]}"); fi
  start=$(date +%s%N)
  timeout 60 qemu-system-x86_64 "${args[@]}" >/dev/null 2>&1 || status=$?
  end=$(date +%s%N)
  [[ "$status" -eq 33 ]] || { echo "boot of $iso ended with status $status, not 33" >&2; exit 1; }
  echo $(( (end - start) / 1000000 ))
}

median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

floor=(); strix=()
for ((i = 1; i <= RUNS; i++)); do
  f=$(boot_ms "$WORK/floor.iso"); s=$(boot_ms "$STRIX_ISO")
  floor+=("$f"); strix+=("$s")
  printf 'run %d: floor %d ms, StrixOS %d ms\n' "$i" "$f" "$s"
done
fm=$(printf '%s\n' "${floor[@]}" | median)
sm=$(printf '%s\n' "${strix[@]}" | median)
printf 'median: floor %s ms, StrixOS %s ms, ratio %s\n' "$fm" "$sm" "$(awk -v a="$sm" -v b="$fm" 'BEGIN { printf "%.2f", a / b }')"
