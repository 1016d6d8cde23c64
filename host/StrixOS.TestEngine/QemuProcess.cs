using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Diagnostics;
using System.IO;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace StrixOS.Tests.Runner;

/// <summary>
/// Runs QEMU once: serial output (stdout) is read asynchronously and handed over line by line as
/// it arrives; past the timeout the whole process tree is killed. Only QEMU's own failures
/// (missing executable) come back as a start error; everything else is a <see cref="BootExit"/>.
/// </summary>
public static class QemuProcess
{
    private const int StandardErrorLimit = 64 * 1024;
    private static readonly TimeSpan DrainGrace = TimeSpan.FromSeconds(5);

    /// <summary>The executable's full path, or null when it is neither an existing path nor on PATH.</summary>
    public static string? Locate(string executable)
    {
        if (executable.Contains('/'))
            return File.Exists(executable) ? Path.GetFullPath(executable) : null;
        string path = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (string directory in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(directory, executable);
            if (File.Exists(candidate))
                return candidate;
        }
        return null;
    }

    /// <summary>Starts QEMU and waits for it; <paramref name="onLine"/> gets each serial line with the time since start.</summary>
    public static async Task<(BootExit? Exit, string? StartError)> RunAsync(
        string executable, IReadOnlyList<string> arguments, TimeSpan timeout, Action<string, TimeSpan> onLine,
        CancellationToken cancellation = default)
    {
        var startInfo = new ProcessStartInfo(executable)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,   // -serial stdio must not take over the test host's terminal
            CreateNoWindow = true,
        };
        foreach (string argument in arguments)
            startInfo.ArgumentList.Add(argument);

        using var process = new Process { StartInfo = startInfo };
        var clock = Stopwatch.StartNew();
        try
        {
            if (!process.Start())
                return (null, $"{executable} did not start");
        }
        catch (Win32Exception e)
        {
            return (null, $"{executable} could not be started: {e.Message}");
        }

        // Lines stop being delivered once this method returns, even if a stray reader is still running.
        var gate = new object();
        bool closed = false;
        void Deliver(string line)
        {
            lock (gate)
            {
                if (!closed)
                    onLine(line, clock.Elapsed);
            }
        }

        Task readOutput = ReadLinesAsync(process.StandardOutput.BaseStream, Deliver);
        Task<string> readError = ReadCappedAsync(process.StandardError);

        bool timedOut = false;
        using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellation))
        {
            deadline.CancelAfter(timeout);
            try
            {
                await process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                timedOut = true;
                KillTree(process);
                await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
        TimeSpan elapsed = clock.Elapsed;

        // A process that exited may still have children holding the pipes open: do not wait forever.
        Task drained = Task.WhenAll(readOutput, readError);
        if (await Task.WhenAny(drained, Task.Delay(DrainGrace, CancellationToken.None)).ConfigureAwait(false) != drained)
            KillTree(process);
        lock (gate)
            closed = true;
        string standardError = readError.IsCompletedSuccessfully ? readError.Result : "";
        try
        {
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // QEMU is gone; its end of the pipe with it.
        }

        return timedOut
            ? (BootExit.Killed(standardError, elapsed, timeout), null)
            : (BootExit.Exited(process.ExitCode, standardError, elapsed), null);
    }

    private static void KillTree(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }

    /// <summary>Bytes to lines: Latin-1 keeps every byte visible, '\n' ends a line, a trailing '\r' is dropped.</summary>
    private static async Task ReadLinesAsync(Stream stream, Action<string> onLine)
    {
        var buffer = new byte[8192];
        var pending = new StringBuilder();
        while (true)
        {
            int count;
            try
            {
                count = await stream.ReadAsync(buffer).ConfigureAwait(false);
            }
            catch (IOException)
            {
                break;
            }
            catch (ObjectDisposedException)
            {
                break;
            }
            if (count == 0)
                break;
            for (int i = 0; i < count; i++)
            {
                char c = (char)buffer[i];
                if (c == '\n')
                {
                    onLine(TrimCarriageReturns(pending));
                    pending.Clear();
                }
                else
                {
                    pending.Append(c);
                }
            }
        }
        if (pending.Length > 0)
            onLine(TrimCarriageReturns(pending));
    }

    private static string TrimCarriageReturns(StringBuilder line)
    {
        int length = line.Length;
        while (length > 0 && line[length - 1] == '\r')
            length--;
        return line.ToString(0, length);
    }

    private static async Task<string> ReadCappedAsync(StreamReader reader)
    {
        var text = new StringBuilder();
        var buffer = new char[4096];
        while (true)
        {
            int count;
            try
            {
                count = await reader.ReadAsync(buffer).ConfigureAwait(false);
            }
            catch (IOException)
            {
                break;
            }
            catch (ObjectDisposedException)
            {
                break;
            }
            if (count == 0)
                break;
            if (text.Length < StandardErrorLimit)
                text.Append(buffer, 0, Math.Min(count, StandardErrorLimit - text.Length));
        }
        return text.ToString();
    }
}
