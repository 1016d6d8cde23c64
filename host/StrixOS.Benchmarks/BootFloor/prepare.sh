# Sourced by the boot benchmarks (boot-time.sh, boot-host.sh, boot-parts.sh) after they set ROOT and WORK: builds
# what they boot — the application image `strix run` boots (no in-kernel suites or benchmarks:
# StrixKernelTests=false, $STRIX_ISO), the NASM-only floor kernel as $WORK/floor.elf and its GRUB ISO
# $WORK/floor.iso — and the tools that print the QEMU line ($TOOLS). Sets FLOOR_DIR, TOOLS, STRIX_ISO and the
# two QEMU lines of `./strix bench boot`, FLOOR_ARGS and STRIX_ARGS (QemuConfiguration builds them).
FLOOR_DIR="$ROOT/host/StrixOS.Benchmarks/BootFloor"
dotnet build "$ROOT/StrixOS/StrixOS.csproj" -c Release -p:StrixKernelTests=false -nologo -v:q -tl:off >/dev/null
nasm -f elf64 "$FLOOR_DIR/floor.asm" -o "$WORK/floor.o"
ld -n -nostdlib -static -z noexecstack --fatal-warnings -T "$FLOOR_DIR/floor.ld" -o "$WORK/floor.elf" "$WORK/floor.o"
dotnet build "$ROOT/host/StrixOS.Tools/StrixOS.Tools.csproj" -c Release -nologo -v:q -tl:off >/dev/null
TOOLS="$ROOT/host/StrixOS.Tools/bin/Release/net10.0/StrixOS.Tools.dll"
STRIX_ISO="$ROOT/StrixOS/bin/Release/app/strix.iso"
mkdir -p "$WORK/iso/boot/grub"
cp "$WORK/floor.elf" "$WORK/iso/boot/"
cp "$FLOOR_DIR/grub.cfg" "$WORK/iso/boot/grub/"
grub-mkrescue -o "$WORK/floor.iso" "$WORK/iso" >/dev/null 2>&1
mapfile -t FLOOR_ARGS < <(dotnet "$TOOLS" qemu-args "$WORK/floor.iso" --serial null)
mapfile -t STRIX_ARGS < <(dotnet "$TOOLS" qemu-args "$STRIX_ISO" --serial null)
