; StrixOS kernel expander: what GRUB loads as /boot/strix.elf. GRUB delivers about 70-90 ms of emulated time
; per MB it loads, so it loads this small image (the expander plus the kernel's segments, LZ4-compressed)
; instead of the 1.2 MB kernel; under QEMU's TCG the LZ4 decoder below costs a fraction of what the saved bytes do.
;
; Entered by GRUB in 32-bit protected mode, paging off (multiboot2). For each of the kernel's loadable
; segments (kernel-image.inc, written by pack-kernel.sh): expand its LZ4 frame to the segment's physical
; address and check the size (GRUB has zeroed the BSS below the frames). Then the boot modules the image
; carries (the symbol and line tables, so that GRUB opens one file, not three: each file costs GRUB far more than
; its bytes): expand each to its pages after the expander's data, and hand them to the kernel as GRUB hands over a
; module2 file, as a multiboot2 module tag, in a copy of GRUB's boot information (the kernel keeps modules' frames
; and places its stack above them, boot.asm). Only then zero the BSS over the frames: they lie on the kernel's BSS
; (expander.ld), so that GRUB writes nothing above the kernel's range but this code, its records and the modules'
; pages (each 2 MiB region of RAM a boot writes costs the host a huge page under QEMU). Then jump to the kernel's
; entry with GRUB's EAX and the copy in EBX. This ELF's first two segments cover the kernel's whole physical range (expander.ld), so GRUB puts neither
; the boot information nor modules there; the expander lies above it and is free memory once the kernel runs, but
; for the pages of the modules and of the boot information's copy.
;
; Every write is checked against the segment being expanded, which the build placed inside the reserved range
; and below the frames (or the frames above the range):
; malformed, truncated or oversized data stops here with a message (boot_fail32: COM1, the screen, QEMU's
; debug-exit with failure, halt), never in a half-written kernel.

%include "kernel-image.inc"     ; KERNEL_ENTRY, KERNEL_PHYS_START/END, KERNEL_EXPANDER_TSC, kernel_segments, frames,
                                ; image_modules, IMAGE_MODULE_TAG_BYTES, IMAGE_MODULE_BYTES, BOOT_INFO_COPY_BYTES,
                                ; payload_start, payload_end

LZ4_FRAME_MAGIC     equ 0x184D2204
; FLG byte the build asks lz4 for: version 01, independent blocks, no block checksums, content size present,
; no content checksum, no dictionary. Anything else is not a frame this expander reads.
LZ4_FRAME_FLAGS     equ 0x68
LZ4_BLOCK_STORED    equ 0x80000000      ; block size's top bit: the block's bytes are stored as they are

; Copies 16 bytes from [%1] to [%2] through %3, dword by dword in order; moves neither pointer.
%macro COPY16 3
    mov %3, [%1]
    mov [%2], %3
    mov %3, [%1 + 4]
    mov [%2 + 4], %3
    mov %3, [%1 + 8]
    mov [%2 + 8], %3
    mov %3, [%1 + 12]
    mov [%2 + 12], %3
%endmacro

; Moves 16 bytes from [%1] to [%2] through xmm0: two 8-byte loads, as QEMU's TCG (7.2) turns a 16-byte load into two
; 8-byte stores that a 16-byte read of the same place then waits for (store forwarding fails), at every move.
%macro MOVE16 2
    movq xmm0, [%1]
    movhps xmm0, [%1 + 8]
    movdqu [%2], xmm0
%endmacro

