#!/usr/bin/env bash
# Which 2 MiB regions of guest RAM the host has backed when the kernel starts and once it has booted.
# QEMU's guest RAM is anonymous memory marked for transparent huge pages: the first write to each 2 MiB
# region makes the host fault in (and clear) a whole huge page, 0.1 ms or several ms on this machine kind
# (docs/benchmarks.md, "Boot start-up, fifth round"). The kernel's start-up should add no region the
# firmware and GRUB had not already touched.
# Usage: host/StrixOS.Benchmarks/boot-touch.sh [ISO [ELF [RAM_MB [uefi]]]]   (default: the application image,
#   StrixOS/bin/Release/app/strix.iso and strix.elf, 128 MiB, SeaBIOS). QEMU on the benchmark's line, halted at reset;
#   gdb stops it at _start (the kernel's first instruction, after the expander), then the kernel boots with
#   strix.idle and is looked at 3 s later. Prints one character per 2 MiB region (# backed, . not) and the
#   regions the kernel added, as physical ranges.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
ISO="${1:-$ROOT/StrixOS/bin/Release/app/strix.iso}"
ELF="${2:-$(dirname "$ISO")/strix.elf}"
RAM_MB="${3:-128}"
FIRMWARE=()
[[ "${4:-}" == uefi ]] && FIRMWARE=(--uefi)
PORT="${STRIX_GDB_PORT:-1251}"
TOOLS="$ROOT/host/StrixOS.Tools/bin/Release/net10.0/StrixOS.Tools.dll"
[[ -f "$TOOLS" ]] || dotnet build "$ROOT/host/StrixOS.Tools" -c Release -v q >/dev/null
[[ -f "$ISO" && -f "$ELF" ]] || { echo "boot-touch.sh: no image at $ISO / $ELF" >&2; exit 2; }
START="0x$(nm "$ELF" | awk '$3 == "_start" { print $1 }')"
WORK="$(mktemp -d)"
QEMU_PID=""
trap '[[ -n "$QEMU_PID" ]] && kill "$QEMU_PID" 2>/dev/null; rm -rf "$WORK"' EXIT

# The backed regions of QEMU's guest RAM (the anonymous mapping of exactly RAM_MB), one character each.
regions() {
  local base="" range rest lo hi
  while read -r range rest; do
    lo=$((16#${range%-*})); hi=$((16#${range#*-}))
    if (( hi - lo == RAM_MB << 20 )) && [[ $(wc -w <<<"$rest") -lt 5 ]]; then base=$lo; break; fi
  done <"/proc/$QEMU_PID/maps"
  [[ -n "$base" ]] || { echo "boot-touch.sh: guest RAM mapping not found in /proc/$QEMU_PID/maps" >&2; exit 1; }
  dd if="/proc/$QEMU_PID/pagemap" bs=4096 skip=$((base / 4096 * 8 / 4096)) count=$((RAM_MB * 256 * 8 / 4096)) status=none |
    od -An -v -t x8 -w8 | awk '{ present = substr($1, 1, 1) ~ /[89a-f]/; region = int((NR - 1) / 512); if (present) backed[region] = 1 }
      END { for (r = 0; r < '$((RAM_MB / 2))'; r++) printf "%s", (r in backed) ? "#" : "."; print "" }'
}

mapfile -t ARGS < <(dotnet "$TOOLS" qemu-args "$ISO" --memory "${RAM_MB}M" "${FIRMWARE[@]}" --serial "file:$WORK/serial.log" --cmdline strix.idle)
qemu-system-x86_64 "${ARGS[@]}" -S -gdb "tcp::$PORT" 2>"$WORK/qemu.err" &
QEMU_PID=$!
sleep 0.5
gdb -q -batch -ex "set architecture i386:x86-64" -ex "target remote :$PORT" -ex "hbreak *$START" -ex continue \
  -ex "shell echo stop >$WORK/at-start" -ex "shell sleep 2" -ex detach >/dev/null 2>&1 &
GDB_PID=$!
for _ in $(seq 100); do [[ -f "$WORK/at-start" ]] && break; sleep 0.1; done
[[ -f "$WORK/at-start" ]] || { echo "boot-touch.sh: QEMU never reached _start ($START)" >&2; exit 1; }
AT_START=$(regions)
wait "$GDB_PID" || true
sleep 3
AT_END=$(regions)
grep -q "boot complete" <(tr -d '\r' <"$WORK/serial.log") || { echo "boot-touch.sh: the kernel did not report boot complete" >&2; exit 1; }
echo "2 MiB regions of guest RAM backed by the host (# backed), from physical 0:"
echo "  at _start:   $AT_START"
echo "  after boot:  $AT_END"
added=""
for ((r = 0; r < ${#AT_START}; r++)); do
  [[ "${AT_START:r:1}" == "." && "${AT_END:r:1}" == "#" ]] && added+=$(printf ' 0x%x-0x%x' $((r << 21)) $(((r + 1) << 21)))
done
echo "regions the kernel's start-up added: ${added:- none}"
