; The address of the interface-dispatch stub, for dispatch cells built at run time
; (StrixOS/Runtime/TypeLoaderServices.cs, RhNewInterfaceDispatchCell).

extern RhpInitialDynamicInterfaceDispatch

section .text
bits 64

; void* strix_initial_dispatch_stub()
global strix_initial_dispatch_stub
strix_initial_dispatch_stub:
    lea rax, [rel RhpInitialDynamicInterfaceDispatch]
    ret

section .note.GNU-stack noalloc noexec nowrite progbits
