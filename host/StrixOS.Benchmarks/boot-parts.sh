#!/usr/bin/env bash
# Where GRUB's part of a boot goes: builds variant ISOs from the application image's boot files
# (StrixOS/bin/Release/app/boot/, built as boot-time.sh builds it) with grub-mkrescue and grub.cfg
# variants, and boots them in rounds with the floor (the NASM-only kernel of boot-time.sh), the order
# rotated each round, on the QEMU line of `./strix bench boot` (exit status 33). Prints every boot, then
# per variant the medians of wall time and of QEMU's CPU time (all its threads, less disturbed by other
# processes: perf's task-clock, or GNU time's user + system in 10 ms steps without perf), the ratio to
# the floor and the median paired differences to "shipped" in the same round.
# Usage: host/StrixOS.Benchmarks/boot-parts.sh [rounds] [variant...]   (default 9 rounds, all variants)
# Variants (each is the application image unless said otherwise):
#   shipped       the ISO as built: the self-expanding kernel (Boot/Stage/Expander: LZ4 inside) carrying the symbol
#                 and line tables, no module2 lines, no gzio
#   modules       the same plus the two tables as module2 files beside it, gzip-compressed, insmod gzio (how the
#                 image carried them before branch embedsym)
#   plain         the same plus the two tables as plain module2 files, no gzio
#   gzkernel      the kernel itself (stripped) gzip-compressed instead of the expander, with the tables as gzip
#                 module2 files and insmod gzio, as before issue 17.4's expander
#   floorsym      the floor kernel plus the packed symbol table as a module (what reading it costs)
#   floorgzio     the floor with `insmod gzio` (what loading gzio costs)
#   floorbig      the floor plus the expanded kernel image as a module (what reading its bytes costs)
#   dir:PATH      an ISO root you prepared (boot/grub/grub.cfg and its files), e.g. for a lever under test
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
ROUNDS="${1:-9}"
shift || true
VARIANTS=("$@")
[[ ${#VARIANTS[@]} -gt 0 ]] || VARIANTS=(shipped modules plain gzkernel floorsym floorgzio floorbig)
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
source "$ROOT/host/StrixOS.Benchmarks/BootFloor/prepare.sh"   # image, $WORK/floor.elf, $TOOLS
APP="$ROOT/StrixOS/bin/Release/app"
BOOT="$APP/boot"
# The tables as separate files (the image carries them inside): packed symbols and the line table, plain and gzip.
for f in strix.packed.sym strix.lines; do cp "$APP/$f" "$WORK/$f"; gzip -9 -n -c "$APP/$f" >"$WORK/$f.gz"; done
strip --strip-all -o "$WORK/kernel.elf" "$ROOT/StrixOS/bin/Release/app/strix.elf"   # the kernel as GRUB loaded it before

# A grub.cfg with the floor's menu preamble (no menu, boot at once), optional insmod lines, one entry; like the
# shipped grub.cfg under BIOS (neither the kernel's header nor the floor's asks for a framebuffer: no gfxpayload).
write_cfg() { # file insmods kernel modules...
  local file="$1" insmods="$2" kernel="$3"; shift 3
  { echo 'set timeout=0'; echo 'set timeout_style=hidden'
    for m in $insmods; do echo "insmod $m"; done
    echo 'menuentry "variant" {'; echo "    multiboot2 $kernel"
    for m in "$@"; do echo "    module2 $m"; done
    echo '    boot'; echo '}'; } >"$file"
}

# Fills the ISO root $2 for variant $1.
variant_root() {
  local v="$1" r="$2"
  mkdir -p "$r/boot/grub"
  case "$v" in
    floor) cp "$WORK/floor.elf" "$r/boot/"; cp "$FLOOR_DIR/grub.cfg" "$r/boot/grub/" ;;
    shipped) cp "$BOOT"/strix.elf "$r/boot/"
      awk '/^menuentry/ && n++ { exit } { print }' "$ROOT/StrixOS/Boot/Stage/grub.cfg" >"$r/boot/grub/grub.cfg" ;;
    modules) cp "$BOOT/strix.elf" "$r/boot/"; cp "$WORK/strix.packed.sym.gz" "$r/boot/strix.sym"; cp "$WORK/strix.lines.gz" "$r/boot/strix.lines"
      write_cfg "$r/boot/grub/grub.cfg" gzio /boot/strix.elf "/boot/strix.sym strix.symbols" "/boot/strix.lines strix.lines" ;;
    plain) cp "$BOOT/strix.elf" "$r/boot/"; cp "$WORK/strix.packed.sym" "$r/boot/strix.sym"; cp "$WORK/strix.lines" "$r/boot/strix.lines"
      write_cfg "$r/boot/grub/grub.cfg" "" /boot/strix.elf "/boot/strix.sym strix.symbols" "/boot/strix.lines strix.lines" ;;
    gzkernel) gzip -9 -n -c "$WORK/kernel.elf" >"$r/boot/strix.elf"; cp "$WORK/strix.packed.sym.gz" "$r/boot/strix.sym"; cp "$WORK/strix.lines.gz" "$r/boot/strix.lines"
      write_cfg "$r/boot/grub/grub.cfg" gzio /boot/strix.elf "/boot/strix.sym strix.symbols" "/boot/strix.lines strix.lines" ;;
    floorsym) cp "$WORK/floor.elf" "$r/boot/"; cp "$WORK/strix.packed.sym" "$r/boot/strix.sym"
      write_cfg "$r/boot/grub/grub.cfg" "" /boot/floor.elf "/boot/strix.sym strix.symbols" ;;
    floorgzio) cp "$WORK/floor.elf" "$r/boot/"; write_cfg "$r/boot/grub/grub.cfg" gzio /boot/floor.elf ;;
    floorbig) cp "$WORK/floor.elf" "$r/boot/"; cp "$WORK/kernel.elf" "$r/boot/big.bin"
      write_cfg "$r/boot/grub/grub.cfg" "" /boot/floor.elf "/boot/big.bin big" ;;
    dir:*) cp -r "${v#dir:}/." "$r/" ;;
    *) echo "unknown variant $v" >&2; exit 2 ;;
  esac
}

