using System.Net;
using Cluster.Grains.Posts;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Cluster.Tests.Http;

/// <summary>
/// A group commit that fails (the store down, restarting, failing over) is answered 503 with Retry-After and a problem
/// body, never 500: nothing of the request is acknowledged, and sending it again once the store is back stores it.
/// tests/Cluster.Tests/ClusterProcess/DatabaseRestartTests does the same with a real PostgreSQL stopped under load.
/// </summary>
public sealed class StoreFailureTests : IAsyncLifetime
{
    private readonly FailingPostStore _store = new();
    private WebApplicationFactory<Program> _factory = null!;
    private SiloFactory _silo = null!;
    private HttpClient _platform = null!;

    public async Task InitializeAsync()
    {
        _silo = new SiloFactory();
        _factory = _silo.WithWebHostBuilder(b =>
        {
            b.UseSetting("Ingest:StreamChunk", "5");
            b.ConfigureServices(s => s.Replace(ServiceDescriptor.Singleton<IPostStore>(sp =>
            {
                _store.Inner = sp.GetRequiredService<Cluster.Storage.Sqlite.Facts.SqliteFactsStore>();
                return _store;
            })));
        });
        var admin = _factory.CreateClient().As(SiloFactory.AdminToken);
        _platform = _factory.CreateClient().As(await admin.CreatePlatformAsync("down"));
    }

    public async Task DisposeAsync()
    {
        await _factory.DisposeAsync();
        await _silo.DisposeAsync();
    }

    [Fact]
    public async Task A_failed_commit_of_a_json_batch_or_a_screen_request_is_answered_503_and_a_retry_stores_it()
    {
        var posts = Enumerable.Range(0, 3).Select(i => Api.Post($"d-{i}", "今天天气不错")).ToArray();
        _store.FailFrom(0);

        await AssertNotStoredAsync(await _platform.PostJsonAsync("/v1/posts", posts));
        await AssertNotStoredAsync(await _platform.PostJsonAsync("/v1/screen", Api.Post("s-1", "今天天气不错")));

        _store.FailFrom(null);
        var retried = await _platform.PostJsonAsync("/v1/posts", posts);
        Assert.Equal(HttpStatusCode.Accepted, retried.StatusCode);
        Assert.Equal(3, (await retried.Json())["accepted"]!.GetValue<int>());
        Assert.Equal(HttpStatusCode.OK, (await _platform.PostJsonAsync("/v1/screen", Api.Post("s-1", "今天天气不错"))).StatusCode);
    }

    [Fact]
    public async Task A_stream_whose_second_chunk_fails_to_commit_is_answered_503_with_what_its_first_chunk_stored()
    {
        var lines = Enumerable.Range(0, 12).Select(i => $$"""{"id":"n-{{i}}","account":"a","text":"x"}""").ToList();
        _store.FailFrom(1); // the first chunk (5 posts) commits, the second does not

        var response = await _platform.PostNdjsonAsync("/v1/posts", lines);
        var problem = await AssertNotStoredAsync(response);
        Assert.Equal(5, problem["accepted"]!.GetValue<int>());

        _store.FailFrom(null);
        var resent = await (await _platform.PostNdjsonAsync("/v1/posts", lines)).Json();
        Assert.Equal((7, 5), (resent["accepted"]!.GetValue<int>(), resent["duplicates"]!.GetValue<int>()));
    }

    [Fact]
    public async Task A_screen_request_whose_decision_cannot_be_written_is_answered_503_and_its_retry_decides_it_once()
    {
        // A real failure of the real store: the silo's SQLite file refuses decisions of one post, so the post commits
        // and its AccountGrain's write (decision, state) fails inside the writer; other posts go on being decided.
        Sql("CREATE TRIGGER test_refuse BEFORE INSERT ON decisions WHEN NEW.post_id = 'w-1' BEGIN SELECT RAISE(ABORT, 'refused'); END;");
        var refused = await _platform.PostJsonAsync("/v1/screen", Api.Post("w-1", "今天天气不错"));
        var problem = await AssertNotStoredAsync(refused);
        Assert.Contains("stored", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        var other = await _platform.PostJsonAsync("/v1/screen", Api.Post("w-2", "今天天气不错", account: "u-2"));
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);

        Sql("DROP TRIGGER test_refuse;");
        var retried = await _platform.PostJsonAsync("/v1/screen", Api.Post("w-1", "今天天气不错"));
        Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
        var decided = (await retried.Json())["results"]![0]!;
        Assert.Equal("w-1", decided["id"]!.GetValue<string>());
        var again = await (await _platform.PostJsonAsync("/v1/screen", Api.Post("w-1", "今天天气不错"))).Json();
        Assert.Equal(decided["decisionId"]!.GetValue<string>(), again["results"]![0]!["decisionId"]!.GetValue<string>());

        var feed = await _platform.FeedAsync(2);
        Assert.Equal(["w-1", "w-2"], feed.Select(d => d["postId"]!.GetValue<string>()).Order());
    }

    private void Sql(string sql)
    {
        using var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(_silo.DataDir, "cluster.db")};Pooling=False");
        db.Open();
        using var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    private static async Task<System.Text.Json.Nodes.JsonNode> AssertNotStoredAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(1), response.Headers.RetryAfter!.Delta);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        var problem = await response.Json();
        Assert.Equal("urn:screening-cluster:problem:unavailable", problem["type"]!.GetValue<string>());
        return problem;
    }

    /// <summary>The real store, failing every group commit from the n-th call on (0: all) until told otherwise.</summary>
    private sealed class FailingPostStore : IPostStore
    {
        private int _calls;
        private int? _failFrom;

        public IPostStore Inner { get; set; } = null!;

        public void FailFrom(int? call)
        {
            _calls = 0;
            _failFrom = call;
        }

        public Task<AppendOutcome[]> AppendPostsAsync(IReadOnlyList<PostAppend> posts, CancellationToken cancellationToken) =>
            _failFrom is { } from && Interlocked.Increment(ref _calls) > from
                ? Task.FromException<AppendOutcome[]>(new IOException("the store is unreachable"))
                : Inner.AppendPostsAsync(posts, cancellationToken);

        public Task<PostRecord?> GetPostAsync(string platform, string postId, CancellationToken cancellationToken) =>
            Inner.GetPostAsync(platform, postId, cancellationToken);
    }
}
