using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace Cluster.Tests.Http;

/// <summary>
/// Generated bad input against every endpoint, from a fixed seed so a failure reproduces: no request may get a 5xx,
/// and every 4xx must be a problem with an errors map naming what to fix. Bounded to a few thousand in-process
/// requests (tens of seconds).
/// </summary>
public sealed class FuzzTests(ITestOutputHelper output) : SiloTestBase
{
    private const int Seed = 20261201;
    private const int Requests = 3000;

    private static readonly string?[] ContentTypes =
    [
        "application/json", "application/json", "application/json", "application/json; charset=utf-8", "APPLICATION/JSON",
        "Application/Json; Charset=\"UTF-8\"", "application/json; charset=utf-16", "application/json; charset=latin1",
        "application/json;;;", "application/json; charset=", "text/plain", "application/x-ndjson", "application/xml", "*/*",
        "multipart/form-data; boundary=x", "garbage", "", null,
    ];

    private static readonly string[] OddStrings =
    [
        "", " ", "a b", "a/b", "a\\b", ".", "..", "%2F", "用户-1", "\u0000", "\u007f", "\t", "x:y@z+1%", "\U0001F600",
        "\u200B", "ab\u3000", "null", "0", "-1", "99999999999999999999", "1e400", "0x10", "１２", "*", "senior",
    ];

    private static readonly string[] OddNumbers =
    [
        "-1", "0", "1", "7", "49", "50", "51", "1.5", "1e3", "1e400", "-0", "99999999999", "99999999999999999999999999", "\"5\"", "\"a\"",
        "true", "null", "[]", "{}",
    ];

    private static readonly string[] Categories = ["fraud", "FRAUD", " spam ", "spam", "ads", "casino", "", "政治"];

    private readonly Random _random = new(Seed);
    private int _serial;

    [Fact]
    public async Task Generated_bad_input_never_gets_a_5xx_and_every_4xx_names_a_field()
    {
        var reviewer = Client(await Admin.CreateReviewerAsync("fuzz-r", "senior"));
        var clients = new Dictionary<string, HttpClient>
        {
            ["admin"] = Admin, ["platform"] = Platform, ["reviewer"] = reviewer, ["anonymous"] = Anonymous(), ["unknown"] = Client("pk_unknown"),
        };
        var log = LogCapture.Attach(Factory);
        var failures = new List<string>();
        var statuses = new SortedDictionary<int, int>();
        var clock = Stopwatch.StartNew();

        for (var i = 0; i < Requests; i++)
        {
            var (who, request) = Generate();
            var description = $"#{i} {who} {request.Method} {request.RequestUri} [{request.Content?.Headers.ContentType?.ToString() ?? Header(request)}]";
            using var response = await clients[who].SendAsync(request);
            var status = (int)response.StatusCode;
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
            var problem = await CheckAsync(response);
            if (problem is not null && failures.Count < 25)
            {
                failures.Add($"{description} → {status}: {problem}");
            }
        }

        output.WriteLine($"{Requests} requests in {clock.Elapsed.TotalSeconds:F1} s; statuses {string.Join(", ", statuses)}");
        Assert.True(failures.Count == 0, $"{failures.Count}+ bad answers (statuses {string.Join(", ", statuses)}):\n" + string.Join("\n", failures));
        Assert.Empty(log.Faults().Select(e => e.ToString()).Distinct().Take(10));
        Assert.True(statuses.Keys.Any(s => s is >= 200 and < 300), "no request succeeded; the generator lost its valid baseline");
        Assert.True(clock.Elapsed < TimeSpan.FromMinutes(5), "bounded run");
    }

    private static string Header(HttpRequestMessage request) =>
        request.Content is not null && request.Content.Headers.TryGetValues("Content-Type", out var v) ? string.Join(",", v) : "-";

