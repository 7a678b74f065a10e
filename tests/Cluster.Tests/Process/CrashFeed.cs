using System.Text.Json.Nodes;
using Cluster.Tests.Http;

namespace Cluster.Tests.Process;

/// <summary>What the crash tests share: the mix of texts they post, and reading the feed until it holds every acknowledged post and the queues are empty.</summary>
internal static class CrashFeed
{
    /// <summary>One post in five blocked, one in five reviewed, the rest allowed.</summary>
    public static string Text(int n) => (n % 5) switch
    {
        0 => "刷单返利，日赚五百",
        1 => "兼职日结，私聊",
        _ => $"今天的天气很好，第{n}条普通内容",
    };

    /// <summary>
    /// Every decision in the feed once it names every post of <paramref name="mustContain"/>, read on until the silo reports
    /// no backlog (posts in flight at the kill may be decided too, and a redelivery applied twice would show up as a second
    /// decision). Bounded by <paramref name="limit"/>: decisions arrive as each grain applies its posts.
    /// </summary>
    public static async Task<List<JsonNode>> ReadUntilDrainedAsync(HttpClient platform, ICollection<string> mustContain, TimeSpan limit)
    {
        var missing = new HashSet<string>(mustContain);
        var all = new List<JsonNode>();
        var after = "";
        var deadline = DateTime.UtcNow + limit;
        while (missing.Count > 0 && DateTime.UtcNow < deadline)
        {
            var page = await (await platform.GetAsync($"/v1/decisions?after={after}&limit=1000&waitMs=2000")).Json();
            foreach (var d in page["decisions"]!.AsArray())
            {
                all.Add(d!);
                missing.Remove(d!["postId"]!.GetValue<string>());
            }
            after = page["next"]!.GetValue<string>();
        }
        Assert.Empty(missing);
        while (DateTime.UtcNow < deadline)
        {
            var page = await (await platform.GetAsync($"/v1/decisions?after={after}&limit=1000&waitMs=500")).Json();
            var more = page["decisions"]!.AsArray();
            all.AddRange(more.Select(d => d!));
            after = page["next"]!.GetValue<string>();
            if (more.Count == 0 && (await platform.GetStringAsync("/metrics")).Split('\n').Contains("cluster_inbox_lag_total 0"))
            {
                return all;
            }
        }
        throw new TimeoutException("the queues kept a backlog");
    }
}
