; StrixOS boot stage: from GRUB's multiboot2 hand-off (32-bit protected mode) to C#.
;
;   1. 32-bit: check the CPU (SSE2, long mode, NX; else a message on COM1 and on the screen:
;      VGA text or the framebuffer GRUB set up),
;      identity-map the first 4 GiB with 2 MiB pages,
;      enable SSE, PAE, EFER.LME|NXE, CR0.PG|WP and enter 64-bit mode (still at low addresses).
;   2. 64-bit, low: map all RAM the firmware reports at PHYS_MEM_OFFSET (1 GiB pages when CPUID
;      has them, 2 MiB otherwise, NX) and the kernel image at KERNEL_VMA with 4 KiB pages whose
;      flags follow its sections (text R+X, rodata R+NX, data/bss RW+NX, stack guard unmapped).
;   3. 64-bit, high: drop the identity map, switch to the kernel stack, set up thread-local
;      storage (FS base), run CoreLib's module initialisation, then the kernel's Main.
;
; Physical layout: everything is loaded at 1 MiB. The .boot.* sections run where they are
; loaded (virtual = physical); the rest is linked at KERNEL_VMA + physical (see linker.ld).
; GRUB does not load this ELF itself: it loads the expander (Expander/expander.asm), which expands
; this image's segments to their physical addresses and jumps to _start with GRUB's EAX and EBX.

KERNEL_VMA          equ 0xFFFFFFFF80000000
PHYS_MEM_OFFSET     equ 0xFFFF800000000000

PTE_PRESENT         equ 1 << 0
PTE_WRITABLE        equ 1 << 1
PTE_HUGE            equ 1 << 7
PTE_NX              equ 1 << 63

KERNEL_PT_COUNT     equ 16          ; 4 KiB-page tables for the kernel image: 16 x 2 MiB = 32 MiB
OFFSET_PD_POOL      equ 64          ; 2 MiB-page directories for the offset map: up to 64 GiB
IST_STACK_SIZE      equ 16 * 1024     ; double fault, NMI, machine check: one each
EARLY_HEAP_SIZE     equ 256 * 1024     ; CoreLib start-up and boot until the page-table heap takes over, then what
                                       ; nests in it: runs use 65-97 KiB (DeployBootTests wants half free); in the
                                       ; 2 MiB region the start-up's frames come from (docs/benchmarks.md, issue 17.4)
