using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cluster.Storage.Tests.Postgres;
using Cluster.Tests.Http;
using Cluster.Tests.Process;
using Xunit.Abstractions;

namespace Cluster.Tests.Azure;

/// <summary>
/// Two real silo processes in Azure Storage mode (Azurite, PostgreSQL), one SIGKILLed inside a delivery and started
/// again: at small volume, since Azurite's queues slow down with every stored message.
/// </summary>
[Collection(AzureCollection.Name)]
public sealed class AzureCrashTests(AzuriteServer azurite, PostgresServer postgres, ITestOutputHelper log) : IDisposable
{
    /// <summary>What <see cref="SiloProcess"/> passes as Orleans:Queues.</summary>
    private const int Queues = 16;
    private const int Accounts = 20;

    private readonly AzureDeployment _deployment = new(azurite, postgres);
    private readonly string _dirA = Path.Combine(Path.GetTempPath(), "silo-azure-a-" + Guid.NewGuid().ToString("N"));
    private readonly string _dirB = Path.Combine(Path.GetTempPath(), "silo-azure-b-" + Guid.NewGuid().ToString("N"));

    /// <summary>
    /// Silo A kills itself (CLUSTER_TEST_KILL_AFTER_STATE_WRITES) right after an AccountGrain's state write and before
    /// the event's acknowledgement, the message deletion: that message is still in its queue after A is gone and comes
    /// back once its visibility timeout ran out, to silo B (which took A's queues when membership declared A dead) or to
    /// A started again. Its post marks must skip it. Posts whose request was in flight at the kill (stored or not, their
    /// events produced or not) are sent again, and every one of them must be decided once too. After the restart the
    /// receivers number their messages from 0 again: posts sent then to the same accounts must still be decided.
    /// </summary>
    [Fact]
    public async Task A_silo_killed_inside_a_delivery_leaves_every_accepted_post_decided_exactly_once()
    {
        var acked = new ConcurrentDictionary<string, Sent>();
        var inFlight = new ConcurrentDictionary<string, Sent>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var environment = _deployment.Environment(Queues);
        var hooked = new Dictionary<string, string>(environment) { ["CLUSTER_TEST_KILL_AFTER_STATE_WRITES"] = "80" };
        var silos = await StartAllAsync(SiloProcess.StartAsync(_dirB, environment: environment), SiloProcess.StartAsync(_dirA, environment: hooked));
        await using var b = silos[0];
        var a = silos[1];
        log.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: both silos ready");
        string key;
        try
        {
            key = await a.Client(SiloProcess.AdminToken).CreatePlatformAsync("az-crash");
            var platform = a.Client(key);
            using var stop = new CancellationTokenSource();
            var writers = Enumerable.Range(0, 2).Select(w => WriteUntilStoppedAsync(platform, w, acked, inFlight, stop.Token)).ToArray();
            await a.Exited.WaitAsync(TimeSpan.FromSeconds(90));
            Assert.Equal(137, a.ExitCode); // killed by the hook (SIGKILL), not a clean exit
            log.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: A killed itself inside a delivery, {acked.Count} posts acknowledged");
            // The message whose state write the hook followed was never deleted: it is still in the account.
            Assert.True(await _deployment.QueuedMessagesAsync(Queues) >= 1, "no message was left in the queues by the killed silo");
            await stop.CancelAsync();
            await Task.WhenAll(writers);
        }
        finally
        {
            await a.DisposeAsync();
        }
        Assert.True(acked.Count >= 80, $"only {acked.Count} posts were acknowledged before the hook fired");

        await using var restarted = await SiloProcess.StartAsync(_dirA, environment: environment);
        log.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: A started again");
        var viaB = b.Client(key);
        var viaA = restarted.Client(key);

        // The requests in flight at the kill, sent again: stored ones come back as duplicates and have their events
        // produced again unless decided; the others are accepted now.
        var resent = inFlight.Where(kv => !acked.ContainsKey(kv.Key)).ToList();
        if (resent.Count > 0)
        {
            var body = resent.Select(kv => JsonSerializer.Serialize(new { id = kv.Key, account = kv.Value.Account, text = kv.Value.Text }));
            Assert.Equal(HttpStatusCode.Accepted, (await viaA.PostNdjsonAsync("/v1/posts", body)).StatusCode);
            foreach (var (id, sent) in resent)
            {
                acked[id] = sent;
            }
        }

        var decisions = await CrashFeed.ReadUntilDrainedAsync(viaB, acked.Keys, TimeSpan.FromSeconds(90));
        AssertExactlyOnce(decisions, acked);
        await AssertAccountsCountEachPostOnceAsync(viaA, decisions);
        log.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: {acked.Count} posts decided once each ({resent.Count} sent again), queues empty");

        // After the restart every receiver numbers its messages from 0 again; posts to the same accounts still count.
        var after = Enumerable.Range(0, 40).Select(n => (Id: $"after-{n}", Account: $"acct-{n % Accounts}", Text: CrashFeed.Text(n))).ToList();
        Assert.Equal(HttpStatusCode.Accepted, (await viaA.PostNdjsonAsync("/v1/posts",
            after.Select(p => JsonSerializer.Serialize(new { id = p.Id, account = p.Account, text = p.Text })))).StatusCode);
        foreach (var p in after)
        {
            acked[p.Id] = new Sent(p.Account, p.Text, 1);
        }
        decisions = await CrashFeed.ReadUntilDrainedAsync(viaA, acked.Keys, TimeSpan.FromSeconds(90));
        AssertExactlyOnce(decisions, acked);
        await AssertAccountsCountEachPostOnceAsync(viaB, decisions);

        // Orleans' Azure table: the killed incarnation declared dead, B and the restarted A active.
        var members = await _deployment.MembersAsync();
        Assert.Equal(2, members.Count(m => m.Status == "Active"));
        Assert.Equal(1, members.Count(m => m.Status == "Dead"));
        Assert.Equal(0, await _deployment.QueuedMessagesAsync(Queues));
        log.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: the posts sent after the restart decided once each");
    }

