using System;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using StrixOS.Generators;
using StrixOS.Testing;
using Xunit;

namespace StrixOS.Tests.Generators;

/// <summary>The [KernelTest] source generator, run on small sources with Roslyn as the kernel build runs it.</summary>
public class KernelTestGeneratorTests
{
    [Fact]
    public void RegistrationListsTheMarkedMethodsInSourceOrderWithTheirLines()
    {
        const string source = """
            using StrixOS.Testing;
            namespace Sample;
            public static unsafe partial class DiskTests
            {
                [KernelTest]
                private static void ReadsSectorZero(TestContext t) { }

                private static void Helper(TestContext t) { }

                [KernelTest]
                private static void WritesAreReadBack(TestContext t) { }
            }
            """;
        (string generated, ImmutableArray<Diagnostic> diagnostics) = Run(source);

        Assert.Empty(diagnostics);
        Assert.Contains("registry.AddSuite(\"Disk\")", generated);
        int first = generated.IndexOf("suite.Add(\"ReadsSectorZero\", &ReadsSectorZero, \"Disk.cs\", 6);", StringComparison.Ordinal);
        int second = generated.IndexOf("suite.Add(\"WritesAreReadBack\", &WritesAreReadBack, \"Disk.cs\", 11);", StringComparison.Ordinal);
        Assert.True(first > 0 && second > first, generated);
        Assert.DoesNotContain("Helper", generated);
    }

    [Fact]
    public void TheSuiteAttributeNamesTheSuite()
    {
        const string source = """
            using StrixOS.Testing;
            [KernelTestSuite("Storage.Disk")]
            public static partial class DiskChecks
            {
                [KernelTest]
                private static void Reads(TestContext t) { }
            }
            """;
        (string generated, ImmutableArray<Diagnostic> diagnostics) = Run(source);
        Assert.Empty(diagnostics);
        Assert.Contains("registry.AddSuite(\"Storage.Disk\")", generated);
    }

    [Theory]
    [InlineData("private static int Returns(TestContext t) => 0;")]
    [InlineData("private void Instance(TestContext t) { }")]
    [InlineData("private static void NoContext() { }")]
    [InlineData("private static void TwoArguments(TestContext t, int x) { }")]
    public void AMethodOfTheWrongShapeIsABuildError(string method)
    {
        string source = "using StrixOS.Testing;\npublic partial class Checks\n{\n    [KernelTest]\n    " + method + "\n}\n";
        (string generated, ImmutableArray<Diagnostic> diagnostics) = Run(source);
        Diagnostic error = Assert.Single(diagnostics);
        Assert.Equal("STRIX001", error.Id);
        Assert.Equal(DiagnosticSeverity.Error, error.Severity);
        Assert.Equal("", generated);
    }

    [Fact]
    public void AClassThatIsNotPartialIsABuildError()
    {
        const string source = """
            using StrixOS.Testing;
            public static class Checks
            {
                [KernelTest]
                private static void Reads(TestContext t) { }
            }
            """;
        (string generated, ImmutableArray<Diagnostic> diagnostics) = Run(source);
        Diagnostic error = Assert.Single(diagnostics);
        Assert.Equal("STRIX002", error.Id);
        Assert.Equal("", generated);
    }

    /// <summary>Runs the generator over <paramref name="source"/> (file Disk.cs) against StrixOS.Core; returns what it wrote.</summary>
    private static (string Generated, ImmutableArray<Diagnostic> Diagnostics) Run(string source)
    {
        string runtime = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        MetadataReference[] references =
        [
            .. new[] { "System.Runtime.dll", "System.Private.CoreLib.dll" }.Select(f => MetadataReference.CreateFromFile(Path.Combine(runtime, f))),
            MetadataReference.CreateFromFile(typeof(TestRegistry).Assembly.Location),
        ];
        CSharpCompilation compilation = CSharpCompilation.Create("Sample",
            [CSharpSyntaxTree.ParseText(source, path: "Disk.cs")], references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true));
        GeneratorDriver driver = CSharpGeneratorDriver.Create(new KernelTestGenerator()).RunGenerators(compilation);
        GeneratorRunResult result = driver.GetRunResult().Results.Single();
        string generated = string.Concat(result.GeneratedSources.Where(s => s.HintName != ProjectRegistrationFile).Select(s => s.SourceText.ToString()));
        return (generated, result.Diagnostics);
    }

    private const string ProjectRegistrationFile = "StrixOS.Generated.ProjectKernelTests.g.cs";

    [Fact]
    public void TheProjectRegistrationCallsEveryTestClassAndCompiles()
    {
        const string source = """
            using StrixOS.Testing;
            namespace Sample;
            public static partial class ZipTests
            {
                [KernelTest]
                private static void Packs(TestContext t) { }
            }
            public static partial class DiskTests
            {
                [KernelTest]
                private static void Reads(TestContext t) { }
            }
            public static class NotATestClass
            {
                private static void Helper(TestContext t) { }
            }
            """;
        (string registration, ImmutableArray<Diagnostic> diagnostics) = RunProjectRegistration(source);
        Assert.Empty(diagnostics);
        int disk = registration.IndexOf("global::Sample.DiskTests.RegisterKernelTests(registry);", StringComparison.Ordinal);
        int zip = registration.IndexOf("global::Sample.ZipTests.RegisterKernelTests(registry);", StringComparison.Ordinal);
        Assert.True(disk > 0 && zip > disk, registration);
        Assert.DoesNotContain("NotATestClass", registration);
    }

    [Fact]
    public void AProjectWithoutTestsStillGetsAnEmptyRegistration()
    {
        (string registration, ImmutableArray<Diagnostic> diagnostics) = RunProjectRegistration("namespace Sample; public static class Nothing { }");
        Assert.Empty(diagnostics);
        Assert.Contains("public static void Register(global::StrixOS.Testing.TestRegistry registry)", registration);
        Assert.DoesNotContain("RegisterKernelTests", registration);
    }

    /// <summary>The project registration the generator writes, and the errors of the compilation with everything it wrote.</summary>
    private static (string Registration, ImmutableArray<Diagnostic> Errors) RunProjectRegistration(string source)
    {
        string runtime = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        MetadataReference[] references =
        [
            .. new[] { "System.Runtime.dll", "System.Private.CoreLib.dll" }.Select(f => MetadataReference.CreateFromFile(Path.Combine(runtime, f))),
            MetadataReference.CreateFromFile(typeof(TestRegistry).Assembly.Location),
        ];
        CSharpCompilation compilation = CSharpCompilation.Create("Sample",
            [CSharpSyntaxTree.ParseText(source, path: "Disk.cs")], references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true));
        CSharpGeneratorDriver.Create(new KernelTestGenerator())
            .RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out ImmutableArray<Diagnostic> generatorDiagnostics);
        GeneratorRunResult result = CSharpGeneratorDriver.Create(new KernelTestGenerator()).RunGenerators(compilation).GetRunResult().Results.Single();
        string registration = result.GeneratedSources.Single(s => s.HintName == ProjectRegistrationFile).SourceText.ToString();
        ImmutableArray<Diagnostic> errors = [.. generatorDiagnostics, .. output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error)];
        return (registration, errors);
    }
}
