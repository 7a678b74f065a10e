using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;

namespace Cluster.Deploy.Tests.Kubernetes;

/// <summary>Renders a kustomization with <c>kubectl kustomize</c>, once per directory per test run.</summary>
internal static class Kustomize
{
    private const string Install = "install Debian's kubernetes-client (apt-get install -y kubernetes-client), as .ci/run does";
    private static readonly TimeSpan RenderBound = TimeSpan.FromMinutes(1);
    private static readonly ConcurrentDictionary<string, Lazy<Manifest>> Rendered = new();

    /// <summary>The objects <c>kubectl kustomize &lt;dir&gt;</c> prints; dir is relative to the repository root.</summary>
    public static Manifest Render(string dir) =>
        Rendered.GetOrAdd(dir, d => new Lazy<Manifest>(() => Manifest.Parse(Run(d)))).Value;

    private static string Run(string dir)
    {
        var start = new ProcessStartInfo("kubectl")
        {
            WorkingDirectory = RepositoryRoot.Path,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("kustomize");
        start.ArgumentList.Add(dir);
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("kubectl did not start");
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException($"kubectl is not on PATH ({e.Message}); the deploy tests render the overlays with it: {Install}", e);
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(RenderBound))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"kubectl kustomize {dir} did not finish within {RenderBound}");
            }
            var output = stdout.GetAwaiter().GetResult();
            var errors = stderr.GetAwaiter().GetResult();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"kubectl kustomize {dir} exited {process.ExitCode}:\n{errors}");
            }
            return output;
        }
    }
}
