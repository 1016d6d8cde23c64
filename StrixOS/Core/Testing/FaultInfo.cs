using StrixOS.Cpu;

namespace StrixOS.Testing;

/// <summary>
/// What the CPU left behind when an exception reached the kernel's fault handler: the input of a
/// fault report line (<see cref="TestProtocol.FormatFault"/>). The host runner parses the line back
/// into this struct to match it against a test's <see cref="FaultExpectation"/>.
/// </summary>
public readonly struct FaultInfo
{
    public byte Vector { get; init; }

    /// <summary>False for vectors where the CPU pushes no error code (see <see cref="CpuExceptionInfo.HasErrorCode"/>).</summary>
    public bool HasErrorCode { get; init; }

    public ulong ErrorCode { get; init; }

    /// <summary>The faulting linear address (meaningful for page faults).</summary>
    public ulong Cr2 { get; init; }

    public ulong Rip { get; init; }
    public ulong Rsp { get; init; }
    public ulong Cr3 { get; init; }

    /// <summary>The C# method containing RIP, when the kernel's symbol map knows it.</summary>
    public string? MethodName { get; init; }
}
