using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Cluster.Tests.Http;

/// <summary>Thin helpers over HttpClient for the v1 API, returning parsed JSON so tests assert on the wire shape.</summary>
public static class Api
{
    public static HttpClient As(this HttpClient client, string token)
    {
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public static async Task<string> CreatePlatformAsync(this HttpClient admin, string id)
    {
        var response = await admin.PostAsJsonAsync("/v1/admin/platforms", new { id, name = id + " name" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Json())["apiKey"]!.GetValue<string>();
    }

    public static async Task<string> CreateReviewerAsync(this HttpClient admin, string id, string role = "reviewer", string[]? queues = null)
    {
        var response = await admin.PostAsJsonAsync("/v1/admin/reviewers", new { id, name = id, role, queues = queues ?? ["*"] });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Json())["token"]!.GetValue<string>();
    }

    public static async Task<JsonNode> Json(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return JsonNode.Parse(text) ?? throw new InvalidOperationException("empty body");
    }

    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string url, object body) =>
        client.PostAsync(url, new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json"));

    public static Task<HttpResponseMessage> PostNdjsonAsync(this HttpClient client, string url, IEnumerable<string> lines) =>
        client.PostAsync(url, new StringContent(string.Join("\n", lines) + "\n", Encoding.UTF8, "application/x-ndjson"));

    public static object Post(string id, string text, string account = "u-1") => new { id, account, text };

    /// <summary>
    /// Reads the feed until <paramref name="count"/> decisions arrived (long-polling), or fails after a bound. Cursors
    /// are opaque: an empty <paramref name="after"/> reads from the start.
    /// </summary>
    public static async Task<List<JsonNode>> FeedAsync(this HttpClient platform, int count, string after = "")
    {
        var all = new List<JsonNode>();
        // Bounded by time, not by pages: decisions arrive as each grain applies its post, so a page may hold one.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (all.Count < count && DateTime.UtcNow < deadline)
        {
            var page = await (await platform.GetAsync($"/v1/decisions?after={after}&limit=1000&waitMs=1000")).Json();
            all.AddRange(page["decisions"]!.AsArray().Select(d => d!));
            after = page["next"]!.GetValue<string>();
        }
        return all;
    }
}
