using StrixOS.Cpu;

namespace StrixOS.Testing;

/// <summary>
/// The CPU exception an expected-fault test must end in: a vector, optionally error-code bits that
/// must be set or clear, optionally the faulting address (CR2). The kernel announces it in the
/// test-start line; the host runner matches the kernel's fault report against it.
/// </summary>
public readonly struct FaultExpectation
{
    public byte Vector { get; init; }

    /// <summary>Error-code bits that must all be set.</summary>
    public ulong ErrorBitsSet { get; init; }

    /// <summary>Error-code bits that must all be clear.</summary>
    public ulong ErrorBitsClear { get; init; }

    public bool ChecksAddress { get; init; }

    /// <summary>The CR2 value required when <see cref="ChecksAddress"/> is set.</summary>
    public ulong Address { get; init; }

    public static FaultExpectation Of(CpuException exception) => new() { Vector = (byte)exception };

    public static FaultExpectation PageFault(
        PageFaultErrorBits set = PageFaultErrorBits.None,
        PageFaultErrorBits clear = PageFaultErrorBits.None) =>
        new() { Vector = (byte)CpuException.PageFault, ErrorBitsSet = (ulong)set, ErrorBitsClear = (ulong)clear };

    public static FaultExpectation PageFaultAt(
        ulong address,
        PageFaultErrorBits set = PageFaultErrorBits.None,
        PageFaultErrorBits clear = PageFaultErrorBits.None) =>
        PageFault(set, clear).AtAddress(address);

    public FaultExpectation WithErrorBitsSet(ulong bits) => this with { ErrorBitsSet = ErrorBitsSet | bits };
    public FaultExpectation WithErrorBitsClear(ulong bits) => this with { ErrorBitsClear = ErrorBitsClear | bits };
    public FaultExpectation AtAddress(ulong address) => this with { ChecksAddress = true, Address = address };

    /// <summary>A bit required both set and clear can never be met: a mistake in the test.</summary>
    public bool IsContradictory => (ErrorBitsSet & ErrorBitsClear) != 0;

    public bool ConstrainsErrorCode => (ErrorBitsSet | ErrorBitsClear) != 0;

    public bool IsMetBy(in FaultInfo fault) => Mismatch(fault) == FaultMismatch.None;

    public FaultMismatch Mismatch(in FaultInfo fault)
    {
        if (fault.Vector != Vector)
            return FaultMismatch.Vector;
        if (ConstrainsErrorCode)
        {
            if (!fault.HasErrorCode)
                return FaultMismatch.MissingErrorCode;
            if ((fault.ErrorCode & ErrorBitsSet) != ErrorBitsSet)
                return FaultMismatch.ErrorBitsNotSet;
            if ((fault.ErrorCode & ErrorBitsClear) != 0)
                return FaultMismatch.ErrorBitsNotClear;
        }
        if (ChecksAddress && fault.Cr2 != Address)
            return FaultMismatch.Address;
        return FaultMismatch.None;
    }

    /// <summary>For people: "#PF (page fault, vector 14), error bits 0x2 set and 0x1 clear, at CR2 0x0".</summary>
    public string Describe()
    {
        string text = $"{CpuExceptionInfo.Mnemonic(Vector)} ({CpuExceptionInfo.Name(Vector)}, vector {Vector})";
        if (ErrorBitsSet != 0)
            text += $", error bits 0x{ErrorBitsSet:x} set";
        if (ErrorBitsClear != 0)
            text += $", error bits 0x{ErrorBitsClear:x} clear";
        if (ChecksAddress)
            text += $", at CR2 0x{Address:x}";
        return text;
    }
}
