#!/usr/bin/env bash
# Builds the image GRUB loads as /boot/strix.elf: the kernel expander (expander.asm) with the kernel's loadable
# segments, each an LZ4 frame (Debian's lz4, -12), and a record per segment (kernel-image.inc).
# Usage: pack-kernel.sh KERNEL_ELF BOOT_FONT_OBJECT WORK_DIR OUTPUT_ELF
# KERNEL_ELF is the linked kernel (bin/<Configuration>/strix.elf, unchanged: gdb and nm keep reading it);
# BOOT_FONT_OBJECT the kernel build's boot_font.o (boot_fail32 draws with it).
set -euo pipefail
KERNEL="$1" FONT="$2" WORK="$3" OUTPUT="$4"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
mkdir -p "$WORK"
rm -f "$WORK"/segment-*

symbol() { # the address of one of the kernel's symbols, 0x...
  local value
  value="$(nm --defined-only "$KERNEL" | awk -v name="$1" '$3 == name { print $1; exit }')"
  [[ -n "$value" ]] || { echo "pack-kernel.sh: $KERNEL has no symbol $1" >&2; exit 1; }
  printf '0x%s' "$value"
}
PHYS_START="$(symbol __kernel_phys_start)"
PHYS_END="$(symbol __kernel_phys_end)"
EXPANDER_TSC="$(symbol boot_expander_tsc)"
ENTRY="$(readelf -hW "$KERNEL" | awk '/Entry point address:/ { print $4 }')"

INC="$WORK/kernel-image.inc"
{
  echo "; Written by pack-kernel.sh from $KERNEL"
  echo "KERNEL_ENTRY        equ $ENTRY"
  echo "KERNEL_PHYS_START   equ $PHYS_START"
  echo "KERNEL_PHYS_END     equ $PHYS_END"
  echo "KERNEL_EXPANDER_TSC equ $EXPANDER_TSC"
  echo "section .boot.rodata progbits alloc noexec nowrite align=16"
  echo "kernel_segments:                ; physical address, file bytes, memory bytes, frame, frame end"
} >"$INC"
FRAMES=""
n=0
# PT_LOAD: offset, virtual, physical, file size, memory size (readelf -l's columns 2-6).
while read -r offset _ phys filesz memsz; do
  (( memsz > 0 )) || continue
  (( phys >= PHYS_START && phys + memsz <= PHYS_END )) || {
    echo "pack-kernel.sh: segment at $phys (+$memsz) lies outside the kernel's range $PHYS_START-$PHYS_END" >&2; exit 1; }
  (( phys + memsz <= 0xFFFFFFFF )) || { echo "pack-kernel.sh: segment at $phys above 4 GiB" >&2; exit 1; }
  if (( filesz > 0 )); then
    # From a file, not a pipe: lz4 writes the content size (the expander's check) only when it knows it.
    dd if="$KERNEL" of="$WORK/segment-$n" iflag=skip_bytes,count_bytes bs=64K skip=$((offset)) count=$((filesz)) status=none
    lz4 -qq -12 -B7 --content-size --no-frame-crc -c "$WORK/segment-$n" >"$WORK/segment-$n.lz4"
    echo "    dd $phys, $filesz, $memsz, segment_${n}_frame, segment_${n}_frame_end" >>"$INC"
    FRAMES+="segment_${n}_frame: incbin \"$WORK/segment-$n.lz4\""$'\n'"segment_${n}_frame_end:"$'\n'
  else
    echo "    dd $phys, 0, $memsz, 0, 0" >>"$INC"
  fi
  n=$((n + 1))
done < <(readelf -lW "$KERNEL" | awk '$1 == "LOAD" { print $2, $3, $4, $5, $6 }')
(( n > 0 )) || { echo "pack-kernel.sh: $KERNEL has no loadable segment" >&2; exit 1; }
{
  echo "kernel_segments_end:"
  echo "section .payload progbits alloc noexec nowrite align=4"
  printf '%s' "$FRAMES"
} >>"$INC"

# Where the expander and its frames go: right after the kernel's range, unless they would reach OVMF's ACPI NVS at
# 8-9 MiB (StrixOS.Tests/Deploy/RecordedBootReports.cs; KernelImagePlacementTests checks the result): then at 9 MiB.
# STRIX_FIRMWARE_HOLE_START lowers that limit, to try the 9 MiB placement with a small image.
FRAME_BYTES=$(cat "$WORK"/segment-*.lz4 | wc -c)
EXPANDER_BASE=$(( (PHYS_END + 0xFFF) & ~0xFFF ))
if (( EXPANDER_BASE + FRAME_BYTES + 0x10000 > ${STRIX_FIRMWARE_HOLE_START:-0x800000} )); then EXPANDER_BASE=0x900000; fi
printf -v EXPANDER_BASE '0x%x' "$EXPANDER_BASE"

nasm -f elf64 -w+all -Werror -i "$WORK/" -i "$HERE/" -i "$HERE/../" "$HERE/expander.asm" -o "$WORK/expander.o"
ld -n -nostdlib -static -z noexecstack -z max-page-size=0x1000 --fatal-warnings -T "$HERE/expander.ld" \
   --defsym KERNEL_PHYS_START="$PHYS_START" --defsym KERNEL_PHYS_END="$PHYS_END" --defsym EXPANDER_BASE="$EXPANDER_BASE" \
   -o "$WORK/expander.elf" "$WORK/expander.o" "$FONT"
strip --strip-all -o "$OUTPUT" "$WORK/expander.elf"
