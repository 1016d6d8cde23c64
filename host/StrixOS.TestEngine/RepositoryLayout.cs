using System;
using System.IO;
using System.Reflection;

namespace StrixOS.Tests.Runner;

/// <summary>Where things are: the repository root (the folder holding StrixOS.sln), the kernel image, the results folder.</summary>
public static class RepositoryLayout
{
    public const string SolutionFile = "StrixOS.sln";
    public const string ImageVariable = "STRIX_ISO";

    /// <summary>The nearest folder at or above <paramref name="start"/> (default: the test assembly's folder) that holds StrixOS.sln.</summary>
    public static string? FindRoot(string? start = null)
    {
        for (var directory = new DirectoryInfo(start ?? AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, SolutionFile)))
                return directory.FullName;
        }
        return null;
    }

    /// <summary>"Debug" or "Release": the configuration this test assembly was built in, and so the kernel image to use.</summary>
    public static string BuildConfiguration =>
        typeof(RepositoryLayout).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration is { Length: > 0 } configuration
            ? configuration
            : "Debug";

    /// <summary>
    /// STRIX_ISO when set (absolute, or relative to the repository root), else
    /// StrixOS/bin/&lt;Configuration&gt;/strix.iso under the root.
    /// </summary>
    public static string ImagePath(string? root) => ImagePath(root, Environment.GetEnvironmentVariable(ImageVariable));

    /// <summary>The image path given <paramref name="configured"/> as the value of STRIX_ISO (null: unset).</summary>
    public static string ImagePath(string? root, string? configured)
    {
        string baseDirectory = root ?? Directory.GetCurrentDirectory();
        if (!string.IsNullOrWhiteSpace(configured))
            return Path.GetFullPath(Path.Combine(baseDirectory, configured));
        return Path.Combine(baseDirectory, "StrixOS", "bin", BuildConfiguration, "strix.iso");
    }

    public static string ResultsDirectory(string root) => Path.Combine(root, "TestResults");

    public static string JUnitPath(string root, QemuConfiguration configuration) =>
        Path.Combine(ResultsDirectory(root), $"strix-kernel-{configuration.Name}.xml");
}
