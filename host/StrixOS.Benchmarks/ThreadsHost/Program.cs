using System;
using System.Diagnostics;
using StrixOS.Benchmarks;

// Same workload as the kernel's `bench=threads`, on one CPU as the kernel has (taskset's job, done in-process).
if (OperatingSystem.IsLinux() || OperatingSystem.IsWindows())
    Process.GetCurrentProcess().ProcessorAffinity = 1;
foreach (string line in ThreadingBenchmark.Run())
    Console.WriteLine(line);