    private static async Task<string?> CheckAsync(HttpResponseMessage response)
    {
        var status = (int)response.StatusCode;
        if (status >= 500)
        {
            return "a server error";
        }
        if (status < 400)
        {
            return null;
        }
        if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
        {
            return $"content type {response.Content.Headers.ContentType?.MediaType ?? "none"}";
        }
        var text = await response.Content.ReadAsStringAsync();
        JsonNode? body;
        try
        {
            body = JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return "a body that is not JSON";
        }
        if (body?["type"] is not JsonValue || body["title"] is not JsonValue)
        {
            return "no type or title: " + Short(text);
        }
        if (body["errors"] is not JsonObject errors || errors.Count == 0)
        {
            return "no errors map: " + Short(text);
        }
        return null;
    }

    private static string Short(string text) => text.Length > 300 ? text[..300] + "…" : text;

    private (string Who, HttpRequestMessage Request) Generate()
    {
        var roll = _random.Next(100);
        return roll switch
        {
            < 18 => ("platform", Body(HttpMethod.Post, "/v1/posts", Mutate(PostArray()))),
            < 28 => ("platform", Ndjson()),
            < 36 => ("platform", Body(HttpMethod.Post, "/v1/screen", Mutate(_random.Next(2) == 0 ? Post() : PostArray()))),
            < 44 => ("platform", new HttpRequestMessage(HttpMethod.Get, "/v1/decisions" + DecisionQuery())),
            < 50 => ("platform", new HttpRequestMessage(HttpMethod.Get, "/v1/accounts/" + Segment(Pick(OddStrings) + Next()))),
            < 56 => ("reviewer", Body(HttpMethod.Post, "/v1/review/claim", Mutate(Claim()))),
            < 61 => ("reviewer", Body(HttpMethod.Post, $"/v1/review/items/{Segment(Pick(OddStrings) + "x")}/decision", Mutate(Verdict()))),
            < 64 => ("reviewer", new HttpRequestMessage(HttpMethod.Post, $"/v1/review/items/{Segment(Pick(OddStrings) + "y")}/release")),
            < 66 => ("reviewer", new HttpRequestMessage(HttpMethod.Get, "/v1/review/queues")),
            < 70 => ("admin", Body(HttpMethod.Post, "/v1/admin/platforms", Mutate(new JsonObject { ["id"] = "fz-" + Next(), ["name"] = "n" }))),
            < 74 => ("admin", Body(HttpMethod.Post, "/v1/admin/reviewers", Mutate(Reviewer()))),
            < 80 => ("admin", Body(HttpMethod.Put, $"/v1/admin/platforms/{(_random.Next(4) == 0 ? "nope" : "demo")}/policy", Mutate(Policy()))),
            < 85 => ("admin", Lexicon()),
            < 90 => ("admin", Body(HttpMethod.Post, "/v1/admin/rumors", Mutate(Rumor()))),
            < 93 => (Pick(["anonymous", "unknown", "reviewer", "platform"]), Body(HttpMethod.Post, "/v1/admin/rumors", Mutate(Rumor()))),
            < 96 => ("platform", new HttpRequestMessage(Pick([HttpMethod.Delete, HttpMethod.Put, HttpMethod.Patch]), Pick(["/v1/posts", "/v1/screen", "/v1/decisions"]))),
            _ => (Pick(["platform", "admin", "anonymous"]), new HttpRequestMessage(HttpMethod.Get, Pick(["/v1/nothing", "/v2/posts", "/v1/accounts/", "/v1/accounts/a/b", "/"]))),
        };
    }

    /// <summary>The test host refuses a path with NUL before it reaches the silo (as Kestrel does with 400), so none is sent.</summary>
    private static string Segment(string value) => Uri.EscapeDataString(value.Replace("\0", "", StringComparison.Ordinal));

    private string Next() => (++_serial).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private T Pick<T>(IReadOnlyList<T> items) => items[_random.Next(items.Count)];

    private JsonObject Post()
    {
        var post = new JsonObject { ["id"] = "fp-" + Next(), ["account"] = "fa-" + _random.Next(20), ["text"] = Pick(["你好", "测试诈骗词", "hello world", "测试广告词，私聊"]) };
        if (_random.Next(3) == 0)
        {
            post["kind"] = Pick(["post", "comment", "tweet"]);
            post["createdAt"] = Pick(["2026-11-22T08:00:00Z", "yesterday"]);
            post["thread"] = "t-1";
            post["accountMeta"] = new JsonObject { ["verified"] = true, ["followers"] = 12, ["registeredAt"] = "2020-01-01T00:00:00Z" };
        }
        return post;
    }

