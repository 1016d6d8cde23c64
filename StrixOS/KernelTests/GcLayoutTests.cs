using System.Runtime.CompilerServices;
using StrixOS.Runtime.GcInfo;
using StrixOS.Runtime.Unwinding;
using StrixOS.Testing;

namespace StrixOS.KernelTests;

/// <summary>
/// Object tracing by GCDesc on live objects (issue 13, stage 3's tracer): the reference slots the
/// MethodTable describes are exactly the fields and elements that hold references.
/// </summary>
public static unsafe class GcLayoutTests
{
    public static void Register(TestRegistry registry)
    {
        TestSuite suite = registry.AddSuite("GcLayout");
        suite.Add(nameof(AClassReportsItsReferenceFieldsOnly), &AClassReportsItsReferenceFieldsOnly);
        suite.Add(nameof(AnArrayOfReferencesReportsEachElement), &AnArrayOfReferencesReportsEachElement);
        suite.Add(nameof(AnArrayOfStructsReportsTheReferenceInEachElement), &AnArrayOfStructsReportsTheReferenceInEachElement);
        suite.Add(nameof(AnArrayOfIntsReportsNothing), &AnArrayOfIntsReportsNothing);
    }

    private sealed class Mixed
    {
        public int A;
        public object? First;
        public long B;
        public string? Second;
        public object? Third;
    }

    private struct Pair
    {
        public long Number;
        public object? Reference;
    }

    /// <summary>Collects the values found in the reported slots of one object.</summary>
    private struct SlotValues : IReferenceOffsetVisitor
    {
        public ulong Object;
        public uint Count;
        public ulong Sum;

        public void Visit(ulong offset)
        {
            Count++;
            Sum += *(ulong*)(Object + offset);
        }
    }

    private static ulong AddressOf(object o) => (ulong)Unsafe.As<object, nint>(ref o);

    private static bool Trace(object o, out SlotValues values)
    {
        ulong address = AddressOf(o);
        ulong methodTable = *(ulong*)address;
        ImageView image = ImageView.Identity;
        ulong size = GcDescriptor.BaseSize(image, methodTable);
        uint component = GcDescriptor.ComponentSize(image, methodTable);
        if (component != 0)
            size += (ulong)*(uint*)(address + 8) * component;
        size = (size + 7) & ~7UL;
        values = new SlotValues { Object = address };
        return GcDescriptor.Enumerate(image, methodTable, size, ref values);
    }

    private static void AClassReportsItsReferenceFieldsOnly(TestContext t)
    {
        var first = new object();
        string second = "two".ToUpperInvariant();
        var third = new object();
        var mixed = new Mixed { A = 1, First = first, B = 2, Second = second, Third = third };
        t.True(Trace(mixed, out SlotValues values), "the GCDesc decodes");
        t.Equal(3u, values.Count);
        t.Equal(AddressOf(first) + AddressOf(second) + AddressOf(third), values.Sum);
        t.Equal(1, mixed.A);
    }

    private static void AnArrayOfReferencesReportsEachElement(TestContext t)
    {
        var array = new object[7];
        ulong expected = 0;
        for (int i = 0; i < array.Length; i++)
        {
            array[i] = new object();
            expected += AddressOf(array[i]);
        }
        t.True(Trace(array, out SlotValues values), "the GCDesc decodes");
        t.Equal(7u, values.Count);
        t.Equal(expected, values.Sum);
    }

    private static void AnArrayOfStructsReportsTheReferenceInEachElement(TestContext t)
    {
        var array = new Pair[5];
        ulong expected = 0;
        for (int i = 0; i < array.Length; i++)
        {
            array[i] = new Pair { Number = 1000 + i, Reference = new object() };
            expected += AddressOf(array[i].Reference!);
        }
        t.True(Trace(array, out SlotValues values), "the GCDesc decodes");
        t.Equal(5u, values.Count);
        t.Equal(expected, values.Sum);
    }

    private static void AnArrayOfIntsReportsNothing(TestContext t)
    {
        var array = new int[9];
        t.True(Trace(array, out SlotValues values), "no GCDesc needed");
        t.Equal(0u, values.Count);
    }
}
