using System.Runtime;

namespace StrixOS.Runtime;

/// <summary>
/// The OpenSSL shim (libSystem.Security.Cryptography.Native.OpenSsl) as far as RandomNumberGenerator
/// reaches it: random bytes come from <see cref="Entropy"/> (RDSEED/RDRAND, or the documented fallback).
/// There is no OpenSSL: hashing, ciphers and certificates are not available.
/// </summary>
internal static unsafe class CryptoNative
{
    [RuntimeExport("CryptoNative_EnsureOpenSslInitialized")]
    private static int EnsureOpenSslInitialized() => 0;

    /// <summary>EVP_MAX_MD_SIZE: the largest digest, which CoreLib sizes its buffers by.</summary>
    [RuntimeExport("CryptoNative_GetMaxMdSize")]
    private static int GetMaxMdSize() => 64;

    /// <summary>RAND_bytes: 1 on success.</summary>
    [RuntimeExport("CryptoNative_GetRandomBytes")]
    private static int GetRandomBytes(byte* buffer, int length) => Entropy.Fill(buffer, length) ? 1 : 0;

    [RuntimeExport("CryptoNative_ErrGetExceptionError")]
    private static ulong ErrGetExceptionError(int* isAllocationFailure)
    {
        *isAllocationFailure = 0;
        return 1;   // a non-zero code: the only failure here is the hardware generator running dry
    }

    [RuntimeExport("CryptoNative_ErrErrorStringN")]
    private static void ErrErrorStringN(ulong error, byte* buffer, int length)
    {
        const string text = "StrixOS: the CPU's random number generator kept failing";
        if (buffer == null || length <= 0)
            return;
        int n = text.Length < length - 1 ? text.Length : length - 1;
        for (int i = 0; i < n; i++)
            buffer[i] = (byte)text[i];
        buffer[n] = 0;
    }
}
