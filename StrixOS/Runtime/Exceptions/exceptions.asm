; Exception dispatch helpers: the throw entry points build the register context and ExInfo on the
; stack, as NativeAOT's own amd64 helpers do, and call CoreLib's dispatcher (RhThrowEx, RhRethrow,
; RhThrowHwEx in System.Runtime.EH); the funclet callers run a catch, finally or filter funclet on
; the frame of the method it belongs to. Layouts are the ones CoreLib was compiled against
; (AsmOffsets for .NET 10 linux-x64, checked against CoreLib's metadata; see
; StrixOS/Runtime/Exceptions/ExceptionLayout.cs). Each thread's ExInfo chain head is its own: a
; thread-local variable (StrixExceptionThreadState below), reached through the FS base the scheduler
; already switches with the thread, so a dispatch preempted on one thread never meets another's.

bits 64
default rel

extern RhThrowEx, RhRethrow, RhThrowHwEx
extern StrixGetRuntimeException, AppendExceptionStackFrame, GetSystemArrayEEType
extern OnFirstChanceException, OnUnhandledException, StrixUnhandledExceptionFailFast

; ExInfo (SIZEOF__ExInfo 0x190)
%define EXINFO_PREV             0x00
%define EXINFO_CONTEXT          0x08
%define EXINFO_EXCEPTION        0x10
%define EXINFO_KIND             0x18
%define EXINFO_PASS             0x19
%define EXINFO_CUR_CLAUSE       0x1C
%define EXINFO_SIZE             0x190
; REGDISPLAY: pointers to where each register's value is, then SP and IP
%define RD_PRBX                 0x18
%define RD_PRBP                 0x20
%define RD_PR12                 0x58
%define RD_PR13                 0x60
%define RD_PR14                 0x68
%define RD_PR15                 0x70
%define RD_SP                   0x78

%define EXKIND_THROW            1
%define EXKIND_HARDWARE_FAULT   2
%define EXKIND_RETHROW_FLAG     4

section .text progbits alloc exec nowrite align=16

; Pushes a PAL_LIMITED_CONTEXT {IP=rsi, Rsp=rax, Rbp, Rax=0, Rbx, Rdx=0, R12..R15} (rdx must be 0),
; then reserves the ExInfo below it; rsi <- ExInfo*, links it as this thread's chain head; kind in
; %1. Clobbers rax and rdx once they are saved.
%macro PUSH_CONTEXT_AND_EXINFO 1
    push r15
    push r14
    push r13
    push r12
    push rdx
    push rbx
    push rdx
    push rbp
    push rax
    push rsi
    sub rsp, EXINFO_SIZE
    mov rsi, rsp
    mov [rsi + EXINFO_EXCEPTION], rdx
    mov byte [rsi + EXINFO_PASS], 1
    mov dword [rsi + EXINFO_CUR_CLAUSE], 0xFFFFFFFF
    mov byte [rsi + EXINFO_KIND], %1
    mov rax, [rel StrixExInfoHead wrt ..gottpoff]   ; rax (saved above) <- the head's offset from the thread pointer
    mov rdx, [fs:rax]
    mov [rsi + EXINFO_PREV], rdx
    mov [fs:rax], rsi
    lea rdx, [rsp + EXINFO_SIZE]
    mov [rsi + EXINFO_CONTEXT], rdx
%endmacro

; void RhpThrowEx(object exception): rdi = exception, [rsp] = the throw site's return address.
global RhpThrowEx
RhpThrowEx:
    mov r8d, EXKIND_THROW
    jmp throw_common

; void RhpThrowExact(object exception): a throw that keeps the exception's existing stack trace.
global RhpThrowExact
RhpThrowExact:
    mov r8d, EXKIND_RETHROW_FLAG
    jmp throw_common

throw_common:
    lea rax, [rsp + 8]              ; the throw site's stack pointer
    mov rsi, [rsp]                  ; the throw site's return address
    xor edx, edx
    push rdx                        ; keeps the stack 16-byte aligned at the call below
    PUSH_CONTEXT_AND_EXINFO r8b
    call RhThrowEx                  ; (rdi exception, rsi ExInfo*); never returns
global StrixThrowReturn
StrixThrowReturn:
    int3

