using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;

namespace Cluster.Tests.ClusterProcess;

/// <summary>
/// Platform clients posting NDJSON batches until stopped, each writer to one silo: 10 new posts a request over
/// <see cref="Accounts"/> accounts, plus edits (version 2) of the first posts of the writer's previous acknowledged
/// request, in flight like the rest. What a 202 acknowledged is recorded per post (its newest acknowledged version);
/// every other answer is counted by status, with its body kept for the assertions on the error shape.
/// </summary>
public sealed class PostLoad
{
    public const int Accounts = 40;
    private const int PostsPerRequest = 10;
    private const int EditsPerRequest = 2;

    private readonly ConcurrentDictionary<string, Acked> _acked = new();
    private readonly ConcurrentQueue<Answer> _refused = new();
    private readonly List<Task> _writers = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly TimeSpan _pause;
    private long _slowestTicks;
    private int _requests;

    /// <param name="pause">Between a writer's requests: keeps the silos' CPU for probes on 2 shared cores.</param>
    public PostLoad(TimeSpan pause) => _pause = pause;

    /// <summary>Post id → its newest acknowledged version, account and text.</summary>
    public IReadOnlyDictionary<string, Acked> Acknowledged => _acked;

    /// <summary>Every answer other than 202, and every request that got no answer (status 0).</summary>
    public IReadOnlyCollection<Answer> Refused => _refused;

    public int Requests => Volatile.Read(ref _requests);

    /// <summary>The longest a request took, answered or not.</summary>
    public TimeSpan Slowest => TimeSpan.FromTicks(Interlocked.Read(ref _slowestTicks));

    /// <summary>Starts a writer posting to <paramref name="silo"/> (a client with the platform's key) with its own id prefix.</summary>
    public void Add(HttpClient silo, string prefix) => _writers.Add(Task.Run(() => WriteAsync(silo, prefix, _stop.Token)));

    /// <summary>Completes once <paramref name="count"/> more posts than now are acknowledged.</summary>
    public async Task MoreAcknowledgedAsync(int count, TimeSpan limit)
    {
        var target = _acked.Count + count;
        var clock = Stopwatch.StartNew();
        while (_acked.Count < target)
        {
            if (clock.Elapsed > limit)
            {
                throw new TimeoutException($"only {_acked.Count} of {target} posts acknowledged after {limit}; refused: {Summary()}");
            }
            await Task.Delay(50);
        }
    }

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_writers);
    }

    public string Summary() =>
        $"{Requests} requests, {_acked.Count} posts acknowledged, refused by status: " +
        string.Join(", ", _refused.GroupBy(a => a.Status).Select(g => $"{g.Key}: {g.Count()}"));

    private async Task WriteAsync(HttpClient silo, string prefix, CancellationToken stop)
    {
        var previous = new List<(string Id, string Account, string Text, int Version)>();
        for (var request = 0; !stop.IsCancellationRequested; request++)
        {
            var posts = Enumerable.Range(0, PostsPerRequest)
                .Select(n => (Id: $"{prefix}-{request}-{n}", Account: $"acct-{(request + n) % Accounts}", Text: Text(n), Version: 1))
                .ToList();
            posts.AddRange(previous.Where(p => p.Version == 1).Take(EditsPerRequest).Select(p => (p.Id, p.Account, Text: "改过了：" + p.Text, Version: 2)));
            var body = string.Join("\n", posts.Select(p => JsonSerializer.Serialize(new { id = p.Id, account = p.Account, text = p.Text })));
            var clock = Stopwatch.StartNew();
            try
            {
                // Not cancelled by the stop: a request in flight is answered, and what it acknowledges is recorded.
                using var response = await silo.PostAsync("/v1/posts", new StringContent(body, Encoding.UTF8, "application/x-ndjson"), CancellationToken.None);
                Interlocked.Increment(ref _requests);
                if (response.StatusCode == HttpStatusCode.Accepted)
                {
                    foreach (var p in posts)
                    {
                        _acked[p.Id] = new Acked(p.Account, p.Text, p.Version);
                    }
                    previous = posts;
                }
                else
                {
                    _refused.Enqueue(new Answer(prefix, (int)response.StatusCode, response.Content.Headers.ContentType?.MediaType,
                        await response.Content.ReadAsStringAsync(CancellationToken.None), response.Headers.RetryAfter?.Delta, clock.Elapsed));
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
            {
                // No answer: a silo that is gone (killed, stopped) or a request that ran past the client's timeout.
                Interlocked.Increment(ref _requests);
                _refused.Enqueue(new Answer(prefix, 0, null, ex.GetType().Name, null, clock.Elapsed));
            }
            var took = clock.Elapsed.Ticks;
            for (var seen = Interlocked.Read(ref _slowestTicks); took > seen; seen = Interlocked.Read(ref _slowestTicks))
            {
                Interlocked.CompareExchange(ref _slowestTicks, took, seen);
            }
            try
            {
                await Task.Delay(_pause, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private static string Text(int n) => (n % 5) switch
    {
        0 => "刷单返利，日赚五百",
        1 => "兼职日结，私聊",
        _ => $"今天的天气很好，第{n}条普通内容",
    };

    public sealed record Acked(string Account, string Text, int Version);

    /// <param name="Writer">The prefix of the writer that sent the request (one writer per silo).</param>
    /// <param name="Took">From sending the request to its answer (or to giving up on one).</param>
    public sealed record Answer(string Writer, int Status, string? MediaType, string Body, TimeSpan? RetryAfter, TimeSpan Took);
}
