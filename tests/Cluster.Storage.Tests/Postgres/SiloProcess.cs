using System.Globalization;
using Microsoft.Extensions.Hosting;

namespace Cluster.Storage.Tests.Postgres;

/// <summary>
/// The test assembly's entry point, used only as a child process: <c>dotnet Cluster.Storage.Tests.dll silo
/// &lt;connection string&gt; &lt;cluster id&gt; &lt;silo port&gt; &lt;gateway port&gt; [streams]</c> runs one silo until it is
/// killed, so a test can kill a silo the hard way (SIGKILL: no shutdown, no membership update of its own). With
/// <c>streams</c> the silo also reads the stream queues it leases (<see cref="PostgresStreamSilo"/>).
/// </summary>
internal static class SiloProcess
{
    public const string ReadyLine = "silo ready";

    public static async Task<int> Main(string[] args)
    {
        if (args is not ["silo", var connectionString, var clusterId, var siloPort, var gatewayPort, .. var rest] || rest is not ([] or ["streams"]))
        {
            await Console.Error.WriteLineAsync("usage: silo <connection string> <cluster id> <silo port> <gateway port> [streams]");
            return 2;
        }
        using var host = PostgresSiloHost.Build(connectionString, clusterId, int.Parse(siloPort, CultureInfo.InvariantCulture),
            int.Parse(gatewayPort, CultureInfo.InvariantCulture), rest is ["streams"] ? silo => PostgresStreamSilo.AddProviders(silo, connectionString) : null);
        await host.StartAsync();
        Console.WriteLine(ReadyLine);
        await host.WaitForShutdownAsync();
        return 0;
    }
}
