namespace StrixOS.Runtime.Unwinding;

/// <summary>
/// Where the bytes of a kernel image can be read from. In the kernel the image is mapped where it
/// was linked (<see cref="Identity"/>); a host test holds the ELF file's bytes in a buffer and maps
/// the image's addresses onto it, so the same decoders run in both places.
/// </summary>
public readonly unsafe struct ImageView
{
    private readonly byte* _host;
    private readonly ulong _address;
    private readonly ulong _length;

    /// <param name="host">Where the byte at <paramref name="address"/> is, for this process.</param>
    /// <param name="address">The image address of the first byte of the range.</param>
    /// <param name="length">Bytes in the range.</param>
    public ImageView(byte* host, ulong address, ulong length)
    {
        _host = host;
        _address = address;
        _length = length;
    }

    /// <summary>The running kernel: every image address is readable where it is.</summary>
    public static ImageView Identity => new(null, 0, ulong.MaxValue);

    public bool Contains(ulong address, ulong size) =>
        address >= _address && size <= _length && address - _address <= _length - size;

    public byte* At(ulong address) => _host + (address - _address);

    public byte U8(ulong address) => *At(address);
    public ushort U16(ulong address) => *(ushort*)At(address);
    public uint U32(ulong address) => *(uint*)At(address);
    public int I32(ulong address) => *(int*)At(address);
    public ulong U64(ulong address) => *(ulong*)At(address);
}
