using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using StrixOS.Tests.Runner;

namespace StrixOS.Tests.Screen;

/// <summary>A serial line as it arrived, with the host's time of arrival.</summary>
internal readonly record struct SerialLine(string Text, TimeSpan At);

/// <summary>The VGA text screen as displayed: its rows, the display's start (cells from 0xB8000) and the
/// hardware cursor relative to the display.</summary>
internal sealed record VgaTextRead(string[] Lines, int StartAddress, int CursorColumn, int CursorRow);

/// <summary>
/// One interactive QEMU machine for the screen tests, used as a person would: a display adapter (QEMU's
/// standard VGA), COM1 on this process's pipes (read lines, type text), the QEMU monitor on a Unix
/// socket for <c>sendkey</c>, <c>screendump</c> and <c>pmemsave</c>, and QMP on another for raw key events
/// (a key held down). Optionally QEMU's trace of COM1 register writes, stamped with the host's clock.
/// Disposing kills QEMU.
/// </summary>
internal sealed class QemuSession : IDisposable
{
    private readonly Process _process;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<SerialLine> _lines = new();
    private readonly string _directory;
    private readonly string _monitorPath;
    private Socket? _monitor;
    private Socket? _qmp;

    private QemuSession(Process process, string directory, string monitorPath)
    {
        _process = process;
        _directory = directory;
        _monitorPath = monitorPath;
    }

    private string QmpPath => Path.Combine(_directory, "qmp.sock");

    /// <summary>QEMU's trace of the guest's COM1 register writes (<see cref="Start"/> with traceSerialWrites).</summary>
    public string TracePath => Path.Combine(_directory, "serial-trace.log");

    /// <summary>QEMU's process id (for its threads' scheduling statistics).</summary>
    public int ProcessId => _process.Id;

