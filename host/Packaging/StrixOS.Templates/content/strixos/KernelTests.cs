using System.Collections.Generic;
using StrixOS.Testing;

namespace MyOS;

// In-kernel tests: compiled into the kernel image and run inside it when it boots with `test` on its
// command line (a strixos-test project does that: each [KernelTest] is one `dotnet test` test case).
public static partial class KernelTests
{
    [KernelTest]
    public static void Lists_and_dictionaries_work(TestContext t)
    {
        var squares = new Dictionary<int, int>();
        var keys = new List<int>();
        for (int i = 1; i <= 100; i++)
        {
            squares[i] = i * i;
            keys.Add(i);
        }
        int sum = 0;
        foreach (int key in keys)
            sum += squares[key];
        t.Equal(338350, sum);
    }

    [KernelTest]
    public static void Strings_format(TestContext t)
    {
        t.Equal("MyOS: 42 = 0x2A", $"MyOS: {42} = 0x{42:X}");
    }
}
