using Cluster.Grains.Platforms;
using Cluster.Screening;

namespace Cluster.Grains.Tests.Platforms;

public sealed class PlatformPolicyTests
{
    [Fact]
    public void By_default_politics_reviews_from_0_4_and_no_reachable_score_blocks_it()
    {
        var politics = PlatformPolicy.Default.For(Category.Politics);

        Assert.Equal(0.4, politics.Review);
        Assert.True(politics.Block > 1.0, $"block at {politics.Block}");
        Assert.True(ScreeningResult.Combine(ScreeningResult.Combine(0, 1.0), 1.0) < politics.Block);
    }

    [Fact]
    public void By_default_every_other_category_reviews_from_0_4_and_blocks_from_0_8()
    {
        Assert.All(Categories.All.Where(c => c != Category.Politics), c => Assert.Equal(new Threshold(0.4, 0.8), PlatformPolicy.Default.For(c)));
    }

    [Fact]
    public void A_platform_policy_that_lists_politics_can_make_it_block()
    {
        var policy = new PlatformPolicy(3, new Dictionary<string, Threshold> { ["politics"] = new(0.4, 0.8) });

        Assert.Equal(new Threshold(0.4, 0.8), policy.For(Category.Politics));
    }

    [Fact]
    public void A_platform_policy_that_does_not_list_politics_keeps_it_review_only()
    {
        var policy = PlatformPolicies.Deserialize(PlatformPolicies.Serialize(new Dictionary<string, Threshold> { ["fraud"] = new(0.5, 0.95) }));

        Assert.Equal(PlatformPolicy.PoliticsThreshold, new PlatformPolicy(1, policy).For(Category.Politics));
        Assert.Equal(new Threshold(0.5, 0.95), new PlatformPolicy(1, policy).For(Category.Fraud));
    }
}
