using Cluster.Grains;
using Microsoft.Extensions.DependencyInjection;
using Cluster.Grains.Accounts;
using Cluster.Grains.Decisions;
using Cluster.Grains.Posts;
using Cluster.Screening;

namespace Cluster.Ingest.Posts;

/// <summary>Stage 1 where the post arrives: screen its text (pure CPU) and build the event for its AccountGrain.</summary>
public sealed class PostPipeline(ScreeningEngine engine, [FromKeyedServices(ClusterClock.Key)] TimeProvider time)
{
    public PostAppend Prepare(string platform, IncomingPost post, bool enqueue)
    {
        var result = engine.Current.Screen(post.Text);
        var findings = new PostFinding[result.Findings.Count];
        for (var i = 0; i < findings.Length; i++)
        {
            var f = result.Findings[i];
            findings[i] = new PostFinding(Categories.Name(f.Category), f.Weight, f.Start, f.End, f.Text, f.Source);
        }
        var now = time.GetUtcNow();
        var debunk = result.Rumor is { } rumor ? new Debunk(rumor.Id, rumor.Title, rumor.DebunkUrl) : null;
        var submitted = new PostSubmitted(PostSubmitted.CurrentV, platform, post.Id, post.Account, post.Kind, now, post.Meta, findings, debunk);
        var record = new PostRecord(platform, post.Id, post.Account, post.Kind, post.Text, post.CreatedAt, now, ContentHash.Of(post.Kind, post.Text), 1);
        return new PostAppend(record, submitted, enqueue);
    }
}
