using System;
using System.Collections.Generic;
using System.IO;
using Iced.Intel;
using StrixOS.Runtime.Unwinding;
using StrixOS.Tests.Booting;
using Xunit;

namespace StrixOS.Tests.Unwinding;

/// <summary>
/// The unwinder's decoders against the real unwind tables of a built kernel (bin/Debug/strix.elf,
/// which ./strix test builds first): every FDE and LSDA decodes, every EH clause points at a
/// funclet of its own method, and at every call instruction the CFI row gives the frame the
/// prologue actually built, so a return address found there leads back to the caller.
/// </summary>
public sealed unsafe class KernelUnwindTableTests : IDisposable
{
    private readonly KernelElfImage _image;
    private readonly FrameDescriptionIndex _index;

    public KernelUnwindTableTests()
    {
        string path = Path.Combine(KernelBoot.RepositoryRoot, "StrixOS", "bin", "Debug", "strix.elf");
        Assert.True(File.Exists(path), $"no kernel at {path}: build it with ./strix build");
        _image = new KernelElfImage(path);
        FrameDescriptionIndex? index = FrameDescriptionIndex.Build(_image.EhFrame);
        Assert.NotNull(index);
        _index = index!;
    }

    public void Dispose() => _image.Dispose();

    private IEnumerable<FrameDescription> AllFdes()
    {
        for (int i = 0; i < _index.Count; i++)
        {
            Assert.True(_image.EhFrame.TryReadFde(_index.RecordAt(i), out FrameDescription fde));
            yield return fde;
        }
    }

    [Fact]
    public void EveryFDEDecodesWithACFARuleAndASavedReturnAddress()
    {
        Assert.True(_index.Count > 1000, $"only {_index.Count} FDEs indexed");
        ulong previousEnd = 0;
        foreach (FrameDescription fde in AllFdes())
        {
            Assert.True(fde.PcStart >= previousEnd, $"FDE {fde.PcStart:x} overlaps the one before");
            previousEnd = fde.PcEnd;
            Assert.True(_index.TryFind(fde.PcStart, out FrameDescription found) && found.Address == fde.Address);
            Assert.True(_index.TryFind(fde.PcEnd - 1, out found) && found.Address == fde.Address);
            foreach (ulong pc in new[] { fde.PcStart, fde.PcEnd - 1 })
            {
                Assert.True(CallFrameInstructions.TryComputeRow(_image.View, fde, pc, out UnwindRow row), $"CFI of {fde.PcStart:x} does not run to {pc:x}");
                Assert.True(row.CfaRegister is 6 or 7, $"CFA register {row.CfaRegister} at {pc:x}");
                Assert.True(row.IsSaved(16) && row.SavedOffset[16] == -8, $"return address not at CFA-8 at {pc:x}");
            }
        }
        Assert.False(_index.TryFind(_image.Symbols["__eh_frame_start"], out _), "data is not code");
    }

    [Fact]
    public void EveryLSDADecodesAndEveryEHClauseNamesAFuncletOfItsMethod()
    {
        int methods = 0, clauses = 0, emptyMarkers = 0;
        foreach (FrameDescription fde in AllFdes())
        {
            Assert.True(fde.Lsda != 0, $"ILC code at {fde.PcStart:x} without an LSDA");
            Assert.True(ManagedMethodInfo.TryRead(_image.View, fde.PcStart, fde.Lsda, out ManagedMethodInfo method), $"LSDA of {fde.PcStart:x}");
            Assert.True(method.MethodStart <= fde.PcStart);
            if (method.IsFunclet)
            {
                Assert.True(_index.TryFind(method.MethodStart, out FrameDescription main) && main.PcStart == method.MethodStart,
                    $"funclet {fde.PcStart:x}: its method start {method.MethodStart:x} is not a function");
                continue;
            }
            if (!method.TryGetClauses(_image.View, out EhClauseEnumerator enumerator))
                continue;
            methods++;
            Assert.True(enumerator.Count > 0);
            while (enumerator.TryNext(_image.View, out EhClause clause))
            {
                clauses++;
                // Empty try regions exist: ILC's markers between runs of try blocks at the same offsets.
                Assert.True(clause.TryEndOffset >= clause.TryStartOffset);
                // A try region is in the method body or, nested in a handler, in one of its funclets.
                Assert.True(_index.TryFind(method.MethodStart + clause.TryStartOffset, out FrameDescription tryCode)
                    && ManagedMethodInfo.TryRead(_image.View, tryCode.PcStart, tryCode.Lsda, out ManagedMethodInfo tryOwner)
                    && tryOwner.MethodStart == method.MethodStart, $"try region at +{clause.TryStartOffset:x} of {method.MethodStart:x} outside its method");
                if (clause.TryEndOffset == clause.TryStartOffset)
                {
                    emptyMarkers++;
                    continue;
                }
                AssertFuncletOf(method, clause.HandlerAddress, ManagedMethodInfo.KindHandler);
                if (clause.Kind == EhClauseKind.Filter)
                    AssertFuncletOf(method, clause.FilterAddress, ManagedMethodInfo.KindFilter);
                if (clause.Kind == EhClauseKind.Typed)
                    Assert.True(_image.View.Contains(clause.TargetType, 8), "catch type inside the image");
            }
            Assert.Equal(enumerator.Count, enumerator.Index);
        }
        Assert.True(methods > 50 && clauses > methods, $"{methods} methods with {clauses} clauses ({emptyMarkers} empty markers)");
        Assert.True(emptyMarkers * 10 < clauses, $"{emptyMarkers} of {clauses} clauses are empty markers");
    }

