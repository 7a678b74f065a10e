using Cluster.Grains.Auth;
using Cluster.Grains.Platforms;
using Cluster.Ingest.Posts;
using Cluster.Silo.Lexicons;
using Cluster.Silo.Operations;
using Cluster.Silo.Rumors;

namespace Cluster.Silo.Hosting;

/// <summary>
/// Start (after the Orleans silo is active: its hosted service is registered first): load policies, lexicons and
/// rumors, make sure an admin token exists, then open ingest; /readyz is true from here. Stop (SIGTERM): close ingest
/// first; the group commit, stopped after this, commits what it holds, and <see cref="StreamDrain"/> then waits for the
/// pulling agents to empty the queues before the silo stops. In cluster mode readiness also needs the database to answer
/// (<see cref="StoreReadiness"/>).
/// </summary>
internal sealed class SiloLifecycle(
    IAdminStore store, PlatformPolicies policies, LexiconCatalog lexicons, RumorCatalog rumors, IngestGate gate, SiloOptions options,
    IConfiguration configuration, IHostApplicationLifetime lifetime, ILogger<SiloLifecycle> logger, StoreReadiness? storeReadiness = null)
    : IHostedService
{
    /// <summary>
    /// The silo is active, ingest is open (false while starting and from the first moment of a shutdown) and, in cluster
    /// mode, the database answered its last check.
    /// </summary>
    public bool IsReady => gate.IsOpen && !lifetime.ApplicationStopping.IsCancellationRequested && (storeReadiness?.IsAvailable ?? true);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await policies.LoadAsync(store, cancellationToken);
        await lexicons.LoadAsync(cancellationToken);
        await rumors.LoadAsync(cancellationToken);
        await EnsureAdminTokenAsync(cancellationToken);
        lifetime.ApplicationStopping.Register(() =>
        {
            gate.Close();
            SiloLog.Draining(logger);
        });
        gate.Open();
        SiloLog.IngestOpen(logger);
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        gate.Close();
        return Task.CompletedTask;
    }

    /// <summary>
    /// Auth:AdminToken, when set, is an admin token (stored hashed). Otherwise the first start creates one and writes
    /// it to &lt;dataDir&gt;/admin.token with mode 600; the log names the file, never the token.
    /// </summary>
    private async Task EnsureAdminTokenAsync(CancellationToken cancellationToken)
    {
        if (configuration["Auth:AdminToken"] is { Length: > 0 } configured)
        {
            await store.AddAdminTokenAsync(Tokens.Hash(configured), cancellationToken);
            return;
        }
        if (await store.HasAdminTokenAsync(cancellationToken))
        {
            return;
        }
        var token = Tokens.New("adm");
        var path = Path.GetFullPath(Path.Combine(options.DataDir, "admin.token"));
        var file = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            file.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        await using (var writer = new StreamWriter(path, System.Text.Encoding.ASCII, file))
        {
            await writer.WriteAsync(token);
        }
        await store.AddAdminTokenAsync(Tokens.Hash(token), cancellationToken);
        SiloLog.AdminTokenCreated(logger, path);
    }
}