; Inlined where used (a `ret` is an indirect jump, which QEMU's TCG looks up at every pass):

; ecx: 15, a length nibble that says more bytes follow (each added, until one is not 255). Stays within the block;
; a length that grows past what any output could hold is a malformed block. Keeps eax (the match offset).
%macro READ_LENGTH_MORE 0
    push eax
%%more:
    cmp esi, ebp
    jae frame_truncated
    movzx eax, byte [esi]
    inc esi
    add ecx, eax                                    ; no overflow: frames take less than 2^24 bytes (expander.ld)
    cmp eax, 255
    je %%more
    pop eax
    cmp ecx, 0x10000000
    ja frame_too_long
%endmacro

; Copies ecx bytes from esi to edi, forwards: 32 bytes per pass in 16-byte moves while more than 32 are left, then 16
; while more than 16 are, then the run's last 16 bytes (rewriting some with the same bytes); bytes when the run is
; shorter than 16. The source is 16 or more bytes behind the destination, or apart from it: every move reads only
; bytes already in place. Leaves esi and edi at the run's ends. Uses eax, ecx, xmm0.
%macro COPY_FORWARD_WIDE 0
    cmp ecx, 16
    jb %%bytes
    lea eax, [esi + ecx - 16]                       ; the last 16 bytes' source
    push eax
    lea eax, [edi + ecx]                            ; the run's end
%%pass:
    cmp ecx, 32
    jbe %%sixteen
    MOVE16 esi, edi
    MOVE16 esi + 16, edi + 16
    add esi, 32
    add edi, 32
    sub ecx, 32
    jmp %%pass
%%sixteen:
    cmp ecx, 16
    jbe %%last
    MOVE16 esi, edi
%%last:
    pop esi
    lea edi, [eax - 16]
    MOVE16 esi, edi
    add esi, 16
    mov edi, eax
    jmp %%done
%%bytes:
    rep movsb
%%done:
%endmacro

; Fails (boot_fail32, message in esi) unless the %2 bytes from address %1 lie within [%3, %4). Uses eax.
%macro FAIL_UNLESS_WITHIN 4
    cmp %1, %3
    jb boot_fail32
    mov eax, %4
    sub eax, %1
    jb boot_fail32
    cmp %2, eax
    ja boot_fail32
%endmacro

; One record of kernel_segments (dd each).
SEGMENT_PHYS        equ 0
SEGMENT_FILE_SIZE   equ 4
SEGMENT_MEM_SIZE    equ 8
SEGMENT_FRAME       equ 12
SEGMENT_FRAME_END   equ 16
SEGMENT_RECORD      equ 20

; One record of image_modules (dd each).
MODULE_DATA         equ 0               ; where it expands to
MODULE_BYTES        equ 4
MODULE_FRAME        equ 8
MODULE_FRAME_END    equ 12
MODULE_TAG_SIZE     equ 16              ; its multiboot2 tag's size: 16 + the name with its NUL
MODULE_NAME         equ 20
MODULE_RECORD       equ 24

MB2_TAG_END         equ 0
MB2_TAG_MODULE      equ 3

global expander_start

section .boot.text progbits alloc exec nowrite align=16
section .boot.data progbits alloc noexec write align=8
section .boot.bss nobits alloc noexec write align=16
section .module_pages nobits alloc noexec write align=4096

%include "multiboot2_header.inc"

section .boot.text
bits 32
expander_start:
    cli
    cld
    mov esp, expander_stack_top
    mov [grub_eax], eax
    mov [grub_ebx], ebx
    xor ecx, ecx
    cmp eax, MB2_BOOT_MAGIC
    cmovne ebx, ecx                                 ; no multiboot2 information: boot_fail32 draws on VGA text
    mov [mb_info_phys], ebx
    rdtsc
    mov [start_tsc], eax
    mov [start_tsc + 4], edx
    ; SSE for the copies and the zeroing: under QEMU's TCG every pass of a `rep` string instruction is a pass through
    ; its translated block, so 16 bytes per instruction cost far less than 4. The kernel needs SSE2 as well
    ; (boot.asm): without it the boot stops here with boot.asm's message.
    mov eax, 1
    cpuid
    mov esi, msg_no_sse2
    test edx, 1 << 26
    jz boot_fail32
    mov eax, cr0
    and eax, ~(1 << 2)                              ; EM off
    or eax, 1 << 1                                  ; MP
    mov cr0, eax
    mov eax, cr4
    or eax, (1 << 9) | (1 << 10)                    ; OSFXSR, OSXMMEXCPT (boot.asm sets both again)
    mov cr4, eax

    mov ebx, kernel_segments
.segment:
    cmp ebx, kernel_segments_end
    jae .expanded
    ; The record itself: inside the reserved range, file bytes within memory bytes (a build fault otherwise).
    mov edi, [ebx + SEGMENT_PHYS]
    mov edx, [ebx + SEGMENT_MEM_SIZE]
    mov esi, msg_bad_segment
    FAIL_UNLESS_WITHIN edi, edx, KERNEL_PHYS_START, KERNEL_PHYS_END
    cmp [ebx + SEGMENT_FILE_SIZE], edx
    ja boot_fail32
    cmp dword [ebx + SEGMENT_FILE_SIZE], 0
    je .next_segment                                ; all BSS: no frame
    mov [segment_start], edi
    mov edx, edi
    add edx, [ebx + SEGMENT_FILE_SIZE]              ; edx: end of the segment's file bytes
    ; The file bytes must not reach the frames, which are read until the last module is expanded.
    cmp edx, payload_start
    jbe .clear_of_frames
    cmp edi, payload_end
    jb boot_fail32
.clear_of_frames:
    mov esi, [ebx + SEGMENT_FRAME]
    mov ebp, [ebx + SEGMENT_FRAME_END]
    call expand_frame
.next_segment:
    add ebx, SEGMENT_RECORD
    jmp .segment

.expanded:
    ; The modules, each into its own pages (checked against those pages).
    mov ebx, image_modules
.module:
    cmp ebx, image_modules_end
    jae .modules_expanded
    mov edi, [ebx + MODULE_DATA]
    mov edx, [ebx + MODULE_BYTES]
    mov esi, msg_bad_module
    FAIL_UNLESS_WITHIN edi, edx, module_pages, module_pages + IMAGE_MODULE_BYTES
    mov [segment_start], edi
    add edx, edi
    mov esi, [ebx + MODULE_FRAME]
    mov ebp, [ebx + MODULE_FRAME_END]
    call expand_frame
    add ebx, MODULE_RECORD
    jmp .module
.modules_expanded:
    ; Every frame is spent: each segment's BSS is zeroed, but for what GRUB has zeroed and nothing has written since.
    ; The image's first segment (expander.ld) reserves the kernel's range up to KERNEL_ZEROED_END (the frames' page,
    ; or the range's end) with no file bytes, and GRUB's multiboot2 loader zeroes the memory bytes of every segment
    ; past its file bytes (grub-core/loader/multiboot_elfxx.c, the same on every platform and from any device: BIOS
    ; and UEFI, CD, disk and network; GRUB is the only loader StrixOS ships, docs/deploy.md). Below that end the
    ; expander writes only the segments' file bytes (every move checked against them), so their BSS there is still
    ; zero; from it on (the multiboot2 header, the frames) it is zeroed here. Under TCG 16-byte stores cost about
    ; 0.3 ms per MB, and GRUB's zeroing is not avoidable (docs/benchmarks.md, "The expander under TCG").
    mov ebx, kernel_segments
.bss:
    cmp ebx, kernel_segments_end
    jae .zeroed
    mov edi, [ebx + SEGMENT_PHYS]
    add edi, [ebx + SEGMENT_FILE_SIZE]
    mov eax, KERNEL_ZEROED_END
    cmp edi, eax
    cmovb edi, eax                                  ; edi: the later of the BSS's start and GRUB's zeroing's end
    mov ecx, [ebx + SEGMENT_PHYS]
    add ecx, [ebx + SEGMENT_MEM_SIZE]
    call zero_range
    add ebx, SEGMENT_RECORD
    jmp .bss
.zeroed:
    call pass_modules

    ; strix.boottrace: the kernel's boot layout (in its .boot.data, now expanded) gets the expander's start.
    mov eax, [start_tsc]
    mov edx, [start_tsc + 4]
    mov [KERNEL_EXPANDER_TSC], eax
    mov [KERNEL_EXPANDER_TSC + 4], edx
    mov eax, [grub_eax]
    mov ebx, [grub_ebx]
    mov ecx, KERNEL_ENTRY                           ; through a register: a direct jmp to an absolute
    jmp ecx                                         ; address needs a relocation NASM does not make

; Hands the modules to the kernel: copies GRUB's boot information into the pages after the modules' with a module tag for each
; (start, end, name) before the end tag, and makes the copy the kernel's EBX. GRUB's own stays where it is, free
; memory to the kernel. Without multiboot2 information (the kernel reports that) or modules: nothing to do.
pass_modules:
    mov edx, [mb_info_phys]
    test edx, edx
    jz .done
    mov eax, image_modules_end
    cmp eax, image_modules
    je .done
    ; The end tag: every tag (8-byte aligned) within the total size, which GRUB wrote.
    mov ecx, [edx]                                  ; total size
    mov eax, 8                                      ; the first tag
    mov esi, msg_bad_boot_info
.find_end:
    mov ebx, ecx
    sub ebx, eax                                    ; bytes from this tag to the end
    jb boot_fail32
    cmp ebx, 8
    jb boot_fail32
    cmp dword [edx + eax], MB2_TAG_END
    je .copy
    mov ebp, [edx + eax + 4]                        ; the tag's size
    cmp ebp, 8
    jb boot_fail32
    add ebp, 7
    jc boot_fail32
    and ebp, ~7
    cmp ebp, ebx
    jae boot_fail32                                 ; the end tag must still follow
    add eax, ebp
    jmp .find_end
.copy:
    ; eax: the bytes before the end tag (a multiple of 8), copied with the total size's word and the reserved one.
    mov esi, msg_boot_info_too_large
    cmp eax, BOOT_INFO_COPY_BYTES - IMAGE_MODULE_TAG_BYTES - 8
    ja boot_fail32
    mov esi, edx
    mov edi, boot_info_copy
    mov ecx, eax
    shr ecx, 2
    rep movsd
    mov ebx, image_modules
.tag:
    cmp ebx, image_modules_end
    jae .end_tag
    mov dword [edi], MB2_TAG_MODULE
    mov ecx, [ebx + MODULE_TAG_SIZE]
    mov [edi + 4], ecx
    mov eax, [ebx + MODULE_DATA]
    mov [edi + 8], eax
    add eax, [ebx + MODULE_BYTES]
    mov [edi + 12], eax
    lea ebp, [edi + ecx + 7]
    and ebp, ~7                                     ; the next tag
    mov dword [ebp - 8], 0                          ; the padding after the name is zero
    mov dword [ebp - 4], 0
    sub ecx, 16
    mov esi, [ebx + MODULE_NAME]
    add edi, 16
    rep movsb                                       ; the name and its NUL
    mov edi, ebp
    add ebx, MODULE_RECORD
    jmp .tag
.end_tag:
    mov dword [edi], MB2_TAG_END
    mov dword [edi + 4], 8
    add edi, 8
    sub edi, boot_info_copy
    mov [boot_info_copy], edi                       ; the copy's total size
    mov dword [grub_ebx], boot_info_copy
.done:
    ret

; Zeroes [edi, ecx) (nothing when ecx <= edi): bytes up to a 16-byte boundary, then 128 bytes per pass in aligned
; 16-byte stores, then 16 at a time, then the last bytes. Uses eax, ecx, edx, edi, xmm0.
zero_range:
    sub ecx, edi
    jbe .done
    xor eax, eax
    mov edx, edi
    neg edx
    and edx, 15                                     ; edx: bytes to the next 16-byte boundary
    cmp ecx, edx
    jbe .bytes
    sub ecx, edx
    xchg ecx, edx
    rep stosb
    mov ecx, edx
    pxor xmm0, xmm0
    cmp ecx, 128
    jb .sixteen
.wide:
    movdqa [edi], xmm0
    movdqa [edi + 16], xmm0
    movdqa [edi + 32], xmm0
    movdqa [edi + 48], xmm0
    movdqa [edi + 64], xmm0
    movdqa [edi + 80], xmm0
    movdqa [edi + 96], xmm0
    movdqa [edi + 112], xmm0
    add edi, 128
    sub ecx, 128
    cmp ecx, 128
    jae .wide
.sixteen:
    cmp ecx, 16
    jb .bytes
    movdqa [edi], xmm0
    add edi, 16
    sub ecx, 16
    jmp .sixteen
.bytes:
    rep stosb
.done:
    ret

; Expands one LZ4 frame. esi: frame, ebp: its end, edi: destination, edx: end of the destination
; (the segment's file bytes), [segment_start]: the segment's first byte (the furthest a match may reach back).
; Returns edi = edx. Fails (boot_fail32) on anything that does not fit exactly.
expand_frame:
    mov eax, ebp
    sub eax, esi
    cmp eax, 4 + 1 + 1 + 8 + 1 + 4                  ; magic, FLG, BD, content size, HC, end mark
    jb .bad_header
    cmp dword [esi], LZ4_FRAME_MAGIC
    jne .bad_header
    cmp byte [esi + 4], LZ4_FRAME_FLAGS
    jne .bad_header
    mov eax, edx
    sub eax, edi
    cmp [esi + 6], eax                              ; content size (64 bits) = the segment's file bytes
    jne .bad_size
    cmp dword [esi + 10], 0
    jne .bad_size
    add esi, 4 + 1 + 1 + 8 + 1                      ; the header checksum is not checked: the sizes are
.block:
    mov eax, ebp
    sub eax, esi
    cmp eax, 4
    jb frame_truncated
    mov ecx, [esi]
    add esi, 4
    test ecx, ecx
    jz .end_mark
    mov eax, ebp
    sub eax, esi                                    ; eax: frame bytes left
    test ecx, LZ4_BLOCK_STORED
    jnz .stored
    cmp ecx, eax
    ja frame_truncated
    push ebp
    lea ebp, [esi + ecx]
    call expand_block
    pop ebp
    jmp .block
.stored:
    and ecx, ~LZ4_BLOCK_STORED
    cmp ecx, eax
    ja frame_truncated
    mov eax, edx
    sub eax, edi
    cmp ecx, eax
    ja frame_too_long
    call copy_forward
    jmp .block
.end_mark:
    cmp esi, ebp                                    ; nothing after the end mark
    jne .bad_header
    cmp edi, edx                                    ; every byte of the segment written
    jne .bad_size
    ret
.bad_header:
    mov esi, msg_bad_frame
    jmp boot_fail32
.bad_size:
    mov esi, msg_bad_size
    jmp boot_fail32

; Expands one LZ4 block (sequences of: token, literal length, literals, match offset, match length).
; esi: block, ebp: its end, edi: output, edx: output end. Returns esi = ebp. Under TCG what costs is the guest's
; memory accesses and the translated blocks it passes through (each conditional jump ends one; a `ret` is an indirect
; jump, looked up each time): most sequences take the fast path, four blocks and no call.
expand_block:
    push ebx
.sequence:
    ; The fast path: at least 32 bytes left in the block, 384 of room in the output and 16 written, literals up to
    ; 14 bytes (nibble below 15), the match 16 or more bytes back and within what is written, its length up to 273
    ; (nibble below 15, or 15 and one more byte, not 255). Then every check of the careful path below holds (the
    ; literals, the offset and the length's byte lie in the block, the literals and the match, with the moves' slack
    ; in the room, and this is not the last sequence): one 16-byte move for the literals, 16-byte moves for the match
    ; (each reads bytes written before it, being 16 or more behind). Anything else goes the careful way, from the
    ; same token. Checks are merged (sign bits ORed) so that each is not a block of its own.
    mov eax, ebp
    sub eax, esi
    sub eax, 32                                     ; negative: fewer than 32 bytes left in the block
    mov ecx, edx
    sub ecx, edi
    sub ecx, 384                                    ; negative: less than 384 bytes of room
    or eax, ecx
    mov ecx, edi
    sub ecx, [segment_start]
    sub ecx, 16                                     ; negative: fewer than 16 bytes written
    or eax, ecx
    js .careful
    movzx ebx, byte [esi]                           ; token
    cmp ebx, 0xF0
    jae .careful                                    ; 15 or more literals
    mov ecx, ebx
    shr ecx, 4                                      ; the literals' length
    movzx eax, word [esi + ecx + 1]                 ; the match offset
    sub eax, 16
    lea ebx, [edi + ecx - 16]
    sub ebx, [segment_start]                        ; what is written after the literals, less 16 (not negative)
    cmp eax, ebx                                    ; unsigned: an offset below 16 wraps above
    ja .careful
    neg eax
    lea eax, [eax + edi - 16]
    add eax, ecx                                    ; the match's source
    movzx ebx, byte [esi]                           ; the token again
    MOVE16 esi + 1, edi                             ; the literals
    lea esi, [esi + ecx + 3]                        ; past the token, the literals and the offset
    add edi, ecx
    MOVE16 eax, edi                                 ; the match's first 16 bytes
    and ebx, 15
    cmp ebx, 12                                     ; a match of 16 bytes or fewer (the nibble + 4): done
    lea edi, [edi + ebx + 4]
    jbe .sequence
    cmp ebx, 15
    je .fast_long_match
    sub edi, ebx                                    ; 17 or 18 bytes: 16 more from the match's 16th
    MOVE16 eax + 16, edi + 12
    add edi, ebx
    jmp .sequence
.fast_long_match:
    ; edi is 19 past the match's start (its length so far), esi at the length's next byte.
    movzx ecx, byte [esi]
    cmp ecx, 255
    je .fast_to_careful                             ; more bytes follow
    inc esi
    add ecx, edi                                    ; the match's end: 19 + the byte from its start
    sub edi, 19 - 16                                ; on from its 16th byte
    add eax, 16
.fast_long_pass:
    MOVE16 eax, edi
    MOVE16 eax + 16, edi + 16
    add eax, 32
    add edi, 32
    cmp edi, ecx
    jb .fast_long_pass                              ; (up to 31 bytes past the end: in the room)
    mov edi, ecx
    jmp .sequence
.fast_to_careful:
    ; The careful way from the match offset, with a match nibble of 15 (what it reads of the token).
    sub esi, 2
    sub edi, 19
    mov ebx, 15
    jmp .literals_done
.careful:
    cmp esi, ebp
    jae frame_truncated
    movzx ebx, byte [esi]                           ; token: literal length (high nibble), match length
    inc esi
    mov ecx, ebx
    shr ecx, 4
    cmp ecx, 15
    je .literal_length_more
.literal_length:
    ; Literals: within the block and within the output.
    mov eax, ebp
    sub eax, esi
    cmp ecx, eax
    ja frame_truncated
    mov eax, edx
    sub eax, edi
    cmp ecx, eax
    ja frame_too_long
    cmp ecx, 16                                     ; most runs are short: one 16-byte move (the few extra bytes
    ja .long_literals                               ; written are rewritten next, and stay in the segment: eax is
    cmp eax, 16                                     ; its room; the bytes read past the block are the image's)
    jb .long_literals
    MOVE16 esi, edi
    add esi, ecx
    add edi, ecx
.literals_done:
    mov eax, ebp
    sub eax, esi
    cmp eax, 2
    jb .block_end                                   ; the last sequence has literals only
    movzx eax, word [esi]                           ; match offset: 1 to what is written of this segment
    add esi, 2
    mov ecx, edi
    sub ecx, [segment_start]
    dec eax                                         ; unsigned: an offset of 0 wraps above
    cmp eax, ecx
    jae frame_bad_match
    inc eax
    mov ecx, ebx
    and ecx, 15
    cmp ecx, 15
    je .match_length_more
.match_length:
    add ecx, 4                                      ; the minimum match
    mov ebx, edx
    sub ebx, edi
    cmp ecx, ebx
    ja frame_too_long
    push esi
    mov esi, edi
    sub esi, eax
    cmp eax, 16                                     ; 16 or more behind: 16-byte moves read only bytes written
    jb .near_match
    cmp ecx, 16
    ja .long_match
    cmp ebx, 16
    jb .long_match
    MOVE16 esi, edi
    add edi, ecx
    pop esi
    jmp .sequence
.long_match:
    COPY_FORWARD_WIDE
    pop esi
    jmp .sequence
.near_match:
    cmp eax, 4                                      ; closer than a dword: the copy repeats a short pattern
    jb .bytewise
    cmp ecx, 16                                     ; short, with room: four dword moves (each reads bytes
    ja .near_long_match                             ; already written: the source is 4 or more behind)
    cmp ebx, 16
    jb .near_long_match
    COPY16 esi, edi, ebx
    add edi, ecx
    pop esi
    jmp .sequence
.near_long_match:
    call copy_forward
    pop esi
    jmp .sequence
.bytewise:
    rep movsb
    pop esi
    jmp .sequence
.long_literals:
    COPY_FORWARD_WIDE
    jmp .literals_done
.literal_length_more:
    READ_LENGTH_MORE
    jmp .literal_length
.match_length_more:
    READ_LENGTH_MORE
    jmp .match_length
.block_end:
    test eax, eax
    jnz frame_truncated                             ; one byte left: not even a match offset
.done:
    pop ebx
    ret

; Copies ecx bytes from esi to edi, forwards in dwords then bytes (a source at least 4 bytes behind the
; destination reads only bytes already written).
copy_forward:
    mov eax, ecx
    shr ecx, 2
    rep movsd
    mov ecx, eax
    and ecx, 3
    rep movsb
    ret

frame_truncated:
    mov esi, msg_truncated
    jmp boot_fail32
frame_too_long:
    mov esi, msg_too_long
    jmp boot_fail32
frame_bad_match:
    mov esi, msg_bad_match
    jmp boot_fail32

; boot_fail32 (esi: message): boot.asm's, with its serial and screen output.
%include "boot_message.inc"

section .boot.rodata progbits alloc noexec nowrite align=16
msg_bad_segment: db "StrixOS expander: a kernel segment lies outside the reserved range or over the compressed image (a build fault)", 13, 10, 0
msg_bad_frame:   db "StrixOS expander: the kernel's compressed image is not an LZ4 frame this expander reads", 13, 10, 0
msg_bad_size:    db "StrixOS expander: the kernel's compressed image expands to the wrong size", 13, 10, 0
msg_truncated:   db "StrixOS expander: the kernel's compressed image is truncated", 13, 10, 0
msg_too_long:    db "StrixOS expander: the kernel's compressed image expands past its segment", 13, 10, 0
msg_bad_module:  db "StrixOS expander: a boot module lies outside the image's module pages (a build fault)", 13, 10, 0
msg_bad_boot_info: db "StrixOS expander: GRUB's boot information has no end tag within its size", 13, 10, 0
msg_boot_info_too_large: db "StrixOS expander: GRUB's boot information is too large to copy with the image's modules", 13, 10, 0
msg_no_sse2:     db "StrixOS boot: this CPU has no SSE2", 13, 10, 0
msg_bad_match:   db "StrixOS expander: the kernel's compressed image refers to bytes before its segment", 13, 10, 0

section .boot.data
mb_info_phys:   dd 0
grub_eax:       dd 0
grub_ebx:       dd 0
start_tsc:      dq 0
segment_start:  dd 0

section .boot.bss
expander_stack: resb 4096
expander_stack_top:

; The modules' pages, then the boot information's copy: reserved by the image (GRUB zeroes them, puts nothing there).
section .module_pages
module_pages:   resb IMAGE_MODULE_BYTES
boot_info_copy: resb BOOT_INFO_COPY_BYTES

section .note.GNU-stack noalloc noexec nowrite progbits
