using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Iced.Intel;
using StrixOS.Runtime.GcInfo;
using StrixOS.Runtime.Unwinding;
using StrixOS.Tests.Booting;
using StrixOS.Tests.Unwinding;
using Xunit;

namespace StrixOS.Tests.GcInfo;

/// <summary>
/// The GC info decoder against every method of a built kernel (bin/Debug/strix.elf, which
/// ./strix test builds first): each header decodes to the length ILC gave the method's code,
/// each safepoint is the return address of a call in that code, and at every call site the live
/// slots decode to places a frame can hold a reference across a call.
/// </summary>
public sealed class KernelGcInfoTests : IDisposable
{
    private readonly KernelElfImage _image;
    private readonly List<Method> _methods = new();
    /// <summary>Helpers that never collect (write barriers, the stack probe): registers live across them are not safepoint state.</summary>
    private readonly HashSet<ulong> _noGcHelpers = new();

    /// <summary>A method's main body with its funclets: they share one GC info blob.</summary>
    private sealed class Method
    {
        public ulong Start;
        public ulong End;
        public ulong GcInfo;
        public readonly List<FrameDescription> Parts = new();
    }

    public KernelGcInfoTests()
    {
        string path = Path.Combine(KernelBoot.RepositoryRoot, "StrixOS", "bin", "Debug", "strix.elf");
        Assert.True(File.Exists(path), $"no kernel at {path}: build it with ./strix build");
        _image = new KernelElfImage(path);
        FrameDescriptionIndex? index = FrameDescriptionIndex.Build(_image.EhFrame);
        Assert.NotNull(index);
        var byStart = new Dictionary<ulong, Method>();
        for (int i = 0; i < index!.Count; i++)
        {
            Assert.True(_image.EhFrame.TryReadFde(index.RecordAt(i), out FrameDescription fde));
            Assert.True(ManagedMethodInfo.TryRead(_image.View, fde.PcStart, fde.Lsda, out ManagedMethodInfo info));
            if (!byStart.TryGetValue(info.MethodStart, out Method? method))
                byStart[info.MethodStart] = method = new Method { Start = info.MethodStart, GcInfo = info.GcInfo };
            Assert.Equal(method.GcInfo, info.GcInfo);
            method.Parts.Add(fde);
            method.End = Math.Max(method.End, fde.PcEnd);
        }
        _methods.AddRange(byStart.Values.OrderBy(m => m.Start));
        foreach ((string name, ulong address) in _image.Symbols)
        {
            if (name.StartsWith("RhpAssignRef") || name.StartsWith("RhpCheckedAssignRef") || name.StartsWith("RhpByRefAssignRef")
                || name is "RhpCheckedLockCmpXchg" or "RhpCheckedXchg" or "RhpStackProbe")
                _noGcHelpers.Add(address);
        }
        Assert.True(_noGcHelpers.Count >= 3, "write barrier helpers not found in the symbol table");
    }

    public void Dispose() => _image.Dispose();

    [Fact]
    public void EveryHeaderDecodesToTheLengthOfItsMethodAndItsFunclets()
    {
        int slim = 0, fat = 0, withFrameRegister = 0;
        foreach (Method method in _methods)
        {
            Assert.True(GcInfoHeader.TryDecode(_image.View, method.GcInfo, out GcInfoHeader header, out _), $"GC info of {method.Start:x}");
            Assert.True(header.CodeLength == method.End - method.Start,
                $"method {method.Start:x}: GC info says {header.CodeLength} bytes of code, its FDEs cover {method.End - method.Start}");
            Assert.True(header.StackBaseRegister is GcInfoHeader.NoStackBaseRegister or 5, $"frame register {header.StackBaseRegister} in {method.Start:x}");
            if (header.IsSlim) slim++; else fat++;
            if (header.StackBaseRegister == 5) withFrameRegister++;
        }
        Assert.True(_methods.Count > 1000 && slim > 100 && fat > 100 && withFrameRegister > 100,
            $"{_methods.Count} methods: {slim} slim headers, {fat} fat, {withFrameRegister} with rbp as frame register");
    }

