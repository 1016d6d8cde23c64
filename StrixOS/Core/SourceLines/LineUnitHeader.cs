using System;

namespace StrixOS.SourceLines;

/// <summary>
/// The header of one line-number unit of .debug_line (DWARF 2-4, 32-bit format): the constants of
/// its state machine and where its directory table, file table and program lie in the section.
/// </summary>
public struct LineUnitHeader
{
    public int Offset;
    public int End;
    public int Version;
    public int MinimumInstructionLength;
    public bool DefaultIsStatement;
    public int LineBase;
    public int LineRange;
    public int OpcodeBase;
    public int StandardOpcodeLengths;
    public int Directories;
    public int Files;
    public int Program;

    /// <summary>Reads the unit header at <paramref name="offset"/>.</summary>
    public static LineTableError TryRead(ReadOnlySpan<byte> section, int offset, out LineUnitHeader header)
    {
        header = default;
        if (offset + 4 > section.Length)
            return LineTableError.Truncated;
        uint unitLength = ReadU32(section, offset);
        if (unitLength >= 0xFFFF_FFF0)
            return LineTableError.UnsupportedVersion;          // 64-bit DWARF or reserved
        header.Offset = offset;
        header.End = offset + 4 + (int)unitLength;
        if (unitLength > int.MaxValue - 8 || header.End > section.Length || offset + 10 > header.End)
            return LineTableError.Truncated;
        header.Version = section[offset + 4] | section[offset + 5] << 8;
        if (header.Version < 2 || header.Version > 4)
            return LineTableError.UnsupportedVersion;
        uint headerLength = ReadU32(section, offset + 6);
        int position = offset + 10;
        if (headerLength > (uint)(header.End - position))
            return LineTableError.Truncated;
        header.Program = position + (int)headerLength;
        int fixedFields = header.Version >= 4 ? 6 : 5;
        if (position + fixedFields > header.Program)
            return LineTableError.Truncated;
        header.MinimumInstructionLength = section[position++];
        if (header.Version >= 4)
            position++;                                         // maximum_operations_per_instruction (1 on x86)
        header.DefaultIsStatement = section[position++] != 0;
        header.LineBase = (sbyte)section[position++];
        header.LineRange = section[position++];
        header.OpcodeBase = section[position++];
        if (header.LineRange == 0 || header.OpcodeBase == 0)
            return LineTableError.BadHeader;
        header.StandardOpcodeLengths = position;
        position += header.OpcodeBase - 1;
        header.Directories = position;
        // include_directories: strings up to an empty one.
        while (true)
        {
            if (position >= header.Program)
                return LineTableError.Truncated;
            if (section[position] == 0)
                break;
            position = SkipString(section, position, header.Program);
            if (position < 0)
                return LineTableError.Truncated;
        }
        header.Files = position + 1;
        return LineTableError.None;
    }

    /// <summary>The number of LEB128 operands of standard opcode <paramref name="opcode"/>.</summary>
    public readonly int OperandCount(ReadOnlySpan<byte> section, int opcode) => section[StandardOpcodeLengths + opcode - 1];

    /// <summary>"directory/name" of file <paramref name="index"/> (1-based in DWARF 2-4), or null.</summary>
    public readonly string? FileName(ReadOnlySpan<byte> section, int index)
    {
        if (index < 1)
            return null;
        int position = Files;
        for (int i = 1; position < Program && section[position] != 0; i++)
        {
            int nameStart = position;
            position = SkipString(section, position, Program);
            if (position < 0)
                return null;
            var cursor = new LebCursor(section, position, Program);
            ulong directory = cursor.Uleb128();
            cursor.Uleb128();                                   // modification time
            cursor.Uleb128();                                   // length
            if (cursor.Failed)
                return null;
            position = cursor.Position;
            if (i != index)
                continue;
            string name = Text(section, nameStart);
            if (directory == 0 || name.StartsWith('/'))
                return name;
            string? directoryName = DirectoryName(section, (int)directory);
            return directoryName == null ? name : directoryName + "/" + name;
        }
        return null;
    }

    private readonly string? DirectoryName(ReadOnlySpan<byte> section, int index)
    {
        int position = Directories;
        for (int i = 1; position < Program && section[position] != 0; i++)
        {
            if (i == index)
                return Text(section, position);
            position = SkipString(section, position, Program);
            if (position < 0)
                return null;
        }
        return null;
    }

    private static string Text(ReadOnlySpan<byte> section, int start)
    {
        int length = section.Slice(start).IndexOf((byte)0);
        if (length < 0)
            length = section.Length - start;
        var chars = new char[length];
        for (int i = 0; i < length; i++)
            chars[i] = (char)section[start + i];                // paths are ASCII in practice; bytes above 0x7F pass as Latin-1
        return new string(chars);
    }

    private static int SkipString(ReadOnlySpan<byte> section, int position, int end)
    {
        while (position < end && section[position] != 0)
            position++;
        return position < end ? position + 1 : -1;
    }

    internal static uint ReadU32(ReadOnlySpan<byte> section, int offset) =>
        (uint)(section[offset] | section[offset + 1] << 8 | section[offset + 2] << 16 | section[offset + 3] << 24);
}
