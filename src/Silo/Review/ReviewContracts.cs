using Cluster.Grains.Decisions;
using Cluster.Silo.Accounts;

namespace Cluster.Silo.Review;

public sealed record ClaimBody(string? Queue, int? Max, int? LeaseSeconds);

public sealed record ReviewPost(string Id, string Account, string Kind, string Text, DateTimeOffset? CreatedAt, DateTimeOffset ReceivedAt);

public sealed record ReviewItemView(
    string Id, string Queue, int Priority, ReviewPost? Post, IReadOnlyList<DecisionLabel> Labels, int Reports,
    AccountView? Account, DateTimeOffset LeaseUntil, string MachineDecisionId);

public sealed record ClaimResponse(IReadOnlyList<ReviewItemView> Items);

public sealed record VerdictBody(string? Verdict, string? Category, string? Sanction, string? Note);

public sealed record VerdictResponse(string Id, string Verdict);
