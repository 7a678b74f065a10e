using System.Text;
using System.Text.RegularExpressions;
using Cluster.Grains.Auth;
using Cluster.Grains.Platforms;
using Orleans;
using Cluster.Ingest.Auth;
using Cluster.Ingest.Posts;
using Cluster.Ingest.Problems;
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

    private static async Task<IResult> CreatePlatformAsync(HttpRequest http, IAdminStore store, CancellationToken cancellationToken)
    {
        var (request, problem) = await RequestBody.ReadAsync(http, AdminJson.Default.CreatePlatformRequest);
        if (request is null)
        {
            return problem!;
        }
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
            return P.Conflict("id", $"platform '{id}' exists");
        }
        return TypedResults.Created($"/v1/admin/platforms/{id}", new CreatedPlatform(id.Value.Value, key));
    }

    private static async Task<IResult> CreateReviewerAsync(HttpRequest http, IAdminStore store, CancellationToken cancellationToken)
    {
        var (request, problem) = await RequestBody.ReadAsync(http, AdminJson.Default.CreateReviewerRequest);
        if (request is null)
        {
            return problem!;
        }
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
            return P.Conflict("id", $"reviewer '{request.Id}' exists");
        }
        return TypedResults.Created($"/v1/admin/reviewers/{request.Id}", new CreatedReviewer(request.Id, token));
    }

    private static async Task<IResult> PutPolicyAsync(
        string id, HttpRequest http, IAdminStore store, PlatformPolicies policies, IGrainFactory grains, CancellationToken cancellationToken)
    {
        if (!await store.PlatformExistsAsync(id, cancellationToken))
        {
            return P.NotFound("id", $"no platform '{id}'");
        }
        var (request, problem) = await RequestBody.ReadAsync(http, AdminJson.Default.PolicyRequest);
        if (request is null)
        {
            return problem!;
        }
        var thresholds = request.Thresholds ?? [];
        var errors = new Dictionary<string, string[]>();
        var seen = new Dictionary<string, string>(); // category as stored → key as sent
        foreach (var (name, t) in thresholds)
        {
            var category = name.Trim().ToLowerInvariant();
            if (seen.TryGetValue(category, out var first))
            {
                errors[$"thresholds.{name}"] = [$"names the same category as '{first}' (keys are trimmed and lower-cased); send each category once"];
                continue;
            }
            seen[category] = name;
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
        // The platform's grain holds the versions too (the store's number), for the dashboard and other silos.
        await grains.GetGrain<IPlatformGrain>(id).SetPolicyAsync(new PlatformPolicyRecord(version, normalized));
        return TypedResults.Ok(new PolicyResponse(id, version, normalized));
    }

    private static async Task<IResult> PutLexiconAsync(string name, HttpRequest request, LexiconCatalog catalog, CancellationToken cancellationToken)
    {
        if (!IdPattern().IsMatch(name))
        {
            return P.Field("name", "1–64 characters of a–z, A–Z, 0–9, '-', '_' or '.'");
        }
        if (MediaTypes.Check(request.ContentType, MediaTypes.TextOnly, out _) is { } mediaError)
        {
            return P.UnsupportedMediaType(mediaError + " (one entry a line)");
        }
        if (request.ContentLength > MaxLexiconBytes)
        {
            return P.TooLarge($"a lexicon is at most {MaxLexiconBytes} bytes");
        }
        BodyReader.SetLimit(request.HttpContext, MaxLexiconBytes);
        string body;
        try
        {
            // No byte-order-mark sniffing: a UTF-16 mark must not switch the decoder; the body is UTF-8 or refused.
            using var reader = new StreamReader(request.Body, new UTF8Encoding(false, throwOnInvalidBytes: true), detectEncodingFromByteOrderMarks: false);
            body = (await reader.ReadToEndAsync(cancellationToken)).TrimStart('\uFEFF');
        }
        catch (DecoderFallbackException)
        {
            return P.InvalidBody("the lexicon is not valid UTF-8");
        }
        catch (BadHttpRequestException ex)
        {
            // The server's body limit or broken framing: the client's fault, answered rather than logged.
            return ex.StatusCode == StatusCodes.Status413PayloadTooLarge ? P.TooLarge(ex.Message) : P.InvalidBody(ex.Message);
        }
        var (version, terms, errors) = await catalog.PutAsync(name, body, cancellationToken);
        if (errors.Count > 0)
        {
            return P.Validation("The lexicon has invalid lines.", errors.Take(100).GroupBy(LineKey).ToDictionary(g => g.Key, g => g.ToArray()));
        }
        return TypedResults.Ok(new LexiconResponse(name, version, terms));
    }

    private static async Task<IResult> AddRumorAsync(HttpRequest http, RumorCatalog catalog, CancellationToken cancellationToken)
    {
        var (request, problem) = await RequestBody.ReadAsync(http, AdminJson.Default.RumorRequest);
        if (request is null)
        {
            return problem!;
        }
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