    /// <param name="image">The ISO to boot.</param>
    /// <param name="uefi">Boot through OVMF instead of SeaBIOS.</param>
    /// <param name="commandLine">The kernel command line, passed through fw_cfg.</param>
    /// <param name="debugExit">Add the isa-debug-exit device (the kernel's exit status becomes QEMU's).</param>
    /// <param name="cpu">QEMU's CPU model.</param>
    /// <param name="memory">Guest RAM.</param>
    /// <param name="reboot">false: <c>-no-reboot</c> (a reset ends QEMU); true: a reset boots the machine again.</param>
    /// <param name="machine">QEMU's machine type (<c>pc</c>, <c>q35</c>), or null for QEMU's default.</param>
    /// <param name="traceSerialWrites">log every guest write to a COM1 register with the host's time (<see cref="TracePath"/>).</param>
    public static QemuSession Start(string image, bool uefi = false, string commandLine = "", bool debugExit = false,
        string cpu = "qemu64", string memory = "128M", bool reboot = false, string? machine = null, bool traceSerialWrites = false)
    {
        Xunit.Assert.True(File.Exists(image), $"no kernel image at {image}: ./strix test builds it");
        string directory = Directory.CreateTempSubdirectory("strix-screen-").FullName;
        string monitor = Path.Combine(directory, "monitor.sock");
        var start = new ProcessStartInfo(QemuProcess.Locate(QemuConfiguration.DefaultQemu) ?? QemuConfiguration.DefaultQemu)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in new[]
                 {
                     "-m", memory, "-cpu", cpu, "-display", "none", "-serial", "stdio", "-parallel", "none",
                     "-name", "strix,debug-threads=on",   // thread names ("CPU 0/TCG") for RunQueueDelay
                     "-monitor", $"unix:{monitor},server,nowait",
                     "-qmp", $"unix:{Path.Combine(directory, "qmp.sock")},server,nowait",
                     "-drive", $"file={image.Replace(",", ",,")},format=raw,media=cdrom,readonly=on",
                 })
            start.ArgumentList.Add(argument);
        if (!reboot)
            start.ArgumentList.Add("-no-reboot");
        if (machine != null)
        {
            start.ArgumentList.Add("-machine");
            start.ArgumentList.Add(machine);
        }
        if (traceSerialWrites)
        {
            foreach (string argument in new[] { "-d", "trace:serial_write", "-D", Path.Combine(directory, "serial-trace.log"), "-msg", "timestamp=on" })
                start.ArgumentList.Add(argument);
        }
        if (uefi)
        {
            start.ArgumentList.Add("-bios");
            start.ArgumentList.Add(QemuConfiguration.DefaultOvmf);
        }
        if (debugExit)
        {
            start.ArgumentList.Add("-device");
            start.ArgumentList.Add("isa-debug-exit,iobase=0xf4,iosize=0x04");
        }
        if (commandLine.Length > 0)
        {
            start.ArgumentList.Add("-fw_cfg");
            start.ArgumentList.Add($"name=opt/strix/cmdline,string={commandLine.Replace(",", ",,")}");
        }
        var process = new Process { StartInfo = start };
        var session = new QemuSession(process, directory, monitor);
        process.ErrorDataReceived += (_, _) => { };
        process.Start();
        process.BeginErrorReadLine();
        // Raw characters, not lines: a prompt such as "Input: " has no line end yet.
        var reader = new Thread(() => session.ReadSerial()) { IsBackground = true };
        reader.Start();
        return session;
    }

    private readonly StringBuilder _text = new();

    private void ReadSerial()
    {
        var current = new StringBuilder();
        char[] buffer = new char[4096];
        int n;
        while ((n = _process.StandardOutput.Read(buffer, 0, buffer.Length)) > 0)
        {
            lock (_lines)
            {
                for (int i = 0; i < n; i++)
                {
                    char c = buffer[i];
                    if (c == '\r')
                        continue;
                    _text.Append(c);
                    if (c == '\n')
                    {
                        _lines.Add(new SerialLine(current.ToString(), _clock.Elapsed));
                        current.Clear();
                    }
                    else
                    {
                        current.Append(c);
                    }
                }
                Monitor.PulseAll(_lines);
            }
        }
        lock (_lines)
            Monitor.PulseAll(_lines);
    }

    /// <summary>Everything COM1 printed so far (CR removed).</summary>
    public string Transcript
    {
        get
        {
            lock (_lines)
                return _text.ToString();
        }
    }

    /// <summary>The complete lines so far, each with its time of arrival.</summary>
    public List<SerialLine> Lines
    {
        get
        {
            lock (_lines)
                return new List<SerialLine>(_lines);
        }
    }

    /// <summary>Waits until COM1's output (a partial line included) contains <paramref name="text"/> after
    /// <paramref name="fromCharacter"/>; false on timeout or QEMU's exit.</summary>
    public bool WaitForText(string text, TimeSpan timeout, int fromCharacter = 0)
    {
        DateTime end = DateTime.UtcNow + timeout;
        lock (_lines)
        {
            while (true)
            {
                if (_text.Length > fromCharacter && _text.ToString(fromCharacter, _text.Length - fromCharacter).Contains(text, StringComparison.Ordinal))
                    return true;
                TimeSpan left = end - DateTime.UtcNow;
                if (left <= TimeSpan.Zero || _process.HasExited)
                    return false;
                Monitor.Wait(_lines, left < TimeSpan.FromMilliseconds(200) ? left : TimeSpan.FromMilliseconds(200));
            }
        }
    }

    /// <summary>How many characters COM1 has printed (a starting point for <see cref="WaitForText"/>).</summary>
    public int TextLength
    {
        get
        {
            lock (_lines)
                return _text.Length;
        }
    }

    /// <summary>Types on COM1 (as a serial terminal would: Enter is CR).</summary>
    public void TypeOnSerial(string text)
    {
        _process.StandardInput.Write(text.Replace("\n", "\r"));
        _process.StandardInput.Flush();
    }

    /// <summary>Types on the PS/2 keyboard, one monitor <c>sendkey</c> per character.</summary>
    public void TypeOnKeyboard(string text)
    {
        foreach (char c in text)
            MonitorCommand("sendkey " + KeyName(c));
    }

    /// <summary>Physical memory, read by the monitor's <c>pmemsave</c>.</summary>
    public byte[] ReadPhysical(ulong address, int length)
    {
        string file = Path.Combine(_directory, $"pmem-{address:x}-{_clock.ElapsedTicks}.bin");
        MonitorCommand($"pmemsave 0x{address:x} {length} \"{file}\"");
        return File.ReadAllBytes(file);
    }

    /// <summary>
    /// The VGA text screen as the display shows it: the CRT controller's start address picks the screen's cells out of
    /// text memory (0xB8000-0xBFFFF), and the cursor register counts cells from 0xB8000 as well. The registers are read
    /// through the monitor's port commands with the machine stopped, and the index register is put back before it runs on.
    /// </summary>
    public VgaTextRead ReadVgaText(int columns = 80, int rows = 25)
    {
        MonitorCommand("stop");
        try
        {
            int index = ReadPort(0x3D4);
            int start = (ReadCrtRegister(0x0C) << 8) | ReadCrtRegister(0x0D);
            int cursor = (ReadCrtRegister(0x0E) << 8) | ReadCrtRegister(0x0F);
            MonitorCommand($"o /b 0x3d4 0x{index:x}");
            byte[] cells = ReadPhysical(0xB8000 + (ulong)start * 2, columns * rows * 2);
            return new VgaTextRead(ScreenText.FromVgaText(cells, columns, rows), start,
                (cursor - start) % columns, (cursor - start) / columns);
        }
        finally
        {
            MonitorCommand("cont");
        }
    }

    private int ReadCrtRegister(int register)
    {
        MonitorCommand($"o /b 0x3d4 0x{register:x}");
        return ReadPort(0x3D5);
    }

    /// <summary>One byte from an I/O port (the monitor's <c>i</c>, which answers <c>portb[0x03d5] = 0x0f</c>).</summary>
    private int ReadPort(int port)
    {
        string answer = MonitorCommand($"i /b 0x{port:x}");
        string marker = $"portb[0x{port:x4}] = 0x";
        int at = answer.LastIndexOf(marker, StringComparison.Ordinal);
        if (at < 0)
            throw new InvalidOperationException($"the monitor did not answer 'i /b 0x{port:x}': {answer}");
        int end = at + marker.Length;
        while (end < answer.Length && Uri.IsHexDigit(answer[end]))
            end++;
        return Convert.ToInt32(answer[(at + marker.Length)..end], 16);
    }

    /// <summary>What the display shows, by the monitor's <c>screendump</c> (PPM).</summary>
    public Ppm ScreenDump()
    {
        string file = Path.Combine(_directory, $"screen-{_clock.ElapsedTicks}.ppm");
        MonitorCommand($"screendump \"{file}\"");
        return Ppm.Parse(File.ReadAllBytes(file));
    }

    public int? WaitForExit(TimeSpan timeout) => _process.WaitForExit(timeout) ? _process.ExitCode : null;

    /// <summary>Sends one monitor command and waits for the next prompt (the command has then finished).</summary>
    public string MonitorCommand(string command)
    {
        Socket monitor = ConnectMonitor();
        monitor.Send(Encoding.ASCII.GetBytes(command + "\n"));
        return ReadUntilPrompt(monitor);
    }

    /// <summary>Sends one QMP command (JSON) and returns its answer (events before it are skipped).</summary>
    public string QmpCommand(string json)
    {
        Socket qmp = ConnectQmp();
        qmp.Send(Encoding.UTF8.GetBytes(json + "\n"));
        return ReadQmpAnswer(qmp);
    }

    /// <summary>A key goes down or up (QEMU qcode names: <c>a</c>, <c>shift</c>, <c>ret</c>), as the display
    /// window sends it: a key held on a host keyboard arrives as repeated downs (typematic), then one up.</summary>
    public void KeyEvent(string qcode, bool down)
    {
        string answer = QmpCommand("{\"execute\":\"input-send-event\",\"arguments\":{\"events\":[{\"type\":\"key\",\"data\":{\"down\":" +
                                   (down ? "true" : "false") + ",\"key\":{\"type\":\"qcode\",\"data\":\"" + qcode + "\"}}}]}}");
        if (!answer.Contains("\"return\"", StringComparison.Ordinal))
            throw new InvalidOperationException("QMP input-send-event failed: " + answer);
    }

    private Socket ConnectQmp()
    {
        if (_qmp != null)
            return _qmp;
        DateTime end = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            try
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                socket.Connect(new UnixDomainSocketEndPoint(QmpPath));
                socket.ReceiveTimeout = 30_000;
                ReadQmpLine(socket);                                   // the greeting
                socket.Send(Encoding.UTF8.GetBytes("{\"execute\":\"qmp_capabilities\"}\n"));
                ReadQmpAnswer(socket);
                return _qmp = socket;
            }
            catch (SocketException) when (DateTime.UtcNow < end)
            {
                Thread.Sleep(100);
            }
        }
    }

    private static string ReadQmpAnswer(Socket socket)
    {
        while (true)
        {
            string line = ReadQmpLine(socket);
            if (line.Contains("\"return\"", StringComparison.Ordinal) || line.Contains("\"error\"", StringComparison.Ordinal) || line.Length == 0)
                return line;
        }
    }

    private static string ReadQmpLine(Socket socket)
    {
        var line = new List<byte>();
        byte[] one = new byte[1];
        while (socket.Receive(one) == 1 && one[0] != (byte)'\n')
            line.Add(one[0]);
        return Encoding.UTF8.GetString(line.ToArray());
    }

    private Socket ConnectMonitor()
    {
        if (_monitor != null)
            return _monitor;
        DateTime end = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            try
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                socket.Connect(new UnixDomainSocketEndPoint(_monitorPath));
                socket.ReceiveTimeout = 30_000;
                ReadUntilPrompt(socket);   // the banner
                return _monitor = socket;
            }
            catch (SocketException) when (DateTime.UtcNow < end)
            {
                Thread.Sleep(100);
            }
        }
    }

    private static string ReadUntilPrompt(Socket socket)
    {
        var text = new StringBuilder();
        byte[] buffer = new byte[4096];
        while (!text.ToString().EndsWith("(qemu) ", StringComparison.Ordinal))
        {
            int n = socket.Receive(buffer);
            if (n == 0)
                break;
            text.Append(Encoding.ASCII.GetString(buffer, 0, n));
        }
        return text.ToString();
    }

    /// <summary>QEMU's key name for a character of a US keyboard.</summary>
    public static string KeyName(char c) => c switch
    {
        >= 'a' and <= 'z' => c.ToString(),
        >= 'A' and <= 'Z' => "shift-" + char.ToLowerInvariant(c),
        >= '0' and <= '9' => c.ToString(),
        ' ' => "spc",
        '\n' => "ret",
        '\b' => "backspace",
        '.' => "dot",
        ',' => "comma",
        '-' => "minus",
        '!' => "shift-1",
        '?' => "shift-slash",
        _ => throw new ArgumentOutOfRangeException(nameof(c), $"no key name for '{c}'"),
    };

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
                _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }
        catch (InvalidOperationException)
        {
        }
        _monitor?.Dispose();
        _qmp?.Dispose();
        _process.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
