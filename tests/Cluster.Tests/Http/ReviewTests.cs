using Microsoft.Extensions.DependencyInjection;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Cluster.Grains.Accounts;
using Cluster.Grains.Review;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace Cluster.Tests.Http;

public sealed class ReviewTests : SiloTestBase
{
    public ReviewTests()
        : base(new FakeTimeProvider(DateTimeOffset.UtcNow))
    {
    }

    private FakeTimeProvider Time => (FakeTimeProvider)Factory.Services.GetRequiredKeyedService<TimeProvider>(Cluster.Grains.ClusterClock.Key);

    [Fact]
    public async Task Two_reviewers_never_hold_one_item_and_a_verdict_supersedes_the_machine_decision()
    {
        var r1 = Client(await Admin.CreateReviewerAsync("r1"));
        var r2 = Client(await Admin.CreateReviewerAsync("r2"));
        await EscalateAsync("rv-1", "acct-r");

        var claim1 = await (await r1.PostAsJsonAsync("/v1/review/claim", new { max = 5 })).Json();
        var item = Assert.Single(claim1["items"]!.AsArray())!;
        Assert.Equal("ads", item["queue"]!.GetValue<string>());
        Assert.Equal("rv-1", item["post"]!["id"]!.GetValue<string>());
        Assert.Equal("测试广告词，私聊", item["post"]!["text"]!.GetValue<string>());
        Assert.Equal(1, item["account"]!["posts"]!.GetValue<int>());
        var itemId = item["id"]!.GetValue<string>();

        var claim2 = await (await r2.PostAsJsonAsync("/v1/review/claim", new { max = 5 })).Json();
        Assert.Empty(claim2["items"]!.AsArray());

        var stolen = await r2.PostAsJsonAsync($"/v1/review/items/{itemId}/decision", new { verdict = "clear" });
        Assert.Equal(HttpStatusCode.Conflict, stolen.StatusCode);

        var queues = (await (await r1.GetAsync("/v1/review/queues")).Json()).AsArray();
        var ads = queues.Single(q => q!["queue"]!.GetValue<string>() == "ads")!;
        Assert.Equal(0, ads["depth"]!.GetValue<int>());
        Assert.Equal(1, ads["claimed"]!.GetValue<int>());

        var decided = await r1.PostAsJsonAsync($"/v1/review/items/{itemId}/decision", new { verdict = "violation", category = "ads" });
        Assert.Equal(HttpStatusCode.OK, decided.StatusCode);
        var twice = await r1.PostAsJsonAsync($"/v1/review/items/{itemId}/decision", new { verdict = "violation" });
        Assert.Equal(HttpStatusCode.Conflict, twice.StatusCode);

        var feed = await Platform.FeedAsync(2);
        var machine = feed.Single(d => d["source"]!.GetValue<string>() == "machine");
        var human = feed.Single(d => d["source"]!.GetValue<string>() == "human");
        Assert.Equal("review", machine["action"]!.GetValue<string>());
        Assert.Equal("block", human["action"]!.GetValue<string>());
        Assert.Equal("r1", human["reviewer"]!.GetValue<string>());
        Assert.Equal(machine["decisionId"]!.GetValue<string>(), human["supersedes"]!.GetValue<string>());
        Assert.Equal("warned", human["accountStatus"]!.GetValue<string>());

        var account = await (await Platform.GetAsync("/v1/accounts/acct-r")).Json();
        Assert.Equal(1, account["strikes"]!.GetValue<int>());
        Assert.Equal("warned", account["status"]!.GetValue<string>());

        var screen = (await (await Platform.PostJsonAsync("/v1/screen", Api.Post("rv-1", "测试广告词，私聊", "acct-r"))).Json())["results"]![0]!;
        Assert.Equal("human", screen["source"]!.GetValue<string>());
        Assert.Equal("block", screen["action"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_expired_lease_returns_the_item_and_release_hands_it_back()
    {
        var r1 = Client(await Admin.CreateReviewerAsync("r1"));
        var r2 = Client(await Admin.CreateReviewerAsync("r2"));
        await EscalateAsync("rv-2", "acct-l");

        var held = (await (await r1.PostAsJsonAsync("/v1/review/claim", new { leaseSeconds = 60 })).Json())["items"]![0]!;
        var itemId = held["id"]!.GetValue<string>();
        Time.Advance(TimeSpan.FromSeconds(61));

        var taken = (await (await r2.PostAsJsonAsync("/v1/review/claim", new { })).Json())["items"]!.AsArray();
        Assert.Equal(itemId, Assert.Single(taken)!["id"]!.GetValue<string>());
        var late = await r1.PostAsJsonAsync($"/v1/review/items/{itemId}/decision", new { verdict = "clear" });
        Assert.Equal(HttpStatusCode.Conflict, late.StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await r2.PostAsync($"/v1/review/items/{itemId}/release", null)).StatusCode);
        var back = (await (await r1.PostAsJsonAsync("/v1/review/claim", new { })).Json())["items"]!.AsArray();
        Assert.Equal(itemId, Assert.Single(back)!["id"]!.GetValue<string>());

        Assert.Equal(HttpStatusCode.OK, (await r1.PostAsJsonAsync($"/v1/review/items/{itemId}/decision", new { verdict = "clear" })).StatusCode);
        var feed = await Platform.FeedAsync(2);
        Assert.Equal("allow", feed.Single(d => d["source"]!.GetValue<string>() == "human")["action"]!.GetValue<string>());
    }

    [Fact]
    public async Task Escalation_goes_to_the_senior_queue_which_only_seniors_see()
    {
        var junior = Client(await Admin.CreateReviewerAsync("j1"));
        var senior = Client(await Admin.CreateReviewerAsync("s1", "senior"));
        await EscalateAsync("rv-3", "acct-e");

        var itemId = (await (await junior.PostAsJsonAsync("/v1/review/claim", new { })).Json())["items"]![0]!["id"]!.GetValue<string>();
        Assert.Equal(HttpStatusCode.OK, (await junior.PostAsJsonAsync($"/v1/review/items/{itemId}/decision", new { verdict = "escalate" })).StatusCode);

        Assert.Empty((await (await junior.PostAsJsonAsync("/v1/review/claim", new { })).Json())["items"]!.AsArray());
        Assert.Equal(HttpStatusCode.Forbidden, (await junior.PostAsJsonAsync("/v1/review/claim", new { queue = "senior" })).StatusCode);
        var seniorItem = (await (await senior.PostAsJsonAsync("/v1/review/claim", new { queue = "senior" })).Json())["items"]!.AsArray();
        Assert.Equal("senior", Assert.Single(seniorItem)!["queue"]!.GetValue<string>());

        var ban = await senior.PostAsJsonAsync($"/v1/review/items/{itemId}/decision", new { verdict = "violation", sanction = "ban" });
        Assert.Equal(HttpStatusCode.OK, ban.StatusCode);
        await Platform.FeedAsync(2);
        Assert.Equal("banned", (await (await Platform.GetAsync("/v1/accounts/acct-e")).Json())["status"]!.GetValue<string>());
    }

    /// <summary>
    /// The silo stops between the transaction that decides the item (and stores the verdict) and the grain call: the
    /// stored verdict is applied by the background redelivery, once, however often it is delivered.
    /// </summary>
    [Fact]
    public async Task A_verdict_stored_but_not_applied_is_redelivered_and_counts_one_strike()
    {
        var r1 = Client(await Admin.CreateReviewerAsync("r1"));
        await EscalateAsync("rv-4", "acct-v");
        var itemId = (await (await r1.PostAsJsonAsync("/v1/review/claim", new { })).Json())["items"]![0]!["id"]!.GetValue<string>();
        var store = Factory.Services.GetRequiredService<IReviewStore>();
        var (outcome, verdict) = await store.DecideAsync(itemId, new ReviewerScope("r1", ["*"], false), ReviewVerdict.Violation, item =>
            new ReviewVerdict(ReviewVerdict.CurrentV, item.Platform, item.Account, item.PostId, item.Id, "r1", ReviewVerdict.Violation, "ads",
                null, item.MachineDecisionId, item.Labels, null, item.Version), CancellationToken.None);
        Assert.Equal(ReviewOutcome.Done, outcome);
        Assert.Equal(0, (await (await Platform.GetAsync("/v1/accounts/acct-v")).Json())["strikes"]!.GetValue<int>());

        Time.Advance(TimeSpan.FromSeconds(11)); // older than the redelivery's grace period
        var redelivery = Factory.Services.GetServices<IHostedService>().OfType<VerdictRedelivery>().Single();
        await redelivery.PassAsync(CancellationToken.None);
        // As if the mark had been lost after the grain applied it: the grain skips the item it has applied.
        await Factory.Services.GetRequiredService<IGrainFactory>().GetGrain<IAccountGrain>(AccountGrain.KeyOf("demo", "acct-v")).ApplyVerdictAsync(verdict!);
        await redelivery.PassAsync(CancellationToken.None);

        var account = await (await Platform.GetAsync("/v1/accounts/acct-v")).Json();
        Assert.Equal(1, account["strikes"]!.GetValue<int>());
        Assert.Empty(await store.UnappliedVerdictsAsync(TimeSpan.Zero, 10, CancellationToken.None));
        var human = (await Platform.FeedAsync(2)).Where(d => d["source"]!.GetValue<string>() == "human").ToList();
        Assert.Equal("block", Assert.Single(human)["action"]!.GetValue<string>());
    }

    [Fact]
    public async Task Review_requests_are_validated_field_by_field()
    {
        var r1 = Client(await Admin.CreateReviewerAsync("r1"));
        var tooMany = await r1.PostAsJsonAsync("/v1/review/claim", new { max = 51 });
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
        Assert.NotNull((await tooMany.Json())["errors"]!["max"]);
        var badVerdict = await r1.PostAsJsonAsync("/v1/review/items/x/decision", new { verdict = "maybe" });
        Assert.NotNull((await badVerdict.Json())["errors"]!["verdict"]);
        Assert.Equal(HttpStatusCode.NotFound, (await r1.PostAsJsonAsync("/v1/review/items/nope/decision", new { verdict = "clear" })).StatusCode);
    }

    private async Task EscalateAsync(string postId, string account)
    {
        var result = (await (await Platform.PostJsonAsync("/v1/screen", Api.Post(postId, "测试广告词，私聊", account))).Json())["results"]![0]!;
        Assert.Equal("review", result["action"]!.GetValue<string>());
    }
}