    [Fact]
    public void EverySafepointIsTheReturnAddressOfACallInItsMethod()
    {
        int safePoints = 0, methodsWithSafePoints = 0;
        foreach (Method method in _methods)
        {
            Assert.True(GcInfoHeader.TryDecode(_image.View, method.GcInfo, out GcInfoHeader header, out GcInfoBitReader reader));
            if (header.NumSafePoints == 0)
                continue;
            methodsWithSafePoints++;
            HashSet<uint> returnAddresses = CallSites(method, includeFuncletCalls: true).Select(c => c.ReturnOffset).ToHashSet();
            uint previous = 0;
            for (uint i = 0; i < header.NumSafePoints; i++)
            {
                uint offset = header.SafePointAt(reader, i);
                Assert.True(i == 0 || offset > previous, $"method {method.Start:x}: safepoints not sorted at {i}");
                Assert.True(returnAddresses.Contains(offset),
                    $"method {method.Start:x}: safepoint +{offset:x} is not the return address of a call (calls return to {string.Join(",", returnAddresses.Order().Select(o => o.ToString("x")))})");
                previous = offset;
                safePoints++;
            }
        }
        Assert.True(safePoints > 5000 && methodsWithSafePoints > 500, $"{safePoints} safepoints in {methodsWithSafePoints} methods");
    }

    [Fact]
    public void AtEveryCallSiteTheLiveSlotsArePlacesThatSurviveTheCall()
    {
        int scratchSkipped = 0, callSites = 0, atSafePoint = 0, interruptible = 0, liveRegisters = 0, liveStack = 0, untracked = 0;
        var kinds = new Dictionary<GcStackSlotBase, int>();
        foreach (Method method in _methods)
        {
            foreach (CallSite call in CallSites(method))
            {
                var tracked = new CollectingVisitor();
                GcLiveSlotsResult result = GcLiveSlots.Enumerate(_image.View, method.GcInfo, call.ReturnOffset, reportUntracked: false, reportScratchSlots: false, ref tracked);
                Assert.True(result.Status == GcLiveSlotsStatus.Ok, $"call at {call.Address:x} (+{call.ReturnOffset:x} in {method.Start:x}): {result.Status}");
                Assert.Equal((int)result.Reported, tracked.Slots.Count);
                callSites++;
                if (result.AtSafePoint) atSafePoint++;
                if (result.InInterruptibleRange) interruptible++;

                var all = new CollectingVisitor();
                GcLiveSlotsResult withUntracked = GcLiveSlots.Enumerate(_image.View, method.GcInfo, call.ReturnOffset, reportUntracked: true, reportScratchSlots: false, ref all);
                Assert.Equal(GcLiveSlotsStatus.Ok, withUntracked.Status);

                // At a return address the only scratch registers that can be live hold the call's result.
                var unfiltered = new CollectingVisitor();
                GcLiveSlotsResult raw = GcLiveSlots.Enumerate(_image.View, method.GcInfo, call.ReturnOffset, reportUntracked: true, reportScratchSlots: true, ref unfiltered);
                Assert.Equal(withUntracked.Reported + withUntracked.ScratchSkipped, raw.Reported);
                Assert.All(unfiltered.Slots.Where(s => s.IsRegister && !s.IsCalleeSavedRegister),
                    s => Assert.True(s.Register is 0 or 2, $"call at {call.Address:x}: scratch register {s.Register} live at the return address"));
                scratchSkipped += (int)withUntracked.ScratchSkipped;
                Assert.True(all.Slots.Take(tracked.Slots.Count).SequenceEqual(tracked.Slots), "untracked slots come after the tracked ones");
                Assert.All(all.Slots.Skip(tracked.Slots.Count), s => Assert.True((s.Flags & GcSlotFlags.Untracked) != 0 && !s.IsRegister));
                untracked += all.Slots.Count - tracked.Slots.Count;

                Assert.True(CallFrameInstructions.TryComputeRow(_image.View, call.Fde, call.Address + (ulong)call.Length - 1, out UnwindRow row));
                foreach (GcSlot slot in all.Slots)
                {
                    string where = $"call at {call.Address:x} in method {method.Start:x}: slot {Describe(slot)}";
                    if (slot.IsRegister)
                    {
                        // Nothing but a callee-saved register holds a value across a call.
                        Assert.True(slot.IsCalleeSavedRegister, where + " is a scratch register");
                        liveRegisters++;
                        continue;
                    }
                    liveStack++;
                    kinds[slot.Base] = kinds.GetValueOrDefault(slot.Base) + 1;
                    Assert.True(slot.Offset % 8 == 0, where + " is not 8-byte aligned");
                    switch (slot.Base)
                    {
                        case GcStackSlotBase.Sp:
                            // In this frame (at or above the stack pointer, below the return address), or an incoming stack argument.
                            Assert.True(slot.Offset >= 0, where);
                            if (row.CfaRegister == 7)
                                Assert.True(slot.Offset + 8 <= row.CfaOffset - 8 || slot.Offset >= row.CfaOffset, where + $" overlaps the return address of the {row.CfaOffset}-byte frame");
                            break;
                        case GcStackSlotBase.FrameRegister:
                            Assert.True(all.Header.StackBaseRegister == 5, where + " without a frame register");
                            // In the frame below the return address and saved rbp, or an incoming stack argument.
                            if (row.CfaRegister == 6)
                                Assert.True(slot.Offset - row.CfaOffset is <= -16 or >= 0, where + $" overlaps the return address or saved rbp (CFA = rbp+{row.CfaOffset})");
                            break;
                        case GcStackSlotBase.CallerSp:
                            // The caller's outgoing arguments: at or above the caller's stack pointer.
                            Assert.True(slot.Offset >= 0, where);
                            break;
                    }
                }
            }
        }
        Assert.True(callSites > 5000 && atSafePoint > 3000 && liveRegisters > 500 && liveStack > 500 && untracked > 100,
            $"{callSites} call sites ({atSafePoint} safepoints, {interruptible} in interruptible ranges): {liveRegisters} live registers, "
            + $"{liveStack} stack slots ({string.Join(", ", kinds.Select(k => $"{k.Key} {k.Value}"))}), {untracked} untracked, {scratchSkipped} scratch slots left out");
    }

