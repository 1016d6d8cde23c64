using System;
using System.IO;
using StrixOS.Tests.Runner;

namespace StrixOS.Tests.Deploy;

/// <summary>
/// Where the deployment tests find their inputs: the ISO (STRIX_ISO, else StrixOS/bin/&lt;Configuration&gt;/strix.iso),
/// the TFTP root of Deployment=PXE (STRIX_PXE_ROOT, else pxe/ beside the ISO), the UEFI firmware
/// (STRIX_OVMF, else Debian's /usr/share/ovmf/OVMF.fd) and the host tools. Each Problem method
/// says what is missing and how to get it, or returns null.
/// </summary>
public static class DeployEnvironment
{
    public const string PxeRootVariable = "STRIX_PXE_ROOT";
    public const string OvmfVariable = "STRIX_OVMF";
    public const string BiosBootFile = "boot/grub/i386-pc/core.0";
    public const string UefiBootFile = "boot/grub/x86_64-efi/core.efi";

    public static string? Root { get; } = RepositoryLayout.FindRoot();

    public static string IsoPath { get; } = RepositoryLayout.ImagePath(Root);

    public static string PxeRoot { get; } =
        Environment.GetEnvironmentVariable(PxeRootVariable) is { Length: > 0 } configured
            ? Path.GetFullPath(Path.Combine(Root ?? Directory.GetCurrentDirectory(), configured))
            : Path.Combine(Path.GetDirectoryName(IsoPath) ?? ".", "pxe");

    public static string OvmfPath { get; } =
        Environment.GetEnvironmentVariable(OvmfVariable) is { Length: > 0 } ovmf ? ovmf : QemuConfiguration.DefaultOvmf;

    public static string BootFile(Firmware firmware) => firmware == Firmware.Ovmf ? UefiBootFile : BiosBootFile;

    public static string? IsoProblem() =>
        File.Exists(IsoPath) ? null : $"the kernel image {IsoPath} does not exist; build it with ./strix build (or set STRIX_ISO)";

    public static string? OvmfProblem() =>
        File.Exists(OvmfPath) ? null
            : $"the UEFI firmware {OvmfPath} does not exist; install it with: sudo apt-get install ovmf (or ./strix setup), or set {OvmfVariable}";

    public static string? ToolProblem(string tool, string package) =>
        QemuProcess.Locate(tool) is not null ? null
            : $"{tool} {(tool.Contains('/') ? "does not exist" : "was not found on PATH")}; install it with: sudo apt-get install {package} (or ./strix setup)";

    /// <summary>The TFTP root exists, has both GRUB netboot images and carries the same kernel as the ISO's build.</summary>
    public static string? PxeRootProblem()
    {
        string hint = "build it with ./strix pxe (dotnet build -p:Deployment=PXE), or set " + PxeRootVariable;
        foreach (string file in new[] { BiosBootFile, UefiBootFile, "boot/grub/grub.cfg", "boot/strix.elf" })
        {
            if (!File.Exists(Path.Combine(PxeRoot, file)))
                return $"the TFTP root {PxeRoot} has no {file}; {hint}";
        }
        // The boot files as the build put them on the ISO (bin/<Configuration>/boot/: stripped, compressed).
        string builtElf = Path.Combine(Path.GetDirectoryName(IsoPath) ?? ".", "boot", "strix.elf");
        if (File.Exists(builtElf) && !FilesEqual(builtElf, Path.Combine(PxeRoot, "boot/strix.elf")))
            return $"the TFTP root {PxeRoot} holds an older kernel than {builtElf}; {hint}";
        return null;
    }

    private static bool FilesEqual(string a, string b)
    {
        byte[] left = File.ReadAllBytes(a);
        byte[] right = File.ReadAllBytes(b);
        return left.AsSpan().SequenceEqual(right);
    }
}
