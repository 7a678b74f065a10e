using Cluster.Grains.Posts;

namespace Cluster.Grains.Review;

/// <summary>A review item handed to one reviewer until <see cref="LeaseUntil"/>.</summary>
public sealed record ClaimedItem(ReviewItemRecord Item, PostRecord? Post, DateTimeOffset LeaseUntil, int Reports);
