using System.Text;
using System.Text.RegularExpressions;
using Cluster.Grains.Auth;
using Cluster.Grains.Platforms;
using Cluster.Ingest.Auth;
using Cluster.Ingest.Posts;
using Cluster.Screening;
using Cluster.Screening.NearDuplicates;
using Cluster.Silo.Lexicons;
using Cluster.Silo.Rumors;
using P = Cluster.Ingest.Problems.Problems;

namespace Cluster.Silo.Admin;

/// <summary>Platforms, reviewers, policies, lexicons and rumors (admin token).</summary>
internal static partial class AdminEndpoints
{
    private const int MaxLexiconBytes = 32 * 1024 * 1024;

    public static IEndpointRouteBuilder MapAdmin(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/admin").RequireAuthorization(AuthPolicies.Admin);
        group.MapPost("/platforms", CreatePlatformAsync);
        group.MapPost("/reviewers", CreateReviewerAsync);
        group.MapPut("/platforms/{id}/policy", PutPolicyAsync);
        group.MapPut("/lexicons/{name}", PutLexiconAsync);
        group.MapPost("/rumors", AddRumorAsync);
        return app;
    }

    private static async Task<IResult> CreatePlatformAsync(CreatePlatformRequest request, IAdminStore store, CancellationToken cancellationToken)
    {
        if (!PlatformId.TryParse(request.Id, out var id))
        {
            return P.Field("id", "required: 1–64 characters of a–z, 0–9, '-', '_' or '.'");
        }
        if (string.IsNullOrWhiteSpace(request.Name) || request.Name.Length > 200)
        {
            return P.Field("name", "required: 1–200 characters");
        }
        var key = Tokens.New("pk");
        if (!await store.CreatePlatformAsync(id.Value.Value, request.Name.Trim(), Tokens.Hash(key), cancellationToken))
        {
            return P.Conflict($"platform '{id}' exists");
        }
        return TypedResults.Created($"/v1/admin/platforms/{id}", new CreatedPlatform(id.Value.Value, key));
    }

    private static async Task<IResult> CreateReviewerAsync(CreateReviewerRequest request, IAdminStore store, CancellationToken cancellationToken)
    {
        if (request.Id is null || !IdPattern().IsMatch(request.Id))
        {
            return P.Field("id", "required: 1–64 characters of a–z, A–Z, 0–9, '-', '_' or '.'");
        }
        if (string.IsNullOrWhiteSpace(request.Name) || request.Name.Length > 200)
        {
            return P.Field("name", "required: 1–200 characters");
        }
        var role = request.Role ?? "reviewer";
        if (role is not ("reviewer" or "senior"))
        {
            return P.Field("role", "must be 'reviewer' or 'senior'");
        }
        var queues = request.Queues ?? ["*"];
        if (queues.Count == 0 || queues.Any(q => q is null || (q != "*" && !IdPattern().IsMatch(q))))
        {
            return P.Field("queues", "must be a non-empty list of queue names or \"*\"");
        }
        var token = Tokens.New("rv");
        if (!await store.CreateReviewerAsync(request.Id, request.Name.Trim(), role, queues, Tokens.Hash(token), cancellationToken))
        {
            return P.Conflict($"reviewer '{request.Id}' exists");
        }
        return TypedResults.Created($"/v1/admin/reviewers/{request.Id}", new CreatedReviewer(request.Id, token));
    }

    private static async Task<IResult> PutPolicyAsync(string id, PolicyRequest request, IAdminStore store, PlatformPolicies policies, CancellationToken cancellationToken)
    {
        if (!await store.PlatformExistsAsync(id, cancellationToken))
        {
            return P.NotFound($"no platform '{id}'");
        }
        var thresholds = request.Thresholds ?? [];
        var errors = new Dictionary<string, string[]>();
        foreach (var (name, t) in thresholds)
        {
            if (!Categories.TryParse(name, out _))
            {
                errors[$"thresholds.{name}"] = [$"unknown category; use one of {string.Join(", ", Categories.All.Select(Categories.Name))}"];
            }
            else if (t is null || t.Review is < 0 or > 1 || t.Block is < 0 or > 1 || t.Review > t.Block)
            {
                errors[$"thresholds.{name}"] = ["needs review and block in [0, 1] with review ≤ block"];
            }
        }
        if (errors.Count > 0)
        {
            return P.Validation("The policy has invalid thresholds.", errors);
        }
        var normalized = thresholds.ToDictionary(kv => kv.Key.Trim().ToLowerInvariant(), kv => kv.Value);
        var version = await store.PutPolicyAsync(id, PlatformPolicies.Serialize(normalized), cancellationToken);
        policies.Set(id, new PlatformPolicy(version, normalized));
        return TypedResults.Ok(new PolicyResponse(id, version, normalized));
    }

    private static async Task<IResult> PutLexiconAsync(string name, HttpRequest request, LexiconCatalog catalog, CancellationToken cancellationToken)
    {
        if (!IdPattern().IsMatch(name))
        {
            return P.Field("name", "1–64 characters of a–z, A–Z, 0–9, '-', '_' or '.'");
        }
        if (request.ContentLength > MaxLexiconBytes)
        {
            return P.TooLarge($"a lexicon is at most {MaxLexiconBytes} bytes");
        }
        BodyReader.SetLimit(request.HttpContext, MaxLexiconBytes);
        string body;
        try
        {
            using var reader = new StreamReader(request.Body, new UTF8Encoding(false, throwOnInvalidBytes: true));
            body = await reader.ReadToEndAsync(cancellationToken);
        }
        catch (DecoderFallbackException)
        {
            return P.InvalidBody("the lexicon is not valid UTF-8");
        }
        var (version, terms, errors) = await catalog.PutAsync(name, body, cancellationToken);
        if (errors.Count > 0)
        {
            return P.Validation("The lexicon has invalid lines.", errors.Take(100).GroupBy(LineKey).ToDictionary(g => g.Key, g => g.ToArray()));
        }
        return TypedResults.Ok(new LexiconResponse(name, version, terms));
    }

    private static async Task<IResult> AddRumorAsync(RumorRequest request, RumorCatalog catalog, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.Title) || request.Title.Length > 200)
        {
            return P.Field("title", "required: 1–200 characters");
        }
        if (request.Claim is null || ScreeningEngine.MatchForm(request.Claim).Length < RumorLibrary.MinLength || request.Claim.Length > 10_000)
        {
            return P.Field("claim", $"required: the rumor's text, at least {RumorLibrary.MinLength} characters after normalization and at most 10000");
        }
        if (!Uri.TryCreate(request.DebunkUrl, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https") || request.DebunkUrl!.Length > 2000)
        {
            return P.Field("debunkUrl", "required: an absolute http(s) URL of at most 2000 characters");
        }
        var id = await catalog.AddAsync(request.Title.Trim(), request.Claim, request.DebunkUrl, cancellationToken);
        return TypedResults.Created($"/v1/admin/rumors/{id}", new CreatedRumor(id));
    }

    /// <summary>Errors read "line 7: …"; the problem's errors map is keyed by "line 7".</summary>
    private static string LineKey(string error)
    {
        var colon = error.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 ? error[..colon] : "body";
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex IdPattern();
}
