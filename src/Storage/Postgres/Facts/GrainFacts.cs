using Cluster.Grains.Decisions;
using Cluster.Grains.Review;

namespace Cluster.Storage.Postgres.Facts;

/// <summary>The decisions and review items of one grain's apply, written together in one transaction.</summary>
internal sealed record GrainFacts(IReadOnlyList<DecisionRecord> Decisions, IReadOnlyList<ReviewItemRecord> ReviewItems);
