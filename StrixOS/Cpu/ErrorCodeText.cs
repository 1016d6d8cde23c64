using System.Text;

namespace StrixOS.Cpu;

/// <summary>
/// Person-readable decoding of CPU exception error codes (Intel SDM vol. 3, ch. 6). Vector names
/// and mnemonics come from <see cref="CpuExceptionInfo"/> (StrixOS.Core), shared with the test protocol.
/// </summary>
public static class ErrorCodeText
{
    /// <summary>Page-fault error bits: present, write, user, reserved-bit, instruction-fetch, protection-key, shadow-stack.</summary>
    public static string DescribePageFaultError(ulong error)
    {
        var text = new StringBuilder();
        text.Append((error & 1) != 0 ? "protection violation (page present)" : "page not present");
        text.Append((error & 2) != 0 ? ", write" : ", read");
        text.Append((error & 4) != 0 ? ", user mode" : ", supervisor mode");
        if ((error & 8) != 0) text.Append(", reserved bit set in a paging entry");
        if ((error & 16) != 0) text.Append(", instruction fetch");
        if ((error & 32) != 0) text.Append(", protection key");
        if ((error & 64) != 0) text.Append(", shadow stack");
        return text.ToString();
    }

    /// <summary>Selector error codes (#GP, #TS, #NP, #SS): external, IDT/GDT/LDT table, index.</summary>
    public static string DescribeSelectorError(ulong error)
    {
        if (error == 0)
            return "no selector involved";
        string table = (error & 2) != 0 ? "IDT" : (error & 4) != 0 ? "LDT" : "GDT";
        return $"{table} entry {(error >> 3) & 0x1FFF}{((error & 1) != 0 ? ", external event" : "")}";
    }
}
