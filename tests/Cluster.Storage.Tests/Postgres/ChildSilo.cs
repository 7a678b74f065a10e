using System.Diagnostics;
using Xunit.Abstractions;

namespace Cluster.Storage.Tests.Postgres;

/// <summary>Starts <see cref="SiloProcess"/> as a child process, its output copied to the test's.</summary>
internal static class ChildSilo
{
    public static Process Start(ITestOutputHelper output, params string[] args)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(typeof(SiloProcess).Assembly.Location);
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }
        var child = Process.Start(start) ?? throw new InvalidOperationException("the child silo did not start");
        DataReceivedEventHandler copy = (_, e) =>
        {
            if (e.Data is not null)
            {
                output.WriteLine($"child: {e.Data}");
            }
        };
        child.ErrorDataReceived += copy;
        child.OutputDataReceived += copy;
        child.BeginErrorReadLine();
        child.BeginOutputReadLine();
        return child;
    }
}
