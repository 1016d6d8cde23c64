using System;
using Sys = StrixOS;

namespace CosmosStarter;

// The kernel a new Cosmos project starts from, unchanged but for the base class and namespace.
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
