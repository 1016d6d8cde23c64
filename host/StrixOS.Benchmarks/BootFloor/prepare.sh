# Sourced by the boot benchmarks (boot-time.sh, boot-parts.sh) after they set ROOT and WORK: builds what
# both boot — the application image `strix run` boots (no in-kernel suites or benchmarks:
# StrixKernelTests=false), the NASM-only floor kernel as $WORK/floor.elf — and the tools that print the
# QEMU line ($TOOLS). Sets FLOOR_DIR and TOOLS.
FLOOR_DIR="$ROOT/host/StrixOS.Benchmarks/BootFloor"
dotnet build "$ROOT/StrixOS/StrixOS.csproj" -c Release -p:StrixKernelTests=false -nologo -v:q -tl:off >/dev/null
nasm -f elf64 "$FLOOR_DIR/floor.asm" -o "$WORK/floor.o"
ld -n -nostdlib -static -z noexecstack --fatal-warnings -T "$FLOOR_DIR/floor.ld" -o "$WORK/floor.elf" "$WORK/floor.o"
dotnet build "$ROOT/host/StrixOS.Tools/StrixOS.Tools.csproj" -c Release -nologo -v:q -tl:off >/dev/null
TOOLS="$ROOT/host/StrixOS.Tools/bin/Release/net10.0/StrixOS.Tools.dll"
