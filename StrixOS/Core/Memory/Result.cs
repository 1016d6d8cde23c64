using System;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace StrixOS.Memory;

/// <summary>
/// Either a value or an error: how every fallible memory operation reports failure (no exceptions in the kernel).
/// </summary>
/// <remarks>Every member on the success path is marked for inlining: the mapper's hot paths build and test
/// one of these per call, and NativeAOT does not inline them across the assembly boundary on its own.</remarks>
public readonly struct Result<T, TError>
    where TError : struct
{
    private readonly T _value;
    private readonly TError _error;
    private readonly bool _isOk;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Result(T value, TError error, bool isOk)
    {
        _value = value;
        _error = error;
        _isOk = isOk;
    }

    public bool IsOk
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _isOk;
    }

    public bool IsError
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => !_isOk;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Result<T, TError> Ok(T value) => new(value, default, true);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Result<T, TError> Fail(TError error) => new(default!, error, false);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static implicit operator Result<T, TError>(T value) => Ok(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static implicit operator Result<T, TError>(TError error) => Fail(error);

    /// <summary>The value; reading it from an error is a programming bug.</summary>
    public T Value
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            if (!_isOk)
                ThrowHoldsError(_error);
            return _value;
        }
    }

    /// <summary>The error; reading it from a success is a programming bug.</summary>
    public TError Error
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            if (_isOk)
                ThrowHoldsValue();
            return _error;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryGetValue([MaybeNullWhen(false)] out T value)
    {
        value = _value;
        return _isOk;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryGetError(out TError error)
    {
        error = _error;
        return !_isOk;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public T ValueOr(T fallback) => _isOk ? _value : fallback;

    public override string ToString() => _isOk ? "Ok(" + _value?.ToString() + ")" : "Error(" + _error.ToString() + ")";

    // Throws live out of line so that the accessors above stay small enough to inline.
    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowHoldsError(TError error)
        => throw new InvalidOperationException("Result holds an error: " + error.ToString());

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowHoldsValue() => throw new InvalidOperationException("Result holds a value");
}
