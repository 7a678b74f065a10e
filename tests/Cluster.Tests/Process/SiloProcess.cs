using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Cluster.Tests.Process;

/// <summary>The silo as a real OS process (the built Cluster.Silo.dll), so it can be killed with SIGKILL or SIGTERM.</summary>
public sealed class SiloProcess : IAsyncDisposable
{
    public const string AdminToken = "adm_process-test-token";

    private readonly System.Diagnostics.Process _process;
    private const int OutputLines = 500;

    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentQueue<string> _output = new();

    private SiloProcess(string dataDir, int port, IReadOnlyDictionary<string, string>? environment, IReadOnlyList<string>? arguments)
    {
        DataDir = dataDir;
        Port = port;
        var dll = Path.Combine(AppContext.BaseDirectory, "Cluster.Silo.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        (SiloPort, GatewayPort) = Http.TestPorts.Next();
        // The caller's arguments come last: a key given twice on the command line takes its last value.
        foreach (var arg in new[]
        {
            dll, "--urls", BaseAddress, $"--Silo:DataDir={dataDir}", $"--Auth:AdminToken={AdminToken}",
            $"--Orleans:SiloPort={SiloPort}", $"--Orleans:GatewayPort={GatewayPort}", "--Orleans:Queues=16",
        }.Concat(arguments ?? []))
        {
            start.ArgumentList.Add(arg);
        }
        start.Environment["Logging__Console__FormatterName"] = "simple";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }
        _process = new System.Diagnostics.Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) =>
        {
            Keep(e.Data);
            if (e.Data?.Contains("Application started", StringComparison.Ordinal) == true) // logged once the server listens and ingest is open
            {
                _ready.TrySetResult();
            }
        };
        _process.ErrorDataReceived += (_, e) => Keep(e.Data);
        _process.Exited += (_, _) => _ready.TrySetException(new InvalidOperationException($"silo exited with {_process.ExitCode} before it was ready"));
        _process.EnableRaisingEvents = true;
    }

    public string DataDir { get; }

    public int Port { get; }

    public string BaseAddress => $"http://127.0.0.1:{Port}";

    /// <summary>The silo-to-silo port (Orleans:SiloPort): part of the silo's address in the membership and lease tables.</summary>
    public int SiloPort { get; }

    public int GatewayPort { get; }

    /// <summary>The last lines the process wrote to stdout and stderr (ids only, never post text), for failure messages.</summary>
    public string Output => string.Join('\n', _output);

    public int Pid => _process.Id;

    /// <summary>Completes when the process has exited, however it ended.</summary>
    public Task Exited => _process.WaitForExitAsync();

    /// <summary>The exit code once exited (137 after a SIGKILL).</summary>
    public int ExitCode => _process.ExitCode;

    /// <param name="arguments">More command-line settings (<c>--Key=value</c>), winning over the defaults above.</param>
    public static async Task<SiloProcess> StartAsync(
        string dataDir, int? port = null, IReadOnlyDictionary<string, string>? environment = null, IReadOnlyList<string>? arguments = null)
    {
        var silo = new SiloProcess(dataDir, port ?? FreePort(), environment, arguments);
        silo._process.Start();
        silo._process.BeginOutputReadLine();
        silo._process.BeginErrorReadLine();
        try
        {
            await silo._ready.Task.WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch (Exception)
        {
            await silo.DisposeAsync(); // not left running past a failed start
            throw;
        }
        return silo;
    }

    public HttpClient Client(string token)
    {
        var client = new HttpClient { BaseAddress = new Uri(BaseAddress), Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>SIGKILL: no shutdown code runs.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    /// <summary>SIGTERM: the silo closes ingest, drains, flushes and exits; returns its exit code.</summary>
    public async Task<int> TerminateAsync()
    {
        await SignalAsync("TERM");
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return _process.ExitCode;
    }

    /// <summary>Sends a signal by name (TERM, STOP, CONT) without waiting for its effect.</summary>
    public async Task SignalAsync(string signal)
    {
        using var kill = System.Diagnostics.Process.Start("kill", [$"-{signal}", Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            await KillAsync();
        }
        _process.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }
        _output.Enqueue(line);
        while (_output.Count > OutputLines && _output.TryDequeue(out _))
        {
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
