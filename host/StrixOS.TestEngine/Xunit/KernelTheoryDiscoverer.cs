using System.Collections.Generic;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace StrixOS.Tests.Runner;

/// <summary>
/// xunit v2 cannot skip a theory row at run time, so rows are judged at discovery, which already
/// booted the kernel to list them: a row the kernel skipped becomes a skipped test case.
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
