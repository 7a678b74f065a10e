using System.Net;

namespace Cluster.Tests.Http;

public sealed class OperationsTests : SiloTestBase
{
    [Fact]
    public async Task Health_and_readiness_need_no_token()
    {
        Assert.Equal(HttpStatusCode.OK, (await Anonymous().GetAsync("/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Anonymous().GetAsync("/readyz")).StatusCode);
    }

    [Fact]
    public async Task Metrics_count_accepted_posts_decisions_by_action_and_queue_depth()
    {
        await Platform.PostJsonAsync("/v1/screen", new[] { Api.Post("m-1", "测试诈骗词"), Api.Post("m-2", "测试广告词"), Api.Post("m-3", "你好") });
        var response = await Anonymous().GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        var lines = text.Split('\n');
        Assert.Contains("cluster_posts_accepted_total 3", lines);
        Assert.Contains("cluster_decisions_total{action=\"block\",source=\"machine\"} 1", lines);
        Assert.Contains("cluster_decisions_total{action=\"review\",source=\"machine\"} 1", lines);
        Assert.Contains("cluster_decisions_total{action=\"allow\",source=\"machine\"} 1", lines);
        Assert.Contains("cluster_review_queue_depth{queue=\"ads\"} 1", lines);
        Assert.Contains("cluster_inbox_lag_total 0", lines);
        Assert.Contains("cluster_stream_queues_owned 8", lines); // the one silo reads all of SiloFactory's 8 queues
        Assert.Contains("# TYPE cluster_posts_accepted_total counter", lines);
        // Orleans' own meter beside ours.
        Assert.Contains(lines, l => l.StartsWith("orleans_catalog_activations", StringComparison.Ordinal));
        Assert.Contains("# TYPE orleans_app_requests_latency summary", lines);
    }

    [Fact]
    public async Task The_orleans_dashboard_is_for_admins_only()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await Anonymous().GetAsync("/dashboard/")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await Platform.GetAsync("/dashboard/")).StatusCode);
        var page = await Admin.GetAsync("/dashboard/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType!.MediaType);
    }
}

public sealed class BootstrapTests : IAsyncLifetime
{
    private readonly SiloFactory _factory = new(configureAdminToken: false);

    [Fact]
    public async Task The_first_start_writes_an_admin_token_file_readable_only_by_its_owner()
    {
        _factory.CreateClient(); // starts the silo
        var path = Path.Combine(_factory.DataDir, "admin.token");
        Assert.True(File.Exists(path));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
        var token = (await File.ReadAllTextAsync(path)).Trim();
        var admin = _factory.CreateClient().As(token);
        var key = await admin.CreatePlatformAsync("boot");
        Assert.StartsWith("pk_", key);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _factory.DisposeAsync();
}
