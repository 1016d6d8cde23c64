using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using StrixOS.Runtime.Unwinding;

namespace StrixOS.Tests.Unwinding;

/// <summary>
/// A linked kernel ELF (bin/Debug/strix.elf) laid out in host memory as it is loaded: every PT_LOAD
/// segment of the higher half copied to its place, so the kernel's own decoders can read the image
/// through an <see cref="ImageView"/> at the kernel's addresses. Symbols come from .symtab.
/// </summary>
public sealed unsafe class KernelElfImage : IDisposable
{
    private readonly byte* _memory;
    private readonly Dictionary<string, ulong> _symbols = new(StringComparer.Ordinal);

    public ulong Base { get; }
    public ulong Length { get; }
    public ImageView View => new(_memory, Base, Length);
    public IReadOnlyDictionary<string, ulong> Symbols => _symbols;

    public KernelElfImage(string path)
    {
        byte[] file = File.ReadAllBytes(path);
        if (file.Length < 64 || file[0] != 0x7F || file[1] != (byte)'E' || file[4] != 2)
            throw new InvalidDataException($"{path} is not an ELF64 file");
        ulong phoff = BitConverter.ToUInt64(file, 0x20);
        ulong shoff = BitConverter.ToUInt64(file, 0x28);
        int phentsize = BitConverter.ToUInt16(file, 0x36), phnum = BitConverter.ToUInt16(file, 0x38);
        int shentsize = BitConverter.ToUInt16(file, 0x3A), shnum = BitConverter.ToUInt16(file, 0x3C);

        var segments = new List<(ulong vaddr, ulong offset, ulong filesz, ulong memsz)>();
        for (int i = 0; i < phnum; i++)
        {
            int p = (int)phoff + i * phentsize;
            if (BitConverter.ToUInt32(file, p) != 1)           // PT_LOAD
                continue;
            ulong vaddr = BitConverter.ToUInt64(file, p + 0x10);
            if (vaddr < 0xFFFF800000000000)                     // the low boot segments are not kernel code
                continue;
            segments.Add((vaddr, BitConverter.ToUInt64(file, p + 0x08), BitConverter.ToUInt64(file, p + 0x20), BitConverter.ToUInt64(file, p + 0x28)));
        }
        Base = ulong.MaxValue;
        ulong end = 0;
        foreach (var s in segments)
        {
            Base = Math.Min(Base, s.vaddr);
            end = Math.Max(end, s.vaddr + s.memsz);
        }
        Length = end - Base;
        _memory = (byte*)NativeMemory.AllocZeroed((nuint)Length);
        foreach (var s in segments)
            Marshal.Copy(file, (int)s.offset, (IntPtr)(_memory + (s.vaddr - Base)), (int)s.filesz);

        for (int i = 0; i < shnum; i++)
        {
            int sh = (int)shoff + i * shentsize;
            if (BitConverter.ToUInt32(file, sh + 4) != 2)       // SHT_SYMTAB
                continue;
            ulong offset = BitConverter.ToUInt64(file, sh + 0x18), size = BitConverter.ToUInt64(file, sh + 0x20);
            int link = (int)BitConverter.ToUInt32(file, sh + 0x28);
            ulong strtab = BitConverter.ToUInt64(file, (int)shoff + link * shentsize + 0x18);
            for (ulong e = offset; e < offset + size; e += 24)
            {
                int nameOffset = (int)BitConverter.ToUInt32(file, (int)e);
                int nameEnd = Array.IndexOf(file, (byte)0, (int)strtab + nameOffset);
                string name = System.Text.Encoding.ASCII.GetString(file, (int)strtab + nameOffset, nameEnd - (int)strtab - nameOffset);
                if (name.Length > 0)
                    _symbols[name] = BitConverter.ToUInt64(file, (int)e + 8);
            }
        }
    }

    public EhFrameSection EhFrame => new(View, _symbols["__eh_frame_start"], _symbols["__eh_frame_end"]);

    public void Dispose() => NativeMemory.Free(_memory);
}
