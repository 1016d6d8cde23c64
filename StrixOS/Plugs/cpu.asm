; CPU plugs: the privileged instructions C# cannot express, each bound to an `extern` method in
; X64.cs / Ports.cs ([DllImport("*")] + [SuppressGCTransition]: a direct call, no transition).
; System V calling convention: arguments in rdi, rsi, rdx, rcx; result in rax.

bits 64
default rel
section .text progbits alloc exec nowrite align=16

global strix_read_cr0, strix_read_cr2, strix_read_cr3, strix_read_cr4, strix_write_cr3
strix_read_cr0:
    mov rax, cr0
    ret
strix_read_cr2:
    mov rax, cr2
    ret
strix_read_cr3:
    mov rax, cr3
    ret
strix_read_cr4:
    mov rax, cr4
    ret
strix_write_cr3:
    mov cr3, rdi
    ret

global strix_write_cr4, strix_read_rbp, strix_stac, strix_clac
strix_write_cr4:
    mov cr4, rdi
    ret
strix_read_rbp:
    mov rax, rbp
    ret
strix_stac:
    stac
    ret
strix_clac:
    clac
    ret

; ulong strix_context_save(SavedContext* context): like setjmp. Saves the callee-saved registers,
; the stack pointer and the return address; returns 0 now, and 1 when strix_context_resume
; comes back to it. The in-kernel test runner uses it to survive an expected CPU fault.
global strix_context_save, strix_context_resume
strix_context_save:
    mov [rdi + 0], rbx
    mov [rdi + 8], rbp
    mov [rdi + 16], r12
    mov [rdi + 24], r13
    mov [rdi + 32], r14
    mov [rdi + 40], r15
    lea rax, [rsp + 8]
    mov [rdi + 48], rax
    mov rax, [rsp]
    mov [rdi + 56], rax
    xor eax, eax
    ret

; void strix_context_resume(SavedContext* context): like longjmp; never returns here.
strix_context_resume:
    mov rbx, [rdi + 0]
    mov rbp, [rdi + 8]
    mov r12, [rdi + 16]
    mov r13, [rdi + 24]
    mov r14, [rdi + 32]
    mov r15, [rdi + 40]
    mov rsp, [rdi + 48]
    mov eax, 1
    jmp [rdi + 56]

; Executes ud2: the in-kernel tests' way to raise #UD on purpose.
global strix_ud2
strix_ud2:
    ud2
    ret

global strix_invlpg
strix_invlpg:
    invlpg [rdi]
    ret

; Writes back and invalidates every cache line (after a page changes memory type, e.g. write-back to
; write-combining, no line cached under the old type may be written back later).
global strix_wbinvd
strix_wbinvd:
    wbinvd
    ret

global strix_inb, strix_inw, strix_inl, strix_outb, strix_outw, strix_outl
strix_inb:
    mov edx, edi
    xor eax, eax
    in al, dx
    ret
strix_inw:
    mov edx, edi
    xor eax, eax
    in ax, dx
    ret
strix_inl:
    mov edx, edi
    in eax, dx
    ret
strix_outb:
    mov edx, edi
    mov eax, esi
    out dx, al
    ret
strix_outw:
    mov edx, edi
    mov eax, esi
    out dx, ax
    ret
strix_outl:
    mov edx, edi
    mov eax, esi
    out dx, eax
    ret

global strix_hlt, strix_cli, strix_sti, strix_halt_forever, strix_pause
strix_hlt:
    hlt
    ret
strix_cli:
    cli
    ret
strix_sti:
    sti
    ret
strix_pause:
    pause
    ret
strix_halt_forever:
    cli
.again:
    hlt
    jmp .again

; ulong strix_rdtsc()
global strix_rdtsc
strix_rdtsc:
    rdtsc
    shl rdx, 32
    or rax, rdx
    ret

; void strix_cpuid(uint leaf, uint subleaf, uint* result /* eax, ebx, ecx, edx */)
global strix_cpuid
strix_cpuid:
    push rbx
    mov r8, rdx
    mov eax, edi
    mov ecx, esi
    cpuid
    mov [r8], eax
    mov [r8 + 4], ebx
    mov [r8 + 8], ecx
    mov [r8 + 12], edx
    pop rbx
    ret

; ulong strix_rdmsr(uint msr) / void strix_wrmsr(uint msr, ulong value)
global strix_rdmsr, strix_wrmsr
strix_rdmsr:
    mov ecx, edi
    rdmsr
    shl rdx, 32
    or rax, rdx
    ret
strix_wrmsr:
    mov ecx, edi
    mov eax, esi
    mov rdx, rsi
    shr rdx, 32
    wrmsr
    ret

section .note.GNU-stack noalloc noexec nowrite progbits
