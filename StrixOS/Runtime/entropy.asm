; Hardware random numbers for StrixOS/Runtime/Entropy.cs (the caller checks CPUID first).
; Each routine retries a few times, as Intel advises: the instructions may briefly run dry.

section .text
bits 64

; int strix_rdrand64(ulong* value): 1 and *value set on success, 0 when the DRNG kept failing.
global strix_rdrand64
strix_rdrand64:
    mov ecx, 10
.retry:
    rdrand rax
    jc .done
    pause
    dec ecx
    jnz .retry
    xor eax, eax
    ret
.done:
    mov [rdi], rax
    mov eax, 1
    ret

; int strix_rdseed64(ulong* value): as above, from the entropy source itself (CPUID.7:EBX.18).
global strix_rdseed64
strix_rdseed64:
    mov ecx, 100
.retry:
    rdseed rax
    jc .done
    pause
    dec ecx
    jnz .retry
    xor eax, eax
    ret
.done:
    mov [rdi], rax
    mov eax, 1
    ret

section .note.GNU-stack noalloc noexec nowrite progbits
