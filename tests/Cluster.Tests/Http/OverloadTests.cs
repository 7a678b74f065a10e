using System.Net;
using Cluster.Grains.Posts;
using Cluster.Grains.Runtime;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Cluster.Tests.Http;

public sealed class OverloadTests : IAsyncLifetime
{
    private readonly GatedPostStore _gate = new();
    private WebApplicationFactory<Program> _factory = null!;
    private SiloFactory _silo = null!;

    public Task InitializeAsync()
    {
        _silo = new SiloFactory();
        _factory = _silo.WithWebHostBuilder(b =>
        {
            b.UseSetting("Ingest:MaxBatchItems", "10");
            b.UseSetting("Ingest:MaxPendingPosts", "10");
            b.ConfigureServices(s => s.Replace(ServiceDescriptor.Singleton<IPostStore>(sp =>
            {
                _gate.Inner = sp.GetRequiredService<Cluster.Grains.Storage.SqliteStore>();
                return _gate;
            })));
        });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _gate.Open();
        await _factory.DisposeAsync();
        await _silo.DisposeAsync();
    }

    [Fact]
    public async Task A_full_commit_queue_answers_429_with_retry_after_and_recovers()
    {
        var admin = _factory.CreateClient().As(SiloFactory.AdminToken);
        var platform = _factory.CreateClient().As(await admin.CreatePlatformAsync("busy"));
        _gate.Close();

        // Ten posts fill the queue while the store is held; the request waits for its commit.
        var first = platform.PostJsonAsync("/v1/posts", Enumerable.Range(0, 10).Select(i => Api.Post($"q-{i}", "x")).ToArray());
        await _gate.Entered.WaitAsync(TimeSpan.FromSeconds(30));
        var second = await platform.PostJsonAsync("/v1/posts", new[] { Api.Post("q-10", "x") });
        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(1), second.Headers.RetryAfter!.Delta);
        Assert.Equal("urn:screening-cluster:problem:overloaded", (await second.Json())["type"]!.GetValue<string>());

        _gate.Open();
        Assert.Equal(HttpStatusCode.Accepted, (await first).StatusCode);
        var retried = await platform.PostJsonAsync("/v1/posts", new[] { Api.Post("q-10", "x") });
        Assert.Equal(HttpStatusCode.Accepted, retried.StatusCode);
    }

    /// <summary>The real store behind a gate the test opens and closes, to hold a group commit in progress.</summary>
    private sealed class GatedPostStore : IPostStore
    {
        private TaskCompletionSource _open = Opened();
        private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public IPostStore Inner { get; set; } = null!;

        public Task Entered => _entered.Task;

        public void Close() => _open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Open() => _open.TrySetResult();

        public async Task<(AppendOutcome[] Outcomes, IReadOnlyCollection<PartitionId> Partitions)> AppendPostsAsync(IReadOnlyList<PostAppend> posts, CancellationToken cancellationToken)
        {
            var open = _open.Task;
            if (!open.IsCompleted)
            {
                _entered.TrySetResult();
            }
            await open;
            return await Inner.AppendPostsAsync(posts, cancellationToken);
        }

        public Task<PostRecord?> GetPostAsync(string platform, string postId, CancellationToken cancellationToken) =>
            Inner.GetPostAsync(platform, postId, cancellationToken);

        private static TaskCompletionSource Opened()
        {
            var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            tcs.SetResult();
            return tcs;
        }
    }
}
