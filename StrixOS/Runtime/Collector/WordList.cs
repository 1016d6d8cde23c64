namespace StrixOS.Runtime.Collector;

/// <summary>
/// Growable arrays of words in raw kernel-heap memory, for the collector's own lists (the mark stack,
/// the finalization lists): the collector never allocates managed objects while it works.
/// </summary>
internal static unsafe class WordList
{
    /// <summary>Appends <paramref name="value"/>, doubling the array (first <paramref name="initialCapacity"/> words) when full.</summary>
    public static void Push(ref ulong* array, ref ulong count, ref ulong capacity, ulong value, ulong initialCapacity)
    {
        if (count == capacity)
            Grow(ref array, ref count, ref capacity, initialCapacity);
        array[count++] = value;
    }

    /// <summary>Doubles the array. The count is read after the allocation: a collection it ran may have shortened the list.</summary>
    public static void Grow(ref ulong* array, ref ulong count, ref ulong capacity, ulong initialCapacity)
    {
        ulong grown = capacity == 0 ? initialCapacity : capacity * 2;
        var bigger = (ulong*)KernelHeap.Allocate(grown * sizeof(ulong));
        for (ulong i = 0; i < count; i++)
            bigger[i] = array[i];
        if (array != null)
            KernelHeap.Free((byte*)array);
        array = bigger;
        capacity = grown;
    }
}
