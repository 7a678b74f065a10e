using System.Net;
using System.Net.Http.Json;

namespace Cluster.Tests.Http;

public sealed class AuthTests : SiloTestBase
{
    [Fact]
    public async Task Requests_without_a_known_token_are_unauthorized()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await Anonymous().GetAsync("/v1/decisions")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Client("pk_not-a-real-key").GetAsync("/v1/decisions")).StatusCode);
    }

    [Fact]
    public async Task Each_kind_of_token_reaches_only_its_own_endpoints()
    {
        var reviewer = Client(await Admin.CreateReviewerAsync("r1"));
        Assert.Equal(HttpStatusCode.Forbidden, (await Platform.PostAsJsonAsync("/v1/admin/platforms", new { id = "x", name = "x" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await reviewer.PostAsJsonAsync("/v1/admin/platforms", new { id = "x", name = "x" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await reviewer.GetAsync("/v1/decisions")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await Platform.PostAsJsonAsync("/v1/review/claim", new { })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await Admin.PostJsonAsync("/v1/posts", new[] { Api.Post("a", "b") })).StatusCode);
    }

    [Fact]
    public async Task A_platform_key_never_sees_another_platforms_data()
    {
        var other = Client(await Admin.CreatePlatformAsync("other"));
        await Platform.PostJsonAsync("/v1/screen", Api.Post("mine-1", "测试诈骗词", "shared-name"));

        var theirs = await (await other.GetAsync("/v1/decisions?waitMs=100")).Json();
        Assert.Empty(theirs["decisions"]!.AsArray());
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync("/v1/accounts/shared-name")).StatusCode);

        // The same post id on another platform is another post, not a duplicate.
        var result = (await (await other.PostJsonAsync("/v1/screen", Api.Post("mine-1", "hello", "shared-name"))).Json())["results"]![0]!;
        Assert.Equal("allow", result["action"]!.GetValue<string>());
        Assert.Single((await Platform.FeedAsync(1)));
    }

    [Fact]
    public async Task Keys_are_shown_once_and_stored_only_as_hashes()
    {
        var key = await Admin.CreatePlatformAsync("hashed");
        var duplicate = await Admin.PostAsJsonAsync("/v1/admin/platforms", new { id = "hashed", name = "again" });
        Assert.Equal(HttpStatusCode.Conflict, duplicate.StatusCode);
        var invalid = await Admin.PostAsJsonAsync("/v1/admin/platforms", new { id = "Bad Id!", name = "x" });
        Assert.NotNull((await invalid.Json())["errors"]!["id"]);

        var text = string.Concat(Directory.GetFiles(Factory.DataDir, "cluster.db*").Select(ReadShared));
        Assert.DoesNotContain(key, text);
        Assert.DoesNotContain(PlatformKey, text);
        Assert.DoesNotContain(SiloFactory.AdminToken, text);
    }

    private static string ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return System.Text.Encoding.ASCII.GetString(copy.ToArray());
    }
}
