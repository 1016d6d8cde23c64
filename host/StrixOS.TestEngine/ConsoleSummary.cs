using System.Linq;
using System.Text;

namespace StrixOS.Tests.Runner;

/// <summary>A run as a few lines for a terminal: the verdict, then each failed or unrun test with its place and message.</summary>
public static class ConsoleSummary
{
    public static string Format(RunResult run)
    {
        var text = new StringBuilder();
        text.AppendLine($"StrixOS in-kernel tests [{run.Configuration.Name}]: {run.Message}");
        foreach (KernelTestResult test in run.Tests.Where(t => t.Status is KernelTestStatus.Failed or KernelTestStatus.NotRun))
        {
            string label = test.Status == KernelTestStatus.Failed ? "FAIL" : "NOT RUN";
            string where = test.Location.Length > 0 ? $" at {test.Location}" : "";
            text.AppendLine($"  {label} {test.FullName}{where}: {test.Message}");
        }
        foreach (KernelTestResult test in run.Tests.Where(t => t.Status == KernelTestStatus.Skipped))
            text.AppendLine($"  SKIP {test.FullName}: {test.Message}");
        foreach (string problem in run.Problems.Skip(run.Verdict == RunVerdict.SomeFailed ? 0 : 1).Take(10))
            text.AppendLine($"  problem: {problem}");
        return text.ToString();
    }
}
