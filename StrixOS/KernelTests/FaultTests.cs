using System.Threading;
using StrixOS.Boot.Stage;
using StrixOS.Cpu;
using StrixOS.Plugs;
using StrixOS.Testing;

namespace StrixOS.KernelTests;

/// <summary>
/// Tests that must end in a CPU exception: the kernel's fault report is matched by the host runner
/// against the declared expectation (vector, error bits, address), which then reboots past the test.
/// </summary>
public static unsafe class FaultTests
{
    private const ulong Present = 1, Write = 2, InstructionFetch = 16;

    public static void Register(TestRegistry registry)
    {
        TestSuite suite = registry.AddSuite("Faults");
        suite.AddExpectingFault(nameof(NullDereferenceIsANotPresentPageFaultAtZero), &NullDereferenceIsANotPresentPageFaultAtZero,
            FaultExpectation.PageFaultAt(0).WithErrorBitsClear(Present | Write));
        suite.AddExpectingFault(nameof(WriteToReadOnlyDataIsAProtectionFault), &WriteToReadOnlyDataIsAProtectionFault,
            FaultExpectation.PageFault().WithErrorBitsSet(Present | Write));
        suite.AddExpectingFault(nameof(JumpIntoDataIsAnInstructionFetchFault), &JumpIntoDataIsAnInstructionFetchFault,
            FaultExpectation.PageFault().WithErrorBitsSet(Present | InstructionFetch));
        suite.AddExpectingFault(nameof(KernelStackOverflowIsADoubleFault), &KernelStackOverflowIsADoubleFault,
            FaultExpectation.Of(CpuException.DoubleFault));
        suite.AddExpectingFault(nameof(InvalidOpcodeIsReported), &InvalidOpcodeIsReported,
            FaultExpectation.Of(CpuException.InvalidOpcode));
        suite.AddExpectingFault(nameof(NonCanonicalAddressIsAGeneralProtectionFault), &NonCanonicalAddressIsAGeneralProtectionFault,
            FaultExpectation.Of(CpuException.GeneralProtection));
    }

    private static void NullDereferenceIsANotPresentPageFaultAtZero(TestContext t)
    {
        ulong value = Volatile.Read(ref *(ulong*)Zero());
        t.Fail($"read {value} from address 0");
    }

    private static void WriteToReadOnlyDataIsAProtectionFault(TestContext t)
    {
        Volatile.Write(ref *(ulong*)BootLayout.Current->RodataStart, 1);
        t.Fail("wrote to read-only data");
    }

    private static void JumpIntoDataIsAnInstructionFetchFault(TestContext t)
    {
        byte* code = Runtime.KernelHeap.Allocate(16);
        code[0] = 0xC3; // ret: harmless if it ever ran
        ((delegate* unmanaged<void>)code)();
        t.Fail("executed code from the heap");
    }

    private static void KernelStackOverflowIsADoubleFault(TestContext t)
    {
        int depth = Recurse(0);
        t.Fail($"recursion returned at depth {depth}");
    }

    private static void InvalidOpcodeIsReported(TestContext t)
    {
        X64.InvalidOpcode();
        t.Fail("ud2 did not fault");
    }

    private static void NonCanonicalAddressIsAGeneralProtectionFault(TestContext t)
    {
        ulong value = Volatile.Read(ref *(ulong*)0x8000_0000_0000_0000);
        t.Fail($"read {value} from a non-canonical address");
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static ulong Zero() => 0;

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static int Recurse(int depth)
    {
        byte* scratch = stackalloc byte[256];
        scratch[depth & 255] = (byte)depth;
        return Recurse(depth + 1) + scratch[0];
    }
}
