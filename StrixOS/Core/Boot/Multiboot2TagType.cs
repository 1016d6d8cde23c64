namespace StrixOS.Boot;

/// <summary>The multiboot2 information tag types this kernel reads (others are skipped).</summary>
public enum Multiboot2TagType : uint
{
    End = 0,
    CommandLine = 1,
    BootLoaderName = 2,
    Module = 3,
    BasicMemoryInfo = 4,
    MemoryMap = 6,
    AcpiOldRsdp = 14,
    AcpiNewRsdp = 15,
    EfiMemoryMap = 17,
    EfiBootServicesNotTerminated = 18,
}
