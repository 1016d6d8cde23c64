; Hardware interrupt entry (vectors 32-255): one small stub per vector pushes a zero error code and
; its vector, then the same register frame as a CPU exception (irq_common in interrupts.asm), so C# receives an
; ExceptionFrame. Interrupt gates clear IF, so handlers never nest; iretq restores the interrupted
; code's flags. The stack is 16-byte aligned at the call (the CPU aligns it before pushing).

bits 64
default rel
extern irq_common                               ; interrupts.asm: the shared register frame

section .text progbits alloc exec nowrite align=16

%assign v 32
%rep 224
strix_irq_ %+ v:
    push 0
    push v
    jmp irq_common
%assign v v + 1
%endrep

; ulong strix_interrupts_save_disable(): RFLAGS before cli, for strix_interrupts_restore.
; void strix_interrupts_restore(ulong flags): IF back as it was in flags (on or off).
; void strix_sti_hlt(): enable interrupts and halt with no window between them (sti's one-instruction
; shadow), so a wake-up interrupt cannot slip in before the hlt and leave the CPU asleep.
global strix_interrupts_save_disable, strix_interrupts_restore, strix_sti_hlt, strix_get_irq_stubs
strix_interrupts_save_disable:
    pushfq
    pop rax
    cli
    ret
strix_interrupts_restore:
    test edi, 0x200
    jz .off
    sti
    ret
.off:
    cli
    ret
strix_sti_hlt:
    sti
    hlt
    ret

; ulong* strix_get_irq_stubs(): the 224 stub addresses, vector 32 first.
strix_get_irq_stubs:
    lea rax, [strix_irq_stubs]
    ret

section .rodata progbits alloc noexec nowrite align=8
strix_irq_stubs:
%assign v 32
%rep 224
    dq strix_irq_ %+ v
%assign v v + 1
%endrep

section .note.GNU-stack noalloc noexec nowrite progbits
