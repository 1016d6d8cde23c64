using System;
using System.Text;

namespace StrixOS.Testing;

/// <summary>
/// The failure message of a test whose body let an exception escape: type and message, each inner
/// exception, then the stack trace from the throw site (as CoreLib formats it), so the host's
/// report shows where the test went wrong.
/// </summary>
public static class UnhandledTestException
{
    public const string Prefix = "unhandled exception ";

    public static string Describe(Exception exception)
    {
        var text = new StringBuilder();
        text.Append(Prefix).Append(TypeName(exception)).Append(": ").Append(exception.Message);
        for (Exception? inner = exception.InnerException; inner != null; inner = inner.InnerException)
            text.Append("\n ---> ").Append(TypeName(inner)).Append(": ").Append(inner.Message);
        string? stack = exception.StackTrace;
        if (!string.IsNullOrEmpty(stack))
            text.Append('\n').Append(stack);
        return text.ToString();
    }

    private static string TypeName(Exception exception) => exception.GetType().FullName ?? exception.GetType().Name;
}
