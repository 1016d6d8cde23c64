; CPU exception entry: one small stub per vector (0-31). Each pushes a zero where the CPU pushes
; no error code, then the vector number and every general-purpose register, so that C# receives
; one uniform ExceptionFrame (StrixOS/Cpu/ExceptionFrame.cs), and returns through iretq if the
; handler ever comes back. The stack is 16-byte aligned at the call (the CPU aligns before pushing).

bits 64
default rel
extern StrixCpuException, StrixInterrupt

section .text progbits alloc exec nowrite align=16

%macro EXCEPTION_NO_ERROR 1
global strix_exception_%1
strix_exception_%1:
    push 0
    push %1
    jmp exception_common
%endmacro

%macro EXCEPTION_WITH_ERROR 1
global strix_exception_%1
strix_exception_%1:
    push %1
    jmp exception_common
%endmacro

EXCEPTION_NO_ERROR 0
EXCEPTION_NO_ERROR 1
EXCEPTION_NO_ERROR 2
EXCEPTION_NO_ERROR 3
EXCEPTION_NO_ERROR 4
EXCEPTION_NO_ERROR 5
EXCEPTION_NO_ERROR 6
EXCEPTION_NO_ERROR 7
EXCEPTION_WITH_ERROR 8
EXCEPTION_NO_ERROR 9
EXCEPTION_WITH_ERROR 10
EXCEPTION_WITH_ERROR 11
EXCEPTION_WITH_ERROR 12
EXCEPTION_WITH_ERROR 13
EXCEPTION_WITH_ERROR 14
EXCEPTION_NO_ERROR 15
EXCEPTION_NO_ERROR 16
EXCEPTION_WITH_ERROR 17
EXCEPTION_NO_ERROR 18
EXCEPTION_NO_ERROR 19
EXCEPTION_NO_ERROR 20
EXCEPTION_WITH_ERROR 21
EXCEPTION_NO_ERROR 22
EXCEPTION_NO_ERROR 23
EXCEPTION_NO_ERROR 24
EXCEPTION_NO_ERROR 25
EXCEPTION_NO_ERROR 26
EXCEPTION_NO_ERROR 27
EXCEPTION_NO_ERROR 28
EXCEPTION_WITH_ERROR 29
EXCEPTION_WITH_ERROR 30
EXCEPTION_NO_ERROR 31

; The one register frame for CPU exceptions and hardware interrupts (irq.asm): save every
; general-purpose register (hardware interrupts also the FPU/SSE state), call the C# handler with the
; frame, restore, drop vector and error code.
%macro INTERRUPT_COMMON 3
%1:
    push rax
    push rbx
    push rcx
    push rdx
    push rsi
    push rdi
    push rbp
    push r8
    push r9
    push r10
    push r11
    push r12
    push r13
    push r14
    push r15
    cld
    mov rdi, rsp
%if %3
    ; The interrupted code's FPU/SSE state (ILC's C# handlers use xmm registers, and the scheduler may
    ; switch threads before this returns). The frame is 16-byte aligned here (see irq.asm).
    sub rsp, 512
    fxsave64 [rsp]
    call %2
    fxrstor64 [rsp]
    add rsp, 512
%else
    call %2
%endif
    pop r15
    pop r14
    pop r13
    pop r12
    pop r11
    pop r10
    pop r9
    pop r8
    pop rbp
    pop rdi
    pop rsi
    pop rdx
    pop rcx
    pop rbx
    pop rax
    add rsp, 16                                     ; vector and error code
    iretq
%endmacro

INTERRUPT_COMMON exception_common, StrixCpuException, 0

global irq_common
INTERRUPT_COMMON irq_common, StrixInterrupt, 1

; The stubs' addresses, in vector order, for building the IDT (C#: Idt.cs).
section .rodata progbits alloc noexec nowrite align=8
global strix_exception_stubs
strix_exception_stubs:
%assign v 0
%rep 32
    dq strix_exception_ %+ v
%assign v v + 1
%endrep

section .text
; ulong* strix_get_exception_stubs()
global strix_get_exception_stubs
strix_get_exception_stubs:
    lea rax, [strix_exception_stubs]
    ret

; void strix_load_gdt(void* gdtr, ushort codeSelector, ushort dataSelector): lgdt, then reload
; CS with a far return and the data segment registers.
global strix_load_gdt
strix_load_gdt:
    lgdt [rdi]
    mov ax, dx
    mov ds, ax
    mov es, ax
    mov ss, ax
    movzx rsi, si
    push rsi
    lea rax, [.reloaded]
    push rax
    retfq
.reloaded:
    ret

; void strix_load_idt(void* idtr) / void strix_load_tss(ushort selector)
global strix_load_idt, strix_load_tss
strix_load_idt:
    lidt [rdi]
    ret
strix_load_tss:
    ltr di
    ret

; void strix_triple_fault(): an IDT of limit 0 makes any interrupt a triple fault, i.e. a CPU reset.
global strix_triple_fault
strix_triple_fault:
    sub rsp, 16
    mov word [rsp], 0
    mov qword [rsp + 2], 0
    lidt [rsp]
    int3
.spin:
    hlt
    jmp .spin

section .note.GNU-stack noalloc noexec nowrite progbits
