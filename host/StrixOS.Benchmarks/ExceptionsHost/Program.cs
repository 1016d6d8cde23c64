using System;
using StrixOS.Benchmarks;

// Same workload and iteration count as the kernel's `bench=exceptions`.
foreach (string line in ThrowCatchBenchmark.Run())
    Console.WriteLine(line);