    [Fact]
    public void ACorruptBlobIsAnErrorNotAFault()
    {
        unsafe
        {
            byte[] junk = new byte[16];
            Array.Fill(junk, (byte)0xFF);
            fixed (byte* p = junk)
            {
                var view = new ImageView(p, 0x1000, (ulong)junk.Length);
                var visitor = new CollectingVisitor();
                GcLiveSlotsResult result = GcLiveSlots.Enumerate(view, 0x1000, 4, reportUntracked: true, reportScratchSlots: false, ref visitor);
                Assert.Equal(GcLiveSlotsStatus.Corrupt, result.Status);
                Assert.False(GcInfoHeader.TryDecode(view, 0x1008 + 8, out _, out _));
            }
        }
    }

    private static string Describe(GcSlot slot) =>
        slot.IsRegister ? $"register {slot.Register} ({slot.Flags})" : $"{slot.Base}{slot.Offset:+#;-#;+0} ({slot.Flags})";

    private readonly record struct CallSite(ulong Address, int Length, uint ReturnOffset, FrameDescription Fde);

    private IEnumerable<CallSite> CallSites(Method method, bool includeFuncletCalls = false)
    {
        foreach (FrameDescription fde in method.Parts)
        {
            var code = new byte[fde.PcEnd - fde.PcStart];
            unsafe
            {
                new ReadOnlySpan<byte>(_image.View.At(fde.PcStart), code.Length).CopyTo(code);
            }
            var decoder = Decoder.Create(64, new ByteArrayCodeReader(code), fde.PcStart);
            while (decoder.IP < fde.PcEnd)
            {
                Instruction instruction = decoder.Decode();
                if (instruction.IsInvalid)
                    break;
                // A call into the method's own code runs a finally funclet; GC reporting never stops
                // at its return address (the funclet's frame reports for its parent).
                if (!includeFuncletCalls && instruction.FlowControl is FlowControl.Call && instruction.NearBranchTarget >= method.Start && instruction.NearBranchTarget < method.End)
                    continue;
                if (!includeFuncletCalls && instruction.FlowControl is FlowControl.Call && _noGcHelpers.Contains(instruction.NearBranchTarget))
                    continue;
                if (instruction.FlowControl is FlowControl.Call or FlowControl.IndirectCall)
                    yield return new CallSite(instruction.IP, instruction.Length, (uint)(instruction.NextIP - method.Start), fde);
            }
        }
    }

    private struct CollectingVisitor : IGcSlotVisitor
    {
        public List<GcSlot> Slots;
        public GcInfoHeader Header;

        public CollectingVisitor() => Slots = new List<GcSlot>();

        public void Visit(in GcInfoHeader header, in GcSlot slot)
        {
            Header = header;
            Slots.Add(slot);
        }
    }
}
