using System;
using System.Diagnostics.CodeAnalysis;

namespace StrixOS.Memory;

/// <summary>
/// Either a value or an error: how every fallible memory operation reports failure (no exceptions in the kernel).
/// </summary>
public readonly struct Result<T, TError>
    where TError : struct
{
    private readonly T _value;
    private readonly TError _error;

    private Result(T value, TError error, bool isOk)
    {
        _value = value;
        _error = error;
        IsOk = isOk;
    }

    public bool IsOk { get; }
    public bool IsError => !IsOk;

    public static Result<T, TError> Ok(T value) => new(value, default, true);
    public static Result<T, TError> Fail(TError error) => new(default!, error, false);

    public static implicit operator Result<T, TError>(T value) => Ok(value);
    public static implicit operator Result<T, TError>(TError error) => Fail(error);

    /// <summary>The value; reading it from an error is a programming bug.</summary>
    public T Value => IsOk ? _value : throw new InvalidOperationException("Result holds an error: " + _error.ToString());

    /// <summary>The error; reading it from a success is a programming bug.</summary>
    public TError Error => IsOk ? throw new InvalidOperationException("Result holds a value") : _error;

    public bool TryGetValue([MaybeNullWhen(false)] out T value)
    {
        value = _value;
        return IsOk;
    }

    public bool TryGetError(out TError error)
    {
        error = _error;
        return !IsOk;
    }

    public T ValueOr(T fallback) => IsOk ? _value : fallback;

    public override string ToString() => IsOk ? "Ok(" + _value?.ToString() + ")" : "Error(" + _error.ToString() + ")";
}
