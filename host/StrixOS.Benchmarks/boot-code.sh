#!/usr/bin/env bash
# The guest code a boot translates once, and the host memory QEMU's translated code takes (docs/benchmarks.md,
# "Code run once at start-up"). Two measurements on the QEMU line of `./strix bench boot` (128M, SeaBIOS, CD),
# both booting with strix.idle (the kernel halts after "boot complete"):
#  1. instructions: one boot under `-d in_asm,exec,nochain -dfilter` (the kernel's high-half text only):
#     every guest instruction QEMU translates there, split by the boot-trace phase that first ran it (a phase
#     ends at KernelHost.Boot and at each entry to BootTrace.Mark; the last one, "boot complete", is the rest up to the halt) and
#     counted per function with the image's nm table. "translated" counts every instruction of every
#     translation block (a block that starts inside another is translated again), "distinct" each address once.
#  2. code buffer: RUNS boots without logging; once "boot complete" is on the serial port, the Rss and
#     AnonHugePages of QEMU's 1 GiB mapping (TCG's code buffer) and of the guest RAM mapping from /proc/PID/smaps,
#     and the bytes of host code QEMU generated in the whole boot (its monitor's `info jit`, "gen code size").
# Usage: [FUNCTIONS=FILE] host/StrixOS.Benchmarks/boot-code.sh [ISO [RUNS [TOP]]]   (default: the application image
#   StrixOS/bin/Release/app/strix.iso with strix.elf beside it, 4 runs, the 25 functions with most instructions)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
ISO="${1:-$ROOT/StrixOS/bin/Release/app/strix.iso}"
ELF="$(dirname "$ISO")/strix.elf"
RUNS="${2:-4}"
TOP="${3:-25}"
TOOLS="$ROOT/host/StrixOS.Tools/bin/Release/net10.0/StrixOS.Tools.dll"
[[ -f "$TOOLS" ]] || dotnet build "$ROOT/host/StrixOS.Tools" -c Release -v q >/dev/null
[[ -f "$ISO" && -f "$ELF" ]] || { echo "boot-code.sh: no image at $ISO / $ELF" >&2; exit 2; }
WORK="$(mktemp -d)"
QEMU_PID=""
trap '[[ -n "$QEMU_PID" ]] && kill "$QEMU_PID" 2>/dev/null; rm -rf "$WORK"' EXIT

# Boots with strix.idle (extra QEMU arguments: $@) until "boot complete" is on the serial port; QEMU keeps running.
boot_until_complete() {
  : >"$WORK/serial.log"
  mapfile -t ARGS < <(dotnet "$TOOLS" qemu-args "$ISO" --serial "file:$WORK/serial.log" --cmdline strix.idle)
  qemu-system-x86_64 "${ARGS[@]}" "$@" 2>"$WORK/qemu.err" &
  QEMU_PID=$!
  for _ in $(seq 600); do
    grep -q "boot complete" "$WORK/serial.log" && return 0
    kill -0 "$QEMU_PID" 2>/dev/null || break
    sleep 0.1
  done
  echo "boot-code.sh: the kernel did not report boot complete (serial log and QEMU's errors follow)" >&2
  tr -d '\r' <"$WORK/serial.log" | tail -5 >&2; cat "$WORK/qemu.err" >&2
  exit 1
}
stop_qemu() { kill "$QEMU_PID" 2>/dev/null || true; wait "$QEMU_PID" 2>/dev/null || true; QEMU_PID=""; }

# 1. Instructions translated, per phase and per function.
TEXT=$(readelf -lW "$ELF" | awk '$1 == "LOAD" && $3 ~ /^0xffff/ && $NF == "0x20" && $(NF-1) ~ /E/ { print $3, $6 }')
read -r TEXT_START TEXT_SIZE <<<"$TEXT"
[[ -n "$TEXT_START" ]] || { echo "boot-code.sh: no high-half text segment in $ELF" >&2; exit 1; }
MARK=$(nm "$ELF" | awk '$3 == "StrixOS_StrixOS_Diagnostics_BootTrace__Mark" { print $1 }')
BOOT=$(nm "$ELF" | awk '$3 == "StrixOS_StrixOS_KernelHost__Boot" { print $1 }')
[[ -n "$MARK" && -n "$BOOT" ]] || { echo "boot-code.sh: BootTrace.Mark or KernelHost.Boot not in $ELF's symbols" >&2; exit 1; }
boot_until_complete -d in_asm,exec,nochain -dfilter "$TEXT_START+$TEXT_SIZE" -D "$WORK/qemu.log"
sleep 0.5
stop_qemu
# The phase names, in order, as a traced boot prints them (the same Mark calls, so the same order).
mapfile -t ARGS < <(dotnet "$TOOLS" qemu-args "$ISO" --serial "file:$WORK/trace.log" --cmdline "strix.idle strix.boottrace")
timeout 60 qemu-system-x86_64 "${ARGS[@]}" 2>/dev/null &
QEMU_PID=$!
for _ in $(seq 600); do grep -q "boot complete" "$WORK/trace.log" 2>/dev/null && break; sleep 0.1; done
stop_qemu
# Phase 0 runs from the high half's first instruction to KernelHost.Boot; each Mark then ends the next phase.
echo "boot stage's high half, runtime start-up (to KernelHost.Boot)" >"$WORK/phases"
tr -d '\r' <"$WORK/trace.log" | sed -n 's/.*boottrace: .*us)  //p' | sed '1,/^runtime start-up/d' >>"$WORK/phases"
echo "boot complete (strix.idle)" >>"$WORK/phases"
nm "$ELF" | awk '$2 ~ /^[Tt]$/ { print $1, $3 }' | sort >"$WORK/functions"

