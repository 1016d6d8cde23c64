; Kernel-thread context switch and start (StrixOS/Threading/Scheduler.cs). A switched-out thread's
; stack holds, from its saved stack pointer up: MXCSR and the x87 control word (the callee-saved parts
; of the FPU/SSE state in the SysV ABI), r15, r14, r13, r12, rbx, rbp, then the return address into
; the C# caller. The caller-saved xmm registers need no saving here: a voluntary switch is a call, and
; a preempted thread's full FXSAVE image is on its stack, written by irq_common (interrupts.asm).

bits 64
default rel
extern StrixThreadMain, ThreadEntryPoint, StrixGcHijackReached
extern __tdata_start, __tdata_end, __tls_aligned_size

section .text progbits alloc exec nowrite align=16

; void strix_switch_context(ulong* saveStackPointer, ulong newStackPointer): interrupts are off.
global strix_switch_context
strix_switch_context:
    push rbp
    push rbx
    push r12
    push r13
    push r14
    push r15
    sub rsp, 8
    stmxcsr [rsp]
    fnstcw [rsp + 4]
    mov [rdi], rsp
    mov rsp, rsi
    ldmxcsr [rsp]
    fldcw [rsp + 4]
    add rsp, 8
    pop r15
    pop r14
    pop r13
    pop r12
    pop rbx
    pop rbp
    ret

; The first return of a new thread lands here (Scheduler builds the frame): r12 holds its control
; block. The stack is 16-byte aligned, so StrixThreadMain sees the ABI's alignment after the call.
global strix_thread_start
strix_thread_start:
    mov rdi, r12
    xor ebp, ebp                                    ; ends frame-pointer walks
    call StrixThreadMain
    ud2                                             ; StrixThreadMain never returns

; ulong strix_thread_start_address(): where a new thread's first switch returns to.
global strix_thread_start_address
strix_thread_start_address:
    lea rax, [strix_thread_start]
    ret

; RhGetThreadEntryPointAddress(): what CoreLib hands SystemNative_CreateThread as the start routine: its own
; ThreadEntryPoint export (an UnmanagedCallersOnly method taking the thread's GC handle).
global RhGetThreadEntryPointAddress
RhGetThreadEntryPointAddress:
    lea rax, [ThreadEntryPoint]
    ret

; A hijacked method returns here instead of to its caller (ThreadSuspension.cs): the caller is at a
; safepoint (the call's return address), with a returned reference possibly in rax/rdx. The stub saves
; every register as a HijackFrame (xmm0, xmm1, r15..rax, then the slot for the real return address),
; lets StrixGcHijackReached park the thread until the collection is over, and returns to the caller.
; The stack is 16-byte aligned on entry (the caller's alignment at its call, the return address popped).
global strix_gc_hijack_stub, strix_gc_hijack_stub_address
strix_gc_hijack_stub:
    sub rsp, 8                                      ; the real return address, written by C#
    push rax
    push rcx
    push rdx
    push rsi
    push rdi
    push r8
    push r9
    push r10
    push r11
    push rbx
    push rbp
    push r12
    push r13
    push r14
    push r15
    sub rsp, 32
    movdqu [rsp], xmm0
    movdqu [rsp + 16], xmm1
    mov rdi, rsp
    call StrixGcHijackReached
    movdqu xmm0, [rsp]
    movdqu xmm1, [rsp + 16]
    add rsp, 32
    pop r15
    pop r14
    pop r13
    pop r12
    pop rbp
    pop rbx
    pop r11
    pop r10
    pop r9
    pop r8
    pop rdi
    pop rsi
    pop rdx
    pop rcx
    pop rax
    ret

strix_gc_hijack_stub_address:
    lea rax, [strix_gc_hijack_stub]
    ret

; void strix_tls_image(ulong* start, ulong* initializedBytes, ulong* blockBytes): the .tdata image and
; the size of one thread's TLS block (.tdata + .tbss, aligned), as boot.asm lays out the first one.
global strix_tls_image
strix_tls_image:
    mov rax, __tdata_start
    mov [rdi], rax
    mov rax, __tdata_end
    sub rax, [rdi]
    mov [rsi], rax
    mov rax, __tls_aligned_size
    mov [rdx], rax
    ret

section .note.GNU-stack noalloc noexec nowrite progbits