    private void AssertFuncletOf(ManagedMethodInfo method, ulong address, byte kind)
    {
        Assert.True(_index.TryFind(address, out FrameDescription funclet) && funclet.PcStart == address, $"handler {address:x} starts no FDE");
        Assert.True(ManagedMethodInfo.TryRead(_image.View, funclet.PcStart, funclet.Lsda, out ManagedMethodInfo info));
        Assert.True(kind == (info.Flags & ManagedMethodInfo.KindMask), $"funclet {address:x} of method {method.MethodStart:x}: kind {info.Flags & ManagedMethodInfo.KindMask}, expected {kind}");
        Assert.Equal(method.MethodStart, info.MethodStart);
        Assert.Equal(method.MainLsda, info.MainLsda);
    }

    [Fact]
    public void AtEveryCallSiteTheCFIMatchesTheFrameThePrologueBuilt()
    {
        int callSites = 0, functions = 0;
        foreach (FrameDescription fde in AllFdes())
        {
            var code = new byte[fde.PcEnd - fde.PcStart];
            new ReadOnlySpan<byte>(_image.View.At(fde.PcStart), code.Length).CopyTo(code);
            var decoder = Decoder.Create(64, new ByteArrayCodeReader(code), fde.PcStart);
            var frame = new PrologueFrame();
            bool inPrologue = true;
            bool counted = false;
            while (decoder.IP < fde.PcEnd)
            {
                Instruction instruction = decoder.Decode();
                if (instruction.IsInvalid)
                    break;
                if (inPrologue && frame.Apply(instruction))
                    continue;
                inPrologue = false;
                if (instruction.FlowControl is not (FlowControl.Call or FlowControl.IndirectCall))
                    continue;
                // The unwinder's view of this frame at the call (it looks up return address - 1).
                ulong controlPc = instruction.NextIP - 1;
                Assert.True(CallFrameInstructions.TryComputeRow(_image.View, fde, controlPc, out UnwindRow row));
                frame.AssertMatches(row, controlPc);
                callSites++;
                if (!counted)
                {
                    functions++;
                    counted = true;
                }
            }
        }
        Assert.True(callSites > 5000 && functions > 1000, $"{callSites} call sites in {functions} functions checked");
    }

    /// <summary>The stack frame an x64 JIT prologue builds: pushes, sub rsp, and rbp set from rsp.</summary>
    private sealed class PrologueFrame
    {
        private long _depth = 8;                    // bytes below the CFA: the return address
        private long? _rbpBelowCfa;                 // rbp = CFA - this, once set
        private readonly Dictionary<int, long> _saved = new();
        private long? _probedBytes;                 // lea r11, [rsp-N] before the stack probe

        private static int Dwarf(Register register) => register switch
        {
            Register.RAX => 0, Register.RDX => 1, Register.RCX => 2, Register.RBX => 3,
            Register.RSI => 4, Register.RDI => 5, Register.RBP => 6,
            >= Register.R8 and <= Register.R15 => 8 + (register - Register.R8),
            _ => -1,
        };

        /// <summary>Applies a prologue instruction; false at the first instruction that is not one.</summary>
        public bool Apply(in Instruction instruction)
        {
            switch (instruction.Code)
            {
                case Code.Push_r64:
                    _depth += 8;
                    // push rax and friends only make room; callee-saved registers are saved.
                    if (instruction.Op0Register is Register.RBX or Register.RBP or (>= Register.R12 and <= Register.R15))
                        _saved[Dwarf(instruction.Op0Register)] = _depth;
                    return true;
                case Code.Sub_rm64_imm8 or Code.Sub_rm64_imm32 when instruction.Op0Register == Register.RSP:
                    _depth += (long)instruction.GetImmediate(1);
                    return true;
                case Code.Mov_r64_rm64 or Code.Mov_rm64_r64 when instruction.Op0Register == Register.RBP && instruction.Op1Register == Register.RSP:
                    _rbpBelowCfa = _depth;
                    return true;
                // A large frame: lea r11, [rsp-N]; call RhpStackProbe; mov rsp, r11.
                case Code.Lea_r64_m when instruction.Op0Register == Register.R11 && instruction.MemoryBase == Register.RSP:
                    _probedBytes = -(long)instruction.MemoryDisplacement64;
                    return true;
                case Code.Call_rel32_64 when _probedBytes != null:
                    return true;
                case Code.Mov_r64_rm64 or Code.Mov_rm64_r64 when instruction.Op0Register == Register.RSP && instruction.Op1Register == Register.R11 && _probedBytes != null:
                    _depth += _probedBytes.Value;
                    _probedBytes = null;
                    return true;
                case Code.Lea_r64_m when instruction.Op0Register == Register.RBP && instruction.MemoryBase == Register.RSP:
                    _rbpBelowCfa = _depth - (long)instruction.MemoryDisplacement64;
                    return true;
                default:
                    return false;
            }
        }

        public void AssertMatches(in UnwindRow row, ulong pc)
        {
            if (row.CfaRegister == 7)
                Assert.True(row.CfaOffset == _depth, $"at {pc:x}: CFI says CFA = rsp+{row.CfaOffset}, the prologue built {_depth} bytes");
            else
                Assert.True(_rbpBelowCfa == row.CfaOffset, $"at {pc:x}: CFI says CFA = rbp+{row.CfaOffset}, the prologue set rbp at CFA-{_rbpBelowCfa}");
            foreach ((int register, long below) in _saved)
            {
                Assert.True(row.IsSaved(register) && row.SavedOffset[register] == -below,
                    $"at {pc:x}: register {register} pushed at CFA-{below}, CFI says {(row.IsSaved(register) ? row.SavedOffset[register].ToString() : "not saved")}");
            }
        }
    }
}
