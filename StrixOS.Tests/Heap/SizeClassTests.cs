using StrixOS.Memory.Heap;
using Xunit;

namespace StrixOS.Tests.Heap;

public class SizeClassTests
{
    [Fact]
    public void EverySmallSize_LandsInTheSmallestClassThatHoldsIt()
    {
        for (ulong size = 1; size <= SizeClasses.MaxSmallSize; size++)
        {
            int sizeClass = SizeClasses.ClassOf(size);
            Assert.InRange(sizeClass, 0, SizeClasses.Count - 1);
            Assert.True(SizeClasses.SlotSize(sizeClass) >= size);
            if (sizeClass > 0)
                Assert.True(SizeClasses.SlotSize(sizeClass - 1) < size);
            // Rounding up wastes at most a fifth above 128 bytes (and at most 15 bytes below).
            Assert.True(SizeClasses.SlotSize(sizeClass) - size <= (size > 128 ? size / 4 : 15));
        }
        Assert.Equal(0, SizeClasses.ClassOf(0));
        Assert.Equal(SizeClasses.MaxSmallSize, SizeClasses.SlotSize(SizeClasses.Count - 1));
    }

    [Fact]
    public void SlotSizes_AreGrowingMultiplesOfSixteen_AndSlabsHoldAtLeastFifteen()
    {
        for (int c = 0; c < SizeClasses.Count; c++)
        {
            ulong slot = SizeClasses.SlotSize(c);
            Assert.Equal(0UL, slot % 16);
            if (c > 0)
                Assert.True(slot > SizeClasses.SlotSize(c - 1));
            ulong slabBytes = (ulong)SizeClasses.SlabPages(c) * 4096;
            Assert.True((slabBytes - 256) / slot >= 15, $"class {c} ({slot} bytes) fits too few slots");
        }
    }
}
