using System.Net;
using Cluster.Tests.Http;
using Microsoft.Data.Sqlite;

namespace Cluster.Tests.Process;

/// <summary>Orleans:SiloPort and Orleans:GatewayPort let two silos, each with its own data directory, run on one machine.</summary>
public sealed class TwoSilosTests : IDisposable
{
    private readonly string _first = Path.Combine(Path.GetTempPath(), "silo-two-a-" + Guid.NewGuid().ToString("N"));
    private readonly string _second = Path.Combine(Path.GetTempPath(), "silo-two-b-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Two_silos_with_their_own_ports_and_data_directories_serve_side_by_side()
    {
        await using var a = await SiloProcess.StartAsync(_first);
        await using var b = await SiloProcess.StartAsync(_second);

        foreach (var silo in new[] { a, b })
        {
            var platform = silo.Client(await silo.Client(SiloProcess.AdminToken).CreatePlatformAsync("side"));
            var response = await platform.PostJsonAsync("/v1/screen", Api.Post("p-1", "刷单返利，日赚五百"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("block", (await response.Json())["results"]![0]!["action"]!.GetValue<string>());
        }
        Assert.True(File.Exists(Path.Combine(_first, "cluster.db")));
        Assert.True(File.Exists(Path.Combine(_second, "cluster.db")));
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        foreach (var dir in new[] { _first, _second })
        {
            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
