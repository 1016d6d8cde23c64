namespace System.Runtime.CompilerServices;

/// <summary>netstandard2.0 lacks this marker type; records (init accessors) need it.</summary>
internal static class IsExternalInit
{
}
