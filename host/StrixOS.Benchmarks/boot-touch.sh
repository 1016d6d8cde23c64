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
# STRIX_TOUCH_PAGES=1: QEMU runs with transparent huge pages off (prctl PR_SET_THP_DISABLE, inherited through exec),
#   so the host backs single 4 KiB pages; then also prints, per 2 MiB region, how many 4 KiB pages the kernel wrote
#   (backed after the boot, not at _start) and their ranges: the start-up's frames, page by page (diagnosis only: the
#   boot itself then runs on 4 KiB host pages).
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

# One line per 4 KiB page of QEMU's guest RAM (the anonymous mapping of exactly RAM_MB): 1 backed, 0 not.
pages() {
  local base="" range rest lo hi
  while read -r range rest; do
    lo=$((16#${range%-*})); hi=$((16#${range#*-}))
    if (( hi - lo == RAM_MB << 20 )) && [[ $(wc -w <<<"$rest") -lt 5 ]]; then base=$lo; break; fi
  done <"/proc/$QEMU_PID/maps"
  [[ -n "$base" ]] || { echo "boot-touch.sh: guest RAM mapping not found in /proc/$QEMU_PID/maps" >&2; exit 1; }
  dd if="/proc/$QEMU_PID/pagemap" bs=4096 skip=$((base / 4096 * 8 / 4096)) count=$((RAM_MB * 256 * 8 / 4096)) status=none |
    od -An -v -t x8 -w8 | awk '{ print (substr($1, 1, 1) ~ /[89a-f]/) ? 1 : 0 }'
}

# The backed 2 MiB regions, one character each.
regions() {
  awk '{ region = int((NR - 1) / 512); if ($1) backed[region] = 1 }
    END { for (r = 0; r < '$((RAM_MB / 2))'; r++) printf "%s", (r in backed) ? "#" : "."; print "" }' "$1"
}

mapfile -t ARGS < <(dotnet "$TOOLS" qemu-args "$ISO" --memory "${RAM_MB}M" "${FIRMWARE[@]}" --serial "file:$WORK/serial.log" --cmdline strix.idle)
QEMU=(qemu-system-x86_64)
# PR_SET_THP_DISABLE (41) survives exec: QEMU's guest RAM is then backed page by page.
[[ "${STRIX_TOUCH_PAGES:-0}" == 1 ]] &&
  QEMU=(python3 -c 'import ctypes, os, sys; ctypes.CDLL(None).prctl(41, 1, 0, 0, 0) == 0 or sys.exit("prctl failed"); os.execvp(sys.argv[1], sys.argv[1:])' qemu-system-x86_64)
"${QEMU[@]}" "${ARGS[@]}" -S -gdb "tcp::$PORT" 2>"$WORK/qemu.err" &
QEMU_PID=$!
sleep 0.5
gdb -q -batch -ex "set architecture i386:x86-64" -ex "target remote :$PORT" -ex "hbreak *$START" -ex continue \
  -ex "shell echo stop >$WORK/at-start" -ex "shell sleep 2" -ex detach >/dev/null 2>&1 &
GDB_PID=$!
for _ in $(seq 100); do [[ -f "$WORK/at-start" ]] && break; sleep 0.1; done
[[ -f "$WORK/at-start" ]] || { echo "boot-touch.sh: QEMU never reached _start ($START)" >&2; exit 1; }
pages >"$WORK/at-start.pages"
AT_START=$(regions "$WORK/at-start.pages")
wait "$GDB_PID" || true
sleep 3
pages >"$WORK/at-end.pages"
AT_END=$(regions "$WORK/at-end.pages")
grep -q "boot complete" <(tr -d '\r' <"$WORK/serial.log") || { echo "boot-touch.sh: the kernel did not report boot complete" >&2; exit 1; }
echo "2 MiB regions of guest RAM backed by the host (# backed), from physical 0:"
echo "  at _start:   $AT_START"
echo "  after boot:  $AT_END"
added=""
for ((r = 0; r < ${#AT_START}; r++)); do
  [[ "${AT_START:r:1}" == "." && "${AT_END:r:1}" == "#" ]] && added+=$(printf ' 0x%x-0x%x' $((r << 21)) $(((r + 1) << 21)))
done
echo "regions the kernel's start-up added: ${added:- none}"
[[ "${STRIX_TOUCH_PAGES:-0}" == 1 ]] || exit 0
echo "4 KiB pages the kernel wrote (backed after the boot, not at _start), per 2 MiB region:"
paste -d ' ' "$WORK/at-start.pages" "$WORK/at-end.pages" | awk '
  function flush() { if (first >= 0) ranges[region] = ranges[region] sprintf(" 0x%x-0x%x", first * 4096, (last + 1) * 4096); first = -1 }
  BEGIN { first = -1 }
  { page = NR - 1; added = ($1 == 0 && $2 == 1)
    if (added && first >= 0 && page == last + 1 && int(page / 512) == region) { last = page; count[region]++; next }
    flush()
    if (added) { region = int(page / 512); first = last = page; count[region]++ } }
  END { flush(); for (r in count) printf "  %d-%d MiB: %d pages:%s\n", r * 2, r * 2 + 2, count[r], ranges[r] }' | sort -n -k1,1
