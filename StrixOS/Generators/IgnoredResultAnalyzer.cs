using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace StrixOS.Generators;

/// <summary>
/// Errors are values in StrixOS (<c>StrixOS.Memory.Result&lt;T, E&gt;</c>), so a call whose Result is
/// dropped silently loses an error: STRIX003 makes that a build error. Check <c>IsOk</c>/<c>IsError</c>,
/// use <c>Value</c>, or discard on purpose with <c>_ = Call();</c>.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class IgnoredResultAnalyzer : DiagnosticAnalyzer
{
    private static readonly DiagnosticDescriptor IgnoredResult = new(
        "STRIX003", "A Result is ignored",
        "The Result of '{0}' is ignored: check IsOk/IsError, use Value, or discard it on purpose with '_ ='",
        "StrixOS.Errors", DiagnosticSeverity.Error, isEnabledByDefault: true);

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(IgnoredResult);

    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterOperationAction(static operationContext =>
        {
            var statement = (IExpressionStatementOperation)operationContext.Operation;
            IOperation value = statement.Operation;
            if (value is IConversionOperation { IsImplicit: true } conversion)
                value = conversion.Operand;
            if (value is IAssignmentOperation || !IsResult(value.Type))
                return;
            string name = value is IInvocationOperation invocation ? invocation.TargetMethod.Name : value.Syntax.ToString();
            operationContext.ReportDiagnostic(Diagnostic.Create(IgnoredResult, value.Syntax.GetLocation(), name));
        }, OperationKind.ExpressionStatement);
    }

    private static bool IsResult(ITypeSymbol? type) =>
        type is INamedTypeSymbol { Name: "Result", Arity: 2 } named
        && named.ContainingNamespace?.ToDisplayString() == "StrixOS.Memory";
}
