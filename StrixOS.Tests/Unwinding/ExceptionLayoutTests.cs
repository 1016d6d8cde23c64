using System;
using System.IO;
using System.Linq;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using StrixOS.Runtime.Exceptions;
using StrixOS.Runtime.Unwinding;
using StrixOS.Tests.Booting;
using Xunit;

namespace StrixOS.Tests.Unwinding;

/// <summary>
/// The structures the kernel shares with CoreLib's exception dispatcher (ExceptionLayout.cs and the
/// numbers in exceptions.asm) against the metadata of the very System.Private.CoreLib the kernel
/// is compiled with (the -r: path in the kernel build's ilc.rsp): explicit field offsets and sizes,
/// and the enum values the runtime side hard-codes.
/// </summary>
public sealed unsafe class ExceptionLayoutTests : IDisposable
{
    private readonly PEReader _pe;
    private readonly MetadataReader _md;

    public ExceptionLayoutTests()
    {
        string rsp = Path.Combine(KernelBoot.RepositoryRoot, "StrixOS", "obj", "Debug", "strix", "ilc.rsp");
        Assert.True(File.Exists(rsp), $"no {rsp}: build the kernel with ./strix build");
        string coreLib = File.ReadAllLines(rsp).Where(l => l.StartsWith("-r:", StringComparison.Ordinal))
            .Select(l => l.Substring(3)).Single(p => p.EndsWith("/native/System.Private.CoreLib.dll", StringComparison.Ordinal));
        _pe = new PEReader(File.OpenRead(coreLib));
        _md = _pe.GetMetadataReader();
    }

    public void Dispose() => _pe.Dispose();

    private TypeDefinition Type(string name, string? enclosing = null) => _md.TypeDefinitions.Select(_md.GetTypeDefinition)
        .Single(t => _md.GetString(t.Name) == name && (enclosing == null
            ? _md.GetString(t.Namespace) == "System.Runtime" && t.GetDeclaringType().IsNil
            : !t.GetDeclaringType().IsNil && _md.GetString(_md.GetTypeDefinition(t.GetDeclaringType()).Name) == enclosing));

    private int Offset(TypeDefinition type, string field) => type.GetFields().Select(_md.GetFieldDefinition)
        .Single(f => _md.GetString(f.Name) == field).GetOffset();

    private long Constant(TypeDefinition type, string field)
    {
        FieldDefinition f = type.GetFields().Select(_md.GetFieldDefinition).Single(x => _md.GetString(x.Name) == field);
        BlobReader blob = _md.GetBlobReader(_md.GetConstant(f.GetDefaultValue()).Value);
        return blob.Length == 1 ? blob.ReadByte() : blob.ReadInt32();
    }

    [Fact]
    public void ExInfoMatchesCoreLib()
    {
        TypeDefinition exInfo = Type("ExInfo", "EH");
        Assert.Equal(ExceptionLayout.ExInfoPrevious, Offset(exInfo, "_pPrevExInfo"));
        Assert.Equal(ExceptionLayout.ExInfoContext, Offset(exInfo, "_pExContext"));
        Assert.Equal(ExceptionLayout.ExInfoException, Offset(exInfo, "_exception"));
        Assert.Equal(ExceptionLayout.ExInfoKind, Offset(exInfo, "_kind"));
        Assert.Equal(ExceptionLayout.ExInfoPassNumber, Offset(exInfo, "_passNumber"));
        Assert.Equal(ExceptionLayout.ExInfoCurrentClause, Offset(exInfo, "_idxCurClause"));
        Assert.Equal(ExceptionLayout.ExInfoFrameIterator, Offset(exInfo, "_frameIter"));
        // The last field (_notifyDebuggerSP, 8 bytes) ends the structure.
        Assert.Equal(ExceptionLayout.ExInfoSize, Offset(exInfo, "_notifyDebuggerSP") + 8);
        Assert.Equal(0, ExceptionLayout.ExInfoSize % 16);
    }

