using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Cluster.Tests.Http;

/// <summary>Screening:DefaultLexicon through a real silo: the shipped list by default, none, an operator's file, and bad values.</summary>
public sealed class DefaultLexiconTests : IAsyncLifetime
{
    // 可卡因 (cocaine) is in the shipped default lexicon (at the imported-term cap, 0.7) and not in the starter list;
    // so is 氯胺酮 (ketamine): one of them reviews, both block.
    private const string DefaultOnlyTerm = "有人在群里卖可卡因";

    private const string TwoDefaultOnlyTerms = "有人在群里卖可卡因和氯胺酮";

    private readonly SiloFactory _factory = new();
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "default-lexicon-tests-" + Guid.NewGuid().ToString("N"));

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(_dir);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _factory.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task By_default_the_shipped_lexicon_screens_and_uploads_add_to_it()
    {
        var admin = _factory.CreateClient().As(SiloFactory.AdminToken);
        var platform = _factory.CreateClient().As(await admin.CreatePlatformAsync("demo"));

        var drugs = await ScreenAsync(platform, "d-1", DefaultOnlyTerm);
        Assert.Equal("review", drugs["action"]!.GetValue<string>());
        Assert.Equal(["lexicon:default@1"], Sources(drugs, "drugs"));
        Assert.Equal("block", (await ScreenAsync(platform, "d-0", TwoDefaultOnlyTerms))["action"]!.GetValue<string>());
        Assert.Equal("allow", (await ScreenAsync(platform, "d-2", "今天天气不错"))["action"]!.GetValue<string>());

        var put = await admin.PutAsync("/v1/admin/lexicons/test", new StringContent(SiloTestBase.TestLexicon, Encoding.UTF8, "text/plain"));
        put.EnsureSuccessStatusCode();
        var uploaded = await ScreenAsync(platform, "d-3", "测试诈骗词，" + DefaultOnlyTerm);
        Assert.Equal("block", uploaded["action"]!.GetValue<string>());
        Assert.Contains("lexicon:test@1", Sources(uploaded, "fraud"));
        Assert.Equal(["lexicon:default@1"], Sources(uploaded, "drugs"));
    }

    [Fact]
    public async Task None_screens_with_the_starter_list_only()
    {
        var platform = await PlatformAsync(Silo("none"));

        var result = await ScreenAsync(platform, "n-1", TwoDefaultOnlyTerms);
        Assert.Equal("allow", result["action"]!.GetValue<string>());
        Assert.Empty(result["labels"]!.AsArray());
        Assert.Equal(["lexicon:starter@1"], Sources(await ScreenAsync(platform, "n-2", "一起网赌吧"), "gambling"));
    }

    [Fact]
    public async Task A_path_loads_that_file_instead_of_the_shipped_list()
    {
        var path = Path.Combine(_dir, "custom.lexicon");
        await File.WriteAllTextAsync(path, "# an operator's list\n自定义违禁词\tfraud\t0.9\n");
        var platform = await PlatformAsync(Silo(path));

        var custom = await ScreenAsync(platform, "f-1", "这里有自定义违禁词");
        Assert.Equal("block", custom["action"]!.GetValue<string>());
        Assert.Equal(["lexicon:default@0"], Sources(custom, "fraud"));
        Assert.Equal("allow", (await ScreenAsync(platform, "f-2", TwoDefaultOnlyTerms))["action"]!.GetValue<string>());
    }

    [Fact]
    public void A_missing_file_stops_the_silo_naming_the_key()
    {
        var error = StartFailure(Silo(Path.Combine(_dir, "missing.lexicon")));

        Assert.Contains("Screening:DefaultLexicon", error);
        Assert.Contains("missing.lexicon", error);
    }

    [Fact]
    public async Task A_file_with_an_invalid_line_stops_the_silo_naming_the_key_and_the_line()
    {
        var path = Path.Combine(_dir, "bad.lexicon");
        await File.WriteAllTextAsync(path, "好词\tfraud\t0.9\n坏词\tnot-a-category\n");

        var error = StartFailure(Silo(path));

        Assert.Contains("Screening:DefaultLexicon", error);
        Assert.Contains("line 2", error);
    }

    private WebApplicationFactory<Program> Silo(string setting) =>
        _factory.WithWebHostBuilder(b => b.UseSetting("Screening:DefaultLexicon", setting));

    private static async Task<HttpClient> PlatformAsync(WebApplicationFactory<Program> silo)
    {
        var admin = silo.CreateClient().As(SiloFactory.AdminToken);
        return silo.CreateClient().As(await admin.CreatePlatformAsync("demo"));
    }

    private static async Task<JsonNode> ScreenAsync(HttpClient platform, string id, string text)
    {
        var response = await platform.PostJsonAsync("/v1/screen", Api.Post(id, text));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Json())["results"]![0]!;
    }

    private static string[] Sources(JsonNode result, string category) =>
        result["labels"]!.AsArray().Where(l => l!["category"]!.GetValue<string>() == category)
            .SelectMany(l => l!["evidence"]!.AsArray()).Select(e => e!["source"]!.GetValue<string>()).Distinct().Order().ToArray();

    /// <summary>The messages of the exception a failed start throws, inner ones included.</summary>
    private static string StartFailure(WebApplicationFactory<Program> silo)
    {
        var thrown = Assert.ThrowsAny<Exception>(() => silo.CreateClient());
        var messages = new StringBuilder();
        for (Exception? e = thrown; e is not null; e = e.InnerException)
        {
            messages.AppendLine(e.Message);
        }
        return messages.ToString();
    }
}
