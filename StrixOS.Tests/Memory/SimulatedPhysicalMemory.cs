using System;
using System.Runtime.InteropServices;
using StrixOS.Memory;

namespace StrixOS.Tests.Memory;

/// <summary>
/// Physical memory for host tests: one 4 KiB-aligned native buffer whose address is the physical memory
/// offset, so physical address p is at (byte*)Offset + p, exactly as the kernel's offset map behaves.
/// Frames beyond <see cref="Size"/> may be mapped but must never be read or written through.
/// </summary>
public sealed unsafe class SimulatedPhysicalMemory : IDisposable
{
    public const ulong DefaultSize = 64UL * 1024 * 1024;

    private byte* _base;

    /// <param name="size">Bytes of simulated physical memory (a multiple of 4 KiB).</param>
    /// <param name="zero">Clear the buffer (costs a pass over it); tables allocated by the mapper are zeroed anyway.</param>
    public SimulatedPhysicalMemory(ulong size = DefaultSize, bool zero = true)
    {
        if (size == 0 || (size & 0xFFF) != 0)
            throw new ArgumentOutOfRangeException(nameof(size), "size must be a non-zero multiple of 4 KiB");
        Size = size;
        _base = (byte*)NativeMemory.AlignedAlloc((nuint)size, 4096);
        if (zero)
            NativeMemory.Clear(_base, (nuint)size);
    }

    /// <summary>The physical memory offset: the virtual address of physical address 0.</summary>
    public ulong Offset => (ulong)_base;

    public ulong Size { get; }

    public bool Contains(PhysAddr address, ulong length) => address.Value <= Size && length <= Size - address.Value;

    public byte* Pointer(PhysAddr address)
    {
        if (!Contains(address, 1))
            throw new ArgumentOutOfRangeException(nameof(address), $"{address} is outside the simulated {Size} bytes");
        return _base + address.Value;
    }

    public Span<byte> Bytes(PhysAddr start, ulong length)
    {
        if (!Contains(start, length) || length > int.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(length));
        return new Span<byte>(_base + start.Value, (int)length);
    }

    public ref PageTable TableAt(PhysAddr address) => ref *(PageTable*)Pointer(address);

    public void ZeroFrame(PhysFrame frame) => Bytes(frame.StartAddress, frame.SizeInBytes).Clear();

    /// <summary>A copy of [start, start + length), for byte-for-byte comparisons.</summary>
    public byte[] Snapshot(PhysAddr start, ulong length) => Bytes(start, length).ToArray();

    public void Dispose()
    {
        if (_base != null)
        {
            NativeMemory.AlignedFree(_base);
            _base = null;
        }
    }
}
