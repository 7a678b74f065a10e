using System.Net;
using System.Text;
using Cluster.Grains.Posts;
using Cluster.Ingest.Posts;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
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
            b.UseSetting("Ingest:StreamChunk", "5");
            b.ConfigureServices(s => s.Replace(ServiceDescriptor.Singleton<IPostStore>(sp =>
            {
                _gate.Inner = sp.GetRequiredService<Cluster.Storage.Sqlite.Facts.SqliteFactsStore>();
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
        Assert.Equal("application/problem+json", second.Content.Headers.ContentType!.MediaType);
        var problem = await second.Json();
        Assert.Equal("urn:screening-cluster:problem:overloaded", problem["type"]!.GetValue<string>());
        Assert.NotNull(problem["errors"]!["body"]);

        _gate.Open();
        Assert.Equal(HttpStatusCode.Accepted, (await first).StatusCode);
        var retried = await platform.PostJsonAsync("/v1/posts", new[] { Api.Post("q-10", "x") });
        Assert.Equal(HttpStatusCode.Accepted, retried.StatusCode);
    }

    [Fact]
    public async Task A_refused_request_is_answered_before_its_body_is_sent()
    {
        // Over a real socket, so that HTTP itself shows it: a client that sends "Expect: 100-continue" waits with its
        // body until the server says "100 Continue", which Kestrel does on the app's first read of the body.
        await using var kestrel = new SiloFactory();
        kestrel.UseKestrel(0);
        kestrel.StartServer();
        var address = new Uri(kestrel.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        using var admin = new HttpClient { BaseAddress = address };
        var key = await admin.As(SiloFactory.AdminToken).CreatePlatformAsync("busy");
        var admission = kestrel.Services.GetRequiredService<IngestAdmission>();
        var held = admission.TryAdmit(5_000)!; // other requests' posts, still being read or committed

        foreach (var mediaType in new[] { "application/json", "application/x-ndjson" })
        {
            var answer = await FirstAnswerAsync(address, key, mediaType);
            Assert.StartsWith("HTTP/1.1 429 ", answer, StringComparison.Ordinal);
            Assert.Contains("Retry-After: ", answer, StringComparison.Ordinal);
        }
        Assert.Equal(5_000, admission.Reserved);

        held.Dispose();
        Assert.StartsWith("HTTP/1.1 100 Continue", await FirstAnswerAsync(address, key, "application/json"), StringComparison.Ordinal);
    }

    /// <summary>Sends a request's headers announcing a body and asking to be told to continue; returns what the server says first.</summary>
    private static async Task<string> FirstAnswerAsync(Uri server, string key, string mediaType)
    {
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(server.Host, server.Port);
        var stream = tcp.GetStream();
        var head = $"POST /v1/posts HTTP/1.1\r\nHost: {server.Authority}\r\nAuthorization: Bearer {key}\r\nContent-Type: {mediaType}\r\n"
            + "Content-Length: 40000\r\nExpect: 100-continue\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
        var buffer = new byte[4096];
        var read = await stream.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        return Encoding.ASCII.GetString(buffer, 0, read);
    }

    [Fact]
    public async Task A_stream_is_admitted_chunk_by_chunk_and_stops_with_what_it_committed_when_the_silo_fills_up()
    {
        var admin = _factory.CreateClient().As(SiloFactory.AdminToken);
        var platform = _factory.CreateClient().As(await admin.CreatePlatformAsync("busy"));
        var admission = _factory.Services.GetRequiredService<IngestAdmission>();

        // Before any drain rate is measured the budget is one stream chunk (5 posts). Three posts of another request
        // are in flight: the stream's first chunk is admitted on its estimate (one post, from its length), and once
        // the chunk is committed its second chunk (5 more) no longer fits.
        var held = admission.TryAdmit(3)!;
        var response = await platform.PostNdjsonAsync("/v1/posts",
            Enumerable.Range(0, 12).Select(i => $$"""{"id":"c-{{i}}","account":"a","text":"x"}"""));
        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        var problem = await response.Json();
        Assert.Equal(5, problem["accepted"]!.GetValue<int>());
        Assert.Equal(3, admission.Reserved);

        held.Dispose();
        var resent = await (await platform.PostNdjsonAsync("/v1/posts",
            Enumerable.Range(0, 12).Select(i => $$"""{"id":"c-{{i}}","account":"a","text":"x"}"""))).Json();
        Assert.Equal(7, resent["accepted"]!.GetValue<int>());
        Assert.Equal(5, resent["duplicates"]!.GetValue<int>());
        Assert.Equal(0, admission.Reserved);
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

        public async Task<AppendOutcome[]> AppendPostsAsync(IReadOnlyList<PostAppend> posts, CancellationToken cancellationToken)
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
