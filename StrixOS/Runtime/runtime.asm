; The parts of StrixOS's runtime that must be assembly: routines with calling conventions C#
; cannot express (write barriers that advance registers, the interface-dispatch stub), the
; C library primitives the compiler calls, data symbols, and stubs for entry points that are
; not implemented yet. The list of what is implemented and stubbed is in docs/runtime.md.

bits 64
default rel

extern StrixResolveInterfaceCall, StrixStubHit

section .text progbits alloc exec nowrite align=16

; void* memset(void* dst, int value, size_t count)
; Eight bytes per iteration, then the tail: an emulator (QEMU TCG) runs a rep string instruction
; one iteration at a time, so zeroing a page table or a heap block costs an eighth of rep stosb.
global memset
memset:
    mov r9, rdi
    movzx eax, sil
    mov r8, 0x0101010101010101
    imul rax, r8
    mov rcx, rdx
    shr rcx, 3
    rep stosq
    mov rcx, rdx
    and rcx, 7
    rep stosb
    mov rax, r9
    ret

; void* memmove(void* dst, const void* src, size_t count): overlap-safe.
global memmove, memcpy
memcpy:
memmove:
    mov rax, rdi
    mov rcx, rdx
    cmp rdi, rsi
    jbe .forward
    lea r8, [rsi + rdx]
    cmp rdi, r8
    jae .forward
    lea rsi, [rsi + rdx - 1]
    lea rdi, [rdi + rdx - 1]
    std
    rep movsb
    cld
    ret
.forward:                                           ; eight bytes at a time (see memset), then the tail;
    mov rcx, rdx                                    ; safe forwards even when dst is just below src
    shr rcx, 3
    rep movsq
    mov rcx, rdx
    and rcx, 7
    rep movsb
    ret

; Touches each page from the current stack page down to r11 (the lowest address of the frame
; being allocated), so a large frame hits the guard page in order instead of skipping past it.
; Only rax and the flags change.
global RhpStackProbe
RhpStackProbe:
    mov rax, rsp
    and rax, -4096
.probe:
    sub rax, 4096
    test [rax], eax
    cmp rax, r11
    ja .probe
    ret

; Write barriers: there is no generational GC yet, so a barrier is a plain store.
global RhpAssignRef, RhpCheckedAssignRef
RhpAssignRef:
RhpCheckedAssignRef:
    mov [rdi], rsi
    ret

; Copies one reference from [rsi] to [rdi] and advances both by 8 (only rcx may be trashed).
global RhpByRefAssignRef
RhpByRefAssignRef:
    mov rcx, [rsi]
    mov [rdi], rcx
    add rdi, 8
    add rsi, 8
    ret

; object RhpCheckedLockCmpXchg(ref object location, object value, object comparand)
global RhpCheckedLockCmpXchg
RhpCheckedLockCmpXchg:
    mov rax, rdx
    lock cmpxchg [rdi], rsi
    ret

; object RhpCheckedXchg(ref object location, object value)
global RhpCheckedXchg
RhpCheckedXchg:
    mov rax, rsi
    xchg [rdi], rax
    ret

; void RhBulkMoveWithWriteBarrier(ref byte dst, ref byte src, nuint count)
global RhBulkMoveWithWriteBarrier
RhBulkMoveWithWriteBarrier:
    jmp memmove

; void* RhpGcSafeZeroMemory(void* dst, nuint count)
global RhpGcSafeZeroMemory
RhpGcSafeZeroMemory:
    mov rdx, rsi
    xor esi, esi
    jmp memset

; Interface dispatch. A call site puts its dispatch cell in r11 and calls through the cell,
; which points here. We keep the argument registers, ask C# for the target (which decodes
; the cell and asks CoreLib's resolver) and tail-jump to it with the arguments intact.
global RhpInitialDynamicInterfaceDispatch
RhpInitialDynamicInterfaceDispatch:
    push rbp
    mov rbp, rsp
    push rdi
    push rsi
    push rdx
    push rcx
    push r8
    push r9
    sub rsp, 8 * 16                                 ; xmm0-7 (rsp stays 16-byte aligned)
    movdqu [rsp + 0], xmm0
    movdqu [rsp + 16], xmm1
    movdqu [rsp + 32], xmm2
    movdqu [rsp + 48], xmm3
    movdqu [rsp + 64], xmm4
    movdqu [rsp + 80], xmm5
    movdqu [rsp + 96], xmm6
    movdqu [rsp + 112], xmm7
    mov rsi, r11                                    ; (object this = rdi, cell)
    call StrixResolveInterfaceCall
    mov r11, rax
    movdqu xmm0, [rsp + 0]
    movdqu xmm1, [rsp + 16]
    movdqu xmm2, [rsp + 32]
    movdqu xmm3, [rsp + 48]
    movdqu xmm4, [rsp + 64]
    movdqu xmm5, [rsp + 80]
    movdqu xmm6, [rsp + 96]
    movdqu xmm7, [rsp + 112]
    add rsp, 8 * 16
    pop r9
    pop r8
    pop rcx
    pop rdx
    pop rsi
    pop rdi
    pop rbp
    jmp r11

; Entry points not implemented yet: each reports its own name and stops the kernel
; (StrixStubHit prints it on the serial console and exits QEMU with failure).
%macro STUB 1
global %1
%1:
    lea rdi, [rel %%name]
    jmp StrixStubHit
section .rodata
%%name: db %str(%1), 0
section .text
%endmacro

STUB RhpGetThreadAbortException
STUB RhCreateCrashDumpIfEnabled
STUB RhGetCrashInfoBuffer
STUB RhpSignalFinalizationComplete
STUB RhpWaitForFinalizerRequest
STUB RhpGetNextFinalizableObject
STUB RhGetRuntimeVersion
STUB __tls_get_addr

section .rodata progbits alloc noexec nowrite align=8

section .data progbits alloc noexec write align=8
; Non-zero asks compiled code to call RhpGcPoll at safe points; there is nothing to wait for.
global RhpTrapThreads
RhpTrapThreads:     dd 0, 0
; Stack-protector cookie read by compiled code.
global __security_cookie
__security_cookie:  dq 0x2F3A9D4C7B1E5A60
; Optional instruction sets detected at run time: none are assumed beyond the x86-64 baseline.
global g_cpuFeatures
g_cpuFeatures:      dd 0, 0

section .note.GNU-stack noalloc noexec nowrite progbits
