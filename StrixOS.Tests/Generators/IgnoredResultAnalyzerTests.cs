using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using StrixOS.Generators;
using StrixOS.Memory;
using Xunit;

namespace StrixOS.Tests.Generators;

/// <summary>STRIX003: a dropped Result is a build error; checked, used or discarded on purpose is not.</summary>
public class IgnoredResultAnalyzerTests
{
    [Fact]
    public async Task ADroppedResultIsReportedWithTheCallName()
    {
        ImmutableArray<Diagnostic> found = await AnalyzeAsync("table.TranslateAddr(VirtAddr.NewTruncate(0));");
        Diagnostic diagnostic = Assert.Single(found);
        Assert.Equal("STRIX003", diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Contains("'TranslateAddr'", diagnostic.GetMessage());
    }

    [Theory]
    [InlineData("_ = table.TranslateAddr(VirtAddr.NewTruncate(0));")]
    [InlineData("if (table.TranslateAddr(VirtAddr.NewTruncate(0)).IsError) return;")]
    [InlineData("var r = table.TranslateAddr(VirtAddr.NewTruncate(0));")]
    [InlineData("System.Console.WriteLine(table.TranslateAddr(VirtAddr.NewTruncate(0)).IsOk);")]
    public async Task ACheckedUsedOrDiscardedResultIsFine(string statement)
    {
        Assert.Empty(await AnalyzeAsync(statement));
    }

    private static async Task<ImmutableArray<Diagnostic>> AnalyzeAsync(string statement)
    {
        string source = "using StrixOS.Memory;\nstatic class Probe\n{\n    static void Run(OffsetPageTable table)\n    {\n        " + statement + "\n    }\n}\n";
        string runtime = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        MetadataReference[] references =
        [
            .. new[] { "System.Runtime.dll", "System.Private.CoreLib.dll", "System.Console.dll" }.Select(f => MetadataReference.CreateFromFile(Path.Combine(runtime, f))),
            MetadataReference.CreateFromFile(typeof(OffsetPageTable).Assembly.Location),
        ];
        CSharpCompilation compilation = CSharpCompilation.Create("Probe", [CSharpSyntaxTree.ParseText(source)], references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        return await compilation.WithAnalyzers([new IgnoredResultAnalyzer()]).GetAnalyzerDiagnosticsAsync();
    }
}
