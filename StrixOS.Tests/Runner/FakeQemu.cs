using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using StrixOS.Testing;

namespace StrixOS.Tests.Runner;

/// <summary>
/// A stand-in for qemu-system-x86_64: a bash script in a temporary folder that logs its arguments,
/// prints a prepared serial transcript for the test-from index it was given, and exits with the
/// prepared status (or sleeps, for a hang). Plus a fake image file, since the engine checks it exists.
/// </summary>
public sealed class FakeQemu : IDisposable
{
    private readonly Dictionary<int, (string Transcript, string Ending)> _boots = new();

    public FakeQemu()
    {
        Directory = Path.Combine(Path.GetTempPath(), "strix-fake-qemu-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
        ImagePath = Path.Combine(Directory, "strix.iso");
        File.WriteAllText(ImagePath, "not really an ISO");
    }

    public string Directory { get; }
    public string ImagePath { get; }
    public string ScriptPath => Path.Combine(Directory, "qemu-system-x86_64");
    public string InvocationLog => Path.Combine(Directory, "invocations.log");
    public string ChildPidFile => Path.Combine(Directory, "child.pid");

    /// <summary>What the script does when asked for test-from=<paramref name="from"/> (0: no test-from).</summary>
    public FakeQemu OnBoot(int from, string transcript, int exitStatus) => Set(from, transcript, $"exit {exitStatus}");

    /// <summary>Prints the transcript, then hangs in a child process (so killing must take the whole tree).</summary>
    public FakeQemu OnBootHang(int from, string transcript) =>
        Set(from, transcript, $"sleep 300 &\necho $! > '{ChildPidFile}'\nwait");

    /// <summary>Every boot of a simulated kernel, for each test-from value it could be asked for.</summary>
    public FakeQemu WithSimulatedKernel(Action<TestRegistry> register, string baseCommandLine = "test", int maxFrom = 32)
    {
        for (int from = 0; from <= maxFrom; from++)
        {
            string commandLine = from == 0 ? baseCommandLine : $"{baseCommandLine} test-from={from}";
            SimulatedKernel.Boot boot = SimulatedKernel.Run(register, commandLine);
            OnBoot(from, boot.Transcript, boot.ExitStatus);
        }
        return this;
    }

    public QemuConfiguration Configuration(double timeoutSeconds = 20) => new()
    {
        QemuPath = Write(),
        Timeout = TimeSpan.FromSeconds(timeoutSeconds),
    };

    /// <summary>The argument lists of every invocation so far, one line each.</summary>
    public IReadOnlyList<string> Invocations() =>
        File.Exists(InvocationLog) ? File.ReadAllLines(InvocationLog) : [];

    public string Write()
    {
        var script = new StringBuilder();
        script.Append("#!/usr/bin/env bash\n");
        script.Append($"echo \"$*\" >> '{InvocationLog}'\n");
        script.Append("from=0\n");
        script.Append("for argument in \"$@\"; do\n");
        script.Append("  if [[ \"$argument\" =~ test-from=([0-9]+) ]]; then from=\"${BASH_REMATCH[1]}\"; fi\n");
        script.Append("done\n");
        script.Append("case \"$from\" in\n");
        foreach ((int from, (string transcript, string ending)) in _boots.OrderBy(b => b.Key))
        {
            string file = Path.Combine(Directory, $"boot-{from}.serial");
            File.WriteAllText(file, transcript);
            script.Append($"  {from})\n    cat '{file}'\n    {ending.Replace("\n", "\n    ")}\n    ;;\n");
        }
        script.Append("  *)\n    echo \"fake qemu: no boot prepared for test-from=$from\" >&2\n    exit 1\n    ;;\n");
        script.Append("esac\n");
        File.WriteAllText(ScriptPath, script.ToString());
        MakeExecutable(ScriptPath);
        return ScriptPath;
    }

    /// <summary>chmod u+rwx (QEMU and these scripts exist on Linux only).</summary>
    public static void MakeExecutable(string path)
    {
        if (OperatingSystem.IsWindows())
            throw new PlatformNotSupportedException("the fake QEMU is a bash script");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
    }

    private FakeQemu Set(int from, string transcript, string ending)
    {
        _boots[from] = (transcript, ending);
        return this;
    }
}
