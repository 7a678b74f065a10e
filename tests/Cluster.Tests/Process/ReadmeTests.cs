using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace Cluster.Tests.Process;

/// <summary>
/// The README as a newcomer meets it: a fresh copy of the repository, its run command typed at the copy's root, then its
/// "Try it" block run by bash with curl and jq. Both commands are read from README.md, so the test and the README cannot drift.
/// </summary>
public sealed class ReadmeTests(ITestOutputHelper output) : IDisposable
{
    private const string DefaultAddress = "127.0.0.1:5080";
    private static readonly TimeSpan StartBound = TimeSpan.FromMinutes(10); // dotnet run restores and builds the copy first

    private readonly string _copy = Path.Combine(Path.GetTempPath(), "readme-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task The_readme_demo_works_from_a_fresh_copy_of_the_repository()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // the demo is a POSIX shell block
        }
        foreach (var tool in new[] { "bash", "curl", "jq", "git" })
        {
            Assert.True(OnPath(tool), $"{tool} is not on PATH; .ci/run installs it (apt-get install -y curl jq)");
        }
        var root = RepositoryRoot();
        var readme = await File.ReadAllTextAsync(Path.Combine(root, "README.md"));
        var run = RunCommand(readme);
        var demo = TryItBlock(readme);
        Assert.Equal("dotnet run --project src/Silo", run);
        await CopyRepositoryAsync(root, _copy);

        // The README's command verbatim when its port is free (always in CI). A developer may have a silo of their own on
        // it; then the copy listens on a free port and the demo's address is rewritten to match, and nothing else changes.
        var address = DefaultAddress;
        var command = run;
        if (!PortIsFree(5080))
        {
            address = $"127.0.0.1:{FreePort()}";
            command += $" --urls http://{address}";
            demo = demo.Replace(DefaultAddress, address, StringComparison.Ordinal);
            output.WriteLine($"port 5080 is in use here; the copy listens on {address}");
        }

