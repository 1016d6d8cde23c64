using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;

namespace StrixOS.Tests.Screen;

/// <summary>A guest write to a COM1 register as QEMU's <c>serial_write</c> trace logged it, stamped by the
/// host's clock (gettimeofday, microseconds) on the emulated CPU's thread as the instruction ran.</summary>
internal readonly record struct SerialWrite(long HostMicroseconds, int Register, int Value)
{
    public const int ScratchRegister = 7;

    /// <summary>Parses lines such as <c>23761@1796218899.526763:serial_write write addr 0x07 val 0x81</c>.</summary>
    public static List<SerialWrite> ReadAll(string path)
    {
        var writes = new List<SerialWrite>();
        foreach (string line in File.ReadLines(path))
        {
            int at = line.IndexOf('@'), colon = line.IndexOf(':');
            int addr = line.IndexOf("addr 0x", StringComparison.Ordinal), val = line.IndexOf(" val 0x", StringComparison.Ordinal);
            if (at < 0 || colon < at || addr < 0 || val < addr || !line.Contains("serial_write", StringComparison.Ordinal))
                continue;
            string[] time = line[(at + 1)..colon].Split('.');
            if (time.Length != 2 || time[1].Length != 6)
                continue;
            long micros = long.Parse(time[0], CultureInfo.InvariantCulture) * 1_000_000 + long.Parse(time[1], CultureInfo.InvariantCulture);
            int register = int.Parse(line[(addr + 7)..val], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            int value = int.Parse(line[(val + 7)..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            writes.Add(new SerialWrite(micros, register, value));
        }
        return writes;
    }
}
