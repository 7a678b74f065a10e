using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Cluster.Tests.Process;

/// <summary>The silo as a real OS process (the built Cluster.Silo.dll), so it can be killed with SIGKILL or SIGTERM.</summary>
public sealed class SiloProcess : IAsyncDisposable
{
    public const string AdminToken = "adm_process-test-token";

    private readonly System.Diagnostics.Process _process;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private SiloProcess(string dataDir, int port, IReadOnlyDictionary<string, string>? environment)
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
        var (siloPort, gatewayPort) = Http.TestPorts.Next();
        foreach (var arg in new[]
        {
            dll, "--urls", BaseAddress, $"--Silo:DataDir={dataDir}", $"--Auth:AdminToken={AdminToken}",
            $"--Orleans:SiloPort={siloPort}", $"--Orleans:GatewayPort={gatewayPort}", "--Orleans:Queues=16",
        })
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
            if (e.Data?.Contains("Application started", StringComparison.Ordinal) == true) // logged once the server listens and ingest is open
            {
                _ready.TrySetResult();
            }
        };
        _process.ErrorDataReceived += (_, _) => { };
        _process.Exited += (_, _) => _ready.TrySetException(new InvalidOperationException($"silo exited with {_process.ExitCode} before it was ready"));
        _process.EnableRaisingEvents = true;
    }

    public string DataDir { get; }

    public int Port { get; }

    public string BaseAddress => $"http://127.0.0.1:{Port}";

    public int Pid => _process.Id;

    /// <summary>Completes when the process has exited, however it ended.</summary>
    public Task Exited => _process.WaitForExitAsync();

    /// <summary>The exit code once exited (137 after a SIGKILL).</summary>
    public int ExitCode => _process.ExitCode;

    public static async Task<SiloProcess> StartAsync(string dataDir, int? port = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var silo = new SiloProcess(dataDir, port ?? FreePort(), environment);
        silo._process.Start();
        silo._process.BeginOutputReadLine();
        silo._process.BeginErrorReadLine();
        await silo._ready.Task.WaitAsync(TimeSpan.FromSeconds(60));
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
        using (var kill = System.Diagnostics.Process.Start("kill", ["-TERM", Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            await KillAsync();
        }
        _process.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
