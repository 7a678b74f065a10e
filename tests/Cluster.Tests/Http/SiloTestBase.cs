using System.Net.Http.Headers;
using System.Text;

namespace Cluster.Tests.Http;

/// <summary>One silo per test class instance, with an admin client, a platform and a test lexicon.</summary>
public abstract class SiloTestBase : IAsyncLifetime
{
    public const string TestLexicon = "测试诈骗词\tfraud\t0.9\n测试广告词\tads\t0.5\n测试毒品\tdrugs\t0.9\n!测试毒品店\n";

    protected SiloTestBase(TimeProvider? time = null) => Factory = new SiloFactory(time);

    protected SiloFactory Factory { get; }

    protected HttpClient Admin { get; private set; } = null!;

    protected HttpClient Platform { get; private set; } = null!;

    protected string PlatformKey { get; private set; } = "";

    public virtual async Task InitializeAsync()
    {
        Admin = Factory.CreateClient().As(SiloFactory.AdminToken);
        PlatformKey = await Admin.CreatePlatformAsync("demo");
        Platform = Factory.CreateClient().As(PlatformKey);
        var lexicon = await Admin.PutAsync("/v1/admin/lexicons/test", new StringContent(TestLexicon, Encoding.UTF8, "text/plain"));
        lexicon.EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync() => await Factory.DisposeAsync();

    protected HttpClient Client(string token) => Factory.CreateClient().As(token);

    protected HttpClient Anonymous()
    {
        var client = Factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = null;
        return client;
    }

    protected static HttpContent Raw(byte[] bytes, string mediaType)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        return content;
    }
}