TLS_AREA_SIZE       equ 4096
STACK_TOP_SIZE      equ 64 * 1024      ; the kernel stack's top: frames in the image's .bss (see the stack's run below)
HUGE_PAGE_SIZE      equ 2 * 1024 * 1024


extern __text_start, __text_end, __rodata_start, __rodata_end
extern __kernel_high_start, __kernel_high_end, __kernel_phys_start, __kernel_phys_end
extern __boot_tables_start, __boot_tables_end
extern __kernel_stack_guard, __kernel_stack_bottom, __kernel_stack_top
extern __tdata_start, __tdata_end, __tls_aligned_size
extern __modules_start, __modules_end
extern InitializeModules, __managed__Main, StrixMainReturned

global _start


; Records the TSC in a boot-layout field (64-bit code, higher half; through the offset map).
%macro STAMP 1
    rdtsc
    shl rdx, 32
    or rax, rdx
    mov rcx, %1 + PHYS_MEM_OFFSET
    mov [rcx], rax
%endmacro

; The sections' attributes, before boot_message.inc adds to them.
section .boot.text progbits alloc exec nowrite align=16
section .boot.data progbits alloc noexec write align=8

; ---------------------------------------------------------------------------------------------
%include "multiboot2_header.inc"

; ---------------------------------------------------------------------------------------------
section .boot.text
bits 32
_start:
    cli
    cld
    mov esp, boot_stack32_top
    cmp eax, MB2_BOOT_MAGIC
    jne .not_multiboot
    mov [mb_info_phys], ebx
    rdtsc                                           ; strix.boottrace: the kernel's first instruction
    mov [entry_tsc], eax
    mov [entry_tsc + 4], edx

    mov eax, 1                                      ; SSE2: compiled C# uses it
    cpuid
    test edx, 1 << 26
    jz .no_sse2
    mov eax, 0x80000000
    cpuid
    cmp eax, 0x80000001
    jb .no_long_mode
    mov eax, 0x80000001
    cpuid
    test edx, 1 << 29
    jz .no_long_mode
    test edx, 1 << 20
    jz .no_nx
    shr edx, 26                                     ; 1 GiB pages (pdpe1gb)
    and edx, 1
    mov [has_1g_pages], edx

    ; Identity map 0..4 GiB with 2 MiB pages: only the boot code and the multiboot
    ; information need it, and only until the jump to the higher half.
    mov dword [boot_pml4], boot_pdpt_low + PTE_PRESENT + PTE_WRITABLE
    mov ecx, 0
.fill_low_pdpt:
    mov eax, ecx
    shl eax, 12
    add eax, boot_pd_low + PTE_PRESENT + PTE_WRITABLE
    mov [boot_pdpt_low + ecx * 8], eax
    inc ecx
    cmp ecx, 4
    jne .fill_low_pdpt
    mov ecx, 0
.fill_low_pd:
    mov eax, ecx
    shl eax, 21
    or eax, PTE_PRESENT + PTE_WRITABLE + PTE_HUGE
    mov [boot_pd_low + ecx * 8], eax
    mov eax, ecx
    shr eax, 11                                     ; bits 32+ of the physical address
    mov [boot_pd_low + ecx * 8 + 4], eax
    inc ecx
    cmp ecx, 2048
    jne .fill_low_pd

    mov eax, boot_pml4
    mov cr3, eax
    mov eax, cr4
    or eax, (1 << 5) | (1 << 9) | (1 << 10)         ; PAE, OSFXSR, OSXMMEXCPT
    mov cr4, eax
    mov ecx, 0xC0000080                             ; EFER
    rdmsr
    or eax, (1 << 8) | (1 << 11)                    ; LME, NXE
    wrmsr
    mov eax, cr0
    and eax, ~(1 << 2)                              ; EM off: SSE is used by compiled C#
    or eax, (1 << 31) | (1 << 16) | (1 << 1)        ; PG, WP, MP
    mov cr0, eax
    lgdt [gdt64_pointer]
    jmp 0x08:long_mode_low

.not_multiboot:
    mov esi, msg_not_multiboot
    jmp boot_fail32
.no_long_mode:
    mov esi, msg_no_long_mode
    jmp boot_fail32
.no_nx:
    mov esi, msg_no_nx
    jmp boot_fail32
.no_sse2:
    mov esi, msg_no_sse2
    jmp boot_fail32

; boot_fail32 (esi: message) and the routines it uses, shared with the kernel expander.
%include "boot_message.inc"
section .boot.text

bits 64
long_mode_low:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov ss, ax
    xor eax, eax
    mov fs, ax
    mov gs, ax

    ; Highest end of RAM (available, ACPI, NVS) in the multiboot2 memory map (tag 6): r12.
    ; Malformed tags just stop the walk; the C# parser reports them properly.
    mov esi, [mb_info_phys]
    mov ecx, [rsi]
    lea r8, [rsi + rcx]
    lea rdi, [rsi + 8]
    xor r12, r12
.tag_loop:
    lea rax, [rdi + 8]
    cmp rax, r8
    ja .tags_done
    mov eax, [rdi]
    mov ecx, [rdi + 4]
    test eax, eax
    jz .tags_done
    cmp ecx, 8
    jb .tags_done
    cmp eax, 6
    jne .next_tag
    mov r9d, [rdi + 8]
    cmp r9d, 24
    jb .next_tag
    lea r10, [rdi + 16]
    lea r11, [rdi + rcx]
    cmp r11, r8
    cmova r11, r8
.entry_loop:
    lea rax, [r10 + 24]
    cmp rax, r11
    ja .next_tag
    mov edx, [r10 + 16]
    cmp edx, 1
    je .ram
    cmp edx, 3
    je .ram
    cmp edx, 4
    jne .next_entry
.ram:
    mov rax, [r10]
    add rax, [r10 + 8]
    jc .next_entry
    cmp rax, r12
    cmova r12, rax
.next_entry:
    add r10, r9
    jmp .entry_loop
.next_tag:
    add ecx, 7
    and ecx, ~7
    add rdi, rcx
    jmp .tag_loop
.tags_done:

    ; The kernel stack is not part of the image (linker.ld): GRUB neither reads nor zeroes its 8 MiB,
    ; and the image stays small enough to keep clear of firmware memory (OVMF's ACPI NVS at 8 MiB).
    ; Its top STACK_TOP_SIZE bytes (all a boot uses) are frames of the image's .bss, which the expander
    ; zeroed; the rest is the highest run inside one available entry of the memory map (tag 6) above the
    ; image, the boot information and every module (GRUB puts those right after the image), starting at a
    ; 2 MiB boundary when one fits (else at a 4 KiB one). Why: under QEMU the host backs guest RAM in 2 MiB
    ; pages on first write (milliseconds each on some hosts), and nothing writes the run; the frame allocator
    ; starts in the free rest of the 2 MiB region that holds the end of what GRUB loaded, and at the top of
    ; memory the run does not push its first frames past 8 MiB of untouched RAM into fresh regions
    ; (docs/benchmarks.md, "Host memory a boot touches").
    ; C# keeps the run out of the frame allocator (BootInfoReader: a Kernel range). r12 is kept.
    mov esi, [mb_info_phys]
    mov ecx, [rsi]
    lea r8, [rsi + rcx]                             ; end of the boot information
    mov rbx, __kernel_phys_end
    cmp r8, rbx
    cmova rbx, r8                                   ; rbx: lowest address the stack may use
    lea rdi, [rsi + 8]
.stack_module_loop:
    lea rax, [rdi + 8]
    cmp rax, r8
    ja .stack_modules_done
    mov eax, [rdi]
    mov ecx, [rdi + 4]
    test eax, eax
    jz .stack_modules_done
    cmp ecx, 8
    jb .stack_modules_done
    cmp eax, 3                                      ; module: start (u32), end (u32)
    jne .stack_module_next
    cmp ecx, 16
    jb .stack_module_next
    mov eax, [rdi + 12]
    cmp rax, rbx
    cmova rbx, rax
.stack_module_next:
    add ecx, 7
    and ecx, ~7
    add rdi, rcx
    jmp .stack_module_loop
.stack_modules_done:
    mov r14, __kernel_stack_top - STACK_TOP_SIZE
    mov rax, __kernel_stack_bottom
    sub r14, rax                                    ; r14: the run's bytes
    mov rbp, -HUGE_PAGE_SIZE                        ; rbp: the start's alignment mask; first pass: 2 MiB
.stack_search:
    xor r13d, r13d                                  ; r13: the highest fit so far (0: none)
    lea rdi, [rsi + 8]
.stack_tag_loop:
    lea rax, [rdi + 8]
    cmp rax, r8
    ja .stack_tags_done
    mov eax, [rdi]
    mov ecx, [rdi + 4]
    test eax, eax
    jz .stack_tags_done
    cmp ecx, 8
    jb .stack_tags_done
    cmp eax, 6
    jne .stack_next_tag
    mov r9d, [rdi + 8]
    cmp r9d, 24
    jb .stack_next_tag
    lea r10, [rdi + 16]
    lea r11, [rdi + rcx]
    cmp r11, r8
    cmova r11, r8
.stack_entry_loop:
    lea rax, [r10 + 24]
    cmp rax, r11
    ja .stack_next_tag
    cmp dword [r10 + 16], 1                         ; available RAM only
    jne .stack_next_entry
    mov rax, [r10]
    mov rdx, rax
    add rdx, [r10 + 8]
    jc .stack_next_entry
    cmp rax, rbx
    cmovb rax, rbx                                  ; rax: the lowest start allowed in this entry
    sub rdx, r14
    jc .stack_next_entry
    and rdx, rbp                                    ; rdx: the highest aligned start that fits the entry
    cmp rdx, rax
    jb .stack_next_entry
    cmp rdx, r13
    cmova r13, rdx
.stack_next_entry:
    add r10, r9
    jmp .stack_entry_loop
.stack_next_tag:
    add ecx, 7
    and ecx, ~7
    add rdi, rcx
    jmp .stack_tag_loop
.stack_tags_done:
    test r13, r13
    jnz .stack_found
    cmp rbp, -4096                                  ; no 2 MiB-aligned fit: any 4 KiB-aligned one
    je no_stack_memory
    mov rbp, -4096
    jmp .stack_search
.stack_found:
    mov [kernel_stack_phys], r13
    add r13, r14
    mov [kernel_stack_phys_end], r13

    ; Gigabytes to map: at least 4 (the low MMIO hole stays reachable), at most what the
    ; tables allow (512 with 1 GiB pages, OFFSET_PD_POOL with 2 MiB pages).
    mov rax, r12
    add rax, (1 << 30) - 1
    shr rax, 30
    mov ecx, 4
    cmp rax, rcx
    cmovb rax, rcx
    mov ecx, 512
    mov edx, OFFSET_PD_POOL
    cmp dword [has_1g_pages], 0
    cmove ecx, edx
    cmp rax, rcx
    cmova rax, rcx
    mov r13, rax
    shl rax, 30
    mov [offset_map_bytes], rax
    mov [ram_end], r12

    mov rax, boot_pdpt_offset + PTE_PRESENT + PTE_WRITABLE
    mov [boot_pml4 + 256 * 8], rax
    mov rbx, PTE_NX | PTE_PRESENT | PTE_WRITABLE | PTE_HUGE
    xor ecx, ecx
    cmp dword [has_1g_pages], 0
    je .map_2m
.map_1g:
    mov rax, rcx
    shl rax, 30
    or rax, rbx
    mov [boot_pdpt_offset + rcx * 8], rax
    inc rcx
    cmp rcx, r13
    jne .map_1g
    jmp .offset_done
.map_2m:
    mov rax, rcx
    shl rax, 12
    lea rdx, [boot_pd_pool + rax]
    lea rax, [rdx + PTE_PRESENT + PTE_WRITABLE]
    mov [boot_pdpt_offset + rcx * 8], rax
    xor esi, esi
.map_2m_entry:
    mov rax, rcx
    shl rax, 30
    mov rdi, rsi
    shl rdi, 21
    add rax, rdi
    or rax, rbx
    mov [rdx + rsi * 8], rax
    inc esi
    cmp esi, 512
    jne .map_2m_entry
    inc rcx
    cmp rcx, r13
    jne .map_2m
.offset_done:

    ; The kernel image at KERNEL_VMA: PML4[511] -> PDPT[510] -> PD -> KERNEL_PT_COUNT tables.
    mov rax, boot_pdpt_kernel + PTE_PRESENT + PTE_WRITABLE
    mov [boot_pml4 + 511 * 8], rax
    mov rax, boot_pd_kernel + PTE_PRESENT + PTE_WRITABLE
    mov [boot_pdpt_kernel + 510 * 8], rax
    xor ecx, ecx
.link_pts:
    mov rax, rcx
    shl rax, 12
    lea rax, [boot_pt_kernel + rax + PTE_PRESENT + PTE_WRITABLE]
    mov [boot_pd_kernel + rcx * 8], rax
    inc ecx
    cmp ecx, KERNEL_PT_COUNT
    jne .link_pts

    mov rdi, __kernel_high_start                    ; virtual page being mapped
    mov r8, __kernel_high_end
    mov r9, KERNEL_VMA
    mov r10, __text_start
    mov r11, __text_end
    mov r12, __rodata_start
    mov r13, __rodata_end
    mov r15, ist_double_fault_guard
    mov rbx, ist_nmi_guard
    mov rbp, ist_machine_check_guard
.map_kernel:
    cmp rdi, r8
    jae .kernel_done
    cmp rdi, r15                                    ; stack guard pages stay unmapped
    je .next_page
    cmp rdi, rbx
    je .next_page
    cmp rdi, rbp
    je .next_page
    mov rax, rdi                                    ; the kernel stack's top frames: mapped as the stack only
    mov rsi, kernel_stack_top_frames
    sub rax, rsi
    cmp rax, STACK_TOP_SIZE
    jb .next_page
    mov rax, PTE_PRESENT                            ; text: read + execute
    cmp rdi, r10
    jb .data_page
    cmp rdi, r11
    jb .write_pte
    mov rax, PTE_NX | PTE_PRESENT                   ; rodata: read only
    cmp rdi, r12
    jb .data_page
    cmp rdi, r13
    jb .write_pte
.data_page:
    mov rax, PTE_NX | PTE_PRESENT | PTE_WRITABLE
.write_pte:
    mov rsi, rdi
    sub rsi, r9                                     ; physical address
    or rax, rsi
    shr rsi, 12
    mov [boot_pt_kernel + rsi * 8], rax
.next_page:
    add rdi, 4096
    jmp .map_kernel
.kernel_done:
    ; The kernel stack above its guard page (__kernel_stack_guard stays unmapped): read/write, NX.
    ; Two parts: the run from the memory map, then the top STACK_TOP_SIZE bytes on the .bss frames.
    mov rdi, __kernel_stack_bottom
    mov r8, __kernel_stack_top - STACK_TOP_SIZE
    mov rsi, [kernel_stack_phys]
    mov rbx, PTE_NX | PTE_PRESENT | PTE_WRITABLE
    xor ecx, ecx                                    ; the part being mapped
.map_stack:
    cmp rdi, r8
    jae .stack_part_done
    mov rax, rsi
    or rax, rbx
    mov rdx, rdi
    sub rdx, r9
    shr rdx, 12
    mov [boot_pt_kernel + rdx * 8], rax
    add rdi, 4096
    add rsi, 4096
    jmp .map_stack
.stack_part_done:
    inc ecx
    cmp ecx, 2
    je .stack_done
    mov r8, __kernel_stack_top
    mov rsi, kernel_stack_top_frames - KERNEL_VMA
    jmp .map_stack
.stack_done:
    mov rax, cr3
    mov cr3, rax
    mov rax, higher_half
    jmp rax

; No room for the kernel stack in the memory map: one line on COM1 (115200 8N1, as serial_init32
; programs it), a failing exit under QEMU, then halt. The screen is not written here.
no_stack_memory:
    mov dx, COM1 + 1
    xor eax, eax
    out dx, al                                      ; no UART interrupts
    mov dx, COM1 + 3
    mov al, 0x80
    out dx, al                                      ; DLAB: divisor 1 = 115200 baud
    mov dx, COM1
    mov al, 1
    out dx, al
    mov dx, COM1 + 1
    xor eax, eax
    out dx, al
    mov dx, COM1 + 3
    mov al, 3
    out dx, al                                      ; 8N1
    mov rsi, msg_no_stack_memory
.char:
    lodsb
    test al, al
    jz .done
    mov ah, al
    mov dx, COM1 + 5
.wait:
    in al, dx
    test al, 0x20
    jz .wait
    mov dx, COM1
    mov al, ah
    out dx, al
    jmp .char
.done:
    mov dx, DEBUG_EXIT_PORT
    mov eax, DEBUG_EXIT_FAILURE
    out dx, eax
.halt:
    cli
    hlt
    jmp .halt

; ---------------------------------------------------------------------------------------------
section .text progbits alloc exec nowrite align=16
bits 64
higher_half:
    mov rsp, __kernel_stack_top
    xor ebp, ebp
    STAMP higher_half_tsc

    ; Reload the GDT through the offset map, then drop the identity map (PML4[0]).
    mov rbx, PHYS_MEM_OFFSET
    sub rsp, 16
    mov word [rsp + 6], gdt64_end - gdt64 - 1
    mov rax, gdt64
    add rax, rbx
    mov [rsp + 8], rax
    lgdt [rsp + 6]
    add rsp, 16
    mov rax, boot_pml4
    add rax, rbx
    mov qword [rax], 0
    mov rax, cr3
    mov cr3, rax

    ; Thread-local storage (x86-64 variant II): the TLS image sits just below the thread
    ; pointer, and the word at the thread pointer points to itself.
    mov rdi, tls_area
    mov rsi, __tdata_start
    mov rcx, __tdata_end
    sub rcx, rsi
    rep movsb
    mov rax, tls_area
    add rax, __tls_aligned_size
    mov [rax], rax
    mov rdx, rax
    shr rdx, 32
    mov ecx, 0xC0000100                             ; FS base
    wrmsr

    ; CoreLib's start-up: type managers, static bases, eager class constructors.
    STAMP runtime_start_tsc
    mov rdi, __kernel_high_start                    ; OS module: the image base, as RhGetOSModuleFromPointer answers
    mov rsi, __modules_start
    mov rdx, __modules_end
    sub rdx, rsi
    shr rdx, 3
    xor ecx, ecx
    xor r8d, r8d
    call InitializeModules

    STAMP main_tsc
    xor edi, edi                                    ; argc
    xor esi, esi                                    ; argv
    call __managed__Main
    mov edi, eax
    call StrixMainReturned
.halt:
    cli
    hlt
    jmp .halt

; The boot layout record, seen through the offset map (C#: BootLayout.Current).
global strix_get_boot_layout
strix_get_boot_layout:
    mov rax, strix_boot_layout + PHYS_MEM_OFFSET
    ret

; ---------------------------------------------------------------------------------------------
section .boot.rodata progbits alloc noexec nowrite align=16
gdt64:
    dq 0
    dq 0x00AF9A000000FFFF                           ; 0x08: 64-bit code, ring 0
    dq 0x00CF92000000FFFF                           ; 0x10: data, ring 0
gdt64_end:
gdt64_pointer:
    dw gdt64_end - gdt64 - 1
    dd gdt64
msg_not_multiboot: db "StrixOS boot: not started by a multiboot2 boot loader (bad magic in EAX)", 13, 10, 0
msg_no_long_mode:  db "StrixOS boot: this CPU has no 64-bit long mode", 13, 10, 0
msg_no_nx:         db "StrixOS boot: this CPU has no NX (no-execute) support", 13, 10, 0
msg_no_sse2:       db "StrixOS boot: this CPU has no SSE2", 13, 10, 0
msg_no_stack_memory: db "StrixOS boot: no free memory for the 8 MiB kernel stack in the memory map", 13, 10, 0

; ---------------------------------------------------------------------------------------------
; Boot page tables: loaded with the image (so the memory map marks them in use) and
; reachable later through the offset map.
section .boot.bss nobits alloc noexec write align=4096
boot_pml4:          resb 4096
boot_pdpt_low:      resb 4096
boot_pdpt_offset:   resb 4096
boot_pdpt_kernel:   resb 4096
boot_pd_kernel:     resb 4096
boot_pd_low:        resb 4096 * 4
boot_pt_kernel:     resb 4096 * KERNEL_PT_COUNT
boot_pd_pool:       resb 4096 * OFFSET_PD_POOL
boot_stack32:       resb 4096
boot_stack32_top:

; ---------------------------------------------------------------------------------------------
; What the boot stage tells C# (StrixOS/Boot/Stage/BootLayout.cs mirrors this layout). It lives
; low, next to the code that fills it; C# reads it through the offset map.
section .boot.data
strix_boot_layout:
mb_info_phys:       dq 0
                    dq __kernel_phys_start
                    dq __kernel_phys_end
                    dq __boot_tables_start
                    dq __boot_tables_end
                    dq boot_pml4
                    dq __text_start
                    dq __text_end
                    dq __rodata_start
                    dq __rodata_end
                    dq __kernel_high_start
                    dq __kernel_high_end
                    dq __kernel_stack_guard
                    dq __kernel_stack_top
                    dq early_heap
                    dq early_heap + EARLY_HEAP_SIZE
offset_map_bytes:   dq 0
ram_end:            dq 0
has_1g_pages:       dq 0
                    dq ist_double_fault_guard
                    dq ist_double_fault_top
                    dq ist_nmi_guard
                    dq ist_nmi_top
                    dq ist_machine_check_guard
                    dq ist_machine_check_top
entry_tsc:          dq 0                        ; strix.boottrace stamps (TSC)
higher_half_tsc:    dq 0
runtime_start_tsc:  dq 0
main_tsc:           dq 0
kernel_stack_phys:  dq 0                        ; the kernel stack's frames below its top (found in the memory map)
kernel_stack_phys_end: dq 0
global boot_expander_tsc                        ; the expander's first instruction (TSC): it writes this field
boot_expander_tsc:  dq 0                        ; once it has expanded the image (Expander/); 0 without it

section .bss nobits alloc noexec write align=4096
; Interrupt stacks (TSS IST1-3), each above its own unmapped guard page.
ist_double_fault_guard:  resb 4096
                         resb IST_STACK_SIZE
ist_double_fault_top:
ist_nmi_guard:           resb 4096
                         resb IST_STACK_SIZE
ist_nmi_top:
ist_machine_check_guard: resb 4096
                         resb IST_STACK_SIZE
ist_machine_check_top:
kernel_stack_top_frames: resb STACK_TOP_SIZE    ; behind the kernel stack's top (mapped there, not here)
tls_area:           resb TLS_AREA_SIZE
early_heap:         resb EARLY_HEAP_SIZE

section .note.GNU-stack noalloc noexec nowrite progbits
