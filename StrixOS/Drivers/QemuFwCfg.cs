using System;
using StrixOS.Plugs;

namespace StrixOS.Drivers;

/// <summary>
/// QEMU's firmware configuration device (I/O ports 0x510/0x511). The host test runner passes the
/// kernel command line through it (<c>-fw_cfg name=opt/strix/cmdline,string=...</c>) so one ISO
/// serves every test configuration. On real hardware the signature check fails and nothing is read.
/// </summary>
public static class QemuFwCfg
{
    private const ushort SelectorPort = 0x510;
    private const ushort DataPort = 0x511;
    private const ushort SignatureKey = 0x0000;
    private const ushort FileDirectoryKey = 0x0019;
    private const int FileNameLength = 56;

    public static bool IsPresent()
    {
        Ports.Out16(SelectorPort, SignatureKey);
        return Ports.In8(DataPort) == 'Q' && Ports.In8(DataPort) == 'E'
            && Ports.In8(DataPort) == 'M' && Ports.In8(DataPort) == 'U';
    }

    /// <summary>The contents of a named fw_cfg file as ASCII text, or null when absent.</summary>
    public static string? ReadTextFile(string name)
    {
        if (!IsPresent())
            return null;
        Ports.Out16(SelectorPort, FileDirectoryKey);
        uint count = ReadBigEndian32();
        Span<byte> entryName = stackalloc byte[FileNameLength];
        for (uint i = 0; i < count && i < 4096; i++)
        {
            uint size = ReadBigEndian32();
            ushort key = (ushort)((Ports.In8(DataPort) << 8) | Ports.In8(DataPort));
            Ports.In8(DataPort);
            Ports.In8(DataPort);
            for (int j = 0; j < FileNameLength; j++)
                entryName[j] = Ports.In8(DataPort);
            if (NameEquals(entryName, name))
                return ReadText(key, (int)Math.Min(size, 4096u));
        }
        return null;
    }

    private static string ReadText(ushort key, int size)
    {
        Ports.Out16(SelectorPort, key);
        var chars = new char[size];
        int length = 0;
        for (int i = 0; i < size; i++)
        {
            byte b = Ports.In8(DataPort);
            if (b == 0)
                break;
            chars[length++] = (char)b;
        }
        return new string(chars, 0, length);
    }

    private static bool NameEquals(ReadOnlySpan<byte> entry, string name)
    {
        if (name.Length >= entry.Length)
            return false;
        for (int i = 0; i < name.Length; i++)
        {
            if (entry[i] != name[i])
                return false;
        }
        return entry[name.Length] == 0;
    }

    private static uint ReadBigEndian32()
    {
        uint value = 0;
        for (int i = 0; i < 4; i++)
            value = (value << 8) | Ports.In8(DataPort);
        return value;
    }
}
