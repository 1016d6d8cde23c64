using System;
using System.Linq;
using System.Reflection;

namespace StrixOS.Tests.Runner;

/// <summary>
/// The kernel image a test project recorded at build time: build/StrixOS.TestEngine.targets builds
/// each StrixKernel project and writes its ISO path into the test assembly as AssemblyMetadata.
/// </summary>
public static class KernelImage
{
    public const string MetadataKey = "StrixOS.KernelImage";

    /// <summary>The recorded image of the first loaded assembly that has one, or null.</summary>
    public static string? Recorded() =>
        AppDomain.CurrentDomain.GetAssemblies()
            .Where(assembly => !assembly.IsDynamic)
            .SelectMany(assembly => assembly.GetCustomAttributes<AssemblyMetadataAttribute>())
            .FirstOrDefault(attribute => attribute.Key == MetadataKey && !string.IsNullOrEmpty(attribute.Value))
            ?.Value;
}
