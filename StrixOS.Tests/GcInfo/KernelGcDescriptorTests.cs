using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using StrixOS.Runtime.GcInfo;
using StrixOS.Tests.Booting;
using StrixOS.Tests.Unwinding;
using Xunit;

namespace StrixOS.Tests.GcInfo;

/// <summary>
/// The GCDesc reader against every MethodTable of a built kernel (the _ZTV symbols ILC gives them):
/// each type with the HasPointers flag decodes to reference slots inside its instances, 8-byte
/// aligned, none twice; arrays of references have one per element after the length.
/// </summary>
public sealed class KernelGcDescriptorTests : IDisposable
{
    private readonly KernelElfImage _image;

    public KernelGcDescriptorTests()
    {
        string path = Path.Combine(KernelBoot.RepositoryRoot, "StrixOS", "bin", "Debug", "strix.elf");
        Assert.True(File.Exists(path), $"no kernel at {path}: build it with ./strix build");
        _image = new KernelElfImage(path);
    }

    public void Dispose() => _image.Dispose();

    private struct Collector : IReferenceOffsetVisitor
    {
        public List<ulong> Offsets;
        public Collector() => Offsets = new List<ulong>();
        public void Visit(ulong offset) => Offsets.Add(offset);
    }

    [Fact]
    public void EveryMethodTableWithPointersDecodesToSlotsInsideItsInstances()
    {
        int unconstructed = 0, withPointers = 0, arrays = 0, repeating = 0, instances = 0;
        foreach ((string name, ulong mt) in _image.Symbols.Where(s => s.Key.StartsWith("_ZTV")))
        {
            uint flags = GcDescriptor.Flags(_image.View, mt);
            uint baseSize = GcDescriptor.BaseSize(_image.View, mt);
            if (baseSize == 0)
                continue;                            // interfaces and other non-instantiable types
            instances++;
            if ((flags & GcDescriptor.HasPointersFlag) == 0)
                continue;
            // ILC gives a GCDesc only to types it saw constructed; a MethodTable used only for casts
            // or type identity keeps the flag but the word below it belongs to the previous symbol.
            long series = (long)_image.View.U64(mt - 8);
            if (series == 0 || series > 64 || series < -64)
            {
                unconstructed++;
                continue;
            }
            withPointers++;
            uint component = GcDescriptor.ComponentSize(_image.View, mt);
            foreach (ulong length in component == 0 ? new ulong[] { 0 } : new ulong[] { 0, 1, 5 })
            {
                ulong size = (baseSize + length * component + 7) & ~7UL;
                var collector = new Collector();
                Assert.True(GcDescriptor.Enumerate(_image.View, mt, size, ref collector), $"{name}: GCDesc does not decode for {length} elements");
                Assert.True(collector.Offsets.Distinct().Count() == collector.Offsets.Count, $"{name}: a slot reported twice");
                Assert.All(collector.Offsets, o => Assert.True(o >= 8 && o % 8 == 0 && o + 8 <= size - 8, $"{name}: offset {o} outside a {size}-byte object"));
                if (component == 0)
                    Assert.True(collector.Offsets.Count > 0, $"{name}: HasPointers but no reference slot");
                else if (length == 5 && component == 8 && (long)_image.View.U64(mt - 8) > 0)
                    // Elements follow the base size (the length, and for a multi-dimensional array its bounds).
                    Assert.Equal(Enumerable.Range(0, 5).Select(i => baseSize - 8 + 8 * (ulong)i).ToArray(), collector.Offsets.Order().ToArray());
            }
            if (component != 0) arrays++;
            if ((long)_image.View.U64(mt - 8) < 0) repeating++;
        }
        Assert.True(instances > 300 && withPointers > 100 && arrays > 5 && repeating > 2 && unconstructed < withPointers,
            $"{instances} instantiable types: {withPointers} with pointers, {arrays} arrays, {repeating} repeating (struct arrays), {unconstructed} without a GCDesc");
    }
}
