using System.Collections.Generic;
using StrixOS.Tests.Runner;
using Xunit;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace MyOS.Tests;

/// <summary>A theory whose rows the kernel skipped are shown as skipped, each with the kernel's reason.</summary>
[XunitTestCaseDiscoverer("MyOS.Tests.KernelTheoryDiscoverer", "MyOS.Tests")]
public sealed class KernelTheoryAttribute : TheoryAttribute
{
}

/// <summary>
/// xunit v2 cannot skip a row at run time, so rows are judged when they are listed, which is when
/// the kernel boots: a row the kernel skipped becomes a skipped test case.
/// </summary>
public sealed class KernelTheoryDiscoverer(IMessageSink diagnosticMessageSink) : TheoryDiscoverer(diagnosticMessageSink)
{
    protected override IEnumerable<IXunitTestCase> CreateTestCasesForDataRow(
        ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo theoryAttribute, object[] dataRow)
    {
        string? skipReason = InKernelTestData.SkipReason(dataRow);
        return skipReason is null
            ? base.CreateTestCasesForDataRow(discoveryOptions, testMethod, theoryAttribute, dataRow)
            : CreateTestCasesForSkippedDataRow(discoveryOptions, testMethod, theoryAttribute, dataRow, skipReason);
    }
}
