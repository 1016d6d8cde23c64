using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Xml;

namespace StrixOS.Tests.Runner;

/// <summary>
/// A run as JUnit XML: one testsuite per kernel suite, one testcase per test (failure with
/// file:line and message; skipped with the reason; a test never run is an error), plus a
/// "KernelRun" suite whose single case fails when the run did not end cleanly (hang, panic...).
/// </summary>
public static class JUnitReport
{
    public const string RunSuiteName = "KernelRun";
    public const string RunCaseName = "EndsCleanly";

    public static string ToXml(RunResult run)
    {
        var settings = new XmlWriterSettings { Indent = true, Encoding = new UTF8Encoding(false), OmitXmlDeclaration = false };
        var text = new StringBuilder();
        using (var writer = XmlWriter.Create(new Utf8StringWriter(text), settings))
        {
            string timestamp = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture);
            writer.WriteStartElement("testsuites");
            writer.WriteAttributeString("name", $"StrixOS in-kernel tests ({run.Configuration.Name})");
            writer.WriteAttributeString("tests", (run.Tests.Count + 1).ToString(CultureInfo.InvariantCulture));
            writer.WriteAttributeString("failures", (run.Count(KernelTestStatus.Failed) + (run.EndedCleanly ? 0 : 1)).ToString(CultureInfo.InvariantCulture));
            writer.WriteAttributeString("errors", run.Count(KernelTestStatus.NotRun).ToString(CultureInfo.InvariantCulture));
            writer.WriteAttributeString("skipped", run.Count(KernelTestStatus.Skipped).ToString(CultureInfo.InvariantCulture));
            writer.WriteAttributeString("time", Seconds(run.Duration));

            foreach (var suite in run.Tests.GroupBy(t => t.Suite))
            {
                KernelTestResult[] tests = suite.ToArray();
                writer.WriteStartElement("testsuite");
                writer.WriteAttributeString("name", suite.Key);
                writer.WriteAttributeString("tests", tests.Length.ToString(CultureInfo.InvariantCulture));
                writer.WriteAttributeString("failures", tests.Count(t => t.Status == KernelTestStatus.Failed).ToString(CultureInfo.InvariantCulture));
                writer.WriteAttributeString("errors", tests.Count(t => t.Status == KernelTestStatus.NotRun).ToString(CultureInfo.InvariantCulture));
                writer.WriteAttributeString("skipped", tests.Count(t => t.Status == KernelTestStatus.Skipped).ToString(CultureInfo.InvariantCulture));
                writer.WriteAttributeString("time", Seconds(TimeSpan.FromTicks(tests.Sum(t => t.Duration.Ticks))));
                writer.WriteAttributeString("timestamp", timestamp);
                WriteConfiguration(writer, run);
                foreach (KernelTestResult test in tests)
                    WriteTestCase(writer, run, test);
                writer.WriteEndElement();
            }

            writer.WriteStartElement("testsuite");
            writer.WriteAttributeString("name", RunSuiteName);
            writer.WriteAttributeString("tests", "1");
            writer.WriteAttributeString("failures", run.EndedCleanly ? "0" : "1");
            writer.WriteAttributeString("errors", "0");
            writer.WriteAttributeString("skipped", "0");
            writer.WriteAttributeString("time", Seconds(run.Duration));
            writer.WriteAttributeString("timestamp", timestamp);
            WriteConfiguration(writer, run);
            writer.WriteStartElement("testcase");
            writer.WriteAttributeString("classname", $"StrixOS.Kernel.{run.Configuration.Name}.{RunSuiteName}");
            writer.WriteAttributeString("name", RunCaseName);
            writer.WriteAttributeString("time", Seconds(run.Duration));
            if (!run.EndedCleanly)
            {
                writer.WriteStartElement("failure");
                writer.WriteAttributeString("message", XmlSafe(run.Message));
                writer.WriteAttributeString("type", run.Verdict.ToString());
                writer.WriteString(XmlSafe(string.Join("\n", run.Problems)));
                writer.WriteEndElement();
            }
            writer.WriteStartElement("system-out");
            writer.WriteString(XmlSafe(string.Join("", run.Boots.Select(b =>
                $"--- boot {b.Number}: {b.CommandLine} ({b.EndingMessage})\n{b.Transcript}"))));
            writer.WriteEndElement();
            writer.WriteEndElement();
            writer.WriteEndElement();

            writer.WriteEndElement();
        }
        return text.ToString();
    }

    public static void Write(RunResult run, string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, ToXml(run), new UTF8Encoding(false));
    }

    private static void WriteConfiguration(XmlWriter writer, RunResult run)
    {
        writer.WriteStartElement("properties");
        Property(writer, "configuration", run.Configuration.Name);
        Property(writer, "memory", run.Configuration.Memory);
        Property(writer, "cpu", run.Configuration.CpuModel);
        Property(writer, "firmware", run.Configuration.Firmware.ToString());
        Property(writer, "boot-medium", run.Configuration.BootMedium.ToString());
        Property(writer, "verdict", run.Verdict.ToString());
        writer.WriteEndElement();
    }

    private static void Property(XmlWriter writer, string name, string value)
    {
        writer.WriteStartElement("property");
        writer.WriteAttributeString("name", name);
        writer.WriteAttributeString("value", XmlSafe(value));
        writer.WriteEndElement();
    }

    private static void WriteTestCase(XmlWriter writer, RunResult run, KernelTestResult test)
    {
        writer.WriteStartElement("testcase");
        writer.WriteAttributeString("classname", $"StrixOS.Kernel.{run.Configuration.Name}.{test.Suite}");
        writer.WriteAttributeString("name", test.Name);
        writer.WriteAttributeString("time", Seconds(test.Duration));
        switch (test.Status)
        {
            case KernelTestStatus.Failed:
                writer.WriteStartElement("failure");
                writer.WriteAttributeString("message", XmlSafe(test.Message));
                writer.WriteAttributeString("type", test.FaultLine.Length > 0 ? "CpuFault" : "AssertionFailure");
                writer.WriteString(XmlSafe(Body(test)));
                writer.WriteEndElement();
                break;
            case KernelTestStatus.NotRun:
                writer.WriteStartElement("error");
                writer.WriteAttributeString("message", XmlSafe(test.Message));
                writer.WriteAttributeString("type", "NotRun");
                writer.WriteEndElement();
                break;
            case KernelTestStatus.Skipped:
                writer.WriteStartElement("skipped");
                writer.WriteAttributeString("message", XmlSafe(test.Message));
                writer.WriteEndElement();
                break;
            default:
                if (test.FaultLine.Length > 0)
                {
                    writer.WriteStartElement("system-out");
                    writer.WriteString(XmlSafe(test.Message));
                    writer.WriteEndElement();
                }
                break;
        }
        writer.WriteEndElement();
    }

    private static string Body(KernelTestResult test)
    {
        var body = new StringBuilder();
        if (test.Location.Length > 0)
            body.Append(test.Location).Append(": ");
        body.Append(test.Message);
        if (test.FailedAssertions > 1)
            body.Append($"\n({test.FailedAssertions} assertions failed; the first is shown)");
        if (test.FaultLine.Length > 0 && !test.Message.Contains(test.FaultLine, StringComparison.Ordinal))
            body.Append('\n').Append(test.FaultLine);
        return body.ToString();
    }

    private static string Seconds(TimeSpan time) => time.TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture);

    /// <summary>XML 1.0 cannot carry most control characters: show them as \xHH.</summary>
    public static string XmlSafe(string text)
    {
        StringBuilder? safe = null;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            bool allowed = c is '\t' or '\n' or '\r' || (c >= 0x20 && c != 0xFFFE && c != 0xFFFF && !char.IsSurrogate(c));
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                safe?.Append(c).Append(text[i + 1]);
                i++;
                continue;
            }
            if (allowed)
            {
                safe?.Append(c);
                continue;
            }
            safe ??= new StringBuilder(text, 0, i, text.Length + 16);
            safe.Append($"\\x{(int)c:x2}");
        }
        return safe?.ToString() ?? text;
    }

    private sealed class Utf8StringWriter(StringBuilder builder) : StringWriter(builder, CultureInfo.InvariantCulture)
    {
        public override Encoding Encoding => new UTF8Encoding(false);
    }
}
