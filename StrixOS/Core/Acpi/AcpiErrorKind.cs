namespace StrixOS.Acpi;

/// <summary>Why the ACPI tables were refused.</summary>
public enum AcpiErrorKind
{
    None,
    NoRsdp,
    BadRsdpSignature,
    BadRsdpChecksum,
    BadRsdpLength,
    Unreadable,
    BadSignature,
    BadLength,
    BadChecksum,
    BadEntry,
    MissingTable,
}
