using System;
using System.Diagnostics.CodeAnalysis;

namespace StrixOS;

/// <summary>
/// What an image carries besides the kernel, as ILC feature switches (Cosmos.targets): a switch that is off at
/// compile time makes its property a constant false, and ILC leaves the code behind it out of the image.
/// </summary>
public static class KernelFeatures
{
    /// <summary>The feature switch of <see cref="KernelTests"/>.</summary>
    public const string KernelTestsSwitch = "StrixOS.KernelTests.IsSupported";

    /// <summary>
    /// The image carries the in-kernel test suites and benchmarks (command line <c>test</c>, <c>bench=...</c>) and the
    /// <c>strix.delaytest</c> probe (<see cref="Drivers.ClockProbes"/>).
    /// On by default; the application image that <c>./strix run</c> boots is built without them
    /// (<c>StrixKernelTests=false</c>), which makes it smaller and its boot shorter (docs/benchmarks.md).
    /// </summary>
    [FeatureSwitchDefinition(KernelTestsSwitch)]
    public static bool KernelTests => !AppContext.TryGetSwitch(KernelTestsSwitch, out bool enabled) || enabled;

    /// <summary>The feature switch of <see cref="ManagedLineInfo"/>.</summary>
    public const string ManagedLineInfoSwitch = "StrixOS.ManagedLineInfo.IsSupported";

    /// <summary>
    /// ILC compiled the C# with DWARF line information (<c>StrixIlcDebugInfo</c>, on in Debug builds), so the line
    /// table module (<c>strix.lines</c>) has lines for C# methods; without it, only for the assembly's code.
    /// </summary>
    [FeatureSwitchDefinition(ManagedLineInfoSwitch)]
    public static bool ManagedLineInfo => AppContext.TryGetSwitch(ManagedLineInfoSwitch, out bool enabled) && enabled;
}
