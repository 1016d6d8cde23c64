namespace StrixOS.Runtime.Collector;

/// <summary>Receives each root: the address of a word that may hold a reference into the heap.</summary>
internal unsafe interface IRootVisitor
{
    /// <param name="slot">Where the reference is stored (a stack slot, or a register's save slot).</param>
    /// <param name="interior">The word may point inside an object, or outside the heap (a byref).</param>
    /// <param name="pinned">The object must not move.</param>
    void Visit(ulong* slot, bool interior, bool pinned);
}
