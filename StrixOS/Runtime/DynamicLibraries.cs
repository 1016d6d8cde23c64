using System.Runtime;

namespace StrixOS.Runtime;

/// <summary>
/// NativeLibrary and lazily bound DllImports: a unikernel is one static image, so there is no
/// library to load. Loading fails (CoreLib then raises DllNotFoundException) with a message saying why.
/// </summary>
internal static unsafe class DynamicLibraries
{
    [RuntimeExport("SystemNative_LoadLibrary")]
    private static nint LoadLibrary(byte* name) => 0;

    [RuntimeExport("SystemNative_FreeLibrary")]
    private static void FreeLibrary(nint handle) { }

    [RuntimeExport("SystemNative_GetProcAddress")]
    private static nint GetProcAddress(nint handle, byte* name) => 0;

    [RuntimeExport("SystemNative_GetLoadLibraryError")]
    private static byte* GetLoadLibraryError() =>
        KernelEnvironment.ToCString("StrixOS links everything statically: there are no native libraries to load (use [DllImport(\"*\")] for symbols in the kernel image)");
}