# One line per translated instruction (not the lines that only continue a long instruction's bytes): phase, address.
awk -v mark="$MARK" -v boot="$BOOT" '
  /^Trace / { if (index($0, "/" mark "/") || (!booted && index($0, "/" boot "/"))) { phase++; booted = 1 } next }
  /^0x[0-9a-f]+:/ {
    for (i = 2; i <= NF && $i ~ /^[0-9a-f][0-9a-f]$/; i++) ;
    if (i > NF) next
    a = substr($1, 3, length($1) - 3); while (length(a) < 16) a = "0" a; print phase + 0, a }
' "$WORK/qemu.log" >"$WORK/translated"
# Per address the first phase that translated it and the function holding it (merged with the sorted nm table).
sort -k2,2 -k1,1n "$WORK/translated" | awk '$2 != last { print $2, 1, $1; last = $2 }' >"$WORK/distinct"
awk '{ print $1, 0, $2 }' "$WORK/functions" | sort -m -k1,1 -k2,2n - "$WORK/distinct" |
  awk '$2 == 0 { fn = $3; next } { print $3, fn }' >"$WORK/owned"   # phase, function
echo "Instructions QEMU translated in the kernel's text ($TEXT_START+$TEXT_SIZE) between _start and boot complete:"
awk -v phasefile="$WORK/phases" '
  BEGIN { n = 0; while ((getline line < phasefile) > 0) name[n++] = line }
  FNR == NR { translated[$1]++; all++; next }
  { distinct[$1]++; total++; if (!(($2) in first) || $1 < first[$2]) first[$2] = $1 }
  END {
    for (f in first) { functions[first[f]]++; fcount++ }
    printf "  %-58s %10s %9s %9s\n", "phase (instructions and functions first run in it)", "translated", "distinct", "functions"
    for (p = 0; p < n || (p in translated); p++)
      printf "  %-58s %10d %9d %9d\n", (p < n ? name[p] : "phase " p), translated[p], distinct[p], functions[p]
    printf "  %-58s %10d %9d %9d\n", "total", all, total, fcount
  }' "$WORK/translated" "$WORK/owned"
# FUNCTIONS=FILE keeps the whole list: distinct instructions, first phase, function.
if [[ -n "${FUNCTIONS:-}" ]]; then
  awk '{ count[$2]++; if (!(($2) in first) || $1 < first[$2]) first[$2] = $1 } END { for (f in count) print count[f], first[f], f }' \
    "$WORK/owned" | sort -k2,2n -k1,1rn >"$FUNCTIONS"
fi
echo "Functions with the most distinct instructions translated (top $TOP):"
awk '{ count[$2]++ } END { for (f in count) print count[f], f }' "$WORK/owned" | sort -rn | sed -n "1,${TOP}s/^/  /p"

# 2. The code buffer's and the guest RAM's host memory after the boot.
echo "QEMU's host memory at boot complete (kB; $RUNS boots, no logging):"
printf '  %-4s %-22s %-22s %-11s %s\n' run "code buffer Rss/THP" "guest RAM Rss/THP" "QEMU VmRSS" "code generated (bytes, monitor's info jit)"
for ((run = 1; run <= RUNS; run++)); do
  boot_until_complete -monitor "unix:$WORK/monitor,server,nowait"
  sleep 0.3
  generated=$(python3 - "$WORK/monitor" <<'PY'
import socket, sys, time
try:
    s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); time.sleep(0.2); s.recv(65536)
    s.send(b"info jit\n"); time.sleep(0.3)
    print(next((l.split()[3].split("/")[0] for l in s.recv(65536).decode().splitlines() if "gen code size" in l), "?"))
except OSError as e:
    print("? (" + str(e) + ")")
PY
)
  awk -v ram=$((128 * 1024)) '
    /^[0-9a-f]+-[0-9a-f]+ / { kind = "" }
    /^Size:/ { kind = ($2 >= 1048572 && $2 <= 1048576) ? "code" : ($2 == ram ? "ram" : "") }
    kind != "" && /^Rss:/ { rss[kind] = $2 }
    kind != "" && /^AnonHugePages:/ { thp[kind] = $2 }
    END { printf "%s/%s %s/%s\n", rss["code"], thp["code"], rss["ram"], thp["ram"] }' "/proc/$QEMU_PID/smaps" >"$WORK/smaps"
  read -r code ram <"$WORK/smaps"
  printf '  %-4d %-22s %-22s %-11s %s\n' "$run" "$code" "$ram" "$(awk '/^VmRSS/ { print $2 }' "/proc/$QEMU_PID/status")" "$generated"
  stop_qemu
done