; void RhpRethrow(): `throw;` in a catch block, rethrowing the active exception (the chain head).
global RhpRethrow
RhpRethrow:
    lea rax, [rsp + 8]
    mov rsi, [rsp]
    xor edx, edx
    push rdx
    mov rdi, [rel StrixExInfoHead wrt ..gottpoff]
    mov rdi, [fs:rdi]               ; this thread's active ExInfo
    PUSH_CONTEXT_AND_EXINFO 0
    call RhRethrow                  ; (rdi active ExInfo*, rsi new ExInfo*); never returns
global StrixRethrowReturn
StrixRethrowReturn:
    int3

; RhpThrowHwEx: entered (by the CPU fault handler's iretq) in place of a faulting instruction:
; edi = exception code, rsi = faulting RIP, rsp and the callee-saved registers as at the fault.
global RhpThrowHwEx
RhpThrowHwEx:
    mov rax, rsp
    and rsp, -16
    xor edx, edx
    PUSH_CONTEXT_AND_EXINFO EXKIND_HARDWARE_FAULT
    call RhThrowHwEx                ; (edi code, rsi ExInfo*); never returns
global StrixHardwareThrowReturn
StrixHardwareThrowReturn:
    int3

; Loads the callee-saved registers of the frame a REGDISPLAY (in %1) describes.
%macro LOAD_FRAME_REGISTERS 1
    mov rax, [%1 + RD_PRBX]
    mov rbx, [rax]
    mov rax, [%1 + RD_PRBP]
    mov rbp, [rax]
    mov rax, [%1 + RD_PR12]
    mov r12, [rax]
    mov rax, [%1 + RD_PR13]
    mov r13, [rax]
    mov rax, [%1 + RD_PR14]
    mov r14, [rax]
    mov rax, [%1 + RD_PR15]
    mov r15, [rax]
%endmacro

; The funclet callers push the callee-saved registers in this order, below them 0x28 (catch), 0x18
; (finally) or 8 (filter) bytes; the stack-frame iterator (StackFrameIteration.cs) knows the layout:
; [rsp+8] is the REGDISPLAY* for catch and finally.
%macro PUSH_CALLEE_SAVED 0
    push rbp
    push rbx
    push r12
    push r13
    push r14
    push r15
%endmacro
%macro POP_CALLEE_SAVED 0
    pop r15
    pop r14
    pop r13
    pop r12
    pop rbx
    pop rbp
%endmacro

; void* RhpCallCatchFunclet(object exception, byte* handler, REGDISPLAY* frame, ExInfo* exInfo):
; runs the catch funclet on the catching frame, then pops the ExInfos that frame's resumption
; leaves dead and continues at the address the funclet returns. Never returns to its caller.
global RhpCallCatchFunclet
RhpCallCatchFunclet:
    PUSH_CALLEE_SAVED
    sub rsp, 0x28
    mov [rsp], rsi
    mov [rsp + 8], rdx
    mov [rsp + 0x10], rcx
    LOAD_FRAME_REGISTERS rdx
    call [rsp]                      ; rdi = the exception object
global StrixCatchFuncletReturn
StrixCatchFuncletReturn:
    mov rdx, [rsp + 8]
    mov rdx, [rdx + RD_SP]          ; the catching frame's stack pointer
    mov rcx, [rsp + 0x10]
.pop_dead:
    mov rcx, [rcx + EXINFO_PREV]
    test rcx, rcx
    jz .popped
    cmp rcx, rdx
    jb .pop_dead                    ; below the resumed frame: dead
.popped:
    mov r8, [rel StrixExInfoHead wrt ..gottpoff]
    mov [fs:r8], rcx
    mov rsp, rdx
    jmp rax

; void RhpCallFinallyFunclet(byte* handler, REGDISPLAY* frame)
global RhpCallFinallyFunclet
RhpCallFinallyFunclet:
    PUSH_CALLEE_SAVED
    sub rsp, 0x18
    mov [rsp], rdi
    mov [rsp + 8], rsi
    LOAD_FRAME_REGISTERS rsi
    call [rsp]
global StrixFinallyFuncletReturn
StrixFinallyFuncletReturn:
    add rsp, 0x18
    POP_CALLEE_SAVED
    ret

; bool RhpCallFilterFunclet(object exception, byte* filter, REGDISPLAY* frame): a filter needs
; only the frame pointer of its method.
global RhpCallFilterFunclet
RhpCallFilterFunclet:
    PUSH_CALLEE_SAVED
    sub rsp, 8
    mov rax, [rdx + RD_PRBP]
    mov rbp, [rax]
    call rsi                        ; rdi = the exception object
global StrixFilterFuncletReturn
StrixFilterFuncletReturn:
    add rsp, 8
    POP_CALLEE_SAVED
    ret

; One field of ExceptionSymbols: the address of a label.
%macro SYMBOL_AT 2
    lea rax, [%2]
    mov [rdi + %1], rax
%endmacro

; void StrixGetExceptionSymbols(ExceptionSymbols* symbols): the addresses the C# side needs.
extern __eh_frame_start, __eh_frame_end, __kernel_high_start
global StrixGetExceptionSymbols
StrixGetExceptionSymbols:
    SYMBOL_AT 0, __eh_frame_start
    SYMBOL_AT 8, __eh_frame_end
    SYMBOL_AT 0x10, StrixCatchFuncletReturn
    SYMBOL_AT 0x18, StrixFinallyFuncletReturn
    SYMBOL_AT 0x20, StrixFilterFuncletReturn
    SYMBOL_AT 0x28, RhpThrowHwEx
    mov rax, [rel StrixExceptionThreadState wrt ..gottpoff]
    mov [rdi + 0x30], rax           ; an offset from the thread pointer, not an address
    SYMBOL_AT 0x38, StrixClasslibFunctions
    mov qword [rdi + 0x40], CLASSLIB_FUNCTION_COUNT
    SYMBOL_AT 0x48, __kernel_high_start
    SYMBOL_AT 0x50, StrixThrowReturn
    SYMBOL_AT 0x58, StrixRethrowReturn
    SYMBOL_AT 0x60, StrixHardwareThrowReturn
    ret

; void StrixCaptureCallerContext(LimitedContext* context): the caller's registers just after this
; call returns (IP = the return address, RSP above it, callee-saved registers), to start a walk.
global StrixCaptureCallerContext
StrixCaptureCallerContext:
    mov rax, [rsp]
    mov [rdi], rax
    lea rax, [rsp + 8]
    mov [rdi + 0x08], rax
    mov [rdi + 0x10], rbp
    mov qword [rdi + 0x18], 0
    mov [rdi + 0x20], rbx
    mov qword [rdi + 0x28], 0
    mov [rdi + 0x30], r12
    mov [rdi + 0x38], r13
    mov [rdi + 0x40], r14
    mov [rdi + 0x48], r15
    ret

; ExceptionThreadState* StrixCurrentExceptionState(): the running thread's exception state.
global StrixCurrentExceptionState
StrixCurrentExceptionState:
    mov rax, [rel StrixExceptionThreadState wrt ..gottpoff]
    add rax, [fs:0]                 ; the word at the thread pointer holds the thread pointer itself
    ret

; Per thread (.tbss: each thread's TLS block has its own copy, zeroed when the thread is made).
; The layout of ExceptionThreadState (ExceptionThreadState.cs). NASM reaches a thread-local label only
; through a global symbol at its address, so the head, which the helpers above use, stays first.
section .tbss nobits alloc noexec write tls align=8
global StrixExceptionThreadState
StrixExceptionThreadState:
; The thread's innermost active ExInfo (Thread::m_pExInfoStackHead in NativeAOT).
StrixExInfoHead: resq 1
; Nesting of the stack-frame iterator on this thread (StackFrameIteration.Depth).
StrixUnwinderDepth: resq 1

section .rodata progbits alloc noexec nowrite align=8
; Functions by ClassLibFunctionId (.NET 10): 0 GetRuntimeException, 1 FailFast,
; 2 ThreadEntryPoint (unused here), 3 AppendExceptionStackFrame, 4 unused, 5 GetSystemArrayEEType,
; 6 OnFirstChance, 7 OnUnhandledException. 0 and 1 are the kernel's own (RuntimeExceptionFactory.cs:
; the exceptions of CPU faults and of a throw of null; UnhandledExceptionReport.cs), the rest are CoreLib's.
StrixClasslibFunctions:
    dq StrixGetRuntimeException
    dq StrixUnhandledExceptionFailFast
    dq 0
    dq AppendExceptionStackFrame
    dq 0
    dq GetSystemArrayEEType
    dq OnFirstChanceException
    dq 0                            ; OnUnhandledException: the kernel's report is FailFast
CLASSLIB_FUNCTION_COUNT equ ($ - StrixClasslibFunctions) / 8

section .note.GNU-stack noalloc noexec nowrite progbits