        using var silo = Start("bash", ["-c", "exec " + command], _copy);
        try
        {
            await silo.Started.Task.WaitAsync(StartBound);
            using (var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) })
            {
                Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"http://{address}/readyz")).StatusCode);
            }
            var dataDir = Path.Combine(_copy, "data");
            Assert.Contains(silo.Lines, l => l.Trim() == "Data directory " + dataDir); // logged absolute, under where the command ran
            var token = Path.Combine(dataDir, "admin.token");
            Assert.True(File.Exists(token), "data/admin.token is not under the directory the command was run from");
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(token));
            Assert.False(Directory.Exists(Path.Combine(_copy, "src", "Silo", "data")), "the silo wrote its data under the project directory");

            // The block verbatim, then one probe line that prints the key it kept in a shell variable.
            using var shell = Start("bash", ["-c", demo + "\nprintf '\\nKEY=%s\\n' \"$KEY\"\n"], _copy);
            Assert.Equal(0, await shell.ExitAsync(TimeSpan.FromMinutes(2)));
            var stdout = string.Join("\n", shell.Lines);
            output.WriteLine(stdout);

            var keyLine = shell.Lines.Single(l => l.StartsWith("KEY=", StringComparison.Ordinal));
            Assert.StartsWith("pk_", keyLine["KEY=".Length..]);
            var documents = JsonDocuments(stdout[..stdout.LastIndexOf("KEY=", StringComparison.Ordinal)]);
            Assert.Equal(2, documents.Count); // the screen result, then the feed
            var result = documents[0]["results"]!.AsArray().Single()!;
            Assert.Equal("p-1", result["id"]!.GetValue<string>());
            Assert.Contains(result["action"]!.GetValue<string>(), new[] { "allow", "review", "block" });
            var decision = documents[1]["decisions"]!.AsArray().Single(d => d!["postId"]!.GetValue<string>() == "p-1")!;
            Assert.Equal(result["decisionId"]!.GetValue<string>(), decision["decisionId"]!.GetValue<string>());
            Assert.Equal(result["action"]!.GetValue<string>(), decision["action"]!.GetValue<string>());
            Assert.Equal("machine", decision["source"]!.GetValue<string>());
        }
        finally
        {
            silo.Stop();
            output.WriteLine(string.Join("\n", silo.Lines.TakeLast(40)));
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_copy, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>The first command of the README's first sh block, without its comment.</summary>
    private static string RunCommand(string readme)
    {
        var block = ShBlocks(readme).First();
        var line = block.Split('\n').First(l => l.Trim().Length > 0);
        var comment = line.IndexOf('#', StringComparison.Ordinal);
        return (comment < 0 ? line : line[..comment]).Trim();
    }

    /// <summary>The sh block under the "Try it" heading.</summary>
    private static string TryItBlock(string readme)
    {
        var heading = readme.IndexOf("\n## Try it", StringComparison.Ordinal);
        Assert.True(heading >= 0, "README.md has no \"## Try it\" section");
        return ShBlocks(readme[heading..]).First();
    }

    private static IEnumerable<string> ShBlocks(string markdown)
    {
        var lines = markdown.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].Trim() != "```sh")
            {
                continue;
            }
            var body = new StringBuilder();
            for (i++; i < lines.Length && lines[i].Trim() != "```"; i++)
            {
                body.Append(lines[i]).Append('\n');
            }
            yield return body.ToString();
        }
    }

    /// <summary>
    /// What git tracks plus untracked files it does not ignore, copied from the working tree: a fresh clone in CI gives the
    /// committed tree, and a developer's uncommitted edits and new files are tested too (a git clone would miss them).
    /// </summary>
    private static async Task CopyRepositoryAsync(string root, string target)
    {
        using var git = Start("git", ["-C", root, "ls-files", "--cached", "--others", "--exclude-standard"], root);
        Assert.Equal(0, await git.ExitAsync(TimeSpan.FromMinutes(1)));
        var copied = 0;
        foreach (var relative in git.Lines.Where(l => l.Length > 0))
        {
            var source = Path.Combine(root, relative);
            if (!File.Exists(source))
            {
                continue; // deleted in the working tree, not yet committed
            }
            var destination = Path.Combine(target, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(source, destination);
            copied++;
        }
        Assert.True(File.Exists(Path.Combine(target, "src", "Silo", "Silo.csproj")), $"copied {copied} files but not the silo project");
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Cluster.slnx")) && File.Exists(Path.Combine(dir.FullName, "README.md")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("no Cluster.slnx above " + AppContext.BaseDirectory);
    }

    private static List<JsonNode> JsonDocuments(string text)
    {
        var documents = new List<JsonNode>();
        var bytes = Encoding.UTF8.GetBytes(text);
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { AllowMultipleValues = true });
        while (reader.Read()) // curl -s prints no newline, so the documents follow each other directly
        {
            documents.Add(JsonNode.Parse(ref reader)!);
        }
        return documents;
    }

    private static bool OnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(d => d.Length > 0 && File.Exists(Path.Combine(d, tool)));

    private static bool PortIsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static Child Start(string file, string[] args, string workingDirectory)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        // What a newcomer's shell would not have: the test run's MSBuild and test-host settings, and settings for the silo
        // (ASPNETCORE_URLS, Silo__DataDir, Auth__AdminToken, ...) that would move its port, data or token elsewhere.
        foreach (var name in start.Environment.Keys.ToList())
        {
            if (name.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || name.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)
                || name.StartsWith("TESTINGPLATFORM", StringComparison.OrdinalIgnoreCase) || name.StartsWith("ASPNETCORE_", StringComparison.OrdinalIgnoreCase)
                || name.Equals("DOTNET_HOST_PATH", StringComparison.OrdinalIgnoreCase) || name.Contains("__", StringComparison.Ordinal))
            {
                start.Environment.Remove(name);
            }
        }
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1"; // no build nodes outlive the test
        start.Environment["Logging__Console__FormatterName"] = "simple";
        return new Child(start);
    }

    /// <summary>A child process whose output lines are collected; signals the silo's "Application started" line.</summary>
    private sealed class Child : IDisposable
    {
        private readonly System.Diagnostics.Process _process;
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> _lines = new();

        public Child(ProcessStartInfo start)
        {
            _process = new System.Diagnostics.Process { StartInfo = start, EnableRaisingEvents = true };
            _process.OutputDataReceived += (_, e) => OnLine(e.Data);
            _process.ErrorDataReceived += (_, e) => OnLine(e.Data);
            _process.Exited += (_, _) => Started.TrySetException(new InvalidOperationException(
                $"{start.FileName} exited with {_process.ExitCode} before it was ready:\n" + string.Join("\n", _lines.TakeLast(40))));
            _process.Start();
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
        }

        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public IReadOnlyList<string> Lines => _lines.ToList();

        public async Task<int> ExitAsync(TimeSpan bound)
        {
            await _process.WaitForExitAsync().WaitAsync(bound);
            _process.WaitForExit(); // drains the redirected output
            return _process.ExitCode;
        }

        public void Stop()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit();
            }
        }

        public void Dispose()
        {
            Stop();
            _process.Dispose();
        }

        private void OnLine(string? line)
        {
            if (line is null)
            {
                return;
            }
            _lines.Enqueue(line);
            if (line.Contains("Application started", StringComparison.Ordinal))
            {
                Started.TrySetResult();
            }
        }
    }
}