ALL=(floor "${VARIANTS[@]}")
declare -A ARGS
for i in "${!ALL[@]}"; do
  variant_root "${ALL[$i]}" "$WORK/root$i"
  grub-mkrescue -o "$WORK/v$i.iso" "$WORK/root$i" >/dev/null 2>&1
  ARGS[$i]="$(dotnet "$TOOLS" qemu-args "$WORK/v$i.iso" --serial null | tr '\n' '\036')"
  printf '%-12s %s\n' "${ALL[$i]}" "$(cd "$WORK/root$i" && find boot -type f ! -path 'boot/grub/*' -printf '%p %s bytes  ' )"
done

# One boot: prints "wall_ms cpu_ms", the CPU time being QEMU's (all its threads): perf's task-clock where
# perf runs (sub-millisecond), else user + system from GNU time (10 ms steps).
if perf stat -e task-clock -x, -o /dev/null -- true 2>/dev/null; then CPU_CLOCK=perf; else CPU_CLOCK=time; fi
boot() {
  local i="$1" args start end status=0
  IFS=$'\036' read -r -a args <<<"${ARGS[$i]}"
  start=$(date +%s%N)
  if [[ $CPU_CLOCK == perf ]]; then
    perf stat -e task-clock -x, -o "$WORK/time" -- timeout 60 qemu-system-x86_64 "${args[@]}" >/dev/null 2>&1 || status=$?
  else
    /usr/bin/time -f '%U %S' -o "$WORK/time" timeout 60 qemu-system-x86_64 "${args[@]}" >/dev/null 2>&1 || status=$?
  fi
  end=$(date +%s%N)
  [[ "$status" -eq 33 ]] || { echo "boot of ${ALL[$i]} ended with status $status, not 33" >&2; exit 1; }
  if [[ $CPU_CLOCK == perf ]]; then
    awk -F, -v w=$(( (end - start) / 1000000 )) '$3 == "task-clock" { printf "%d %d\n", w, $1 }' "$WORK/time"
  else  # the last line: GNU time first notes the exit status
    awk -v w=$(( (end - start) / 1000000 )) 'END { printf "%d %d\n", w, ($1 + $2) * 1000 }' "$WORK/time"
  fi
}

median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

n=${#ALL[@]}
for ((round = 0; round < ROUNDS; round++)); do
  line="round $((round + 1)) (load $(cut -d' ' -f1 /proc/loadavg)):"
  for ((k = 0; k < n; k++)); do
    i=$(( (k + round) % n ))
    read -r w c < <(boot "$i")
    echo "$round $i $w $c" >>"$WORK/results"
    line+=" ${ALL[$i]} $w/$c"
  done
  echo "$line"
done

echo "medians of $ROUNDS rounds (wall / QEMU CPU by $CPU_CLOCK, ms):"
fw=$(awk '$2 == 0 { print $3 }' "$WORK/results" | median); fc=$(awk '$2 == 0 { print $4 }' "$WORK/results" | median)
ship=-1; for i in "${!ALL[@]}"; do [[ "${ALL[$i]}" == shipped ]] && ship=$i; done
for i in "${!ALL[@]}"; do
  w=$(awk -v i="$i" '$2 == i { print $3 }' "$WORK/results" | median)
  c=$(awk -v i="$i" '$2 == i { print $4 }' "$WORK/results" | median)
  diff=""
  if [[ $ship -ge 0 ]]; then
    d=$(awk -v i="$i" -v s="$ship" '$2 == i { w[$1] = $3 } $2 == s { v[$1] = $3 } END { for (r in w) print w[r] - v[r] }' "$WORK/results" | median)
    dc=$(awk -v i="$i" -v s="$ship" '$2 == i { w[$1] = $4 } $2 == s { v[$1] = $4 } END { for (r in w) print w[r] - v[r] }' "$WORK/results" | median)
    diff="  minus shipped, paired: wall $d ms, cpu $dc ms"
  fi
  printf '%-12s wall %6s ms (%.2f)  cpu %6s ms (%.2f)%s\n' "${ALL[$i]}" "$w" "$(awk -v a="$w" -v b="$fw" 'BEGIN { print a / b }')" \
    "$c" "$(awk -v a="$c" -v b="$fc" 'BEGIN { print a / b }')" "$diff"
done
