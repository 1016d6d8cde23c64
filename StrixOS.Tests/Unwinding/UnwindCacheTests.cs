using StrixOS.Runtime.Unwinding;
using Xunit;

namespace StrixOS.Tests.Unwinding;

/// <summary>The unwinder's per-address decode cache: a hit returns exactly what was put, a colliding address replaces it.</summary>
public sealed class UnwindCacheTests
{
    private static DecodedFrame Frame(ulong pc, ulong fdeStart) => new()
    {
        Pc = pc,
        Code = new FrameDescription { PcStart = fdeStart, PcEnd = fdeStart + 0x100 },
        Method = new ManagedMethodInfo { CodeStart = fdeStart, MethodStart = fdeStart },
        Row = new UnwindRow { CfaRegister = 7, CfaOffset = 16, SavedMask = 1u << 16 },
        HasRow = true,
    };

    [Fact]
    public void APutFrameComesBackUnchangedAndCountsAsAHit()
    {
        var cache = new UnwindCache(4);
        Assert.False(cache.TryGet(0xFFFF_FFFF_8010_0042, out _));
        cache.Put(Frame(0xFFFF_FFFF_8010_0042, 0xFFFF_FFFF_8010_0000));
        Assert.True(cache.TryGet(0xFFFF_FFFF_8010_0042, out DecodedFrame hit));
        Assert.Equal(0xFFFF_FFFF_8010_0000UL, hit.Code.PcStart);
        Assert.Equal(16, hit.Row.CfaOffset);
        Assert.True(hit.HasRow);
        Assert.Equal(1, cache.Hits);
        Assert.Equal(1, cache.Misses);
    }

    [Fact]
    public void AddressesSharingASlotReplaceEachOtherAndNeverAnswerForOneAnother()
    {
        var cache = new UnwindCache(1);                        // two slots: collisions are certain
        for (ulong pc = 0x1000; pc < 0x1100; pc++)
        {
            cache.Put(Frame(pc, pc & ~0xFUL));
            Assert.True(cache.TryGet(pc, out DecodedFrame frame));
            Assert.Equal(pc, frame.Pc);
        }
        int cached = 0;
        for (ulong pc = 0x1000; pc < 0x1100; pc++)
        {
            if (cache.TryGet(pc, out DecodedFrame frame))
            {
                Assert.Equal(pc, frame.Pc);
                cached++;
            }
        }
        Assert.InRange(cached, 1, 2);
    }

    [Fact]
    public void AddressZeroIsNeverCached()
    {
        var cache = new UnwindCache(3);
        cache.Put(Frame(0, 0));
        Assert.False(cache.TryGet(0, out _));
    }
}
