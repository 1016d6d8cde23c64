using System;

namespace StrixOS.Testing;

/// <summary>The suite name of a class's <see cref="KernelTestAttribute"/> tests (default: the class name without "Tests").</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class KernelTestSuiteAttribute : Attribute
{
    public KernelTestSuiteAttribute(string name) => Name = name;

    public string Name { get; }
}
