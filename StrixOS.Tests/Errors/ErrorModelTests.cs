using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using StrixOS.Memory;
using StrixOS.Memory.PhysicalMemory;
using StrixOS.Tests.PhysicalMemory;
using Xunit;

namespace StrixOS.Tests.Errors;

/// <summary>One error model (issue 11): every error type of StrixOS.Core describes each of its values, and mappings are exhaustive.</summary>
public class ErrorModelTests
{
    private static readonly Assembly Core = typeof(Result<,>).Assembly;

    /// <summary>Every public enum of StrixOS.Core whose name ends in "Error" or "ErrorKind".</summary>
    public static IEnumerable<object[]> ErrorEnums() =>
        Core.GetExportedTypes()
            .Where(t => t.IsEnum && (t.Name.EndsWith("Error", StringComparison.Ordinal) || t.Name.EndsWith("ErrorKind", StringComparison.Ordinal)))
            .OrderBy(t => t.FullName, StringComparer.Ordinal)
            .Select(t => new object[] { t.FullName! });

    [Theory]
    [MemberData(nameof(ErrorEnums))]
    public void EveryValueOfEveryErrorTypeHasItsOwnDescription(string typeName)
    {
        Type type = Core.GetType(typeName)!;
        Func<object, string> describe = DescriberOf(type);
        // What the fallback arm says: a defined value that reads like this was not mapped.
        string fallback = describe(Enum.ToObject(type, 250));
        var sentences = new Dictionary<string, string>();
        foreach (object value in Enum.GetValues(type))
        {
            string sentence = describe(value);
            Assert.False(string.IsNullOrWhiteSpace(sentence), $"{type.Name}.{value} describes itself as nothing");
            Assert.True(sentence != fallback, $"{type.Name}.{value} falls through to \"{sentence}\"");
            Assert.True(sentences.TryAdd(sentence, value.ToString()!), $"{type.Name}.{value} and .{sentences.GetValueOrDefault(sentence)} read the same: \"{sentence}\"");
        }
    }

    /// <summary>
    /// Describe(this TError) for an error enum; for an ...ErrorKind enum whose ...Error struct carries the
    /// details (BootInfoError, MapError), that struct's Describe() on an error of the kind.
    /// </summary>
    private static Func<object, string> DescriberOf(Type type)
    {
        MethodInfo? extension = Core.GetExportedTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static))
            .FirstOrDefault(m => m.Name == "Describe" && m.GetParameters() is [{ } p] && p.ParameterType == type);
        if (extension is not null)
            return value => (string)extension.Invoke(null, [value])!;
        Type? carrier = type.Name.EndsWith("ErrorKind", StringComparison.Ordinal)
            ? Core.GetType(type.FullName![..^"Kind".Length])
            : null;
        ConstructorInfo? constructor = carrier?.GetConstructors()
            .FirstOrDefault(c => c.GetParameters() is [{ } first, ..] rest && first.ParameterType == type && rest.Skip(1).All(p => p.IsOptional));
        MethodInfo? instance = carrier?.GetMethod("Describe", Type.EmptyTypes);
        Assert.True(constructor is not null && instance is not null, $"{type.Name} has no Describe()");
        return value =>
        {
            object?[] arguments = constructor!.GetParameters().Select((p, i) => i == 0 ? value : p.DefaultValue).ToArray();
            return (string)instance!.Invoke(constructor.Invoke(arguments), null)!;
        };
    }

    [Fact]
    public void EveryPageTableErrorBecomesItsOwnAddressSpaceError()
    {
        MapErrorKind[] kinds = Enum.GetValues<MapErrorKind>();
        AddressSpaceError[] mapped = kinds.Select(k => k.ToAddressSpaceError()).ToArray();
        Assert.Equal(kinds.Length, mapped.Distinct().Count());
        Assert.Equal(AddressSpaceError.InvalidFrameAddress, MapErrorKind.InvalidFrameAddress.ToAddressSpaceError());
        Assert.Equal(AddressSpaceError.RangeOutOfBounds, MapErrorKind.RangeOutOfBounds.ToAddressSpaceError());
    }

    [Fact]
    public void AnUndefinedPageSizeIsItsOwnAllocationErrorNotOutOfFrames()
    {
        using BuddyFixture f = new(BuddyFixture.Normalize(new MemoryRegion(0, 8UL << 20, MemoryRegionType.Usable)), bootFrames: 0);
        Assert.Equal(AllocationError.InvalidPageSize, f.Allocator.AllocateFrame((PageSize)3).Error);
        Assert.True(f.Allocator.AllocateFrame(PageSize.Size4KiB).IsOk);
    }
}
