using Xunit;
using Xunit.Sdk;

namespace StrixOS.Tests.Runner;

/// <summary>A theory whose rows the kernel skipped are shown as skipped, each with the kernel's reason.</summary>
[XunitTestCaseDiscoverer("StrixOS.Tests.Runner.KernelTheoryDiscoverer", "StrixOS.TestEngine")]
public sealed class KernelTheoryAttribute : TheoryAttribute
{
}
