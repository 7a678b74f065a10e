using Cluster.Grains.Decisions;
using Cluster.Grains.Platforms;
using Cluster.Grains.Posts;
using Cluster.Grains.Review;
using Cluster.Storage.Streams;

namespace Cluster.Storage.Tests.Support;

/// <summary>A facts store (one object behind the four seams) and the stream backlog, on a standalone database.</summary>
internal sealed record FactsStores(IPostStore Posts, IDecisionStore Decisions, IReviewStore Review, IAdminStore Admin, IQueueBacklog Backlog);
