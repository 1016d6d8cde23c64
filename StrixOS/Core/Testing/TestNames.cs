namespace StrixOS.Testing;

/// <summary>
/// The rule for suite and test names: 1-64 ASCII letters, digits and '_', not starting with a
/// digit. So "Suite.Test" is never ambiguous, never needs quoting and works in a glob.
/// </summary>
public static class TestNames
{
    public const int MaximumLength = 64;

    public static bool IsValid(string? name)
    {
        if (name is null || name.Length == 0 || name.Length > MaximumLength)
            return false;
        if (name[0] is >= '0' and <= '9')
            return false;
        foreach (char c in name)
        {
            if (!(c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_'))
                return false;
        }
        return true;
    }
}
