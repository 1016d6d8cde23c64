using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using Xunit;

namespace StrixOS.Tests.Booting;

/// <summary>
/// The kernel image booted in QEMU (issue 2): banner, normalised memory map, success status;
/// malformed boot information and failures at run time end in a clear report and a failing status.
/// </summary>
public class KernelBootTests
{
    [Fact]
    public async Task BootsPrintsBannerAndMemoryMapAndExitsWithSuccess()
    {
        KernelBootResult boot = await KernelBoot.BootAsync();
        Assert.True(boot.Succeeded, $"exit status {boot.ExitStatus}, timed out {boot.TimedOut}\n{boot.Transcript}");
        Assert.Contains("StrixOS 0.1.0: a C# unikernel for x86-64", boot.Transcript);
        Assert.Matches(@"memory map \(multiboot2 memory map, tag 6; normalised, \d+ regions\)", boot.Transcript);
        Assert.Matches(@"0x0000000000100000-0x[0-9a-f]{16} Kernel", boot.Transcript);
        Assert.Contains("PHYS_MEM_OFFSET = 0xffff800000000000", boot.Transcript);
        Assert.Matches(@"CR3 = 0x[0-9a-f]{16}", boot.Transcript);
        Assert.Contains("kernel stopped; shutting down", boot.Transcript);
    }