    public void Dispose()
    {
        _deployment.Dispose();
        foreach (var dir in new[] { _dirA, _dirB })
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

    /// <summary>Silos started side by side; if one fails to start, the others are stopped before the failure is thrown.</summary>
    private static async Task<SiloProcess[]> StartAllAsync(params Task<SiloProcess>[] starting)
    {
        try
        {
            return await Task.WhenAll(starting);
        }
        catch
        {
            foreach (var started in starting.Where(t => t.IsCompletedSuccessfully))
            {
                await started.Result.DisposeAsync();
            }
            throw;
        }
    }

    /// <summary>Every acknowledged version has exactly one machine decision, so has every other version decided, and an edit supersedes its predecessor.</summary>
    private static void AssertExactlyOnce(List<JsonNode> decisions, ConcurrentDictionary<string, Sent> acked)
    {
        var perVersion = decisions.Where(d => d["source"]!.GetValue<string>() == "machine")
            .GroupBy(d => (Id: d["postId"]!.GetValue<string>(), Version: d["version"]!.GetValue<int>()))
            .ToDictionary(g => g.Key, g => g.ToList());
        Assert.All(perVersion, kv => Assert.Single(kv.Value));
        foreach (var (id, sent) in acked)
        {
            for (var v = 1; v <= sent.Version; v++)
            {
                Assert.True(perVersion.ContainsKey((id, v)), $"{id} version {v} has no machine decision");
            }
        }
        foreach (var ((id, version), decided) in perVersion.Where(kv => kv.Key.Version > 1))
        {
            Assert.Equal(perVersion[(id, version - 1)][0]["decisionId"]!.GetValue<string>(), decided[0]["supersedes"]!.GetValue<string>());
        }
    }

    /// <summary>An edit is the same post: each account's posts count is the number of distinct posts decided for it.</summary>
    private static async Task AssertAccountsCountEachPostOnceAsync(HttpClient platform, List<JsonNode> decisions)
    {
        var perAccount = decisions.Where(d => d["source"]!.GetValue<string>() == "machine")
            .GroupBy(d => d["account"]!.GetValue<string>())
            .ToDictionary(g => g.Key, g => g.Select(d => d["postId"]!.GetValue<string>()).Distinct().Count());
        foreach (var (account, count) in perAccount)
        {
            var state = await (await platform.GetAsync($"/v1/accounts/{account}")).Json();
            Assert.Equal(count, state["posts"]!.GetValue<int>());
        }
    }

    private static async Task WriteUntilStoppedAsync(HttpClient platform, int writer, ConcurrentDictionary<string, Sent> acked,
        ConcurrentDictionary<string, Sent> inFlight, CancellationToken stop)
    {
        var previous = new List<(string Id, string Account, string Text, int Version)>();
        for (var request = 0; !stop.IsCancellationRequested && request < 1_000; request++)
        {
            var posts = Enumerable.Range(0, 20).Select(n => (Id: $"w{writer}-{request}-{n}", Account: $"acct-{(writer * 7 + n) % Accounts}", Text: CrashFeed.Text(n), Version: 1))
                .ToList();
            // Edits of the previous acknowledged request's first posts.
            posts.AddRange(previous.Where(p => p.Version == 1).Take(4).Select(p => (p.Id, p.Account, Text: "改过了：" + p.Text, Version: 2)));
            foreach (var p in posts.Where(p => p.Version == 1))
            {
                inFlight[p.Id] = new Sent(p.Account, p.Text, 1);
            }
            var body = string.Join("\n", posts.Select(p => JsonSerializer.Serialize(new { id = p.Id, account = p.Account, text = p.Text })));
            try
            {
                using var response = await platform.PostAsync("/v1/posts", new StringContent(body, Encoding.UTF8, "application/x-ndjson"), stop);
                if (response.StatusCode == HttpStatusCode.Accepted)
                {
                    foreach (var p in posts)
                    {
                        acked[p.Id] = new Sent(p.Account, p.Text, p.Version);
                    }
                    previous = posts;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or IOException)
            {
                return; // the silo is gone
            }
        }
    }

    private sealed record Sent(string Account, string Text, int Version);
}
