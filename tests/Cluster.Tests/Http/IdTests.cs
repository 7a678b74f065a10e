using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Cluster.Tests.Http;

/// <summary>docs/api.md "Ids": what ingest accepts can be read back through GET /v1/accounts/{account}.</summary>
public sealed class IdTests : SiloTestBase
{
    [Theory]
    [InlineData("u:1")]
    [InlineData("u@example.org")]
    [InlineData("100%")]
    [InlineData("a+b")]
    [InlineData("用户_小明")]
    [InlineData("e\u0301mile")]
    [InlineData("smile\U0001F600")]
    [InlineData("x%2Fy")]
    [InlineData("...")]
    public async Task An_accepted_account_id_round_trips_through_its_escaped_path(string account)
    {
        var screened = await Platform.PostJsonAsync("/v1/screen", Api.Post("id-" + account.Length, "测试诈骗词", account));
        Assert.Equal(HttpStatusCode.OK, screened.StatusCode);

        var response = await Platform.GetAsync("/v1/accounts/" + Uri.EscapeDataString(account));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Json();
        Assert.Equal(account, body["account"]!.GetValue<string>());
        Assert.Equal(1, body["posts"]!.GetValue<int>());
    }

    [Fact]
    public async Task Ids_a_path_cannot_carry_are_rejected_with_their_index_and_field()
    {
        var posts = new JsonArray(
            Post("ok", "fine", null),
            Post("p-1", "u/1", null),
            Post("p/2", "u", null),
            Post("p-3", "a b", null),
            Post("p-4", "..", null),
            Post("p-5", "u", "t\\1"),
            Post("p-6", new string('长', 129), null),
            Post("p-7", "tab\t", null),
            Post("p-8", "u", null, replyTo: "\u3000"));
        var response = await Platform.PostAsync("/v1/posts", new StringContent(posts.ToJsonString(), Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var body = await response.Json();
        Assert.Equal(1, body["accepted"]!.GetValue<int>());
        var rejected = body["rejected"]!.AsArray().ToDictionary(r => r!["index"]!.GetValue<int>(), r => r!["error"]!.GetValue<string>());
        Assert.Equal([1, 2, 3, 4, 5, 6, 7, 8], rejected.Keys.Order());
        Assert.StartsWith("account: has '/' at 1;", rejected[1]);
        Assert.StartsWith("id: has '/' at 1;", rejected[2]);
        Assert.StartsWith("account: has whitespace at 1;", rejected[3]);
        Assert.StartsWith("account: must not be '..';", rejected[4]);
        Assert.StartsWith("thread: has '\\' at 1;", rejected[5]);
        Assert.StartsWith("account: is 129 UTF-16 code units long;", rejected[6]);
        Assert.StartsWith("account: has a control character at 3;", rejected[7]);
        Assert.StartsWith("replyTo: has whitespace at 0;", rejected[8]);
    }

    [Theory]
    [InlineData("a%20b")]
    [InlineData("%E2%80%83x")]
    [InlineData("x%09")]
    public async Task An_account_path_outside_the_id_rule_is_a_400_naming_account(string escaped)
    {
        var response = await Platform.GetAsync("/v1/accounts/" + escaped);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.NotNull((await response.Json())["errors"]!["account"]);
    }

    private static JsonObject Post(string id, string account, string? thread, string? replyTo = null)
    {
        var post = new JsonObject { ["id"] = id, ["account"] = account, ["text"] = "x" };
        if (thread is not null)
        {
            post["thread"] = thread;
        }
        if (replyTo is not null)
        {
            post["replyTo"] = replyTo;
        }
        return post;
    }
}
