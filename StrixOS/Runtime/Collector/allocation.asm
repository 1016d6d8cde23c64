; The allocation fast paths, as NativeAOT's own amd64 helpers are: bump the running thread's allocation
; context (AllocationContext.cs: pointer, limit) by the object's size rounded to 16, write the cell's length
; word (what the heap's walks read) and the MethodTable, return. Anything else (no room, no context yet, a
; negative length) tail-jumps to the C# slow path with the arguments untouched (Allocation.cs).
;
; Preemption may land anywhere in here: contexts are per thread (the context's address is in a register
; once loaded), and a collection never scans a thread stopped in assembly (ThreadSuspension lets it run on to
; a safepoint), so nothing sees a half-made object. Interrupt handlers must not allocate (docs/runtime.md).

bits 64
default rel

extern StrixNewObjectSlow, StrixNewArraySlow

%define CONTEXT_POINTER         0
%define CONTEXT_LIMIT           8
%define MT_FLAGS                0
%define MT_BASE_SIZE            4
%define HAS_COMPONENT_SIZE      0x80000000

; With rax = the context and rcx = the cell's size (a multiple of 16): bumps and leaves rax = the object with its
; cell word and MethodTable (rdi) written, or jumps to %1 when the context has no room.
%macro BUMP_OR 1
    mov rdx, [rax + CONTEXT_POINTER]
    mov r8, [rax + CONTEXT_LIMIT]
    sub r8, rdx
    cmp rcx, r8
    ja %1
    lea r8, [rdx + rcx]
    mov [rax + CONTEXT_POINTER], r8
    shr rcx, 4
    mov [rdx], ecx                  ; the cell's length word (its padding half, which CoreLib never reads)
    lea rax, [rdx + 8]
    mov [rax], rdi
%endmacro

section .text progbits alloc exec nowrite align=16

; object RhpNewFast(MethodTable* rdi)
global RhpNewFast
RhpNewFast:
    mov rax, [StrixAllocationContextCurrent]
    test rax, rax
    jz .slow
    mov ecx, [rdi + MT_BASE_SIZE]
    add ecx, 15
    and ecx, -16
    BUMP_OR .slow
    ret
.slow:
    jmp StrixNewObjectSlow

; object RhpNewArrayFast(MethodTable* rdi, int length esi); also RhpNewPtrArrayFast and RhNewString
global RhpNewArrayFast, RhpNewPtrArrayFast, RhNewString
RhpNewArrayFast:
RhpNewPtrArrayFast:
RhNewString:
    mov rax, [StrixAllocationContextCurrent]
    test rax, rax
    jz .slow
    test esi, esi
    js .slow                        ; the slow path throws OverflowException
    mov ecx, [rdi + MT_FLAGS]
    xor r8d, r8d
    test ecx, HAS_COMPONENT_SIZE
    jz .sized
    movzx r8d, cx                   ; the component size
.sized:
    mov ecx, esi
    imul rcx, r8                    ; at most 2^31 * 2^16: no overflow in 64 bits
    mov r8d, [rdi + MT_BASE_SIZE]
    lea rcx, [rcx + r8 + 15]
    and rcx, -16
    BUMP_OR .slow
    mov [rax + 8], esi              ; the length
    ret
.slow:
    jmp StrixNewArraySlow

; AllocationContext** StrixAllocationContextSlot(): where the running thread's context is (AllocationContexts.Current).
global StrixAllocationContextSlot
StrixAllocationContextSlot:
    lea rax, [StrixAllocationContextCurrent]
    ret

section .data progbits alloc noexec write align=8
; The running thread's AllocationContext*; null until the first slow-path allocation (the fast path then has no room).
StrixAllocationContextCurrent: dq 0

section .note.GNU-stack noalloc noexec nowrite progbits
