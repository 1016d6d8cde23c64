#!/usr/bin/env bash
# `dotnet run` of a StrixOS kernel project: boots the ISO in QEMU with the serial console on this
# terminal and exits as `./strix run` does: 0 when the kernel reports success (QEMU status 33),
# 1 when it reports failure (35), 2 for a CPU reset or a closed QEMU (0), 3 for anything else.
# The machine is the test engine's (QemuConfiguration): exit device, no reboot, no display.
# Arguments: ISO MEMORY CPU FIRMWARE(BIOS|UEFI) OVMF [QEMU ARGUMENTS...]
set -uo pipefail
iso="$1" memory="$2" cpu="$3" firmware="$4" ovmf="$5"
shift 5
args=(-m "$memory" -cpu "$cpu" -display none -vga none -serial stdio -monitor none -parallel none -no-reboot
      -device isa-debug-exit,iobase=0xf4,iosize=0x04)
[[ "$firmware" == UEFI ]] && args+=(-bios "$ovmf")
args+=(-drive "file=${iso//,/,,},format=raw,media=cdrom,readonly=on")
echo "strix: booting $iso in QEMU ($memory, $cpu, $firmware); serial console follows" >&2
qemu-system-x86_64 "${args[@]}" "$@"
status=$?
case "$status" in
  33) exit 0 ;;
  35) echo "strix: the kernel reported failure (QEMU exit status 35)" >&2; exit 1 ;;
  0)  echo "strix: QEMU exited with status 0: the CPU reset (triple fault) or QEMU was closed" >&2; exit 2 ;;
  *)  echo "strix: QEMU exited with status $status" >&2; exit 3 ;;
esac
