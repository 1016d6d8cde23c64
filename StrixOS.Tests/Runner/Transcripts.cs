using System;
using StrixOS.Testing;

namespace StrixOS.Tests.Runner;

/// <summary>Feeds a whole serial transcript to a <see cref="BootTranscriptInterpreter"/> at once.</summary>
public static class Transcripts
{
    public static BootRecord Interpret(string transcript, int exitStatus, int from = 0) =>
        Interpret(transcript, BootExit.Exited(exitStatus, "", TimeSpan.FromSeconds(1)), from);

    public static BootRecord Interpret(string transcript, BootExit exit, int from = 0)
    {
        var interpreter = new BootTranscriptInterpreter(1, from == 0 ? "test" : $"test test-from={from}", from);
        string[] lines = transcript.Split('\n');
        int count = lines.Length > 0 && lines[^1].Length == 0 ? lines.Length - 1 : lines.Length;
        for (int i = 0; i < count; i++)
            interpreter.Feed(lines[i].TrimEnd('\r'), TimeSpan.FromMilliseconds(i));
        return interpreter.Finish(exit);
    }

    /// <summary>A boot of the simulated kernel, interpreted.</summary>
    public static BootRecord Simulate(Action<TestRegistry> register, string commandLine = "test", int from = 0)
    {
        SimulatedKernel.Boot boot = SimulatedKernel.Run(register, commandLine);
        return Interpret(boot.Transcript, boot.ExitStatus, from);
    }
}
