using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace Cluster.Tests.Http;

/// <summary>Each bad input gets a problem naming its field or batch index; the rest of a batch is kept; nothing is logged as a fault.</summary>
public sealed class BadInputTests : SiloTestBase
{
    private const string LoneSurrogate = "contains an escaped lone surrogate (invalid UTF-16)";

    [Fact]
    public async Task A_lone_surrogate_in_a_json_array_rejects_only_its_item_and_names_the_field()
    {
        var log = LogCapture.Attach(Factory);
        var body = """
            [{"id":"ls-0","account":"a","text":"fine"},
             {"id":"ls-1","account":"a","text":"bad \ud800 text"},
             {"id":"ls-2","account":"a\udc00","text":"x"},
             {"id":"ls-3","account":"a","text":"x","accountMeta":{"registeredAt":"\ud800\u0041"}},
             {"id":"ls-4","account":"a","text":"x","\udfff":1},
             {"id":"ls-5","account":"a","text":"a pair \ud83d\ude00 is fine"}]
            """;
        var response = await Platform.PostAsync("/v1/posts", Json(body));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var json = await response.Json();
        Assert.Equal(2, json["accepted"]!.GetValue<int>());
        var rejected = Rejected(json);
        Assert.Equal([1, 2, 3, 4], rejected.Keys.Order());
        Assert.Equal("text: " + LoneSurrogate, rejected[1]);
        Assert.Equal("account: " + LoneSurrogate, rejected[2]);
        Assert.Equal("accountMeta.registeredAt: " + LoneSurrogate, rejected[3]);
        Assert.Equal("item: has a property name with an escaped lone surrogate (invalid UTF-16)", rejected[4]);
        Assert.Empty(log.Faults());
    }

    [Fact]
    public async Task A_lone_surrogate_in_an_ndjson_line_rejects_only_that_line_after_a_committed_chunk()
    {
        var log = LogCapture.Attach(Factory);
        // More lines than one commit chunk (1,000): the bad line comes after the first chunk is durable.
        var lines = Enumerable.Range(0, 1500).Select(i => i == 1200
            ? """{"id":"nd-1200","account":"a","text":"\ud800"}"""
            : $$"""{"id":"nd-{{i}}","account":"a","text":"x"}""");
        var response = await Platform.PostNdjsonAsync("/v1/posts", lines);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var json = await response.Json();
        Assert.Equal(1499, json["accepted"]!.GetValue<int>());
        Assert.Equal("text: " + LoneSurrogate, Assert.Single(Rejected(json), r => r.Key == 1200).Value);
        Assert.Single(json["rejected"]!.AsArray());
        Assert.Empty(log.Faults());
    }

    [Fact]
    public async Task A_lone_surrogate_on_screen_is_a_400_naming_the_field_or_one_rejected_item_of_an_array()
    {
        var log = LogCapture.Attach(Factory);
        var single = await Platform.PostAsync("/v1/screen", Json("""{"id":"sc-ls","account":"a","text":"\udc00"}"""));
        await AssertProblemAsync(single, HttpStatusCode.BadRequest, "text");

        var array = await Platform.PostAsync("/v1/screen", Json("""[{"id":"sc-ls-1","account":"a","text":"\udc00"},{"id":"sc-ok","account":"a","text":"你好"}]"""));
        Assert.Equal(HttpStatusCode.OK, array.StatusCode);
        var json = await array.Json();
        Assert.Equal("sc-ok", Assert.Single(json["results"]!.AsArray())!["id"]!.GetValue<string>());
        Assert.Equal("text: " + LoneSurrogate, Rejected(json)[0]);
        Assert.Empty(log.Faults());
    }

    [Fact]
    public async Task Lone_surrogates_in_admin_and_review_bodies_name_the_field()
    {
        var log = LogCapture.Attach(Factory);
        var reviewer = Client(await Admin.CreateReviewerAsync("r-ls"));
        await AssertProblemAsync(await Admin.PostAsync("/v1/admin/rumors", Json("""{"title":"\ud800","claim":"x","debunkUrl":"https://a.b"}""")), HttpStatusCode.BadRequest, "title");
        await AssertProblemAsync(await Admin.PostAsync("/v1/admin/reviewers", Json("""{"id":"r-x","name":"n","queues":["ads","\ud800"]}""")), HttpStatusCode.BadRequest, "queues[1]");
        await AssertProblemAsync(await reviewer.PostAsync("/v1/review/claim", Json("""{"queue":"\udbff"}""")), HttpStatusCode.BadRequest, "queue");
        Assert.Empty(log.Faults());
    }

