using System;
using StrixOS.Benchmarks;

// Same workload as the kernel's `bench=gc`; the project sets the workstation, non-concurrent GC.
foreach (string line in GcBenchmark.Run())
    Console.WriteLine(line);
