using System;
using System.IO;
using System.Linq;
using System.Xml.Linq;
using Xunit;

namespace StrixOS.Tests.Runner;

/// <summary>The JUnit XML a CI server reads: structure, counts, and safety against what a kernel prints.</summary>
public sealed class JUnitReportTests : IDisposable
{
    private readonly FakeQemu _qemu = new();

    public void Dispose() => _qemu.Dispose();

    [Fact]
    public void OneSuitePerKernelSuiteOneCasePerTest()
    {
        _qemu.WithSimulatedKernel(SampleSuites.Mixed);
        RunResult run = KernelTestEngine.Run(_qemu.Configuration(), _qemu.ImagePath);
        XDocument xml = XDocument.Parse(JUnitReport.ToXml(run));

        XElement root = xml.Root!;
        Assert.Equal("testsuites", root.Name.LocalName);
        Assert.Equal("5", (string?)root.Attribute("tests"));      // 4 kernel tests and the run check
        Assert.Equal("1", (string?)root.Attribute("failures"));
        Assert.Equal("1", (string?)root.Attribute("skipped"));
        Assert.Equal(["Alpha", "Beta", JUnitReport.RunSuiteName], root.Elements("testsuite").Select(s => (string?)s.Attribute("name")));

        XElement alpha = root.Elements("testsuite").First();
        Assert.Equal("3", (string?)alpha.Attribute("tests"));
        Assert.Equal("1", (string?)alpha.Attribute("failures"));
        Assert.Equal("1", (string?)alpha.Attribute("skipped"));
        XElement failure = alpha.Elements("testcase").Single(c => (string?)c.Attribute("name") == "FailsEqual").Element("failure")!;
        Assert.Contains("expected 4096 (0x1000), actual 4097 (0x1001)", (string?)failure.Attribute("message"));
        Assert.Contains($"SampleSuites.cs:{SampleSuites.FailingLine}: Equal failed", failure.Value);
        Assert.Equal("needs a NIC", (string?)alpha.Elements("testcase").Single(c => (string?)c.Attribute("name") == "Skips").Element("skipped")!.Attribute("message"));
        Assert.Equal($"StrixOS.Kernel.{run.Configuration.Name}.Alpha", (string?)alpha.Element("testcase")!.Attribute("classname"));

        XElement runCase = root.Elements("testsuite").Last().Element("testcase")!;
        Assert.Null(runCase.Element("failure"));
        Assert.Contains("##strix hello", runCase.Element("system-out")!.Value);
    }

    [Fact]
    public void RunThatDidNotEndCleanlyFailsTheRunCase()
    {
        _qemu.WithSimulatedKernel(SampleSuites.Panicking);
        RunResult run = KernelTestEngine.Run(_qemu.Configuration(), _qemu.ImagePath);
        XElement runCase = XDocument.Parse(JUnitReport.ToXml(run)).Root!.Elements("testsuite").Last().Element("testcase")!;
        XElement failure = runCase.Element("failure")!;
        Assert.Equal("KernelPanic", (string?)failure.Attribute("type"));
        Assert.Contains("heap exhausted", (string?)failure.Attribute("message"));
    }

    [Fact]
    public void ControlCharactersFromTheSerialPortDoNotBreakTheXml()
    {
        _qemu.OnBoot(0, "\u001b[2J\u001b[H\u0000\u0007 GRUB noise\n##strix panic message=\"x\"\n", 35);
        RunResult run = KernelTestEngine.Run(_qemu.Configuration(), _qemu.ImagePath);
        string xml = JUnitReport.ToXml(run);
        XDocument parsed = XDocument.Parse(xml);
        Assert.Contains("\\x1b[2J", parsed.Root!.Descendants("system-out").Single().Value);
    }

    [Fact]
    public void WriteCreatesTheResultsFolder()
    {
        _qemu.WithSimulatedKernel(SampleSuites.AllPassing);
        RunResult run = KernelTestEngine.Run(_qemu.Configuration(), _qemu.ImagePath);
        string path = RepositoryLayout.JUnitPath(_qemu.Directory, run.Configuration);
        JUnitReport.Write(run, path);
        Assert.Equal(Path.Combine(_qemu.Directory, "TestResults", "strix-kernel-128M-qemu64.xml"), path);
        Assert.Equal("testsuites", XDocument.Load(path).Root!.Name.LocalName);
    }
}