    [Fact]
    public void StackFrameIteratorREGDISPLAYContextAndEHEnumMatchCoreLib()
    {
        TypeDefinition iterator = Type("StackFrameIterator");
        Assert.Equal(ExceptionLayout.StackFrameIteratorSize, iterator.GetLayout().Size);
        Assert.Equal(sizeof(FrameIteratorState), iterator.GetLayout().Size);
        Assert.Equal((int)Marshal.OffsetOf<FrameIteratorState>(nameof(FrameIteratorState.FramePointer)), Offset(iterator, "_framePointer"));
        Assert.Equal((int)Marshal.OffsetOf<FrameIteratorState>(nameof(FrameIteratorState.ControlPC)), Offset(iterator, "_controlPC"));
        Assert.Equal(ExceptionLayout.StackFrameIteratorRegisters, Offset(iterator, "_regDisplay"));
        Assert.Equal((int)Marshal.OffsetOf<FrameIteratorState>(nameof(FrameIteratorState.Registers)), Offset(iterator, "_regDisplay"));
        Assert.Equal((int)Marshal.OffsetOf<FrameIteratorState>(nameof(FrameIteratorState.OriginalControlPC)), Offset(iterator, "_originalControlPC"));
        Assert.Equal((int)Marshal.OffsetOf<FrameIteratorState>(nameof(FrameIteratorState.PreviousTransitionFrame)), Offset(iterator, "_pPreviousTransitionFrame"));
        // The runtime's private part lies between the register set and OriginalControlPC.
        int privateEnd = Offset(iterator, "_originalControlPC");
        Assert.True((int)Marshal.OffsetOf<FrameIteratorState>(nameof(FrameIteratorState.Code)) + sizeof(FrameDescription) <= privateEnd);
        Assert.True((int)Marshal.OffsetOf<FrameIteratorState>(nameof(FrameIteratorState.Method)) >= ExceptionLayout.StackFrameIteratorRegisters + ExceptionLayout.RegisterSetSize);

        TypeDefinition registers = Type("REGDISPLAY");
        Assert.Equal(ExceptionLayout.RegisterSetSize, registers.GetLayout().Size);
        Assert.Equal(sizeof(RegisterSet), registers.GetLayout().Size);
        Assert.Equal((int)Marshal.OffsetOf<RegisterSet>(nameof(RegisterSet.Sp)), Offset(registers, "SP"));

        TypeDefinition context = Type("PAL_LIMITED_CONTEXT", "EH");
        Assert.Equal(sizeof(LimitedContext), context.GetLayout().Size);
        Assert.Equal(0, Offset(context, "IP"));

        TypeDefinition ehEnum = Type("EHEnum", "EH");
        Assert.Equal(ExceptionLayout.EhEnumSize, ehEnum.GetLayout().Size);
        Assert.True(sizeof(EhClauseEnumerator) <= ehEnum.GetLayout().Size);
    }

    [Fact]
    public void RhEHClauseHasTheFieldOrderEhClauseMirrors()
    {
        TypeDefinition clause = Type("RhEHClause", "EH");
        Assert.Equal(System.Reflection.TypeAttributes.SequentialLayout, clause.Attributes & System.Reflection.TypeAttributes.LayoutMask);
        string[] fields = clause.GetFields().Select(_md.GetFieldDefinition)
            .Where(f => (f.Attributes & System.Reflection.FieldAttributes.Static) == 0).Select(f => _md.GetString(f.Name)).ToArray();
        Assert.Equal(new[] { "_clauseKind", "_tryStartOffset", "_tryEndOffset", "_filterAddress", "_handlerAddress", "_pTargetType" }, fields);
        Assert.Equal(0, (int)Marshal.OffsetOf<EhClause>(nameof(EhClause.Kind)));
        Assert.Equal(4, (int)Marshal.OffsetOf<EhClause>(nameof(EhClause.TryStartOffset)));
        Assert.Equal(8, (int)Marshal.OffsetOf<EhClause>(nameof(EhClause.TryEndOffset)));
        Assert.Equal(16, (int)Marshal.OffsetOf<EhClause>(nameof(EhClause.FilterAddress)));
        Assert.Equal(24, (int)Marshal.OffsetOf<EhClause>(nameof(EhClause.HandlerAddress)));
        Assert.Equal(32, (int)Marshal.OffsetOf<EhClause>(nameof(EhClause.TargetType)));
        TypeDefinition kinds = Type("RhEHClauseKind", "EH");
        Assert.Equal((long)EhClauseKind.Typed, Constant(kinds, "RH_EH_CLAUSE_TYPED"));
        Assert.Equal((long)EhClauseKind.Fault, Constant(kinds, "RH_EH_CLAUSE_FAULT"));
        Assert.Equal((long)EhClauseKind.Filter, Constant(kinds, "RH_EH_CLAUSE_FILTER"));
    }

    [Fact]
    public void TheEnumValuesTheRuntimeHardCodesMatchCoreLib()
    {
        // exceptions.asm's classlib function table and ExKind values.
        TypeDefinition functions = Type("ClassLibFunctionId");
        Assert.Equal(0, Constant(functions, "GetRuntimeException"));
        Assert.Equal(1, Constant(functions, "FailFast"));
        Assert.Equal(3, Constant(functions, "AppendExceptionStackFrame"));
        Assert.Equal(5, Constant(functions, "GetSystemArrayEEType"));
        Assert.Equal(6, Constant(functions, "OnFirstChance"));
        Assert.Equal(7, Constant(functions, "OnUnhandledException"));
        TypeDefinition kind = Type("ExKind", "EH");
        Assert.Equal(1, Constant(kind, "Throw"));
        Assert.Equal(2, Constant(kind, "HardwareFault"));
        Assert.Equal(4, Constant(kind, "RethrowFlag"));
        Assert.Equal(16, Constant(kind, "InstructionFaultFlag"));
        // RuntimeExceptionFactory.cs and exceptions.asm's null-throwing helpers table.
        TypeDefinition ids = Type("ExceptionIDs");
        string[] names = ["OutOfMemory", "Arithmetic", "ArrayTypeMismatch", "DivideByZero", "IndexOutOfRange", "InvalidCast",
            "Overflow", "NullReference", "AccessViolation", "DataMisaligned", "EntrypointNotFound", "AmbiguousImplementation",
            "IllegalInstruction", "PrivilegedInstruction", "InPageError"];
        for (int i = 0; i < names.Length; i++)
            Assert.Equal(i + 1, Constant(ids, names[i]));
    }
}
