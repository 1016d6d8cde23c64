using System.Runtime.InteropServices;
using StrixOS.Runtime.Unwinding;

namespace StrixOS.Runtime.Exceptions;

/// <summary>
/// The kernel's own compiled code as the unwinder sees it: the FDE index over the linked .eh_frame
/// (built on first use) and the addresses exceptions.asm exports. Code with an FDE is managed code
/// (ILC describes every method and funclet); the assembly routines have none.
/// </summary>
internal static unsafe class KernelCode
{
    private static ExceptionSymbols s_symbols;
    private static FrameDescriptionIndex? s_index;

    [DllImport("*", EntryPoint = "StrixGetExceptionSymbols"), SuppressGCTransition]
    private static extern void GetSymbols(ExceptionSymbols* symbols);

    public static ref readonly ExceptionSymbols Symbols
    {
        get
        {
            if (s_symbols.EhFrameStart == 0)
            {
                fixed (ExceptionSymbols* symbols = &s_symbols)
                    GetSymbols(symbols);
            }
            return ref s_symbols;
        }
    }

    public static FrameDescriptionIndex Index
    {
        get
        {
            if (s_index == null)
            {
                ref readonly ExceptionSymbols symbols = ref Symbols;
                var section = new EhFrameSection(ImageView.Identity, symbols.EhFrameStart, symbols.EhFrameEnd);
                FrameDescriptionIndex? index = FrameDescriptionIndex.Build(section);
                if (index == null)
                    Diagnostics.Panic.Fail("the kernel's .eh_frame does not decode: exceptions cannot be dispatched");
                s_index = index;
            }
            return s_index;
        }
    }

    public static ulong ActiveExInfo => *(ulong*)Symbols.ExInfoHead;

    public static bool IsManagedCode(ulong address) => Index.TryFind(address, out _);

    /// <summary>The FDE and method record of the code at <paramref name="pc"/>.</summary>
    public static bool TryFindMethod(ulong pc, out FrameDescription fde, out ManagedMethodInfo method)
    {
        method = default;
        if (!Index.TryFind(pc, out fde))
            return false;
        if (fde.Lsda == 0 || !ManagedMethodInfo.TryRead(ImageView.Identity, fde.PcStart, fde.Lsda, out method))
        {
            method = default;
            method.CodeStart = method.MethodStart = fde.PcStart;
        }
        return true;
    }
}