    [Fact]
    public async Task Policy_keys_that_collide_after_normalizing_name_the_later_key_as_sent()
    {
        var fraud = await Admin.PutAsync("/v1/admin/platforms/demo/policy", Json("""{"thresholds":{"fraud":{"review":0.5,"block":0.9},"FRAUD":{"review":0.1,"block":0.2}}}"""));
        var errors = await AssertProblemAsync(fraud, HttpStatusCode.BadRequest, "thresholds.FRAUD");
        Assert.False(errors.ContainsKey("thresholds.fraud"));

        var spam = await Admin.PutAsync("/v1/admin/platforms/demo/policy", Json("""{"thresholds":{"spam":{"review":0.5,"block":0.9}," spam ":{"review":0.5,"block":0.9}}}"""));
        await AssertProblemAsync(spam, HttpStatusCode.BadRequest, "thresholds. spam ");

        // Nothing was stored: the next valid policy is version 1.
        var ok = await Admin.PutAsync("/v1/admin/platforms/demo/policy", Json("""{"thresholds":{" Spam ":{"review":0.5,"block":0.9}}}"""));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(1, (await ok.Json())["version"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("/v1/decisions?limit=abc", "limit")]
    [InlineData("/v1/decisions?limit=5&limit=6", "limit")]
    [InlineData("/v1/decisions?waitMs=99999999999", "waitMs")]
    [InlineData("/v1/decisions?waitMs=-1", "waitMs")]
    [InlineData("/v1/decisions?after=x1", "after")]
    public async Task Bad_query_values_name_the_parameter(string url, string field)
    {
        await AssertProblemAsync(await Platform.GetAsync(url), HttpStatusCode.BadRequest, field);
    }

    [Fact]
    public async Task An_unknown_account_is_a_404_naming_the_route_value()
    {
        await AssertProblemAsync(await Platform.GetAsync("/v1/accounts/never-seen"), HttpStatusCode.NotFound, "account");
    }

    [Theory]
    [InlineData("/v1/review/claim", """{"max":"a"}""", "max")]
    [InlineData("/v1/review/claim", """{"max":99999999999999}""", "max")]
    [InlineData("/v1/review/claim", """{"leaseSeconds":true}""", "leaseSeconds")]
    [InlineData("/v1/review/claim", """[1]""", "body")]
    [InlineData("/v1/review/claim", """{"max":""", "body")]
    [InlineData("/v1/review/items/x/decision", """{"verdict":1}""", "verdict")]
    [InlineData("/v1/review/items/x/decision", "", "body")]
    [InlineData("/v1/review/items/x/decision", "not json", "body")]
    public async Task Review_bodies_that_do_not_bind_name_the_field(string url, string body, string field)
    {
        var reviewer = Client(await Admin.CreateReviewerAsync("r-bind"));
        await AssertProblemAsync(await reviewer.PostAsync(url, Json(body)), HttpStatusCode.BadRequest, field);
    }

    [Theory]
    [InlineData("PUT", "/v1/admin/platforms/demo/policy", """{"thresholds":[]}""", "thresholds")]
    [InlineData("PUT", "/v1/admin/platforms/demo/policy", """{"thresholds":{"fraud":{"review":"x"}}}""", "thresholds.fraud.review")]
    [InlineData("POST", "/v1/admin/rumors", """{"claim":12}""", "claim")]
    [InlineData("POST", "/v1/admin/platforms", """{"id":["a"]}""", "id")]
    [InlineData("POST", "/v1/admin/reviewers", """{"id":"r","name":"n","queues":"ads"}""", "queues")]
    [InlineData("POST", "/v1/admin/platforms", """{"id":"a","name":"b"} trailing""", "body")]
    public async Task Admin_bodies_that_do_not_bind_name_the_field(string method, string url, string body, string field)
    {
        var response = await Admin.SendAsync(new HttpRequestMessage(new HttpMethod(method), url) { Content = Json(body) });
        await AssertProblemAsync(response, HttpStatusCode.BadRequest, field);
    }

    [Fact]
    public async Task Bodies_that_are_not_utf8_are_refused_on_every_endpoint_naming_the_body()
    {
        var reviewer = Client(await Admin.CreateReviewerAsync("r-utf8"));
        byte[] bytes = [(byte)'{', (byte)'"', (byte)'i', (byte)'d', (byte)'"', (byte)':', (byte)'"', 0xC3, 0x28, (byte)'"', (byte)'}'];
        await AssertProblemAsync(await Admin.PostAsync("/v1/admin/platforms", Raw(bytes, "application/json")), HttpStatusCode.BadRequest, "body");
        await AssertProblemAsync(await Admin.PostAsync("/v1/admin/rumors", Raw(bytes, "application/json")), HttpStatusCode.BadRequest, "body");
        await AssertProblemAsync(await reviewer.PostAsync("/v1/review/claim", Raw(bytes, "application/json")), HttpStatusCode.BadRequest, "body");
        await AssertProblemAsync(await Platform.PostAsync("/v1/screen", Raw(bytes, "application/json")), HttpStatusCode.BadRequest, "body");
        await AssertProblemAsync(await Admin.PutAsync("/v1/admin/lexicons/test", Raw([0xFF, 0xFE, (byte)'a'], "text/plain")), HttpStatusCode.BadRequest, "body");
    }

    [Fact]
    public async Task An_item_nested_too_deep_fails_alone_in_posts_and_screen_arrays()
    {
        var log = LogCapture.Attach(Factory);
        var deep17 = new string('[', 17) + new string(']', 17);
        var deep5000 = new string('[', 5000) + new string(']', 5000);
        var deep14 = new string('[', 14) + new string(']', 14);
        var body = "[" + string.Join(",",
            """{"id":"d-0","account":"a","text":"x","accountMeta":{"verified":true}}""",
            """{"id":"d-1","account":"a","text":"x","extra":""" + deep17 + "}",
            deep5000,
            """{"id":"d-3","account":"a","text":"x","extra":""" + deep14 + "}") + "]";
        var posts = await Platform.PostAsync("/v1/posts", Json(body));
        Assert.Equal(HttpStatusCode.Accepted, posts.StatusCode);
        var json = await posts.Json();
        Assert.Equal(2, json["accepted"]!.GetValue<int>());
        var rejected = Rejected(json);
        Assert.Equal("extra: nested deeper than 16 levels", rejected[1]);
        Assert.Equal("item: nested deeper than 16 levels", rejected[2]);
        Assert.Equal(2, rejected.Count);

        var screen = await Platform.PostAsync("/v1/screen", Json("""[{"id":"d-s","account":"a","text":"x","extra":""" + deep17 + """},{"id":"d-s2","account":"a","text":"x"}]"""));
        Assert.Equal(HttpStatusCode.OK, screen.StatusCode);
        Assert.Equal("extra: nested deeper than 16 levels", Rejected(await screen.Json())[0]);
        Assert.Empty(log.Faults());
    }

    [Theory]
    [InlineData("APPLICATION/JSON")]
    [InlineData("Application/Json; Charset=\"UTF-8\"")]
    [InlineData("application/json; charset=utf8")]
    public async Task Json_media_types_match_case_insensitively(string contentType)
    {
        var response = await Platform.PostAsync("/v1/posts", Typed($$"""[{"id":"mt-{{contentType.Length}}","account":"a","text":"x"}]""", contentType));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(1, (await response.Json())["accepted"]!.GetValue<int>());
    }

    [Fact]
    public async Task Ndjson_media_types_match_case_insensitively()
    {
        var response = await Platform.PostAsync("/v1/posts", Typed("{\"id\":\"nd-case\",\"account\":\"a\",\"text\":\"x\"}\n", "Application/X-NDJSON"));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(1, (await response.Json())["accepted"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("/v1/posts", "application/json; charset=utf-16")]
    [InlineData("/v1/posts", "application/x-ndjson; charset=latin1")]
    [InlineData("/v1/posts", "application/json;;;")]
    [InlineData("/v1/posts", "application/xml")]
    [InlineData("/v1/screen", "application/json; charset=latin1")]
    [InlineData("/v1/screen", "text/plain")]
    [InlineData("/v1/admin/rumors", "application/json; charset=utf-16")]
    [InlineData("/v1/admin/platforms", "application/json;;;")]
    [InlineData("/v1/review/claim", "text/plain")]
    public async Task Other_charsets_and_unparseable_content_types_get_415_naming_the_header(string url, string contentType)
    {
        var client = url.StartsWith("/v1/admin", StringComparison.Ordinal) ? Admin
            : url.StartsWith("/v1/review", StringComparison.Ordinal) ? Client(await Admin.CreateReviewerAsync("r-mt"))
            : Platform;
        var response = await client.PostAsync(url, Typed("""[{"id":"mt-x","account":"a","text":"x"}]""", contentType));
        await AssertProblemAsync(response, HttpStatusCode.UnsupportedMediaType, "Content-Type");
    }

    [Theory]
    [InlineData("text/plain; charset=latin1")]
    [InlineData("text/plain;;")]
    [InlineData("application/json")]
    public async Task A_lexicon_upload_checks_its_media_type_and_charset(string contentType)
    {
        var response = await Admin.PutAsync("/v1/admin/lexicons/test", Typed("词\tfraud\n", contentType));
        await AssertProblemAsync(response, HttpStatusCode.UnsupportedMediaType, "Content-Type");
        var upper = await Admin.PutAsync("/v1/admin/lexicons/test", Typed(TestLexicon, "TEXT/PLAIN; CHARSET=UTF-8"));
        Assert.Equal(HttpStatusCode.OK, upper.StatusCode);
    }

    [Fact]
    public async Task Framework_and_app_4xx_answers_are_problems_naming_what_to_fix()
    {
        var reviewer = Client(await Admin.CreateReviewerAsync("r-4xx", queues: ["ads"]));
        var anonymous = await Anonymous().GetAsync("/v1/decisions");
        await AssertProblemAsync(anonymous, HttpStatusCode.Unauthorized, "Authorization");
        Assert.Equal("Bearer", anonymous.Headers.WwwAuthenticate.Single().Scheme);
        await AssertProblemAsync(await Client("pk_unknown").GetAsync("/v1/decisions"), HttpStatusCode.Unauthorized, "Authorization");
        await AssertProblemAsync(await reviewer.GetAsync("/v1/decisions"), HttpStatusCode.Forbidden, "Authorization");
        await AssertProblemAsync(await reviewer.PostAsJsonAsync("/v1/review/claim", new { queue = "fraud" }), HttpStatusCode.Forbidden, "queue");
        await AssertProblemAsync(await Platform.GetAsync("/v1/nothing-here"), HttpStatusCode.NotFound, "path");
        await AssertProblemAsync(await Platform.DeleteAsync("/v1/posts"), HttpStatusCode.MethodNotAllowed, "method");
        await AssertProblemAsync(await reviewer.PostAsJsonAsync("/v1/review/items/nope/decision", new { verdict = "clear" }), HttpStatusCode.NotFound, "id");
        await AssertProblemAsync(await reviewer.PostAsync("/v1/review/items/nope/release", null), HttpStatusCode.NotFound, "id");
        await AssertProblemAsync(await Admin.PutAsync("/v1/admin/platforms/nope/policy", Json("{}")), HttpStatusCode.NotFound, "id");
        await AssertProblemAsync(await Admin.PostAsJsonAsync("/v1/admin/platforms", new { id = "demo", name = "again" }), HttpStatusCode.Conflict, "id");
        var tooMany = Enumerable.Range(0, 101).Select(i => Api.Post($"big-{i}", "x")).ToArray();
        await AssertProblemAsync(await Platform.PostJsonAsync("/v1/screen", tooMany), HttpStatusCode.RequestEntityTooLarge, "body");
    }

    private static async Task<JsonObject> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string field)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"{(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = JsonNode.Parse(text)!;
        Assert.StartsWith("urn:screening-cluster:problem:", body["type"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(body["title"]!.GetValue<string>()));
        var errors = body["errors"]!.AsObject();
        Assert.True(errors.ContainsKey(field), $"errors has no '{field}': {text}");
        Assert.NotEmpty(errors[field]!.AsArray());
        return errors;
    }

    private static Dictionary<int, string> Rejected(JsonNode body) =>
        body["rejected"]!.AsArray().ToDictionary(r => r!["index"]!.GetValue<int>(), r => r!["error"]!.GetValue<string>());

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static ByteArrayContent Typed(string text, string contentType)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(text));
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        return content;
    }
}
