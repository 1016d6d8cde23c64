; The boot-time floor: a NASM-only multiboot2 kernel that leaves QEMU at once (isa-debug-exit,
; status 33). StrixOS's boot time is measured against it, booted through the same kind of ISO.
bits 32
section .multiboot_header progbits alloc noexec nowrite align=8
header:
    dd 0xE85250D6
    dd 0
    dd header_end - header
    dd 0x100000000 - (0xE85250D6 + (header_end - header))
    align 8
    dw 0, 0
    dd 8
header_end:

section .text progbits alloc exec nowrite align=16
global _start
_start:
    mov dx, 0xF4
    mov eax, 0x10
    out dx, eax
.halt:
    hlt
    jmp .halt

section .note.GNU-stack noalloc noexec nowrite progbits
