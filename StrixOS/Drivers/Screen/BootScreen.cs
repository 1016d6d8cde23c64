using StrixOS.Boot.Stage;
using StrixOS.Cpu;
using StrixOS.Diagnostics;
using StrixOS.Memory;
using StrixOS.Text;

namespace StrixOS.Drivers.Screen;

/// <summary>
/// Finds the screen GRUB handed over (multiboot2 tag 8) before anything else is parsed, so the first log
/// line already reaches it: EGA text (type 2) becomes a <see cref="VgaTextScreen"/>, an RGB framebuffer
/// (type 1) a <see cref="FramebufferScreen"/>. No tag and a BIOS boot: VGA text at 0xB8000, which is what
/// GRUB leaves when it does not report one, if a VGA answers at its I/O ports (no screen otherwise). Reads the
/// structure through the offset map with bounds checks.
/// </summary>
public static unsafe class BootScreen
{
    private const uint FramebufferTag = 8, EfiSystemTable64Tag = 12, EfiMemoryMapTag = 17;

    public static string Description { get; private set; } = "none";

    /// <summary>The framebuffer screen, when GRUB handed over an RGB framebuffer the kernel draws on.</summary>
    public static FramebufferScreen? Framebuffer { get; private set; }

    /// <summary>Once the memory manager runs: the framebuffer gets its own mapping (<see cref="FramebufferWindow"/>).</summary>
    public static void MapFramebuffer(OffsetPageTable pageTable, IFrameAllocator frames)
    {
        if (Framebuffer == null)
            return;
        Result<ulong, MapError> mapped = FramebufferWindow.Map(Framebuffer, pageTable, frames);
        var text = new LineBuilder(stackalloc char[LineBuilder.LineLength]);
        text.Append(Description);
        if (mapped.IsOk)
        {
            text.Append(", mapped at 0x");
            text.HexUpper(mapped.Value);
            text.Append(PageAttributeTable.WriteCombiningEnabled ? " (writable, NX, write-combining)" : " (writable, NX, write-through: no PAT)");
        }
        else
        {
            text.Append(", still drawn through the offset map: its own mapping failed: ");
            text.Append(mapped.Error.Describe());
        }
        Description = text.ToString();
    }

    public static void Attach()
    {
        BootLayout* layout = BootLayout.Current;
        ulong info = layout->MultibootInfoPhysical;
        ulong limit = layout->OffsetMapBytes;
        if (info == 0 || info + 8 > limit)
            return;
        byte* start = (byte*)(BootLayout.PhysicalMemoryOffset + info);
        uint total = *(uint*)start;
        if (total < 16 || info + total > limit)
            return;
        bool efi = false;
        byte* framebuffer = null;
        for (uint offset = 8; offset + 8 <= total;)
        {
            uint type = *(uint*)(start + offset);
            uint size = *(uint*)(start + offset + 4);
            if (type == 0 || size < 8 || size > total - offset)
                break;
            if (type == FramebufferTag && size >= 32)
                framebuffer = start + offset;
            if (type == EfiSystemTable64Tag || type == EfiMemoryMapTag)
                efi = true;
            offset += (size + 7) & ~7u;
        }

        if (framebuffer != null)
        {
            ulong address = *(ulong*)(framebuffer + 8);
            uint pitch = *(uint*)(framebuffer + 16), width = *(uint*)(framebuffer + 20), height = *(uint*)(framebuffer + 24);
            byte bpp = framebuffer[28], kind = framebuffer[29];
            if (kind == 2 && width > 0 && height > 0 && address + (ulong)width * height * 2 <= limit)
            {
                ScreenConsole.Attach(new VgaTextScreen(address, (int)width, (int)height));
                var vga = new LineBuilder(stackalloc char[LineBuilder.LineLength]);
                vga.Append("VGA text ");
                vga.Decimal(width);
                vga.Append('x');
                vga.Decimal(height);
                Description = vga.ToString();
                return;
            }
            if (kind == 1 && (bpp == 32 || bpp == 24) && address + (ulong)pitch * height <= limit && *(uint*)(framebuffer + 4) >= 38)
            {
                Framebuffer = new FramebufferScreen(address, (int)pitch, (int)width, (int)height, bpp,
                    framebuffer[32], framebuffer[34], framebuffer[36]);
                ScreenConsole.Attach(Framebuffer);
                var pixels = new LineBuilder(stackalloc char[LineBuilder.LineLength]);
                pixels.Append("framebuffer ");
                pixels.Decimal(width);
                pixels.Append('x');
                pixels.Decimal(height);
                pixels.Append('x');
                pixels.Decimal(bpp);
                pixels.Append(" at physical 0x");
                pixels.HexUpper(address);
                pixels.Append(", ");
                pixels.Decimal(width / 8);
                pixels.Append('x');
                pixels.Decimal(height / 16);
                pixels.Append(" characters");
                Description = pixels.ToString();
                return;
            }
            var unsupported = new LineBuilder(stackalloc char[LineBuilder.LineLength]);
            unsupported.Append("unsupported framebuffer (type ");
            unsupported.Decimal(kind);
            unsupported.Append(", ");
            unsupported.Decimal(bpp);
            unsupported.Append(" bpp at 0x");
            unsupported.HexUpper(address);
            unsupported.Append(')');
            Description = unsupported.ToString();
            return;
        }
        if (!efi)
        {
            if (!VgaTextScreen.AdapterAnswers())
            {
                Description = "none (no framebuffer tag, and no VGA answers at I/O port 0x3D4)";
                return;
            }
            ScreenConsole.Attach(new VgaTextScreen(0xB8000, 80, 25));
            Description = "VGA text 80x25 (no framebuffer tag; BIOS text mode assumed)";
        }
    }
}
