#!/usr/bin/env bash
# Builds the image GRUB loads as /boot/strix.elf: the kernel expander (expander.asm) with the kernel's loadable
# segments, each an LZ4 frame (Debian's lz4, -12), and a record per segment (kernel-image.inc); and the boot
# modules it carries (the symbol and line tables), each an LZ4 frame that the expander expands and hands to the
# kernel as a multiboot2 module, so that GRUB opens one file instead of three.
# Usage: pack-kernel.sh KERNEL_ELF BOOT_FONT_OBJECT WORK_DIR OUTPUT_ELF [MODULE_NAME=FILE ...]
# KERNEL_ELF is the linked kernel (bin/<Configuration>/strix.elf, unchanged: gdb and nm keep reading it);
# BOOT_FONT_OBJECT the kernel build's boot_font.o (boot_fail32 draws with it); each MODULE_NAME=FILE a module
# (its name is the module's string, e.g. strix.symbols=obj/.../strix.packed.sym).
set -euo pipefail
KERNEL="$1" FONT="$2" WORK="$3" OUTPUT="$4"
shift 4
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
mkdir -p "$WORK"
rm -f "$WORK"/segment-* "$WORK"/module-*

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
FILE_END=$((PHYS_START))            # the end of the last byte the expander writes from a frame (above it: BSS only)
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
    (( phys + filesz <= FILE_END )) || FILE_END=$(( phys + filesz ))
    FRAMES+="segment_${n}_frame: incbin \"$WORK/segment-$n.lz4\""$'\n'"segment_${n}_frame_end:"$'\n'
  else
    echo "    dd $phys, 0, $memsz, 0, 0" >>"$INC"
  fi
  n=$((n + 1))
done < <(readelf -lW "$KERNEL" | awk '$1 == "LOAD" { print $2, $3, $4, $5, $6 }')
(( n > 0 )) || { echo "pack-kernel.sh: $KERNEL has no loadable segment" >&2; exit 1; }
echo "kernel_segments_end:" >>"$INC"

