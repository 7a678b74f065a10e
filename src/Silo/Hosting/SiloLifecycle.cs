using Cluster.Grains.Auth;
using Cluster.Grains.Platforms;
using Cluster.Ingest.Posts;
using Cluster.Silo.Lexicons;
using Cluster.Silo.Rumors;

namespace Cluster.Silo.Hosting;

/// <summary>
/// Start: load policies, lexicons and rumors, make sure an admin token exists, then open ingest. Stop (SIGTERM): close
/// ingest first; the group commit and the grain runtime, stopped after this, then drain and flush what was accepted.
/// </summary>
internal sealed class SiloLifecycle(
    IAdminStore store, PlatformPolicies policies, LexiconCatalog lexicons, RumorCatalog rumors, IngestGate gate, SiloOptions options,
    IConfiguration configuration, IHostApplicationLifetime lifetime, ILogger<SiloLifecycle> logger) : IHostedService
{
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
