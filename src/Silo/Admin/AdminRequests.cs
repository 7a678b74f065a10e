using Cluster.Grains.Platforms;

namespace Cluster.Silo.Admin;

public sealed record CreatePlatformRequest(string? Id, string? Name);

public sealed record CreatedPlatform(string Id, string ApiKey);

public sealed record CreateReviewerRequest(string? Id, string? Name, string? Role, IReadOnlyList<string>? Queues);

public sealed record CreatedReviewer(string Id, string Token);

public sealed record PolicyRequest(Dictionary<string, Threshold>? Thresholds);

public sealed record PolicyResponse(string Platform, long Version, IReadOnlyDictionary<string, Threshold> Thresholds);

public sealed record LexiconResponse(string Name, long Version, int Terms);

public sealed record RumorRequest(string? Title, string? Claim, string? DebunkUrl);

public sealed record CreatedRumor(string RumorId);