    private JsonArray PostArray()
    {
        var array = new JsonArray();
        for (var i = _random.Next(1, 5); i > 0; i--)
        {
            array.Add(Post());
        }
        return array;
    }

    private JsonObject Claim() => new() { ["max"] = _random.Next(1, 5), ["leaseSeconds"] = 60, ["queue"] = Pick(["ads", "fraud", "senior"]) };

    private JsonObject Verdict() => new() { ["verdict"] = Pick(["clear", "violation", "escalate"]), ["category"] = "ads", ["sanction"] = "warn", ["note"] = "n" };

    private JsonObject Reviewer() => new() { ["id"] = "fr-" + Next(), ["name"] = "n", ["role"] = "reviewer", ["queues"] = new JsonArray("*") };

    private JsonObject Policy()
    {
        var thresholds = new JsonObject();
        for (var i = _random.Next(0, 4); i > 0; i--)
        {
            thresholds[Pick(Categories)] = new JsonObject { ["review"] = 0.5, ["block"] = 0.9 };
        }
        return new JsonObject { ["thresholds"] = thresholds };
    }

    private JsonObject Rumor() => new() { ["title"] = "t", ["claim"] = "一条足够长的谣言内容文本编号" + Next(), ["debunkUrl"] = "https://example.org/d" };

    private string DecisionQuery()
    {
        var parts = new List<string>();
        if (_random.Next(2) == 0)
        {
            parts.Add("after=" + Uri.EscapeDataString(Pick(["0", "1", "-1", "abc", "", "99999999999999999999", "%", "1 ", "１"])));
        }
        if (_random.Next(2) == 0)
        {
            parts.Add("limit=" + Uri.EscapeDataString(Pick(["1", "1000", "1001", "0", "abc", "", "1e3", "99999999999", "5,5"])));
        }
        // Valid waits stay short: an empty feed long-polls for the whole wait.
        parts.Add("waitMs=" + Uri.EscapeDataString(Pick(["0", "5", "-1", "30001", "99999999999", "abc", "", "1.5"])));
        if (_random.Next(8) == 0)
        {
            parts.Add(parts[0]);
        }
        return "?" + string.Join("&", parts);
    }

    /// <summary>Replaces a value by one of the wrong shape, then maybe breaks the encoded text or bytes.</summary>
    private byte[] Mutate(JsonNode valid)
    {
        var node = valid;
        var mutations = _random.Next(4) == 0 ? 0 : _random.Next(1, 3);
        for (var m = 0; m < mutations; m++)
        {
            node = MutateNode(node);
        }
        var text = node.ToJsonString()
            .Replace("\"__LONE__\"", Pick(["\"\\ud800\"", "\"a\\udc00\"", "\"\\ud800\\u0041\"", "\"\\uDBFF\""]), StringComparison.Ordinal)
            .Replace("\"__DEEP__\"", Deep(), StringComparison.Ordinal)
            .Replace("\"__HUGE__\"", Pick(["1e400", "-1e400", "123456789012345678901234567890", "0.0000000000000000000000000001"]), StringComparison.Ordinal)
            .Replace("__LONEKEY__", "\\udfff", StringComparison.Ordinal);
        var bytes = Encoding.UTF8.GetBytes(text);
        return _random.Next(10) switch
        {
            0 => bytes[.._random.Next(bytes.Length)],
            1 => Splice(bytes, Pick<byte[]>([[0xFF], [0xC3, 0x28], [0xED, 0xA0, 0x80], [0xE4, 0xBD], [0x00]])),
            _ => bytes,
        };
    }

    private byte[] Splice(byte[] bytes, byte[] insert)
    {
        var at = _random.Next(bytes.Length + 1);
        return [.. bytes[..at], .. insert, .. bytes[at..]];
    }