    /// <summary>
    /// The kernel stack's frames below its top 64 KiB (which lie in the image's BSS) are the highest 2 MiB-aligned run
    /// above the modules: nothing writes them, and the frames the start-up takes, the lowest above the image, stay in
    /// the 2 MiB regions right after it instead of 8 MiB further up (boot.asm; docs/memory.md, "Ranges the kernel
    /// keeps"). Reworked for issue 17.4 (branch footprint): the run used to start at the first 2 MiB boundary above the
    /// modules, which pushed the start-up's frames into two fresh 2 MiB regions above it (docs/benchmarks.md).
    /// </summary>
    [Fact]
    public async Task TheKernelStackRunIsTheHighest2MiBAlignedFitAboveTheModules()
    {
        KernelBootResult boot = await KernelBoot.BootAsync();
        Assert.True(boot.Succeeded, boot.Transcript);
        var regions = Regex.Matches(boot.Transcript, @"^\s+0x([0-9a-f]{16})-0x([0-9a-f]{16}) (\w+)", RegexOptions.Multiline)
            .Select(m => (Start: ulong.Parse(m.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                          End: ulong.Parse(m.Groups[2].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                          Type: m.Groups[3].Value))
            .ToList();
        int lastModule = regions.FindLastIndex(r => r.Type == "Module");
        Assert.True(lastModule >= 0, "no module in the memory map\n" + boot.Transcript);
        int stackIndex = regions.FindIndex(lastModule + 1, r => r.Type == "Kernel");
        Assert.True(stackIndex > lastModule, "no Kernel range (the stack) above the modules\n" + boot.Transcript);
        var stack = regions[stackIndex];
        const ulong huge = 2UL << 20;
        ulong runBytes = (8UL << 20) - (64UL << 10);
        Assert.Equal(0UL, stack.Start % huge);
        Assert.Equal(runBytes, stack.End - stack.Start);
        // Highest: the Usable memory right above it is shorter than 2 MiB, and no Usable range further up holds a
        // 2 MiB-aligned run. And the start-up's frames come from below it: Usable memory lies between modules and run.
        foreach (var above in regions.Skip(stackIndex + 1).Where(r => r.Type == "Usable"))
        {
            if (above.Start == stack.End)
                Assert.True(above.End - above.Start < huge, $"0x{above.Start:x}-0x{above.End:x} above the run holds a higher one\n" + boot.Transcript);
            else
                Assert.True(above.End - above.Start < runBytes || ((above.End - runBytes) & ~(huge - 1)) < above.Start,
                    $"0x{above.Start:x}-0x{above.End:x} above the run holds a higher one\n" + boot.Transcript);
        }
        Assert.Contains(regions.Skip(lastModule + 1).Take(stackIndex - lastModule - 1), r => r.Type == "Usable" && r.End - r.Start >= huge);
    }

    /// <summary>QEMU's RAM minus what the firmware reserves: measured 516 KiB under SeaBIOS (VGA hole, BIOS areas).</summary>
    [Theory]
    [InlineData("128M", 128UL << 20)]
    [InlineData("4G", 4UL << 30)]
    [InlineData("8G", 8UL << 30)]
    public async Task MemoryMapAddsUpToTheGuestRamAndHighMemoryIsInTheOffsetMap(string memory, ulong ramBytes)
    {
        KernelBootResult boot = await KernelBoot.BootAsync(memory: memory, cpu: "max");
        Assert.True(boot.Succeeded, boot.Transcript);
        Match ram = Regex.Match(boot.Transcript, @"memory: .* RAM in the map \((\d+) bytes\), .* usable \((\d+) bytes\)");
        Assert.True(ram.Success, "no memory summary line");
        ulong inMap = ulong.Parse(ram.Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.True(inMap <= ramBytes && ramBytes - inMap <= 1UL << 20,
            $"{memory}: {inMap} bytes of RAM in the map, {(long)ramBytes - (long)inMap} short of the guest's {ramBytes}");

        // The printed regions add up to the summary.
        ulong sum = 0, highestRam = 0;
        foreach (Match region in Regex.Matches(boot.Transcript, @"^\s+0x([0-9a-f]{16})-0x([0-9a-f]{16}) (\w+)", RegexOptions.Multiline))
        {
            ulong start = ulong.Parse(region.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            ulong end = ulong.Parse(region.Groups[2].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            if (region.Groups[3].Value != "Reserved")
            {
                sum += end - start;
                highestRam = Math.Max(highestRam, end);
            }
        }
        Assert.Equal(inMap, sum);

        Match offsetMap = Regex.Match(boot.Transcript, @"PHYS_MEM_OFFSET = 0xffff800000000000: (\d+) GiB of physical memory mapped");
        Assert.True(offsetMap.Success);
        Assert.True(ulong.Parse(offsetMap.Groups[1].Value, CultureInfo.InvariantCulture) << 30 >= highestRam,
            $"the offset map ({offsetMap.Groups[1].Value} GiB) does not cover RAM up to 0x{highestRam:x}");
        if (ramBytes > 3UL << 30)
            Assert.True(highestRam > 1UL << 32, "no RAM above 4 GiB in the map");
    }

    [Theory]
    [InlineData("truncated")]
    [InlineData("tag-past-end")]
    [InlineData("no-end-tag")]
    public async Task MalformedBootInformationEndsInAClearPanicAndFailure(string corruption)
    {
        KernelBootResult boot = await KernelBoot.BootAsync($"strix.corrupt-bootinfo={corruption}", timeoutSeconds: 30);
        Assert.False(boot.TimedOut, "the kernel hung on malformed boot information");
        Assert.True(boot.Failed, $"exit status {boot.ExitStatus}\n{boot.Transcript}");
        Assert.Matches(@"##strix panic message=""boot: malformed multiboot2 information: multiboot2: .+""", boot.Transcript);
    }

    /// <summary>The early heap serves CoreLib's start-up, the boot until the kernel heap exists, and allocations nested
    /// in the kernel heap's work: one it cannot serve ends the kernel with a report naming it and its size (in bytes,
    /// as boot.asm sets it), not a corrupted heap. <c>strix.fail=early-heap</c> asks for 8 bytes more than it has left.</summary>
    [Fact]
    public async Task ARequestTheEarlyHeapCannotServePanicsNamingItAndItsSize()
    {
        KernelBootResult boot = await KernelBoot.BootAsync("strix.fail=early-heap", timeoutSeconds: 30);
        Assert.False(boot.TimedOut, "the kernel hung on an exhausted early heap");
        Assert.True(boot.Failed, $"exit status {boot.ExitStatus}\n{boot.Transcript}");
        Match panic = Regex.Match(boot.Transcript,
            @"##strix panic message=""early heap exhausted: request of (\d+) bytes, (\d+) bytes free of (\d+) \(EARLY_HEAP_SIZE in boot\.asm\)""");
        Assert.True(panic.Success, boot.Transcript);
        ulong request = ulong.Parse(panic.Groups[1].Value, CultureInfo.InvariantCulture);
        ulong free = ulong.Parse(panic.Groups[2].Value, CultureInfo.InvariantCulture);
        Assert.Equal(free + 8, request);
        string bootAsm = File.ReadAllText(Path.Combine(KernelBoot.RepositoryRoot, "StrixOS", "Boot", "Stage", "boot.asm"));
        Match size = Regex.Match(bootAsm, @"^EARLY_HEAP_SIZE\s+equ\s+(\d+)\s*\*\s*1024\b", RegexOptions.Multiline);
        Assert.True(size.Success, "no EARLY_HEAP_SIZE equ N * 1024 in boot.asm");
        Assert.Equal(ulong.Parse(size.Groups[1].Value, CultureInfo.InvariantCulture) * 1024, ulong.Parse(panic.Groups[3].Value, CultureInfo.InvariantCulture));
        Assert.True(free < ulong.Parse(panic.Groups[3].Value, CultureInfo.InvariantCulture), "nothing of the early heap was used before the request");
    }

    [Fact]
    public async Task AnUnhandledExceptionPanicsWithItsTypeMessageInnerExceptionAndStackTrace()
    {
        KernelBootResult boot = await KernelBoot.BootAsync("strix.fail=throw");
        Assert.True(boot.Failed, boot.Transcript);
        Assert.Contains("!!! STRIXOS PANIC: unhandled exception System_InvalidOperationException: strix.fail=throw asked for this exception", boot.Transcript);
        Assert.Contains("  inner exception System_FormatException: the inner exception of strix.fail=throw", boot.Transcript);
        string[] stack = StackTraceLines(boot.Transcript);
        Assert.True(stack.Length >= 3, boot.Transcript);
        Assert.Contains("StrixOS_StrixOS_Diagnostics_FailureHooks__Run", stack[0]);
        // file:line from the DWARF line table (boot module strix.lines) of the Debug build.
        Assert.Matches(@" in /.+/StrixOS/Diagnostics/FailureHooks\.cs:line \d+$", stack[0].TrimEnd('\r'));
        Assert.Matches(@" in /.+/StrixOS/KernelHost\.cs:line \d+$", stack[1].TrimEnd('\r'));
        Assert.Contains("StrixOS_StrixOS_KernelHost__Boot", stack[1]);
        Assert.Contains(stack, line => line.Contains("__managed__Main", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AnExceptionUnhandledOnAnotherThreadEndsTheKernelWithTheReport()
    {
        KernelBootResult boot = await KernelBoot.BootAsync("strix.fail=thread-throw");
        Assert.True(boot.Failed, boot.Transcript);
        Assert.Contains("!!! STRIXOS PANIC: unhandled exception System_InvalidOperationException: strix.fail=thread-throw asked for this exception on another thread", boot.Transcript);
        Assert.DoesNotContain("did not end the kernel", boot.Transcript);
        string[] stack = StackTraceLines(boot.Transcript);
        Assert.True(stack.Length >= 1, boot.Transcript);
        Assert.Contains("StrixOS_StrixOS_Diagnostics_FailureHooks__ThrowOnThread", stack[0]);
    }

    [Fact]
    public async Task ANullDereferenceInManagedCodeIsAnUnhandledNullReferenceException()
    {
        KernelBootResult boot = await KernelBoot.BootAsync("strix.fail=null");
        Assert.True(boot.Failed, boot.Transcript);
        Assert.Contains("!!! STRIXOS PANIC: unhandled exception System_NullReferenceException", boot.Transcript);
        Assert.DoesNotContain("##strix fault", boot.Transcript);
        string[] stack = StackTraceLines(boot.Transcript);
        Assert.True(stack.Length >= 2, boot.Transcript);
        Assert.Contains("StrixOS_StrixOS_Diagnostics_FailureHooks__WriteThrough", stack[0]);
        Assert.Contains("StrixOS_StrixOS_Diagnostics_FailureHooks__Run", stack[1]);
    }

    [Fact]
    public async Task AnUncaughtExceptionInAKernelTestFailsThatTestAndTheRunGoesOn()
    {
        KernelBootResult boot = await KernelBoot.BootAsync("test=OnPurpose.* strix.fail=test-throw");
        Assert.True(boot.Failed, boot.Transcript);
        Runner.BootRecord record = Runner.Transcripts.Interpret(boot.Transcript, boot.ExitStatus ?? -1);
        Assert.Equal(Runner.BootEnding.Completed, record.Ending);
        Assert.Equal(["OnPurpose.PassesBefore", "OnPurpose.ThrowsUncaught", "OnPurpose.PassesAfter"], record.Results.Select(r => r.Name));
        Assert.Equal([Testing.TestOutcome.Passed, Testing.TestOutcome.Failed, Testing.TestOutcome.Passed], record.Results.Select(r => r.Outcome));
        string message = record.Results[1].Message;
        Assert.StartsWith("unhandled exception System.InvalidOperationException: OnPurpose.ThrowsUncaught threw on purpose\n" +
                          " ---> System.FormatException: the inner exception\n", message);
        // CoreLib's trace of the exception: the throwing method and the test body, by C# name.
        Assert.Contains("at StrixOS.KernelTests.OnPurposeTests.ThrowFromBelow(", message);
        Assert.Contains("at StrixOS.KernelTests.OnPurposeTests.ThrowsUncaught(", message);
        Assert.DoesNotContain("STRIXOS PANIC", boot.Transcript);
    }

    /// <summary>
    /// The GC suites with <c>strix.gcverify</c> on the command line: the verifier walks the whole object heap
    /// after every collection of the run (any bad reference panics), and the kernel reports how many it checked.
    /// </summary>
    [Fact]
    public async Task GcSuitesPassWithTheVerifierCheckingEveryCollection()
    {
        KernelBootResult boot = await KernelBoot.BootAsync("test=Gc*.* strix.gcverify", timeoutSeconds: 300);
        Assert.True(boot.Succeeded, boot.Transcript);
        Runner.BootRecord record = Runner.Transcripts.Interpret(boot.Transcript, boot.ExitStatus ?? -1);
        Assert.True(record.Results.Count >= 30, $"{record.Results.Count} GC tests ran\n{boot.Transcript}");
        Assert.All(record.Results, r => Assert.NotEqual(Testing.TestOutcome.Failed, r.Outcome));
        Match verified = Regex.Match(boot.Transcript, @"gcverify: (\d+) collections verified, (\d+) objects and (\d+) references checked, none bad");
        Assert.True(verified.Success, boot.Transcript);
        Assert.True(int.Parse(verified.Groups[1].Value, CultureInfo.InvariantCulture) >= 50, verified.Value);
        Assert.DoesNotContain("STRIXOS PANIC", boot.Transcript);
    }

    /// <summary>
    /// The GC stress tests at the issue's sizes, in a boot of their own (the matrix runs them scaled to fit a
    /// boot's time): 4 GiB of short-lived objects, and a linked list of 1M nodes through 100 collections.
    /// </summary>
    [Fact]
    public async Task GcStressAtTheIssuesSizes()
    {
        KernelBootResult boot = await KernelBoot.BootAsync("test=Gc.ShortLivedObjectsOfTenTimesRamAreCollected,Gc.ALargeLinkedStructureSurvivesManyCollections strix.gcstress=full",
            memory: "1G", timeoutSeconds: 600);
        Assert.True(boot.Succeeded, boot.Transcript);
        Runner.BootRecord record = Runner.Transcripts.Interpret(boot.Transcript, boot.ExitStatus ?? -1);
        Assert.Equal(2, record.Results.Count);
        Assert.All(record.Results, r => Assert.Equal(Testing.TestOutcome.Passed, r.Outcome));
    }

    private static string[] StackTraceLines(string transcript) =>
        transcript.Split('\n').SkipWhile(l => !l.Contains("stack trace:")).Skip(1)
            .TakeWhile(l => l.TrimStart().StartsWith("at ", StringComparison.Ordinal)).ToArray();

    [Fact]
    public async Task AStubbedRuntimeEntryPointNamesItselfAndFails()
    {
        KernelBootResult boot = await KernelBoot.BootAsync("strix.fail=stub");
        Assert.True(boot.Failed, boot.Transcript);
        Assert.Contains("runtime entry point 'RhpGetThreadAbortException' is not implemented", boot.Transcript);
    }

    [Fact]
    public async Task ACpuFaultReportNamesTheFaultingMethodAndItsCaller()
    {
        KernelBootResult boot = await KernelBoot.BootAsync("strix.fail=unmapped");
        Assert.True(boot.Failed, boot.Transcript);
        Assert.Contains("##strix fault vector=14", boot.Transcript);
        Assert.Contains("CR2 0x0000700000000000 (the address that faulted)", boot.Transcript);
        string[] backtrace = boot.Transcript.Split('\n').SkipWhile(l => !l.Contains("backtrace:")).Skip(1)
            .TakeWhile(l => l.TrimStart().StartsWith("at ", StringComparison.Ordinal)).ToArray();
        Assert.True(backtrace.Length >= 2, boot.Transcript);
        Assert.Contains("StrixOS_StrixOS_Diagnostics_FailureHooks__WriteThrough", backtrace[0]);
        Assert.Contains("StrixOS_StrixOS_Diagnostics_FailureHooks__Run", backtrace[1]);
    }

    [Fact]
    public async Task AKernelStackOverflowIsReportedAsADoubleFaultNotAReset()
    {
        KernelBootResult boot = await KernelBoot.BootAsync("strix.fail=stack-overflow");
        Assert.True(boot.Failed, $"exit status {boot.ExitStatus} (0 would be a triple fault)\n{boot.Transcript}");
        Assert.Contains("##strix fault vector=8 mnemonic=#DF", boot.Transcript);
        Assert.Contains("stack overflow: the kernel stack ran into its guard page", boot.Transcript);
    }

    [Fact]
    public async Task AThreadStackOverflowIsReportedNamingTheThreadAndItsStack()
    {
        KernelBootResult boot = await KernelBoot.BootAsync("strix.fail=thread-stack-overflow");
        Assert.True(boot.Failed, $"exit status {boot.ExitStatus}\n{boot.Transcript}");
        Assert.Contains("##strix fault vector=8 mnemonic=#DF", boot.Transcript);
        Assert.Matches(@"stack overflow: the stack of thread \d+ ""strix\.fail"" \[0x[0-9A-Fa-f]+, 0x[0-9A-Fa-f]+\) ran into its guard page", boot.Transcript);
    }

    [Fact]
    public async Task AFaultInsideTheFaultHandlerIsReportedAndFailsWithoutAReset()
    {
        KernelBootResult boot = await KernelBoot.BootAsync("strix.fail=handler-fault", timeoutSeconds: 30);
        Assert.False(boot.TimedOut, "the kernel hung after a fault in its fault handler");
        Assert.True(boot.Failed, $"exit status {boot.ExitStatus} (0 would be a triple fault)\n{boot.Transcript}");
        Assert.Contains("!!! STRIXOS CPU FAULT while reporting a CPU fault: vector 14", boot.Transcript);
        Assert.Contains("##strix fault vector=14", boot.Transcript);
    }

    /// <summary>
    /// The boot stage takes the kernel stack's 8 MiB from the memory map, above the image and GRUB's modules: a
    /// machine without that much free memory gets one line on COM1 and a failing exit, not a crash (docs/memory.md).
    /// </summary>
    [Fact]
    public async Task AMachineWithoutRoomForTheKernelStackGetsAClearMessage()
    {
        KernelBootResult boot = await KernelBoot.BootAsync(memory: "12M", timeoutSeconds: 60);
        Assert.False(boot.TimedOut, "the boot stage hung without memory for the kernel stack");
        Assert.True(boot.Failed, $"exit status {boot.ExitStatus} (0 would be a triple fault)\n{boot.Transcript}");
        Assert.Contains("StrixOS boot: no free memory for the 8 MiB kernel stack in the memory map", boot.Transcript);
    }

    /// <summary>Least privilege in the image itself: no ELF segment is both writable and executable.</summary>
    [Fact]
    public void NoSegmentOfTheKernelElfIsWritableAndExecutable()
    {
        string elf = Path.Combine(Path.GetDirectoryName(KernelBoot.DefaultImage)!, "strix.elf");
        Assert.True(File.Exists(elf), $"no {elf}: build with ./strix build");
        byte[] image = File.ReadAllBytes(elf);
        Assert.Equal(0x7F, image[0]);
        Assert.Equal((byte)'E', image[1]);
        Assert.Equal(2, image[4]); // ELFCLASS64
        ulong programHeaders = BitConverter.ToUInt64(image, 0x20);
        int entrySize = BitConverter.ToUInt16(image, 0x36), count = BitConverter.ToUInt16(image, 0x38);
        int loads = 0;
        for (int i = 0; i < count; i++)
        {
            int at = (int)programHeaders + i * entrySize;
            uint type = BitConverter.ToUInt32(image, at), flags = BitConverter.ToUInt32(image, at + 4);
            if (type != 1)
                continue; // PT_LOAD only
            loads++;
            Assert.False((flags & 2) != 0 && (flags & 1) != 0, $"segment {i} is writable and executable (flags {flags})");
        }
        Assert.True(loads >= 4, $"expected separate text, rodata and data segments, found {loads} PT_LOAD");
    }
}
