using System;

namespace StrixOS.Testing;

/// <summary>How assertion messages show values: integers in decimal and hex, strings quoted.</summary>
public static class ValueText
{
    public static string Of(ulong value) => value < 10 ? $"{value}" : $"{value} (0x{value:x})";
    public static string Of(long value) => value is >= 0 and < 10 ? $"{value}" : $"{value} (0x{value:x})";
    public static string Of(int value) => value is >= 0 and < 10 ? $"{value}" : $"{value} (0x{value:x})";
    public static string Of(bool value) => value ? "true" : "false";
    public static string Of(string? value) => value is null ? "null" : $"\"{value}\"";

    public static string Of<T>(T value) where T : IEquatable<T> => value?.ToString() ?? "null";

    /// <summary>", first difference at index N" for two strings that differ, else "".</summary>
    public static string FirstDifference(string? expected, string? actual)
    {
        if (expected is null || actual is null)
            return "";
        int length = Math.Min(expected.Length, actual.Length);
        for (int i = 0; i < length; i++)
        {
            if (expected[i] != actual[i])
                return $", first difference at index {i}";
        }
        return expected.Length == actual.Length ? "" : $", first difference at index {length}";
    }
}
