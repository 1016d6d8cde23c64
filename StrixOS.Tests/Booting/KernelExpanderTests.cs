using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Threading.Tasks;
using StrixOS.Tests.Runner;
using Xunit;
using Xunit.Abstractions;

namespace StrixOS.Tests.Booting;

/// <summary>
/// The image GRUB loads is the kernel expander (StrixOS/Boot/Stage/Expander) with the kernel's segments as LZ4
/// frames. A damaged frame must stop the boot in the expander, with its message on COM1 and QEMU's failing exit
/// status, before anything of the kernel runs: each case damages the .text segment's frame of the built image
/// (boot/strix.elf next to the default ISO) in one way, puts it on an ISO with a one-entry grub.cfg and boots it.
/// The image also carries the symbol and line tables (the last two frames), which the expander hands to the kernel
/// as modules: they must expand to exactly the files the build packed.
/// </summary>
public class KernelExpanderTests(ITestOutputHelper output)
{
    private static readonly byte[] FrameMagic = [0x04, 0x22, 0x4D, 0x18];
    private const int TextFrame = 2;   // frames in segment order: .boot.text, .boot.data, .text, ...
    private const int FrameHeaderBytes = 4 + 1 + 1 + 8 + 1;

    public static TheoryData<string, string> Damages => new()
    {
        { "magic", "the kernel's compressed image is not an LZ4 frame this expander reads" },
        { "content size", "the kernel's compressed image expands to the wrong size" },
        { "block size", "the kernel's compressed image is truncated" },
        { "match offset", "the kernel's compressed image refers to bytes before its segment" },
        { "match length", "the kernel's compressed image expands past its segment" },
    };

    [Theory]
    [MemberData(nameof(Damages))]
    public async Task ADamagedFrameStopsTheBootInTheExpanderWithAMessage(string damage, string message)
    {
        string bootElf = Path.Combine(Path.GetDirectoryName(KernelBoot.DefaultImage)!, "boot", "strix.elf");
        Assert.True(File.Exists(bootElf), $"{bootElf} does not exist: build it with ./strix build");
        byte[] image = File.ReadAllBytes(bootElf);
        // The frames: the magic followed by the flags the build asks lz4 for (the expander's code has the magic too).
        List<int> frames = FindAll(image, FrameMagic).FindAll(i => i + 4 < image.Length && image[i + 4] == 0x68);
        Assert.True(frames.Count > TextFrame, $"{bootElf}: {frames.Count} LZ4 frames, expected one per loaded segment");
        Damage(image, frames[TextFrame], frames.Count > TextFrame + 1 ? frames[TextFrame + 1] : image.Length, damage);
        await BootDamagedImage(image, message);
    }

    [Fact]
    public async Task ADamagedModuleFrameStopsTheBootInTheExpanderToo()
    {
        // The symbol table's frame (the second to last: pack-kernel.sh writes the modules' after the segments').
        string bootElf = Path.Combine(Path.GetDirectoryName(KernelBoot.DefaultImage)!, "boot", "strix.elf");
        Assert.True(File.Exists(bootElf), $"{bootElf} does not exist: build it with ./strix build");
        byte[] image = File.ReadAllBytes(bootElf);
        List<int> frames = FindAll(image, FrameMagic).FindAll(i => i + 4 < image.Length && image[i + 4] == 0x68);
        Assert.True(frames.Count > TextFrame + 2, $"{bootElf}: {frames.Count} LZ4 frames, expected the segments' and two modules'");
        Damage(image, frames[^2], frames[^1], "content size");
        await BootDamagedImage(image, "the kernel's compressed image expands to the wrong size");
    }

    /// <summary>
    /// The expander copies and zeroes with SSE2 (under QEMU's TCG a 16-byte move costs far less than four 4-byte ones).
    /// On a CPU without SSE2 it must not fault (a triple fault, no message) but stop with the message the kernel's boot
    /// stage gives for that CPU, and the failing status. pentium3 has SSE, not SSE2.
    /// </summary>
    [Fact]
    public void ACpuWithoutSse2StopsInTheExpanderWithAMessage()
    {
        using Screen.QemuSession qemu = Screen.QemuSession.Start(KernelBoot.DefaultImage, debugExit: true, cpu: "pentium3");
        Assert.True(qemu.WaitForText("StrixOS boot: this CPU has no SSE2", TimeSpan.FromSeconds(120)), "no message on COM1:\n" + qemu.Transcript);
        int? status = qemu.WaitForExit(TimeSpan.FromSeconds(30));
        output.WriteLine(qemu.Transcript);
        Assert.True(status == BootExit.KernelFailureStatus, $"QEMU exit status {status?.ToString() ?? "none"}, expected {BootExit.KernelFailureStatus} (debug-exit's failure)");
        Assert.DoesNotContain("[info]", qemu.Transcript, StringComparison.Ordinal);   // the kernel never ran
    }

