using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Cluster.Tests.Azure;

/// <summary>
/// A throwaway Azurite (the Azure Storage emulator, npm package azurite) for the tests: blob, queue and table services
/// on ports of 127.0.0.1 the OS picks (port 0; the ports are read from what Azurite prints once it listens), its data
/// in a fresh temporary directory, killed and deleted at the end. <c>--skipApiVersionCheck</c> because the Azure SDK
/// here is newer than the API versions Azurite knows, <c>--disableTelemetry</c> (without it Azurite does not exit on
/// SIGTERM). The executable is $AZURITE, else <c>.tools/azurite/node_modules/.bin/azurite</c> in a directory above the
/// test binaries (where .ci/run installs it), else <c>azurite</c> on PATH.
/// </summary>
public sealed partial class AzuriteServer : IDisposable
{
    /// <summary>The emulator's one account and its published well-known key (not a secret).</summary>
    private const string Account = "devstoreaccount1";
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly string _root = Path.Combine(Path.GetTempPath(), $"cluster-azurite-{Guid.NewGuid():N}");
    private readonly System.Diagnostics.Process _process;

    public AzuriteServer()
    {
        Directory.CreateDirectory(_root);
        var start = new ProcessStartInfo(FindExecutable())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _root,
        };
        foreach (var arg in new[]
        {
            "--silent", "--skipApiVersionCheck", "--disableTelemetry", "--location", _root,
            "--blobHost", "127.0.0.1", "--blobPort", "0", "--queueHost", "127.0.0.1", "--queuePort", "0", "--tableHost", "127.0.0.1", "--tablePort", "0",
        })
        {
            start.ArgumentList.Add(arg);
        }
        var endpoints = new Dictionary<string, string>();
        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var output = new List<string>();
        _process = new System.Diagnostics.Process { StartInfo = start, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }
            lock (endpoints)
            {
                output.Add(e.Data);
                if (Listening().Match(e.Data) is { Success: true } m)
                {
                    endpoints[m.Groups[1].Value] = m.Groups[2].Value;
                    if (endpoints.Count == 3)
                    {
                        listening.TrySetResult();
                    }
                }
            }
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (endpoints)
                {
                    output.Add(e.Data);
                }
            }
        };
        _process.Exited += (_, _) => listening.TrySetException(new InvalidOperationException(
            $"azurite exited with {_process.ExitCode} before it listened: {string.Join('\n', output)}"));
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        try
        {
            listening.Task.Wait(TimeSpan.FromSeconds(60));
        }
        catch
        {
            Dispose();
            throw;
        }
        if (!listening.Task.IsCompletedSuccessfully)
        {
            Dispose();
            throw new TimeoutException("azurite did not listen on all three services within 60 s");
        }
        ConnectionString = $"DefaultEndpointsProtocol=http;AccountName={Account};AccountKey={AccountKey};" +
            $"BlobEndpoint={endpoints["Blob"]}/{Account};QueueEndpoint={endpoints["Queue"]}/{Account};TableEndpoint={endpoints["Table"]}/{Account};";
    }

    /// <summary>The connection string of the emulator's account, endpoints with the account in their path.</summary>
    public string ConnectionString { get; }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(TimeSpan.FromSeconds(30));
            }
        }
        catch (InvalidOperationException)
        {
            // never started
        }
        _process.Dispose();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static string FindExecutable()
    {
        if (Environment.GetEnvironmentVariable("AZURITE") is { Length: > 0 } configured)
        {
            return File.Exists(configured) ? configured : throw new InvalidOperationException($"$AZURITE names {configured}, which does not exist.");
        }
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, ".tools", "azurite", "node_modules", ".bin", "azurite");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
        {
            if (dir.Length > 0 && File.Exists(Path.Combine(dir, "azurite")))
            {
                return Path.Combine(dir, "azurite");
            }
        }
        throw new InvalidOperationException(
            "Azurite was not found in $AZURITE, in .tools/azurite above the test binaries, or on PATH. Install it at the repository root with " +
            "'npm install --prefix .tools/azurite azurite@3.37.0' (needs Node.js and npm; .ci/run does both) or set AZURITE to its executable.");
    }

    [GeneratedRegex(@"Azurite (Blob|Queue|Table) service is successfully listening at (http://\S+)")]
    private static partial Regex Listening();
}