    private string Deep()
    {
        var depth = Pick([15, 17, 64, 65, 200, 5000]);
        return Pick(["[", "{\"a\":"]) switch
        {
            "[" => new string('[', depth) + new string(']', depth),
            _ => string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth),
        };
    }

    private JsonNode MutateNode(JsonNode node)
    {
        var slots = new List<(JsonNode Parent, object Key)>();
        Collect(node, slots);
        if (slots.Count == 0 || _random.Next(12) == 0)
        {
            return Replacement() ?? JsonValue.Create(0);
        }
        var (parent, key) = Pick(slots);
        if (_random.Next(10) == 0 && parent is JsonObject o && key is string name)
        {
            o.Remove(name);
            if (_random.Next(2) == 0)
            {
                o[name + "__LONEKEY__"] = "x";
            }
            return node;
        }
        var value = Replacement();
        if (parent is JsonObject obj)
        {
            obj[(string)key] = value;
        }
        else
        {
            ((JsonArray)parent)[(int)key] = value;
        }
        return node;
    }

    private static void Collect(JsonNode node, List<(JsonNode, object)> slots)
    {
        if (node is JsonObject o)
        {
            foreach (var (name, child) in o.ToList())
            {
                slots.Add((o, name));
                if (child is not null)
                {
                    Collect(child, slots);
                }
            }
        }
        else if (node is JsonArray a)
        {
            for (var i = 0; i < a.Count; i++)
            {
                slots.Add((a, i));
                if (a[i] is { } child)
                {
                    Collect(child, slots);
                }
            }
        }
    }

    private JsonNode? Replacement() => _random.Next(11) switch
    {
        0 => null,
        1 => JsonValue.Create(_random.Next(2) == 0),
        2 => JsonValue.Create(_random.Next(-5, 100)),
        3 => new JsonArray(),
        4 => new JsonObject { ["x"] = 1 },
        5 => "__LONE__",
        6 => "__DEEP__",
        7 => "__HUGE__",
        8 => Pick(OddStrings),
        9 => new string('长', _random.Next(100, 30_000)),
        _ => JsonValue.Create(Pick(OddNumbers)),
    };

    private HttpRequestMessage Body(HttpMethod method, string url, byte[] body)
    {
        var content = new ByteArrayContent(body);
        var type = _random.Next(4) == 0 ? Pick(ContentTypes) : "application/json";
        if (type is not null)
        {
            content.Headers.TryAddWithoutValidation("Content-Type", type);
        }
        return new HttpRequestMessage(method, url) { Content = content };
    }

    private HttpRequestMessage Ndjson()
    {
        var lines = new List<byte[]>();
        for (var i = _random.Next(1, 6); i > 0; i--)
        {
            lines.Add(_random.Next(2) == 0 ? Mutate(Post()) : Encoding.UTF8.GetBytes(Post().ToJsonString()));
        }
        var bytes = lines.SelectMany(l => l.Append((byte)'\n')).ToArray();
        var content = new ByteArrayContent(bytes);
        content.Headers.TryAddWithoutValidation("Content-Type", Pick(["application/x-ndjson", "Application/X-NDJSON", "application/x-ndjson; charset=utf-16", "application/jsonl"]));
        return new HttpRequestMessage(HttpMethod.Post, "/v1/posts") { Content = content };
    }

    private HttpRequestMessage Lexicon()
    {
        var lines = new StringBuilder();
        for (var i = _random.Next(1, 5); i > 0; i--)
        {
            lines.Append(Pick(["测试词", "!允许", "x", ""])).Append(Pick(["\tfraud", "\tads\t0.5", "\tnope", "\tspam\t2", "\tdrugs\tabc", ""])).Append('\n');
        }
        var bytes = Encoding.UTF8.GetBytes(lines.ToString());
        if (_random.Next(5) == 0)
        {
            bytes = Splice(bytes, [0xFF, 0xFE]);
        }
        var content = new ByteArrayContent(bytes);
        content.Headers.TryAddWithoutValidation("Content-Type", Pick(["text/plain", "text/plain; charset=utf-8", "TEXT/PLAIN", "text/plain; charset=latin1", "text/plain;;", "application/json"]));
        var name = Pick(["fuzz", "fuzz-2", "bad name", "..", "x/y"]);
        return new HttpRequestMessage(HttpMethod.Put, "/v1/admin/lexicons/" + Uri.EscapeDataString(name)) { Content = content };
    }
}