# The modules: a record each (where it expands to, its bytes, its frame, its multiboot2 tag's size, its name).
# Each module gets 4 KiB-aligned pages of its own from module_pages (after the expander's data, reserved by the
# image: GRUB zeroes them, puts nothing there), which the kernel keeps as a module; the copy of the boot information
# with their tags (expander.asm) the pages after them, which the kernel reclaims with the rest of the boot information.
BOOT_INFO_COPY_BYTES=$((0x10000))   # room for GRUB's boot information: a few KiB under OVMF (the EFI memory map)
MODULE_NAMES="" MODULE_BYTES=0 MODULE_TAG_BYTES=0 MODULE_FRAMES=""
echo "image_modules:                  ; data, bytes, frame, frame end, tag size, name" >>"$INC"
m=0
for module in "$@"; do
  name="${module%%=*}" file="${module#*=}"
  [[ "$module" == *=* && -n "$name" && "$name" =~ ^[A-Za-z0-9._/-]+$ ]] || {
    echo "pack-kernel.sh: module '$module' is not NAME=FILE (a name of letters, digits, . _ / -)" >&2; exit 1; }
  [[ -f "$file" ]] || { echo "pack-kernel.sh: module $name: no file $file" >&2; exit 1; }
  bytes=$(wc -c <"$file")
  cp "$file" "$WORK/module-$m"
  lz4 -qq -12 -B7 --content-size --no-frame-crc -c "$WORK/module-$m" >"$WORK/module-$m.lz4"
  tag=$(( 16 + ${#name} + 1 ))                    # type, size, start, end, the name and its NUL
  echo "    dd module_pages + $MODULE_BYTES, $bytes, module_${m}_frame, module_${m}_frame_end, $tag, module_${m}_name" >>"$INC"
  MODULE_FRAMES+="module_${m}_frame: incbin \"$WORK/module-$m.lz4\""$'\n'"module_${m}_frame_end:"$'\n'
  MODULE_NAMES+="module_${m}_name: db \"$name\", 0"$'\n'
  MODULE_BYTES=$(( MODULE_BYTES + ((bytes + 0xFFF) & ~0xFFF) ))
  MODULE_TAG_BYTES=$(( MODULE_TAG_BYTES + ((tag + 7) & ~7) ))
  m=$((m + 1))
done
{
  echo "image_modules_end:"
  printf '%s' "$MODULE_NAMES"
  echo "IMAGE_MODULE_TAG_BYTES equ $MODULE_TAG_BYTES"
  echo "IMAGE_MODULE_BYTES    equ $MODULE_BYTES     ; the modules' pages: module_pages to module_pages + this"
  echo "BOOT_INFO_COPY_BYTES  equ $BOOT_INFO_COPY_BYTES"
  echo "section .payload progbits alloc noexec nowrite align=8"
  echo "payload_start:"
  printf '%s' "$FRAMES"
  printf '%s' "$MODULE_FRAMES"
  echo "payload_end:"
} >>"$INC"

# Where the compressed bytes go: inside the kernel's range, on its BSS, ending at the range's end, so that GRUB writes
# nothing above the range but the expander (host memory: under QEMU every 2 MiB region of guest RAM the boot writes
# costs the host a huge page, docs/benchmarks.md "Host memory a boot touches"). The expander writes the segments'
# file bytes below them and zeroes the BSS, over them, only after it has expanded every frame (the modules too).
# When the frames are larger than the BSS they start at the page after the last file byte and reach past the range.
# The expander, its data and the modules' pages follow (the range's end, or the frames' end). Should that reach
# OVMF's ACPI NVS at 8-9 MiB (StrixOS.Tests/Deploy/RecordedBootReports.cs; KernelImagePlacementTests checks the
# result), the frames, the expander and the modules' pages go to 9 MiB, above the kernel's range.
# STRIX_FIRMWARE_HOLE_START lowers that limit, to try the 9 MiB placement with a small image.
HOLE=${STRIX_FIRMWARE_HOLE_START:-0x800000}
PAYLOAD_BYTES=$(( 64 + $(cat "$WORK"/segment-*.lz4 | wc -c) ))   # the multiboot2 header (expander.ld), then the frames
(( m == 0 )) || PAYLOAD_BYTES=$(( PAYLOAD_BYTES + $(cat "$WORK"/module-*.lz4 | wc -c) ))
FILE_END=$(( (FILE_END + 0xFFF) & ~0xFFF ))
PAYLOAD_BASE=$(( (PHYS_END - PAYLOAD_BYTES) & ~0xFFF ))
(( PAYLOAD_BASE >= FILE_END )) || PAYLOAD_BASE=$FILE_END
PAYLOAD_END=$(( (PAYLOAD_BASE + PAYLOAD_BYTES + 0xFFF) & ~0xFFF ))
(( PAYLOAD_END >= PHYS_END )) || PAYLOAD_END=$PHYS_END
# The expander's code, records, data and stack take less than 64 KiB.
if (( PAYLOAD_END + 0x10000 + MODULE_BYTES + BOOT_INFO_COPY_BYTES > HOLE )); then
  PAYLOAD_BASE=0x900000
  PAYLOAD_END=$(( (PAYLOAD_BASE + PAYLOAD_BYTES + 0xFFF) & ~0xFFF ))
fi
printf -v PAYLOAD_BASE '0x%x' "$PAYLOAD_BASE"
# The end of the image's first segment, which reserves the kernel's range below the frames with no file bytes: GRUB
# zeroes it, and the expander zeroes only the BSS above it (expander.asm).
ZEROED_END=$(( PAYLOAD_BASE < PHYS_END ? PAYLOAD_BASE : PHYS_END ))
printf -v ZEROED_END '0x%x' "$ZEROED_END"
echo "KERNEL_ZEROED_END     equ $ZEROED_END" >>"$INC"
printf -v EXPANDER_BASE '0x%x' "$PAYLOAD_END"

nasm -f elf64 -w+all -Werror -i "$WORK/" -i "$HERE/" -i "$HERE/../" "$HERE/expander.asm" -o "$WORK/expander.o"
ld -n -nostdlib -static -z noexecstack -z max-page-size=0x1000 --fatal-warnings -T "$HERE/expander.ld" \
   --defsym KERNEL_PHYS_START="$PHYS_START" --defsym KERNEL_PHYS_END="$PHYS_END" --defsym PAYLOAD_BASE="$PAYLOAD_BASE" \
   --defsym KERNEL_FILE_END="$FILE_END" --defsym EXPANDER_BASE="$EXPANDER_BASE" --defsym KERNEL_ZEROED_END="$ZEROED_END" \
   -o "$WORK/expander.elf" "$WORK/expander.o" "$FONT"
strip --strip-all -o "$OUTPUT" "$WORK/expander.elf"
# GRUB looks for the multiboot2 header (8-aligned) in the file's first 32 KiB only; expander.ld puts it first in the
# frames' section, which ld places first in the file because it has the lowest address.
od -A d -t x4 -v -w8 -N 32768 "$OUTPUT" | awk '$2 == "e85250d6" { found = 1 } END { exit !found }' || {
  echo "pack-kernel.sh: $OUTPUT has no multiboot2 header in its first 32 KiB (expander.ld)" >&2; exit 1; }
