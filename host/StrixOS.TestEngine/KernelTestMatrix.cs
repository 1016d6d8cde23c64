using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace StrixOS.Tests.Runner;

/// <summary>
/// The machines the in-kernel tests run on. By default two (small and baseline, large and
/// feature-rich); STRIX_MATRIX=1 (./strix test; --quick sets 0) runs every memory size with every CPU
/// model. Firmware and boot medium are axes of <see cref="QemuConfiguration"/> too, for the
/// deployment work to add.
/// </summary>
public static class KernelTestMatrix
{
    public const string MatrixVariable = "STRIX_MATRIX";
    public const string QemuVariable = "STRIX_QEMU";
    public const string TimeoutVariable = "STRIX_TEST_TIMEOUT";
    public const string ExtraArgumentsVariable = "STRIX_QEMU_ARGS";
    public const string FilterVariable = "STRIX_TEST_FILTER";

    public static readonly IReadOnlyList<string> MemorySizes = ["32M", "128M", "1G", "4G", "8G"];
    public static readonly IReadOnlyList<string> CpuModels = ["qemu64", "max"];

    public static IReadOnlyList<QemuConfiguration> Default(QemuConfiguration template) =>
    [
        template with { Memory = "128M", CpuModel = "qemu64" },
        template with { Memory = "4G", CpuModel = "max" },
    ];

    public static IReadOnlyList<QemuConfiguration> Full(QemuConfiguration template) =>
        MemorySizes.SelectMany(memory => CpuModels.Select(cpu => template with { Memory = memory, CpuModel = cpu })).ToArray();

    /// <summary>The configurations this test run uses, from the environment variables above.</summary>
    public static IReadOnlyList<QemuConfiguration> FromEnvironment()
    {
        QemuConfiguration template = TemplateFromEnvironment();
        return Environment.GetEnvironmentVariable(MatrixVariable) is "1" or "true" or "yes" ? Full(template) : Default(template);
    }

    public static QemuConfiguration TemplateFromEnvironment()
    {
        var template = new QemuConfiguration();
        if (Environment.GetEnvironmentVariable(QemuVariable) is { Length: > 0 } qemu)
            template = template with { QemuPath = qemu };
        if (double.TryParse(Environment.GetEnvironmentVariable(TimeoutVariable), NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds)
            && seconds > 0)
            template = template with { Timeout = TimeSpan.FromSeconds(seconds) };
        if (Environment.GetEnvironmentVariable(ExtraArgumentsVariable) is { Length: > 0 } extra)
            template = template with { ExtraArguments = extra.Split(' ', StringSplitOptions.RemoveEmptyEntries) };
        return template;
    }

    public static string FilterFromEnvironment() => Environment.GetEnvironmentVariable(FilterVariable)?.Trim() ?? "";
}
