using System;
using Sys = StrixOS;

namespace MyOS;

// The Cosmos starter kernel: BeforeRun once, then Run again and again (until Stop()).
public class Kernel : Sys.Kernel
{
    protected override void BeforeRun()
    {
        Console.WriteLine("Booted. Type a line of text to get it echoed back.");
    }

    protected override void Run()
    {
        Console.Write("Input: ");
        var input = Console.ReadLine();
        Console.Write("Text typed: ");
        Console.WriteLine(input);
    }
}