    /// <summary>Boots the damaged image from an ISO with a one-entry grub.cfg: the expander must stop with its message.</summary>
    private async Task BootDamagedImage(byte[] image, string message)
    {
        string root = Directory.CreateTempSubdirectory("strix-expander-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(root, "iso", "boot", "grub"));
            File.WriteAllBytes(Path.Combine(root, "iso", "boot", "strix.elf"), image);
            File.WriteAllText(Path.Combine(root, "iso", "boot", "grub", "grub.cfg"),
                "set timeout=0\nmenuentry \"damaged\" {\n    multiboot2 /boot/strix.elf\n    boot\n}\n");
            string iso = Path.Combine(root, "damaged.iso");
            MakeIso(Path.Combine(root, "iso"), iso);

            KernelBootResult boot = await KernelBoot.BootAsync(image: iso, timeoutSeconds: 60);
            output.WriteLine(boot.Transcript);
            Assert.Contains("StrixOS expander: " + message, boot.Transcript, StringComparison.Ordinal);
            Assert.True(boot.Failed, $"exit status {boot.ExitStatus} (timed out: {boot.TimedOut}), expected the failing status");
            Assert.DoesNotContain("[info]", boot.Transcript, StringComparison.Ordinal);   // the kernel never ran
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task ASegmentRecordReachingTheFramesStopsTheBootInTheExpander()
    {
        // The frames lie on the kernel's BSS (expander.ld): a record whose file bytes reached them would overwrite
        // frames not yet read. The build never writes one; the expander checks anyway. The data segment's record
        // (the last with BSS) gets file bytes up to its memory bytes, i.e. over its whole BSS and the frames.
        string output = Path.GetDirectoryName(KernelBoot.DefaultImage)!;
        string bootElf = Path.Combine(output, "boot", "strix.elf");
        string kernelElf = Path.Combine(output, "strix.elf");
        Assert.True(File.Exists(bootElf) && File.Exists(kernelElf), $"{bootElf} or {kernelElf} does not exist: build it with ./strix build");
        byte[] kernel = File.ReadAllBytes(kernelElf);
        ulong phoff = BitConverter.ToUInt64(kernel, 0x20);
        int phentsize = BitConverter.ToUInt16(kernel, 0x36), phnum = BitConverter.ToUInt16(kernel, 0x38);
        (uint Phys, uint FileSize, uint MemSize) data = default;
        for (int i = 0; i < phnum; i++)
        {
            int h = (int)phoff + i * phentsize;
            if (BitConverter.ToUInt32(kernel, h) != 1)   // PT_LOAD
                continue;
            var segment = ((uint)BitConverter.ToUInt64(kernel, h + 0x18), (uint)BitConverter.ToUInt64(kernel, h + 0x20), (uint)BitConverter.ToUInt64(kernel, h + 0x28));
            if (segment.Item2 > 0 && segment.Item2 < segment.Item3 && segment.Item1 >= data.Phys)
                data = segment;
        }
        Assert.True(data.MemSize > 0, $"{kernelElf}: no loaded segment with file bytes and BSS");
        byte[] image = File.ReadAllBytes(bootElf);
        byte[] record = new byte[12];
        BitConverter.TryWriteBytes(record.AsSpan(0), data.Phys);
        BitConverter.TryWriteBytes(record.AsSpan(4), data.FileSize);
        BitConverter.TryWriteBytes(record.AsSpan(8), data.MemSize);
        List<int> found = FindAll(image, record);
        Assert.True(found.Count == 1, $"{bootElf}: the data segment's record (0x{data.Phys:x}, {data.FileSize}, {data.MemSize}) found {found.Count} times");
        BitConverter.TryWriteBytes(image.AsSpan(found[0] + 4), data.MemSize);
        await BootDamagedImage(image, "a kernel segment lies outside the reserved range or over the compressed image");
    }

    [Fact]
    public void TheImageCarriesTheSymbolAndLineTablesTheBuildPacked()
    {
        string output = Path.GetDirectoryName(KernelBoot.DefaultImage)!;
        string bootElf = Path.Combine(output, "boot", "strix.elf");
        Assert.True(File.Exists(bootElf), $"{bootElf} does not exist: build it with ./strix build");
        byte[] image = File.ReadAllBytes(bootElf);
        List<int> frames = FindAll(image, FrameMagic).FindAll(i => i + 4 < image.Length && image[i + 4] == 0x68);
        Assert.True(frames.Count > TextFrame + 2, $"{bootElf}: {frames.Count} LZ4 frames, expected the segments' and two modules'");
        // The modules' frames follow the segments' (pack-kernel.sh): symbols, then lines.
        string[] tables = ["strix.packed.sym", "strix.lines"];
        for (int t = 0; t < tables.Length; t++)
        {
            int frame = frames[frames.Count - tables.Length + t];
            byte[] expanded = Lz4Expand(image.AsSpan(frame, FrameLength(image, frame)).ToArray());
            byte[] built = File.ReadAllBytes(Path.Combine(output, tables[t]));
            Assert.True(built.Length > 8, $"{tables[t]}: {built.Length} bytes");
            Assert.True(expanded.AsSpan().SequenceEqual(built), $"frame {t} of the modules expands to {expanded.Length} bytes, not {tables[t]} ({built.Length} bytes)");
        }
        // The modules' names, as the kernel looks them up (SymbolTable, SourceLineTable).
        Assert.True(image.AsSpan().IndexOf("strix.symbols\0"u8) >= 0, "no module name strix.symbols in the image");
        Assert.True(image.AsSpan().IndexOf("strix.lines\0"u8) >= 0, "no module name strix.lines in the image");
    }

    /// <summary>The bytes of the LZ4 frame at <paramref name="frame"/>: its header, its blocks and the end mark.</summary>
    private static int FrameLength(byte[] image, int frame)
    {
        int p = frame + FrameHeaderBytes;
        while (true)
        {
            Assert.True(p + 4 <= image.Length, "an LZ4 frame runs past the image");
            uint size = BitConverter.ToUInt32(image, p);
            p += 4;
            if (size == 0)
                return p - frame;
            p += (int)(size & 0x7FFF_FFFF);
        }
    }

    private static byte[] Lz4Expand(byte[] frame)
    {
        var start = new ProcessStartInfo("lz4", ["-d", "-c"]) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        using Process lz4 = Process.Start(start)!;
        Task<byte[]> output = Task.Run(() =>
        {
            using var buffer = new MemoryStream();
            lz4.StandardOutput.BaseStream.CopyTo(buffer);
            return buffer.ToArray();
        });
        lz4.StandardInput.BaseStream.Write(frame);
        lz4.StandardInput.Close();
        byte[] expanded = output.Result;
        string errors = lz4.StandardError.ReadToEnd();
        lz4.WaitForExit();
        Assert.True(lz4.ExitCode == 0, "lz4 -d failed: " + errors);
        return expanded;
    }

    /// <summary>Damages the LZ4 frame at <paramref name="frame"/> (which ends before <paramref name="next"/>).</summary>
    private static void Damage(byte[] image, int frame, int next, string damage)
    {
        int block = frame + FrameHeaderBytes;               // the first block: its size, then its bytes
        switch (damage)
        {
            case "magic":
                image[frame + 3] ^= 0xFF;
                break;
            case "content size":
                image[frame + 6] ^= 0x01;
                break;
            case "block size":                               // a compressed block longer than the frame
                BitConverter.TryWriteBytes(image.AsSpan(block), 0x7FFF_FFF0);
                break;
            case "match offset":                             // the first match reaches before the segment
            {
                int offset = FirstMatchOffset(image, block + 4, next);
                image[offset] = 0xFF;
                image[offset + 1] = 0xFF;
                break;
            }
            case "match length":                             // the first match longer than the segment
            {
                int offset = FirstMatchOffset(image, block + 4, next);
                Assert.True(offset + 2 + 4097 <= next, "the frame is too short for this case");
                image[block + 4] |= 0x0F;                    // the token: more length bytes after the offset
                image.AsSpan(offset + 2, 4096).Fill(0xFF);   // 15 + 4096 x 255 + 4 bytes: about 1 MB
                image[offset + 2 + 4096] = 0;
                break;
            }
            default:
                throw new ArgumentException(damage);
        }
    }

    /// <summary>Where the first sequence's match offset is, in the LZ4 block starting at <paramref name="block"/>.</summary>
    private static int FirstMatchOffset(byte[] image, int block, int next)
    {
        int p = block;
        int literals = image[p] >> 4;
        p++;
        if (literals == 15)
        {
            byte more;
            do { more = image[p++]; literals += more; } while (more == 255);
        }
        p += literals;
        Assert.True(literals < 0xFFFF && p + 2 <= next, "the first sequence is not as expected");
        return p;
    }

    private static List<int> FindAll(byte[] data, byte[] pattern)
    {
        var found = new List<int>();
        for (int i = data.AsSpan().IndexOf(pattern); i >= 0;)
        {
            found.Add(i);
            int next = data.AsSpan(i + 1).IndexOf(pattern);
            i = next < 0 ? -1 : i + 1 + next;
        }
        return found;
    }

    private static void MakeIso(string root, string iso)
    {
        var start = new ProcessStartInfo("grub-mkrescue") { RedirectStandardError = true, RedirectStandardOutput = true };
        start.ArgumentList.Add("-o");
        start.ArgumentList.Add(iso);
        start.ArgumentList.Add(root);
        using Process process = Process.Start(start)!;
        string errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, "grub-mkrescue failed: " + errors);
    }
}
