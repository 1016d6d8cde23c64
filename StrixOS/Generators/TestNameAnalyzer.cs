using System.Collections.Immutable;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace StrixOS.Generators;

/// <summary>
/// One naming style for tests (docs/conventions.md): a test's name is PascalCase words, optionally
/// split into <c>Subject_Condition_Outcome</c> parts that each start with a capital or a digit, so
/// a list of results reads the same in the kernel's suites and the host's. STRIX004 checks every
/// method marked <c>[KernelTest]</c>, <c>[Fact]</c> or <c>[Theory]</c>. Off by default: it is StrixOS's own
/// convention, switched on by this repository's .editorconfig, not imposed on users' kernels.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class TestNameAnalyzer : DiagnosticAnalyzer
{
    private static readonly DiagnosticDescriptor BadTestName = new(
        "STRIX004", "A test name does not follow the convention",
        "Test '{0}' should be PascalCase words, optionally split into Subject_Condition_Outcome parts that start with a capital, such as '{1}'",
        "StrixOS.Conventions", DiagnosticSeverity.Error, isEnabledByDefault: false);

    private static readonly Regex Convention = new("^[A-Z][A-Za-z0-9]*(_[A-Z0-9][A-Za-z0-9]*)*$", RegexOptions.CultureInvariant);

    private static readonly ImmutableHashSet<string> TestAttributes =
        ImmutableHashSet.Create("KernelTestAttribute", "FactAttribute", "TheoryAttribute");

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(BadTestName);

    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterSymbolAction(static symbolContext =>
        {
            var method = (IMethodSymbol)symbolContext.Symbol;
            if (Convention.IsMatch(method.Name) || !IsTest(method))
                return;
            symbolContext.ReportDiagnostic(Diagnostic.Create(BadTestName, method.Locations[0], method.Name, Suggest(method.Name)));
        }, SymbolKind.Method);
    }

    private static bool IsTest(IMethodSymbol method)
    {
        foreach (AttributeData attribute in method.GetAttributes())
        {
            for (INamedTypeSymbol? type = attribute.AttributeClass; type is not null; type = type.BaseType)
            {
                if (TestAttributes.Contains(type.Name))
                    return true;
            }
        }
        return false;
    }

    /// <summary>The name with each underscore-separated part capitalised and lower-case parts joined.</summary>
    internal static string Suggest(string name)
    {
        var builder = new System.Text.StringBuilder(name.Length);
        bool upperNext = true;
        foreach (char c in name)
        {
            if (c == '_')
            {
                upperNext = true;
                continue;
            }
            builder.Append(upperNext ? char.ToUpperInvariant(c) : c);
            upperNext = false;
        }
        return builder.ToString();
    }
}
