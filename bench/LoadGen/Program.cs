using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

// End-to-end load: NDJSON ingest against running silos, decision latency read from the feed.
// Usage: dotnet run -c Release --project bench/LoadGen -- --url http://127.0.0.1:5080 --admin-token-file data/admin.token
//        [--posts 200000] [--batch 500] [--connections 4] [--corpus ../shared/data/benign/clue_corpus_small_sampled.txt]
// --url takes a comma-separated list for a cluster: connection k sends to silo k mod n, the feed is read from the first.
var options = Args.Parse(args);
var urls = options.GetValueOrDefault("url", "http://127.0.0.1:5080").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
var url = urls[0];
var adminToken = options.TryGetValue("admin-token", out var t) ? t : File.ReadAllText(options.GetValueOrDefault("admin-token-file", "data/admin.token")).Trim();
var total = int.Parse(options.GetValueOrDefault("posts", "200000"), CultureInfo.InvariantCulture);
var batch = int.Parse(options.GetValueOrDefault("batch", "500"), CultureInfo.InvariantCulture);
var connections = int.Parse(options.GetValueOrDefault("connections", "4"), CultureInfo.InvariantCulture);
var corpusPath = options.GetValueOrDefault("corpus", Path.Combine("..", "shared", "data", "benign", "clue_corpus_small_sampled.txt"));
var accounts = int.Parse(options.GetValueOrDefault("accounts", "10000"), CultureInfo.InvariantCulture);

// Real text, cut to post-sized pieces (median ~100 chars), so stage 1 does realistic work.
var corpus = File.ReadAllLines(corpusPath).Where(l => l.Length > 0).Select(l => l.Length > 280 ? l[..280] : l).ToArray();

using var http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromMinutes(5) };
http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", adminToken);
var platformId = "load-" + DateTime.UtcNow.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);
var created = await http.PostAsJsonAsync("/v1/admin/platforms", new { id = platformId, name = "load generator" });
created.EnsureSuccessStatusCode();
var key = (await created.Content.ReadFromJsonAsync<JsonObject>())!["apiKey"]!.GetValue<string>();
http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);

var sentAt = new long[total];
var latencies = new ConcurrentBag<double>();
var ackLatencies = new ConcurrentBag<double>();
var decided = 0;
var clock = Stopwatch.StartNew();
using var feedStop = new CancellationTokenSource();
var feed = Task.Run(async () =>
{
    using var reader = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromMinutes(1) };
    reader.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
    var after = ""; // cursors are opaque; empty reads from the start
    while (Volatile.Read(ref decided) < total && !feedStop.IsCancellationRequested)
    {
        var page = await reader.GetFromJsonAsync<JsonObject>($"/v1/decisions?after={after}&limit=1000&waitMs=1000");
        var now = clock.ElapsedTicks;
        foreach (var d in page!["decisions"]!.AsArray())
        {
            var index = int.Parse(d!["postId"]!.GetValue<string>()[2..], CultureInfo.InvariantCulture);
            latencies.Add((now - Volatile.Read(ref sentAt[index])) * 1000.0 / Stopwatch.Frequency);
            Interlocked.Increment(ref decided);
        }
        after = page["next"]!.GetValue<string>();
    }
});

var next = -batch;
var accepted = 0;
var throttled = 0;
var senders = Enumerable.Range(0, connections).Select(async connection =>
{
    using var silo = new HttpClient { BaseAddress = new Uri(urls[connection % urls.Length]), Timeout = TimeSpan.FromMinutes(5) };
    silo.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
    while (true)
    {
        var start = Interlocked.Add(ref next, batch);
        if (start >= total)
        {
            return;
        }
        var end = Math.Min(total, start + batch);
        var body = new StringBuilder();
        for (var i = start; i < end; i++)
        {
            body.Append(JsonSerializer.Serialize(new { id = "p-" + i, account = "a-" + (i % accounts), text = corpus[i % corpus.Length] })).Append('\n');
        }
        var payload = body.ToString();
        while (true)
        {
            var now = clock.ElapsedTicks;
            for (var i = start; i < end; i++)
            {
                Volatile.Write(ref sentAt[i], now);
            }
            using var response = await silo.PostAsync("/v1/posts", new StringContent(payload, Encoding.UTF8, "application/x-ndjson"));
            if ((int)response.StatusCode == 429)
            {
                // A stream refused part-way reports what it committed; the resend counts those as duplicates.
                Interlocked.Increment(ref throttled);
                await Task.Delay(response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1));
                continue;
            }
            response.EnsureSuccessStatusCode();
            ackLatencies.Add((clock.ElapsedTicks - now) * 1000.0 / Stopwatch.Frequency);
            var result = await response.Content.ReadFromJsonAsync<JsonObject>();
            Interlocked.Add(ref accepted, result!["accepted"]!.GetValue<int>());
            break;
        }
    }
}).ToArray();
await Task.WhenAll(senders);
var ingestSeconds = clock.Elapsed.TotalSeconds;
await feed.WaitAsync(TimeSpan.FromMinutes(10));
var allSeconds = clock.Elapsed.TotalSeconds;

var sorted = latencies.Order().ToArray();
var acks = ackLatencies.Order().ToArray();
double Percentile(double p) => At(sorted, p);
static double At(double[] values, double p) => values.Length == 0 ? double.NaN : values[Math.Min(values.Length - 1, (int)Math.Ceiling(p * values.Length) - 1)];
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"silos={urls.Length} posts={total} batch={batch} connections={connections} accepted={accepted} throttled={throttled} decided={decided}"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"ingest: {accepted / ingestSeconds:F0} posts/s ({ingestSeconds:F1} s); decided: {decided / allSeconds:F0} posts/s end to end ({allSeconds:F1} s)"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"decision latency (request sent -> decision in feed): p50 {Percentile(0.50):F0} ms, p99 {Percentile(0.99):F0} ms, max {Percentile(1.0):F0} ms"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"202 latency (last send of a batch -> 202): p50 {At(acks, 0.50):F0} ms, p99 {At(acks, 0.99):F0} ms, max {At(acks, 1.0):F0} ms; 429 answers: {throttled}"));

internal static class Args
{
    public static Dictionary<string, string> Parse(string[] args)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            map[args[i].TrimStart('-')] = args[i + 1];
        }
        return map;
    }
}
